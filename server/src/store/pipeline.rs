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
    async fn funnel_rows(&self, campaign_id: Option<&str>) -> Result<Vec<FunnelDbRow>>;

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
    /// The scored items of a blueprint's closed attempts (of one sitting, if given), by
    /// attempt.
    async fn analysis_cells(
        &self,
        blueprint_id: &str,
        sitting_id: Option<&str>,
    ) -> Result<Vec<AnalysisCell>>;
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

            async fn set_password_hash(&self, user_id: &str, hash: &str) -> Result<()> {
                sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                    .bind(user_id)
                    .bind(hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
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

            async fn iin_taken(&self, iin: &str) -> Result<bool> {
                let row: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE iin = $1")
                    .bind(iin)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.is_some())
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
