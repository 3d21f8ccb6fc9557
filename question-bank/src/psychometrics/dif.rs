//! Differential item functioning between two groups (here: the Kazakh and the Russian
//! versions of a test) by the Mantel-Haenszel procedure, matched on the total score: within
//! each total score, do the two groups get the item right equally often?
//!
//! The common odds ratio α is reported as ETS's delta, D = −2.35 ln α: negative when the item
//! is harder for the focal group than for reference examinees of the same total. ETS classes:
//! A (negligible: |D| < 1 or not significant), C (large: |D| ≥ 1.5 and significant), B between.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EtsClass {
    A,
    B,
    C,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DifResult {
    pub item: String,
    /// Examinees of each group who were given the item.
    pub reference: usize,
    pub focal: usize,
    /// The Mantel-Haenszel common odds ratio (reference over focal).
    pub odds_ratio: f64,
    /// ETS delta: −2.35 ln α.
    pub delta: f64,
    /// Mantel-Haenszel chi-square with continuity correction, and its p-value (1 df).
    pub chi2: f64,
    pub p: f64,
    pub class: EtsClass,
    /// Which group the item disadvantages, when the class is B or C.
    pub harder_for: Option<String>,
}

/// Mantel-Haenszel DIF for every item. `focal[i]` says whether examinee `i` is in the focal
/// group; `scores` are their 0/1 item scores (`None`: not given). Matched on the total score.
pub fn mantel_haenszel(
    items: &[String],
    scores: &[Vec<Option<u8>>],
    focal: &[bool],
    names: (&str, &str),
) -> Vec<DifResult> {
    let totals: Vec<u32> = scores
        .iter()
        .map(|r| r.iter().flatten().map(|&x| u32::from(x.min(1))).sum())
        .collect();
    let max_total = totals.iter().copied().max().unwrap_or(0) as usize;
    items
        .iter()
        .enumerate()
        .map(|(j, id)| {
            // Per stratum: [ref right, ref wrong, focal right, focal wrong].
            let mut table = vec![[0.0f64; 4]; max_total + 1];
            let (mut n_ref, mut n_foc) = (0, 0);
            for ((r, &t), &f) in scores.iter().zip(&totals).zip(focal) {
                let Some(x) = r[j] else { continue };
                let right = x >= 1;
                let cell = match (f, right) {
                    (false, true) => 0,
                    (false, false) => 1,
                    (true, true) => 2,
                    (true, false) => 3,
                };
                table[t as usize][cell] += 1.0;
                if f {
                    n_foc += 1;
                } else {
                    n_ref += 1;
                }
            }
            let (mut num, mut den) = (0.0, 0.0);
            let (mut sum_a, mut sum_ea, mut sum_var) = (0.0, 0.0, 0.0);
            for [a, b, c, d] in table {
                let n = a + b + c + d;
                if n < 2.0 {
                    continue;
                }
                num += a * d / n;
                den += b * c / n;
                let (n_r, n_f, m1, m0) = (a + b, c + d, a + c, b + d);
                if n_r == 0.0 || n_f == 0.0 || m1 == 0.0 || m0 == 0.0 {
                    continue;
                }
                sum_a += a;
                sum_ea += n_r * m1 / n;
                sum_var += n_r * n_f * m1 * m0 / (n * n * (n - 1.0));
            }
            let odds_ratio = if num > 0.0 && den > 0.0 {
                num / den
            } else {
                1.0
            };
            let delta = -2.35 * odds_ratio.ln();
            let chi2 = if sum_var > 0.0 {
                let d = ((sum_a - sum_ea).abs() - 0.5).max(0.0);
                d * d / sum_var
            } else {
                0.0
            };
            let p = super::chi_square_p(chi2, 1.0);
            let significant = p < 0.05;
            let class = if !significant || delta.abs() < 1.0 {
                EtsClass::A
            } else if delta.abs() >= 1.5 {
                EtsClass::C
            } else {
                EtsClass::B
            };
            let harder_for = (class != EtsClass::A)
                .then(|| if delta < 0.0 { names.1 } else { names.0 }.to_string());
            DifResult {
                item: id.clone(),
                reference: n_ref,
                focal: n_foc,
                odds_ratio,
                delta,
                chi2,
                p,
                class,
                harder_for,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::irt::ItemParams;
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn a_translation_that_makes_an_item_harder_is_flagged() {
        // 20 items; item 3 is one logit harder in the focal language; abilities are the same
        // in both groups.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
        let items: Vec<ItemParams> = (0..20)
            .map(|i| ItemParams {
                a: 1.2,
                b: -1.5 + 0.15 * f64::from(i),
            })
            .collect();
        let mut scores = Vec::new();
        let mut focal = Vec::new();
        for n in 0..4000 {
            let in_focal = n % 2 == 1;
            let (u1, u2): (f64, f64) = (rng.random::<f64>().max(1e-12), rng.random());
            let theta = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            let row: Vec<Option<u8>> = items
                .iter()
                .enumerate()
                .map(|(j, it)| {
                    let shift = if j == 3 && in_focal { 1.0 } else { 0.0 };
                    let p = ItemParams {
                        a: it.a,
                        b: it.b + shift,
                    }
                    .p(theta);
                    Some(u8::from(rng.random::<f64>() < p))
                })
                .collect();
            scores.push(row);
            focal.push(in_focal);
        }
        let names: Vec<String> = (0..20).map(|i| format!("q{i}")).collect();
        let r = mantel_haenszel(&names, &scores, &focal, ("ru", "kk"));
        assert_eq!(r[3].class, EtsClass::C, "{:?}", r[3]);
        assert_eq!(r[3].harder_for.as_deref(), Some("kk"));
        assert!(r[3].delta < -1.5);
        let flagged: Vec<&str> = r
            .iter()
            .filter(|x| x.class != EtsClass::A)
            .map(|x| x.item.as_str())
            .collect();
        assert_eq!(flagged, ["q3"], "{r:#?}");
        assert_eq!(r[0].reference + r[0].focal, 4000);
    }
}
