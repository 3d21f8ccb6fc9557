//! Middleware of the HTTP edge: the authorization table enforced before any handler.

use crate::authz::{Allow, MATRIX, Verified, lookup};
use crate::state::AppState;
use app::error::{AppError, ErrorCode};
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Middleware on `/api/v1` and `/api/fn`: refuses a caller the matrix does not admit (401
/// when not signed in, 403 for the wrong role) before the handler reads the body. The
/// verified caller is kept in the request's extensions for the handler.
pub async fn enforce(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let key: &str = if path.starts_with("/api/fn/") {
        path
    } else if path.starts_with("/api/v1/") || path == "/api/v1" {
        match req.extensions().get::<MatchedPath>() {
            Some(m) => m.as_str(),
            // Not a route at all: the API's own 404 answers.
            None => return next.run(req).await,
        }
    } else {
        return next.run(req).await;
    };
    let method = req.method().as_str();
    let Some(entry) = lookup(method, key) else {
        // The router's own answers: 404 for no such route (the API's fallback), 405 for a
        // method the route does not have.
        if key.contains("{*") || MATRIX.iter().any(|e| e.path == key) {
            return next.run(req).await;
        }
        tracing::warn!(%method, path = %key, "refused a route missing from the authorization table");
        return deny(AppError::new(
            ErrorCode::Forbidden,
            "This route is not in the authorization table, so nobody may call it.",
        ));
    };
    if matches!(entry.allow, Allow::Anyone) {
        return next.run(req).await;
    }
    let user = match app::backend::token_from_headers(req.headers()) {
        None => return deny(AppError::unauthenticated()),
        Some(token) => match state.services.authenticate(&token) {
            Ok(u) => u,
            Err(e) => return deny(e),
        },
    };
    if !entry.allow.admits(Some(&user)) {
        return deny(AppError::new(
            ErrorCode::Forbidden,
            format!("Your role ({}) may not do this.", user.role.as_str()),
        ));
    }
    req.extensions_mut().insert(Verified(user));
    next.run(req).await
}

fn deny(e: AppError) -> Response {
    crate::api::ApiError(e).into_response()
}
