//! Time that cannot be self-served. The server credits lost time only where it can vouch for
//! the loss itself:
//!
//! - **its own outage**: every instance writes that it is alive every 2 s; an instance that
//!   starts after a gap with nobody alive credits every attempt that was running then by the
//!   whole gap, once (the outage is stored under its start, so two instances starting together
//!   credit it once);
//! - **a sitting-wide outage**: at least [`OUTAGE_MIN_SILENT`] running attempts of one sitting
//!   *and* at least half of them silent (no heartbeat, no save) for [`SILENT_MS`] at once is a
//!   venue's or a region's network, not one person; the part of each applicant's gap inside it
//!   is credited when they come back;
//! - anything else (one applicant, or a small group, silent) becomes a **credit request** the
//!   sitting's proctor grants (up to the cap per attempt) or declines, audited either way.
//!
//! Saves and signals count as presence, so an applicant who blocks the heartbeat but keeps
//! answering has no gap at all.

use crate::services::Services;
use crate::store::{CreditDecision, CreditRequestListRow, CreditRequestRow, OutageRow};
use app::error::{AppError, ErrorCode};
use app::model::*;

/// How often each instance says it is alive (and the sweep runs).
pub const SERVER_TICK_MS: i64 = 2_000;
/// A gap since the newest "alive" longer than this when an instance starts is a server outage
/// (two missed ticks and a margin).
pub const SERVER_OUTAGE_MS: i64 = 5_000;
/// Not heard from (no heartbeat, no save) for this long: three heartbeats missed (the
/// default of `QABILET_OUTAGE_SILENCE_SECONDS`).
pub const SILENT_MS: i64 = 45_000;
/// A sitting-wide outage at a venue needs at least this many silent applicants...
pub const OUTAGE_MIN_SILENT: usize = 5;
/// ...and at least this share of the sitting's running attempts.
pub const OUTAGE_SHARE: f64 = 0.5;
/// In an online sitting (everyone at home, on their own connections) one network failing for
/// many is rarer and a group agreeing to go quiet easier: at least this many...
pub const ONLINE_MIN_SILENT: usize = 10;
/// ...and this share.
pub const ONLINE_SHARE: f64 = 0.8;

/// How many of `running` attempts must be silent at once for a sitting-wide outage.
pub fn outage_quorum(running: usize, online: bool) -> usize {
    let (share, least) = if online {
        (ONLINE_SHARE, ONLINE_MIN_SILENT)
    } else {
        (OUTAGE_SHARE, OUTAGE_MIN_SILENT)
    };
    ((share * running as f64).ceil() as usize).max(least)
}

/// Given the last presence of every running attempt of one sitting: `Some(start)` when enough
/// of them are silent now to call it a sitting-wide outage, `start` being the moment the
/// quorum had gone silent.
pub fn sitting_outage_start(
    presences: &[i64],
    now: i64,
    silent_ms: i64,
    online: bool,
) -> Option<i64> {
    let quorum = outage_quorum(presences.len(), online);
    let mut silent: Vec<i64> = presences
        .iter()
        .copied()
        .filter(|p| now - p > silent_ms)
        .collect();
    if silent.len() < quorum {
        return None;
    }
    silent.sort_unstable();
    silent.get(quorum - 1).copied()
}

/// The part of `[from, to]` that `outages` cover, each moment once (overlapping outages are
/// merged).
pub fn covered_ms(outages: &[(i64, Option<i64>)], from: i64, to: i64) -> i64 {
    let mut spans: Vec<(i64, i64)> = outages
        .iter()
        .map(|(s, e)| ((*s).max(from), e.unwrap_or(to).min(to)))
        .filter(|(s, e)| e > s)
        .collect();
    spans.sort_unstable();
    let mut covered = 0;
    let mut reached = i64::MIN;
    for (s, e) in spans {
        let s = s.max(reached);
        if e > s {
            covered += e - s;
        }
        reached = reached.max(e);
    }
    covered
}

/// How long after a sitting-wide outage ends its silent applicants still have to come back
/// before the sweep may expire an attempt whose deadline passed during it.
pub const OUTAGE_RETURN_MS: i64 = 120_000;

fn request_view(r: CreditRequestListRow, answers_after: i64) -> CreditRequestView {
    let detail: serde_json::Value =
        serde_json::from_str(&r.request.detail).unwrap_or(serde_json::Value::Null);
    let signals = detail["signals"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    Some(OfflineSignal {
                        kind: s["kind"].as_str()?.to_string(),
                        at_ms: s["at_ms"].as_i64()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let q = r.request;
    CreditRequestView {
        id: q.id,
        attempt_id: q.attempt_id,
        user_id: r.user_id,
        full_name: r.full_name,
        email: r.email,
        since_ms: q.since_ms,
        until_ms: q.until_ms,
        gap_ms: q.gap_ms,
        auto_ms: q.auto_ms,
        requested_ms: q.requested_ms,
        status: q.status,
        granted_ms: q.granted_ms,
        decided_by: q.decided_by,
        decided_ms: q.decided_at,
        reason: q.reason,
        signals,
        answers_after,
        attempt_open: r.attempt_status == AttemptStatus::InProgress.as_str(),
    }
}

impl Services {
    /// At start: credits a server outage (every instance down) to the attempts it cut off,
    /// then says this instance is alive. Runs before the recovery sweep, so an attempt whose
    /// deadline passed while the server was down is credited, not expired.
    pub async fn server_started(&self, instance: &str) -> Result<usize, AppError> {
        let now = self.now();
        let mut credited = 0;
        if let Some(last) = self.store().last_alive().await?
            && now - last > SERVER_OUTAGE_MS
            && !self.another_instance_alive().await?
        {
            let ids = self.store().credit_server_outage(last, now).await?;
            credited = ids.len();
            if credited > 0 {
                tracing::warn!(
                    attempts = credited,
                    outage_ms = now - last,
                    "server outage credited to the attempts it cut off"
                );
            }
            for id in ids {
                self.notify(&id, "credited", "").await?;
            }
        }
        self.store().alive(instance, now).await?;
        Ok(credited)
    }

    /// Whether another instance is still writing that it is alive (its entry changes within
    /// a tick): then there is no outage, whatever the clocks say (an instance whose clock runs
    /// ahead of the others would otherwise see one at every restart).
    async fn another_instance_alive(&self) -> Result<bool, AppError> {
        let before = self.store().alive_rows().await?;
        if before.is_empty() {
            return Ok(false);
        }
        tokio::time::sleep(std::time::Duration::from_millis(
            SERVER_TICK_MS as u64 + 500,
        ))
        .await;
        Ok(self.store().alive_rows().await? != before)
    }

    /// Opens and ends sitting-wide outages from the presence of every running attempt (the
    /// sweep leader calls it every few seconds).
    pub async fn watch_sittings(&self) -> Result<(), AppError> {
        let now = self.now();
        let silent_ms = self.settings().silent_ms;
        let mut rows = self.store().sitting_presence().await?;
        // Saves are presence too, but reading every attempt's newest save every few seconds
        // costs a lookup per running attempt: only those the heartbeat calls silent are
        // looked up (normally none).
        for r in rows.iter_mut() {
            if now - r.presence() > silent_ms {
                r.last_save = self.store().last_save(&r.attempt_id).await?;
            }
        }
        let mut by_sitting: std::collections::HashMap<&str, Vec<i64>> =
            std::collections::HashMap::new();
        for r in &rows {
            by_sitting
                .entry(r.sitting_id.as_str())
                .or_default()
                .push(r.presence());
        }
        let mut online = std::collections::HashMap::new();
        for sitting in by_sitting.keys() {
            if let Some(s) = self.store().sitting(sitting).await? {
                online.insert(sitting.to_string(), s.mode == "online");
            }
        }
        let is_online = |s: &str| online.get(s).copied().unwrap_or(true);
        let open = self.store().open_sitting_outages().await?;
        for o in &open {
            let sitting = o.sitting_id.as_deref().unwrap_or_default();
            let still = by_sitting.get(sitting).is_some_and(|p| {
                sitting_outage_start(p, now, silent_ms, is_online(sitting)).is_some()
            });
            if !still {
                self.store().end_outage(&o.id, now).await?;
                tracing::warn!(sitting, outage = %o.id, ms = now - o.started_at, "sitting-wide outage ended");
            }
        }
        for (sitting, presences) in &by_sitting {
            if open
                .iter()
                .any(|o| o.sitting_id.as_deref() == Some(*sitting))
            {
                continue;
            }
            if let Some(start) = sitting_outage_start(presences, now, silent_ms, is_online(sitting))
            {
                // Never over an outage already recorded: each moment is credited once.
                let start = match self.store().last_outage_end(sitting).await? {
                    Some(end) => start.max(end),
                    None => start,
                };
                let silent = presences.iter().filter(|p| now - **p > silent_ms).count();
                let o = OutageRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    kind: "sitting".into(),
                    sitting_id: Some((*sitting).to_string()),
                    started_at: start,
                    ended_at: None,
                    detail: serde_json::json!({
                        "silent": silent, "running": presences.len(),
                        "quorum": outage_quorum(presences.len(), is_online(sitting)),
                        "detected_ms": now,
                    })
                    .to_string(),
                };
                self.store().insert_outage(&o).await?;
                tracing::warn!(
                    sitting,
                    silent,
                    running = presences.len(),
                    "sitting-wide outage"
                );
            }
        }
        Ok(())
    }

    /// A heartbeat came after a gap of `since..now` with nothing heard: credits the part a
    /// sitting-wide outage covers and asks the proctor about the rest. Returns
    /// `(credited now, left for the proctor)`; parallel heartbeats after one gap do this once.
    pub(crate) async fn gap_after_silence(
        &self,
        row: &crate::store::AttemptRow,
        since: i64,
        now: i64,
        offline: &[(String, i64)],
    ) -> Result<(i64, i64), AppError> {
        let gap = now - since;
        let auto = match &row.sitting_id {
            Some(s) => {
                let outages = self.store().sitting_outages(s, since, now).await?;
                let spans: Vec<(i64, Option<i64>)> =
                    outages.iter().map(|o| (o.started_at, o.ended_at)).collect();
                covered_ms(&spans, since, now)
            }
            None => 0,
        };
        // The heartbeat's own rhythm explains up to one interval of silence; a gap shorter
        // than the threshold is asked of nobody (what an outage covered of it is credited).
        let rhythm = crate::services::proctoring::HEARTBEAT_MS.min(self.settings().credit_after_ms);
        let rest = if gap > self.settings().credit_after_ms {
            (gap - auto - rhythm).max(0)
        } else {
            0
        };
        if auto == 0 && rest == 0 {
            return Ok((0, 0));
        }
        let signals: Vec<serde_json::Value> = offline
            .iter()
            .filter(|(_, at)| *at >= since - crate::services::proctoring::HEARTBEAT_MS)
            .map(|(kind, at)| serde_json::json!({ "kind": kind, "at_ms": at }))
            .collect();
        let request = CreditRequestRow {
            id: uuid::Uuid::new_v4().to_string(),
            attempt_id: row.id.clone(),
            sitting_id: row.sitting_id.clone(),
            since_ms: since,
            until_ms: now,
            gap_ms: gap,
            auto_ms: auto,
            requested_ms: rest,
            status: if rest > 0 { "pending" } else { "covered" }.into(),
            granted_ms: 0,
            detail: serde_json::json!({ "signals": signals }).to_string(),
            decided_by: None,
            decided_at: None,
            reason: String::new(),
            created_at: now,
        };
        if !self.store().open_credit_request(&request).await? {
            return Ok((0, 0));
        }
        self.record(
            row,
            "incident",
            "connection_lost",
            serde_json::json!({ "since_ms": since, "gap_ms": gap, "credited_ms": auto,
                "requested_ms": rest, "request": request.id }),
            "",
        )
        .await?;
        if auto > 0 {
            self.record(
                row,
                "incident",
                "time_credited",
                serde_json::json!({ "reason": "sitting_outage", "gap_ms": gap, "credited_ms": auto }),
                "",
            )
            .await?;
            self.notify(&row.id, "credited", "").await?;
        }
        Ok((auto, rest))
    }

    /// How long a silence must be before the server looks at it: the shorter of the credit
    /// threshold and the outage silence (a short gap an outage covered is credited too).
    pub(crate) fn gap_threshold(&self) -> i64 {
        self.settings()
            .credit_after_ms
            .min(self.settings().silent_ms)
    }

    /// The gap check on a save (see `save_response`): `None` if the attempt closed meanwhile.
    pub(crate) async fn gap_on_save(
        &self,
        row: crate::store::AttemptRow,
        now: i64,
    ) -> Result<Option<crate::store::AttemptRow>, AppError> {
        let seen = row.started_at.max(row.last_seen.unwrap_or(0));
        if now - seen <= self.gap_threshold() {
            return Ok(Some(row));
        }
        let since = seen.max(self.store().last_save(&row.id).await?.unwrap_or(0));
        if now - since <= self.gap_threshold() {
            return Ok(Some(row));
        }
        let (credited, _) = self.gap_after_silence(&row, since, now, &[]).await?;
        if credited == 0 {
            return Ok(Some(row));
        }
        Ok(self
            .store()
            .attempt(&row.id)
            .await?
            .filter(|r| r.status == AttemptStatus::InProgress.as_str()))
    }

    /// Whether an overdue attempt should wait: its sitting has an outage open, or one that
    /// ended less than [`OUTAGE_RETURN_MS`] ago, that began before the attempt's deadline and
    /// after the applicant was last heard from.
    pub(crate) async fn outage_holds(&self, attempt_id: &str) -> Result<bool, AppError> {
        let Some(row) = self.store().attempt(attempt_id).await? else {
            return Ok(false);
        };
        let Some(sitting) = &row.sitting_id else {
            return Ok(false);
        };
        let now = self.now();
        let seen = row.started_at.max(row.last_seen.unwrap_or(0));
        Ok(self
            .store()
            .sitting_outages(sitting, seen, row.deadline)
            .await?
            .iter()
            .any(|o| o.ended_at.is_none_or(|e| now - e < OUTAGE_RETURN_MS)))
    }

    /// A sitting's credit requests (its proctors, admins).
    pub async fn credit_requests(
        &self,
        user: &UserInfo,
        sitting_id: &str,
    ) -> Result<Vec<CreditRequestView>, AppError> {
        self.watched_sitting(user, sitting_id).await?;
        let mut out = Vec::new();
        for r in self.store().credit_requests(sitting_id).await? {
            // The answers delivered in the minute after the connection came back were mostly
            // given offline (the page's outbox sends them then).
            let after = self
                .store()
                .answers_saved_between(
                    &r.request.attempt_id,
                    r.request.until_ms,
                    r.request.until_ms + 60_000,
                )
                .await?;
            out.push(request_view(r, after));
        }
        Ok(out)
    }

    /// A proctor of the sitting (or an admin) grants or declines a credit request.
    pub async fn decide_credit(
        &self,
        user: &UserInfo,
        id: &str,
        input: CreditDecisionInput,
    ) -> Result<CreditRequestView, AppError> {
        let req = self
            .store()
            .credit_request(id)
            .await?
            .ok_or_else(|| AppError::not_found("The credit request"))?;
        let sitting = req
            .sitting_id
            .clone()
            .ok_or_else(|| AppError::not_found("The credit request"))?;
        self.watched_sitting(user, &sitting).await?;
        let reason = input.reason.trim().to_string();
        if reason.chars().count() > 1000 {
            return Err(AppError::invalid(
                "The reason may have at most 1000 characters.",
            ));
        }
        if !input.grant && reason.is_empty() {
            return Err(AppError::invalid(
                "Give the reason for declining: the applicant and an appeal will see it.",
            ));
        }
        let cap = self.settings().credit_cap_ms;
        let now = self.now();
        let decision = self
            .store()
            .decide_credit(id, input.grant, cap, &user.full_name, &reason, now)
            .await?;
        let (kind, amount) = match decision {
            CreditDecision::Granted(ms) => ("credit_granted", ms),
            CreditDecision::Declined => ("credit_declined", 0),
            CreditDecision::NotFound => return Err(AppError::not_found("The credit request")),
            CreditDecision::AttemptClosed => {
                return Err(AppError::new(
                    ErrorCode::AttemptClosed,
                    "The attempt is closed: time can no longer be credited.",
                ));
            }
            CreditDecision::AlreadyDecided => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    "This request was decided already.",
                ));
            }
            CreditDecision::CapReached => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!(
                        "This attempt has had the most that may be credited ({}:{:02} min).",
                        cap / 60_000,
                        cap % 60_000 / 1000
                    ),
                ));
            }
        };
        let row = self
            .store()
            .attempt(&req.attempt_id)
            .await?
            .ok_or_else(AppError::internal)?;
        self.record(
            &row,
            "intervention",
            kind,
            serde_json::json!({ "request": id, "gap_ms": req.gap_ms,
                "requested_ms": req.requested_ms, "credited_ms": amount, "message": reason }),
            &user.full_name,
        )
        .await?;
        tracing::info!(request = %id, attempt = %row.id, kind, amount, by = %user.email, "credit request decided");
        self.notify(
            &row.id,
            if amount > 0 {
                "credited"
            } else {
                "credit_declined"
            },
            &reason,
        )
        .await?;
        let list = self.store().credit_requests(&sitting).await?;
        let r = list
            .into_iter()
            .find(|r| r.request.id == id)
            .ok_or_else(AppError::internal)?;
        Ok(request_view(r, 0))
    }
}

impl Services {
    /// An administrator corrects an account's IIN; the old and new IIN (masked), who and why
    /// go to the account log in the same transaction.
    pub async fn change_iin(
        &self,
        user: &UserInfo,
        email: &str,
        input: IinChange,
        ip: &str,
    ) -> Result<IinChanged, AppError> {
        if user.role != Role::Admin {
            return Err(AppError::forbidden());
        }
        let iin = question_bank::iin::parse(&input.iin)
            .map_err(|e| AppError::invalid(format!("IIN: {e}")))?;
        let reason = input.reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(AppError::invalid(
                "Give the reason for the correction (at most 500 characters).",
            ));
        }
        let email = email.trim().to_lowercase();
        let row = self
            .store()
            .user_by_email(&email)
            .await?
            .ok_or_else(|| AppError::not_found("The account"))?;
        let old = self.store().user_iin(&row.id).await?;
        if old.as_deref() == Some(iin.digits.as_str()) {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "The account has this IIN already.",
            ));
        }
        let detail = serde_json::json!({
            "by": user.email,
            "from": old.as_deref().map(question_bank::iin::masked),
            "to": question_bank::iin::masked(&iin.digits),
            "reason": reason,
        });
        match self
            .store()
            .set_user_iin(
                &row.id,
                &iin.digits,
                self.now(),
                &row.email,
                ip,
                "iin_changed",
                &detail.to_string(),
            )
            .await
        {
            Err(crate::store::StoreError::Conflict) => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    "Another account, or another application in one of this account's \
                     campaigns, holds this IIN.",
                ));
            }
            r => {
                r?;
            }
        }
        tracing::info!(account = %row.email, by = %user.email, "IIN changed by staff");
        Ok(IinChanged {
            email: row.email,
            iin_masked: question_bank::iin::masked(&iin.digits),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_silent_applicants_are_no_outage() {
        let now = 1_000_000;
        // 4 of 6 silent: two thirds, but fewer than five people.
        let mut p = vec![now - 100_000; 4];
        p.extend([now - 1_000, now - 2_000]);
        assert_eq!(sitting_outage_start(&p, now, SILENT_MS, false), None);
        // 5 of 20 silent: five people, but a quarter.
        let mut p = vec![now - 100_000; 5];
        p.extend(vec![now - 1_000; 15]);
        assert_eq!(sitting_outage_start(&p, now, SILENT_MS, false), None);
        // Silent for less than three heartbeats: not silent yet.
        let p = vec![now - 40_000; 20];
        assert_eq!(sitting_outage_start(&p, now, SILENT_MS, false), None);
    }

    #[test]
    fn half_the_sitting_silent_at_once_is_an_outage_from_when_the_quorum_went_quiet() {
        let now = 1_000_000;
        // 20 running: 2 silent long ago (individuals), 9 silent from about now - 60 s.
        let mut p = vec![now - 600_000, now - 500_000];
        p.extend((0..9).map(|i| now - 60_000 - i * 1_000));
        p.extend(vec![now - 2_000; 9]);
        // quorum = max(5, 10) = 10: reached with the 10th earliest silence.
        assert_eq!(outage_quorum(20, false), 10);
        // Online: 16 of 20 (80%), and at least 10.
        assert_eq!(outage_quorum(20, true), 16);
        assert_eq!(outage_quorum(6, true), 10);
        assert_eq!(sitting_outage_start(&p, now, SILENT_MS, true), None);
        let start = sitting_outage_start(&p, now, SILENT_MS, false);
        assert_eq!(start, Some(now - 61_000));
        // The two who went silent long ago are not credited for the time before it.
        let covered = covered_ms(&[(start.unwrap_or(0), None)], now - 600_000, now);
        assert_eq!(covered, 61_000);
    }

    #[test]
    fn coverage_is_the_overlap() {
        assert_eq!(covered_ms(&[(100, Some(200))], 0, 1000), 100);
        assert_eq!(covered_ms(&[(100, Some(200))], 150, 1000), 50);
        assert_eq!(covered_ms(&[(100, None)], 150, 400), 250);
        assert_eq!(covered_ms(&[(100, Some(200)), (300, None)], 0, 350), 150);
        assert_eq!(covered_ms(&[(500, Some(600))], 0, 400), 0);
        // Overlapping outages count each moment once.
        assert_eq!(covered_ms(&[(100, Some(300)), (200, None)], 0, 400), 300);
        assert_eq!(covered_ms(&[(200, None), (100, Some(150))], 0, 400), 250);
    }
}
