//! The system check: before the day of the test, an applicant checks on the computer they will
//! use that the test page works there: the browser runs it, cookies and storage work (the
//! session and the offline outbox need them), the server answers and how far the computer's
//! clock is off, and, for remote sittings, that the camera can be used.

use crate::api::{now_ms, rest};
use crate::i18n::*;
use crate::model::ServerTime;
use leptos::prelude::*;

/// One line of the check: `None` while running, then passed or not with what was seen.
type Outcome = RwSignal<Option<(bool, String)>>;

#[component]
pub fn CheckPage() -> impl IntoView {
    let i18n = use_i18n();
    let browser: Outcome = RwSignal::new(None);
    let storage: Outcome = RwSignal::new(None);
    let connection: Outcome = RwSignal::new(None);
    let camera: Outcome = RwSignal::new(None);
    let run = move || {
        // Effects run only in the browser: this line passing means the page's code runs here.
        browser.set(Some((true, String::new())));
        storage.set(Some(storage_works()));
        connection.set(None);
        leptos::task::spawn_local(async move {
            let sent = now_ms();
            match rest::<ServerTime>("GET", "/api/v1/time", None).await {
                Ok(t) => {
                    let back = now_ms();
                    let round_trip = back - sent;
                    let offset = t.server_now_ms - (sent + back) / 2;
                    let ok = round_trip < 3_000;
                    connection.set(Some((
                        ok,
                        format!("{round_trip} ms; {:+.1} s", offset as f64 / 1000.0),
                    )));
                }
                Err(e) => connection.set(Some((false, e.message))),
            }
        });
    };
    Effect::new(move |_| run());
    let check_camera = move |_| {
        camera.set(None);
        leptos::task::spawn_local(async move {
            camera.set(Some(try_camera().await));
        });
    };
    let line = move |id: &'static str, label: String, outcome: Outcome| {
        view! {
            <li id=id data-state=move || match outcome.get() {
                None => "running",
                Some((true, _)) => "ok",
                Some((false, _)) => "failed",
            }>
                <strong>{label}</strong>": "
                {move || match outcome.get() {
                    None => t_string!(i18n, check_running).to_string(),
                    Some((true, seen)) => format!("{} {seen}", t_string!(i18n, check_ok)),
                    Some((false, seen)) => format!("{} {seen}", t_string!(i18n, check_failed)),
                }}
            </li>
        }
    };
    view! {
        <section class="card">
            <h1>{t!(i18n, check_title)}</h1>
            <p class="muted">{t!(i18n, check_hint)}</p>
            <ul class="checks" id="checks">
                {line("check-browser", t_string!(i18n, check_browser).to_string(), browser)}
                {line("check-storage", t_string!(i18n, check_storage).to_string(), storage)}
                {line("check-connection", t_string!(i18n, check_connection).to_string(), connection)}
            </ul>
            <h2>{t!(i18n, check_camera)}</h2>
            <p class="muted">{t!(i18n, check_camera_hint)}</p>
            <button type="button" id="check-camera" on:click=check_camera>{t!(i18n, check_camera_button)}</button>
            <ul class="checks">
                {move || camera.get().map(|_| line("check-camera-result", t_string!(i18n, check_camera).to_string(), camera))}
            </ul>
            {move || matches!(camera.get(), Some((false, _))).then(|| view! {
                <p class="notice" role="alert" id="camera-refused">{t!(i18n, check_camera_refused)}</p>
            })}
            <p><button type="button" id="check-again" on:click=move |_| run()>{t!(i18n, check_again)}</button>
               " "<a href="/dashboard">{t!(i18n, check_back)}</a></p>
        </section>
    }
}

/// Cookies enabled, and local storage writes and reads back (the offline outbox lives there).
fn storage_works() -> (bool, String) {
    #[cfg(feature = "hydrate")]
    {
        let Some(w) = web_sys::window() else {
            return (false, "no window".into());
        };
        let cookies = js_sys::Reflect::get(&w.navigator(), &"cookieEnabled".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let stored = w
            .local_storage()
            .ok()
            .flatten()
            .map(|s| {
                let ok = s.set_item("qabilet.check", "1").is_ok()
                    && s.get_item("qabilet.check").ok().flatten().as_deref() == Some("1");
                let _ = s.remove_item("qabilet.check");
                ok
            })
            .unwrap_or(false);
        let seen = format!(
            "cookies {}, storage {}",
            if cookies { "on" } else { "off" },
            if stored { "on" } else { "off" }
        );
        (cookies && stored, seen)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        (false, String::new())
    }
}

/// Asks for the camera (the browser shows its consent prompt), then lets it go at once.
async fn try_camera() -> (bool, String) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(devices) = web_sys::window().and_then(|w| w.navigator().media_devices().ok())
        else {
            return (false, "no camera access in this browser".into());
        };
        let constraints = web_sys::MediaStreamConstraints::new();
        constraints.set_video(&wasm_bindgen::JsValue::TRUE);
        let Ok(promise) = devices.get_user_media_with_constraints(&constraints) else {
            return (false, "the camera cannot be asked for here".into());
        };
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(stream) => {
                let Ok(stream) = stream.dyn_into::<web_sys::MediaStream>() else {
                    return (false, "no picture".into());
                };
                let tracks = stream.get_video_tracks();
                let label = tracks
                    .get(0)
                    .dyn_into::<web_sys::MediaStreamTrack>()
                    .map(|t| t.label())
                    .unwrap_or_default();
                for t in tracks.iter() {
                    if let Ok(t) = t.dyn_into::<web_sys::MediaStreamTrack>() {
                        t.stop();
                    }
                }
                (true, label)
            }
            Err(e) => {
                let name = e
                    .dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.name()))
                    .unwrap_or_else(|| "refused".into());
                (false, name)
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        (false, String::new())
    }
}
