//! The question bank for methodologists: create and edit items, the four-eyes review, versions
//! and history, bulk actions, import and export. Every change goes through
//! [`Store::write_bank`] in one transaction, with its audit entry.
//!
//! Lifecycle of an item's newest version: `draft` → `in_review` → `published`, or back to
//! `draft` with the reviewer's comment; `retired` takes it out of the pool. Drafts are edited in
//! place; editing a published (or retired) item makes a new version, and the published one stays
//! in use until the new one is published. Attempts name the exact version they were given.

use crate::services::{Services, internal};
use crate::store::{
    AuditRow, BankQuery, BankWrite, CompetencyRow, ItemHeadRow, ItemRow, StoreError,
};
use app::error::{AppError, ErrorCode};
use app::model::*;
use question_bank::formats::{self, Format, ImportOptions};
use question_bank::{Item, Language, LocalizedText, markdown};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Statuses of a version.
pub const DRAFT: &str = "draft";
pub const IN_REVIEW: &str = "in_review";
pub const PUBLISHED: &str = "published";
pub const RETIRED: &str = "retired";
pub const SUPERSEDED: &str = "superseded";

/// Actions that make or change a version's content (its editors may not review it).
const EDITS: [&str; 5] = ["created", "edited", "new_version", "restored", "imported"];

/// The largest file an import takes.
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

/// The largest image an item may show.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

/// The media type of image bytes, from their first bytes (not from the name or the sender).
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Who acts on the bank: a signed-in user, or the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub name: String,
}

impl Actor {
    pub fn of(user: &UserInfo) -> Self {
        Self {
            id: user.id.clone(),
            name: if user.full_name.is_empty() {
                user.email.clone()
            } else {
                format!("{} <{}>", user.full_name, user.email)
            },
        }
    }
    pub fn cli() -> Self {
        Self {
            id: "cli".into(),
            name: "command line".into(),
        }
    }
}

/// The stored row of an item version.
pub fn item_to_row(
    item: &Item,
    status: &str,
    author: Option<&str>,
    now: i64,
) -> anyhow::Result<ItemRow> {
    let content = crate::services::ItemContent {
        stem: item.stem.clone(),
        options: item.options.clone(),
        matches: item.matches.clone(),
        attachments: item.attachments.clone(),
        meta: item.meta.clone(),
    };
    Ok(ItemRow {
        item_id: item.id.to_string(),
        version: i64::from(item.version),
        competency: item.competency.clone(),
        difficulty: item.difficulty.as_str().into(),
        status: status.into(),
        content: serde_json::to_string(&content)?,
        answer_key: serde_json::to_string(&item.key)?,
        rationale: serde_json::to_string(&item.rationale)?,
        option_count: i64::try_from(item.options.len())?,
        created_at: now,
        item_type: item.item_type().as_str().into(),
        author_id: author.map(str::to_string),
        updated_at: now,
    })
}

/// The list row of an item whose newest version is `item`.
pub fn head_for(
    item: &Item,
    status: &str,
    published_version: Option<i64>,
    author: Option<&str>,
    now: i64,
) -> ItemHeadRow {
    let ready: Vec<&str> = item.ready_languages().iter().map(|l| l.code()).collect();
    let mut search = vec![item.id.to_string()];
    for t in item.texts().chain(std::iter::once(&item.rationale)) {
        for v in t.0.values() {
            search.push(markdown::to_plain(v));
        }
    }
    search.extend(item.meta.tags.iter().cloned());
    let preview = [Language::Ru, Language::Kk, Language::En]
        .into_iter()
        .find_map(|l| item.stem.0.get(&l).filter(|t| !t.trim().is_empty()))
        .map(|t| markdown::to_plain(t).replace('\n', " "))
        .unwrap_or_default();
    let preview: String = if preview.chars().count() > 160 {
        preview
            .chars()
            .take(159)
            .chain(std::iter::once('…'))
            .collect()
    } else {
        preview
    };
    ItemHeadRow {
        item_id: item.id.to_string(),
        head_version: i64::from(item.version),
        published_version,
        status: status.into(),
        competency: item.competency.clone(),
        item_type: item.item_type().as_str().into(),
        difficulty: item.difficulty.as_str().into(),
        ready: ready.join(","),
        tags: if item.meta.tags.is_empty() {
            String::new()
        } else {
            format!(",{},", item.meta.tags.join(","))
        },
        search_text: search.join(" \n ").to_lowercase(),
        preview,
        author_id: author.map(str::to_string),
        updated_at: now,
    }
}

fn audit(
    item_id: &str,
    version: i64,
    actor: &Actor,
    action: &str,
    comment: &str,
    now: i64,
) -> AuditRow {
    AuditRow {
        id: 0,
        item_id: item_id.into(),
        version,
        at: now,
        actor_id: actor.id.clone(),
        actor_name: actor.name.clone(),
        action: action.into(),
        comment: comment.into(),
    }
}

fn conflict_or(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict => AppError::new(
            ErrorCode::Conflict,
            "The item was changed by someone else meanwhile; reload it and apply your change again.",
        ),
        other => AppError::from(other),
    }
}

fn invalid(e: impl std::fmt::Display) -> AppError {
    AppError::invalid(e.to_string())
}

fn row_view(h: ItemHeadRow) -> BankRow {
    BankRow {
        item_id: h.item_id,
        version: h.head_version,
        published_version: h.published_version,
        status: h.status,
        item_type: h.item_type,
        competency: h.competency,
        difficulty: h.difficulty,
        ready: h
            .ready
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        tags: h
            .tags
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        preview: h.preview,
        updated_ms: h.updated_at,
    }
}

/// One planned change to one item (what an edit, a restore or an import does).
struct Planned {
    write: BankWrite,
    created: bool,
}

impl Services {
    /// Methodologists and administrators: the bank and blueprints.
    pub(crate) fn require_bank(user: &UserInfo) -> Result<(), AppError> {
        if matches!(user.role, Role::Methodologist | Role::Admin) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    async fn head(&self, item_id: &str) -> Result<ItemHeadRow, AppError> {
        self.store()
            .item_head(item_id)
            .await?
            .ok_or_else(|| AppError::not_found("The item"))
    }

    async fn version_item(&self, item_id: &str, version: i64) -> Result<(Item, ItemRow), AppError> {
        let row = self
            .store()
            .item_version(item_id, version)
            .await?
            .ok_or_else(|| AppError::not_found("That version of the item"))?;
        let item = crate::services::item_from_row(&row).map_err(internal)?;
        Ok((item, row))
    }

    fn doc(item: Item, head: &ItemHeadRow) -> ItemDoc {
        ItemDoc {
            completeness: item
                .completeness()
                .into_iter()
                .map(|(l, done, total)| Completeness {
                    language: l.code().into(),
                    done: u32::try_from(done).unwrap_or(u32::MAX),
                    total: u32::try_from(total).unwrap_or(u32::MAX),
                })
                .collect(),
            key_text: question_bank::diff::describe_key(&item),
            item,
            status: head.status.clone(),
            published_version: head.published_version,
            updated_ms: head.updated_at,
            author_id: head.author_id.clone(),
        }
    }

    /// Checks an item before it is stored: the rules of its type, a known competency, no
    /// attachment the bank lacks.
    async fn check_item(&self, item: &Item) -> Result<(), AppError> {
        item.validate().map_err(invalid)?;
        let known: HashSet<String> = self
            .store()
            .competencies()
            .await?
            .into_iter()
            .map(|c| c.code)
            .collect();
        if !known.contains(&item.competency) {
            return Err(AppError::invalid(format!(
                "The competency {:?} is not in the taxonomy.",
                item.competency
            )));
        }
        Ok(())
    }

    /// What storing `item` as the newest content of its id does: a new item, an edit in place
    /// (draft, in review) or a new version (published, retired).
    fn plan(
        item: &Item,
        head: Option<&ItemHeadRow>,
        actor: &Actor,
        action_new: &str,
        comment: &str,
        now: i64,
    ) -> Result<Planned, AppError> {
        let mut item = item.clone();
        let mut w = BankWrite::default();
        match head {
            None => {
                item.version = 1;
                w.expect.push((item.id.to_string(), None));
                w.versions
                    .push(item_to_row(&item, DRAFT, Some(&actor.id), now).map_err(internal)?);
                w.heads
                    .push(head_for(&item, DRAFT, None, Some(&actor.id), now));
                w.audit
                    .push(audit(item.id.as_str(), 1, actor, action_new, comment, now));
                Ok(Planned {
                    write: w,
                    created: true,
                })
            }
            Some(h) => {
                w.expect.push((h.item_id.clone(), Some(h.updated_at)));
                let in_place = h.status == DRAFT || h.status == IN_REVIEW;
                let (version, action) = if in_place {
                    (
                        h.head_version,
                        if action_new == "created" {
                            "edited"
                        } else {
                            action_new
                        },
                    )
                } else {
                    (
                        h.head_version + 1,
                        if action_new == "created" {
                            "new_version"
                        } else {
                            action_new
                        },
                    )
                };
                item.version = u32::try_from(version).map_err(internal)?;
                let author = if in_place {
                    h.author_id.as_deref()
                } else {
                    Some(actor.id.as_str())
                };
                w.versions
                    .push(item_to_row(&item, DRAFT, author, now).map_err(internal)?);
                w.heads
                    .push(head_for(&item, DRAFT, h.published_version, author, now));
                w.audit.push(audit(
                    item.id.as_str(),
                    version,
                    actor,
                    action,
                    comment,
                    now,
                ));
                Ok(Planned {
                    write: w,
                    created: false,
                })
            }
        }
    }

    pub async fn bank_list(&self, user: &UserInfo, f: &BankFilter) -> Result<BankPage, AppError> {
        Self::require_bank(user)?;
        let per_page = f.per_page.unwrap_or(50).clamp(1, 200);
        let page = f.page.unwrap_or(1).max(1);
        let given = |s: &Option<String>| {
            s.as_ref()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let q = BankQuery {
            competency: given(&f.competency),
            status: given(&f.status),
            item_type: given(&f.item_type),
            ready_in: given(&f.ready_in),
            missing_in: given(&f.missing_in),
            tag: given(&f.tag),
            words: f
                .q
                .as_deref()
                .unwrap_or_default()
                .to_lowercase()
                .split_whitespace()
                .take(8)
                .map(str::to_string)
                .collect(),
            sort: f.sort.clone().unwrap_or_else(|| "item_id".into()),
            descending: f.descending.unwrap_or(false),
            limit: i64::from(per_page),
            offset: i64::from(page - 1) * i64::from(per_page),
        };
        if !crate::store::BANK_SORTS.contains(&q.sort.as_str()) {
            return Err(AppError::invalid(format!(
                "sort must be one of {}.",
                crate::store::BANK_SORTS.join(", ")
            )));
        }
        let (rows, total) = self.store().bank_page(&q).await?;
        Ok(BankPage {
            rows: rows.into_iter().map(row_view).collect(),
            total,
            page,
            per_page,
        })
    }

    pub async fn bank_item(&self, user: &UserInfo, item_id: &str) -> Result<ItemDoc, AppError> {
        Self::require_bank(user)?;
        let head = self.head(item_id).await?;
        let (item, _) = self.version_item(item_id, head.head_version).await?;
        Ok(Self::doc(item, &head))
    }

    pub async fn bank_create(
        &self,
        user: &UserInfo,
        input: ItemInput,
    ) -> Result<ItemDoc, AppError> {
        Self::require_bank(user)?;
        self.check_item(&input.item).await?;
        if self
            .store()
            .item_head(input.item.id.as_str())
            .await?
            .is_some()
        {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("An item with the id {} exists already.", input.item.id),
            ));
        }
        let planned = Self::plan(
            &input.item,
            None,
            &Actor::of(user),
            "created",
            "",
            self.now(),
        )?;
        self.write_bank(&planned.write).await.map_err(conflict_or)?;
        self.bank_item(user, input.item.id.as_str()).await
    }

    pub async fn bank_update(
        &self,
        user: &UserInfo,
        item_id: &str,
        input: ItemInput,
    ) -> Result<ItemDoc, AppError> {
        Self::require_bank(user)?;
        if input.item.id.as_str() != item_id {
            return Err(AppError::invalid("The item's id cannot be changed."));
        }
        self.check_item(&input.item).await?;
        let head = self.head(item_id).await?;
        if input
            .expected_updated_ms
            .is_some_and(|t| t != head.updated_at)
        {
            return Err(conflict_or(StoreError::Conflict));
        }
        let planned = Self::plan(
            &input.item,
            Some(&head),
            &Actor::of(user),
            "created",
            "",
            self.now(),
        )?;
        self.write_bank(&planned.write).await.map_err(conflict_or)?;
        self.bank_item(user, item_id).await
    }

    /// Moves an item to another status with an audit entry (for other services).
    pub(crate) async fn move_item(
        &self,
        user: &UserInfo,
        head: &ItemHeadRow,
        to: &str,
        action: &str,
        comment: &str,
    ) -> Result<(), AppError> {
        self.transition(&Actor::of(user), head, to, action, comment)
            .await
    }

    /// Changes the status of the newest version (and what goes with it), with an audit entry.
    async fn transition(
        &self,
        actor: &Actor,
        head: &ItemHeadRow,
        to: &str,
        action: &str,
        comment: &str,
    ) -> Result<(), AppError> {
        let now = self.now();
        let mut w = BankWrite::default();
        w.expect.push((head.item_id.clone(), Some(head.updated_at)));
        let mut new_head = head.clone();
        new_head.status = to.into();
        new_head.updated_at = now;
        match to {
            PUBLISHED => {
                if let Some(old) = head.published_version.filter(|v| *v != head.head_version) {
                    w.statuses
                        .push((head.item_id.clone(), old, SUPERSEDED.into()));
                }
                new_head.published_version = Some(head.head_version);
            }
            // A published item sent back to review leaves the pool until approved again.
            IN_REVIEW if head.status == PUBLISHED => {
                new_head.published_version = None;
            }
            RETIRED => {
                if let Some(p) = head.published_version {
                    w.statuses.push((head.item_id.clone(), p, RETIRED.into()));
                }
                new_head.published_version = None;
                if head.status != PUBLISHED {
                    // A draft on top of a published version stays a draft; only the published
                    // version leaves the pool.
                    new_head.status = head.status.clone();
                }
            }
            _ => {}
        }
        if to != RETIRED || head.status == PUBLISHED {
            w.statuses.push((
                head.item_id.clone(),
                head.head_version,
                new_head.status.clone(),
            ));
        }
        w.heads.push(new_head);
        w.audit.push(audit(
            &head.item_id,
            head.head_version,
            actor,
            action,
            comment,
            now,
        ));
        self.write_bank(&w).await.map_err(conflict_or)
    }

    async fn submit_one(&self, actor: &Actor, item_id: &str) -> Result<(), AppError> {
        let head = self.head(item_id).await?;
        if head.status != DRAFT {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "Only a draft can be sent to review; this item is {}.",
                    head.status
                ),
            ));
        }
        self.transition(actor, &head, IN_REVIEW, "sent_to_review", "")
            .await
    }

    pub async fn bank_submit(&self, user: &UserInfo, item_id: &str) -> Result<ItemDoc, AppError> {
        Self::require_bank(user)?;
        self.submit_one(&Actor::of(user), item_id).await?;
        self.bank_item(user, item_id).await
    }

    pub async fn bank_review(
        &self,
        user: &UserInfo,
        item_id: &str,
        input: ReviewInput,
    ) -> Result<ItemDoc, AppError> {
        if user.role != Role::Methodologist {
            return Err(AppError::forbidden());
        }
        let head = self.head(item_id).await?;
        if head.status != IN_REVIEW {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "Only an item in review can be reviewed; this item is {}.",
                    head.status
                ),
            ));
        }
        let edited_by_reviewer = head.author_id.as_deref() == Some(user.id.as_str())
            || self.store().item_audit(item_id).await?.iter().any(|a| {
                a.version == head.head_version
                    && a.actor_id == user.id
                    && EDITS.contains(&a.action.as_str())
            });
        if edited_by_reviewer {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "Four eyes: the reviewer must be another methodologist than the one who wrote or edited this version.",
            ));
        }
        let comment = input.comment.trim();
        if input.approve {
            self.transition(&Actor::of(user), &head, PUBLISHED, "approved", comment)
                .await?;
        } else {
            if comment.is_empty() {
                return Err(AppError::invalid(
                    "Say what to change: a comment is required when sending an item back.",
                ));
            }
            self.transition(&Actor::of(user), &head, DRAFT, "changes_requested", comment)
                .await?;
        }
        self.bank_item(user, item_id).await
    }

    async fn retire_one(&self, actor: &Actor, item_id: &str) -> Result<(), AppError> {
        let head = self.head(item_id).await?;
        if head.published_version.is_none() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "Only a published item can be retired (a draft can simply be left).",
            ));
        }
        self.transition(actor, &head, RETIRED, "retired", "").await
    }

    pub async fn bank_retire(&self, user: &UserInfo, item_id: &str) -> Result<ItemDoc, AppError> {
        Self::require_bank(user)?;
        self.retire_one(&Actor::of(user), item_id).await?;
        self.bank_item(user, item_id).await
    }

    /// Makes an old version's content the newest draft again.
    pub async fn bank_restore(
        &self,
        user: &UserInfo,
        item_id: &str,
        version: i64,
    ) -> Result<ItemDoc, AppError> {
        Self::require_bank(user)?;
        let head = self.head(item_id).await?;
        if version == head.head_version {
            return Err(AppError::invalid("That is the current version already."));
        }
        let (old, _) = self.version_item(item_id, version).await?;
        self.check_item(&old).await?;
        let planned = Self::plan(
            &old,
            Some(&head),
            &Actor::of(user),
            "restored",
            &format!("from version {version}"),
            self.now(),
        )?;
        self.write_bank(&planned.write).await.map_err(conflict_or)?;
        self.bank_item(user, item_id).await
    }

    async fn tag_one(&self, actor: &Actor, item_id: &str, tag: &str) -> Result<(), AppError> {
        let head = self.head(item_id).await?;
        let (mut item, row) = self.version_item(item_id, head.head_version).await?;
        if item.meta.tags.iter().any(|t| t == tag) {
            return Ok(());
        }
        item.meta.tags.push(tag.to_string());
        let now = self.now();
        // Tags do not change what candidates see or how they are scored: the version keeps its
        // number and status.
        let mut new_row = item_to_row(&item, &row.status, row.author_id.as_deref(), row.created_at)
            .map_err(internal)?;
        new_row.updated_at = now;
        let mut new_head = head_for(
            &item,
            &head.status,
            head.published_version,
            head.author_id.as_deref(),
            now,
        );
        new_head.head_version = head.head_version;
        let w = BankWrite {
            expect: vec![(item_id.to_string(), Some(head.updated_at))],
            versions: vec![new_row],
            heads: vec![new_head],
            audit: vec![audit(item_id, head.head_version, actor, "tagged", tag, now)],
            ..Default::default()
        };
        self.write_bank(&w).await.map_err(conflict_or)
    }

    pub async fn bank_bulk(
        &self,
        user: &UserInfo,
        input: BulkInput,
    ) -> Result<BulkResult, AppError> {
        Self::require_bank(user)?;
        if input.item_ids.len() > 1000 {
            return Err(AppError::invalid("At most 1000 items at once."));
        }
        let tag = input
            .tag
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
        if input.action == "tag" && (tag.is_empty() || tag.len() > 64 || tag.contains(',')) {
            return Err(AppError::invalid(
                "The tag must be 1-64 characters, without commas.",
            ));
        }
        let actor = Actor::of(user);
        let mut result = BulkResult {
            done: vec![],
            refused: vec![],
        };
        for id in &input.item_ids {
            let outcome = match input.action.as_str() {
                "send_to_review" => self.submit_one(&actor, id).await,
                "retire" => self.retire_one(&actor, id).await,
                "tag" => self.tag_one(&actor, id, &tag).await,
                other => {
                    return Err(AppError::invalid(format!(
                        "Unknown action {other:?}: use send_to_review, retire or tag."
                    )));
                }
            };
            match outcome {
                Ok(()) => result.done.push(id.clone()),
                Err(e) => result.refused.push(Refusal {
                    item_id: id.clone(),
                    message: e.message,
                }),
            }
        }
        Ok(result)
    }

    pub async fn bank_history(
        &self,
        user: &UserInfo,
        item_id: &str,
    ) -> Result<ItemHistory, AppError> {
        Self::require_bank(user)?;
        let rows = self.store().item_versions(item_id).await?;
        if rows.is_empty() {
            return Err(AppError::not_found("The item"));
        }
        let mut versions = Vec::with_capacity(rows.len());
        let mut previous: Option<Item> = None;
        for row in &rows {
            let item = crate::services::item_from_row(row).map_err(internal)?;
            let changes = previous
                .as_ref()
                .map(|p| question_bank::diff::diff(p, &item))
                .unwrap_or_default()
                .into_iter()
                .map(|c| FieldChange {
                    field: c.field,
                    before: c.before,
                    after: c.after,
                })
                .collect();
            versions.push(VersionView {
                version: row.version,
                status: row.status.clone(),
                author_id: row.author_id.clone(),
                created_ms: row.created_at,
                updated_ms: row.updated_at,
                changes,
            });
            previous = Some(item);
        }
        let audit = self
            .store()
            .item_audit(item_id)
            .await?
            .into_iter()
            .map(|a| AuditView {
                at_ms: a.at,
                version: a.version,
                actor: a.actor_name,
                action: a.action,
                comment: a.comment,
            })
            .collect();
        Ok(ItemHistory {
            item_id: item_id.into(),
            versions,
            audit,
        })
    }

    pub async fn bank_competencies(
        &self,
        user: &UserInfo,
    ) -> Result<Vec<CompetencyView>, AppError> {
        Self::require_bank(user)?;
        Ok(self
            .store()
            .competencies()
            .await?
            .into_iter()
            .map(|c| CompetencyView {
                code: c.code,
                position: c.position,
                names: serde_json::from_str(&c.names).unwrap_or_default(),
            })
            .collect())
    }

    /// Adds or renames a competency of the taxonomy.
    pub async fn bank_put_competency(
        &self,
        user: &UserInfo,
        c: CompetencyView,
    ) -> Result<CompetencyView, AppError> {
        Self::require_bank(user)?;
        let code_ok = !c.code.is_empty()
            && c.code.len() <= 64
            && c.code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !code_ok {
            return Err(AppError::invalid(
                "A competency code is 1-64 characters of a-z, 0-9 and '-'.",
            ));
        }
        let mut names = LocalizedText::new();
        for (lang, name) in &c.names {
            let l: Language = lang.parse().map_err(invalid)?;
            if !name.trim().is_empty() {
                names.0.insert(l, name.trim().to_string());
            }
        }
        if names.0.is_empty() {
            return Err(AppError::invalid(
                "Give the competency a name in at least one language.",
            ));
        }
        self.store()
            .upsert_competency(&CompetencyRow {
                code: c.code.clone(),
                position: c.position,
                names: serde_json::to_string(&names).map_err(internal)?,
            })
            .await?;
        Ok(c)
    }

    /// Imports a file: every item or none. New ids become drafts; ids the bank has get a new
    /// draft version. With `publish` (the command line only), items are published at once.
    pub async fn bank_import(
        &self,
        actor: &Actor,
        format: Format,
        text: &str,
        options: &ImportOptions,
        dry_run: bool,
        publish: bool,
    ) -> Result<ImportReport, AppError> {
        let note = |p: &formats::Position, m: String| ImportNote {
            at: p.to_string(),
            message: m,
        };
        let mut report = ImportReport {
            dry_run,
            format: format.as_str().into(),
            created: vec![],
            updated: vec![],
            skipped: vec![],
            warnings: vec![],
            errors: vec![],
            new_competencies: vec![],
            ready: vec![],
        };
        if text.len() > MAX_IMPORT_BYTES {
            report.errors.push(ImportNote {
                at: "file".into(),
                message: format!(
                    "the file has {} bytes; at most {MAX_IMPORT_BYTES} are taken",
                    text.len()
                ),
            });
            return Ok(report);
        }
        let imported = match formats::import(format, text, options) {
            Ok(i) => i,
            Err(errors) => {
                report.errors = errors
                    .into_iter()
                    .map(|e| note(&e.position, e.message))
                    .collect();
                return Ok(report);
            }
        };
        report.skipped = imported
            .skipped
            .iter()
            .map(|s| {
                note(
                    &s.position,
                    format!(
                        "{} question {:?} is not a type Qabilet takes; skipped",
                        s.kind, s.name
                    ),
                )
            })
            .collect();
        report.warnings = imported
            .warnings
            .iter()
            .map(|w| note(&w.position, w.message.clone()))
            .collect();

        // Competencies: codes from the categories; new ones join the taxonomy.
        let known: HashMap<String, CompetencyRow> = self
            .store()
            .competencies()
            .await?
            .into_iter()
            .map(|c| (c.code.clone(), c))
            .collect();
        let mut new_competencies: BTreeMap<String, CompetencyRow> = BTreeMap::new();
        let next_position = known.values().map(|c| c.position).max().unwrap_or(0) + 1;
        for i in &imported.items {
            let code = &i.item.competency;
            if !known.contains_key(code) && !new_competencies.contains_key(code) {
                let label = i
                    .category
                    .as_deref()
                    .and_then(|c| c.trim_end_matches('/').rsplit('/').next())
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .unwrap_or(code);
                let names = LocalizedText::new().with(options.language, label);
                new_competencies.insert(
                    code.clone(),
                    CompetencyRow {
                        code: code.clone(),
                        position: next_position
                            + i64::try_from(new_competencies.len()).unwrap_or(0),
                        names: serde_json::to_string(&names).map_err(internal)?,
                    },
                );
            }
        }
        report.new_competencies = new_competencies.keys().cloned().collect();

        let ids: Vec<String> = imported
            .items
            .iter()
            .map(|i| i.item.id.to_string())
            .collect();
        let heads: HashMap<String, ItemHeadRow> = self
            .store()
            .item_heads(&ids)
            .await?
            .into_iter()
            .map(|h| (h.item_id.clone(), h))
            .collect();
        let now = self.now();
        let mut write = BankWrite::default();
        let mut ready: BTreeMap<&'static str, u32> = BTreeMap::new();
        let comment = format!("imported from {}", format.as_str());
        for i in &imported.items {
            for l in i.item.ready_languages() {
                *ready.entry(l.code()).or_default() += 1;
            }
            let head = heads.get(i.item.id.as_str());
            if head.is_some_and(|h| h.status == IN_REVIEW) {
                report.errors.push(note(
                    &i.position,
                    format!(
                        "item {} is in review; finish the review before importing a new version",
                        i.item.id
                    ),
                ));
                continue;
            }
            let mut planned = Self::plan(&i.item, head, actor, "imported", &comment, now)?;
            if publish {
                for v in &mut planned.write.versions {
                    v.status = PUBLISHED.into();
                }
                for h in &mut planned.write.heads {
                    if let Some(old) = h.published_version.filter(|p| *p != h.head_version) {
                        planned
                            .write
                            .statuses
                            .push((h.item_id.clone(), old, SUPERSEDED.into()));
                    }
                    h.status = PUBLISHED.into();
                    h.published_version = Some(h.head_version);
                }
                planned.write.audit.push(audit(
                    i.item.id.as_str(),
                    planned.write.heads.first().map_or(1, |h| h.head_version),
                    actor,
                    "approved",
                    "published by the import (command line)",
                    now,
                ));
            }
            if planned.created {
                report.created.push(i.item.id.to_string());
            } else {
                report.updated.push(i.item.id.to_string());
            }
            for f in &i.files {
                let a = formats::attachment_for(f);
                write
                    .files
                    .push((a.sha256, f.media_type.clone(), f.bytes.clone()));
            }
            let w = planned.write;
            write.expect.extend(w.expect);
            write.versions.extend(w.versions);
            write.statuses.extend(w.statuses);
            write.heads.extend(w.heads);
            write.audit.extend(w.audit);
        }
        report.ready = ready.into_iter().map(|(l, n)| (l.to_string(), n)).collect();
        if !report.errors.is_empty() || dry_run {
            if !report.errors.is_empty() {
                report.created.clear();
                report.updated.clear();
            }
            return Ok(report);
        }
        for c in new_competencies.values() {
            self.store().upsert_competency(c).await?;
        }
        self.write_bank(&write).await.map_err(conflict_or)?;
        tracing::info!(
            created = report.created.len(),
            updated = report.updated.len(),
            "bank import"
        );
        Ok(report)
    }

    /// Exports the bank: the newest version of every item, or with `published_only` the
    /// published version of every item that has one.
    pub async fn bank_export(
        &self,
        format: Format,
        published_only: bool,
    ) -> Result<String, AppError> {
        let mut items = Vec::new();
        for h in self.store().all_heads().await? {
            let version = if published_only {
                match h.published_version {
                    Some(v) => v,
                    None => continue,
                }
            } else {
                h.head_version
            };
            let (item, _) = self.version_item(&h.item_id, version).await?;
            items.push(item);
        }
        let store = self.store().clone();
        // Embed attachment bytes (Moodle XML).
        let mut bytes: HashMap<String, Vec<u8>> = HashMap::new();
        if format == Format::MoodleXml {
            for a in items.iter().flat_map(|i| &i.attachments) {
                if !bytes.contains_key(&a.sha256)
                    && let Some((_, b)) = store.attachment(&a.sha256).await?
                {
                    bytes.insert(a.sha256.clone(), b);
                }
            }
        }
        Ok(match format {
            Format::MoodleXml => {
                formats::moodle_xml::write_with(&items, &|_, a| bytes.get(&a.sha256).cloned())
            }
            other => formats::export(other, &items),
        })
    }

    /// Stores an image for items to show (once per content digest) and returns its record.
    pub async fn bank_upload(
        &self,
        user: &UserInfo,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<question_bank::Attachment, AppError> {
        Self::require_bank(user)?;
        let name_ok = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !name_ok {
            return Err(AppError::invalid(
                "The file name must be 1-64 characters of a-z, A-Z, 0-9, '-', '_' or '.'.",
            ));
        }
        let media_type = image_type(&bytes)
            .ok_or_else(|| AppError::invalid("The file is not a PNG, JPEG, GIF or WebP image."))?;
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(AppError::new(
                ErrorCode::PayloadTooLarge,
                format!("An image may have at most {MAX_IMAGE_BYTES} bytes."),
            ));
        }
        let file = formats::FileData {
            name: name.into(),
            media_type: media_type.into(),
            bytes,
        };
        let a = formats::attachment_for(&file);
        let w = BankWrite {
            files: vec![(a.sha256.clone(), file.media_type, file.bytes)],
            ..Default::default()
        };
        self.write_bank(&w).await.map_err(conflict_or)?;
        Ok(a)
    }

    /// An image's bytes, for anyone signed in: images are addressed by the digest of their
    /// content, which only the items that show them name.
    pub async fn attachment_bytes(&self, sha256: &str) -> Result<(String, Vec<u8>), AppError> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::not_found("The image"));
        }
        self.store()
            .attachment(sha256)
            .await?
            .ok_or_else(|| AppError::not_found("The image"))
    }
}
