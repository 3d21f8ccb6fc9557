//! The applicant's side of the pipeline: applying (with the photo the proctor compares) and
//! following one's own applications through the stages.

use super::*;

#[component]
pub fn ApplyPage() -> impl IntoView {
    let i18n = use_i18n();
    let (mine, reload_mine) = crate::pages::server_data(|| (), |_| my_applications());
    let (campaigns, _) = crate::pages::server_data(|| (), |_| campaigns());
    view! {
        <section class="card wide">
            <h1>{t!(i18n, pl_my_applications)}</h1>
            <Transition fallback=move || view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }>
            {move || match mine.get() {
                None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                Some(Ok(apps)) if apps.is_empty() => view! { <p class="muted" id="no-applications">{t!(i18n, pl_none_yet)}</p> }.into_any(),
                Some(Ok(apps)) => apps.into_iter().map(|a| view! { <MyApplication a reload=reload_mine /> }).collect_view().into_any(),
            }}
            </Transition>
        </section>
        <ApplicationPhoto />
        <Transition fallback=|| ()>
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
        </Transition>
    }
}

/// The applicant's photo, which the proctor compares with the person before admitting them.
#[component]
pub(crate) fn ApplicationPhoto() -> impl IntoView {
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
pub(crate) fn ApplicationForm(
    campaign: CampaignView,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let f = |s: &str| RwSignal::new(s.to_string());
    let (iin, name, district, school, position, email, phone) =
        (f(""), f(""), f(""), f(""), f(""), f(""), f(""));
    // The account's name and address fill the form (the person may still change them).
    let user = expect_context::<crate::pages::CurrentUser>().0;
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
            match apply(input).await {
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
                        {REGIONS.iter().map(|r| view! { <option value=*r>{move || region_name(r, crate::pages::lang()).to_string()}</option> }).collect_view()}
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
pub(crate) fn MyApplication(
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
        let input = ReportInput {
            text: report.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match submit_report(id.get_value(), input).await {
                Ok(_) => reload(),
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    let send_appeal = move |_| {
        let Some(stage) = appeal_stage.get_untracked() else {
            return;
        };
        let input = AppealInput {
            stage,
            reason: appeal_text.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match file_appeal(id.get_value(), input).await {
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
            <p class="muted">{format!("{} · {} {} · {} · {}", a.full_name, t_string!(i18n, pl_iin), a.iin, region_name(&a.region, crate::pages::lang()), a.school)}</p>
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
