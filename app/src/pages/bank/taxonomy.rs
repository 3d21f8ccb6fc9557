//! The competencies (the bank's taxonomy) and their names in three languages.

use super::*;

/// The competency taxonomy: codes and names in three languages; add or rename.
#[component]
pub fn BankTaxonomyPage() -> impl IntoView {
    let i18n = use_i18n();
    let comps = Resource::new(|| (), |_| bank_competencies());
    let message = RwSignal::new(None::<String>);
    let save = move |c: CompetencyView| {
        leptos::task::spawn_local(async move {
            match bank_put_competency(c).await {
                Ok(c) => {
                    message.set(Some(format!("✓ {}", c.code)));
                    comps.refetch();
                }
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    let row = move |c: CompetencyView, new: bool| {
        let code = RwSignal::new(c.code.clone());
        let names = RwSignal::new(c.names.clone());
        let position = c.position;
        view! {
            <tr data-code=c.code.clone()>
                <td><input type="text" class="code" disabled=!new prop:value=code aria-label=move || t_string!(i18n, bank_code)
                    on:input=move |ev| code.set(event_target_value(&ev)) /></td>
                {LANGS.into_iter().map(|l| view! {
                    <td><input type="text" class=format!("name-{}", l.code()) aria-label=format!("{} ({})", c.code, l.code())
                        prop:value=move || names.with(|n| n.get(l.code()).cloned().unwrap_or_default())
                        on:input=move |ev| { let v = event_target_value(&ev); names.update(|n| { n.insert(l.code().to_string(), v); }); } /></td>
                }).collect_view()}
                <td><button type="button" class="save-competency" data-changes="" on:click=move |_| save(CompetencyView {
                    code: code.get_untracked().trim().to_string(),
                    position,
                    names: names.get_untracked(),
                })>{t!(i18n, bank_save)}</button></td>
            </tr>
        }
    };
    view! {
        <section class="card wide">
            <h1>{t!(i18n, bank_taxonomy)}</h1>
            <p><a href="/bank">{t!(i18n, bank_back)}</a></p>
            {move || message.get().map(|m| view! { <p class="notice" role="status" id="taxonomy-message">{m}</p> })}
            <Suspense fallback=move || view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match comps.await {
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                        Ok(list) => {
                            let next = list.iter().map(|c| c.position).max().unwrap_or(0) + 1;
                            view! {
                                <table class="table" id="taxonomy">
                                    <thead><tr><th>{t!(i18n, bank_id)}</th><th>"kk"</th><th>"ru"</th><th>"en"</th><th></th></tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|c| row(c, false)).collect_view()}
                                        {row(CompetencyView { code: String::new(), position: next, names: Default::default() }, true)}
                                    </tbody>
                                </table>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
