//! Item analysis of a blueprint's closed attempts (methodologists): the test's figures, a
//! score histogram, an item map (difficulty against discrimination), each item's curve, the
//! item table with flags and per-language facilities, CSV export, and "send back to review".

use crate::api::{calibrate_blueprint, item_analysis, send_back_to_review};
use crate::error::AppError;
use crate::i18n::*;
use crate::model::{
    AnalysisView, CalibrateInput, CalibrationSummary, ItemAnalysisRow, OptionCurve, SendBackInput,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::pct;

fn num(x: f64, decimals: usize) -> String {
    crate::model::format_number(x, decimals, super::lang())
}

#[component]
pub fn AnalysisPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    // One sitting, or every closed attempt of the blueprint.
    let sitting = RwSignal::new(String::new());
    let (data, reload) = super::server_data(
        move || (id(), sitting.get()),
        |(id, s)| item_analysis(id, (!s.is_empty()).then_some(s)),
    );
    // The sittings to choose from, as the newest analysis lists them.
    let sittings = RwSignal::new(Vec::<(String, String)>::new());
    Effect::new(move |_| {
        if let Some(Ok(v)) = data.get()
            && !v.sittings.is_empty()
        {
            sittings.set(v.sittings);
        }
    });
    let calibration = RwSignal::new(None::<Result<CalibrationSummary, AppError>>);
    let selected = RwSignal::new(None::<String>);
    let calibrate = move |model: &'static str| {
        let s = sitting.get_untracked();
        let input = CalibrateInput {
            model: model.into(),
            sitting: (!s.is_empty()).then_some(s),
        };
        let id = id();
        leptos::task::spawn_local(async move {
            let r = calibrate_blueprint(id, input).await;
            let ok = r.is_ok();
            calibration.set(Some(r));
            if ok {
                reload();
            }
        });
    };
    view! {
        <section class="card">
            <h1>{t!(i18n, an_title)} " " <code>{id}</code></h1>
            <p><a href=move || format!("/api/v1/blueprints/{}/analysis.csv", id()) id="analysis-csv" download>
                {t!(i18n, an_csv)}</a>
               " · " <a href=move || format!("/blueprints/{}", id())>{t!(i18n, an_back)}</a>
               " · " <a href="/standards">{t!(i18n, ss_title)}</a></p>
            <div class="toolbar">
                <label>{t!(i18n, an_sitting)} " "
                    <select id="analysis-sitting" on:change=move |ev| sitting.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, an_all_sittings)}</option>
                        {move || sittings.get().into_iter().map(|(sid, name)| view! { <option value=sid>{name}</option> }).collect_view()}
                    </select>
                </label>
                " "
                <button type="button" id="calibrate-2pl" data-changes="" on:click=move |_| calibrate("2pl")>{t!(i18n, an_store_2pl)}</button>
                " "
                <button type="button" id="calibrate-rasch" data-changes="" on:click=move |_| calibrate("rasch")>{t!(i18n, an_store_rasch)}</button>
            </div>
            {move || calibration.get().map(|r| match r {
                Ok(c) => view! {
                    <p class="notice" id="calibration-result" role="status">
                        {t!(i18n, an_stored)} " " {c.items} " · " {c.model.clone()} " · n = " {c.examinees}
                        {(c.link_common > 0).then(|| format!(" · {} {} (b* = {:.3} b {:+.3})", t_string!(i18n, an_linked_on), c.link_common, c.link_slope, c.link_intercept))}
                        {c.note.clone().map(|n| format!(" · {n}"))}
                    </p>
                }.into_any(),
                Err(e) => view! { <p class="alert" role="alert" id="calibration-result">{e.message}</p> }.into_any(),
            })}
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
            {move || match data.get() {
                None => view! { <p class="muted">"…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(v)) => view! { <AnalysisBody v=v selected=selected reload=reload /> }.into_any(),
            }}
            </Transition>
        </section>
    }
}

#[component]
fn AnalysisBody(
    v: AnalysisView,
    selected: RwSignal<Option<String>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let items = StoredValue::new(v.items.clone());
    let flagged = v.items.iter().filter(|i| !i.flags.is_empty()).count();
    view! {
        <dl class="figures" id="analysis-figures">
            <div><dt>{t!(i18n, an_examinees)}</dt><dd><strong>{v.examinees}</strong></dd></div>
            <div><dt>{t!(i18n, an_mean)}</dt><dd><strong>{num(v.mean, 2)}</strong>" ± "{num(v.sd, 2)}</dd></div>
            <div><dt>"α (KR-20)"</dt><dd><strong id="alpha">{num(v.alpha, 3)}</strong></dd></div>
            <div><dt>{t!(i18n, an_sem)}</dt><dd><strong>{num(v.sem, 2)}</strong></dd></div>
            <div><dt>{t!(i18n, an_flagged)}</dt><dd><strong id="flagged-count">{flagged}</strong></dd></div>
        </dl>
        {(v.examinees < v.flags_from).then(|| {
            let (n, from) = (v.examinees, v.flags_from);
            view! { <p class="notice" id="flags-withheld">{t!(i18n, an_flags_from, n = move || n, from = move || from)}</p> }
        })}
        {v.note.clone().map(|n| view! { <p class="hint" id="analysis-note">{n}</p> })}
        {(!v.alpha_by_competency.is_empty()).then(|| view! {
            <p class="muted">{t!(i18n, an_alpha_by)} ": "
                {v.alpha_by_competency.iter().map(|(c, a)| format!("{c} {}", num(*a, 2))).collect::<Vec<_>>().join(" · ")}</p>
        })}
        <div class="charts">
            <figure>
                <figcaption>{t!(i18n, an_histogram)}</figcaption>
                <Histogram bins=v.histogram.clone() />
            </figure>
            {v.calibrated.then(|| view! {
                <figure>
                    <figcaption>{t!(i18n, an_item_map)}</figcaption>
                    <ItemMap items=v.items.clone() selected=selected />
                </figure>
                <figure>
                    <figcaption>{t!(i18n, an_information)}</figcaption>
                    <Curve points=v.information.clone() id="information-chart" />
                </figure>
            })}
        </div>
        {move || selected.get().and_then(|id| items.with_value(|it| it.iter().find(|i| i.item_id == id).cloned())).map(|it| view! {
            <figure class="item-curve">
                <figcaption>{t!(i18n, an_item_curve)} " " <code>{it.item_id.clone()}</code></figcaption>
                <ItemCurve item=it.clone() />
                {(!it.options.is_empty()).then(|| view! {
                    <figcaption>{t!(i18n, an_option_curves)}</figcaption>
                    <OptionCurves options=it.options.clone() />
                })}
            </figure>
        })}
        <table class="data" id="analysis-items">
            <caption class="muted">{t!(i18n, an_table_caption)}</caption>
            <thead><tr>
                <th scope="col">{t!(i18n, an_item)}</th><th scope="col">"n"</th><th scope="col">"p"</th>
                <th scope="col">"D"</th><th scope="col">"r_pb"</th><th scope="col">{t!(i18n, an_alpha_without)}</th>
                <th scope="col">"a"</th><th scope="col">"b"</th><th scope="col">{t!(i18n, an_stored_ab)}</th><th scope="col">{t!(i18n, an_by_language)}</th>
                <th scope="col">"DIF"</th><th scope="col">{t!(i18n, an_flags)}</th><th scope="col"></th>
            </tr></thead>
            <tbody>
                {v.items.iter().cloned().map(|it| view! { <ItemRowView it=it selected=selected reload=reload /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn ItemRowView(
    it: ItemAnalysisRow,
    selected: RwSignal<Option<String>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = it.item_id.clone();
    let id_for_curve = id.clone();
    let message = RwSignal::new(None::<String>);
    let can_send = it.status.as_deref() == Some("published") && !it.flags.is_empty();
    let reason = format!(
        "{}: {}",
        t_string!(i18n, an_reason_prefix),
        it.flags
            .iter()
            .map(|f| flag_name(i18n, f))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let send = move |_| {
        let input = SendBackInput {
            reason: reason.clone(),
        };
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match send_back_to_review(id, input).await {
                Ok(_) => reload(),
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    let opt = |x: Option<f64>, d: usize| x.map(|v| num(v, d)).unwrap_or_default();
    view! {
        <tr data-item=it.item_id.clone() class:flagged=!it.flags.is_empty()>
            <th scope="row"><a href=format!("/bank/item/{}", it.item_id)>{it.item_id.clone()}</a></th>
            <td class="num">{it.n}</td>
            <td class="num">{num(it.facility, 2)}</td>
            <td class="num">{num(it.discrimination_index, 2)}</td>
            <td class="num">{num(it.point_biserial, 2)}</td>
            <td class="num">{num(it.alpha_if_deleted, 3)}</td>
            <td class="num">{opt(it.a, 2)}</td>
            <td class="num">{opt(it.b, 2)}</td>
            <td class="num stored">{it.stored.as_ref().map(|p| format!("{} / {}", num(p.a, 2), num(p.b, 2))).unwrap_or_default()}</td>
            <td class="small">{it.by_language.iter().map(|l| format!("{} {} ({})", l.language, pct(l.facility * 100.0), l.n)).collect::<Vec<_>>().join(" · ")}</td>
            <td class="small">{it.dif_class.clone().map(|c| format!("{c} {}", opt(it.dif_delta, 2))).unwrap_or_default()}
                {it.harder_in.clone().map(|l| format!(" ({} {l})", t_string!(i18n, an_harder_in)))}</td>
            <td class="small flags" data-flags=it.flags.join(" ")>{it.flags.iter().map(|f| flag_name(i18n, f)).collect::<Vec<_>>().join(", ")}</td>
            <td>
                <button type="button" class="small" on:click=move |_| selected.set(Some(id_for_curve.clone()))>{t!(i18n, an_curve_button)}</button>
                {can_send.then(|| view! {
                    <button type="button" class="small send-back" data-changes="" on:click=send>{t!(i18n, an_send_back)}</button>
                })}
                {it.status.clone().filter(|s| s != "published").map(|s| view! { <span class="muted small">{s}</span> })}
                {move || message.get().map(|m| view! { <span class="alert small" role="alert">{m}</span> })}
            </td>
        </tr>
    }
}

const W: f64 = 360.0;
const H: f64 = 220.0;
const PAD: f64 = 32.0;

/// Total scores as bars.
#[component]
fn Histogram(bins: Vec<(u32, usize)>) -> impl IntoView {
    let max_x = bins.iter().map(|b| b.0).max().unwrap_or(1).max(1) as f64;
    let max_y = bins.iter().map(|b| b.1).max().unwrap_or(1).max(1) as f64;
    let bar = (W - 2.0 * PAD) / (max_x + 1.0);
    view! {
        <svg viewBox=format!("0 0 {W} {H}") width="100%" role="img" id="histogram" aria-label="histogram">
            <line x1=PAD y1=H - PAD x2=W - PAD y2=H - PAD stroke="currentColor" />
            {bins.into_iter().map(|(x, n)| {
                let h = (H - 2.0 * PAD) * n as f64 / max_y;
                view! {
                    <rect class="bar" x=PAD + bar * x as f64 y=H - PAD - h width=(bar - 1.0).max(1.0) height=h fill="#2b6cb0">
                        <title>{format!("{x}: {n}")}</title>
                    </rect>
                }
            }).collect_view()}
            <text x=PAD y=H - 8.0 font-size="11">"0"</text>
            <text x=W - PAD y=H - 8.0 font-size="11" text-anchor="end">{max_x}</text>
            <text x=4.0 y=PAD font-size="11">{max_y}</text>
        </svg>
    }
}

/// Difficulty (x) against discrimination (y); flagged items in red; click to see the curve.
#[component]
fn ItemMap(items: Vec<ItemAnalysisRow>, selected: RwSignal<Option<String>>) -> impl IntoView {
    let sx = |b: f64| PAD + (b.clamp(-4.0, 4.0) + 4.0) / 8.0 * (W - 2.0 * PAD);
    let sy = |a: f64| H - PAD - a.clamp(0.0, 3.0) / 3.0 * (H - 2.0 * PAD);
    view! {
        <svg viewBox=format!("0 0 {W} {H}") width="100%" role="img" id="item-map" aria-label="item map">
            <line x1=PAD y1=H - PAD x2=W - PAD y2=H - PAD stroke="currentColor" />
            <line x1=sx(0.0) y1=PAD x2=sx(0.0) y2=H - PAD stroke="#999" stroke-dasharray="3 3" />
            <text x=PAD y=H - 8.0 font-size="11">"b −4"</text>
            <text x=W - PAD y=H - 8.0 font-size="11" text-anchor="end">"+4"</text>
            <text x=4.0 y=PAD font-size="11">"a 3"</text>
            {items.into_iter().filter_map(|it| {
                let (a, b) = (it.a?, it.b?);
                let id = it.item_id.clone();
                let color = if it.flags.is_empty() { "#2b6cb0" } else { "#c53030" };
                Some(view! {
                    <circle class="item-dot" cx=sx(b) cy=sy(a) r="5" fill=color data-item=it.item_id.clone()
                        on:click=move |_| selected.set(Some(id.clone()))>
                        <title>{format!("{} a={a:.2} b={b:.2}", it.item_id)}</title>
                    </circle>
                })
            }).collect_view()}
        </svg>
    }
}

/// A line over θ in −4..4 (the test information function).
#[component]
fn Curve(points: Vec<(f64, f64)>, id: &'static str) -> impl IntoView {
    let max = points.iter().map(|p| p.1).fold(0.0f64, f64::max).max(1e-9);
    let path: Vec<String> = points
        .iter()
        .map(|(t, y)| {
            format!(
                "{:.1},{:.1}",
                PAD + (t + 4.0) / 8.0 * (W - 2.0 * PAD),
                H - PAD - y / max * (H - 2.0 * PAD)
            )
        })
        .collect();
    view! {
        <svg viewBox=format!("0 0 {W} {H}") width="100%" role="img" id=id aria-label=id>
            <line x1=PAD y1=H - PAD x2=W - PAD y2=H - PAD stroke="currentColor" />
            <polyline points=path.join(" ") fill="none" stroke="#2b6cb0" stroke-width="2" />
            <text x=PAD y=H - 8.0 font-size="11">"θ −4"</text>
            <text x=W - PAD y=H - 8.0 font-size="11" text-anchor="end">"+4"</text>
            <text x=4.0 y=PAD font-size="11">{format!("{max:.1}")}</text>
        </svg>
    }
}

/// One item: the proportion right in five score groups (dots) and the model's curve.
#[component]
fn ItemCurve(item: ItemAnalysisRow) -> impl IntoView {
    let xs: Vec<f64> = item.curve.iter().map(|c| c.theta).collect();
    let (lo, hi) = if item.a.is_some() {
        (-4.0, 4.0)
    } else {
        (
            xs.iter().copied().fold(f64::INFINITY, f64::min).min(0.0),
            xs.iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
                .max(1.0),
        )
    };
    let span = (hi - lo).max(1e-9);
    let sx = move |t: f64| PAD + (t.clamp(lo, hi) - lo) / span * (W - 2.0 * PAD);
    let sy = |p: f64| H - PAD - p.clamp(0.0, 1.0) * (H - 2.0 * PAD);
    let model: Option<String> = item.a.zip(item.b).map(|(a, b)| {
        (0..=80)
            .map(|i| {
                let t = -4.0 + 0.1 * f64::from(i);
                let p = 1.0 / (1.0 + (-a * (t - b)).exp());
                format!("{:.1},{:.1}", sx(t), sy(p))
            })
            .collect::<Vec<_>>()
            .join(" ")
    });
    view! {
        <svg viewBox=format!("0 0 {W} {H}") width="100%" role="img" id="item-curve" aria-label="item curve">
            <line x1=PAD y1=H - PAD x2=W - PAD y2=H - PAD stroke="currentColor" />
            <line x1=PAD y1=PAD x2=PAD y2=H - PAD stroke="currentColor" />
            <text x=4.0 y=PAD font-size="11">"1"</text>
            <text x=4.0 y=H - PAD font-size="11">"0"</text>
            {model.map(|m| view! { <polyline points=m fill="none" stroke="#2b6cb0" stroke-width="2" /> })}
            {item.curve.iter().map(|c| view! {
                <circle cx=sx(c.theta) cy=sy(c.observed) r="5" fill="#c05621">
                    <title>{format!("{:.2}: {:.2}", c.theta, c.observed)}</title>
                </circle>
            }).collect_view()}
        </svg>
    }
}

const OPTION_COLOURS: [&str; 7] = [
    "#2f855a", "#c05621", "#6b46c1", "#b7791f", "#2c5282", "#9b2c2c", "#4a5568",
];

/// Single choice: each option's share across the five score groups (lowest first); the key
/// drawn thick. A distractor rising with the score is a key to check.
#[component]
fn OptionCurves(options: Vec<OptionCurve>) -> impl IntoView {
    let groups = options
        .iter()
        .map(|o| o.shares.len())
        .max()
        .unwrap_or(1)
        .max(2);
    let sx = move |g: usize| PAD + g as f64 / (groups - 1) as f64 * (W - 2.0 * PAD);
    let sy = |p: f64| H - PAD - p.clamp(0.0, 1.0) * (H - 2.0 * PAD);
    view! {
        <svg viewBox=format!("0 0 {W} {H}") width="100%" role="img" id="option-curves" aria-label="option curves">
            <line x1=PAD y1=H - PAD x2=W - PAD y2=H - PAD stroke="currentColor" />
            <line x1=PAD y1=PAD x2=PAD y2=H - PAD stroke="currentColor" />
            <text x=4.0 y=PAD font-size="11">"1"</text>
            <text x=4.0 y=H - PAD font-size="11">"0"</text>
            {options.iter().enumerate().map(|(k, o)| {
                let colour = OPTION_COLOURS[k % OPTION_COLOURS.len()];
                let points = o.shares.iter().enumerate()
                    .map(|(g, p)| format!("{:.1},{:.1}", sx(g), sy(*p)))
                    .collect::<Vec<_>>().join(" ");
                let last = o.shares.last().copied().unwrap_or(0.0);
                let label = if o.correct { format!("{} ✓", o.label) } else { o.label.clone() };
                view! {
                    <polyline class="option-line" data-option=o.label.clone() points=points fill="none" stroke=colour
                        stroke-width=if o.correct { "3.5" } else { "1.5" } />
                    <text x=W - PAD + 4.0 y=sy(last) font-size="11" fill=colour>{label}</text>
                }
            }).collect_view()}
        </svg>
    }
}

/// An item-analysis flag in the reader's language (`distractor_B`: option B draws the strong).
fn flag_name(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    match code {
        "too_easy" => t_string!(i18n, flag_too_easy).to_string(),
        "too_hard" => t_string!(i18n, flag_too_hard).to_string(),
        "low_discrimination" => t_string!(i18n, flag_low_discrimination).to_string(),
        "negative_discrimination" => t_string!(i18n, flag_negative_discrimination).to_string(),
        "misfit" => t_string!(i18n, flag_misfit).to_string(),
        "dif" => t_string!(i18n, flag_dif).to_string(),
        "distractor" => t_string!(i18n, flag_distractor).to_string(),
        other => match other.strip_prefix("distractor_") {
            Some(option) => format!("{} {option}", t_string!(i18n, flag_distractor_option)),
            None => other.to_string(),
        },
    }
}
