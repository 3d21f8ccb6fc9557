//! Standard setting by the modified-Angoff method. A methodologist opens a workshop on a
//! blueprint: a reference form is drawn and a panel of judges (staff accounts) rates, for each
//! of its items, the probability that a minimally competent candidate gets it right. After a
//! round the facilitator opens the next: judges then see the panel's ratings of the previous
//! round (mean, lowest, highest, their own), the items' statistics (facility, calibrated
//! difficulty, the model's probability at the panel's cut) and what share of candidates the
//! cut would pass. A round's cut is the judges' mean with its standard error
//! (`question_bank::psychometrics::angoff`); adopting it sets the blueprint's pass mark and,
//! when every rated item is calibrated, its standard as an ability, which every form carries
//! through its own items' parameters.

use crate::services::{MIN_P_VALUE_N, Services, internal};
use crate::store::StandardSettingRow;
use app::error::{AppError, ErrorCode};
use app::model::*;
use question_bank::psychometrics::angoff::{Round, weighted_cut_score};
use question_bank::psychometrics::irt::ItemParams;
use question_bank::{Assembler, Key, Language};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// One rated item, as stored with the workshop.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Rated {
    item_id: String,
    version: u32,
    competency: String,
    weight: f64,
}

const OPEN: &str = "open";
const ADOPTED: &str = "adopted";
const MAX_JUDGES: usize = 50;

fn summary(row: &StandardSettingRow) -> StandardSettingSummary {
    let count =
        |json: &str| serde_json::from_str::<Vec<serde_json::Value>>(json).map_or(0, |v| v.len());
    StandardSettingSummary {
        id: row.id.clone(),
        blueprint_id: row.blueprint_id.clone(),
        name: row.name.clone(),
        round: row.round,
        status: row.status.clone(),
        judges: count(&row.judges),
        items: count(&row.items),
        created_ms: row.created_at,
    }
}

impl Services {
    /// Workshops the caller runs (methodologists and administrators see all) or judges in.
    pub async fn standard_settings(
        &self,
        user: &UserInfo,
    ) -> Result<Vec<StandardSettingSummary>, AppError> {
        if user.role == Role::Applicant {
            return Err(AppError::forbidden());
        }
        let all = Services::require_bank(user).is_ok();
        let mut out = Vec::new();
        for row in self.store().standard_settings().await? {
            let judges: Vec<String> = serde_json::from_str(&row.judges).map_err(internal)?;
            if all || judges.contains(&user.id) {
                out.push(summary(&row));
            }
        }
        Ok(out)
    }

    /// Opens a workshop: draws the reference form the judges rate.
    pub async fn standard_setting_create(
        &self,
        user: &UserInfo,
        input: StandardSettingInput,
    ) -> Result<StandardSettingView, AppError> {
        Services::require_bank(user)?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::invalid(
                "Name the workshop (at most 200 characters).",
            ));
        }
        if input.judges.is_empty() || input.judges.len() > MAX_JUDGES {
            return Err(AppError::invalid(format!(
                "A panel has 1 to {MAX_JUDGES} judges."
            )));
        }
        let mut judges: Vec<String> = Vec::new();
        for email in &input.judges {
            let email = email.trim().to_lowercase();
            let account = self
                .store()
                .user_by_email(&email)
                .await?
                .filter(|u| u.role != Role::Applicant.as_str())
                .ok_or_else(|| {
                    AppError::invalid(format!(
                        "{email:?} is not a staff account: judges are methodologists, experts, \
                         commission members, proctors or administrators."
                    ))
                })?;
            if !judges.contains(&account.id) {
                judges.push(account.id);
            }
        }
        let language = match input.language.as_deref() {
            None | Some("") => Language::Ru,
            Some(l) => l
                .parse()
                .map_err(|e: question_bank::language::UnknownLanguage| {
                    AppError::invalid(e.to_string())
                })?,
        };
        let bp = self.blueprint(&input.blueprint_id).await?;
        let pool = self.pool_in(Some(language), true).await?;
        let form = Assembler::new(&bp, &pool)
            .and_then(|mut a| a.form(input.seed.unwrap_or_else(rand::random)))
            .map_err(|e| {
                AppError::new(
                    ErrorCode::Conflict,
                    format!("No reference form can be drawn: {e}."),
                )
            })?;
        // In the blueprint's section order, so that judges rate one competency at a time.
        let mut items: Vec<Rated> = form
            .entries
            .iter()
            .map(|e| Rated {
                item_id: e.item_id.to_string(),
                version: e.version,
                competency: e.competency.clone(),
                weight: bp.weight_of(&e.competency),
            })
            .collect();
        let section = |c: &str| bp.sections.iter().position(|s| s.competency == c);
        items.sort_by(|a, b| {
            section(&a.competency)
                .cmp(&section(&b.competency))
                .then(a.item_id.cmp(&b.item_id))
        });
        let now = self.now();
        let row = StandardSettingRow {
            id: uuid::Uuid::new_v4().to_string(),
            blueprint_id: bp.id.clone(),
            name: name.to_string(),
            items: serde_json::to_string(&items).map_err(internal)?,
            judges: serde_json::to_string(&judges).map_err(internal)?,
            language: language.code().to_string(),
            round: 1,
            status: OPEN.into(),
            created_by: user.id.clone(),
            created_at: now,
            adopted: None,
            updated_at: now,
        };
        self.store().insert_standard_setting(&row).await?;
        tracing::info!(workshop = %row.id, blueprint = %bp.id, judges = judges.len(),
            items = items.len(), by = %user.email, "standard setting opened");
        self.standard_setting(user, &row.id).await
    }

    async fn workshop(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<(StandardSettingRow, Vec<Rated>, Vec<String>, bool, bool), AppError> {
        let row = self
            .store()
            .standard_setting(id)
            .await?
            .ok_or_else(|| AppError::not_found("The standard-setting workshop"))?;
        let items: Vec<Rated> = serde_json::from_str(&row.items).map_err(internal)?;
        let judges: Vec<String> = serde_json::from_str(&row.judges).map_err(internal)?;
        let facilitator = Services::require_bank(user).is_ok();
        let judge = judges.contains(&user.id);
        if !facilitator && !judge {
            return Err(AppError::forbidden());
        }
        Ok((row, items, judges, facilitator, judge))
    }

    /// The workshop as the caller sees it (a judge: their own ratings and, from round two,
    /// the panel's; the facilitator: every judge's progress too).
    pub async fn standard_setting(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<StandardSettingView, AppError> {
        let (row, items, judges, facilitator, judge) = self.workshop(user, id).await?;
        let language: Language = row.language.parse().unwrap_or(Language::Ru);
        let ratings = self.store().ratings(id).await?;
        // by_round[r][judge][item] = rating
        let mut by_round: BTreeMap<i64, HashMap<&str, HashMap<&str, f64>>> = BTreeMap::new();
        for r in &ratings {
            by_round
                .entry(r.round)
                .or_default()
                .entry(r.judge_id.as_str())
                .or_default()
                .insert(r.item_id.as_str(), r.rating);
        }
        let stored: HashMap<(String, i64), ItemParams> = self
            .store()
            .item_parameters()
            .await?
            .into_iter()
            .map(|p| ((p.item_id, p.version), ItemParams { a: p.a, b: p.b }))
            .collect();
        let params: Vec<Option<ItemParams>> = items
            .iter()
            .map(|i| {
                stored
                    .get(&(i.item_id.clone(), i64::from(i.version)))
                    .copied()
            })
            .collect();
        let scores = self.attempt_percents(&row.blueprint_id).await?;
        let rounds: Vec<RoundResult> = (1..=row.round)
            .map(|r| round_result(r, &items, &judges, &params, by_round.get(&r), &scores))
            .collect();
        let previous = rounds
            .iter()
            .rev()
            .find(|r| r.round < row.round && r.percent.is_some());
        let facility: HashMap<(String, i64), f64> = self
            .store()
            .p_values(MIN_P_VALUE_N)
            .await?
            .into_iter()
            .map(|p| ((p.item_id, p.version), p.mean))
            .collect();
        // Judges rate the first round from the items alone; the statistics come between
        // rounds (the facilitator sees them throughout).
        let show_data = facilitator || row.round > 1;
        let current = by_round.get(&row.round);
        let before = by_round.get(&(row.round - 1));
        let mut out_items = Vec::with_capacity(items.len());
        for (k, it) in items.iter().enumerate() {
            let item = self.item(&it.item_id, i64::from(it.version)).await?;
            let text = |t: &question_bank::LocalizedText| {
                t.get(language)
                    .or_else(|| Language::ALL.iter().find_map(|l| t.get(*l)))
                    .unwrap_or_default()
                    .to_string()
            };
            let correct = match &item.key {
                Key::SingleChoice { correct } => vec![*correct],
                Key::MultipleResponse { correct, .. } => correct.clone(),
                _ => Vec::new(),
            };
            let prev: Vec<f64> = before
                .map(|b| {
                    b.values()
                        .filter_map(|m| m.get(it.item_id.as_str()).copied())
                        .collect()
                })
                .unwrap_or_default();
            let mine = |m: Option<&HashMap<&str, HashMap<&str, f64>>>| {
                m.and_then(|m| m.get(user.id.as_str()))
                    .and_then(|m| m.get(it.item_id.as_str()))
                    .copied()
            };
            out_items.push(RatedItem {
                item_id: it.item_id.clone(),
                version: it.version,
                competency: it.competency.clone(),
                weight: it.weight,
                stem: text(&item.stem),
                options: item.options.iter().map(text).collect(),
                correct,
                facility: facility
                    .get(&(it.item_id.clone(), i64::from(it.version)))
                    .copied()
                    .filter(|_| show_data),
                a: params[k].map(|p| p.a).filter(|_| show_data),
                b: params[k].map(|p| p.b).filter(|_| show_data),
                p_at_cut: previous
                    .and_then(|r| r.theta)
                    .and_then(|t| params[k].map(|p| p.p(t))),
                mine: mine(current),
                previous_mine: mine(before),
                previous_mean: (!prev.is_empty())
                    .then(|| prev.iter().sum::<f64>() / prev.len() as f64),
                previous_min: prev.iter().copied().reduce(f64::min),
                previous_max: prev.iter().copied().reduce(f64::max),
            });
        }
        let mut progress = Vec::new();
        if facilitator {
            for j in &judges {
                let account = self.store().user_by_id(j).await?;
                progress.push(JudgeProgress {
                    name: account
                        .as_ref()
                        .map(|u| u.full_name.clone())
                        .unwrap_or_default(),
                    email: account.map(|u| u.email).unwrap_or_default(),
                    rated: current
                        .and_then(|c| c.get(j.as_str()))
                        .map_or(0, HashMap::len),
                });
            }
        }
        Ok(StandardSettingView {
            id: row.id.clone(),
            blueprint_id: row.blueprint_id.clone(),
            name: row.name.clone(),
            language: row.language.clone(),
            round: row.round,
            status: row.status.clone(),
            facilitator,
            judge,
            judges: progress,
            items: out_items,
            rounds,
            adopted: row
                .adopted
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok()),
        })
    }

    /// The overall percentages of a blueprint's scored attempts.
    async fn attempt_percents(&self, blueprint_id: &str) -> Result<Vec<f64>, AppError> {
        Ok(self
            .store()
            .attempt_scores(blueprint_id)
            .await?
            .iter()
            .filter_map(|s| serde_json::from_str::<question_bank::ScoreReport>(s).ok())
            .map(|r| r.percent)
            .collect())
    }

    /// A judge's ratings of the current round (some or all items; each replaces the judge's
    /// earlier rating of that item in the round).
    pub async fn standard_setting_rate(
        &self,
        user: &UserInfo,
        id: &str,
        input: RatingsInput,
    ) -> Result<StandardSettingView, AppError> {
        let (row, items, _, _, judge) = self.workshop(user, id).await?;
        if !judge {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "Only the workshop's judges rate its items.",
            ));
        }
        if row.status != OPEN {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "The workshop's standard has been adopted; ratings are closed.",
            ));
        }
        if input.ratings.is_empty() || input.ratings.len() > items.len() {
            return Err(AppError::invalid(format!(
                "Send 1 to {} ratings.",
                items.len()
            )));
        }
        for (item, rating) in &input.ratings {
            if !items.iter().any(|i| &i.item_id == item) {
                return Err(AppError::invalid(format!(
                    "Item {item:?} is not rated in this workshop."
                )));
            }
            if !(0.0..=1.0).contains(rating) {
                return Err(AppError::invalid(format!(
                    "A rating is a probability from 0 to 1; {item:?} has {rating}."
                )));
            }
        }
        self.store()
            .save_ratings(id, row.round, &user.id, &input.ratings, self.now())
            .await?;
        self.standard_setting(user, id).await
    }

    /// Closes the current round and opens the next (the facilitator), once at least one judge
    /// has rated every item.
    pub async fn standard_setting_next_round(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<StandardSettingView, AppError> {
        Services::require_bank(user)?;
        let view = self.standard_setting(user, id).await?;
        if view.status != OPEN {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "The workshop's standard has been adopted.",
            ));
        }
        if view.rounds.last().is_none_or(|r| r.judges_complete == 0) {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "No judge has rated every item in this round yet.",
            ));
        }
        let mut row = self
            .store()
            .standard_setting(id)
            .await?
            .ok_or_else(|| AppError::not_found("The standard-setting workshop"))?;
        row.round += 1;
        row.updated_at = self.now();
        self.store().update_standard_setting(&row).await?;
        tracing::info!(workshop = %id, round = row.round, by = %user.email, "standard setting: next round");
        self.standard_setting(user, id).await
    }

    /// Adopts a round's cut as the blueprint's standard: its pass mark, and its ability
    /// standard when every rated item is calibrated (forms then carry it through their items).
    pub async fn standard_setting_adopt(
        &self,
        user: &UserInfo,
        id: &str,
        input: AdoptInput,
    ) -> Result<StandardSettingView, AppError> {
        Services::require_bank(user)?;
        let view = self.standard_setting(user, id).await?;
        if view.status != OPEN {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "This workshop's standard has been adopted already.",
            ));
        }
        let round = match input.round {
            Some(r) => view
                .rounds
                .iter()
                .find(|x| x.round == r)
                .ok_or_else(|| AppError::invalid(format!("The workshop has no round {r}.")))?,
            None => view
                .rounds
                .iter()
                .rev()
                .find(|r| r.percent.is_some())
                .ok_or_else(|| {
                    AppError::new(
                        ErrorCode::Conflict,
                        "No round has a cut yet: no judge has rated every item.",
                    )
                })?,
        };
        let (Some(percent), Some(se)) = (round.percent, round.se) else {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "Round {} has no cut: no judge has rated every item.",
                    round.round
                ),
            ));
        };
        let mut bp = self.blueprint(&view.blueprint_id).await?;
        bp.pass_percent = (percent * 10.0).round() / 10.0;
        bp.cut_theta = round.theta.map(|t| (t * 1000.0).round() / 1000.0);
        self.blueprint_save(user, bp).await?;
        let adopted = AdoptedStandard {
            round: round.round,
            percent: (percent * 10.0).round() / 10.0,
            se,
            theta: round.theta,
            by: user.full_name.clone(),
            at_ms: self.now(),
        };
        let mut row = self
            .store()
            .standard_setting(id)
            .await?
            .ok_or_else(|| AppError::not_found("The standard-setting workshop"))?;
        row.status = ADOPTED.into();
        row.adopted = Some(serde_json::to_string(&adopted).map_err(internal)?);
        row.updated_at = adopted.at_ms;
        self.store().update_standard_setting(&row).await?;
        tracing::info!(workshop = %id, blueprint = %view.blueprint_id, percent = adopted.percent,
            theta = ?adopted.theta, by = %user.email, "standard adopted");
        self.standard_setting(user, id).await
    }
}

/// A round's cut from the judges who rated every item.
fn round_result(
    round: i64,
    items: &[Rated],
    judges: &[String],
    params: &[Option<ItemParams>],
    ratings: Option<&HashMap<&str, HashMap<&str, f64>>>,
    scores: &[f64],
) -> RoundResult {
    let complete: Vec<Vec<f64>> = judges
        .iter()
        .filter_map(|j| {
            let mine = ratings?.get(j.as_str())?;
            items
                .iter()
                .map(|i| mine.get(i.item_id.as_str()).copied())
                .collect::<Option<Vec<f64>>>()
        })
        .collect();
    let weights: Vec<f64> = items.iter().map(|i| i.weight).collect();
    let calibrated: Option<Vec<ItemParams>> = params.iter().copied().collect();
    let cut = (!complete.is_empty())
        .then(|| {
            weighted_cut_score(
                &Round {
                    ratings: complete.clone(),
                },
                &weights,
                calibrated.as_deref(),
            )
            .ok()
        })
        .flatten();
    let impact = cut.as_ref().and_then(|c| {
        (!scores.is_empty()).then(|| {
            scores.iter().filter(|s| **s >= c.percent - 1e-9).count() as f64 / scores.len() as f64
        })
    });
    RoundResult {
        round,
        judges_complete: complete.len(),
        raw: cut.as_ref().map(|c| c.raw),
        percent: cut.as_ref().map(|c| c.percent),
        se: cut.as_ref().map(|c| c.se),
        judge_cuts: cut
            .as_ref()
            .map(|c| c.judge_cuts.clone())
            .unwrap_or_default(),
        theta: cut.as_ref().and_then(|c| c.theta),
        impact,
    }
}
