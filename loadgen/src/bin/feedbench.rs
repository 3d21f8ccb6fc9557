//! The proctor's live feed under load: one sitting of N simulated applicants, each saving an
//! answer every `--save-ms` and sending a heartbeat every 15 s, and one integrity signal every
//! `--probe-ms` carrying its send time; a proctor connected to the sitting's feed measures
//! the delay from each signal's sending to its arrival in the feed.
//!
//! ```text
//! qabilet user add-many --role applicant --prefix feed --count 500 --password-stdin <<< feed-password-1
//! cargo run -p loadgen --release --bin feedbench -- --applicants 500 --duration 60
//! ```

use anyhow::{Context, Result, bail};
use clap::Parser;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::Mutex;

#[derive(Debug, Parser)]
#[command(about = "Delay of integrity events to the proctor's live feed, under load")]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    base: String,
    #[arg(long, default_value_t = 500)]
    applicants: usize,
    /// Seconds of load after everyone has started.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    #[arg(long, default_value_t = 10_000)]
    save_ms: u64,
    #[arg(long, default_value_t = 10_000)]
    probe_ms: u64,
    #[arg(long, default_value = "feed")]
    prefix: String,
    #[arg(long, default_value = "feed-password-1")]
    password: String,
    #[arg(long, default_value = "admin@demo.kz")]
    admin: String,
    #[arg(long, default_value = "demo-admin-1")]
    admin_password: String,
    #[arg(long, default_value = "proctor@demo.kz")]
    proctor: String,
    #[arg(long, default_value = "demo-proctor")]
    proctor_password: String,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

async fn login(http: &reqwest::Client, base: &str, email: &str, password: &str) -> Result<String> {
    let r = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await?;
    let body: Value = r.json().await?;
    body["token"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("login {email}: {body}"))
}

async fn post(
    http: &reqwest::Client,
    url: String,
    token: &str,
    body: Value,
) -> Result<Value, String> {
    let r = http
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("transport: {e}"))?;
    let ok = r.status().is_success();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    if ok {
        Ok(v)
    } else {
        Err(v["code"].as_str().unwrap_or("error").to_string())
    }
}

fn pct(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[(((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize).min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.applicants + 10)
        .timeout(Duration::from_secs(60))
        .build()?;
    let base = args.base.trim_end_matches('/').to_string();

    // The sitting: the active test, open now, this proctor, these applicants.
    let admin = login(&http, &base, &args.admin, &args.admin_password).await?;
    let dash: Value = http
        .get(format!("{base}/api/v1/blueprints"))
        .bearer_auth(&admin)
        .send()
        .await?
        .json()
        .await?;
    let blueprint = dash
        .as_array()
        .and_then(|v| v.iter().find(|b| b["active"] == true))
        .and_then(|b| b["id"].as_str())
        .context("no active blueprint")?
        .to_string();
    let now = now_ms();
    let sitting = post(
        &http,
        format!("{base}/api/v1/sittings"),
        &admin,
        json!({
        "name": format!("feedbench {now}"), "blueprint_id": blueprint, "region": "Bench",
        "mode": "online", "opens_ms": now - 60_000, "closes_ms": now + 7_200_000}),
    )
    .await
    .map_err(anyhow::Error::msg)?;
    let sitting = sitting["id"].as_str().context("sitting id")?.to_string();
    post(
        &http,
        format!("{base}/api/v1/sittings/{sitting}/proctors"),
        &admin,
        json!({"text": args.proctor}),
    )
    .await
    .map_err(anyhow::Error::msg)?;
    let emails: Vec<String> = (1..=args.applicants)
        .map(|n| format!("{}-{n}@load.test", args.prefix))
        .collect();
    let r = post(
        &http,
        format!("{base}/api/v1/sittings/{sitting}/applicants"),
        &admin,
        json!({"text": emails.join("\n")}),
    )
    .await
    .map_err(anyhow::Error::msg)?;
    if r["errors"].as_array().is_some_and(|e| !e.is_empty()) {
        bail!("assigning applicants: {}", r["errors"]);
    }

    // The proctor's feed.
    let proctor = login(&http, &base, &args.proctor, &args.proctor_password).await?;
    let delays = Arc::new(Mutex::new(Vec::<i64>::new()));
    let rows_seen = Arc::new(AtomicU64::new(0));
    let mut feed = http
        .get(format!("{base}/api/v1/sittings/{sitting}/feed"))
        .bearer_auth(&proctor)
        .timeout(Duration::from_secs(args.duration + 3_600))
        .send()
        .await?;
    {
        let delays = delays.clone();
        let rows_seen = rows_seen.clone();
        tokio::spawn(async move {
            let mut buf = String::new();
            while let Ok(Some(chunk)) = feed.chunk().await {
                let arrived = now_ms();
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let message: String = buf.drain(..end + 2).collect();
                    for line in message.lines() {
                        let Some(data) = line.strip_prefix("data:") else {
                            continue;
                        };
                        let Ok(v) = serde_json::from_str::<Value>(data.trim()) else {
                            continue;
                        };
                        match v["type"].as_str() {
                            Some("event") => {
                                if let Some(sent) = v["event"]["detail"]["probe"]
                                    .as_str()
                                    .and_then(|p| p.parse::<i64>().ok())
                                {
                                    delays.lock().await.push(arrived - sent);
                                }
                            }
                            Some("row") => {
                                rows_seen.fetch_add(1, Ordering::Relaxed);
                            }
                            _ => {}
                        }
                    }
                }
            }
        });
    }

    // Applicants sign in and start (bounded concurrency: sign-in is deliberately slow).
    eprintln!("{} applicants signing in and starting...", args.applicants);
    let started = Instant::now();
    let sem = Arc::new(tokio::sync::Semaphore::new(32));
    let mut joins = Vec::new();
    for email in emails {
        let http = http.clone();
        let base = base.clone();
        let password = args.password.clone();
        let sem = sem.clone();
        joins.push(tokio::spawn(async move {
            let _permit = sem.acquire().await.ok()?;
            let token = login(&http, &base, &email, &password).await.ok()?;
            let a = post(
                &http,
                format!("{base}/api/v1/attempts"),
                &token,
                json!({"language": "ru"}),
            )
            .await
            .ok()?;
            let id = a["id"].as_str()?.to_string();
            let items: Vec<String> = a["items"]
                .as_array()?
                .iter()
                .filter_map(|i| i["item_id"].as_str().map(str::to_string))
                .collect();
            Some((token, id, items))
        }));
    }
    let mut applicants = Vec::new();
    for j in joins {
        if let Ok(Some(a)) = j.await {
            applicants.push(a);
        }
    }
    eprintln!(
        "{} started in {:.1} s",
        applicants.len(),
        started.elapsed().as_secs_f64()
    );

    let saves = Arc::new(AtomicU64::new(0));
    let beats = Arc::new(AtomicU64::new(0));
    let probes = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(Mutex::new(std::collections::BTreeMap::<String, u64>::new()));
    let end = Instant::now() + Duration::from_secs(args.duration);
    let mut joins = Vec::new();
    for (n, (token, id, items)) in applicants.into_iter().enumerate() {
        let http = http.clone();
        let base = base.clone();
        let (saves, beats, probes, errors) =
            (saves.clone(), beats.clone(), probes.clone(), errors.clone());
        let (save_ms, probe_ms) = (args.save_ms, args.probe_ms);
        let count = args.applicants.max(1) as u64;
        joins.push(tokio::spawn(async move {
            // Stagger the applicants over the intervals.
            let offset = |period: u64| Duration::from_millis(period * n as u64 / count);
            let mut next_save = Instant::now() + offset(save_ms);
            let mut next_beat = Instant::now() + offset(15_000);
            let mut next_probe = Instant::now() + offset(probe_ms);
            let mut seq = 1_000_000_i64 * (now_ms() / 1000 % 1000);
            while Instant::now() < end {
                let next = next_save.min(next_beat).min(next_probe);
                tokio::time::sleep_until(next.into()).await;
                let now = Instant::now();
                let outcome = if now >= next_save {
                    next_save += Duration::from_millis(save_ms);
                    seq += 1;
                    let item = &items[(seq as usize) % items.len().max(1)];
                    let r = http
                        .put(format!("{base}/api/v1/attempts/{id}/responses/{item}"))
                        .bearer_auth(&token)
                        .json(&json!({"seq": seq, "choice": seq % 4}))
                        .send()
                        .await;
                    saves.fetch_add(1, Ordering::Relaxed);
                    match r {
                        Ok(r) if r.status().is_success() => Ok(Value::Null),
                        Ok(r) => Err(format!("save {}", r.status())),
                        Err(e) => Err(format!("save transport: {e}")),
                    }
                } else if now >= next_probe {
                    next_probe += Duration::from_millis(probe_ms);
                    probes.fetch_add(1, Ordering::Relaxed);
                    post(
                        &http,
                        format!("{base}/api/v1/attempts/{id}/signals"),
                        &token,
                        json!({"events": ["window_blur"], "probe": now_ms().to_string()}),
                    )
                    .await
                } else {
                    next_beat += Duration::from_secs(15);
                    beats.fetch_add(1, Ordering::Relaxed);
                    post(
                        &http,
                        format!("{base}/api/v1/attempts/{id}/signals"),
                        &token,
                        json!({}),
                    )
                    .await
                };
                if let Err(e) = outcome {
                    *errors.lock().await.entry(e).or_default() += 1;
                }
            }
        }));
    }
    for j in joins {
        let _ = j.await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut d = delays.lock().await.clone();
    d.sort_unstable();
    let report = json!({
        "applicants": args.applicants,
        "duration_s": args.duration,
        "saves": saves.load(Ordering::Relaxed),
        "heartbeats": beats.load(Ordering::Relaxed),
        "probes_sent": probes.load(Ordering::Relaxed),
        "probes_in_feed": d.len(),
        "rows_pushed": rows_seen.load(Ordering::Relaxed),
        "delay_ms": {"p50": pct(&d, 50.0), "p95": pct(&d, 95.0), "p99": pct(&d, 99.0), "max": d.last().copied().unwrap_or(0)},
        "errors": *errors.lock().await,
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
