//! The question bank for methodologists: the list (filters, sort, pages, bulk actions), the
//! editor (three languages side by side, the key per type, inline validation, a live preview
//! as the applicant will see the item, review, history with restore) and the import page
//! (check first, then import).

use super::markdown::{Markdown, MarkdownInline};
use super::{ErrorNote, go};
use crate::api::{
    bank_act, bank_bulk, bank_competencies, bank_history, bank_import, bank_item, bank_list,
    bank_put_competency, bank_restore, bank_save, current_user,
};
use crate::i18n::*;
use crate::model::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use question_bank::{
    Difficulty, Item, ItemId, ItemMeta, ItemType, Key, Language, LocalizedText, PartialCredit,
};
use std::collections::HashSet;

const LANGS: [Language; 3] = [Language::Kk, Language::Ru, Language::En];

fn status_label(i18n: leptos_i18n::I18nContext<Locale>, s: &str) -> String {
    match s {
        "draft" => t_string!(i18n, bank_status_draft).to_string(),
        "in_review" => t_string!(i18n, bank_status_in_review).to_string(),
        "published" => t_string!(i18n, bank_status_published).to_string(),
        "retired" => t_string!(i18n, bank_status_retired).to_string(),
        "superseded" => t_string!(i18n, bank_status_superseded).to_string(),
        other => other.to_string(),
    }
}

fn type_label(i18n: leptos_i18n::I18nContext<Locale>, t: &str) -> String {
    match t {
        "single_choice" => t_string!(i18n, bank_type_single_choice).to_string(),
        "multiple_response" => t_string!(i18n, bank_type_multiple_response).to_string(),
        "true_false" => t_string!(i18n, bank_type_true_false).to_string(),
        "matching" => t_string!(i18n, bank_type_matching).to_string(),
        "ordering" => t_string!(i18n, bank_type_ordering).to_string(),
        "numeric" => t_string!(i18n, bank_type_numeric).to_string(),
        "short_text" => t_string!(i18n, bank_type_short_text).to_string(),
        other => other.to_string(),
    }
}

fn opt(s: String) -> Option<String> {
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

// ---------------------------------------------------------------- the list

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

/// `YYYY-MM-DD` of a time in milliseconds (UTC).
pub(crate) fn date(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

// ---------------------------------------------------------------- the editor

fn blank_item() -> Item {
    let empty = LocalizedText::new;
    Item {
        id: ItemId::parse("new-item").unwrap_or_else(|_| unreachable_id()),
        version: 1,
        competency: String::new(),
        difficulty: Difficulty::Medium,
        stem: empty(),
        options: vec![empty(), empty(), empty(), empty()],
        matches: vec![],
        key: Key::SingleChoice { correct: 0 },
        rationale: empty(),
        meta: ItemMeta::default(),
        attachments: vec![],
    }
}

fn unreachable_id() -> ItemId {
    ItemId::parse("item").unwrap_or_else(|_| unreachable_id())
}

/// Converts an item to another type, keeping what fits.
fn retype(item: &mut Item, t: ItemType) {
    let ensure = |v: &mut Vec<LocalizedText>, n: usize| {
        while v.len() < n {
            v.push(LocalizedText::new());
        }
    };
    if !t.has_options() {
        item.options.clear();
    } else {
        ensure(&mut item.options, 2);
    }
    if t != ItemType::Matching {
        item.matches.clear();
    }
    item.key = match t {
        ItemType::SingleChoice => Key::SingleChoice { correct: 0 },
        ItemType::MultipleResponse => Key::MultipleResponse {
            correct: vec![0],
            credit: PartialCredit::RightMinusWrong,
        },
        ItemType::TrueFalse => Key::TrueFalse { answer: true },
        ItemType::Matching => {
            let n = item.options.len();
            ensure(&mut item.matches, n);
            Key::Matching {
                pairs: (0..n).collect(),
            }
        }
        ItemType::Ordering => Key::Ordering,
        ItemType::Numeric => Key::Numeric {
            value: 0.0,
            tolerance: 0.0,
        },
        ItemType::ShortText => Key::ShortText {
            accepted: vec![],
            case_sensitive: false,
        },
    };
}

fn set_text(t: &mut LocalizedText, lang: Language, v: String) {
    if v.trim().is_empty() {
        t.0.remove(&lang);
    } else {
        t.0.insert(lang, v);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Field {
    Stem,
    Option(usize),
    Match(usize),
    Rationale,
}

fn field_text(item: &Item, f: Field) -> Option<&LocalizedText> {
    match f {
        Field::Stem => Some(&item.stem),
        Field::Option(i) => item.options.get(i),
        Field::Match(i) => item.matches.get(i),
        Field::Rationale => Some(&item.rationale),
    }
}

fn field_text_mut(item: &mut Item, f: Field) -> Option<&mut LocalizedText> {
    match f {
        Field::Stem => Some(&mut item.stem),
        Field::Option(i) => item.options.get_mut(i),
        Field::Match(i) => item.matches.get_mut(i),
        Field::Rationale => Some(&mut item.rationale),
    }
}

fn field_id(f: Field) -> String {
    match f {
        Field::Stem => "stem".into(),
        Field::Option(i) => format!("option-{i}"),
        Field::Match(i) => format!("match-{i}"),
        Field::Rationale => "rationale".into(),
    }
}

/// One text in the three languages, side by side.
#[component]
fn TextRow(draft: RwSignal<Item>, field: Field, label: String) -> impl IntoView {
    let rows = if matches!(field, Field::Stem | Field::Rationale) {
        3
    } else {
        1
    };
    view! {
        <div class="text-row">
            <div class="text-label">{label}</div>
            {LANGS.into_iter().map(|lang| {
                let value = move || draft.with(|i| field_text(i, field).and_then(|t| t.0.get(&lang).cloned()).unwrap_or_default());
                let id = format!("text-{}-{}", field_id(field), lang.code());
                view! {
                    <label class="text-cell">
                        <span class="lang-tag">{lang.code()}</span>
                        <textarea id=id rows=rows prop:value=value
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                draft.update(|i| if let Some(t) = field_text_mut(i, field) { set_text(t, lang, v) });
                            }></textarea>
                    </label>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
pub fn BankNewPage() -> impl IntoView {
    let i18n = use_i18n();
    let comps = Resource::new(|| (), |_| bank_competencies());
    view! {
        <Suspense fallback=move || view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match comps.await {
                    Ok(comps) => view! { <ItemEditor doc=None comps me=None /> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn BankItemPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let data = Resource::new(id, |id| async move {
        let doc = bank_item(id).await?;
        let comps = bank_competencies().await?;
        let me = current_user().await?;
        Ok::<_, crate::error::AppError>((doc, comps, me))
    });
    view! {
        <Suspense fallback=move || view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((doc, comps, me)) => view! { <ItemEditor doc=Some(doc) comps me /> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ItemEditor(
    doc: Option<ItemDoc>,
    comps: Vec<CompetencyView>,
    me: Option<UserInfo>,
) -> impl IntoView {
    let i18n = use_i18n();
    let creating = doc.is_none();
    let status = doc
        .as_ref()
        .map(|d| d.status.clone())
        .unwrap_or_else(|| "draft".into());
    let published_version = doc.as_ref().and_then(|d| d.published_version);
    let updated_ms = doc.as_ref().map(|d| d.updated_ms);
    let author = doc.as_ref().and_then(|d| d.author_id.clone());
    let mut initial = doc.map(|d| d.item).unwrap_or_else(blank_item);
    if creating && let Some(c) = comps.first() {
        initial.competency = c.code.clone();
    }
    let item_id = initial.id.to_string();
    let version = initial.version;
    let id_text = RwSignal::new(if creating {
        String::new()
    } else {
        item_id.clone()
    });
    let draft = RwSignal::new(initial);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let comment = RwSignal::new(String::new());
    let preview_lang = RwSignal::new(Language::Ru);
    let tags_text = RwSignal::new(draft.with_untracked(|i| i.meta.tags.join(", ")));

    let problem = Memo::new(move |_| {
        let id = id_text.get();
        match ItemId::parse(id.trim()) {
            Err(e) => Some(e.to_string()),
            Ok(id) => {
                let mut it = draft.get();
                it.id = id;
                it.validate().err().map(|e| e.to_string())
            }
        }
    });
    let completeness = move || draft.with(|i| i.completeness());
    let kind = move || draft.with(Item::item_type);

    let item_id_sv = StoredValue::new(item_id.clone());
    let save = move |_| {
        let Ok(id) = ItemId::parse(id_text.get_untracked().trim()) else {
            return;
        };
        let mut item = draft.get_untracked();
        item.id = id.clone();
        item.meta.tags = tags_text
            .get_untracked()
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let input = ItemInput {
                item,
                expected_updated_ms: updated_ms,
            };
            match bank_save(input, creating).await {
                Ok(d) => go(&format!("/bank/item/{}", d.item.id)),
                Err(e) => {
                    error.set(Some(e.message));
                    busy.set(false);
                }
            }
        });
    };
    let act = move |action: &'static str, review: Option<ReviewInput>| {
        busy.set(true);
        let id = item_id_sv.get_value();
        leptos::task::spawn_local(async move {
            match bank_act(id.clone(), action.into(), review).await {
                Ok(_) => go(&format!("/bank/item/{id}")),
                Err(e) => {
                    error.set(Some(e.message));
                    busy.set(false);
                }
            }
        });
    };
    let is_author = me
        .as_ref()
        .is_some_and(|m| author.as_deref() == Some(m.id.as_str()));
    let can_review = status == "in_review"
        && me.as_ref().is_some_and(|m| m.role == Role::Methodologist)
        && !is_author;
    let status_for_view = status.clone();

    let options_editor = move || {
        let t = kind();
        if !t.has_options() {
            return ().into_any();
        }
        let n = draft.with(|i| i.options.len());
        let label = match t {
            ItemType::Matching => t_string!(i18n, bank_premise).to_string(),
            ItemType::Ordering => t_string!(i18n, bank_element).to_string(),
            _ => t_string!(i18n, bank_option).to_string(),
        };
        view! {
            <fieldset class="editor-block">
                <legend>{match t {
                    ItemType::Ordering => t_string!(i18n, bank_options_in_order).to_string(),
                    _ => t_string!(i18n, bank_options).to_string(),
                }}</legend>
                {(0..n).map(|k| {
                    let key_control = match t {
                        ItemType::SingleChoice => {
                            let checked = move || draft.with(|i| matches!(i.key, Key::SingleChoice { correct } if correct == k));
                            view! {
                                <label class="key-pick"><input type="radio" name="key" id=format!("key-{k}") prop:checked=checked
                                    on:change=move |_| draft.update(|i| i.key = Key::SingleChoice { correct: k }) />
                                    {t!(i18n, bank_correct)}</label>
                            }.into_any()
                        }
                        ItemType::MultipleResponse => {
                            let checked = move || draft.with(|i| matches!(&i.key, Key::MultipleResponse { correct, .. } if correct.contains(&k)));
                            view! {
                                <label class="key-pick"><input type="checkbox" id=format!("key-{k}") prop:checked=checked
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        draft.update(|i| if let Key::MultipleResponse { correct, .. } = &mut i.key {
                                            correct.retain(|c| *c != k);
                                            if on { correct.push(k); correct.sort_unstable(); }
                                        });
                                    } />
                                    {t!(i18n, bank_correct)}</label>
                            }.into_any()
                        }
                        ItemType::Matching => {
                            let m = draft.with(|i| i.matches.len());
                            let current = move || draft.with(|i| match &i.key { Key::Matching { pairs } => pairs.get(k).copied().unwrap_or(0), _ => 0 });
                            view! {
                                <label class="key-pick">{t!(i18n, bank_matches_answer)}
                                    <select id=format!("key-{k}") on:change=move |ev| {
                                        let v: usize = event_target_value(&ev).parse().unwrap_or(0);
                                        draft.update(|i| if let Key::Matching { pairs } = &mut i.key {
                                            while pairs.len() <= k { pairs.push(0); }
                                            pairs[k] = v;
                                        });
                                    }>
                                        {(0..m).map(|j| view! { <option value=j selected=move || current() == j>{j + 1}</option> }).collect_view()}
                                    </select>
                                </label>
                            }.into_any()
                        }
                        _ => ().into_any(),
                    };
                    view! {
                        <div class="option-editor">
                            <TextRow draft field=Field::Option(k) label=format!("{label} {}", k + 1) />
                            <div class="option-tools">
                                {key_control}
                                <button type="button" class="link" id=format!("remove-option-{k}")
                                    on:click=move |_| draft.update(|i| {
                                        if i.options.len() > 1 { i.options.remove(k); }
                                        match &mut i.key {
                                            Key::SingleChoice { correct } if *correct >= i.options.len() => *correct = 0,
                                            Key::MultipleResponse { correct, .. } => { correct.retain(|c| *c != k); for c in correct.iter_mut() { if *c > k { *c -= 1; } } }
                                            Key::Matching { pairs } if k < pairs.len() => { pairs.remove(k); }
                                            _ => {}
                                        }
                                    })>{t!(i18n, bank_remove)}</button>
                            </div>
                        </div>
                    }
                }).collect_view()}
                <button type="button" id="add-option" on:click=move |_| draft.update(|i| {
                    i.options.push(LocalizedText::new());
                    if let Key::Matching { pairs } = &mut i.key { pairs.push(0); }
                })>{t!(i18n, bank_add_option)}</button>
            </fieldset>
        }.into_any()
    };

    let matches_editor = move || {
        if kind() != ItemType::Matching {
            return ().into_any();
        }
        let n = draft.with(|i| i.matches.len());
        view! {
            <fieldset class="editor-block">
                <legend>{t!(i18n, bank_answers_to_match)}</legend>
                {(0..n).map(|k| view! {
                    <TextRow draft field=Field::Match(k) label=format!("{} {}", t_string!(i18n, bank_answer), k + 1) />
                }).collect_view()}
                <button type="button" id="add-match" on:click=move |_| draft.update(|i| i.matches.push(LocalizedText::new()))>
                    {t!(i18n, bank_add_answer)}
                </button>
            </fieldset>
        }.into_any()
    };

    let key_editor = move || {
        match draft.with(|i| i.key.clone()) {
        Key::MultipleResponse { credit, .. } => view! {
            <label>{t!(i18n, bank_credit)}
                <select id="credit" on:change=move |ev| {
                    let all = event_target_value(&ev) == "all_or_nothing";
                    draft.update(|i| if let Key::MultipleResponse { credit, .. } = &mut i.key {
                        *credit = if all { PartialCredit::AllOrNothing } else { PartialCredit::RightMinusWrong };
                    });
                }>
                    <option value="right_minus_wrong" selected=credit == PartialCredit::RightMinusWrong>{t!(i18n, bank_credit_partial)}</option>
                    <option value="all_or_nothing" selected=credit == PartialCredit::AllOrNothing>{t!(i18n, bank_credit_all)}</option>
                </select>
            </label>
        }.into_any(),
        Key::TrueFalse { answer } => view! {
            <label>{t!(i18n, bank_correct_answer)}
                <select id="key-bool" on:change=move |ev| {
                    let v = event_target_value(&ev) == "true";
                    draft.update(|i| i.key = Key::TrueFalse { answer: v });
                }>
                    <option value="true" selected=answer>{t!(i18n, bank_true)}</option>
                    <option value="false" selected=!answer>{t!(i18n, bank_false)}</option>
                </select>
            </label>
        }.into_any(),
        Key::Numeric { value, tolerance } => view! {
            <div class="inline-fields">
                <label>{t!(i18n, bank_value)}
                    <input type="number" step="any" id="key-value" prop:value=value.to_string()
                        on:change=move |ev| {
                            let v: f64 = event_target_value(&ev).parse().unwrap_or(f64::NAN);
                            draft.update(|i| if let Key::Numeric { value, .. } = &mut i.key { *value = v });
                        } />
                </label>
                <label>{t!(i18n, bank_tolerance)}
                    <input type="number" step="any" min="0" id="key-tolerance" prop:value=tolerance.to_string()
                        on:change=move |ev| {
                            let v: f64 = event_target_value(&ev).parse().unwrap_or(f64::NAN);
                            draft.update(|i| if let Key::Numeric { tolerance, .. } = &mut i.key { *tolerance = v });
                        } />
                </label>
            </div>
        }.into_any(),
        Key::ShortText { accepted, case_sensitive } => view! {
            <label>{t!(i18n, bank_accepted_answers)}
                <textarea id="key-accepted" rows=3 prop:value=accepted.join("\n")
                    on:change=move |ev| {
                        let list: Vec<String> = event_target_value(&ev).lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
                        draft.update(|i| if let Key::ShortText { accepted, .. } = &mut i.key { *accepted = list });
                    }></textarea>
            </label>
            <label class="check"><input type="checkbox" id="key-case" prop:checked=case_sensitive
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    draft.update(|i| if let Key::ShortText { case_sensitive, .. } = &mut i.key { *case_sensitive = on });
                } />{t!(i18n, bank_case_sensitive)}</label>
        }.into_any(),
        _ => ().into_any(),
    }
    };

    let preview = move || {
        let lang = preview_lang.get();
        draft.with(|i| {
            let images: Vec<(String, String)> = i
                .attachments
                .iter()
                .map(|a| (a.name.clone(), a.sha256.clone()))
                .collect();
            let text = |t: &LocalizedText| t.get(lang).unwrap_or_default().to_string();
            let body = match i.item_type() {
                ItemType::SingleChoice | ItemType::MultipleResponse | ItemType::Ordering => {
                    let input = match i.item_type() {
                        ItemType::SingleChoice => "radio",
                        ItemType::MultipleResponse => "checkbox",
                        _ => "",
                    };
                    i.options.iter().enumerate().map(|(k, o)| {
                        let t = text(o);
                        view! {
                            <label class="option">
                                {(!input.is_empty()).then(|| view! { <input type=input name="preview" disabled=true aria-label=char::from(b'A' + (k as u8 % 26)).to_string() /> })}
                                <span class="option-letter" aria-hidden="true">{char::from(b'A' + (k as u8 % 26))}</span>
                                <span class="option-text"><MarkdownInline text=t images=images.clone() /></span>
                            </label>
                        }
                    }).collect_view().into_any()
                }
                ItemType::TrueFalse => view! {
                    <label class="option"><input type="radio" disabled=true />{t!(i18n, bank_true)}</label>
                    <label class="option"><input type="radio" disabled=true />{t!(i18n, bank_false)}</label>
                }.into_any(),
                ItemType::Matching => {
                    let answers: Vec<String> = i.matches.iter().map(text).collect();
                    i.options.iter().map(|o| {
                        let t = text(o);
                        let answers = answers.clone();
                        view! {
                            <div class="option match-row">
                                <span class="option-text"><MarkdownInline text=t /></span>
                                <select disabled=true>
                                    <option>"—"</option>
                                    {answers.into_iter().map(|a| view! { <option>{a}</option> }).collect_view()}
                                </select>
                            </div>
                        }
                    }).collect_view().into_any()
                }
                ItemType::Numeric | ItemType::ShortText => view! {
                    <input type="text" class="answer-box" disabled=true />
                }.into_any(),
            };
            view! {
                <div class="stem"><Markdown text=text(&i.stem) images=images.clone() /></div>
                <div class="options">{body}</div>
            }
        })
    };

    let history = (!creating).then(|| {
        let id = item_id.clone();
        let h = Resource::new(move || id.clone(), bank_history);
        view! {
            <section class="card" id="history">
                <h2>{t!(i18n, bank_history)}</h2>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match h.await {
                            Err(error) => view! { <ErrorNote error /> }.into_any(),
                            Ok(h) => {
                                let item_id = h.item_id.clone();
                                view! {
                                    <ol class="versions">
                                        {h.versions.into_iter().rev().map(|v| {
                                            let id = item_id.clone();
                                            let n = v.version;
                                            let restorable = i64::from(version) != n;
                                            view! {
                                                <li class="version" data-version=n>
                                                    <strong>"v" {n}</strong> " "
                                                    <span class=format!("badge status-{}", v.status)>{status_label(i18n, &v.status)}</span>
                                                    " " <span class="muted small">{date(v.created_ms)}</span>
                                                    {restorable.then(|| view! {
                                                        <button type="button" class="link restore" data-changes="" id=format!("restore-{n}") on:click=move |_| {
                                                            let id = id.clone();
                                                            leptos::task::spawn_local(async move {
                                                                match bank_restore(id.clone(), n).await {
                                                                    Ok(_) => go(&format!("/bank/item/{id}")),
                                                                    Err(e) => error.set(Some(e.message)),
                                                                }
                                                            });
                                                        }>{t!(i18n, bank_restore)}</button>
                                                    })}
                                                    {(!v.changes.is_empty()).then(|| view! {
                                                        <table class="table diff">
                                                            <thead><tr><th>{t!(i18n, bank_field)}</th><th>{t!(i18n, bank_before)}</th><th>{t!(i18n, bank_after)}</th></tr></thead>
                                                            <tbody>{v.changes.into_iter().map(|c| view! {
                                                                <tr><td>{c.field}</td><td class="before">{c.before}</td><td class="after">{c.after}</td></tr>
                                                            }).collect_view()}</tbody>
                                                        </table>
                                                    })}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ol>
                                    <h3>{t!(i18n, bank_audit)}</h3>
                                    <ul class="audit" id="audit">
                                        {h.audit.into_iter().map(|a| view! {
                                            <li data-action=a.action.clone()>
                                                <span class="small muted">{date(a.at_ms)} " v" {a.version}</span> " "
                                                <strong>{a.action.clone()}</strong> " — " {a.actor}
                                                {(!a.comment.is_empty()).then(|| view! { <q>{a.comment.clone()}</q> })}
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }
                        }
                    })}
                </Suspense>
            </section>
        }
    });

    let comps_view = comps.clone();
    view! {
        <section class="card wide editor">
            <div class="row-between">
                <h1>{if creating { t_string!(i18n, bank_new).to_string() } else { format!("{item_id} · v{version}") }}</h1>
                <span id="item-status" class=format!("badge status-{}", status_for_view) data-status=status_for_view.clone()>
                    {status_label(i18n, &status_for_view)}
                    {published_version.map(|p| format!(" · {} v{p}", t_string!(i18n, bank_in_use)))}
                </span>
            </div>
            <p><a href="/bank">{t!(i18n, bank_back)}</a></p>
            <div class="meta-grid">
                <label>{t!(i18n, bank_id)}
                    <input type="text" id="item-id" prop:value=id_text disabled=!creating
                        on:input=move |ev| id_text.set(event_target_value(&ev)) />
                </label>
                <label>{t!(i18n, bank_type)}
                    <select id="item-type" on:change=move |ev| {
                        if let Some(t) = ItemType::parse(&event_target_value(&ev)) { draft.update(|i| retype(i, t)); }
                    }>
                        {ItemType::ALL.into_iter().map(|t| view! {
                            <option value=t.as_str() selected=move || kind() == t>{move || type_label(i18n, t.as_str())}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>{t!(i18n, bank_competency)}
                    <select id="item-competency" on:change=move |ev| { let v = event_target_value(&ev); draft.update(|i| i.competency = v); }>
                        {comps_view.into_iter().map(|c| {
                            let code = c.code.clone();
                            let label = c.names.get("ru").or_else(|| c.names.values().next()).cloned().unwrap_or(c.code.clone());
                            view! { <option value=c.code.clone() selected=move || draft.with(|i| i.competency == code)>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>{t!(i18n, bank_difficulty)}
                    <select id="item-difficulty" on:change=move |ev| {
                        if let Some(d) = Difficulty::parse(&event_target_value(&ev)) { draft.update(|i| i.difficulty = d); }
                    }>
                        {[Difficulty::Easy, Difficulty::Medium, Difficulty::Hard].into_iter().map(|d| view! {
                            <option value=d.as_str() selected=move || draft.with(|i| i.difficulty == d)>{match d {
                                Difficulty::Easy => t_string!(i18n, bank_easy),
                                Difficulty::Medium => t_string!(i18n, bank_medium),
                                Difficulty::Hard => t_string!(i18n, bank_hard),
                            }}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>{t!(i18n, bank_tags)}
                    <input type="text" id="item-tags" prop:value=tags_text on:input=move |ev| tags_text.set(event_target_value(&ev)) />
                </label>
                <label>{t!(i18n, bank_author)}
                    <input type="text" id="item-author" prop:value=move || draft.with(|i| i.meta.author.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); draft.update(|i| i.meta.author = v); } />
                </label>
                <label>{t!(i18n, bank_source)}
                    <input type="text" id="item-source" prop:value=move || draft.with(|i| i.meta.source.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); draft.update(|i| i.meta.source = v); } />
                </label>
                <label>{t!(i18n, bank_expected_seconds)}
                    <input type="number" min="0" id="item-seconds" prop:value=move || draft.with(|i| i.meta.expected_seconds.map(|s| s.to_string()).unwrap_or_default())
                        on:input=move |ev| { let v = event_target_value(&ev).parse().ok(); draft.update(|i| i.meta.expected_seconds = v); } />
                </label>
            </div>
            <div class="completeness" id="completeness" aria-live="polite">
                {move || completeness().into_iter().map(|(l, done, total)| view! {
                    <span class="lang-done" class:ready=done == total data-lang=l.code()>
                        {l.code()} " " {done} "/" {total}
                    </span>
                }).collect_view()}
            </div>
            <div class="editor-columns">
                <div class="editor-form">
                    <fieldset class="editor-block">
                        <legend>{t!(i18n, bank_stem)}</legend>
                        <TextRow draft field=Field::Stem label=t_string!(i18n, bank_stem).to_string() />
                    </fieldset>
                    {options_editor}
                    {matches_editor}
                    <fieldset class="editor-block">
                        <legend>{t!(i18n, bank_key)}</legend>
                        {key_editor}
                        {move || (kind() == ItemType::Ordering).then(|| view! { <p class="hint">{t!(i18n, bank_ordering_hint)}</p> })}
                    </fieldset>
                    <fieldset class="editor-block" id="images">
                        <legend>{t!(i18n, bank_images)}</legend>
                        <ul class="image-list">
                            {move || draft.with(|i| i.attachments.clone()).into_iter().map(|a| {
                                let name = a.name.clone();
                                view! {
                                    <li data-image=a.name.clone()>
                                        <code>{format!("![{}](attachment:{})", a.name, a.name)}</code>
                                        " " <span class="muted small">{a.size / 1024} " KiB"</span> " "
                                        <button type="button" class="link" on:click=move |_| {
                                            let name = name.clone();
                                            draft.update(|i| i.attachments.retain(|x| x.name != name));
                                        }>{t!(i18n, bank_remove)}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <label>{t!(i18n, bank_add_image)}
                            <input type="file" id="image-file" accept="image/png,image/jpeg,image/gif,image/webp"
                                on:change=move |ev| upload_image(ev, draft, error) />
                        </label>
                    </fieldset>
                    <fieldset class="editor-block">
                        <legend>{t!(i18n, bank_rationale)}</legend>
                        <TextRow draft field=Field::Rationale label=t_string!(i18n, bank_rationale).to_string() />
                    </fieldset>
                    <p class="hint">{t!(i18n, bank_markdown_hint)}</p>
                </div>
                <aside class="preview-pane" aria-label=move || t_string!(i18n, bank_preview)>
                    <div class="row-between">
                        <h2>{t!(i18n, bank_preview)}</h2>
                        <select id="preview-lang" aria-label=move || t_string!(i18n, language) on:change=move |ev| {
                            if let Ok(l) = event_target_value(&ev).parse::<Language>() { preview_lang.set(l); }
                        }>
                            {LANGS.into_iter().map(|l| view! { <option value=l.code() selected=l == Language::Ru>{l.code()}</option> }).collect_view()}
                        </select>
                    </div>
                    <article class="question preview" id="preview">{preview}</article>
                </aside>
            </div>
            <div class="validation" role="status" aria-live="polite">
                {move || match problem.get() {
                    Some(p) => view! { <p class="alert" id="validation">{p}</p> }.into_any(),
                    None => view! { <p class="ok-note" id="validation-ok">{t!(i18n, bank_valid)}</p> }.into_any(),
                }}
            </div>
            {move || error.get().map(|e| view! { <p class="alert" role="alert" id="editor-error">{e}</p> })}
            <div class="q-actions">
                <button type="button" class="primary" id="save" data-changes="" disabled=move || busy.get() || problem.get().is_some() on:click=save>
                    {t!(i18n, bank_save)}
                </button>
                {(!creating && status == "draft").then(|| view! {
                    <button type="button" id="submit-review" data-changes="" disabled=move || busy.get() on:click=move |_| act("submit", None)>
                        {t!(i18n, bank_send_to_review)}
                    </button>
                })}
                {(!creating && published_version.is_some()).then(|| view! {
                    <button type="button" id="retire" data-changes="" disabled=move || busy.get() on:click=move |_| act("retire", None)>
                        {t!(i18n, bank_retire)}
                    </button>
                })}
            </div>
            {published_version.filter(|_| !creating).map(|pv| {
                let reason = RwSignal::new(String::new());
                let done = RwSignal::new(None::<Result<RescoreReport, String>>);
                // Asked first: how many attempts it re-scores (counted on the server).
                let reach = RwSignal::new(None::<u32>);
                let ask = move |_| {
                    leptos::task::spawn_local(async move {
                        match crate::api::correction_reach(item_id_sv.get_value(), pv).await {
                            Ok(n) => reach.set(Some(n)),
                            Err(e) => done.set(Some(Err(e.message))),
                        }
                    });
                };
                let correct = move |_| {
                    reach.set(None);
                    let key = draft.with_untracked(|i| i.key.clone());
                    let input = KeyCorrectionInput { key, reason: reason.get_untracked() };
                    busy.set(true);
                    leptos::task::spawn_local(async move {
                        let r = crate::api::correct_key(item_id_sv.get_value(), pv, input).await;
                        done.set(Some(r.map_err(|e| e.message)));
                        busy.set(false);
                    });
                };
                view! {
                    <details class="key-correction" id="key-correction">
                        <summary>{t!(i18n, bank_correct_key)}</summary>
                        <p class="muted">{t!(i18n, bank_correct_key_hint, version = move || pv)}</p>
                        <label>{t!(i18n, bank_correction_reason)}
                            <textarea id="correction-reason" rows=2 prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                        </label>
                        <button type="button" id="correct-key"
                            disabled=move || busy.get() || problem.get().is_some() || reason.with(|r| r.trim().is_empty())
                            on:click=ask>
                            {t!(i18n, bank_correct_key)}
                        </button>
                        {move || reach.get().map(|n| view! {
                            <div class="overlay">
                                <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="correction-confirm-text" id="correction-confirm">
                                    <p id="correction-confirm-text"><strong>{t!(i18n, bank_correction_confirm, n = move || n, version = move || pv)}</strong></p>
                                    <p class="muted small">{t!(i18n, bank_correction_logged)}</p>
                                    <div class="q-actions">
                                        <button type="button" id="correction-cancel" data-cancel="" on:click=move |_| reach.set(None)>{t!(i18n, cancel)}</button>
                                        <button type="button" class="primary" id="correction-confirm-apply" data-changes="" on:click=correct>{t!(i18n, bank_correct_key)}</button>
                                    </div>
                                </div>
                            </div>
                        })}
                        {move || done.get().map(|r| match r {
                            Ok(r) => {
                                let (n, changed) = (r.attempts_rescored, r.changes.len());
                                view! { <p class="notice" role="status" id="correction-done">{t!(i18n, bank_corrected, n = move || n, changed = move || changed)}</p> }.into_any()
                            }
                            Err(e) => view! { <p class="alert" role="alert" id="correction-error">{e}</p> }.into_any(),
                        })}
                    </details>
                }
            })}
            {can_review.then(|| view! {
                <section class="review" id="review">
                    <h2>{t!(i18n, bank_review)}</h2>
                    <label>{t!(i18n, bank_comment)}
                        <textarea id="review-comment" rows=2 prop:value=comment on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                    </label>
                    <div class="q-actions">
                        <button type="button" class="primary" id="approve" data-changes="" disabled=move || busy.get()
                            on:click=move |_| act("review", Some(ReviewInput { approve: true, comment: comment.get_untracked() }))>
                            {t!(i18n, bank_approve)}
                        </button>
                        <button type="button" id="send-back" data-changes="" disabled=move || busy.get()
                            on:click=move |_| act("review", Some(ReviewInput { approve: false, comment: comment.get_untracked() }))>
                            {t!(i18n, bank_send_back)}
                        </button>
                    </div>
                </section>
            })}
            {(status_for_view == "in_review" && is_author).then(|| view! {
                <p class="hint" id="four-eyes">{t!(i18n, bank_four_eyes)}</p>
            })}
        </section>
        {history}
    }
}

#[cfg(feature = "hydrate")]
use crate::camera::chosen_file;

/// Uploads the chosen image and adds it to the item (browser only).
fn upload_image(ev: leptos::ev::Event, draft: RwSignal<Item>, error: RwSignal<Option<String>>) {
    #[cfg(feature = "hydrate")]
    {
        let Some(file) = chosen_file(&ev) else {
            return;
        };
        let name: String = file
            .name()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .take(64)
            .collect();
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/bank/attachments?name={name}");
            let kind = file.type_();
            let uploaded = crate::api::post_to_api(&url, &file, &kind)
                .await
                .and_then(|body| {
                    serde_json::from_str::<question_bank::Attachment>(&body).map_err(|e| {
                        crate::error::AppError::new(
                            crate::error::ErrorCode::Internal,
                            e.to_string(),
                        )
                    })
                });
            match uploaded {
                Ok(a) => draft.update(|i| {
                    i.attachments.retain(|x| x.name != a.name);
                    i.attachments.push(a);
                }),
                Err(e) => error.set(Some(e.message)),
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, draft, error);
}

// ---------------------------------------------------------------- import

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

// ---------------------------------------------------------------- the taxonomy

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
