//! Programme staff's campaigns: the list, one campaign (its applications, uploads, cuts,
//! panels, appeals) and the cut table.

use super::*;

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let i18n = use_i18n();
    let (list, reload) = crate::pages::server_data(|| (), |_| campaigns());
    let f = |s: &str| RwSignal::new(s.to_string());
    let (id, name, year, round, blueprint) = (f(""), f(""), f("2026"), f("1"), f("stage1-2026"));
    let (mark3, mark4, appeal_days) = (f("60"), f("60"), f("3"));
    let open = RwSignal::new(true);
    let message = RwSignal::new(None::<String>);
    let save = move |_| {
        let mark = |s: RwSignal<String>| {
            s.get_untracked()
                .trim()
                .replace(',', ".")
                .parse::<f64>()
                .unwrap_or(60.0)
        };
        let rule = |pass_mark: f64| question_bank::selection::Rule {
            cut: question_bank::selection::Cut::Mark { pass_mark },
            ..Default::default()
        };
        let input = CampaignInput {
            id: id.get_untracked().trim().to_string(),
            name: name.get_untracked(),
            year: year.get_untracked().trim().parse().unwrap_or(0),
            round: round.get_untracked().trim().parse().unwrap_or(1),
            blueprint_id: Some(blueprint.get_untracked()).filter(|b| !b.trim().is_empty()),
            open: open.get_untracked(),
            settings: CampaignSettings {
                rules: vec![
                    StageRule {
                        stage: 3,
                        rule: rule(mark(mark3)),
                    },
                    StageRule {
                        stage: 4,
                        rule: rule(mark(mark4)),
                    },
                ],
                appeal_days: appeal_days.get_untracked().trim().parse().unwrap_or(3),
                ..CampaignSettings::default()
            },
        };
        leptos::task::spawn_local(async move {
            match campaign_save(input).await {
                Ok(c) => {
                    message.set(Some(format!("✓ {}", c.name)));
                    reload();
                }
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="card wide">
            <h1>{t!(i18n, pl_campaigns)}</h1>
            <p><a href="/reports">{t!(i18n, pl_reports)}</a> " · " <a href="/reserve">{t!(i18n, pl_reserve)}</a></p>
            <Transition fallback=|| ()>
            {move || match list.get() {
                None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                Some(Ok(rows)) => view! {
                    {rows.is_empty().then(|| view! { <p class="muted empty" role="status">{t!(i18n, empty_list)}</p> })}
                    <table class="table" id="campaigns">
                        <thead><tr><th>{t!(i18n, pr_name)}</th><th class="num">{t!(i18n, pl_year)}</th><th>{t!(i18n, pl_rules)}</th><th></th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|c| view! {
                                <tr data-id=c.id.clone()>
                                    <td><a href=format!("/pipeline/{}", c.id)>{c.name.clone()}</a></td>
                                    <td class="num">{format!("{} / {}", c.year, c.round)}</td>
                                    <td class="small">{campaign_rules(i18n, &c.settings)}</td>
                                    <td>{if c.open { t_string!(i18n, pl_open).to_string() } else { String::new() }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            </Transition>
            <h2>{t!(i18n, pl_campaign_new)}</h2>
            <div class="form-grid">
                <label class="field"><span>"Id"</span>{text_input("c-id", id)}</label>
                <label class="field"><span>{t!(i18n, pr_name)}</span>{text_input("c-name", name)}</label>
                <label class="field"><span>{t!(i18n, pl_year)}</span>{text_input("c-year", year)}</label>
                <label class="field"><span>{t!(i18n, pl_round)}</span>{text_input("c-round", round)}</label>
                <label class="field"><span>{t!(i18n, pr_blueprint)}</span>{text_input("c-blueprint", blueprint)}</label>
                <label class="field"><span>{t!(i18n, pl_mark3)}</span>{text_input("c-mark3", mark3)}</label>
                <label class="field"><span>{t!(i18n, pl_mark4)}</span>{text_input("c-mark4", mark4)}</label>
                <label class="field"><span>{t!(i18n, pl_appeal_days)}</span>{text_input("c-appeal-days", appeal_days)}</label>
                <label class="inline"><input type="checkbox" id="c-open" prop:checked=open on:change=move |ev| open.set(event_target_checked(&ev)) />{t!(i18n, pl_open)}</label>
            </div>
            {move || message.get().map(|m| view! { <p class="notice" role="status" id="campaign-message">{m}</p> })}
            <button type="button" class="primary" id="c-save" data-changes="" on:click=save>{t!(i18n, pl_save)}</button>
        </section>
    }
}

/// A CSV box with preview and commit, posting to `url`.
#[component]
pub(crate) fn CsvUpload(
    url: Signal<String>,
    hint: String,
    id: &'static str,
    done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let report = RwSignal::new(None::<Result<CsvReport, AppError>>);
    let send = move |commit: bool| {
        let body = json(&CsvInput {
            csv: text.get_untracked(),
            commit,
        });
        let u = url.get_untracked();
        leptos::task::spawn_local(async move {
            let r = rest::<CsvReport>("POST", &u, body).await;
            if matches!(&r, Ok(r) if r.committed) {
                done();
            }
            report.set(Some(r));
        });
    };
    view! {
        <div class="csv-upload" id=id>
            <p class="muted small">{hint.clone()}</p>
            <textarea rows="5" class="csv-text" aria-label=hint prop:value=text on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <div class="actions">
                <button type="button" class="csv-preview" disabled=move || text.with(|t| t.trim().is_empty()) on:click=move |_| send(false)>{t!(i18n, pl_preview)}</button>
                <button type="button" class="primary csv-commit" data-changes="" disabled=move || text.with(|t| t.trim().is_empty()) on:click=move |_| send(true)>{t!(i18n, pl_commit)}</button>
            </div>
            {move || report.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                Ok(r) => view! {
                    <p class=if r.committed { "ok-note csv-result" } else { "notice csv-result" }>
                        {format!("{}: {} · {}: {}{}", t_string!(i18n, pl_valid), r.valid, t_string!(i18n, pl_errors), r.errors,
                            if r.committed { format!(" · {}", t_string!(i18n, pl_committed)) } else { String::new() })}
                    </p>
                    <table class="table small">
                        <tbody>
                            {r.lines.into_iter().map(|l| {
                                let class = if l.error.is_none() { "line-ok" } else { "line-error" };
                                let what = l.error.unwrap_or(l.action);
                                view! {
                                    <tr class=class>
                                        <td class="num">{l.line}</td><td>{l.iin}</td><td>{l.full_name}</td>
                                        <td>{what}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            })}
        </div>
    }
}

#[component]
pub fn CampaignPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let cid = params.read_untracked().get("id").unwrap_or_default();
    let cid = StoredValue::new(cid);
    let region = RwSignal::new(String::new());
    let stage = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let q = RwSignal::new(String::new());
    let page = RwSignal::new(0i64);
    let filter = move || ApplicationFilter {
        region: Some(region.get()).filter(|r| !r.is_empty()),
        stage: stage.get().parse().ok(),
        status: Some(status.get()).filter(|s| !s.is_empty() && !stage.get().is_empty()),
        q: Some(q.get()).filter(|q| !q.trim().is_empty()),
        page: Some(page.get()),
        per_page: Some(50),
    };
    let (apps, reload) = crate::pages::server_data(
        move || (cid.get_value(), filter()),
        |(c, f)| campaign_applications(c, f),
    );
    let (campaign, _) = crate::pages::server_data(move || cid.get_value(), campaign);
    let (appeals, _) = crate::pages::server_data(move || cid.get_value(), campaign_appeals);
    let (cuts, reload_cuts) = crate::pages::server_data(move || cid.get_value(), campaign_cuts);
    let upload_stage = RwSignal::new("2".to_string());

    // Selection.
    let sel_stage = RwSignal::new("3".to_string());
    let sel_kind = RwSignal::new("top".to_string());
    let sel_value = RwSignal::new("10".to_string());
    let sel_region = RwSignal::new(false);
    let sel_ties = RwSignal::new("all_pass".to_string());
    let selection = RwSignal::new(None::<Result<SelectionView, AppError>>);
    // Applying a rule asks first, with what it will change (a preview's counts).
    let confirm_cut = RwSignal::new(None::<SelectionView>);
    let select = move |commit: bool, ask: bool| {
        use question_bank::selection::{Cut, Rule, TieBreak, TieRule};
        let v: f64 = sel_value
            .get_untracked()
            .trim()
            .replace(',', ".")
            .parse()
            .unwrap_or(0.0);
        let cut = match sel_kind.get_untracked().as_str() {
            "mark" => Cut::Mark { pass_mark: v },
            "top_percent" => Cut::TopPercent { percent: v },
            _ => Cut::Top {
                n: v.max(0.0) as u32,
            },
        };
        let ties = match sel_ties.get_untracked().as_str() {
            "management" => TieRule::BreakBy(vec![
                TieBreak::ManagementYears,
                TieBreak::TeachingYears,
                TieBreak::EarlierApplication,
            ]),
            "earlier" => TieRule::BreakBy(vec![TieBreak::EarlierApplication]),
            _ => TieRule::AllPass,
        };
        let input = SelectInput {
            rule: Rule {
                cut,
                per_region: sel_region.get_untracked(),
                ties,
            },
            commit,
        };
        let stage: u8 = sel_stage.get_untracked().parse().unwrap_or(0);
        leptos::task::spawn_local(async move {
            let r = select_stage(cid.get_value(), stage, input).await;
            if matches!(&r, Ok(s) if s.committed) {
                reload();
                reload_cuts();
            }
            match r {
                Ok(s) if ask => confirm_cut.set(Some(s)),
                r => selection.set(Some(r)),
            }
        });
    };
    let value_ok = move || {
        sel_value
            .get()
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .is_ok_and(|v| v > 0.0)
    };

    // Panels.
    let experts = RwSignal::new(String::new());
    let commission = RwSignal::new(String::new());
    let chair = RwSignal::new(String::new());
    let panel_message = RwSignal::new(None::<String>);
    let save_panel = move |panel: &'static str| {
        let input = match panel {
            "expert" => PanelInput {
                emails: experts.get_untracked(),
                chair: None,
            },
            _ => PanelInput {
                emails: commission.get_untracked(),
                chair: Some(chair.get_untracked()).filter(|c| !c.trim().is_empty()),
            },
        };
        leptos::task::spawn_local(async move {
            match panel_save(cid.get_value(), panel.to_string(), input).await {
                Ok(m) => panel_message.set(Some(format!(
                    "✓ {}: {}",
                    panel,
                    m.iter()
                        .map(|m| m.full_name.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
                Err(e) => panel_message.set(Some(e.message)),
            }
        });
    };
    Effect::new(move |_| {
        // Read before any await: the page may be gone by the time an answer comes.
        let id = cid.get_value();
        leptos::task::spawn_local(async move {
            for (panel, target) in [("expert", experts), ("commission", commission)] {
                if let Ok(m) = crate::api::panel(id.clone(), panel.to_string()).await {
                    target.set(
                        m.iter()
                            .map(|m| m.email.clone())
                            .collect::<Vec<_>>()
                            .join("\n"),
                    );
                    if let Some(c) = m.iter().find(|m| m.chair) {
                        chair.set(c.email.clone());
                    }
                }
            }
        });
    });

    let stage_options = move || {
        (1..=5u8).map(|n| view! { <option value=n.to_string()>{format!("{n}. {}", stage_name(i18n, n))}</option> }).collect_view()
    };
    view! {
        <section class="card wide">
            <Transition fallback=|| ()>
            {move || match campaign.get() {
                Some(Ok(c)) => view! {
                    <h1>{c.name.clone()}</h1>
                    <p class="muted small" id="campaign-rules">{campaign_rules(i18n, &c.settings)}</p>
                }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
            }}
            </Transition>
            <p><a href=move || format!("/reports?campaign={}", cid.get_value())>{t!(i18n, pl_reports)}</a> " · "
               <a href=move || format!("/reserve?campaign={}", cid.get_value())>{t!(i18n, pl_reserve)}</a></p>
            <h2>{t!(i18n, pl_candidates)}</h2>
            <div class="filters">
                <select id="f-region" aria-label=move || t_string!(i18n, pr_region) on:change=move |ev| { region.set(event_target_value(&ev)); page.set(0); }>
                    <option value="">{t!(i18n, pl_all_regions)}</option>
                    {REGIONS.iter().map(|r| view! { <option value=*r>{move || region_name(r, crate::pages::lang()).to_string()}</option> }).collect_view()}
                </select>
                <select id="f-stage" aria-label=move || t_string!(i18n, pl_stage) on:change=move |ev| { stage.set(event_target_value(&ev)); page.set(0); }>
                    <option value="">{t!(i18n, pl_any_stage)}</option>
                    {stage_options()}
                </select>
                <select id="f-status" aria-label=move || t_string!(i18n, pl_status) on:change=move |ev| { status.set(event_target_value(&ev)); page.set(0); }>
                    <option value="">{t!(i18n, pl_any_status)}</option>
                    {[StageStatus::Pending, StageStatus::Passed, StageStatus::Failed, StageStatus::Withdrawn].into_iter()
                        .map(|s| view! { <option value=s.as_str()>{status_name(i18n, s)}</option> }).collect_view()}
                </select>
                <input type="search" id="f-q" placeholder=move || t_string!(i18n, pl_search) aria-label=move || t_string!(i18n, pl_search) on:change=move |ev| { q.set(event_target_value(&ev)); page.set(0); } />
            </div>
            <Transition fallback=|| ()>
            {move || match apps.get() {
                None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                Some(Ok(p)) => {
                    let total = p.total;
                    view! {
                        <p class="muted" id="apps-total">{format!("{}: {total}", t_string!(i18n, pl_found))}</p>
                        {p.rows.is_empty().then(|| view! { <p class="muted empty" role="status" id="apps-empty">{t!(i18n, empty_filtered)}</p> })}
                        <table class="table" id="apps">
                            <thead><tr><th>{t!(i18n, pl_full_name)}</th><th>{t!(i18n, pr_region)}</th><th>{t!(i18n, pl_school)}</th>
                                {(1..=5).map(|n| view! { <th title=stage_name(i18n, n)>{n}</th> }).collect_view()}<th></th></tr></thead>
                            <tbody>
                                {p.rows.into_iter().map(|r| view! {
                                    <tr data-id=r.id.clone()>
                                        <td><a href=format!("/candidate/{}", r.id)>{r.full_name.clone()}</a><br/><span class="muted small">{r.iin.clone()}</span></td>
                                        <td>{region_name(&r.region, crate::pages::lang()).to_string()}</td><td>{r.school.clone()}</td>
                                        {r.stages.iter().map(|s| view! { <td>{status_badge(i18n, *s)}</td> }).collect_view()}
                                        <td>{r.certificate.clone().unwrap_or_default()}{r.appointed.then_some(" ✓")}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <nav class="pager" aria-label=move || t_string!(i18n, pager)>
                            <button type="button" id="apps-prev" aria-label=move || t_string!(i18n, pager_prev)
                                disabled=move || { page.get() == 0 } on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"‹"</button>
                            <span id="apps-page">{t!(i18n, pager_of, page = move || page.get() + 1, pages = ((total + 49) / 50).max(1))}</span>
                            <button type="button" id="apps-next" aria-label=move || t_string!(i18n, pager_next)
                                disabled=move || { (page.get() + 1) * 50 >= total } on:click=move |_| page.update(|p| *p += 1)>"›"</button>
                        </nav>
                    }.into_any()
                }
            }}
            </Transition>
        </section>
        <section class="card wide">
            <h2>{t!(i18n, pl_import_applications)}</h2>
            <CsvUpload id="import-applications" url=Signal::derive(move || format!("/api/v1/campaigns/{}/applications/import", cid.get_value()))
                hint="iin,full_name,region,district,school,position,teaching_years,management_years,email,phone".into() done=reload />
            <h2>{t!(i18n, pl_upload_results)}</h2>
            <select id="upload-stage" aria-label=move || t_string!(i18n, pl_stage) on:change=move |ev| upload_stage.set(event_target_value(&ev))>
                {stage_options()}
            </select>
            <CsvUpload id="import-stage" url=Signal::derive(move || format!("/api/v1/campaigns/{}/stages/{}/import", cid.get_value(), upload_stage.get()))
                hint="2: iin,level,completed,from,to · 3: iin,host_school,mentor,from,to,score,comment · 1-5: iin,status,score,reason".into() done=reload />
        </section>
        <section class="card wide">
            <h2>{t!(i18n, pl_selection)}</h2>
            <div class="form-grid">
                <label class="field"><span>{t!(i18n, pl_stage)}</span>
                    <select id="sel-stage" on:change=move |ev| sel_stage.set(event_target_value(&ev))>
                        <option value="3">{format!("3. {}", stage_name(i18n, 3))}</option>
                        <option value="1">{format!("1. {}", stage_name(i18n, 1))}</option>
                        <option value="4">{format!("4. {}", stage_name(i18n, 4))}</option>
                    </select></label>
                <label class="field"><span>{t!(i18n, pl_rule)}</span>
                    <select id="sel-kind" on:change=move |ev| sel_kind.set(event_target_value(&ev))>
                        <option value="top">{t!(i18n, pl_rule_top)}</option>
                        <option value="top_percent">{t!(i18n, pl_rule_percent)}</option>
                        <option value="mark">{t!(i18n, pl_rule_mark)}</option>
                    </select></label>
                <label class="field"><span>{t!(i18n, pl_value)}</span>{text_input("sel-value", sel_value)}</label>
                <label class="field"><span>{t!(i18n, pl_ties)}</span>
                    <select id="sel-ties" on:change=move |ev| sel_ties.set(event_target_value(&ev))>
                        <option value="all_pass">{t!(i18n, pl_ties_all)}</option>
                        <option value="management">{t!(i18n, pl_ties_management)}</option>
                        <option value="earlier">{t!(i18n, pl_ties_earlier)}</option>
                    </select></label>
                <label class="inline"><input type="checkbox" id="sel-region" prop:checked=sel_region on:change=move |ev| sel_region.set(event_target_checked(&ev)) />{t!(i18n, pl_per_region)}</label>
            </div>
            <div class="actions">
                <button type="button" id="sel-preview" disabled=move || !value_ok() on:click=move |_| select(false, false)>{t!(i18n, pl_preview)}</button>
                <button type="button" class="primary" id="sel-apply" disabled=move || !value_ok() on:click=move |_| select(false, true)>{t!(i18n, pl_apply_cut)}</button>
            </div>
            {move || confirm_cut.get().map(|s| {
                let (stage, passed, failed, changes) = (s.stage, s.passed, s.failed, s.changes);
                view! {
                    <div class="overlay">
                        <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="cut-confirm-text" id="cut-confirm">
                            <p id="cut-confirm-text"><strong>{t!(i18n, pl_cut_confirm, stage = move || stage, changes = move || changes)}</strong></p>
                            <p>{t!(i18n, pl_cut_counts, passed = move || passed, failed = move || failed)}</p>
                            <p class="muted small">{s.rule.as_ref().map(|r| rule_words(i18n, r)).unwrap_or_else(|| s.rule_text.clone())}</p>
                            <div class="q-actions">
                                <button type="button" id="cut-cancel" data-cancel="" on:click=move |_| confirm_cut.set(None)>{t!(i18n, cancel)}</button>
                                <button type="button" class="primary" id="cut-confirm-apply" data-changes=""
                                    on:click=move |_| { confirm_cut.set(None); select(true, false); }>{t!(i18n, pl_apply_cut)}</button>
                            </div>
                        </div>
                    </div>
                }
            })}
            {move || selection.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                Ok(s) => view! { <CutTable s /> }.into_any(),
            })}
            <h3>{t!(i18n, pl_cuts)}</h3>
            <Transition fallback=|| ()>
            {move || match cuts.get() {
                Some(Ok(list)) => list.into_iter().map(|s| view! { <CutTable s /> }).collect_view().into_any(),
                _ => ().into_any(),
            }}
            </Transition>
        </section>
        <section class="card wide">
            <h2>{t!(i18n, pl_panels)}</h2>
            <div class="editor-columns">
                <label class="field"><span>{t!(i18n, pl_experts)}</span>
                    <textarea id="panel-experts" rows="4" prop:value=experts on:input=move |ev| experts.set(event_target_value(&ev))></textarea>
                    <button type="button" id="panel-experts-save" data-changes="" on:click=move |_| save_panel("expert")>{t!(i18n, pl_save)}</button></label>
                <label class="field"><span>{t!(i18n, pl_commission)}</span>
                    <textarea id="panel-commission" rows="4" prop:value=commission on:input=move |ev| commission.set(event_target_value(&ev))></textarea>
                    <span>{t!(i18n, pl_chair)}</span>{text_input("panel-chair", chair)}
                    <button type="button" id="panel-commission-save" data-changes="" on:click=move |_| save_panel("commission")>{t!(i18n, pl_save)}</button></label>
            </div>
            {move || panel_message.get().map(|m| view! { <p class="notice" role="status">{m}</p> })}
        </section>
        <section class="card wide">
            <h2>{t!(i18n, pl_appeals)}</h2>
            <Transition fallback=|| ()>
            {move || match appeals.get() {
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"—"</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <table class="table" id="appeals">
                        <tbody>
                            {list.into_iter().map(|a| view! {
                                <tr class=format!("appeal-{}", a.status)>
                                    <td><a href=format!("/appeal/{}", a.id)>{a.full_name.clone()}</a></td>
                                    <td>{stage_name(i18n, a.stage)}</td><td>{a.status.clone()}</td><td>{fmt_utc(a.filed_ms)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                None => ().into_any(),
            }}
            </Transition>
        </section>
    }
}

#[component]
pub(crate) fn CutTable(s: SelectionView) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="cut" data-committed=s.committed.to_string()>
            <p><strong>{format!("{} {} · {}", t_string!(i18n, pl_stage), s.stage, s.rule.as_ref().map(|r| rule_words(i18n, r)).unwrap_or_else(|| s.rule_text.clone()))}</strong>
               {format!(" — {} {} · {} {} · {} {}", t_string!(i18n, status_passed), s.passed, t_string!(i18n, status_failed), s.failed, t_string!(i18n, pl_changes), s.changes)}
               {s.committed.then(|| format!(" · {} {}", s.applied_by, fmt_utc(s.applied_ms)))}</p>
            <table class="table small">
                <thead><tr><th>{t!(i18n, pr_region)}</th><th class="num">{t!(i18n, pl_candidates)}</th><th class="num">{t!(i18n, pl_places)}</th>
                    <th class="num">{t!(i18n, status_passed)}</th><th class="num">{t!(i18n, pl_cut_score)}</th><th class="num">{t!(i18n, pl_tied_over)}</th></tr></thead>
                <tbody>
                    {s.lines.into_iter().map(|l| view! {
                        <tr><td>{l.region.map(|r| region_name(&r, crate::pages::lang()).to_string()).unwrap_or_else(|| "—".into())}</td><td class="num">{l.candidates}</td><td class="num">{l.places}</td>
                            <td class="num">{l.passed}</td><td class="num">{l.cut_score.map(pct).unwrap_or_default()}</td><td class="num">{l.tied_over}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
