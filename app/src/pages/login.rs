use crate::api::login;
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            // A sign-in storm: the server says "busy"; try again by itself, as it asks.
            loop {
                match login(email.get_untracked(), password.get_untracked()).await {
                    Ok(_) => return super::go("/dashboard"),
                    Err(e) if e.code == crate::error::ErrorCode::Busy => {
                        error.set(Some(e.message));
                        super::sleep(2_000).await;
                    }
                    Err(e) => {
                        error.set(Some(e.message));
                        busy.set(false);
                        return;
                    }
                }
            }
        });
    };
    view! {
        <section class="card narrow">
            <h1>{t!(i18n, login_title)}</h1>
            <form class="stack" on:submit=submit method="post" action="/api/fn/login">
                <label>
                    <span>{t!(i18n, login_email)}</span>
                    <input
                        type="email" name="email" id="email" autocomplete="username" required
                        prop:value=email on:input=move |ev| email.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    <span>{t!(i18n, login_password)}</span>
                    <input
                        type="password" name="password" id="password" autocomplete="current-password" required
                        prop:value=password on:input=move |ev| password.set(event_target_value(&ev))
                    />
                </label>
                {move || error.get().map(|e| view! {
                    <p class="alert" role="alert" id="login-error">{t!(i18n, login_failed)} " " {e}</p>
                })}
                <button type="submit" class="primary" id="sign-in" disabled=move || busy.get()>
                    {t!(i18n, login_submit)}
                </button>
            </form>
            <p><a href="/register" id="open-register">{t!(i18n, reg_link)}</a></p>
            <p class="hint">{t!(i18n, login_hint)}</p>
        </section>
    }
}
