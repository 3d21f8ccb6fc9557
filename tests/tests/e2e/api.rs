//! The applicant's whole path through the REST API, and the refusals around it.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use qabilet_tests::*;
use serde_json::{Value, json};

async fn start(api: &Api) -> anyhow::Result<Value> {
    let r = api
        .post("/api/v1/attempts", &json!({"language": "en"}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    Ok(r.body)
}

fn items(attempt: &Value) -> Vec<Value> {
    attempt["items"].as_array().cloned().unwrap_or_default()
}

async fn whole_path(db: Db) -> anyhow::Result<()> {
    let server = TestServer::start(db).await?;
    let api = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;

    // Who am I; the dashboard offers the test and five pending stages.
    let me = api.get("/api/v1/me").await?;
    assert_eq!(me.body["role"], "applicant");
    let dash = api.get("/api/v1/dashboard").await?;
    assert_eq!(dash.status, 200);
    assert_eq!(dash.body["test"]["item_count"], 30);
    assert!(dash.body["test"]["attempt"].is_null());
    assert_eq!(dash.body["stages"].as_array().map(Vec::len), Some(5));

    // Start: 30 items, 5 per competency, texts in English, no answers, a 40-minute deadline.
    let attempt = start(&api).await?;
    let id = attempt["id"].as_str().unwrap_or_default().to_string();
    let list = items(&attempt);
    assert_eq!(list.len(), 30);
    let mut per = std::collections::HashMap::new();
    for it in &list {
        *per.entry(it["competency"].as_str().unwrap_or_default().to_string())
            .or_insert(0) += 1;
        assert_eq!(it["options"].as_array().map(Vec::len), Some(4));
    }
    assert_eq!(per.len(), 6);
    assert!(per.values().all(|&n| n == 5), "{per:?}");
    assert_eq!(attempt["language"], "en");
    let limit =
        attempt["deadline_ms"].as_i64().unwrap_or(0) - attempt["started_ms"].as_i64().unwrap_or(0);
    assert_eq!(limit, 40 * 60_000);
    let skew = attempt["server_now_ms"].as_i64().unwrap_or(0)
        - attempt["started_ms"].as_i64().unwrap_or(0);
    assert!((0..10_000).contains(&skew));

    // Starting again resumes the same attempt with the same form.
    let again = start(&api).await?;
    assert_eq!(again["id"], attempt["id"]);
    assert_eq!(items(&again), list);

    // Answer every item correctly (ground truth from the database), one save each.
    let correct = server.correct_positions(&id).await?;
    for (seq, it) in list.iter().enumerate() {
        let item = it["item_id"].as_str().unwrap_or_default();
        let choice = correct[item];
        let r = api
            .put(
                &format!("/api/v1/attempts/{id}/responses/{item}"),
                &json!({"seq": seq as i64 + 1, "choice": choice}),
            )
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["applied"], true);
    }
    // The attempt now shows every answer, as saved.
    let view = api.get(&format!("/api/v1/attempts/{id}")).await?;
    assert_eq!(view.body["answers"].as_array().map(Vec::len), Some(30));
    assert_eq!(view.body["last_seq"], 30);

    // The result is not there before submitting.
    let early = api.get(&format!("/api/v1/attempts/{id}/result")).await?;
    assert_eq!(early.status, 409);

    let result = api
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await?;
    assert_eq!(result.status, 200, "{}", result.text);
    assert_eq!(result.body["percent"], 100.0);
    assert_eq!(result.body["correct"], 30);
    assert_eq!(result.body["passed"], true);
    assert_eq!(
        result.body["by_competency"].as_array().map(Vec::len),
        Some(6)
    );
    let again = api.get(&format!("/api/v1/attempts/{id}/result")).await?;
    assert_eq!(again.body, result.body);

    // Saving after submit is refused and changes nothing.
    let first = list[0]["item_id"].as_str().unwrap_or_default();
    let late = api
        .put(
            &format!("/api/v1/attempts/{id}/responses/{first}"),
            &json!({"seq": 99, "choice": (correct[first] + 1) % 4}),
        )
        .await?;
    assert_eq!(late.status, 409, "{}", late.text);
    assert_eq!(late.body["code"], "attempt_closed");
    let after = api.get(&format!("/api/v1/attempts/{id}/result")).await?;
    assert_eq!(after.body["percent"], 100.0);

    // Passing moved the candidate to stage 2.
    let dash = api.get("/api/v1/dashboard").await?;
    assert_eq!(dash.body["stages"][0]["status"], "passed");
    assert_eq!(dash.body["stages"][1]["status"], "pending");
    assert_eq!(dash.body["test"]["attempt"]["status"], "submitted");

    // A second applicant who answers everything wrong fails; half right is below 70%.
    let api2 = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let a2 = start(&api2).await?;
    let id2 = a2["id"].as_str().unwrap_or_default().to_string();
    let correct2 = server.correct_positions(&id2).await?;
    for (n, it) in items(&a2).iter().enumerate() {
        let item = it["item_id"].as_str().unwrap_or_default();
        let choice = if n % 2 == 0 {
            correct2[item]
        } else {
            (correct2[item] + 1) % 4
        };
        let r = api2
            .put(
                &format!("/api/v1/attempts/{id2}/responses/{item}"),
                &json!({"seq": n + 1, "choice": choice}),
            )
            .await?;
        assert_eq!(r.status, 200);
    }
    // Saving to another applicant's attempt is refused, and changes nothing.
    let foreign = api
        .put(
            &format!(
                "/api/v1/attempts/{id2}/responses/{}",
                items(&a2)[0]["item_id"].as_str().unwrap_or_default()
            ),
            &json!({"seq": 1000, "choice": 0}),
        )
        .await?;
    assert_eq!(foreign.status, 403, "{}", foreign.text);
    assert_eq!(foreign.body["code"], "forbidden");
    let peek = api.get(&format!("/api/v1/attempts/{id2}")).await?;
    assert_eq!(
        peek.status, 403,
        "an applicant cannot read another's attempt"
    );
    let r2 = api2
        .post(&format!("/api/v1/attempts/{id2}/submit"), &json!({}))
        .await?;
    assert_eq!(r2.body["percent"], 50.0);
    assert_eq!(r2.body["passed"], false);
    let dash2 = api2.get("/api/v1/dashboard").await?;
    assert_eq!(dash2.body["stages"][0]["status"], "failed");
    Ok(())
}

#[tokio::test]
async fn an_applicant_walks_the_whole_path_on_sqlite() -> anyhow::Result<()> {
    whole_path(Db::Sqlite).await
}

#[tokio::test]
async fn an_applicant_walks_the_whole_path_on_postgres() -> anyhow::Result<()> {
    whole_path(Db::Postgres).await
}

fn forge(secret: &[u8], exp: i64, role: &str) -> String {
    let claims = json!({
        "sub": "someone", "email": "x@y.kz", "name": "X", "role": role,
        "iat": exp - 3600, "exp": exp, "iss": "qabilet", "aud": "qabilet-web"
    });
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap_or_default()
}

async fn bad_tokens_and_bad_input(db: Db) -> anyhow::Result<()> {
    let server = TestServer::start(db).await?;
    let mut api = Api::login(&server.base, APPLICANT3.0, APPLICANT3.1).await?;
    let good = api.token.clone().unwrap_or_default();

    // No token, a tampered token, an expired token, a token signed with another key.
    let anon = Api::new(&server.base);
    assert_eq!(anon.get("/api/v1/me").await?.status, 401);
    assert_eq!(
        anon.post("/api/v1/attempts", &json!({})).await?.body["code"],
        "unauthenticated"
    );
    let mut parts: Vec<String> = good.split('.').map(str::to_string).collect();
    parts[1] = parts[1].chars().rev().collect();
    api.token = Some(parts.join("."));
    assert_eq!(api.get("/api/v1/me").await?.status, 401, "tampered");
    let secret = std::fs::read_to_string(server.secret_path())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    api.token = Some(forge(secret.trim().as_bytes(), now - 120, "applicant"));
    assert_eq!(api.get("/api/v1/me").await?.status, 401, "expired");
    api.token = Some(forge(
        b"another-secret-another-secret-another",
        now + 3600,
        "admin",
    ));
    assert_eq!(api.get("/api/v1/me").await?.status, 401, "foreign key");
    // `alg: none` (no signature), another algorithm with the right secret, another issuer or
    // audience: all refused.
    let b64 = |v: &Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let claims = json!({
        "sub": "someone", "email": "x@y.kz", "name": "X", "role": "admin",
        "iat": now, "exp": now + 3600, "iss": "qabilet", "aud": "qabilet-web"
    });
    for alg in ["none", "None", "NONE"] {
        api.token = Some(format!(
            "{}.{}.",
            b64(&json!({"alg": alg, "typ": "JWT"})),
            b64(&claims)
        ));
        assert_eq!(api.get("/api/v1/me").await?.status, 401, "alg {alg}");
    }
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        api.token = Some(
            jsonwebtoken::encode(
                &Header::new(alg),
                &claims,
                &EncodingKey::from_secret(secret.trim().as_bytes()),
            )
            .unwrap_or_default(),
        );
        assert_eq!(api.get("/api/v1/me").await?.status, 401, "{alg:?}");
    }
    for (field, value) in [("iss", "someone-else"), ("aud", "another-app")] {
        let mut c = claims.clone();
        c[field] = json!(value);
        api.token = Some(
            jsonwebtoken::encode(
                &Header::new(Algorithm::HS256),
                &c,
                &EncodingKey::from_secret(secret.trim().as_bytes()),
            )
            .unwrap_or_default(),
        );
        assert_eq!(api.get("/api/v1/me").await?.status, 401, "wrong {field}");
    }
    // The real secret with a valid expiry is accepted: the refusals above are about the token.
    api.token = Some(forge(secret.trim().as_bytes(), now + 3600, "applicant"));
    assert_eq!(api.get("/api/v1/me").await?.status, 200);
    api.token = Some(good);

    // Wrong password.
    let wrong = Api::new(&server.base)
        .post(
            "/api/v1/auth/login",
            &json!({"email": APPLICANT3.0, "password": "not-the-password"}),
        )
        .await?;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.body["code"], "unauthenticated");

    // Staff cannot start a test.
    let m = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let r = m.post("/api/v1/attempts", &json!({})).await?;
    assert_eq!(r.status, 403);

    let attempt = api
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?
        .body;
    let id = attempt["id"].as_str().unwrap_or_default().to_string();
    let item = attempt["items"][0]["item_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let path = format!("/api/v1/attempts/{id}/responses/{item}");

    // Bad input: each is a 4xx with our error format, and nothing is stored.
    let cases: Vec<(Value, u16)> = vec![
        (json!({"seq": 1, "choice": 4}), 422),
        (json!({"seq": 1, "choice": -1}), 422),
        (json!({"seq": 0, "choice": 1}), 422),
        (json!({"seq": "one", "choice": 1}), 422),
        (json!({"seq": 1, "choice": 1, "extra": true}), 422),
        (json!({"choice": 1}), 422),
    ];
    for (body, status) in cases {
        let r = api.put(&path, &body).await?;
        assert_eq!(r.status, status, "{body} -> {}", r.text);
        assert!(
            r.body["code"].is_string() && r.body["message"].is_string(),
            "{}",
            r.text
        );
    }
    let r = api
        .put(
            &format!("/api/v1/attempts/{id}/responses/no-such-item"),
            &json!({"seq": 1, "choice": 0}),
        )
        .await?;
    assert_eq!(r.status, 422);
    let r = api
        .put(
            &format!("/api/v1/attempts/nope/responses/{item}"),
            &json!({"seq": 1, "choice": 0}),
        )
        .await?;
    assert_eq!(r.status, 404);
    let r = api
        .put_raw(&path, "application/json", b"{not json".to_vec())
        .await?;
    assert_eq!(r.status, 400, "{}", r.text);
    // On its own connection: the server refuses without reading the body and closes it.
    let mut big = Api::new(&server.base);
    big.token = api.token.clone();
    let r = big
        .put_raw(&path, "application/json", vec![b' '; 200_000])
        .await?;
    assert_eq!(r.status, 413, "{}", r.text);
    let view = api.get(&format!("/api/v1/attempts/{id}")).await?;
    assert_eq!(
        view.body["answers"].as_array().map(Vec::len),
        Some(0),
        "nothing was stored"
    );

    // Idempotent and ordered saves: a repeat is acknowledged, a stale one changes nothing.
    assert_eq!(
        api.put(&path, &json!({"seq": 5, "choice": 2})).await?.body["applied"],
        true
    );
    assert_eq!(
        api.put(&path, &json!({"seq": 5, "choice": 2})).await?.body["applied"],
        true
    );
    assert_eq!(
        api.put(&path, &json!({"seq": 3, "choice": 1})).await?.body["applied"],
        false
    );
    let view = api.get(&format!("/api/v1/attempts/{id}")).await?;
    assert_eq!(view.body["answers"][0]["choice"], 2);
    assert_eq!(view.body["answers"][0]["seq"], 5);
    // Clearing an answer is a save like any other.
    assert_eq!(
        api.put(&path, &json!({"seq": 6, "choice": null}))
            .await?
            .body["applied"],
        true
    );
    let view = api.get(&format!("/api/v1/attempts/{id}")).await?;
    assert!(view.body["answers"][0]["choice"].is_null());

    // Unknown routes answer in the same error format.
    let r = api.get("/api/v1/nothing-here").await?;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["code"], "not_found");
    Ok(())
}

#[tokio::test]
async fn bad_tokens_and_bad_input_are_refused_on_sqlite() -> anyhow::Result<()> {
    bad_tokens_and_bad_input(Db::Sqlite).await
}

#[tokio::test]
async fn bad_tokens_and_bad_input_are_refused_on_postgres() -> anyhow::Result<()> {
    bad_tokens_and_bad_input(Db::Postgres).await
}

#[tokio::test]
async fn the_openapi_document_lists_the_path() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let doc = Api::new(&server.base).get("/api/v1/openapi.json").await?;
    assert_eq!(doc.status, 200);
    assert!(
        doc.body["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.")
    );
    for p in [
        "/api/v1/auth/login",
        "/api/v1/attempts",
        "/api/v1/attempts/{id}",
        "/api/v1/attempts/{id}/responses/{item_id}",
        "/api/v1/attempts/{id}/submit",
        "/api/v1/attempts/{id}/result",
    ] {
        assert!(doc.body["paths"][p].is_object(), "{p} missing");
    }
    assert!(doc.body["components"]["schemas"]["SaveRequest"].is_object());
    Ok(())
}

/// One active device per attempt: a second sign-in that opens the attempt takes it over; the
/// first is refused from then on (`superseded`), the saved answers and the deadline stay, and
/// proctors see the takeover in the attempt's events.
async fn takeover(db: Db) -> anyhow::Result<()> {
    let server = TestServer::start(db).await?;
    let first = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let a = start(&first).await?;
    let id = a["id"].as_str().unwrap_or_default().to_string();
    let list = items(&a);
    let item = |n: usize| list[n]["item_id"].as_str().unwrap_or_default().to_string();
    let save = |api: &Api, n: usize, seq: i64, choice: u32| {
        let path = format!("/api/v1/attempts/{id}/responses/{}", item(n));
        let api = api.clone();
        async move { api.put(&path, &json!({"seq": seq, "choice": choice})).await }
    };
    assert_eq!(save(&first, 0, 1, 2).await?.status, 200);
    assert_eq!(save(&first, 1, 2, 3).await?.status, 200);

    // Reloading on the same device changes nothing.
    let again = first.get(&format!("/api/v1/attempts/{id}")).await?;
    assert_eq!(again.status, 200);
    assert_eq!(save(&first, 2, 3, 1).await?.status, 200);

    // The applicant signs in on another computer and opens the test: same attempt, same
    // answers, same deadline.
    let second = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let resumed = start(&second).await?;
    assert_eq!(resumed["id"], a["id"]);
    assert_eq!(resumed["deadline_ms"], a["deadline_ms"]);
    assert_eq!(resumed["last_seq"], 3);
    assert_eq!(resumed["answers"].as_array().map(Vec::len), Some(3));

    // The first computer is told, and what it sends changes nothing.
    let refused = save(&first, 0, 4, 0).await?;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.body["code"], "superseded");
    let submit = first
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await?;
    assert_eq!(submit.body["code"], "superseded", "{}", submit.text);
    let view = second.get(&format!("/api/v1/attempts/{id}")).await?;
    assert_eq!(view.body["status"], "in_progress");
    let stored: Vec<_> = view.body["answers"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r["item_id"] == item(0).as_str())
        .collect();
    assert_eq!(stored[0]["choice"], 2, "the refused save did not land");
    assert_eq!(save(&second, 0, 4, 1).await?.status, 200);

    // Events are for proctors, not for the applicant.
    let own = second.get(&format!("/api/v1/attempts/{id}/events")).await?;
    assert_eq!(own.status, 403);
    let proctor = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;
    // A proctor reading the attempt does not take it over.
    assert_eq!(
        proctor.get(&format!("/api/v1/attempts/{id}")).await?.status,
        200
    );
    assert_eq!(save(&second, 1, 5, 0).await?.status, 200);
    let events = proctor
        .get(&format!("/api/v1/attempts/{id}/events"))
        .await?;
    assert_eq!(events.status, 200, "{}", events.text);
    let kinds: Vec<&str> = events
        .body
        .as_array()
        .map(|v| v.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds, ["started", "device_takeover"]);
    assert_eq!(
        events.body[1]["category"], "integrity",
        "a takeover is a signal to judge"
    );
    let takeover = &events.body[1]["detail"];
    assert_eq!(takeover["from"], events.body[0]["detail"]["device"]);
    assert_ne!(takeover["from"], takeover["device"]);

    // The first computer takes it back by opening the test again.
    assert_eq!(start(&first).await?["id"], a["id"]);
    assert_eq!(save(&second, 2, 6, 0).await?.body["code"], "superseded");
    assert_eq!(save(&first, 2, 6, 0).await?.status, 200);
    let done = first
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await?;
    assert_eq!(done.status, 200, "{}", done.text);
    let events = proctor
        .get(&format!("/api/v1/attempts/{id}/events"))
        .await?;
    let kinds: Vec<&str> = events
        .body
        .as_array()
        .map(|v| v.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        kinds,
        ["started", "device_takeover", "device_takeover", "submitted"]
    );
    Ok(())
}

#[tokio::test]
async fn a_second_device_takes_the_attempt_over_on_sqlite() -> anyhow::Result<()> {
    takeover(Db::Sqlite).await
}

#[tokio::test]
async fn a_second_device_takes_the_attempt_over_on_postgres() -> anyhow::Result<()> {
    takeover(Db::Postgres).await
}
