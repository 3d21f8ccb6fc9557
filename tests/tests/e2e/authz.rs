//! The authorization matrix, tested from itself: `qabilet routes` prints the table the server
//! enforces; every row is called as every role and as nobody, and must be allowed or refused
//! as the row says. The OpenAPI document and the table must name the same routes. Ownership
//! rules (one applicant against another's attempt and application) are checked with real
//! resources.

use qabilet_tests::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

/// A value for each path parameter: shaped right, naming nothing that exists.
fn fill(path: &str) -> String {
    path.replace("{id}", "00000000-0000-4000-8000-000000000000")
        .replace("{item_id}", "no-such-item")
        .replace("{user_id}", "00000000-0000-4000-8000-000000000001")
        .replace("{email}", "nobody@nowhere.kz")
        .replace("{version}", "1")
        .replace("{stage}", "2")
        .replace("{panel}", "expert")
        .replace("{code}", "R-0000")
        .replace("{number}", "LM-2026-0000-000A")
        .replace("{sha256}", &"0".repeat(64))
}

fn admits(allow: &Value, role: Option<&str>) -> bool {
    match allow["kind"].as_str() {
        Some("anyone") => true,
        Some("signed_in") => role.is_some(),
        Some("roles") => role.is_some_and(|r| {
            allow["roles"]
                .as_array()
                .is_some_and(|rs| rs.iter().any(|x| x == r))
        }),
        _ => false,
    }
}

#[tokio::test]
async fn authorization_matrix() -> anyhow::Result<()> {
    // The table, from the binary that enforces it.
    let out = std::process::Command::new(server_binary())
        .arg("routes")
        .output()?;
    anyhow::ensure!(out.status.success(), "qabilet routes failed");
    let matrix: Vec<Value> = serde_json::from_slice(&out.stdout)?;
    assert!(matrix.len() > 100, "{} rows", matrix.len());

    let server = TestServer::start(Db::from_env()).await?;

    // The OpenAPI document and the table name the same REST routes.
    let doc = Api::new(&server.base)
        .get("/api/v1/openapi.json")
        .await?
        .body;
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in ["get", "post", "put", "delete"] {
            if item.get(method).is_some() {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let tabled: BTreeSet<(String, String)> = matrix
        .iter()
        .filter(|e| {
            e["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/api/v1/") && p != "/api/v1/openapi.json")
        })
        .map(|e| {
            (
                e["method"].as_str().unwrap_or_default().to_string(),
                e["path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let undocumented: Vec<_> = tabled.difference(&documented).collect();
    let untabled: Vec<_> = documented.difference(&tabled).collect();
    assert!(
        undocumented.is_empty(),
        "not in the OpenAPI document: {undocumented:?}"
    );
    assert!(
        untabled.is_empty(),
        "not in the authorization table: {untabled:?}"
    );

    type Caller<'a> = (Option<&'a str>, Option<(&'a str, &'a str)>);
    let callers: Vec<Caller<'_>> = vec![
        (None, None),
        (Some("applicant"), Some(APPLICANT)),
        (Some("proctor"), Some(PROCTOR)),
        (Some("methodologist"), Some(METHODOLOGIST)),
        (Some("admin"), Some(ADMIN)),
        (Some("expert"), Some(EXPERT)),
        (Some("commission"), Some(COMMISSION)),
    ];
    let mut tokens = Vec::new();
    for (role, account) in &callers {
        let token = match account {
            Some((e, p)) => Api::login(&server.base, e, p).await?.token,
            None => None,
        };
        tokens.push((*role, *account, token));
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()?;

    let mut wrong = Vec::new();
    let mut calls = 0;
    for entry in &matrix {
        let method = entry["method"].as_str().unwrap_or_default();
        let pattern = entry["path"].as_str().unwrap_or_default();
        let url = server.url(&fill(pattern));
        for (role, account, token) in &tokens {
            // Signing out would end the shared session: use a session of its own.
            let token = if pattern.ends_with("/logout") {
                match account {
                    Some((e, p)) => Api::login(&server.base, e, p).await?.token,
                    None => None,
                }
            } else {
                token.clone()
            };
            let mut req = match method {
                "GET" => http.get(&url),
                "PUT" => http.put(&url),
                "DELETE" => http.delete(&url),
                _ => http.post(&url),
            };
            if pattern.starts_with("/api/fn/") {
                req = req
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body("");
            } else if method != "GET" {
                req = req.json(&json!({}));
            }
            if let Some(t) = &token {
                req = req.bearer_auth(t);
            }
            let res = req.send().await?;
            calls += 1;
            let status = res.status().as_u16();
            // Read the body only of refusals (an allowed stream would not end).
            let code = if matches!(status, 401 | 403) {
                let body: Value = res.json().await.unwrap_or(Value::Null);
                body["code"].as_str().unwrap_or_default().to_string()
            } else {
                drop(res);
                String::new()
            };
            let allowed = admits(&entry["allow"], *role);
            let who = role.unwrap_or("nobody");
            let ok = if allowed {
                !matches!(status, 401 | 403)
            } else if role.is_none() {
                status == 401 && code == "unauthenticated"
            } else {
                status == 403 && code == "forbidden"
            };
            if !ok {
                wrong.push(format!(
                    "{method} {pattern} as {who}: {status} {code} (table: {})",
                    if allowed { "allowed" } else { "refused" }
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {calls} calls disagree with the table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(calls, matrix.len() * callers.len());
    Ok(())
}

/// Routes the table leaves out are refused to everybody (a new route must be tabled first);
/// unknown routes still answer 404 and wrong methods 405.
#[tokio::test]
async fn routes_outside_the_table_answer_as_the_router_says() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    assert_eq!(admin.get("/api/v1/no-such-route").await?.status, 404);
    let r = admin
        .http
        .delete(server.url("/api/v1/me"))
        .bearer_auth(admin.token.clone().unwrap_or_default())
        .send()
        .await?;
    assert_eq!(r.status().as_u16(), 405);
    let r = admin
        .http
        .post(server.url("/api/fn/no_such_function"))
        .bearer_auth(admin.token.clone().unwrap_or_default())
        .send()
        .await?;
    assert_eq!(
        r.status().as_u16(),
        403,
        "an untabled server function is refused"
    );
    Ok(())
}

/// Ownership: an applicant reaches neither another applicant's attempt nor their application.
#[tokio::test]
async fn one_applicant_cannot_reach_anothers_attempt_or_application() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let a = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let b = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let started = a
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(started.status, 200, "{}", started.text);
    let id = started.body["id"].as_str().unwrap_or_default().to_string();
    let item = item_ids(&started.body).first().cloned().unwrap_or_default();

    let refused = |r: &Reply| matches!(r.status, 403 | 404);
    let tries = [
        b.get(&format!("/api/v1/attempts/{id}")).await?,
        b.put(
            &format!("/api/v1/attempts/{id}/responses/{item}"),
            &json!({"seq": 1, "choice": 0}),
        )
        .await?,
        b.post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
            .await?,
        b.get(&format!("/api/v1/attempts/{id}/result")).await?,
        b.post(
            &format!("/api/v1/attempts/{id}/signals"),
            &json!({"events": ["tab_hidden"]}),
        )
        .await?,
        b.get(&format!("/api/v1/attempts/{id}/live")).await?,
    ];
    for (n, r) in tries.iter().enumerate() {
        assert!(refused(r), "try {n}: {} {}", r.status, r.text);
    }
    // Nothing changed for A: the attempt is in progress with no answer.
    let mine = a.get(&format!("/api/v1/attempts/{id}")).await?;
    assert_eq!(mine.body["status"], "in_progress", "{}", mine.text);
    assert!(
        mine.body["responses"]
            .as_array()
            .is_none_or(|r| r.is_empty()),
        "{}",
        mine.text
    );

    // Applications: A applies to the open campaign; B can neither read it nor act on it.
    let campaigns = a.get("/api/v1/campaigns").await?;
    let campaign = campaigns.body[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let applied = a
        .post(
            &format!("/api/v1/campaigns/{campaign}/applications"),
            &json!({
                "campaign_id": campaign, "full_name": "Айгерим Сапарова",
                "iin": valid_iin("850314", 4, 1), "region": "astana", "district": "Esil",
                "school": "School-lyceum No. 12", "position": "deputy director",
                "teaching_years": 12, "management_years": 4, "email": APPLICANT.0,
                "phone": "+7 701 555 12 34"
            }),
        )
        .await?;
    assert_eq!(applied.status, 200, "{}", applied.text);
    let app = applied.body["id"].as_str().unwrap_or_default().to_string();
    for r in [
        b.get(&format!("/api/v1/applications/{app}")).await?,
        b.post(
            &format!("/api/v1/applications/{app}/report"),
            &json!({"text": "x".repeat(600)}),
        )
        .await?,
        b.post(
            &format!("/api/v1/applications/{app}/appeals"),
            &json!({"stage": 1, "reason": "Not mine"}),
        )
        .await?,
    ] {
        assert!(refused(&r), "{} {}", r.status, r.text);
    }
    let own = a.get(&format!("/api/v1/applications/{app}")).await?;
    assert_eq!(own.status, 200, "{}", own.text);
    Ok(())
}
