//! Importing a file of items (GIFT, Moodle XML, QTI, CSV, Aiken): a dry run, then the import.

use super::*;

#[component]
pub fn BankImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let file_name = RwSignal::new(String::new());
    let format = RwSignal::new("gift".to_string());
    let language = RwSignal::new("ru".to_string());
    let report = RwSignal::new(None::<ImportReport>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let checked = RwSignal::new(false);

    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = chosen_file(&ev) else {
                return;
            };
            let name = file.name();
            if let Some(f) = question_bank::formats::Format::from_file_name(&name) {
                format.set(f.as_str().into());
            }
            file_name.set(name);
            report.set(None);
            checked.set(false);
            leptos::task::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    Ok(v) => text.set(v.as_string().unwrap_or_default()),
                    Err(_) => error.set(Some("the file could not be read".into())),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let run = move |dry_run: bool| {
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let r = bank_import(
                format.get_untracked(),
                language.get_untracked(),
                text.get_untracked(),
                dry_run,
            )
            .await;
            match r {
                Ok(r) => {
                    checked.set(dry_run && r.errors.is_empty());
                    report.set(Some(r));
                }
                Err(e) => error.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    let notes = |id: &'static str, title: String, list: Vec<ImportNote>| {
        (!list.is_empty()).then(|| {
            view! {
                <h3>{title}</h3>
                <ul class="notes" id=id>
                    {list.into_iter().map(|n| view! { <li><code>{n.at}</code> " " {n.message}</li> }).collect_view()}
                </ul>
            }
        })
    };
    view! {
        <section class="card wide">
            <h1>{t!(i18n, bank_import_title)}</h1>
            <p><a href="/bank">{t!(i18n, bank_back)}</a></p>
            <p class="hint">{t!(i18n, bank_import_hint)}</p>
            <div class="meta-grid">
                <label>{t!(i18n, bank_file)}
                    <input type="file" id="import-file" accept=".gift,.txt,.xml,.csv" on:change=on_file />
                </label>
                <label>{t!(i18n, bank_format)}
                    <select id="import-format" on:change=move |ev| { format.set(event_target_value(&ev)); checked.set(false); }>
                        {["gift", "moodle-xml", "csv"].into_iter().map(|f| view! {
                            <option value=f selected=move || format.get() == f>{f}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>{t!(i18n, bank_text_language)}
                    <select id="import-language" on:change=move |ev| { language.set(event_target_value(&ev)); checked.set(false); }>
                        {LANGS.into_iter().map(|l| view! { <option value=l.code() selected=l == Language::Ru>{l.code()}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <label>{t!(i18n, bank_or_paste)}
                <textarea id="import-text" rows=6 prop:value=text
                    on:input=move |ev| { text.set(event_target_value(&ev)); checked.set(false); }></textarea>
            </label>
            <p class="muted small">{move || file_name.get()}</p>
            <div class="q-actions">
                <button type="button" id="import-check" disabled=move || busy.get() || text.with(String::is_empty)
                    on:click=move |_| run(true)>{t!(i18n, bank_check)}</button>
                <button type="button" class="primary" id="import-commit" data-changes="" disabled=move || busy.get() || !checked.get()
                    on:click=move |_| run(false)>{t!(i18n, bank_import_commit)}</button>
            </div>
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            {move || report.get().map(|r| {
                let (errors, created, updated) = (r.errors.len(), r.created.len(), r.updated.len());
                let summary = if errors > 0 {
                    view! { {t!(i18n, bank_report_errors, n = errors)} }.into_any()
                } else if r.dry_run {
                    view! { {t!(i18n, bank_report_would, created = created, updated = updated)} }.into_any()
                } else {
                    view! { {t!(i18n, bank_report_done, created = created, updated = updated)} }.into_any()
                };
                view! {
                    <section class="report" id="import-report" data-dry-run=r.dry_run.to_string() data-errors=errors>
                        <p class=if errors == 0 { "ok-note" } else { "alert" } id="import-summary">{summary}</p>
                        {notes("import-errors", t_string!(i18n, bank_errors).to_string(), r.errors)}
                        {notes("import-skipped", t_string!(i18n, bank_skipped).to_string(), r.skipped)}
                        {notes("import-warnings", t_string!(i18n, bank_warnings).to_string(), r.warnings)}
                        {(!r.new_competencies.is_empty()).then(|| view! {
                            <p>{t!(i18n, bank_new_competencies)} " " {r.new_competencies.join(", ")}</p>
                        })}
                        {(!r.ready.is_empty()).then(|| view! {
                            <p>{t!(i18n, bank_ready_counts)} " " {r.ready.iter().map(|(l, n)| format!("{l}: {n}")).collect::<Vec<_>>().join(", ")}</p>
                        })}
                        {(!r.created.is_empty() || !r.updated.is_empty()).then(|| view! {
                            <details><summary>{t!(i18n, bank_items)}</summary>
                                <p class="small">{r.created.iter().chain(r.updated.iter()).cloned().collect::<Vec<_>>().join(", ")}</p>
                            </details>
                        })}
                    </section>
                }
            })}
        </section>
    }
}
