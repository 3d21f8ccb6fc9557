//! An applicant creates their own account: e-mail, full name, IIN (checked with its check digit)
//! and a password of at least 10 characters; then they are signed in.

use crate::api::register;
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let f = || RwSignal::new(String::new());
    let (email, name, iin, password) = (f(), f(), f(), f());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match register(
                email.get_untracked(),
                name.get_untracked(),
                iin.get_untracked(),
                password.get_untracked(),
            )
            .await
            {
                Ok(_) => super::go("/apply"),
                Err(e) => {
                    error.set(Some(e.message));
                    busy.set(false);
                }
            }
        });
    };
    let field = move |id: &'static str, kind: &'static str, value: RwSignal<String>| {
        view! {
            <input type=kind id=id name=id required prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev)) />
        }
    };
    view! {
        <section class="card narrow">
            <h1>{t!(i18n, reg_title)}</h1>
            <form class="stack" on:submit=submit>
                <label><span>{t!(i18n, login_email)}</span>{field("r-email", "email", email)}</label>
                <label><span>{t!(i18n, pl_full_name)}</span>{field("r-name", "text", name)}</label>
                <label><span>{t!(i18n, pl_iin)}</span>{field("r-iin", "text", iin)}</label>
                <label><span>{t!(i18n, login_password)}</span>{field("r-password", "password", password)}
                    <small class="muted">{t!(i18n, reg_password_hint)}</small></label>
                {move || error.get().map(|e| view! { <p class="alert" role="alert" id="register-error">{e}</p> })}
                <button type="submit" class="primary" id="r-submit" disabled=move || busy.get()>{t!(i18n, reg_submit)}</button>
            </form>
            <p><a href="/login">{t!(i18n, login_title)}</a></p>
        </section>
    }
}
