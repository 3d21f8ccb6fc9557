//! Wire types of sittings and proctoring: the live table, interventions, signals, identity,
//! messages, credit for lost time.

use super::*;

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
