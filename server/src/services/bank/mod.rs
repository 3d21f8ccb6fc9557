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
use question_bank::{Item, ItemStatus, Language, Lifecycle, LocalizedText, Step, markdown};
use std::collections::{BTreeMap, HashMap, HashSet};

pub mod exchange;
pub mod items;

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
    status: ItemStatus,
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
        status: status.as_str().into(),
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
    status: ItemStatus,
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
        status: status.as_str().into(),
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
                w.versions.push(
                    item_to_row(&item, ItemStatus::Draft, Some(&actor.id), now)
                        .map_err(internal)?,
                );
                w.heads.push(head_for(
                    &item,
                    ItemStatus::Draft,
                    None,
                    Some(&actor.id),
                    now,
                ));
                w.audit
                    .push(audit(item.id.as_str(), 1, actor, action_new, comment, now));
                Ok(Planned {
                    write: w,
                    created: true,
                })
            }
            Some(h) => {
                w.expect.push((h.item_id.clone(), Some(h.updated_at)));
                let in_place =
                    ItemStatus::parse(&h.status).is_some_and(ItemStatus::editable_in_place);
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
                    .push(item_to_row(&item, ItemStatus::Draft, author, now).map_err(internal)?);
                w.heads.push(head_for(
                    &item,
                    ItemStatus::Draft,
                    h.published_version,
                    author,
                    now,
                ));
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
}
