//! The proctor's live view: a row per applicant with its state.

use super::*;

/// The row status a proctor sees.
pub fn row_status(r: &MonitorDbRow, requires_admission: bool) -> &'static str {
    match (
        r.status.as_deref(),
        r.termination.is_some(),
        r.paused_at.is_some(),
    ) {
        (None, ..)
            if requires_admission && r.checked_in_at.is_some() && r.admitted_at.is_none() =>
        {
            "waiting"
        }
        (None, ..) => "not_started",
        (Some(_), true, _) => "terminated",
        (Some("in_progress"), _, true) => "paused",
        (Some("in_progress"), ..) => "in_progress",
        (Some("expired"), ..) => "expired",
        _ => "submitted",
    }
}

pub(super) fn monitor_row(r: MonitorDbRow, requires_admission: bool) -> MonitorRow {
    let status = row_status(&r, requires_admission).to_string();
    MonitorRow {
        remaining_ms: r.paused_at.zip(r.deadline).map(|(p, d)| (d - p).max(0)),
        status,
        user_id: r.user_id,
        full_name: r.full_name,
        email: r.email,
        attempt_id: r.attempt_id,
        answered: u32::try_from(r.answered).unwrap_or(0),
        total: u32::try_from(r.total).unwrap_or(0),
        deadline_ms: r.deadline,
        last_seen_ms: r.last_seen,
        integrity_events: u32::try_from(r.integrity).unwrap_or(0),
        admitted: r.admitted_at.is_some(),
    }
}

impl Services {
    pub async fn monitor(&self, user: &UserInfo, id: &str) -> Result<Vec<MonitorRow>, AppError> {
        let s = self.watched_sitting(user, id).await?;
        self.monitor_rows(&s, None).await
    }

    pub async fn monitor_rows(
        &self,
        s: &SittingRow,
        user_id: Option<&str>,
    ) -> Result<Vec<MonitorRow>, AppError> {
        Ok(self
            .store()
            .monitor_rows(&s.id, user_id)
            .await?
            .into_iter()
            .map(|r| monitor_row(r, s.requires_admission != 0))
            .collect())
    }
}
