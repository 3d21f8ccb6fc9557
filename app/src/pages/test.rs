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
use question_bank::{Answer, ItemType, Navigation};
use std::collections::{HashMap, HashSet, VecDeque};

/// Heartbeats, integrity signals and the server's notices for the test page.
mod live {
    use crate::model::{AttemptNotice, SignalsAck};
    use leptos::prelude::*;

    /// What the page reports: a heartbeat every 15 seconds, and each integrity signal as it
    /// happens (tab hidden, window left, full screen left, copy, cut, paste...). Signals raised
    /// while the server cannot be reached wait, with the moment they were raised, and go with
    /// the next heartbeat that gets through.
    #[derive(Clone, Copy)]
    pub struct Signals {
        pending: StoredValue<Vec<(String, i64)>>,
    }

    impl Signals {
        /// Queues a signal raised by the page itself (the camera stopped...); it goes with
        /// the next heartbeat.
        #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
        pub fn queue(&self, kind: &str, at_ms: i64) {
            self.pending
                .update_value(|p| p.push((kind.to_string(), at_ms)));
        }

        /// `offset`: the server's clock minus the browser's; `on_ack` hears of lost time put
        /// to the proctor (milliseconds).
        pub fn start(
            attempt_id: String,
            offset: i64,
            apply: impl Fn(i64, bool, i64) + Copy + Send + Sync + 'static,
            on_ack: impl Fn(SignalsAck) + Copy + Send + Sync + 'static,
        ) -> Self {
            let me = Self {
                pending: StoredValue::new(Vec::new()),
            };
            let id = StoredValue::new(attempt_id);
            #[cfg(not(feature = "hydrate"))]
            let _ = offset;
            let send = move || {
                let events = me
                    .pending
                    .try_update_value(std::mem::take)
                    .unwrap_or_default();
                let id = id.get_value();
                leptos::task::spawn_local(async move {
                    let (kinds, raised): (Vec<String>, Vec<i64>) = events.iter().cloned().unzip();
                    let body =
                        serde_json::json!({ "events": kinds, "raised_ms": raised }).to_string();
                    let url = format!("/api/v1/attempts/{id}/signals");
                    match crate::api::rest::<SignalsAck>("POST", &url, Some(body)).await {
                        Ok(ack) => {
                            apply(ack.deadline_ms, ack.paused, ack.remaining_ms);
                            on_ack(ack);
                        }
                        // Not delivered: keep them, in order, for the next heartbeat.
                        Err(e) if e.code == crate::error::ErrorCode::Network => {
                            me.pending.update_value(|p| {
                                let later = std::mem::take(p);
                                *p = events;
                                p.extend(later);
                                // A very long outage must not grow without bound.
                                let excess = p.len().saturating_sub(200);
                                p.drain(..excess);
                            });
                        }
                        Err(_) => {}
                    }
                });
            };
            Effect::new(move |_| {
                send();
                if let Ok(h) = set_interval_with_handle(send, std::time::Duration::from_secs(15)) {
                    on_cleanup(move || h.clear());
                }
                #[cfg(feature = "hydrate")]
                {
                    let report = move |kind: &'static str| {
                        let at = crate::api::now_ms() + offset;
                        me.pending.update_value(|p| p.push((kind.to_string(), at)));
                        send();
                    };
                    let hidden = || {
                        web_sys::window()
                            .and_then(|w| w.document())
                            .is_some_and(|d| d.hidden())
                    };
                    let handles = vec![
                        window_event_listener_untyped("visibilitychange", move |_| {
                            report(if hidden() {
                                "tab_hidden"
                            } else {
                                "tab_visible"
                            })
                        }),
                        window_event_listener_untyped("blur", move |_| report("window_blur")),
                        window_event_listener_untyped("focus", move |_| report("window_focus")),
                        window_event_listener_untyped("copy", move |_| report("copy")),
                        window_event_listener_untyped("cut", move |_| report("cut")),
                        window_event_listener_untyped("paste", move |_| report("paste")),
                        window_event_listener_untyped("contextmenu", move |_| {
                            report("context_menu")
                        }),
                        window_event_listener_untyped("fullscreenchange", move |_| {
                            let full = web_sys::window()
                                .and_then(|w| w.document())
                                .is_some_and(|d| d.fullscreen_element().is_some());
                            report(if full {
                                "fullscreen_enter"
                            } else {
                                "fullscreen_exit"
                            })
                        }),
                    ];
                    on_cleanup(move || handles.into_iter().for_each(|h| h.remove()));
                }
            });
            me
        }
    }

    /// Opens the attempt's notice stream (server-sent events); the browser reconnects by itself.
    pub fn listen(attempt_id: String, on_notice: impl Fn(AttemptNotice) + 'static) {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            use wasm_bindgen::closure::Closure;
            let Ok(source) =
                web_sys::EventSource::new(&format!("/api/v1/attempts/{attempt_id}/live"))
            else {
                return;
            };
            let handler = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |e: web_sys::MessageEvent| {
                    if let Some(text) = e.data().as_string()
                        && let Ok(n) = serde_json::from_str::<AttemptNotice>(&text)
                    {
                        on_notice(n);
                    }
                },
            );
            source.set_onmessage(Some(handler.as_ref().unchecked_ref()));
            handler.forget();
            let source = StoredValue::new_local(source);
            on_cleanup(move || source.with_value(|s| s.close()));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (attempt_id, on_notice);
    }
}

/// The applicant's current answers, by item id (`None`: cleared).
type Answers = RwSignal<HashMap<String, Option<Answer>>>;

#[component]
pub fn TestPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let data = Resource::new(id, load_attempt);
    view! {
        <Suspense fallback=move || view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }>
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
    #[serde(default)]
    answer: Option<Answer>,
    /// Outboxes written before answers of every type existed held a choice.
    #[serde(default, skip_serializing)]
    choice: Option<u32>,
}

impl Pending {
    fn answer(&self) -> Option<Answer> {
        self.answer.clone().or(self.choice.map(Answer::Choice))
    }
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
    fn restore(self, answers: Answers, server_seqs: &HashMap<String, i64>) {
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
    fn push(self, item_id: String, answer: Option<Answer>) {
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
    fn pump(self) {
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

/// Flags the applicant set, kept in this browser only (they change no answer).
fn load_flags(attempt_id: &str) -> HashSet<String> {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = local_storage()
        && let Ok(Some(text)) = storage.get_item(&format!("qabilet.flags.{attempt_id}"))
    {
        return serde_json::from_str(&text).unwrap_or_default();
    }
    let _ = attempt_id;
    HashSet::new()
}

fn save_flags(attempt_id: &str, flags: &HashSet<String>) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = local_storage()
        && let Ok(text) = serde_json::to_string(flags)
    {
        let _ = storage.set_item(&format!("qabilet.flags.{attempt_id}"), &text);
    }
    let _ = (attempt_id, flags);
}

/// The question the applicant was on, kept in this browser: a reload opens the test there.
fn load_position(attempt_id: &str) -> Option<usize> {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = local_storage()
        && let Ok(Some(text)) = storage.get_item(&format!("qabilet.position.{attempt_id}"))
    {
        return text.parse().ok();
    }
    let _ = attempt_id;
    None
}

fn save_position(attempt_id: &str, position: usize) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(
            &format!("qabilet.position.{attempt_id}"),
            &position.to_string(),
        );
    }
    let _ = (attempt_id, position);
}

/// Reads a number as applicants type it: a comma or a point as the decimal separator, spaces
/// between thousands.
pub fn parse_number(text: &str) -> Option<f64> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    cleaned.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// The input for one item's answer, by its type.
fn answer_input(
    item: ItemView,
    answers: Answers,
    choose: impl Fn(String, Option<Answer>) + Copy + Send + Sync + 'static,
    finishing: RwSignal<bool>,
) -> AnyView {
    let i18n = use_i18n();
    let item_id = StoredValue::new(item.item_id.clone());
    let current = move || answers.with(|m| m.get(&item_id.get_value()).cloned().flatten());
    let images = item.images.clone();
    let letter = |pos: usize| char::from(b'A' + (pos as u8 % 26));
    let text_of = move |text: String| {
        let images = images.clone();
        view! { <super::markdown::MarkdownInline text images /> }
    };
    match item.kind {
        ItemType::SingleChoice | ItemType::MultipleResponse => {
            let multiple = item.kind == ItemType::MultipleResponse;
            let chosen = move |pos: u32| match current() {
                Some(Answer::Choice(c)) => c == pos,
                Some(Answer::Choices(cs)) => cs.contains(&pos),
                _ => false,
            };
            let options = item
                .options
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    let pos = i as u32;
                    let on_change = move |_| {
                        let answer = if multiple {
                            let mut set = match current() {
                                Some(Answer::Choices(cs)) => cs,
                                _ => vec![],
                            };
                            if let Some(at) = set.iter().position(|c| *c == pos) {
                                set.remove(at);
                            } else {
                                set.push(pos);
                                set.sort_unstable();
                            }
                            (!set.is_empty()).then_some(Answer::Choices(set))
                        } else {
                            Some(Answer::Choice(pos))
                        };
                        choose(item_id.get_value(), answer);
                    };
                    view! {
                        <label class="option" class:chosen=move || chosen(pos)>
                            <input
                                type=if multiple { "checkbox" } else { "radio" }
                                name="choice"
                                value=pos
                                prop:checked=move || chosen(pos)
                                disabled=move || finishing.get()
                                on:change=on_change
                            />
                            <span class="option-letter" aria-hidden="true">{letter(i)}</span>
                            <span class="option-text">{text_of(text.clone())}</span>
                        </label>
                    }
                })
                .collect_view();
            view! {
                {multiple.then(|| view! { <p class="hint" id="answer-hint">{t!(i18n, test_multiple_hint)}</p> })}
                <fieldset class="options" aria-labelledby="stem">{options}</fieldset>
            }
            .into_any()
        }
        ItemType::TrueFalse => {
            let is = move |b: bool| current() == Some(Answer::Bool(b));
            let option = move |b: bool| {
                view! {
                    <label class="option" class:chosen=move || is(b)>
                        <input type="radio" name="choice" id=if b { "answer-true" } else { "answer-false" }
                            prop:checked=move || is(b)
                            disabled=move || finishing.get()
                            on:change=move |_| choose(item_id.get_value(), Some(Answer::Bool(b))) />
                        <span class="option-text">
                            {move || if b { t_string!(i18n, test_true).to_string() } else { t_string!(i18n, test_false).to_string() }}
                        </span>
                    </label>
                }
            };
            view! { <fieldset class="options" aria-labelledby="stem">{option(true)}{option(false)}</fieldset> }
                .into_any()
        }
        ItemType::Matching => {
            let premises = item.options.len();
            let pairs = move || match current() {
                Some(Answer::Pairs(p)) if p.len() == premises => p,
                _ => vec![None; premises],
            };
            let matches = StoredValue::new(item.matches.clone());
            let rows = item
                .options
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    let select_id = format!("match-{i}");
                    let selected = move || pairs().get(i).copied().flatten();
                    let on_change = move |ev: leptos::ev::Event| {
                        let value = event_target_value(&ev);
                        let mut p = pairs();
                        p[i] = value.parse::<u32>().ok();
                        let answer = p.iter().any(Option::is_some).then_some(Answer::Pairs(p));
                        choose(item_id.get_value(), answer);
                    };
                    let options = matches.with_value(|ms| {
                        ms.iter()
                            .enumerate()
                            .map(|(m, text)| {
                                let m = m as u32;
                                view! {
                                    <option value=m.to_string() selected=move || selected() == Some(m)>
                                        {format!("{}. {}", m + 1, text)}
                                    </option>
                                }
                            })
                            .collect_view()
                    });
                    view! {
                        <div class="match-row">
                            <label for=select_id.clone() class="option-text">
                                <span class="option-letter" aria-hidden="true">{letter(i)}</span>
                                {text_of(text.clone())}
                            </label>
                            <select id=select_id prop:value=move || selected().map(|m| m.to_string()).unwrap_or_default()
                                disabled=move || finishing.get() on:change=on_change>
                                <option value="" selected=move || selected().is_none()>
                                    {move || t_string!(i18n, test_choose_match).to_string()}
                                </option>
                                {options}
                            </select>
                        </div>
                    }
                })
                .collect_view();
            view! {
                <p class="hint" id="answer-hint">{t!(i18n, test_match_hint)}</p>
                <div class="matching" role="group" aria-labelledby="stem">{rows}</div>
            }
            .into_any()
        }
        ItemType::Ordering => {
            let n = item.options.len() as u32;
            let texts = StoredValue::new(item.options.clone());
            let order = move || match current() {
                Some(Answer::Order(o)) if o.len() == n as usize => o,
                _ => (0..n).collect(),
            };
            let answered = move || matches!(current(), Some(Answer::Order(_)));
            let shift = move |at: usize, up: bool| {
                let mut o = order();
                let to = if up { at.checked_sub(1) } else { Some(at + 1) };
                if let Some(to) = to.filter(|t| *t < o.len()) {
                    o.swap(at, to);
                }
                choose(item_id.get_value(), Some(Answer::Order(o)));
            };
            let rows = move || {
                let o = order();
                let last = o.len().saturating_sub(1);
                o.into_iter()
                    .enumerate()
                    .map(|(at, pos)| {
                        let text = texts.with_value(|t| t.get(pos as usize).cloned().unwrap_or_default());
                        view! {
                            <li class="order-row" data-position=pos>
                                <span class="option-text">{text_of(text)}</span>
                                <button type="button" class="small" data-changes="" id=format!("up-{at}") disabled=move || at == 0 || finishing.get()
                                    aria-label=move || t_string!(i18n, test_move_up)
                                    on:click=move |_| shift(at, true)>"↑"</button>
                                <button type="button" class="small" data-changes="" id=format!("down-{at}") disabled=move || at == last || finishing.get()
                                    aria-label=move || t_string!(i18n, test_move_down)
                                    on:click=move |_| shift(at, false)>"↓"</button>
                            </li>
                        }
                    })
                    .collect_view()
            };
            view! {
                <p class="hint" id="answer-hint">{t!(i18n, test_order_hint)}</p>
                <ol class="ordering" id="ordering">{rows}</ol>
                <button type="button" id="keep-order" data-changes="" class:chosen=answered disabled=move || finishing.get()
                    on:click=move |_| choose(item_id.get_value(), Some(Answer::Order(order())))>
                    {t!(i18n, test_keep_order)}
                </button>
            }
            .into_any()
        }
        ItemType::Numeric | ItemType::ShortText => {
            let numeric = item.kind == ItemType::Numeric;
            let shown = match untrack(current) {
                Some(Answer::Number(x)) => x.to_string(),
                Some(Answer::Text(t)) => t,
                _ => String::new(),
            };
            let invalid = RwSignal::new(false);
            let on_input = move |ev: leptos::ev::Event| {
                let value = event_target_value(&ev);
                if value.trim().is_empty() {
                    invalid.set(false);
                    choose(item_id.get_value(), None);
                } else if numeric {
                    match parse_number(&value) {
                        Some(x) => {
                            invalid.set(false);
                            choose(item_id.get_value(), Some(Answer::Number(x)));
                        }
                        None => invalid.set(true),
                    }
                } else {
                    choose(item_id.get_value(), Some(Answer::Text(value)));
                }
            };
            view! {
                <label class="answer-field">
                    <span>{move || if numeric { t_string!(i18n, test_number_label).to_string() } else { t_string!(i18n, test_text_label).to_string() }}</span>
                    <input type="text" id=if numeric { "answer-number" } else { "answer-text" }
                        inputmode=if numeric { "decimal" } else { "text" }
                        maxlength="500" autocomplete="off" prop:value=shown
                        aria-invalid=move || if invalid.get() { "true" } else { "false" }
                        disabled=move || finishing.get() on:input=on_input />
                </label>
                {move || invalid.get().then(|| view! { <p class="field-error" role="alert">{t!(i18n, test_number_hint)}</p> })}
            }
            .into_any()
        }
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
    let answers: Answers = RwSignal::new(
        a.answers
            .into_iter()
            .map(|r| {
                let answer = r.answer.or(r.choice.map(Answer::Choice));
                (r.item_id, answer)
            })
            .collect(),
    );
    let linear = a.navigation == Navigation::Linear;
    let allow_flag = a.allow_flag;
    // Read after hydration (an effect): the server draws no marks, and the first drawing in
    // the browser must match it.
    let flags = RwSignal::new(HashSet::new());
    let flag_key = StoredValue::new(a.id.clone());
    Effect::new(move |_| flags.set(load_flags(&flag_key.get_value())));
    let toggle_flag = move |item_id: String| {
        flags.update(|f| {
            if !f.remove(&item_id) {
                f.insert(item_id);
            }
        });
        save_flags(&flag_key.get_value(), &flags.get_untracked());
    };
    let current = RwSignal::new(0usize);
    // When the question changes, the focus moves to its text: keyboard users continue from
    // there and screen readers read the new question (not on the first load).
    Effect::new(move |previous: Option<usize>| {
        let now = current.get();
        if previous.is_some_and(|p| p != now) {
            super::focus_soon("stem");
            save_position(&flag_key.get_value(), now);
        }
        now
    });
    // After a reload the test opens where the applicant was (browser only: the server draws
    // the first question, the page moves on once it is interactive).
    {
        Effect::new(move |_| {
            if let Some(p) = load_position(&flag_key.get_value())
                && p < total
                && p != current.get_untracked()
            {
                current.set(p);
            }
        });
    }
    let outbox = Outbox::new(a.id.clone(), a.last_seq);
    let confirming = RwSignal::new(false);
    let finishing = RwSignal::new(false);

    // Answers a previous page could not deliver (browser only: effects do not run on the server).
    Effect::new(move |_| outbox.restore(answers, &server_seqs));

    // The server's clock, as well as the browser can know it. A proctor can pause it, add
    // time, or the server can credit time lost to a dropped connection: the deadline moves.
    let offset = a.server_now_ms - now_ms();
    let deadline = RwSignal::new(a.deadline_ms);
    let paused = RwSignal::new(a.paused);
    let frozen = RwSignal::new(a.remaining_ms);
    let warning = RwSignal::new(None::<String>);
    let now = RwSignal::new(a.server_now_ms);
    let remaining = Memo::new(move |_| {
        if paused.get() {
            frozen.get().max(0)
        } else {
            (deadline.get() - now.get()).max(0)
        }
    });
    let attempt_id = StoredValue::new(a.id.clone());
    let apply = move |deadline_ms: i64, is_paused: bool, remaining_ms: i64| {
        deadline.set(deadline_ms);
        frozen.set(remaining_ms);
        paused.set(is_paused);
    };
    // Lost time: asked of the proctor, given back, or declined.
    let credit_note = RwSignal::new(None::<(&'static str, String)>);
    // Messages from the proctors, as they arrive.
    let inbox = RwSignal::new(Vec::<ChatMessage>::new());
    let proctored = a.proctored;
    let snapshot_seconds = a.snapshot_seconds;
    let on_notice = move |n: AttemptNotice| {
        apply(n.deadline_ms, n.paused, n.remaining_ms);
        match n.kind.as_str() {
            "warning" => warning.set(Some(n.message)),
            "terminated" => go(&format!("/result/{}", attempt_id.get_value())),
            "credited" => credit_note.set(Some(("credited", String::new()))),
            "credit_declined" => credit_note.set(Some(("declined", n.message))),
            "message" => inbox.update(|m| {
                m.push(ChatMessage {
                    at_ms: n.server_now_ms,
                    from_applicant: false,
                    author: String::new(),
                    text: n.message,
                })
            }),
            _ => {}
        }
    };
    let on_ack = move |ack: SignalsAck| {
        if ack.requested_ms > 0 {
            let minutes = (ack.requested_ms + 59_999) / 60_000;
            credit_note.set(Some(("requested", minutes.to_string())));
        }
    };
    let signals = live::Signals::start(attempt_id.get_value(), offset, apply, on_ack);
    Effect::new(move |_| live::listen(attempt_id.get_value(), on_notice));
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || now.set(now_ms() + offset),
            std::time::Duration::from_millis(250),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    Effect::new(move |_| {
        if remaining.get() == 0 && !paused.get_untracked() && !finishing.get_untracked() {
            finishing.set(true);
            outbox.finish();
        }
    });

    let choose = move |item_id: String, answer: Option<Answer>| {
        if finishing.get_untracked() {
            return;
        }
        answers.update(|m| {
            m.insert(item_id.clone(), answer.clone());
        });
        outbox.push(item_id, answer);
    };
    let is_answered = move |id: &str| answers.with(|m| m.get(id).is_some_and(Option::is_some));
    let _ = (flag_key, signals);
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
        // Built untracked: the question re-renders when the applicant moves to another
        // question, not on every answer (a re-render would take the focus from a text field).
        let input = untrack(|| answer_input(item.clone(), answers, choose, finishing));
        let n = idx + 1;
        view! {
            <article class="question" data-item=item.item_id.clone() aria-labelledby="stem">
                <p class="q-meta">
                    <span id="q-number">{t!(i18n, test_question_of, n = n, total = total)}</span>
                    <span class="competency">{item.competency_name.clone()}</span>
                </p>
                <div class="stem" id="stem" tabindex="-1"><super::markdown::Markdown text=item.stem.clone() images=item.images.clone() /></div>
                {input}
                <div class="q-actions">
                    {(!linear).then(|| view! {
                        <button type="button" id="prev" disabled=move || current.get() == 0
                            on:click=move |_| current.update(|c| *c = c.saturating_sub(1))>
                            {t!(i18n, test_prev)}
                        </button>
                    })}
                    {allow_flag.then(|| {
                        let id = StoredValue::new(item.item_id.clone());
                        let flagged = move || flags.with(|f| id.with_value(|i| f.contains(i)));
                        view! {
                            <button type="button" id="flag" class:flagged=flagged
                                aria-pressed=move || if flagged() { "true" } else { "false" }
                                on:click=move |_| toggle_flag(id.get_value())>
                                {move || if flagged() {
                                    t_string!(i18n, test_unflag).to_string()
                                } else {
                                    t_string!(i18n, test_flag).to_string()
                                }}
                            </button>
                        }
                    })}
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
                    let fid = id.clone();
                    let answered = move || is_answered(&id);
                    let flagged = {
                        let fid = fid.clone();
                        move || flags.with(|f| f.contains(&fid))
                    };
                    let flagged_again = {
                        let fid = fid.clone();
                        move || flags.with(|f| f.contains(&fid))
                    };
                    let flagged_mark = move || flags.with(|f| f.contains(&fid));
                    view! {
                        <button
                            type="button"
                            class="nav-cell"
                            class:answered=answered.clone()
                            class:flagged=flagged
                            class:current=move || current.get() == idx
                            disabled=move || { linear && idx < current.get() }
                            aria-current=move || (current.get() == idx).then_some("step")
                            aria-label=move || {
                                let mut label = format!("{} {}", t_string!(i18n, test_question_word), idx + 1);
                                if flagged_again() {
                                    label.push_str(&format!(", {}", t_string!(i18n, test_flagged)));
                                }
                                label
                            }
                            on:click=move |_| current.set(idx)
                        >
                            {idx + 1}
                            {move || flagged_mark().then(|| view! { <span class="flag-mark" aria-hidden="true">"⚑"</span> })}
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
            {move || warning.get().map(|w| view! {
                <div class="banner warning" role="alert" id="warning">
                    <strong>{t!(i18n, test_warning)}</strong>" "{w}
                    <button type="button" class="small" id="warning-ok" on:click=move |_| warning.set(None)>"OK"</button>
                </div>
            })}
            {move || credit_note.get().map(|(kind, v)| {
                let text = match kind {
                    "requested" => view! { {t!(i18n, test_credit_requested, m = move || v.clone())} }.into_any(),
                    "credited" => view! { {t!(i18n, test_credited)} }.into_any(),
                    _ => view! { {t!(i18n, test_credit_declined, reason = move || v.clone())} }.into_any(),
                };
                view! {
                    <div class="banner" role="status" id="credit-note" data-kind=kind>
                        {text}" "
                        <button type="button" class="small" id="credit-note-ok" on:click=move |_| credit_note.set(None)>"OK"</button>
                    </div>
                }
            })}
            {move || paused.get().then(|| {
                super::focus_soon("paused-dialog");
                view! {
                <div class="overlay" id="paused">
                    <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="paused-text"
                        id="paused-dialog" tabindex="-1">
                        <p id="paused-text">{t!(i18n, test_paused)}</p>
                    </div>
                </div>
            }})}
            <div class="test-body">
                {question}
                <aside class="navigator" aria-label=move || t_string!(i18n, test_navigation)>
                    <h2>{t!(i18n, test_navigation)}</h2>
                    <div class="nav-grid">{navigator}</div>
                    <p class="legend">
                        <span class="dot answered"></span>{t!(i18n, test_answered)}
                        <span class="dot"></span>{t!(i18n, test_unanswered)}
                        {allow_flag.then(|| view! { <span class="dot flagged"></span>{t!(i18n, test_flagged)} })}
                    </p>
                    {linear.then(|| view! { <p class="muted" id="linear-note">{t!(i18n, test_linear_note)}</p> })}
                    <button type="button" class="primary wide" id="submit-test"
                        disabled=move || finishing.get()
                        on:click=move |_| confirming.set(true)>
                        {t!(i18n, test_submit)}
                    </button>
                    {proctored.then(|| view! { <Messages attempt_id=attempt_id.get_value() inbox /> })}
                    {snapshot_seconds.map(|every| view! { <SnapshotCamera attempt_id=attempt_id.get_value() every signals offset /> })}
                </aside>
            </div>
            {move || (outbox.link.get() == Link::Superseded).then(|| {
                super::focus_soon("take-back");
                view! {
                <div class="overlay" id="superseded">
                    <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="superseded-text">
                        <p id="superseded-text">{t!(i18n, test_superseded)}</p>
                        <div class="q-actions">
                            <button type="button" class="primary" id="take-back" data-changes=""
                                on:click=move |_| reload()>
                                {t!(i18n, test_take_back)}
                            </button>
                        </div>
                    </div>
                </div>
            }})}
            {move || confirming.get().then(|| {
                let left = unanswered();
                // The questions marked for review, by number: a last chance to look again.
                let marked: Vec<usize> = items.with_value(|v| {
                    flags.with_untracked(|f| {
                        v.iter()
                            .enumerate()
                            .filter(|(_, it)| f.contains(&it.item_id))
                            .map(|(i, _)| i)
                            .collect()
                    })
                });
                // The dialog takes the focus (on "go back", the safe choice); Escape closes it
                // and the focus returns to the finish button.
                super::focus_soon("confirm-cancel");
                let close = move || {
                    confirming.set(false);
                    super::focus_soon("finish");
                };
                view! {
                    <div class="overlay" on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Escape" {
                            close();
                        }
                    }>
                        <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="confirm-text">
                            <p id="confirm-text">{t!(i18n, test_confirm, unanswered = left)}</p>
                            {(!marked.is_empty()).then(|| {
                                let count = marked.len();
                                view! {
                                    <div id="confirm-flagged">
                                        <p><strong>{t!(i18n, test_confirm_flagged, count = move || count)}</strong></p>
                                        <p class="flag-links">
                                            {marked.iter().map(|&i| view! {
                                                <button type="button" class="link review-flagged"
                                                    on:click=move |_| { confirming.set(false); current.set(i); }>
                                                    {i + 1}
                                                </button>
                                            }).collect_view()}
                                        </p>
                                    </div>
                                }
                            })}
                            <div class="q-actions">
                                <button type="button" id="confirm-cancel" data-cancel="" on:click=move |_| close()>{t!(i18n, test_cancel)}</button>
                                <button type="button" class="primary" id="confirm-submit" data-changes=""
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
    fn numbers_read_with_a_comma_or_a_point() {
        use super::parse_number;
        assert_eq!(parse_number("2,5"), Some(2.5));
        assert_eq!(parse_number(" 1 000.25 "), Some(1000.25));
        assert_eq!(parse_number("-3"), Some(-3.0));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("inf"), None);
    }

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

/// Messages with the sitting's proctors: what they wrote (loaded, then pushed as it comes) and
/// a box to write to them.
#[component]
fn Messages(attempt_id: String, inbox: RwSignal<Vec<ChatMessage>>) -> impl IntoView {
    let i18n = use_i18n();
    let url = StoredValue::new(format!("/api/v1/attempts/{attempt_id}/messages"));
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(list) =
                crate::api::rest::<Vec<ChatMessage>>("GET", &url.get_value(), None).await
            {
                inbox.update(|m| {
                    let pushed = std::mem::take(m);
                    *m = list;
                    m.extend(pushed);
                });
            }
        });
    });
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = draft.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        let body = serde_json::to_string(&MessageInput { text }).ok();
        leptos::task::spawn_local(async move {
            match crate::api::rest::<ChatMessage>("POST", &url.get_value(), body).await {
                Ok(m) => {
                    error.set(None);
                    draft.set(String::new());
                    inbox.update(|l| l.push(m));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="messages" id="messages" aria-labelledby="messages-title">
            <h2 id="messages-title">{t!(i18n, msg_title)}</h2>
            <ol class="chat" id="chat" aria-live="polite">
                {move || inbox.get().into_iter().map(|m| view! {
                    <li class=if m.from_applicant { "mine" } else { "theirs" }>
                        <span class="muted">{if m.from_applicant { t_string!(i18n, msg_me).to_string() } else { t_string!(i18n, msg_proctor).to_string() }}": "</span>
                        {m.text}
                    </li>
                }).collect_view()}
            </ol>
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            <form on:submit=send>
                <label class="field" for="message-text"><span>{t!(i18n, msg_write)}</span>
                    <textarea id="message-text" rows="2" maxlength="1000" prop:value=draft
                        on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                </label>
                <button type="submit" id="message-send">{t!(i18n, msg_send)}</button>
            </form>
        </section>
    }
}

/// Snapshots for a remote sitting that asks for them: the camera stays on (a small picture in
/// the corner) and a frame goes to the server every `every` seconds. A camera that cannot be
/// had, or stops, is an integrity signal, and the applicant is told.
#[component]
fn SnapshotCamera(
    attempt_id: String,
    every: u32,
    signals: live::Signals,
    offset: i64,
) -> impl IntoView {
    let i18n = use_i18n();
    let stopped = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let stream = StoredValue::new_local(None::<web_sys::MediaStream>);
        let url = StoredValue::new(format!("/api/v1/attempts/{attempt_id}/snapshots"));
        let report = move |kind: &str| signals.queue(kind, now_ms() + offset);
        let snap = move || {
            if let Some(bytes) = crate::camera::capture("snapshot-video") {
                leptos::task::spawn_local(async move {
                    let _ = crate::camera::upload(&url.get_value(), &bytes).await;
                });
            }
        };
        Effect::new(move |_| {
            leptos::task::spawn_local(async move {
                match crate::camera::open("snapshot-video").await {
                    Ok(s) => {
                        stream.set_value(Some(s));
                        // The first one soon after the start, then at the sitting's interval.
                        crate::pages::sleep(2_000).await;
                        snap();
                    }
                    Err(_) => {
                        stopped.set(true);
                        report("camera_stopped");
                    }
                }
            });
            let tick = move || {
                let live = stream.with_value(|s| s.as_ref().is_some_and(crate::camera::live));
                if !live {
                    if !stopped.get_untracked() {
                        stopped.set(true);
                        report("camera_stopped");
                    }
                    return;
                }
                if stopped.get_untracked() {
                    stopped.set(false);
                    report("camera_started");
                }
                snap();
            };
            if let Ok(h) = set_interval_with_handle(
                tick,
                std::time::Duration::from_secs(u64::from(every.max(30))),
            ) {
                on_cleanup(move || h.clear());
            }
            on_cleanup(move || {
                stream.with_value(|s| {
                    if let Some(s) = s {
                        crate::camera::stop(s);
                    }
                })
            });
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (attempt_id, every, signals, offset);
    view! {
        <div class="snapshot-camera" id="snapshot-camera">
            <video id="snapshot-video" width="160" height="120" autoplay=true playsinline=true
                aria-label=move || t_string!(i18n, dash_picture_preview)></video>
            {move || stopped.get().then(|| view! {
                <p class="alert" role="alert" id="camera-stopped">{t!(i18n, test_camera_stopped)}</p>
            })}
        </div>
    }
}
