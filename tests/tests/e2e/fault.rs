//! Never lose an acknowledged answer: 200 simulated applicants save answers, the server is
//! killed with SIGKILL in the middle, restarted on the same database, and every acknowledged
//! save must be there; attempts resume with the same deadline, and attempts whose deadline
//! passed while the server was down are closed and scored at start.

use qabilet_tests::*;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;

struct Applicant {
    api: Api,
    attempt: String,
    items: Vec<String>,
    deadline: i64,
}

/// `attempt -> item -> (seq, choice)` of every acknowledged save, the newest per item.
type Acks = Arc<Mutex<HashMap<String, HashMap<String, (i64, i64)>>>>;

async fn kill_9_in_the_middle(db: Db) -> anyhow::Result<()> {
    const N: usize = 200;
    let mut server = TestServer::start(db).await?;
    server.add_applicants("fault", N, "fault-password-1")?;

    let mut setups = Vec::new();
    for n in 1..=N {
        let base = server.base.clone();
        setups.push(tokio::spawn(async move {
            let api =
                Api::login(&base, &format!("fault-{n}@load.test"), "fault-password-1").await?;
            let a = api
                .post("/api/v1/attempts", &json!({"language": "en"}))
                .await?;
            anyhow::ensure!(a.status == 200, "start: {}", a.text);
            let items = item_ids(&a.body);
            Ok::<_, anyhow::Error>(Applicant {
                api,
                attempt: a.body["id"].as_str().unwrap_or_default().to_string(),
                items,
                deadline: a.body["deadline_ms"].as_i64().unwrap_or_default(),
            })
        }));
    }
    let mut applicants = Vec::new();
    for s in setups {
        applicants.push(s.await??);
    }
    let applicants = Arc::new(applicants);

    let acks: Acks = Arc::default();
    let acked = Arc::new(AtomicUsize::new(0));
    let mut savers = Vec::new();
    for k in 0..applicants.len() {
        let (applicants, acks, acked) = (applicants.clone(), acks.clone(), acked.clone());
        savers.push(tokio::spawn(async move {
            let a = &applicants[k];
            for seq in 1i64.. {
                let item = &a.items[(seq as usize * 7 + k) % a.items.len()];
                let choice = (seq + k as i64) % 4;
                let r = a
                    .api
                    .put(
                        &format!("/api/v1/attempts/{}/responses/{item}", a.attempt),
                        &json!({"seq": seq, "choice": choice}),
                    )
                    .await;
                match r {
                    Ok(r) if r.status == 200 => {
                        acks.lock()
                            .await
                            .entry(a.attempt.clone())
                            .or_default()
                            .insert(item.clone(), (seq, choice));
                        acked.fetch_add(1, Ordering::SeqCst);
                    }
                    // The server is gone: whatever was not acknowledged may or may not be stored.
                    _ => break,
                }
            }
        }));
    }
    // Kill the server in the middle of the stream of saves.
    while acked.load(Ordering::SeqCst) < 3_000 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill();
    for s in savers {
        let _ = s.await;
    }
    let acks = acks.lock().await.clone();
    let total: usize = acks.values().map(HashMap::len).sum();
    assert!(acked.load(Ordering::SeqCst) >= 3_000 && total > 0);

    // While the server is down, time passes for 20 attempts: their deadline (plus grace) is over.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let overdue: Vec<String> = applicants
        .iter()
        .take(20)
        .map(|a| a.attempt.clone())
        .collect();
    {
        let mut c = server.sql().await?;
        for id in &overdue {
            sqlx::query("UPDATE attempts SET deadline = $1 WHERE id = $2")
                .bind(now - 10 * 60_000)
                .bind(id)
                .execute(&mut c)
                .await?;
        }
    }

    server.spawn().await?;
    let mut lost = 0;
    for a in applicants.iter() {
        let mut api = a.api.clone();
        api.base = server.base.clone();
        let view = api.get(&format!("/api/v1/attempts/{}", a.attempt)).await?;
        assert_eq!(view.status, 200, "{}", view.text);
        let stored: HashMap<String, (i64, Option<i64>)> = view.body["answers"]
            .as_array()
            .map(|v| {
                v.iter()
                    .map(|r| {
                        let id = r["item_id"].as_str().unwrap_or_default().to_string();
                        (id, (r["seq"].as_i64().unwrap_or(-1), r["choice"].as_i64()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (item, (seq, choice)) in acks.get(&a.attempt).into_iter().flatten() {
            match stored.get(item) {
                Some((s, _)) if s > seq => {}
                Some((s, c)) if s == seq && *c == Some(*choice) => {}
                other => {
                    lost += 1;
                    eprintln!(
                        "lost: attempt {} item {item} acked seq {seq} choice {choice}, stored {other:?}",
                        a.attempt
                    );
                }
            }
        }
        if overdue.contains(&a.attempt) {
            assert_eq!(
                view.body["status"], "expired",
                "closed by the recovery sweep at start"
            );
            let result = api
                .get(&format!("/api/v1/attempts/{}/result", a.attempt))
                .await?;
            assert_eq!(result.status, 200);
            assert_eq!(
                result.body["answered"].as_u64(),
                Some(stored.values().filter(|v| v.1.is_some()).count() as u64)
            );
        } else {
            assert_eq!(view.body["status"], "in_progress");
            assert_eq!(
                view.body["deadline_ms"].as_i64(),
                Some(a.deadline),
                "the same deadline after the restart"
            );
            let left = a.deadline - view.body["server_now_ms"].as_i64().unwrap_or(0);
            assert!(
                left > 30 * 60_000 && left <= 40 * 60_000,
                "remaining time {left} ms"
            );
        }
    }
    eprintln!(
        "kill -9 test ({db:?}): {} acknowledged saves, {total} distinct acknowledged answers, {lost} lost",
        acked.load(Ordering::SeqCst)
    );
    assert_eq!(lost, 0, "acknowledged answers were lost");
    Ok(())
}

#[tokio::test]
async fn no_acknowledged_save_is_lost_to_kill_9_on_sqlite() -> anyhow::Result<()> {
    kill_9_in_the_middle(Db::Sqlite).await
}

#[tokio::test]
async fn no_acknowledged_save_is_lost_to_kill_9_on_postgres() -> anyhow::Result<()> {
    kill_9_in_the_middle(Db::Postgres).await
}
