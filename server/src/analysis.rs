//! Item analysis after a sitting: the blueprint's closed attempts as a scored response matrix,
//! analysed by `question_bank::psychometrics` (classical statistics, 2PL calibration, DIF
//! between the two main test languages), for methodologists; and sending a flagged item back
//! to review.

use crate::bank::{IN_REVIEW, PUBLISHED};
use crate::service::Services;
use app::error::{AppError, ErrorCode};
use app::model::*;
use question_bank::psychometrics::{ResponseMatrix, classical, dif, irt};
use std::collections::{BTreeMap, BTreeSet};

/// Fewer examinees than this: classical statistics only (a 2PL needs data).
pub const MIN_FOR_CALIBRATION: usize = 100;

impl Services {
    pub async fn item_analysis(
        &self,
        user: &UserInfo,
        blueprint_id: &str,
        sitting_id: Option<&str>,
    ) -> Result<AnalysisView, AppError> {
        Services::require_bank(user)?;
        let cells = self
            .store()
            .analysis_cells(blueprint_id, sitting_id)
            .await?;
        // Columns: every item seen; rows: every attempt (an item not on its form is None).
        let items: Vec<String> = cells
            .iter()
            .map(|c| c.item_id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let column: BTreeMap<&str, usize> = items
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let mut rows: Vec<Vec<Option<f64>>> = Vec::new();
        let mut languages: Vec<String> = Vec::new();
        let mut current: Option<&str> = None;
        for c in &cells {
            if current != Some(c.attempt_id.as_str()) {
                current = Some(c.attempt_id.as_str());
                rows.push(vec![None; items.len()]);
                languages.push(c.language.clone());
            }
            if let (Some(row), Some(&j)) = (rows.last_mut(), column.get(c.item_id.as_str())) {
                row[j] = Some(c.credit.clamp(0.0, 1.0));
            }
        }
        if rows.is_empty() {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "No closed attempt of this blueprint has been scored yet.",
            ));
        }
        let matrix = ResponseMatrix::new(items.clone(), rows).map_err(AppError::invalid)?;

        // Competencies of the items, for alpha per competency.
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut status: BTreeMap<String, String> = BTreeMap::new();
        for (j, id) in items.iter().enumerate() {
            if let Some(head) = self.store().item_head(id).await? {
                groups.entry(head.competency.clone()).or_default().push(j);
                status.insert(id.clone(), head.status);
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
            rows_out.push(ItemAnalysisRow {
                item_id: stats.item.clone(),
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
                status: status.get(&stats.item).cloned(),
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
        })
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
        if head.status != PUBLISHED {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "Only a published item can be sent back to review; this item is {}.",
                    head.status
                ),
            ));
        }
        self.move_item(user, &head, IN_REVIEW, "sent_back_by_analysis", reason)
            .await?;
        self.bank_item(user, item_id).await
    }
}

/// A CSV cell: quoted when it holds a comma, a quote or a line break.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
