//! Storage of the later stages' assessment: expert panels, reports and their blind marks, the
//! commission's interviews, appeals.

use super::sql::{PgStore, SqliteStore, conflict};
use super::*;

#[async_trait]
pub trait AssessmentStore: Send + Sync {
    /// Replaces one panel of a campaign.
    async fn set_panel(
        &self,
        campaign_id: &str,
        panel: &str,
        members: &[(String, bool)],
    ) -> Result<()>;

    async fn panel(&self, campaign_id: &str, panel: &str) -> Result<Vec<PanelRow>>;

    async fn panels_of(&self, user_id: &str) -> Result<Vec<PanelRow>>;

    /// Stores a report and assigns its markers in one transaction.
    async fn insert_report(&self, r: &ReportRow, markers: &[(String, i64)]) -> Result<()>;

    async fn report(&self, application_id: &str) -> Result<Option<ReportRow>>;

    async fn marks(&self, application_id: &str) -> Result<Vec<MarkRow>>;

    async fn assign_marker(&self, application_id: &str, marker_id: &str, round: i64) -> Result<()>;

    /// How many reports each expert of the campaign has been given.
    async fn marker_loads(&self, campaign_id: &str) -> Result<Vec<(String, i64)>>;

    async fn marking_queue(&self, marker_id: &str) -> Result<Vec<MarkingRow>>;

    /// Records a mark if the marker was assigned and has not marked yet.
    async fn save_mark(&self, m: &MarkRow) -> Result<bool>;

    async fn upsert_interview(&self, s: &InterviewRow) -> Result<()>;

    async fn interviews(&self, application_id: &str) -> Result<Vec<InterviewRow>>;

    async fn insert_appeal(&self, a: &AppealRow) -> Result<()>;

    async fn appeal(&self, id: &str) -> Result<Option<AppealRow>>;

    async fn appeals_of(&self, application_id: &str) -> Result<Vec<AppealRow>>;

    /// Appeals of a campaign, open ones first, then newest.
    async fn campaign_appeals(&self, campaign_id: &str) -> Result<Vec<AppealRow>>;

    /// Decides an open appeal; `false` if it was decided already.
    async fn decide_appeal(&self, a: &AppealRow) -> Result<bool>;
}

macro_rules! assessment_store {
    ($store:ty) => {
        #[async_trait]
        impl AssessmentStore for $store {
            async fn set_panel(&self, campaign_id: &str, panel: &str, members: &[(String, bool)]) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("DELETE FROM panel_members WHERE campaign_id = $1 AND panel = $2")
                    .bind(campaign_id)
                    .bind(panel)
                    .execute(&mut *tx)
                    .await?;
                for (user, chair) in members {
                    sqlx::query(
                        "INSERT INTO panel_members (campaign_id, user_id, panel, chair) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(campaign_id)
                    .bind(user)
                    .bind(panel)
                    .bind(i64::from(*chair))
                    .execute(&mut *tx)
                    .await
                    .map_err(conflict)?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn panel(&self, campaign_id: &str, panel: &str) -> Result<Vec<PanelRow>> {
                Ok(sqlx::query_as(
                    "SELECT m.campaign_id, m.user_id, m.panel, m.chair, u.full_name, u.email \
                     FROM panel_members m JOIN users u ON u.id = m.user_id \
                     WHERE m.campaign_id = $1 AND m.panel = $2 ORDER BY u.full_name, u.email",
                )
                .bind(campaign_id)
                .bind(panel)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn panels_of(&self, user_id: &str) -> Result<Vec<PanelRow>> {
                Ok(sqlx::query_as(
                    "SELECT m.campaign_id, m.user_id, m.panel, m.chair, u.full_name, u.email \
                     FROM panel_members m JOIN users u ON u.id = m.user_id WHERE m.user_id = $1",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn insert_report(&self, r: &ReportRow, markers: &[(String, i64)]) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("INSERT INTO reports (application_id, code, body, submitted_at) VALUES ($1, $2, $3, $4)")
                    .bind(&r.application_id)
                    .bind(&r.code)
                    .bind(&r.body)
                    .bind(r.submitted_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(conflict)?;
                for (marker, round) in markers {
                    sqlx::query("INSERT INTO report_marks (application_id, marker_id, round) VALUES ($1, $2, $3)")
                        .bind(&r.application_id)
                        .bind(marker)
                        .bind(round)
                        .execute(&mut *tx)
                        .await
                        .map_err(conflict)?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn report(&self, application_id: &str) -> Result<Option<ReportRow>> {
                Ok(sqlx::query_as("SELECT * FROM reports WHERE application_id = $1")
                    .bind(application_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn marks(&self, application_id: &str) -> Result<Vec<MarkRow>> {
                Ok(sqlx::query_as("SELECT * FROM report_marks WHERE application_id = $1 ORDER BY round, marker_id")
                    .bind(application_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn assign_marker(&self, application_id: &str, marker_id: &str, round: i64) -> Result<()> {
                sqlx::query(
                    "INSERT INTO report_marks (application_id, marker_id, round) VALUES ($1, $2, $3) \
                     ON CONFLICT (application_id, marker_id) DO NOTHING",
                )
                .bind(application_id)
                .bind(marker_id)
                .bind(round)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn marker_loads(&self, campaign_id: &str) -> Result<Vec<(String, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT m.user_id, COUNT(r.application_id) FROM panel_members m \
                     LEFT JOIN report_marks r ON r.marker_id = m.user_id \
                     WHERE m.campaign_id = $1 AND m.panel = 'expert' \
                     GROUP BY m.user_id ORDER BY m.user_id",
                )
                .bind(campaign_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn marking_queue(&self, marker_id: &str) -> Result<Vec<MarkingRow>> {
                Ok(sqlx::query_as(
                    "SELECT m.application_id, a.campaign_id, r.code, r.body, m.round, m.points, m.marked_at \
                     FROM report_marks m JOIN reports r ON r.application_id = m.application_id \
                     JOIN applications a ON a.id = m.application_id \
                     WHERE m.marker_id = $1 ORDER BY m.marked_at IS NOT NULL, r.submitted_at, r.code",
                )
                .bind(marker_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn save_mark(&self, m: &MarkRow) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE report_marks SET levels = $3, points = $4, comment = $5, marked_at = $6 \
                     WHERE application_id = $1 AND marker_id = $2 AND marked_at IS NULL",
                )
                .bind(&m.application_id)
                .bind(&m.marker_id)
                .bind(&m.levels)
                .bind(m.points)
                .bind(&m.comment)
                .bind(m.marked_at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn upsert_interview(&self, s: &InterviewRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO interview_scores (application_id, member_id, score, vote, comment, at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (application_id, member_id) DO UPDATE \
                     SET score = excluded.score, vote = excluded.vote, comment = excluded.comment, at = excluded.at",
                )
                .bind(&s.application_id)
                .bind(&s.member_id)
                .bind(s.score)
                .bind(&s.vote)
                .bind(&s.comment)
                .bind(s.at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn interviews(&self, application_id: &str) -> Result<Vec<InterviewRow>> {
                Ok(sqlx::query_as("SELECT * FROM interview_scores WHERE application_id = $1 ORDER BY at")
                    .bind(application_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn insert_appeal(&self, a: &AppealRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO appeals (id, application_id, stage, reason, status, filed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&a.id)
                .bind(&a.application_id)
                .bind(a.stage)
                .bind(&a.reason)
                .bind(&a.status)
                .bind(a.filed_at)
                .execute(&self.pool)
                .await
                .map_err(conflict)?;
                Ok(())
            }

            async fn appeal(&self, id: &str) -> Result<Option<AppealRow>> {
                Ok(sqlx::query_as("SELECT * FROM appeals WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn appeals_of(&self, application_id: &str) -> Result<Vec<AppealRow>> {
                Ok(sqlx::query_as("SELECT * FROM appeals WHERE application_id = $1 ORDER BY filed_at")
                    .bind(application_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn campaign_appeals(&self, campaign_id: &str) -> Result<Vec<AppealRow>> {
                Ok(sqlx::query_as(
                    "SELECT p.* FROM appeals p JOIN applications a ON a.id = p.application_id \
                     WHERE a.campaign_id = $1 \
                     ORDER BY CASE WHEN p.status = 'open' THEN 0 ELSE 1 END, p.filed_at DESC",
                )
                .bind(campaign_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn decide_appeal(&self, a: &AppealRow) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE appeals SET status = $2, decision = $3, decided_by = $4, decided_at = $5 \
                     WHERE id = $1 AND status = 'open'",
                )
                .bind(&a.id)
                .bind(&a.status)
                .bind(&a.decision)
                .bind(&a.decided_by)
                .bind(a.decided_at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}

assessment_store!(SqliteStore);
assessment_store!(PgStore);
