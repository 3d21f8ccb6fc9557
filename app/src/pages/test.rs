//! The test page: one question at a time, a navigation panel, a countdown from the server's
//! deadline, and an outbox that sends every change to the server in order and retries until
//! it is acknowledged.

use super::{ErrorNote, go};
use crate::api::{load_attempt, now_ms, save_answer, submit_attempt};
use crate::error::ErrorCode;
use crate::i18n::*;
use crate::model::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use std::collections::{HashMap, VecDeque};

#[component]
pub fn TestPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let data = Resource::new(id, load_attempt);
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(a) if a.status.is_open() => view! { <TestRunner a /> }.into_any(),
                    Ok(a) => view! {
                        <section class="card narrow">
                            <p>{t!(i18n, test_closed)}</p>
                            <a class="button primary" href=format!("/result/{}", a.id)>{t!(i18n, test_view_result)}</a>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One change waiting to be acknowledged by the server.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Pending {
    item_id: String,
    seq: i64,
    choice: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
enum Link {
    Ok,
    Offline,
    Rejected(String),
    /// A newer sign-in on another device holds the attempt: this page may no longer save.
    Superseded,
}

/// The attempt's connection to the server: an ordered outbox of saves, then the submission.
#[derive(Clone, Copy)]
struct Outbox {
    attempt_id: StoredValue<String>,
    queue: StoredValue<VecDeque<Pending>>,
    waiting: RwSignal<usize>,
    link: RwSignal<Link>,
    seq: StoredValue<i64>,
    sending: StoredValue<bool>,
    submit_requested: StoredValue<bool>,
}

/// What the browser keeps in `localStorage` so that a reload, a crash or a closed tab does not
/// lose answers the server has not acknowledged yet.
#[cfg(feature = "hydrate")]
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Saved {
    seq: i64,
    pending: Vec<Pending>,
}

#[cfg(feature = "hydrate")]
fn storage_key(attempt_id: &str) -> String {
    format!("qabilet.outbox.{attempt_id}")
}

#[cfg(feature = "hydrate")]
fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

async fn sleep_ms(ms: u32) {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(ms).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}

impl Outbox {
    fn new(attempt_id: String, last_seq: i64) -> Self {
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
    fn persist(self) {
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
    fn restore(
        self,
        answers: RwSignal<HashMap<String, Option<u32>>>,
        server_seqs: &HashMap<String, i64>,
    ) {
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
                    m.insert(p.item_id.clone(), p.choice);
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
    fn push(self, item_id: String, choice: Option<u32>) {
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
                choice,
            });
            *q = kept;
        });
        self.persist();
        self.waiting.set(self.queue.with_value(VecDeque::len));
        self.pump();
    }

    /// Sends queued changes one by one, in order, retrying while the network is down.
    fn pump(self) {
        if self.sending.get_value() {
            return;
        }
        self.sending.set_value(true);
        leptos::task::spawn_local(async move {
            let mut backoff = 500;
            while let Some(next) = self.queue.with_value(|q| q.front().cloned()) {
                let id = self.attempt_id.get_value();
                match save_answer(id, next.item_id, next.seq, next.choice).await {
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
    fn finish(self) {
        self.submit_requested.set_value(true);
        if !self.sending.get_value() {
            if self.queue.with_value(VecDeque::is_empty) {
                self.submit();
            } else {
                self.pump();
            }
        }
    }

    fn submit(self) {
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

/// Loads the page again: opening the attempt makes this sign-in its device again.
fn reload() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// `mm:ss`, or `h:mm:ss` from an hour up.
fn clock(ms: i64) -> String {
    let s = (ms.max(0) + 999) / 1000;
    let (h, m, s) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

#[component]
fn TestRunner(a: AttemptView) -> impl IntoView {
    let i18n = use_i18n();
    let total = a.items.len();
    let items = StoredValue::new(a.items);
    let server_seqs: HashMap<String, i64> = a
        .answers
        .iter()
        .map(|r| (r.item_id.clone(), r.seq))
        .collect();
    let answers = RwSignal::new(
        a.answers
            .into_iter()
            .map(|r| (r.item_id, r.choice))
            .collect::<HashMap<String, Option<u32>>>(),
    );
    let current = RwSignal::new(0usize);
    let outbox = Outbox::new(a.id.clone(), a.last_seq);
    let confirming = RwSignal::new(false);
    let finishing = RwSignal::new(false);

    // Answers a previous page could not deliver (browser only: effects do not run on the server).
    Effect::new(move |_| outbox.restore(answers, &server_seqs));

    // The server's clock, as well as the browser can know it.
    let offset = a.server_now_ms - now_ms();
    let deadline = a.deadline_ms;
    let now = RwSignal::new(a.server_now_ms);
    let remaining = Memo::new(move |_| (deadline - now.get()).max(0));
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || now.set(now_ms() + offset),
            std::time::Duration::from_millis(250),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    Effect::new(move |_| {
        if remaining.get() == 0 && !finishing.get_untracked() {
            finishing.set(true);
            outbox.finish();
        }
    });

    let choose = move |item_id: String, choice: Option<u32>| {
        if finishing.get_untracked() {
            return;
        }
        answers.update(|m| {
            m.insert(item_id.clone(), choice);
        });
        outbox.push(item_id, choice);
    };
    let is_answered = move |id: &str| answers.with(|m| m.get(id).is_some_and(Option::is_some));
    let unanswered =
        move || items.with_value(|v| v.iter().filter(|it| !is_answered(&it.item_id)).count());

    let save_state = move || match outbox.link.get() {
        Link::Offline => "offline",
        _ if outbox.waiting.get() > 0 => "saving",
        Link::Superseded => "superseded",
        Link::Rejected(_) => "rejected",
        Link::Ok => "saved",
    };
    let save_text = move || match outbox.link.get() {
        Link::Offline => {
            view! { {t!(i18n, test_offline, n = move || outbox.waiting.get())} }.into_any()
        }
        Link::Superseded => view! { {t!(i18n, test_superseded_short)} }.into_any(),
        _ if outbox.waiting.get() > 0 => view! { {t!(i18n, test_saving)} }.into_any(),
        Link::Rejected(m) => view! { {t!(i18n, test_rejected)} " " {m} }.into_any(),
        Link::Ok => view! { {t!(i18n, test_saved)} }.into_any(),
    };

    let question = move || {
        let idx = current.get().min(total.saturating_sub(1));
        let Some(item) = items.with_value(|v| v.get(idx).cloned()) else {
            return ().into_any();
        };
        let item_id = StoredValue::new(item.item_id.clone());
        let images = item.images.clone();
        let options = item
            .options
            .iter()
            .enumerate()
            .map(|(pos, text)| {
                let pos = pos as u32;
                let checked = move || {
                    answers.with(|m| m.get(&item_id.get_value()).copied().flatten() == Some(pos))
                };
                view! {
                    <label class="option" class:chosen=checked>
                        <input
                            type="radio"
                            name="choice"
                            value=pos
                            prop:checked=checked
                            disabled=move || finishing.get()
                            on:change=move |_| choose(item_id.get_value(), Some(pos))
                        />
                        <span class="option-letter" aria-hidden="true">{char::from(b'A' + (pos as u8 % 26))}</span>
                        <span class="option-text"><super::markdown::MarkdownInline text=text.clone() images=images.clone() /></span>
                    </label>
                }
            })
            .collect_view();
        let n = idx + 1;
        view! {
            <article class="question" data-item=item.item_id.clone() aria-labelledby="stem">
                <p class="q-meta">
                    <span id="q-number">{t!(i18n, test_question_of, n = n, total = total)}</span>
                    <span class="competency">{item.competency_name.clone()}</span>
                </p>
                <div class="stem" id="stem" tabindex="-1"><super::markdown::Markdown text=item.stem.clone() images=item.images.clone() /></div>
                <fieldset class="options" aria-labelledby="stem">{options}</fieldset>
                <div class="q-actions">
                    <button type="button" id="prev" disabled=move || current.get() == 0
                        on:click=move |_| current.update(|c| *c = c.saturating_sub(1))>
                        {t!(i18n, test_prev)}
                    </button>
                    {if n < total {
                        view! {
                            <button type="button" class="primary" id="next"
                                on:click=move |_| current.update(|c| *c = (*c + 1).min(total - 1))>
                                {t!(i18n, test_next)}
                            </button>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="primary" id="finish"
                                on:click=move |_| confirming.set(true)>
                                {t!(i18n, test_submit)}
                            </button>
                        }.into_any()
                    }}
                </div>
            </article>
        }
        .into_any()
    };

    let navigator = move || {
        items.with_value(|v| {
            v.iter()
                .enumerate()
                .map(|(idx, it)| {
                    let id = it.item_id.clone();
                    let answered = move || is_answered(&id);
                    view! {
                        <button
                            type="button"
                            class="nav-cell"
                            class:answered=answered.clone()
                            class:current=move || current.get() == idx
                            aria-current=move || (current.get() == idx).then_some("step")
                            on:click=move |_| current.set(idx)
                        >
                            {idx + 1}
                        </button>
                    }
                })
                .collect_view()
        })
    };

    view! {
        <div class="test">
            <div class="test-bar" role="status">
                <span class="test-name">{a.blueprint_name.clone()}</span>
                <span class="timer" class:low=move || remaining.get() < 5 * 60_000 id="timer"
                    aria-label=move || t_string!(i18n, test_time_left)>
                    {move || clock(remaining.get())}
                </span>
                <span class="save-state" id="save-state" data-state=save_state>
                    {save_text}
                </span>
            </div>
            {move || finishing.get().then(|| view! {
                <p class="banner" role="alert">{t!(i18n, test_time_up)}</p>
            })}
            <div class="test-body">
                {question}
                <aside class="navigator" aria-label=move || t_string!(i18n, test_navigation)>
                    <h2>{t!(i18n, test_navigation)}</h2>
                    <div class="nav-grid">{navigator}</div>
                    <p class="legend">
                        <span class="dot answered"></span>{t!(i18n, test_answered)}
                        <span class="dot"></span>{t!(i18n, test_unanswered)}
                    </p>
                    <button type="button" class="primary wide" id="submit-test"
                        disabled=move || finishing.get()
                        on:click=move |_| confirming.set(true)>
                        {t!(i18n, test_submit)}
                    </button>
                </aside>
            </div>
            {move || (outbox.link.get() == Link::Superseded).then(|| view! {
                <div class="overlay" id="superseded">
                    <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="superseded-text">
                        <p id="superseded-text">{t!(i18n, test_superseded)}</p>
                        <div class="q-actions">
                            <button type="button" class="primary" id="take-back"
                                on:click=move |_| reload()>
                                {t!(i18n, test_take_back)}
                            </button>
                        </div>
                    </div>
                </div>
            })}
            {move || confirming.get().then(|| {
                let left = unanswered();
                view! {
                    <div class="overlay">
                        <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="confirm-text">
                            <p id="confirm-text">{t!(i18n, test_confirm, unanswered = left)}</p>
                            <div class="q-actions">
                                <button type="button" on:click=move |_| confirming.set(false)>{t!(i18n, test_cancel)}</button>
                                <button type="button" class="primary" id="confirm-submit"
                                    on:click=move |_| {
                                        confirming.set(false);
                                        finishing.set(true);
                                        outbox.finish();
                                    }>
                                    {t!(i18n, test_confirm_yes)}
                                </button>
                            </div>
                        </div>
                    </div>
                }
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn the_clock_rounds_up_and_never_goes_negative() {
        assert_eq!(clock(0), "00:00");
        assert_eq!(clock(-5), "00:00");
        assert_eq!(clock(1), "00:01");
        assert_eq!(clock(61_000), "01:01");
        assert_eq!(clock(40 * 60_000), "40:00");
        assert_eq!(clock(3_600_000 + 5_000), "1:00:05");
    }
}
