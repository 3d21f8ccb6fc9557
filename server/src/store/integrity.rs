//! Storage of exam integrity: which app servers are alive, the outages the server vouches for
//! (every instance down, or a large share of a sitting silent at once), and the credit
//! requests a proctor decides. The SQL is shared by both databases like the rest of the store.

use super::Result;
use super::sql::{PgStore, SqliteStore, conflict};
use async_trait::async_trait;

/// An outage the server vouches for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutageRow {
    pub id: String,
    /// `server` or `sitting`.
    pub kind: String,
    pub sitting_id: Option<String>,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    /// JSON: how it was detected (silent and running attempts).
    pub detail: String,
}

/// A running attempt of a sitting and the last moment the server heard from it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PresenceRow {
    pub sitting_id: String,
    pub attempt_id: String,
    pub started_at: i64,
    pub last_seen: Option<i64>,
    pub last_save: Option<i64>,
}

impl PresenceRow {
    /// Heartbeats, saves and the start all show the applicant was there.
    pub fn presence(&self) -> i64 {
        self.started_at
            .max(self.last_seen.unwrap_or(0))
            .max(self.last_save.unwrap_or(0))
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CreditRequestRow {
    pub id: String,
    pub attempt_id: String,
    pub sitting_id: Option<String>,
    pub since_ms: i64,
    pub until_ms: i64,
    pub gap_ms: i64,
    pub auto_ms: i64,
    pub requested_ms: i64,
    /// `pending`, `granted`, `declined` or `covered` (an outage covered all of it).
    pub status: String,
    pub granted_ms: i64,
    pub detail: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub reason: String,
    pub created_at: i64,
}

/// A credit request with whose attempt it is.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CreditRequestListRow {
    #[sqlx(flatten)]
    pub request: CreditRequestRow,
    pub user_id: String,
    pub full_name: String,
    pub email: String,
    pub attempt_status: String,
}

/// A photo of an applicant: with the application, at the start, or a snapshot.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PhotoRow {
    pub id: String,
    pub user_id: String,
    /// `application`, `start` or `snapshot`.
    pub kind: String,
    pub sitting_id: Option<String>,
    pub attempt_id: Option<String>,
    pub media_type: String,
    pub bytes: Vec<u8>,
    pub taken_at: i64,
}

/// A photo without its bytes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PhotoMeta {
    pub id: String,
    pub kind: String,
    pub sitting_id: Option<String>,
    pub attempt_id: Option<String>,
    pub taken_at: i64,
}

/// What deciding a credit request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditDecision {
    /// Granted this many milliseconds (the request, up to what is left under the cap).
    Granted(i64),
    Declined,
    /// The attempt is closed: nothing changed.
    AttemptClosed,
    /// Decided before: nothing changed.
    AlreadyDecided,
    /// The attempt has had the cap granted already: nothing changed.
    CapReached,
    NotFound,
}

#[async_trait]
pub trait IntegrityStore {
    /// Records that `instance` is alive at `now`.
    async fn alive(&self, instance: &str, now: i64) -> Result<()>;
    /// The newest moment any instance said it was alive.
    async fn last_alive(&self) -> Result<Option<i64>>;
    /// Every instance's last "alive" (to see whether any is still writing).
    async fn alive_rows(&self) -> Result<Vec<(String, i64)>>;
    /// When the sitting's last outage ended.
    async fn last_outage_end(&self, sitting_id: &str) -> Result<Option<i64>>;
    /// When the attempt's newest stored answer was saved.
    async fn last_save(&self, attempt_id: &str) -> Result<Option<i64>>;
    /// Credits a server outage `[from, to)` once (two instances starting together credit it
    /// once): every attempt that was running, not paused, at `from` and whose deadline had not
    /// passed gets `to - from` more, its presence restarts at `to`, and an incident event says
    /// so. Returns the attempts credited (none if the outage was credited before).
    async fn credit_server_outage(&self, from: i64, to: i64) -> Result<Vec<String>>;
    /// Every running, unpaused attempt that belongs to a sitting, with its last heartbeat
    /// (`last_save` is left empty: it is read only for those that look silent, see
    /// [`IntegrityStore::last_save`]).
    async fn sitting_presence(&self) -> Result<Vec<PresenceRow>>;
    /// Sitting outages not ended yet.
    async fn open_sitting_outages(&self) -> Result<Vec<OutageRow>>;
    async fn insert_outage(&self, o: &OutageRow) -> Result<()>;
    async fn end_outage(&self, id: &str, at: i64) -> Result<()>;
    /// A sitting's outages overlapping `[from, to]`.
    async fn sitting_outages(&self, sitting_id: &str, from: i64, to: i64)
    -> Result<Vec<OutageRow>>;
    /// Records the request for one gap (`false`: that gap has one already, from a parallel
    /// heartbeat); with `auto_ms` the deadline moves on by it in the same transaction.
    async fn open_credit_request(&self, r: &CreditRequestRow) -> Result<bool>;
    async fn credit_request(&self, id: &str) -> Result<Option<CreditRequestRow>>;
    /// A sitting's requests, pending first, newest first.
    async fn credit_requests(&self, sitting_id: &str) -> Result<Vec<CreditRequestListRow>>;
    /// Grants (up to `cap_ms` granted per attempt in all) or declines a pending request of an
    /// attempt still in progress, moving its deadline in the same transaction.
    async fn decide_credit(
        &self,
        id: &str,
        grant: bool,
        cap_ms: i64,
        by: &str,
        reason: &str,
        now: i64,
    ) -> Result<CreditDecision>;
    /// How many of the attempt's stored answers were saved within `[from, to]`.
    async fn answers_saved_between(&self, attempt_id: &str, from: i64, to: i64) -> Result<i64>;
    /// Removes a closed practice attempt and everything recorded of it (practice is never
    /// counted; a new one takes its place).
    async fn delete_practice_attempt(&self, id: &str) -> Result<()>;
    /// Removes these seats `(sitting, applicant)` (applicants moved to another sitting).
    async fn remove_seats(&self, seats: &[(String, String)]) -> Result<()>;
    /// Stores a photo; an application photo replaces the applicant's earlier one, a start
    /// picture the earlier one of that sitting.
    async fn insert_photo(&self, p: &PhotoRow) -> Result<()>;
    async fn photo(&self, id: &str) -> Result<Option<PhotoRow>>;
    /// An applicant's photos (without bytes), oldest first.
    async fn photos_of(&self, user_id: &str) -> Result<Vec<PhotoMeta>>;
    /// Logs that `viewer` looked at a photo.
    async fn log_photo_view(
        &self,
        photo_id: &str,
        owner_id: &str,
        viewer_id: &str,
        viewer: &str,
        at: i64,
    ) -> Result<()>;
    /// Deletes photos taken before `before` (the retention period); returns how many.
    async fn delete_photos_before(&self, before: i64) -> Result<u64>;
    /// Whether `applicant` is seated in a sitting `proctor` watches.
    async fn proctors_applicant(&self, proctor_id: &str, applicant_id: &str) -> Result<bool>;
    /// Records that a proctor could not confirm the applicant's identity.
    async fn refuse_seat(
        &self,
        sitting_id: &str,
        user_id: &str,
        reason: &str,
        by: &str,
    ) -> Result<bool>;
    /// The account's IIN, if it has one.
    async fn user_iin(&self, user_id: &str) -> Result<Option<String>>;
    /// The applicant account holding this IIN.
    async fn applicant_by_iin(&self, iin: &str) -> Result<Option<super::UserRow>>;
    /// Sets the account's IIN and writes the audit entry, together (`Conflict`: another
    /// account, or another application of one of its campaigns, holds it). `iin_set`: only if
    /// the account has none yet (`false` if it has one meanwhile); `iin_changed` (staff): the
    /// account's applications follow.
    #[allow(clippy::too_many_arguments)]
    async fn set_user_iin(
        &self,
        user_id: &str,
        iin: &str,
        at: i64,
        email: &str,
        ip: &str,
        event: &str,
        detail: &str,
    ) -> Result<bool>;
}

const RUNNING_AT: &str = "status = 'in_progress' AND paused_at IS NULL AND started_at <= $1 \
     AND deadline > $1";

macro_rules! integrity_store {
    ($store:ty) => {
        #[async_trait]
        impl IntegrityStore for $store {
            async fn alive(&self, instance: &str, now: i64) -> Result<()> {
                sqlx::query(
                    "INSERT INTO server_alive (instance, at) VALUES ($1, $2) \
                     ON CONFLICT (instance) DO UPDATE SET at = excluded.at",
                )
                .bind(instance)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn last_alive(&self) -> Result<Option<i64>> {
                let row: (Option<i64>,) = sqlx::query_as("SELECT MAX(at) FROM server_alive")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(row.0)
            }

            async fn alive_rows(&self) -> Result<Vec<(String, i64)>> {
                Ok(sqlx::query_as("SELECT instance, at FROM server_alive ORDER BY instance")
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn last_outage_end(&self, sitting_id: &str) -> Result<Option<i64>> {
                let row: (Option<i64>,) = sqlx::query_as(
                    "SELECT MAX(ended_at) FROM outages WHERE kind = 'sitting' AND sitting_id = $1",
                )
                .bind(sitting_id)
                .fetch_one(&self.pool)
                .await?;
                Ok(row.0)
            }

            async fn last_save(&self, attempt_id: &str) -> Result<Option<i64>> {
                let row: (Option<i64>,) =
                    sqlx::query_as("SELECT MAX(saved_at) FROM responses WHERE attempt_id = $1")
                        .bind(attempt_id)
                        .fetch_one(&self.pool)
                        .await?;
                Ok(row.0)
            }

            async fn credit_server_outage(&self, from: i64, to: i64) -> Result<Vec<String>> {
                let mut tx = self.begin_write().await?;
                let id = format!("server-{from}");
                let inserted: Option<(String,)> = sqlx::query_as(
                    "INSERT INTO outages (id, kind, sitting_id, started_at, ended_at, detail) \
                     VALUES ($1, 'server', NULL, $2, $3, '{}') ON CONFLICT (id) DO NOTHING RETURNING id",
                )
                .bind(&id)
                .bind(from)
                .bind(to)
                .fetch_optional(&mut *tx)
                .await?;
                if inserted.is_none() {
                    tx.rollback().await?;
                    return Ok(vec![]);
                }
                let ids: Vec<(String,)> =
                    sqlx::query_as(&format!("SELECT id FROM attempts WHERE {RUNNING_AT} ORDER BY id"))
                        .bind(from)
                        .fetch_all(&mut *tx)
                        .await?;
                let detail = serde_json::json!({
                    "reason": "server_outage", "since_ms": from, "until_ms": to,
                    "credited_ms": to - from,
                })
                .to_string();
                sqlx::query(&format!(
                    "INSERT INTO attempt_events (attempt_id, at, kind, detail, category, actor) \
                     SELECT id, $2, 'time_credited', $3, 'incident', '' FROM attempts WHERE {RUNNING_AT}"
                ))
                .bind(from)
                .bind(to)
                .bind(&detail)
                .execute(&mut *tx)
                .await?;
                sqlx::query(&format!(
                    "UPDATE attempts SET deadline = deadline + ($2 - $1), last_seen = $2 WHERE {RUNNING_AT}"
                ))
                .bind(from)
                .bind(to)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(ids.into_iter().map(|r| r.0).collect())
            }

            async fn sitting_presence(&self) -> Result<Vec<PresenceRow>> {
                Ok(sqlx::query_as(
                    "SELECT sitting_id, id AS attempt_id, started_at, last_seen, \
                     CAST(NULL AS BIGINT) AS last_save FROM attempts \
                     WHERE status = 'in_progress' AND paused_at IS NULL AND sitting_id IS NOT NULL",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn open_sitting_outages(&self) -> Result<Vec<OutageRow>> {
                Ok(sqlx::query_as(
                    "SELECT * FROM outages WHERE kind = 'sitting' AND ended_at IS NULL",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn insert_outage(&self, o: &OutageRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO outages (id, kind, sitting_id, started_at, ended_at, detail) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&o.id)
                .bind(&o.kind)
                .bind(&o.sitting_id)
                .bind(o.started_at)
                .bind(o.ended_at)
                .bind(&o.detail)
                .execute(&self.pool)
                .await
                .map_err(conflict)?;
                Ok(())
            }

            async fn end_outage(&self, id: &str, at: i64) -> Result<()> {
                sqlx::query("UPDATE outages SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL")
                    .bind(id)
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn sitting_outages(
                &self,
                sitting_id: &str,
                from: i64,
                to: i64,
            ) -> Result<Vec<OutageRow>> {
                Ok(sqlx::query_as(
                    "SELECT * FROM outages WHERE kind = 'sitting' AND sitting_id = $1 \
                     AND started_at <= $3 AND (ended_at IS NULL OR ended_at >= $2) ORDER BY started_at",
                )
                .bind(sitting_id)
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn open_credit_request(&self, r: &CreditRequestRow) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let inserted: Option<(String,)> = sqlx::query_as(
                    "INSERT INTO credit_requests (id, attempt_id, sitting_id, since_ms, until_ms, gap_ms, \
                     auto_ms, requested_ms, status, granted_ms, detail, decided_by, decided_at, reason, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                     ON CONFLICT (attempt_id, since_ms) DO NOTHING RETURNING id",
                )
                .bind(&r.id)
                .bind(&r.attempt_id)
                .bind(&r.sitting_id)
                .bind(r.since_ms)
                .bind(r.until_ms)
                .bind(r.gap_ms)
                .bind(r.auto_ms)
                .bind(r.requested_ms)
                .bind(&r.status)
                .bind(r.granted_ms)
                .bind(&r.detail)
                .bind(&r.decided_by)
                .bind(r.decided_at)
                .bind(&r.reason)
                .bind(r.created_at)
                .fetch_optional(&mut *tx)
                .await?;
                if inserted.is_none() {
                    tx.rollback().await?;
                    return Ok(false);
                }
                if r.auto_ms > 0 {
                    sqlx::query(
                        "UPDATE attempts SET deadline = deadline + $2 WHERE id = $1 AND status = 'in_progress'",
                    )
                    .bind(&r.attempt_id)
                    .bind(r.auto_ms)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn credit_request(&self, id: &str) -> Result<Option<CreditRequestRow>> {
                Ok(sqlx::query_as("SELECT * FROM credit_requests WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn credit_requests(&self, sitting_id: &str) -> Result<Vec<CreditRequestListRow>> {
                Ok(sqlx::query_as(
                    "SELECT c.*, a.user_id, u.full_name, u.email, a.status AS attempt_status \
                     FROM credit_requests c JOIN attempts a ON a.id = c.attempt_id \
                     JOIN users u ON u.id = a.user_id WHERE c.sitting_id = $1 \
                     ORDER BY CASE WHEN c.status = 'pending' THEN 0 ELSE 1 END, c.created_at DESC, c.id",
                )
                .bind(sitting_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn decide_credit(
                &self,
                id: &str,
                grant: bool,
                cap_ms: i64,
                by: &str,
                reason: &str,
                now: i64,
            ) -> Result<CreditDecision> {
                let mut tx = self.begin_write().await?;
                let Some(req): Option<CreditRequestRow> =
                    sqlx::query_as("SELECT * FROM credit_requests WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?
                else {
                    return Ok(CreditDecision::NotFound);
                };
                // The attempt's row first: on PostgreSQL this locks it, so two decisions on one
                // attempt (two proctors at once) are taken one after the other under the cap.
                let open = sqlx::query(
                    "UPDATE attempts SET deadline = deadline WHERE id = $1 AND status = 'in_progress'",
                )
                .bind(&req.attempt_id)
                .execute(&mut *tx)
                .await?;
                if open.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(CreditDecision::AttemptClosed);
                }
                let (granted,): (Option<i64>,) = sqlx::query_as(
                    "SELECT CAST(SUM(granted_ms) AS BIGINT) FROM credit_requests WHERE attempt_id = $1 AND status = 'granted'",
                )
                .bind(&req.attempt_id)
                .fetch_one(&mut *tx)
                .await?;
                let left = (cap_ms - granted.unwrap_or(0)).max(0);
                let amount = if grant { req.requested_ms.min(left) } else { 0 };
                if grant && amount <= 0 {
                    tx.rollback().await?;
                    return Ok(if req.status == "pending" {
                        CreditDecision::CapReached
                    } else {
                        CreditDecision::AlreadyDecided
                    });
                }
                let status = if grant { "granted" } else { "declined" };
                let done = sqlx::query(
                    "UPDATE credit_requests SET status = $2, granted_ms = $3, decided_by = $4, \
                     decided_at = $5, reason = $6 WHERE id = $1 AND status = 'pending'",
                )
                .bind(id)
                .bind(status)
                .bind(amount)
                .bind(by)
                .bind(now)
                .bind(reason)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(CreditDecision::AlreadyDecided);
                }
                if amount > 0 {
                    sqlx::query("UPDATE attempts SET deadline = deadline + $2 WHERE id = $1")
                        .bind(&req.attempt_id)
                        .bind(amount)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(if grant {
                    CreditDecision::Granted(amount)
                } else {
                    CreditDecision::Declined
                })
            }

            async fn answers_saved_between(
                &self,
                attempt_id: &str,
                from: i64,
                to: i64,
            ) -> Result<i64> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM responses WHERE attempt_id = $1 AND saved_at >= $2 AND saved_at <= $3",
                )
                .bind(attempt_id)
                .bind(from)
                .bind(to)
                .fetch_one(&self.pool)
                .await?;
                Ok(n)
            }

            async fn delete_practice_attempt(&self, id: &str) -> Result<()> {
                let mut tx = self.begin_write().await?;
                for table in [
                    "responses",
                    "attempt_items",
                    "attempt_events",
                    "credit_requests",
                    "score_changes",
                ] {
                    sqlx::query(&format!("DELETE FROM {table} WHERE attempt_id = $1"))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("DELETE FROM attempts WHERE id = $1 AND status <> 'in_progress'")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn remove_seats(&self, seats: &[(String, String)]) -> Result<()> {
                let mut tx = self.begin_write().await?;
                for (sitting, user) in seats {
                    sqlx::query(
                        "DELETE FROM sitting_applicants WHERE sitting_id = $1 AND user_id = $2",
                    )
                    .bind(sitting)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn insert_photo(&self, p: &PhotoRow) -> Result<()> {
                let mut tx = self.begin_write().await?;
                // One application photo per person, one start picture per sitting: a new one
                // replaces the old (retakes do not pile up).
                if p.kind == "application" {
                    sqlx::query("DELETE FROM photos WHERE user_id = $1 AND kind = 'application'")
                        .bind(&p.user_id)
                        .execute(&mut *tx)
                        .await?;
                } else if p.kind == "start" {
                    sqlx::query(
                        "DELETE FROM photos WHERE user_id = $1 AND kind = 'start' AND sitting_id = $2",
                    )
                    .bind(&p.user_id)
                    .bind(&p.sitting_id)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(
                    "INSERT INTO photos (id, user_id, kind, sitting_id, attempt_id, media_type, bytes, taken_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&p.id)
                .bind(&p.user_id)
                .bind(&p.kind)
                .bind(&p.sitting_id)
                .bind(&p.attempt_id)
                .bind(&p.media_type)
                .bind(&p.bytes)
                .bind(p.taken_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn photo(&self, id: &str) -> Result<Option<PhotoRow>> {
                Ok(sqlx::query_as("SELECT * FROM photos WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn photos_of(&self, user_id: &str) -> Result<Vec<PhotoMeta>> {
                Ok(sqlx::query_as(
                    "SELECT id, kind, sitting_id, attempt_id, taken_at FROM photos \
                     WHERE user_id = $1 ORDER BY taken_at, id",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn log_photo_view(
                &self,
                photo_id: &str,
                owner_id: &str,
                viewer_id: &str,
                viewer: &str,
                at: i64,
            ) -> Result<()> {
                sqlx::query(
                    "INSERT INTO photo_views (photo_id, owner_id, viewer_id, viewer, at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(photo_id)
                .bind(owner_id)
                .bind(viewer_id)
                .bind(viewer)
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn proctors_applicant(&self, proctor_id: &str, applicant_id: &str) -> Result<bool> {
                let row: Option<(String,)> = sqlx::query_as(
                    "SELECT sa.sitting_id FROM sitting_applicants sa JOIN sitting_proctors sp \
                     ON sp.sitting_id = sa.sitting_id WHERE sp.user_id = $1 AND sa.user_id = $2 LIMIT 1",
                )
                .bind(proctor_id)
                .bind(applicant_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.is_some())
            }

            async fn delete_photos_before(&self, before: i64) -> Result<u64> {
                let done = sqlx::query("DELETE FROM photos WHERE taken_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn refuse_seat(
                &self,
                sitting_id: &str,
                user_id: &str,
                reason: &str,
                by: &str,
            ) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE sitting_applicants SET refused_reason = $3, refused_by = $4, \
                     admitted_at = NULL, admitted_by = NULL WHERE sitting_id = $1 AND user_id = $2",
                )
                .bind(sitting_id)
                .bind(user_id)
                .bind(reason)
                .bind(by)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn user_iin(&self, user_id: &str) -> Result<Option<String>> {
                let row: Option<(Option<String>,)> =
                    sqlx::query_as("SELECT iin FROM users WHERE id = $1")
                        .bind(user_id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.and_then(|r| r.0))
            }

            async fn applicant_by_iin(&self, iin: &str) -> Result<Option<super::UserRow>> {
                Ok(sqlx::query_as("SELECT * FROM users WHERE iin = $1 AND role = 'applicant'")
                    .bind(iin)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            #[allow(clippy::too_many_arguments)]
            async fn set_user_iin(
                &self,
                user_id: &str,
                iin: &str,
                at: i64,
                email: &str,
                ip: &str,
                event: &str,
                detail: &str,
            ) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let guard = if event == "iin_set" { " AND iin IS NULL" } else { "" };
                let done = sqlx::query(&format!("UPDATE users SET iin = $2 WHERE id = $1{guard}"))
                    .bind(user_id)
                    .bind(iin)
                    .execute(&mut *tx)
                    .await
                    .map_err(conflict)?;
                if done.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                if event == "iin_changed" {
                    sqlx::query("UPDATE applications SET iin = $2 WHERE user_id = $1")
                        .bind(user_id)
                        .bind(iin)
                        .execute(&mut *tx)
                        .await
                        .map_err(conflict)?;
                }
                sqlx::query(
                    "INSERT INTO auth_log (at, email, ip, event, detail) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(at)
                .bind(email)
                .bind(ip)
                .bind(event)
                .bind(detail)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}

integrity_store!(SqliteStore);
integrity_store!(PgStore);
