//! Server functions: thin shims that find the caller and call the backend. Stable endpoints
//! under `/api/fn/`.

use crate::error::AppError;
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{backend, caller};

mod pipeline;
mod staff;
pub use pipeline::*;
pub use staff::*;

#[server(prefix = "/api/fn", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<UserInfo, AppError> {
    let backend = backend()?;
    let session = backend.login(&email, &password, &client_addr()).await?;
    Ok(set_session_cookie(&backend, session))
}

/// The client's address, as the HTTP layer gave it to this server function.
#[cfg(feature = "ssr")]
fn client_addr() -> String {
    // Put on the request by the server's edge layer (the server functions' routes are the
    // framework's own, so the address travels with the request, not as a context).
    use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<crate::backend::ClientAddr>().cloned())
        .or_else(use_context::<crate::backend::ClientAddr>)
        .map(|a| a.0)
        .unwrap_or_else(|| "unknown".into())
}

/// Sets the session cookie of a new sign-in on the response, and returns who signed in.
#[cfg(feature = "ssr")]
fn set_session_cookie(backend: &crate::backend::SharedBackend, session: LoginResponse) -> UserInfo {
    let response = expect_context::<leptos_axum::ResponseOptions>();
    let max_age = ((session.expires_ms - now_ms()) / 1000).max(0);
    let cookie = crate::backend::session_cookie(&session.token, max_age, backend.secure_cookies());
    if let Ok(value) = http::HeaderValue::from_str(&cookie) {
        response.append_header(http::header::SET_COOKIE, value);
    }
    set_preference_cookies(&session.preferences);
    session.user
}

/// Sets the cookies that carry the account's language and display settings.
#[cfg(feature = "ssr")]
fn set_preference_cookies(p: &Preferences) {
    let response = expect_context::<leptos_axum::ResponseOptions>();
    for c in crate::backend::preference_cookies(p) {
        if let Ok(value) = http::HeaderValue::from_str(&c) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }
}

/// Renews the session (a new cookie for the same sign-in); returns when it now expires (ms).
#[server(prefix = "/api/fn", endpoint = "refresh")]
pub async fn refresh_session() -> Result<i64, AppError> {
    let backend = backend()?;
    let token = use_context::<http::request::Parts>()
        .and_then(|p| crate::backend::token_from_headers(&p.headers))
        .ok_or_else(AppError::unauthenticated)?;
    let session = backend.refresh(&token).await?;
    let expires = session.expires_ms;
    set_session_cookie(&backend, session);
    Ok(expires)
}

/// The caller changes their password (the current one is checked).
#[server(prefix = "/api/fn", endpoint = "change_password")]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    let (backend, user) = caller()?;
    backend
        .change_password(&user, PasswordChange { current, new }, &client_addr())
        .await
}

/// Staff set a temporary password for an account (shown once).
#[server(prefix = "/api/fn", endpoint = "reset_password")]
pub async fn reset_password(email: String) -> Result<PasswordReset, AppError> {
    let (backend, user) = caller()?;
    backend.reset_password(&user, &email, &client_addr()).await
}

/// An administrator creates an account; the temporary password comes back once.
#[server(prefix = "/api/fn", endpoint = "create_account")]
pub async fn create_account(
    email: String,
    full_name: String,
    role: Role,
) -> Result<PasswordReset, AppError> {
    let (backend, user) = caller()?;
    backend
        .create_account(
            &user,
            NewAccount {
                email,
                full_name,
                role,
            },
            &client_addr(),
        )
        .await
}

/// Keeps the caller's preferences with their account (and in cookies for the pages).
#[server(prefix = "/api/fn", endpoint = "preferences")]
pub async fn save_preferences(
    language: Option<String>,
    text_size: u16,
    high_contrast: bool,
) -> Result<Preferences, AppError> {
    let (backend, user) = caller()?;
    let saved = backend
        .save_preferences(
            &user,
            Preferences {
                language,
                text_size,
                high_contrast,
            },
        )
        .await?;
    set_preference_cookies(&saved);
    Ok(saved)
}

/// Creates an applicant's account and signs it in (sets the session cookie).
#[server(prefix = "/api/fn", endpoint = "register")]
pub async fn register(
    email: String,
    full_name: String,
    iin: String,
    password: String,
) -> Result<UserInfo, AppError> {
    let backend = backend()?;
    let input = RegisterRequest {
        email,
        full_name,
        iin,
        password,
    };
    let session = backend.register(input, &client_addr()).await?;
    Ok(set_session_cookie(&backend, session))
}

#[server(prefix = "/api/fn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    if let Ok((backend, user)) = caller() {
        backend.logout(&user).await?;
    }
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

/// A certificate by its number, for the public verification page (no sign-in): `None` when
/// no certificate has this number.
#[server(prefix = "/api/fn", endpoint = "certificate")]
pub async fn check_certificate(number: String) -> Result<Option<CertificateCheck>, AppError> {
    let backend = backend()?;
    match backend.certificate_check(&number).await {
        Ok(c) => Ok(Some(c)),
        Err(e) if e.code == crate::error::ErrorCode::NotFound => Ok(None),
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

#[server(prefix = "/api/fn", endpoint = "save", input = leptos::server_fn::codec::Json)]
pub async fn save_answer(
    attempt_id: String,
    item_id: String,
    seq: i64,
    answer: Option<question_bank::Answer>,
) -> Result<SaveAck, AppError> {
    let (backend, user) = caller()?;
    let request = SaveRequest {
        seq,
        choice: None,
        answer,
    };
    backend
        .save_response(&user, &attempt_id, &item_id, request)
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

// ---- The question bank ----

#[server(prefix = "/api/fn", endpoint = "bank_list", input = leptos::server_fn::codec::Json)]
pub async fn bank_list(filter: BankFilter) -> Result<BankPage, AppError> {
    let (backend, user) = caller()?;
    backend.bank_list(&user, &filter).await
}

#[server(prefix = "/api/fn", endpoint = "bank_item", input = leptos::server_fn::codec::Json)]
pub async fn bank_item(item_id: String) -> Result<ItemDoc, AppError> {
    let (backend, user) = caller()?;
    backend.bank_item(&user, &item_id).await
}

#[server(prefix = "/api/fn", endpoint = "bank_create", input = leptos::server_fn::codec::Json)]
pub async fn bank_create(input: ItemInput) -> Result<ItemDoc, AppError> {
    let (backend, user) = caller()?;
    backend.bank_create(&user, input).await
}

#[server(prefix = "/api/fn", endpoint = "bank_update", input = leptos::server_fn::codec::Json)]
pub async fn bank_update(input: ItemInput) -> Result<ItemDoc, AppError> {
    let (backend, user) = caller()?;
    let item_id = input.item.id.to_string();
    backend.bank_update(&user, &item_id, input).await
}

#[server(prefix = "/api/fn", endpoint = "bank_step", input = leptos::server_fn::codec::Json)]
pub async fn bank_step(item_id: String, step: ItemStep) -> Result<ItemDoc, AppError> {
    let (backend, user) = caller()?;
    backend.bank_step(&user, &item_id, step).await
}

#[server(prefix = "/api/fn", endpoint = "bank_restore", input = leptos::server_fn::codec::Json)]
pub async fn bank_restore(item_id: String, version: i64) -> Result<ItemDoc, AppError> {
    let (backend, user) = caller()?;
    backend.bank_restore(&user, &item_id, version).await
}

#[server(prefix = "/api/fn", endpoint = "bank_history", input = leptos::server_fn::codec::Json)]
pub async fn bank_history(item_id: String) -> Result<ItemHistory, AppError> {
    let (backend, user) = caller()?;
    backend.bank_history(&user, &item_id).await
}

#[server(prefix = "/api/fn", endpoint = "bank_bulk", input = leptos::server_fn::codec::Json)]
pub async fn bank_bulk(input: BulkInput) -> Result<BulkResult, AppError> {
    let (backend, user) = caller()?;
    backend.bank_bulk(&user, input).await
}

#[server(prefix = "/api/fn", endpoint = "bank_competencies", input = leptos::server_fn::codec::Json)]
pub async fn bank_competencies() -> Result<Vec<CompetencyView>, AppError> {
    let (backend, user) = caller()?;
    backend.bank_competencies(&user).await
}

#[server(prefix = "/api/fn", endpoint = "bank_put_competency", input = leptos::server_fn::codec::Json)]
pub async fn bank_put_competency(competency: CompetencyView) -> Result<CompetencyView, AppError> {
    let (backend, user) = caller()?;
    backend.bank_put_competency(&user, competency).await
}

/// Imports a file through the REST route (it takes up to 32 MiB, more than server functions),
/// with the session cookie. Browser only.
pub async fn bank_import(
    format: String,
    language: String,
    text: String,
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    #[cfg(feature = "hydrate")]
    {
        let url =
            format!("/api/v1/bank/import?format={format}&language={language}&dry_run={dry_run}");
        let body = post_to_api(
            &url,
            &wasm_bindgen::JsValue::from_str(&text),
            "text/plain; charset=utf-8",
        )
        .await?;
        serde_json::from_str(&body)
            .map_err(|e| AppError::new(crate::error::ErrorCode::Internal, e.to_string()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (format, language, text, dry_run);
        Err(AppError::internal())
    }
}

/// Calls a JSON REST route of this site with the session cookie (browser only; on the server
/// it fails, so pages using it load their data once hydrated).
pub async fn rest<T: serde::de::DeserializeOwned>(
    method: &str,
    url: &str,
    body: Option<String>,
) -> Result<T, AppError> {
    #[cfg(feature = "hydrate")]
    {
        let text = fetch_api(
            method,
            url,
            body.map(|b| wasm_bindgen::JsValue::from_str(&b)).as_ref(),
            "application/json",
        )
        .await?;
        serde_json::from_str(&text)
            .map_err(|e| AppError::new(crate::error::ErrorCode::Internal, e.to_string()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (method, url, body);
        Err(AppError::internal())
    }
}

/// POSTs `body` to a REST route of this site with the session cookie (for bodies larger than
/// server functions take) and returns the response text, or the route's error. Browser only.
#[cfg(feature = "hydrate")]
pub async fn post_to_api(
    url: &str,
    body: &wasm_bindgen::JsValue,
    content_type: &str,
) -> Result<String, AppError> {
    fetch_api("POST", url, Some(body), content_type).await
}

#[cfg(feature = "hydrate")]
async fn fetch_api(
    method: &str,
    url: &str,
    body: Option<&wasm_bindgen::JsValue>,
    content_type: &str,
) -> Result<String, AppError> {
    use wasm_bindgen::JsCast;
    let fail = |m: &str| AppError::new(crate::error::ErrorCode::Network, m.to_string());
    let window = web_sys::window().ok_or_else(|| fail("no window"))?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        init.set_body(body);
    }
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let request = web_sys::Request::new_with_str_and_init(url, &init)
        .map_err(|_| fail("the request could not be made"))?;
    let _ = request.headers().set("content-type", content_type);
    let response: web_sys::Response =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| fail("the server could not be reached"))?
            .dyn_into()
            .map_err(|_| fail("no response"))?;
    let text = wasm_bindgen_futures::JsFuture::from(
        response.text().map_err(|_| fail("no response body"))?,
    )
    .await
    .map_err(|_| fail("no response body"))?
    .as_string()
    .unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        Err(serde_json::from_str::<AppError>(&text)
            .unwrap_or_else(|_| fail(&format!("HTTP {}", response.status()))))
    }
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

#[server(prefix = "/api/fn", endpoint = "blueprint_list", input = leptos::server_fn::codec::Json)]
pub async fn blueprint_list() -> Result<Vec<BlueprintSummary>, AppError> {
    let (backend, user) = caller()?;
    backend.blueprint_list(&user).await
}

#[server(prefix = "/api/fn", endpoint = "blueprint_get", input = leptos::server_fn::codec::Json)]
pub async fn blueprint_get(id: String) -> Result<BlueprintDoc, AppError> {
    let (backend, user) = caller()?;
    backend.blueprint_get(&user, &id).await
}

#[server(prefix = "/api/fn", endpoint = "blueprint_save", input = leptos::server_fn::codec::Json)]
pub async fn blueprint_save(blueprint: question_bank::Blueprint) -> Result<BlueprintDoc, AppError> {
    let (backend, user) = caller()?;
    backend.blueprint_save(&user, blueprint).await
}

#[server(prefix = "/api/fn", endpoint = "blueprint_activate", input = leptos::server_fn::codec::Json)]
pub async fn blueprint_activate(id: String, active: bool) -> Result<BlueprintDoc, AppError> {
    let (backend, user) = caller()?;
    backend.blueprint_activate(&user, &id, active).await
}

#[server(prefix = "/api/fn", endpoint = "blueprint_check", input = leptos::server_fn::codec::Json)]
pub async fn blueprint_check(input: CheckInput) -> Result<CheckReport, AppError> {
    let (backend, user) = caller()?;
    backend.blueprint_check(&user, input).await
}

#[server(prefix = "/api/fn", endpoint = "blueprint_rescore", input = leptos::server_fn::codec::Json)]
pub async fn blueprint_rescore(id: String) -> Result<RescoreReport, AppError> {
    let (backend, user) = caller()?;
    backend.blueprint_rescore(&user, &id).await
}

#[server(prefix = "/api/fn", endpoint = "score_changes", input = leptos::server_fn::codec::Json)]
pub async fn score_changes(blueprint_id: Option<String>) -> Result<Vec<ScoreChangeView>, AppError> {
    let (backend, user) = caller()?;
    backend.score_changes(&user, blueprint_id.as_deref()).await
}

#[server(prefix = "/api/fn", endpoint = "correct_key", input = leptos::server_fn::codec::Json)]
pub async fn correct_key(
    item_id: String,
    version: i64,
    input: KeyCorrectionInput,
) -> Result<RescoreReport, AppError> {
    let (backend, user) = caller()?;
    backend.correct_key(&user, &item_id, version, input).await
}

/// How many attempts correcting this item version's key would re-score (asked before the
/// correction, to say so).
#[server(prefix = "/api/fn", endpoint = "correction_reach")]
pub async fn correction_reach(item_id: String, version: i64) -> Result<u32, AppError> {
    let (backend, user) = caller()?;
    backend.correction_reach(&user, &item_id, version).await
}

// The applicant during a sitting

#[server(prefix = "/api/fn", endpoint = "attempt_messages", input = leptos::server_fn::codec::Json)]
pub async fn attempt_messages(attempt_id: String) -> Result<Vec<ChatMessage>, AppError> {
    let (backend, user) = caller()?;
    backend.attempt_messages(&user, &attempt_id).await
}

#[server(prefix = "/api/fn", endpoint = "message_proctors", input = leptos::server_fn::codec::Json)]
pub async fn message_proctors(
    attempt_id: String,
    input: MessageInput,
) -> Result<ChatMessage, AppError> {
    let (backend, user) = caller()?;
    backend.message_proctors(&user, &attempt_id, input).await
}

#[server(prefix = "/api/fn", endpoint = "start_practice", input = leptos::server_fn::codec::Json)]
pub async fn start_practice(language: Option<String>) -> Result<AttemptView, AppError> {
    let (backend, user) = caller()?;
    backend.start_practice(&user, language.as_deref()).await
}

#[server(prefix = "/api/fn", endpoint = "attempt_signals", input = leptos::server_fn::codec::Json)]
pub async fn attempt_signals(
    attempt_id: String,
    input: SignalsInput,
) -> Result<SignalsAck, AppError> {
    let (backend, user) = caller()?;
    backend
        .signals(&user, &attempt_id, input, &client_addr())
        .await
}
