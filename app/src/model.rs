//! Wire types shared by the server and the browser. Nothing here carries an answer key.

mod analysis;
mod pipeline;
pub use analysis::*;
pub use pipeline::*;

use question_bank::{Answer, ItemType, Language, Navigation};
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
    /// Marks final-assessment reports (blind).
    Expert,
    /// Records interview scores and votes.
    Commission,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Applicant,
        Role::Proctor,
        Role::Methodologist,
        Role::Admin,
        Role::Expert,
        Role::Commission,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::Proctor => "proctor",
            Role::Methodologist => "methodologist",
            Role::Admin => "admin",
            Role::Expert => "expert",
            Role::Commission => "commission",
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
    /// Ended by a proctor (with a recorded reason).
    Terminated,
}

impl AttemptStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptStatus::InProgress => "in_progress",
            AttemptStatus::Submitted => "submitted",
            AttemptStatus::Expired => "expired",
            AttemptStatus::Terminated => "terminated",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            AttemptStatus::InProgress,
            AttemptStatus::Submitted,
            AttemptStatus::Expired,
            AttemptStatus::Terminated,
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
    /// The sitting the applicant is assigned to, if any.
    #[serde(default)]
    pub sitting: Option<SittingCard>,
    /// The test is taken only with a seat in a sitting.
    #[serde(default)]
    pub seated_only: bool,
    /// Languages the applicant may take the test in.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<String>))]
    pub languages: Vec<Language>,
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
    /// `single_choice`, `multiple_response`, `true_false`, `matching`, `ordering`, `numeric` or
    /// `short_text`: which answer the item takes.
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "single_choice"))]
    pub kind: ItemType,
    pub stem: String,
    /// Choices, premises (matching) or elements to put in order, in this candidate's order.
    pub options: Vec<String>,
    /// Matching only: the answers to match premises with, in this candidate's order.
    #[serde(default)]
    pub matches: Vec<String>,
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
    /// `integrity` (a signal from the browser: evidence for a person to judge), `incident`
    /// (technical: connection lost, time credited), `intervention` (a proctor's action) or
    /// `system`.
    #[serde(default)]
    pub category: String,
    /// Who acted (a proctor's name), for interventions.
    #[serde(default)]
    pub actor: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AnswerView {
    pub item_id: String,
    /// Shown position of the chosen option (single choice only); `None` otherwise.
    pub choice: Option<u32>,
    /// The stored answer, in shown positions; `None` when the answer was cleared.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub answer: Option<Answer>,
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
    /// `free`, or `linear` (forward only: an item left behind cannot be changed).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "free"))]
    pub navigation: Navigation,
    /// Whether the applicant may flag items to come back to.
    #[serde(default)]
    pub allow_flag: bool,
    /// A proctor paused the attempt: the clock stands still and answers are not taken.
    #[serde(default)]
    pub paused: bool,
    /// While paused: the time left when the pause began.
    #[serde(default)]
    pub remaining_ms: i64,
    /// Taken in a sitting, with proctors to write to.
    #[serde(default)]
    pub proctored: bool,
    /// The sitting takes a snapshot every this many seconds.
    #[serde(default)]
    pub snapshot_seconds: Option<u32>,
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
    /// Shown position of the chosen option of a single-choice item (shorthand for
    /// `answer: {"type": "choice", "value": n}`), or `null` to clear the answer.
    #[serde(default)]
    pub choice: Option<u32>,
    /// The answer in shown positions, any item type: `{"type": "choice", "value": 2}`,
    /// `choices` (list), `bool`, `pairs` (list of answer position or null per premise),
    /// `order` (list of positions), `number`, `text`. Absent or `null` with no `choice` clears.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub answer: Option<Answer>,
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
    /// Weighted points earned and possible (partial credit counts).
    #[serde(default)]
    pub points: f64,
    #[serde(default)]
    pub max_points: f64,
    /// The blueprint withholds results until the commission releases them: every score
    /// field above is zero, `passed` false and `by_competency` empty.
    #[serde(default)]
    pub withheld: bool,
    /// A proctor ended the attempt: why.
    #[serde(default)]
    pub terminated: Option<TerminationView>,
}

/// Credentials for signing in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// A signed-in person changing their password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    /// At least 10 characters.
    pub new: String,
}

/// What a person chose for how the site looks to them, kept with their account and applied
/// on every device at sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// Interface language: `kk`, `ru` or `en`; none: as the browser says.
    #[serde(default)]
    pub language: Option<String>,
    /// Text size in percent: 100, 125, 150 or 200.
    #[serde(default = "Preferences::normal_text")]
    pub text_size: u16,
    /// Dark text on white with stronger borders and underlined links.
    #[serde(default)]
    pub high_contrast: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            language: None,
            text_size: 100,
            high_contrast: false,
        }
    }
}

impl Preferences {
    pub const TEXT_SIZES: [u16; 4] = [100, 125, 150, 200];
    pub const LANGUAGES: [&'static str; 3] = ["kk", "ru", "en"];

    fn normal_text() -> u16 {
        100
    }

    /// Why these preferences cannot be kept, if they cannot.
    pub fn problem(&self) -> Option<String> {
        if let Some(l) = &self.language
            && !Self::LANGUAGES.contains(&l.as_str())
        {
            return Some(format!(
                "{l:?} is not a language of this site (kk, ru, en)."
            ));
        }
        if !Self::TEXT_SIZES.contains(&self.text_size) {
            return Some(format!(
                "The text size must be 100, 125, 150 or 200 percent, not {}.",
                self.text_size
            ));
        }
        None
    }

    /// The display part as a cookie value the pages read before hydrating: `125c` is 125%
    /// text in high contrast.
    pub fn display_cookie(&self) -> String {
        format!(
            "{}{}",
            self.text_size,
            if self.high_contrast { "c" } else { "" }
        )
    }

    /// Reads [`Self::display_cookie`] back (anything else: the defaults).
    pub fn from_display_cookie(value: &str) -> (u16, bool) {
        let contrast = value.ends_with('c');
        let size = value
            .trim_end_matches('c')
            .parse::<u16>()
            .ok()
            .filter(|s| Self::TEXT_SIZES.contains(s))
            .unwrap_or(100);
        (size, contrast)
    }
}

/// The value of cookie `name` in a `Cookie` header (or `document.cookie`): `a=1; b=2`.
pub fn cookie_in<'a>(cookies: &'a str, name: &str) -> Option<&'a str> {
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// The `Set-Cookie` value (or `document.cookie` assignment) of a display or language
/// preference: readable by the page, kept for a year.
pub fn preference_cookie(name: &str, value: &str) -> String {
    format!("{name}={value}; Path=/; SameSite=Lax; Max-Age=31536000")
}

/// Name of the cookie that carries the display preferences (text size, contrast).
pub const DISPLAY_COOKIE: &str = "qabilet_display";

/// An account an administrator creates (staff, or an applicant without e-mail access to
/// register): it gets a temporary password, shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub email: String,
    pub full_name: String,
    pub role: Role,
}

/// A password set by programme staff: shown once, to be passed on and changed at first use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct PasswordReset {
    pub email: String,
    pub temporary_password: String,
}

/// An applicant creating their own account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub email: String,
    pub full_name: String,
    pub iin: String,
    /// At least 10 characters.
    pub password: String,
}

/// A signed-in session: the token is also set as an HttpOnly cookie.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct LoginResponse {
    pub token: String,
    pub expires_ms: i64,
    pub user: UserInfo,
    /// The account's preferences (language, text size, contrast).
    #[serde(default)]
    pub preferences: Preferences,
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

// ---- Blueprints, fairness and re-scoring ----

/// One blueprint in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct BlueprintSummary {
    pub id: String,
    pub name: String,
    pub item_count: u32,
    pub time_limit_minutes: u32,
    pub pass_percent: f64,
    /// The blueprint applicants are tested on now.
    pub active: bool,
    /// A practice test: taken at will, never counted, never analysed.
    #[serde(default)]
    pub practice: bool,
    pub updated_ms: i64,
    pub updated_by: String,
}

/// A blueprint with its state, for the editor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct BlueprintDoc {
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub blueprint: question_bank::Blueprint,
    pub active: bool,
    pub updated_ms: i64,
    pub updated_by: String,
}

/// A check of a (possibly unsaved) blueprint against the published bank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CheckInput {
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub blueprint: question_bank::Blueprint,
    /// Forms to draw for the fairness figures (1-10,000; default 1,000).
    #[serde(default)]
    pub forms: Option<u32>,
    /// Only items complete in this language (default: the first the blueprint offers).
    #[serde(default)]
    pub language: Option<String>,
}

/// What the check found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CheckReport {
    /// The blueprint is valid and the bank can fill it.
    pub ok: bool,
    /// Why not, in words (an invalid setting, exposure, enemies).
    pub error: Option<String>,
    /// Cells of the blueprint the bank cannot fill, with the shortfall.
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Object>))]
    pub shortages: Vec<question_bank::Shortage>,
    /// Fairness of the forms drawn for the check.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub fairness: Option<question_bank::Fairness>,
    pub language: String,
    /// Published items complete in that language.
    pub pool_size: usize,
}

/// A corrected key for an item version already used in sittings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyCorrectionInput {
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub key: question_bank::Key,
    /// Why the key changes (kept in the audit log).
    pub reason: String,
}

/// A score a re-score changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ScoreChangeView {
    pub attempt_id: String,
    pub applicant_email: String,
    pub applicant_name: String,
    pub blueprint_id: String,
    pub old_percent: f64,
    pub new_percent: f64,
    pub old_passed: bool,
    pub new_passed: bool,
    /// The key correction that caused it, or `rescore`.
    pub cause: String,
    pub at_ms: i64,
}

impl ScoreChangeView {
    /// Whether the change turned a pass into a fail or back.
    pub fn flips(&self) -> bool {
        self.old_passed != self.new_passed
    }
}

/// What a key correction or a re-score did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct RescoreReport {
    /// The key correction's id, when one caused it.
    pub correction_id: Option<String>,
    pub attempts_rescored: u32,
    /// Every attempt whose score changed; pass/fail changes have `old_passed != new_passed`.
    pub changes: Vec<ScoreChangeView>,
}

// ---- Sittings and proctoring ----

/// The applicant's sitting, as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct SittingCard {
    pub id: String,
    pub name: String,
    pub opens_ms: i64,
    pub closes_ms: i64,
    pub requires_admission: bool,
    /// The applicant asked to start and waits for a proctor to admit them.
    pub waiting: bool,
    pub admitted: bool,
    /// The page takes the applicant's picture before the start.
    #[serde(default)]
    pub camera: bool,
    /// The start picture is taken already.
    #[serde(default)]
    pub start_photo: bool,
    /// A proctor could not confirm the applicant's identity, and why.
    #[serde(default)]
    pub refused: Option<String>,
}

/// A sitting to schedule (staff).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SittingInput {
    pub name: String,
    pub blueprint_id: String,
    pub region: String,
    /// `online` or `venue`.
    pub mode: String,
    #[serde(default)]
    pub venue: String,
    pub opens_ms: i64,
    pub closes_ms: i64,
    #[serde(default)]
    pub requires_admission: bool,
    /// The campaign whose stage one this sitting is (results go to its applications).
    #[serde(default)]
    pub campaign_id: Option<String>,
    /// A remote sitting: the page takes the applicant's picture at the start, for the proctor
    /// to compare with the application photo.
    #[serde(default)]
    pub camera: bool,
    /// With `camera`: a low-resolution snapshot every this many seconds during the test
    /// (30-3600); none when left out.
    #[serde(default)]
    pub snapshot_seconds: Option<u32>,
}

/// A scheduled sitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct SittingView {
    pub id: String,
    pub name: String,
    pub blueprint_id: String,
    pub region: String,
    pub mode: String,
    pub venue: String,
    pub opens_ms: i64,
    pub closes_ms: i64,
    pub requires_admission: bool,
    /// The whole sitting is paused.
    pub paused: bool,
    pub proctors: Vec<String>,
    pub applicants: u32,
    #[serde(default)]
    pub camera: bool,
    #[serde(default)]
    pub snapshot_seconds: Option<u32>,
}

/// People to add to a sitting: e-mail addresses, one per line (or a CSV whose first column is
/// the address; a header line `email` is skipped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct LineError {
    pub line: u32,
    pub message: String,
}

/// What an assignment did: all lines added, or (with errors) none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AssignReport {
    pub added: Vec<String>,
    pub already: Vec<String>,
    pub errors: Vec<LineError>,
    /// Applicants moved here from another sitting of the same test (they had not started).
    #[serde(default)]
    pub moved: Vec<String>,
}

/// One applicant of a sitting, as the proctor's live dashboard shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct MonitorRow {
    pub user_id: String,
    pub full_name: String,
    pub email: String,
    /// `not_started`, `waiting` (for admission), `in_progress`, `paused`, `submitted`,
    /// `expired`, `terminated`.
    pub status: String,
    pub attempt_id: Option<String>,
    pub answered: u32,
    pub total: u32,
    pub deadline_ms: Option<i64>,
    /// While paused: the time left when the pause began.
    pub remaining_ms: Option<i64>,
    pub last_seen_ms: Option<i64>,
    pub integrity_events: u32,
    pub admitted: bool,
}

/// A message on a proctor's live feed (server-sent events, `data:` is this JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FeedMessage {
    /// Every row, first and after the feed fell behind.
    Snapshot {
        rows: Vec<MonitorRow>,
        server_now_ms: i64,
    },
    /// One row changed.
    Row { row: MonitorRow, server_now_ms: i64 },
    /// Something happened to an applicant's attempt (pushed at once).
    Event {
        user_id: String,
        attempt_id: String,
        event: AttemptEvent,
    },
}

/// A proctor's action on one applicant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InterventionInput {
    /// `admit`, `warn`, `pause`, `resume`, `add_time`, `terminate`.
    pub action: String,
    /// The warning shown to the applicant, or the reason (required to terminate).
    #[serde(default)]
    pub message: String,
    /// Minutes to add (`add_time`, 1-240).
    #[serde(default)]
    pub minutes: Option<u32>,
    /// Why an attempt is ended (`terminate`): one of [`TERMINATION_REASONS`], shown to the
    /// applicant in their language; `message` adds the proctor's own words (required with
    /// `other`, or when no reason is given).
    #[serde(default)]
    pub reason: Option<String>,
}

/// The reasons a proctor may end an attempt for.
pub const TERMINATION_REASONS: [&str; 6] = [
    "impersonation",
    "unauthorised_aid",
    "communication",
    "left_the_seat",
    "disruption",
    "other",
];

/// How an attempt ended early: the reason (one of [`TERMINATION_REASONS`]) and the proctor's
/// note, as the applicant sees them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct TerminationView {
    pub reason: String,
    pub note: String,
    pub at_ms: i64,
}

/// Signals from the applicant's page: a heartbeat, with any integrity events since the last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignalsInput {
    /// `tab_hidden`, `tab_visible`, `window_blur`, `window_focus`, `fullscreen_exit`,
    /// `fullscreen_enter`, `copy`, `cut`, `paste`, `context_menu`.
    #[serde(default)]
    pub events: Vec<String>,
    /// An opaque marker echoed in the events' details (load tests measure delays with it).
    #[serde(default)]
    pub probe: Option<String>,
    /// When each of `events` was raised (server time, as the page reckons it), for signals
    /// the page queued while offline; empty, or one per event.
    #[serde(default)]
    pub raised_ms: Vec<i64>,
}

/// The server's answer to a heartbeat: the current state of the clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct SignalsAck {
    pub deadline_ms: i64,
    pub paused: bool,
    pub remaining_ms: i64,
    pub server_now_ms: i64,
    /// Time credited now for a lost connection (the part a sitting-wide outage covered).
    pub credited_ms: i64,
    /// Lost time the server cannot vouch for, now put to the proctor as a credit request.
    #[serde(default)]
    pub requested_ms: i64,
}

/// An integrity signal the page raised while it could not reach the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct OfflineSignal {
    pub kind: String,
    pub at_ms: i64,
}

/// A lost connection put to the sitting's proctor: the measured gap, what was credited at
/// once (a sitting-wide outage), what is asked, and what the applicant's page did meanwhile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CreditRequestView {
    pub id: String,
    pub attempt_id: String,
    pub user_id: String,
    pub full_name: String,
    pub email: String,
    /// Last heard from (heartbeat or save).
    pub since_ms: i64,
    /// Heard from again.
    pub until_ms: i64,
    pub gap_ms: i64,
    /// Credited at once: the part a sitting-wide outage covered.
    pub auto_ms: i64,
    /// Left for the proctor to decide.
    pub requested_ms: i64,
    /// `pending`, `granted`, `declined`, or `covered` (an outage covered all of it).
    pub status: String,
    pub granted_ms: i64,
    pub decided_by: Option<String>,
    pub decided_ms: Option<i64>,
    pub reason: String,
    /// Integrity signals the page raised during the gap and delivered afterwards.
    pub signals: Vec<OfflineSignal>,
    /// Answers delivered in the minute after the connection came back (mostly given offline).
    pub answers_after: i64,
    /// Whether the attempt is still running (only then can time be credited).
    pub attempt_open: bool,
}

/// Staff correct an account's IIN (audited with the reason).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IinChange {
    pub iin: String,
    /// Why (a document seen, a typo at registration...); required.
    pub reason: String,
}

/// The account after an IIN correction: the IIN masked to its last four digits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct IinChanged {
    pub email: String,
    pub iin_masked: String,
}

/// A stored photo of an applicant (its bytes at `/api/v1/photos/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct PhotoRef {
    pub id: String,
    /// `application`, `start` or `snapshot`.
    pub kind: String,
    pub taken_ms: i64,
}

/// What a proctor sees to check an applicant's identity before admitting them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct IdentityView {
    pub user_id: String,
    pub full_name: String,
    pub email: String,
    /// The last four digits only.
    pub iin_masked: Option<String>,
    pub application_photo: Option<PhotoRef>,
    pub start_photo: Option<PhotoRef>,
    pub snapshots: Vec<PhotoRef>,
    /// Admitted (identity checked) by this proctor.
    pub admitted_by: Option<String>,
    /// Refused, and why.
    pub refused: Option<String>,
}

/// A message to write during the test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    pub text: String,
}

/// A message between the proctors and one applicant (or the whole sitting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ChatMessage {
    pub at_ms: i64,
    /// Written by the applicant (else by a proctor).
    pub from_applicant: bool,
    pub author: String,
    pub text: String,
}

/// How many applicants a message to the whole sitting reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct MessageSent {
    pub sent: u32,
}

/// The server's clock (the system check measures the round trip and the offset with it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ServerTime {
    pub server_now_ms: i64,
}

/// A proctor's decision on a credit request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreditDecisionInput {
    pub grant: bool,
    /// Required to decline; shown to the applicant and kept in the incident record.
    #[serde(default)]
    pub reason: String,
}

/// What the applicant's page is told at once (server-sent events on the attempt).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AttemptNotice {
    /// `warning`, `paused`, `resumed`, `time_added`, `credited`, `terminated`, `admitted`.
    pub kind: String,
    pub message: String,
    pub deadline_ms: i64,
    pub paused: bool,
    pub remaining_ms: i64,
    pub server_now_ms: i64,
}

/// `YYYY-MM-DD HH:MM:SS` (with `.mmm` when `millis`) for a moment in milliseconds since the
/// epoch, shifted by `offset_ms` (e.g. UTC+5 for Kazakhstan). Civil date from days after
/// Howard Hinnant's algorithm.
/// A moment as people in `lang` write it (Kazakhstan time, UTC+5): `23.11.2026 14:05` in
/// Kazakh and Russian, `23 Nov 2026, 14:05` in English; `with_time: false` gives the date only.
pub fn format_local(ms: i64, lang: &str, with_time: bool) -> String {
    let iso = format_time(ms, 5 * 3_600_000, false);
    let (y, m, d) = (&iso[0..4], &iso[5..7], &iso[8..10]);
    let hm = &iso[11..16];
    let date = match lang {
        "en" => {
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let month = m.parse::<usize>().unwrap_or(1).clamp(1, 12);
            format!("{} {} {y}", d.trim_start_matches('0'), MONTHS[month - 1])
        }
        _ => format!("{d}.{m}.{y}"),
    };
    match (with_time, lang) {
        (false, _) => date,
        (true, "en") => format!("{date}, {hm}"),
        (true, _) => format!("{date} {hm}"),
    }
}

/// A number as people in `lang` write it, with at most `decimals` decimals (trailing zeros
/// dropped): `1 234,5` in Kazakh and Russian (no-break space, decimal comma), `1,234.5` in
/// English.
pub fn format_number(x: f64, decimals: usize, lang: &str) -> String {
    let (group, point) = match lang {
        "en" => (",", "."),
        _ => ("\u{a0}", ","),
    };
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), f.trim_end_matches('0').to_string()),
        None => (text.clone(), String::new()),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push_str(group);
        }
        grouped.push(c);
    }
    let negative = x < 0.0 && (grouped.chars().any(|c| c != '0') || !frac.is_empty());
    format!(
        "{}{grouped}{}{frac}",
        if negative { "-" } else { "" },
        if frac.is_empty() { "" } else { point }
    )
}

pub fn format_time(ms: i64, offset_ms: i64, millis: bool) -> String {
    let shifted = ms + offset_ms;
    let secs = shifted.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let time = format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    );
    if millis {
        format!("{time}.{:03}", shifted.rem_euclid(1000))
    } else {
        time
    }
}

#[cfg(test)]
mod locale_tests {
    use super::*;

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        // 2026-11-23 09:05 UTC is 14:05 in Kazakhstan.
        let ms = 1_795_424_700_000;
        assert_eq!(format_time(ms, 0, false), "2026-11-23 09:05:00");
        assert_eq!(format_local(ms, "ru", true), "23.11.2026 14:05");
        assert_eq!(format_local(ms, "kk", false), "23.11.2026");
        assert_eq!(format_local(ms, "en", true), "23 Nov 2026, 14:05");
        assert_eq!(format_local(ms, "en", false), "23 Nov 2026");
    }

    #[test]
    fn numbers_are_written_as_each_language_writes_them() {
        assert_eq!(format_number(62.5, 1, "ru"), "62,5");
        assert_eq!(format_number(62.5, 1, "en"), "62.5");
        assert_eq!(format_number(60.0, 1, "kk"), "60");
        assert_eq!(format_number(8068.0, 0, "ru"), "8\u{a0}068");
        assert_eq!(format_number(1_234_567.25, 2, "en"), "1,234,567.25");
        assert_eq!(format_number(-3.04, 1, "ru"), "-3");
        assert_eq!(format_number(-0.04, 1, "en"), "0");
        assert_eq!(format_number(999.96, 1, "en"), "1,000");
    }
}
