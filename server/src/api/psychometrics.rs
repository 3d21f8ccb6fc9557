//! REST routes of psychometrics: storing calibrations and the modified-Angoff workshop. Thin
//! shims over [`crate::services::analysis`] and [`crate::services::standards`]; every service checks the caller's
//! role and ownership itself.

use super::{ApiJson, ApiPath, ApiQuery, ApiResult, Caller};
use crate::state::AppState;
use app::error::AppError;
use app::model::*;
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

/// A response matrix of 10,000 examinees by 100 items is about 2 MB.
const MATRIX_LIMIT: usize = 16 * 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    paths(calibrate, parameters, calibration_list, calibration_import, workshop_list, workshop_create,
        workshop_get, workshop_rate, workshop_next_round, workshop_adopt),
    tags((name = "psychometrics", description = "Stored IRT calibrations and modified-Angoff standard setting"))
)]
pub struct PsychometricsDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/blueprints/{id}/calibration", post(calibrate))
        .route(
            "/bank/calibrations",
            get(calibration_list)
                .post(calibration_import)
                .layer(DefaultBodyLimit::max(MATRIX_LIMIT)),
        )
        .route(
            "/standard-settings",
            get(workshop_list).post(workshop_create),
        )
        .route("/bank/parameters", get(parameters))
        .route("/standard-settings/{id}", get(workshop_get))
        .route("/standard-settings/{id}/ratings", put(workshop_rate))
        .route("/standard-settings/{id}/rounds", post(workshop_next_round))
        .route("/standard-settings/{id}/adopt", post(workshop_adopt))
}

/// Calibrate the blueprint's closed attempts (or one sitting's) with the Rasch model or the
/// 2PL and store every item version's parameters, linked to the bank's scale through items
/// calibrated before (mean-sigma, 5 common items or more). Form assembly uses them.
#[utoipa::path(post, path = "/api/v1/blueprints/{id}/calibration", tag = "psychometrics", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CalibrateInput,
    responses((status = 200, body = CalibrationSummary), (status = 404, body = AppError), (status = 422, body = AppError)))]
async fn calibrate(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<CalibrateInput>,
) -> ApiResult<Json<CalibrationSummary>> {
    Ok(Json(
        state
            .services
            .calibrate_blueprint(&user, &id, input)
            .await?,
    ))
}

/// Every stored item parameter: the latest calibration of each item version, on the bank's
/// scale.
#[utoipa::path(get, path = "/api/v1/bank/parameters", tag = "psychometrics", security(("bearer" = [])),
    responses((status = 200, body = Vec<ItemParameters>)))]
async fn parameters(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Vec<ItemParameters>>> {
    Ok(Json(state.services.item_parameters(&user).await?))
}

/// The stored calibrations, newest first.
#[utoipa::path(get, path = "/api/v1/bank/calibrations", tag = "psychometrics", security(("bearer" = [])),
    responses((status = 200, body = Vec<CalibrationSummary>)))]
async fn calibration_list(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Vec<CalibrationSummary>>> {
    Ok(Json(state.services.calibrations(&user).await?))
}

#[derive(Deserialize)]
struct ModelQuery {
    model: Option<String>,
}

/// Calibrate an imported scored response matrix (CSV: a header of bank item ids, `id` for the
/// published version or `id@version`; a row per examinee, 0/1, empty when not given) and store
/// the parameters.
#[utoipa::path(post, path = "/api/v1/bank/calibrations", tag = "psychometrics", security(("bearer" = [])),
    params(("model" = Option<String>, Query, description = "rasch or 2pl (default 2pl)")),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = CalibrationSummary), (status = 422, body = AppError)))]
async fn calibration_import(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(q): ApiQuery<ModelQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Json<CalibrationSummary>> {
    let text = std::str::from_utf8(&body)
        .map_err(|e| AppError::invalid(format!("The file is not UTF-8 text: {e}.")))?;
    Ok(Json(
        state
            .services
            .calibrate_import(&user, q.model.as_deref().unwrap_or("2pl"), text)
            .await?,
    ))
}

/// Standard-setting workshops: all of them for methodologists and administrators, the ones
/// they judge for other staff.
#[utoipa::path(get, path = "/api/v1/standard-settings", tag = "psychometrics", security(("bearer" = [])),
    responses((status = 200, body = Vec<StandardSettingSummary>)))]
async fn workshop_list(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Vec<StandardSettingSummary>>> {
    Ok(Json(state.services.standard_settings(&user).await?))
}

/// Open a modified-Angoff workshop on a blueprint: a reference form is drawn for the judges.
#[utoipa::path(post, path = "/api/v1/standard-settings", tag = "psychometrics", security(("bearer" = [])),
    request_body = StandardSettingInput,
    responses((status = 200, body = StandardSettingView), (status = 404, body = AppError),
        (status = 409, body = AppError), (status = 422, body = AppError)))]
async fn workshop_create(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(input): ApiJson<StandardSettingInput>,
) -> ApiResult<Json<StandardSettingView>> {
    Ok(Json(
        state.services.standard_setting_create(&user, input).await?,
    ))
}

/// A workshop: its items (with keys and statistics), the caller's ratings, the panel's
/// previous round and every round's cut.
#[utoipa::path(get, path = "/api/v1/standard-settings/{id}", tag = "psychometrics", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = StandardSettingView), (status = 404, body = AppError)))]
async fn workshop_get(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<StandardSettingView>> {
    Ok(Json(state.services.standard_setting(&user, &id).await?))
}

/// A judge's ratings in the current round (probabilities 0-1).
#[utoipa::path(put, path = "/api/v1/standard-settings/{id}/ratings", tag = "psychometrics", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RatingsInput,
    responses((status = 200, body = StandardSettingView), (status = 404, body = AppError),
        (status = 409, body = AppError), (status = 422, body = AppError)))]
async fn workshop_rate(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<RatingsInput>,
) -> ApiResult<Json<StandardSettingView>> {
    Ok(Json(
        state
            .services
            .standard_setting_rate(&user, &id, input)
            .await?,
    ))
}

/// Close the round and open the next (judges then see the panel's ratings and the items'
/// statistics).
#[utoipa::path(post, path = "/api/v1/standard-settings/{id}/rounds", tag = "psychometrics", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = StandardSettingView), (status = 404, body = AppError), (status = 409, body = AppError)))]
async fn workshop_next_round(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<StandardSettingView>> {
    Ok(Json(
        state
            .services
            .standard_setting_next_round(&user, &id)
            .await?,
    ))
}

/// Adopt a round's cut as the blueprint's pass mark (and, when every rated item is
/// calibrated, as its standard on the ability scale).
#[utoipa::path(post, path = "/api/v1/standard-settings/{id}/adopt", tag = "psychometrics", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AdoptInput,
    responses((status = 200, body = StandardSettingView), (status = 404, body = AppError),
        (status = 409, body = AppError), (status = 422, body = AppError)))]
async fn workshop_adopt(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<AdoptInput>,
) -> ApiResult<Json<StandardSettingView>> {
    Ok(Json(
        state
            .services
            .standard_setting_adopt(&user, &id, input)
            .await?,
    ))
}
