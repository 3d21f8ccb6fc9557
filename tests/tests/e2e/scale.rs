//! Several app servers on one PostgreSQL behave as one system: a token from one works on the
//! other; a proctor watching on instance B sees what an applicant does on instance A (and the
//! applicant on A is told what the proctor on B does), through LISTEN/NOTIFY; exactly one
//! instance runs the auto-submit sweep, and when it dies the other takes over. Also: health,
//! readiness and metrics, request ids, and a graceful shutdown that finishes saves in flight.

use super::proctor::sitting;
use qabilet_tests::*;
use serde_json::json;
use std::time::Duration;

/// Reads an event stream until `want` appears (or `secs` pass); returns what was read.
async fn read_until(
    stream: &mut reqwest::Response,
    seen: &mut String,
    want: &str,
    secs: u64,
) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !seen.contains(want) && tokio::time::Instant::now() < deadline {
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_millis(500), stream.chunk()).await
        {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    seen.contains(want)
}

async fn metric(base: &str, name: &str) -> anyhow::Result<f64> {
    let text = reqwest::get(format!("{base}/metrics"))
        .await?
        .text()
        .await?;
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{name} ")))
        .ok_or_else(|| anyhow::anyhow!("{name} missing from /metrics"))?;
    Ok(line.rsplit(' ').next().unwrap_or("").parse()?)
}

async fn leaders(bases: &[&str]) -> anyhow::Result<Vec<f64>> {
    let mut out = Vec::new();
    for b in bases {
        out.push(metric(b, "qabilet_sweep_leader").await?);
    }
    Ok(out)
}

async fn expired_events(server: &TestServer, attempt: &str) -> anyhow::Result<i64> {
    use sqlx::Row;
    let mut c = server.sql().await?;
    Ok(sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM attempt_events WHERE attempt_id = $1 AND kind = 'expired'",
    )
    .bind(attempt)
    .fetch_one(&mut c)
    .await?
    .try_get(0)?)
}

async fn force_deadline_past(server: &TestServer, attempt: &str) -> anyhow::Result<()> {
    let mut c = server.sql().await?;
    sqlx::query("UPDATE attempts SET deadline = deadline - 86400000 WHERE id = $1")
        .bind(attempt)
        .execute(&mut c)
        .await?;
    Ok(())
}

#[tokio::test]
async fn two_instances_act_as_one_system_on_postgres() -> anyhow::Result<()> {
    let server = TestServer::start_with(Db::Postgres, &[("QABILET_GRACE_SECONDS", "0")]).await?;
    let mut second = server.another_instance().await?;
    let (a, b) = (server.base.clone(), second.base.clone());

    // Stateless sign-in: a token from A is good on B.
    let admin = Api::login(&a, ADMIN.0, ADMIN.1).await?;
    let proctor_on_a = Api::login(&a, PROCTOR.0, PROCTOR.1).await?;
    let proctor = Api {
        base: b.clone(),
        ..proctor_on_a.clone()
    };
    assert_eq!(proctor.get("/api/v1/me").await?.body["role"], "proctor");
    let applicant = Api::login(&a, APPLICANT.0, APPLICANT.1).await?;

    // The proctor watches on B; the applicant works on A.
    let id = sitting(&server, &admin, false).await?;
    let http = reqwest::Client::new();
    let mut feed = http
        .get(format!("{b}/api/v1/sittings/{id}/feed"))
        .bearer_auth(proctor.token.clone().unwrap_or_default())
        .send()
        .await?;
    assert_eq!(feed.status().as_u16(), 200);
    let mut seen = String::new();
    assert!(read_until(&mut feed, &mut seen, "\"snapshot\"", 10).await);

    let started = applicant
        .post("/api/v1/attempts", &json!({"language": "en"}))
        .await?;
    assert_eq!(started.status, 200, "{}", started.text);
    let attempt = started.body["id"].as_str().unwrap_or_default().to_string();
    let item = item_ids(&started.body)[0].clone();
    let mut live = http
        .get(format!("{a}/api/v1/attempts/{attempt}/live"))
        .bearer_auth(applicant.token.clone().unwrap_or_default())
        .send()
        .await?;
    assert_eq!(live.status().as_u16(), 200);
    let r = applicant
        .post(
            &format!("/api/v1/attempts/{attempt}/signals"),
            &json!({"events": ["tab_hidden"]}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        read_until(&mut feed, &mut seen, "tab_hidden", 10).await,
        "an event on A reached the feed on B: {seen}"
    );
    let r = applicant
        .put(
            &format!("/api/v1/attempts/{attempt}/responses/{item}"),
            &json!({"seq": 1, "choice": 0}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        read_until(&mut feed, &mut seen, "\"answered\":1", 10).await,
        "a save on A updated the row on B: {seen}"
    );

    // The proctor's warning, given on B, reaches the applicant's page on A.
    let user_id = started.body["user_id"].as_str().map(str::to_string);
    let user_id = match user_id {
        Some(u) => u,
        None => {
            let me = applicant.get("/api/v1/me").await?;
            me.body["id"].as_str().unwrap_or_default().to_string()
        }
    };
    let r = proctor
        .post(
            &format!("/api/v1/sittings/{id}/applicants/{user_id}/intervene"),
            &json!({"action": "warn", "message": "Keep your eyes on your own screen"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut page = String::new();
    assert!(
        read_until(&mut live, &mut page, "Keep your eyes", 10).await,
        "the notice from B reached the page on A: {page}"
    );

    // Exactly one instance sweeps.
    let mut lead = Vec::new();
    for _ in 0..50 {
        lead = leaders(&[&a, &b]).await?;
        if lead.iter().sum::<f64>() == 1.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(lead.iter().sum::<f64>(), 1.0, "{lead:?}");
    // Time runs out: closed once, by the leader.
    force_deadline_past(&server, &attempt).await?;
    let mut n = 0;
    for _ in 0..50 {
        n = expired_events(&server, &attempt).await?;
        if n > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        expired_events(&server, &attempt).await?,
        1,
        "closed exactly once ({n})"
    );

    // The leader dies; the survivor takes over the sweep.
    let survivor = if lead[0] == 1.0 { b.clone() } else { a.clone() };
    let mut server = server;
    if lead[0] == 1.0 {
        server.kill();
    } else {
        second.kill();
    }
    let mut took_over = false;
    for _ in 0..50 {
        if metric(&survivor, "qabilet_sweep_leader").await? == 1.0 {
            took_over = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(took_over, "the survivor leads the sweep");
    let other = Api::login(&survivor, APPLICANT2.0, APPLICANT2.1).await?;
    let started = other
        .post("/api/v1/attempts", &json!({"language": "en"}))
        .await?;
    assert_eq!(started.status, 200, "{}", started.text);
    let attempt2 = started.body["id"].as_str().unwrap_or_default().to_string();
    force_deadline_past(&server, &attempt2).await?;
    let mut closed = false;
    for _ in 0..50 {
        if expired_events(&server, &attempt2).await? == 1 {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(closed, "the survivor's sweep closed the overdue attempt");
    Ok(())
}

#[tokio::test]
async fn health_readiness_metrics_and_request_ids() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let http = reqwest::Client::new();
    let r = http.get(server.url("/healthz")).send().await?;
    assert_eq!(r.status().as_u16(), 200);
    let r = http.get(server.url("/readyz")).send().await?;
    assert_eq!(r.status().as_u16(), 200);
    // Every response carries a request id; one sent along is kept.
    let id = r
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(id.len(), 36, "a UUID: {id:?}");
    let r = http
        .get(server.url("/api/v1/me"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await?;
    assert_eq!(
        r.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("trace-me-123")
    );

    // Saves and sign-ins are counted, requests timed by route.
    let api = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let attempt = api
        .post("/api/v1/attempts", &json!({"language": "en"}))
        .await?;
    let aid = attempt.body["id"].as_str().unwrap_or_default().to_string();
    for (seq, item) in item_ids(&attempt.body).iter().take(3).enumerate() {
        let r = api
            .put(
                &format!("/api/v1/attempts/{aid}/responses/{item}"),
                &json!({"seq": seq as i64 + 1, "choice": 1}),
            )
            .await?;
        assert_eq!(r.status, 200);
    }
    let text = http
        .get(server.url("/metrics"))
        .send()
        .await?
        .text()
        .await?;
    let value = |name: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(-1.0)
    };
    assert_eq!(value("qabilet_saves_total"), 3.0, "{text}");
    assert_eq!(value("qabilet_logins_total"), 1.0);
    assert_eq!(value("qabilet_active_attempts"), 1.0);
    assert_eq!(value("qabilet_sweep_leader"), 1.0);
    assert!(value("qabilet_db_pool_max") >= 1.0);
    assert!(text.contains(
        "qabilet_http_requests_total{route=\"/api/v1/attempts/{id}/responses/{item_id}\",method=\"PUT\",status=\"200\"} 3"
    ));
    assert!(text.contains(
        "qabilet_http_request_duration_seconds_count{route=\"/api/v1/attempts/{id}/responses/{item_id}\",method=\"PUT\"} 3"
    ));
    Ok(())
}

#[tokio::test]
async fn a_graceful_shutdown_acknowledges_the_saves_in_flight() -> anyhow::Result<()> {
    let mut server = TestServer::start(Db::from_env()).await?;
    let api = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let attempt = api
        .post("/api/v1/attempts", &json!({"language": "en"}))
        .await?;
    let aid = attempt.body["id"].as_str().unwrap_or_default().to_string();
    let items = item_ids(&attempt.body);
    // A live stream is open (it must not hold the shutdown up).
    let live = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/attempts/{aid}/live")))
        .bearer_auth(api.token.clone().unwrap_or_default())
        .send()
        .await?;
    assert_eq!(live.status().as_u16(), 200);
    // Many saves at once, and SIGTERM while they are on their way.
    let mut tasks = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let api = api.clone();
        let path = format!("/api/v1/attempts/{aid}/responses/{item}");
        tasks.push(tokio::spawn(async move {
            let r = api
                .put(&path, &json!({"seq": i as i64 + 1, "choice": 2}))
                .await;
            (i, r.map(|r| (r.status, r.body)))
        }));
    }
    tokio::time::sleep(Duration::from_millis(5)).await;
    let started = std::time::Instant::now();
    let clean = tokio::task::spawn_blocking(move || {
        let ok = server.terminate();
        (ok, server)
    })
    .await?;
    let (exit, server) = clean;
    assert!(exit?, "the server exits successfully on SIGTERM");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    // Every save either was acknowledged or never reached the server: no half-done request.
    let mut acked = Vec::new();
    for t in tasks {
        let (i, r) = t.await?;
        match r {
            Ok((200, body)) => {
                assert_eq!(body["applied"], true);
                acked.push(items[i].clone());
            }
            Ok((status, body)) => panic!("save {i} answered {status}: {body}"),
            Err(_) => {}
        }
    }
    // Every acknowledged save is in the database.
    use sqlx::Row;
    let mut c = server.sql().await?;
    for item in &acked {
        let n: i64 = sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM responses WHERE attempt_id = $1 AND item_id = $2",
        )
        .bind(&aid)
        .bind(item)
        .fetch_one(&mut c)
        .await?
        .try_get(0)?;
        assert_eq!(n, 1, "acknowledged save of {item} is stored");
    }
    assert!(!acked.is_empty(), "some saves were under way");
    Ok(())
}
