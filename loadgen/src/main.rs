//! Simulated applicants against a running Qabilet server, through the REST API: sign in, start
//! the attempt, read it, save answers (with think time), submit. Reports throughput and latency
//! percentiles per operation, and errors.
//!
//! The accounts must exist: `qabilet user add-many --prefix load --count N --password P`.
//!
//! ```text
//! cargo run -p loadgen --release -- --base http://127.0.0.1:3000 --applicants 200 \
//!     --duration 30 --think-ms 0 --prefix load --password load-password-1
//! ```

use anyhow::{Context, Result, bail};
use clap::Parser;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Debug, Parser)]
#[command(about = "Qabilet load generator")]
struct Args {
    /// Server base URL.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    base: String,
    /// Simulated applicants (accounts PREFIX-1@load.test ... PREFIX-N@load.test).
    #[arg(long, default_value_t = 100)]
    applicants: usize,
    /// Seconds of saving after everyone has started.
    #[arg(long, default_value_t = 30)]
    duration: u64,
    /// Pause between one applicant's saves, in milliseconds (0: as fast as acknowledged).
    #[arg(long, default_value_t = 0)]
    think_ms: u64,
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
    latencies_us: BTreeMap<&'static str, Vec<u64>>,
    errors: BTreeMap<String, u64>,
}

impl Stats {
    fn record(&mut self, op: &'static str, started: Instant, ok: Result<(), String>) {
        match ok {
            Ok(()) => self
                .latencies_us
                .entry(op)
                .or_default()
                .push(started.elapsed().as_micros() as u64),
            Err(e) => *self.errors.entry(format!("{op}: {e}")).or_default() += 1,
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

async fn call(http: &reqwest::Client, req: reqwest::RequestBuilder) -> Result<Value, String> {
    let _ = http;
    let res = req.send().await.map_err(|e| format!("transport: {e}"))?;
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        Ok(body)
    } else {
        Err(format!("HTTP {} {}", status.as_u16(), body["code"]))
    }
}

async fn applicant(
    n: usize,
    args: Arc<Args>,
    http: reqwest::Client,
    stats: Arc<Mutex<Stats>>,
    stop_at: Instant,
) -> Result<u64> {
    let base = &args.base;
    let email = format!("{}-{n}@load.test", args.prefix);
    let t = Instant::now();
    let login = call(
        &http,
        http.post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": email, "password": args.password})),
    )
    .await;
    stats
        .lock()
        .await
        .record("login", t, login.as_ref().map(|_| ()).map_err(Clone::clone));
    let token = login.map_err(anyhow::Error::msg)?["token"]
        .as_str()
        .context("token")?
        .to_string();
    let auth = format!("Bearer {token}");

    let t = Instant::now();
    let attempt = call(
        &http,
        http.post(format!("{base}/api/v1/attempts"))
            .header("authorization", &auth)
            .json(&json!({"language": "ru"})),
    )
    .await;
    stats.lock().await.record(
        "start",
        t,
        attempt.as_ref().map(|_| ()).map_err(Clone::clone),
    );
    let attempt = attempt.map_err(anyhow::Error::msg)?;
    let id = attempt["id"].as_str().context("id")?.to_string();
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
    while Instant::now() < stop_at {
        seq += 1;
        let item = &items[(seq as usize) % items.len()];
        let t = Instant::now();
        let r = call(
            &http,
            http.put(format!("{base}/api/v1/attempts/{id}/responses/{item}"))
                .header("authorization", &auth)
                .json(&json!({"seq": seq, "choice": seq % 4})),
        )
        .await;
        stats.lock().await.record("save", t, r.map(|_| ()));
        saves += 1;
        if args.think_ms > 0 {
            tokio::time::sleep(Duration::from_millis(args.think_ms)).await;
        }
    }
    if args.submit {
        let t = Instant::now();
        let r = call(
            &http,
            http.post(format!("{base}/api/v1/attempts/{id}/submit"))
                .header("authorization", &auth),
        )
        .await;
        stats.lock().await.record("submit", t, r.map(|_| ()));
    }
    Ok(saves)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Arc::new(Args::parse());
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.applicants.max(1))
        .timeout(Duration::from_secs(60))
        .build()?;
    let stats = Arc::new(Mutex::new(Stats::default()));
    let started = Instant::now();
    let stop_at = started + Duration::from_secs(args.duration);
    let mut tasks = Vec::with_capacity(args.applicants);
    for n in 1..=args.applicants {
        tasks.push(tokio::spawn(applicant(
            n,
            args.clone(),
            http.clone(),
            stats.clone(),
            stop_at,
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
    let elapsed = started.elapsed().as_secs_f64();
    let mut stats = stats.lock().await;
    let mut report = json!({"applicants": args.applicants, "seconds": elapsed, "think_ms": args.think_ms, "ops": {}, "errors": {}});
    for (op, lat) in stats.latencies_us.iter_mut() {
        lat.sort_unstable();
        report["ops"][*op] = json!({
            "count": lat.len(),
            "per_second": lat.len() as f64 / elapsed,
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
            "{} applicants, {:.1} s, think time {} ms",
            args.applicants, elapsed, args.think_ms
        );
        println!(
            "{:<8} {:>8} {:>10} {:>9} {:>9} {:>9} {:>9}",
            "op", "count", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms"
        );
        if let Some(ops) = report["ops"].as_object() {
            for (op, v) in ops {
                println!(
                    "{:<8} {:>8} {:>10.1} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
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
