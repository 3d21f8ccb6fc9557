//! Classical item analysis: facility, discrimination (upper-lower 27% index and corrected
//! point-biserial), distractors, reliability (Cronbach's alpha, which is KR-20 for 0/1 items),
//! the standard error of measurement and the score distribution, with flags for items outside
//! sane bounds.

use super::{ResponseMatrix, correlation, mean, variance};
use serde::{Deserialize, Serialize};

/// Why an item needs a methodologist's look.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "flag")]
pub enum Flag {
    /// Facility above the upper bound: almost everyone gets it right.
    TooEasy,
    /// Facility below the lower bound.
    TooHard,
    /// Corrected point-biserial below the bound: it hardly separates strong from weak.
    LowDiscrimination,
    /// Weak examinees do better than strong ones: a wrong key or an ambiguous question.
    NegativeDiscrimination,
    /// A wrong option chosen more by high scorers than by low scorers.
    DistractorAttractsHighScorers { option: usize },
}

/// The bounds behind the flags.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    pub min_facility: f64,
    pub max_facility: f64,
    pub min_point_biserial: f64,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            min_facility: 0.2,
            max_facility: 0.9,
            min_point_biserial: 0.15,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemStats {
    pub item: String,
    /// Examinees who were given the item.
    pub n: usize,
    /// Mean score (the proportion right for 0/1 items).
    pub facility: f64,
    /// Facility in the top 27% by total minus facility in the bottom 27%.
    pub discrimination_index: f64,
    /// Correlation of the item with the total of the other items.
    pub point_biserial: f64,
    /// Cronbach's alpha of the test without this item.
    pub alpha_if_deleted: f64,
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reliability {
    pub items: usize,
    /// Cronbach's alpha (equal to KR-20 when every score is 0 or 1).
    pub alpha: f64,
    /// Standard error of measurement: SD × √(1 − alpha), in score points.
    pub sem: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassicalReport {
    pub examinees: usize,
    pub items: Vec<ItemStats>,
    pub mean: f64,
    pub sd: f64,
    pub reliability: Reliability,
    /// Reliability per named group of items (competencies), with at least two items.
    pub groups: Vec<(String, Reliability)>,
    /// How many examinees have each total score (totals rounded to whole points).
    pub distribution: Vec<(u32, usize)>,
}

/// Analyses every item and the test. `groups` names subsets of columns (competencies).
pub fn analyse(
    m: &ResponseMatrix,
    groups: &[(String, Vec<usize>)],
    bounds: Bounds,
) -> ClassicalReport {
    let totals = m.totals();
    let n = m.rows.len();
    let (low, high) = extremes(&totals, 0.27);
    let alpha = reliability(m);
    // For alpha without item j: the item variances, and each item's covariance with the
    // total (not reached counts 0, as in `reliability`).
    let k = m.items.len();
    let total_mean = mean(&totals);
    let total_var = variance(&totals);
    let mut item_var = vec![0.0; k];
    let mut item_cov = vec![0.0; k];
    for j in 0..k {
        let xs: Vec<f64> = m.rows.iter().map(|r| r[j].unwrap_or(0.0)).collect();
        let xm = mean(&xs);
        item_var[j] = variance(&xs);
        item_cov[j] = xs
            .iter()
            .zip(&totals)
            .map(|(x, t)| (x - xm) * (t - total_mean))
            .sum::<f64>()
            / xs.len().max(1) as f64;
    }
    let sum_var: f64 = item_var.iter().sum();
    let mut items = Vec::with_capacity(m.items.len());
    for (j, id) in m.items.iter().enumerate() {
        let given: Vec<(f64, f64)> = m
            .rows
            .iter()
            .zip(&totals)
            .filter_map(|(r, t)| r[j].map(|s| (s, t - s)))
            .collect();
        let facility = mean(&given.iter().map(|p| p.0).collect::<Vec<_>>());
        let group_facility = |who: &[usize]| {
            let s: Vec<f64> = who.iter().filter_map(|&i| m.rows[i][j]).collect();
            mean(&s)
        };
        let discrimination_index = group_facility(&high) - group_facility(&low);
        let point_biserial = correlation(&given);
        // Var(T − x) = Var(T) + Var(x) − 2 Cov(T, x).
        let rest_var = total_var + item_var[j] - 2.0 * item_cov[j];
        let alpha_if_deleted = if k >= 3 && rest_var > 0.0 {
            let k1 = (k - 1) as f64;
            (k1 / (k1 - 1.0)) * (1.0 - (sum_var - item_var[j]) / rest_var)
        } else {
            0.0
        };
        let mut flags = Vec::new();
        if facility > bounds.max_facility {
            flags.push(Flag::TooEasy);
        }
        if facility < bounds.min_facility {
            flags.push(Flag::TooHard);
        }
        if point_biserial < 0.0 {
            flags.push(Flag::NegativeDiscrimination);
        } else if point_biserial < bounds.min_point_biserial {
            flags.push(Flag::LowDiscrimination);
        }
        items.push(ItemStats {
            item: id.clone(),
            n: given.len(),
            facility,
            discrimination_index,
            point_biserial,
            alpha_if_deleted,
            flags,
        });
    }
    let mut counts = std::collections::BTreeMap::<u32, usize>::new();
    for t in &totals {
        *counts.entry(t.round().max(0.0) as u32).or_default() += 1;
    }
    ClassicalReport {
        examinees: n,
        items,
        mean: mean(&totals),
        sd: variance(&totals).sqrt(),
        reliability: alpha,
        groups: groups
            .iter()
            .filter(|(_, cols)| cols.len() >= 2)
            .map(|(name, cols)| (name.clone(), reliability(&m.columns(cols))))
            .collect(),
        distribution: counts.into_iter().collect(),
    }
}

/// Cronbach's alpha and the SEM of a matrix (not reached counts 0).
pub fn reliability(m: &ResponseMatrix) -> Reliability {
    let k = m.items.len();
    let totals = m.totals();
    let total_var = variance(&totals);
    let item_var: f64 = (0..k)
        .map(|j| {
            let s: Vec<f64> = m.rows.iter().map(|r| r[j].unwrap_or(0.0)).collect();
            variance(&s)
        })
        .sum();
    let alpha = if k < 2 || total_var <= 0.0 {
        0.0
    } else {
        (k as f64 / (k as f64 - 1.0)) * (1.0 - item_var / total_var)
    };
    Reliability {
        items: k,
        alpha,
        sem: total_var.sqrt() * (1.0 - alpha).max(0.0).sqrt(),
    }
}

/// The examinees in the bottom and top `share` by total (at least one each; ties broken by
/// position, so the groups have equal size).
fn extremes(totals: &[f64], share: f64) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by(|&a, &b| totals[a].total_cmp(&totals[b]));
    let size = ((totals.len() as f64 * share).ceil() as usize).clamp(1, totals.len().max(1));
    if totals.is_empty() {
        return (vec![], vec![]);
    }
    let low = order[..size].to_vec();
    let high = order[order.len() - size..].to_vec();
    (low, high)
}

/// What each option of a choice item drew among low, middle and high scorers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionShare {
    pub option: usize,
    pub key: bool,
    /// Share of the group that chose the option: bottom 27%, middle 46%, top 27%.
    pub low: f64,
    pub middle: f64,
    pub high: f64,
}

/// Distractor analysis of one item: `choices[i]` is the option examinee `i` chose (`None`:
/// no answer), `totals[i]` their total, `key` the right options. A wrong option chosen by a
/// larger share of the top group than of the bottom group is flagged.
pub fn distractors(
    choices: &[Option<usize>],
    totals: &[f64],
    key: &[usize],
    options: usize,
) -> (Vec<OptionShare>, Vec<Flag>) {
    let (low, high) = extremes(totals, 0.27);
    let mut in_group = vec![1u8; totals.len()];
    for &i in &low {
        in_group[i] = 0;
    }
    for &i in &high {
        in_group[i] = 2;
    }
    let sizes = [0u8, 1, 2].map(|g| in_group.iter().filter(|&&x| x == g).count().max(1) as f64);
    let mut shares = Vec::with_capacity(options);
    let mut flags = Vec::new();
    for o in 0..options {
        let mut chose = [0.0f64; 3];
        for (i, c) in choices.iter().enumerate() {
            if *c == Some(o) {
                chose[usize::from(in_group[i])] += 1.0;
            }
        }
        let share = OptionShare {
            option: o,
            key: key.contains(&o),
            low: chose[0] / sizes[0],
            middle: chose[1] / sizes[1],
            high: chose[2] / sizes[2],
        };
        if !share.key && share.high > share.low {
            flags.push(Flag::DistractorAttractsHighScorers { option: o });
        }
        shares.push(share);
    }
    (shares, flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(rows: &[&str]) -> ResponseMatrix {
        let k = rows[0].len();
        ResponseMatrix::new(
            (1..=k).map(|i| format!("q{i}")).collect(),
            rows.iter()
                .map(|r| {
                    r.chars()
                        .map(|c| match c {
                            '1' => Some(1.0),
                            '0' => Some(0.0),
                            _ => None,
                        })
                        .collect()
                })
                .collect(),
        )
        .expect("matrix")
    }

    #[test]
    fn kr20_by_hand() {
        // 5 examinees, 4 items. Totals 4,3,2,1,0: variance 2. p = .8,.6,.4,.2:
        // Σpq = .16+.24+.24+.16 = .8; KR-20 = 4/3 (1 - .8/2) = 0.8.
        let m = matrix(&["1111", "1110", "1100", "1000", "0000"]);
        let r = reliability(&m);
        assert!((r.alpha - 0.8).abs() < 1e-12, "{}", r.alpha);
        assert!((r.sem - 2f64.sqrt() * 0.2f64.sqrt()).abs() < 1e-12);
        let report = analyse(&m, &[("all".into(), vec![0, 1, 2, 3])], Bounds::default());
        assert_eq!(
            report.distribution,
            [(0, 1), (1, 1), (2, 1), (3, 1), (4, 1)]
        );
        let p: Vec<f64> = report.items.iter().map(|i| i.facility).collect();
        assert_eq!(p, [0.8, 0.6, 0.4, 0.2]);
        // Bottom 27% of 5 is 2 examinees (totals 0, 1), top 2 (4, 3): item 2 is .0 vs 1.0.
        assert!((report.items[1].discrimination_index - 1.0).abs() < 1e-12);
        assert!(report.items.iter().all(|i| i.point_biserial > 0.5));
        assert!((report.groups[0].1.alpha - 0.8).abs() < 1e-12);
    }

    #[test]
    fn flags_catch_a_miskeyed_item_and_extremes() {
        // q4 is right exactly for the weak examinees: its key is probably wrong.
        let m = matrix(&[
            "11110", "11110", "11100", "11101", "11001", "10001", "10001", "10001", "10001",
            "10001",
        ]);
        let r = analyse(&m, &[], Bounds::default());
        assert!(
            r.items[0].flags.contains(&Flag::TooEasy),
            "{:?}",
            r.items[0]
        );
        assert!(
            r.items[4].flags.contains(&Flag::NegativeDiscrimination),
            "{:?}",
            r.items[4]
        );
        assert!(r.items[4].discrimination_index < 0.0);
        // Deleting the miskeyed item raises alpha.
        assert!(r.items[4].alpha_if_deleted > r.reliability.alpha);
    }

    #[test]
    fn alpha_if_deleted_is_alpha_of_the_other_items() {
        let m = matrix(&[
            "110101", "111001", "100100", "011111", "000010", "111110", "101.01", "010001",
        ]);
        let r = analyse(&m, &[], Bounds::default());
        for (j, item) in r.items.iter().enumerate() {
            let others: Vec<usize> = (0..6).filter(|&c| c != j).collect();
            let direct = reliability(&m.columns(&others)).alpha;
            assert!((item.alpha_if_deleted - direct).abs() < 1e-12, "item {j}");
        }
    }

    #[test]
    fn not_reached_items_are_left_out_of_their_statistics() {
        let m = matrix(&["11", "1.", "00", "0."]);
        let r = analyse(&m, &[], Bounds::default());
        assert_eq!(r.items[1].n, 2);
        assert_eq!(r.items[1].facility, 0.5);
        assert_eq!(r.items[0].n, 4);
    }

    #[test]
    fn a_distractor_that_draws_strong_examinees_is_flagged() {
        // Ten examinees by total; option 2 (wrong) is chosen by the strong ones.
        let totals: Vec<f64> = (0..10).map(f64::from).collect();
        let choices = [
            Some(1),
            Some(1),
            Some(3),
            Some(0),
            Some(0),
            Some(0),
            Some(0),
            Some(2),
            Some(2),
            Some(2),
        ];
        let (shares, flags) = distractors(&choices, &totals, &[0], 4);
        assert_eq!(flags, [Flag::DistractorAttractsHighScorers { option: 2 }]);
        assert!(shares[0].key && !shares[2].key);
        assert!((shares[2].high - 1.0).abs() < 1e-12, "{:?}", shares[2]);
        assert!((shares[1].low - 2.0 / 3.0).abs() < 1e-12);
    }
}
