//! The counters and latency histograms behind `/metrics` (served, with liveness and
//! readiness, by `http::ops`).
//!
//! The text format is written by hand: a few counters, one histogram per route, and gauges
//! read at scrape time (active attempts, the database pool, whether this instance leads the
//! auto-submit sweep).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
pub struct Metrics {
    /// `(route, method, status)` -> requests.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// `(route, method)` -> latency.
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
    pub saves_applied: AtomicU64,
    pub saves_refused: AtomicU64,
    pub logins: AtomicU64,
    pub sweep_leader: AtomicBool,
    pub in_flight: AtomicU64,
}

impl Metrics {
    pub(crate) fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((route.to_string(), method.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let h = l
                .entry((route.to_string(), method.to_string()))
                .or_default();
            for (i, b) in BUCKETS.iter().enumerate() {
                if seconds <= *b {
                    h.counts[i] += 1;
                }
            }
            h.sum += seconds;
            h.count += 1;
        }
    }

    /// The Prometheus text exposition of everything counted, plus the given gauges.
    pub fn render(&self, gauges: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP qabilet_http_requests_total HTTP requests by route, method and status.\n\
             # TYPE qabilet_http_requests_total counter"
        );
        if let Ok(r) = self.requests.lock() {
            for ((route, method, status), n) in r.iter() {
                let _ = writeln!(
                    out,
                    "qabilet_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP qabilet_http_request_duration_seconds Time to the response head, by route.\n\
             # TYPE qabilet_http_request_duration_seconds histogram"
        );
        if let Ok(l) = self.latency.lock() {
            for ((route, method), h) in l.iter() {
                let labels = format!("route=\"{route}\",method=\"{method}\"");
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "qabilet_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "qabilet_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n\
                     qabilet_http_request_duration_seconds_sum{{{labels}}} {}\n\
                     qabilet_http_request_duration_seconds_count{{{labels}}} {}",
                    h.count, h.sum, h.count
                );
            }
        }
        let counters = [
            (
                "qabilet_saves_total",
                "Answers saved and acknowledged (rate() gives saves per second).",
                self.saves_applied.load(Ordering::Relaxed),
            ),
            (
                "qabilet_saves_refused_total",
                "Saves refused (closed, paused, superseded, stale, invalid).",
                self.saves_refused.load(Ordering::Relaxed),
            ),
            (
                "qabilet_logins_total",
                "Successful sign-ins.",
                self.logins.load(Ordering::Relaxed),
            ),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}"
            );
        }
        let mut all: Vec<(&str, &str, f64)> = vec![
            (
                "qabilet_requests_in_flight",
                "Requests being handled now.",
                self.in_flight.load(Ordering::Relaxed) as f64,
            ),
            (
                "qabilet_sweep_leader",
                "1 if this instance runs the auto-submit sweep.",
                if self.sweep_leader.load(Ordering::Relaxed) {
                    1.0
                } else {
                    0.0
                },
            ),
        ];
        all.extend_from_slice(gauges);
        for (name, help, v) in all {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_has_counters_buckets_and_gauges() {
        let m = Metrics::default();
        m.observe("/api/v1/attempts/{id}", "GET", 200, 0.003);
        m.observe("/api/v1/attempts/{id}", "GET", 200, 0.2);
        m.saves_applied.fetch_add(5, Ordering::Relaxed);
        let text = m.render(&[("qabilet_active_attempts", "x", 7.0)]);
        assert!(text.contains(
            "qabilet_http_requests_total{route=\"/api/v1/attempts/{id}\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"0.25\"} 2"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("qabilet_saves_total 5"));
        assert!(text.contains("qabilet_active_attempts 7"));
    }
}
