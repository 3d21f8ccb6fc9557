//! The applicant's test: the dashboard, starting, answers, submitting, the result and events.

use super::*;

/// The caller's page: the stage-one test and stages for applicants, figures for staff.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "attempts", security(("bearer" = [])),
    responses((status = 200, body = Dashboard), (status = 401, body = AppError)))]
pub(super) async fn dashboard(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Dashboard>> {
    Ok(Json(state.services.dashboard(&user).await?))
}

/// Start the stage-one test (or resume it: an applicant has one attempt per blueprint). The
/// server draws the form; items come without keys.
#[utoipa::path(post, path = "/api/v1/attempts", tag = "attempts", security(("bearer" = [])),
    request_body = StartRequest,
    responses((status = 200, body = AttemptView), (status = 403, body = AppError),
        (status = 404, description = "No stage-one test is open", body = AppError), (status = 409, body = AppError)))]
pub(super) async fn start_attempt(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(req): ApiJson<StartRequest>,
) -> ApiResult<Json<AttemptView>> {
    Ok(Json(
        state
            .services
            .start_attempt(&user, req.language.as_deref())
            .await?,
    ))
}

/// An attempt: items, answers so far, the server's time and the deadline.
#[utoipa::path(get, path = "/api/v1/attempts/{id}", tag = "attempts", security(("bearer" = [])),
    params(("id" = String, Path, description = "attempt id")),
    responses((status = 200, body = AttemptView), (status = 403, body = AppError), (status = 404, body = AppError)))]
pub(super) async fn get_attempt(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<AttemptView>> {
    Ok(Json(state.services.attempt(&user, &id).await?))
}

/// Save one response. Idempotent: a save with a sequence number not above the stored one
/// changes nothing (`applied: false`). Acknowledged only once durable.
#[utoipa::path(put, path = "/api/v1/attempts/{id}/responses/{item_id}", tag = "attempts",
    security(("bearer" = [])), request_body = SaveRequest,
    params(("id" = String, Path, description = "attempt id"), ("item_id" = String, Path, description = "item id")),
    responses((status = 200, body = SaveAck), (status = 403, body = AppError), (status = 409, body = AppError),
        (status = 422, body = AppError)))]
pub(super) async fn save_response(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, item_id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<SaveRequest>,
) -> ApiResult<Json<SaveAck>> {
    Ok(Json(
        state
            .services
            .save_response(&user, &id, &item_id, req)
            .await?,
    ))
}

/// Submit the attempt; it is scored at once. Submitting a closed attempt returns its result.
#[utoipa::path(post, path = "/api/v1/attempts/{id}/submit", tag = "attempts", security(("bearer" = [])),
    params(("id" = String, Path, description = "attempt id")),
    responses((status = 200, body = ResultView), (status = 403, body = AppError)))]
pub(super) async fn submit(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ResultView>> {
    Ok(Json(state.services.submit(&user, &id).await?))
}

/// The result of a closed attempt: total and per-competency percentages, pass or fail.
#[utoipa::path(get, path = "/api/v1/attempts/{id}/result", tag = "attempts", security(("bearer" = [])),
    params(("id" = String, Path, description = "attempt id")),
    responses((status = 200, body = ResultView), (status = 409, body = AppError)))]
pub(super) async fn result(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ResultView>> {
    Ok(Json(state.services.result(&user, &id).await?))
}

/// The attempt's event log (started, device takeovers, submitted or expired): proctors and
/// administrators only.
#[utoipa::path(get, path = "/api/v1/attempts/{id}/events", tag = "attempts", security(("bearer" = [])),
    params(("id" = String, Path, description = "attempt id")),
    responses((status = 200, body = [AttemptEvent]), (status = 403, body = AppError), (status = 404, body = AppError)))]
pub(super) async fn events(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<AttemptEvent>>> {
    Ok(Json(state.services.events(&user, &id).await?))
}
