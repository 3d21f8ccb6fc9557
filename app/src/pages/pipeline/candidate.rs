//! One candidate as staff see them (stages, appointment, certificate) and one appeal with its
//! evidence and decision.

use super::*;

#[component]
pub fn CandidatePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = StoredValue::new(params.read_untracked().get("id").unwrap_or_default());
    let (app, reload) = crate::pages::server_data(move || id.get_value(), application);
    let message = RwSignal::new(None::<String>);
    let record = move |stage: u8, input: StageInput| {
        leptos::task::spawn_local(async move {
            match record_stage(id.get_value(), stage, input).await {
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
            leptos::task::spawn_local(async move {
                if let Ok(c) = campaign(a.campaign_id).await {
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
            match appoint(id.get_value(), input).await {
                Ok(_) => reload(),
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    view! {
        <Transition fallback=|| ()>
        {move || match app.get() {
            None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
            Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
            Some(Ok(a)) => view! {
                <section class="card wide" id="candidate">
                    <h1>{a.full_name.clone()}</h1>
                    <p class="muted">{format!("{} {} · {} · {}, {} · {} · {} · {}", t_string!(i18n, pl_iin), a.iin, region_name(&a.region, crate::pages::lang()), a.district, a.school, a.position, a.email, a.phone)}</p>
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
        </Transition>
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
    let (ev, reload) = crate::pages::server_data(move || id.get_value(), appeal_detail);
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
            match decide_appeal(id.get_value(), input).await {
                Ok(_) => reload(),
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    view! {
        <Transition fallback=|| ()>
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
                            {e.answers.iter().map(|x| view! { <tr><td>{format!("{} v{}", x.item_id, x.version)}</td><td>{x.competency.clone()}</td><td>{x.answer.to_string()}</td><td class="num">{x.credit.map(|c| crate::model::format_number(c, 2, crate::pages::lang())).unwrap_or_default()}</td></tr> }).collect_view()}
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
        </Transition>
    }
}
