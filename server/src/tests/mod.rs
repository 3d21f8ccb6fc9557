//! Service and router tests in process (see [`crate::testing`]): one module per area of
//! `services/`, each on its own fresh database with the demo data and a manual clock.

mod accounts;
mod attempts;
mod bank;
mod pipeline;
mod proctoring;
mod router;
mod staff;

use crate::testing::Harness;
use app::error::{AppError, ErrorCode};

/// The error's code, or a panic naming what succeeded instead.
fn code<T: std::fmt::Debug>(r: Result<T, AppError>) -> ErrorCode {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.code,
    }
}

/// A fresh harness: the tests below are small, so each builds its own.
async fn harness() -> Harness {
    Harness::new().await
}
