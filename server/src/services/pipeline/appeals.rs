//! Appeals: filed by candidates, the evidence for staff, the decision.

use super::*;

impl Services {
    /// The candidate appeals a stage result within the campaign's appeal period.
    pub async fn file_appeal(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: AppealInput,
    ) -> Result<AppealView, AppError> {
        let app = self.visible_application(user, application_id).await?;
        if app.user_id.as_deref() != Some(user.id.as_str()) {
            return Err(AppError::forbidden());
        }
        parse_stage(input.stage)?;
        let reason = input.reason.trim();
        if reason.is_empty() || reason.chars().count() > 5000 {
            return Err(AppError::invalid(
                "Say why you appeal (at most 5,000 letters).",
            ));
        }
        let campaign = self.campaign_row(&app.campaign_id).await?;
        let settings = Self::campaign_settings(&campaign);
        let outcome = self
            .store()
            .outcome(&app.id, i64::from(input.stage))
            .await?
            .filter(|o| o.status != "pending")
            .ok_or_else(|| conflict("This stage has no result to appeal yet."))?;
        let until = outcome.recorded_at + i64::from(settings.appeal_days) * DAY_MS;
        if self.now() > until {
            return Err(conflict(format!(
                "The appeal period ({} days after the result) is over.",
                settings.appeal_days
            )));
        }
        if self
            .store()
            .appeals_of(&app.id)
            .await?
            .iter()
            .any(|a| a.stage == i64::from(input.stage) && a.status == "open")
        {
            return Err(conflict("You have an open appeal for this stage already."));
        }
        let row = AppealRow {
            id: uuid::Uuid::new_v4().to_string(),
            application_id: app.id.clone(),
            stage: i64::from(input.stage),
            reason: reason.into(),
            status: "open".into(),
            filed_at: self.now(),
            decision: String::new(),
            decided_by: None,
            decided_at: None,
        };
        self.store().insert_appeal(&row).await?;
        Ok(Self::appeal_view(&row, &app.full_name))
    }

    pub async fn appeals(
        &self,
        user: &UserInfo,
        campaign_id: &str,
    ) -> Result<Vec<AppealView>, AppError> {
        require_admin(user)?;
        self.campaign_row(campaign_id).await?;
        let mut out = Vec::new();
        for a in self.store().campaign_appeals(campaign_id).await? {
            let name = self
                .store()
                .application(&a.application_id)
                .await?
                .map(|x| x.full_name)
                .unwrap_or_default();
            out.push(Self::appeal_view(&a, &name));
        }
        Ok(out)
    }

    /// Everything behind the appealed result, in one place (staff).
    pub async fn appeal_evidence(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<AppealEvidence, AppError> {
        require_admin(user)?;
        let appeal = self
            .store()
            .appeal(id)
            .await?
            .ok_or_else(|| AppError::not_found("The appeal"))?;
        let app = self
            .store()
            .application(&appeal.application_id)
            .await?
            .ok_or_else(|| internal("an appeal has no application"))?;
        let log = self
            .store()
            .stage_log(&app.id)
            .await?
            .into_iter()
            .filter(|l| l.stage == appeal.stage)
            .map(log_view)
            .collect();
        let mut evidence = AppealEvidence {
            appeal: Self::appeal_view(&appeal, &app.full_name),
            application: self.application_view(&app).await?,
            log,
            score: None,
            answers: Vec::new(),
            events: Vec::new(),
            marks: Vec::new(),
            interviews: Vec::new(),
        };
        let outcome = self.store().outcome(&app.id, appeal.stage).await?;
        let detail: serde_json::Value = outcome
            .as_ref()
            .and_then(|o| serde_json::from_str(&o.detail).ok())
            .unwrap_or(serde_json::Value::Null);
        match appeal.stage {
            1 => {
                if let Some(attempt_id) = detail.get("attempt_id").and_then(|v| v.as_str())
                    && let Some(attempt) = self.store().attempt(attempt_id).await?
                {
                    let report: Option<ScoreReport> = attempt
                        .score
                        .as_deref()
                        .and_then(|s| serde_json::from_str(s).ok());
                    let form: question_bank::Form =
                        serde_json::from_str(&attempt.form).map_err(internal)?;
                    let responses: HashMap<String, ResponseRow> = self
                        .store()
                        .responses(attempt_id)
                        .await?
                        .into_iter()
                        .map(|r| (r.item_id.clone(), r))
                        .collect();
                    for (i, e) in form.entries.iter().enumerate() {
                        let answer = responses
                            .get(e.item_id.as_str())
                            .and_then(crate::services::stored_answer)
                            .and_then(|a| serde_json::to_value(a).ok())
                            .unwrap_or(serde_json::Value::Null);
                        evidence.answers.push(EvidenceAnswer {
                            item_id: e.item_id.to_string(),
                            version: i64::from(e.version),
                            competency: e.competency.clone(),
                            answer,
                            credit: report.as_ref().and_then(|r| r.credits.get(i).copied()),
                        });
                    }
                    evidence.score = attempt
                        .score
                        .as_deref()
                        .and_then(|s| serde_json::from_str(s).ok());
                    evidence.events = self
                        .store()
                        .events(attempt_id)
                        .await?
                        .iter()
                        .map(event_view)
                        .collect();
                }
            }
            4 => {
                let mut marks = self.store().marks(&app.id).await?;
                marks.sort_by_key(|m| m.round);
                evidence.marks = marks
                    .iter()
                    .map(|m| MarkView {
                        marker: match m.round {
                            1 => "marker 1".into(),
                            2 => "marker 2".into(),
                            _ => "third marker".into(),
                        },
                        round: u8::try_from(m.round).unwrap_or(0),
                        points: m.points,
                        levels: m
                            .levels
                            .as_deref()
                            .and_then(|l| serde_json::from_str(l).ok())
                            .unwrap_or_default(),
                        comment: m.comment.clone(),
                        marked_ms: m.marked_at,
                    })
                    .collect();
            }
            5 => {
                let members = self.store().panel(&app.campaign_id, "commission").await?;
                evidence.interviews = self
                    .store()
                    .interviews(&app.id)
                    .await?
                    .into_iter()
                    .map(|s| InterviewScoreView {
                        member: members
                            .iter()
                            .find(|m| m.user_id == s.member_id)
                            .map_or_else(|| s.member_id.clone(), |m| m.full_name.clone()),
                        score: s.score,
                        vote: s.vote,
                        comment: s.comment,
                        at_ms: s.at,
                    })
                    .collect();
            }
            _ => {}
        }
        Ok(evidence)
    }

    /// Staff decide an appeal; an upheld one changes the result through [`Self::write_stage`].
    pub async fn decide_appeal(
        &self,
        user: &UserInfo,
        id: &str,
        input: AppealDecision,
    ) -> Result<AppealView, AppError> {
        require_admin(user)?;
        let appeal = self
            .store()
            .appeal(id)
            .await?
            .ok_or_else(|| AppError::not_found("The appeal"))?;
        if appeal.status != "open" {
            return Err(conflict("This appeal has been decided already."));
        }
        let decision = input.decision.trim();
        if decision.is_empty() {
            return Err(AppError::invalid("Give the reasons for the decision."));
        }
        let app = self
            .store()
            .application(&appeal.application_id)
            .await?
            .ok_or_else(|| internal("an appeal has no application"))?;
        let stage = u8::try_from(appeal.stage).unwrap_or(0);
        if input.upheld {
            let status = input
                .status
                .filter(|s| *s != StageStatus::Pending)
                .ok_or_else(|| {
                    AppError::invalid(
                        "An upheld appeal gives the corrected result (passed or failed).",
                    )
                })?;
            if let Some(s) = input.score
                && !(0.0..=100.0).contains(&s)
            {
                return Err(AppError::invalid(format!("The score is 0-100, not {s}.")));
            }
            let current = self.store().outcome(&app.id, appeal.stage).await?;
            let detail = current
                .as_ref()
                .and_then(|o| serde_json::from_str(&o.detail).ok())
                .unwrap_or_else(|| serde_json::json!({}));
            let score = input.score.or_else(|| current.and_then(|o| o.score));
            self.write_stage(
                &app,
                stage,
                Entry {
                    status,
                    score,
                    detail,
                    reason: format!("appeal upheld: {decision}"),
                },
                &user.full_name,
            )
            .await?;
        }
        let decided = AppealRow {
            status: if input.upheld { "upheld" } else { "rejected" }.into(),
            decision: decision.into(),
            decided_by: Some(user.full_name.clone()),
            decided_at: Some(self.now()),
            ..appeal
        };
        if !self.store().decide_appeal(&decided).await? {
            return Err(conflict("This appeal has been decided already."));
        }
        Ok(Self::appeal_view(&decided, &app.full_name))
    }
}
