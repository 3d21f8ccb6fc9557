//! The selection pipeline's pages: the applicant's application and way through the stages;
//! programme staff's campaigns, candidates, uploads, cuts, appeals, reserve and reports; the
//! experts' blind marking; the commission's interviews. Pages read and write through server
//! functions and render on the server; CSV uploads and downloads and the certificate's PDF are
//! REST.

use super::{ErrorNote, fmt_utc, pct};
use crate::api::{
    appeal_detail, application, apply, appoint, campaign, campaign_appeals, campaign_applications,
    campaign_cuts, campaign_save, campaigns, decide_appeal, file_appeal, funnel_counts,
    interview_decide, interview_list, interview_score, mark_report, marking_tasks, my_applications,
    now_ms, panel_save, record_stage, reserve_list, rest, revoke_certificate, select_stage,
    submit_report,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::model::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

mod applicant;
mod campaigns;
mod candidate;
mod certificates;
mod experts;
mod reports;
pub use applicant::*;
pub use campaigns::*;
pub use candidate::*;
pub use certificates::*;
pub use experts::*;
pub use reports::*;

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

// ---------------------------------------------------------------------------------------------
// Programme staff
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Experts and the commission
// ---------------------------------------------------------------------------------------------
