use super::{ErrorNote, pct, termination_reason};
use crate::api::load_result;
use crate::i18n::*;
use crate::model::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ResultPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let data = Resource::new(id, load_result);
    view! {
        <Suspense fallback=move || view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(r) => view! { <ResultView r /> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ResultView(r: ResultView) -> impl IntoView {
    let i18n = use_i18n();
    let ended = r.terminated.clone().map(|t| {
        let when = super::fmt_utc(t.at_ms);
        let code = t.reason.clone();
        view! {
            <div class="notice bad" role="alert" id="terminated" data-reason=t.reason.clone()>
                <p><strong>{t!(i18n, result_terminated, when = move || when.clone())}</strong></p>
                <p>{t!(i18n, result_reason)} " " <span id="terminated-reason">{move || termination_reason(i18n, &code)}</span>
                    {(!t.note.is_empty()).then(|| view! { <span id="terminated-note">{format!(" — {}", t.note)}</span> })}</p>
            </div>
        }
    });
    if r.withheld {
        return view! {
            <section class="card result">
                <h1>{t!(i18n, result_title)}</h1>
                <p class="muted">{r.blueprint_name.clone()}</p>
                {ended}
                <p id="withheld">{t!(i18n, result_withheld)}</p>
                <p><a href="/dashboard">{t!(i18n, back_to_dashboard)}</a></p>
            </section>
        }
        .into_any();
    }
    let show_competencies = !r.by_competency.is_empty();
    let (correct, total, pass) = (r.correct, r.total, pct(r.pass_percent));
    let verdict = if r.passed {
        view! { <p class="verdict pass" id="verdict" data-passed="true">{t!(i18n, result_passed)}</p> }.into_any()
    } else {
        view! { <p class="verdict fail" id="verdict" data-passed="false">{t!(i18n, result_failed)}</p> }.into_any()
    };
    view! {
        <section class="card result">
            <h1>{t!(i18n, result_title)}</h1>
            <p class="muted">{r.blueprint_name.clone()}</p>
            <div class="score">
                <span class="big-number" id="total-percent">{format!("{}%", pct(r.percent))}</span>
                <span>{t!(i18n, result_score, correct = move || correct, total = move || total)}</span>
                <span class="muted">{t!(i18n, result_pass_mark, pass = move || pass.clone())}</span>
            </div>
            {ended}
            {verdict}
            <h2 hidden=!show_competencies>{t!(i18n, result_by_competency)}</h2>
            <table class="table" id="by-competency" hidden=!show_competencies>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, result_competency)}</th>
                        <th scope="col" class="num">{t!(i18n, result_correct)}</th>
                        <th scope="col" class="num">"%"</th>
                        <th scope="col" class="bar-col"></th>
                    </tr>
                </thead>
                <tbody>
                    {r.by_competency
                        .into_iter()
                        .map(|c| {
                            let width = format!("width: {}%", c.percent.clamp(0.0, 100.0));
                            view! {
                                <tr data-competency=c.competency.clone()>
                                    <td>{c.name}</td>
                                    <td class="num">{format!("{} / {}", c.correct, c.total)}</td>
                                    <td class="num">{pct(c.percent)}</td>
                                    <td class="bar-col"><span class="bar"><span class="fill" style=width></span></span></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <p><a href="/dashboard">{t!(i18n, back_to_dashboard)}</a></p>
        </section>
    }
    .into_any()
}
