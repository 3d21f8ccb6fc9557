//! Storage: one [`Store`] interface, two implementations (SQLite, the default, and
//! PostgreSQL). Both use runtime-checked queries with `FromRow`; the SQL they share is written
//! once in [`sql`], and the statements where the two databases must behave differently (row
//! locks) are given per database.
//!
//! Conventions: times are milliseconds since the Unix epoch (`i64`), documents are JSON text.

mod accounts;
mod assessment;
mod bank;
mod integrity;
mod pipeline;
mod psychometrics;
mod reserve;
mod sittings;
mod sql;

use async_trait::async_trait;
use std::sync::Arc;

pub use accounts::*;
pub use assessment::*;
pub use bank::*;
pub use integrity::*;
pub use pipeline::*;
pub use psychometrics::*;
pub use reserve::*;
pub use sittings::*;
pub use sql::{PgStore, SaveCmd, SqliteStore};

/// Columns the bank list may be sorted by.
pub const BANK_SORTS: [&str; 6] = [
    "item_id",
    "updated_at",
    "competency",
    "status",
    "item_type",
    "difficulty",
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("already exists")]
    Conflict,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Unsupported(&'static str),
    #[error("writing a batch of saves failed: {0}")]
    Batch(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub full_name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CompetencyRow {
    pub code: String,
    pub position: i64,
    /// `{"ru": "...", "en": "...", "kk": "..."}`
    pub names: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    pub item_id: String,
    pub version: i64,
    pub competency: String,
    pub difficulty: String,
    /// `draft`, `in_review`, `published`, `retired`, or `superseded` (a newer version was
    /// published).
    pub status: String,
    pub content: String,
    pub answer_key: String,
    pub rationale: String,
    pub option_count: i64,
    pub created_at: i64,
    pub item_type: String,
    /// Who made this version (the reviewer must be someone else).
    pub author_id: Option<String>,
    pub updated_at: i64,
}

/// An item as the bank list shows it: its newest version and what filters and sorts use.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ItemHeadRow {
    pub item_id: String,
    pub head_version: i64,
    pub published_version: Option<i64>,
    pub status: String,
    pub competency: String,
    pub item_type: String,
    pub difficulty: String,
    /// Languages the head version is complete in, `kk,ru,en`.
    pub ready: String,
    /// `,tag1,tag2,`
    pub tags: String,
    pub search_text: String,
    /// The stem as plain text, shortened, for the list.
    pub preview: String,
    pub author_id: Option<String>,
    pub updated_at: i64,
}

/// One form item's result, stored when an attempt is scored.
#[derive(Debug, Clone)]
pub struct ScoredItem {
    pub item_id: String,
    pub credit: f64,
    /// Single choice: the authored option chosen.
    pub chosen: Option<i64>,
}

/// One entry of an item's audit log.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub item_id: String,
    pub version: i64,
    pub at: i64,
    pub actor_id: String,
    pub actor_name: String,
    pub action: String,
    pub comment: String,
}

/// What the bank list asks for. Text filters are lower-cased by the caller.
#[derive(Debug, Clone, Default)]
pub struct BankQuery {
    pub competency: Option<String>,
    pub status: Option<String>,
    pub item_type: Option<String>,
    /// Only items complete in this language.
    pub ready_in: Option<String>,
    /// Only items not complete in this language.
    pub missing_in: Option<String>,
    pub tag: Option<String>,
    /// Words that must all occur in the id, texts or tags.
    pub words: Vec<String>,
    /// `item_id`, `updated_at`, `competency`, `status`, `item_type`, `difficulty`.
    pub sort: String,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Changes to the bank made together, in one transaction.
#[derive(Debug, Clone, Default)]
pub struct BankWrite {
    /// Each item's head as the writer read it (`None`: the item must not exist yet); if any
    /// changed meanwhile, nothing is written ([`StoreError::Conflict`]).
    pub expect: Vec<(String, Option<i64>)>,
    /// Versions to insert, or to replace (drafts are edited in place).
    pub versions: Vec<ItemRow>,
    /// `(item_id, version, status)` for versions whose status changes.
    pub statuses: Vec<(String, i64, String)>,
    pub heads: Vec<ItemHeadRow>,
    pub audit: Vec<AuditRow>,
    /// `(sha256, media type, bytes)`, stored once per digest.
    pub files: Vec<(String, String, Vec<u8>)>,
}

/// What form assembly needs of a published item.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PoolRow {
    pub item_id: String,
    pub version: i64,
    pub competency: String,
    pub difficulty: String,
    pub item_type: String,
    pub option_count: i64,
    /// What a candidate sees (JSON), to count matching answers and check languages.
    pub content: String,
}

/// Observed mean credit of an item version over scored attempts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PValueRow {
    pub item_id: String,
    pub version: i64,
    pub mean: f64,
    pub n: i64,
}

/// A corrected key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyCorrectionRow {
    pub id: String,
    pub item_id: String,
    pub version: i64,
    pub old_key: String,
    pub new_key: String,
    pub reason: String,
    pub corrected_by: String,
    pub corrected_at: i64,
    pub rescored: i64,
}

/// A stored score a re-score changed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScoreChangeRow {
    pub id: i64,
    pub cause: String,
    pub attempt_id: String,
    pub user_id: String,
    pub blueprint_id: String,
    pub old_percent: f64,
    pub new_percent: f64,
    pub old_passed: i64,
    pub new_passed: i64,
    pub at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BlueprintRow {
    pub id: String,
    pub spec: String,
    pub active: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: String,
    pub user_id: String,
    pub blueprint_id: String,
    pub status: String,
    pub language: String,
    pub form: String,
    pub started_at: i64,
    pub deadline: i64,
    pub closed_at: Option<i64>,
    pub score: Option<String>,
    /// The sign-in session that holds the attempt (one active device per attempt).
    pub device: Option<String>,
    pub sitting_id: Option<String>,
    /// Paused by a proctor since this time.
    pub paused_at: Option<i64>,
    pub last_seen: Option<i64>,
    pub last_ip: Option<String>,
    /// Ended by a proctor: `{"by": ..., "reason": ...}`.
    pub termination: Option<String>,
}

/// Something that happened to an attempt, kept for proctors (device takeover, close...).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub attempt_id: String,
    pub at: i64,
    pub kind: String,
    /// A JSON object.
    pub detail: String,
    pub category: String,
    pub actor: String,
}

/// A scheduled sitting.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SittingRow {
    pub id: String,
    pub name: String,
    pub blueprint_id: String,
    pub region: String,
    pub mode: String,
    pub venue: String,
    pub opens_at: i64,
    pub closes_at: i64,
    pub requires_admission: i64,
    pub paused_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    /// A picture at the start (remote sittings).
    pub camera: i64,
    /// Snapshots during the test, every this many seconds.
    pub snapshot_seconds: Option<i64>,
}

/// An applicant's place in a sitting.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeatRow {
    pub sitting_id: String,
    pub user_id: String,
    pub checked_in_at: Option<i64>,
    pub admitted_at: Option<i64>,
    pub admitted_by: Option<String>,
    pub refused_reason: Option<String>,
    pub refused_by: Option<String>,
}

/// One applicant of a sitting with their attempt's progress.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MonitorDbRow {
    pub user_id: String,
    pub full_name: String,
    pub email: String,
    pub checked_in_at: Option<i64>,
    pub admitted_at: Option<i64>,
    pub attempt_id: Option<String>,
    pub status: Option<String>,
    pub termination: Option<String>,
    pub deadline: Option<i64>,
    pub paused_at: Option<i64>,
    pub last_seen: Option<i64>,
    pub answered: i64,
    pub total: i64,
    pub integrity: i64,
}

/// An event of a sitting with whose attempt it is.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SittingEventRow {
    pub at: i64,
    pub attempt_id: String,
    pub email: String,
    pub full_name: String,
    pub category: String,
    pub kind: String,
    pub actor: String,
    pub detail: String,
}

/// What the server knew of an attempt's presence before a heartbeat.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Beat {
    pub last_seen: Option<i64>,
    pub last_ip: Option<String>,
    /// The newest stored answer's time: saves count as presence too.
    pub last_save: Option<i64>,
}

/// What [`Store::claim_device`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The device held the attempt already (or the attempt is closed): nothing changed.
    Unchanged,
    /// The attempt was held by no device; now by this one.
    First,
    /// Another device held the attempt; this one took it over (an event is recorded).
    TookOver { from: String },
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResponseRow {
    pub item_id: String,
    pub choice: Option<i64>,
    /// The answer in shown positions (JSON), for rows saved with an answer of any type.
    pub answer: Option<String>,
    pub seq: i64,
    pub saved_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StageRow {
    pub user_id: String,
    pub stage: i64,
    pub status: String,
    pub attempt_id: Option<String>,
    pub recorded_by: String,
    pub recorded_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct AttemptCounts {
    pub in_progress: i64,
    pub closed: i64,
    pub passed: i64,
}

/// What happened to one save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    /// Stored (or it was stored already with this very sequence number).
    Applied,
    /// A save with a higher sequence number is stored; nothing changed.
    Stale,
    /// The attempt is no longer in progress; nothing changed.
    Closed,
    /// Another device has taken the attempt over; nothing changed.
    Superseded,
    /// A proctor paused the attempt; nothing changed.
    Paused,
}

#[async_trait]
pub trait Store:
    AccountStore
    + AssessmentStore
    + BankStore
    + IntegrityStore
    + PipelineStore
    + PsychometricsStore
    + ReserveStore
    + SittingStore
    + Send
    + Sync
    + 'static
{
    /// `sqlite` or `postgres`.
    fn kind(&self) -> &'static str;
    async fn migrate(&self) -> Result<()>;

    async fn insert_user(&self, user: &UserRow) -> Result<()>;
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>>;
    async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>>;

    /// Inserts the attempt and its form's items `(item_id, version)` unless the user already
    /// has an attempt for this blueprint (then `false`).
    async fn insert_attempt(&self, a: &AttemptRow, items: &[(String, i64)]) -> Result<bool>;
    /// How many forms of `blueprint_id` held each item, and how many forms there are.
    async fn exposure(&self, blueprint_id: &str) -> Result<(Vec<(String, i64)>, i64)>;
    /// Mean credit of every item version answered (scored) at least `min_n` times.
    async fn p_values(&self, min_n: i64) -> Result<Vec<PValueRow>>;
    /// Closed attempts whose form holds this item version.
    async fn attempts_with_item(&self, item_id: &str, version: i64) -> Result<Vec<String>>;
    /// Closed attempts of a blueprint.
    async fn closed_attempts(&self, blueprint_id: &str) -> Result<Vec<String>>;
    async fn attempt(&self, id: &str) -> Result<Option<AttemptRow>>;
    async fn attempt_for(&self, user_id: &str, blueprint_id: &str) -> Result<Option<AttemptRow>>;
    async fn responses(&self, attempt_id: &str) -> Result<Vec<ResponseRow>>;
    /// Stores a response if the attempt is in progress, held by `device` (or by none), and
    /// `seq` is newer than the stored one. Returns only after the write is durable.
    async fn save_response(&self, save: SaveCmd) -> Result<SaveOutcome>;
    /// Makes `device` the one device that may save to the in-progress attempt; a takeover is
    /// recorded as an event in the same transaction.
    async fn claim_device(&self, attempt_id: &str, device: &str, now: i64) -> Result<Claim>;
    async fn add_event(&self, attempt_id: &str, kind: &str, detail: &str, now: i64) -> Result<()>;
    /// Records an event with its category and actor; returns it with its id.
    async fn add_event_as(&self, e: &EventRow) -> Result<EventRow>;

    /// Records a heartbeat; returns the previous one, its address and the newest save (`None`
    /// when the attempt is not in progress).
    async fn heartbeat(&self, id: &str, now: i64, ip: &str) -> Result<Option<Beat>>;
    /// The attempt's events, oldest first.
    async fn events(&self, attempt_id: &str) -> Result<Vec<EventRow>>;
    /// Moves an in-progress attempt to `status`; `false` if it was not in progress. After this
    /// returns, no save to the attempt can succeed, and every earlier save is visible.
    async fn close_attempt(&self, id: &str, status: &str, now: i64) -> Result<bool>;
    /// Stores the score and each form item's credit `(item_id, credit)`.
    async fn store_score(&self, id: &str, score: &str, credits: &[ScoredItem]) -> Result<()>;
    /// Closed attempts without a stored score (a crash between closing and scoring).
    async fn unscored_attempts(&self) -> Result<Vec<String>>;
    /// In-progress attempts whose deadline is before `cutoff`.
    async fn overdue_attempts(&self, cutoff: i64) -> Result<Vec<String>>;
    async fn attempt_counts(&self) -> Result<AttemptCounts>;

    async fn set_stage(&self, s: &StageRow) -> Result<()>;

    /// Whether this process leads the background work named by `key` (the auto-submit sweep):
    /// always with SQLite (one process); with PostgreSQL, the holder of a session advisory lock
    /// on a connection kept for it (released when the process dies, then another instance
    /// takes over).
    async fn lead(&self, key: i64) -> Result<bool>;
    /// Connections in the pool: `(open, idle, max)`.
    fn pool_stats(&self) -> (u32, u32, u32);
    /// The PostgreSQL pool, for the live relay between instances.
    fn pg_pool(&self) -> Option<sqlx::PgPool>;

    /// Writes a consistent copy of the live database to `path` (SQLite: `VACUUM INTO`).
    async fn backup(&self, path: &str) -> Result<()>;
    async fn stages(&self, user_id: &str) -> Result<Vec<StageRow>>;
}

/// Opens the database named by `url` (`sqlite:` path or `postgres://`), creating a SQLite
/// file and its folder if needed.
pub async fn connect(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    }
}
