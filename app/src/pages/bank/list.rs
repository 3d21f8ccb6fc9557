//! The bank's list: filters, sorting, paging, bulk actions.

use super::*;

#[component]
pub fn BankListPage() -> impl IntoView {
    let i18n = use_i18n();
    let filter = RwSignal::new(BankFilter {
        per_page: Some(25),
        ..Default::default()
    });
    let page = Resource::new(move || filter.get(), bank_list);
    let comps = Resource::new(|| (), |_| bank_competencies());
    let selected = RwSignal::new(HashSet::<String>::new());
    let notice = RwSignal::new(None::<String>);
    let done_count = RwSignal::new(None::<usize>);
    let tag = RwSignal::new(String::new());
    let set = move |f: fn(&mut BankFilter, Option<String>), v: String| {
        filter.update(|x| {
            f(x, opt(v));
            x.page = Some(1);
        });
    };
    let sort_by = move |col: &'static str| {
        filter.update(|x| {
            if x.sort.as_deref() == Some(col) {
                x.descending = Some(!x.descending.unwrap_or(false));
            } else {
                x.sort = Some(col.into());
                x.descending = Some(false);
            }
        });
    };
    let bulk = move |action: &'static str| {
        let ids: Vec<String> = selected.get_untracked().into_iter().collect();
        if ids.is_empty() {
            return;
        }
        let tag_value = (action == "tag").then(|| tag.get_untracked());
        leptos::task::spawn_local(async move {
            let r = bank_bulk(BulkInput {
                item_ids: ids,
                action: action.into(),
                tag: tag_value,
            })
            .await;
            match r {
                Ok(r) => {
                    let mut msg = String::new();
                    for f in r.refused {
                        msg.push_str(&format!(" {}: {}", f.item_id, f.message));
                    }
                    done_count.set(Some(r.done.len()));
                    notice.set(Some(msg));
                    selected.set(HashSet::new());
                    page.refetch();
                }
                Err(e) => {
                    done_count.set(None);
                    notice.set(Some(e.message));
                }
            }
        });
    };
    let header = move |col: &'static str, label: String| {
        let mark = move || {
            filter.with(|f| match (f.sort.as_deref(), f.descending) {
                (Some(c), Some(true)) if c == col => " ▼",
                (Some(c), _) if c == col => " ▲",
                _ => "",
            })
        };
        let sorted = move || {
            filter.with(|f| match (f.sort.as_deref(), f.descending) {
                (Some(c), Some(true)) if c == col => "descending",
                (Some(c), _) if c == col => "ascending",
                _ => "none",
            })
        };
        view! {
            <th aria-sort=sorted>
                <button type="button" class="link sort" id=format!("sort-{col}") on:click=move |_| sort_by(col)>
                    {label} {mark}
                </button>
            </th>
        }
    };
    view! {
        <section class="card wide">
            <div class="row-between">
                <h1>{t!(i18n, bank_title)}</h1>
                <div class="actions">
                    <a class="button primary" href="/bank/new" id="new-item">{t!(i18n, bank_new)}</a>
                    <a class="button" href="/bank/import" id="import-link">{t!(i18n, bank_import)}</a>
                    <a class="button" href="/bank/competencies" id="taxonomy-link">{t!(i18n, bank_taxonomy)}</a>
                </div>
            </div>
            <form class="filters" role="search" on:submit=|ev| ev.prevent_default()>
                <label>
                    <span>{t!(i18n, bank_search)}</span>
                    <input type="search" id="filter-q"
                        on:change=move |ev| set(|f, v| f.q = v, event_target_value(&ev)) />
                </label>
                <label>
                    <span>{t!(i18n, bank_competency)}</span>
                    <select id="filter-competency" on:change=move |ev| set(|f, v| f.competency = v, event_target_value(&ev))>
                        <option value="">{t!(i18n, bank_any)}</option>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                comps.await.unwrap_or_default().into_iter().map(|c| {
                                    let label = c.names.get("ru").or_else(|| c.names.values().next()).cloned().unwrap_or(c.code.clone());
                                    view! { <option value=c.code.clone()>{label}</option> }
                                }).collect_view()
                            })}
                        </Suspense>
                    </select>
                </label>
                <label>
                    <span>{t!(i18n, bank_status)}</span>
                    <select id="filter-status" on:change=move |ev| set(|f, v| f.status = v, event_target_value(&ev))>
                        <option value="">{t!(i18n, bank_any)}</option>
                        {["draft", "in_review", "published", "retired"].into_iter().map(|s| view! {
                            <option value=s>{move || status_label(i18n, s)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{t!(i18n, bank_type)}</span>
                    <select id="filter-type" on:change=move |ev| set(|f, v| f.item_type = v, event_target_value(&ev))>
                        <option value="">{t!(i18n, bank_any)}</option>
                        {ItemType::ALL.into_iter().map(|t| view! {
                            <option value=t.as_str()>{move || type_label(i18n, t.as_str())}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{t!(i18n, bank_missing_in)}</span>
                    <select id="filter-missing" on:change=move |ev| set(|f, v| f.missing_in = v, event_target_value(&ev))>
                        <option value="">{t!(i18n, bank_any)}</option>
                        {LANGS.into_iter().map(|l| view! { <option value=l.code()>{l.code()}</option> }).collect_view()}
                    </select>
                </label>
            </form>
            <div class="bulk" role="group" aria-label=move || t_string!(i18n, bank_bulk)>
                <span class="muted">{t!(i18n, bank_selected, n = move || selected.with(HashSet::len))}</span>
                <button type="button" id="bulk-review" data-changes="" on:click=move |_| bulk("send_to_review")>{t!(i18n, bank_send_to_review)}</button>
                <button type="button" id="bulk-retire" data-changes="" on:click=move |_| bulk("retire")>{t!(i18n, bank_retire)}</button>
                <input type="text" id="bulk-tag-name" placeholder=move || t_string!(i18n, bank_tag)
                    prop:value=tag on:input=move |ev| tag.set(event_target_value(&ev)) />
                <button type="button" id="bulk-tag" data-changes="" on:click=move |_| bulk("tag")>{t!(i18n, bank_add_tag)}</button>
            </div>
            {move || notice.get().map(|n| view! {
                <p class="notice" role="status" id="bank-notice">
                    {done_count.get().map(|c| view! { {t!(i18n, bank_bulk_done, n = c)} " " })}
                    {n}
                </p>
            })}
            <Transition fallback=move || view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                        Ok(p) => {
                            let pages = ((p.total + i64::from(p.per_page) - 1) / i64::from(p.per_page)).max(1);
                            let current = i64::from(p.page);
                            view! {
                                {p.rows.is_empty().then(|| view! { <p class="muted empty" role="status" id="bank-empty">{t!(i18n, empty_filtered)}</p> })}
                                <table class="table bank-table" id="bank-table">
                                    <thead><tr>
                                        <th><span class="sr-only">{t!(i18n, bank_select)}</span></th>
                                        {header("item_id", t_string!(i18n, bank_id).to_string())}
                                        <th>{t!(i18n, bank_text)}</th>
                                        {header("competency", t_string!(i18n, bank_competency).to_string())}
                                        {header("item_type", t_string!(i18n, bank_type).to_string())}
                                        {header("status", t_string!(i18n, bank_status).to_string())}
                                        <th>{t!(i18n, bank_languages)}</th>
                                        {header("updated_at", t_string!(i18n, bank_updated).to_string())}
                                    </tr></thead>
                                    <tbody>
                                        {p.rows.into_iter().map(|r| {
                                            let id = r.item_id.clone();
                                            let id2 = id.clone();
                                            let checked = move || selected.with(|s| s.contains(&id));
                                            view! {
                                                <tr data-item=r.item_id.clone() data-status=r.status.clone()>
                                                    <td><input type="checkbox" class="pick" aria-label=r.item_id.clone()
                                                        prop:checked=checked
                                                        on:change=move |ev| {
                                                            let on = event_target_checked(&ev);
                                                            selected.update(|s| { if on { s.insert(id2.clone()); } else { s.remove(&id2); } });
                                                        } /></td>
                                                    <td><a href=format!("/bank/item/{}", r.item_id)>{r.item_id.clone()}</a>
                                                        <span class="muted small">" v" {r.version}</span></td>
                                                    <td class="preview">{r.preview.clone()}</td>
                                                    <td>{r.competency.clone()}</td>
                                                    <td>{type_label(i18n, &r.item_type)}</td>
                                                    <td><span class=format!("badge status-{}", r.status)>{status_label(i18n, &r.status)}</span></td>
                                                    <td>{LANGS.into_iter().map(|l| {
                                                        let ok = r.ready.iter().any(|x| x == l.code());
                                                        view! { <span class="lang-dot" class:ready=ok title=l.code()>{l.code()}</span> }
                                                    }).collect_view()}</td>
                                                    <td class="small">{date(r.updated_ms)}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <nav class="pager" aria-label=move || t_string!(i18n, pager)>
                                    <button type="button" id="prev-page" disabled={ current <= 1 }
                                        on:click=move |_| filter.update(|f| f.page = Some(f.page.unwrap_or(1).saturating_sub(1).max(1)))>
                                        "←"
                                    </button>
                                    <span id="page-info">{t!(i18n, bank_page_of, page = current, pages = pages, total = p.total)}</span>
                                    <button type="button" id="next-page" disabled={ current >= pages }
                                        on:click=move |_| filter.update(|f| f.page = Some(f.page.unwrap_or(1) + 1))>
                                        "→"
                                    </button>
                                </nav>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
