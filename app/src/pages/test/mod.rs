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
use std::collections::{HashMap, HashSet};

mod answers;
mod chat;
mod local;
mod outbox;
mod runner;
pub use answers::*;
pub use chat::*;
use local::*;
use outbox::*;
pub use runner::*;

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
                    let input = crate::model::SignalsInput {
                        events: kinds,
                        probe: None,
                        raised_ms: raised,
                    };
                    match crate::api::attempt_signals(id, input).await {
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
