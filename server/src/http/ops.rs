//! Operations: Prometheus metrics (`/metrics`), liveness (`/healthz`) and readiness
//! (`/readyz`), and the middleware that counts and times every request by its route.

use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Counts and times every request by its route pattern (`/api/v1/attempts/{id}`, not the
/// concrete path, so the label set stays small).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| {
            if req.uri().path().starts_with("/pkg/") {
                "/pkg".into()
            } else {
                "other".into()
            }
        });
    let method = req.method().as_str().to_string();
    let m = &state.services.metrics;
    m.in_flight.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let response = next.run(req).await;
    m.in_flight.fetch_sub(1, Ordering::Relaxed);
    m.observe(
        &route,
        &method,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let services = &state.services;
    let (open, idle, max) = services.store().pool_stats();
    let active = services
        .store()
        .attempt_counts()
        .await
        .map(|c| c.in_progress as f64)
        .unwrap_or(-1.0);
    let gauges = [
        (
            "qabilet_active_attempts",
            "Attempts in progress (all instances).",
            active,
        ),
        (
            "qabilet_db_pool_connections",
            "Open database connections of this instance.",
            f64::from(open),
        ),
        (
            "qabilet_db_pool_idle",
            "Idle database connections of this instance.",
            f64::from(idle),
        ),
        ("qabilet_db_pool_max", "The pool's maximum.", f64::from(max)),
    ];
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        services.metrics.render(&gauges),
    )
        .into_response()
}

/// `GET /healthz`: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: the database answers and the server is not shutting down.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if *state.services.shutdown.borrow() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response();
    }
    match state.services.store().attempt_counts().await {
        Ok(_) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
