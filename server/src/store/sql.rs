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

macro_rules! item_version_columns {
    () => {
        "(item_id, version, competency, difficulty, status, content, answer_key, rationale, \
         option_count, created_at, item_type, author_id, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    };
}

/// Binds an [`ItemRow`] in the order of [`item_version_columns`].
macro_rules! bind_item_version {
    ($query:expr, $i:expr) => {
        $query
            .bind(&$i.item_id)
            .bind($i.version)
            .bind(&$i.competency)
            .bind(&$i.difficulty)
            .bind(&$i.status)
            .bind(&$i.content)
            .bind(&$i.answer_key)
            .bind(&$i.rationale)
            .bind($i.option_count)
            .bind($i.created_at)
            .bind(&$i.item_type)
            .bind(&$i.author_id)
            .bind($i.updated_at)
    };
}

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

            async fn upsert_competency(&self, c: &CompetencyRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO competencies (code, position, names) VALUES ($1, $2, $3) \
                     ON CONFLICT (code) DO UPDATE SET position = excluded.position, names = excluded.names",
                )
                .bind(&c.code)
                .bind(c.position)
                .bind(&c.names)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn competencies(&self) -> Result<Vec<CompetencyRow>> {
                Ok(sqlx::query_as("SELECT * FROM competencies ORDER BY position, code")
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn insert_item_version(&self, i: &ItemRow) -> Result<()> {
                bind_item_version!(sqlx::query(concat!("INSERT INTO item_versions ", item_version_columns!())), i)
                    .execute(&self.pool)
                    .await
                    .map_err(conflict)?;
                Ok(())
            }

            async fn item_version(&self, item_id: &str, version: i64) -> Result<Option<ItemRow>> {
                Ok(sqlx::query_as("SELECT * FROM item_versions WHERE item_id = $1 AND version = $2")
                    .bind(item_id)
                    .bind(version)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn published_pool(&self) -> Result<Vec<PoolRow>> {
                Ok(sqlx::query_as(
                    "SELECT v.item_id, v.version, v.competency, v.difficulty, v.item_type, \
                     v.option_count, v.content FROM items i \
                     JOIN item_versions v ON v.item_id = i.item_id AND v.version = i.published_version \
                     WHERE i.published_version IS NOT NULL \
                     ORDER BY v.item_id",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn count_published_by_competency(&self) -> Result<Vec<(String, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT c.code, COUNT(i.item_id) FROM competencies c \
                     LEFT JOIN items i ON i.competency = c.code AND i.published_version IS NOT NULL \
                     GROUP BY c.code, c.position ORDER BY c.position, c.code",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn bank_page(&self, q: &BankQuery) -> Result<(Vec<ItemHeadRow>, i64)> {
                let mut filter = String::from(" FROM items WHERE 1 = 1");
                let mut binds: Vec<String> = Vec::new();
                let mut add = |cond: &str, value: String| {
                    binds.push(value);
                    filter.push_str(" AND ");
                    filter.push_str(&cond.replace('?', &format!("${}", binds.len())));
                };
                let like = |s: &str| s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                if let Some(v) = &q.competency { add("competency = ?", v.clone()); }
                if let Some(v) = &q.status { add("status = ?", v.clone()); }
                if let Some(v) = &q.item_type { add("item_type = ?", v.clone()); }
                if let Some(v) = &q.ready_in { add("ready LIKE ? ESCAPE '\\'", format!("%{}%", like(v))); }
                if let Some(v) = &q.missing_in { add("ready NOT LIKE ? ESCAPE '\\'", format!("%{}%", like(v))); }
                if let Some(v) = &q.tag { add("tags LIKE ? ESCAPE '\\'", format!("%,{},%", like(v))); }
                for w in &q.words { add("search_text LIKE ? ESCAPE '\\'", format!("%{}%", like(w))); }
                let sort = if BANK_SORTS.contains(&q.sort.as_str()) { q.sort.as_str() } else { "item_id" };
                let dir = if q.descending { "DESC" } else { "ASC" };
                let count_sql = format!("SELECT COUNT(*){filter}");
                let mut count = sqlx::query_as::<_, (i64,)>(&count_sql);
                for b in &binds { count = count.bind(b); }
                let (total,) = count.fetch_one(&self.pool).await?;
                let page_sql = format!(
                    "SELECT *{filter} ORDER BY {sort} {dir}, item_id {dir} LIMIT ${} OFFSET ${}",
                    binds.len() + 1,
                    binds.len() + 2
                );
                let mut page = sqlx::query_as::<_, ItemHeadRow>(&page_sql);
                for b in &binds { page = page.bind(b); }
                let rows = page.bind(q.limit).bind(q.offset).fetch_all(&self.pool).await?;
                Ok((rows, total))
            }

            async fn item_head(&self, item_id: &str) -> Result<Option<ItemHeadRow>> {
                Ok(sqlx::query_as("SELECT * FROM items WHERE item_id = $1")
                    .bind(item_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn item_heads(&self, item_ids: &[String]) -> Result<Vec<ItemHeadRow>> {
                let mut out = Vec::with_capacity(item_ids.len());
                for chunk in item_ids.chunks(500) {
                    let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
                    let sql = format!("SELECT * FROM items WHERE item_id IN ({}) ORDER BY item_id", marks.join(", "));
                    let mut q = sqlx::query_as::<_, ItemHeadRow>(&sql);
                    for id in chunk { q = q.bind(id); }
                    out.extend(q.fetch_all(&self.pool).await?);
                }
                Ok(out)
            }

            async fn all_heads(&self) -> Result<Vec<ItemHeadRow>> {
                Ok(sqlx::query_as("SELECT * FROM items ORDER BY competency, item_id")
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn item_versions(&self, item_id: &str) -> Result<Vec<ItemRow>> {
                Ok(sqlx::query_as("SELECT * FROM item_versions WHERE item_id = $1 ORDER BY version")
                    .bind(item_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn item_audit(&self, item_id: &str) -> Result<Vec<AuditRow>> {
                Ok(sqlx::query_as("SELECT * FROM item_audit WHERE item_id = $1 ORDER BY id")
                    .bind(item_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn attachment(&self, sha256: &str) -> Result<Option<(String, Vec<u8>)>> {
                Ok(sqlx::query_as("SELECT media_type, bytes FROM attachments WHERE sha256 = $1")
                    .bind(sha256)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn write_bank(&self, w: &BankWrite) -> Result<()> {
                let mut tx = self.begin_write().await?;
                for (id, expected) in &w.expect {
                    let current: Option<(i64,)> =
                        sqlx::query_as(concat!("SELECT updated_at FROM items WHERE item_id = $1", $row_lock))
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if current.map(|c| c.0) != *expected {
                        return Err(StoreError::Conflict);
                    }
                }
                for i in &w.versions {
                    let insert = sqlx::query(concat!(
                        "INSERT INTO item_versions ",
                        item_version_columns!(),
                        " ON CONFLICT (item_id, version) DO UPDATE SET competency = excluded.competency, \
                         difficulty = excluded.difficulty, status = excluded.status, content = excluded.content, \
                         answer_key = excluded.answer_key, rationale = excluded.rationale, \
                         option_count = excluded.option_count, item_type = excluded.item_type, \
                         author_id = excluded.author_id, updated_at = excluded.updated_at"
                    ));
                    bind_item_version!(insert, i)
                    .execute(&mut *tx)
                    .await?;
                }
                for (id, version, status) in &w.statuses {
                    sqlx::query("UPDATE item_versions SET status = $3 WHERE item_id = $1 AND version = $2")
                        .bind(id)
                        .bind(version)
                        .bind(status)
                        .execute(&mut *tx)
                        .await?;
                }
                for h in &w.heads {
                    sqlx::query(
                        "INSERT INTO items (item_id, head_version, published_version, status, competency, \
                         item_type, difficulty, ready, tags, search_text, preview, author_id, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                         ON CONFLICT (item_id) DO UPDATE SET head_version = excluded.head_version, \
                         published_version = excluded.published_version, status = excluded.status, \
                         competency = excluded.competency, item_type = excluded.item_type, \
                         difficulty = excluded.difficulty, ready = excluded.ready, tags = excluded.tags, \
                         search_text = excluded.search_text, preview = excluded.preview, author_id = excluded.author_id, \
                         updated_at = excluded.updated_at",
                    )
                    .bind(&h.item_id)
                    .bind(h.head_version)
                    .bind(h.published_version)
                    .bind(&h.status)
                    .bind(&h.competency)
                    .bind(&h.item_type)
                    .bind(&h.difficulty)
                    .bind(&h.ready)
                    .bind(&h.tags)
                    .bind(&h.search_text)
                    .bind(&h.preview)
                    .bind(&h.author_id)
                    .bind(h.updated_at)
                    .execute(&mut *tx)
                    .await?;
                }
                for a in &w.audit {
                    sqlx::query(
                        INSERT_ITEM_AUDIT,
                    )
                    .bind(&a.item_id)
                    .bind(a.version)
                    .bind(a.at)
                    .bind(&a.actor_id)
                    .bind(&a.actor_name)
                    .bind(&a.action)
                    .bind(&a.comment)
                    .execute(&mut *tx)
                    .await?;
                }
                for (sha, media_type, bytes) in &w.files {
                    sqlx::query(
                        "INSERT INTO attachments (sha256, media_type, size, bytes) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (sha256) DO NOTHING",
                    )
                    .bind(sha)
                    .bind(media_type)
                    .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
                    .bind(bytes)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await.map_err(conflict)?;
                Ok(())
            }

            async fn upsert_blueprint(&self, b: &BlueprintRow) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                if b.active != 0 {
                    sqlx::query("UPDATE blueprints SET active = 0 WHERE id <> $1")
                        .bind(&b.id)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(
                    "INSERT INTO blueprints (id, spec, active, created_at, updated_at, updated_by) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (id) DO UPDATE SET spec = excluded.spec, active = excluded.active, \
                     updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                )
                .bind(&b.id)
                .bind(&b.spec)
                .bind(b.active)
                .bind(b.created_at)
                .bind(b.updated_at)
                .bind(&b.updated_by)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn blueprint(&self, id: &str) -> Result<Option<BlueprintRow>> {
                Ok(sqlx::query_as("SELECT * FROM blueprints WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn active_blueprint(&self) -> Result<Option<BlueprintRow>> {
                Ok(sqlx::query_as("SELECT * FROM blueprints WHERE active = 1 ORDER BY created_at DESC LIMIT 1")
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn blueprints(&self) -> Result<Vec<BlueprintRow>> {
                Ok(sqlx::query_as("SELECT * FROM blueprints ORDER BY active DESC, id")
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn activate_blueprint(&self, id: Option<&str>) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("UPDATE blueprints SET active = 0 WHERE active <> 0")
                    .execute(&mut *tx)
                    .await?;
                if let Some(id) = id {
                    sqlx::query("UPDATE blueprints SET active = 1 WHERE id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
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
            async fn correct_key(&self, c: &KeyCorrectionRow) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("UPDATE item_versions SET answer_key = $3 WHERE item_id = $1 AND version = $2")
                    .bind(&c.item_id)
                    .bind(c.version)
                    .bind(&c.new_key)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO key_corrections (id, item_id, version, old_key, new_key, reason, \
                     corrected_by, corrected_at, rescored) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&c.id)
                .bind(&c.item_id)
                .bind(c.version)
                .bind(&c.old_key)
                .bind(&c.new_key)
                .bind(&c.reason)
                .bind(&c.corrected_by)
                .bind(c.corrected_at)
                .bind(c.rescored)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }
            async fn set_correction_rescored(&self, id: &str, rescored: i64) -> Result<()> {
                sqlx::query("UPDATE key_corrections SET rescored = $2 WHERE id = $1")
                    .bind(id)
                    .bind(rescored)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
            async fn key_corrections(&self, item_id: &str) -> Result<Vec<KeyCorrectionRow>> {
                Ok(sqlx::query_as(
                    "SELECT id, item_id, version, old_key, new_key, reason, corrected_by, corrected_at, \
                     rescored FROM key_corrections WHERE item_id = $1 ORDER BY corrected_at, id",
                )
                .bind(item_id)
                .fetch_all(&self.pool)
                .await?)
            }
            async fn key_correction_count(&self) -> Result<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM key_corrections")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n)
            }
            async fn add_score_change(&self, c: &ScoreChangeRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO score_changes (cause, attempt_id, user_id, blueprint_id, old_percent, \
                     new_percent, old_passed, new_passed, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&c.cause)
                .bind(&c.attempt_id)
                .bind(&c.user_id)
                .bind(&c.blueprint_id)
                .bind(c.old_percent)
                .bind(c.new_percent)
                .bind(c.old_passed)
                .bind(c.new_passed)
                .bind(c.at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
            async fn score_changes(&self, blueprint_id: Option<&str>) -> Result<Vec<ScoreChangeRow>> {
                Ok(sqlx::query_as(
                    "SELECT id, cause, attempt_id, user_id, blueprint_id, old_percent, new_percent, \
                     old_passed, new_passed, at FROM score_changes \
                     WHERE ($1 IS NULL OR blueprint_id = $1) ORDER BY id DESC LIMIT 1000",
                )
                .bind(blueprint_id)
                .fetch_all(&self.pool)
                .await?)
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

            async fn insert_sitting(&self, s: &SittingRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO sittings (id, name, blueprint_id, region, mode, venue, opens_at, closes_at, \
                     requires_admission, paused_at, created_by, created_at, camera, snapshot_seconds) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                )
                .bind(&s.id)
                .bind(&s.name)
                .bind(&s.blueprint_id)
                .bind(&s.region)
                .bind(&s.mode)
                .bind(&s.venue)
                .bind(s.opens_at)
                .bind(s.closes_at)
                .bind(s.requires_admission)
                .bind(s.paused_at)
                .bind(&s.created_by)
                .bind(s.created_at)
                .bind(s.camera)
                .bind(s.snapshot_seconds)
                .execute(&self.pool)
                .await
                .map_err(conflict)?;
                Ok(())
            }
            async fn sitting(&self, id: &str) -> Result<Option<SittingRow>> {
                Ok(sqlx::query_as("SELECT * FROM sittings WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }
            async fn sittings(&self, proctor: Option<&str>) -> Result<Vec<SittingRow>> {
                Ok(sqlx::query_as(
                    "SELECT * FROM sittings s WHERE $1 IS NULL OR EXISTS \
                     (SELECT 1 FROM sitting_proctors p WHERE p.sitting_id = s.id AND p.user_id = $1) \
                     ORDER BY opens_at DESC, id",
                )
                .bind(proctor)
                .fetch_all(&self.pool)
                .await?)
            }
            async fn sitting_proctors(&self, id: &str) -> Result<Vec<UserRow>> {
                Ok(sqlx::query_as(
                    "SELECT u.* FROM sitting_proctors p JOIN users u ON u.id = p.user_id \
                     WHERE p.sitting_id = $1 ORDER BY u.email",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?)
            }
            async fn add_sitting_proctors(&self, id: &str, user_ids: &[String]) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                for u in user_ids {
                    sqlx::query(
                        "INSERT INTO sitting_proctors (sitting_id, user_id) VALUES ($1, $2) \
                         ON CONFLICT (sitting_id, user_id) DO NOTHING",
                    )
                    .bind(id)
                    .bind(u)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }
            async fn add_sitting_applicants(&self, id: &str, user_ids: &[String]) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                for u in user_ids {
                    sqlx::query(
                        "INSERT INTO sitting_applicants (sitting_id, user_id) VALUES ($1, $2) \
                         ON CONFLICT (sitting_id, user_id) DO NOTHING",
                    )
                    .bind(id)
                    .bind(u)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }
            async fn sitting_applicant_ids(&self, id: &str) -> Result<Vec<String>> {
                let rows: Vec<(String,)> =
                    sqlx::query_as("SELECT user_id FROM sitting_applicants WHERE sitting_id = $1")
                        .bind(id)
                        .fetch_all(&self.pool)
                        .await?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }
            async fn seat_for(&self, user_id: &str, blueprint_id: &str) -> Result<Option<SeatRow>> {
                Ok(sqlx::query_as(
                    "SELECT sa.* FROM sitting_applicants sa JOIN sittings s ON s.id = sa.sitting_id \
                     WHERE sa.user_id = $1 AND s.blueprint_id = $2 ORDER BY s.opens_at DESC LIMIT 1",
                )
                .bind(user_id)
                .bind(blueprint_id)
                .fetch_optional(&self.pool)
                .await?)
            }
            async fn seat(&self, sitting_id: &str, user_id: &str) -> Result<Option<SeatRow>> {
                Ok(sqlx::query_as(
                    "SELECT * FROM sitting_applicants WHERE sitting_id = $1 AND user_id = $2",
                )
                .bind(sitting_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?)
            }
            async fn check_in(&self, sitting_id: &str, user_id: &str, now: i64) -> Result<()> {
                sqlx::query(
                    "UPDATE sitting_applicants SET checked_in_at = $3 \
                     WHERE sitting_id = $1 AND user_id = $2 AND checked_in_at IS NULL",
                )
                .bind(sitting_id)
                .bind(user_id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
            async fn admit(&self, sitting_id: &str, user_id: &str, by: &str, now: i64) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE sitting_applicants SET admitted_at = $3, admitted_by = $4, \
                     refused_reason = NULL, refused_by = NULL \
                     WHERE sitting_id = $1 AND user_id = $2 AND admitted_at IS NULL",
                )
                .bind(sitting_id)
                .bind(user_id)
                .bind(now)
                .bind(by)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }
            async fn set_sitting_paused(&self, id: &str, paused_at: Option<i64>) -> Result<()> {
                sqlx::query("UPDATE sittings SET paused_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(paused_at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
            async fn monitor_rows(&self, sitting_id: &str, user_id: Option<&str>) -> Result<Vec<MonitorDbRow>> {
                Ok(sqlx::query_as(
                    "SELECT sa.user_id, u.full_name, u.email, sa.checked_in_at, sa.admitted_at, \
                     a.id AS attempt_id, a.status, a.termination, a.deadline, a.paused_at, a.last_seen, \
                     (SELECT COUNT(*) FROM responses r WHERE r.attempt_id = a.id \
                        AND (r.answer IS NOT NULL OR r.choice IS NOT NULL)) AS answered, \
                     (SELECT COUNT(*) FROM attempt_items ai WHERE ai.attempt_id = a.id) AS total, \
                     (SELECT COUNT(*) FROM attempt_events e WHERE e.attempt_id = a.id \
                        AND e.category = 'integrity') AS integrity \
                     FROM sitting_applicants sa JOIN users u ON u.id = sa.user_id \
                     LEFT JOIN attempts a ON a.sitting_id = sa.sitting_id AND a.user_id = sa.user_id \
                     WHERE sa.sitting_id = $1 AND ($2 IS NULL OR sa.user_id = $2) \
                     ORDER BY u.full_name, u.email",
                )
                .bind(sitting_id)
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?)
            }
            async fn sitting_open_attempts(&self, sitting_id: &str) -> Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT id FROM attempts WHERE sitting_id = $1 AND status = 'in_progress'",
                )
                .bind(sitting_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }
            async fn sitting_events(&self, sitting_id: &str) -> Result<Vec<SittingEventRow>> {
                Ok(sqlx::query_as(
                    "SELECT e.at, e.attempt_id, u.email, u.full_name, e.category, e.kind, e.actor, e.detail \
                     FROM attempt_events e JOIN attempts a ON a.id = e.attempt_id \
                     JOIN users u ON u.id = a.user_id WHERE a.sitting_id = $1 ORDER BY e.at, e.id",
                )
                .bind(sitting_id)
                .fetch_all(&self.pool)
                .await?)
            }
            async fn pause_attempt(&self, id: &str, now: i64) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE attempts SET paused_at = $2 WHERE id = $1 AND status = 'in_progress' \
                     AND paused_at IS NULL",
                )
                .bind(id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }
            async fn resume_attempt(&self, id: &str, now: i64) -> Result<Option<i64>> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "UPDATE attempts SET deadline = deadline + ($2 - paused_at), paused_at = NULL, last_seen = $2 \
                     WHERE id = $1 AND status = 'in_progress' AND paused_at IS NOT NULL \
                     RETURNING deadline",
                )
                .bind(id)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|r| r.0))
            }
            async fn extend_deadline(&self, id: &str, ms: i64) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE attempts SET deadline = deadline + $2 WHERE id = $1 AND status = 'in_progress'",
                )
                .bind(id)
                .bind(ms)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }
            async fn terminate_attempt(&self, id: &str, now: i64, termination: &str) -> Result<bool> {
                let mut tx = self.pool.begin().await?;
                let lock: Option<&str> = $close_lock;
                if let Some(lock) = lock {
                    sqlx::query(lock).bind(id).execute(&mut *tx).await?;
                }
                let done = sqlx::query(
                    "UPDATE attempts SET status = 'submitted', closed_at = $2, termination = $3, paused_at = NULL \
                     WHERE id = $1 AND status = 'in_progress'",
                )
                .bind(id)
                .bind(now)
                .bind(termination)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
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
