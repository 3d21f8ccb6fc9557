//! The signed-in person's account: who they are, their preferences (language, text size,
//! contrast; kept with the account), a password change, and for administrators a temporary
//! password for someone else's account.

use crate::api::{change_password, create_account, current_user, reset_password, save_preferences};
use crate::i18n::*;
use crate::model::{Preferences, Role};
use leptos::prelude::*;

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let user = Resource::new(|| (), |_| current_user());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(u)) => {
                        let admin = u.role == Role::Admin;
                        view! {
                            <section class="card narrow">
                                <h1>{t!(i18n, account_title)}</h1>
                                <dl class="meta">
                                    <dt>{t!(i18n, pl_full_name)}</dt><dd id="account-name">{u.full_name.clone()}</dd>
                                    <dt>{t!(i18n, login_email)}</dt><dd>{u.email.clone()}</dd>
                                </dl>
                            </section>
                            <DisplayForm />
                            <PasswordForm />
                            {admin.then(|| view! { <CreateForm /> <ResetForm /> })}
                        }
                        .into_any()
                    }
                    Ok(None) => view! { <leptos_router::components::Redirect path="/login" /> }.into_any(),
                    Err(e) => view! { <super::ErrorNote error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Language, text size and contrast, saved with the account.
#[component]
fn DisplayForm() -> impl IntoView {
    let i18n = use_i18n();
    let display = expect_context::<super::Display>().0;
    let saved = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (size, contrast) = display.get_untracked();
        let locale = i18n.get_locale_untracked();
        leptos::task::spawn_local(async move {
            match save_preferences(Some(locale.to_string()), size, contrast).await {
                Ok(_) => {
                    error.set(None);
                    saved.set(true);
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="card narrow">
            <h2>{t!(i18n, account_display)}</h2>
            <form class="stack" on:submit=save>
                <label>
                    <span>{t!(i18n, language)}</span>
                    <select id="pref-language" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let locale = match v.as_str() { "kk" => Locale::kk, "en" => Locale::en, _ => Locale::ru };
                        i18n.set_locale(locale);
                        saved.set(false);
                    }>
                        {[(Locale::kk, "Қазақша"), (Locale::ru, "Русский"), (Locale::en, "English")]
                            .into_iter()
                            .map(|(l, name)| view! {
                                <option value=l.to_string() selected=move || i18n.get_locale() == l>{name}</option>
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    <span>{t!(i18n, account_text_size)}</span>
                    <select id="pref-text-size" on:change=move |ev| {
                        let size = event_target_value(&ev).parse::<u16>().unwrap_or(100);
                        display.update(|d| d.0 = size);
                        saved.set(false);
                    }>
                        {Preferences::TEXT_SIZES
                            .into_iter()
                            .map(|s| view! {
                                <option value=s.to_string() selected=move || display.get().0 == s>{format!("{s}%")}</option>
                            })
                            .collect_view()}
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" id="pref-contrast"
                        prop:checked=move || display.get().1
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            display.update(|d| d.1 = on);
                            saved.set(false);
                        } />
                    <span>{t!(i18n, high_contrast)}</span>
                </label>
                {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
                <p role="status" aria-live="polite" id="pref-status">
                    {move || saved.get().then(|| t_string!(i18n, account_saved))}
                </p>
                <button type="submit" class="primary" id="pref-save">{t!(i18n, account_save)}</button>
            </form>
        </section>
    }
}

/// The person changes their own password.
#[component]
fn PasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let f = || RwSignal::new(String::new());
    let (current, new, repeat) = (f(), f(), f());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        if new.get_untracked() != repeat.get_untracked() {
            error.set(Some(t_string!(i18n, account_mismatch).to_string()));
            return;
        }
        leptos::task::spawn_local(async move {
            match change_password(current.get_untracked(), new.get_untracked()).await {
                Ok(()) => {
                    error.set(None);
                    current.set(String::new());
                    new.set(String::new());
                    repeat.set(String::new());
                    done.set(true);
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let field = move |id: &'static str, value: RwSignal<String>, autocomplete: &'static str| {
        view! {
            <input type="password" id=id name=id required autocomplete=autocomplete prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev)) />
        }
    };
    view! {
        <section class="card narrow">
            <h2>{t!(i18n, account_password)}</h2>
            <form class="stack" on:submit=submit>
                <label><span>{t!(i18n, account_current)}</span>{field("pw-current", current, "current-password")}</label>
                <label><span>{t!(i18n, account_new)}</span>{field("pw-new", new, "new-password")}
                    <small class="muted">{t!(i18n, reg_password_hint)}</small></label>
                <label><span>{t!(i18n, account_repeat)}</span>{field("pw-repeat", repeat, "new-password")}</label>
                {move || error.get().map(|e| view! { <p class="alert" role="alert" id="pw-error">{e}</p> })}
                <p role="status" aria-live="polite" id="pw-status">
                    {move || done.get().then(|| t_string!(i18n, account_password_changed))}
                </p>
                <button type="submit" class="primary" id="pw-submit">{t!(i18n, account_change)}</button>
            </form>
        </section>
    }
}

/// An administrator sets a temporary password for an account (shown once).
#[component]
fn ResetForm() -> impl IntoView {
    let i18n = use_i18n();
    let email = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<(String, String), String>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            let r = reset_password(email.get_untracked()).await;
            result.set(Some(
                r.map(|p| (p.email, p.temporary_password))
                    .map_err(|e| e.message),
            ));
        });
    };
    view! {
        <section class="card narrow">
            <h2>{t!(i18n, account_reset)}</h2>
            <p class="muted">{t!(i18n, account_reset_hint)}</p>
            <form class="stack" on:submit=submit>
                <label><span>{t!(i18n, login_email)}</span>
                    <input type="email" id="reset-email" required prop:value=email
                        on:input=move |ev| email.set(event_target_value(&ev)) /></label>
                <button type="submit" class="primary" id="reset-submit">{t!(i18n, account_reset_submit)}</button>
            </form>
            {move || result.get().map(|r| match r {
                Ok((who, password)) => view! {
                    <p role="status" id="reset-result">{who} ": " <code id="reset-password">{password}</code></p>
                }.into_any(),
                Err(e) => view! { <p class="alert" role="alert" id="reset-error">{e}</p> }.into_any(),
            })}
        </section>
    }
}

/// An administrator creates an account of any role (temporary password shown once).
#[component]
fn CreateForm() -> impl IntoView {
    let i18n = use_i18n();
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Proctor);
    let result = RwSignal::new(None::<Result<(String, String), String>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            let r = create_account(
                email.get_untracked(),
                name.get_untracked(),
                role.get_untracked(),
            )
            .await;
            result.set(Some(
                r.map(|p| (p.email, p.temporary_password))
                    .map_err(|e| e.message),
            ));
        });
    };
    view! {
        <section class="card narrow">
            <h2>{t!(i18n, account_create)}</h2>
            <form class="stack" on:submit=submit>
                <label><span>{t!(i18n, login_email)}</span>
                    <input type="email" id="new-email" required prop:value=email
                        on:input=move |ev| email.set(event_target_value(&ev)) /></label>
                <label><span>{t!(i18n, pl_full_name)}</span>
                    <input type="text" id="new-name" required prop:value=name
                        on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label><span>{t!(i18n, account_role)}</span>
                    <select id="new-role" on:change=move |ev| {
                        if let Some(r) = Role::parse(&event_target_value(&ev)) {
                            role.set(r);
                        }
                    }>
                        {Role::ALL
                            .into_iter()
                            .map(|r| view! {
                                <option value=r.as_str() selected=move || role.get() == r>{move || super::dashboard::role_name(i18n, r)}</option>
                            })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit" class="primary" id="new-submit">{t!(i18n, account_create_submit)}</button>
            </form>
            {move || result.get().map(|r| match r {
                Ok((who, password)) => view! {
                    <p role="status" id="new-result">{who} ": " <code id="new-password">{password}</code></p>
                }.into_any(),
                Err(e) => view! { <p class="alert" role="alert" id="new-error">{e}</p> }.into_any(),
            })}
        </section>
    }
}
