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

/// The canonical name of a region, matched without regard to case.
pub fn region_name(s: &str) -> Option<&'static str> {
    let s = clean(s).to_lowercase();
    REGIONS.iter().copied().find(|r| r.to_lowercase() == s)
}

/// Checks an application and returns it cleaned up.
pub fn check_application(
    input: &ApplicationInput,
    campaign_year: i64,
) -> Result<ApplicationInput, String> {
    let iin = question_bank::iin::parse(&input.iin).map_err(|e| format!("IIN: {e}"))?;
    if i64::from(iin.birth_year) > campaign_year - 18 {
        return Err(format!(
            "IIN: the birth year {} makes the applicant younger than 18",
            iin.birth_year
        ));
    }
    let full_name = clean(&input.full_name);
    if full_name.split(' ').count() < 2 || full_name.chars().count() > 200 {
        return Err("full name: give the surname and the name (at most 200 letters)".into());
    }
    let region = region_name(&input.region).ok_or_else(|| {
        format!(
            "region: {:?} is not a region of Kazakhstan (one of: {})",
            input.region,
            REGIONS.join(", ")
        )
    })?;
    let text = |name: &str, value: &str| -> Result<String, String> {
        let v = clean(value);
        if v.is_empty() || v.chars().count() > 200 {
            Err(format!("{name}: required, at most 200 letters"))
        } else {
            Ok(v)
        }
    };
    let district = text("district", &input.district)?;
    let school = text("school", &input.school)?;
    let position = text("current position", &input.position)?;
    if input.teaching_years > 60 || input.management_years > 60 {
        return Err("experience: years must be between 0 and 60".into());
    }
    let email = email_address(&input.email)
        .ok_or_else(|| format!("e-mail: {:?} is not an address", input.email))?;
    let phone = clean(&input.phone);
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !(10..=15).contains(&digits)
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || "+-() ".contains(c))
    {
        return Err(format!("phone: {:?} is not a phone number", input.phone));
    }
    Ok(ApplicationInput {
        campaign_id: input.campaign_id.clone(),
        iin: iin.digits,
        full_name,
        region: region.into(),
        district,
        school,
        position,
        teaching_years: input.teaching_years,
        management_years: input.management_years,
        email,
        phone,
    })
}

/// The stored row of a checked application.
fn application_row(
    a: ApplicationInput,
    campaign_id: &str,
    user_id: Option<String>,
    source: &str,
    now: i64,
) -> ApplicationRow {
    ApplicationRow {
        id: uuid::Uuid::new_v4().to_string(),
        campaign_id: campaign_id.into(),
        user_id,
        search: format!("{} {} {} {}", a.full_name, a.iin, a.school, a.email).to_lowercase(),
        iin: a.iin,
        full_name: a.full_name,
        region: a.region,
        district: a.district,
        school: a.school,
        position: a.position,
        teaching_years: i64::from(a.teaching_years),
        management_years: i64::from(a.management_years),
        email: a.email,
        phone: a.phone,
        source: source.into(),
        created_at: now,
    }
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

fn parse_years(s: &str, what: &str) -> Result<u32, String> {
    s.trim()
        .parse::<u32>()
        .map_err(|_| format!("{what}: {s:?} is not a whole number of years"))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "да" | "иә" => Some(true),
        "no" | "n" | "false" | "0" | "нет" | "жоқ" => Some(false),
        _ => None,
    }
}

/// Filters and paging of the staff list of applications.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ApplicationFilter {
    pub region: Option<String>,
    /// Only candidates with a result in this stage (1-5)...
    pub stage: Option<i64>,
    /// ...and this status there.
    pub status: Option<String>,
    /// Words of the name, IIN, school or e-mail.
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
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

    fn campaign_view(row: &CampaignRow) -> CampaignView {
        let settings = Self::campaign_settings(row);
        let rule_texts = [1u8, 3, 4]
            .iter()
            .map(|s| match settings.rule(*s) {
                Some(r) => format!("Stage {s}: {}", r.describe()),
                None if *s == 1 => "Stage 1: the blueprint's pass mark".to_string(),
                None => format!("Stage {s}: {}", Rule::default().describe()),
            })
            .collect();
        CampaignView {
            id: row.id.clone(),
            name: row.name.clone(),
            year: i32::try_from(row.year).unwrap_or(0),
            round: u32::try_from(row.round).unwrap_or(1),
            blueprint_id: row.blueprint_id.clone(),
            open: row.open != 0,
            settings,
            rule_texts,
        }
    }

    /// Campaigns: all for staff; open ones for everyone else.
    pub async fn campaign_list(&self, user: &UserInfo) -> Result<Vec<CampaignView>, AppError> {
        let rows = self.store().campaigns().await?;
        Ok(rows
            .iter()
            .filter(|c| user.role == Role::Admin || c.open != 0)
            .map(Self::campaign_view)
            .collect())
    }

    pub async fn campaign_get(&self, user: &UserInfo, id: &str) -> Result<CampaignView, AppError> {
        let row = self.campaign_row(id).await?;
        if user.role != Role::Admin && row.open == 0 {
            return Err(AppError::not_found("The campaign"));
        }
        Ok(Self::campaign_view(&row))
    }

    /// Creates or updates a campaign (staff).
    pub async fn campaign_save(
        &self,
        user: &UserInfo,
        input: CampaignInput,
    ) -> Result<CampaignView, AppError> {
        require_admin(user)?;
        let id = input.id.trim();
        if id.is_empty()
            || id.len() > 40
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(AppError::invalid(
                "The campaign id is 1-40 letters, digits or dashes (e.g. 2026-1).",
            ));
        }
        let name = clean(&input.name);
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::invalid("The campaign needs a name."));
        }
        if !(2000..=2100).contains(&input.year) || input.round == 0 {
            return Err(AppError::invalid(
                "The year must be 2000-2100 and the round at least 1.",
            ));
        }
        if let Some(b) = &input.blueprint_id
            && self.store().blueprint(b).await?.is_none()
        {
            return Err(AppError::invalid(format!("There is no blueprint {b:?}.")));
        }
        for r in &input.settings.rules {
            if !matches!(r.stage, 1 | 3 | 4) {
                return Err(AppError::invalid(format!(
                    "Stage {} has no score to cut: rules are for stages 1, 3 and 4 (stage 2 passes \
                     with all three levels, stage 5 by the commission's decision).",
                    r.stage
                )));
            }
            r.rule
                .validate()
                .map_err(|e| AppError::invalid(format!("Stage {}: {e}.", r.stage)))?;
        }
        input
            .settings
            .rubric
            .validate()
            .map_err(|e| AppError::invalid(format!("Rubric: {e}.")))?;
        if input.settings.appeal_days > 60 || input.settings.validity_years == 0 {
            return Err(AppError::invalid(
                "Appeals may be filed for at most 60 days; certificates are valid for at least a year.",
            ));
        }
        let now = self.now();
        let existing = self.store().campaign(id).await?;
        let row = CampaignRow {
            id: id.to_string(),
            name,
            year: i64::from(input.year),
            round: i64::from(input.round),
            blueprint_id: input.blueprint_id.clone(),
            open: i64::from(input.open),
            settings: serde_json::to_string(&input.settings).map_err(internal)?,
            created_by: existing
                .as_ref()
                .map_or_else(|| user.full_name.clone(), |e| e.created_by.clone()),
            created_at: existing.as_ref().map_or(now, |e| e.created_at),
        };
        if existing.is_some() {
            self.store().update_campaign(&row).await?;
        } else {
            match self.store().insert_campaign(&row).await {
                Err(StoreError::Conflict) => {
                    return Err(conflict("A campaign with this id was just created."));
                }
                r => r?,
            }
        }
        Ok(Self::campaign_view(&row))
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

    /// An applicant applies to an open campaign with their account's IIN (or claims the
    /// application staff imported for that IIN).
    pub async fn apply(
        &self,
        user: &UserInfo,
        input: ApplicationInput,
    ) -> Result<ApplicationView, AppError> {
        if user.role != Role::Applicant {
            return Err(AppError::forbidden());
        }
        let campaign = self.campaign_row(&input.campaign_id).await?;
        if campaign.open == 0 {
            return Err(conflict("This campaign does not take applications now."));
        }
        let a = check_application(&input, campaign.year).map_err(AppError::invalid)?;
        let mine = self.store().applications_of_user(&user.id).await?;
        if let Some(m) = mine.iter().find(|m| m.campaign_id == campaign.id) {
            return Err(conflict(format!(
                "You have applied to this campaign already (IIN {}).",
                m.iin
            )));
        }
        // One person, one identity: the application's IIN is the account's. An account made
        // by staff without one gets it here, once; afterwards only staff change it.
        match self.store().user_iin(&user.id).await? {
            Some(own) if own != a.iin => {
                return Err(AppError::invalid(format!(
                    "The IIN must be your account's ({}). If your account's IIN is wrong, ask \
                     the programme staff to correct it.",
                    question_bank::iin::masked(&own)
                )));
            }
            Some(_) => {}
            None => match self
                .store()
                .set_user_iin(
                    &user.id,
                    &a.iin,
                    self.now(),
                    &user.email,
                    "",
                    "iin_set",
                    &serde_json::json!({ "by": "the account holder, applying" }).to_string(),
                )
                .await
            {
                Err(StoreError::Conflict) => {
                    return Err(conflict(
                        "This IIN belongs to another account. If it is yours, ask the programme \
                         staff.",
                    ));
                }
                // Given by a parallel request a moment ago: this one must carry the same IIN.
                Ok(false) => {
                    if self.store().user_iin(&user.id).await?.as_deref() != Some(a.iin.as_str()) {
                        return Err(AppError::invalid(
                            "The IIN must be your account's. If it is wrong, ask the programme \
                             staff to correct it.",
                        ));
                    }
                }
                r => {
                    r?;
                }
            },
        }

        if let Some(existing) = self
            .store()
            .application_by_iin(&campaign.id, &a.iin)
            .await?
        {
            // Staff imported it for this IIN, which is this account's: it is theirs.
            if existing.user_id.is_none()
                && self
                    .store()
                    .claim_application(&existing.id, &user.id)
                    .await?
            {
                let claimed = self
                    .store()
                    .application(&existing.id)
                    .await?
                    .ok_or_else(|| internal("a claimed application vanished"))?;
                return self.application_view(&claimed).await;
            }
            return Err(conflict(
                "An application with this IIN exists in this campaign. If it is yours, ask the \
                 programme staff.",
            ));
        }
        let row = application_row(a, &campaign.id, Some(user.id.clone()), "self", self.now());
        match self
            .store()
            .insert_applications(std::slice::from_ref(&row))
            .await
        {
            Err(StoreError::Conflict) => {
                return Err(conflict(
                    "An application with this IIN exists in this campaign.",
                ));
            }
            r => r?,
        }
        self.application_view(&row).await
    }

    pub async fn my_applications(&self, user: &UserInfo) -> Result<Vec<ApplicationView>, AppError> {
        let mut out = Vec::new();
        for a in self.store().applications_of_user(&user.id).await? {
            out.push(self.application_view(&a).await?);
        }
        Ok(out)
    }

    pub async fn application_get(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<ApplicationView, AppError> {
        let app = self.visible_application(user, id).await?;
        self.application_view(&app).await
    }

    pub async fn application_list(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        filter: ApplicationFilter,
    ) -> Result<ApplicationPage, AppError> {
        let ApplicationFilter {
            region,
            stage,
            status,
            q,
            page,
            per_page,
        } = filter;
        let (page, per_page) = (page.unwrap_or(0), per_page.unwrap_or(50));
        require_admin(user)?;
        self.campaign_row(campaign_id).await?;
        if let Some(s) = &status
            && StageStatus::parse(s).is_none()
        {
            return Err(AppError::invalid(format!("{s:?} is not a stage status.")));
        }
        let per_page = per_page.clamp(1, 500);
        let query = ApplicationQuery {
            campaign_id: campaign_id.into(),
            region: region.filter(|r| !r.is_empty()),
            stage: stage.filter(|s| (1..=5).contains(s)),
            status: status.filter(|s| !s.is_empty()),
            words: q
                .unwrap_or_default()
                .to_lowercase()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            limit: per_page,
            offset: page.max(0) * per_page,
        };
        let (rows, total) = self.store().application_page(&query).await?;
        Ok(ApplicationPage {
            rows: rows
                .iter()
                .map(|r| ApplicationSummary {
                    id: r.application.id.clone(),
                    iin: r.application.iin.clone(),
                    full_name: r.application.full_name.clone(),
                    region: r.application.region.clone(),
                    school: r.application.school.clone(),
                    stages: r
                        .statuses()
                        .iter()
                        .map(|s| s.and_then(StageStatus::parse))
                        .collect(),
                    certificate: r.certificate.clone(),
                    appointed: r.appointed != 0,
                })
                .collect(),
            total,
        })
    }

    /// Staff import applications from CSV: previewed line by line; committed all or none.
    pub async fn import_applications(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        input: CsvInput,
    ) -> Result<CsvReport, AppError> {
        require_admin(user)?;
        let campaign = self.campaign_row(campaign_id).await?;
        let records = csv_records(&input.csv)?;
        let mut lines = Vec::new();
        let mut rows = Vec::new();
        let mut seen: HashMap<String, u32> = HashMap::new();
        let now = self.now();
        for (line, r) in &records {
            let raw = ApplicationInput {
                campaign_id: campaign.id.clone(),
                iin: field(r, "iin").into(),
                full_name: field(r, "full_name").into(),
                region: field(r, "region").into(),
                district: field(r, "district").into(),
                school: field(r, "school").into(),
                position: field(r, "position").into(),
                teaching_years: 0,
                management_years: 0,
                email: field(r, "email").into(),
                phone: field(r, "phone").into(),
            };
            let checked = async {
                let teaching = parse_years(field(r, "teaching_years"), "teaching years")?;
                let management = parse_years(field(r, "management_years"), "management years")?;
                let a = check_application(
                    &ApplicationInput {
                        teaching_years: teaching,
                        management_years: management,
                        ..raw.clone()
                    },
                    campaign.year,
                )?;
                if let Some(first) = seen.get(&a.iin) {
                    return Err(format!("IIN {} is also on line {first}", a.iin));
                }
                if self
                    .store()
                    .application_by_iin(&campaign.id, &a.iin)
                    .await
                    .map_err(|e| e.to_string())?
                    .is_some()
                {
                    return Err(format!(
                        "IIN {} has applied to this campaign already",
                        a.iin
                    ));
                }
                Ok(a)
            }
            .await;
            match checked {
                Ok(a) => {
                    seen.insert(a.iin.clone(), *line);
                    // Linked by IIN only: registering someone's e-mail address first must not
                    // capture their application.
                    let linked = self.store().applicant_by_iin(&a.iin).await?.map(|u| u.id);
                    lines.push(PreviewLine {
                        line: *line,
                        iin: a.iin.clone(),
                        full_name: a.full_name.clone(),
                        action: if linked.is_some() {
                            "add (linked to the account with this IIN)".into()
                        } else {
                            "add".into()
                        },
                        error: None,
                    });
                    rows.push(application_row(a, &campaign.id, linked, "import", now));
                }
                Err(message) => lines.push(PreviewLine {
                    line: *line,
                    iin: raw.iin.clone(),
                    full_name: raw.full_name.clone(),
                    action: "none".into(),
                    error: Some(message),
                }),
            }
        }
        let errors = lines.iter().filter(|l| l.error.is_some()).count();
        let mut committed = false;
        if input.commit && errors == 0 {
            match self.store().insert_applications(&rows).await {
                Err(StoreError::Conflict) => {
                    return Err(conflict(
                        "An IIN of this file applied meanwhile; nothing was imported. Preview again.",
                    ));
                }
                r => r?,
            }
            committed = true;
        }
        Ok(CsvReport {
            valid: u32::try_from(rows.len()).unwrap_or(u32::MAX),
            errors: u32::try_from(errors).unwrap_or(u32::MAX),
            lines,
            committed,
        })
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

    /// Works out what a staff entry does to the current outcome (pure, for single entries
    /// and CSV lines alike).
    fn entry_for(
        settings: &CampaignSettings,
        stage: u8,
        current: Option<&OutcomeRow>,
        input: &StageInput,
    ) -> Result<Entry, String> {
        match (stage, input) {
            (
                2,
                StageInput::Training {
                    level,
                    completed,
                    from,
                    to,
                },
            ) => {
                if !(1..=3).contains(level) {
                    return Err(format!("training has levels 1-3, not {level}"));
                }
                if !valid_date(from) || !valid_date(to) || to < from {
                    return Err(
                        "training dates: give from and to as YYYY-MM-DD, to not before from".into(),
                    );
                }
                let mut detail = current
                    .and_then(|o| serde_json::from_str::<serde_json::Value>(&o.detail).ok())
                    .filter(serde_json::Value::is_object)
                    .unwrap_or_else(|| serde_json::json!({}));
                let mut levels: Vec<serde_json::Value> = detail
                    .get("levels")
                    .and_then(|l| l.as_array().cloned())
                    .unwrap_or_default();
                levels.retain(|l| {
                    l.get("level").and_then(serde_json::Value::as_u64) != Some(u64::from(*level))
                });
                levels.push(serde_json::json!({"level": level, "completed": completed, "from": from, "to": to}));
                levels.sort_by_key(|l| l.get("level").and_then(serde_json::Value::as_u64));
                let done = levels
                    .iter()
                    .filter(|l| {
                        l.get("completed").and_then(serde_json::Value::as_bool) == Some(true)
                    })
                    .count();
                let failed = levels.iter().any(|l| {
                    l.get("completed").and_then(serde_json::Value::as_bool) == Some(false)
                });
                detail["levels"] = serde_json::Value::Array(levels);
                let status = if failed {
                    StageStatus::Failed
                } else if done == 3 {
                    StageStatus::Passed
                } else {
                    StageStatus::Pending
                };
                Ok(Entry {
                    status,
                    score: None,
                    detail,
                    reason: format!(
                        "training level {level} {}",
                        if *completed {
                            "completed"
                        } else {
                            "not completed"
                        }
                    ),
                })
            }
            (
                3,
                StageInput::Internship {
                    host_school,
                    mentor,
                    from,
                    to,
                    score,
                    comment,
                },
            ) => {
                if clean(host_school).is_empty() || clean(mentor).is_empty() {
                    return Err("internship: the host school and the mentor are required".into());
                }
                if !valid_date(from) || !valid_date(to) || to < from {
                    return Err(
                        "internship dates: give from and to as YYYY-MM-DD, to not before from"
                            .into(),
                    );
                }
                if !(0.0..=100.0).contains(score) {
                    return Err(format!(
                        "internship: the mentor's score is 0-100, not {score}"
                    ));
                }
                let rule = Self::stage_rule(settings, 3);
                Ok(Entry {
                    status: Self::decide(&rule, *score),
                    score: Some(*score),
                    detail: serde_json::json!({
                        "host_school": clean(host_school), "mentor": clean(mentor),
                        "from": from, "to": to, "comment": comment.trim(),
                    }),
                    reason: format!("internship evaluated ({})", rule.describe()),
                })
            }
            (
                _,
                StageInput::Status {
                    status,
                    score,
                    reason,
                },
            ) => {
                if *status == StageStatus::Pending {
                    return Err("record passed, failed or withdrawn".into());
                }
                if reason.trim().is_empty() {
                    return Err("a decision recorded directly needs a reason".into());
                }
                if let Some(s) = score
                    && !(0.0..=100.0).contains(s)
                {
                    return Err(format!("the score is 0-100, not {s}"));
                }
                let detail = current
                    .and_then(|o| serde_json::from_str(&o.detail).ok())
                    .unwrap_or_else(|| serde_json::json!({}));
                Ok(Entry {
                    status: *status,
                    score: score.or_else(|| current.and_then(|o| o.score)),
                    detail,
                    reason: reason.trim().to_string(),
                })
            }
            (2, _) => Err("stage 2 takes training levels (or a status)".into()),
            (3, _) => Err("stage 3 takes the internship (or a status)".into()),
            (4, _) => Err("stage 4 is scored by the experts' marks (or a status)".into()),
            (5, _) => Err("stage 5 is decided by the commission (or a status)".into()),
            _ => Err("stage 1 is set by the test (or a status)".into()),
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

    /// Staff record one stage result for one candidate.
    pub async fn record_stage(
        &self,
        user: &UserInfo,
        application_id: &str,
        stage: u8,
        input: StageInput,
    ) -> Result<ApplicationView, AppError> {
        require_admin(user)?;
        parse_stage(stage)?;
        let app = self.visible_application(user, application_id).await?;
        let campaign = self.campaign_row(&app.campaign_id).await?;
        let settings = Self::campaign_settings(&campaign);
        let outcomes = self.store().outcomes(&app.id).await?;
        if let Some(refusal) = Self::entry_refusal(&outcomes, stage) {
            return Err(conflict(refusal));
        }
        let current = outcomes.iter().find(|o| o.stage == i64::from(stage));
        let e = Self::entry_for(&settings, stage, current, &input).map_err(AppError::invalid)?;
        self.write_stage(&app, stage, e, &user.full_name).await?;
        self.application_view(&app).await
    }

    /// Staff upload a stage's results as CSV: previewed line by line; committed all or none.
    /// Columns: `iin` and, for stage 2, `level,completed,from,to`; for stage 3,
    /// `host_school,mentor,from,to,score,comment`; for any stage, `status,reason[,score]`.
    pub async fn import_stage(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        stage: u8,
        input: CsvInput,
    ) -> Result<CsvReport, AppError> {
        require_admin(user)?;
        parse_stage(stage)?;
        let campaign = self.campaign_row(campaign_id).await?;
        let settings = Self::campaign_settings(&campaign);
        let records = csv_records(&input.csv)?;
        let by_status = records
            .first()
            .is_some_and(|(_, r)| r.contains_key("status"));
        let mut working: HashMap<String, (ApplicationRow, Vec<OutcomeRow>)> = HashMap::new();
        let mut lines = Vec::new();
        let mut writes: Vec<(ApplicationRow, Entry)> = Vec::new();
        for (line, r) in &records {
            let iin = field(r, "iin").to_string();
            let result: Result<(String, Entry), String> = async {
                let Some(app) = self
                    .store()
                    .application_by_iin(&campaign.id, &iin)
                    .await
                    .map_err(|e| e.to_string())?
                else {
                    return Err(format!("no application with IIN {iin:?} in this campaign"));
                };
                if !working.contains_key(&app.id) {
                    let outcomes = self
                        .store()
                        .outcomes(&app.id)
                        .await
                        .map_err(|e| e.to_string())?;
                    working.insert(app.id.clone(), (app.clone(), outcomes));
                }
                let (_, outcomes) = &working[&app.id];
                if let Some(refusal) = Self::entry_refusal(outcomes, stage) {
                    return Err(refusal);
                }
                let stage_input = if by_status {
                    let status = StageStatus::parse(&field(r, "status").to_lowercase())
                        .ok_or_else(|| {
                            format!(
                                "status: {:?} is not passed, failed or withdrawn",
                                field(r, "status")
                            )
                        })?;
                    let score = match field(r, "score") {
                        "" => None,
                        s => Some(
                            s.replace(',', ".")
                                .parse::<f64>()
                                .map_err(|_| format!("score: {s:?} is not a number"))?,
                        ),
                    };
                    StageInput::Status {
                        status,
                        score,
                        reason: field(r, "reason").into(),
                    }
                } else if stage == 2 {
                    StageInput::Training {
                        level: field(r, "level")
                            .parse()
                            .map_err(|_| format!("level: {:?} is not 1-3", field(r, "level")))?,
                        completed: parse_bool(field(r, "completed")).ok_or_else(|| {
                            format!("completed: {:?} is not yes or no", field(r, "completed"))
                        })?,
                        from: field(r, "from").into(),
                        to: field(r, "to").into(),
                    }
                } else if stage == 3 {
                    StageInput::Internship {
                        host_school: field(r, "host_school").into(),
                        mentor: field(r, "mentor").into(),
                        from: field(r, "from").into(),
                        to: field(r, "to").into(),
                        score: field(r, "score").replace(',', ".").parse().map_err(|_| {
                            format!("score: {:?} is not a number", field(r, "score"))
                        })?,
                        comment: field(r, "comment").into(),
                    }
                } else {
                    return Err(format!(
                        "stage {stage} is uploaded with the columns iin,status,reason"
                    ));
                };
                let current = outcomes.iter().find(|o| o.stage == i64::from(stage));
                let e = Self::entry_for(&settings, stage, current, &stage_input)?;
                Ok((app.id.clone(), e))
            }
            .await;
            match result {
                Ok((app_id, e)) => {
                    let Some((app, outcomes)) = working.get_mut(&app_id) else {
                        return Err(internal("a previewed application vanished"));
                    };
                    lines.push(PreviewLine {
                        line: *line,
                        iin: iin.clone(),
                        full_name: app.full_name.clone(),
                        action: format!("{} -> {}", e.reason, e.status.as_str()),
                        error: None,
                    });
                    // Later lines for the same candidate build on this one.
                    let row = OutcomeRow {
                        application_id: app.id.clone(),
                        stage: i64::from(stage),
                        status: e.status.as_str().into(),
                        score: e.score,
                        detail: e.detail.to_string(),
                        recorded_by: user.full_name.clone(),
                        recorded_at: self.now(),
                    };
                    outcomes.retain(|o| o.stage != i64::from(stage));
                    outcomes.push(row);
                    writes.push((app.clone(), e));
                }
                Err(message) => lines.push(PreviewLine {
                    line: *line,
                    iin,
                    full_name: String::new(),
                    action: "none".into(),
                    error: Some(message),
                }),
            }
        }
        let errors = lines.iter().filter(|l| l.error.is_some()).count();
        let mut committed = false;
        if input.commit && errors == 0 {
            let now = self.now();
            let batch: Vec<OutcomeWrite> = writes
                .iter()
                .map(|(app, e)| OutcomeWrite {
                    outcome: OutcomeRow {
                        application_id: app.id.clone(),
                        stage: i64::from(stage),
                        status: e.status.as_str().into(),
                        score: e.score,
                        detail: e.detail.to_string(),
                        recorded_by: user.full_name.clone(),
                        recorded_at: now,
                    },
                    reason: format!("CSV upload: {}", e.reason),
                })
                .collect();
            self.store().write_outcomes(&batch).await?;
            if stage == 5 {
                for (app, e) in &writes {
                    if e.status == StageStatus::Passed {
                        self.issue_certificate(app).await?;
                    }
                }
            }
            committed = true;
        }
        Ok(CsvReport {
            valid: u32::try_from(writes.len()).unwrap_or(u32::MAX),
            errors: u32::try_from(errors).unwrap_or(u32::MAX),
            lines,
            committed,
        })
    }

    /// Applies a rule to the whole field of a scored stage: previewed, or committed (every
    /// changed outcome logged, the rule and its cut lines recorded).
    pub async fn select_stage(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        stage: u8,
        input: SelectInput,
    ) -> Result<SelectionView, AppError> {
        require_admin(user)?;
        if !parse_stage(stage)?.is_scored() {
            return Err(AppError::invalid(
                "Only the scored stages (1, 3, 4) are cut by a rule.",
            ));
        }
        input
            .rule
            .validate()
            .map_err(|e| AppError::invalid(format!("{e}.")))?;
        let campaign = self.campaign_row(campaign_id).await?;
        let field = self
            .store()
            .stage_field(&campaign.id, i64::from(stage))
            .await?;
        let contenders: Vec<Contender> = field
            .iter()
            .filter(|f| f.status != "withdrawn")
            .filter_map(|f| {
                Some(Contender {
                    id: f.application_id.clone(),
                    region: f.region.clone(),
                    score: f.score?,
                    management_years: u32::try_from(f.management_years).unwrap_or(0),
                    teaching_years: u32::try_from(f.teaching_years).unwrap_or(0),
                    applied_at: f.created_at,
                })
            })
            .collect();
        if contenders.is_empty() {
            return Err(conflict(format!(
                "Nobody has a score in stage {stage} of this campaign yet."
            )));
        }
        let selection = selection::select(&input.rule, &contenders);
        let rule_text = input.rule.describe();
        let now = self.now();
        let mut writes = Vec::new();
        let by_id: HashMap<&str, &FieldRow> = field
            .iter()
            .map(|f| (f.application_id.as_str(), f))
            .collect();
        for (ids, status) in [
            (&selection.passed, StageStatus::Passed),
            (&selection.failed, StageStatus::Failed),
        ] {
            for id in ids {
                let Some(f) = by_id.get(id.as_str()) else {
                    continue;
                };
                if f.status == status.as_str() {
                    continue;
                }
                writes.push(OutcomeWrite {
                    outcome: OutcomeRow {
                        application_id: id.clone(),
                        stage: i64::from(stage),
                        status: status.as_str().into(),
                        score: f.score,
                        detail: f.detail.clone(),
                        recorded_by: user.full_name.clone(),
                        recorded_at: now,
                    },
                    reason: format!("selection rule: {rule_text}"),
                });
            }
        }
        let view = SelectionView {
            stage,
            rule_text: rule_text.clone(),
            rule: Some(input.rule.clone()),
            passed: u32::try_from(selection.passed.len()).unwrap_or(u32::MAX),
            failed: u32::try_from(selection.failed.len()).unwrap_or(u32::MAX),
            changes: u32::try_from(writes.len()).unwrap_or(u32::MAX),
            lines: selection.lines.clone(),
            committed: input.commit,
            applied_by: user.full_name.clone(),
            applied_ms: now,
        };
        if input.commit {
            let cut = CutRow {
                id: 0,
                campaign_id: campaign.id.clone(),
                stage: i64::from(stage),
                rule: serde_json::to_string(&input.rule).map_err(internal)?,
                result: serde_json::to_string(&view).map_err(internal)?,
                applied_by: user.full_name.clone(),
                applied_at: now,
            };
            self.store().apply_cut(&cut, &writes).await?;
        }
        Ok(view)
    }

    /// The cuts applied in a campaign, newest first.
    pub async fn cuts(
        &self,
        user: &UserInfo,
        campaign_id: &str,
    ) -> Result<Vec<SelectionView>, AppError> {
        require_admin(user)?;
        self.campaign_row(campaign_id).await?;
        Ok(self
            .store()
            .cuts(campaign_id)
            .await?
            .iter()
            .filter_map(|c| serde_json::from_str(&c.result).ok())
            .collect())
    }

    /// The application an attempt counts for: in the campaign of its sitting, or else the
    /// newest campaign of its blueprint.
    async fn attempt_application(
        &self,
        row: &AttemptRow,
    ) -> Result<Option<(CampaignRow, ApplicationRow)>, AppError> {
        let sitting_campaign = match &row.sitting_id {
            Some(s) => self.store().sitting_campaign(s).await?,
            None => None,
        };
        // The newest application first.
        for app in self.store().applications_of_user(&row.user_id).await? {
            let Some(campaign) = self.store().campaign(&app.campaign_id).await? else {
                continue;
            };
            let counts = match &sitting_campaign {
                Some(c) => *c == campaign.id,
                None => campaign.blueprint_id.as_deref() == Some(row.blueprint_id.as_str()),
            };
            if counts {
                return Ok(Some((campaign, app)));
            }
        }
        Ok(None)
    }

    /// After an attempt is scored: the candidate's stage one, by the campaign's rule for
    /// stage 1 or else the blueprint's pass mark.
    pub(crate) async fn stage_one_from_attempt(
        &self,
        row: &AttemptRow,
        report: &ScoreReport,
        recorded_by: &str,
    ) -> Result<(), AppError> {
        let Some((campaign, app)) = self.attempt_application(row).await? else {
            return Ok(());
        };
        let settings = Self::campaign_settings(&campaign);
        let status = match (&row.termination, settings.rule(1)) {
            (Some(_), _) => StageStatus::Failed,
            (None, Some(rule)) => Self::decide(rule, report.percent),
            (None, None) if report.passed => StageStatus::Passed,
            (None, None) => StageStatus::Failed,
        };
        let current = self.store().outcome(&app.id, 1).await?;
        if let Some(c) = &current
            && c.status == status.as_str()
            && c.score == Some(report.percent)
        {
            return Ok(());
        }
        let reason = match (&row.termination, &current) {
            (Some(t), _) => format!("the attempt was ended by a proctor: {t}"),
            (None, Some(_)) => "the attempt was scored again".into(),
            (None, None) => "the attempt was scored".into(),
        };
        self.write_stage(
            &app,
            1,
            Entry {
                status,
                score: Some(report.percent),
                detail: serde_json::json!({"attempt_id": row.id, "pass_percent": report.pass_percent}),
                reason,
            },
            recorded_by,
        )
        .await
    }

    /// Sets a campaign's experts or commission (staff): e-mails one per line, all or none.
    pub async fn set_panel(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        panel: &str,
        input: PanelInput,
    ) -> Result<Vec<PanelMember>, AppError> {
        require_admin(user)?;
        let role = match panel {
            "expert" => Role::Expert,
            "commission" => Role::Commission,
            _ => return Err(AppError::not_found("This panel")),
        };
        self.campaign_row(campaign_id).await?;
        let mut members = Vec::new();
        let mut errors = Vec::new();
        let chair = input.chair.as_deref().map(|c| c.trim().to_lowercase());
        for (n, line) in input.emails.lines().enumerate() {
            let email = line.trim().to_lowercase();
            if email.is_empty() {
                continue;
            }
            match self.store().user_by_email(&email).await? {
                Some(u) if u.role == role.as_str() => {
                    if !members.iter().any(|(id, _): &(String, bool)| *id == u.id) {
                        members.push((u.id, chair.as_deref() == Some(email.as_str())));
                    }
                }
                Some(_) => errors.push(format!(
                    "line {}: {email} is not a {} account",
                    n + 1,
                    role.as_str()
                )),
                None => errors.push(format!("line {}: there is no account {email}", n + 1)),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::invalid(errors.join("; ")));
        }
        if role == Role::Commission && chair.is_some() && !members.iter().any(|(_, c)| *c) {
            return Err(AppError::invalid("The chair must be one of the members."));
        }
        self.store().set_panel(campaign_id, panel, &members).await?;
        self.get_panel(user, campaign_id, panel).await
    }

    pub async fn get_panel(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        panel: &str,
    ) -> Result<Vec<PanelMember>, AppError> {
        require_admin(user)?;
        Ok(self
            .store()
            .panel(campaign_id, panel)
            .await?
            .into_iter()
            .map(|p| PanelMember {
                user_id: p.user_id,
                full_name: p.full_name,
                email: p.email,
                chair: p.chair != 0,
            })
            .collect())
    }

    /// The experts with the fewest reports, leaving out `except`.
    async fn pick_markers(
        &self,
        campaign_id: &str,
        n: usize,
        except: &[String],
    ) -> Result<Vec<String>, AppError> {
        let mut loads = self.store().marker_loads(campaign_id).await?;
        loads.retain(|(id, _)| !except.contains(id));
        // Least loaded first; among equals, a random order.
        let mut rng = rand::rng();
        let mut keyed: Vec<(i64, u32, String)> = loads
            .into_iter()
            .map(|(id, load)| (load, rng.random::<u32>(), id))
            .collect();
        keyed.sort();
        Ok(keyed.into_iter().take(n).map(|(_, _, id)| id).collect())
    }

    /// The candidate hands in the final report (stage 4); two experts are given it blind.
    pub async fn submit_report(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: ReportInput,
    ) -> Result<ApplicationView, AppError> {
        let app = self.visible_application(user, application_id).await?;
        if app.user_id.as_deref() != Some(user.id.as_str()) {
            return Err(AppError::forbidden());
        }
        let outcomes = self.store().outcomes(&app.id).await?;
        if let Some(refusal) = Self::entry_refusal(&outcomes, 4) {
            return Err(conflict(refusal));
        }
        if self.store().report(&app.id).await?.is_some() {
            return Err(conflict("Your report has been handed in already."));
        }
        let text = input.text.trim();
        let words = text.split_whitespace().count();
        if words < 50 || text.len() > 100_000 {
            return Err(AppError::invalid(format!(
                "The report needs at least 50 words (this has {words}) and at most 100,000 characters."
            )));
        }
        let markers = self.pick_markers(&app.campaign_id, 2, &[]).await?;
        if markers.len() < 2 {
            return Err(conflict(
                "The campaign has fewer than two experts yet; the programme staff must name them \
                 before reports can be handed in.",
            ));
        }
        let code = {
            let mut rng = rand::rng();
            let letters: Vec<u8> = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ".to_vec();
            let s: String = (0..8)
                .map(|_| letters[rng.random_range(0..letters.len())] as char)
                .collect();
            format!("R-{s}")
        };
        let now = self.now();
        self.store()
            .insert_report(
                &ReportRow {
                    application_id: app.id.clone(),
                    code: code.clone(),
                    body: text.to_string(),
                    submitted_at: now,
                },
                &[(markers[0].clone(), 1), (markers[1].clone(), 2)],
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict => conflict("Your report has been handed in already."),
                e => e.into(),
            })?;
        self.write_stage(
            &app,
            4,
            Entry {
                status: StageStatus::Pending,
                score: None,
                detail: serde_json::json!({"report": code}),
                reason: "report handed in; two experts assigned".into(),
            },
            &user.full_name,
        )
        .await?;
        self.application_view(&app).await
    }

    /// Reports given to the calling expert: codes and texts, never names.
    pub async fn marking_tasks(&self, user: &UserInfo) -> Result<Vec<MarkingTask>, AppError> {
        if user.role != Role::Expert {
            return Err(AppError::forbidden());
        }
        let mut rubrics: HashMap<String, question_bank::selection::Rubric> = HashMap::new();
        let mut out = Vec::new();
        for m in self.store().marking_queue(&user.id).await? {
            if !rubrics.contains_key(&m.campaign_id) {
                let c = self.campaign_row(&m.campaign_id).await?;
                rubrics.insert(m.campaign_id.clone(), Self::campaign_settings(&c).rubric);
            }
            out.push(MarkingTask {
                code: m.code,
                body: m.body,
                round: u8::try_from(m.round).unwrap_or(0),
                marked: m.marked_at.is_some(),
                points: m.points,
                rubric: rubrics[&m.campaign_id].clone(),
            });
        }
        Ok(out)
    }

    /// An expert marks a report; two marks within the margin (or a third) decide stage 4.
    pub async fn mark_report(
        &self,
        user: &UserInfo,
        code: &str,
        input: MarkInput,
    ) -> Result<MarkAck, AppError> {
        if user.role != Role::Expert {
            return Err(AppError::forbidden());
        }
        let task = self
            .store()
            .marking_queue(&user.id)
            .await?
            .into_iter()
            .find(|m| m.code == code)
            .ok_or_else(|| AppError::not_found("A report with this code given to you"))?;
        if task.marked_at.is_some() {
            return Err(conflict("You have marked this report already."));
        }
        let campaign = self.campaign_row(&task.campaign_id).await?;
        let settings = Self::campaign_settings(&campaign);
        let rubric = &settings.rubric;
        let points = rubric
            .points(&input.levels)
            .map_err(|e| AppError::invalid(format!("{e}.")))?;
        let saved = self
            .store()
            .save_mark(&MarkRow {
                application_id: task.application_id.clone(),
                marker_id: user.id.clone(),
                round: task.round,
                levels: Some(serde_json::to_string(&input.levels).map_err(internal)?),
                points: Some(points),
                comment: input.comment.trim().chars().take(5000).collect(),
                marked_at: Some(self.now()),
            })
            .await?;
        if !saved {
            return Err(conflict("You have marked this report already."));
        }
        let marks = self.store().marks(&task.application_id).await?;
        let mut ordered: Vec<&MarkRow> = marks.iter().collect();
        ordered.sort_by_key(|m| m.round);
        let given: Vec<f64> = ordered.iter().filter_map(|m| m.points).collect();
        let all_marked = ordered.iter().all(|m| m.points.is_some());
        let app = self
            .store()
            .application(&task.application_id)
            .await?
            .ok_or_else(|| internal("a marked report has no application"))?;
        let resolution = if all_marked {
            resolve_marks(&given, rubric.margin)
        } else {
            Resolution::Waiting
        };
        match resolution {
            Resolution::Waiting => Ok(MarkAck {
                points,
                state: "waiting".into(),
                final_percent: None,
            }),
            Resolution::NeedsThird => {
                let except: Vec<String> = marks.iter().map(|m| m.marker_id.clone()).collect();
                let third = self.pick_markers(&app.campaign_id, 1, &except).await?;
                let state = match third.first() {
                    Some(t) => {
                        self.store().assign_marker(&app.id, t, 3).await?;
                        "third_marker"
                    }
                    None => "third_marker_unavailable",
                };
                Ok(MarkAck {
                    points,
                    state: state.into(),
                    final_percent: None,
                })
            }
            Resolution::Final(final_points) => {
                let percent = rubric.percent(final_points);
                let rule = Self::stage_rule(&settings, 4);
                let status = Self::decide(&rule, percent);
                let report = self.store().report(&app.id).await?;
                self.write_stage(
                    &app,
                    4,
                    Entry {
                        status,
                        score: Some(percent),
                        detail: serde_json::json!({
                            "report": report.map(|r| r.code),
                            "marks": given,
                            "final_points": final_points,
                            "max_points": rubric.max_points(),
                            "third_marker": given.len() > 2,
                        }),
                        reason: format!(
                            "double-marked: {} of {} points ({})",
                            final_points,
                            rubric.max_points(),
                            rule.describe()
                        ),
                    },
                    "experts",
                )
                .await?;
                Ok(MarkAck {
                    points,
                    state: "final".into(),
                    final_percent: Some(percent),
                })
            }
        }
    }

    async fn commission_seat(
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

    async fn interview_candidate(
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
                            .and_then(|r| {
                                r.answer
                                    .as_deref()
                                    .and_then(|a| serde_json::from_str(a).ok())
                                    .or_else(|| r.choice.map(|c| serde_json::json!({"choice": c})))
                            })
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

    /// Issues the certificate of a candidate who passed all five stages (once).
    async fn issue_certificate(&self, app: &ApplicationRow) -> Result<(), AppError> {
        if self.store().certificate_of(&app.id).await?.is_some() {
            return Ok(());
        }
        let outcomes = self.store().outcomes(&app.id).await?;
        if (1..=5).any(|s| {
            !outcomes
                .iter()
                .any(|o| o.stage == s && o.status == "passed")
        }) {
            return Ok(());
        }
        let campaign = self.campaign_row(&app.campaign_id).await?;
        let settings = Self::campaign_settings(&campaign);
        let now = self.now();
        for _ in 0..5 {
            let number = certificate_number(
                i32::try_from(campaign.year).unwrap_or(2026),
                rand::rng().random(),
            );
            let row = CertificateRow {
                number,
                application_id: app.id.clone(),
                full_name: app.full_name.clone(),
                category: CATEGORY_RU.into(),
                region: app.region.clone(),
                issued_at: now,
                valid_until: now + i64::from(settings.validity_years) * 365 * DAY_MS,
                revoked_at: None,
                revoked_by: None,
                revoked_reason: None,
                revoked_note: None,
            };
            match self.store().insert_certificate(&row).await {
                Ok(()) => return Ok(()),
                Err(StoreError::Conflict) => {
                    if self.store().certificate_of(&app.id).await?.is_some() {
                        return Ok(());
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(internal("no free certificate number after five tries"))
    }

    /// What anyone may learn of a certificate by its number.
    pub async fn verify_certificate(&self, number: &str) -> Result<CertificateCheck, AppError> {
        let number = parse_certificate_number(number).ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                "This is not a certificate number (LM-YYYY-XXXX-XXXX): check it was typed right.",
            )
        })?;
        let c =
            self.store().certificate(&number).await?.ok_or_else(|| {
                AppError::new(ErrorCode::NotFound, "No certificate has this number.")
            })?;
        let state = if c.revoked_at.is_some() {
            "revoked"
        } else if self.now() > c.valid_until {
            "expired"
        } else {
            "valid"
        };
        Ok(CertificateCheck {
            number: c.number,
            full_name: c.full_name,
            category: c.category,
            issued_ms: c.issued_at,
            valid_until_ms: c.valid_until,
            state: state.into(),
            revoked_ms: c.revoked_at,
        })
    }

    /// A certificate by its number as typed (any case, spaces around), or not found.
    async fn certificate_by_number(&self, number: &str) -> Result<CertificateRow, AppError> {
        let number = parse_certificate_number(number)
            .ok_or_else(|| AppError::not_found("The certificate"))?;
        self.store()
            .certificate(&number)
            .await?
            .ok_or_else(|| AppError::not_found("The certificate"))
    }

    /// The certificate as PDF: its holder and staff.
    pub async fn certificate_pdf(
        &self,
        user: &UserInfo,
        number: &str,
        verify_base: &str,
    ) -> Result<Vec<u8>, AppError> {
        let c = self.certificate_by_number(number).await?;
        self.visible_application(user, &c.application_id).await?;
        if c.revoked_at.is_some() {
            return Err(conflict(
                "This certificate has been revoked: it is no longer issued as a document.",
            ));
        }
        let url = format!("{}/verify/{}", verify_base.trim_end_matches('/'), c.number);
        crate::certificate::pdf(&c, &url).map_err(internal)
    }

    /// Revokes a certificate (administrators): a reason from [`REVOCATION_REASONS`], a note
    /// (required with `other`, at most 1,000 characters). Once: a second revocation is a
    /// conflict. The holder leaves the reserve, reads the reason in their language, and the
    /// public check says revoked from that day.
    pub async fn revoke_certificate(
        &self,
        user: &UserInfo,
        number: &str,
        input: RevocationInput,
    ) -> Result<ApplicationView, AppError> {
        require_admin(user)?;
        let c = self.certificate_by_number(number).await?;
        if !REVOCATION_REASONS.contains(&input.reason.as_str()) {
            return Err(AppError::invalid(format!(
                "The reason is one of {}.",
                REVOCATION_REASONS.join(", ")
            )));
        }
        let note = clean(&input.note);
        if note.chars().count() > 1000 {
            return Err(AppError::invalid("The note is at most 1,000 characters."));
        }
        if input.reason == "other" && note.is_empty() {
            return Err(AppError::invalid(
                "With the reason \"other\", say in the note why the certificate is revoked.",
            ));
        }
        let app = self.visible_application(user, &c.application_id).await?;
        if !self
            .store()
            .revoke_certificate(&c.number, self.now(), &user.full_name, &input.reason, &note)
            .await?
        {
            return Err(conflict("This certificate has been revoked already."));
        }
        tracing::info!(certificate = %c.number, by = %user.email, reason = %input.reason, "certificate revoked");
        self.application_view(&app).await
    }

    /// Staff record that a reserve member was appointed director without competition.
    pub async fn appoint(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: AppointmentInput,
    ) -> Result<ApplicationView, AppError> {
        require_admin(user)?;
        let app = self.visible_application(user, application_id).await?;
        match self.store().certificate_of(&app.id).await? {
            Some(c) if c.revoked_at.is_none() => {}
            _ => {
                return Err(conflict(
                    "Only members of the reserve (with a certificate) are appointed this way.",
                ));
            }
        }
        let school = clean(&input.school);
        let position = clean(&input.position);
        if school.is_empty() || position.is_empty() || !valid_date(&input.date) {
            return Err(AppError::invalid(
                "Give the school, the position and the date (YYYY-MM-DD).",
            ));
        }
        let row = AppointmentRow {
            application_id: app.id.clone(),
            school,
            position,
            appointed_on: input.date.clone(),
            recorded_by: user.full_name.clone(),
            recorded_at: self.now(),
        };
        match self.store().insert_appointment(&row).await {
            Err(StoreError::Conflict) => {
                return Err(conflict("This appointment is recorded already."));
            }
            r => r?,
        }
        self.application_view(&app).await
    }

    /// The reserve (national, or a region's), with who is appointed and who is available.
    pub async fn reserve(
        &self,
        user: &UserInfo,
        campaign_id: Option<&str>,
        region: Option<&str>,
        available_only: bool,
    ) -> Result<Vec<ReserveEntry>, AppError> {
        require_admin(user)?;
        Ok(self
            .store()
            .reserve(
                campaign_id.filter(|c| !c.is_empty()),
                region.filter(|r| !r.is_empty()),
            )
            .await?
            .into_iter()
            .filter(|r| !available_only || r.appointed_on.is_none())
            .map(|r| ReserveEntry {
                application_id: r.application_id,
                campaign_id: r.campaign_id,
                full_name: r.full_name,
                region: r.region,
                district: r.district,
                school: r.school,
                certificate: r.number,
                issued_ms: r.issued_at,
                valid_until_ms: r.valid_until,
                appointed_school: r.appointed_school,
                appointed_position: r.appointed_position,
                appointed_on: r.appointed_on,
            })
            .collect())
    }

    /// The funnel of a campaign (or all), by region, year or in total.
    pub async fn funnel(
        &self,
        user: &UserInfo,
        campaign_id: Option<&str>,
        by: &str,
    ) -> Result<FunnelReport, AppError> {
        require_admin(user)?;
        let campaign_id = campaign_id.filter(|c| !c.is_empty());
        if let Some(c) = campaign_id {
            self.campaign_row(c).await?;
        }
        let by = match by {
            "region" | "year" => by,
            _ => "all",
        };
        let entries: Vec<selection::FunnelEntry> = self
            .store()
            .funnel_rows(campaign_id)
            .await?
            .into_iter()
            .map(|r| {
                let statuses = [&r.s1, &r.s2, &r.s3, &r.s4, &r.s5];
                let passed = statuses
                    .iter()
                    .take_while(|s| s.as_deref() == Some("passed"))
                    .count();
                selection::FunnelEntry {
                    region: r.region,
                    year: i32::try_from(r.year).unwrap_or(0),
                    stages_passed: u8::try_from(passed).unwrap_or(0),
                    in_reserve: r.reserve != 0,
                    appointed: r.appointed != 0,
                }
            })
            .collect();
        let view = |r: selection::FunnelRow| FunnelRowView {
            conversion: r.conversion(),
            group: r.group,
            counts: r.counts,
        };
        let total = selection::funnel(&entries, "all")
            .into_iter()
            .next()
            .map(view)
            .unwrap_or(FunnelRowView {
                group: "all".into(),
                counts: vec![0; selection::FUNNEL_STEPS.len()],
                conversion: vec![0.0; selection::FUNNEL_STEPS.len()],
            });
        let rows = if by == "all" {
            Vec::new()
        } else {
            selection::funnel(&entries, by)
                .into_iter()
                .map(view)
                .collect()
        };
        Ok(FunnelReport {
            campaign_id: campaign_id.map(str::to_string),
            by: by.into(),
            steps: selection::FUNNEL_STEPS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            total,
            rows,
        })
    }
}

/// The funnel as CSV: one line per group, counts then conversion rates.
pub fn funnel_csv(r: &FunnelReport) -> String {
    let mut out = String::from("group");
    for s in &r.steps {
        out.push(',');
        out.push_str(s);
    }
    for s in r.steps.iter().skip(1) {
        out.push_str(&format!(",{s}_rate"));
    }
    out.push('\n');
    for row in r.rows.iter().chain(std::iter::once(&r.total)) {
        let group = if row.group.contains([',', '"']) {
            format!("\"{}\"", row.group.replace('"', "\"\""))
        } else {
            row.group.clone()
        };
        out.push_str(&group);
        for c in &row.counts {
            out.push_str(&format!(",{c}"));
        }
        for c in row.conversion.iter().skip(1) {
            out.push_str(&format!(",{c}"));
        }
        out.push('\n');
    }
    out
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
