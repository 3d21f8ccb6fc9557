//! Middleware of the HTTP edge: the authorization table enforced before any handler, the
//! same-origin rule for changes, the camera's permission policy, and the server functions'
//! edge (client address, refusals' status codes).

use super::BODY_LIMIT;
use crate::authz::{Allow, MATRIX, Verified, lookup};
use crate::state::AppState;
use app::error::{AppError, ErrorCode};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
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

/// The camera is allowed (for this site only) on the pages that need it: the applicant's start
/// page (the dashboard, where a remote sitting's picture is taken before the start), the test
/// (snapshots) and the system check. Everywhere else the Permissions-Policy denies it. The
/// pages there are loaded in full (`go`), so the policy of the page's own address is the one
/// in force.
pub(super) async fn camera_policy(
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let camera = {
        let p = req.uri().path();
        p == "/check" || p == "/dashboard" || p.starts_with("/test/")
    };
    let mut res = next.run(req).await;
    if camera {
        res.headers_mut().insert(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(
                "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
            ),
        );
    }
    res
}

/// State changes authenticated by the session cookie must come from this site: the `Origin`
/// (or, failing that, the `Referer`) must name the host the request was sent to. The cookie is
/// also `SameSite=Strict`; this is the second lock. Requests with a bearer token (which a
/// foreign page cannot attach) and requests without the cookie pass.
pub(super) async fn same_origin(
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::Method;
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let h = req.headers();
    let bearer = h.contains_key(header::AUTHORIZATION);
    let cookie = h
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains(app::backend::SESSION_COOKIE));
    if safe || bearer || !cookie {
        return next.run(req).await;
    }
    let host = h
        .get("x-forwarded-host")
        .or_else(|| h.get(header::HOST))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let from = h
        .get(header::ORIGIN)
        .or_else(|| h.get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once("://").map(|(_, rest)| rest))
        .map(|rest| rest.split('/').next().unwrap_or(""))
        .unwrap_or("");
    if !host.is_empty() && from.eq_ignore_ascii_case(host) {
        return next.run(req).await;
    }
    tracing::warn!(host, from, path = %req.uri().path(), "refused a cross-site request");
    crate::api::ApiError(app::error::AppError::new(
        app::error::ErrorCode::Forbidden,
        "This request did not come from this site's pages, so it was refused.",
    ))
    .into_response()
}

/// The edge of every server function: the client's address travels on the request (the
/// functions' routes are registered by the framework, so no handler of ours runs before them),
/// and a refusal goes out with its own status.
pub(super) async fn server_fn_edge(
    mut req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if !req.uri().path().starts_with("/api/fn/") {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    req.extensions_mut().insert(app::backend::ClientAddr(ip));
    refusal_status(next.run(req).await).await
}

/// A server function's error goes out as 500 whatever it was; a refusal (a wrong IIN, a
/// superseded save, a role that may not) is not a server fault. The error's own code gives the
/// status, as the REST API sends it, so logs and monitoring see 4xx for refusals and 5xx for
/// faults only.
pub(super) async fn refusal_status(res: axum::response::Response) -> axum::response::Response {
    if res.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // Errors are small JSON documents; anything larger is passed on as it is.
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(app::error::AppError::internal()),
        )
            .into_response();
    };
    if let Ok(e) = serde_json::from_slice::<app::error::AppError>(&bytes)
        && let Ok(status) = axum::http::StatusCode::from_u16(e.code.http_status())
    {
        parts.status = status;
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}
