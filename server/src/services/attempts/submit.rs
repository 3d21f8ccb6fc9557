//! Closing attempts: submitted or out of time (the sweep), and scored.

use super::*;

impl Services {
    /// Closes an in-progress attempt and scores it. Scoring an attempt closed by someone else
    /// meanwhile is harmless: the score is a function of the stored responses.
    pub async fn close_and_score(&self, id: &str, status: AttemptStatus) -> Result<(), AppError> {
        let now = self.now();
        if self.store.close_attempt(id, status.as_str(), now).await?
            && let Some(row) = self.store.attempt(id).await?
        {
            self.record(&row, "system", status.as_str(), serde_json::json!({}), "")
                .await?;
            if let Some(s) = &row.sitting_id {
                self.hub.publish(crate::live::Live::Touch {
                    sitting: s.clone(),
                    user: row.user_id.clone(),
                });
            }
        }
        self.score_attempt(id).await?;
        Ok(())
    }

    pub async fn sweep(&self) -> Result<usize, AppError> {
        let mut done = 0;
        for id in self.store.unscored_attempts().await? {
            self.score_attempt(&id).await?;
            done += 1;
        }
        for id in self
            .store
            .overdue_attempts(self.now() - self.settings.grace_ms)
            .await?
        {
            // An attempt cut off by a sitting-wide outage waits for its applicant to come
            // back and be credited (or for a while after the outage ends).
            if self.outage_holds(&id).await? {
                continue;
            }
            self.close_and_score(&id, AttemptStatus::Expired).await?;
            done += 1;
        }
        Ok(done)
    }
    #[tracing::instrument(name = "submit attempt", skip(self, user), fields(user = %user.id))]
    pub(crate) async fn submit(
        &self,
        user: &UserInfo,
        attempt_id: &str,
    ) -> Result<ResultView, AppError> {
        let row = self.owned_attempt(user, attempt_id).await?;
        if row.user_id != user.id {
            return Err(AppError::forbidden());
        }
        if row.status == AttemptStatus::InProgress.as_str() {
            if row
                .device
                .as_deref()
                .is_some_and(|d| d != user.session.as_str())
            {
                return Err(superseded());
            }
            let status = if self.now() > row.deadline + self.settings.grace_ms {
                AttemptStatus::Expired
            } else {
                AttemptStatus::Submitted
            };
            self.close_and_score(&row.id, status).await?;
        }
        let row = self
            .store
            .attempt(attempt_id)
            .await?
            .ok_or_else(|| AppError::not_found("The attempt"))?;
        self.result_view(&row).await
    }
}
