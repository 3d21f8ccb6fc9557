//! The HTTP edge in process: the router on the harness's services, requests sent with
//! `tower::ServiceExt::oneshot` (no port, no binary).

use super::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

async fn send(h: &Harness, req: Request<Body>) -> (StatusCode, String) {
    let mut req = req;
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            40000,
        ))));
    let response = h.router().oneshot(req).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 4 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn json(method: &str, uri: &str, token: Option<&str>, body: &serde_json::Value) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::HOST, "qabilet.test");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn the_api_signs_in_and_refuses_what_the_authorization_table_refuses() {
    let h = harness().await;
    let (status, body) = send(
        &h,
        json(
            "POST",
            "/api/v1/auth/login",
            None,
            &serde_json::json!({"email": "applicant@demo.kz", "password": "demo-applicant"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = send(
        &h,
        json("GET", "/api/v1/me", Some(&token), &serde_json::json!(null)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("applicant@demo.kz"));
    // An applicant is refused the bank, by the table, before any handler runs.
    let (status, _) = send(
        &h,
        json(
            "GET",
            "/api/v1/bank/items",
            Some(&token),
            &serde_json::json!(null),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nobody is refused everything but the public routes.
    let (status, _) = send(
        &h,
        json("GET", "/api/v1/me", None, &serde_json::json!(null)),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn pages_render_on_the_server_in_process() {
    let h = harness().await;
    let req = Request::builder()
        .uri("/verify")
        .header(header::HOST, "qabilet.test")
        .header(header::ACCEPT_LANGUAGE, "kk")
        .body(Body::empty())
        .unwrap();
    let (status, html) = send(&h, req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html"), "{html}");
    assert!(
        html.contains("lang=\"kk\""),
        "the reader's language: {html}"
    );
    let (status, _) = send(
        &h,
        Request::builder()
            .uri("/healthz")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
