//! Server functions: thin shims that find the caller and call the backend. Stable endpoints
//! under `/api/fn/`.

use crate::error::AppError;
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{backend, caller};

#[server(prefix = "/api/fn", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<UserInfo, AppError> {
    use crate::backend::session_cookie;
    let backend = backend()?;
    let session = backend.login(&email, &password).await?;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    let max_age = ((session.expires_ms - now_ms()) / 1000).max(0);
    let cookie = session_cookie(&session.token, max_age, backend.secure_cookies());
    if let Ok(value) = http::HeaderValue::from_str(&cookie) {
        response.append_header(http::header::SET_COOKIE, value);
    }
    Ok(session.user)
}

#[server(prefix = "/api/fn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let response = expect_context::<leptos_axum::ResponseOptions>();
    if let Ok(value) = http::HeaderValue::from_str(&crate::backend::clear_session_cookie()) {
        response.append_header(http::header::SET_COOKIE, value);
    }
    Ok(())
}

/// The signed-in user, or `None` when nobody is (an expired session counts as nobody).
#[server(prefix = "/api/fn", endpoint = "me")]
pub async fn current_user() -> Result<Option<UserInfo>, AppError> {
    match caller() {
        Ok((_, user)) => Ok(Some(user)),
        Err(e) if e.code == crate::error::ErrorCode::Unauthenticated => Ok(None),
        Err(e) => Err(e),
    }
}

#[server(prefix = "/api/fn", endpoint = "dashboard")]
pub async fn load_dashboard() -> Result<Dashboard, AppError> {
    let (backend, user) = caller()?;
    backend.dashboard(&user).await
}

#[server(prefix = "/api/fn", endpoint = "start_attempt")]
pub async fn start_attempt(language: String) -> Result<String, AppError> {
    let (backend, user) = caller()?;
    Ok(backend.start_attempt(&user, Some(&language)).await?.id)
}

#[server(prefix = "/api/fn", endpoint = "attempt")]
pub async fn load_attempt(attempt_id: String) -> Result<AttemptView, AppError> {
    let (backend, user) = caller()?;
    backend.attempt(&user, &attempt_id).await
}

#[server(prefix = "/api/fn", endpoint = "save")]
pub async fn save_answer(
    attempt_id: String,
    item_id: String,
    seq: i64,
    choice: Option<u32>,
) -> Result<SaveAck, AppError> {
    let (backend, user) = caller()?;
    backend
        .save_response(&user, &attempt_id, &item_id, SaveRequest { seq, choice })
        .await
}

#[server(prefix = "/api/fn", endpoint = "submit")]
pub async fn submit_attempt(attempt_id: String) -> Result<ResultView, AppError> {
    let (backend, user) = caller()?;
    backend.submit(&user, &attempt_id).await
}

#[server(prefix = "/api/fn", endpoint = "result")]
pub async fn load_result(attempt_id: String) -> Result<ResultView, AppError> {
    let (backend, user) = caller()?;
    backend.result(&user, &attempt_id).await
}

/// Milliseconds since the Unix epoch on this side of the wire.
pub fn now_ms() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}
