//! The bank's items: the list, writing and editing, the review workflow, bulk tags, history, the taxonomy.

use super::*;

impl Services {
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

    /// One step in an item's life taken by a person (for other services).
    pub(crate) async fn move_item(
        &self,
        user: &UserInfo,
        head: &ItemHeadRow,
        step: Step,
        comment: &str,
    ) -> Result<(), AppError> {
        self.transition(&Actor::of(user), head, step, comment).await
    }

    /// Takes one step in the item's life (the domain's [`Lifecycle`] says whether it is
    /// allowed and what it changes), with an audit entry.
    pub(in crate::services) async fn transition(
        &self,
        actor: &Actor,
        head: &ItemHeadRow,
        step: Step,
        comment: &str,
    ) -> Result<(), AppError> {
        let status = ItemStatus::parse(&head.status)
            .ok_or_else(|| internal(format!("bad item status {}", head.status)))?;
        let change = Lifecycle {
            status,
            head_version: head.head_version,
            published_version: head.published_version,
        }
        .step(step)
        .map_err(|e| AppError::new(ErrorCode::Conflict, e.to_string()))?;
        let now = self.now();
        let mut w = BankWrite::default();
        w.expect.push((head.item_id.clone(), Some(head.updated_at)));
        let mut new_head = head.clone();
        new_head.status = change.after.status.as_str().into();
        new_head.published_version = change.after.published_version;
        new_head.updated_at = now;
        for (version, status) in change.versions {
            w.statuses
                .push((head.item_id.clone(), version, status.as_str().into()));
        }
        w.heads.push(new_head);
        w.audit.push(audit(
            &head.item_id,
            head.head_version,
            actor,
            step.audit_action(),
            comment,
            now,
        ));
        self.write_bank(&w).await.map_err(conflict_or)
    }

    pub(in crate::services) async fn submit_one(
        &self,
        actor: &Actor,
        item_id: &str,
    ) -> Result<(), AppError> {
        let head = self.head(item_id).await?;
        self.transition(actor, &head, Step::Submit, "").await
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
        if head.status != ItemStatus::InReview.as_str() {
            let status = ItemStatus::parse(&head.status).unwrap_or(ItemStatus::Draft);
            return Err(AppError::new(
                ErrorCode::Conflict,
                question_bank::lifecycle::StepRefused {
                    step: Step::Approve,
                    status,
                }
                .to_string(),
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
            self.transition(&Actor::of(user), &head, Step::Approve, comment)
                .await?;
        } else {
            if comment.is_empty() {
                return Err(AppError::invalid(
                    "Say what to change: a comment is required when sending an item back.",
                ));
            }
            self.transition(&Actor::of(user), &head, Step::SendBack, comment)
                .await?;
        }
        self.bank_item(user, item_id).await
    }

    pub(in crate::services) async fn retire_one(
        &self,
        actor: &Actor,
        item_id: &str,
    ) -> Result<(), AppError> {
        let head = self.head(item_id).await?;
        self.transition(actor, &head, Step::Retire, "").await
    }

    /// One step in the item's life as the pages ask for it.
    pub async fn bank_step(
        &self,
        user: &UserInfo,
        item_id: &str,
        step: ItemStep,
    ) -> Result<ItemDoc, AppError> {
        match step {
            ItemStep::Submit => self.bank_submit(user, item_id).await,
            ItemStep::Retire => self.bank_retire(user, item_id).await,
            ItemStep::Review(review) => self.bank_review(user, item_id, review).await,
        }
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

    pub(in crate::services) async fn tag_one(
        &self,
        actor: &Actor,
        item_id: &str,
        tag: &str,
    ) -> Result<(), AppError> {
        let head = self.head(item_id).await?;
        let (mut item, row) = self.version_item(item_id, head.head_version).await?;
        if item.meta.tags.iter().any(|t| t == tag) {
            return Ok(());
        }
        item.meta.tags.push(tag.to_string());
        let now = self.now();
        // Tags do not change what candidates see or how they are scored: the version keeps its
        // number and status.
        let status =
            |s: &str| ItemStatus::parse(s).ok_or_else(|| internal(format!("bad item status {s}")));
        let mut new_row = item_to_row(
            &item,
            status(&row.status)?,
            row.author_id.as_deref(),
            row.created_at,
        )
        .map_err(internal)?;
        new_row.updated_at = now;
        let mut new_head = head_for(
            &item,
            status(&head.status)?,
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
}
