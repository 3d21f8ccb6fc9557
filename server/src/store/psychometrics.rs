//! Storage of psychometrics: calibrations and the item parameters they stored (one row per
//! item version, the latest calibration's), and standard-setting workshops with their
//! ratings. The SQL is shared by both databases like the rest of the store.

use super::sql::{INSERT_ITEM_AUDIT, PgStore, SqliteStore};
use super::{AuditRow, Result};
use async_trait::async_trait;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CalibrationRow {
    pub id: String,
    /// What was calibrated: `blueprint <id>`, `blueprint <id>, sitting <id>` or `import`.
    pub source: String,
    pub model: String,
    pub examinees: i64,
    pub items: i64,
    pub log_likelihood: f64,
    pub link_slope: f64,
    pub link_intercept: f64,
    pub link_common: i64,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemParameterRow {
    pub item_id: String,
    pub version: i64,
    pub calibration_id: String,
    pub model: String,
    pub a: f64,
    pub b: f64,
    pub se_a: f64,
    pub se_b: f64,
    pub fit_p: f64,
    pub examinees: i64,
    pub calibrated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StandardSettingRow {
    pub id: String,
    pub blueprint_id: String,
    pub name: String,
    /// JSON list of the rated items.
    pub items: String,
    /// JSON list of the judges' user ids.
    pub judges: String,
    pub language: String,
    pub round: i64,
    pub status: String,
    pub created_by: String,
    pub created_at: i64,
    pub adopted: Option<String>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RatingRow {
    pub round: i64,
    pub judge_id: String,
    pub item_id: String,
    pub rating: f64,
    pub at: i64,
}

#[async_trait]
pub trait PsychometricsStore {
    /// Every stored item parameter row.
    async fn item_parameters(&self) -> Result<Vec<ItemParameterRow>>;
    /// Stores a calibration and its parameters (replacing those of the same item versions)
    /// with an audit entry per item, all or nothing.
    async fn store_calibration(
        &self,
        c: &CalibrationRow,
        params: &[ItemParameterRow],
        audit: &[AuditRow],
    ) -> Result<()>;
    /// The newest calibrations first (at most 50).
    async fn calibrations(&self) -> Result<Vec<CalibrationRow>>;
    async fn insert_standard_setting(&self, s: &StandardSettingRow) -> Result<()>;
    async fn standard_setting(&self, id: &str) -> Result<Option<StandardSettingRow>>;
    /// Newest first.
    async fn standard_settings(&self) -> Result<Vec<StandardSettingRow>>;
    /// Writes the round, status, adopted cut and time of a workshop.
    async fn update_standard_setting(&self, s: &StandardSettingRow) -> Result<()>;
    /// A judge's ratings of one round (each replaces that judge's earlier rating of the item
    /// in the round), all or nothing.
    async fn save_ratings(
        &self,
        setting_id: &str,
        round: i64,
        judge_id: &str,
        ratings: &[(String, f64)],
        at: i64,
    ) -> Result<()>;
    async fn ratings(&self, setting_id: &str) -> Result<Vec<RatingRow>>;
    /// Every item's competency and status: (item id, competency, status).
    async fn item_competencies(&self) -> Result<Vec<(String, String, String)>>;
    /// A blueprint's sittings: (id, name), newest first.
    async fn blueprint_sittings(&self, blueprint_id: &str) -> Result<Vec<(String, String)>>;
    /// The stored score reports (JSON) of a blueprint's scored attempts.
    async fn attempt_scores(&self, blueprint_id: &str) -> Result<Vec<String>>;
}

macro_rules! psychometrics_store {
    ($store:ty) => {
        #[async_trait]
        impl PsychometricsStore for $store {
            async fn item_parameters(&self) -> Result<Vec<ItemParameterRow>> {
                Ok(sqlx::query_as("SELECT * FROM item_parameters ORDER BY item_id, version")
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn store_calibration(
                &self,
                c: &CalibrationRow,
                params: &[ItemParameterRow],
                audit: &[AuditRow],
            ) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO calibrations (id, source, model, examinees, items, log_likelihood, \
                     link_slope, link_intercept, link_common, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&c.id)
                .bind(&c.source)
                .bind(&c.model)
                .bind(c.examinees)
                .bind(c.items)
                .bind(c.log_likelihood)
                .bind(c.link_slope)
                .bind(c.link_intercept)
                .bind(c.link_common)
                .bind(&c.created_by)
                .bind(c.created_at)
                .execute(&mut *tx)
                .await?;
                for p in params {
                    sqlx::query(
                        "INSERT INTO item_parameters (item_id, version, calibration_id, model, a, b, \
                         se_a, se_b, fit_p, examinees, calibrated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                         ON CONFLICT (item_id, version) DO UPDATE SET calibration_id = excluded.calibration_id, \
                         model = excluded.model, a = excluded.a, b = excluded.b, se_a = excluded.se_a, \
                         se_b = excluded.se_b, fit_p = excluded.fit_p, examinees = excluded.examinees, \
                         calibrated_at = excluded.calibrated_at",
                    )
                    .bind(&p.item_id)
                    .bind(p.version)
                    .bind(&p.calibration_id)
                    .bind(&p.model)
                    .bind(p.a)
                    .bind(p.b)
                    .bind(p.se_a)
                    .bind(p.se_b)
                    .bind(p.fit_p)
                    .bind(p.examinees)
                    .bind(p.calibrated_at)
                    .execute(&mut *tx)
                    .await?;
                }
                for a in audit {
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
                tx.commit().await?;
                Ok(())
            }

            async fn calibrations(&self) -> Result<Vec<CalibrationRow>> {
                Ok(sqlx::query_as(
                    "SELECT * FROM calibrations ORDER BY created_at DESC, id DESC LIMIT 50",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn insert_standard_setting(&self, s: &StandardSettingRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO standard_settings (id, blueprint_id, name, items, judges, language, round, \
                     status, created_by, created_at, adopted, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(&s.id)
                .bind(&s.blueprint_id)
                .bind(&s.name)
                .bind(&s.items)
                .bind(&s.judges)
                .bind(&s.language)
                .bind(s.round)
                .bind(&s.status)
                .bind(&s.created_by)
                .bind(s.created_at)
                .bind(&s.adopted)
                .bind(s.updated_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn standard_setting(&self, id: &str) -> Result<Option<StandardSettingRow>> {
                Ok(sqlx::query_as("SELECT * FROM standard_settings WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn standard_settings(&self) -> Result<Vec<StandardSettingRow>> {
                Ok(sqlx::query_as(
                    "SELECT * FROM standard_settings ORDER BY created_at DESC, id DESC LIMIT 200",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn update_standard_setting(&self, s: &StandardSettingRow) -> Result<()> {
                sqlx::query(
                    "UPDATE standard_settings SET round = $2, status = $3, adopted = $4, updated_at = $5 \
                     WHERE id = $1",
                )
                .bind(&s.id)
                .bind(s.round)
                .bind(&s.status)
                .bind(&s.adopted)
                .bind(s.updated_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn save_ratings(
                &self,
                setting_id: &str,
                round: i64,
                judge_id: &str,
                ratings: &[(String, f64)],
                at: i64,
            ) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                for (item, rating) in ratings {
                    sqlx::query(
                        "INSERT INTO angoff_ratings (setting_id, round, judge_id, item_id, rating, at) \
                         VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (setting_id, round, judge_id, item_id) DO UPDATE SET \
                         rating = excluded.rating, at = excluded.at",
                    )
                    .bind(setting_id)
                    .bind(round)
                    .bind(judge_id)
                    .bind(item)
                    .bind(rating)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn ratings(&self, setting_id: &str) -> Result<Vec<RatingRow>> {
                Ok(sqlx::query_as(
                    "SELECT round, judge_id, item_id, rating, at FROM angoff_ratings \
                     WHERE setting_id = $1 ORDER BY round, judge_id, item_id",
                )
                .bind(setting_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn item_competencies(&self) -> Result<Vec<(String, String, String)>> {
                Ok(sqlx::query_as("SELECT item_id, competency, status FROM items")
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn blueprint_sittings(&self, blueprint_id: &str) -> Result<Vec<(String, String)>> {
                Ok(sqlx::query_as(
                    "SELECT id, name FROM sittings WHERE blueprint_id = $1 ORDER BY opens_at DESC, id",
                )
                .bind(blueprint_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn attempt_scores(&self, blueprint_id: &str) -> Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT score FROM attempts WHERE blueprint_id = $1 AND score IS NOT NULL",
                )
                .bind(blueprint_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }
        }
    };
}

psychometrics_store!(SqliteStore);
psychometrics_store!(PgStore);
