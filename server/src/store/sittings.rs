//! Sittings' storage: the sittings, their proctors and seats, check-in and admission, the
//! proctor's table and the interventions on attempts (pause, resume, more time, termination).

use super::sql::conflict;
use super::*;

#[async_trait]
pub trait SittingStore: Send + Sync {
    async fn insert_sitting(&self, s: &SittingRow) -> Result<()>;

    async fn sitting(&self, id: &str) -> Result<Option<SittingRow>>;

    /// All sittings, or those `proctor` is assigned to; newest first.
    async fn sittings(&self, proctor: Option<&str>) -> Result<Vec<SittingRow>>;

    async fn sitting_proctors(&self, id: &str) -> Result<Vec<UserRow>>;

    async fn add_sitting_proctors(&self, id: &str, user_ids: &[String]) -> Result<()>;

    async fn add_sitting_applicants(&self, id: &str, user_ids: &[String]) -> Result<()>;

    async fn sitting_applicant_ids(&self, id: &str) -> Result<Vec<String>>;

    /// The user's seat in a sitting of this blueprint (the newest), if any.
    async fn seat_for(&self, user_id: &str, blueprint_id: &str) -> Result<Option<SeatRow>>;

    async fn seat(&self, sitting_id: &str, user_id: &str) -> Result<Option<SeatRow>>;

    async fn check_in(&self, sitting_id: &str, user_id: &str, now: i64) -> Result<()>;

    /// Admits a checked-in or assigned applicant; `false` if already admitted.
    async fn admit(&self, sitting_id: &str, user_id: &str, by: &str, now: i64) -> Result<bool>;

    async fn set_sitting_paused(&self, id: &str, paused_at: Option<i64>) -> Result<()>;

    /// Rows of the proctor's dashboard: all applicants of the sitting, or one.
    async fn monitor_rows(
        &self,
        sitting_id: &str,
        user_id: Option<&str>,
    ) -> Result<Vec<MonitorDbRow>>;

    async fn sitting_open_attempts(&self, sitting_id: &str) -> Result<Vec<String>>;

    async fn sitting_events(&self, sitting_id: &str) -> Result<Vec<SittingEventRow>>;

    /// Stops the clock of an in-progress attempt; `false` if it was not running.
    async fn pause_attempt(&self, id: &str, now: i64) -> Result<bool>;

    /// Restarts the clock, moving the deadline on by the paused time (returned); the paused
    /// time is not a silence (presence restarts now).
    async fn resume_attempt(&self, id: &str, now: i64) -> Result<Option<i64>>;

    /// Moves the deadline of an in-progress attempt on by `ms`.
    async fn extend_deadline(&self, id: &str, ms: i64) -> Result<bool>;

    /// Closes an in-progress attempt as ended by a proctor.
    async fn terminate_attempt(&self, id: &str, now: i64, termination: &str) -> Result<bool>;
}

macro_rules! sittings_store {
    ($store:ty, close_lock: $close_lock:expr) => {
        #[async_trait]
        impl SittingStore for $store {
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
        }
    };
}

sittings_store!(SqliteStore, close_lock: None);
sittings_store!(
    PgStore,
    close_lock: Some("SELECT id FROM attempts WHERE id = $1 FOR UPDATE")
);
