//! Sittings and proctoring: staff schedule sittings and assign proctors and applicants;
//! applicants start within the window (after admission where required); their pages send
//! heartbeats and integrity signals; proctors watch a live feed and intervene (admit, warn,
//! pause and resume, add time, terminate), every action recorded with who and why. A lost
//! connection is a technical incident, never a violation: what the server can vouch for is
//! credited, the rest is put to the proctor (`integrity.rs`); integrity signals are evidence
//! for a person, never an automatic penalty.

use crate::live::Live;
use crate::services::event_view;
use crate::services::{Services, internal};
use crate::store::{AttemptRow, EventRow, MonitorDbRow, SittingRow};
use app::error::{AppError, ErrorCode};
use app::model::*;
use std::collections::HashSet;

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

/// How often the applicant's page sends a heartbeat.
pub const HEARTBEAT_MS: i64 = 15_000;

fn sitting_view(s: &SittingRow, proctors: Vec<String>, applicants: usize) -> SittingView {
    SittingView {
        id: s.id.clone(),
        name: s.name.clone(),
        blueprint_id: s.blueprint_id.clone(),
        region: s.region.clone(),
        mode: s.mode.clone(),
        venue: s.venue.clone(),
        opens_ms: s.opens_at,
        closes_ms: s.closes_at,
        requires_admission: s.requires_admission != 0,
        paused: s.paused_at.is_some(),
        proctors,
        applicants: u32::try_from(applicants).unwrap_or(u32::MAX),
        camera: s.camera != 0,
        snapshot_seconds: s.snapshot_seconds.and_then(|n| u32::try_from(n).ok()),
    }
}

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

fn monitor_row(r: MonitorDbRow, requires_admission: bool) -> MonitorRow {
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

/// Addresses from lines (or the first CSV column); a header `email` is skipped.
fn emails(text: &str) -> Vec<(u32, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(n, l)| {
            let first = l.split([',', ';', '\t']).next().unwrap_or("").trim();
            let first = first.trim_matches('"').trim().to_lowercase();
            (!first.is_empty() && first != "email").then(|| (n as u32 + 1, first))
        })
        .collect()
}

impl Services {
    fn require_staff(user: &UserInfo) -> Result<(), AppError> {
        if user.role == Role::Admin {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    /// The sitting, if `user` may watch it: an administrator, or a proctor assigned to it.
    pub async fn watched_sitting(&self, user: &UserInfo, id: &str) -> Result<SittingRow, AppError> {
        if !matches!(user.role, Role::Admin | Role::Proctor) {
            return Err(AppError::forbidden());
        }
        let s = self
            .store()
            .sitting(id)
            .await?
            .ok_or_else(|| AppError::not_found("The sitting"))?;
        if user.role == Role::Proctor
            && !self
                .store()
                .sitting_proctors(id)
                .await?
                .iter()
                .any(|p| p.id == user.id)
        {
            return Err(AppError::forbidden());
        }
        Ok(s)
    }

    async fn view_of(&self, s: &SittingRow) -> Result<SittingView, AppError> {
        let proctors = self
            .store()
            .sitting_proctors(&s.id)
            .await?
            .into_iter()
            .map(|u| u.email)
            .collect();
        let applicants = self.store().sitting_applicant_ids(&s.id).await?.len();
        Ok(sitting_view(s, proctors, applicants))
    }

    pub async fn create_sitting(
        &self,
        user: &UserInfo,
        input: SittingInput,
    ) -> Result<SittingView, AppError> {
        Self::require_staff(user)?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::invalid(
                "The sitting needs a name (1-200 characters).",
            ));
        }
        if input.region.trim().is_empty() {
            return Err(AppError::invalid("The sitting needs a region."));
        }
        if !matches!(input.mode.as_str(), "online" | "venue") {
            return Err(AppError::invalid("mode must be online or venue."));
        }
        if input.mode == "venue" && input.venue.trim().is_empty() {
            return Err(AppError::invalid(
                "A sitting at a venue needs the venue's name.",
            ));
        }
        if input.closes_ms <= input.opens_ms {
            return Err(AppError::invalid("The window must close after it opens."));
        }
        if let Some(n) = input.snapshot_seconds
            && (!input.camera || !(30..=3600).contains(&n))
        {
            return Err(AppError::invalid(
                "Snapshots need the camera, every 30 to 3600 seconds.",
            ));
        }
        self.blueprint(&input.blueprint_id).await?;
        if let Some(c) = &input.campaign_id
            && self.store().campaign(c).await?.is_none()
        {
            return Err(AppError::invalid(format!("There is no campaign {c:?}.")));
        }
        let row = SittingRow {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.into(),
            blueprint_id: input.blueprint_id,
            region: input.region.trim().into(),
            mode: input.mode,
            venue: input.venue.trim().into(),
            opens_at: input.opens_ms,
            closes_at: input.closes_ms,
            requires_admission: i64::from(input.requires_admission),
            paused_at: None,
            created_by: user.full_name.clone(),
            created_at: self.now(),
            camera: i64::from(input.camera),
            snapshot_seconds: input.snapshot_seconds.map(i64::from),
        };
        self.store().insert_sitting(&row).await?;
        if let Some(c) = &input.campaign_id {
            self.store().set_sitting_campaign(&row.id, Some(c)).await?;
        }
        tracing::info!(sitting = %row.id, by = %user.email, "sitting scheduled");
        self.view_of(&row).await
    }

    pub async fn list_sittings(&self, user: &UserInfo) -> Result<Vec<SittingView>, AppError> {
        let rows = match user.role {
            Role::Admin => self.store().sittings(None).await?,
            Role::Proctor => self.store().sittings(Some(&user.id)).await?,
            _ => return Err(AppError::forbidden()),
        };
        let mut out = Vec::with_capacity(rows.len());
        for s in &rows {
            out.push(self.view_of(s).await?);
        }
        Ok(out)
    }

    pub async fn get_sitting(&self, user: &UserInfo, id: &str) -> Result<SittingView, AppError> {
        let s = self.watched_sitting(user, id).await?;
        self.view_of(&s).await
    }

    /// Adds proctors or applicants by e-mail: every line must name an account of that role,
    /// or nothing is added.
    pub async fn assign(
        &self,
        user: &UserInfo,
        id: &str,
        role: Role,
        input: AssignInput,
    ) -> Result<AssignReport, AppError> {
        Self::require_staff(user)?;
        let sitting = self
            .store()
            .sitting(id)
            .await?
            .ok_or_else(|| AppError::not_found("The sitting"))?;
        let lines = emails(&input.text);
        if lines.is_empty() {
            return Err(AppError::invalid("Give at least one e-mail address."));
        }
        if lines.len() > 20_000 {
            return Err(AppError::invalid("At most 20,000 lines at once."));
        }
        let present: HashSet<String> = match role {
            Role::Proctor => self
                .store()
                .sitting_proctors(id)
                .await?
                .into_iter()
                .map(|u| u.id)
                .collect(),
            _ => self
                .store()
                .sitting_applicant_ids(id)
                .await?
                .into_iter()
                .collect(),
        };
        let mut report = AssignReport {
            added: vec![],
            already: vec![],
            errors: vec![],
            moved: vec![],
        };
        // Seats given up by applicants moved here: (sitting, applicant).
        let mut vacated = Vec::new();
        let mut ids = Vec::new();
        let mut seen = HashSet::new();
        for (line, email) in lines {
            if !seen.insert(email.clone()) {
                continue;
            }
            match self.store().user_by_email(&email).await? {
                None => report.errors.push(LineError {
                    line,
                    message: format!("{email}: no such account"),
                }),
                Some(u) if u.role != role.as_str() => report.errors.push(LineError {
                    line,
                    message: format!("{email} is a {}, not a {}", u.role, role.as_str()),
                }),
                Some(u) if present.contains(&u.id) => report.already.push(email),
                Some(u) => {
                    // One seat per test: an applicant who has not started moves here from
                    // another sitting; one who has started stays where they are.
                    if role == Role::Applicant
                        && let Some(other) =
                            self.store().seat_for(&u.id, &sitting.blueprint_id).await?
                        && other.sitting_id != id
                    {
                        if self
                            .store()
                            .attempt_for(&u.id, &sitting.blueprint_id)
                            .await?
                            .is_some()
                        {
                            report.errors.push(LineError {
                                line,
                                message: format!(
                                    "{email} has started this test in another sitting"
                                ),
                            });
                            continue;
                        }
                        vacated.push((other.sitting_id, u.id.clone()));
                        report.moved.push(email.clone());
                    }
                    ids.push(u.id);
                    report.added.push(email);
                }
            }
        }
        if !report.errors.is_empty() {
            report.added.clear();
            report.moved.clear();
            return Ok(report);
        }
        self.store().remove_seats(&vacated).await?;
        match role {
            Role::Proctor => self.store().add_sitting_proctors(id, &ids).await?,
            _ => self.store().add_sitting_applicants(id, &ids).await?,
        }
        Ok(report)
    }

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

    /// Records an event on an attempt and pushes it to the sitting's proctors.
    pub async fn record(
        &self,
        row: &AttemptRow,
        category: &str,
        kind: &str,
        detail: serde_json::Value,
        actor: &str,
    ) -> Result<AttemptEvent, AppError> {
        let e = self
            .store()
            .add_event_as(&EventRow {
                id: 0,
                attempt_id: row.id.clone(),
                at: self.now(),
                kind: kind.into(),
                detail: detail.to_string(),
                category: category.into(),
                actor: actor.into(),
            })
            .await?;
        let event = event_view(&e);
        if let Some(sitting) = &row.sitting_id {
            self.hub.publish(Live::Event {
                sitting: sitting.clone(),
                user: row.user_id.clone(),
                attempt: row.id.clone(),
                event: event.clone(),
            });
        }
        Ok(event)
    }

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

    async fn one_row(&self, s: &SittingRow, user_id: &str) -> Result<MonitorRow, AppError> {
        self.monitor_rows(s, Some(user_id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::not_found("The applicant"))
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
        let row = self
            .store()
            .attempt(attempt_id)
            .await?
            .ok_or_else(|| AppError::not_found("The attempt"))?;
        if row.user_id != user.id {
            return Err(AppError::forbidden());
        }
        if row.status != AttemptStatus::InProgress.as_str() {
            return Err(AppError::new(
                ErrorCode::AttemptClosed,
                "The attempt is closed.",
            ));
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_come_from_lines_or_the_first_column() {
        let got = emails("email,name\nA@x.kz, Ann\n\n\"b@x.kz\";B\n");
        assert_eq!(got, vec![(2, "a@x.kz".into()), (4, "b@x.kz".into())]);
    }
}
