//! Wire types shared by the server and the browser. Nothing here carries an answer key.

mod analysis;
mod bank;
mod blueprints;
mod pipeline;
mod proctoring;
pub use analysis::*;
pub use bank::*;
pub use blueprints::*;
pub use pipeline::*;
pub use proctoring::*;

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

impl SaveRequest {
    /// The answer this save carries (a bare `choice` is read through the one legacy adapter).
    pub fn into_answer(self) -> Option<Answer> {
        question_bank::form::legacy::answer(self.answer, self.choice.map(i64::from))
    }
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

/// `YYYY-MM-DD HH:MM:SS` (with `.mmm` when `millis`) for a moment in milliseconds since the
/// epoch, shifted by `offset_ms` (e.g. UTC+5 for Kazakhstan). Civil date from days after
/// Howard Hinnant's algorithm.
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
