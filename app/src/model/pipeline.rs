//! Wire types of the selection pipeline: campaigns, applications, stages, selection cuts,
//! appeals, certificates, the reserve and the funnel.

use super::{AttemptEvent, StageStatus};
use question_bank::selection::{CutLine, Rubric, Rule};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// The category a reserve member is given.
pub const CATEGORY_RU: &str = "руководитель-лидер";
pub const CATEGORY_KK: &str = "басшы-көшбасшы";
pub const CATEGORY_EN: &str = "leader-manager";

/// Kazakhstan's regions and cities of republican significance.
pub const REGIONS: [&str; 20] = [
    "Abai",
    "Akmola",
    "Aktobe",
    "Almaty Region",
    "Atyrau",
    "East Kazakhstan",
    "Jambyl",
    "Jetisu",
    "Karaganda",
    "Kostanay",
    "Kyzylorda",
    "Mangystau",
    "North Kazakhstan",
    "Pavlodar",
    "Turkestan",
    "Ulytau",
    "West Kazakhstan",
    "Astana",
    "Almaty",
    "Shymkent",
];

/// A region's name in a language (`kk`, `ru`, `en`); the stored value (English, one of
/// [`REGIONS`]) stays the key of files and the API. Unknown names come back as they are.
pub fn region_name<'a>(region: &'a str, lang: &str) -> &'a str {
    const NAMES: [(&str, &str, &str); 20] = [
        ("Abai", "Абай облысы", "Абайская область"),
        ("Akmola", "Ақмола облысы", "Акмолинская область"),
        ("Aktobe", "Ақтөбе облысы", "Актюбинская область"),
        ("Almaty Region", "Алматы облысы", "Алматинская область"),
        ("Atyrau", "Атырау облысы", "Атырауская область"),
        (
            "East Kazakhstan",
            "Шығыс Қазақстан облысы",
            "Восточно-Казахстанская область",
        ),
        ("Jambyl", "Жамбыл облысы", "Жамбылская область"),
        ("Jetisu", "Жетісу облысы", "Область Жетісу"),
        ("Karaganda", "Қарағанды облысы", "Карагандинская область"),
        ("Kostanay", "Қостанай облысы", "Костанайская область"),
        ("Kyzylorda", "Қызылорда облысы", "Кызылординская область"),
        ("Mangystau", "Маңғыстау облысы", "Мангистауская область"),
        (
            "North Kazakhstan",
            "Солтүстік Қазақстан облысы",
            "Северо-Казахстанская область",
        ),
        ("Pavlodar", "Павлодар облысы", "Павлодарская область"),
        ("Turkestan", "Түркістан облысы", "Туркестанская область"),
        ("Ulytau", "Ұлытау облысы", "Область Ұлытау"),
        (
            "West Kazakhstan",
            "Батыс Қазақстан облысы",
            "Западно-Казахстанская область",
        ),
        ("Astana", "Астана", "Астана"),
        ("Almaty", "Алматы", "Алматы"),
        ("Shymkent", "Шымкент", "Шымкент"),
    ];
    match NAMES.iter().find(|(en, ..)| *en == region) {
        Some((_, kk, _)) if lang == "kk" => kk,
        Some((_, _, ru)) if lang == "ru" => ru,
        _ => region,
    }
}

/// A stage's selection rule within a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct StageRule {
    /// 1, 3 or 4 (the scored stages).
    pub stage: u8,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub rule: Rule,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CampaignSettings {
    /// Rules of scored stages; a stage without one passes at 60% (stage 1: the blueprint's
    /// pass mark).
    #[serde(default)]
    pub rules: Vec<StageRule>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    #[serde(default = "Rubric::standard")]
    pub rubric: Rubric,
    /// Days after a result is recorded during which the candidate may appeal.
    #[serde(default = "default_appeal_days")]
    pub appeal_days: u32,
    /// Years a certificate is valid.
    #[serde(default = "default_validity")]
    pub validity_years: u32,
}

fn default_appeal_days() -> u32 {
    3
}
fn default_validity() -> u32 {
    3
}

impl Default for CampaignSettings {
    fn default() -> Self {
        CampaignSettings {
            rules: Vec::new(),
            rubric: Rubric::standard(),
            appeal_days: default_appeal_days(),
            validity_years: default_validity(),
        }
    }
}

impl CampaignSettings {
    pub fn rule(&self, stage: u8) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.stage == stage)
            .map(|r| &r.rule)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    /// Letters, digits and dashes, e.g. `2026-1`.
    pub id: String,
    pub name: String,
    pub year: i32,
    #[serde(default = "one")]
    pub round: u32,
    /// The stage-one test.
    #[serde(default)]
    pub blueprint_id: Option<String>,
    /// Applicants may apply.
    #[serde(default = "yes")]
    pub open: bool,
    #[serde(default)]
    pub settings: CampaignSettings,
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CampaignView {
    pub id: String,
    pub name: String,
    pub year: i32,
    pub round: u32,
    pub blueprint_id: Option<String>,
    pub open: bool,
    pub settings: CampaignSettings,
    /// The rules in words, per stage.
    pub rule_texts: Vec<String>,
}

/// An application, as the applicant fills it in (or a CSV line carries it).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApplicationInput {
    pub campaign_id: String,
    pub iin: String,
    pub full_name: String,
    pub region: String,
    pub district: String,
    pub school: String,
    pub position: String,
    pub teaching_years: u32,
    pub management_years: u32,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct OutcomeView {
    /// 1 = competency test ... 5 = commission interview.
    pub stage: u8,
    pub status: StageStatus,
    pub score: Option<f64>,
    /// The stage's record: training levels, internship, marks, interview decision...
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub detail: serde_json::Value,
    pub recorded_by: String,
    pub recorded_ms: i64,
    /// Until when the candidate may appeal this result (`None`: not appealable).
    pub appeal_until_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ApplicationView {
    pub id: String,
    pub campaign_id: String,
    pub campaign_name: String,
    pub iin: String,
    pub full_name: String,
    pub region: String,
    pub district: String,
    pub school: String,
    pub position: String,
    pub teaching_years: u32,
    pub management_years: u32,
    pub email: String,
    pub phone: String,
    pub source: String,
    pub created_ms: i64,
    pub stages: Vec<OutcomeView>,
    pub certificate: Option<String>,
    /// The certificate's revocation (who, when, why), if it was revoked.
    #[serde(default)]
    pub revocation: Option<RevocationView>,
    pub appointed: bool,
    /// The candidate passed stage 3 and may hand in the final report.
    pub report_due: bool,
    pub report_submitted: bool,
    pub appeals: Vec<AppealView>,
    /// Every recorded change of a stage result, oldest first.
    pub log: Vec<StageLogView>,
}

/// One line of the staff list of applications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ApplicationSummary {
    pub id: String,
    pub iin: String,
    pub full_name: String,
    pub region: String,
    pub school: String,
    /// Status of stages 1-5 (`None`: not entered).
    pub stages: Vec<Option<StageStatus>>,
    pub certificate: Option<String>,
    pub appointed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ApplicationPage {
    pub rows: Vec<ApplicationSummary>,
    pub total: i64,
}

/// A stage result recorded by staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StageInput {
    /// Stage 2: one training level completed or not, with its dates (`YYYY-MM-DD`).
    Training {
        level: u8,
        completed: bool,
        from: String,
        to: String,
    },
    /// Stage 3: the internship and the mentor's evaluation (0-100).
    Internship {
        host_school: String,
        mentor: String,
        from: String,
        to: String,
        score: f64,
        comment: String,
    },
    /// Any stage: a decision recorded directly (e.g. withdrawn), with the reason.
    Status {
        status: StageStatus,
        #[serde(default)]
        score: Option<f64>,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct StageLogView {
    pub stage: u8,
    pub status: StageStatus,
    pub score: Option<f64>,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_ms: i64,
}

/// A CSV upload: previewed (nothing written) or committed (all lines, or none when any line
/// has an error).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CsvInput {
    pub csv: String,
    #[serde(default)]
    pub commit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct PreviewLine {
    pub line: u32,
    pub iin: String,
    pub full_name: String,
    /// What the line does, in words.
    pub action: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CsvReport {
    pub lines: Vec<PreviewLine>,
    pub valid: u32,
    pub errors: u32,
    pub committed: bool,
}

/// A rank (or mark) rule to apply to a whole stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SelectInput {
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub rule: Rule,
    #[serde(default)]
    pub commit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct SelectionView {
    pub stage: u8,
    pub rule_text: String,
    /// The rule itself, for pages to put in words in their language (older stored cuts have
    /// only `rule_text`).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub rule: Option<question_bank::selection::Rule>,
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Object>))]
    pub lines: Vec<CutLine>,
    pub passed: u32,
    pub failed: u32,
    /// Candidates whose status the cut changes.
    pub changes: u32,
    pub committed: bool,
    pub applied_by: String,
    pub applied_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PanelInput {
    /// E-mail addresses, one per line.
    pub emails: String,
    /// The chair's address (commission only).
    #[serde(default)]
    pub chair: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct PanelMember {
    pub user_id: String,
    pub full_name: String,
    pub email: String,
    pub chair: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    pub text: String,
}

/// A report to mark, as an expert sees it: a code, never a name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct MarkingTask {
    pub code: String,
    pub body: String,
    pub round: u8,
    pub marked: bool,
    pub points: Option<f64>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub rubric: Rubric,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkInput {
    /// The level chosen for each criterion, in order (0 = the lowest).
    pub levels: Vec<usize>,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct MarkView {
    /// `marker 1`, `marker 2`, `third marker` (names are not shown to candidates).
    pub marker: String,
    pub round: u8,
    pub points: Option<f64>,
    pub levels: Vec<usize>,
    pub comment: String,
    pub marked_ms: Option<i64>,
}

/// What happened to a mark: the report's state after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct MarkAck {
    pub points: f64,
    /// `waiting` (for the other marker), `third_marker` (called), or `final`.
    pub state: String,
    pub final_percent: Option<f64>,
}

/// A candidate before the commission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct InterviewCandidate {
    pub application_id: String,
    pub campaign_id: String,
    pub full_name: String,
    pub region: String,
    pub school: String,
    pub assessment_percent: Option<f64>,
    pub my_score: Option<f64>,
    pub my_vote: Option<String>,
    pub scores: u32,
    pub votes_for: u32,
    pub votes_against: u32,
    pub decision: Option<StageStatus>,
    /// The caller chairs this campaign's commission.
    pub chair: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InterviewInput {
    /// 0-100.
    pub score: f64,
    /// `for` or `against`.
    pub vote: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub passed: bool,
    pub minutes: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct InterviewScoreView {
    pub member: String,
    pub score: f64,
    pub vote: String,
    pub comment: String,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AppealInput {
    pub stage: u8,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AppealView {
    pub id: String,
    pub application_id: String,
    pub full_name: String,
    pub stage: u8,
    pub reason: String,
    /// `open`, `upheld` or `rejected`.
    pub status: String,
    pub filed_ms: i64,
    pub decision: String,
    pub decided_by: Option<String>,
    pub decided_ms: Option<i64>,
}

/// One answer of the stage-one attempt, for an appeal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct EvidenceAnswer {
    pub item_id: String,
    pub version: i64,
    pub competency: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub answer: serde_json::Value,
    pub credit: Option<f64>,
}

/// Everything staff need to decide an appeal, in one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AppealEvidence {
    pub appeal: AppealView,
    pub application: ApplicationView,
    pub log: Vec<StageLogView>,
    /// Stage 1: the attempt's score report.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub score: Option<serde_json::Value>,
    pub answers: Vec<EvidenceAnswer>,
    /// Stage 1: the proctors' events and interventions.
    pub events: Vec<AttemptEvent>,
    /// Stage 4: the rubric marks.
    pub marks: Vec<MarkView>,
    /// Stage 5: the commission's scores and votes.
    pub interviews: Vec<InterviewScoreView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AppealDecision {
    pub upheld: bool,
    pub decision: String,
    /// The corrected result (upheld appeals).
    #[serde(default)]
    pub status: Option<StageStatus>,
    #[serde(default)]
    pub score: Option<f64>,
}

/// What anyone may see of a certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CertificateCheck {
    pub number: String,
    pub full_name: String,
    pub category: String,
    pub issued_ms: i64,
    pub valid_until_ms: i64,
    /// `valid`, `expired` or `revoked`.
    pub state: String,
    /// When it was revoked (the reason is told to its holder, not to the public).
    #[serde(default)]
    pub revoked_ms: Option<i64>,
}

/// The reasons a certificate may be revoked for.
pub const REVOCATION_REASONS: [&str; 6] = [
    "false_information",
    "misconduct",
    "court_decision",
    "holder_request",
    "issued_in_error",
    "other",
];

/// Revoking a certificate: a reason from [`REVOCATION_REASONS`] and a note (required with
/// `other`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RevocationInput {
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

/// A certificate's revocation as its holder and staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct RevocationView {
    pub reason: String,
    pub note: String,
    pub by: String,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AppointmentInput {
    pub school: String,
    pub position: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ReserveEntry {
    pub application_id: String,
    pub campaign_id: String,
    pub full_name: String,
    pub region: String,
    pub district: String,
    pub school: String,
    pub certificate: String,
    pub issued_ms: i64,
    pub valid_until_ms: i64,
    pub appointed_school: Option<String>,
    pub appointed_position: Option<String>,
    pub appointed_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct FunnelRowView {
    pub group: String,
    pub counts: Vec<u32>,
    /// Each step as a percentage of the step before.
    pub conversion: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct FunnelReport {
    pub campaign_id: Option<String>,
    /// `region`, `year` or `all`.
    pub by: String,
    pub steps: Vec<String>,
    pub total: FunnelRowView,
    pub rows: Vec<FunnelRowView>,
}

/// Filters and paging of the staff list of applications.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
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
