//! The selection pipeline: a campaign's applications, stages 2-5 after the test, selection
//! cuts, appeals, certificates, the reserve, appointments and the funnel.
//!
//! Every stage result goes through [`Services::write_stage`]: it checks that the candidate
//! passed the stage before, writes the outcome and its log entry together, and issues the
//! certificate when the fifth stage is passed. Staff entry, CSV uploads, rank cuts, expert
//! marks, the commission's decision and upheld appeals all take that one path.

use crate::services::event_view;
use crate::services::text::{clean, email_address, valid_date};
use crate::services::{Services, internal};
use crate::store::*;
use app::error::{AppError, ErrorCode};
use app::model::*;
use question_bank::ScoreReport;
use question_bank::selection::{
    self, Contender, Resolution, Rule, Stage, certificate_number, parse_certificate_number,
    resolve_marks,
};
use rand::Rng;
use std::collections::HashMap;

pub mod appeals;
pub mod applications;
pub mod campaigns;
pub mod funnel;
pub mod interviews;
pub mod marking;
pub mod reserve;
pub mod stages;

pub use applications::{check_application, region_name};
pub use funnel::funnel_csv;

const DAY_MS: i64 = 86_400_000;

fn require_admin(user: &UserInfo) -> Result<(), AppError> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

fn conflict(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::Conflict, message)
}

fn stage_status(s: &str) -> StageStatus {
    StageStatus::parse(s).unwrap_or(StageStatus::Pending)
}

fn log_view(l: StageLogRow) -> StageLogView {
    StageLogView {
        stage: u8::try_from(l.stage).unwrap_or(0),
        status: stage_status(&l.status),
        score: l.score,
        reason: l.reason,
        recorded_by: l.recorded_by,
        recorded_ms: l.recorded_at,
    }
}

fn stage_name(stage: u8) -> &'static str {
    match stage {
        1 => "the competency test",
        2 => "training",
        3 => "the internship",
        4 => "the final assessment",
        _ => "the commission interview",
    }
}

fn parse_stage(stage: u8) -> Result<Stage, AppError> {
    Stage::from_number(i64::from(stage))
        .ok_or_else(|| AppError::invalid(format!("There are five stages (1-5), not {stage}.")))
}

/// Reads a CSV with a header line into records keyed by column name.
/// A CSV line: its number and its fields by column name.
type CsvRecord = (u32, HashMap<String, String>);

fn csv_records(text: &str) -> Result<Vec<CsvRecord>, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::invalid(format!("The CSV header cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    if !headers.iter().any(|h| h == "iin") {
        return Err(AppError::invalid(
            "The first line must name the columns, among them `iin`.",
        ));
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = u32::try_from(i + 2).unwrap_or(u32::MAX);
        let record =
            record.map_err(|e| AppError::invalid(format!("line {line}: not readable: {e}")))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let map = headers
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_string))
            .collect();
        out.push((line, map));
    }
    if out.is_empty() {
        return Err(AppError::invalid("The CSV has no lines after its header."));
    }
    Ok(out)
}

fn field<'a>(r: &'a HashMap<String, String>, name: &str) -> &'a str {
    r.get(name).map(String::as_str).unwrap_or("")
}

/// What one staff entry does to a candidate's stage outcome.
pub(crate) struct Entry {
    pub status: StageStatus,
    pub score: Option<f64>,
    pub detail: serde_json::Value,
    pub reason: String,
}

impl Services {
    async fn campaign_row(&self, id: &str) -> Result<CampaignRow, AppError> {
        self.store()
            .campaign(id)
            .await?
            .ok_or_else(|| AppError::not_found("The campaign"))
    }

    fn campaign_settings(row: &CampaignRow) -> CampaignSettings {
        serde_json::from_str(&row.settings).unwrap_or_default()
    }

    async fn outcome_views(
        &self,
        app: &ApplicationRow,
        appeal_days: u32,
    ) -> Result<Vec<OutcomeView>, AppError> {
        Ok(self
            .store()
            .outcomes(&app.id)
            .await?
            .into_iter()
            .map(|o| {
                let status = stage_status(&o.status);
                OutcomeView {
                    stage: u8::try_from(o.stage).unwrap_or(0),
                    status,
                    score: o.score,
                    detail: serde_json::from_str(&o.detail).unwrap_or(serde_json::Value::Null),
                    recorded_by: o.recorded_by,
                    recorded_ms: o.recorded_at,
                    appeal_until_ms: (status != StageStatus::Pending)
                        .then_some(o.recorded_at + i64::from(appeal_days) * DAY_MS),
                }
            })
            .collect())
    }

    fn appeal_view(a: &AppealRow, full_name: &str) -> AppealView {
        AppealView {
            id: a.id.clone(),
            application_id: a.application_id.clone(),
            full_name: full_name.into(),
            stage: u8::try_from(a.stage).unwrap_or(0),
            reason: a.reason.clone(),
            status: a.status.clone(),
            filed_ms: a.filed_at,
            decision: a.decision.clone(),
            decided_by: a.decided_by.clone(),
            decided_ms: a.decided_at,
        }
    }

    async fn application_view(&self, app: &ApplicationRow) -> Result<ApplicationView, AppError> {
        let campaign = self.campaign_row(&app.campaign_id).await?;
        let settings = Self::campaign_settings(&campaign);
        let stages = self.outcome_views(app, settings.appeal_days).await?;
        let passed = |s: u8| {
            stages
                .iter()
                .any(|o| o.stage == s && o.status == StageStatus::Passed)
        };
        let report_submitted = self.store().report(&app.id).await?.is_some();
        let report_due = passed(3)
            && !report_submitted
            && !stages
                .iter()
                .any(|o| o.stage == 4 && o.status != StageStatus::Pending);
        let appeals = self
            .store()
            .appeals_of(&app.id)
            .await?
            .iter()
            .map(|a| Self::appeal_view(a, &app.full_name))
            .collect();
        let certificate = self.store().certificate_of(&app.id).await?;
        Ok(ApplicationView {
            id: app.id.clone(),
            campaign_id: app.campaign_id.clone(),
            campaign_name: campaign.name.clone(),
            iin: app.iin.clone(),
            full_name: app.full_name.clone(),
            region: app.region.clone(),
            district: app.district.clone(),
            school: app.school.clone(),
            position: app.position.clone(),
            teaching_years: u32::try_from(app.teaching_years).unwrap_or(0),
            management_years: u32::try_from(app.management_years).unwrap_or(0),
            email: app.email.clone(),
            phone: app.phone.clone(),
            source: app.source.clone(),
            created_ms: app.created_at,
            stages,
            certificate: certificate.as_ref().map(|c| c.number.clone()),
            revocation: certificate.and_then(|c| {
                Some(RevocationView {
                    at_ms: c.revoked_at?,
                    reason: c.revoked_reason.unwrap_or_default(),
                    note: c.revoked_note.unwrap_or_default(),
                    by: c.revoked_by.unwrap_or_default(),
                })
            }),
            appointed: self.store().appointment(&app.id).await?.is_some(),
            report_due,
            report_submitted,
            appeals,
            log: self
                .store()
                .stage_log(&app.id)
                .await?
                .into_iter()
                .map(log_view)
                .collect(),
        })
    }

    /// The application, if `user` may see it: its applicant, or staff.
    async fn visible_application(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<ApplicationRow, AppError> {
        let app = self
            .store()
            .application(id)
            .await?
            .ok_or_else(|| AppError::not_found("The application"))?;
        if user.role == Role::Admin || app.user_id.as_deref() == Some(user.id.as_str()) {
            Ok(app)
        } else if user.role == Role::Applicant {
            Err(AppError::not_found("The application"))
        } else {
            Err(AppError::forbidden())
        }
    }

    /// Why `app` may not have a result in `stage` yet (the stage before is not passed).
    fn entry_refusal(outcomes: &[OutcomeRow], stage: u8) -> Option<String> {
        let previous = i64::from(stage) - 1;
        if previous < 1 {
            return None;
        }
        match outcomes.iter().find(|o| o.stage == previous) {
            Some(o) if o.status == "passed" => None,
            Some(o) => Some(format!(
                "Stage {previous} ({}) is {}: only candidates who passed it enter stage {stage}.",
                stage_name(u8::try_from(previous).unwrap_or(0)),
                o.status
            )),
            None => Some(format!(
                "Stage {previous} ({}) has no result: only candidates who passed it enter stage {stage}.",
                stage_name(u8::try_from(previous).unwrap_or(0))
            )),
        }
    }

    /// The rule of a scored stage (a mark decides at once; a rank rule leaves it pending).
    fn stage_rule(settings: &CampaignSettings, stage: u8) -> Rule {
        settings.rule(stage).cloned().unwrap_or_default()
    }

    fn decide(rule: &Rule, score: f64) -> StageStatus {
        match rule.decide(score) {
            Some(selection::Status::Passed) => StageStatus::Passed,
            Some(_) => StageStatus::Failed,
            None => StageStatus::Pending,
        }
    }

    /// The one path by which a stage result is written: entry rule, outcome and log together,
    /// and the certificate when the fifth stage is passed.
    pub(crate) async fn write_stage(
        &self,
        app: &ApplicationRow,
        stage: u8,
        e: Entry,
        recorded_by: &str,
    ) -> Result<(), AppError> {
        let outcomes = self.store().outcomes(&app.id).await?;
        if let Some(refusal) = Self::entry_refusal(&outcomes, stage) {
            return Err(conflict(refusal));
        }
        self.store()
            .write_outcomes(&[OutcomeWrite {
                outcome: OutcomeRow {
                    application_id: app.id.clone(),
                    stage: i64::from(stage),
                    status: e.status.as_str().into(),
                    score: e.score,
                    detail: e.detail.to_string(),
                    recorded_by: recorded_by.into(),
                    recorded_at: self.now(),
                },
                reason: e.reason,
            }])
            .await?;
        if stage == 5 && e.status == StageStatus::Passed {
            self.issue_certificate(app).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ApplicationInput {
        ApplicationInput {
            campaign_id: "c".into(),
            iin: "900101300014".into(),
            full_name: "  Айгерим   Сериковна Нурланова ".into(),
            region: "turkestan".into(),
            district: "Sairam".into(),
            school: "School No. 5".into(),
            position: "deputy director".into(),
            teaching_years: 12,
            management_years: 3,
            email: "Aigerim@Example.kz".into(),
            phone: "+7 701 123 45 67".into(),
        }
    }

    #[test]
    fn applications_are_checked_and_cleaned() {
        let iin = question_bank::iin::parse("900101300014");
        let good = match iin {
            Ok(_) => sample(),
            Err(_) => {
                // Find a valid IIN with this birth date for the sample.
                let mut s = sample();
                for serial in 0..10_000u32 {
                    let first11 = format!("9001013{serial:04}");
                    let digits: Vec<u8> = first11.bytes().map(|b| b - b'0').collect();
                    let arr: [u8; 11] = digits.try_into().expect("11 digits");
                    if let Some(c) = question_bank::iin::check_digit(&arr) {
                        s.iin = format!("{first11}{c}");
                        break;
                    }
                }
                s
            }
        };
        let a = check_application(&good, 2026).expect("valid");
        assert_eq!(a.full_name, "Айгерим Сериковна Нурланова");
        assert_eq!(a.region, "Turkestan");
        assert_eq!(a.email, "aigerim@example.kz");
        let bad = |f: fn(&mut ApplicationInput)| {
            let mut x = good.clone();
            f(&mut x);
            check_application(&x, 2026).expect_err("refused")
        };
        assert!(bad(|x| x.iin = "123".into()).starts_with("IIN"));
        assert!(bad(|x| x.full_name = "Madonna".into()).contains("surname"));
        assert!(bad(|x| x.region = "Atlantis".into()).contains("not a region"));
        assert!(bad(|x| x.email = "nobody".into()).contains("e-mail"));
        assert!(bad(|x| x.phone = "12".into()).contains("phone"));
        assert!(bad(|x| x.teaching_years = 99).contains("experience"));
        assert!(bad(|x| x.school = " ".into()).contains("school"));
    }

    #[test]
    fn training_passes_with_all_three_levels_and_fails_with_one_not_completed() {
        let settings = CampaignSettings::default();
        let level = |n: u8, completed: bool| StageInput::Training {
            level: n,
            completed,
            from: "2026-01-10".into(),
            to: "2026-01-20".into(),
        };
        let mut current: Option<OutcomeRow> = None;
        let mut statuses = Vec::new();
        for n in 1..=3 {
            let e = Services::entry_for(&settings, 2, current.as_ref(), &level(n, true))
                .expect("entry");
            statuses.push(e.status);
            current = Some(OutcomeRow {
                application_id: "a".into(),
                stage: 2,
                status: e.status.as_str().into(),
                score: None,
                detail: e.detail.to_string(),
                recorded_by: "x".into(),
                recorded_at: 0,
            });
        }
        assert_eq!(
            statuses,
            [
                StageStatus::Pending,
                StageStatus::Pending,
                StageStatus::Passed
            ]
        );
        let e =
            Services::entry_for(&settings, 2, current.as_ref(), &level(2, false)).expect("entry");
        assert_eq!(e.status, StageStatus::Failed);
        assert!(Services::entry_for(&settings, 2, None, &level(4, true)).is_err());
    }

    #[test]
    fn the_funnel_csv_has_counts_and_rates() {
        let r = FunnelReport {
            campaign_id: None,
            by: "region".into(),
            steps: vec!["applications".into(), "test".into()],
            total: FunnelRowView {
                group: "all".into(),
                counts: vec![10, 4],
                conversion: vec![100.0, 40.0],
            },
            rows: vec![FunnelRowView {
                group: "A, B".into(),
                counts: vec![10, 4],
                conversion: vec![100.0, 40.0],
            }],
        };
        assert_eq!(
            funnel_csv(&r),
            "group,applications,test,test_rate\n\"A, B\",10,4,40\nall,10,4,40\n"
        );
    }
}
