//! REST API v1: JSON for integrations and load tests. Every handler is a thin shim over
//! [`Backend`], the same service the server functions call. Errors are `{code, message}`.

use crate::services::Services;
use crate::state::AppState;
use app::backend::{clear_session_cookie, session_cookie, token_from_headers};
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

mod attempts;
mod auth;
mod bank;
mod blueprints;
mod error;
mod extract;
mod feed;
mod pipeline;
mod psychometrics;
mod sittings;

use attempts::*;
use auth::*;
use bank::*;
use blueprints::*;
pub use error::*;
pub use extract::*;
use feed::*;
use sittings::*;

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
