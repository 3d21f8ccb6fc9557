//! Blueprints, fairness checks, item analysis, key corrections and re-scoring.

use super::*;

// ---- Blueprints, fairness, key corrections and re-scoring ----

pub(super) fn blueprint_routes() -> Router<AppState> {
    Router::new()
        .route("/blueprints", get(blueprint_list))
        .route("/blueprints/check", post(blueprint_check))
        .route("/blueprints/{id}", get(blueprint_get).put(blueprint_put))
        .route("/blueprints/{id}/activate", post(blueprint_activate))
        .route("/blueprints/{id}/rescore", post(blueprint_rescore))
        .route("/score-changes", get(score_changes))
        .route("/blueprints/{id}/analysis", get(analysis))
        .route("/blueprints/{id}/analysis.csv", get(analysis_csv))
        .route("/bank/items/{id}/send-back", post(send_back))
        .route("/bank/items/{id}/versions/{version}/key", post(correct_key))
}

/// Every blueprint (methodologists and administrators).
#[utoipa::path(get, path = "/api/v1/blueprints", tag = "blueprints", security(("bearer" = [])),
    responses((status = 200, body = Vec<BlueprintSummary>), (status = 403, body = AppError)))]
pub(super) async fn blueprint_list(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Vec<BlueprintSummary>>> {
    Ok(Json(state.services.blueprint_list(&user).await?))
}

/// One blueprint.
#[utoipa::path(get, path = "/api/v1/blueprints/{id}", tag = "blueprints", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = BlueprintDoc), (status = 404, body = AppError)))]
pub(super) async fn blueprint_get(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<BlueprintDoc>> {
    Ok(Json(state.services.blueprint_get(&user, &id).await?))
}

/// Create or replace a blueprint; the id in the body must be the id in the path.
#[utoipa::path(put, path = "/api/v1/blueprints/{id}", tag = "blueprints", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Object,
    responses((status = 200, body = BlueprintDoc), (status = 422, body = AppError)))]
pub(super) async fn blueprint_put(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(bp): ApiJson<question_bank::Blueprint>,
) -> ApiResult<Json<BlueprintDoc>> {
    if bp.id != id {
        return Err(AppError::invalid(format!(
            "The blueprint's id {:?} is not the id in the path {id:?}.",
            bp.id
        ))
        .into());
    }
    Ok(Json(state.services.blueprint_save(&user, bp).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ActivateInput {
    active: bool,
}

/// Make a blueprint the one applicants are tested on (refused if the bank cannot fill it in
/// every language it offers), or withdraw it.
#[utoipa::path(post, path = "/api/v1/blueprints/{id}/activate", tag = "blueprints", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ActivateInput,
    responses((status = 200, body = BlueprintDoc), (status = 409, body = AppError)))]
pub(super) async fn blueprint_activate(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ActivateInput>,
) -> ApiResult<Json<BlueprintDoc>> {
    Ok(Json(
        state
            .services
            .blueprint_activate(&user, &id, input.active)
            .await?,
    ))
}

/// Check a blueprint (saved or not) against the published bank: short cells, and the
/// fairness of forms drawn from it.
#[utoipa::path(post, path = "/api/v1/blueprints/check", tag = "blueprints", security(("bearer" = [])),
    request_body = CheckInput, responses((status = 200, body = CheckReport), (status = 403, body = AppError)))]
pub(super) async fn blueprint_check(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(input): ApiJson<CheckInput>,
) -> ApiResult<Json<CheckReport>> {
    Ok(Json(state.services.blueprint_check(&user, input).await?))
}

/// Score every closed attempt of a blueprint again; lists the scores that changed.
#[utoipa::path(post, path = "/api/v1/blueprints/{id}/rescore", tag = "blueprints", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = RescoreReport), (status = 404, body = AppError)))]
pub(super) async fn blueprint_rescore(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<RescoreReport>> {
    Ok(Json(state.services.blueprint_rescore(&user, &id).await?))
}

#[derive(serde::Deserialize)]
pub(super) struct AnalysisQuery {
    sitting: Option<String>,
}

/// Item analysis of the blueprint's closed attempts (or one sitting's): classical statistics,
/// reliability, the 2PL calibration (100 examinees or more), DIF between the two main
/// languages, flags.
#[utoipa::path(get, path = "/api/v1/blueprints/{id}/analysis", tag = "analysis", security(("bearer" = [])),
    params(("id" = String, Path), ("sitting" = Option<String>, Query)),
    responses((status = 200, body = AnalysisView)))]
pub(super) async fn analysis(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<AnalysisQuery>,
) -> ApiResult<Json<AnalysisView>> {
    Ok(Json(
        state
            .services
            .item_analysis(&user, &id, q.sitting.as_deref())
            .await?,
    ))
}

/// The item analysis as CSV, one line per item.
#[utoipa::path(get, path = "/api/v1/blueprints/{id}/analysis.csv", tag = "analysis", security(("bearer" = [])),
    params(("id" = String, Path), ("sitting" = Option<String>, Query)),
    responses((status = 200, content_type = "text/csv", body = String)))]
pub(super) async fn analysis_csv(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<AnalysisQuery>,
) -> ApiResult<Response> {
    let csv = state
        .services
        .item_analysis_csv(&user, &id, q.sitting.as_deref())
        .await?;
    Ok(csv_response(csv, "item-analysis.csv"))
}

/// Send a published item the analysis flagged back to review (it leaves new forms until a
/// reviewer approves it again); the reason goes into its history.
#[utoipa::path(post, path = "/api/v1/bank/items/{id}/send-back", tag = "analysis", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = SendBackInput,
    responses((status = 200, body = ItemDoc), (status = 409, body = AppError)))]
pub(super) async fn send_back(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<SendBackInput>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(
        state
            .services
            .send_back_to_review(&user, &id, input)
            .await?,
    ))
}

#[derive(serde::Deserialize)]
pub(super) struct ChangesQuery {
    blueprint: Option<String>,
}

/// Scores changed by key corrections and re-scores, newest first.
#[utoipa::path(get, path = "/api/v1/score-changes", tag = "blueprints", security(("bearer" = [])),
    params(("blueprint" = Option<String>, Query)),
    responses((status = 200, body = Vec<ScoreChangeView>), (status = 403, body = AppError)))]
pub(super) async fn score_changes(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(q): ApiQuery<ChangesQuery>,
) -> ApiResult<Json<Vec<ScoreChangeView>>> {
    Ok(Json(
        state
            .services
            .score_changes(&user, q.blueprint.as_deref())
            .await?,
    ))
}

/// Correct the key of an item version already given to applicants: their closed attempts
/// are re-scored and the changes listed.
#[utoipa::path(post, path = "/api/v1/bank/items/{id}/versions/{version}/key", tag = "bank",
    security(("bearer" = [])), params(("id" = String, Path), ("version" = i64, Path)),
    request_body = KeyCorrectionInput,
    responses((status = 200, body = RescoreReport), (status = 409, body = AppError), (status = 422, body = AppError)))]
pub(super) async fn correct_key(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, version)): ApiPath<(String, i64)>,
    ApiJson(input): ApiJson<KeyCorrectionInput>,
) -> ApiResult<Json<RescoreReport>> {
    Ok(Json(
        state
            .services
            .correct_key(&user, &id, version, input)
            .await?,
    ))
}
