//! Heartbeats and integrity signals from the test page, and the incident report.

use super::*;

/// Integrity signals the browser may report.
pub const SIGNALS: [&str; 12] = [
    "tab_hidden",
    "tab_visible",
    "window_blur",
    "window_focus",
    "fullscreen_exit",
    "fullscreen_enter",
    "copy",
    "cut",
    "paste",
    "context_menu",
    "camera_stopped",
    "camera_started",
];

impl Services {
    /// A heartbeat with integrity signals from the applicant's page.
    pub async fn signals(
        &self,
        user: &UserInfo,
        attempt_id: &str,
        input: SignalsInput,
        ip: &str,
    ) -> Result<SignalsAck, AppError> {
        if input.events.len() > 50 {
            return Err(AppError::invalid("At most 50 signals at once."));
        }
        if let Some(bad) = input.events.iter().find(|e| !SIGNALS.contains(&e.as_str())) {
            return Err(AppError::invalid(format!(
                "Unknown signal {bad:?}: use one of {}.",
                SIGNALS.join(", ")
            )));
        }
        if input.probe.as_ref().is_some_and(|p| p.len() > 100) {
            return Err(AppError::invalid("probe may have at most 100 characters."));
        }
        let row = self.own_running_attempt(user, attempt_id).await?;
        if row.device.as_deref().is_some_and(|d| d != user.session) {
            return Err(AppError::new(
                ErrorCode::Superseded,
                "This test was opened on another device.",
            ));
        }
        if !input.raised_ms.is_empty() && input.raised_ms.len() != input.events.len() {
            return Err(AppError::invalid(
                "raised_ms gives one time per event, or is left out.",
            ));
        }
        let now = self.now();
        // When each signal was raised, as the page says, kept within the attempt's life.
        let raised: Vec<Option<i64>> = (0..input.events.len())
            .map(|i| {
                input
                    .raised_ms
                    .get(i)
                    // Not `clamp`: it panics if the start is after `now` (clocks apart).
                    .map(|t| (*t).max(row.started_at).min(now))
            })
            .collect();
        let before = self.store().heartbeat(attempt_id, now, ip).await?;
        let (mut credited, mut requested) = (0, 0);
        if let Some(beat) = before {
            // Heartbeats, saves and the start all show presence: an applicant who blocks the
            // heartbeat but keeps answering has no gap.
            let since = row
                .started_at
                .max(beat.last_seen.unwrap_or(0))
                .max(beat.last_save.unwrap_or(0));
            if row.paused_at.is_none() && now - since > self.gap_threshold() {
                let offline: Vec<(String, i64)> = input
                    .events
                    .iter()
                    .zip(&raised)
                    .filter_map(|(k, t)| t.map(|t| (k.clone(), t)))
                    .collect();
                (credited, requested) = self.gap_after_silence(&row, since, now, &offline).await?;
            }
            if let Some(prev) = beat.last_ip
                && prev != ip
            {
                self.record(
                    &row,
                    "integrity",
                    "ip_changed",
                    serde_json::json!({ "from": prev, "to": ip }),
                    "",
                )
                .await?;
            }
        }
        for (kind, raised) in input.events.iter().zip(&raised) {
            let mut detail = serde_json::json!({});
            if let Some(p) = &input.probe {
                detail["probe"] = serde_json::json!(p);
            }
            // A signal queued offline and delivered late says when it happened.
            if let Some(t) = raised
                && now - t > 5_000
            {
                detail["raised_ms"] = serde_json::json!(t);
            }
            self.record(&row, "integrity", kind, detail, "").await?;
        }
        if let Some(s) = &row.sitting_id {
            self.hub.publish(Live::Touch {
                sitting: s.clone(),
                user: row.user_id.clone(),
            });
        }
        let fresh = self
            .store()
            .attempt(attempt_id)
            .await?
            .ok_or_else(AppError::internal)?;
        Ok(SignalsAck {
            deadline_ms: fresh.deadline,
            paused: fresh.paused_at.is_some(),
            remaining_ms: fresh
                .paused_at
                .map_or(fresh.deadline - now, |p| fresh.deadline - p),
            server_now_ms: now,
            credited_ms: credited,
            requested_ms: requested,
        })
    }

    /// The sitting's events and interventions as CSV.
    pub async fn incidents_csv(&self, user: &UserInfo, id: &str) -> Result<String, AppError> {
        self.watched_sitting(user, id).await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "time_utc+5",
            "applicant",
            "email",
            "attempt",
            "category",
            "kind",
            "by",
            "detail",
        ])
        .map_err(internal)?;
        for e in self.store().sitting_events(id).await? {
            // Kazakhstan time (one zone, UTC+5, since March 2024), as staff read clocks.
            let at = app::model::format_time(e.at, 5 * 3_600_000, false);
            w.write_record([
                at.as_str(),
                e.full_name.as_str(),
                e.email.as_str(),
                e.attempt_id.as_str(),
                e.category.as_str(),
                e.kind.as_str(),
                e.actor.as_str(),
                e.detail.as_str(),
            ])
            .map_err(internal)?;
        }
        String::from_utf8(w.into_inner().map_err(internal)?).map_err(internal)
    }
}
