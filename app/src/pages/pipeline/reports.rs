//! The reserve register and the reports (the funnel by region or year, as charts and CSV).

use super::*;

#[component]
pub fn ReservePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let campaign = query.read_untracked().get("campaign").unwrap_or_default();
    let campaign = StoredValue::new(campaign);
    let region = RwSignal::new(String::new());
    let available = RwSignal::new(false);
    let nonempty = |s: String| Some(s).filter(|s| !s.is_empty());
    let (list, _) = crate::pages::server_data(
        move || {
            (
                nonempty(campaign.get_value()),
                nonempty(region.get()),
                available.get(),
            )
        },
        |(c, r, a)| reserve_list(c, r, a),
    );
    view! {
        <section class="card wide">
            <h1>{t!(i18n, pl_reserve)}</h1>
            <div class="filters">
                <select id="r-region" aria-label=move || t_string!(i18n, pr_region) on:change=move |ev| region.set(event_target_value(&ev))>
                    <option value="">{t!(i18n, pl_all_regions)}</option>
                    {REGIONS.iter().map(|r| view! { <option value=*r>{move || region_name(r, crate::pages::lang()).to_string()}</option> }).collect_view()}
                </select>
                <label class="inline"><input type="checkbox" id="r-available" on:change=move |ev| available.set(event_target_checked(&ev)) />{t!(i18n, pl_available)}</label>
            </div>
            <Transition fallback=|| ()>
            {move || match list.get() {
                None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                Some(Ok(rows)) => view! {
                    <p class="muted" id="reserve-count">{format!("{}: {}", t_string!(i18n, pl_found), rows.len())}</p>
                    {rows.is_empty().then(|| view! { <p class="muted empty" role="status" id="reserve-empty">{t!(i18n, empty_filtered)}</p> })}
                    <table class="table" id="reserve">
                        <tbody>
                            {rows.into_iter().map(|r| view! {
                                <tr>
                                    <td><a href=format!("/candidate/{}", r.application_id)>{r.full_name.clone()}</a></td>
                                    <td>{region_name(&r.region, crate::pages::lang()).to_string()}</td><td>{r.school.clone()}</td>
                                    <td>{r.certificate.clone()}</td><td>{date(r.valid_until_ms)}</td>
                                    <td>{match (&r.appointed_school, &r.appointed_on) {
                                        (Some(s), Some(d)) => format!("{} · {} · {d}", r.appointed_position.clone().unwrap_or_default(), s),
                                        _ => t_string!(i18n, pl_available).to_string(),
                                    }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            </Transition>
        </section>
    }
}

pub(crate) fn step_name(i18n: I18n, step: &str) -> String {
    match step {
        "applications" => t_string!(i18n, pl_step_applications).to_string(),
        "test" => stage_name(i18n, 1),
        "training" => stage_name(i18n, 2),
        "internship" => stage_name(i18n, 3),
        "assessment" => stage_name(i18n, 4),
        "interview" => stage_name(i18n, 5),
        "reserve" => t_string!(i18n, pl_reserve).to_string(),
        _ => t_string!(i18n, pl_step_appointed).to_string(),
    }
}

/// The funnel as horizontal bars (SVG), widths on a square-root scale so the small steps show.
#[component]
pub(crate) fn FunnelChart(row: FunnelRowView, steps: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let max = f64::from(row.counts.first().copied().unwrap_or(1).max(1));
    let h = 34.0;
    let height = h * steps.len() as f64 + 10.0;
    view! {
        <svg class="funnel" id="funnel-chart" viewBox=format!("0 0 760 {height}") width="100%" role="img"
            aria-label=move || t_string!(i18n, pl_funnel)>
            {steps.iter().enumerate().map(|(i, s)| {
                let c = row.counts.get(i).copied().unwrap_or(0);
                let w = 420.0 * (f64::from(c) / max).sqrt();
                let y = 5.0 + h * i as f64;
                let conv = if i == 0 { String::new() } else { format!("  {}%", pct(row.conversion.get(i).copied().unwrap_or(0.0))) };
                view! {
                    <g class="funnel-step" data-step=s.clone() data-count=c>
                        <text x="0" y=y + 21.0 font-size="13">{step_name(i18n, s)}</text>
                        <rect x=230.0 + (420.0 - w) / 2.0 y=y width=w.max(1.0) height=h - 6.0 rx="3" fill="#2b6cb0" />
                        <text x="660" y=y + 21.0 font-size="13">{format!("{c}{conv}")}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

/// Each group's share of applications that reached the reserve, as bars (SVG).
#[component]
pub(crate) fn GroupChart(rows: Vec<FunnelRowView>) -> impl IntoView {
    let i18n = use_i18n();
    let reserve = |r: &FunnelRowView| r.counts.get(6).copied().unwrap_or(0);
    let share = |r: &FunnelRowView| {
        let a = r.counts.first().copied().unwrap_or(0);
        if a == 0 {
            0.0
        } else {
            f64::from(reserve(r)) / f64::from(a) * 100.0
        }
    };
    let max = rows.iter().map(share).fold(0.0_f64, f64::max).max(0.1);
    let h = 24.0;
    let height = h * rows.len() as f64 + 10.0;
    view! {
        <h2>{t!(i18n, pl_reserve_share)}</h2>
        <svg class="funnel" id="group-chart" viewBox=format!("0 0 760 {height}") width="100%" role="img"
            aria-label=move || t_string!(i18n, pl_reserve_share)>
            {rows.iter().enumerate().map(|(i, r)| {
                let y = 5.0 + h * i as f64;
                let w = 400.0 * share(r) / max;
                view! {
                    <g class="group-bar" data-group=r.group.clone()>
                        <text x="0" y=y + 16.0 font-size="12">{r.group.clone()}</text>
                        <rect x="170" y=y width=w.max(1.0) height=h - 6.0 rx="3" fill="#0b6e69" />
                        <text x=180.0 + w y=y + 16.0 font-size="12">
                            {format!("{}% · {} / {}", pct((share(r) * 10.0).round() / 10.0), reserve(r), r.counts.first().copied().unwrap_or(0))}
                        </text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let campaign = RwSignal::new(query.read_untracked().get("campaign").unwrap_or_default());
    let by = RwSignal::new("region".to_string());
    let (campaigns, _) = crate::pages::server_data(|| (), |_| campaigns());
    let (report, _) = crate::pages::server_data(
        move || (Some(campaign.get()).filter(|c| !c.is_empty()), by.get()),
        |(c, b)| funnel_counts(c, b),
    );
    view! {
        <section class="card wide">
            <h1>{t!(i18n, pl_funnel)}</h1>
            <div class="filters">
                <select id="rep-campaign" aria-label=move || t_string!(i18n, pl_campaigns) on:change=move |ev| campaign.set(event_target_value(&ev))>
                    <option value="">{t!(i18n, pl_all_campaigns)}</option>
                    <Transition fallback=|| ()>
                    {move || match campaigns.get() {
                        Some(Ok(list)) => list.into_iter().map(|c| {
                            let selected = c.id == campaign.get_untracked();
                            view! { <option value=c.id.clone() selected=selected>{c.name.clone()}</option> }
                        }).collect_view().into_any(),
                        _ => ().into_any(),
                    }}
                    </Transition>
                </select>
                <select id="rep-by" aria-label=move || t_string!(i18n, pl_group_by) on:change=move |ev| by.set(event_target_value(&ev))>
                    <option value="region">{t!(i18n, pl_by_region)}</option>
                    <option value="year">{t!(i18n, pl_by_year)}</option>
                </select>
                <a class="button" id="rep-csv" download="" href=move || format!("/api/v1/reports/funnel.csv?campaign={}&by={}", campaign.get(), by.get())>"CSV"</a>
            </div>
            <Transition fallback=|| ()>
            {move || match report.get() {
                None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                Some(Ok(r)) => {
                    let steps = r.steps.clone();
                    view! {
                        <FunnelChart row=r.total.clone() steps=steps.clone() />
                        <p class="muted small" id="funnel-scale">{t!(i18n, pl_funnel_scale)}</p>
                        {(!r.rows.is_empty()).then(|| view! { <GroupChart rows=r.rows.clone() /> })}
                        <table class="table small" id="funnel-table">
                            <thead><tr><th></th>{steps.iter().map(|s| view! { <th class="num">{step_name(i18n, s)}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                {r.rows.iter().chain(std::iter::once(&r.total)).map(|row| view! {
                                    <tr data-group=row.group.clone()>
                                        <td>{if row.group == "all" { t_string!(i18n, pl_total).to_string() } else { region_name(&row.group, crate::pages::lang()).to_string() }}</td>
                                        {row.counts.iter().zip(&row.conversion).enumerate().map(|(i, (c, p))| view! {
                                            <td class="num">{*c}{(i > 0).then(|| view! { <br/><span class="muted">{format!("{}%", pct(*p))}</span> })}</td>
                                        }).collect_view()}
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }
            }}
            </Transition>
        </section>
    }
}
