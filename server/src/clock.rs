//! The one source of time, so tests can move it.

use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        system_now_ms()
    }
}

/// The system's time in milliseconds since the Unix epoch (for commands that run without
/// `Services`; inside them, `Services::now` reads the serving clock).
pub fn system_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A clock that tests set and advance by hand.
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start_ms: i64) -> Self {
        Self(AtomicI64::new(start_ms))
    }
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The system clock moved by a fixed offset: `QABILET_TEST_CLOCK_OFFSET_MS` makes a restarted
/// server live as if that much more time had passed (tests of outages measured in minutes,
/// without waiting for them). Never set in production.
pub struct OffsetClock(pub i64);

impl Clock for OffsetClock {
    fn now_ms(&self) -> i64 {
        system_now_ms() + self.0
    }
}

/// The clock `serve` uses: the system's, or shifted by `QABILET_TEST_CLOCK_OFFSET_MS`.
pub fn serving_clock() -> std::sync::Arc<dyn Clock> {
    match std::env::var("QABILET_TEST_CLOCK_OFFSET_MS")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        Some(offset) if offset != 0 => {
            tracing::warn!(
                offset_ms = offset,
                "QABILET_TEST_CLOCK_OFFSET_MS is set: the server's clock is shifted (tests only)"
            );
            std::sync::Arc::new(OffsetClock(offset))
        }
        _ => std::sync::Arc::new(SystemClock),
    }
}
