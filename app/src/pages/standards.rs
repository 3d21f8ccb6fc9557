//! Standard setting (modified Angoff): the workshops (methodologists open them; judges see
//! the ones they sit on), and one workshop: judges rate each item of the reference form, see
//! the panel's previous round and the items' statistics; the facilitator follows the judges'
//! progress, opens the next round and adopts a round's cut as the blueprint's standard.

use crate::api::{
    standard_setting, standard_setting_adopt, standard_setting_create, standard_setting_next_round,
    standard_setting_rate, standard_settings,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::model::{
    AdoptInput, RatedItem, RatingsInput, RoundResult, StandardSettingInput, StandardSettingView,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use std::collections::HashMap;

fn num(x: f64, decimals: usize) -> String {
    crate::model::format_number(x, decimals, super::lang())
}

fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map(|v| num(v, decimals)).unwrap_or_else(|| "—".into())
}

#[component]
pub fn StandardsPage() -> impl IntoView {
    let i18n = use_i18n();
    let (list, _) = super::server_data(|| (), |_| standard_settings());
    let blueprint = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let judges = RwSignal::new(String::new());
    let language = RwSignal::new("ru".to_string());
    let error = RwSignal::new(None::<String>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = StandardSettingInput {
            blueprint_id: blueprint.get_untracked().trim().to_string(),
            name: name.get_untracked(),
            judges: judges
                .get_untracked()
                .split([',', ';', '\n', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            language: Some(language.get_untracked()),
            seed: None,
        };
        leptos::task::spawn_local(async move {
            match standard_setting_create(input).await {
                Ok(v) => super::go(&format!("/standards/{}", v.id)),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="card">
            <h1>{t!(i18n, ss_title)}</h1>
            <p class="muted">{t!(i18n, ss_hint)}</p>
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
            {move || match list.get() {
                None => view! { <p class="muted">"…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! { <p class="muted" id="no-workshops">{t!(i18n, ss_none)}</p> }.into_any(),
                Some(Ok(rows)) => view! {
                    <table class="data" id="workshops">
                        <thead><tr>
                            <th scope="col">{t!(i18n, ss_name)}</th><th scope="col">{t!(i18n, ss_blueprint)}</th>
                            <th scope="col">{t!(i18n, ss_round)}</th><th scope="col">{t!(i18n, ss_judges)}</th>
                            <th scope="col">{t!(i18n, ss_items)}</th><th scope="col">{t!(i18n, ss_status)}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| view! {
                                <tr>
                                    <th scope="row"><a href=format!("/standards/{}", r.id)>{r.name}</a></th>
                                    <td><code>{r.blueprint_id}</code></td>
                                    <td class="num">{r.round}</td>
                                    <td class="num">{r.judges}</td>
                                    <td class="num">{r.items}</td>
                                    <td>{r.status}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            </Transition>
        </section>
        <section class="card">
            <h2>{t!(i18n, ss_new)}</h2>
            <form id="new-workshop" on:submit=create>
                <label>{t!(i18n, ss_blueprint)}
                    <input id="ss-blueprint" required on:input=move |ev| blueprint.set(event_target_value(&ev)) /></label>
                <label>{t!(i18n, ss_name)}
                    <input id="ss-name" required on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label>{t!(i18n, ss_judges_emails)}
                    <textarea id="ss-judges" rows="3" required on:input=move |ev| judges.set(event_target_value(&ev))></textarea></label>
                <label>{t!(i18n, ss_language)}
                    <select id="ss-language" on:change=move |ev| language.set(event_target_value(&ev))>
                        <option value="ru">"Русский"</option>
                        <option value="kk">"Қазақша"</option>
                        <option value="en">"English"</option>
                    </select></label>
                <button type="submit" class="primary">{t!(i18n, ss_open)}</button>
                {move || error.get().map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            </form>
        </section>
    }
}

#[component]
pub fn StandardPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let (data, reload) = super::server_data(id, standard_setting);
    // Outlives each render of the workshop (a save renders it again).
    let message = RwSignal::new(None::<Result<String, String>>);
    view! {
        <section class="card">
            <p><a href="/standards">{t!(i18n, ss_title)}</a></p>
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
            {move || match data.get() {
                None => view! { <p class="muted">"…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(v)) => view! { <Workshop v=v reload=reload message=message /> }.into_any(),
            }}
            </Transition>
        </section>
    }
}

#[component]
fn Workshop(
    v: StandardSettingView,
    reload: impl Fn() + Copy + Send + Sync + 'static,
    message: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = v.id.clone();
    let open = v.status == "open";
    // The judge's ratings in percent, as typed.
    let ratings = RwSignal::new(
        v.items
            .iter()
            .filter_map(|it| {
                it.mine
                    .map(|m| (it.item_id.clone(), format!("{}", (m * 100.0).round())))
            })
            .collect::<HashMap<String, String>>(),
    );
    // A change, then the workshop read again (the page renders it anew).
    let post = move |change: std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<StandardSettingView, AppError>>>,
    >,
                     done: String| {
        leptos::task::spawn_local(async move {
            match change.await {
                Ok(_) => {
                    message.set(Some(Ok(done)));
                    reload();
                }
                Err(e) => message.set(Some(Err(e.message))),
            }
        });
    };
    let id_save = id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut list = Vec::new();
        for (item, text) in ratings.get_untracked() {
            let text = text.trim().replace(',', ".");
            if text.is_empty() {
                continue;
            }
            match text.parse::<f64>() {
                Ok(x) if (0.0..=100.0).contains(&x) => list.push((item, x / 100.0)),
                _ => {
                    message.set(Some(Err(format!(
                        "{item}: {}",
                        t_string!(i18n, ss_bad_rating)
                    ))));
                    return;
                }
            }
        }
        if list.is_empty() {
            message.set(Some(Err(t_string!(i18n, ss_bad_rating).to_string())));
            return;
        }
        post(
            Box::pin(standard_setting_rate(
                id_save.clone(),
                RatingsInput { ratings: list },
            )),
            t_string!(i18n, ss_saved).to_string(),
        );
    };
    let id_next = id.clone();
    let next = move |_| {
        post(
            Box::pin(standard_setting_next_round(id_next.clone())),
            t_string!(i18n, ss_next_opened).to_string(),
        )
    };
    let id_adopt = id.clone();
    let adopt = move |_| {
        post(
            Box::pin(standard_setting_adopt(
                id_adopt.clone(),
                AdoptInput { round: None },
            )),
            t_string!(i18n, ss_adopted).to_string(),
        )
    };
    let round = v.round;
    view! {
        <h1>{v.name.clone()}</h1>
        <p class="muted">
            {t!(i18n, ss_blueprint)} " " <code>{v.blueprint_id.clone()}</code> " · "
            {t!(i18n, ss_round)} " " <strong id="ss-current-round">{v.round}</strong> " · "
            <span id="ss-status">{v.status.clone()}</span>
        </p>
        {v.adopted.clone().map(|a| view! {
            <p class="notice" id="ss-adopted">
                {t!(i18n, ss_adopted)} ": " {num(a.percent, 1)} "% (" {t!(i18n, ss_round)} " " {a.round} ")"
                {a.theta.map(|t| format!(" · θ = {}", num(t, 3)))}
            </p>
        })}
        {move || message.get().map(|m| match m {
            Ok(t) => view! { <p class="notice" role="status" id="ss-message">{t}</p> }.into_any(),
            Err(t) => view! { <p class="alert" role="alert" id="ss-message">{t}</p> }.into_any(),
        })}
        <RoundsTable rounds=v.rounds.clone() />
        {(v.facilitator && !v.judges.is_empty()).then(|| view! {
            <h2>{t!(i18n, ss_judges)}</h2>
            <ul id="ss-progress">
                {v.judges.iter().map(|j| view! {
                    <li>{j.name.clone()} " <" {j.email.clone()} ">: " {j.rated} " / " {v.items.len()}</li>
                }).collect_view()}
            </ul>
            {open.then(|| view! {
                <p>
                    <button type="button" id="ss-next" data-changes="" on:click=next>{t!(i18n, ss_next)}</button>
                    " "
                    <button type="button" class="primary" id="ss-adopt" data-changes="" on:click=adopt>{t!(i18n, ss_adopt)}</button>
                </p>
            })}
        })}
        {v.judge.then(|| view! {
            <h2>{t!(i18n, ss_rate)}</h2>
            <p class="hint">{t!(i18n, ss_rate_hint)}</p>
            <form id="ss-ratings" novalidate on:submit=save>
                {v.items.iter().cloned().enumerate().map(|(k, it)| view! {
                    <RateItem k=k it=it round=round open=open ratings=ratings />
                }).collect_view()}
                {open.then(|| view! { <button type="submit" class="primary" id="ss-save">{t!(i18n, ss_save)}</button> })}
            </form>
        })}
    }
}

#[component]
fn RoundsTable(rounds: Vec<RoundResult>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="data" id="ss-rounds">
            <caption class="muted">{t!(i18n, ss_rounds_caption)}</caption>
            <thead><tr>
                <th scope="col">{t!(i18n, ss_round)}</th><th scope="col">{t!(i18n, ss_complete)}</th>
                <th scope="col">{t!(i18n, ss_cut)}</th><th scope="col">"SE"</th><th scope="col">"θ"</th>
                <th scope="col">{t!(i18n, ss_impact)}</th><th scope="col">{t!(i18n, ss_judge_cuts)}</th>
            </tr></thead>
            <tbody>
                {rounds.into_iter().map(|r| view! {
                    <tr data-round=r.round>
                        <th scope="row">{r.round}</th>
                        <td class="num">{r.judges_complete}</td>
                        <td class="num cut">{r.percent.map(|p| format!("{}% ({})", num(p, 1), opt(r.raw, 2))).unwrap_or_else(|| "—".into())}</td>
                        <td class="num">{opt(r.se, 2)}</td>
                        <td class="num">{opt(r.theta, 2)}</td>
                        <td class="num">{r.impact.map(|x| format!("{}%", num(x * 100.0, 1))).unwrap_or_else(|| "—".into())}</td>
                        <td class="small">{r.judge_cuts.iter().map(|c| num(*c, 1)).collect::<Vec<_>>().join(" · ")}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn RateItem(
    k: usize,
    it: RatedItem,
    round: i64,
    open: bool,
    ratings: RwSignal<HashMap<String, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let key = it.item_id.clone();
    let key_in = key.clone();
    let input_id = format!("rate-{k}");
    let pct = |x: Option<f64>| {
        x.map(|v| format!("{}%", num(v * 100.0, 0)))
            .unwrap_or_else(|| "—".into())
    };
    view! {
        <fieldset class="rated-item" data-item=it.item_id.clone()>
            <legend>{k + 1} ". " <code>{it.item_id.clone()}</code> " · " {it.competency.clone()}</legend>
            <p class="stem">{it.stem.clone()}</p>
            <ol type="A" class="options">
                {it.options.iter().enumerate().map(|(i, o)| {
                    let right = it.correct.contains(&i);
                    view! { <li class:correct=right>{o.clone()}{right.then_some(" ✓")}</li> }
                }).collect_view()}
            </ol>
            <p class="small muted stats">
                {t!(i18n, ss_facility)} " " {opt(it.facility, 2)}
                " · b " {opt(it.b, 2)}
                {it.p_at_cut.map(|p| format!(" · P(θ cut) {}", num(p, 2)))}
                {(round > 1).then(|| view! {
                    <span class="previous">
                        " · " {t!(i18n, ss_previous)} ": " {t!(i18n, ss_you)} " " {pct(it.previous_mine)}
                        ", " {t!(i18n, ss_panel)} " " {pct(it.previous_mean)}
                        " (" {pct(it.previous_min)} "–" {pct(it.previous_max)} ")"
                    </span>
                })}
            </p>
            <label for=input_id.clone()>{t!(i18n, ss_probability)}</label>
            <input id=input_id type="number" min="0" max="100" step="1" inputmode="numeric" class="rating"
                disabled=!open
                prop:value=move || ratings.with(|r| r.get(&key).cloned().unwrap_or_default())
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    ratings.update(|r| { r.insert(key_in.clone(), v); });
                } />
            " %"
        </fieldset>
    }
}
