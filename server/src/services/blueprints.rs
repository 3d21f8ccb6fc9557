//! Blueprints for methodologists (list, edit, check against the bank, activate), fair form
//! drawing for the command line, key corrections and re-scoring.
//!
//! A key correction changes the key of an item version that applicants have already been
//! given; every closed attempt holding that version is scored again, each changed score is
//! recorded (`score_changes`) and the pass/fail flips are listed for staff.

use crate::services::bank::Actor;
use crate::services::{Services, internal};
use crate::store::{AuditRow, BankWrite, BlueprintRow, KeyCorrectionRow, ScoreChangeRow};
use app::error::{AppError, ErrorCode};
use app::model::*;
use question_bank::{Assembler, Blueprint, Language, ScoreReport};
use serde::Serialize;

/// One drawn form, as `qabilet assemble` prints it.
#[derive(Debug, Serialize)]
pub struct DrawnForm {
    pub seed: u64,
    pub expected_percent: f64,
    pub items: Vec<String>,
}

/// What `qabilet assemble` prints.
#[derive(Debug, Serialize)]
pub struct Assembly {
    pub blueprint: String,
    pub language: String,
    pub pool_size: usize,
    pub forms: Vec<DrawnForm>,
    pub fairness: question_bank::Fairness,
}

fn doc(row: &BlueprintRow) -> Result<BlueprintDoc, AppError> {
    Ok(BlueprintDoc {
        blueprint: serde_json::from_str(&row.spec).map_err(internal)?,
        active: row.active != 0,
        updated_ms: row.updated_at,
        updated_by: row.updated_by.clone(),
    })
}

impl Services {
    pub async fn blueprint_list(&self, user: &UserInfo) -> Result<Vec<BlueprintSummary>, AppError> {
        Services::require_bank(user)?;
        let mut out = Vec::new();
        for row in self.store().blueprints().await? {
            let bp: Blueprint = serde_json::from_str(&row.spec).map_err(internal)?;
            out.push(BlueprintSummary {
                item_count: bp.item_count(),
                time_limit_minutes: bp.time_limit_minutes,
                pass_percent: bp.pass_percent,
                id: bp.id,
                name: bp.name,
                active: row.active != 0,
                practice: bp.practice,
                updated_ms: row.updated_at,
                updated_by: row.updated_by,
            });
        }
        Ok(out)
    }

    pub async fn blueprint_get(&self, user: &UserInfo, id: &str) -> Result<BlueprintDoc, AppError> {
        Services::require_bank(user)?;
        let row = self
            .store()
            .blueprint(id)
            .await?
            .ok_or_else(|| AppError::not_found("The blueprint"))?;
        doc(&row)
    }

    /// Creates or replaces a blueprint. Forms already drawn keep their items; the pass rule
    /// and weights apply to every later scoring (re-score to apply them to closed attempts).
    pub async fn blueprint_save(
        &self,
        user: &UserInfo,
        bp: Blueprint,
    ) -> Result<BlueprintDoc, AppError> {
        Services::require_bank(user)?;
        bp.validate()
            .map_err(|e| AppError::invalid(format!("The blueprint is not valid: {e}.")))?;
        let known: Vec<String> = self
            .store()
            .competencies()
            .await?
            .into_iter()
            .map(|c| c.code)
            .collect();
        if let Some(s) = bp.sections.iter().find(|s| !known.contains(&s.competency)) {
            return Err(AppError::invalid(format!(
                "The blueprint is not valid: there is no competency {:?}.",
                s.competency
            )));
        }
        let now = self.now();
        let existing = self.store().blueprint(&bp.id).await?;
        let row = BlueprintRow {
            id: bp.id.clone(),
            spec: serde_json::to_string(&bp).map_err(internal)?,
            active: existing.as_ref().map_or(0, |r| r.active),
            created_at: existing.as_ref().map_or(now, |r| r.created_at),
            updated_at: now,
            updated_by: user.full_name.clone(),
        };
        self.store().upsert_blueprint(&row).await?;
        tracing::info!(blueprint = %bp.id, by = %user.email, "blueprint saved");
        doc(&row)
    }

    pub async fn blueprint_activate(
        &self,
        user: &UserInfo,
        id: &str,
        active: bool,
    ) -> Result<BlueprintDoc, AppError> {
        Services::require_bank(user)?;
        let row = self
            .store()
            .blueprint(id)
            .await?
            .ok_or_else(|| AppError::not_found("The blueprint"))?;
        if active {
            let bp: Blueprint = serde_json::from_str(&row.spec).map_err(internal)?;
            for lang in bp.offered_languages() {
                let pool = self.pool_in(Some(lang), true).await?;
                Assembler::new(&bp, &pool).map_err(|e| {
                    AppError::new(
                        ErrorCode::Conflict,
                        format!(
                            "The blueprint cannot be activated: in {}, {e}.",
                            lang.code()
                        ),
                    )
                })?;
            }
            self.store().activate_blueprint(Some(id)).await?;
        } else if row.active != 0 {
            self.store().activate_blueprint(None).await?;
        }
        tracing::info!(blueprint = %id, active, by = %user.email, "blueprint activation");
        self.blueprint_get(user, id).await
    }

    /// Checks a blueprint against the published bank: which cells are short, and the
    /// fairness of `forms` forms drawn from it.
    pub async fn blueprint_check(
        &self,
        user: &UserInfo,
        input: CheckInput,
    ) -> Result<CheckReport, AppError> {
        Services::require_bank(user)?;
        let bp = input.blueprint;
        let lang = match input.language.as_deref() {
            Some(l) => l
                .parse::<Language>()
                .map_err(|e| AppError::invalid(e.to_string()))?,
            None => bp.offered_languages()[0],
        };
        let mut report = CheckReport {
            ok: false,
            error: None,
            shortages: vec![],
            fairness: None,
            language: lang.code().into(),
            pool_size: 0,
        };
        if let Err(e) = bp.validate() {
            report.error = Some(format!("The blueprint is not valid: {e}."));
            return Ok(report);
        }
        let forms = input.forms.unwrap_or(1_000).clamp(1, 10_000) as usize;
        let pool = self.pool_in(Some(lang), true).await?;
        report.pool_size = pool.len();
        // Drawing thousands of forms is CPU work: keep it off the async workers.
        let outcome = tokio::task::spawn_blocking(move || {
            Assembler::new(&bp, &pool)
                .and_then(|mut a| a.forms(forms, 1))
                .map(|(_, fairness)| fairness)
        })
        .await
        .map_err(internal)?;
        match outcome {
            Ok(fairness) => {
                report.ok = true;
                report.fairness = Some(fairness);
            }
            Err(question_bank::AssemblyError::Short(shortages)) => {
                report.error =
                    Some(question_bank::AssemblyError::Short(shortages.clone()).to_string());
                report.shortages = shortages;
            }
            Err(e) => report.error = Some(e.to_string()),
        }
        Ok(report)
    }

    /// Draws `count` forms of a stored blueprint from seed `seed`, for the command line.
    pub async fn assemble(
        &self,
        blueprint_id: &str,
        count: usize,
        seed: u64,
        language: Option<Language>,
    ) -> Result<Assembly, AppError> {
        let bp = self.blueprint(blueprint_id).await?;
        let lang = language.unwrap_or(bp.offered_languages()[0]);
        let pool = self.pool_in(Some(lang), true).await?;
        let pool_size = pool.len();
        let bp_id = bp.id.clone();
        let (forms, fairness) = tokio::task::spawn_blocking(move || {
            let mut asm = Assembler::new(&bp, &pool)?;
            asm.forms(count, seed)
        })
        .await
        .map_err(internal)?
        .map_err(|e| AppError::new(ErrorCode::Conflict, e.to_string()))?;
        Ok(Assembly {
            blueprint: bp_id,
            language: lang.code().into(),
            pool_size,
            forms: forms
                .into_iter()
                .map(|f| DrawnForm {
                    seed: f.seed,
                    expected_percent: f.expected_percent,
                    items: f
                        .entries
                        .into_iter()
                        .map(|e| e.item_id.to_string())
                        .collect(),
                })
                .collect(),
            fairness,
        })
    }

    /// Scores the given closed attempts again and records every score that changed.
    pub(crate) async fn rescore(
        &self,
        attempt_ids: &[String],
        cause: &str,
    ) -> Result<RescoreReport, AppError> {
        let mut changes = Vec::new();
        for id in attempt_ids {
            let Some(row) = self.store().attempt(id).await? else {
                continue;
            };
            let old: Option<ScoreReport> = row
                .score
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok());
            let new = self
                .score_attempt_as(id, &format!("system:rescore ({cause})"))
                .await?;
            let (old_percent, old_passed) = old.map_or((0.0, false), |o| (o.percent, o.passed));
            if old_percent == new.percent && old_passed == new.passed {
                continue;
            }
            let change = ScoreChangeRow {
                id: 0,
                cause: cause.into(),
                attempt_id: id.clone(),
                user_id: row.user_id.clone(),
                blueprint_id: row.blueprint_id.clone(),
                old_percent,
                new_percent: new.percent,
                old_passed: i64::from(old_passed),
                new_passed: i64::from(new.passed),
                at: self.now(),
            };
            self.store().add_score_change(&change).await?;
            changes.push(self.change_view(change).await?);
        }
        Ok(RescoreReport {
            correction_id: None,
            attempts_rescored: u32::try_from(attempt_ids.len()).unwrap_or(u32::MAX),
            changes,
        })
    }

    async fn change_view(&self, c: ScoreChangeRow) -> Result<ScoreChangeView, AppError> {
        let user = self.store().user_by_id(&c.user_id).await?;
        Ok(ScoreChangeView {
            attempt_id: c.attempt_id,
            applicant_email: user.as_ref().map(|u| u.email.clone()).unwrap_or_default(),
            applicant_name: user.map(|u| u.full_name).unwrap_or_default(),
            blueprint_id: c.blueprint_id,
            old_percent: c.old_percent,
            new_percent: c.new_percent,
            old_passed: c.old_passed != 0,
            new_passed: c.new_passed != 0,
            cause: c.cause,
            at_ms: c.at,
        })
    }

    /// Re-scores every closed attempt of a blueprint (after its pass rule or weights changed).
    pub async fn rescore_blueprint(
        &self,
        actor: &Actor,
        blueprint_id: &str,
    ) -> Result<RescoreReport, AppError> {
        self.blueprint(blueprint_id).await?;
        let ids = self.store().closed_attempts(blueprint_id).await?;
        tracing::info!(blueprint = %blueprint_id, attempts = ids.len(), by = %actor.name, "re-scoring");
        self.rescore(&ids, &format!("rescore by {}", actor.name))
            .await
    }

    pub async fn blueprint_rescore(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<RescoreReport, AppError> {
        Services::require_bank(user)?;
        self.rescore_blueprint(&Actor::of(user), id).await
    }

    pub async fn score_changes(
        &self,
        user: &UserInfo,
        blueprint_id: Option<&str>,
    ) -> Result<Vec<ScoreChangeView>, AppError> {
        Services::require_bank(user)?;
        let mut out = Vec::new();
        for c in self.store().score_changes(blueprint_id).await? {
            out.push(self.change_view(c).await?);
        }
        Ok(out)
    }

    /// How many attempts a key correction of this item version would re-score: the count the
    /// confirmation names before anything changes.
    pub async fn correction_reach(
        &self,
        user: &UserInfo,
        item_id: &str,
        version: i64,
    ) -> Result<u32, AppError> {
        Services::require_bank(user)?;
        self.store()
            .item_version(item_id, version)
            .await?
            .ok_or_else(|| AppError::not_found("The item version"))?;
        let attempts = self.store().attempts_with_item(item_id, version).await?;
        Ok(u32::try_from(attempts.len()).unwrap_or(u32::MAX))
    }

    /// Corrects the key of an item version applicants were given, and re-scores their
    /// closed attempts.
    pub async fn correct_key(
        &self,
        user: &UserInfo,
        item_id: &str,
        version: i64,
        input: KeyCorrectionInput,
    ) -> Result<RescoreReport, AppError> {
        Services::require_bank(user)?;
        let reason = input.reason.trim();
        if reason.is_empty() || reason.chars().count() > 2000 {
            return Err(AppError::invalid(
                "Give the reason for the correction (1-2000 characters).",
            ));
        }
        let row = self
            .store()
            .item_version(item_id, version)
            .await?
            .ok_or_else(|| AppError::not_found("The item version"))?;
        if question_bank::ItemStatus::parse(&row.status)
            .is_some_and(question_bank::ItemStatus::editable_in_place)
        {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "This version was never published: edit it in the bank instead.",
            ));
        }
        let old = crate::services::item_from_row(&row).map_err(internal)?;
        let mut item = old.clone();
        if item.key == input.key {
            return Err(AppError::invalid("The new key is the same as the old one."));
        }
        item.key = input.key.clone();
        item.validate().map_err(|e| {
            AppError::invalid(format!("The corrected key does not fit the item: {e}."))
        })?;
        let now = self.now();
        let correction = KeyCorrectionRow {
            id: uuid::Uuid::new_v4().to_string(),
            item_id: item_id.into(),
            version,
            old_key: row.answer_key.clone(),
            new_key: serde_json::to_string(&input.key).map_err(internal)?,
            reason: reason.into(),
            corrected_by: user.full_name.clone(),
            corrected_at: now,
            rescored: 0,
        };
        self.store().correct_key(&correction).await?;
        self.write_bank(&BankWrite {
            audit: vec![AuditRow {
                id: 0,
                item_id: item_id.into(),
                version,
                at: now,
                actor_id: user.id.clone(),
                actor_name: user.full_name.clone(),
                action: "key_corrected".into(),
                comment: format!(
                    "{reason} (was {}, now {})",
                    question_bank::diff::describe_key(&old),
                    question_bank::diff::describe_key(&item)
                ),
            }],
            ..Default::default()
        })
        .await?;
        self.forget_item(item_id, version);
        let attempts = self.store().attempts_with_item(item_id, version).await?;
        let mut report = self.rescore(&attempts, &correction.id).await?;
        self.store()
            .set_correction_rescored(&correction.id, i64::try_from(attempts.len()).unwrap_or(0))
            .await?;
        tracing::warn!(
            item = %item_id, version, by = %user.email, attempts = attempts.len(),
            changed = report.changes.len(), "key corrected and attempts re-scored"
        );
        report.correction_id = Some(correction.id);
        Ok(report)
    }
}
