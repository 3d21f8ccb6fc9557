//! The test as it runs: the clock, the questions, navigation, submit.

use super::*;

/// Loads the page again: opening the attempt makes this sign-in its device again.
pub(crate) fn reload() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// `mm:ss`, or `h:mm:ss` from an hour up.
pub(crate) fn clock(ms: i64) -> String {
    let s = (ms.max(0) + 999) / 1000;
    let (h, m, s) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

#[component]
pub(crate) fn TestRunner(a: AttemptView) -> impl IntoView {
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
            crate::pages::focus_soon("stem");
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
                <div class="stem" id="stem" tabindex="-1"><crate::pages::markdown::Markdown text=item.stem.clone() images=item.images.clone() /></div>
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
                crate::pages::focus_soon("paused-dialog");
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
                crate::pages::focus_soon("take-back");
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
                crate::pages::focus_soon("confirm-cancel");
                let close = move || {
                    confirming.set(false);
                    crate::pages::focus_soon("finish");
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
