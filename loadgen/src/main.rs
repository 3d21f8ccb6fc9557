//! Simulated applicants against running Qabilet servers, through the REST API, doing the whole
//! path: sign in, start the attempt, read it, save answers with think time, send heartbeats,
//! submit. Reports throughput and latency percentiles per operation, and every error.
//!
//! The accounts must exist: `qabilet user add-many --role applicant --prefix load --sitting demo-open --count N
//! --password-stdin`.
//!
//! ```text
//! cargo run -p loadgen --release -- --applicants 10000 --duration 120s --save-every 10 \
//!     --heartbeat-every 15 --ramp 60 --base http://127.0.0.1:3000
//! ```
//!
//! Several `--base` addresses (comma-separated) spread the applicants over several app
//! servers, as a load balancer would.

use anyhow::{Context, Result, bail};
use clap::Parser;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn seconds(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (n, unit) = match s.strip_suffix("ms") {
        Some(n) => (n, 0.001),
        None => match s.strip_suffix('s') {
            Some(n) => (n, 1.0),
            None => match s.strip_suffix('m') {
                Some(n) => (n, 60.0),
                None => (s, 1.0),
            },
        },
    };
    n.trim()
        .parse::<f64>()
        .map(|v| (v * unit * 1000.0).round() as u64)
        .map_err(|_| format!("{s:?} is not a duration (e.g. 120s, 2m, 500ms)"))
}

#[derive(Debug, Parser)]
#[command(about = "Qabilet load generator: simulated applicants doing the whole path")]
struct Args {
    /// Server base URL(s), comma-separated (applicants are spread over them).
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    base: String,
    /// Simulated applicants (accounts PREFIX-1@load.test ... PREFIX-N@load.test).
    #[arg(long, default_value_t = 100)]
    applicants: usize,
    /// How long everyone keeps working after the last one has started (120s, 2m...).
    #[arg(long, default_value = "30s", value_parser = seconds)]
    duration: u64,
    /// The starts are spread evenly over this window (0: all at once): the synchronised start.
    #[arg(long, default_value = "0s", value_parser = seconds)]
    ramp: u64,
    /// Sign in first, spread over this window, and start only after it (applicants waiting in
    /// the lobby before the sitting opens). Without it each applicant signs in at its start.
    #[arg(long, value_parser = seconds)]
    login_ramp: Option<u64>,
    /// One save per applicant this often (0: back to back, as fast as acknowledged).
    #[arg(long, default_value = "10s", value_parser = seconds)]
    save_every: u64,
    /// One heartbeat per applicant this often (0: none).
    #[arg(long, default_value = "15s", value_parser = seconds)]
    heartbeat_every: u64,
    #[arg(long, default_value = "load")]
    prefix: String,
    #[arg(long, default_value = "load-password-1")]
    password: String,
    /// Submit every attempt at the end.
    #[arg(long)]
    submit: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Default)]
struct Stats {
    /// `(phase, op)`: phase `all`, `start-up` (until every applicant has started) or `steady`.
    latencies_us: BTreeMap<(&'static str, &'static str), Vec<u64>>,
    errors: BTreeMap<String, u64>,
    /// Sign-ins told "busy, come back" (503 with Retry-After) and retried.
    busy_retries: u64,
    /// Applicants that have started their attempt.
    started: usize,
    /// Applicants that have started or given up trying.
    settled: usize,
    /// When the last applicant started.
    all_started_at: Option<Instant>,
}

type Shared = Arc<Mutex<Stats>>;

fn record(stats: &Shared, op: &'static str, started: Instant, ok: Result<(), String>) {
    let us = started.elapsed().as_micros() as u64;
    if let Ok(mut s) = stats.lock() {
        match ok {
            Ok(()) => {
                let phase = if s.all_started_at.is_some() {
                    "steady"
                } else {
                    "start-up"
                };
                s.latencies_us.entry((phase, op)).or_default().push(us);
                s.latencies_us.entry(("all", op)).or_default().push(us);
            }
            Err(e) => *s.errors.entry(format!("{op}: {e}")).or_default() += 1,
        }
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

async fn call(req: reqwest::RequestBuilder) -> Result<Value, String> {
    let res = req.send().await.map_err(|e| format!("transport: {e}"))?;
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        Ok(body)
    } else {
        Err(format!("HTTP {} {}", status.as_u16(), body["code"]))
    }
}

async fn timed(
    stats: &Shared,
    op: &'static str,
    req: reqwest::RequestBuilder,
) -> Result<Value, String> {
    let t = Instant::now();
    let r = call(req).await;
    record(stats, op, t, r.as_ref().map(|_| ()).map_err(Clone::clone));
    r
}

/// Counts an applicant as started (or as having given up); the last one starts the steady
/// phase.
fn settle(stats: &Shared, applicants: usize, started: bool) {
    if let Ok(mut s) = stats.lock() {
        s.settled += 1;
        if started {
            s.started += 1;
        }
        if s.settled == applicants {
            s.all_started_at = Some(Instant::now());
        }
    }
}

/// A cheap per-applicant pseudo-random offset in `0..range` (no shared RNG).
fn offset(n: usize, salt: u64, range: u64) -> u64 {
    if range == 0 {
        return 0;
    }
    let mut x = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    x % range
}

async fn applicant(
    n: usize,
    args: Arc<Args>,
    base: String,
    http: reqwest::Client,
    stats: Shared,
    begin: Instant,
) -> Result<u64> {
    let applicants = args.applicants;
    let settled = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let r = run_applicant(n, args, base, http, stats.clone(), begin, settled.clone()).await;
    if r.is_err() && !settled.load(std::sync::atomic::Ordering::SeqCst) {
        settle(&stats, applicants, false);
    }
    r
}

async fn run_applicant(
    n: usize,
    args: Arc<Args>,
    base: String,
    http: reqwest::Client,
    stats: Shared,
    begin: Instant,
    settled: Arc<std::sync::atomic::AtomicBool>,
) -> Result<u64> {
    // Applicant n's moment within a window of `ms`.
    let moment = |ms: u64| {
        Duration::from_millis(if args.applicants > 1 {
            ms * (n as u64 - 1) / (args.applicants as u64 - 1)
        } else {
            0
        })
    };
    let (login_at, start_at) = match args.login_ramp {
        Some(lr) => (
            begin + moment(lr),
            begin + Duration::from_millis(lr) + moment(args.ramp),
        ),
        None => (begin + moment(args.ramp), begin + moment(args.ramp)),
    };
    tokio::time::sleep_until(login_at.into()).await;
    let email = format!("{}-{n}@load.test", args.prefix);
    // A sign-in told the server is busy comes back after the time it is given, as the login
    // page does; the latency counts from the first try.
    let t = Instant::now();
    let login = loop {
        let res = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": email, "password": args.password}))
            .send()
            .await;
        if let Ok(r) = &res
            && r.status().as_u16() == 503
        {
            let wait = r
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(2);
            if let Ok(mut s) = stats.lock() {
                s.busy_retries += 1;
            }
            tokio::time::sleep(Duration::from_secs(wait)).await;
            continue;
        }
        let r = match res {
            Ok(r) => {
                let status = r.status();
                let body: Value = r.json().await.unwrap_or(Value::Null);
                if status.is_success() {
                    Ok(body)
                } else {
                    Err(format!("HTTP {} {}", status.as_u16(), body["code"]))
                }
            }
            Err(e) => Err(format!("transport: {e}")),
        };
        record(
            &stats,
            "login",
            t,
            r.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        break r;
    }
    .map_err(anyhow::Error::msg)?;
    let auth = format!("Bearer {}", login["token"].as_str().context("token")?);
    tokio::time::sleep_until(start_at.into()).await;

    let attempt = timed(
        &stats,
        "start",
        http.post(format!("{base}/api/v1/attempts"))
            .header("authorization", &auth)
            .json(&json!({"language": "ru"})),
    )
    .await
    .map_err(anyhow::Error::msg)?;
    let id = attempt["id"].as_str().context("id")?.to_string();
    settle(&stats, args.applicants, true);
    settled.store(true, std::sync::atomic::Ordering::SeqCst);
    // Reading the test (what the page does after a reload).
    let attempt = timed(
        &stats,
        "read",
        http.get(format!("{base}/api/v1/attempts/{id}"))
            .header("authorization", &auth),
    )
    .await
    .map_err(anyhow::Error::msg)?;
    let items: Vec<String> = attempt["items"]
        .as_array()
        .context("items")?
        .iter()
        .filter_map(|i| i["item_id"].as_str().map(str::to_string))
        .collect();
    if items.is_empty() {
        bail!("no items");
    }
    let mut seq = attempt["last_seq"].as_i64().unwrap_or(0);
    let mut saves = 0u64;
    // Saves and heartbeats on their own clocks, each started at a random point of its period.
    let now = Instant::now();
    let mut next_save = now + Duration::from_millis(offset(n, 1, args.save_every));
    let mut next_beat = if args.heartbeat_every > 0 {
        Some(now + Duration::from_millis(offset(n, 2, args.heartbeat_every)))
    } else {
        None
    };
    loop {
        let next = match next_beat {
            Some(b) if b < next_save => b,
            _ => next_save,
        };
        let stop_at = stats
            .lock()
            .ok()
            .and_then(|s| s.all_started_at)
            .map(|t| t + Duration::from_millis(args.duration));
        if stop_at.is_some_and(|s| next >= s) {
            break;
        }
        tokio::time::sleep_until(next.into()).await;
        if next_beat == Some(next) {
            let _ = timed(
                &stats,
                "heartbeat",
                http.post(format!("{base}/api/v1/attempts/{id}/signals"))
                    .header("authorization", &auth)
                    .json(&json!({"events": []})),
            )
            .await;
            next_beat = Some(next + Duration::from_millis(args.heartbeat_every));
            continue;
        }
        seq += 1;
        let item = &items[(seq as usize) % items.len()];
        let r = timed(
            &stats,
            "save",
            http.put(format!("{base}/api/v1/attempts/{id}/responses/{item}"))
                .header("authorization", &auth)
                .json(&json!({"seq": seq, "choice": seq % 4})),
        )
        .await;
        if r.is_ok() {
            saves += 1;
        }
        next_save = if args.save_every == 0 {
            Instant::now()
        } else {
            next_save + Duration::from_millis(args.save_every)
        };
    }
    if args.submit {
        let _ = timed(
            &stats,
            "submit",
            http.post(format!("{base}/api/v1/attempts/{id}/submit"))
                .header("authorization", &auth),
        )
        .await;
    }
    Ok(saves)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Arc::new(Args::parse());
    let bases: Vec<String> = args
        .base
        .split(',')
        .map(|b| b.trim().trim_end_matches('/').to_string())
        .filter(|b| !b.is_empty())
        .collect();
    if bases.is_empty() {
        bail!("give at least one --base");
    }
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1024)
        .timeout(Duration::from_secs(120))
        .build()?;
    let stats: Shared = Arc::new(Mutex::new(Stats::default()));
    let begin = Instant::now();
    let mut tasks = Vec::with_capacity(args.applicants);
    for n in 1..=args.applicants {
        tasks.push(tokio::spawn(applicant(
            n,
            args.clone(),
            bases[n % bases.len()].clone(),
            http.clone(),
            stats.clone(),
            begin,
        )));
    }
    let mut failed = 0;
    for t in tasks {
        match t.await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                failed += 1;
                if failed <= 3 {
                    eprintln!("an applicant stopped: {e:#}");
                }
            }
            Err(e) => eprintln!("task: {e}"),
        }
    }
    let elapsed = begin.elapsed().as_secs_f64();
    let mut stats = stats
        .lock()
        .map_err(|_| anyhow::anyhow!("stats lock poisoned"))?;
    let started = stats.started;
    let start_window = stats
        .all_started_at
        .map(|t| t.duration_since(begin).as_secs_f64());
    // How long the starts took from the moment they were meant to begin.
    let login_ramp_s = args.login_ramp.map_or(0.0, |l| l as f64 / 1000.0);
    let starts_took = start_window.map(|w| w - login_ramp_s);
    let steady_seconds = stats
        .all_started_at
        .map(|t| elapsed - t.duration_since(begin).as_secs_f64());
    let mut report = json!({
        "applicants": args.applicants, "bases": bases, "seconds": elapsed,
        "ramp_s": args.ramp as f64 / 1000.0,
        "login_ramp_s": args.login_ramp.map(|l| l as f64 / 1000.0), "save_every_s": args.save_every as f64 / 1000.0,
        "heartbeat_every_s": args.heartbeat_every as f64 / 1000.0,
        "started": started, "stopped_early": failed, "all_started_after_s": start_window,
        "steady_seconds": steady_seconds, "starts_took_s": starts_took, "busy_retries": stats.busy_retries,
        "ops": {}, "errors": {},
    });
    for ((phase, op), lat) in stats.latencies_us.iter_mut() {
        lat.sort_unstable();
        let seconds = match *phase {
            "steady" => steady_seconds.unwrap_or(elapsed),
            "start-up" => start_window.unwrap_or(elapsed),
            _ => elapsed,
        };
        report["ops"][format!("{phase}/{op}")] = json!({
            "count": lat.len(),
            "per_second": lat.len() as f64 / seconds.max(0.001),
            "p50_ms": percentile(lat, 50.0),
            "p95_ms": percentile(lat, 95.0),
            "p99_ms": percentile(lat, 99.0),
            "max_ms": percentile(lat, 100.0),
        });
    }
    for (e, n) in &stats.errors {
        report["errors"][e] = json!(n);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} applicants on {} server(s), {:.1} s (ramp {:.0} s), a save every {:.1} s, a heartbeat every {:.1} s; {} started, {} stopped early",
            args.applicants,
            bases.len(),
            elapsed,
            args.ramp as f64 / 1000.0,
            args.save_every as f64 / 1000.0,
            args.heartbeat_every as f64 / 1000.0,
            started,
            failed
        );
        println!(
            "all started after {} s ({} s after the starts began); steady phase {} s; sign-ins told busy and retried: {}",
            start_window.map_or("-".into(), |s| format!("{s:.1}")),
            starts_took.map_or("-".into(), |s| format!("{s:.1}")),
            steady_seconds.map_or("-".into(), |s| format!("{s:.1}")),
            stats.busy_retries
        );
        println!(
            "{:<20} {:>8} {:>10} {:>9} {:>9} {:>9} {:>9}",
            "phase/op", "count", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms"
        );
        if let Some(ops) = report["ops"].as_object() {
            for (op, v) in ops {
                println!(
                    "{:<20} {:>8} {:>10.1} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                    op,
                    v["count"],
                    v["per_second"].as_f64().unwrap_or(0.0),
                    v["p50_ms"].as_f64().unwrap_or(0.0),
                    v["p95_ms"].as_f64().unwrap_or(0.0),
                    v["p99_ms"].as_f64().unwrap_or(0.0),
                    v["max_ms"].as_f64().unwrap_or(0.0)
                );
            }
        }
        let total: u64 = stats.errors.values().sum();
        println!("errors: {total}");
        for (e, n) in &stats.errors {
            println!("  {n} x {e}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_or_without_a_unit() {
        assert_eq!(seconds("120s"), Ok(120_000));
        assert_eq!(seconds("2m"), Ok(120_000));
        assert_eq!(seconds("500ms"), Ok(500));
        assert_eq!(seconds("15"), Ok(15_000));
        assert!(seconds("soon").is_err());
    }

    #[test]
    fn offsets_spread_within_the_period() {
        let xs: Vec<u64> = (1..1000).map(|n| offset(n, 1, 10_000)).collect();
        assert!(xs.iter().all(|x| *x < 10_000));
        assert!(xs.iter().filter(|x| **x < 5_000).count() > 400);
    }
}
