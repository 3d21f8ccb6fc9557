//! Accounts' storage beyond the user row: the sign-in log (and the lockout counts read from
//! it), self-registration, passwords, preferences, revoked sessions.

use super::sql::{PgStore, SqliteStore, conflict};
use super::*;

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Records a sign-in event (`signed_in`, `wrong_password`, `locked`).
    async fn log_auth(&self, at: i64, email: &str, ip: &str, event: &str) -> Result<()>;

    /// Wrong passwords since `since`: for the account (after its last successful sign-in) and
    /// from the address.
    async fn auth_failures(&self, email: &str, ip: &str, since: i64) -> Result<(i64, i64)>;

    /// Inserts a self-registered applicant with their IIN ([`super::StoreError::Conflict`] when
    /// the e-mail or the IIN has an account).
    async fn insert_registered(&self, u: &super::UserRow, iin: &str) -> Result<()>;

    async fn iin_taken(&self, iin: &str) -> Result<bool>;

    async fn set_password_hash(&self, user_id: &str, hash: &str) -> Result<()>;

    /// The account's preferences (JSON), `None` for no such account.
    async fn user_preferences(&self, user_id: &str) -> Result<Option<String>>;

    async fn set_user_preferences(&self, user_id: &str, json: &str) -> Result<()>;

    /// Events of one kind from an address since `since`.
    async fn auth_events_from(&self, ip: &str, event: &str, since: i64) -> Result<i64>;

    /// Refuses a sign-in session's tokens from now on (until `expires_at`), and forgets those
    /// expired by `now`.
    async fn revoke_session(&self, sid: &str, expires_at: i64, now: i64) -> Result<()>;

    /// Sessions revoked and not yet expired (a read only: it runs every few seconds).
    async fn revoked_sessions(&self, now: i64) -> Result<Vec<String>>;
}

macro_rules! accounts_store {
    ($store:ty) => {
        #[async_trait]
        impl AccountStore for $store {
            async fn log_auth(&self, at: i64, email: &str, ip: &str, event: &str) -> Result<()> {
                sqlx::query("INSERT INTO auth_log (at, email, ip, event) VALUES ($1, $2, $3, $4)")
                    .bind(at)
                    .bind(email)
                    .bind(ip)
                    .bind(event)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn auth_failures(&self, email: &str, ip: &str, since: i64) -> Result<(i64, i64)> {
                let (by_email,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM auth_log WHERE email = $1 AND event = 'wrong_password' \
                     AND at >= $2 AND at > COALESCE((SELECT MAX(at) FROM auth_log \
                     WHERE email = $1 AND event = 'signed_in'), 0)",
                )
                .bind(email)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
                let (by_ip,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM auth_log WHERE ip = $1 AND event = 'wrong_password' AND at >= $2",
                )
                .bind(ip)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
                Ok((by_email, by_ip))
            }

            async fn insert_registered(&self, u: &super::UserRow, iin: &str) -> Result<()> {
                sqlx::query(
                    "INSERT INTO users (id, email, password_hash, role, full_name, created_at, iin) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&u.id)
                .bind(&u.email)
                .bind(&u.password_hash)
                .bind(&u.role)
                .bind(&u.full_name)
                .bind(u.created_at)
                .bind(iin)
                .execute(&self.pool)
                .await
                .map_err(conflict)?;
                Ok(())
            }

            async fn iin_taken(&self, iin: &str) -> Result<bool> {
                let row: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE iin = $1")
                    .bind(iin)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.is_some())
            }

            async fn set_password_hash(&self, user_id: &str, hash: &str) -> Result<()> {
                sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                    .bind(user_id)
                    .bind(hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn user_preferences(&self, user_id: &str) -> Result<Option<String>> {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT preferences FROM users WHERE id = $1")
                        .bind(user_id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.map(|r| r.0))
            }

            async fn set_user_preferences(&self, user_id: &str, json: &str) -> Result<()> {
                sqlx::query("UPDATE users SET preferences = $2 WHERE id = $1")
                    .bind(user_id)
                    .bind(json)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn auth_events_from(&self, ip: &str, event: &str, since: i64) -> Result<i64> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM auth_log WHERE ip = $1 AND event = $2 AND at >= $3",
                )
                .bind(ip)
                .bind(event)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
                Ok(n)
            }

            async fn revoke_session(&self, sid: &str, expires_at: i64, now: i64) -> Result<()> {
                // Sign-outs are rare: the expired ones are forgotten here, not at every reload.
                sqlx::query("DELETE FROM revoked_sessions WHERE expires_at < $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                sqlx::query(
                    "INSERT INTO revoked_sessions (sid, expires_at) VALUES ($1, $2) \
                     ON CONFLICT (sid) DO NOTHING",
                )
                .bind(sid)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn revoked_sessions(&self, now: i64) -> Result<Vec<String>> {
                let rows: Vec<(String,)> =
                    sqlx::query_as("SELECT sid FROM revoked_sessions WHERE expires_at >= $1")
                        .bind(now)
                        .fetch_all(&self.pool)
                        .await?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }
        }
    };
}

accounts_store!(SqliteStore);
accounts_store!(PgStore);
