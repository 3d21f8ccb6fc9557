//! One item: the editor (new or existing), its review, versions, key correction and images.

use super::*;

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
pub(crate) fn ItemEditor(
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
    let mut initial = doc.map(|d| d.item).unwrap_or_else(Item::blank);
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
            let saved = if creating {
                bank_create(input).await
            } else {
                bank_update(input).await
            };
            match saved {
                Ok(d) => go(&format!("/bank/item/{}", d.item.id)),
                Err(e) => {
                    error.set(Some(e.message));
                    busy.set(false);
                }
            }
        });
    };
    let act = move |step: ItemStep| {
        busy.set(true);
        let id = item_id_sv.get_value();
        leptos::task::spawn_local(async move {
            match bank_step(id.clone(), step).await {
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
                        if let Some(t) = ItemType::parse(&event_target_value(&ev)) { draft.update(|i| i.retype(t)); }
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
                    <button type="button" id="submit-review" data-changes="" disabled=move || busy.get() on:click=move |_| act(ItemStep::Submit)>
                        {t!(i18n, bank_send_to_review)}
                    </button>
                })}
                {(!creating && published_version.is_some()).then(|| view! {
                    <button type="button" id="retire" data-changes="" disabled=move || busy.get() on:click=move |_| act(ItemStep::Retire)>
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
                            on:click=move |_| act(ItemStep::Review(ReviewInput { approve: true, comment: comment.get_untracked() }))>
                            {t!(i18n, bank_approve)}
                        </button>
                        <button type="button" id="send-back" data-changes="" disabled=move || busy.get()
                            on:click=move |_| act(ItemStep::Review(ReviewInput { approve: false, comment: comment.get_untracked() }))>
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

/// Uploads the chosen image and adds it to the item (browser only).
pub(crate) fn upload_image(
    ev: leptos::ev::Event,
    draft: RwSignal<Item>,
    error: RwSignal<Option<String>>,
) {
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
