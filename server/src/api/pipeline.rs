//! REST routes of the selection pipeline. Thin shims over [`crate::services::pipeline`]; every service
//! checks the caller's role and ownership itself.

use super::{ApiJson, ApiPath, ApiQuery, ApiResult, Caller};
use crate::state::AppState;
use app::error::AppError;
use app::model::*;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

/// CSV uploads may be larger than other bodies (8,068 applications are about 1.5 MB).
const CSV_LIMIT: usize = 8 * 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    paths(campaign_list, campaign_put, campaign_get, apply, my_applications, application_list,
        application_get, application_import, stage_record, stage_import, stage_select, cuts,
        panel_get, panel_put, report_submit, marking_list, marking_mark, interview_list,
        interview_score, interview_decide, appeal_file, appeal_list, appeal_get, appeal_decide,
        certificate_verify, certificate_pdf, certificate_revoke, appoint, reserve, funnel, funnel_csv_route),
    tags((name = "pipeline", description = "Applications, stages 2-5, appeals, certificates, the reserve and reports"))
)]
pub struct PipelineDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(campaign_list))
        .route("/campaigns/{id}", get(campaign_get).put(campaign_put))
        .route(
            "/campaigns/{id}/applications",
            get(application_list).post(apply),
        )
        .route(
            "/campaigns/{id}/applications/import",
            post(application_import).layer(DefaultBodyLimit::max(CSV_LIMIT)),
        )
        .route(
            "/campaigns/{id}/stages/{stage}/import",
            post(stage_import).layer(DefaultBodyLimit::max(CSV_LIMIT)),
        )
        .route("/campaigns/{id}/stages/{stage}/select", post(stage_select))
        .route("/campaigns/{id}/cuts", get(cuts))
        .route(
            "/campaigns/{id}/panels/{panel}",
            get(panel_get).put(panel_put),
        )
        .route("/campaigns/{id}/appeals", get(appeal_list))
        .route("/me/applications", get(my_applications))
        .route("/applications/{id}", get(application_get))
        .route("/applications/{id}/stages/{stage}", post(stage_record))
        .route(
            "/applications/{id}/report",
            post(report_submit).layer(DefaultBodyLimit::max(256 * 1024)),
        )
        .route("/applications/{id}/appeals", post(appeal_file))
        .route("/applications/{id}/appointment", post(appoint))
        .route("/marking", get(marking_list))
        .route("/marking/{code}", post(marking_mark))
        .route("/interviews", get(interview_list))
        .route("/interviews/{id}/score", post(interview_score))
        .route("/interviews/{id}/decision", post(interview_decide))
        .route("/appeals/{id}", get(appeal_get))
        .route("/appeals/{id}/decision", post(appeal_decide))
        .route("/public/certificates/{number}", get(certificate_verify))
        .route("/certificates/{number}/pdf", get(certificate_pdf))
        .route("/certificates/{number}/revoke", post(certificate_revoke))
        .route("/reserve", get(reserve))
        .route("/reports/funnel", get(funnel))
        .route("/reports/funnel.csv", get(funnel_csv_route))
}

/// Campaigns: all (staff) or those open for applications.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "pipeline", security(("bearer" = [])),
    responses((status = 200, body = Vec<CampaignView>)))]
async fn campaign_list(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Vec<CampaignView>>> {
    Ok(Json(state.services.campaign_list(&user).await?))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = CampaignView), (status = 404, body = AppError)))]
async fn campaign_get(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CampaignView>> {
    Ok(Json(state.services.campaign_get(&user, &id).await?))
}

/// Create or update a campaign: its test, selection rules, rubric, appeal period (staff).
#[utoipa::path(put, path = "/api/v1/campaigns/{id}", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CampaignInput,
    responses((status = 200, body = CampaignView), (status = 422, body = AppError)))]
async fn campaign_put(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<CampaignInput>,
) -> ApiResult<Json<CampaignView>> {
    if input.id != id {
        return Err(AppError::invalid("The id in the body differs from the address.").into());
    }
    Ok(Json(state.services.campaign_save(&user, input).await?))
}

/// Apply to a campaign (applicants).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/applications", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ApplicationInput,
    responses((status = 200, body = ApplicationView), (status = 409, body = AppError), (status = 422, body = AppError)))]
async fn apply(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(mut input): ApiJson<ApplicationInput>,
) -> ApiResult<Json<ApplicationView>> {
    input.campaign_id = id;
    Ok(Json(state.services.apply(&user, input).await?))
}

/// The caller's applications with every stage's result.
#[utoipa::path(get, path = "/api/v1/me/applications", tag = "pipeline", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApplicationView>)))]
async fn my_applications(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Vec<ApplicationView>>> {
    Ok(Json(state.services.my_applications(&user).await?))
}

/// The campaign's applications with each stage's status (staff), filtered and paged.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/applications", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path), ApplicationFilter), responses((status = 200, body = ApplicationPage)))]
async fn application_list(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(filter): ApiQuery<ApplicationFilter>,
) -> ApiResult<Json<ApplicationPage>> {
    Ok(Json(
        state.services.application_list(&user, &id, filter).await?,
    ))
}

/// One application (its applicant, or staff).
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ApplicationView), (status = 404, body = AppError)))]
async fn application_get(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ApplicationView>> {
    Ok(Json(state.services.application_get(&user, &id).await?))
}

/// Import applications from CSV (staff): preview, or commit all lines (none if any is wrong).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/applications/import", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CsvInput, responses((status = 200, body = CsvReport)))]
async fn application_import(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<CsvInput>,
) -> ApiResult<Json<CsvReport>> {
    Ok(Json(
        state
            .services
            .import_applications(&user, &id, input)
            .await?,
    ))
}

/// Record one stage result for one candidate (staff).
#[utoipa::path(post, path = "/api/v1/applications/{id}/stages/{stage}", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path), ("stage" = u8, Path)), request_body = StageInput,
    responses((status = 200, body = ApplicationView), (status = 409, body = AppError), (status = 422, body = AppError)))]
async fn stage_record(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, stage)): ApiPath<(String, u8)>,
    ApiJson(input): ApiJson<StageInput>,
) -> ApiResult<Json<ApplicationView>> {
    Ok(Json(
        state
            .services
            .record_stage(&user, &id, stage, input)
            .await?,
    ))
}

/// Upload a stage's results as CSV (staff): preview, or commit all lines (none if any is wrong).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/stages/{stage}/import", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path), ("stage" = u8, Path)), request_body = CsvInput, responses((status = 200, body = CsvReport)))]
async fn stage_import(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, stage)): ApiPath<(String, u8)>,
    ApiJson(input): ApiJson<CsvInput>,
) -> ApiResult<Json<CsvReport>> {
    Ok(Json(
        state
            .services
            .import_stage(&user, &id, stage, input)
            .await?,
    ))
}

/// Apply a selection rule (mark or rank) to a scored stage: preview, or commit (audited).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/stages/{stage}/select", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path), ("stage" = u8, Path)), request_body = SelectInput, responses((status = 200, body = SelectionView)))]
async fn stage_select(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, stage)): ApiPath<(String, u8)>,
    ApiJson(input): ApiJson<SelectInput>,
) -> ApiResult<Json<SelectionView>> {
    Ok(Json(
        state
            .services
            .select_stage(&user, &id, stage, input)
            .await?,
    ))
}

/// The selection cuts applied in the campaign, newest first (staff).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/cuts", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<SelectionView>)))]
async fn cuts(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<SelectionView>>> {
    Ok(Json(state.services.cuts(&user, &id).await?))
}

/// The campaign's experts (`expert`) or commission (`commission`).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/panels/{panel}", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path), ("panel" = String, Path)), responses((status = 200, body = Vec<PanelMember>)))]
async fn panel_get(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, panel)): ApiPath<(String, String)>,
) -> ApiResult<Json<Vec<PanelMember>>> {
    Ok(Json(state.services.get_panel(&user, &id, &panel).await?))
}

/// Name the campaign's experts or commission (and its chair), by e-mail (staff).
#[utoipa::path(put, path = "/api/v1/campaigns/{id}/panels/{panel}", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path), ("panel" = String, Path)), request_body = PanelInput,
    responses((status = 200, body = Vec<PanelMember>), (status = 422, body = AppError)))]
async fn panel_put(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, panel)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<PanelInput>,
) -> ApiResult<Json<Vec<PanelMember>>> {
    Ok(Json(
        state.services.set_panel(&user, &id, &panel, input).await?,
    ))
}

/// Hand in the final reflective report (the candidate, after passing stage 3).
#[utoipa::path(post, path = "/api/v1/applications/{id}/report", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReportInput, responses((status = 200, body = ApplicationView)))]
async fn report_submit(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ReportInput>,
) -> ApiResult<Json<ApplicationView>> {
    Ok(Json(state.services.submit_report(&user, &id, input).await?))
}

/// Reports given to the calling expert (blind: codes, no names).
#[utoipa::path(get, path = "/api/v1/marking", tag = "pipeline", security(("bearer" = [])),
    responses((status = 200, body = Vec<MarkingTask>), (status = 403, body = AppError)))]
async fn marking_list(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Vec<MarkingTask>>> {
    Ok(Json(state.services.marking_tasks(&user).await?))
}

/// Mark a report against the rubric (the expert it was given to).
#[utoipa::path(post, path = "/api/v1/marking/{code}", tag = "pipeline", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = MarkInput, responses((status = 200, body = MarkAck)))]
async fn marking_mark(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<MarkInput>,
) -> ApiResult<Json<MarkAck>> {
    Ok(Json(state.services.mark_report(&user, &code, input).await?))
}

/// Candidates before the caller's commissions.
#[utoipa::path(get, path = "/api/v1/interviews", tag = "pipeline", security(("bearer" = [])),
    responses((status = 200, body = Vec<InterviewCandidate>), (status = 403, body = AppError)))]
async fn interview_list(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Vec<InterviewCandidate>>> {
    Ok(Json(state.services.interview_list(&user).await?))
}

/// A commission member's score and vote.
#[utoipa::path(post, path = "/api/v1/interviews/{id}/score", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = InterviewInput, responses((status = 200, body = InterviewScoreView)))]
async fn interview_score(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<InterviewInput>,
) -> ApiResult<Json<InterviewScoreView>> {
    Ok(Json(
        state.services.interview_score(&user, &id, input).await?,
    ))
}

/// The chair records the commission's decision and minutes.
#[utoipa::path(post, path = "/api/v1/interviews/{id}/decision", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = DecisionInput, responses((status = 200, body = ApplicationView)))]
async fn interview_decide(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<ApplicationView>> {
    Ok(Json(
        state.services.interview_decide(&user, &id, input).await?,
    ))
}

/// Appeal a stage result (the candidate, within the appeal period).
#[utoipa::path(post, path = "/api/v1/applications/{id}/appeals", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AppealInput, responses((status = 200, body = AppealView), (status = 409, body = AppError)))]
async fn appeal_file(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<AppealInput>,
) -> ApiResult<Json<AppealView>> {
    Ok(Json(state.services.file_appeal(&user, &id, input).await?))
}

/// The campaign's appeals, open first (staff).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/appeals", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<AppealView>)))]
async fn appeal_list(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<AppealView>>> {
    Ok(Json(state.services.appeals(&user, &id).await?))
}

/// An appeal with all its evidence (staff).
#[utoipa::path(get, path = "/api/v1/appeals/{id}", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = AppealEvidence)))]
async fn appeal_get(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<AppealEvidence>> {
    Ok(Json(state.services.appeal_evidence(&user, &id).await?))
}

/// Decide an appeal (staff); an upheld appeal changes the result, audited.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/decision", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AppealDecision, responses((status = 200, body = AppealView)))]
async fn appeal_decide(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<AppealDecision>,
) -> ApiResult<Json<AppealView>> {
    Ok(Json(state.services.decide_appeal(&user, &id, input).await?))
}

/// Check a certificate by its number (public: name, category, dates, validity only).
#[utoipa::path(get, path = "/api/v1/public/certificates/{number}", tag = "pipeline",
    params(("number" = String, Path)), responses((status = 200, body = CertificateCheck), (status = 404, body = AppError)))]
async fn certificate_verify(
    State(state): State<AppState>,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Json<CertificateCheck>> {
    Ok(Json(state.services.verify_certificate(&number).await?))
}

/// The certificate as PDF (its holder, or staff).
#[utoipa::path(get, path = "/api/v1/certificates/{number}/pdf", tag = "pipeline", security(("bearer" = [])),
    params(("number" = String, Path)), responses((status = 200, content_type = "application/pdf", body = Vec<u8>)))]
async fn certificate_pdf(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Response> {
    let base = state.services.public_url().to_string();
    let bytes = state
        .services
        .certificate_pdf(&user, &number, &base)
        .await?;
    let disposition = format!(
        "attachment; filename=\"certificate-{}.pdf\"",
        number
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Revoke a certificate (administrators): a reason from the list, a note (required with
/// `other`). The holder leaves the reserve and reads the reason; the public check says revoked.
#[utoipa::path(post, path = "/api/v1/certificates/{number}/revoke", tag = "pipeline", security(("bearer" = [])),
    params(("number" = String, Path)), request_body = RevocationInput,
    responses((status = 200, body = ApplicationView), (status = 409, body = AppError), (status = 422, body = AppError)))]
async fn certificate_revoke(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<RevocationInput>,
) -> ApiResult<Json<ApplicationView>> {
    Ok(Json(
        state
            .services
            .revoke_certificate(&user, &number, input)
            .await?,
    ))
}

/// Record an appointment of a reserve member without competition (staff).
#[utoipa::path(post, path = "/api/v1/applications/{id}/appointment", tag = "pipeline", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AppointmentInput, responses((status = 200, body = ApplicationView)))]
async fn appoint(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<AppointmentInput>,
) -> ApiResult<Json<ApplicationView>> {
    Ok(Json(state.services.appoint(&user, &id, input).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
struct ReserveParams {
    campaign: Option<String>,
    region: Option<String>,
    /// Only those not appointed yet.
    available: Option<bool>,
}

/// The personnel reserve (national, or a region's), with appointments (staff).
#[utoipa::path(get, path = "/api/v1/reserve", tag = "pipeline", security(("bearer" = [])),
    params(ReserveParams), responses((status = 200, body = Vec<ReserveEntry>)))]
async fn reserve(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(q): ApiQuery<ReserveParams>,
) -> ApiResult<Json<Vec<ReserveEntry>>> {
    Ok(Json(
        state
            .services
            .reserve(
                &user,
                q.campaign.as_deref(),
                q.region.as_deref(),
                q.available.unwrap_or(false),
            )
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
struct FunnelParams {
    campaign: Option<String>,
    /// `region`, `year` or `all`.
    by: Option<String>,
}

/// The funnel: applications, each stage, reserve, appointed; counts and conversion (staff).
#[utoipa::path(get, path = "/api/v1/reports/funnel", tag = "pipeline", security(("bearer" = [])),
    params(FunnelParams), responses((status = 200, body = FunnelReport)))]
async fn funnel(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(q): ApiQuery<FunnelParams>,
) -> ApiResult<Json<FunnelReport>> {
    Ok(Json(
        state
            .services
            .funnel(
                &user,
                q.campaign.as_deref(),
                q.by.as_deref().unwrap_or("all"),
            )
            .await?,
    ))
}

/// The funnel as CSV (staff).
#[utoipa::path(get, path = "/api/v1/reports/funnel.csv", tag = "pipeline", security(("bearer" = [])),
    params(FunnelParams), responses((status = 200, content_type = "text/csv", body = String)))]
async fn funnel_csv_route(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(q): ApiQuery<FunnelParams>,
) -> ApiResult<Response> {
    let report = state
        .services
        .funnel(
            &user,
            q.campaign.as_deref(),
            q.by.as_deref().unwrap_or("all"),
        )
        .await?;
    Ok(super::csv_response(
        crate::services::pipeline::funnel_csv(&report),
        "funnel.csv",
    ))
}
