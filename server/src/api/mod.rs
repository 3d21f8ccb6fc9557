//! REST API v1: JSON for integrations and load tests. Every handler is a thin shim over
//! [`Backend`], the same service the server functions call. Errors are `{code, message}`.

use crate::web::AppState;
use app::backend::{SharedBackend, clear_session_cookie, session_cookie, token_from_headers};
use app::error::{AppError, ErrorCode};
use app::model::*;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

/// An error on the wire: the stable code, the HTTP status that goes with it, and a message.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// A JSON body whose rejections use our error format.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(ApiError(json_rejection(rejection))),
        }
    }
}

fn json_rejection(r: JsonRejection) -> AppError {
    let code = match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNPROCESSABLE_ENTITY => ErrorCode::Invalid,
        _ => ErrorCode::BadRequest,
    };
    AppError::new(code, r.body_text())
}

/// Path parameters with our error format.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(r) => Err(ApiError(AppError::new(
                ErrorCode::BadRequest,
                path_message(r),
            ))),
        }
    }
}

fn path_message(r: PathRejection) -> String {
    r.body_text()
}

/// The signed-in caller, from the bearer token or the session cookie.
pub struct Caller(pub UserInfo);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = token_from_headers(&parts.headers).ok_or_else(AppError::unauthenticated)?;
        Ok(Caller(state.backend.authenticate(&token)?))
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .route("/dashboard", get(dashboard))
        .route("/attempts", post(start_attempt))
        .route("/attempts/{id}", get(get_attempt))
        .route("/attempts/{id}/responses/{item_id}", put(save_response))
        .route("/attempts/{id}/submit", post(submit))
        .route("/attempts/{id}/result", get(result))
        .route("/attempts/{id}/events", get(events))
        .route("/openapi.json", get(openapi))
        .fallback(|| async { ApiError(AppError::not_found("This API route")) })
}

fn backend(state: &AppState) -> &SharedBackend {
    &state.backend
}

/// Sign in with email and password. Returns a bearer token and sets it as an HttpOnly,
/// SameSite=Strict cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = AppError)))]
async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let b = backend(&state);
    let session = b.login(&req.email, &req.password).await?;
    let max_age = ((session.expires_ms - app::api::now_ms()) / 1000).max(0);
    let mut response = Json(&session).into_response();
    if let Ok(v) =
        HeaderValue::from_str(&session_cookie(&session.token, max_age, b.secure_cookies()))
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

/// Sign out: removes the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
async fn logout() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&clear_session_cookie()) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserInfo), (status = 401, body = AppError)))]
async fn me(Caller(user): Caller) -> Json<UserInfo> {
    Json(user)
}

/// The caller's page: the stage-one test and stages for applicants, figures for staff.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "attempts", security(("bearer" = [])),
    responses((status = 200, body = Dashboard), (status = 401, body = AppError)))]
async fn dashboard(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Dashboard>> {
    Ok(Json(backend(&state).dashboard(&user).await?))
}

/// Start the stage-one test (or resume it: an applicant has one attempt per blueprint). The
/// server draws the form; items come without keys.
#[utoipa::path(post, path = "/api/v1/attempts", tag = "attempts", security(("bearer" = [])),
    request_body = StartRequest,
    responses((status = 200, body = AttemptView), (status = 403, body = AppError), (status = 409, body = AppError)))]
async fn start_attempt(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(req): ApiJson<StartRequest>,
) -> ApiResult<Json<AttemptView>> {
    Ok(Json(
        backend(&state)
            .start_attempt(&user, req.language.as_deref())
            .await?,
    ))
}

/// An attempt: items, answers so far, the server's time and the deadline.
#[utoipa::path(get, path = "/api/v1/attempts/{id}", tag = "attempts", security(("bearer" = [])),
    params(("id" = String, Path, description = "attempt id")),
    responses((status = 200, body = AttemptView), (status = 403, body = AppError), (status = 404, body = AppError)))]
async fn get_attempt(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<AttemptView>> {
    Ok(Json(backend(&state).attempt(&user, &id).await?))
}

/// Save one response. Idempotent: a save with a sequence number not above the stored one
/// changes nothing (`applied: false`). Acknowledged only once durable.
#[utoipa::path(put, path = "/api/v1/attempts/{id}/responses/{item_id}", tag = "attempts",
    security(("bearer" = [])), request_body = SaveRequest,
    params(("id" = String, Path, description = "attempt id"), ("item_id" = String, Path, description = "item id")),
    responses((status = 200, body = SaveAck), (status = 403, body = AppError), (status = 409, body = AppError),
        (status = 422, body = AppError)))]
async fn save_response(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, item_id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<SaveRequest>,
) -> ApiResult<Json<SaveAck>> {
    Ok(Json(
        backend(&state)
            .save_response(&user, &id, &item_id, req)
            .await?,
    ))
}

/// Submit the attempt; it is scored at once. Submitting a closed attempt returns its result.
#[utoipa::path(post, path = "/api/v1/attempts/{id}/submit", tag = "attempts", security(("bearer" = [])),
    params(("id" = String, Path, description = "attempt id")),
    responses((status = 200, body = ResultView), (status = 403, body = AppError)))]
async fn submit(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ResultView>> {
    Ok(Json(backend(&state).submit(&user, &id).await?))
}

/// The result of a closed attempt: total and per-competency percentages, pass or fail.
#[utoipa::path(get, path = "/api/v1/attempts/{id}/result", tag = "attempts", security(("bearer" = [])),
    params(("id" = String, Path, description = "attempt id")),
    responses((status = 200, body = ResultView), (status = 409, body = AppError)))]
async fn result(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ResultView>> {
    Ok(Json(backend(&state).result(&user, &id).await?))
}

/// The attempt's event log (started, device takeovers, submitted or expired): proctors and
/// administrators only.
#[utoipa::path(get, path = "/api/v1/attempts/{id}/events", tag = "attempts", security(("bearer" = [])),
    params(("id" = String, Path, description = "attempt id")),
    responses((status = 200, body = [AttemptEvent]), (status = 403, body = AppError), (status = 404, body = AppError)))]
async fn events(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<AttemptEvent>>> {
    Ok(Json(backend(&state).events(&user, &id).await?))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Qabilet API", version = "1", description = "Stage-one competency testing: sign in, take the test, read the result."),
    paths(login, logout, me, dashboard, start_attempt, get_attempt, save_response, submit, result, events),
    modifiers(&BearerAuth),
    tags((name = "auth"), (name = "attempts"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The OpenAPI 3 document of this API.
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
