//! Accounts and sessions: sign in and out, registration, renewal, passwords, preferences, IIN corrections.

use super::*;

/// A new sign-in as JSON, with its token also set as the session cookie.
pub(super) fn session_response(services: &Services, session: &LoginResponse) -> Response {
    let now_ms = services.now();
    let max_age = ((session.expires_ms - now_ms) / 1000).max(0);
    let mut response = Json(session).into_response();
    if let Ok(v) = HeaderValue::from_str(&session_cookie(
        &session.token,
        max_age,
        services.secure_cookies(),
    )) {
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
pub(super) async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let session = state.services.login(&req.email, &req.password, &ip).await?;
    Ok(session_response(&state.services, &session))
}

/// An applicant creates their own account (e-mail, full name, IIN, password of at least 10
/// characters) and is signed in, as with `/auth/login`.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 200, body = LoginResponse), (status = 409, body = AppError), (status = 422, body = AppError)))]
pub(super) async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<Response> {
    let session = state.services.register(req, &ip).await?;
    Ok(session_response(&state.services, &session))
}

/// Renew the session: a new token (and cookie) for the same sign-in, valid for another
/// session period, until the session's maximum age. Pages call it while they are open.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = LoginResponse), (status = 401, body = AppError)))]
pub(super) async fn refresh(State(state): State<AppState>, parts: Parts) -> ApiResult<Response> {
    let token = token_from_headers(&parts.headers).ok_or_else(AppError::unauthenticated)?;
    let session = state.services.refresh(&token).await?;
    Ok(session_response(&state.services, &session))
}

/// The caller's preferences (language, text size, contrast).
#[utoipa::path(get, path = "/api/v1/me/preferences", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Preferences), (status = 401, body = AppError)))]
pub(super) async fn preferences_get(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Preferences>> {
    Ok(Json(state.services.preferences_of(&user.id).await?))
}

/// Keep the caller's preferences with their account.
#[utoipa::path(put, path = "/api/v1/me/preferences", tag = "auth", security(("bearer" = [])),
    request_body = Preferences,
    responses((status = 200, body = Preferences), (status = 422, body = AppError)))]
pub(super) async fn preferences_put(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(input): ApiJson<Preferences>,
) -> ApiResult<Json<Preferences>> {
    Ok(Json(state.services.save_preferences(&user, input).await?))
}

/// Change one's own password (the current one is checked).
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", security(("bearer" = [])),
    request_body = PasswordChange, responses((status = 204), (status = 422, body = AppError)))]
pub(super) async fn change_password(
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
pub(super) async fn create_account(
    State(state): State<AppState>,
    Caller(user): Caller,
    ClientIp(ip): ClientIp,
    ApiJson(input): ApiJson<NewAccount>,
) -> ApiResult<Json<PasswordReset>> {
    Ok(Json(
        state.services.create_account(&user, input, &ip).await?,
    ))
}

/// Set a temporary password for an account (staff); it is shown once.
#[utoipa::path(post, path = "/api/v1/users/{email}/password-reset", tag = "auth", security(("bearer" = [])),
    params(("email" = String, Path)), responses((status = 200, body = PasswordReset), (status = 403, body = AppError)))]
pub(super) async fn reset_password(
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
pub(super) async fn change_iin(
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
pub(super) async fn logout(State(state): State<AppState>, parts: Parts) -> Response {
    // The session's tokens are refused from now on (a missing or bad token just clears the
    // cookie).
    if let Some(token) = token_from_headers(&parts.headers)
        && let Ok(user) = state.services.authenticate(&token)
        && let Err(e) = state.services.logout(&user).await
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
pub(super) async fn me(Caller(user): Caller) -> Json<UserInfo> {
    Json(user)
}
