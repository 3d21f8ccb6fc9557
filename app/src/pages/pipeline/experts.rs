//! Experts' blind marking and the commission's interviews.

use super::*;

#[component]
pub fn MarkingPage() -> impl IntoView {
    let i18n = use_i18n();
    let (tasks, reload) = crate::pages::server_data(|| (), |_| marking_tasks());
    view! {
        <section class="card wide">
            <h1>{t!(i18n, pl_marking)}</h1>
            <p class="muted">{t!(i18n, pl_marking_hint)}</p>
            <Transition fallback=|| ()>
            {move || match tasks.get() {
                None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"—"</p> }.into_any(),
                Some(Ok(list)) => list.into_iter().map(|t| view! { <MarkTask t reload /> }).collect_view().into_any(),
            }}
            </Transition>
        </section>
    }
}

#[component]
pub(crate) fn MarkTask(
    t: MarkingTask,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
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
        let input = MarkInput {
            levels: chosen,
            comment: comment.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match mark_report(code.get_value(), input).await {
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
    let (list, reload) = crate::pages::server_data(|| (), |_| interview_list());
    view! {
        <section class="card wide">
            <h1>{t!(i18n, pl_interviews)}</h1>
            <Transition fallback=|| ()>
            {move || match list.get() {
                None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! { <p class="muted">"—"</p> }.into_any(),
                Some(Ok(rows)) => rows.into_iter().map(|c| view! { <InterviewRow c reload /> }).collect_view().into_any(),
            }}
            </Transition>
        </section>
    }
}

#[component]
pub(crate) fn InterviewRow(
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
    // A score, or the chair's decision.
    let post = move |input: Result<InterviewInput, DecisionInput>| {
        leptos::task::spawn_local(async move {
            let done = match input {
                Ok(score) => interview_score(id.get_value(), score).await.map(|_| ()),
                Err(decision) => interview_decide(id.get_value(), decision).await.map(|_| ()),
            };
            match done {
                Ok(()) => reload(),
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
                <button type="button" class="iv-save" data-changes="" on:click=move |_| post(Ok(InterviewInput {
                    score: score.get_untracked().trim().replace(',', ".").parse().unwrap_or(-1.0), vote: vote.get_untracked(), comment: comment.get_untracked() }))>{t!(i18n, pl_save)}</button>
            })}
            {(c.chair && !decided).then(|| view! {
                <h3>{t!(i18n, pl_decision)}</h3>
                <label class="field"><span>{t!(i18n, pl_minutes)}</span>
                    <textarea rows="3" prop:value=minutes on:input=move |ev| minutes.set(event_target_value(&ev))></textarea></label>
                <button type="button" class="primary iv-pass" data-changes="" on:click=move |_| post(Err(DecisionInput { passed: true, minutes: minutes.get_untracked() }))>{t!(i18n, pl_recommend)}</button>
                <button type="button" class="iv-fail" data-changes="" on:click=move |_| post(Err(DecisionInput { passed: false, minutes: minutes.get_untracked() }))>{t!(i18n, pl_not_recommend)}</button>
            })}
            {move || message.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        </article>
    }
}
