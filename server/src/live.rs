//! Live updates inside one server process: what happens to attempts is published on a
//! broadcast channel; proctors' feeds and applicants' pages subscribe to it (server-sent
//! events). Saves and heartbeats only *touch* an applicant (the feed re-reads the row a moment
//! later, coalescing bursts); events and notices are pushed at once.

use app::model::{AttemptEvent, AttemptNotice};
use std::sync::Arc;
use tokio::sync::broadcast;

#[derive(Debug, Clone)]
pub enum Live {
    /// An applicant's row in a sitting may have changed (an answer, a heartbeat...).
    Touch { sitting: String, user: String },
    /// Something happened to an attempt in a sitting.
    Event {
        sitting: String,
        user: String,
        attempt: String,
        event: AttemptEvent,
    },
    /// Something the applicant's page must show at once.
    Notice {
        attempt: String,
        notice: AttemptNotice,
    },
}

/// The in-process hub. (Several instances on one PostgreSQL need the same messages relayed
/// between them: that is the scale-out issue's LISTEN/NOTIFY.)
#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Live>>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(65_536);
        Self { tx }
    }

    pub fn publish(&self, message: Live) {
        // No subscriber is not an error: nobody is watching.
        let _ = self.tx.send(Arc::new(message));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Live>> {
        self.tx.subscribe()
    }
}
