//! Messages with the proctors, and the camera's snapshots during a remote sitting.

use super::*;

/// Messages with the sitting's proctors: what they wrote (loaded, then pushed as it comes) and
/// a box to write to them.
#[component]
pub(crate) fn Messages(attempt_id: String, inbox: RwSignal<Vec<ChatMessage>>) -> impl IntoView {
    let i18n = use_i18n();
    let attempt = StoredValue::new(attempt_id);
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(list) = crate::api::attempt_messages(attempt.get_value()).await {
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
        leptos::task::spawn_local(async move {
            match crate::api::message_proctors(attempt.get_value(), MessageInput { text }).await {
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
pub(crate) fn SnapshotCamera(
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
