//! Blueprints for methodologists: the list, and an editor with the sections per competency and
//! level, delivery settings, the pass rule, accommodations and enemy sets; a check against the
//! bank that shows short cells and the fairness of drawn forms; activation; re-scoring and the
//! score changes it (or a key correction) caused.

use super::{ErrorNote, pct};
use crate::api::{
    bank_competencies, blueprint_activate, blueprint_check, blueprint_get, blueprint_list,
    blueprint_rescore, blueprint_save, score_changes,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::model::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use question_bank::{Accommodation, Blueprint, Language, Navigation, ResultVisibility, Section};

#[component]
pub fn BlueprintListPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| blueprint_list());
    view! {
        <section class="card wide">
            <h1>{t!(i18n, bp_title)}</h1>
            <p><a class="button" href="/blueprints/new" id="new-blueprint">{t!(i18n, bp_new)}</a></p>
            <Suspense fallback=move || view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                        Ok(rows) => view! {
                            <table class="table" id="blueprints">
                                <thead><tr>
                                    <th>{t!(i18n, bp_name)}</th>
                                    <th class="num">{t!(i18n, bp_items)}</th>
                                    <th class="num">{t!(i18n, bp_minutes)}</th>
                                    <th class="num">{t!(i18n, bp_pass)}</th>
                                    <th>{t!(i18n, bp_state)}</th>
                                    <th>{t!(i18n, an_open)}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|b| view! {
                                        <tr data-id=b.id.clone()>
                                            <td><a href=format!("/blueprints/{}", b.id)>{b.name}</a></td>
                                            <td class="num">{b.item_count}</td>
                                            <td class="num">{b.time_limit_minutes}</td>
                                            <td class="num">{format!("{}%", pct(b.pass_percent))}</td>
                                            <td>{if b.active { view! { <strong>{t!(i18n, bp_active)}</strong> }.into_any() } else if b.practice { view! { <span class="muted">{t!(i18n, bp_practice)}</span> }.into_any() } else { ().into_any() }}</td>
                                            <td>{(!b.practice).then(|| view! { <a href=format!("/analysis/{}", b.id)>{t!(i18n, an_open)}</a> })}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn BlueprintPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let data = Resource::new(id, |id| async move {
        let comps = bank_competencies().await?;
        let doc = if id == "new" {
            None
        } else {
            Some(blueprint_get(id).await?)
        };
        Ok::<_, AppError>((doc, comps))
    });
    view! {
        <Suspense fallback=move || view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                    Ok((doc, comps)) => view! { <BlueprintEditor doc comps /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn parse_f64(s: &str) -> Option<f64> {
    s.trim().replace(',', ".").parse().ok()
}

/// `email, percent` per line.
fn parse_accommodations(text: &str) -> Result<Vec<Accommodation>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            let (who, percent) = l
                .rsplit_once([',', ';', '\t'])
                .ok_or_else(|| format!("line {}: write `email, percent`", n + 1))?;
            let extra_percent = percent.trim().trim_end_matches('%').parse().map_err(|_| {
                format!(
                    "line {}: {:?} is not a whole percentage",
                    n + 1,
                    percent.trim()
                )
            })?;
            Ok(Accommodation {
                applicant: who.trim().to_string(),
                extra_percent,
            })
        })
        .collect()
}

/// Item ids separated by spaces or commas, one set per line.
fn parse_enemies(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| {
            l.split([' ', ',', ';', '\t'])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

#[component]
fn BlueprintEditor(doc: Option<BlueprintDoc>, comps: Vec<CompetencyView>) -> impl IntoView {
    let i18n = use_i18n();
    let is_new = doc.is_none();
    let active = RwSignal::new(doc.as_ref().is_some_and(|d| d.active));
    let bp = RwSignal::new(doc.map(|d| d.blueprint).unwrap_or_else(|| {
        Blueprint::new(
            "",
            "",
            60,
            70.0,
            comps
                .iter()
                .take(1)
                .map(|c| Section::any(c.code.clone(), 5))
                .collect(),
        )
    }));
    let accommodations = RwSignal::new(bp.with_untracked(|b| {
        b.accommodations
            .iter()
            .map(|a| format!("{}, {}", a.applicant, a.extra_percent))
            .collect::<Vec<_>>()
            .join("\n")
    }));
    let enemies = RwSignal::new(bp.with_untracked(|b| {
        b.enemies
            .iter()
            .map(|s| s.join(" "))
            .collect::<Vec<_>>()
            .join("\n")
    }));
    let message = RwSignal::new(None::<(bool, String)>);
    let check = RwSignal::new(None::<CheckReport>);
    let changes = RwSignal::new(None::<Vec<ScoreChangeView>>);
    let busy = RwSignal::new(false);
    let comps = StoredValue::new(comps);

    // The blueprint with the text areas read in.
    let current = move || -> Result<Blueprint, String> {
        let mut b = bp.get_untracked();
        b.accommodations = parse_accommodations(&accommodations.get_untracked())?;
        b.enemies = parse_enemies(&enemies.get_untracked());
        Ok(b)
    };
    let run = move |f: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            f.await;
            busy.set(false);
        });
    };
    let on_check = move |_| {
        let b = match current() {
            Ok(b) => b,
            Err(e) => return message.set(Some((false, e))),
        };
        run(Box::pin(async move {
            match blueprint_check(CheckInput {
                blueprint: b,
                forms: Some(1000),
                language: None,
            })
            .await
            {
                Ok(r) => {
                    message.set(None);
                    check.set(Some(r));
                }
                Err(e) => message.set(Some((false, e.message))),
            }
        }));
    };
    let on_save = move |_| {
        let b = match current() {
            Ok(b) => b,
            Err(e) => return message.set(Some((false, e))),
        };
        run(Box::pin(async move {
            match blueprint_save(b).await {
                Ok(d) => {
                    let saved = t_string!(i18n, bp_saved).to_string();
                    message.set(Some((true, saved)));
                    if is_new {
                        super::go(&format!("/blueprints/{}", d.blueprint.id));
                    }
                    bp.set(d.blueprint);
                }
                Err(e) => message.set(Some((false, e.message))),
            }
        }));
    };
    let on_activate = move |on: bool| {
        let id = bp.with_untracked(|b| b.id.clone());
        run(Box::pin(async move {
            match blueprint_activate(id, on).await {
                Ok(d) => {
                    active.set(d.active);
                    message.set(None);
                }
                Err(e) => message.set(Some((false, e.message))),
            }
        }));
    };
    let on_rescore = move |_| {
        let id = bp.with_untracked(|b| b.id.clone());
        run(Box::pin(async move {
            match blueprint_rescore(id.clone()).await {
                Ok(r) => {
                    let text = format!("{} / {}", r.changes.len(), r.attempts_rescored);
                    message.set(Some((true, text)));
                    changes.set(score_changes(Some(id)).await.ok());
                }
                Err(e) => message.set(Some((false, e.message))),
            }
        }));
    };
    // In the browser only (an effect): a task spawned while the server renders the page
    // panics there and cuts the page off.
    if !is_new {
        let id = bp.with_untracked(|b| b.id.clone());
        Effect::new(move |_| {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                changes.set(score_changes(Some(id)).await.ok());
            });
        });
    }

    let num_input = move |id: &'static str,
                          get: fn(&Blueprint) -> String,
                          set: fn(&mut Blueprint, &str)| {
        view! {
            <input type="text" inputmode="decimal" id=id
                prop:value=move || bp.with(get)
                on:change=move |ev| { let v = event_target_value(&ev); bp.update(|b| set(b, &v)); } />
        }
    };
    let check_box = move |id: &'static str,
                          get: fn(&Blueprint) -> bool,
                          set: fn(&mut Blueprint, bool)| {
        view! {
            <input type="checkbox" id=id prop:checked=move || bp.with(get)
                on:change=move |ev| { let v = event_target_checked(&ev); bp.update(|b| set(b, v)); } />
        }
    };

    let section_rows = move || {
        let n = bp.with(|b| b.sections.len());
        (0..n)
            .map(|i| {
                let cell = move |field: &'static str| {
                    let get = move |b: &Blueprint| {
                        b.sections.get(i).map_or(0, |s| match field {
                            "any" => s.count,
                            "easy" => s.easy,
                            "medium" => s.medium,
                            _ => s.hard,
                        })
                    };
                    view! {
                        <td><input type="number" min="0" max="500" class=format!("cell-{field}") id=format!("section-{i}-{field}")
                            aria-label=move || format!("{} {}", match field {
                                "any" => t_string!(i18n, bp_any),
                                "easy" => t_string!(i18n, bp_easy),
                                "medium" => t_string!(i18n, bp_medium),
                                _ => t_string!(i18n, bp_hard),
                            }, i + 1)
                            prop:value=move || bp.with(get).to_string()
                            on:change=move |ev| {
                                let v = event_target_value(&ev).trim().parse::<u32>().unwrap_or(0);
                                bp.update(|b| if let Some(s) = b.sections.get_mut(i) {
                                    match field {
                                        "any" => s.count = v,
                                        "easy" => s.easy = v,
                                        "medium" => s.medium = v,
                                        _ => s.hard = v,
                                    }
                                });
                            } /></td>
                    }
                };
                let options = comps.with_value(|cs| {
                    cs.iter()
                        .map(|c| {
                            let code = c.code.clone();
                            let name = c.names.get("ru").or(c.names.get("en")).cloned().unwrap_or_else(|| c.code.clone());
                            let selected = move || bp.with(|b| b.sections.get(i).is_some_and(|s| s.competency == code));
                            view! { <option value=c.code.clone() selected=selected>{format!("{} ({})", name, c.code)}</option> }
                        })
                        .collect_view()
                });
                view! {
                    <tr>
                        <td><select id=format!("section-{i}-competency") aria-label=move || format!("{} {}", t_string!(i18n, bp_competency), i + 1) on:change=move |ev| {
                            let v = event_target_value(&ev);
                            bp.update(|b| if let Some(s) = b.sections.get_mut(i) { s.competency = v; });
                        }>{options}</select></td>
                        {cell("any")}{cell("easy")}{cell("medium")}{cell("hard")}
                        <td><input type="text" inputmode="decimal" class="weight" id=format!("section-{i}-weight") aria-label=move || format!("{} {}", t_string!(i18n, bp_weight), i + 1)
                            prop:value=move || bp.with(|b| b.sections.get(i).map(|s| s.weight.to_string()).unwrap_or_default())
                            on:change=move |ev| { let v = parse_f64(&event_target_value(&ev)).unwrap_or(1.0);
                                bp.update(|b| if let Some(s) = b.sections.get_mut(i) { s.weight = v; }); } /></td>
                        <td><input type="text" inputmode="decimal" class="min" id=format!("section-{i}-min") aria-label=move || format!("{} {}", t_string!(i18n, bp_min), i + 1)
                            prop:value=move || bp.with(|b| b.sections.get(i).and_then(|s| s.min_percent).map(|m| m.to_string()).unwrap_or_default())
                            on:change=move |ev| { let v = parse_f64(&event_target_value(&ev));
                                bp.update(|b| if let Some(s) = b.sections.get_mut(i) { s.min_percent = v; }); } /></td>
                        <td class="num">{move || bp.with(|b| b.sections.get(i).map_or(0, Section::total))}</td>
                        <td><button type="button" class="small remove-section" aria-label=move || format!("{} {}", t_string!(i18n, bank_remove), i + 1) on:click=move |_| bp.update(|b| { if i < b.sections.len() { b.sections.remove(i); } })>"×"</button></td>
                    </tr>
                }
            })
            .collect_view()
    };
    let add_section = move |_| {
        let next = comps.with_value(|cs| {
            bp.with_untracked(|b| {
                cs.iter()
                    .find(|c| !b.sections.iter().any(|s| s.competency == c.code))
                    .map(|c| c.code.clone())
            })
        });
        if let Some(code) = next {
            bp.update(|b| b.sections.push(Section::any(code, 1)));
        }
    };

    let lang_box = move |l: Language| {
        view! {
            <label class="inline"><input type="checkbox" class=format!("lang-{}", l.code())
                prop:checked=move || bp.with(|b| b.languages.contains(&l))
                on:change=move |ev| { let on = event_target_checked(&ev); bp.update(|b| {
                    b.languages.retain(|x| *x != l);
                    if on { b.languages.push(l); }
                }); } />{l.code()}</label>
        }
    };

    let fairness = move || {
        check.get().map(|r| {
            let shortages = r.shortages.iter().map(|s| view! {
                <li>{s.to_string()}</li>
            }).collect_view();
            let (n, lang) = (r.pool_size, r.language.clone());
            view! {
                <div class="check" id="check-report" data-ok=r.ok.to_string()>
                    <p>{t!(i18n, bp_pool_size, n = move || n, lang = move || lang.clone())}</p>
                    {r.error.clone().map(|e| view! { <p class="alert" role="alert" id="check-error">{e}</p> })}
                    <ul id="shortages">{shortages}</ul>
                    {r.fairness.map(|f| view! {
                        <table class="table" id="fairness">
                            <tbody>
                                <tr><th>{t!(i18n, bp_forms)}</th><td class="num">{f.forms}</td></tr>
                                <tr><th>{t!(i18n, bp_target)}</th><td class="num">{format!("{}%", n1(f.target_percent))}</td></tr>
                                <tr><th>{t!(i18n, bp_expected)}</th><td class="num" id="expected-range">{format!("{}% – {}% (± {})", n1(f.min_expected_percent), n1(f.max_expected_percent), n1(f.spread_points / 2.0))}</td></tr>
                                <tr><th>{t!(i18n, bp_spread)}</th><td class="num" id="spread">{n2(f.spread_points)}</td></tr>
                                <tr><th>{t!(i18n, bp_outside)}</th><td class="num" id="outside-tolerance">{f.outside_tolerance}</td></tr>
                                <tr><th>{t!(i18n, bp_max_exposure)}</th><td class="num" id="max-exposure">{format!("{}%", n1(f.max_exposure * 100.0))}</td></tr>
                                <tr><th>{t!(i18n, bp_items_used)}</th><td class="num">{format!("{} / {}", f.items_used, f.pool_size)}</td></tr>
                                {f.target_information.map(|t| view! {
                                    <tr><th>{t!(i18n, bp_information)}</th><td class="num" id="information-range">{format!("{} – {} ({}, θ = {})", n2(f.min_information.unwrap_or(0.0)), n2(f.max_information.unwrap_or(0.0)), n2(t), n2(f.information_theta.unwrap_or(0.0)))}</td></tr>
                                })}
                                {f.min_pass_percent.map(|lo| view! {
                                    <tr><th>{t!(i18n, bp_carried)}</th><td class="num" id="carried-range">{format!("{}% – {}%", n1(lo), n1(f.max_pass_percent.unwrap_or(lo)))}</td></tr>
                                })}
                            </tbody>
                        </table>
                    })}
                </div>
            }
        })
    };

    let change_rows = move || {
        changes.get().map(|list| {
            let rows = list.into_iter().map(|c| {
                let flip = c.flips();
                view! {
                    <tr class:flip=flip data-attempt=c.attempt_id.clone()>
                        <td>{c.applicant_name.clone()}<br/><span class="muted">{c.applicant_email.clone()}</span></td>
                        <td class="num">{format!("{}% → {}%", pct(c.old_percent), pct(c.new_percent))}</td>
                        <td>{if flip {
                            if c.new_passed { t_string!(i18n, bp_now_passes).to_string() } else { t_string!(i18n, bp_now_fails).to_string() }
                        } else { String::new() }}</td>
                        <td class="muted">{c.cause.clone()}</td>
                    </tr>
                }
            }).collect_view();
            view! {
                <h2>{t!(i18n, bp_changes)}</h2>
                <table class="table" id="score-changes">
                    <thead><tr><th>{t!(i18n, bp_applicant)}</th><th class="num">"%"</th><th>{t!(i18n, bp_verdict)}</th><th>{t!(i18n, bp_cause)}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
        })
    };

    view! {
        <section class="card wide blueprint-editor">
            <p><a href="/blueprints">{t!(i18n, bp_back)}</a>
                {move || bp.with(|b| (!b.id.is_empty() && !b.practice).then(|| view! {
                    " · " <a href=format!("/analysis/{}", b.id) id="open-analysis">{t!(i18n, an_open)}</a>
                }))}</p>
            <h1>{move || bp.with(|b| if b.name.is_empty() { t_string!(i18n, bp_new).to_string() } else { b.name.clone() })}</h1>
            {move || active.get().then(|| view! { <p class="notice" id="bp-active">{t!(i18n, bp_is_active)}</p> })}
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "notice" } else { "alert" } role="status" id="bp-message">{m}</p>
            })}
            <div class="form-grid">
                <label class="field"><span>{t!(i18n, bp_id)}</span>
                    <input type="text" id="bp-id" disabled=!is_new prop:value=move || bp.with(|b| b.id.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); bp.update(|b| b.id = v.trim().to_string()); } /></label>
                <label class="field"><span>{t!(i18n, bp_name)}</span>
                    <input type="text" id="bp-name" prop:value=move || bp.with(|b| b.name.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); bp.update(|b| b.name = v); } /></label>
                <label class="field"><span>{t!(i18n, bp_minutes)}</span>
                    {num_input("bp-minutes", |b| b.time_limit_minutes.to_string(), |b, v| b.time_limit_minutes = v.trim().parse().unwrap_or(0))}</label>
                <label class="field"><span>{t!(i18n, bp_pass)}</span>
                    {num_input("bp-pass", |b| b.pass_percent.to_string(), |b, v| b.pass_percent = parse_f64(v).unwrap_or(-1.0))}</label>
                <label class="field"><span>{t!(i18n, bp_cut_theta)}</span>
                    {num_input("bp-cut-theta", |b| b.cut_theta.map(|t| t.to_string()).unwrap_or_default(), |b, v| b.cut_theta = parse_f64(v))}</label>
                <label class="field"><span>{t!(i18n, bp_min_competency)}</span>
                    {num_input("bp-min", |b| b.min_competency_percent.map(|m| m.to_string()).unwrap_or_default(), |b, v| b.min_competency_percent = parse_f64(v))}</label>
            </div>

            <h2>{t!(i18n, bp_sections)}</h2>
            <table class="table" id="sections">
                <thead><tr>
                    <th>{t!(i18n, bp_competency)}</th>
                    <th>{t!(i18n, bp_any)}</th><th>{t!(i18n, bp_easy)}</th><th>{t!(i18n, bp_medium)}</th><th>{t!(i18n, bp_hard)}</th>
                    <th>{t!(i18n, bp_weight)}</th><th>{t!(i18n, bp_min)}</th><th class="num">{t!(i18n, bp_items)}</th><th></th>
                </tr></thead>
                <tbody>{section_rows}</tbody>
                <tfoot><tr><td colspan="7">
                    <button type="button" id="add-section" on:click=add_section>{t!(i18n, bp_add_section)}</button>
                </td><td class="num" id="bp-total">{move || bp.with(Blueprint::item_count)}</td><td></td></tr></tfoot>
            </table>

            <h2>{t!(i18n, bp_delivery)}</h2>
            <div class="form-grid">
                <label class="inline">{check_box("bp-shuffle-items", |b| b.shuffle_items, |b, v| b.shuffle_items = v)}{t!(i18n, bp_shuffle_items)}</label>
                <label class="inline">{check_box("bp-shuffle-options", |b| b.shuffle_options, |b, v| b.shuffle_options = v)}{t!(i18n, bp_shuffle_options)}</label>
                <label class="inline">{check_box("bp-flag", |b| b.allow_flag, |b, v| b.allow_flag = v)}{t!(i18n, bp_allow_flag)}</label>
                <label class="inline">{check_box("bp-seated", |b| b.seated_only, |b, v| b.seated_only = v)}{t!(i18n, bp_seated_only)}</label>
                <label class="inline">{check_box("bp-practice", |b| b.practice, |b, v| b.practice = v)}{t!(i18n, bp_practice)}</label>
                <label class="field"><span>{t!(i18n, bp_navigation)}</span>
                    <select id="bp-navigation" on:change=move |ev| { let v = event_target_value(&ev);
                        bp.update(|b| b.navigation = if v == "linear" { Navigation::Linear } else { Navigation::Free }); }>
                        <option value="free" selected=move || bp.with(|b| b.navigation == Navigation::Free)>{t!(i18n, bp_nav_free)}</option>
                        <option value="linear" selected=move || bp.with(|b| b.navigation == Navigation::Linear)>{t!(i18n, bp_nav_linear)}</option>
                    </select></label>
                <label class="field"><span>{t!(i18n, bp_results)}</span>
                    <select id="bp-results" on:change=move |ev| { let v = event_target_value(&ev);
                        bp.update(|b| b.results = match v.as_str() { "score" => ResultVisibility::Score, "withheld" => ResultVisibility::Withheld, _ => ResultVisibility::PerCompetency }); }>
                        <option value="per_competency" selected=move || bp.with(|b| b.results == ResultVisibility::PerCompetency)>{t!(i18n, bp_results_full)}</option>
                        <option value="score" selected=move || bp.with(|b| b.results == ResultVisibility::Score)>{t!(i18n, bp_results_score)}</option>
                        <option value="withheld" selected=move || bp.with(|b| b.results == ResultVisibility::Withheld)>{t!(i18n, bp_results_withheld)}</option>
                    </select></label>
                <label class="inline">{check_box("bp-released", |b| b.results_released, |b, v| b.results_released = v)}{t!(i18n, bp_released)}</label>
                <fieldset class="field"><legend>{t!(i18n, bp_languages)}</legend>
                    {lang_box(Language::Kk)}{lang_box(Language::Ru)}{lang_box(Language::En)}</fieldset>
            </div>

            <h2>{t!(i18n, bp_fairness)}</h2>
            <div class="form-grid">
                <label class="field"><span>{t!(i18n, bp_max_exposure)}</span>
                    {num_input("bp-exposure", |b| (b.max_exposure * 100.0).to_string(), |b, v| b.max_exposure = parse_f64(v).map_or(-1.0, |x| x / 100.0))}</label>
                <label class="field"><span>{t!(i18n, bp_tolerance)}</span>
                    {num_input("bp-tolerance", |b| b.tolerance_points.to_string(), |b, v| b.tolerance_points = parse_f64(v).unwrap_or(-1.0))}</label>
                <label class="field"><span>{t!(i18n, bp_target)}</span>
                    {num_input("bp-target", |b| b.target_percent.map(|m| m.to_string()).unwrap_or_default(), |b, v| b.target_percent = parse_f64(v))}</label>
            </div>
            <label class="field"><span>{t!(i18n, bp_enemies)}</span>
                <textarea id="bp-enemies" rows="3" prop:value=enemies on:input=move |ev| enemies.set(event_target_value(&ev))></textarea></label>
            <label class="field"><span>{t!(i18n, bp_accommodations)}</span>
                <textarea id="bp-accommodations" rows="3" prop:value=accommodations on:input=move |ev| accommodations.set(event_target_value(&ev))></textarea></label>

            <div class="q-actions">
                <button type="button" id="bp-check" disabled=move || busy.get() on:click=on_check>{t!(i18n, bp_check)}</button>
                <button type="button" class="primary" id="bp-save" data-changes="" disabled=move || busy.get() on:click=on_save>{t!(i18n, bank_save)}</button>
                {(!is_new).then(|| view! {
                    <button type="button" id="bp-activate" data-changes="" disabled=move || busy.get()
                        on:click=move |_| on_activate(!active.get_untracked())>
                        {move || if active.get() { t_string!(i18n, bp_deactivate).to_string() } else { t_string!(i18n, bp_activate).to_string() }}
                    </button>
                    <button type="button" id="bp-rescore" data-changes="" disabled=move || busy.get() on:click=on_rescore>{t!(i18n, bp_rescore)}</button>
                })}
            </div>
            {fairness}
            {change_rows}
        </section>
    }
}

/// A figure with one decimal, in the interface language's notation (a decimal comma in Kazakh
/// and Russian).
fn n1(x: f64) -> String {
    crate::model::format_number(x, 1, super::lang())
}

/// A figure with two decimals, in the interface language's notation.
fn n2(x: f64) -> String {
    crate::model::format_number(x, 2, super::lang())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accommodations_and_enemies_read_from_lines() {
        let a = parse_accommodations("slow@demo.kz, 50\n\nother@demo.kz; 25%").expect("reads");
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].extra_percent, 25);
        assert!(parse_accommodations("nobody").is_err());
        assert!(parse_accommodations("a@b, lots").is_err());
        assert_eq!(
            parse_enemies("a-1 a-2, a-3\n\nb-1;b-2"),
            vec![vec!["a-1", "a-2", "a-3"], vec!["b-1", "b-2"]]
        );
    }
}
