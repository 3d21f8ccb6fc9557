//! Stage five: the commission's interviews, scores and decision.

use super::*;

impl Services {
    pub(super) async fn commission_seat(
        &self,
        user: &UserInfo,
        campaign_id: &str,
    ) -> Result<PanelRow, AppError> {
        if user.role != Role::Commission {
            return Err(AppError::forbidden());
        }
        self.store()
            .panels_of(&user.id)
            .await?
            .into_iter()
            .find(|p| p.campaign_id == campaign_id && p.panel == "commission")
            .ok_or_else(AppError::forbidden)
    }

    /// Candidates before the calling commission member's commissions.
    pub async fn interview_list(
        &self,
        user: &UserInfo,
    ) -> Result<Vec<InterviewCandidate>, AppError> {
        if user.role != Role::Commission {
            return Err(AppError::forbidden());
        }
        let mut out = Vec::new();
        for seat in self.store().panels_of(&user.id).await? {
            if seat.panel != "commission" {
                continue;
            }
            for f in self.store().stage_field(&seat.campaign_id, 4).await? {
                if f.status != "passed" {
                    continue;
                }
                let Some(app) = self.store().application(&f.application_id).await? else {
                    continue;
                };
                let scores = self.store().interviews(&app.id).await?;
                let mine = scores.iter().find(|s| s.member_id == user.id);
                let decision = self
                    .store()
                    .outcome(&app.id, 5)
                    .await?
                    .map(|o| stage_status(&o.status))
                    .filter(|s| *s != StageStatus::Pending);
                out.push(InterviewCandidate {
                    application_id: app.id.clone(),
                    campaign_id: app.campaign_id.clone(),
                    full_name: app.full_name.clone(),
                    region: app.region.clone(),
                    school: app.school.clone(),
                    assessment_percent: f.score,
                    my_score: mine.map(|s| s.score),
                    my_vote: mine.map(|s| s.vote.clone()),
                    scores: u32::try_from(scores.len()).unwrap_or(0),
                    votes_for: u32::try_from(scores.iter().filter(|s| s.vote == "for").count())
                        .unwrap_or(0),
                    votes_against: u32::try_from(
                        scores.iter().filter(|s| s.vote == "against").count(),
                    )
                    .unwrap_or(0),
                    decision,
                    chair: seat.chair != 0,
                });
            }
        }
        out.sort_by(|a, b| a.full_name.cmp(&b.full_name));
        Ok(out)
    }

    pub(super) async fn interview_candidate(
        &self,
        user: &UserInfo,
        application_id: &str,
    ) -> Result<(ApplicationRow, PanelRow), AppError> {
        if user.role != Role::Commission {
            return Err(AppError::forbidden());
        }
        let app = self
            .store()
            .application(application_id)
            .await?
            .ok_or_else(|| AppError::not_found("The application"))?;
        let seat = self.commission_seat(user, &app.campaign_id).await?;
        let outcomes = self.store().outcomes(&app.id).await?;
        if let Some(refusal) = Self::entry_refusal(&outcomes, 5) {
            return Err(conflict(refusal));
        }
        if outcomes
            .iter()
            .any(|o| o.stage == 5 && o.status != "pending")
        {
            return Err(conflict(
                "The commission has decided on this candidate already.",
            ));
        }
        Ok((app, seat))
    }

    /// A commission member records their score and vote (until the chair decides).
    pub async fn interview_score(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: InterviewInput,
    ) -> Result<InterviewScoreView, AppError> {
        let (app, _) = self.interview_candidate(user, application_id).await?;
        if !(0.0..=100.0).contains(&input.score) {
            return Err(AppError::invalid(format!(
                "The score is 0-100, not {}.",
                input.score
            )));
        }
        if input.vote != "for" && input.vote != "against" {
            return Err(AppError::invalid("The vote is `for` or `against`."));
        }
        let row = InterviewRow {
            application_id: app.id.clone(),
            member_id: user.id.clone(),
            score: input.score,
            vote: input.vote.clone(),
            comment: input.comment.trim().chars().take(5000).collect(),
            at: self.now(),
        };
        self.store().upsert_interview(&row).await?;
        Ok(InterviewScoreView {
            member: user.full_name.clone(),
            score: row.score,
            vote: row.vote,
            comment: row.comment,
            at_ms: row.at,
        })
    }

    /// The chair records the commission's decision and the minutes.
    pub async fn interview_decide(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: DecisionInput,
    ) -> Result<ApplicationView, AppError> {
        let (app, seat) = self.interview_candidate(user, application_id).await?;
        if seat.chair == 0 {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "Only the chair records the commission's decision.",
            ));
        }
        let minutes = input.minutes.trim();
        if minutes.is_empty() {
            return Err(AppError::invalid("The decision needs the minutes."));
        }
        let members = self.store().panel(&app.campaign_id, "commission").await?;
        let scores = self.store().interviews(&app.id).await?;
        let missing: Vec<&str> = members
            .iter()
            .filter(|m| !scores.iter().any(|s| s.member_id == m.user_id))
            .map(|m| m.full_name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(conflict(format!(
                "Every member records a score and a vote first; missing: {}.",
                missing.join(", ")
            )));
        }
        let mean = scores.iter().map(|s| s.score).sum::<f64>() / scores.len().max(1) as f64;
        let mean = (mean * 100.0).round() / 100.0;
        let votes_for = scores.iter().filter(|s| s.vote == "for").count();
        let status = if input.passed {
            StageStatus::Passed
        } else {
            StageStatus::Failed
        };
        self.write_stage(
            &app,
            5,
            Entry {
                status,
                score: Some(mean),
                detail: serde_json::json!({
                    "mean_score": mean,
                    "votes_for": votes_for,
                    "votes_against": scores.len() - votes_for,
                    "minutes": minutes,
                    "chair": user.full_name,
                }),
                reason: "the commission's decision (recorded by the chair)".into(),
            },
            &user.full_name,
        )
        .await?;
        self.application_view(&app).await
    }
}
