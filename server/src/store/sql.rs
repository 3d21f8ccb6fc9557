//! The SQL behind [`Store`], written once for both databases.
//!
//! Both SQLite (through sqlx) and PostgreSQL accept `$1`-style parameters, `ON CONFLICT` and
//! `INSERT ... SELECT`, so the statements are shared by a macro that expands to one `impl` per
//! database. What differs is given as arguments: the row lock that serialises saves against
//! closing an attempt (PostgreSQL needs `FOR SHARE` / `FOR UPDATE`; SQLite has one writer at a
//! time and needs none).

use super::*;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

pub(super) fn conflict(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict,
        _ => StoreError::Db(e),
    }
}

/// One response to store.
pub struct SaveCmd {
    pub attempt_id: String,
    pub item_id: String,
    pub choice: Option<i64>,
    /// The answer in shown positions (JSON), `None` to clear.
    pub answer: Option<String>,
    pub seq: i64,
    pub now: i64,
    /// The sign-in session the save comes from.
    pub device: String,
}

/// Stores a response if the attempt is in progress and held by this device (or by none), and
/// the sequence number is newer than the stored one, in one statement.
const SAVE_SQL: &str = "INSERT INTO responses (attempt_id, item_id, choice, seq, saved_at, answer) \
     SELECT $1, $2, $3, $4, $5, $7 \
     WHERE EXISTS (SELECT 1 FROM attempts WHERE id = $1 AND status = 'in_progress' \
                   AND paused_at IS NULL AND (device IS NULL OR device = $6)) \
     ON CONFLICT (attempt_id, item_id) DO UPDATE \
     SET choice = excluded.choice, seq = excluded.seq, saved_at = excluded.saved_at, \
         answer = excluded.answer \
     WHERE responses.seq < excluded.seq \
     RETURNING seq";

/// [`SAVE_SQL`] for PostgreSQL as one statement: the attempt row share-locked (so a close in
/// flight waits for it, and it waits for a close in flight and then sees it).
const PG_SAVE_SQL: &str = "WITH open AS (SELECT id FROM attempts WHERE id = $1 AND status = 'in_progress' \
     AND paused_at IS NULL AND (device IS NULL OR device = $6) FOR SHARE) \
     INSERT INTO responses (attempt_id, item_id, choice, seq, saved_at, answer) \
     SELECT $1, $2, $3, $4, $5, $7 FROM open \
     ON CONFLICT (attempt_id, item_id) DO UPDATE \
     SET choice = excluded.choice, seq = excluded.seq, saved_at = excluded.saved_at, \
         answer = excluded.answer \
     WHERE responses.seq < excluded.seq \
     RETURNING seq";

/// Runs [`SAVE_SQL`] inside a transaction and tells what happened.
async fn save_one<DB: sqlx::Database>(
    tx: &mut sqlx::Transaction<'_, DB>,
    c: &SaveCmd,
) -> Result<SaveOutcome>
where
    for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB>,
    for<'r> (String,): sqlx::FromRow<'r, DB::Row>,
    for<'r> (String, i64): sqlx::FromRow<'r, DB::Row>,
    for<'r> (i64,): sqlx::FromRow<'r, DB::Row>,
{
    let written: Option<(i64,)> = sqlx::query_as(SAVE_SQL)
        .bind(c.attempt_id.clone())
        .bind(c.item_id.clone())
        .bind(c.choice)
        .bind(c.seq)
        .bind(c.now)
        .bind(c.device.clone())
        .bind(c.answer.clone())
        .fetch_optional(&mut **tx)
        .await?;
    if written.is_some() {
        return Ok(SaveOutcome::Applied);
    }
    let open: Option<(String, i64)> = sqlx::query_as(
        "SELECT COALESCE(device, ''), COALESCE(paused_at, 0) FROM attempts \
         WHERE id = $1 AND status = 'in_progress'",
    )
    .bind(c.attempt_id.clone())
    .fetch_optional(&mut **tx)
    .await?;
    if let Some((holder, _)) = &open
        && !holder.is_empty()
        && *holder != c.device
    {
        return Ok(SaveOutcome::Superseded);
    }
    if let Some((_, paused)) = &open
        && *paused != 0
    {
        return Ok(SaveOutcome::Paused);
    }
    let stored: Option<(i64,)> =
        sqlx::query_as("SELECT seq FROM responses WHERE attempt_id = $1 AND item_id = $2")
            .bind(c.attempt_id.clone())
            .bind(c.item_id.clone())
            .fetch_optional(&mut **tx)
            .await?;
    Ok(match (open, stored) {
        (None, _) => SaveOutcome::Closed,
        (Some(_), Some((s,))) if s == c.seq => SaveOutcome::Applied,
        _ => SaveOutcome::Stale,
    })
}

type Reply = tokio::sync::oneshot::Sender<Result<SaveOutcome>>;

/// Saves go through one writer task that commits them in batches: whatever has arrived while
/// the previous commit was being made is written in one transaction and made durable by one
/// fsync, and only then is each save acknowledged (group commit).
const MAX_BATCH: usize = 1024;

async fn sqlite_writer(pool: SqlitePool, mut rx: tokio::sync::mpsc::Receiver<(SaveCmd, Reply)>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let written = async {
            let mut tx = pool.begin().await?;
            let mut outcomes = Vec::with_capacity(batch.len());
            for (cmd, _) in &batch {
                outcomes.push(save_one(&mut tx, cmd).await?);
            }
            tx.commit().await?;
            Ok::<_, StoreError>(outcomes)
        }
        .await;
        match written {
            Ok(outcomes) => {
                for ((_, reply), outcome) in batch.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, saves = batch.len(), "a batch of saves failed; none acknowledged");
                let message = e.to_string();
                for (_, reply) in batch {
                    let _ = reply.send(Err(StoreError::Batch(message.clone())));
                }
            }
        }
    }
}

/// The SQLite store: one file, WAL journal, `synchronous = FULL` so an acknowledged save
/// survives a power cut, not only a process crash; saves are group-committed.
pub struct SqliteStore {
    pub(super) pool: SqlitePool,
    writer: tokio::sync::mpsc::Sender<(SaveCmd, Reply)>,
}

impl SqliteStore {
    async fn save_durably(&self, cmd: SaveCmd) -> Result<SaveOutcome> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.writer
            .send((cmd, tx))
            .await
            .map_err(|_| StoreError::Batch("the writer has stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Batch("the writer has stopped".into()))?
    }
}

impl SqliteStore {
    /// One process uses a SQLite file: it always leads.
    async fn try_lead(&self, _key: i64) -> Result<bool> {
        Ok(true)
    }

    fn postgres_pool(&self) -> Option<PgPool> {
        None
    }
}

impl SqliteStore {
    /// A write transaction that takes SQLite's write lock at once, so that reading before
    /// writing cannot fail half-way with a busy snapshot.
    pub(super) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        if let Some(dir) = options.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        let (writer, rx) = tokio::sync::mpsc::channel(16 * MAX_BATCH);
        tokio::spawn(sqlite_writer(pool.clone(), rx));
        Ok(Self { pool, writer })
    }
}

/// The PostgreSQL store, for several app servers on one database.
pub struct PgStore {
    pub(super) pool: PgPool,
    /// The connection holding this process's advisory lock(s), once it leads.
    leader: tokio::sync::Mutex<Option<(sqlx::PgConnection, bool)>>,
}

impl PgStore {
    /// Takes (or checks it still holds) the session advisory lock `key` on a connection of its
    /// own; a dead connection loses the lock and is replaced on the next call.
    async fn try_lead(&self, key: i64) -> Result<bool> {
        use sqlx::Connection;
        let mut held = self.leader.lock().await;
        if let Some((conn, leads)) = held.as_mut() {
            if conn.ping().await.is_ok() {
                if *leads {
                    return Ok(true);
                }
                let (got,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
                    .bind(key)
                    .fetch_one(&mut *conn)
                    .await?;
                *leads = got;
                return Ok(got);
            }
            *held = None;
        }
        let mut conn = self.pool.acquire().await?.detach();
        let (got,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut conn)
            .await?;
        *held = Some((conn, got));
        Ok(got)
    }

    fn postgres_pool(&self) -> Option<PgPool> {
        Some(self.pool.clone())
    }
}

impl PgStore {
    /// One transaction per save: a shared row lock on the attempt first, so that closing the
    /// attempt (which takes an exclusive lock) waits for saves in flight, and saves wait for a
    /// close in flight and then see it.
    ///
    /// The usual case (the attempt open, the save newer) is one statement: the attempt's row is
    /// share-locked in a CTE and the response upserted in the same autocommitted statement.
    /// Anything else is worked out again in a transaction, to say why nothing was written.
    async fn save_durably(&self, cmd: SaveCmd) -> Result<SaveOutcome> {
        let written: Option<(i64,)> = sqlx::query_as(PG_SAVE_SQL)
            .bind(&cmd.attempt_id)
            .bind(&cmd.item_id)
            .bind(cmd.choice)
            .bind(cmd.seq)
            .bind(cmd.now)
            .bind(&cmd.device)
            .bind(&cmd.answer)
            .fetch_optional(&self.pool)
            .await?;
        if written.is_some() {
            return Ok(SaveOutcome::Applied);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT id FROM attempts WHERE id = $1 FOR SHARE")
            .bind(&cmd.attempt_id)
            .execute(&mut *tx)
            .await?;
        let outcome = save_one(&mut tx, &cmd).await?;
        tx.commit().await?;
        Ok(outcome)
    }
}

impl PgStore {
    pub(super) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        Ok(self.pool.begin().await?)
    }

    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await?;
        Ok(Self {
            pool,
            leader: tokio::sync::Mutex::new(None),
        })
    }
}

/// The columns and placeholders of an `item_versions` insert.
/// One entry of an item's history (bank writes and calibrations).
pub(super) const INSERT_ITEM_AUDIT: &str = "INSERT INTO item_audit \
    (item_id, version, at, actor_id, actor_name, action, comment) VALUES ($1, $2, $3, $4, $5, $6, $7)";

macro_rules! sql_store {
    ($store:ty, $kind:literal, $migrations:literal, close_lock: $close_lock:expr, row_lock: $row_lock:literal, heartbeat: $heartbeat_sql:expr, backup: $backup:expr) => {
        #[async_trait]
        impl Store for $store {
            fn kind(&self) -> &'static str {
                $kind
            }

            async fn migrate(&self) -> Result<()> {
                sqlx::migrate!($migrations).run(&self.pool).await?;
                Ok(())
            }

            async fn insert_user(&self, u: &UserRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO users (id, email, password_hash, role, full_name, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&u.id)
                .bind(&u.email)
                .bind(&u.password_hash)
                .bind(&u.role)
                .bind(&u.full_name)
                .bind(u.created_at)
                .execute(&self.pool)
                .await
                .map_err(conflict)?;
                Ok(())
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>> {
                Ok(sqlx::query_as("SELECT * FROM users WHERE email = $1")
                    .bind(email)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>> {
                Ok(sqlx::query_as("SELECT * FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn insert_attempt(&self, a: &AttemptRow, items: &[(String, i64)]) -> Result<bool> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "INSERT INTO attempts (id, user_id, blueprint_id, status, language, form, started_at, \
                     deadline, closed_at, score, device, sitting_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                     ON CONFLICT (user_id, blueprint_id) DO NOTHING",
                )
                .bind(&a.id)
                .bind(&a.user_id)
                .bind(&a.blueprint_id)
                .bind(&a.status)
                .bind(&a.language)
                .bind(&a.form)
                .bind(a.started_at)
                .bind(a.deadline)
                .bind(a.closed_at)
                .bind(&a.score)
                .bind(&a.device)
                .bind(&a.sitting_id)
                .execute(&mut *tx)
                .await
                .map_err(conflict)?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                // The form's items in one statement per hundred (not a round trip each).
                for chunk in items.chunks(100) {
                    let values: Vec<String> = (0..chunk.len())
                        .map(|i| format!("($1, $2, ${}, ${})", 3 + 2 * i, 4 + 2 * i))
                        .collect();
                    let sql = format!(
                        "INSERT INTO attempt_items (attempt_id, blueprint_id, item_id, version) VALUES {}",
                        values.join(", ")
                    );
                    let mut q = sqlx::query(&sql).bind(&a.id).bind(&a.blueprint_id);
                    for (item_id, version) in chunk {
                        q = q.bind(item_id).bind(version);
                    }
                    q.execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(true)
            }
            async fn exposure(&self, blueprint_id: &str) -> Result<(Vec<(String, i64)>, i64)> {
                let counts: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT item_id, COUNT(*) FROM attempt_items WHERE blueprint_id = $1 GROUP BY item_id",
                )
                .bind(blueprint_id)
                .fetch_all(&self.pool)
                .await?;
                let (forms,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM attempts WHERE blueprint_id = $1")
                        .bind(blueprint_id)
                        .fetch_one(&self.pool)
                        .await?;
                Ok((counts, forms))
            }
            async fn p_values(&self, min_n: i64) -> Result<Vec<PValueRow>> {
                Ok(sqlx::query_as(
                    "SELECT item_id, version, AVG(credit) AS mean, COUNT(*) AS n FROM attempt_items \
                     WHERE credit IS NOT NULL GROUP BY item_id, version HAVING COUNT(*) >= $1",
                )
                .bind(min_n)
                .fetch_all(&self.pool)
                .await?)
            }
            async fn attempts_with_item(&self, item_id: &str, version: i64) -> Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT a.id FROM attempt_items ai JOIN attempts a ON a.id = ai.attempt_id \
                     WHERE ai.item_id = $1 AND ai.version = $2 AND a.status <> 'in_progress' ORDER BY a.id",
                )
                .bind(item_id)
                .bind(version)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }
            async fn closed_attempts(&self, blueprint_id: &str) -> Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT id FROM attempts WHERE blueprint_id = $1 AND status <> 'in_progress' ORDER BY id",
                )
                .bind(blueprint_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }
            async fn attempt(&self, id: &str) -> Result<Option<AttemptRow>> {
                Ok(sqlx::query_as("SELECT * FROM attempts WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn attempt_for(&self, user_id: &str, blueprint_id: &str) -> Result<Option<AttemptRow>> {
                Ok(sqlx::query_as("SELECT * FROM attempts WHERE user_id = $1 AND blueprint_id = $2")
                    .bind(user_id)
                    .bind(blueprint_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn responses(&self, attempt_id: &str) -> Result<Vec<ResponseRow>> {
                Ok(sqlx::query_as(
                    "SELECT item_id, choice, answer, seq, saved_at FROM responses WHERE attempt_id = $1 ORDER BY item_id",
                )
                .bind(attempt_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn save_response(&self, save: SaveCmd) -> Result<SaveOutcome> {
                self.save_durably(save).await
            }

            async fn claim_device(&self, attempt_id: &str, device: &str, now: i64) -> Result<Claim> {
                let mut tx = self.pool.begin().await?;
                // The write comes first, so SQLite takes its write lock at once (no read-to-write
                // upgrade), and PostgreSQL locks the row before it is read.
                let claimed: Option<(String,)> = sqlx::query_as(
                    "UPDATE attempts SET device = $2 WHERE id = $1 AND status = 'in_progress' \
                     AND (device IS NULL OR device <> $2) RETURNING id",
                )
                .bind(attempt_id)
                .bind(device)
                .fetch_optional(&mut *tx)
                .await?;
                if claimed.is_none() {
                    tx.rollback().await?;
                    return Ok(Claim::Unchanged);
                }
                // The newest event that names a device names who held it before.
                let previous: Option<(String,)> = sqlx::query_as(
                    "SELECT detail FROM attempt_events WHERE attempt_id = $1 \
                     AND kind IN ('started', 'device_claimed', 'device_takeover') ORDER BY id DESC LIMIT 1",
                )
                .bind(attempt_id)
                .fetch_optional(&mut *tx)
                .await?;
                let from = previous
                    .and_then(|(d,)| serde_json::from_str::<serde_json::Value>(&d).ok())
                    .and_then(|d| d.get("device").and_then(|v| v.as_str()).map(str::to_string));
                // A second device taking over is an integrity signal (for a person to judge).
                let (kind, detail, claim, category) = match from {
                    Some(from) => (
                        "device_takeover",
                        serde_json::json!({ "device": device, "from": from }),
                        Claim::TookOver { from },
                        "integrity",
                    ),
                    None => (
                        "device_claimed",
                        serde_json::json!({ "device": device }),
                        Claim::First,
                        "system",
                    ),
                };
                sqlx::query("INSERT INTO attempt_events (attempt_id, at, kind, detail, category) VALUES ($1, $2, $3, $4, $5)")
                    .bind(attempt_id)
                    .bind(now)
                    .bind(kind)
                    .bind(detail.to_string())
                    .bind(category)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(claim)
            }

            async fn add_event(&self, attempt_id: &str, kind: &str, detail: &str, now: i64) -> Result<()> {
                sqlx::query("INSERT INTO attempt_events (attempt_id, at, kind, detail) VALUES ($1, $2, $3, $4)")
                    .bind(attempt_id)
                    .bind(now)
                    .bind(kind)
                    .bind(detail)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn events(&self, attempt_id: &str) -> Result<Vec<EventRow>> {
                Ok(sqlx::query_as("SELECT * FROM attempt_events WHERE attempt_id = $1 ORDER BY id")
                    .bind(attempt_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn add_event_as(&self, e: &EventRow) -> Result<EventRow> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO attempt_events (attempt_id, at, kind, detail, category, actor) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(&e.attempt_id)
                .bind(e.at)
                .bind(&e.kind)
                .bind(&e.detail)
                .bind(&e.category)
                .bind(&e.actor)
                .fetch_one(&self.pool)
                .await?;
                Ok(EventRow { id, ..e.clone() })
            }

            async fn heartbeat(&self, id: &str, now: i64, ip: &str) -> Result<Option<Beat>> {
                // PostgreSQL: one statement reads the previous values and writes the new ones.
                let one: Option<&str> = $heartbeat_sql;
                if let Some(sql) = one {
                    return Ok(sqlx::query_as(sql)
                        .bind(id)
                        .bind(now)
                        .bind(ip)
                        .fetch_optional(&self.pool)
                        .await?);
                }
                // SQLite: read, then write, as two statements: heartbeats of one attempt come one
                // after another, and a read-then-write transaction would make SQLite refuse the
                // upgrade to a write lock under load ("database is locked").
                let before: Option<Beat> = sqlx::query_as(
                    "SELECT last_seen, last_ip, \
                     (SELECT MAX(saved_at) FROM responses WHERE attempt_id = $1) AS last_save \
                     FROM attempts WHERE id = $1 AND status = 'in_progress'",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                if before.is_some() {
                    sqlx::query("UPDATE attempts SET last_seen = $2, last_ip = $3 WHERE id = $1")
                        .bind(id)
                        .bind(now)
                        .bind(ip)
                        .execute(&self.pool)
                        .await?;
                }
                Ok(before)
            }

            async fn close_attempt(&self, id: &str, status: &str, now: i64) -> Result<bool> {
                let mut tx = self.pool.begin().await?;
                let lock: Option<&str> = $close_lock;
                if let Some(lock) = lock {
                    sqlx::query(lock).bind(id).execute(&mut *tx).await?;
                }
                let done = sqlx::query(
                    "UPDATE attempts SET status = $2, closed_at = $3 WHERE id = $1 AND status = 'in_progress'",
                )
                .bind(id)
                .bind(status)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn store_score(&self, id: &str, score: &str, credits: &[super::ScoredItem]) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("UPDATE attempts SET score = $2 WHERE id = $1")
                    .bind(id)
                    .bind(score)
                    .execute(&mut *tx)
                    .await?;
                for c in credits {
                    sqlx::query("UPDATE attempt_items SET credit = $3, chosen = $4 WHERE attempt_id = $1 AND item_id = $2")
                        .bind(id)
                        .bind(&c.item_id)
                        .bind(c.credit)
                        .bind(c.chosen)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn unscored_attempts(&self) -> Result<Vec<String>> {
                let rows: Vec<(String,)> =
                    sqlx::query_as("SELECT id FROM attempts WHERE status <> 'in_progress' AND score IS NULL")
                        .fetch_all(&self.pool)
                        .await?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }

            async fn overdue_attempts(&self, cutoff: i64) -> Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT id FROM attempts WHERE status = 'in_progress' AND paused_at IS NULL AND deadline < $1 \
                     ORDER BY deadline LIMIT 1000",
                )
                .bind(cutoff)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }

            async fn attempt_counts(&self) -> Result<AttemptCounts> {
                Ok(sqlx::query_as(
                    "SELECT \
                       (SELECT COUNT(*) FROM attempts WHERE status = 'in_progress') AS in_progress, \
                       (SELECT COUNT(*) FROM attempts WHERE status <> 'in_progress') AS closed, \
                       (SELECT COUNT(*) FROM stage_results WHERE stage = 1 AND status = 'passed') AS passed",
                )
                .fetch_one(&self.pool)
                .await?)
            }

            async fn lead(&self, key: i64) -> Result<bool> {
                self.try_lead(key).await
            }

            fn pool_stats(&self) -> (u32, u32, u32) {
                let idle = u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX);
                (self.pool.size(), idle, self.pool.options().get_max_connections())
            }

            fn pg_pool(&self) -> Option<sqlx::PgPool> {
                self.postgres_pool()
            }

            async fn set_stage(&self, s: &StageRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO stage_results (user_id, stage, status, attempt_id, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (user_id, stage) DO UPDATE SET status = excluded.status, \
                     attempt_id = excluded.attempt_id, recorded_by = excluded.recorded_by, \
                     recorded_at = excluded.recorded_at",
                )
                .bind(&s.user_id)
                .bind(s.stage)
                .bind(&s.status)
                .bind(&s.attempt_id)
                .bind(&s.recorded_by)
                .bind(s.recorded_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn backup(&self, path: &str) -> Result<()> {
                let statement: std::result::Result<&str, &'static str> = $backup;
                let statement = statement.map_err(StoreError::Unsupported)?;
                sqlx::query(statement).bind(path).execute(&self.pool).await?;
                Ok(())
            }

            async fn stages(&self, user_id: &str) -> Result<Vec<StageRow>> {
                Ok(sqlx::query_as("SELECT * FROM stage_results WHERE user_id = $1 ORDER BY stage")
                    .bind(user_id)
                    .fetch_all(&self.pool)
                    .await?)
            }
        }
    };
}

sql_store!(
    SqliteStore,
    "sqlite",
    "../migrations/sqlite",
    close_lock: None,
    row_lock: "",
    heartbeat: None,
    backup: Ok("VACUUM INTO $1")
);
sql_store!(
    PgStore,
    "postgres",
    "../migrations/postgres",
    close_lock: Some("SELECT id FROM attempts WHERE id = $1 FOR UPDATE"),
    row_lock: " FOR UPDATE",
    heartbeat: Some(
        "WITH old AS (SELECT id, last_seen, last_ip, \
         (SELECT MAX(saved_at) FROM responses WHERE attempt_id = $1) AS last_save FROM attempts \
         WHERE id = $1 AND status = 'in_progress' FOR UPDATE) \
         UPDATE attempts SET last_seen = $2, last_ip = $3 FROM old WHERE attempts.id = old.id \
         RETURNING old.last_seen, old.last_ip, old.last_save"
    ),
    backup: Err("PostgreSQL is backed up with its own tools (pg_dump, or base backups with WAL archiving)")
);
