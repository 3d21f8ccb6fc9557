//! The HTTP router: pages (server-rendered Leptos), server functions, the REST API, and the
//! static site bundle.

use crate::api;
use crate::state::AppState;

mod middleware;
mod ops;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::post;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use std::path::Path;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Requests whose response has not started after this are answered 408 (server-sent event
/// streams start at once and are not cut).
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The Content-Security-Policy of every response.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
     font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
     frame-ancestors 'none'";

/// Request bodies larger than this are refused with 413 before they are read.
pub const BODY_LIMIT: usize = 64 * 1024;

async fn server_fn_handler(State(state): State<AppState>, req: Request) -> impl IntoResponse {
    let backend = state.backend();
    let ip = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    // Reached only by names that are no server function (the framework routes the real
    // ones itself); it answers as the framework does.
    handle_server_fns_with_context(
        move || {
            provide_context(backend.clone());
            provide_context(app::backend::ClientAddr(ip.clone()));
        },
        req,
    )
    .await
}

/// The page table (`app::nav::PAGES`: the menu, the crawler test) names exactly the routes
/// the app's router has.
pub fn check_page_table() -> anyhow::Result<()> {
    // Listing the routes renders the app once, which starts its resources: they need the
    // executor (already there when serving; a no-op then).
    let _ = any_spawner::Executor::init_tokio();
    let routes: std::collections::BTreeSet<String> = generate_route_list(app::App)
        .iter()
        .map(|r| r.path().to_string())
        .map(|p| if p.is_empty() { "/".to_string() } else { p })
        .collect();
    let table: std::collections::BTreeSet<String> =
        app::nav::PAGES.iter().map(|p| p.path.to_string()).collect();
    let missing: Vec<_> = routes.difference(&table).collect();
    let extra: Vec<_> = table.difference(&routes).collect();
    anyhow::ensure!(
        missing.is_empty() && extra.is_empty(),
        "the page table (app/src/nav.rs) differs from the router: routes without a row {missing:?}, rows without a route {extra:?}"
    );
    Ok(())
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let site_root = state.leptos_options.site_root.to_string();
    let pkg = Path::new(&site_root).join(state.leptos_options.site_pkg_dir.as_ref());
    let backend = state.backend();
    let options = state.leptos_options.clone();
    let static_files = Router::new()
        .nest_service(
            "/pkg",
            ServeDir::new(pkg).precompressed_br().precompressed_gzip(),
        )
        .route_service(
            "/favicon.svg",
            ServeFile::new(Path::new(&site_root).join("favicon.svg")),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ));
    let ops_state = state.clone();
    Router::new()
        .route("/healthz", axum::routing::get(ops::healthz))
        .route("/readyz", axum::routing::get(ops::readyz))
        .route("/metrics", axum::routing::get(ops::metrics))
        .route("/api/fn/{*fn_name}", post(server_fn_handler))
        .nest("/api/v1", api::router())
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(backend.clone()),
            move || app::shell(options.clone()),
        )
        .merge(static_files)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(axum::middleware::from_fn(middleware::server_fn_edge))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Who may call what: the authorization matrix, before any handler reads the body.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::enforce,
        ))
        .layer(axum::middleware::from_fn(middleware::same_origin))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(axum::middleware::from_fn_with_state(
            ops_state,
            ops::track,
        ))
        // Every request gets an id (or keeps the one it came with): in the response header
        // and in the span of everything logged while handling it.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
                })
                .on_request(())
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::DEBUG),
                )
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        // Scripts, styles, images and connections from this site only (the hydration script
        // is inline, and the wasm module needs `wasm-unsafe-eval`); no framing, no plugins,
        // forms post here only.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(axum::middleware::from_fn(middleware::camera_policy))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_page_table_names_every_route_and_no_other() -> anyhow::Result<()> {
        super::check_page_table()
    }
}
