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
    /// Images the texts show, `(name, sha256)`: fetched from `/api/v1/attachments/{sha256}`.
    #[serde(default)]
    pub images: Vec<(String, String)>,
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

// ---- The question bank (methodologists) ----

/// Filters, order and page of the bank list (`GET /api/v1/bank/items?...`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(default)]
pub struct BankFilter {
    pub competency: Option<String>,
    /// `draft`, `in_review`, `published`, `retired`.
    pub status: Option<String>,
    /// `single_choice`, `multiple_response`, `true_false`, `matching`, `ordering`, `numeric`,
    /// `short_text`.
    pub item_type: Option<String>,
    /// Only items complete in this language (`kk`, `ru`, `en`).
    pub ready_in: Option<String>,
    /// Only items not yet complete in this language.
    pub missing_in: Option<String>,
    pub tag: Option<String>,
    /// Words to find in the id, the texts (any language) and the tags.
    pub q: Option<String>,
    /// `item_id` (default), `updated_at`, `competency`, `status`, `item_type`, `difficulty`.
    pub sort: Option<String>,
    pub descending: Option<bool>,
    /// From 1.
    pub page: Option<u32>,
    /// 1-200, default 50.
    pub per_page: Option<u32>,
}

/// One row of the bank list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct BankRow {
    pub item_id: String,
    pub version: i64,
    pub published_version: Option<i64>,
    pub status: String,
    pub item_type: String,
    pub competency: String,
    pub difficulty: String,
    /// Languages the item is complete in.
    pub ready: Vec<String>,
    pub tags: Vec<String>,
    pub preview: String,
    pub updated_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct BankPage {
    pub rows: Vec<BankRow>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Per language: how many of the texts a candidate sees are written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Completeness {
    pub language: String,
    pub done: u32,
    pub total: u32,
}

/// An item as the editor shows it: the newest version, with its key (methodologists only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ItemDoc {
    /// The item (texts, options, key, rationale, metadata), as `question_bank::Item`.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub item: question_bank::Item,
    pub status: String,
    pub published_version: Option<i64>,
    /// Send it back with an edit: if the item changed meanwhile the edit is refused.
    pub updated_ms: i64,
    pub author_id: Option<String>,
    pub completeness: Vec<Completeness>,
    /// The key in words.
    pub key_text: String,
}

/// A new item, or an edit of one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ItemInput {
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub item: question_bank::Item,
    /// `updated_ms` of the version the edit started from (edits only).
    #[serde(default)]
    pub expected_updated_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ReviewInput {
    /// Publish (true) or send back to the author (false).
    pub approve: bool,
    /// Required when sending back.
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct VersionView {
    pub version: i64,
    pub status: String,
    pub author_id: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// What changed from the version before.
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AuditView {
    pub at_ms: i64,
    pub version: i64,
    pub actor: String,
    /// `created`, `edited`, `new_version`, `sent_to_review`, `approved`, `changes_requested`,
    /// `retired`, `restored`, `tagged`, `imported`.
    pub action: String,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ItemHistory {
    pub item_id: String,
    pub versions: Vec<VersionView>,
    pub audit: Vec<AuditView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct BulkInput {
    pub item_ids: Vec<String>,
    /// `send_to_review`, `retire` or `tag`.
    pub action: String,
    /// The tag to add (`tag`).
    #[serde(default)]
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Refusal {
    pub item_id: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct BulkResult {
    pub done: Vec<String>,
    pub refused: Vec<Refusal>,
}

/// A problem or a note about an imported file, with its line or element path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ImportNote {
    /// `line 12` or `quiz/question[3]/answer[2]`.
    pub at: String,
    pub message: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ImportReport {
    pub dry_run: bool,
    pub format: String,
    /// Items new to the bank.
    pub created: Vec<String>,
    /// Items the bank had: a new draft version of each.
    pub updated: Vec<String>,
    /// Questions of types Qabilet does not take (by name and position), not imported.
    pub skipped: Vec<ImportNote>,
    pub warnings: Vec<ImportNote>,
    /// When not empty, nothing was imported.
    pub errors: Vec<ImportNote>,
    /// Competencies the file named that the taxonomy did not have (added).
    pub new_competencies: Vec<String>,
    /// Languages the imported items are complete in: `(language, items)`.
    pub ready: Vec<(String, u32)>,
}

/// A competency of the taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CompetencyView {
    pub code: String,
    pub position: i64,
    /// Names per language.
    pub names: std::collections::BTreeMap<String, String>,
}
