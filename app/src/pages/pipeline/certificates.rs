//! A certificate's revocation: the note its holder and staff see, and the administrators'
//! dialog.

use super::*;

/// A revoked certificate as its holder and staff see it: when, why (in the reader's language),
/// the note and who decided.
#[component]
pub(crate) fn RevocationNote(number: String, revocation: RevocationView) -> impl IntoView {
    let i18n = use_i18n();
    let date = crate::pages::fmt_date(revocation.at_ms);
    let reason = revocation.reason.clone();
    view! {
        <div class="notice" role="status" id="revocation" data-reason=revocation.reason.clone()>
            <p><strong>{t!(i18n, pl_certificate)} " " {number}</strong> " · "
                {t!(i18n, rv_revoked_title, date = move || date.clone())}</p>
            <p id="revocation-reason">{move || crate::pages::revocation_reason(i18n, &reason)}</p>
            {(!revocation.note.is_empty()).then(|| view! { <p id="revocation-note">{revocation.note.clone()}</p> })}
            <p class="muted small">{t!(i18n, rv_by)} ": " {revocation.by.clone()}</p>
        </div>
    }
}

/// Revoking a certificate (administrators): a reason from the list and a note, then a dialog
/// that names the holder and the number and says what changes, before anything is sent.
#[component]
pub(crate) fn Revoke(number: String, name: String, on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let reason = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let asking = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let number = StoredValue::new(number);
    let name = StoredValue::new(name);
    let ready = move || {
        let r = reason.get();
        !r.is_empty() && (r != "other" || !note.get().trim().is_empty())
    };
    let revoke = move |_| {
        asking.set(false);
        let input = RevocationInput {
            reason: reason.get_untracked(),
            note: note.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match revoke_certificate(number.get_value(), input).await {
                Ok(_) => on_done.run(()),
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    view! {
        <details class="revoke" id="revoke-section">
            <summary>{t!(i18n, rv_section)}</summary>
            <div class="form-grid">
                <label class="field" for="rv-reason"><span>{t!(i18n, rv_reason)}</span>
                    <select id="rv-reason" on:change=move |ev| reason.set(event_target_value(&ev))>
                        <option value="" selected=true>{t!(i18n, rv_choose)}</option>
                        {REVOCATION_REASONS.iter().map(|r| view! {
                            <option value=*r>{move || crate::pages::revocation_reason(i18n, r)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field" for="rv-note"><span>{t!(i18n, rv_note)}</span>
                    <textarea id="rv-note" rows="2" maxlength="1000" prop:value=note on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </label>
            </div>
            <button type="button" class="danger" id="revoke" disabled=move || !ready()
                on:click=move |_| asking.set(true)>{t!(i18n, rv_open)}</button>
            {move || message.get().map(|m| view! { <p class="error" role="alert" id="revoke-error">{m}</p> })}
        </details>
        {move || asking.get().then(|| view! {
            <div class="overlay">
                <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="revoke-title" id="revoke-dialog">
                    <h2 id="revoke-title">{t!(i18n, rv_title, number = move || number.get_value())}</h2>
                    <p>{t!(i18n, rv_effect, name = move || name.get_value())}</p>
                    <p><strong>{move || crate::pages::revocation_reason(i18n, &reason.get())}</strong>
                        {move || { let n = note.get(); (!n.trim().is_empty()).then(|| format!(" — {}", n.trim())) }}</p>
                    <div class="q-actions">
                        <button type="button" id="revoke-cancel" data-cancel="" on:click=move |_| asking.set(false)>{t!(i18n, cancel)}</button>
                        <button type="button" class="danger" id="revoke-confirm" data-changes="" on:click=revoke>{t!(i18n, rv_confirm)}</button>
                    </div>
                </div>
            </div>
        })}
    }
}
