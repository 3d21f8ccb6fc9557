//! Modified-Angoff standard setting: each judge rates, for each item, the probability that a
//! minimally competent candidate gets it right, over one or more rounds (seeing the items'
//! statistics between rounds). A judge's cut is the sum of their ratings; the panel's cut is
//! the judges' mean, with the standard error of that mean. With calibrated items the cut is
//! also an ability, so every form carries the same standard.

use super::irt::{ItemParams, expected_score, theta_for_weighted_score};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Round {
    /// `ratings[judge][item]`, each in 0..=1.
    pub ratings: Vec<Vec<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CutScore {
    /// Expected raw score of a minimally competent candidate on these items.
    pub raw: f64,
    /// The same as a percentage of the items.
    pub percent: f64,
    /// Standard error of the panel's cut (SD of the judges' cuts / √judges), in raw points.
    pub se: f64,
    pub judge_cuts: Vec<f64>,
    /// The ability at the cut, when the items are calibrated.
    pub theta: Option<f64>,
}

/// The cut of one round. `items`: calibrated parameters in the rating order, if any.
pub fn cut_score(round: &Round, items: Option<&[ItemParams]>) -> Result<CutScore, String> {
    let n = round.ratings.first().map_or(0, Vec::len);
    weighted_cut_score(round, &vec![1.0; n], items)
}

/// The cut of one round when items are worth different points (`weights`, in the rating
/// order): the percentage is of the points, and the ability is the one whose expected points
/// equal the panel's.
pub fn weighted_cut_score(
    round: &Round,
    weights: &[f64],
    items: Option<&[ItemParams]>,
) -> Result<CutScore, String> {
    let judges = round.ratings.len();
    if judges == 0 {
        return Err("no judge has rated".into());
    }
    let n_items = round.ratings[0].len();
    if n_items == 0 {
        return Err("no item was rated".into());
    }
    for (j, r) in round.ratings.iter().enumerate() {
        if r.len() != n_items {
            return Err(format!(
                "judge {} rated {} items, not {n_items}",
                j + 1,
                r.len()
            ));
        }
        if let Some(x) = r.iter().find(|x| !(0.0..=1.0).contains(*x)) {
            return Err(format!("judge {} gave {x}, outside 0..1", j + 1));
        }
    }
    if weights.len() != n_items || weights.iter().any(|w| !(*w > 0.0 && w.is_finite())) {
        return Err(format!("{n_items} positive weights are needed"));
    }
    if let Some(p) = items
        && p.len() != n_items
    {
        return Err(format!("{} calibrated items for {n_items} rated", p.len()));
    }
    let judge_cuts: Vec<f64> = round.ratings.iter().map(|r| r.iter().sum()).collect();
    let judge_points: Vec<f64> = round
        .ratings
        .iter()
        .map(|r| r.iter().zip(weights).map(|(x, w)| x * w).sum())
        .collect();
    let total: f64 = weights.iter().sum();
    let raw = super::mean(&judge_cuts);
    let points = super::mean(&judge_points);
    let se = if judges > 1 {
        let m = raw;
        let var = judge_cuts.iter().map(|c| (c - m) * (c - m)).sum::<f64>() / (judges - 1) as f64;
        (var / judges as f64).sqrt()
    } else {
        0.0
    };
    Ok(CutScore {
        raw,
        percent: 100.0 * points / total,
        se,
        judge_cuts,
        theta: items.map(|p| theta_for_weighted_score(p, weights, points)),
    })
}

/// What the panel's standard means on another form: the expected percentage of that form's
/// items a candidate at the cut ability gets right.
pub fn carried_percent(theta: f64, form: &[ItemParams]) -> f64 {
    if form.is_empty() {
        return 0.0;
    }
    100.0 * expected_score(form, theta) / form.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panel_cut_is_the_mean_of_the_judges_cuts() {
        let round = Round {
            ratings: vec![
                vec![0.6, 0.7, 0.5, 0.8],
                vec![0.5, 0.6, 0.4, 0.7],
                vec![0.7, 0.8, 0.6, 0.9],
            ],
        };
        let cut = cut_score(&round, None).expect("cut");
        // Judge cuts 2.6, 2.2, 3.0: mean 2.6, SD 0.4, SE 0.4/√3.
        assert!((cut.raw - 2.6).abs() < 1e-12);
        assert!((cut.percent - 65.0).abs() < 1e-9);
        assert!((cut.se - 0.4 / 3f64.sqrt()).abs() < 1e-12);
        assert!(cut.theta.is_none());
        let bad = Round {
            ratings: vec![vec![0.5, 1.2]],
        };
        assert!(cut_score(&bad, None).is_err());
        // Weighted: the second item worth 3 points.
        let two = Round {
            ratings: vec![vec![0.5, 1.0], vec![0.5, 0.5]],
        };
        let w = weighted_cut_score(&two, &[1.0, 3.0], None).expect("cut");
        // Judge points 3.5 and 2.0 of 4: 68.75%.
        assert!((w.percent - 68.75).abs() < 1e-9);
        assert!(weighted_cut_score(&two, &[1.0], None).is_err());
    }

    #[test]
    fn a_cut_carries_to_another_form_through_the_item_parameters() {
        let form_a: Vec<ItemParams> = (0..10)
            .map(|i| ItemParams {
                a: 1.0,
                b: -1.0 + 0.2 * f64::from(i),
            })
            .collect();
        let harder: Vec<ItemParams> = form_a
            .iter()
            .map(|p| ItemParams {
                a: p.a,
                b: p.b + 0.5,
            })
            .collect();
        let round = Round {
            ratings: vec![vec![0.6; 10], vec![0.6; 10]],
        };
        let cut = cut_score(&round, Some(&form_a)).expect("cut");
        let theta = cut.theta.expect("calibrated");
        assert!((carried_percent(theta, &form_a) - 60.0).abs() < 1e-6);
        // The same standard asks for fewer right answers on a harder form.
        assert!(carried_percent(theta, &harder) < 55.0);
    }
}
