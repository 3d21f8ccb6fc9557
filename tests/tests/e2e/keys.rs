//! No answer key, and nothing that gives one away, reaches an applicant: not in the HTML
//! pages, not in any API or server-function response, not in the wasm bundle.

use qabilet_tests::*;
use serde_json::{Value, json};
use sqlx::Row;

#[tokio::test]
async fn no_answer_key_reaches_an_applicant() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;

    // Ground truth: what must never be sent.
    let mut secrets: Vec<String> = Vec::new();
    let mut c = server.sql().await?;
    for row in sqlx::query("SELECT answer_key, rationale FROM item_versions")
        .fetch_all(&mut c)
        .await?
    {
        secrets.push(row.try_get::<String, _>(0)?);
        let rationale: Value = serde_json::from_str(&row.try_get::<String, _>(1)?)?;
        for text in rationale.as_object().into_iter().flat_map(|m| m.values()) {
            secrets.push(text.as_str().unwrap_or_default().to_string());
        }
    }
    assert!(
        secrets.len() >= 120,
        "the bank has keys and rationales to look for"
    );
    // (Item kinds such as `single_choice` are sent on purpose: the page needs them.)
    let field_names = ["answer_key", "rationale", "option_order", "match_order"];

    let mut bodies: Vec<(String, String)> = Vec::new();
    let api = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let token = api.token.clone().unwrap_or_default();
    bodies.push((
        "login".into(),
        serde_json::to_string(&api.get("/api/v1/me").await?.body)?,
    ));
    bodies.push(("dashboard".into(), api.get("/api/v1/dashboard").await?.text));
    let start = api
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    bodies.push(("start".into(), start.text.clone()));
    let id = start.body["id"].as_str().unwrap_or_default().to_string();
    let items = start.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 30);

    // Each item carries exactly what a candidate needs, nothing more.
    for it in &items {
        let mut keys: Vec<&str> = it
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "competency",
                "competency_name",
                "images",
                "item_id",
                "kind",
                "matches",
                "number",
                "options",
                "stem"
            ]
        );
    }
    let item = items[0]["item_id"].as_str().unwrap_or_default();
    bodies.push((
        "save".into(),
        api.put(
            &format!("/api/v1/attempts/{id}/responses/{item}"),
            &json!({"seq": 1, "choice": 0}),
        )
        .await?
        .text,
    ));
    bodies.push((
        "attempt".into(),
        api.get(&format!("/api/v1/attempts/{id}")).await?.text,
    ));

    let http = reqwest::Client::new();
    let cookie = format!("qabilet_session={token}");
    let page = |path: String| {
        let http = http.clone();
        let cookie = cookie.clone();
        let url = server.url(&path);
        async move {
            http.get(url)
                .header("cookie", cookie)
                .send()
                .await?
                .text()
                .await
        }
    };
    bodies.push(("/login page".into(), page("/login".into()).await?));
    bodies.push(("/dashboard page".into(), page("/dashboard".into()).await?));
    let test_page = page(format!("/test/{id}")).await?;
    assert!(
        test_page.contains(items[0]["stem"].as_str().unwrap_or("?")),
        "the test page renders the items"
    );
    bodies.push(("/test page".into(), test_page));
    // As the page calls it: with the cookie, from the site's own origin.
    let server_fn = http
        .post(server.url("/api/fn/attempt"))
        .header("cookie", &cookie)
        .header("origin", &server.base)
        .form(&[("attempt_id", id.as_str())])
        .send()
        .await?
        .text()
        .await?;
    assert!(
        server_fn.contains(&id),
        "the server function answered: {server_fn}"
    );
    bodies.push(("server fn attempt".into(), server_fn));
    bodies.push((
        "submit".into(),
        api.post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
            .await?
            .text,
    ));
    bodies.push(("/result page".into(), page(format!("/result/{id}")).await?));

    // The bundle every visitor downloads.
    for asset in ["/pkg/qabilet_bg.wasm", "/pkg/qabilet.js"] {
        let res = http.get(server.url(asset)).send().await?;
        assert_eq!(
            res.status().as_u16(),
            200,
            "{asset} is served (build the site first)"
        );
        let bytes = res.bytes().await?;
        assert!(bytes.len() > 1000, "{asset} is not empty");
        bodies.push((asset.into(), String::from_utf8_lossy(&bytes).into_owned()));
    }

    for (name, body) in &bodies {
        for s in &secrets {
            assert!(
                !body.contains(s.as_str()),
                "{name} contains the secret {s:?}"
            );
        }
        if !name.starts_with("/pkg") {
            for f in field_names {
                assert!(!body.contains(f), "{name} contains {f}");
            }
        }
    }
    Ok(())
}
