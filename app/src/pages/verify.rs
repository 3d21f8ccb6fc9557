//! The public verification of a certificate, by its number (typed, or from the QR code on the
//! PDF). Rendered on the server, so it works without scripts and without signing in; it shows
//! only the name, the category, the dates and whether the certificate is valid.

use crate::api::check_certificate;
use crate::error::ErrorCode;
use crate::i18n::*;
use crate::model::CertificateCheck;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// What the check found.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
enum Lookup {
    /// No number asked yet.
    Nothing,
    Missing,
    Found(CertificateCheck),
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let number = move || {
        params
            .read()
            .get("number")
            .or_else(|| query.read().get("number"))
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    // One flat value: a nested `Option` (`Some(None)`) goes to the browser as `null` and comes
    // back as `None`, so the browser would draw another branch than the server did.
    let check = Resource::new(number, |n| async move {
        if n.is_empty() {
            return Ok(Lookup::Nothing);
        }
        match check_certificate(n).await {
            Ok(Some(c)) => Ok(Lookup::Found(c)),
            Ok(None) => Ok(Lookup::Missing),
            Err(e) if e.code == ErrorCode::NotFound => Ok(Lookup::Missing),
            Err(e) => Err(e),
        }
    });
    view! {
        <section class="card narrow" id="verify">
            <h1>{t!(i18n, pl_verify_title)}</h1>
            <p class="muted">{t!(i18n, pl_verify_hint)}</p>
            <form method="get" action="/verify" class="inline-fields">
                <label class="sr-only" for="cert-number">{t!(i18n, pl_certificate)}</label>
                <input type="text" id="cert-number" name="number" placeholder="LM-2026-XXXX-XXXX"
                    prop:value=number autocomplete="off" />
                <button type="submit" class="primary" id="cert-check">{t!(i18n, pl_verify)}</button>
            </form>
            <Suspense fallback=move || view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match check.await {
                        Ok(Lookup::Nothing) => ().into_any(),
                        Ok(Lookup::Missing) => view! {
                            <p class="error" role="alert" id="cert-missing">{t!(i18n, pl_verify_missing)}</p>
                        }.into_any(),
                        Ok(Lookup::Found(c)) => {
                            let state = c.state.clone();
                            let label = match state.as_str() {
                                "valid" => t_string!(i18n, pl_state_valid),
                                "expired" => t_string!(i18n, pl_state_expired),
                                _ => t_string!(i18n, pl_state_revoked),
                            };
                            view! {
                                <dl class=format!("facts cert cert-{state}") id="cert-result" data-state=state.clone()>
                                    <dt>{t!(i18n, pl_certificate)}</dt><dd id="cert-no">{c.number.clone()}</dd>
                                    <dt>{t!(i18n, pl_full_name)}</dt><dd id="cert-name">{c.full_name.clone()}</dd>
                                    <dt>{t!(i18n, pl_category)}</dt><dd id="cert-category">{c.category.clone()}</dd>
                                    <dt>{t!(i18n, pl_issued)}</dt><dd>{super::fmt_date(c.issued_ms)}</dd>
                                    <dt>{t!(i18n, pl_valid_until)}</dt><dd>{super::fmt_date(c.valid_until_ms)}</dd>
                                    <dt>{t!(i18n, pl_status)}</dt><dd id="cert-state"><strong>{label}</strong></dd>
                                    {c.revoked_ms.map(|at| view! { <dt>{t!(i18n, pl_revoked_on)}</dt><dd id="cert-revoked">{super::fmt_date(at)}</dd> })}
                                </dl>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="error" role="alert">{super::error_text(i18n, &e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
