//! The outbox: every answer is kept in the browser's storage until the server acknowledges it,
//! sent in order, retried with backoff while offline.

use super::*;

/// One change waiting to be acknowledged by the server.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Pending {
    pub(crate) item_id: String,
    pub(crate) seq: i64,
    #[serde(default)]
    pub(crate) answer: Option<Answer>,
    /// Outboxes written before answers of every type existed held a choice.
    #[serde(default, skip_serializing)]
    pub(crate) choice: Option<u32>,
}

impl Pending {
    pub(crate) fn answer(&self) -> Option<Answer> {
        self.answer.clone().or(self.choice.map(Answer::Choice))
    }
}

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
    pub(crate) queue: StoredValue<VecDeque<Pending>>,
    pub(crate) waiting: RwSignal<usize>,
    pub(crate) link: RwSignal<Link>,
    pub(crate) seq: StoredValue<i64>,
    pub(crate) sending: StoredValue<bool>,
    pub(crate) submit_requested: StoredValue<bool>,
}

/// What the browser keeps in `localStorage` so that a reload, a crash or a closed tab does not
/// lose answers the server has not acknowledged yet.
#[cfg(feature = "hydrate")]
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Saved {
    pub(crate) seq: i64,
    pub(crate) pending: Vec<Pending>,
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
            queue: StoredValue::new(VecDeque::new()),
            waiting: RwSignal::new(0),
            link: RwSignal::new(Link::Ok),
            seq: StoredValue::new(last_seq),
            sending: StoredValue::new(false),
            submit_requested: StoredValue::new(false),
        }
    }

    /// Writes the queue and the sequence counter to `localStorage` (browser only).
    pub(crate) fn persist(self) {
        #[cfg(feature = "hydrate")]
        if let Some(storage) = local_storage() {
            let key = storage_key(&self.attempt_id.get_value());
            let saved = Saved {
                seq: self.seq.get_value(),
                pending: self.queue.with_value(|q| q.iter().cloned().collect()),
            };
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
                .and_then(|t| serde_json::from_str::<Saved>(&t).ok())
            else {
                return;
            };
            self.seq.update_value(|s| *s = (*s).max(saved.seq));
            let fresh: Vec<Pending> = saved
                .pending
                .into_iter()
                .filter(|p| server_seqs.get(&p.item_id).is_none_or(|&s| s < p.seq))
                .collect();
            if fresh.is_empty() {
                self.persist();
                return;
            }
            answers.update(|m| {
                for p in &fresh {
                    m.insert(p.item_id.clone(), p.answer());
                }
            });
            self.queue.update_value(|q| q.extend(fresh));
            self.waiting.set(self.queue.with_value(VecDeque::len));
            self.persist();
            self.pump();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (answers, server_seqs);
    }

    /// Queues a change; a queued (not yet sent) change to the same item is replaced.
    pub(crate) fn push(self, item_id: String, answer: Option<Answer>) {
        self.seq.update_value(|s| *s += 1);
        let seq = self.seq.get_value();
        self.queue.update_value(|q| {
            let mut kept: VecDeque<Pending> = q
                .drain(..)
                .enumerate()
                .filter(|(i, p)| *i == 0 || p.item_id != item_id)
                .map(|(_, p)| p)
                .collect();
            kept.push_back(Pending {
                item_id,
                seq,
                answer,
                choice: None,
            });
            *q = kept;
        });
        self.persist();
        self.waiting.set(self.queue.with_value(VecDeque::len));
        self.pump();
    }

    /// Sends queued changes one by one, in order, retrying while the network is down.
    pub(crate) fn pump(self) {
        if self.sending.get_value() {
            return;
        }
        self.sending.set_value(true);
        leptos::task::spawn_local(async move {
            let mut backoff = 500;
            while let Some(next) = self.queue.with_value(|q| q.front().cloned()) {
                let id = self.attempt_id.get_value();
                let answer = next.answer();
                match save_answer(id, next.item_id, next.seq, answer).await {
                    Ok(_) => {
                        backoff = 500;
                        self.queue.update_value(|q| {
                            q.pop_front();
                        });
                        self.persist();
                        if self.link.get_untracked() == Link::Offline {
                            self.link.set(Link::Ok);
                        }
                    }
                    Err(e) if matches!(e.code, ErrorCode::Network | ErrorCode::Internal) => {
                        self.link.set(Link::Offline);
                        sleep_ms(backoff).await;
                        backoff = (backoff * 2).min(5_000);
                        continue;
                    }
                    Err(e) if e.code == ErrorCode::Paused => {
                        // Kept: it goes out when the proctor resumes the test.
                        sleep_ms(2_000).await;
                        continue;
                    }
                    Err(e) if e.code == ErrorCode::Superseded => {
                        // The other device is the truth now: what waits here would overwrite
                        // answers given there, so it is dropped (the page says so).
                        self.queue.update_value(VecDeque::clear);
                        self.persist();
                        self.link.set(Link::Superseded);
                    }
                    Err(e) => {
                        self.queue.update_value(|q| {
                            q.pop_front();
                        });
                        self.persist();
                        if e.code == ErrorCode::Unauthenticated {
                            go("/login");
                        }
                        self.link.set(Link::Rejected(e.message));
                    }
                }
                self.waiting.set(self.queue.with_value(VecDeque::len));
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
            if self.queue.with_value(VecDeque::is_empty) {
                self.submit();
            } else {
                self.pump();
            }
        }
    }

    pub(crate) fn submit(self) {
        leptos::task::spawn_local(async move {
            let id = self.attempt_id.get_value();
            let mut backoff = 500;
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
                        backoff = (backoff * 2).min(5_000);
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
