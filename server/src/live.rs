//! Live updates: what happens to attempts is published on a broadcast channel; proctors' feeds
//! and applicants' pages subscribe to it (server-sent events). Saves and heartbeats only *touch*
//! an applicant (the feed re-reads the row a moment later, coalescing bursts); events and
//! notices are pushed at once.
//!
//! With several app servers on one PostgreSQL, every message is also relayed to the others
//! through `LISTEN/NOTIFY` ([`start_pg_relay`]): messages are batched for up to 100 ms, touches
//! deduplicated within a batch, and each batch is sent as one or more notifications (below
//! PostgreSQL's 8,000-byte payload limit) tagged with the sending instance, which ignores its
//! own.

use app::model::{AttemptEvent, AttemptNotice};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
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

/// The PostgreSQL channel the instances share.
pub const CHANNEL: &str = "qabilet_live";
/// Notification payloads stay below PostgreSQL's limit (8,000 bytes).
const MAX_PAYLOAD: usize = 7_000;

/// The hub of one process, and (with PostgreSQL) its relay to the other instances.
#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Live>>,
    relay: Arc<OnceLock<mpsc::UnboundedSender<Live>>>,
    /// This process, as the relay names it.
    pub origin: Arc<str>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

/// A batch on the wire.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    origin: String,
    msgs: Vec<Live>,
}

impl Hub {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(65_536);
        Self {
            tx,
            relay: Arc::new(OnceLock::new()),
            origin: uuid::Uuid::new_v4().simple().to_string().into(),
        }
    }

    /// Publishes here and, when a relay runs, to the other instances.
    pub fn publish(&self, message: Live) {
        if let Some(relay) = self.relay.get() {
            let _ = relay.send(message.clone());
        }
        self.publish_local(message);
    }

    /// Publishes to this process's subscribers only (what the relay received).
    pub fn publish_local(&self, message: Live) {
        // No subscriber is not an error: nobody is watching.
        let _ = self.tx.send(Arc::new(message));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Live>> {
        self.tx.subscribe()
    }
}

/// Splits a batch into payloads below the size limit (touches deduplicated).
fn payloads(origin: &str, batch: Vec<Live>) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut current: Vec<Live> = Vec::new();
    let mut size = 0;
    for m in batch {
        if let Live::Touch { sitting, user } = &m
            && !seen.insert((sitting.clone(), user.clone()))
        {
            continue;
        }
        let len = serde_json::to_string(&m).map(|s| s.len()).unwrap_or(0) + 1;
        if !current.is_empty() && size + len > MAX_PAYLOAD {
            out.push(std::mem::take(&mut current));
            size = 0;
        }
        size += len;
        current.push(m);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.into_iter()
        .filter_map(|msgs| {
            serde_json::to_string(&Envelope {
                origin: origin.to_string(),
                msgs,
            })
            .ok()
        })
        .collect()
}

/// Relays the hub to and from the other instances on the same PostgreSQL database.
pub async fn start_pg_relay(url: &str, pool: sqlx::PgPool, hub: Hub) -> anyhow::Result<()> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    let (tx, mut rx) = mpsc::unbounded_channel::<Live>();
    if hub.relay.set(tx).is_err() {
        anyhow::bail!("the live relay is already running");
    }
    // Outgoing: batch for up to 100 ms, then notify.
    let origin = hub.origin.to_string();
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + Duration::from_millis(100);
            while let Ok(Some(m)) = tokio::time::timeout_at(deadline, rx.recv()).await {
                batch.push(m);
                if batch.len() >= 5_000 {
                    break;
                }
            }
            for payload in payloads(&origin, batch) {
                if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(&payload)
                    .execute(&pool)
                    .await
                {
                    tracing::warn!(error = %e, "relaying live updates failed");
                }
            }
        }
    });
    // Incoming: what the other instances published.
    let own = hub.origin.to_string();
    tokio::spawn(async move {
        loop {
            match listener.recv().await {
                Ok(n) => match serde_json::from_str::<Envelope>(n.payload()) {
                    Ok(env) if env.origin != own => {
                        for m in env.msgs {
                            hub.publish_local(m);
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "an unreadable live notification"),
                },
                Err(e) => {
                    // PgListener reconnects on the next recv; feeds resynchronise by snapshot.
                    tracing::warn!(error = %e, "the live relay lost its connection");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_drop_repeated_touches_and_stay_below_the_limit() {
        let mut batch = Vec::new();
        for i in 0..400 {
            batch.push(Live::Touch {
                sitting: "s".into(),
                user: format!("user-{}", i % 200),
            });
        }
        let out = payloads("me", batch);
        assert!(out.len() > 1, "200 touches do not fit one payload");
        let mut users = HashSet::new();
        for p in &out {
            assert!(p.len() < 8_000, "{}", p.len());
            let env: Envelope = serde_json::from_str(p).expect("json");
            assert_eq!(env.origin, "me");
            for m in env.msgs {
                if let Live::Touch { user, .. } = m {
                    assert!(users.insert(user), "a touch repeated");
                }
            }
        }
        assert_eq!(users.len(), 200);
    }
}
