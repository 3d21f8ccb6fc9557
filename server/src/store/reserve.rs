//! Storage of the reserve: certificates (and their revocation), appointments, the register.

use super::sql::{PgStore, SqliteStore, conflict};
use super::*;

#[async_trait]
pub trait ReserveStore: Send + Sync {
    async fn insert_certificate(&self, c: &CertificateRow) -> Result<()>;

    async fn certificate(&self, number: &str) -> Result<Option<CertificateRow>>;

    async fn certificate_of(&self, application_id: &str) -> Result<Option<CertificateRow>>;

    /// Revokes a certificate not revoked yet (`false`: no such certificate, or revoked already).
    async fn revoke_certificate(
        &self,
        number: &str,
        at: i64,
        by: &str,
        reason: &str,
        note: &str,
    ) -> Result<bool>;

    async fn insert_appointment(&self, a: &AppointmentRow) -> Result<()>;

    async fn appointment(&self, application_id: &str) -> Result<Option<AppointmentRow>>;

    async fn reserve(
        &self,
        campaign_id: Option<&str>,
        region: Option<&str>,
    ) -> Result<Vec<ReserveRow>>;
}

macro_rules! reserve_store {
    ($store:ty) => {
        #[async_trait]
        impl ReserveStore for $store {
            async fn insert_certificate(&self, c: &CertificateRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO certificates (number, application_id, full_name, category, region, issued_at, valid_until) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&c.number)
                .bind(&c.application_id)
                .bind(&c.full_name)
                .bind(&c.category)
                .bind(&c.region)
                .bind(c.issued_at)
                .bind(c.valid_until)
                .execute(&self.pool)
                .await
                .map_err(conflict)?;
                Ok(())
            }

            async fn certificate(&self, number: &str) -> Result<Option<CertificateRow>> {
                Ok(sqlx::query_as("SELECT * FROM certificates WHERE number = $1")
                    .bind(number)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn certificate_of(&self, application_id: &str) -> Result<Option<CertificateRow>> {
                Ok(sqlx::query_as("SELECT * FROM certificates WHERE application_id = $1")
                    .bind(application_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn revoke_certificate(
                &self,
                number: &str,
                at: i64,
                by: &str,
                reason: &str,
                note: &str,
            ) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE certificates SET revoked_at = $2, revoked_by = $3, revoked_reason = $4, \
                     revoked_note = $5 WHERE number = $1 AND revoked_at IS NULL",
                )
                .bind(number)
                .bind(at)
                .bind(by)
                .bind(reason)
                .bind(note)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn insert_appointment(&self, a: &AppointmentRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO appointments (application_id, school, position, appointed_on, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&a.application_id)
                .bind(&a.school)
                .bind(&a.position)
                .bind(&a.appointed_on)
                .bind(&a.recorded_by)
                .bind(a.recorded_at)
                .execute(&self.pool)
                .await
                .map_err(conflict)?;
                Ok(())
            }

            async fn appointment(&self, application_id: &str) -> Result<Option<AppointmentRow>> {
                Ok(sqlx::query_as("SELECT * FROM appointments WHERE application_id = $1")
                    .bind(application_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn reserve(&self, campaign_id: Option<&str>, region: Option<&str>) -> Result<Vec<ReserveRow>> {
                Ok(sqlx::query_as(
                    "SELECT a.id AS application_id, a.campaign_id, a.full_name, a.region, a.district, a.school, \
                     c.number, c.issued_at, c.valid_until, p.school AS appointed_school, \
                     p.position AS appointed_position, p.appointed_on \
                     FROM certificates c JOIN applications a ON a.id = c.application_id \
                     LEFT JOIN appointments p ON p.application_id = a.id \
                     WHERE c.revoked_at IS NULL AND ($1 = '' OR a.campaign_id = $1) AND ($2 = '' OR a.region = $2) \
                     ORDER BY a.region, a.full_name",
                )
                .bind(campaign_id.unwrap_or(""))
                .bind(region.unwrap_or(""))
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

reserve_store!(SqliteStore);
reserve_store!(PgStore);
