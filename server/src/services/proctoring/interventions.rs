//! What a proctor does: admit, warn, pause, add time, end, pause a sitting; notices to applicants.

use super::*;

impl Services {
    /// Tells the applicant's page, and the proctors, that the attempt changed.
    pub(crate) async fn notify(
        &self,
        attempt_id: &str,
        kind: &str,
        message: &str,
    ) -> Result<(), AppError> {
        let Some(row) = self.store().attempt(attempt_id).await? else {
            return Ok(());
        };
        let now = self.now();
        self.hub.publish(Live::Notice {
            attempt: row.id.clone(),
            notice: AttemptNotice {
                kind: kind.into(),
                message: message.into(),
                deadline_ms: row.deadline,
                paused: row.paused_at.is_some(),
                remaining_ms: row
                    .paused_at
                    .map_or(row.deadline - now, |p| row.deadline - p),
                server_now_ms: now,
            },
        });
        if let Some(s) = &row.sitting_id {
            self.hub.publish(Live::Touch {
                sitting: s.clone(),
                user: row.user_id.clone(),
            });
        }
        Ok(())
    }

    /// A proctor's action on one applicant of a sitting they watch.
    pub async fn intervene(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        applicant_id: &str,
        input: InterventionInput,
    ) -> Result<MonitorRow, AppError> {
        let sitting = self.watched_sitting(user, sitting_id).await?;
        self.store()
            .seat(sitting_id, applicant_id)
            .await?
            .ok_or_else(|| AppError::not_found("The applicant in this sitting"))?;
        let message = input.message.trim().to_string();
        if message.chars().count() > 1000 {
            return Err(AppError::invalid(
                "The message may have at most 1000 characters.",
            ));
        }
        let by = user.full_name.clone();
        let now = self.now();
        if input.action == "admit" {
            if self
                .store()
                .admit(sitting_id, applicant_id, &by, now)
                .await?
            {
                tracing::info!(sitting = %sitting_id, applicant = %applicant_id, by = %user.email, "admitted");
            }
            self.hub.publish(Live::Touch {
                sitting: sitting_id.into(),
                user: applicant_id.into(),
            });
            return self.one_row(&sitting, applicant_id).await;
        }
        if input.action == "refuse" {
            if message.is_empty() {
                return Err(AppError::invalid("Give the reason: the applicant sees it."));
            }
            if self
                .store()
                .attempt_for(applicant_id, &sitting.blueprint_id)
                .await?
                .is_some()
            {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    "The applicant has started: end the attempt instead.",
                ));
            }
            self.store()
                .refuse_seat(sitting_id, applicant_id, &message, &by)
                .await?;
            tracing::info!(sitting = %sitting_id, applicant = %applicant_id, by = %user.email, "identity not confirmed");
            self.hub.publish(Live::Touch {
                sitting: sitting_id.into(),
                user: applicant_id.into(),
            });
            return self.one_row(&sitting, applicant_id).await;
        }
        let attempt = self.sitting_attempt(&sitting, applicant_id).await?;
        if attempt.status != AttemptStatus::InProgress.as_str() {
            return Err(AppError::new(
                ErrorCode::AttemptClosed,
                "The attempt is closed already.",
            ));
        }
        let detail = |extra: serde_json::Value| {
            let mut d = serde_json::json!({ "action": input.action, "message": message });
            if let (Some(d), Some(e)) = (d.as_object_mut(), extra.as_object()) {
                d.extend(e.clone());
            }
            d
        };
        match input.action.as_str() {
            "warn" => {
                if message.is_empty() {
                    return Err(AppError::invalid(
                        "Write the warning to show the applicant.",
                    ));
                }
                self.record(
                    &attempt,
                    "intervention",
                    "warning",
                    detail(serde_json::json!({})),
                    &by,
                )
                .await?;
                self.notify(&attempt.id, "warning", &message).await?;
            }
            "pause" => {
                if !self.store().pause_attempt(&attempt.id, now).await? {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "The attempt is paused already.",
                    ));
                }
                self.record(
                    &attempt,
                    "intervention",
                    "paused",
                    detail(serde_json::json!({})),
                    &by,
                )
                .await?;
                self.notify(&attempt.id, "paused", &message).await?;
            }
            "resume" => {
                let Some(deadline) = self.store().resume_attempt(&attempt.id, now).await? else {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "The attempt is not paused.",
                    ));
                };
                let paused_ms = attempt.paused_at.map_or(0, |p| now - p);
                self.record(
                    &attempt,
                    "intervention",
                    "resumed",
                    detail(serde_json::json!({ "paused_ms": paused_ms, "deadline_ms": deadline })),
                    &by,
                )
                .await?;
                self.notify(&attempt.id, "resumed", &message).await?;
            }
            "add_time" => {
                let minutes = input
                    .minutes
                    .filter(|m| (1..=240).contains(m))
                    .ok_or_else(|| {
                        AppError::invalid("minutes must be between 1 and 240 to add time.")
                    })?;
                let ms = i64::from(minutes) * 60_000;
                self.store().extend_deadline(&attempt.id, ms).await?;
                self.record(
                    &attempt,
                    "intervention",
                    "time_added",
                    detail(serde_json::json!({ "minutes": minutes })),
                    &by,
                )
                .await?;
                self.notify(&attempt.id, "time_added", &message).await?;
            }
            "terminate" => {
                let code = match input.reason.as_deref().map(str::trim) {
                    None | Some("") => "other",
                    Some(c) if app::model::TERMINATION_REASONS.contains(&c) => c,
                    Some(c) => {
                        return Err(AppError::invalid(format!(
                            "Unknown reason {c:?}: one of {}.",
                            app::model::TERMINATION_REASONS.join(", ")
                        )));
                    }
                };
                if code == "other" && message.is_empty() {
                    return Err(AppError::invalid("Give the reason for ending the attempt."));
                }
                let termination = serde_json::json!({ "by": by, "reason": message, "code": code });
                if !self
                    .store()
                    .terminate_attempt(&attempt.id, now, &termination.to_string())
                    .await?
                {
                    return Err(AppError::new(
                        ErrorCode::AttemptClosed,
                        "The attempt is closed already.",
                    ));
                }
                self.record(
                    &attempt,
                    "intervention",
                    "terminated",
                    detail(serde_json::json!({})),
                    &by,
                )
                .await?;
                self.score_attempt(&attempt.id).await?;
                self.store()
                    .set_stage(&crate::store::StageRow {
                        user_id: attempt.user_id.clone(),
                        stage: 1,
                        status: StageStatus::Failed.as_str().into(),
                        attempt_id: Some(attempt.id.clone()),
                        recorded_by: format!("proctor {by}: terminated ({code}: {message})"),
                        recorded_at: now,
                    })
                    .await?;
                self.notify(&attempt.id, "terminated", &message).await?;
            }
            other => {
                return Err(AppError::invalid(format!(
                    "Unknown action {other:?}: use admit, warn, pause, resume, add_time or terminate."
                )));
            }
        }
        tracing::info!(sitting = %sitting_id, attempt = %attempt.id, action = %input.action, by = %user.email, "intervention");
        self.one_row(&sitting, applicant_id).await
    }

    /// The applicant's attempt taken in this sitting (409 if they have not started here).
    pub(crate) async fn sitting_attempt(
        &self,
        sitting: &SittingRow,
        applicant_id: &str,
    ) -> Result<AttemptRow, AppError> {
        self.store()
            .attempt_for(applicant_id, &sitting.blueprint_id)
            .await?
            .filter(|a| a.sitting_id.as_deref() == Some(sitting.id.as_str()))
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::Conflict,
                    "The applicant has not started the test.",
                )
            })
    }

    /// Pauses or resumes every running attempt of a sitting (a venue's power cut).
    pub async fn pause_sitting(
        &self,
        user: &UserInfo,
        id: &str,
        pause: bool,
        reason: &str,
    ) -> Result<SittingView, AppError> {
        let s = self.watched_sitting(user, id).await?;
        let action = if pause { "pause" } else { "resume" };
        let now = self.now();
        self.store()
            .set_sitting_paused(id, pause.then_some(now))
            .await?;
        for attempt_id in self.store().sitting_open_attempts(id).await? {
            let Some(row) = self.store().attempt(&attempt_id).await? else {
                continue;
            };
            let changed = if pause {
                self.store().pause_attempt(&attempt_id, now).await?
            } else {
                self.store()
                    .resume_attempt(&attempt_id, now)
                    .await?
                    .is_some()
            };
            if changed {
                let kind = if pause { "paused" } else { "resumed" };
                let detail = serde_json::json!({ "action": action, "message": reason, "whole_sitting": true,
                    "paused_ms": row.paused_at.map_or(0, |p| now - p) });
                self.record(&row, "intervention", kind, detail, &user.full_name)
                    .await?;
                self.notify(&attempt_id, kind, reason).await?;
            }
        }
        tracing::info!(sitting = %id, action, by = %user.email, "whole sitting");
        let s = self
            .store()
            .sitting(&s.id)
            .await?
            .ok_or_else(AppError::internal)?;
        self.view_of(&s).await
    }
}
