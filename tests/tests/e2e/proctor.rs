//! Sittings and proctoring through the API: who may see and do what, admission, pauses and
//! added time exactly in the deadline, integrity signals, connection losses put to the proctor,
//! termination, the live feed and the incident report.

use qabilet_tests::*;
use serde_json::{Value, json};
use std::time::Duration;

pub const PROCTOR2: (&str, &str) = ("proctor2@demo.test", "second-proctor-1");

/// A sitting of the demo blueprint open now, requiring admission, watched by the demo proctor,
/// with the first two demo applicants. Returns its id.
pub async fn sitting(server: &TestServer, admin: &Api, admission: bool) -> anyhow::Result<String> {
    let now = chrono_now();
    let r = admin
        .post(
            "/api/v1/sittings",
            &json!({"name": "Астана, утро", "blueprint_id": "stage1-2026", "region": "Astana",
                    "mode": "venue", "venue": "NIS Astana", "opens_ms": now - 3_600_000,
                    "closes_ms": now + 3_600_000, "requires_admission": admission}),
        )
        .await?;
    anyhow::ensure!(r.status == 200, "sitting: {}", r.text);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = admin
        .post(
            &format!("/api/v1/sittings/{id}/proctors"),
            &json!({"text": PROCTOR.0}),
        )
        .await?;
    anyhow::ensure!(
        r.status == 200 && r.body["errors"] == json!([]),
        "proctors: {}",
        r.text
    );
    let r = admin
        .post(
            &format!("/api/v1/sittings/{id}/applicants"),
            &json!({"text": format!("email\n{}\n{}\n", APPLICANT.0, APPLICANT2.0)}),
        )
        .await?;
    anyhow::ensure!(
        r.body["added"].as_array().map(Vec::len) == Some(2),
        "applicants: {}",
        r.text
    );
    let _ = server;
    Ok(id)
}

pub fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn row<'a>(rows: &'a Value, email: &str) -> &'a Value {
    rows.as_array()
        .and_then(|v| v.iter().find(|r| r["email"] == email))
        .unwrap_or(&Value::Null)
}

async fn proctoring(db: Db) -> anyhow::Result<()> {
    let server = TestServer::start_with(db, &[("QABILET_CREDIT_AFTER_SECONDS", "1")]).await?;
    let out = server.cli(
        &[
            "user",
            "add",
            "--role",
            "proctor",
            "--email",
            PROCTOR2.0,
            "--name",
            "Second Proctor",
            "--password-stdin",
        ],
        Some(&format!("{}\n", PROCTOR2.1)),
    )?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    let proctor = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;
    let other = Api::login(&server.base, PROCTOR2.0, PROCTOR2.1).await?;
    let applicant = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;

    // Only staff schedule (the role is checked before the body is read); a line that names
    // nobody adds nobody.
    assert_eq!(
        proctor.post("/api/v1/sittings", &json!({})).await?.status,
        403,
        "the role first"
    );
    assert_eq!(
        admin.post("/api/v1/sittings", &json!({})).await?.status,
        422
    );
    let id = sitting(&server, &admin, true).await?;
    let r = proctor
        .post(
            "/api/v1/sittings",
            &json!({"name": "x", "blueprint_id": "stage1-2026", "region": "r",
            "mode": "online", "opens_ms": 0, "closes_ms": 1}),
        )
        .await?;
    assert_eq!(r.status, 403);
    let r = admin
        .post(
            &format!("/api/v1/sittings/{id}/applicants"),
            &json!({"text": format!("{}\nnobody@nowhere.kz\n{}", APPLICANT3.0, PROCTOR.0)}),
        )
        .await?;
    assert_eq!(
        r.body["errors"].as_array().map(Vec::len),
        Some(2),
        "{}",
        r.text
    );
    assert_eq!(r.body["errors"][0]["line"], 2);
    assert_eq!(r.body["added"], json!([]));

    // A proctor sees their own sittings only; applicants see none of it.
    // (the demo proctor also watches the demo's open sitting)
    let mine = proctor.get("/api/v1/sittings").await?;
    let ids: Vec<&str> = mine
        .body
        .as_array()
        .map(|v| v.iter().filter_map(|s| s["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids.len(), 2, "{}", mine.text);
    assert!(
        ids.contains(&id.as_str()) && ids.contains(&"demo-open"),
        "{ids:?}"
    );
    assert_eq!(other.get("/api/v1/sittings").await?.body, json!([]));
    for path in ["", "/monitor", "/incidents.csv", "/feed"] {
        let r = other.get(&format!("/api/v1/sittings/{id}{path}")).await?;
        assert_eq!(r.status, 403, "another proctor: {path}");
        let r = applicant
            .get(&format!("/api/v1/sittings/{id}{path}"))
            .await?;
        assert_eq!(r.status, 403, "an applicant: {path}");
    }
    assert_eq!(applicant.get("/api/v1/sittings").await?.status, 403);
    let me = applicant.get("/api/v1/me").await?.body["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let act = |api: Api, action: Value| {
        let path = format!("/api/v1/sittings/{id}/applicants/{me}/intervene");
        async move { api.post(&path, &action).await }
    };
    assert_eq!(
        act(other.clone(), json!({"action": "admit"})).await?.status,
        403
    );
    assert_eq!(
        act(applicant.clone(), json!({"action": "admit"}))
            .await?
            .status,
        403
    );

    // Admission: the applicant waits, the proctor sees it and admits.
    let r = applicant
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("admission"));
    let rows = proctor
        .get(&format!("/api/v1/sittings/{id}/monitor"))
        .await?
        .body;
    assert_eq!(row(&rows, APPLICANT.0)["status"], "waiting");
    assert_eq!(row(&rows, APPLICANT2.0)["status"], "not_started");
    let dash = applicant.get("/api/v1/dashboard").await?;
    assert_eq!(
        dash.body["test"]["sitting"]["waiting"], true,
        "{}",
        dash.text
    );
    assert_eq!(
        act(proctor.clone(), json!({"action": "admit"})).await?.body["admitted"],
        true
    );
    let r = applicant
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let attempt = r.body["id"].as_str().unwrap_or_default().to_string();
    let d0 = r.body["deadline_ms"].as_i64().unwrap_or(0);
    let first = r.body["items"][0]["item_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    // The live feed: a snapshot first, then the applicant's tab-hidden signal.
    let http = reqwest::Client::new();
    let mut feed = http
        .get(format!("{}/api/v1/sittings/{id}/feed", server.base))
        .bearer_auth(proctor.token.clone().unwrap_or_default())
        .send()
        .await?;
    assert_eq!(feed.status().as_u16(), 200);
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains("\"snapshot\"") && tokio::time::Instant::now() < deadline {
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_secs(5), feed.chunk()).await
        {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    assert!(seen.contains("\"snapshot\""), "{seen}");
    let signals = format!("/api/v1/attempts/{attempt}/signals");
    let r = applicant
        .post(&signals, &json!({"events": ["tab_hidden"]}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains("tab_hidden") && tokio::time::Instant::now() < deadline {
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_secs(5), feed.chunk()).await
        {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    assert!(
        seen.contains("tab_hidden"),
        "the event reached the feed: {seen}"
    );
    let r = applicant
        .post(&signals, &json!({"events": ["screenshot"]}))
        .await?;
    assert_eq!(r.status, 422, "unknown signals are refused");
    assert_eq!(
        other.post(&signals, &json!({"events": []})).await?.status,
        403
    );

    // Pause: the clock stops and answers wait; resume moves the deadline on by exactly the
    // paused time; added time adds exactly.
    let r = act(
        proctor.clone(),
        json!({"action": "pause", "message": "проверка документов"}),
    )
    .await?;
    assert_eq!(r.body["status"], "paused", "{}", r.text);
    let view = applicant
        .get(&format!("/api/v1/attempts/{attempt}"))
        .await?
        .body;
    assert_eq!(view["paused"], true);
    let save = applicant
        .put(
            &format!("/api/v1/attempts/{attempt}/responses/{first}"),
            &json!({"seq": 1, "choice": 0}),
        )
        .await?;
    assert_eq!(save.status, 409);
    assert_eq!(save.body["code"], "paused");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        act(proctor.clone(), json!({"action": "resume"}))
            .await?
            .status,
        200
    );
    let events = proctor
        .get(&format!("/api/v1/attempts/{attempt}/events"))
        .await?
        .body;
    let resumed = events
        .as_array()
        .and_then(|v| v.iter().find(|e| e["kind"] == "resumed"))
        .cloned()
        .unwrap_or_default();
    let paused_ms = resumed["detail"]["paused_ms"].as_i64().unwrap_or(0);
    assert!(paused_ms >= 700, "{resumed}");
    assert_eq!(resumed["actor"], "Данияр Омаров");
    assert_eq!(resumed["category"], "intervention");
    let d1 = applicant
        .get(&format!("/api/v1/attempts/{attempt}"))
        .await?
        .body["deadline_ms"]
        .as_i64()
        .unwrap_or(0);
    assert_eq!(
        d1,
        d0 + paused_ms,
        "the deadline moved on by the paused time"
    );
    let r = act(
        proctor.clone(),
        json!({"action": "add_time", "minutes": 5, "message": "шум"}),
    )
    .await?;
    assert_eq!(
        r.body["deadline_ms"].as_i64(),
        Some(d1 + 300_000),
        "{}",
        r.text
    );
    assert_eq!(
        act(proctor.clone(), json!({"action": "add_time", "minutes": 0}))
            .await?
            .status,
        422
    );
    let save = applicant
        .put(
            &format!("/api/v1/attempts/{attempt}/responses/{first}"),
            &json!({"seq": 1, "choice": 0}),
        )
        .await?;
    assert_eq!(save.status, 200, "{}", save.text);

    // A connection lost for longer than the threshold (1 s here) is not credited by itself:
    // it becomes a request for the proctor (tests in integrity.rs).
    let before = applicant.post(&signals, &json!({})).await?.body["deadline_ms"]
        .as_i64()
        .unwrap_or(0);
    tokio::time::sleep(Duration::from_millis(2_300)).await;
    let ack = applicant.post(&signals, &json!({})).await?.body;
    assert_eq!(ack["credited_ms"], 0, "{ack}");
    assert!(ack["requested_ms"].as_i64().unwrap_or(0) >= 1_300, "{ack}");
    assert_eq!(ack["deadline_ms"].as_i64(), Some(before));

    // The rows show it all; a warning, then termination with a reason.
    let rows = proctor
        .get(&format!("/api/v1/sittings/{id}/monitor"))
        .await?
        .body;
    let me_row = row(&rows, APPLICANT.0);
    assert_eq!(me_row["status"], "in_progress");
    assert_eq!(me_row["answered"], 1);
    assert_eq!(me_row["total"], 30);
    assert_eq!(me_row["integrity_events"], 1);
    assert_eq!(
        act(proctor.clone(), json!({"action": "warn"}))
            .await?
            .status,
        422,
        "a warning needs words"
    );
    assert_eq!(
        act(
            proctor.clone(),
            json!({"action": "warn", "message": "Не пользуйтесь телефоном"})
        )
        .await?
        .status,
        200
    );
    assert_eq!(
        act(proctor.clone(), json!({"action": "terminate"}))
            .await?
            .status,
        422,
        "a reason is required"
    );
    let r = act(
        proctor.clone(),
        json!({"action": "terminate", "message": "подсказки от соседа"}),
    )
    .await?;
    assert_eq!(r.body["status"], "terminated", "{}", r.text);
    let result = applicant
        .get(&format!("/api/v1/attempts/{attempt}/result"))
        .await?;
    assert_eq!(result.body["status"], "terminated");
    let dash = applicant.get("/api/v1/dashboard").await?;
    assert_eq!(dash.body["stages"][0]["status"], "failed");
    let save = applicant
        .put(
            &format!("/api/v1/attempts/{attempt}/responses/{first}"),
            &json!({"seq": 9, "choice": 1}),
        )
        .await?;
    assert_eq!(save.status, 409);

    // The incident report holds signals, incidents and interventions with who did them.
    let csv = proctor
        .get_text(&format!("/api/v1/sittings/{id}/incidents.csv"))
        .await?;
    for needle in [
        "tab_hidden",
        "paused",
        "connection_lost",
        "terminated",
        "подсказки от соседа",
        "integrity",
        "incident",
        "intervention",
    ] {
        assert!(csv.contains(needle), "{needle} missing from\n{csv}");
    }
    Ok(())
}

#[tokio::test]
async fn proctors_watch_admit_pause_and_terminate_on_sqlite() -> anyhow::Result<()> {
    proctoring(Db::Sqlite).await
}

#[tokio::test]
async fn proctors_watch_admit_pause_and_terminate_on_postgres() -> anyhow::Result<()> {
    proctoring(Db::Postgres).await
}

/// A venue's power cut: the whole sitting pauses at once and resumes with every deadline moved
/// on; the sitting window is enforced.
#[tokio::test]
async fn a_whole_sitting_pauses_and_resumes() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    let proctor = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;
    let id = sitting(&server, &admin, false).await?;
    let a = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let b = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let mut deadlines = vec![];
    let mut ids = vec![];
    for api in [&a, &b] {
        let r = api
            .post("/api/v1/attempts", &json!({"language": "ru"}))
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
        deadlines.push(r.body["deadline_ms"].as_i64().unwrap_or(0));
        ids.push(r.body["id"].as_str().unwrap_or_default().to_string());
    }
    let r = proctor
        .post(
            &format!("/api/v1/sittings/{id}/pause"),
            &json!({"reason": "свет отключили"}),
        )
        .await?;
    assert_eq!(r.body["paused"], true, "{}", r.text);
    let rows = proctor
        .get(&format!("/api/v1/sittings/{id}/monitor"))
        .await?
        .body;
    assert!(
        rows.as_array()
            .is_some_and(|v| v.iter().all(|r| r["status"] == "paused")),
        "{rows}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = proctor
        .post(&format!("/api/v1/sittings/{id}/resume"), &json!({}))
        .await?;
    assert_eq!(r.body["paused"], false);
    for (n, api) in [&a, &b].into_iter().enumerate() {
        let v = api.get(&format!("/api/v1/attempts/{}", ids[n])).await?.body;
        assert_eq!(v["paused"], false);
        let moved = v["deadline_ms"].as_i64().unwrap_or(0) - deadlines[n];
        assert!((500..5_000).contains(&moved), "deadline moved by {moved}");
    }

    // A sitting whose window has not opened refuses to start.
    let now = chrono_now();
    let r = admin
        .post(
            "/api/v1/sittings",
            &json!({"name": "Вечер", "blueprint_id": "stage1-2026", "region": "Turkestan",
            "mode": "online", "opens_ms": now + 3_600_000, "closes_ms": now + 7_200_000}),
        )
        .await?;
    let later = r.body["id"].as_str().unwrap_or_default().to_string();
    admin
        .post(
            &format!("/api/v1/sittings/{later}/applicants"),
            &json!({"text": APPLICANT3.0}),
        )
        .await?;
    let c = Api::login(&server.base, APPLICANT3.0, APPLICANT3.1).await?;
    let r = c
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("opens at"), "{}", r.text);
    let bad = admin
        .post(
            "/api/v1/sittings",
            &json!({"name": "x", "blueprint_id": "stage1-2026", "region": "r",
            "mode": "online", "opens_ms": 10, "closes_ms": 5}),
        )
        .await?;
    assert_eq!(bad.status, 422);
    Ok(())
}
