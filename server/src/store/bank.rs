//! The question bank's storage: competencies, item versions and their heads, the audit trail,
//! attachments; blueprints; key corrections and the score changes they caused.

use super::sql::{INSERT_ITEM_AUDIT, conflict};
use super::*;

#[async_trait]
pub trait BankStore: Send + Sync {
    async fn upsert_competency(&self, c: &CompetencyRow) -> Result<()>;

    async fn competencies(&self) -> Result<Vec<CompetencyRow>>;

    async fn insert_item_version(&self, item: &ItemRow) -> Result<()>;

    async fn item_version(&self, item_id: &str, version: i64) -> Result<Option<ItemRow>>;

    /// The latest published version of every published item.
    async fn published_pool(&self) -> Result<Vec<PoolRow>>;

    async fn count_published_by_competency(&self) -> Result<Vec<(String, i64)>>;

    /// A page of the bank list and the number of items matching the filters.
    async fn bank_page(&self, q: &BankQuery) -> Result<(Vec<ItemHeadRow>, i64)>;

    async fn item_head(&self, item_id: &str) -> Result<Option<ItemHeadRow>>;

    async fn item_heads(&self, item_ids: &[String]) -> Result<Vec<ItemHeadRow>>;

    /// Every version of an item, oldest first.
    async fn item_versions(&self, item_id: &str) -> Result<Vec<ItemRow>>;

    async fn item_audit(&self, item_id: &str) -> Result<Vec<AuditRow>>;

    async fn write_bank(&self, w: &BankWrite) -> Result<()>;

    /// `(media type, bytes)` of a stored attachment.
    async fn attachment(&self, sha256: &str) -> Result<Option<(String, Vec<u8>)>>;

    async fn all_heads(&self) -> Result<Vec<ItemHeadRow>>;

    async fn upsert_blueprint(&self, b: &BlueprintRow) -> Result<()>;

    async fn blueprint(&self, id: &str) -> Result<Option<BlueprintRow>>;

    async fn active_blueprint(&self) -> Result<Option<BlueprintRow>>;

    /// Every blueprint, the active one first.
    async fn blueprints(&self) -> Result<Vec<BlueprintRow>>;

    /// Makes `id` the one active blueprint (or none, with `None`).
    async fn activate_blueprint(&self, id: Option<&str>) -> Result<()>;

    /// Replaces the key of a stored item version and records the correction.
    async fn correct_key(&self, c: &KeyCorrectionRow) -> Result<()>;

    async fn set_correction_rescored(&self, id: &str, rescored: i64) -> Result<()>;

    async fn key_corrections(&self, item_id: &str) -> Result<Vec<KeyCorrectionRow>>;

    /// How many key corrections were ever made (a cheap change counter for caches).
    async fn key_correction_count(&self) -> Result<i64>;

    async fn add_score_change(&self, c: &ScoreChangeRow) -> Result<()>;

    /// Score changes, newest first, of one blueprint or all.
    async fn score_changes(&self, blueprint_id: Option<&str>) -> Result<Vec<ScoreChangeRow>>;
}

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

macro_rules! bank_store {
    ($store:ty, row_lock: $row_lock:literal) => {
        #[async_trait]
        impl BankStore for $store {
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

            async fn attachment(&self, sha256: &str) -> Result<Option<(String, Vec<u8>)>> {
                Ok(sqlx::query_as("SELECT media_type, bytes FROM attachments WHERE sha256 = $1")
                    .bind(sha256)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn all_heads(&self) -> Result<Vec<ItemHeadRow>> {
                Ok(sqlx::query_as("SELECT * FROM items ORDER BY competency, item_id")
                    .fetch_all(&self.pool)
                    .await?)
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
        }
    };
}

bank_store!(SqliteStore, row_lock: "");
bank_store!(PgStore, row_lock: " FOR UPDATE");
