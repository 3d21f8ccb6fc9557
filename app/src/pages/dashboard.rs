use super::{ErrorNote, pct};
use crate::api::{load_dashboard, start_attempt};
use crate::i18n::*;
use crate::model::*;
use leptos::prelude::*;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| load_dashboard());
    view! {
        <Suspense fallback=move || view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <DashboardView d /> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

pub(crate) fn role_name(i18n: leptos_i18n::I18nContext<Locale>, role: Role) -> String {
    match role {
        Role::Applicant => t_string!(i18n, role_applicant).to_string(),
        Role::Proctor => t_string!(i18n, role_proctor).to_string(),
        Role::Methodologist => t_string!(i18n, role_methodologist).to_string(),
        Role::Admin => t_string!(i18n, role_admin).to_string(),
        Role::Expert => t_string!(i18n, role_expert).to_string(),
        Role::Commission => t_string!(i18n, role_commission).to_string(),
    }
}

#[component]
fn DashboardView(d: Dashboard) -> impl IntoView {
    let i18n = use_i18n();
    let name = d.user.full_name.clone();
    let role = d.user.role;
    view! {
        <section class="welcome">
            <h1>{t!(i18n, dash_welcome, name = move || name.clone())}</h1>
            <p class="muted">{move || role_name(i18n, role)}</p>
        </section>
        {d.test.map(|card| view! { <TestCardView card /> })}
        {(role == Role::Applicant).then(|| view! { <PracticeCard /> })}
        {(!d.stages.is_empty()).then(|| view! { <Stages stages=d.stages.clone() /> })}
        {matches!(role, Role::Methodologist | Role::Admin).then(|| view! {
            <section class="card">
                <h2>{t!(i18n, dash_bank)}</h2>
                <p class="muted">{t!(i18n, dash_bank_hint)}</p>
                <a class="button primary" href="/bank" id="open-bank">{t!(i18n, dash_bank)}</a>
            </section>
            <section class="card">
                <h2>{t!(i18n, dash_blueprints)}</h2>
                <p class="muted">{t!(i18n, dash_blueprints_hint)}</p>
                <a class="button primary" href="/blueprints" id="open-blueprints">{t!(i18n, dash_blueprints)}</a>
            </section>
        })}
        {matches!(role, Role::Proctor | Role::Admin).then(|| view! {
            <section class="card">
                <h2>{t!(i18n, pr_sittings)}</h2>
                <p class="muted">{t!(i18n, pr_hint)}</p>
                <a class="button primary" href="/proctor" id="open-proctor">{t!(i18n, pr_sittings)}</a>
            </section>
        })}
        {(role == Role::Applicant).then(|| view! {
            <section class="card">
                <h2>{t!(i18n, pl_my_applications)}</h2>
                <p class="muted">{t!(i18n, pl_apply_hint)}</p>
                <a class="button primary" href="/apply" id="open-apply">{t!(i18n, pl_my_applications)}</a>
            </section>
        })}
        {(role == Role::Admin).then(|| view! {
            <section class="card">
                <h2>{t!(i18n, pl_campaigns)}</h2>
                <p class="muted">{t!(i18n, pl_campaigns_hint)}</p>
                <a class="button primary" href="/pipeline" id="open-pipeline">{t!(i18n, pl_campaigns)}</a>
                " " <a class="button" href="/reports" id="open-reports">{t!(i18n, pl_reports)}</a>
                " " <a class="button" href="/reserve" id="open-reserve">{t!(i18n, pl_reserve)}</a>
            </section>
        })}
        {(role == Role::Expert).then(|| view! {
            <section class="card">
                <h2>{t!(i18n, pl_marking)}</h2>
                <p class="muted">{t!(i18n, pl_marking_hint)}</p>
                <a class="button primary" href="/marking" id="open-marking">{t!(i18n, pl_marking)}</a>
            </section>
        })}
        {(role != Role::Applicant).then(|| view! {
            <section class="card">
                <h2>{t!(i18n, ss_title)}</h2>
                <p class="muted">{t!(i18n, ss_hint)}</p>
                <a class="button" href="/standards" id="open-standards">{t!(i18n, ss_title)}</a>
            </section>
        })}
        {(role == Role::Commission).then(|| view! {
            <section class="card">
                <h2>{t!(i18n, pl_interviews)}</h2>
                <a class="button primary" href="/interviews" id="open-interviews">{t!(i18n, pl_interviews)}</a>
            </section>
        })}
        {d.overview.map(|o| view! { <OverviewView o /> })}
    }
}

/// The practice test and the system check: rehearsing the real page at any time.
#[component]
fn PracticeCard() -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let start = move |_| {
        busy.set(true);
        let language = i18n.get_locale_untracked().as_str().to_string();
        leptos::task::spawn_local(async move {
            match crate::api::start_practice(Some(language)).await {
                Ok(a) => super::go(&format!("/test/{}", a.id)),
                Err(e) => {
                    error.set(Some(e.message));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <section class="card" id="practice-card">
            <h2>{t!(i18n, dash_practice)}</h2>
            <p class="muted">{t!(i18n, dash_practice_hint)}</p>
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            <button type="button" id="start-practice" data-changes="" on:click=start disabled=move || busy.get()>
                {t!(i18n, dash_practice_start)}
            </button>
            " "
            <a class="button" href="/check" rel="external" id="open-check">{t!(i18n, dash_check)}</a>
        </section>
    }
}

/// The picture at the start of a remote sitting: the person allows the camera, sees
/// themselves, and takes the picture the proctor compares with the application photo.
#[component]
fn StartPicture(done: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    let stream = StoredValue::new_local(None::<web_sys::MediaStream>);
    let allow = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            // Reached by a link inside the app from a page without the camera: load this page
            // itself, whose address allows it.
            if !crate::camera::allowed_here() {
                super::go("/dashboard");
                return;
            }
            open.set(true);
            match crate::camera::open("start-video").await {
                Ok(s) => {
                    error.set(None);
                    stream.set_value(Some(s));
                }
                Err(e) => {
                    open.set(false);
                    error.set(Some(e.message));
                }
            }
        });
    };
    let take = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let Some(bytes) = crate::camera::capture("start-video") else {
                error.set(Some(t_string!(i18n, dash_picture_failed).to_string()));
                return;
            };
            match crate::camera::upload("/api/v1/me/photo?kind=start", &bytes).await {
                Ok(_) => {
                    stream.with_value(|s| {
                        if let Some(s) = s {
                            crate::camera::stop(s);
                        }
                    });
                    open.set(false);
                    done.set(true);
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <div class="start-picture" id="start-picture">
            <p>{t!(i18n, dash_picture_hint)}</p>
            {move || (!done.get()).then(|| view! {
                <video id="start-video" width="320" height="240" autoplay=true playsinline=true
                    class:hidden=move || !open.get() aria-label=move || t_string!(i18n, dash_picture_preview)></video>
                <p>
                    <button type="button" id="camera-allow" on:click=allow disabled=move || open.get()>{t!(i18n, dash_picture_allow)}</button>
                    " "
                    <button type="button" class="primary" id="camera-take" data-changes="" on:click=take disabled=move || !open.get()>{t!(i18n, dash_picture_take)}</button>
                </p>
            })}
            {move || done.get().then(|| view! { <p class="notice" role="status" id="picture-taken">{t!(i18n, dash_picture_taken)}</p> })}
            {move || error.get().map(|e| view! {
                <p class="alert" role="alert" id="camera-error">{t!(i18n, check_camera_refused)}" ("{e}")"</p>
            })}
        </div>
    }
}

#[component]
fn TestCardView(card: TestCard) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let offered: Vec<String> = card
        .languages
        .iter()
        .map(|l| l.code().to_string())
        .collect();
    let ui = i18n.get_locale_untracked().as_str().to_string();
    let first = if offered.contains(&ui) || offered.is_empty() {
        ui
    } else {
        offered[0].clone()
    };
    let language = RwSignal::new(first);
    let waiting = RwSignal::new(card.sitting.as_ref().is_some_and(|s| s.waiting));
    // A remote sitting takes the applicant's picture before the start.
    let picture_needed = card.attempt.is_none()
        && card
            .sitting
            .as_ref()
            .is_some_and(|s| s.camera && !s.start_photo && s.refused.is_none());
    let pictured = RwSignal::new(!picture_needed);
    let admission = card
        .sitting
        .as_ref()
        .is_some_and(|s| s.requires_admission && !s.admitted);
    let start = move |_| {
        busy.set(true);
        let language = language.get_untracked();
        leptos::task::spawn_local(async move {
            // Waiting for admission: the first try checks the applicant in (the proctor sees
            // them waiting); then the page reads its own state every few seconds, which is not
            // a refusal, and starts once admitted.
            loop {
                match start_attempt(language.clone()).await {
                    Ok(id) => return super::go(&format!("/test/{id}")),
                    Err(e) if admission && e.code == crate::error::ErrorCode::Conflict => {
                        waiting.set(true);
                        loop {
                            super::super::pages::sleep(3_000).await;
                            let admitted = crate::api::load_dashboard().await.is_ok_and(|d| {
                                d.test
                                    .and_then(|t| t.sitting)
                                    .is_some_and(|s| s.admitted || s.refused.is_some())
                            });
                            if admitted {
                                break;
                            }
                        }
                    }
                    Err(e) => {
                        error.set(Some(e.message));
                        busy.set(false);
                        return;
                    }
                }
            }
        });
    };
    let (items, minutes, pass) = (
        card.item_count,
        card.time_limit_minutes,
        pct(card.pass_percent),
    );
    let native = |code: &str| match code {
        "kk" => "Қазақша",
        "ru" => "Русский",
        _ => "English",
    };
    let picker = (card.attempt.is_none() && offered.len() > 1).then(|| {
        let options = offered
            .iter()
            .map(|code| {
                let c = code.clone();
                view! { <option value=code.clone() selected=move || language.get() == c>{native(code)}</option> }
            })
            .collect_view();
        view! {
            <label class="field inline">
                <span>{t!(i18n, dash_test_language)}</span>
                <select id="test-language" on:change=move |ev| language.set(event_target_value(&ev))>{options}</select>
            </label>
        }
    });
    let action = match &card.attempt {
        None => view! {
            <button type="button" class="primary big" id="start-test" data-changes="" on:click=start disabled=move || busy.get() || !pictured.get()>
                {t!(i18n, test_start)}
            </button>
        }
        .into_any(),
        Some(a) if a.status.is_open() => view! {
            <a class="button primary big" id="continue-test" href=format!("/test/{}", a.id)>{t!(i18n, test_continue)}</a>
        }
        .into_any(),
        Some(a) => view! {
            <a class="button big" id="view-result" href=format!("/result/{}", a.id)>{t!(i18n, test_view_result)}</a>
        }
        .into_any(),
    };
    view! {
        <section class="card test-card">
            <h2>{t!(i18n, test_card_title)}</h2>
            <p class="facts">
                {t!(i18n, test_card_facts, items = move || items, minutes = move || minutes, pass = move || pass.clone())}
            </p>
            <p class="muted">{t!(i18n, test_rules)}</p>
            <p class="muted" id="time-rules">{t!(i18n, test_rules_time)}</p>
            {(card.seated_only && card.sitting.is_none() && card.attempt.is_none()).then(|| view! {
                <p class="notice" role="status" id="no-seat">{t!(i18n, test_no_seat)}</p>
            })}
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            {card.sitting.clone().map(|s| view! {
                <p class="muted" id="sitting-info">{t!(i18n, pr_your_sitting)}" "{s.name.clone()}": "
                    {format!("{} – {}", super::fmt_utc(s.opens_ms), super::fmt_utc(s.closes_ms))}</p>
            })}
            {card.sitting.as_ref().and_then(|s| s.refused.clone()).map(|r| view! {
                <p class="alert" role="alert" id="identity-refused">{t!(i18n, dash_refused)}" "{r}</p>
            })}
            {picture_needed.then(|| view! { <StartPicture done=pictured /> })}
            {move || waiting.get().then(|| view! { <p class="notice" role="status" id="waiting-admission">{t!(i18n, pr_waiting_applicant)}</p> })}
            {picker}
            {action}
        </section>
    }
}

#[component]
fn Stages(stages: Vec<StageView>) -> impl IntoView {
    let i18n = use_i18n();
    let stage_name = move |n: u8| match n {
        1 => t_string!(i18n, stage_1),
        2 => t_string!(i18n, stage_2),
        3 => t_string!(i18n, stage_3),
        4 => t_string!(i18n, stage_4),
        _ => t_string!(i18n, stage_5),
    };
    let status_name = move |s: StageStatus| match s {
        StageStatus::Pending => t_string!(i18n, status_pending),
        StageStatus::Passed => t_string!(i18n, status_passed),
        StageStatus::Failed => t_string!(i18n, status_failed),
        StageStatus::Withdrawn => t_string!(i18n, status_withdrawn),
    };
    view! {
        <section class="card">
            <h2>{t!(i18n, stages_title)}</h2>
            <ol class="stages">
                {stages
                    .into_iter()
                    .map(|s| {
                        let n = s.stage;
                        let st = s.status;
                        view! {
                            <li class=format!("stage stage-{}", st.as_str()) data-stage=n>
                                <span class="stage-no">{n}</span>
                                <span class="stage-name">{move || stage_name(n)}</span>
                                <span class="stage-status">{move || status_name(st)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn OverviewView(o: Overview) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card">
            <h2>{t!(i18n, overview_title)}</h2>
            <h3>{t!(i18n, overview_attempts)}</h3>
            <ul class="figures">
                <li><strong>{o.attempts_in_progress}</strong> " " {t!(i18n, overview_in_progress)}</li>
                <li><strong>{o.attempts_submitted}</strong> " " {t!(i18n, overview_submitted)}</li>
                <li><strong>{o.attempts_passed}</strong> " " {t!(i18n, overview_passed)}</li>
            </ul>
            <h3>{t!(i18n, overview_items)}</h3>
            <table class="table">
                <tbody>
                    {o.items_by_competency
                        .into_iter()
                        .map(|r| view! { <tr><td>{r.label}</td><td class="num">{r.count}</td></tr> })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
