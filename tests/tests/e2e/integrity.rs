//! Exam integrity: time is credited only where the server can vouch for it (its own outage, a
//! sitting-wide outage), anything else is the proctor's decision (capped, audited); saves count
//! as presence; parallel heartbeats after one gap credit once; seats are required.
//!
//! The thresholds are lowered for the tests (a connection counts as lost after 1 s instead of
//! 60, an applicant is silent after 2 s instead of 45, the cap is 2 s instead of 10 minutes), so
//! that each case takes seconds; the rules are the same.

use crate::proctor::{PROCTOR2, chrono_now, sitting};
use qabilet_tests::*;
use serde_json::{Value, json};
use std::time::Duration;

const FAST: [(&str, &str); 3] = [
    ("QABILET_CREDIT_AFTER_SECONDS", "1"),
    ("QABILET_CREDIT_CAP_SECONDS", "2"),
    ("QABILET_OUTAGE_SILENCE_SECONDS", "2"),
];

async fn deadline(api: &Api, attempt: &str) -> anyhow::Result<i64> {
    let r = api.get(&format!("/api/v1/attempts/{attempt}")).await?;
    anyhow::ensure!(r.status == 200, "attempt: {}", r.text);
    r.body["deadline_ms"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("no deadline: {}", r.text))
}

async fn start(api: &Api) -> anyhow::Result<(String, i64)> {
    let r = api
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    anyhow::ensure!(r.status == 200, "start: {}", r.text);
    Ok((
        r.body["id"].as_str().unwrap_or_default().to_string(),
        r.body["deadline_ms"].as_i64().unwrap_or(0),
    ))
}

fn requests_of<'a>(list: &'a Value, attempt: &str) -> Vec<&'a Value> {
    list.as_array()
        .map(|v| v.iter().filter(|r| r["attempt_id"] == attempt).collect())
        .unwrap_or_default()
}

async fn silence_goes_to_the_proctor(db: Db) -> anyhow::Result<()> {
    let server = TestServer::start_with(db, &FAST).await?;
    let out = server.cli(
        &[
            "user",
            "add",
            "--role",
            "proctor",
            "--email",
            PROCTOR2.0,
            "--password-stdin",
        ],
        Some(&format!("{}\n", PROCTOR2.1)),
    )?;
    anyhow::ensure!(out.status.success(), "{out:?}");
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    let proctor = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;
    let other_proctor = Api::login(&server.base, PROCTOR2.0, PROCTOR2.1).await?;
    let applicant = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let neighbour = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let id = sitting(&server, &admin, false).await?;
    let (attempt, d0) = start(&applicant).await?;
    let view = applicant
        .get(&format!("/api/v1/attempts/{attempt}"))
        .await?;
    let first = view.body["items"][0]["item_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let signals = format!("/api/v1/attempts/{attempt}/signals");
    let list_path = format!("/api/v1/sittings/{id}/credit-requests");
    assert_eq!(applicant.post(&signals, &json!({})).await?.status, 200);

    // Another applicant cannot beat for this attempt, nor read or decide requests.
    assert_eq!(
        neighbour.post(&signals, &json!({})).await?.status,
        403,
        "a heartbeat for another's attempt"
    );
    assert_eq!(neighbour.get(&list_path).await?.status, 403);
    assert_eq!(other_proctor.get(&list_path).await?.status, 403);

    // Saving while the heartbeat is "blocked" is presence: an answer every half second for
    // 2.5 s (the threshold is 1 s) and no heartbeat make no gap, no request.
    for seq in 1..=5 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let save = applicant
            .put(
                &format!("/api/v1/attempts/{attempt}/responses/{first}"),
                &json!({"seq": seq, "choice": seq % 2}),
            )
            .await?;
        assert_eq!(save.status, 200, "{}", save.text);
    }
    let ack = applicant.post(&signals, &json!({})).await?.body;
    assert_eq!(ack["credited_ms"], 0, "{ack}");
    assert_eq!(ack["requested_ms"], 0, "saves count as presence: {ack}");
    assert_eq!(
        requests_of(&proctor.get(&list_path).await?.body, &attempt).len(),
        0
    );

    // Silent (no heartbeat, no save): nothing is credited by itself. Twenty heartbeats at
    // once after the gap make one request; the signal raised offline comes with its time.
    tokio::time::sleep(Duration::from_millis(2_600)).await;
    let raised = chrono_now() - 1_000;
    let mut beats = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let api = applicant.clone();
        let path = signals.clone();
        beats.spawn(async move {
            api.post(
                &path,
                &json!({"events": ["tab_hidden"], "raised_ms": [raised]}),
            )
            .await
        });
    }
    let mut requested = 0;
    while let Some(a) = beats.join_next().await {
        let a = a??;
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(a.body["credited_ms"], 0, "{}", a.text);
        requested += a.body["requested_ms"].as_i64().unwrap_or(0);
    }
    assert_eq!(
        deadline(&applicant, &attempt).await?,
        d0,
        "no automatic credit"
    );
    let list = proctor.get(&list_path).await?.body;
    let mine = requests_of(&list, &attempt);
    assert_eq!(mine.len(), 1, "one gap, one request: {list}");
    let req = mine[0].clone();
    let gap = req["gap_ms"].as_i64().unwrap_or(0);
    assert!((2_500..6_000).contains(&gap), "{req}");
    assert_eq!(req["requested_ms"].as_i64(), Some(gap - 1_000), "{req}");
    assert_eq!(requested, gap - 1_000, "the acknowledgements say it once");
    assert_eq!(req["status"], "pending");
    assert_eq!(req["signals"][0]["kind"], "tab_hidden", "{req}");
    assert_eq!(req["signals"][0]["at_ms"].as_i64(), Some(raised), "{req}");
    let rid = req["id"].as_str().unwrap_or_default().to_string();
    let decide = format!("/api/v1/credit-requests/{rid}");

    // Only the sitting's proctors decide; declining needs a reason.
    assert_eq!(
        other_proctor
            .post(&decide, &json!({"grant": true}))
            .await?
            .status,
        403
    );
    assert_eq!(
        applicant
            .post(&decide, &json!({"grant": true}))
            .await?
            .status,
        403,
        "an applicant cannot grant themselves time"
    );
    assert_eq!(
        proctor
            .post(&decide, &json!({"grant": false}))
            .await?
            .status,
        422
    );
    assert_eq!(
        proctor
            .post("/api/v1/credit-requests/nope", &json!({"grant": true}))
            .await?
            .status,
        404
    );

    // The grant credits the measured gap (less the heartbeat's rhythm), up to the cap (2 s).
    let r = proctor.post(&decide, &json!({"grant": true})).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let first_grant = r.body["granted_ms"].as_i64().unwrap_or(0);
    assert_eq!(first_grant, (gap - 1_000).min(2_000), "{}", r.text);
    assert_eq!(deadline(&applicant, &attempt).await?, d0 + first_grant);
    let again = proctor.post(&decide, &json!({"grant": true})).await?;
    assert_eq!(again.status, 409, "decided once: {}", again.text);
    assert_eq!(deadline(&applicant, &attempt).await?, d0 + first_grant);

    // A second gap: the grant stops at the cap; a third: the cap is reached, so the proctor
    // can only decline, with the reason kept.
    let mut total = first_grant;
    for round in 0..2 {
        tokio::time::sleep(Duration::from_millis(2_600)).await;
        let ack = applicant.post(&signals, &json!({})).await?;
        assert!(
            ack.body["requested_ms"].as_i64().unwrap_or(0) > 0,
            "{}",
            ack.text
        );
        let list = proctor.get(&list_path).await?.body;
        let pending: Vec<&Value> = requests_of(&list, &attempt)
            .into_iter()
            .filter(|r| r["status"] == "pending")
            .collect();
        assert_eq!(pending.len(), 1, "{list}");
        let path = format!(
            "/api/v1/credit-requests/{}",
            pending[0]["id"].as_str().unwrap_or_default()
        );
        let r = proctor.post(&path, &json!({"grant": true})).await?;
        if total < 2_000 {
            assert_eq!(r.status, 200, "round {round}: {}", r.text);
            total += r.body["granted_ms"].as_i64().unwrap_or(0);
            assert_eq!(total, 2_000, "up to the cap exactly");
        } else {
            assert_eq!(r.status, 409, "round {round}: {}", r.text);
            assert!(r.text.contains("most"), "{}", r.text);
            let r = proctor
                .post(
                    &path,
                    &json!({"grant": false, "reason": "связь была, судя по журналу"}),
                )
                .await?;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.body["status"], "declined");
        }
    }
    assert_eq!(deadline(&applicant, &attempt).await?, d0 + 2_000);

    // Every decision is in the attempt's record with who made it.
    let events = proctor
        .get(&format!("/api/v1/attempts/{attempt}/events"))
        .await?
        .body;
    let kinds: Vec<(&str, &str)> = events
        .as_array()
        .map(|v| {
            v.iter()
                .map(|e| {
                    (
                        e["kind"].as_str().unwrap_or(""),
                        e["actor"].as_str().unwrap_or(""),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        kinds.iter().filter(|k| k.0 == "connection_lost").count(),
        3,
        "{kinds:?}"
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| k.0 == "credit_granted" && k.1 == "Данияр Омаров")
            .count(),
        2,
        "{kinds:?}"
    );
    assert!(kinds.iter().any(|k| k.0 == "credit_declined"), "{kinds:?}");

    // A request left pending when the attempt closes can no longer be granted.
    tokio::time::sleep(Duration::from_millis(2_600)).await;
    applicant.post(&signals, &json!({})).await?;
    let r = applicant
        .post(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let list = proctor.get(&list_path).await?.body;
    let pending: Vec<&Value> = requests_of(&list, &attempt)
        .into_iter()
        .filter(|r| r["status"] == "pending")
        .collect();
    assert_eq!(pending.len(), 1, "{list}");
    assert_eq!(pending[0]["attempt_open"], false);
    let r = proctor
        .post(
            &format!(
                "/api/v1/credit-requests/{}",
                pending[0]["id"].as_str().unwrap_or_default()
            ),
            &json!({"grant": true}),
        )
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.body["code"], "attempt_closed");
    assert_eq!(
        applicant.post(&signals, &json!({})).await?.status,
        409,
        "a heartbeat on a closed attempt"
    );
    Ok(())
}

#[tokio::test]
async fn silence_goes_to_the_proctor_on_sqlite() -> anyhow::Result<()> {
    silence_goes_to_the_proctor(Db::Sqlite).await
}

#[tokio::test]
async fn silence_goes_to_the_proctor_on_postgres() -> anyhow::Result<()> {
    silence_goes_to_the_proctor(Db::Postgres).await
}

/// The server down (killed) for two minutes, then for 41: every running attempt gets the
/// outage back, once, and an attempt whose 40 minutes ran out during the outage is credited,
/// not expired. The outage is made by restarting the server with its clock moved on
/// (`QABILET_TEST_CLOCK_OFFSET_MS`), the way the server would see a real one.
async fn server_outage_is_credited(db: Db) -> anyhow::Result<()> {
    let mut server = TestServer::start(db).await?;
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    sitting(&server, &admin, false).await?;
    let mut a = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let mut b = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let (ida, da) = start(&a).await?;
    let (idb, db0) = start(&b).await?;
    // The instance says it is alive every 2 s: let it say so after the starts.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let killed = chrono_now();
    server.kill();
    server.set_env("QABILET_TEST_CLOCK_OFFSET_MS", "120000");
    server.spawn().await?;
    let restarted = chrono_now();
    a.base = server.base.clone();
    b.base = server.base.clone();
    for (api, id, d) in [(&a, &ida, da), (&b, &idb, db0)] {
        let moved = deadline(api, id).await? - d;
        // The outage as the server saw it: from its last "alive" (at most 2 s before the
        // kill) to the restart, two minutes later on its clock.
        let low = 120_000;
        let high = 120_000 + (restarted - killed) + 2_500;
        assert!(
            (low..=high).contains(&moved),
            "moved {moved}, {low}..{high}"
        );
    }
    let after_first = deadline(&a, &ida).await?;
    // Time left as the server reckons it.
    let left = |v: &Value| {
        v["deadline_ms"].as_i64().unwrap_or(0) - v["server_now_ms"].as_i64().unwrap_or(0)
    };
    let remaining_before = left(&a.get(&format!("/api/v1/attempts/{ida}")).await?.body);
    assert!(remaining_before > 35 * 60_000, "{remaining_before}");

    // 41 minutes down: longer than the whole test. Killed again and restarted with the clock
    // 43 minutes on; the attempts are still running with about the time they had.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    server.kill();
    server.set_env(
        "QABILET_TEST_CLOCK_OFFSET_MS",
        &(120_000 + 41 * 60_000).to_string(),
    );
    server.spawn().await?;
    a.base = server.base.clone();
    let v = a.get(&format!("/api/v1/attempts/{ida}")).await?;
    assert_eq!(v.status, 200, "{}", v.text);
    assert_eq!(v.body["status"], "in_progress", "credited, not expired");
    let remaining = left(&v.body);
    assert!(
        (remaining_before - 10_000..=remaining_before + 3_000).contains(&remaining),
        "remaining {remaining} against {remaining_before} before"
    );
    let moved = v.body["deadline_ms"].as_i64().unwrap_or(0) - after_first;
    assert!(moved >= 41 * 60_000, "moved {moved}");

    // Proctors see each outage in the attempt's record, once per outage.
    let proctor = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;
    let events = proctor
        .get(&format!("/api/v1/attempts/{ida}/events"))
        .await?
        .body;
    let outages: Vec<&Value> = events
        .as_array()
        .map(|v| {
            v.iter()
                .filter(|e| {
                    e["kind"] == "time_credited" && e["detail"]["reason"] == "server_outage"
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(outages.len(), 2, "{events}");

    // A second instance starting now finds the server alive: nothing more is credited.
    if db == Db::Postgres {
        let second = server.another_instance().await?;
        let mut api = Api::login(&second.base, APPLICANT.0, APPLICANT.1).await?;
        api.base = second.base.clone();
        let d = deadline(&api, &ida).await?;
        assert_eq!(d, v.body["deadline_ms"].as_i64().unwrap_or(0));
    }
    Ok(())
}

#[tokio::test]
async fn server_outage_is_credited_on_sqlite() -> anyhow::Result<()> {
    server_outage_is_credited(Db::Sqlite).await
}

#[tokio::test]
async fn server_outage_is_credited_on_postgres() -> anyhow::Result<()> {
    server_outage_is_credited(Db::Postgres).await
}

/// Five of six running applicants of a sitting silent at once is a sitting-wide outage: each
/// gets the part of their gap it covers without asking anyone. Two of six silent together is
/// not: they go to the proctor.
#[tokio::test]
async fn a_sitting_wide_outage_is_credited_a_small_group_is_not() -> anyhow::Result<()> {
    let server = TestServer::start_with(Db::from_env(), &FAST).await?;
    server.add_applicants("room", 6, "room-password-1")?;
    // A room at a venue (online sittings ask for 10 and 80%: checked by the unit tests).
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    let now = chrono_now();
    let r = admin
        .post(
            "/api/v1/sittings",
            &json!({"name": "Зал 1", "blueprint_id": "stage1-2026", "region": "Abai",
                    "mode": "venue", "venue": "School 12, room 1", "opens_ms": now - 60_000,
                    "closes_ms": now + 3_600_000}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let room = r.body["id"].as_str().unwrap_or_default().to_string();
    admin
        .post(
            &format!("/api/v1/sittings/{room}/proctors"),
            &json!({"text": PROCTOR.0}),
        )
        .await?;
    let emails: Vec<String> = (1..=6).map(|n| format!("room-{n}@load.test")).collect();
    let r = admin
        .post(
            &format!("/api/v1/sittings/{room}/applicants"),
            &json!({"text": emails.join("\n")}),
        )
        .await?;
    assert_eq!(
        r.body["moved"].as_array().map(Vec::len),
        Some(6),
        "{}",
        r.text
    );
    let mut people = vec![];
    for n in 1..=6 {
        let api = Api::login(
            &server.base,
            &format!("room-{n}@load.test"),
            "room-password-1",
        )
        .await?;
        let (id, d) = start(&api).await?;
        people.push((api, id, d));
    }
    let beat = |n: usize| {
        let (api, id, _) = &people[n];
        let path = format!("/api/v1/attempts/{id}/signals");
        let api = api.clone();
        async move { api.post(&path, &json!({})).await }
    };
    // Each one's silence starts with their last beat: the credit can never be more than the
    // time from sending it to hearing back after the return (the server's own measure of the
    // gap lies inside that), however slow the machine.
    let mut last_beat = Vec::new();
    for n in 0..6 {
        last_beat.push(std::time::Instant::now());
        assert_eq!(beat(n).await?.status, 200);
    }
    // Five go silent; the sixth keeps beating. Silent after 2 s, seen by the next sweep.
    for _ in 0..12 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        beat(5).await?;
    }
    for (n, (api, id, d0)) in people.iter().enumerate().take(5) {
        let ack = beat(n).await?;
        let gap = i64::try_from(last_beat[n].elapsed().as_millis())?;
        assert_eq!(ack.status, 200, "{}", ack.text);
        let credited = ack.body["credited_ms"].as_i64().unwrap_or(0);
        assert!(
            credited >= 1_500 && credited <= gap,
            "applicant {n} silent {gap} ms: {}",
            ack.text
        );
        assert_eq!(deadline(api, id).await? - d0, credited);
    }
    // Everyone back: the outage ends at the next sweep.
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        for n in 0..6 {
            beat(n).await?;
        }
    }
    // Two go silent together: a small group, no outage, no credit: requests instead.
    let before: Vec<i64> = vec![
        deadline(&people[0].0, &people[0].1).await?,
        deadline(&people[1].0, &people[1].1).await?,
    ];
    for _ in 0..12 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        for n in 2..6 {
            beat(n).await?;
        }
    }
    for (n, (api, id, _)) in people.iter().enumerate().take(2) {
        let ack = beat(n).await?;
        assert_eq!(ack.body["credited_ms"], 0, "{}", ack.text);
        assert!(
            ack.body["requested_ms"].as_i64().unwrap_or(0) > 3_000,
            "{}",
            ack.text
        );
        assert_eq!(deadline(api, id).await?, before[n]);
    }
    let proctor = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;
    let list = proctor
        .get(&format!("/api/v1/sittings/{room}/credit-requests"))
        .await?
        .body;
    // The two silent together wait for the proctor, each with a request for that silence (a
    // slow start on a loaded machine may add a short request of its own: a second's gap
    // before a first heartbeat is above these lowered thresholds, and is not this test's).
    let mut waiting: Vec<&str> = list
        .as_array()
        .map(|v| {
            v.iter()
                .filter(|r| r["status"] == "pending" && r["requested_ms"].as_i64() > Some(3_000))
                .filter_map(|r| r["email"].as_str())
                .collect()
        })
        .unwrap_or_default();
    waiting.sort_unstable();
    assert_eq!(waiting, ["room-1@load.test", "room-2@load.test"], "{list}");
    Ok(())
}

/// Without a seat the stage-one test does not start; a seat in a sitting whose window has not
/// opened, or that asks for admission, holds the start until then.
#[tokio::test]
async fn the_test_starts_only_with_a_seat() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let r = Api::new(&server.base)
        .post(
            "/api/v1/auth/register",
            &json!({"email": "seatless@example.kz", "full_name": "Без Места",
                    "iin": valid_iin("900101", 3, 4321), "password": "seatless-pass-1"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let seatless = Api::login(&server.base, "seatless@example.kz", "seatless-pass-1").await?;
    let r = seatless
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("only in a sitting"), "{}", r.text);
    let dash = seatless.get("/api/v1/dashboard").await?.body;
    assert_eq!(dash["test"]["seated_only"], true, "{dash}");
    assert_eq!(dash["test"]["sitting"], Value::Null);
    assert_eq!(dash["test"]["attempt"], Value::Null, "nothing was started");

    // Seated in a sitting that opens in an hour: refused until then; a sitting that asks for
    // admission: refused until a proctor admits.
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    let now = chrono_now();
    let r = admin
        .post(
            "/api/v1/sittings",
            &json!({"name": "Позже", "blueprint_id": "stage1-2026", "region": "Astana",
                    "mode": "online", "opens_ms": now + 3_600_000, "closes_ms": now + 7_200_000}),
        )
        .await?;
    let later = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = admin
        .post(
            &format!("/api/v1/sittings/{later}/applicants"),
            &json!({"text": "seatless@example.kz"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = seatless
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("opens at"), "{}", r.text);
    let id = sitting(&server, &admin, true).await?;
    let r = admin
        .post(
            &format!("/api/v1/sittings/{id}/applicants"),
            &json!({"text": "seatless@example.kz"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = seatless
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("admission"), "{}", r.text);
    Ok(())
}

fn application(campaign: &str, iin: &str, email: &str) -> Value {
    json!({
        "campaign_id": campaign, "iin": iin, "full_name": "Гүлнар Әбенова",
        "region": "Turkestan", "district": "Sairam", "school": "School No. 3",
        "position": "deputy director", "teaching_years": 12, "management_years": 3,
        "email": email, "phone": "+7 701 555 00 11",
    })
}

async fn register(base: &str, email: &str, iin: &str) -> anyhow::Result<Api> {
    let r = Api::new(base)
        .post(
            "/api/v1/auth/register",
            &json!({"email": email, "full_name": "Тест Тестов", "iin": iin,
                    "password": "identity-pass-1"}),
        )
        .await?;
    anyhow::ensure!(r.status == 200, "register {email}: {}", r.text);
    Api::login(base, email, "identity-pass-1").await
}

/// One person, one identity: an application carries the account's IIN; an account made by
/// staff gets its IIN once, with its first application; imports link by IIN, never by e-mail;
/// only staff change an IIN, with a reason, logged.
#[tokio::test]
async fn one_person_one_identity() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let campaign = "demo-2026";
    let (x, y, z) = (
        valid_iin("850314", 4, 11),
        valid_iin("790921", 3, 12),
        valid_iin("880707", 4, 13),
    );
    let alma = register(&server.base, "alma@school.kz", &x).await?;
    let path = format!("/api/v1/campaigns/{campaign}/applications");
    // Applying under another person's IIN (valid, but not the account's) is refused.
    let r = alma
        .post(&path, &application(campaign, &y, "alma@school.kz"))
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("your account's"), "{}", r.text);
    assert!(
        r.text.contains(&x[8..]),
        "the masked IIN names its end: {}",
        r.text
    );
    assert!(!r.text.contains(&x), "but not all of it: {}", r.text);
    let r = alma
        .post(&path, &application(campaign, &x, "alma@school.kz"))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);

    // An account made by staff has no IIN: its first application gives it, once; someone
    // else's IIN is refused.
    let demo = Api::login(&server.base, APPLICANT3.0, APPLICANT3.1).await?;
    let r = demo
        .post(&path, &application(campaign, &x, APPLICANT3.0))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("another account"), "{}", r.text);
    let r = demo
        .post(&path, &application(campaign, &z, APPLICANT3.0))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);

    // Two applications at once from an account without an IIN, under two IINs: one wins,
    // and the account's IIN is the winner's.
    let twin = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let (p1, p2) = (valid_iin("820303", 3, 16), valid_iin("830404", 4, 17));
    let (b1, b2) = (
        application(campaign, &p1, APPLICANT2.0),
        application(campaign, &p2, APPLICANT2.0),
    );
    let (r1, r2) = tokio::join!(twin.post(&path, &b1), twin.post(&path, &b2));
    let (r1, r2) = (r1?, r2?);
    let won: Vec<&str> = [(&r1, &p1), (&r2, &p2)]
        .iter()
        .filter(|(r, _)| r.status == 200)
        .map(|(_, iin)| iin.as_str())
        .collect();
    assert_eq!(won.len(), 1, "{} / {}", r1.text, r2.text);
    let mine = twin.get("/api/v1/me/applications").await?.body;
    assert_eq!(mine[0]["iin"], won[0], "{mine}");

    // A staff import: the line with Bolat's e-mail but another IIN is not linked to Bolat;
    // the line with Dana's IIN (and some other address) is linked to Dana.
    let bolat = register(&server.base, "bolat@school.kz", &y).await?;
    let w = valid_iin("900505", 3, 14);
    let v = valid_iin("910606", 4, 15);
    let dana = register(&server.base, "dana@school.kz", &v).await?;
    let csv = format!(
        "iin,full_name,region,district,school,position,teaching_years,management_years,email,phone\n\
         {w},Болат Захватов,Abai,Central,School 1,teacher,5,1,bolat@school.kz,+77010000001\n\
         {v},Дана Серікқызы,Abai,Central,School 2,teacher,6,2,dana.old@mail.kz,+77010000002\n"
    );
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    let r = admin
        .post(
            &format!("/api/v1/campaigns/{campaign}/applications/import"),
            &json!({"csv": csv, "commit": true}),
        )
        .await?;
    assert_eq!(r.body["committed"], true, "{}", r.text);
    assert_eq!(r.body["lines"][0]["action"], "add", "{}", r.text);
    assert!(
        r.body["lines"][1]["action"]
            .as_str()
            .unwrap_or("")
            .contains("linked"),
        "{}",
        r.text
    );
    let mine = bolat.get("/api/v1/me/applications").await?.body;
    assert_eq!(mine, json!([]), "an e-mail alone links nothing");
    let mine = dana.get("/api/v1/me/applications").await?.body;
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");

    // Only staff correct an IIN, with a reason; the change is logged.
    let iin_path = "/api/v1/users/bolat@school.kz/iin";
    assert_eq!(
        bolat
            .put(iin_path, &json!({"iin": w, "reason": "моё"}))
            .await?
            .status,
        403
    );
    assert_eq!(
        admin
            .put(iin_path, &json!({"iin": w, "reason": ""}))
            .await?
            .status,
        422
    );
    assert_eq!(
        admin
            .put(
                iin_path,
                &json!({"iin": "123456789012", "reason": "ошибка"})
            )
            .await?
            .status,
        422
    );
    assert_eq!(
        admin
            .put(iin_path, &json!({"iin": v, "reason": "ошибка"}))
            .await?
            .status,
        409,
        "Dana's IIN"
    );
    assert_eq!(
        admin
            .put(
                "/api/v1/users/nobody@school.kz/iin",
                &json!({"iin": w, "reason": "ошибка"})
            )
            .await?
            .status,
        404
    );
    let r = admin
        .put(
            iin_path,
            &json!({"iin": w, "reason": "удостоверение проверено, опечатка при регистрации"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["iin_masked"], format!("••••••••{}", &w[8..]));
    let mut db = server.sql().await?;
    let (event, detail): (String, String) = sqlx::query_as(
        "SELECT event, detail FROM auth_log WHERE email = 'bolat@school.kz' AND event = 'iin_changed'",
    )
    .fetch_one(&mut db)
    .await?;
    assert_eq!(event, "iin_changed");
    assert!(
        detail.contains("опечатка") && detail.contains(ADMIN.0),
        "{detail}"
    );
    assert!(
        !detail.contains(&w),
        "the log keeps the IIN masked: {detail}"
    );
    // Now the imported application is Bolat's by IIN: he claims it by applying.
    let r = bolat
        .post(&path, &application(campaign, &w, "bolat@school.kz"))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["full_name"], "Болат Захватов", "{}", r.text);
    Ok(())
}

/// Messages go both ways during the test, to one applicant or the whole sitting, and stay in
/// the incident record; nobody else reads or writes them.
#[tokio::test]
async fn messages_go_both_ways() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    let proctor = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;
    let id = sitting(&server, &admin, false).await?;
    let a = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let b = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let me = a.get("/api/v1/me").await?.body["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // Not started yet: nothing to write to.
    let to_a = format!("/api/v1/sittings/{id}/applicants/{me}/messages");
    let r = proctor
        .post(&to_a, &json!({"text": "Здравствуйте"}))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    let (attempt_a, _) = start(&a).await?;
    let (attempt_b, _) = start(&b).await?;
    assert_eq!(
        a.get(&format!("/api/v1/attempts/{attempt_a}")).await?.body["proctored"],
        true
    );
    let r = proctor
        .post(&to_a, &json!({"text": "Покажите, пожалуйста, стол"}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        proctor.post(&to_a, &json!({"text": "  "})).await?.status,
        422
    );
    let long = "x".repeat(1001);
    assert_eq!(
        proctor.post(&to_a, &json!({"text": long})).await?.status,
        422
    );
    let mine = format!("/api/v1/attempts/{attempt_a}/messages");
    let r = a
        .post(
            &mine,
            &json!({"text": "Стол чист, камера направлена на него"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["from_applicant"], true);
    // To everyone: both running attempts.
    let r = proctor
        .post(
            &format!("/api/v1/sittings/{id}/messages"),
            &json!({"text": "Осталось 10 минут"}),
        )
        .await?;
    assert_eq!(r.body["sent"], 2, "{}", r.text);
    let list = a.get(&mine).await?.body;
    let texts: Vec<(bool, &str)> = list
        .as_array()
        .map(|v| {
            v.iter()
                .map(|m| {
                    (
                        m["from_applicant"] == true,
                        m["text"].as_str().unwrap_or(""),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        texts,
        vec![
            (false, "Покажите, пожалуйста, стол"),
            (true, "Стол чист, камера направлена на него"),
            (false, "Осталось 10 минут"),
        ]
    );
    // B sees only the message to everyone, and cannot read or write A's.
    let theirs = b
        .get(&format!("/api/v1/attempts/{attempt_b}/messages"))
        .await?
        .body;
    assert_eq!(theirs.as_array().map(Vec::len), Some(1), "{theirs}");
    assert_eq!(b.get(&mine).await?.status, 403);
    assert_eq!(b.post(&mine, &json!({"text": "чужое"})).await?.status, 403);
    // The incident record keeps them.
    let csv = proctor
        .get_text(&format!("/api/v1/sittings/{id}/incidents.csv"))
        .await?;
    assert!(csv.contains("message_from_applicant"), "{csv}");
    assert!(csv.contains("Покажите, пожалуйста, стол"), "{csv}");
    // A flood is refused: five a minute is a conversation.
    let mut refused = 0;
    for n in 0..6 {
        let r = a.post(&mine, &json!({"text": format!("ещё {n}")})).await?;
        if r.status == 409 {
            refused += 1;
        }
    }
    assert_eq!(
        refused, 2,
        "the first message and four more pass, then refused"
    );
    // After the test, no more messages.
    a.post(&format!("/api/v1/attempts/{attempt_a}/submit"), &json!({}))
        .await?;
    assert_eq!(a.post(&mine, &json!({"text": "ещё"})).await?.status, 409);
    Ok(())
}

/// The first bytes of a JPEG file and some more: what the server takes for a photo.
fn jpeg(len: usize) -> Vec<u8> {
    let mut b = vec![
        0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    b.resize(len, 0x55);
    b
}

/// Admission with an identity check in a remote sitting: the application photo, the picture
/// at the start, the proctor's view of both (logged), a refusal with its reason, admission,
/// snapshots, and the photos gone after the retention period.
#[tokio::test]
async fn remote_admission_checks_identity_with_photos() -> anyhow::Result<()> {
    let mut server = TestServer::start(Db::from_env()).await?;
    let out = server.cli(
        &[
            "user",
            "add",
            "--role",
            "proctor",
            "--email",
            PROCTOR2.0,
            "--password-stdin",
        ],
        Some(&format!("{}\n", PROCTOR2.1)),
    )?;
    anyhow::ensure!(out.status.success(), "{out:?}");
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    let proctor = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;
    let stranger = Api::login(&server.base, PROCTOR2.0, PROCTOR2.1).await?;
    let a = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let b = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let now = chrono_now();
    // Snapshots need the camera.
    let bad = admin
        .post(
            "/api/v1/sittings",
            &json!({"name": "x", "blueprint_id": "stage1-2026", "region": "Abai", "mode": "online",
                    "opens_ms": now - 60_000, "closes_ms": now + 3_600_000, "snapshot_seconds": 60}),
        )
        .await?;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let r = admin
        .post(
            "/api/v1/sittings",
            &json!({"name": "Дистанционно", "blueprint_id": "stage1-2026", "region": "Abai",
                    "mode": "online", "opens_ms": now - 60_000, "closes_ms": now + 3_600_000,
                    "requires_admission": true, "camera": true, "snapshot_seconds": 30}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["camera"], true);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    admin
        .post(
            &format!("/api/v1/sittings/{id}/proctors"),
            &json!({"text": PROCTOR.0}),
        )
        .await?;
    let r = admin
        .post(
            &format!("/api/v1/sittings/{id}/applicants"),
            &json!({"text": format!("{}\n{}", APPLICANT.0, APPLICANT2.0)}),
        )
        .await?;
    assert_eq!(
        r.body["moved"].as_array().map(Vec::len),
        Some(2),
        "moved from the demo sitting: {}",
        r.text
    );

    // The photo with the application: not an image, too large, then a photo.
    let photo = "/api/v1/me/photo?kind=application";
    let r = a
        .post_raw(photo, "image/jpeg", b"not a photo".to_vec())
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = a
        .post_raw(photo, "image/jpeg", jpeg(2 * 1024 * 1024 + 10))
        .await?;
    assert_eq!(r.status, 413, "{}", r.text);
    let r = a.post_raw(photo, "image/jpeg", jpeg(4_000)).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let app_photo = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        proctor
            .post_raw(photo, "image/jpeg", jpeg(100))
            .await?
            .status,
        403
    );

    // The start waits for the picture, then for admission.
    let r = a
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("picture"), "{}", r.text);
    let dash = a.get("/api/v1/dashboard").await?.body;
    assert_eq!(dash["test"]["sitting"]["camera"], true, "{dash}");
    assert_eq!(dash["test"]["sitting"]["start_photo"], false);
    // Retaken: the new picture replaces the old one.
    for _ in 0..2 {
        let r = a
            .post_raw("/api/v1/me/photo?kind=start", "image/jpeg", jpeg(2_500))
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = a
        .post_raw("/api/v1/me/photo?kind=start", "image/jpeg", jpeg(3_000))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let start_photo = r.body["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        a.get("/api/v1/dashboard").await?.body["test"]["sitting"]["start_photo"],
        true
    );
    let r = a
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert!(r.text.contains("admission"), "{}", r.text);

    // The proctor's view: name, photos; the photos themselves only for this sitting's proctors
    // (and admins), each view logged.
    let me = a.get("/api/v1/me").await?.body["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let identity = format!("/api/v1/sittings/{id}/applicants/{me}/identity");
    let v = proctor.get(&identity).await?;
    assert_eq!(v.status, 200, "{}", v.text);
    assert_eq!(v.body["application_photo"]["id"], app_photo.as_str());
    assert_eq!(v.body["start_photo"]["id"], start_photo.as_str());
    assert_eq!(stranger.get(&identity).await?.status, 403);
    assert_eq!(b.get(&identity).await?.status, 403);
    let photo_path = format!("/api/v1/photos/{start_photo}");
    let http = reqwest::Client::new();
    let res = http
        .get(server.url(&photo_path))
        .bearer_auth(proctor.token.clone().unwrap_or_default())
        .send()
        .await?;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert_eq!(res.bytes().await?.to_vec(), jpeg(3_000));
    assert_eq!(stranger.get(&photo_path).await?.status, 404);
    assert_eq!(a.get(&photo_path).await?.status, 403);
    assert_eq!(b.get(&photo_path).await?.status, 403);
    let mut db = server.sql().await?;
    let (starts,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM photos WHERE kind = 'start'")
        .fetch_one(&mut db)
        .await?;
    assert_eq!(starts, 1, "retakes do not pile up");
    let (views,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM photo_views WHERE photo_id = $1 AND viewer = $2")
            .bind(&start_photo)
            .bind(PROCTOR.0)
            .fetch_one(&mut db)
            .await?;
    assert_eq!(views, 1, "the proctor's one look is logged");

    // Refused with a reason: the applicant is told and cannot start; admitted after all: starts.
    let act = format!("/api/v1/sittings/{id}/applicants/{me}/intervene");
    assert_eq!(
        proctor
            .post(&act, &json!({"action": "refuse"}))
            .await?
            .status,
        422,
        "a refusal needs its reason"
    );
    let r = proctor
        .post(
            &act,
            &json!({"action": "refuse", "message": "на снимке другой человек"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = a
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(r.status, 409);
    assert!(r.text.contains("на снимке другой человек"), "{}", r.text);
    assert_eq!(
        a.get("/api/v1/dashboard").await?.body["test"]["sitting"]["refused"],
        "на снимке другой человек"
    );
    let r = proctor.post(&act, &json!({"action": "admit"})).await?;
    assert_eq!(r.body["admitted"], true, "{}", r.text);
    let (attempt, _) = start(&a).await?;
    let view = a.get(&format!("/api/v1/attempts/{attempt}")).await?.body;
    assert_eq!(view["snapshot_seconds"], 30);

    // Snapshots: one now; a flood is refused; never into another's attempt.
    let snaps = format!("/api/v1/attempts/{attempt}/snapshots");
    let r = a.post_raw(&snaps, "image/jpeg", jpeg(300 * 1024)).await?;
    assert_eq!(r.status, 413, "a snapshot is small: {}", r.text);
    let r = a.post_raw(&snaps, "image/jpeg", jpeg(2_000)).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = a.post_raw(&snaps, "image/jpeg", jpeg(2_000)).await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(
        b.post_raw(&snaps, "image/jpeg", jpeg(2_000)).await?.status,
        403
    );
    let v = proctor.get(&identity).await?.body;
    assert_eq!(v["snapshots"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v["admitted_by"], "Данияр Омаров");
    let events = proctor
        .get(&format!("/api/v1/attempts/{attempt}/events"))
        .await?
        .body;
    assert!(
        events
            .as_array()
            .is_some_and(|v| v.iter().any(|e| e["kind"] == "snapshot")),
        "{events}"
    );
    // A camera that stops is an integrity signal.
    let r = a
        .post(
            &format!("/api/v1/attempts/{attempt}/signals"),
            &json!({"events": ["camera_stopped"]}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);

    // After the retention period the photos are gone; the log of who looked stays.
    server.kill();
    server.set_env("QABILET_PHOTO_RETENTION_DAYS", "0");
    server.spawn().await?;
    let mut proctor = proctor;
    proctor.base = server.base.clone();
    let mut gone = false;
    for _ in 0..20 {
        if proctor.get(&photo_path).await?.status == 404 {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(gone, "deleted after the retention period");
    let (photos,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM photos")
        .fetch_one(&mut db)
        .await?;
    assert_eq!(photos, 0);
    let (views,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM photo_views")
        .fetch_one(&mut db)
        .await?;
    assert!(views >= 1);
    Ok(())
}

/// The practice test: any time, without a seat, as often as wished, in Kazakh too, and never
/// counted: the application's stage one and the stage records stay as they were.
#[tokio::test]
async fn the_practice_test_is_never_counted() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let iin = valid_iin("870202", 4, 21);
    let api = register(&server.base, "practice@school.kz", &iin).await?;
    let r = api
        .post(
            "/api/v1/campaigns/demo-2026/applications",
            &application("demo-2026", &iin, "practice@school.kz"),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let before = api.get("/api/v1/me/applications").await?.body;
    let dash_before = api.get("/api/v1/dashboard").await?.body["stages"].clone();
    // No seat, yet the practice test starts, in Kazakh.
    let r = api
        .post("/api/v1/practice", &json!({"language": "kk"}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let first = r.body["id"].as_str().unwrap_or_default().to_string();
    // Eleven sample items of all seven types.
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(11));
    let kinds: std::collections::BTreeSet<String> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["kind"].as_str().map(str::to_string))
        .collect();
    assert_eq!(kinds.len(), 7, "{kinds:?}");
    assert_eq!(r.body["language"], "kk");
    let stem = r.body["items"][0]["stem"].to_string();
    assert!(
        stem.chars().any(|c| "әғқңөұүһі".contains(c)),
        "a Kazakh text: {stem}"
    );
    // Resumed while running, replaced once finished.
    let again = api
        .post("/api/v1/practice", &json!({"language": "kk"}))
        .await?;
    assert_eq!(again.body["id"], first.as_str());
    let right = server.right_answers(&first).await?;
    for (seq, item) in item_ids(&r.body).iter().enumerate() {
        let s = api
            .put(
                &format!("/api/v1/attempts/{first}/responses/{item}"),
                &json!({"seq": seq as i64 + 1, "answer": right[item]}),
            )
            .await?;
        assert_eq!(s.status, 200, "{}", s.text);
    }
    let result = api
        .post(&format!("/api/v1/attempts/{first}/submit"), &json!({}))
        .await?;
    assert_eq!(result.status, 200, "{}", result.text);
    assert_eq!(result.body["passed"], true, "{}", result.text);
    assert_eq!(
        api.get("/api/v1/me/applications").await?.body,
        before,
        "the application is untouched"
    );
    assert_eq!(
        api.get("/api/v1/dashboard").await?.body["stages"],
        dash_before,
        "no stage is recorded"
    );
    let r = api
        .post("/api/v1/practice", &json!({"language": "ru"}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_ne!(r.body["id"], first.as_str(), "a new practice attempt");
    // The real test still needs a seat; staff cannot start a practice attempt.
    let r = api
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    assert_eq!(
        admin
            .post("/api/v1/practice", &json!({"language": "ru"}))
            .await?
            .status,
        403
    );
    Ok(())
}

/// When the connection comes back, the answers waiting in the page's outbox can reach the
/// server before the next heartbeat: the gap is measured on that save, once.
#[tokio::test]
async fn a_save_after_a_silence_is_measured_too() -> anyhow::Result<()> {
    let server = TestServer::start_with(Db::from_env(), &FAST).await?;
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    let proctor = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;
    let id = sitting(&server, &admin, false).await?;
    let a = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let (attempt, d0) = start(&a).await?;
    let view = a.get(&format!("/api/v1/attempts/{attempt}")).await?.body;
    let first = view["items"][0]["item_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let signals = format!("/api/v1/attempts/{attempt}/signals");
    a.post(&signals, &json!({})).await?;
    tokio::time::sleep(Duration::from_millis(2_600)).await;
    let save = a
        .put(
            &format!("/api/v1/attempts/{attempt}/responses/{first}"),
            &json!({"seq": 1, "choice": 0}),
        )
        .await?;
    assert_eq!(save.status, 200, "{}", save.text);
    let ack = a.post(&signals, &json!({})).await?.body;
    assert_eq!(
        ack["requested_ms"], 0,
        "measured on the save already: {ack}"
    );
    let list = proctor
        .get(&format!("/api/v1/sittings/{id}/credit-requests"))
        .await?
        .body;
    let mine = requests_of(&list, &attempt);
    assert_eq!(mine.len(), 1, "{list}");
    assert!(mine[0]["gap_ms"].as_i64().unwrap_or(0) >= 2_500, "{list}");
    assert_eq!(
        deadline(&a, &attempt).await?,
        d0,
        "nothing credited by itself"
    );
    Ok(())
}
