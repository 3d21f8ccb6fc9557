//! The outbox on the page: the queue (`crate::outbox`, plain Rust with its rules and tests)
//! in a reactive value, kept in the browser's storage until the server acknowledges each
//! change, sent in order, retried with backoff while offline.

use super::*;
use crate::outbox::{Next, Queue};

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Link {
    Ok,
    Offline,
    Rejected(String),
    /// A newer sign-in on another device holds the attempt: this page may no longer save.
    Superseded,
}

/// The attempt's connection to the server: an ordered outbox of saves, then the submission.
#[derive(Clone, Copy)]
pub(crate) struct Outbox {
    pub(crate) attempt_id: StoredValue<String>,
    pub(crate) queue: StoredValue<Queue>,
    pub(crate) waiting: RwSignal<usize>,
    pub(crate) link: RwSignal<Link>,
    pub(crate) sending: StoredValue<bool>,
    pub(crate) submit_requested: StoredValue<bool>,
}

#[cfg(feature = "hydrate")]
pub(crate) fn storage_key(attempt_id: &str) -> String {
    format!("qabilet.outbox.{attempt_id}")
}

#[cfg(feature = "hydrate")]
pub(crate) fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

pub(crate) async fn sleep_ms(ms: u32) {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(ms).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}

impl Outbox {
    pub(crate) fn new(attempt_id: String, last_seq: i64) -> Self {
        Self {
            attempt_id: StoredValue::new(attempt_id),
            queue: StoredValue::new(Queue::new(last_seq)),
            waiting: RwSignal::new(0),
            link: RwSignal::new(Link::Ok),
            sending: StoredValue::new(false),
            submit_requested: StoredValue::new(false),
        }
    }

    /// Writes the queue and the sequence counter to `localStorage` (browser only).
    pub(crate) fn persist(self) {
        #[cfg(feature = "hydrate")]
        if let Some(storage) = local_storage() {
            let key = storage_key(&self.attempt_id.get_value());
            let saved = self.queue.with_value(Queue::saved);
            if let Ok(text) = serde_json::to_string(&saved) {
                let _ = storage.set_item(&key, &text);
            }
        }
    }

    /// Takes back changes a previous page left unacknowledged: those newer than what the
    /// server has are shown and sent again, in order.
    pub(crate) fn restore(self, answers: Answers, server_seqs: &HashMap<String, i64>) {
        #[cfg(feature = "hydrate")]
        {
            let Some(storage) = local_storage() else {
                return;
            };
            let key = storage_key(&self.attempt_id.get_value());
            let Some(saved) = storage
                .get_item(&key)
                .ok()
                .flatten()
                .and_then(|t| serde_json::from_str::<crate::outbox::Saved>(&t).ok())
            else {
                return;
            };
            let mut fresh = Vec::new();
            self.queue
                .update_value(|q| fresh = q.restore(saved, server_seqs));
            if fresh.is_empty() {
                self.persist();
                return;
            }
            answers.update(|m| {
                for p in &fresh {
                    m.insert(p.item_id.clone(), p.answer());
                }
            });
            self.waiting.set(self.queue.with_value(Queue::len));
            self.persist();
            self.pump();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (answers, server_seqs);
    }

    /// Queues a change (the queue's rule: a waiting change to the same item is replaced).
    pub(crate) fn push(self, item_id: String, answer: Option<Answer>) {
        self.queue.update_value(|q| {
            q.push(item_id, answer);
        });
        self.persist();
        self.waiting.set(self.queue.with_value(Queue::len));
        self.pump();
    }

    /// Sends queued changes one by one, in order, retrying while the network is down.
    pub(crate) fn pump(self) {
        if self.sending.get_value() {
            return;
        }
        self.sending.set_value(true);
        leptos::task::spawn_local(async move {
            while let Some(next) = self.queue.with_value(|q| q.front().cloned()) {
                let id = self.attempt_id.get_value();
                let answer = next.answer();
                let reply = save_answer(id, next.item_id, next.seq, answer)
                    .await
                    .map(|_| ())
                    .map_err(|e| (e.code, e.message));
                let mut step = Next::Continue;
                self.queue.update_value(|q| step = q.on_reply(reply));
                match step {
                    Next::Continue => {
                        self.persist();
                        if self.link.get_untracked() == Link::Offline {
                            self.link.set(Link::Ok);
                        }
                    }
                    Next::RetryAfter(ms) => {
                        self.link.set(Link::Offline);
                        sleep_ms(ms).await;
                        continue;
                    }
                    // Kept: it goes out when the proctor resumes the test.
                    Next::WaitPaused(ms) => {
                        sleep_ms(ms).await;
                        continue;
                    }
                    // The other device is the truth now: what waited here would overwrite
                    // answers given there, so it was dropped (the page says so).
                    Next::Superseded => {
                        self.persist();
                        self.link.set(Link::Superseded);
                    }
                    Next::Rejected { message, sign_in } => {
                        self.persist();
                        if sign_in {
                            go("/login");
                        }
                        self.link.set(Link::Rejected(message));
                    }
                }
                self.waiting.set(self.queue.with_value(Queue::len));
            }
            self.waiting.set(0);
            self.sending.set_value(false);
            if self.submit_requested.get_value() {
                self.submit();
            }
        });
    }

    /// Submits once every queued change has been acknowledged.
    pub(crate) fn finish(self) {
        self.submit_requested.set_value(true);
        if !self.sending.get_value() {
            if self.queue.with_value(Queue::is_empty) {
                self.submit();
            } else {
                self.pump();
            }
        }
    }

    pub(crate) fn submit(self) {
        leptos::task::spawn_local(async move {
            let id = self.attempt_id.get_value();
            let mut backoff = crate::outbox::FIRST_RETRY_MS;
            loop {
                match submit_attempt(id.clone()).await {
                    Ok(_) => break,
                    Err(e) if e.code == ErrorCode::AttemptClosed => break,
                    Err(e) if e.code == ErrorCode::Superseded => {
                        self.link.set(Link::Superseded);
                        return;
                    }
                    Err(e) if matches!(e.code, ErrorCode::Network | ErrorCode::Internal) => {
                        self.link.set(Link::Offline);
                        sleep_ms(backoff).await;
                        backoff = (backoff * 2).min(crate::outbox::LONGEST_RETRY_MS);
                    }
                    Err(e) => {
                        self.link.set(Link::Rejected(e.message));
                        return;
                    }
                }
            }
            go(&format!("/result/{id}"));
        });
    }
}
