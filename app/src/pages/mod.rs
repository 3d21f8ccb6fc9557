//! Pages, one module per page, and the pieces every page shares.

pub mod account;
pub mod analysis;
pub mod bank;
pub mod blueprints;
pub mod check;
pub mod dashboard;
pub mod login;
pub mod markdown;
pub mod pipeline;
pub mod proctor;
pub mod register;
pub mod result;
pub mod standards;
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

/// The display settings in force (text size in percent, high contrast): from the
/// `qabilet_display` cookie, so the server renders the page as the person set it.
#[derive(Clone, Copy)]
pub(crate) struct Display(pub RwSignal<(u16, bool)>);

fn cookie_value(name: &str) -> Option<String> {
    #[cfg(feature = "ssr")]
    let all = use_context::<http::request::Parts>().map(|p| {
        p.headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(";")
    });
    #[cfg(feature = "hydrate")]
    let all = {
        use wasm_bindgen::JsCast;
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
            .and_then(|d| d.cookie().ok())
    };
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    let all: Option<String> = None;
    crate::model::cookie_in(&all?, name).map(str::to_string)
}

/// Provides [`Display`] and keeps the `<html>` element's classes in step with it.
pub(crate) fn provide_display() -> Display {
    let initial = cookie_value(crate::model::DISPLAY_COOKIE)
        .map(|v| crate::model::Preferences::from_display_cookie(&v))
        .unwrap_or((100, false));
    let d = Display(RwSignal::new(initial));
    provide_context(d);
    d
}

/// The `<html>` classes for the display settings.
pub(crate) fn display_classes(d: (u16, bool)) -> String {
    let mut c = String::new();
    if d.0 != 100 {
        c.push_str(&format!("text-{}", d.0));
    }
    if d.1 {
        if !c.is_empty() {
            c.push(' ');
        }
        c.push_str("contrast");
    }
    c
}

/// Saves the language and display settings: in a cookie for this browser, and with the
/// account when someone is signed in.
fn remember(locale: Locale, d: (u16, bool), signed_in: bool) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let value = crate::model::Preferences {
            language: None,
            text_size: d.0,
            high_contrast: d.1,
        }
        .display_cookie();
        if let Some(doc) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        {
            let _ = doc.set_cookie(&crate::model::preference_cookie(
                crate::model::DISPLAY_COOKIE,
                &value,
            ));
        }
    }
    if signed_in {
        leptos::task::spawn_local(async move {
            let _ = crate::api::save_preferences(Some(locale.to_string()), d.0, d.1).await;
        });
    }
}

/// Who is signed in (`None`: nobody), read once per page load and shared by the header, the
/// menu and the page gate.
#[derive(Clone, Copy)]
pub(crate) struct CurrentUser(pub Resource<Result<Option<crate::model::UserInfo>, AppError>>);

pub(crate) fn provide_user() {
    provide_context(CurrentUser(Resource::new(|| (), |_| current_user())));
}

/// Shows a page only to the people the page table admits: nobody signed in goes to the sign-in
/// page, a signed-in person of another role reads a refusal instead of a half-working page.
///
/// The page itself is not built inside the wait for the account (a page built in a `Suspend`
/// is built again when it resolves, and its resources then no longer line up with the
/// browser's during hydration): the verdict is drawn beside it, and a refusal hides it
/// (`main:has(#refused) .gated`).
#[component]
pub fn Gate() -> impl IntoView {
    let user = expect_context::<CurrentUser>().0;
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let role = match user.await {
                    Ok(Some(u)) => Some(u.role),
                    _ => None,
                };
                view! { <GateFor role /> }
            })}
        </Transition>
        <div class="gated"><leptos_router::components::Outlet /></div>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Verdict {
    Open,
    SignIn,
    Refused,
}

#[component]
fn GateFor(role: Option<crate::model::Role>) -> impl IntoView {
    let i18n = use_i18n();
    let location = leptos_router::hooks::use_location();
    let verdict = Memo::new(
        move |_| match crate::nav::page_for(&location.pathname.get()) {
            Some(p) if !p.audience.admits(role) => {
                if role.is_none() {
                    Verdict::SignIn
                } else {
                    Verdict::Refused
                }
            }
            _ => Verdict::Open,
        },
    );
    move || match verdict.get() {
        Verdict::Open => ().into_any(),
        Verdict::SignIn => view! { <Redirect path="/login" /> }.into_any(),
        Verdict::Refused => view! {
            <section class="card narrow error" role="alert" id="refused">
                <p>{t!(i18n, err_forbidden)}</p>
                <p><a href="/dashboard">{t!(i18n, back_to_dashboard)}</a></p>
            </section>
        }
        .into_any(),
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let user = expect_context::<CurrentUser>().0;
    let display = expect_context::<Display>().0;
    let signed_in = move || matches!(user.get(), Some(Ok(Some(_))));
    // While a page is open, its session is renewed every five minutes (a test longer than a
    // session never meets an expired token).
    #[cfg(feature = "hydrate")]
    {
        let handle = leptos::prelude::set_interval_with_handle(
            move || {
                if signed_in() {
                    leptos::task::spawn_local(async move {
                        let _ = crate::api::refresh_session().await;
                    });
                }
            },
            std::time::Duration::from_secs(300),
        );
        if let Ok(h) = handle {
            on_cleanup(move || h.clear());
        }
    }
    let set_text = move |step: i32| {
        let sizes = crate::model::Preferences::TEXT_SIZES;
        let (size, contrast) = display.get_untracked();
        let at = sizes.iter().position(|s| *s == size).unwrap_or(0) as i32;
        let next = sizes[(at + step).clamp(0, sizes.len() as i32 - 1) as usize];
        display.set((next, contrast));
        remember(i18n.get_locale_untracked(), (next, contrast), signed_in());
    };
    let toggle_contrast = move |_| {
        let (size, contrast) = display.get_untracked();
        display.set((size, !contrast));
        remember(i18n.get_locale_untracked(), (size, !contrast), signed_in());
    };
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
                on:click=move |_| {
                    i18n.set_locale(locale);
                    remember(locale, display.get_untracked(), signed_in());
                }
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
            <nav class="topnav" aria-label=move || t_string!(i18n, nav_account)>
                <div class="langs" role="group" aria-label=move || t_string!(i18n, language)>
                    {lang_button(Locale::kk, "Қаз", "Қазақша")}
                    {lang_button(Locale::ru, "Рус", "Русский")}
                    {lang_button(Locale::en, "Eng", "English")}
                </div>
                <div class="display" role="group" aria-label=move || t_string!(i18n, display_settings)>
                    <button type="button" class="lang" id="text-smaller"
                        title=move || t_string!(i18n, text_smaller)
                        aria-label=move || t_string!(i18n, text_smaller)
                        disabled=move || { display.get().0 <= 100 }
                        on:click=move |_| set_text(-1)>"A−"</button>
                    <button type="button" class="lang" id="text-larger"
                        title=move || t_string!(i18n, text_larger)
                        aria-label=move || t_string!(i18n, text_larger)
                        disabled=move || { display.get().0 >= 200 }
                        on:click=move |_| set_text(1)>"A+"</button>
                    <button type="button" class="lang" id="contrast"
                        title=move || t_string!(i18n, high_contrast)
                        aria-label=move || t_string!(i18n, high_contrast)
                        aria-pressed=move || display.get().1.to_string()
                        on:click=toggle_contrast>"◐"</button>
                </div>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match user.await {
                            Ok(Some(u)) => view! {
                                <a class="who" href="/account" title=move || t_string!(i18n, account_title)>{u.full_name}</a>
                                <button type="button" class="link" id="sign-out" data-changes="" on:click=sign_out>
                                    {t!(i18n, nav_sign_out)}
                                </button>
                            }.into_any(),
                            _ => view! { <a href="/login">{t!(i18n, nav_sign_in)}</a> }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    user.await.ok().flatten().map(|u| view! { <Menu role=u.role /> })
                })}
            </Transition>
        </header>
    }
}

/// The pages of a role (the page table's menu entries), the current one marked.
#[component]
fn Menu(role: crate::model::Role) -> impl IntoView {
    let i18n = use_i18n();
    let location = leptos_router::hooks::use_location();
    view! {
        <nav class="menu" aria-label=move || t_string!(i18n, nav_menu)>
            <ul>
                {crate::nav::menu(role)
                    .map(|p| {
                        let path = p.path;
                        let here = move || {
                            let at = location.pathname.get();
                            (at == path || (path != "/dashboard" && at.starts_with(&format!("{path}/"))))
                                .then_some("page")
                        };
                        view! { <li><a href=path aria-current=here>{move || menu_label(i18n, path)}</a></li> }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// A reason for ending an attempt (`TERMINATION_REASONS`), in the reader's language.
pub(crate) fn termination_reason(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    match code {
        "impersonation" => t_string!(i18n, end_impersonation),
        "unauthorised_aid" => t_string!(i18n, end_unauthorised_aid),
        "communication" => t_string!(i18n, end_communication),
        "left_the_seat" => t_string!(i18n, end_left_the_seat),
        "disruption" => t_string!(i18n, end_disruption),
        _ => t_string!(i18n, end_other),
    }
    .to_string()
}

/// A revocation reason in the reader's language.
pub(crate) fn revocation_reason(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    match code {
        "false_information" => t_string!(i18n, rv_false_information),
        "misconduct" => t_string!(i18n, rv_misconduct),
        "court_decision" => t_string!(i18n, rv_court_decision),
        "holder_request" => t_string!(i18n, rv_holder_request),
        "issued_in_error" => t_string!(i18n, rv_issued_in_error),
        _ => t_string!(i18n, rv_other),
    }
    .to_string()
}

/// The menu's name of a page.
pub(crate) fn menu_label(i18n: leptos_i18n::I18nContext<Locale>, path: &str) -> String {
    match path {
        "/dashboard" => t_string!(i18n, nav_dashboard).to_string(),
        "/apply" => t_string!(i18n, pl_my_applications).to_string(),
        "/bank" => t_string!(i18n, dash_bank).to_string(),
        "/blueprints" => t_string!(i18n, dash_blueprints).to_string(),
        "/proctor" => t_string!(i18n, pr_sittings).to_string(),
        "/pipeline" => t_string!(i18n, pl_campaigns).to_string(),
        "/reports" => t_string!(i18n, pl_reports).to_string(),
        "/reserve" => t_string!(i18n, pl_reserve).to_string(),
        "/marking" => t_string!(i18n, pl_marking).to_string(),
        "/interviews" => t_string!(i18n, pl_interviews).to_string(),
        "/standards" => t_string!(i18n, ss_title).to_string(),
        other => other.to_string(),
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
            <p>{t!(i18n, error_prefix)} " " {error_text(i18n, &error)}</p>
            <p><a href="/dashboard">{t!(i18n, back_to_dashboard)}</a></p>
        </section>
    }
    .into_any()
}

/// An error in the reader's language: a refusal or fault of a known kind by its code; a
/// broken rule (`invalid`, `conflict`...) by the server's own words, which name the rule.
pub(crate) fn error_text(i18n: leptos_i18n::I18nContext<Locale>, e: &AppError) -> String {
    match e.code {
        ErrorCode::Forbidden => t_string!(i18n, err_forbidden).to_string(),
        ErrorCode::NotFound => t_string!(i18n, err_not_found).to_string(),
        ErrorCode::Network => t_string!(i18n, err_network).to_string(),
        ErrorCode::Busy => t_string!(i18n, err_busy).to_string(),
        ErrorCode::Internal => t_string!(i18n, err_internal).to_string(),
        ErrorCode::Unauthenticated => t_string!(i18n, err_unauthenticated).to_string(),
        ErrorCode::PayloadTooLarge => t_string!(i18n, err_too_large).to_string(),
        _ => e.message.clone(),
    }
}

/// Moves the keyboard focus to the element with this id once the page has drawn it.
pub(crate) fn focus_soon(id: &'static str) {
    request_animation_frame(move || {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(el) = document()
                .get_element_by_id(id)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = id;
    });
}

/// Formats a percentage with one decimal only when it has one.
/// Waits `ms` milliseconds (browser only; returns at once on the server).
pub(crate) async fn sleep(ms: u32) {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(ms).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}

/// The interface language in force (`kk`, `ru`, `en`); Russian outside the i18n context.
pub(crate) fn lang() -> &'static str {
    match use_context::<leptos_i18n::I18nContext<Locale>>().map(|c| c.get_locale()) {
        Some(Locale::kk) => "kk",
        Some(Locale::en) => "en",
        _ => "ru",
    }
}

/// A moment in Kazakhstan time (UTC+5), written as the interface language writes it.
pub(crate) fn fmt_utc(ms: i64) -> String {
    crate::model::format_local(ms, lang(), true)
}

/// A date (Kazakhstan time), written as the interface language writes it.
pub(crate) fn fmt_date(ms: i64) -> String {
    crate::model::format_local(ms, lang(), false)
}

/// A percentage or score with one decimal only when it has one, in the interface language's
/// notation (decimal comma in Kazakh and Russian).
pub(crate) fn pct(p: f64) -> String {
    crate::model::format_number(p, 1, lang())
}

/// What a page reads through a server function: fetched while the page renders on the server
/// (read it inside a `Transition` or `Suspense`), carried to the browser with the page, and
/// fetched again in the browser when the key changes or `reload` is called (after a change).
pub(crate) fn server_data<K, T, Fut>(
    key: impl Fn() -> K + Send + Sync + 'static,
    fetch: impl Fn(K) -> Fut + Send + Sync + 'static,
) -> (
    Resource<Result<T, AppError>>,
    impl Fn() + Copy + Send + Sync + 'static,
)
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
{
    let version = RwSignal::new(0u32);
    let data = Resource::new(move || (key(), version.get()), move |(k, _)| fetch(k));
    (data, move || version.update(|v| *v += 1))
}
