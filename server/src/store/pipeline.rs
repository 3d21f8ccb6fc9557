//! Storage of the selection pipeline: campaigns, applications, stage outcomes and their log,
//! selection cuts, panels (experts, commission), reports and their marks, interview scores,
//! appeals, certificates and appointments. The SQL is shared by both databases like the rest
//! of the store.

use super::Result;
use super::sql::{PgStore, SqliteStore, conflict};
use async_trait::async_trait;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CampaignRow {
    pub id: String,
    pub name: String,
    pub year: i64,
    pub round: i64,
    pub blueprint_id: Option<String>,
    pub open: i64,
    /// JSON: rules per stage, rubric, appeal period, certificate validity.
    pub settings: String,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: String,
    pub campaign_id: String,
    pub user_id: Option<String>,
    pub iin: String,
    pub full_name: String,
    pub region: String,
    pub district: String,
    pub school: String,
    pub position: String,
    pub teaching_years: i64,
    pub management_years: i64,
    pub email: String,
    pub phone: String,
    pub source: String,
    pub created_at: i64,
    pub search: String,
}

/// An application with the status of each stage, its certificate and appointment.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationListRow {
    #[sqlx(flatten)]
    pub application: ApplicationRow,
    pub s1: Option<String>,
    pub s2: Option<String>,
    pub s3: Option<String>,
    pub s4: Option<String>,
    pub s5: Option<String>,
    pub certificate: Option<String>,
    pub appointed: i64,
}

impl ApplicationListRow {
    pub fn statuses(&self) -> [Option<&str>; 5] {
        [
            self.s1.as_deref(),
            self.s2.as_deref(),
            self.s3.as_deref(),
            self.s4.as_deref(),
            self.s5.as_deref(),
        ]
    }
}

#[derive(Debug, Clone, Default)]
pub struct ApplicationQuery {
    pub campaign_id: String,
    pub region: Option<String>,
    /// Only applications with an outcome in this stage (and, with `status`, that status).
    pub stage: Option<i64>,
    pub status: Option<String>,
    /// Lower-cased words matched against the name, IIN, school and e-mail.
    pub words: Vec<String>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OutcomeRow {
    pub application_id: String,
    pub stage: i64,
    pub status: String,
    pub score: Option<f64>,
    /// The stage's record (JSON).
    pub detail: String,
    pub recorded_by: String,
    pub recorded_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StageLogRow {
    pub id: i64,
    pub application_id: String,
    pub stage: i64,
    pub status: String,
    pub score: Option<f64>,
    pub detail: String,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: i64,
}

/// An outcome to write, with the reason for the log.
#[derive(Debug, Clone)]
pub struct OutcomeWrite {
    pub outcome: OutcomeRow,
    pub reason: String,
}

/// A candidate of a stage's field, for a rank rule.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FieldRow {
    pub application_id: String,
    pub region: String,
    pub teaching_years: i64,
    pub management_years: i64,
    pub created_at: i64,
    pub status: String,
    pub score: Option<f64>,
    pub detail: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CutRow {
    pub id: i64,
    pub campaign_id: String,
    pub stage: i64,
    pub rule: String,
    pub result: String,
    pub applied_by: String,
    pub applied_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PanelRow {
    pub campaign_id: String,
    pub user_id: String,
    pub panel: String,
    pub chair: i64,
    pub full_name: String,
    pub email: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub application_id: String,
    pub code: String,
    pub body: String,
    pub submitted_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MarkRow {
    pub application_id: String,
    pub marker_id: String,
    pub round: i64,
    /// JSON array of level indexes, once marked.
    pub levels: Option<String>,
    pub points: Option<f64>,
    pub comment: String,
    pub marked_at: Option<i64>,
}

/// A report waiting for (or marked by) one marker: what the marker may see.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MarkingRow {
    pub application_id: String,
    pub campaign_id: String,
    pub code: String,
    pub body: String,
    pub round: i64,
    pub points: Option<f64>,
    pub marked_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InterviewRow {
    pub application_id: String,
    pub member_id: String,
    pub score: f64,
    pub vote: String,
    pub comment: String,
    pub at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppealRow {
    pub id: String,
    pub application_id: String,
    pub stage: i64,
    pub reason: String,
    pub status: String,
    pub filed_at: i64,
    pub decision: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CertificateRow {
    pub number: String,
    pub application_id: String,
    pub full_name: String,
    pub category: String,
    pub region: String,
    pub issued_at: i64,
    pub valid_until: i64,
    pub revoked_at: Option<i64>,
    /// Who revoked it, the reason code (`app::model::REVOCATION_REASONS`) and their note.
    pub revoked_by: Option<String>,
    pub revoked_reason: Option<String>,
    pub revoked_note: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppointmentRow {
    pub application_id: String,
    pub school: String,
    pub position: String,
    pub appointed_on: String,
    pub recorded_by: String,
    pub recorded_at: i64,
}

/// A member of the reserve, with their appointment if any.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReserveRow {
    pub application_id: String,
    pub campaign_id: String,
    pub full_name: String,
    pub region: String,
    pub district: String,
    pub school: String,
    pub number: String,
    pub issued_at: i64,
    pub valid_until: i64,
    pub appointed_school: Option<String>,
    pub appointed_position: Option<String>,
    pub appointed_on: Option<String>,
}

/// One scored item of one closed attempt, for item analysis.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnalysisCell {
    pub attempt_id: String,
    pub language: String,
    pub item_id: String,
    pub version: i64,
    pub credit: f64,
    /// Single choice: the authored option chosen.
    pub chosen: Option<i64>,
}

/// One application as the funnel needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FunnelDbRow {
    pub region: String,
    pub year: i64,
    pub s1: Option<String>,
    pub s2: Option<String>,
    pub s3: Option<String>,
    pub s4: Option<String>,
    pub s5: Option<String>,
    pub reserve: i64,
    pub appointed: i64,
}

#[async_trait]
pub trait PipelineStore: Send + Sync {
    async fn insert_campaign(&self, c: &CampaignRow) -> Result<()>;
    async fn update_campaign(&self, c: &CampaignRow) -> Result<bool>;
    async fn campaign(&self, id: &str) -> Result<Option<CampaignRow>>;
    /// Newest first.
    async fn campaigns(&self) -> Result<Vec<CampaignRow>>;
    /// The newest campaign whose test is this blueprint.
    async fn campaign_for_blueprint(&self, blueprint_id: &str) -> Result<Option<CampaignRow>>;
    async fn set_sitting_campaign(&self, sitting_id: &str, campaign_id: Option<&str>)
    -> Result<()>;
    async fn sitting_campaign(&self, sitting_id: &str) -> Result<Option<String>>;

    /// Inserts all or none ([`StoreError::Conflict`] when an IIN is taken in the campaign).
    async fn insert_applications(&self, rows: &[ApplicationRow]) -> Result<()>;
    async fn application(&self, id: &str) -> Result<Option<ApplicationRow>>;
    async fn application_by_iin(
        &self,
        campaign_id: &str,
        iin: &str,
    ) -> Result<Option<ApplicationRow>>;
    async fn applications_of_user(&self, user_id: &str) -> Result<Vec<ApplicationRow>>;
    /// Links an unclaimed application to an account; `false` if it was claimed already.
    async fn claim_application(&self, id: &str, user_id: &str) -> Result<bool>;
    async fn application_page(
        &self,
        q: &ApplicationQuery,
    ) -> Result<(Vec<ApplicationListRow>, i64)>;
    async fn application_row(&self, id: &str) -> Result<Option<ApplicationListRow>>;

    async fn outcome(&self, application_id: &str, stage: i64) -> Result<Option<OutcomeRow>>;
    async fn outcomes(&self, application_id: &str) -> Result<Vec<OutcomeRow>>;
    /// Writes outcomes and their log entries in one transaction.
    async fn write_outcomes(&self, writes: &[OutcomeWrite]) -> Result<()>;
    async fn stage_log(&self, application_id: &str) -> Result<Vec<StageLogRow>>;
    /// Everyone with an outcome in this stage of the campaign.
    async fn stage_field(&self, campaign_id: &str, stage: i64) -> Result<Vec<FieldRow>>;
    /// Writes the outcomes of a cut and the cut itself in one transaction.
    async fn apply_cut(&self, cut: &CutRow, writes: &[OutcomeWrite]) -> Result<()>;
    async fn cuts(&self, campaign_id: &str) -> Result<Vec<CutRow>>;

    async fn funnel_rows(&self, campaign_id: Option<&str>) -> Result<Vec<FunnelDbRow>>;

    /// The scored items of a blueprint's closed attempts (of one sitting, if given), by
    /// attempt.
    async fn analysis_cells(
        &self,
        blueprint_id: &str,
        sitting_id: Option<&str>,
    ) -> Result<Vec<AnalysisCell>>;
}

const STAGE_COLUMNS: &str = "(SELECT status FROM stage_outcomes o WHERE o.application_id = a.id AND o.stage = 1) AS s1, \
     (SELECT status FROM stage_outcomes o WHERE o.application_id = a.id AND o.stage = 2) AS s2, \
     (SELECT status FROM stage_outcomes o WHERE o.application_id = a.id AND o.stage = 3) AS s3, \
     (SELECT status FROM stage_outcomes o WHERE o.application_id = a.id AND o.stage = 4) AS s4, \
     (SELECT status FROM stage_outcomes o WHERE o.application_id = a.id AND o.stage = 5) AS s5";

fn list_sql(filter: &str) -> String {
    format!(
        "SELECT a.*, {STAGE_COLUMNS}, c.number AS certificate, \
         CAST(CASE WHEN p.application_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS appointed \
         FROM applications a \
         LEFT JOIN certificates c ON c.application_id = a.id AND c.revoked_at IS NULL \
         LEFT JOIN appointments p ON p.application_id = a.id {filter}"
    )
}

macro_rules! insert_outcome {
    ($tx:expr, $w:expr) => {{
        let o = &$w.outcome;
        sqlx::query(
            "INSERT INTO stage_outcomes (application_id, stage, status, score, detail, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (application_id, stage) DO UPDATE SET status = excluded.status, \
             score = excluded.score, detail = excluded.detail, recorded_by = excluded.recorded_by, \
             recorded_at = excluded.recorded_at",
        )
        .bind(&o.application_id)
        .bind(o.stage)
        .bind(&o.status)
        .bind(o.score)
        .bind(&o.detail)
        .bind(&o.recorded_by)
        .bind(o.recorded_at)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "INSERT INTO stage_log (application_id, stage, status, score, detail, reason, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&o.application_id)
        .bind(o.stage)
        .bind(&o.status)
        .bind(o.score)
        .bind(&o.detail)
        .bind(&$w.reason)
        .bind(&o.recorded_by)
        .bind(o.recorded_at)
        .execute(&mut *$tx)
        .await?;
    }};
}

macro_rules! pipeline_store {
    ($store:ty) => {
        #[async_trait]
        impl PipelineStore for $store {
            async fn insert_campaign(&self, c: &CampaignRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO campaigns (id, name, year, round, blueprint_id, open, settings, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&c.id)
                .bind(&c.name)
                .bind(c.year)
                .bind(c.round)
                .bind(&c.blueprint_id)
                .bind(c.open)
                .bind(&c.settings)
                .bind(&c.created_by)
                .bind(c.created_at)
                .execute(&self.pool)
                .await
                .map_err(conflict)?;
                Ok(())
            }

            async fn update_campaign(&self, c: &CampaignRow) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE campaigns SET name = $2, year = $3, round = $4, blueprint_id = $5, \
                     open = $6, settings = $7 WHERE id = $1",
                )
                .bind(&c.id)
                .bind(&c.name)
                .bind(c.year)
                .bind(c.round)
                .bind(&c.blueprint_id)
                .bind(c.open)
                .bind(&c.settings)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn campaign(&self, id: &str) -> Result<Option<CampaignRow>> {
                Ok(sqlx::query_as("SELECT * FROM campaigns WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn campaigns(&self) -> Result<Vec<CampaignRow>> {
                Ok(sqlx::query_as("SELECT * FROM campaigns ORDER BY year DESC, round DESC, created_at DESC")
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn campaign_for_blueprint(&self, blueprint_id: &str) -> Result<Option<CampaignRow>> {
                Ok(sqlx::query_as(
                    "SELECT * FROM campaigns WHERE blueprint_id = $1 \
                     ORDER BY year DESC, round DESC, created_at DESC LIMIT 1",
                )
                .bind(blueprint_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn set_sitting_campaign(&self, sitting_id: &str, campaign_id: Option<&str>) -> Result<()> {
                sqlx::query("UPDATE sittings SET campaign_id = $2 WHERE id = $1")
                    .bind(sitting_id)
                    .bind(campaign_id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn sitting_campaign(&self, sitting_id: &str) -> Result<Option<String>> {
                let row: Option<(Option<String>,)> =
                    sqlx::query_as("SELECT campaign_id FROM sittings WHERE id = $1")
                        .bind(sitting_id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.and_then(|r| r.0))
            }

            async fn insert_applications(&self, rows: &[ApplicationRow]) -> Result<()> {
                let mut tx = self.begin_write().await?;
                for a in rows {
                    sqlx::query(
                        "INSERT INTO applications (id, campaign_id, user_id, iin, full_name, region, district, \
                         school, position, teaching_years, management_years, email, phone, source, created_at, search) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
                    )
                    .bind(&a.id)
                    .bind(&a.campaign_id)
                    .bind(&a.user_id)
                    .bind(&a.iin)
                    .bind(&a.full_name)
                    .bind(&a.region)
                    .bind(&a.district)
                    .bind(&a.school)
                    .bind(&a.position)
                    .bind(a.teaching_years)
                    .bind(a.management_years)
                    .bind(&a.email)
                    .bind(&a.phone)
                    .bind(&a.source)
                    .bind(a.created_at)
                    .bind(&a.search)
                    .execute(&mut *tx)
                    .await
                    .map_err(conflict)?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn application(&self, id: &str) -> Result<Option<ApplicationRow>> {
                Ok(sqlx::query_as("SELECT * FROM applications WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn application_by_iin(&self, campaign_id: &str, iin: &str) -> Result<Option<ApplicationRow>> {
                Ok(sqlx::query_as("SELECT * FROM applications WHERE campaign_id = $1 AND iin = $2")
                    .bind(campaign_id)
                    .bind(iin)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn applications_of_user(&self, user_id: &str) -> Result<Vec<ApplicationRow>> {
                Ok(sqlx::query_as("SELECT * FROM applications WHERE user_id = $1 ORDER BY created_at DESC")
                    .bind(user_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn claim_application(&self, id: &str, user_id: &str) -> Result<bool> {
                let done = sqlx::query("UPDATE applications SET user_id = $2 WHERE id = $1 AND user_id IS NULL")
                    .bind(id)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn application_page(&self, q: &ApplicationQuery) -> Result<(Vec<ApplicationListRow>, i64)> {
                let mut filter = String::from(" WHERE a.campaign_id = $1");
                let mut binds: Vec<String> = vec![q.campaign_id.clone()];
                // Each `?` in a condition becomes its own parameter, bound to `value`.
                let mut add = |cond: &str, value: String| {
                    filter.push_str(" AND ");
                    for (i, part) in cond.split('?').enumerate() {
                        if i > 0 {
                            binds.push(value.clone());
                            filter.push_str(&format!("${}", binds.len()));
                        }
                        filter.push_str(part);
                    }
                };
                let like = |s: &str| s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                if let Some(r) = &q.region { add("a.region = ?", r.clone()); }
                if let Some(stage) = q.stage {
                    let stage = stage.clamp(1, 5);
                    let exists = format!(
                        "EXISTS (SELECT 1 FROM stage_outcomes o WHERE o.application_id = a.id AND o.stage = {stage}"
                    );
                    match &q.status {
                        Some(s) => add(&format!("{exists} AND o.status = ?)"), s.clone()),
                        None => add(&format!("{exists} AND o.status <> ?)"), "none".into()),
                    }
                }
                for w in &q.words {
                    add("a.search LIKE ? ESCAPE '\\'", format!("%{}%", like(w)));
                }
                let count_sql = format!("SELECT COUNT(*) FROM applications a{filter}");
                let mut count = sqlx::query_as::<_, (i64,)>(&count_sql);
                for b in &binds { count = count.bind(b); }
                let (total,) = count.fetch_one(&self.pool).await?;
                let page_sql = format!(
                    "{} ORDER BY a.full_name, a.id LIMIT ${} OFFSET ${}",
                    list_sql(&filter),
                    binds.len() + 1,
                    binds.len() + 2
                );
                let mut page = sqlx::query_as::<_, ApplicationListRow>(&page_sql);
                for b in &binds { page = page.bind(b); }
                let rows = page.bind(q.limit).bind(q.offset).fetch_all(&self.pool).await?;
                Ok((rows, total))
            }

            async fn application_row(&self, id: &str) -> Result<Option<ApplicationListRow>> {
                Ok(sqlx::query_as(&list_sql(" WHERE a.id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn outcome(&self, application_id: &str, stage: i64) -> Result<Option<OutcomeRow>> {
                Ok(sqlx::query_as("SELECT * FROM stage_outcomes WHERE application_id = $1 AND stage = $2")
                    .bind(application_id)
                    .bind(stage)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn outcomes(&self, application_id: &str) -> Result<Vec<OutcomeRow>> {
                Ok(sqlx::query_as("SELECT * FROM stage_outcomes WHERE application_id = $1 ORDER BY stage")
                    .bind(application_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn write_outcomes(&self, writes: &[OutcomeWrite]) -> Result<()> {
                let mut tx = self.begin_write().await?;
                for w in writes {
                    insert_outcome!(tx, w);
                }
                tx.commit().await?;
                Ok(())
            }

            async fn stage_log(&self, application_id: &str) -> Result<Vec<StageLogRow>> {
                Ok(sqlx::query_as("SELECT * FROM stage_log WHERE application_id = $1 ORDER BY id")
                    .bind(application_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn stage_field(&self, campaign_id: &str, stage: i64) -> Result<Vec<FieldRow>> {
                Ok(sqlx::query_as(
                    "SELECT a.id AS application_id, a.region, a.teaching_years, a.management_years, \
                     a.created_at, o.status, o.score, o.detail FROM applications a \
                     JOIN stage_outcomes o ON o.application_id = a.id AND o.stage = $2 \
                     WHERE a.campaign_id = $1 ORDER BY a.id",
                )
                .bind(campaign_id)
                .bind(stage)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn apply_cut(&self, cut: &CutRow, writes: &[OutcomeWrite]) -> Result<()> {
                let mut tx = self.begin_write().await?;
                for w in writes {
                    insert_outcome!(tx, w);
                }
                sqlx::query(
                    "INSERT INTO selection_cuts (campaign_id, stage, rule, result, applied_by, applied_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&cut.campaign_id)
                .bind(cut.stage)
                .bind(&cut.rule)
                .bind(&cut.result)
                .bind(&cut.applied_by)
                .bind(cut.applied_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn cuts(&self, campaign_id: &str) -> Result<Vec<CutRow>> {
                Ok(sqlx::query_as("SELECT * FROM selection_cuts WHERE campaign_id = $1 ORDER BY id DESC")
                    .bind(campaign_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn analysis_cells(
                &self,
                blueprint_id: &str,
                sitting_id: Option<&str>,
            ) -> Result<Vec<AnalysisCell>> {
                Ok(sqlx::query_as(
                    "SELECT a.id AS attempt_id, a.language, ai.item_id, ai.version, ai.credit, ai.chosen \
                     FROM attempt_items ai JOIN attempts a ON a.id = ai.attempt_id \
                     WHERE ai.blueprint_id = $1 AND a.status <> 'in_progress' \
                       AND ai.credit IS NOT NULL \
                       AND (CAST($2 AS TEXT) IS NULL OR a.sitting_id = $2) \
                     ORDER BY a.id, ai.item_id",
                )
                .bind(blueprint_id)
                .bind(sitting_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn funnel_rows(&self, campaign_id: Option<&str>) -> Result<Vec<FunnelDbRow>> {
                Ok(sqlx::query_as(&format!(
                    "SELECT a.region, k.year, {STAGE_COLUMNS}, \
                     CAST(CASE WHEN c.number IS NULL THEN 0 ELSE 1 END AS BIGINT) AS reserve, \
                     CAST(CASE WHEN p.application_id IS NULL OR c.number IS NULL THEN 0 ELSE 1 END AS BIGINT) AS appointed \
                     FROM applications a JOIN campaigns k ON k.id = a.campaign_id \
                     LEFT JOIN certificates c ON c.application_id = a.id AND c.revoked_at IS NULL \
                     LEFT JOIN appointments p ON p.application_id = a.id \
                     WHERE ($1 = '' OR a.campaign_id = $1)"
                ))
                .bind(campaign_id.unwrap_or(""))
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pipeline_store!(SqliteStore);
pipeline_store!(PgStore);
