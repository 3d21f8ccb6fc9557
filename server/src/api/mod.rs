//! REST API v1: JSON for integrations and load tests. Every handler is a thin shim over
//! [`Backend`], the same service the server functions call. Errors are `{code, message}`.

use crate::state::AppState;
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

mod pipeline;
mod psychometrics;

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
        let busy = self.0.code == ErrorCode::Busy;
        let mut response = (status, Json(self.0)).into_response();
        if busy {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        response
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

/// Query parameters with our error format.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(r) => Err(ApiError(AppError::new(
                ErrorCode::BadRequest,
                r.body_text(),
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
        if let Some(crate::authz::Verified(user)) = parts.extensions.get() {
            return Ok(Caller(user.clone()));
        }
        let token = token_from_headers(&parts.headers).ok_or_else(AppError::unauthenticated)?;
        Ok(Caller(state.backend.authenticate(&token)?))
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/register", post(register))
        .route("/auth/refresh", post(refresh))
        .route("/auth/password", post(change_password))
        .route("/me/preferences", get(preferences_get).put(preferences_put))
        .route("/users", post(create_account))
        .route("/users/{email}/password-reset", post(reset_password))
        .route("/users/{email}/iin", put(change_iin))
        .route("/me", get(me))
        .route("/dashboard", get(dashboard))
        .route("/attempts", post(start_attempt))
        .route("/attempts/{id}", get(get_attempt))
        .route("/attempts/{id}/responses/{item_id}", put(save_response))
        .route("/attempts/{id}/submit", post(submit))
        .route("/attempts/{id}/result", get(result))
        .route("/attempts/{id}/events", get(events))
        .merge(bank_routes())
        .merge(blueprint_routes())
        .merge(proctor_routes())
        .merge(pipeline::routes())
        .merge(psychometrics::routes())
        .route("/openapi.json", get(openapi))
        .fallback(|| async { ApiError(AppError::not_found("This API route")) })
}

fn backend(state: &AppState) -> &SharedBackend {
    &state.backend
}

/// A new sign-in as JSON, with its token also set as the session cookie.
fn session_response(b: &SharedBackend, session: &LoginResponse, now_ms: i64) -> Response {
    let max_age = ((session.expires_ms - now_ms) / 1000).max(0);
    let mut response = Json(session).into_response();
    if let Ok(v) =
        HeaderValue::from_str(&session_cookie(&session.token, max_age, b.secure_cookies()))
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    for c in app::backend::preference_cookies(&session.preferences) {
        if let Ok(v) = HeaderValue::from_str(&c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// Sign in with email and password. Returns a bearer token and sets it as an HttpOnly,
/// SameSite=Strict cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = AppError)))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let b = backend(&state);
    let session = b.login(&req.email, &req.password, &ip).await?;
    Ok(session_response(b, &session, state.services.now()))
}

/// An applicant creates their own account (e-mail, full name, IIN, password of at least 10
/// characters) and is signed in, as with `/auth/login`.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 200, body = LoginResponse), (status = 409, body = AppError), (status = 422, body = AppError)))]
async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<Response> {
    let b = backend(&state);
    let session = b.register(req, &ip).await?;
    Ok(session_response(b, &session, state.services.now()))
}

/// Renew the session: a new token (and cookie) for the same sign-in, valid for another
/// session period, until the session's maximum age. Pages call it while they are open.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = LoginResponse), (status = 401, body = AppError)))]
async fn refresh(State(state): State<AppState>, parts: Parts) -> ApiResult<Response> {
    let b = backend(&state);
    let token = token_from_headers(&parts.headers).ok_or_else(AppError::unauthenticated)?;
    let session = b.refresh(&token).await?;
    Ok(session_response(b, &session, state.services.now()))
}

/// The caller's preferences (language, text size, contrast).
#[utoipa::path(get, path = "/api/v1/me/preferences", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Preferences), (status = 401, body = AppError)))]
async fn preferences_get(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Preferences>> {
    Ok(Json(backend(&state).preferences(&user).await?))
}

/// Keep the caller's preferences with their account.
#[utoipa::path(put, path = "/api/v1/me/preferences", tag = "auth", security(("bearer" = [])),
    request_body = Preferences,
    responses((status = 200, body = Preferences), (status = 422, body = AppError)))]
async fn preferences_put(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(input): ApiJson<Preferences>,
) -> ApiResult<Json<Preferences>> {
    Ok(Json(backend(&state).save_preferences(&user, input).await?))
}

/// Change one's own password (the current one is checked).
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", security(("bearer" = [])),
    request_body = PasswordChange, responses((status = 204), (status = 422, body = AppError)))]
async fn change_password(
    State(state): State<AppState>,
    Caller(user): Caller,
    ClientIp(ip): ClientIp,
    ApiJson(input): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    state.services.change_password(&user, input, &ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Create an account (administrators): staff of any role, or an applicant; its temporary
/// password is in the answer, once.
#[utoipa::path(post, path = "/api/v1/users", tag = "auth", security(("bearer" = [])),
    request_body = NewAccount,
    responses((status = 200, body = PasswordReset), (status = 409, body = AppError)))]
async fn create_account(
    State(state): State<AppState>,
    Caller(user): Caller,
    ClientIp(ip): ClientIp,
    ApiJson(input): ApiJson<NewAccount>,
) -> ApiResult<Json<PasswordReset>> {
    Ok(Json(
        backend(&state).create_account(&user, input, &ip).await?,
    ))
}

/// Set a temporary password for an account (staff); it is shown once.
#[utoipa::path(post, path = "/api/v1/users/{email}/password-reset", tag = "auth", security(("bearer" = [])),
    params(("email" = String, Path)), responses((status = 200, body = PasswordReset), (status = 403, body = AppError)))]
async fn reset_password(
    State(state): State<AppState>,
    Caller(user): Caller,
    ClientIp(ip): ClientIp,
    ApiPath(email): ApiPath<String>,
) -> ApiResult<Json<PasswordReset>> {
    Ok(Json(
        state.services.reset_password(&user, &email, &ip).await?,
    ))
}

/// Correct an account's IIN (staff; the reason and both IINs, masked, are logged).
#[utoipa::path(put, path = "/api/v1/users/{email}/iin", tag = "auth", security(("bearer" = [])),
    params(("email" = String, Path)), request_body = IinChange,
    responses((status = 200, body = IinChanged), (status = 403, body = AppError), (status = 404, body = AppError),
        (status = 409, body = AppError), (status = 422, body = AppError)))]
async fn change_iin(
    State(state): State<AppState>,
    Caller(user): Caller,
    ClientIp(ip): ClientIp,
    ApiPath(email): ApiPath<String>,
    ApiJson(input): ApiJson<IinChange>,
) -> ApiResult<Json<IinChanged>> {
    Ok(Json(
        state.services.change_iin(&user, &email, input, &ip).await?,
    ))
}

/// Sign out: removes the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
async fn logout(State(state): State<AppState>, parts: Parts) -> Response {
    // The session's tokens are refused from now on (a missing or bad token just clears the
    // cookie).
    if let Some(token) = token_from_headers(&parts.headers)
        && let Ok(user) = state.backend.authenticate(&token)
        && let Err(e) = state.backend.logout(&user).await
    {
        return ApiError(e).into_response();
    }
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
    responses((status = 200, body = AttemptView), (status = 403, body = AppError),
        (status = 404, description = "No stage-one test is open", body = AppError), (status = 409, body = AppError)))]
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
    paths(login, register, refresh, preferences_get, preferences_put, create_account, change_password, reset_password, change_iin, logout, me, dashboard, start_attempt, get_attempt, save_response, submit, result, events,
        bank_list, bank_create, bank_item, bank_update, bank_submit, bank_review, bank_retire, bank_restore,
        bank_history, bank_bulk, bank_import, bank_export, bank_competencies, bank_put_competency,
        bank_upload, attachment, blueprint_list, blueprint_get, blueprint_put, blueprint_activate,
        blueprint_check, blueprint_rescore, score_changes, analysis, analysis_csv, send_back, correct_key, sitting_list, sitting_create,
        sitting_get, sitting_proctors, sitting_applicants, sitting_monitor, sitting_feed, sitting_pause,
        sitting_resume, sitting_incidents, sitting_intervene, sitting_credit_requests, credit_decide, sitting_message, applicant_message, attempt_messages, attempt_message, upload_photo, upload_snapshot, photo, applicant_identity, start_practice, server_time, attempt_signals, attempt_live),
    modifiers(&BearerAuth),
    tags((name = "auth"), (name = "attempts"), (name = "bank"), (name = "blueprints"), (name = "proctoring"))
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

/// A CSV download: the body with its content type and file name, after a UTF-8 byte-order
/// mark (without it, spreadsheets open Cyrillic and Kazakh letters as mojibake).
pub(crate) fn csv_response(csv: String, file_name: &'static str) -> Response {
    let csv = if csv.starts_with('\u{FEFF}') {
        csv
    } else {
        format!("\u{FEFF}{csv}")
    };
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response()
}

/// The OpenAPI 3 document of this API.
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi_document())
}

/// The whole document: every route's own responses, plus the refusals every route of its
/// kind can answer with (`{code, message}`), derived from the authorization matrix and the
/// route's shape: 401 when it needs a sign-in, 403 when only some roles may call it, 404 when
/// its path names something, 400/413/422 when it takes a body, 429 for sign-in and
/// registration (lockouts and limits), 503 when passwords are checked (busy), and 408 for
/// any request that outlives the response timeout.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let mut doc = ApiDoc::openapi();
    doc.merge(pipeline::PipelineDoc::openapi());
    doc.merge(psychometrics::PsychometricsDoc::openapi());
    let refusal = |what: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(what)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("AppError")))
                        .build(),
                )
                .build(),
        )
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let ops = [
            ("GET", item.get.as_mut()),
            ("POST", item.post.as_mut()),
            ("PUT", item.put.as_mut()),
            ("DELETE", item.delete.as_mut()),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let entry = crate::authz::lookup(method, path);
            let mut add = |status: &str, what: &str| {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| refusal(what));
            };
            match entry.map(|e| e.allow) {
                Some(crate::authz::Allow::Anyone) => {}
                Some(crate::authz::Allow::SignedIn) => {
                    add("401", "Not signed in, or the session has expired.");
                }
                _ => {
                    add("401", "Not signed in, or the session has expired.");
                    add("403", "The caller's role or ownership does not allow this.");
                }
            }
            if path.contains('{') {
                add("400", "A path parameter is malformed.");
                add("404", "What the path names does not exist.");
            }
            if op.request_body.is_some() {
                add(
                    "400",
                    "The body is not JSON (or not sent as application/json) of the right shape.",
                );
                add("413", "The body is larger than this route takes.");
                add("422", "The body's values are not acceptable.");
            }
            if op.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                add("400", "A parameter is malformed.");
                add("422", "A parameter's value is not acceptable.");
            }
            if path.ends_with("/auth/login") || path.ends_with("/auth/register") {
                add("429", "Too many attempts: locked for a while.");
                add(
                    "503",
                    "Busy checking passwords: try again shortly (Retry-After).",
                );
            }
            if path.ends_with("/auth/password") || path.contains("/password-reset") {
                add(
                    "503",
                    "Busy checking passwords: try again shortly (Retry-After).",
                );
            }
            add("408", "The response did not start within the time limit.");
        }
    }
    doc
}

// ---- The question bank ----

fn bank_routes() -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    Router::new()
        .route("/bank/items", get(bank_list).post(bank_create))
        .route("/bank/items/{id}", get(bank_item).put(bank_update))
        .route("/bank/items/{id}/submit", post(bank_submit))
        .route("/bank/items/{id}/review", post(bank_review))
        .route("/bank/items/{id}/retire", post(bank_retire))
        .route("/bank/items/{id}/restore/{version}", post(bank_restore))
        .route("/bank/items/{id}/history", get(bank_history))
        .route("/bank/bulk", post(bank_bulk))
        .route(
            "/bank/import",
            post(bank_import).layer(DefaultBodyLimit::max(
                crate::services::bank::MAX_IMPORT_BYTES,
            )),
        )
        .route("/bank/export", get(bank_export))
        .route(
            "/bank/attachments",
            post(bank_upload).layer(DefaultBodyLimit::max(
                crate::services::bank::MAX_IMAGE_BYTES + 1,
            )),
        )
        .route("/attachments/{sha256}", get(attachment))
        .route("/bank/competencies", get(bank_competencies))
        .route("/bank/competencies/{code}", put(bank_put_competency))
}

/// The bank list: filters, sort and page in the query string.
#[utoipa::path(get, path = "/api/v1/bank/items", tag = "bank", security(("bearer" = [])),
    params(
        ("competency" = Option<String>, Query), ("status" = Option<String>, Query),
        ("item_type" = Option<String>, Query), ("ready_in" = Option<String>, Query),
        ("missing_in" = Option<String>, Query), ("tag" = Option<String>, Query),
        ("q" = Option<String>, Query, description = "words to find"), ("sort" = Option<String>, Query),
        ("descending" = Option<bool>, Query), ("page" = Option<u32>, Query), ("per_page" = Option<u32>, Query)),
    responses((status = 200, body = BankPage), (status = 403, body = AppError)))]
async fn bank_list(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(f): ApiQuery<BankFilter>,
) -> ApiResult<Json<BankPage>> {
    Ok(Json(state.services.bank_list(&user, &f).await?))
}

/// Create an item (a draft).
#[utoipa::path(post, path = "/api/v1/bank/items", tag = "bank", security(("bearer" = [])),
    request_body = ItemInput,
    responses((status = 200, body = ItemDoc), (status = 409, body = AppError), (status = 422, body = AppError)))]
async fn bank_create(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(input): ApiJson<ItemInput>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(state.services.bank_create(&user, input).await?))
}

/// An item's newest version, with its key (methodologists and administrators only).
#[utoipa::path(get, path = "/api/v1/bank/items/{id}", tag = "bank", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ItemDoc), (status = 404, body = AppError)))]
async fn bank_item(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(state.services.bank_item(&user, &id).await?))
}

/// Edit an item: a draft in place; a published item gets a new draft version.
#[utoipa::path(put, path = "/api/v1/bank/items/{id}", tag = "bank", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ItemInput,
    responses((status = 200, body = ItemDoc), (status = 409, body = AppError), (status = 422, body = AppError)))]
async fn bank_update(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ItemInput>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(state.services.bank_update(&user, &id, input).await?))
}

/// Send a draft to review.
#[utoipa::path(post, path = "/api/v1/bank/items/{id}/submit", tag = "bank", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ItemDoc), (status = 409, body = AppError)))]
async fn bank_submit(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(state.services.bank_submit(&user, &id).await?))
}

/// Review an item in review: publish it, or send it back with a comment. The reviewer must not
/// have written or edited this version (four eyes).
#[utoipa::path(post, path = "/api/v1/bank/items/{id}/review", tag = "bank", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReviewInput,
    responses((status = 200, body = ItemDoc), (status = 403, body = AppError), (status = 409, body = AppError)))]
async fn bank_review(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(state.services.bank_review(&user, &id, input).await?))
}

/// Retire a published item: it is no longer drawn; attempts that had it keep it.
#[utoipa::path(post, path = "/api/v1/bank/items/{id}/retire", tag = "bank", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ItemDoc), (status = 409, body = AppError)))]
async fn bank_retire(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(state.services.bank_retire(&user, &id).await?))
}

/// Make an old version the newest draft again.
#[utoipa::path(post, path = "/api/v1/bank/items/{id}/restore/{version}", tag = "bank", security(("bearer" = [])),
    params(("id" = String, Path), ("version" = i64, Path)),
    responses((status = 200, body = ItemDoc), (status = 404, body = AppError)))]
async fn bank_restore(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, version)): ApiPath<(String, i64)>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(
        state.services.bank_restore(&user, &id, version).await?,
    ))
}

/// Every version with what changed, and the audit log.
#[utoipa::path(get, path = "/api/v1/bank/items/{id}/history", tag = "bank", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ItemHistory), (status = 404, body = AppError)))]
async fn bank_history(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ItemHistory>> {
    Ok(Json(state.services.bank_history(&user, &id).await?))
}

/// Send many items to review, retire them, or tag them.
#[utoipa::path(post, path = "/api/v1/bank/bulk", tag = "bank", security(("bearer" = [])),
    request_body = BulkInput, responses((status = 200, body = BulkResult), (status = 422, body = AppError)))]
async fn bank_bulk(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(input): ApiJson<BulkInput>,
) -> ApiResult<Json<BulkResult>> {
    Ok(Json(state.services.bank_bulk(&user, input).await?))
}

#[derive(Debug, serde::Deserialize)]
struct ImportParams {
    format: Option<String>,
    #[serde(default)]
    dry_run: bool,
    language: Option<String>,
    default_competency: Option<String>,
}

/// Import a GIFT, Moodle XML or CSV file (the request body, up to 32 MiB): every item or none.
/// With `dry_run=true` nothing is stored and the report says what would be.
#[utoipa::path(post, path = "/api/v1/bank/import", tag = "bank", security(("bearer" = [])),
    params(("format" = String, Query, description = "gift, moodle-xml or csv"),
        ("dry_run" = Option<bool>, Query), ("language" = Option<String>, Query, description = "language of texts that do not say (default ru)"),
        ("default_competency" = Option<String>, Query)),
    request_body(content = String, content_type = "text/plain"),
    responses((status = 200, body = ImportReport), (status = 413, body = AppError), (status = 422, body = AppError)))]
async fn bank_import(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(p): ApiQuery<ImportParams>,
    body: axum::body::Bytes,
) -> ApiResult<Json<ImportReport>> {
    if !matches!(user.role, Role::Methodologist | Role::Admin) {
        return Err(AppError::forbidden().into());
    }
    let format = p
        .format
        .as_deref()
        .and_then(question_bank::formats::Format::parse)
        .ok_or_else(|| AppError::invalid("format must be gift, moodle-xml or csv."))?;
    let text = std::str::from_utf8(&body)
        .map_err(|e| AppError::invalid(format!("The file is not UTF-8 text: {e}.")))?;
    let mut options = question_bank::formats::ImportOptions::default();
    if let Some(l) = p.language {
        options.language = l
            .parse()
            .map_err(|e: question_bank::language::UnknownLanguage| {
                AppError::invalid(e.to_string())
            })?;
    }
    if let Some(c) = p.default_competency.filter(|c| !c.is_empty()) {
        options.default_competency = c;
    }
    let actor = crate::services::bank::Actor::of(&user);
    Ok(Json(
        state
            .services
            .bank_import(&actor, format, text, &options, p.dry_run, false)
            .await?,
    ))
}

#[derive(Debug, serde::Deserialize)]
struct ExportParams {
    format: Option<String>,
    status: Option<String>,
}

/// Export the bank (`status=published`: the published version of each item).
#[utoipa::path(get, path = "/api/v1/bank/export", tag = "bank", security(("bearer" = [])),
    params(("format" = String, Query, description = "gift, moodle-xml or csv"), ("status" = Option<String>, Query)),
    responses((status = 200, body = String, content_type = "text/plain")))]
async fn bank_export(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    if !matches!(user.role, Role::Methodologist | Role::Admin) {
        return Err(AppError::forbidden().into());
    }
    let format = p
        .format
        .as_deref()
        .and_then(question_bank::formats::Format::parse)
        .ok_or_else(|| AppError::invalid("format must be gift, moodle-xml or csv."))?;
    let published_only = match p.status.as_deref() {
        None | Some("") | Some("all") => false,
        Some("published") => true,
        Some(other) => {
            return Err(
                AppError::invalid(format!("status {other:?}: use published or all.")).into(),
            );
        }
    };
    let text = state.services.bank_export(format, published_only).await?;
    let (mime, ext) = match format {
        question_bank::formats::Format::Gift => ("text/plain; charset=utf-8", "gift.txt"),
        question_bank::formats::Format::MoodleXml => ("application/xml; charset=utf-8", "xml"),
        question_bank::formats::Format::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    let mut response = text.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"qabilet-bank.{ext}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

#[derive(Debug, serde::Deserialize)]
struct UploadParams {
    name: String,
}

/// Upload an image (PNG, JPEG, GIF or WebP, the request body, up to 2 MiB) for items to show
/// as `![alt](attachment:NAME)`; add the returned record to the item's `attachments`.
#[utoipa::path(post, path = "/api/v1/bank/attachments", tag = "bank", security(("bearer" = [])),
    params(("name" = String, Query)), request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 200, body = Object), (status = 413, body = AppError), (status = 422, body = AppError)))]
async fn bank_upload(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(p): ApiQuery<UploadParams>,
    body: axum::body::Bytes,
) -> ApiResult<Json<question_bank::Attachment>> {
    Ok(Json(
        state
            .services
            .bank_upload(&user, &p.name, body.to_vec())
            .await?,
    ))
}

/// An image by the digest of its content (signed-in users).
#[utoipa::path(get, path = "/api/v1/attachments/{sha256}", tag = "bank", security(("bearer" = [])),
    params(("sha256" = String, Path)), responses((status = 200, content_type = "image/png"), (status = 404, body = AppError)))]
async fn attachment(
    State(state): State<AppState>,
    Caller(_user): Caller,
    ApiPath(sha): ApiPath<String>,
) -> ApiResult<Response> {
    let (media_type, bytes) = state.services.attachment_bytes(&sha).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&media_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

/// The competency taxonomy.
#[utoipa::path(get, path = "/api/v1/bank/competencies", tag = "bank", security(("bearer" = [])),
    responses((status = 200, body = [CompetencyView])))]
async fn bank_competencies(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Vec<CompetencyView>>> {
    Ok(Json(state.services.bank_competencies(&user).await?))
}

/// Add a competency or rename it.
#[utoipa::path(put, path = "/api/v1/bank/competencies/{code}", tag = "bank", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = CompetencyView,
    responses((status = 200, body = CompetencyView), (status = 422, body = AppError)))]
async fn bank_put_competency(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(code): ApiPath<String>,
    ApiJson(mut c): ApiJson<CompetencyView>,
) -> ApiResult<Json<CompetencyView>> {
    c.code = code;
    Ok(Json(state.services.bank_put_competency(&user, c).await?))
}

// ---- Blueprints, fairness, key corrections and re-scoring ----

fn blueprint_routes() -> Router<AppState> {
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
async fn blueprint_list(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Vec<BlueprintSummary>>> {
    Ok(Json(state.services.blueprint_list(&user).await?))
}

/// One blueprint.
#[utoipa::path(get, path = "/api/v1/blueprints/{id}", tag = "blueprints", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = BlueprintDoc), (status = 404, body = AppError)))]
async fn blueprint_get(
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
async fn blueprint_put(
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
struct ActivateInput {
    active: bool,
}

/// Make a blueprint the one applicants are tested on (refused if the bank cannot fill it in
/// every language it offers), or withdraw it.
#[utoipa::path(post, path = "/api/v1/blueprints/{id}/activate", tag = "blueprints", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ActivateInput,
    responses((status = 200, body = BlueprintDoc), (status = 409, body = AppError)))]
async fn blueprint_activate(
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
async fn blueprint_check(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(input): ApiJson<CheckInput>,
) -> ApiResult<Json<CheckReport>> {
    Ok(Json(state.services.blueprint_check(&user, input).await?))
}

/// Score every closed attempt of a blueprint again; lists the scores that changed.
#[utoipa::path(post, path = "/api/v1/blueprints/{id}/rescore", tag = "blueprints", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = RescoreReport), (status = 404, body = AppError)))]
async fn blueprint_rescore(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<RescoreReport>> {
    Ok(Json(state.services.blueprint_rescore(&user, &id).await?))
}

#[derive(serde::Deserialize)]
struct AnalysisQuery {
    sitting: Option<String>,
}

/// Item analysis of the blueprint's closed attempts (or one sitting's): classical statistics,
/// reliability, the 2PL calibration (100 examinees or more), DIF between the two main
/// languages, flags.
#[utoipa::path(get, path = "/api/v1/blueprints/{id}/analysis", tag = "analysis", security(("bearer" = [])),
    params(("id" = String, Path), ("sitting" = Option<String>, Query)),
    responses((status = 200, body = AnalysisView)))]
async fn analysis(
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
async fn analysis_csv(
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
async fn send_back(
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
struct ChangesQuery {
    blueprint: Option<String>,
}

/// Scores changed by key corrections and re-scores, newest first.
#[utoipa::path(get, path = "/api/v1/score-changes", tag = "blueprints", security(("bearer" = [])),
    params(("blueprint" = Option<String>, Query)),
    responses((status = 200, body = Vec<ScoreChangeView>), (status = 403, body = AppError)))]
async fn score_changes(
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
async fn correct_key(
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

// ---- Sittings and proctoring ----

pub(crate) fn proctor_routes() -> Router<AppState> {
    Router::new()
        .route("/sittings", get(sitting_list).post(sitting_create))
        .route("/sittings/{id}", get(sitting_get))
        .route("/sittings/{id}/proctors", post(sitting_proctors))
        .route("/sittings/{id}/applicants", post(sitting_applicants))
        .route("/sittings/{id}/monitor", get(sitting_monitor))
        .route("/sittings/{id}/feed", get(sitting_feed))
        .route("/sittings/{id}/pause", post(sitting_pause))
        .route("/sittings/{id}/resume", post(sitting_resume))
        .route("/sittings/{id}/incidents.csv", get(sitting_incidents))
        .route(
            "/sittings/{id}/applicants/{user_id}/intervene",
            post(sitting_intervene),
        )
        .route(
            "/sittings/{id}/credit-requests",
            get(sitting_credit_requests),
        )
        .route("/sittings/{id}/messages", post(sitting_message))
        .route(
            "/sittings/{id}/applicants/{user_id}/identity",
            get(applicant_identity),
        )
        .route(
            "/me/photo",
            post(upload_photo).layer(axum::extract::DefaultBodyLimit::max(
                crate::services::identity::MAX_PHOTO_BYTES + 1,
            )),
        )
        .route(
            "/attempts/{id}/snapshots",
            post(upload_snapshot).layer(axum::extract::DefaultBodyLimit::max(
                crate::services::identity::MAX_PHOTO_BYTES + 1,
            )),
        )
        .route("/photos/{id}", get(photo))
        .route(
            "/sittings/{id}/applicants/{user_id}/messages",
            post(applicant_message),
        )
        .route(
            "/attempts/{id}/messages",
            get(attempt_messages).post(attempt_message),
        )
        .route("/credit-requests/{id}", post(credit_decide))
        .route("/practice", post(start_practice))
        .route("/time", get(server_time))
        .route("/attempts/{id}/signals", post(attempt_signals))
        .route("/attempts/{id}/live", get(attempt_live))
}

/// The caller's address: the connection's peer (the server is meant to sit behind nothing, or
/// behind a proxy that keeps the connection per client).
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientIp(ip))
    }
}

/// Sittings: all (administrators) or the caller's own (proctors).
#[utoipa::path(get, path = "/api/v1/sittings", tag = "proctoring", security(("bearer" = [])),
    responses((status = 200, body = Vec<SittingView>), (status = 403, body = AppError)))]
async fn sitting_list(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Vec<SittingView>>> {
    Ok(Json(state.services.list_sittings(&user).await?))
}

/// Schedule a sitting (administrators).
#[utoipa::path(post, path = "/api/v1/sittings", tag = "proctoring", security(("bearer" = [])),
    request_body = SittingInput, responses((status = 200, body = SittingView), (status = 422, body = AppError)))]
async fn sitting_create(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(input): ApiJson<SittingInput>,
) -> ApiResult<Json<SittingView>> {
    Ok(Json(state.services.create_sitting(&user, input).await?))
}

/// One sitting (its proctors and administrators).
#[utoipa::path(get, path = "/api/v1/sittings/{id}", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = SittingView), (status = 403, body = AppError)))]
async fn sitting_get(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<SittingView>> {
    Ok(Json(state.services.get_sitting(&user, &id).await?))
}

/// Assign proctors by e-mail (one per line): all or, with errors, none.
#[utoipa::path(post, path = "/api/v1/sittings/{id}/proctors", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AssignInput, responses((status = 200, body = AssignReport)))]
async fn sitting_proctors(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<AssignInput>,
) -> ApiResult<Json<AssignReport>> {
    Ok(Json(
        state
            .services
            .assign(&user, &id, Role::Proctor, input)
            .await?,
    ))
}

/// Assign applicants by e-mail (one per line, or a CSV whose first column is the address).
#[utoipa::path(post, path = "/api/v1/sittings/{id}/applicants", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AssignInput, responses((status = 200, body = AssignReport)))]
async fn sitting_applicants(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<AssignInput>,
) -> ApiResult<Json<AssignReport>> {
    Ok(Json(
        state
            .services
            .assign(&user, &id, Role::Applicant, input)
            .await?,
    ))
}

/// Every applicant of the sitting with progress, time and integrity counts.
#[utoipa::path(get, path = "/api/v1/sittings/{id}/monitor", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<MonitorRow>), (status = 403, body = AppError)))]
async fn sitting_monitor(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<MonitorRow>>> {
    Ok(Json(state.services.monitor(&user, &id).await?))
}

type SseStream = axum::response::sse::Sse<
    axum::response::sse::KeepAliveStream<
        futures_util::stream::BoxStream<
            'static,
            Result<axum::response::sse::Event, std::convert::Infallible>,
        >,
    >,
>;

/// A server-sent event stream of `rx`'s messages, ending when the server shuts down (so that a
/// graceful shutdown does not wait for watchers forever).
fn sse_from(
    rx: tokio::sync::mpsc::Receiver<String>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> SseStream {
    use futures_util::StreamExt;
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|data| (Ok(axum::response::sse::Event::default().data(data)), rx))
    })
    .take_until(async move {
        let _ = shutdown.wait_for(|stopping| *stopping).await;
    })
    .boxed();
    axum::response::sse::Sse::new(stream).keep_alive(axum::response::sse::KeepAlive::default())
}

/// The live feed of a sitting (server-sent events): a snapshot, then changed rows and events
/// as they happen. Each `data:` is a `FeedMessage`.
#[utoipa::path(get, path = "/api/v1/sittings/{id}/feed", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, description = "text/event-stream of FeedMessage"), (status = 403, body = AppError)))]
async fn sitting_feed(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<SseStream> {
    let services = state.services.clone();
    let sitting = services.watched_sitting(&user, &id).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<String>(256);
    let mut live = services.hub.subscribe();
    let first = services.monitor_rows(&sitting, None).await?;
    tokio::spawn(async move {
        use crate::live::Live;
        use tokio::sync::broadcast::error::RecvError;
        let json = |m: &FeedMessage| serde_json::to_string(m).unwrap_or_default();
        let snapshot = |rows| FeedMessage::Snapshot {
            rows,
            server_now_ms: services.now(),
        };
        if tx.send(json(&snapshot(first))).await.is_err() {
            return;
        }
        let mut touched = std::collections::BTreeSet::new();
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
        loop {
            tokio::select! {
                msg = live.recv() => match msg {
                    Ok(m) => match &*m {
                        Live::Touch { sitting: s, user } if *s == sitting.id => {
                            touched.insert(user.clone());
                        }
                        Live::Event { sitting: s, user, attempt, event } if *s == sitting.id => {
                            let m = FeedMessage::Event {
                                user_id: user.clone(),
                                attempt_id: attempt.clone(),
                                event: event.clone(),
                            };
                            if tx.send(json(&m)).await.is_err() {
                                return;
                            }
                            touched.insert(user.clone());
                        }
                        _ => {}
                    },
                    Err(RecvError::Lagged(_)) => {
                        touched.clear();
                        match services.monitor_rows(&sitting, None).await {
                            Ok(rows) => {
                                if tx.send(json(&snapshot(rows))).await.is_err() {
                                    return;
                                }
                            }
                            Err(_) => return,
                        }
                    }
                    Err(RecvError::Closed) => return,
                },
                _ = tick.tick() => {
                    for user in std::mem::take(&mut touched) {
                        let Ok(rows) = services.monitor_rows(&sitting, Some(&user)).await else {
                            continue;
                        };
                        for row in rows {
                            let m = FeedMessage::Row { row, server_now_ms: services.now() };
                            if tx.send(json(&m)).await.is_err() {
                                return;
                            }
                        }
                    }
                }
                _ = tx.closed() => return,
            }
        }
    });
    Ok(sse_from(rx, state.services.shutdown.subscribe()))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ReasonInput {
    #[serde(default)]
    reason: String,
}

/// Pause every running attempt of the sitting (e.g. a power cut at the venue).
#[utoipa::path(post, path = "/api/v1/sittings/{id}/pause", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReasonInput, responses((status = 200, body = SittingView)))]
async fn sitting_pause(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<Json<SittingView>> {
    Ok(Json(
        state
            .services
            .pause_sitting(&user, &id, true, &input.reason)
            .await?,
    ))
}

/// Resume every paused attempt of the sitting; each deadline moves on by its paused time.
#[utoipa::path(post, path = "/api/v1/sittings/{id}/resume", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReasonInput, responses((status = 200, body = SittingView)))]
async fn sitting_resume(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<Json<SittingView>> {
    Ok(Json(
        state
            .services
            .pause_sitting(&user, &id, false, &input.reason)
            .await?,
    ))
}

/// The sitting's events and interventions, as CSV.
#[utoipa::path(get, path = "/api/v1/sittings/{id}/incidents.csv", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, content_type = "text/csv", body = String)))]
async fn sitting_incidents(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let csv = state.services.incidents_csv(&user, &id).await?;
    Ok(csv_response(csv, "incidents.csv"))
}

/// A proctor's action on one applicant: admit, warn, pause, resume, add_time, terminate.
#[utoipa::path(post, path = "/api/v1/sittings/{id}/applicants/{user_id}/intervene", tag = "proctoring",
    security(("bearer" = [])), params(("id" = String, Path), ("user_id" = String, Path)),
    request_body = InterventionInput, responses((status = 200, body = MonitorRow), (status = 403, body = AppError), (status = 409, body = AppError)))]
async fn sitting_intervene(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, user_id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<InterventionInput>,
) -> ApiResult<Json<MonitorRow>> {
    Ok(Json(
        state
            .services
            .intervene(&user, &id, &user_id, input)
            .await?,
    ))
}

#[derive(Debug, serde::Deserialize)]
struct PhotoParams {
    kind: String,
}

/// The applicant's photo (PNG, JPEG or WebP, the body, up to 2 MiB): `kind=application` with
/// the application, `kind=start` the webcam picture at the start of a remote sitting.
#[utoipa::path(post, path = "/api/v1/me/photo", tag = "proctoring", security(("bearer" = [])),
    params(("kind" = String, Query)), request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 200, body = PhotoRef), (status = 409, body = AppError), (status = 413, body = AppError), (status = 422, body = AppError)))]
async fn upload_photo(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(p): ApiQuery<PhotoParams>,
    body: axum::body::Bytes,
) -> ApiResult<Json<PhotoRef>> {
    Ok(Json(
        state
            .services
            .upload_photo(&user, &p.kind, body.to_vec())
            .await?,
    ))
}

/// A snapshot during the test (remote sittings that ask for them).
#[utoipa::path(post, path = "/api/v1/attempts/{id}/snapshots", tag = "attempts", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 200, body = PhotoRef), (status = 403, body = AppError), (status = 404, body = AppError),
        (status = 409, body = AppError), (status = 413, body = AppError), (status = 422, body = AppError)))]
async fn upload_snapshot(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<PhotoRef>> {
    Ok(Json(
        state
            .services
            .upload_snapshot(&user, &id, body.to_vec())
            .await?,
    ))
}

/// A photo of an applicant (the proctors of their sittings, admins); every view is logged.
#[utoipa::path(get, path = "/api/v1/photos/{id}", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, content_type = "image/jpeg"), (status = 403, body = AppError), (status = 404, body = AppError)))]
async fn photo(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let (media_type, bytes) = state.services.photo_bytes(&user, &id).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&media_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    // Personal data: not kept by the browser, so every look is a logged view.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

/// What the proctor sees to check an applicant's identity: name, masked IIN, the photo with
/// the application, the picture at the start, snapshots.
#[utoipa::path(get, path = "/api/v1/sittings/{id}/applicants/{user_id}/identity", tag = "proctoring",
    security(("bearer" = [])), params(("id" = String, Path), ("user_id" = String, Path)),
    responses((status = 200, body = IdentityView), (status = 403, body = AppError), (status = 404, body = AppError)))]
async fn applicant_identity(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, user_id)): ApiPath<(String, String)>,
) -> ApiResult<Json<IdentityView>> {
    Ok(Json(state.services.identity(&user, &id, &user_id).await?))
}

/// A proctor writes to everyone taking the test in the sitting.
#[utoipa::path(post, path = "/api/v1/sittings/{id}/messages", tag = "proctoring",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = MessageInput,
    responses((status = 200, body = MessageSent), (status = 403, body = AppError), (status = 404, body = AppError), (status = 422, body = AppError)))]
async fn sitting_message(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<MessageInput>,
) -> ApiResult<Json<MessageSent>> {
    let sent = state.services.message_sitting(&user, &id, input).await?;
    Ok(Json(MessageSent { sent }))
}

/// A proctor writes to one applicant taking the test; shown on their page at once.
#[utoipa::path(post, path = "/api/v1/sittings/{id}/applicants/{user_id}/messages", tag = "proctoring",
    security(("bearer" = [])), params(("id" = String, Path), ("user_id" = String, Path)), request_body = MessageInput,
    responses((status = 200, body = ChatMessage), (status = 403, body = AppError), (status = 404, body = AppError),
        (status = 409, body = AppError), (status = 422, body = AppError)))]
async fn applicant_message(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, user_id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<MessageInput>,
) -> ApiResult<Json<ChatMessage>> {
    Ok(Json(
        state
            .services
            .message_applicant(&user, &id, &user_id, input)
            .await?,
    ))
}

/// The messages of the caller's own attempt (proctors' and their own), oldest first.
#[utoipa::path(get, path = "/api/v1/attempts/{id}/messages", tag = "attempts",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<ChatMessage>), (status = 403, body = AppError), (status = 404, body = AppError)))]
async fn attempt_messages(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<ChatMessage>>> {
    Ok(Json(state.services.attempt_messages(&user, &id).await?))
}

/// The applicant writes to the sitting's proctors (their live feed shows it at once).
#[utoipa::path(post, path = "/api/v1/attempts/{id}/messages", tag = "attempts",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = MessageInput,
    responses((status = 200, body = ChatMessage), (status = 403, body = AppError), (status = 404, body = AppError),
        (status = 409, body = AppError), (status = 422, body = AppError)))]
async fn attempt_message(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<MessageInput>,
) -> ApiResult<Json<ChatMessage>> {
    Ok(Json(
        state.services.message_proctors(&user, &id, input).await?,
    ))
}

/// A sitting's credit requests: lost connections the server cannot vouch for, pending first.
#[utoipa::path(get, path = "/api/v1/sittings/{id}/credit-requests", tag = "proctoring",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<CreditRequestView>), (status = 403, body = AppError), (status = 404, body = AppError)))]
async fn sitting_credit_requests(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<CreditRequestView>>> {
    Ok(Json(state.services.credit_requests(&user, &id).await?))
}

/// A proctor of the sitting grants (up to the cap per attempt) or declines a credit request.
#[utoipa::path(post, path = "/api/v1/credit-requests/{id}", tag = "proctoring",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = CreditDecisionInput,
    responses((status = 200, body = CreditRequestView), (status = 403, body = AppError), (status = 404, body = AppError),
        (status = 409, body = AppError), (status = 422, body = AppError)))]
async fn credit_decide(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<CreditDecisionInput>,
) -> ApiResult<Json<CreditRequestView>> {
    Ok(Json(state.services.decide_credit(&user, &id, input).await?))
}

/// The server's clock, for the system check (round trip and clock offset); no sign-in needed.
#[utoipa::path(get, path = "/api/v1/time", tag = "attempts", responses((status = 200, body = ServerTime)))]
async fn server_time(State(state): State<AppState>) -> Json<ServerTime> {
    Json(ServerTime {
        server_now_ms: state.services.now(),
    })
}

/// Start (or resume) the practice test: sample items, any time, no seat, never counted; a
/// finished practice attempt is replaced by a new one.
#[utoipa::path(post, path = "/api/v1/practice", tag = "attempts", security(("bearer" = [])),
    request_body = StartRequest,
    responses((status = 200, body = AttemptView), (status = 404, body = AppError), (status = 422, body = AppError)))]
async fn start_practice(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(input): ApiJson<StartRequest>,
) -> ApiResult<Json<AttemptView>> {
    Ok(Json(
        state
            .services
            .start_practice(&user, input.language.as_deref())
            .await?,
    ))
}

/// The applicant's heartbeat with integrity signals; returns the clock.
#[utoipa::path(post, path = "/api/v1/attempts/{id}/signals", tag = "attempts", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = SignalsInput, responses((status = 200, body = SignalsAck), (status = 409, body = AppError)))]
async fn attempt_signals(
    State(state): State<AppState>,
    Caller(user): Caller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<SignalsInput>,
) -> ApiResult<Json<SignalsAck>> {
    Ok(Json(state.services.signals(&user, &id, input, &ip).await?))
}

/// What the applicant's page must show at once (server-sent events of `AttemptNotice`):
/// warnings, pauses, added time, termination.
#[utoipa::path(get, path = "/api/v1/attempts/{id}/live", tag = "attempts", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, description = "text/event-stream of AttemptNotice"), (status = 403, body = AppError)))]
async fn attempt_live(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<SseStream> {
    let row = state
        .services
        .store()
        .attempt(&id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| AppError::not_found("The attempt"))?;
    if row.user_id != user.id {
        return Err(AppError::forbidden().into());
    }
    let (tx, rx) = tokio::sync::mpsc::channel::<String>(64);
    let mut live = state.services.hub.subscribe();
    tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            tokio::select! {
                msg = live.recv() => match msg {
                    Ok(m) => {
                        if let crate::live::Live::Notice { attempt, notice } = &*m
                            && *attempt == id
                            && tx.send(serde_json::to_string(notice).unwrap_or_default()).await.is_err()
                        {
                            return;
                        }
                    }
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return,
                },
                _ = tx.closed() => return,
            }
        }
    });
    Ok(sse_from(rx, state.services.shutdown.subscribe()))
}
