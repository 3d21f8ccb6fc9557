//! Attempts: whose an attempt is, which device holds it, its state and its time.

use super::*;

pub mod save;
pub mod start;
pub mod submit;
pub mod view;

impl Services {
    /// The attempt, if `user` may see it: its owner, or staff.
    /// The caller's own attempt: only the applicant who holds it acts on it (staff read it
    /// through [`Services::owned_attempt`]).
    pub(in crate::services) async fn own_attempt(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<AttemptRow, AppError> {
        let row = self
            .store
            .attempt(id)
            .await?
            .ok_or_else(|| AppError::not_found("The attempt"))?;
        if row.user_id != user.id {
            return Err(AppError::forbidden());
        }
        Ok(row)
    }

    /// The caller's own attempt, still running.
    pub(in crate::services) async fn own_running_attempt(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<AttemptRow, AppError> {
        let row = self.own_attempt(user, id).await?;
        if row.status != AttemptStatus::InProgress.as_str() {
            return Err(AppError::new(
                ErrorCode::AttemptClosed,
                "The attempt is closed.",
            ));
        }
        Ok(row)
    }

    pub(in crate::services) async fn owned_attempt(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<AttemptRow, AppError> {
        let attempt = self
            .store
            .attempt(id)
            .await?
            .ok_or_else(|| AppError::not_found("The attempt"))?;
        let staff = matches!(user.role, Role::Admin | Role::Proctor);
        if attempt.user_id != user.id && !staff {
            return Err(AppError::forbidden());
        }
        if attempt.user_id != user.id
            && let Some(s) = &attempt.sitting_id
        {
            self.watched_sitting(user, s).await?;
        }
        Ok(attempt)
    }

    /// The owner opening an in-progress attempt makes this sign-in its one active device; the
    /// device that held it before is refused from then on (and told so on its next save).
    pub(in crate::services) async fn claim(
        &self,
        user: &UserInfo,
        row: &AttemptRow,
    ) -> Result<(), AppError> {
        if row.user_id != user.id || row.status != AttemptStatus::InProgress.as_str() {
            return Ok(());
        }
        if row.device.as_deref() == Some(user.session.as_str()) {
            return Ok(());
        }
        if let Claim::TookOver { from } = self
            .store
            .claim_device(&row.id, &user.session, self.now())
            .await?
        {
            tracing::info!(attempt = %row.id, from = %from, "the attempt moved to another device");
            if let Some(s) = &row.sitting_id {
                self.hub.publish(crate::live::Live::Touch {
                    sitting: s.clone(),
                    user: row.user_id.clone(),
                });
            }
        }
        Ok(())
    }

    pub(in crate::services) fn status(row: &AttemptRow) -> Result<AttemptStatus, AppError> {
        if row.termination.is_some() {
            return Ok(AttemptStatus::Terminated);
        }
        AttemptStatus::parse(&row.status)
            .ok_or_else(|| internal(format!("bad status {}", row.status)))
    }

    /// Closes the attempt if its deadline plus grace has passed; returns the fresh row.
    pub(in crate::services) async fn expire_if_due(
        &self,
        row: AttemptRow,
    ) -> Result<AttemptRow, AppError> {
        if row.status == AttemptStatus::InProgress.as_str()
            && row.paused_at.is_none()
            && self.now() > row.deadline + self.settings.grace_ms
        {
            self.close_and_score(&row.id, AttemptStatus::Expired)
                .await?;
            return self
                .store
                .attempt(&row.id)
                .await?
                .ok_or_else(|| AppError::not_found("The attempt"));
        }
        Ok(row)
    }
}
