//! Pages, one module per page, and the pieces every page shares.

pub mod bank;
pub mod blueprints;
pub mod dashboard;
pub mod login;
pub mod markdown;
pub mod pipeline;
pub mod proctor;
pub mod register;
pub mod result;
pub mod test;
pub mod verify;

use crate::api::{current_user, logout};
use crate::error::{AppError, ErrorCode};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// Sends the browser to `path` with a full page load (fresh state, fresh cookies).
pub(crate) fn go(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let user = Resource::new(|| (), |_| current_user());
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            let _ = logout().await;
            go("/login");
        });
    };
    let lang_button = move |locale: Locale, label: &'static str, title: &'static str| {
        view! {
            <button
                type="button"
                class="lang"
                title=title
                aria-pressed=move || (i18n.get_locale() == locale).to_string()
                on:click=move |_| i18n.set_locale(locale)
            >
                {label}
            </button>
        }
    };
    view! {
        <header class="topbar">
            <a class="brand" href="/dashboard">
                <span class="brand-mark" aria-hidden="true">"Q"</span>
                <span class="brand-name">{t!(i18n, app_name)}</span>
            </a>
            <span class="tagline">{t!(i18n, tagline)}</span>
            <nav class="topnav" aria-label="account">
                <div class="langs" role="group" aria-label=move || t_string!(i18n, language)>
                    {lang_button(Locale::kk, "Қаз", "Қазақша")}
                    {lang_button(Locale::ru, "Рус", "Русский")}
                    {lang_button(Locale::en, "Eng", "English")}
                </div>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match user.await {
                            Ok(Some(u)) => view! {
                                <span class="who">{u.full_name}</span>
                                <button type="button" class="link" id="sign-out" on:click=sign_out>
                                    {t!(i18n, nav_sign_out)}
                                </button>
                            }.into_any(),
                            _ => view! { <a href="/login">{t!(i18n, nav_sign_in)}</a> }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}

#[component]
pub fn Home() -> impl IntoView {
    view! { <Redirect path="/dashboard" /> }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
        r.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="card narrow">
            <h1>"404"</h1>
            <p><a href="/dashboard">"Qabilet"</a></p>
        </section>
    }
}

/// Shows an error; a missing or expired session sends the person to the sign-in page.
#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    if error.code == ErrorCode::Unauthenticated {
        return view! { <Redirect path="/login" /> }.into_any();
    }
    view! {
        <section class="card narrow error" role="alert">
            <p>{t!(i18n, error_prefix)} " " {error.message}</p>
            <p><a href="/dashboard">{t!(i18n, back_to_dashboard)}</a></p>
        </section>
    }
    .into_any()
}

/// Formats a percentage with one decimal only when it has one.
/// Waits `ms` milliseconds (browser only; returns at once on the server).
pub(crate) async fn sleep(ms: u32) {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(ms).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}

/// A moment in Kazakhstan time (UTC+5), `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn fmt_utc(ms: i64) -> String {
    crate::model::format_time(ms, 5 * 3_600_000, false)
}

pub(crate) fn pct(p: f64) -> String {
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}
