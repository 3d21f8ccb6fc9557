//! Wire types shared by the server and the browser. Nothing here carries an answer key.

use question_bank::Language;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// What a signed-in person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Applicant,
    Proctor,
    Methodologist,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Applicant,
        Role::Proctor,
        Role::Methodologist,
        Role::Admin,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::Proctor => "proctor",
            Role::Methodologist => "methodologist",
            Role::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The signed-in person, as the server knows them from a verified token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct UserInfo {
    pub id: String,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    /// The sign-in session (one per login, so one per device). Server-side only: never sent.
    #[serde(skip)]
    pub session: String,
}

/// State of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttemptStatus {
    InProgress,
    /// Submitted by the candidate.
    Submitted,
    /// Closed by the server when the time ran out.
    Expired,
}

impl AttemptStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptStatus::InProgress => "in_progress",
            AttemptStatus::Submitted => "submitted",
            AttemptStatus::Expired => "expired",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            AttemptStatus::InProgress,
            AttemptStatus::Submitted,
            AttemptStatus::Expired,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
    pub fn is_open(self) -> bool {
        self == AttemptStatus::InProgress
    }
}

/// State of a candidate in one of the five stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum StageStatus {
    Pending,
    Passed,
    Failed,
    Withdrawn,
}

impl StageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StageStatus::Pending => "pending",
            StageStatus::Passed => "passed",
            StageStatus::Failed => "failed",
            StageStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            StageStatus::Pending,
            StageStatus::Passed,
            StageStatus::Failed,
            StageStatus::Withdrawn,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct StageView {
    /// 1 = competency test ... 5 = commission interview.
    pub stage: u8,
    pub status: StageStatus,
    pub updated_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AttemptSummary {
    pub id: String,
    pub status: AttemptStatus,
    pub deadline_ms: i64,
}

/// The stage-one test as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct TestCard {
    pub blueprint_id: String,
    pub blueprint_name: String,
    pub item_count: u32,
    pub time_limit_minutes: u32,
    pub pass_percent: f64,
    pub attempt: Option<AttemptSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CountRow {
    pub label: String,
    pub count: i64,
}

/// Figures for staff roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Overview {
    pub items_by_competency: Vec<CountRow>,
    pub attempts_in_progress: i64,
    pub attempts_submitted: i64,
    pub attempts_passed: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Dashboard {
    pub user: UserInfo,
    pub test: Option<TestCard>,
    pub stages: Vec<StageView>,
    pub overview: Option<Overview>,
}

/// One question as a candidate sees it: texts in the attempt's language, options in the
/// candidate's own shuffled order. Options are answered by their shown position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ItemView {
    pub item_id: String,
    pub number: u32,
    pub competency: String,
    pub competency_name: String,
    pub stem: String,
    pub options: Vec<String>,
}

/// Something that happened to an attempt (started, device takeover, submitted...), as kept for
/// proctors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AttemptEvent {
    pub at_ms: i64,
    /// `started`, `device_claimed`, `device_takeover`, `submitted`, `expired`.
    pub kind: String,
    /// Details, a JSON object (e.g. which sign-in session took the attempt from which).
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AnswerView {
    pub item_id: String,
    /// Shown position of the chosen option; `None` when the answer was cleared.
    pub choice: Option<u32>,
    pub seq: i64,
}

/// Everything the test page needs to show (or resume) an attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AttemptView {
    pub id: String,
    pub status: AttemptStatus,
    pub blueprint_name: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "ru"))]
    pub language: Language,
    pub started_ms: i64,
    pub deadline_ms: i64,
    /// The server's clock when this view was made, to correct the browser's clock.
    pub server_now_ms: i64,
    pub time_limit_minutes: u32,
    /// The highest save sequence number the server has seen for this attempt.
    pub last_seq: i64,
    pub items: Vec<ItemView>,
    pub answers: Vec<AnswerView>,
}

/// One response as the browser sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveRequest {
    /// Per-attempt sequence number, increasing with every change the browser makes.
    pub seq: i64,
    /// Shown position of the chosen option, or `null` to clear the answer.
    pub choice: Option<u32>,
}

/// The server's acknowledgement: sent only once the save is durable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct SaveAck {
    pub item_id: String,
    pub seq: i64,
    /// `false` when a save with a higher sequence number was already stored; nothing changed.
    pub applied: bool,
    pub saved_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CompetencyResult {
    pub competency: String,
    pub name: String,
    pub correct: u32,
    pub total: u32,
    pub percent: f64,
}

/// The scored result of a closed attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ResultView {
    pub attempt_id: String,
    pub status: AttemptStatus,
    pub blueprint_name: String,
    pub submitted_ms: i64,
    pub correct: u32,
    pub total: u32,
    pub answered: u32,
    pub percent: f64,
    pub pass_percent: f64,
    pub passed: bool,
    pub by_competency: Vec<CompetencyResult>,
}

/// Credentials for signing in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// A signed-in session: the token is also set as an HttpOnly cookie.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct LoginResponse {
    pub token: String,
    pub expires_ms: i64,
    pub user: UserInfo,
}

/// Starting an attempt: the language of the test texts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct StartRequest {
    /// `kk`, `ru` or `en`; defaults to `ru`.
    pub language: Option<String>,
}
