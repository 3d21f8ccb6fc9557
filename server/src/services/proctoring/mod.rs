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

pub mod feed;
pub mod interventions;
pub mod signals;
pub mod sittings;

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

impl Services {
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

    async fn one_row(&self, s: &SittingRow, user_id: &str) -> Result<MonitorRow, AppError> {
        self.monitor_rows(s, Some(user_id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::not_found("The applicant"))
    }
}
