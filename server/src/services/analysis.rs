//! Item analysis after a sitting: the blueprint's closed attempts as a scored response matrix,
//! analysed by `question_bank::psychometrics` (classical statistics, 2PL calibration, DIF
//! between the two main test languages), for methodologists; and sending a flagged item back
//! to review.

use crate::services::Services;
use app::error::{AppError, ErrorCode};
use app::model::*;
use question_bank::Step;
use question_bank::psychometrics::{ResponseMatrix, classical, dif, irt};
use std::collections::{BTreeMap, BTreeSet};

/// Fewer examinees than this: classical statistics only (a 2PL needs data).
pub const MIN_FOR_CALIBRATION: usize = 100;

/// Fewer examinees than this and an item's statistics are noise: no flags are raised (the
/// figures are still shown), so nobody sends an item back on two people's answers.
pub const MIN_FOR_FLAGS: usize = 30;

const NO_SCORED_ATTEMPT: &str = "No closed attempt of this blueprint has been scored yet.";

impl Services {
    /// A blueprint's closed attempts (of one sitting, if given) as a scored response matrix:
    /// a column per item version given, a row per attempt; the attempts' languages and, for
    /// single choice, the authored option each chose.
    async fn sitting_matrix(
        &self,
        blueprint_id: &str,
        sitting_id: Option<&str>,
    ) -> Result<SittingMatrix, AppError> {
        let cells = self
            .store()
            .analysis_cells(blueprint_id, sitting_id)
            .await?;
        let keys: Vec<(String, i64)> = cells
            .iter()
            .map(|c| (c.item_id.clone(), c.version))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let column: BTreeMap<(&str, i64), usize> = keys
            .iter()
            .enumerate()
            .map(|(i, (id, v))| ((id.as_str(), *v), i))
            .collect();
        // An item given in two versions: a column each, named apart.
        let labels: Vec<String> = keys
            .iter()
            .map(|(id, v)| {
                if keys.iter().filter(|(other, _)| other == id).count() > 1 {
                    format!("{id} v{v}")
                } else {
                    id.clone()
                }
            })
            .collect();
        let mut rows: Vec<Vec<Option<f64>>> = Vec::new();
        let mut chosen: Vec<Vec<Option<i64>>> = Vec::new();
        let mut languages: Vec<String> = Vec::new();
        let mut current: Option<&str> = None;
        for c in &cells {
            if current != Some(c.attempt_id.as_str()) {
                current = Some(c.attempt_id.as_str());
                rows.push(vec![None; keys.len()]);
                chosen.push(vec![None; keys.len()]);
                languages.push(c.language.clone());
            }
            if let (Some(row), Some(ch), Some(&j)) = (
                rows.last_mut(),
                chosen.last_mut(),
                column.get(&(c.item_id.as_str(), c.version)),
            ) {
                row[j] = Some(c.credit.clamp(0.0, 1.0));
                ch[j] = c.chosen;
            }
        }
        if rows.is_empty() {
            return Err(AppError::new(ErrorCode::NotFound, NO_SCORED_ATTEMPT));
        }
        let matrix = ResponseMatrix::new(labels, rows).map_err(AppError::invalid)?;
        Ok(SittingMatrix {
            keys,
            matrix,
            languages,
            chosen,
        })
    }

    pub async fn item_analysis(
        &self,
        user: &UserInfo,
        blueprint_id: &str,
        sitting_id: Option<&str>,
    ) -> Result<AnalysisView, AppError> {
        Services::require_bank(user)?;
        let SittingMatrix {
            keys,
            matrix,
            languages,
            chosen,
        } = match self.sitting_matrix(blueprint_id, sitting_id).await {
            // A blueprint nobody has taken yet: an empty analysis (the page says so), not an
            // error; an unknown blueprint stays 404.
            Err(e)
                if e.message == NO_SCORED_ATTEMPT
                    && self.store().blueprint(blueprint_id).await?.is_some() =>
            {
                return Ok(AnalysisView {
                    flags_from: MIN_FOR_FLAGS,
                    blueprint_id: blueprint_id.to_string(),
                    sitting_id: sitting_id.map(str::to_string),
                    examinees: 0,
                    mean: 0.0,
                    sd: 0.0,
                    alpha: 0.0,
                    sem: 0.0,
                    alpha_by_competency: vec![],
                    histogram: vec![],
                    items: vec![],
                    calibrated: false,
                    note: Some(NO_SCORED_ATTEMPT.into()),
                    information: vec![],
                    languages: None,
                    sittings: self.store().blueprint_sittings(blueprint_id).await?,
                });
            }
            other => other?,
        };
        let items = matrix.items.clone();
        let stored: BTreeMap<(String, i64), crate::store::ItemParameterRow> = self
            .store()
            .item_parameters()
            .await?
            .into_iter()
            .map(|r| ((r.item_id.clone(), r.version), r))
            .collect();

        // Competencies of the items, for alpha per competency.
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut status: BTreeMap<String, String> = BTreeMap::new();
        // One read of the bank's heads, not one per item.
        let heads: BTreeMap<String, (String, String)> = self
            .store()
            .item_competencies()
            .await?
            .into_iter()
            .map(|(id, competency, status)| (id, (competency, status)))
            .collect();
        for (j, (id, _)) in keys.iter().enumerate() {
            if let Some((competency, s)) = heads.get(id) {
                groups.entry(competency.clone()).or_default().push(j);
                status.insert(id.clone(), s.clone());
            }
        }
        let groups: Vec<(String, Vec<usize>)> = groups.into_iter().collect();
        let report = classical::analyse(&matrix, &groups, classical::Bounds::default());

        // 2PL when there is enough data.
        let binary = matrix.binary();
        let options = irt::Options::default();
        let (calibration, note) = if matrix.rows.len() < MIN_FOR_CALIBRATION {
            (
                None,
                Some(format!(
                    "{} examinees: the 2PL calibration needs at least {MIN_FOR_CALIBRATION}.",
                    matrix.rows.len()
                )),
            )
        } else {
            match irt::calibrate(&items, &binary, irt::Model::TwoPl, &options) {
                Ok(c) => (Some(c), None),
                Err(e) => (None, Some(format!("No 2PL calibration: {e}."))),
            }
        };
        let abilities = calibration
            .as_ref()
            .map(|c| irt::eap(&binary, &c.params(), &options));

        // Languages: the two with the most examinees, for DIF (reference: the larger).
        let mut per_language: BTreeMap<&str, usize> = BTreeMap::new();
        for l in &languages {
            *per_language.entry(l.as_str()).or_default() += 1;
        }
        let mut by_size: Vec<(&str, usize)> = per_language.iter().map(|(l, n)| (*l, *n)).collect();
        by_size.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let pair =
            (by_size.len() >= 2).then(|| (by_size[0].0.to_string(), by_size[1].0.to_string()));
        let dif_results = pair.as_ref().map(|(reference, focal)| {
            let keep: Vec<usize> = (0..languages.len())
                .filter(|&i| languages[i] == *reference || languages[i] == *focal)
                .collect();
            let scores: Vec<Vec<Option<u8>>> = keep.iter().map(|&i| binary[i].clone()).collect();
            let is_focal: Vec<bool> = keep.iter().map(|&i| languages[i] == *focal).collect();
            dif::mantel_haenszel(&items, &scores, &is_focal, (reference, focal))
        });

        // Five groups by total score for each item's curve.
        let totals = matrix.totals();
        let mut order: Vec<usize> = (0..totals.len()).collect();
        order.sort_by(|&x, &y| totals[x].total_cmp(&totals[y]));
        let per_group = order.len().div_ceil(5).max(1);

        let mut rows_out = Vec::with_capacity(items.len());
        for (j, stats) in report.items.iter().enumerate() {
            let mut flags: Vec<String> = stats
                .flags
                .iter()
                .map(|f| {
                    match f {
                        classical::Flag::TooEasy => "too_easy",
                        classical::Flag::TooHard => "too_hard",
                        classical::Flag::LowDiscrimination => "low_discrimination",
                        classical::Flag::NegativeDiscrimination => "negative_discrimination",
                        classical::Flag::DistractorAttractsHighScorers { .. } => "distractor",
                    }
                    .to_string()
                })
                .collect();
            let est = calibration.as_ref().map(|c| &c.items[j]);
            if est.is_some_and(|e| e.fit_p < 0.01) {
                flags.push("misfit".into());
            }
            let d = dif_results.as_ref().map(|r| &r[j]);
            if d.is_some_and(|d| d.class != dif::EtsClass::A) {
                flags.push("dif".into());
            }
            let by_language = per_language
                .keys()
                .map(|l| {
                    let scores: Vec<f64> = (0..languages.len())
                        .filter(|&i| languages[i] == *l)
                        .filter_map(|i| matrix.rows[i][j])
                        .collect();
                    LanguageFacility {
                        language: (*l).to_string(),
                        n: scores.len(),
                        facility: if scores.is_empty() {
                            0.0
                        } else {
                            scores.iter().sum::<f64>() / scores.len() as f64
                        },
                    }
                })
                .collect();
            let curve = order
                .chunks(per_group)
                .filter_map(|g| {
                    let given: Vec<usize> = g
                        .iter()
                        .copied()
                        .filter(|&i| matrix.rows[i][j].is_some())
                        .collect();
                    if given.is_empty() {
                        return None;
                    }
                    let observed = given.iter().filter_map(|&i| matrix.rows[i][j]).sum::<f64>()
                        / given.len() as f64;
                    let theta = abilities.as_ref().map_or_else(
                        || given.iter().map(|&i| totals[i]).sum::<f64>() / given.len() as f64,
                        |ab| given.iter().map(|&i| ab[i].0).sum::<f64>() / given.len() as f64,
                    );
                    let model = est.map(|e| e.params().p(theta));
                    Some(CurvePoint {
                        theta,
                        observed,
                        model,
                    })
                })
                .collect();
            let (item_id, version) = &keys[j];
            let (options, attracting) = self
                .option_curves(
                    item_id, *version, &order, per_group, &matrix, &totals, &chosen, j,
                )
                .await?;
            // A wrong option chosen more by the top 27% than the bottom 27%: check the key.
            if let Some(label) = attracting
                && !flags.iter().any(|f| f == "distractor")
            {
                flags.push("distractor".into());
                flags.push(format!("distractor_{label}"));
            }
            let stored = stored
                .get(&(item_id.clone(), *version))
                .map(|r| StoredParameters {
                    model: r.model.clone(),
                    a: r.a,
                    b: r.b,
                    se_b: r.se_b,
                    calibration_id: r.calibration_id.clone(),
                    calibrated_ms: r.calibrated_at,
                });
            if matrix.rows.len() < MIN_FOR_FLAGS {
                flags.clear();
            }
            rows_out.push(ItemAnalysisRow {
                item_id: item_id.clone(),
                version: u32::try_from(*version).unwrap_or(0),
                options,
                stored,
                n: stats.n,
                facility: stats.facility,
                discrimination_index: stats.discrimination_index,
                point_biserial: stats.point_biserial,
                alpha_if_deleted: stats.alpha_if_deleted,
                flags,
                a: est.map(|e| e.a),
                b: est.map(|e| e.b),
                se_b: est.map(|e| e.se_b),
                fit_p: est.map(|e| e.fit_p),
                by_language,
                dif_delta: d.map(|d| d.delta),
                dif_class: d.map(|d| format!("{:?}", d.class)),
                harder_in: d.and_then(|d| d.harder_for.clone()),
                curve,
                status: status.get(item_id).cloned(),
            });
        }
        let information = calibration
            .as_ref()
            .map(|c| {
                let p = c.params();
                (-16..=16)
                    .map(|i| {
                        let t = f64::from(i) * 0.25;
                        (t, irt::information(&p, t))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(AnalysisView {
            flags_from: MIN_FOR_FLAGS,
            blueprint_id: blueprint_id.to_string(),
            sitting_id: sitting_id.map(str::to_string),
            examinees: report.examinees,
            mean: report.mean,
            sd: report.sd,
            alpha: report.reliability.alpha,
            sem: report.reliability.sem,
            alpha_by_competency: report
                .groups
                .iter()
                .map(|(g, r)| (g.clone(), r.alpha))
                .collect(),
            histogram: report.distribution,
            items: rows_out,
            calibrated: calibration.is_some(),
            note,
            information,
            languages: pair,
            sittings: self.store().blueprint_sittings(blueprint_id).await?,
        })
    }

    /// Single choice: the share choosing each option (authored order) and leaving the item,
    /// in the groups by total score.
    #[allow(clippy::too_many_arguments)]
    async fn option_curves(
        &self,
        item_id: &str,
        version: i64,
        order: &[usize],
        per_group: usize,
        matrix: &ResponseMatrix,
        totals: &[f64],
        chosen: &[Vec<Option<i64>>],
        j: usize,
    ) -> Result<(Vec<OptionCurve>, Option<String>), AppError> {
        let item = self.item(item_id, version).await?;
        let question_bank::Key::SingleChoice { correct } = item.key else {
            return Ok((Vec::new(), None));
        };
        let n = item.options.len();
        let label = |o: usize| char::from(b'A' + u8::try_from(o % 26).unwrap_or(0)).to_string();
        // The distractor check among those given the item.
        let given: Vec<usize> = (0..matrix.rows.len())
            .filter(|&i| matrix.rows[i][j].is_some())
            .collect();
        let picks: Vec<Option<usize>> = given
            .iter()
            .map(|&i| chosen[i][j].and_then(|c| usize::try_from(c).ok()))
            .collect();
        let given_totals: Vec<f64> = given.iter().map(|&i| totals[i]).collect();
        let (_, flags) = classical::distractors(&picks, &given_totals, &[correct], n);
        let attracting = flags.iter().find_map(|f| match f {
            classical::Flag::DistractorAttractsHighScorers { option } => Some(label(*option)),
            _ => None,
        });
        let groups: Vec<Vec<usize>> = order
            .chunks(per_group)
            .map(|g| {
                g.iter()
                    .copied()
                    .filter(|&i| matrix.rows[i][j].is_some())
                    .collect()
            })
            .filter(|g: &Vec<usize>| !g.is_empty())
            .collect();
        let share = |pick: &dyn Fn(Option<i64>) -> bool| -> Vec<f64> {
            groups
                .iter()
                .map(|g| g.iter().filter(|&&i| pick(chosen[i][j])).count() as f64 / g.len() as f64)
                .collect()
        };
        let mut out: Vec<OptionCurve> = (0..n)
            .map(|o| OptionCurve {
                label: label(o),
                correct: o == correct,
                shares: share(&|c| c == i64::try_from(o).ok()),
            })
            .collect();
        out.push(OptionCurve {
            label: "–".into(),
            correct: false,
            shares: share(&|c| c.is_none()),
        });
        Ok((out, attracting))
    }

    /// Calibrates the blueprint's closed attempts (of one sitting, if given) with the Rasch
    /// model or the 2PL and stores the parameters of every item version given.
    pub async fn calibrate_blueprint(
        &self,
        user: &UserInfo,
        blueprint_id: &str,
        input: CalibrateInput,
    ) -> Result<CalibrationSummary, AppError> {
        Services::require_bank(user)?;
        let model = parse_model(&input.model)?;
        let SittingMatrix { keys, matrix, .. } = self
            .sitting_matrix(blueprint_id, input.sitting.as_deref())
            .await?;
        let source = match &input.sitting {
            Some(s) => format!("blueprint {blueprint_id}, sitting {s}"),
            None => format!("blueprint {blueprint_id}"),
        };
        self.store_calibration(user, &source, model, &keys, &matrix)
            .await
    }

    /// Calibrates an imported scored response matrix (header: bank item ids, `id` for its
    /// published version or `id@version`; one row per examinee, 0/1, empty for not given),
    /// e.g. from a pilot on paper, and stores the parameters.
    pub async fn calibrate_import(
        &self,
        user: &UserInfo,
        model: &str,
        csv: &str,
    ) -> Result<CalibrationSummary, AppError> {
        Services::require_bank(user)?;
        let model = parse_model(model)?;
        let matrix = ResponseMatrix::from_csv(csv)
            .map_err(|e| AppError::invalid(format!("The response file is not valid: {e}.")))?;
        let mut keys = Vec::with_capacity(matrix.items.len());
        let mut unknown = Vec::new();
        for name in &matrix.items {
            let (id, version) = match name.split_once('@') {
                Some((id, v)) => (id.trim(), v.trim().parse::<i64>().ok()),
                None => (name.trim(), None),
            };
            let head = self.store().item_head(id).await?;
            let version = match (head, version) {
                (Some(h), Some(v)) if v >= 1 && v <= h.head_version => Some(v),
                (Some(h), None) => h.published_version,
                _ => None,
            };
            match version {
                Some(v) => keys.push((id.to_string(), v)),
                None => unknown.push(name.clone()),
            }
        }
        if !unknown.is_empty() {
            return Err(AppError::invalid(format!(
                "The response file names items the bank has no such (published) version of: {}.",
                unknown.join(", ")
            )));
        }
        self.store_calibration(user, "import", model, &keys, &matrix)
            .await
    }

    async fn store_calibration(
        &self,
        user: &UserInfo,
        source: &str,
        model: irt::Model,
        keys: &[(String, i64)],
        matrix: &ResponseMatrix,
    ) -> Result<CalibrationSummary, AppError> {
        if matrix.rows.len() < MIN_FOR_CALIBRATION {
            return Err(AppError::invalid(format!(
                "{} examinees: a calibration needs at least {MIN_FOR_CALIBRATION}.",
                matrix.rows.len()
            )));
        }
        let binary = matrix.binary();
        let calibration =
            irt::calibrate(&matrix.items, &binary, model, &irt::Options::default())
                .map_err(|e| AppError::invalid(format!("The items cannot be calibrated: {e}.")))?;
        // Onto the stored scale through the items calibrated before.
        let existing: BTreeMap<(String, i64), irt::ItemParams> = self
            .store()
            .item_parameters()
            .await?
            .into_iter()
            .map(|r| ((r.item_id, r.version), irt::ItemParams { a: r.a, b: r.b }))
            .collect();
        let pairs: Vec<(irt::ItemParams, irt::ItemParams)> = keys
            .iter()
            .zip(&calibration.items)
            .filter_map(|(k, e)| existing.get(k).map(|old| (*old, e.params())))
            .collect();
        let link = irt::mean_sigma_link(&pairs);
        let note = match (&link, pairs.len(), existing.is_empty()) {
            (Some(_), ..) => None,
            (None, _, true) => {
                Some("The first calibration: it sets the bank's ability scale.".to_string())
            }
            (None, n, false) => Some(format!(
                "Only {n} items in common with stored calibrations (at least {} are needed to \
                 link): these parameters are on this group's own scale.",
                irt::MIN_LINK_ITEMS
            )),
        };
        let (slope, intercept) = link.map_or((1.0, 0.0), |l| (l.slope, l.intercept));
        let now = self.now();
        let id = uuid::Uuid::new_v4().to_string();
        let model_name = match model {
            irt::Model::Rasch => "rasch",
            irt::Model::TwoPl => "2pl",
        };
        let row = crate::store::CalibrationRow {
            id: id.clone(),
            source: source.to_string(),
            model: model_name.into(),
            examinees: i64::try_from(calibration.examinees).unwrap_or(i64::MAX),
            items: i64::try_from(keys.len()).unwrap_or(i64::MAX),
            log_likelihood: calibration.log_likelihood,
            link_slope: slope,
            link_intercept: intercept,
            link_common: link.map_or(0, |l| i64::try_from(l.common).unwrap_or(0)),
            created_by: user.full_name.clone(),
            created_at: now,
        };
        let actor = crate::services::bank::Actor::of(user);
        let mut params = Vec::with_capacity(keys.len());
        let mut audit = Vec::with_capacity(keys.len());
        for ((item_id, version), e) in keys.iter().zip(&calibration.items) {
            let p = link.map_or(e.params(), |l| l.apply(e.params()));
            params.push(crate::store::ItemParameterRow {
                item_id: item_id.clone(),
                version: *version,
                calibration_id: id.clone(),
                model: model_name.into(),
                a: p.a,
                b: p.b,
                se_a: e.se_a / slope,
                se_b: e.se_b * slope,
                fit_p: e.fit_p,
                examinees: row.examinees,
                calibrated_at: now,
            });
            audit.push(crate::store::AuditRow {
                id: 0,
                item_id: item_id.clone(),
                version: *version,
                at: now,
                actor_id: actor.id.clone(),
                actor_name: actor.name.clone(),
                action: "calibrated".into(),
                comment: format!(
                    "{model_name}: a {:.3}, b {:.3} (SE {:.3}), {} examinees, {source}",
                    p.a,
                    p.b,
                    e.se_b * slope,
                    row.examinees
                ),
            });
        }
        self.store()
            .store_calibration(&row, &params, &audit)
            .await?;
        self.forget_pool();
        tracing::info!(calibration = %id, items = keys.len(), examinees = row.examinees,
            linked = row.link_common, by = %user.email, "calibration stored");
        Ok(summary(row, note))
    }

    /// Every stored item parameter (the latest calibration of each item version).
    pub async fn item_parameters(&self, user: &UserInfo) -> Result<Vec<ItemParameters>, AppError> {
        Services::require_bank(user)?;
        Ok(self
            .store()
            .item_parameters()
            .await?
            .into_iter()
            .map(|r| ItemParameters {
                item_id: r.item_id,
                version: r.version,
                model: r.model,
                a: r.a,
                b: r.b,
                se_a: r.se_a,
                se_b: r.se_b,
                fit_p: r.fit_p,
                examinees: r.examinees,
                calibration_id: r.calibration_id,
                calibrated_ms: r.calibrated_at,
            })
            .collect())
    }

    /// The stored calibrations, newest first.
    pub async fn calibrations(&self, user: &UserInfo) -> Result<Vec<CalibrationSummary>, AppError> {
        Services::require_bank(user)?;
        Ok(self
            .store()
            .calibrations()
            .await?
            .into_iter()
            .map(|r| summary(r, None))
            .collect())
    }

    /// The analysis as CSV: one line per item.
    pub async fn item_analysis_csv(
        &self,
        user: &UserInfo,
        blueprint_id: &str,
        sitting_id: Option<&str>,
    ) -> Result<String, AppError> {
        let v = self.item_analysis(user, blueprint_id, sitting_id).await?;
        let mut out = String::from(
            "item_id,n,facility,discrimination_index,point_biserial,alpha_if_deleted,a,b,se_b,fit_p,dif_delta,dif_class,harder_in,flags\n",
        );
        let num = |x: Option<f64>| x.map(|v| format!("{v:.4}")).unwrap_or_default();
        for r in &v.items {
            out.push_str(&format!(
                "{},{},{:.4},{:.4},{:.4},{:.4},{},{},{},{},{},{},{},{}\n",
                csv_cell(&r.item_id),
                r.n,
                r.facility,
                r.discrimination_index,
                r.point_biserial,
                r.alpha_if_deleted,
                num(r.a),
                num(r.b),
                num(r.se_b),
                num(r.fit_p),
                num(r.dif_delta),
                r.dif_class.clone().unwrap_or_default(),
                r.harder_in.clone().unwrap_or_default(),
                r.flags.join(" "),
            ));
        }
        Ok(out)
    }

    /// A published item the analysis flagged goes back to review (out of new forms until a
    /// reviewer approves it again), with the reason in its history.
    pub async fn send_back_to_review(
        &self,
        user: &UserInfo,
        item_id: &str,
        input: SendBackInput,
    ) -> Result<ItemDoc, AppError> {
        Services::require_bank(user)?;
        let reason = input.reason.trim();
        if reason.is_empty() || reason.chars().count() > 1000 {
            return Err(AppError::invalid(
                "Say why the item goes back to review (at most 1000 characters).",
            ));
        }
        let head = self
            .store()
            .item_head(item_id)
            .await?
            .ok_or_else(|| AppError::not_found("The item"))?;
        self.move_item(user, &head, Step::Reopen, reason).await?;
        self.bank_item(user, item_id).await
    }
}

fn parse_model(model: &str) -> Result<irt::Model, AppError> {
    match model {
        "rasch" => Ok(irt::Model::Rasch),
        "2pl" => Ok(irt::Model::TwoPl),
        other => Err(AppError::invalid(format!(
            "The model must be rasch or 2pl, not {other:?}."
        ))),
    }
}

fn summary(r: crate::store::CalibrationRow, note: Option<String>) -> CalibrationSummary {
    CalibrationSummary {
        id: r.id,
        source: r.source,
        model: r.model,
        examinees: r.examinees,
        items: r.items,
        log_likelihood: r.log_likelihood,
        link_slope: r.link_slope,
        link_intercept: r.link_intercept,
        link_common: r.link_common,
        created_by: r.created_by,
        created_ms: r.created_at,
        note,
    }
}

struct SittingMatrix {
    keys: Vec<(String, i64)>,
    matrix: ResponseMatrix,
    languages: Vec<String>,
    chosen: Vec<Vec<Option<i64>>>,
}

/// A CSV cell: quoted when it holds a comma, a quote or a line break.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
