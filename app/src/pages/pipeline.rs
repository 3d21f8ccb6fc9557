//! The selection pipeline's pages: the applicant's application and way through the stages;
//! programme staff's campaigns, candidates, uploads, cuts, appeals, reserve and reports; the
//! experts' blind marking; the commission's interviews. Data comes from the REST API once the
//! page is hydrated.

use super::{ErrorNote, fmt_utc, pct};
use crate::api::{now_ms, rest};
use crate::error::AppError;
use crate::i18n::*;
use crate::model::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

type I18n = leptos_i18n::I18nContext<Locale>;

pub(crate) fn stage_name(i18n: I18n, n: u8) -> String {
    match n {
        1 => t_string!(i18n, stage_1),
        2 => t_string!(i18n, stage_2),
        3 => t_string!(i18n, stage_3),
        4 => t_string!(i18n, stage_4),
        _ => t_string!(i18n, stage_5),
    }
    .to_string()
}

pub(crate) fn status_name(i18n: I18n, s: StageStatus) -> String {
    match s {
        StageStatus::Pending => t_string!(i18n, status_pending),
        StageStatus::Passed => t_string!(i18n, status_passed),
        StageStatus::Failed => t_string!(i18n, status_failed),
        StageStatus::Withdrawn => t_string!(i18n, status_withdrawn),
    }
    .to_string()
}

fn date(ms: i64) -> String {
    super::fmt_date(ms)
}

/// A stage's record in words, in the reader's language: its fields by their labels, yes/no
/// for flags, numbers with the language's decimal sign, a list (training levels) item by item.
fn detail_text(i18n: I18n, v: &serde_json::Value) -> String {
    use serde_json::Value;
    let label = |k: &str| -> String {
        match k {
            "level" => t_string!(i18n, pl_level).to_string(),
            "levels" => String::new(),
            "completed" => t_string!(i18n, pl_completed).to_string(),
            "from" => t_string!(i18n, pl_from).to_string(),
            "to" => t_string!(i18n, pl_to).to_string(),
            "host_school" => t_string!(i18n, pl_host_school).to_string(),
            "mentor" => t_string!(i18n, pl_mentor).to_string(),
            "score" => t_string!(i18n, pl_score).to_string(),
            "comment" => t_string!(i18n, pl_comment).to_string(),
            other => other.replace('_', " "),
        }
    };
    fn value(i18n: I18n, v: &Value, label: &dyn Fn(&str) -> String) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Bool(true) => t_string!(i18n, yes).to_string(),
            Value::Bool(false) => t_string!(i18n, no).to_string(),
            Value::Number(n) => n.as_f64().map(pct).unwrap_or_else(|| n.to_string()),
            Value::Array(a) => a
                .iter()
                .map(|x| value(i18n, x, label))
                .collect::<Vec<_>>()
                .join(" | "),
            Value::Object(m) => m
                .iter()
                .filter(|(k, _)| k.as_str() != "synthetic")
                .map(|(k, x)| {
                    let l = label(k);
                    let x = value(i18n, x, label);
                    if l.is_empty() { x } else { format!("{l}: {x}") }
                })
                .collect::<Vec<_>>()
                .join("; "),
            Value::Null => String::new(),
        }
    }
    value(i18n, v, &label)
}

/// A selection rule in words, in the reader's language.
fn rule_words(i18n: I18n, rule: &question_bank::selection::Rule) -> String {
    use question_bank::selection::{Cut, TieBreak, TieRule};
    let cut = match rule.cut {
        Cut::Mark { pass_mark } => format!("{} {}", t_string!(i18n, rule_mark), pct(pass_mark)),
        Cut::Top { n } => format!("{} {n}", t_string!(i18n, rule_top)),
        Cut::TopPercent { percent } => format!("{} {}%", t_string!(i18n, rule_top), pct(percent)),
    };
    let mut words = cut;
    if rule.per_region && rule.is_rank() {
        words.push_str(&format!(" {}", t_string!(i18n, rule_per_region)));
    }
    if rule.is_rank() {
        match &rule.ties {
            TieRule::AllPass => words.push_str(&format!("; {}", t_string!(i18n, rule_ties_all))),
            TieRule::BreakBy(order) => words.push_str(&format!(
                "; {}: {}",
                t_string!(i18n, rule_ties_by),
                order
                    .iter()
                    .map(|k| match k {
                        TieBreak::ManagementYears => t_string!(i18n, tie_management).to_string(),
                        TieBreak::TeachingYears => t_string!(i18n, tie_teaching).to_string(),
                        TieBreak::EarlierApplication => t_string!(i18n, tie_earlier).to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    words
}

/// A campaign's rules for stages 1, 3 and 4, as the server applies them (a stage without its
/// own rule: the blueprint's pass mark for stage 1, the default mark for 3 and 4).
fn campaign_rules(i18n: I18n, settings: &CampaignSettings) -> String {
    [1u8, 3, 4]
        .iter()
        .map(|&s| {
            let words = match settings.rule(s) {
                Some(r) => rule_words(i18n, r),
                None if s == 1 => t_string!(i18n, rule_blueprint_mark).to_string(),
                None => rule_words(i18n, &question_bank::selection::Rule::default()),
            };
            format!("{}: {words}", stage_name(i18n, s))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn json<T: serde::Serialize>(v: &T) -> Option<String> {
    serde_json::to_string(v).ok()
}

/// Loads `url` into `target` (browser only), again whenever `reload` is called.
fn loader<T: serde::de::DeserializeOwned + Send + Sync + 'static>(
    url: impl Fn() -> String + Send + Sync + Copy + 'static,
) -> (
    RwSignal<Option<Result<T, AppError>>>,
    impl Fn() + Copy + Send + Sync + 'static,
) {
    let target = RwSignal::new(None::<Result<T, AppError>>);
    let reload = move || {
        let u = url();
        leptos::task::spawn_local(async move {
            target.set(Some(rest::<T>("GET", &u, None).await));
        });
    };
    Effect::new(move |_| reload());
    (target, reload)
}

fn status_badge(i18n: I18n, s: Option<StageStatus>) -> impl IntoView {
    match s {
        None => view! { <span class="badge stage-none">"—"</span> }.into_any(),
        Some(s) => {
            view! { <span class=format!("badge stage-{}", s.as_str())>{status_name(i18n, s)}</span> }
                .into_any()
        }
    }
}

fn text_input(id: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! { <input type="text" id=id prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) /> }
}

// ---------------------------------------------------------------------------------------------
// The applicant
// ---------------------------------------------------------------------------------------------

#[component]
pub fn ApplyPage() -> impl IntoView {
    let i18n = use_i18n();
    let (mine, reload_mine) = loader::<Vec<ApplicationView>>(|| "/api/v1/me/applications".into());
    let (campaigns, _) = loader::<Vec<CampaignView>>(|| "/api/v1/campaigns".into());
    view! {
        <section class="card wide">
            <h1>{t!(i18n, pl_my_applications)}</h1>
            {move || match mine.get() {
                None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                Some(Ok(apps)) if apps.is_empty() => view! { <p class="muted" id="no-applications">{t!(i18n, pl_none_yet)}</p> }.into_any(),
                Some(Ok(apps)) => apps.into_iter().map(|a| view! { <MyApplication a reload=reload_mine /> }).collect_view().into_any(),
            }}
        </section>
        <ApplicationPhoto />
        {move || {
            let applied: Vec<String> = match mine.get() {
                Some(Ok(apps)) => apps.iter().map(|a| a.campaign_id.clone()).collect(),
                _ => return None,
            };
            let open: Vec<CampaignView> = match campaigns.get() {
                Some(Ok(c)) => c.into_iter().filter(|c| c.open && !applied.contains(&c.id)).collect(),
                _ => Vec::new(),
            };
            // Nothing to apply to: said so, when the person has no application either.
            if open.is_empty() && applied.is_empty() {
                return Some(view! { <section class="card"><p class="muted" id="no-open-campaign">{t!(i18n, pl_no_open_campaign)}</p></section> }.into_any());
            }
            Some(open.into_iter().map(|c| view! { <ApplicationForm campaign=c reload=reload_mine /> }).collect_view().into_any())
        }}
    }
}

/// The applicant's photo, which the proctor compares with the person before admitting them.
#[component]
fn ApplicationPhoto() -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(None::<Result<(), String>>);
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = crate::camera::chosen_file(&ev) else {
                return;
            };
            leptos::task::spawn_local(async move {
                let r =
                    crate::camera::upload_file("/api/v1/me/photo?kind=application", &file).await;
                state.set(Some(r.map(|_| ()).map_err(|e| e.message)));
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <section class="card" id="application-photo">
            <h2>{t!(i18n, pl_photo)}</h2>
            <p class="muted">{t!(i18n, pl_photo_hint)}</p>
            <label class="field" for="photo-file"><span>{t!(i18n, pl_photo_choose)}</span>
                <input type="file" id="photo-file" accept="image/jpeg,image/png,image/webp" on:change=on_file />
            </label>
            {move || state.get().map(|r| match r {
                Ok(()) => view! { <p class="notice" role="status" id="photo-saved">{t!(i18n, pl_photo_saved)}</p> }.into_any(),
                Err(e) => view! { <p class="alert" role="alert" id="photo-error">{e}</p> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn ApplicationForm(
    campaign: CampaignView,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let f = |s: &str| RwSignal::new(s.to_string());
    let (iin, name, district, school, position, email, phone) =
        (f(""), f(""), f(""), f(""), f(""), f(""), f(""));
    // The account's name and address fill the form (the person may still change them).
    let user = expect_context::<super::CurrentUser>().0;
    Effect::new(move |_| {
        if let Some(Ok(Some(u))) = user.get() {
            if name.get_untracked().is_empty() {
                name.set(u.full_name.clone());
            }
            if email.get_untracked().is_empty() {
                email.set(u.email.clone());
            }
        }
    });
    let region = f(REGIONS[0]);
    let teaching = f("0");
    let management = f("0");
    let message = RwSignal::new(None::<String>);
    let cid = StoredValue::new(campaign.id.clone());
    let submit = move |_| {
        let input = ApplicationInput {
            campaign_id: cid.get_value(),
            iin: iin.get_untracked(),
            full_name: name.get_untracked(),
            region: region.get_untracked(),
            district: district.get_untracked(),
            school: school.get_untracked(),
            position: position.get_untracked(),
            teaching_years: teaching.get_untracked().trim().parse().unwrap_or(0),
            management_years: management.get_untracked().trim().parse().unwrap_or(0),
            email: email.get_untracked(),
            phone: phone.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/campaigns/{}/applications", input.campaign_id);
            match rest::<ApplicationView>("POST", &url, json(&input)).await {
                Ok(_) => reload(),
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="card wide apply-form" data-campaign=campaign.id.clone()>
            <h2>{t!(i18n, pl_apply_to)} " " {campaign.name.clone()}</h2>
            <div class="form-grid">
                <label class="field"><span>{t!(i18n, pl_iin)}</span>{text_input("a-iin", iin)}</label>
                <label class="field"><span>{t!(i18n, pl_full_name)}</span>{text_input("a-name", name)}</label>
                <label class="field"><span>{t!(i18n, pr_region)}</span>
                    <select id="a-region" on:change=move |ev| region.set(event_target_value(&ev))>
                        {REGIONS.iter().map(|r| view! { <option value=*r>{move || region_name(r, super::lang()).to_string()}</option> }).collect_view()}
                    </select></label>
                <label class="field"><span>{t!(i18n, pl_district)}</span>{text_input("a-district", district)}</label>
                <label class="field"><span>{t!(i18n, pl_school)}</span>{text_input("a-school", school)}</label>
                <label class="field"><span>{t!(i18n, pl_position)}</span>{text_input("a-position", position)}</label>
                <label class="field"><span>{t!(i18n, pl_teaching_years)}</span>{text_input("a-teaching", teaching)}</label>
                <label class="field"><span>{t!(i18n, pl_management_years)}</span>{text_input("a-management", management)}</label>
                <label class="field"><span>"E-mail"</span>{text_input("a-email", email)}</label>
                <label class="field"><span>{t!(i18n, pl_phone)}</span>{text_input("a-phone", phone)}</label>
            </div>
            {move || message.get().map(|m| view! { <p class="error" role="alert" id="apply-error">{m}</p> })}
            <button type="button" class="primary" id="a-submit" data-changes="" on:click=submit>{t!(i18n, pl_apply)}</button>
        </section>
    }
}

#[component]
fn MyApplication(
    a: ApplicationView,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(a.id.clone());
    let report = RwSignal::new(String::new());
    let appeal_text = RwSignal::new(String::new());
    let appeal_stage = RwSignal::new(None::<u8>);
    let message = RwSignal::new(None::<String>);
    let now = now_ms();
    let send_report = move |_| {
        let body = json(&ReportInput {
            text: report.get_untracked(),
        });
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/applications/{}/report", id.get_value());
            match rest::<ApplicationView>("POST", &url, body).await {
                Ok(_) => reload(),
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    let send_appeal = move |_| {
        let Some(stage) = appeal_stage.get_untracked() else {
            return;
        };
        let body = json(&AppealInput {
            stage,
            reason: appeal_text.get_untracked(),
        });
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/applications/{}/appeals", id.get_value());
            match rest::<AppealView>("POST", &url, body).await {
                Ok(_) => reload(),
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    let open_appeals: Vec<u8> = a
        .appeals
        .iter()
        .filter(|x| x.status == "open")
        .map(|x| x.stage)
        .collect();
    view! {
        <article class="application" data-id=a.id.clone()>
            <h2>{a.campaign_name.clone()}</h2>
            <p class="muted">{format!("{} · {} {} · {} · {}", a.full_name, t_string!(i18n, pl_iin), a.iin, region_name(&a.region, super::lang()), a.school)}</p>
            <ol class="stages">
                {(1..=5u8).map(|n| {
                    let o = a.stages.iter().find(|s| s.stage == n).cloned();
                    let st = o.as_ref().map(|o| o.status);
                    let appealable = o.as_ref().is_some_and(|o| o.appeal_until_ms.is_some_and(|u| u > now))
                        && !open_appeals.contains(&n);
                    view! {
                        <li class=format!("stage stage-{}", st.map_or("none", |s| s.as_str())) data-stage=n>
                            <span class="stage-no">{n}</span>
                            <span class="stage-name">{stage_name(i18n, n)}</span>
                            <span class="stage-status">{st.map(|s| status_name(i18n, s)).unwrap_or_default()}</span>
                            {o.as_ref().and_then(|o| o.score).map(|s| view! { <span class="score">{pct(s)}</span> })}
                            {appealable.then(|| view! {
                                <button type="button" class="small link appeal-open" on:click=move |_| appeal_stage.set(Some(n))>{t!(i18n, pl_appeal)}</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
            {(!a.appeals.is_empty()).then(|| view! {
                <h3>{t!(i18n, pl_appeals)}</h3>
                <ul class="appeals">
                    {a.appeals.iter().map(|x| view! {
                        <li class=format!("appeal appeal-{}", x.status)>{format!("{} {} — {} {}", t_string!(i18n, pl_stage), x.stage, x.status, x.decision)}</li>
                    }).collect_view()}
                </ul>
            })}
            {move || appeal_stage.get().map(|n| view! {
                <div class="appeal-form">
                    <label class="field"><span>{t!(i18n, pl_appeal_reason)} " " {stage_name(i18n, n)}</span>
                        <textarea id="appeal-text" rows="3" prop:value=appeal_text on:input=move |ev| appeal_text.set(event_target_value(&ev))></textarea></label>
                    <button type="button" class="primary" id="appeal-send" data-changes="" on:click=send_appeal>{t!(i18n, pl_appeal_send)}</button>
                </div>
            })}
            {a.report_due.then(|| view! {
                <div class="report-form">
                    <h3>{t!(i18n, pl_report)}</h3>
                    <p class="muted">{t!(i18n, pl_report_hint)}</p>
                    <textarea id="report-text" rows="10" prop:value=report on:input=move |ev| report.set(event_target_value(&ev))></textarea>
                    <button type="button" class="primary" id="report-send" data-changes="" on:click=send_report>{t!(i18n, pl_report_send)}</button>
                </div>
            })}
            {match (a.certificate.clone(), a.revocation.clone()) {
                (Some(n), None) => Some(view! {
                    <p class="ok-note" id="my-certificate">
                        {t!(i18n, pl_certificate)} " " <strong>{n.clone()}</strong> " · "
                        <a href=format!("/api/v1/certificates/{n}/pdf") download="">"PDF"</a> " · "
                        <a href=format!("/verify/{n}")>{t!(i18n, pl_verify)}</a>
                    </p>
                }.into_any()),
                (Some(n), Some(r)) => Some(view! { <RevocationNote number=n revocation=r /> }.into_any()),
                _ => None,
            }}
            {move || message.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        </article>
    }
}

// ---------------------------------------------------------------------------------------------
// Programme staff
// ---------------------------------------------------------------------------------------------

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let i18n = use_i18n();
    let (list, reload) = loader::<Vec<CampaignView>>(|| "/api/v1/campaigns".into());
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
            let url = format!("/api/v1/campaigns/{}", input.id);
            match rest::<CampaignView>("PUT", &url, json(&input)).await {
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
fn CsvUpload(
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
    let url = move || {
        let mut u = format!(
            "/api/v1/campaigns/{}/applications?page={}&per_page=50",
            cid.get_value(),
            page.get()
        );
        let enc = |s: String| {
            s.replace('%', "%25")
                .replace('&', "%26")
                .replace(' ', "%20")
                .replace('#', "%23")
                .replace('+', "%2B")
        };
        if !region.get().is_empty() {
            u.push_str(&format!("&region={}", enc(region.get())));
        }
        if !stage.get().is_empty() {
            u.push_str(&format!("&stage={}", stage.get()));
        }
        if !status.get().is_empty() && !stage.get().is_empty() {
            u.push_str(&format!("&status={}", status.get()));
        }
        if !q.get().trim().is_empty() {
            u.push_str(&format!("&q={}", enc(q.get())));
        }
        u
    };
    let (apps, reload) = loader::<ApplicationPage>(url);
    let (campaign, _) =
        loader::<CampaignView>(move || format!("/api/v1/campaigns/{}", cid.get_value()));
    let (appeals, _) =
        loader::<Vec<AppealView>>(move || format!("/api/v1/campaigns/{}/appeals", cid.get_value()));
    let (cuts, reload_cuts) =
        loader::<Vec<SelectionView>>(move || format!("/api/v1/campaigns/{}/cuts", cid.get_value()));
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
        let stage = sel_stage.get_untracked();
        leptos::task::spawn_local(async move {
            let url = format!(
                "/api/v1/campaigns/{}/stages/{stage}/select",
                cid.get_value()
            );
            let r = rest::<SelectionView>("POST", &url, json(&input)).await;
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
            let url = format!("/api/v1/campaigns/{}/panels/{panel}", cid.get_value());
            match rest::<Vec<PanelMember>>("PUT", &url, json(&input)).await {
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
                let url = format!("/api/v1/campaigns/{id}/panels/{panel}");
                if let Ok(m) = rest::<Vec<PanelMember>>("GET", &url, None).await {
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
            {move || match campaign.get() {
                Some(Ok(c)) => view! {
                    <h1>{c.name.clone()}</h1>
                    <p class="muted small" id="campaign-rules">{campaign_rules(i18n, &c.settings)}</p>
                }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
            }}
            <p><a href=move || format!("/reports?campaign={}", cid.get_value())>{t!(i18n, pl_reports)}</a> " · "
               <a href=move || format!("/reserve?campaign={}", cid.get_value())>{t!(i18n, pl_reserve)}</a></p>
            <h2>{t!(i18n, pl_candidates)}</h2>
            <div class="filters">
                <select id="f-region" aria-label=move || t_string!(i18n, pr_region) on:change=move |ev| { region.set(event_target_value(&ev)); page.set(0); }>
                    <option value="">{t!(i18n, pl_all_regions)}</option>
                    {REGIONS.iter().map(|r| view! { <option value=*r>{move || region_name(r, super::lang()).to_string()}</option> }).collect_view()}
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
                                        <td>{region_name(&r.region, super::lang()).to_string()}</td><td>{r.school.clone()}</td>
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
            {move || match cuts.get() {
                Some(Ok(list)) => list.into_iter().map(|s| view! { <CutTable s /> }).collect_view().into_any(),
                _ => ().into_any(),
            }}
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
        </section>
    }
}

#[component]
fn CutTable(s: SelectionView) -> impl IntoView {
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
                        <tr><td>{l.region.map(|r| region_name(&r, super::lang()).to_string()).unwrap_or_else(|| "—".into())}</td><td class="num">{l.candidates}</td><td class="num">{l.places}</td>
                            <td class="num">{l.passed}</td><td class="num">{l.cut_score.map(pct).unwrap_or_default()}</td><td class="num">{l.tied_over}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn CandidatePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = StoredValue::new(params.read_untracked().get("id").unwrap_or_default());
    let (app, reload) =
        loader::<ApplicationView>(move || format!("/api/v1/applications/{}", id.get_value()));
    let message = RwSignal::new(None::<String>);
    let record = move |stage: u8, input: StageInput| {
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/applications/{}/stages/{stage}", id.get_value());
            match rest::<ApplicationView>("POST", &url, json(&input)).await {
                Ok(_) => {
                    message.set(Some("✓".into()));
                    reload();
                }
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    let f = |s: &str| RwSignal::new(s.to_string());
    let (level, completed, t_from, t_to) = (f("1"), RwSignal::new(true), f(""), f(""));
    let (host, mentor, i_from, i_to, i_score, i_comment) =
        (f(""), f(""), f(""), f(""), f(""), f(""));
    // Nothing preselected: a decision is chosen, never defaulted.
    let (s_stage, s_status, s_reason, s_score) = (f("2"), f(""), f(""), f(""));
    // The decision asks first, naming the candidate, the stage and what is recorded, and says
    // when it goes against the campaign's mark for that stage.
    let deciding = RwSignal::new(false);
    let rules = RwSignal::new(None::<CampaignSettings>);
    Effect::new(move |_| {
        if let Some(Ok(a)) = app.get() {
            let url = format!("/api/v1/campaigns/{}", a.campaign_id);
            leptos::task::spawn_local(async move {
                if let Ok(c) = rest::<CampaignView>("GET", &url, None).await {
                    rules.set(Some(c.settings));
                }
            });
        }
    });
    let (ap_school, ap_position, ap_date) = (f(""), f("director"), f(""));
    let appoint = move |_| {
        let input = AppointmentInput {
            school: ap_school.get_untracked(),
            position: ap_position.get_untracked(),
            date: ap_date.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/applications/{}/appointment", id.get_value());
            match rest::<ApplicationView>("POST", &url, json(&input)).await {
                Ok(_) => reload(),
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    view! {
        {move || match app.get() {
            None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
            Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
            Some(Ok(a)) => view! {
                <section class="card wide" id="candidate">
                    <h1>{a.full_name.clone()}</h1>
                    <p class="muted">{format!("{} {} · {} · {}, {} · {} · {} · {}", t_string!(i18n, pl_iin), a.iin, region_name(&a.region, super::lang()), a.district, a.school, a.position, a.email, a.phone)}</p>
                    <p class="muted small">{format!("{}: {} / {}", t_string!(i18n, pl_experience), a.teaching_years, a.management_years)}</p>
                    <table class="table" id="stages">
                        <tbody>
                            {(1..=5u8).map(|n| {
                                let o = a.stages.iter().find(|s| s.stage == n).cloned();
                                view! {
                                    <tr data-stage=n>
                                        <td>{format!("{n}. {}", stage_name(i18n, n))}</td>
                                        <td>{status_badge(i18n, o.as_ref().map(|o| o.status))}</td>
                                        <td class="num">{o.as_ref().and_then(|o| o.score).map(pct).unwrap_or_default()}</td>
                                        <td class="small">{o.as_ref().map(|o| format!("{} · {}", o.recorded_by, fmt_utc(o.recorded_ms))).unwrap_or_default()}</td>
                                        <td class="small detail">{o.as_ref().map(|o| detail_text(i18n, &o.detail)).unwrap_or_default()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {match (a.certificate.clone(), a.revocation.clone()) {
                        (Some(n), None) => Some(view! {
                            <p class="ok-note">{t!(i18n, pl_certificate)} " " <strong>{n.clone()}</strong> " · "
                                <a href=format!("/api/v1/certificates/{n}/pdf") download="" id="cert-pdf">"PDF"</a> " · " <a href=format!("/verify/{n}")>{t!(i18n, pl_verify)}</a></p>
                            <Revoke number=n name=a.full_name.clone() on_done=Callback::new(move |_| reload()) />
                        }.into_any()),
                        (Some(n), Some(r)) => Some(view! { <RevocationNote number=n revocation=r /> }.into_any()),
                        _ => None,
                    }}
                    <h2>{t!(i18n, pl_log)}</h2>
                    <table class="table small" id="log">
                        <tbody>
                            {a.log.iter().map(|l| view! {
                                <tr><td>{fmt_utc(l.recorded_ms)}</td><td>{l.stage}</td><td>{status_name(i18n, l.status)}</td>
                                    <td class="num">{l.score.map(pct).unwrap_or_default()}</td><td>{l.reason.clone()}</td><td>{l.recorded_by.clone()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {(!a.appeals.is_empty()).then(|| view! {
                        <h2>{t!(i18n, pl_appeals)}</h2>
                        <ul>{a.appeals.iter().map(|x| view! { <li><a href=format!("/appeal/{}", x.id)>{format!("{} {} — {}", t_string!(i18n, pl_stage), x.stage, x.status)}</a></li> }).collect_view()}</ul>
                    })}
                    {(a.certificate.is_some() && a.revocation.is_none() && !a.appointed).then(|| view! {
                        <h2>{t!(i18n, pl_appointment)}</h2>
                        <div class="form-grid">
                            <label class="field"><span>{t!(i18n, pl_school)}</span>{text_input("ap-school", ap_school)}</label>
                            <label class="field"><span>{t!(i18n, pl_position)}</span>{text_input("ap-position", ap_position)}</label>
                            <label class="field"><span>{t!(i18n, pl_date)}</span><input type="date" id="ap-date" on:input=move |ev| ap_date.set(event_target_value(&ev)) /></label>
                        </div>
                        <button type="button" class="primary" id="ap-save" data-changes="" on:click=appoint>{t!(i18n, pl_save)}</button>
                    })}
                </section>
            }.into_any(),
        }}
        <section class="card wide" id="record">
            <h2>{t!(i18n, pl_record)}</h2>
            {move || message.get().map(|m| view! { <p class="notice" role="status" id="record-message">{m}</p> })}
            <h3>{stage_name(i18n, 2)}</h3>
            <div class="form-grid">
                <label class="field"><span>{t!(i18n, pl_level)}</span>
                    <select id="t-level" on:change=move |ev| level.set(event_target_value(&ev))><option>"1"</option><option>"2"</option><option>"3"</option></select></label>
                <label class="inline"><input type="checkbox" id="t-completed" prop:checked=completed on:change=move |ev| completed.set(event_target_checked(&ev)) />{t!(i18n, pl_completed)}</label>
                <label class="field"><span>{t!(i18n, pl_from)}</span><input type="date" id="t-from" on:input=move |ev| t_from.set(event_target_value(&ev)) /></label>
                <label class="field"><span>{t!(i18n, pl_to)}</span><input type="date" id="t-to" on:input=move |ev| t_to.set(event_target_value(&ev)) /></label>
            </div>
            <button type="button" id="t-save" data-changes="" on:click=move |_| record(2, StageInput::Training {
                level: level.get_untracked().parse().unwrap_or(0), completed: completed.get_untracked(), from: t_from.get_untracked(), to: t_to.get_untracked() })>{t!(i18n, pl_save)}</button>
            <h3>{stage_name(i18n, 3)}</h3>
            <div class="form-grid">
                <label class="field"><span>{t!(i18n, pl_host_school)}</span>{text_input("i-host", host)}</label>
                <label class="field"><span>{t!(i18n, pl_mentor)}</span>{text_input("i-mentor", mentor)}</label>
                <label class="field"><span>{t!(i18n, pl_from)}</span><input type="date" id="i-from" on:input=move |ev| i_from.set(event_target_value(&ev)) /></label>
                <label class="field"><span>{t!(i18n, pl_to)}</span><input type="date" id="i-to" on:input=move |ev| i_to.set(event_target_value(&ev)) /></label>
                <label class="field"><span>{t!(i18n, pl_score)}</span>{text_input("i-score", i_score)}</label>
                <label class="field"><span>{t!(i18n, pl_comment)}</span>{text_input("i-comment", i_comment)}</label>
            </div>
            <button type="button" id="i-save" data-changes="" on:click=move |_| record(3, StageInput::Internship {
                host_school: host.get_untracked(), mentor: mentor.get_untracked(), from: i_from.get_untracked(), to: i_to.get_untracked(),
                score: i_score.get_untracked().trim().replace(',', ".").parse().unwrap_or(-1.0), comment: i_comment.get_untracked() })>{t!(i18n, pl_save)}</button>
            <h3>{t!(i18n, pl_decision)}</h3>
            <div class="form-grid">
                <label class="field"><span>{t!(i18n, pl_stage)}</span>
                    <select id="s-stage" on:change=move |ev| s_stage.set(event_target_value(&ev))>
                        {(1..=5u8).map(|n| view! { <option value=n.to_string() selected=n == 2>{format!("{n}. {}", stage_name(i18n, n))}</option> }).collect_view()}
                    </select></label>
                <label class="field"><span>{t!(i18n, pl_status)}</span>
                    <select id="s-status" on:change=move |ev| s_status.set(event_target_value(&ev))>
                        <option value="" selected=true>{t!(i18n, pl_choose)}</option>
                        {[StageStatus::Passed, StageStatus::Failed, StageStatus::Withdrawn].into_iter()
                            .map(|s| view! { <option value=s.as_str()>{status_name(i18n, s)}</option> }).collect_view()}
                    </select></label>
                <label class="field"><span>{t!(i18n, pl_score)}</span>{text_input("s-score", s_score)}</label>
                <label class="field"><span>{t!(i18n, pl_reason)}</span>{text_input("s-reason", s_reason)}</label>
            </div>
            <button type="button" id="s-save"
                disabled=move || StageStatus::parse(&s_status.get()).is_none() || s_reason.get().trim().is_empty()
                on:click=move |_| deciding.set(true)>{t!(i18n, pl_save)}</button>
            {move || deciding.get().then(|| {
                let stage: u8 = s_stage.get_untracked().parse().unwrap_or(0);
                let status = StageStatus::parse(&s_status.get_untracked());
                let score: Option<f64> = s_score.get_untracked().trim().replace(',', ".").parse().ok();
                let name = app.with_untracked(|a| match a { Some(Ok(a)) => a.full_name.clone(), _ => String::new() });
                // Against the mark: a pass below it, a fail at or above it.
                // The stage's rule as the server applies it: its own, else the default mark for
                // stages 3 and 4 (stage 1 falls back to the blueprint's pass mark, 2 and 5
                // have no mark).
                let mark = rules.with_untracked(|r| {
                    let own = r.as_ref().and_then(|r| r.rule(stage)).cloned();
                    let rule = match stage {
                        3 | 4 => Some(own.unwrap_or_default()),
                        _ => own,
                    };
                    rule.and_then(|r| match r.cut {
                        question_bank::selection::Cut::Mark { pass_mark } => Some(pass_mark),
                        _ => None,
                    })
                });
                let against = match (mark, score, status) {
                    (Some(m), Some(s), Some(StageStatus::Passed)) => s + 1e-9 < m,
                    (Some(m), Some(s), Some(StageStatus::Failed)) => s + 1e-9 >= m,
                    _ => false,
                };
                let what = format!(
                    "{name}: {stage}. {} — {}{}",
                    stage_name(i18n, stage),
                    status.map(|s| status_name(i18n, s)).unwrap_or_default(),
                    score.map(|s| format!(" ({})", pct(s))).unwrap_or_default()
                );
                let reason = s_reason.get_untracked();
                view! {
                    <div class="overlay">
                        <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="decide-title" id="decide-dialog">
                            <h2 id="decide-title">{t!(i18n, pl_decide_confirm)}</h2>
                            <p id="decide-what"><strong>{what}</strong></p>
                            <p>{t!(i18n, pl_reason)} ": " {reason}</p>
                            {against.then(|| {
                                let (m, s) = (pct(mark.unwrap_or_default()), pct(score.unwrap_or_default()));
                                view! { <p class="alert" role="alert" id="decide-against">{t!(i18n, pl_decide_against, mark = move || m.clone(), score = move || s.clone())}</p> }
                            })}
                            <p class="muted small">{t!(i18n, pl_decide_logged)}</p>
                            <div class="q-actions">
                                <button type="button" id="decide-cancel" data-cancel="" on:click=move |_| deciding.set(false)>{t!(i18n, cancel)}</button>
                                <button type="button" class="primary" id="decide-confirm" data-changes=""
                                    on:click=move |_| {
                                        deciding.set(false);
                                        if let Some(status) = status {
                                            record(stage, StageInput::Status { status, score, reason: s_reason.get_untracked() });
                                        }
                                    }>{t!(i18n, pl_decide_record)}</button>
                            </div>
                        </div>
                    </div>
                }
            })}
        </section>
    }
}

#[component]
pub fn AppealPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = StoredValue::new(params.read_untracked().get("id").unwrap_or_default());
    let (ev, reload) =
        loader::<AppealEvidence>(move || format!("/api/v1/appeals/{}", id.get_value()));
    let upheld = RwSignal::new(false);
    let status = RwSignal::new("passed".to_string());
    let score = RwSignal::new(String::new());
    let decision = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let decide = move |_| {
        let input = AppealDecision {
            upheld: upheld.get_untracked(),
            decision: decision.get_untracked(),
            status: upheld
                .get_untracked()
                .then(|| StageStatus::parse(&status.get_untracked()))
                .flatten(),
            score: score.get_untracked().trim().replace(',', ".").parse().ok(),
        };
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/appeals/{}/decision", id.get_value());
            match rest::<AppealView>("POST", &url, json(&input)).await {
                Ok(_) => reload(),
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    view! {
        {move || match ev.get() {
            None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
            Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
            Some(Ok(e)) => view! {
                <section class="card wide" id="appeal">
                    <h1>{format!("{} — {}", e.appeal.full_name, stage_name(i18n, e.appeal.stage))}</h1>
                    <p><strong>{e.appeal.status.clone()}</strong> " · " {fmt_utc(e.appeal.filed_ms)}</p>
                    <blockquote>{e.appeal.reason.clone()}</blockquote>
                    {(!e.appeal.decision.is_empty()).then(|| view! { <p class="ok-note">{format!("{} ({})", e.appeal.decision, e.appeal.decided_by.clone().unwrap_or_default())}</p> })}
                    <p><a href=format!("/candidate/{}", e.application.id)>{t!(i18n, pl_candidate_file)}</a></p>
                    <h2>{t!(i18n, pl_log)}</h2>
                    <table class="table small"><tbody>
                        {e.log.iter().map(|l| view! { <tr><td>{fmt_utc(l.recorded_ms)}</td><td>{status_name(i18n, l.status)}</td><td class="num">{l.score.map(pct).unwrap_or_default()}</td><td>{l.reason.clone()}</td><td>{l.recorded_by.clone()}</td></tr> }).collect_view()}
                    </tbody></table>
                    {e.score.clone().map(|s| view! { <h2>{t!(i18n, pl_score)}</h2><pre class="small">{serde_json::to_string_pretty(&s).unwrap_or_default()}</pre> })}
                    {(!e.answers.is_empty()).then(|| view! {
                        <h2>{t!(i18n, pl_answers)}</h2>
                        <table class="table small" id="evidence-answers"><tbody>
                            {e.answers.iter().map(|x| view! { <tr><td>{format!("{} v{}", x.item_id, x.version)}</td><td>{x.competency.clone()}</td><td>{x.answer.to_string()}</td><td class="num">{x.credit.map(|c| crate::model::format_number(c, 2, super::lang())).unwrap_or_default()}</td></tr> }).collect_view()}
                        </tbody></table>
                    })}
                    {(!e.events.is_empty()).then(|| view! {
                        <h2>{t!(i18n, pl_events)}</h2>
                        <table class="table small" id="evidence-events"><tbody>
                            {e.events.iter().map(|x| view! { <tr><td>{fmt_utc(x.at_ms)}</td><td>{x.category.clone()}</td><td>{x.kind.clone()}</td><td>{x.actor.clone()}</td><td>{x.detail.to_string()}</td></tr> }).collect_view()}
                        </tbody></table>
                    })}
                    {(!e.marks.is_empty()).then(|| view! {
                        <h2>{t!(i18n, pl_marks)}</h2>
                        <table class="table small"><tbody>
                            {e.marks.iter().map(|m| view! { <tr><td>{m.marker.clone()}</td><td class="num">{m.points.map(pct).unwrap_or_default()}</td><td>{format!("{:?}", m.levels)}</td><td>{m.comment.clone()}</td></tr> }).collect_view()}
                        </tbody></table>
                    })}
                    {(!e.interviews.is_empty()).then(|| view! {
                        <h2>{stage_name(i18n, 5)}</h2>
                        <table class="table small"><tbody>
                            {e.interviews.iter().map(|m| view! { <tr><td>{m.member.clone()}</td><td class="num">{pct(m.score)}</td><td>{m.vote.clone()}</td><td>{m.comment.clone()}</td></tr> }).collect_view()}
                        </tbody></table>
                    })}
                    {(e.appeal.status == "open").then(|| view! {
                        <h2>{t!(i18n, pl_decision)}</h2>
                        <label class="inline"><input type="checkbox" id="ap-upheld" prop:checked=upheld on:change=move |ev| upheld.set(event_target_checked(&ev)) />{t!(i18n, pl_upheld)}</label>
                        <div class="form-grid">
                            <label class="field"><span>{t!(i18n, pl_status)}</span>
                                <select id="ap-status" on:change=move |ev| status.set(event_target_value(&ev))>
                                    <option value="passed">{status_name(i18n, StageStatus::Passed)}</option>
                                    <option value="failed">{status_name(i18n, StageStatus::Failed)}</option>
                                </select></label>
                            <label class="field"><span>{t!(i18n, pl_score)}</span>{text_input("ap-score", score)}</label>
                        </div>
                        <label class="field"><span>{t!(i18n, pl_reason)}</span>
                            <textarea id="ap-decision" rows="3" prop:value=decision on:input=move |ev| decision.set(event_target_value(&ev))></textarea></label>
                        <button type="button" class="primary" id="ap-decide" data-changes="" on:click=decide>{t!(i18n, pl_save)}</button>
                    })}
                    {move || message.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                </section>
            }.into_any(),
        }}
    }
}

#[component]
pub fn ReservePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let campaign = query.read_untracked().get("campaign").unwrap_or_default();
    let campaign = StoredValue::new(campaign);
    let region = RwSignal::new(String::new());
    let available = RwSignal::new(false);
    let (list, _) = loader::<Vec<ReserveEntry>>(move || {
        format!(
            "/api/v1/reserve?campaign={}&region={}&available={}",
            campaign.get_value(),
            region.get().replace(' ', "%20"),
            available.get()
        )
    });
    view! {
        <section class="card wide">
            <h1>{t!(i18n, pl_reserve)}</h1>
            <div class="filters">
                <select id="r-region" aria-label=move || t_string!(i18n, pr_region) on:change=move |ev| region.set(event_target_value(&ev))>
                    <option value="">{t!(i18n, pl_all_regions)}</option>
                    {REGIONS.iter().map(|r| view! { <option value=*r>{move || region_name(r, super::lang()).to_string()}</option> }).collect_view()}
                </select>
                <label class="inline"><input type="checkbox" id="r-available" on:change=move |ev| available.set(event_target_checked(&ev)) />{t!(i18n, pl_available)}</label>
            </div>
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
                                    <td>{region_name(&r.region, super::lang()).to_string()}</td><td>{r.school.clone()}</td>
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
        </section>
    }
}

fn step_name(i18n: I18n, step: &str) -> String {
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
fn FunnelChart(row: FunnelRowView, steps: Vec<String>) -> impl IntoView {
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
fn GroupChart(rows: Vec<FunnelRowView>) -> impl IntoView {
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
    let (campaigns, _) = loader::<Vec<CampaignView>>(|| "/api/v1/campaigns".into());
    let (report, _) = loader::<FunnelReport>(move || {
        format!(
            "/api/v1/reports/funnel?campaign={}&by={}",
            campaign.get(),
            by.get()
        )
    });
    view! {
        <section class="card wide">
            <h1>{t!(i18n, pl_funnel)}</h1>
            <div class="filters">
                <select id="rep-campaign" aria-label=move || t_string!(i18n, pl_campaigns) on:change=move |ev| campaign.set(event_target_value(&ev))>
                    <option value="">{t!(i18n, pl_all_campaigns)}</option>
                    {move || match campaigns.get() {
                        Some(Ok(list)) => list.into_iter().map(|c| {
                            let selected = c.id == campaign.get_untracked();
                            view! { <option value=c.id.clone() selected=selected>{c.name.clone()}</option> }
                        }).collect_view().into_any(),
                        _ => ().into_any(),
                    }}
                </select>
                <select id="rep-by" aria-label=move || t_string!(i18n, pl_group_by) on:change=move |ev| by.set(event_target_value(&ev))>
                    <option value="region">{t!(i18n, pl_by_region)}</option>
                    <option value="year">{t!(i18n, pl_by_year)}</option>
                </select>
                <a class="button" id="rep-csv" download="" href=move || format!("/api/v1/reports/funnel.csv?campaign={}&by={}", campaign.get(), by.get())>"CSV"</a>
            </div>
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
                                        <td>{if row.group == "all" { t_string!(i18n, pl_total).to_string() } else { region_name(&row.group, super::lang()).to_string() }}</td>
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
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// Experts and the commission
// ---------------------------------------------------------------------------------------------

#[component]
pub fn MarkingPage() -> impl IntoView {
    let i18n = use_i18n();
    let (tasks, reload) = loader::<Vec<MarkingTask>>(|| "/api/v1/marking".into());
    view! {
        <section class="card wide">
            <h1>{t!(i18n, pl_marking)}</h1>
            <p class="muted">{t!(i18n, pl_marking_hint)}</p>
            {move || match tasks.get() {
                None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"—"</p> }.into_any(),
                Some(Ok(list)) => list.into_iter().map(|t| view! { <MarkTask t reload /> }).collect_view().into_any(),
            }}
        </section>
    }
}

#[component]
fn MarkTask(t: MarkingTask, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let levels = RwSignal::new(vec![None::<usize>; t.rubric.criteria.len()]);
    let comment = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let code = StoredValue::new(t.code.clone());
    let send = move |_| {
        let chosen: Option<Vec<usize>> = levels.get_untracked().into_iter().collect();
        let Some(chosen) = chosen else {
            message.set(Some(t_string!(i18n, pl_mark_all).to_string()));
            return;
        };
        let body = json(&MarkInput {
            levels: chosen,
            comment: comment.get_untracked(),
        });
        leptos::task::spawn_local(async move {
            match rest::<MarkAck>(
                "POST",
                &format!("/api/v1/marking/{}", code.get_value()),
                body,
            )
            .await
            {
                Ok(_) => reload(),
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    view! {
        <article class="mark-task" data-code=t.code.clone()>
            <h2>{format!("{} · {} {}", t.code, t_string!(i18n, pl_round), t.round)}</h2>
            <div class="report-body">{t.body.clone()}</div>
            {if t.marked {
                view! { <p class="ok-note">{format!("✓ {}", t.points.map(pct).unwrap_or_default())}</p> }.into_any()
            } else {
                view! {
                    <table class="table rubric">
                        <tbody>
                            {t.rubric.criteria.iter().enumerate().map(|(ci, c)| view! {
                                <tr>
                                    <th>{c.name.clone()}</th>
                                    {c.levels.iter().enumerate().map(|(li, l)| {
                                        let name = format!("{}-{}", t.code, c.id);
                                        view! {
                                            <td><label class="inline"><input type="radio" name=name
                                                on:change=move |_| levels.update(|v| v[ci] = Some(li)) />
                                                {format!("{} ({})", l.label, pct(l.points))}</label></td>
                                        }
                                    }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <label class="field"><span>{t!(i18n, pl_comment)}</span>
                        <textarea rows="2" prop:value=comment on:input=move |ev| comment.set(event_target_value(&ev))></textarea></label>
                    <button type="button" class="primary mark-send" data-changes="" on:click=send>{t!(i18n, pl_save)}</button>
                }.into_any()
            }}
            {move || message.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        </article>
    }
}

#[component]
pub fn InterviewsPage() -> impl IntoView {
    let i18n = use_i18n();
    let (list, reload) = loader::<Vec<InterviewCandidate>>(|| "/api/v1/interviews".into());
    view! {
        <section class="card wide">
            <h1>{t!(i18n, pl_interviews)}</h1>
            {move || match list.get() {
                None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! { <p class="muted">"—"</p> }.into_any(),
                Some(Ok(rows)) => rows.into_iter().map(|c| view! { <InterviewRow c reload /> }).collect_view().into_any(),
            }}
        </section>
    }
}

#[component]
fn InterviewRow(
    c: InterviewCandidate,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(c.application_id.clone());
    let score = RwSignal::new(c.my_score.map(pct).unwrap_or_default());
    let vote = RwSignal::new(c.my_vote.clone().unwrap_or_else(|| "for".into()));
    let comment = RwSignal::new(String::new());
    let minutes = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let post = move |path: &'static str, body: Option<String>| {
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/interviews/{}/{path}", id.get_value());
            match rest::<serde_json::Value>("POST", &url, body).await {
                Ok(_) => reload(),
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    let decided = c.decision.is_some();
    view! {
        <article class="interview" data-id=c.application_id.clone()>
            <h2>{c.full_name.clone()}</h2>
            <p class="muted">{format!("{} · {} · {}: {}", c.region, c.school, stage_name(i18n, 4), c.assessment_percent.map(pct).unwrap_or_default())}</p>
            <p>{format!("{}: {} · {} {} / {} {}", t_string!(i18n, pl_scores), c.scores, t_string!(i18n, pl_for), c.votes_for, t_string!(i18n, pl_against), c.votes_against)}</p>
            {c.decision.map(|d| view! { <p class="ok-note">{status_name(i18n, d)}</p> })}
            {(!decided).then(|| view! {
                <div class="form-grid">
                    <label class="field"><span>{t!(i18n, pl_score)}</span>{text_input("iv-score", score)}</label>
                    <label class="field"><span>{t!(i18n, pl_vote)}</span>
                        <select class="iv-vote" on:change=move |ev| vote.set(event_target_value(&ev))>
                            <option value="for" selected=vote.get_untracked() == "for">{t!(i18n, pl_for)}</option>
                            <option value="against" selected=vote.get_untracked() == "against">{t!(i18n, pl_against)}</option>
                        </select></label>
                    <label class="field"><span>{t!(i18n, pl_comment)}</span>{text_input("iv-comment", comment)}</label>
                </div>
                <button type="button" class="iv-save" data-changes="" on:click=move |_| post("score", json(&InterviewInput {
                    score: score.get_untracked().trim().replace(',', ".").parse().unwrap_or(-1.0), vote: vote.get_untracked(), comment: comment.get_untracked() }))>{t!(i18n, pl_save)}</button>
            })}
            {(c.chair && !decided).then(|| view! {
                <h3>{t!(i18n, pl_decision)}</h3>
                <label class="field"><span>{t!(i18n, pl_minutes)}</span>
                    <textarea rows="3" prop:value=minutes on:input=move |ev| minutes.set(event_target_value(&ev))></textarea></label>
                <button type="button" class="primary iv-pass" data-changes="" on:click=move |_| post("decision", json(&DecisionInput { passed: true, minutes: minutes.get_untracked() }))>{t!(i18n, pl_recommend)}</button>
                <button type="button" class="iv-fail" data-changes="" on:click=move |_| post("decision", json(&DecisionInput { passed: false, minutes: minutes.get_untracked() }))>{t!(i18n, pl_not_recommend)}</button>
            })}
            {move || message.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        </article>
    }
}

/// A revoked certificate as its holder and staff see it: when, why (in the reader's language),
/// the note and who decided.
#[component]
fn RevocationNote(number: String, revocation: RevocationView) -> impl IntoView {
    let i18n = use_i18n();
    let date = super::fmt_date(revocation.at_ms);
    let reason = revocation.reason.clone();
    view! {
        <div class="notice" role="status" id="revocation" data-reason=revocation.reason.clone()>
            <p><strong>{t!(i18n, pl_certificate)} " " {number}</strong> " · "
                {t!(i18n, rv_revoked_title, date = move || date.clone())}</p>
            <p id="revocation-reason">{move || super::revocation_reason(i18n, &reason)}</p>
            {(!revocation.note.is_empty()).then(|| view! { <p id="revocation-note">{revocation.note.clone()}</p> })}
            <p class="muted small">{t!(i18n, rv_by)} ": " {revocation.by.clone()}</p>
        </div>
    }
}

/// Revoking a certificate (administrators): a reason from the list and a note, then a dialog
/// that names the holder and the number and says what changes, before anything is sent.
#[component]
fn Revoke(number: String, name: String, on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let reason = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let asking = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let number = StoredValue::new(number);
    let name = StoredValue::new(name);
    let ready = move || {
        let r = reason.get();
        !r.is_empty() && (r != "other" || !note.get().trim().is_empty())
    };
    let revoke = move |_| {
        asking.set(false);
        let input = RevocationInput {
            reason: reason.get_untracked(),
            note: note.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/certificates/{}/revoke", number.get_value());
            match rest::<ApplicationView>("POST", &url, json(&input)).await {
                Ok(_) => on_done.run(()),
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    view! {
        <details class="revoke" id="revoke-section">
            <summary>{t!(i18n, rv_section)}</summary>
            <div class="form-grid">
                <label class="field" for="rv-reason"><span>{t!(i18n, rv_reason)}</span>
                    <select id="rv-reason" on:change=move |ev| reason.set(event_target_value(&ev))>
                        <option value="" selected=true>{t!(i18n, rv_choose)}</option>
                        {REVOCATION_REASONS.iter().map(|r| view! {
                            <option value=*r>{move || super::revocation_reason(i18n, r)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field" for="rv-note"><span>{t!(i18n, rv_note)}</span>
                    <textarea id="rv-note" rows="2" maxlength="1000" prop:value=note on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </label>
            </div>
            <button type="button" class="danger" id="revoke" disabled=move || !ready()
                on:click=move |_| asking.set(true)>{t!(i18n, rv_open)}</button>
            {move || message.get().map(|m| view! { <p class="error" role="alert" id="revoke-error">{m}</p> })}
        </details>
        {move || asking.get().then(|| view! {
            <div class="overlay">
                <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="revoke-title" id="revoke-dialog">
                    <h2 id="revoke-title">{t!(i18n, rv_title, number = move || number.get_value())}</h2>
                    <p>{t!(i18n, rv_effect, name = move || name.get_value())}</p>
                    <p><strong>{move || super::revocation_reason(i18n, &reason.get())}</strong>
                        {move || { let n = note.get(); (!n.trim().is_empty()).then(|| format!(" — {}", n.trim())) }}</p>
                    <div class="q-actions">
                        <button type="button" id="revoke-cancel" data-cancel="" on:click=move |_| asking.set(false)>{t!(i18n, cancel)}</button>
                        <button type="button" class="danger" id="revoke-confirm" data-changes="" on:click=revoke>{t!(i18n, rv_confirm)}</button>
                    </div>
                </div>
            </div>
        })}
    }
}
