//! Item response theory: the Rasch model (one discrimination shared by all items) and the
//! two-parameter logistic model (2PL), calibrated by marginal maximum likelihood with the EM
//! algorithm over a fixed quadrature of a standard normal ability distribution; standard
//! errors from the cross-product of each examinee's score; item fit (observed against expected
//! proportions in ten ability groups); ability estimates (EAP with their posterior SD); the
//! test information function.
//!
//! P(right | θ) = 1 / (1 + exp(−a (θ − b))).

use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    /// One discrimination for every item (estimated), a difficulty per item.
    Rasch,
    /// A discrimination and a difficulty per item.
    TwoPl,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ItemParams {
    /// Discrimination.
    pub a: f64,
    /// Difficulty: the ability with a 50% chance.
    pub b: f64,
}

impl ItemParams {
    pub fn p(&self, theta: f64) -> f64 {
        logistic(self.a * (theta - self.b))
    }

    /// Fisher information at `theta`: a² P (1 − P).
    pub fn information(&self, theta: f64) -> f64 {
        let p = self.p(theta);
        self.a * self.a * p * (1.0 - p)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemEstimate {
    pub item: String,
    pub a: f64,
    pub b: f64,
    pub se_a: f64,
    pub se_b: f64,
    /// Observed against expected proportions right in ten ability groups.
    pub fit_chi2: f64,
    pub fit_df: f64,
    pub fit_p: f64,
}

impl ItemEstimate {
    pub fn params(&self) -> ItemParams {
        ItemParams {
            a: self.a,
            b: self.b,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub model: Model,
    pub items: Vec<ItemEstimate>,
    /// Marginal log-likelihood at the estimates.
    pub log_likelihood: f64,
    pub iterations: usize,
    pub converged: bool,
    pub examinees: usize,
}

impl Calibration {
    pub fn params(&self) -> Vec<ItemParams> {
        self.items.iter().map(ItemEstimate::params).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Quadrature points, equally spaced on [−`range`, `range`].
    pub nodes: usize,
    pub range: f64,
    /// Stop when no parameter moves more than this in an iteration.
    pub tolerance: f64,
    pub max_iterations: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            nodes: 41,
            range: 5.0,
            tolerance: 1e-4,
            max_iterations: 500,
        }
    }
}

fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Quadrature nodes and normalised standard-normal weights.
fn quadrature(o: &Options) -> (Vec<f64>, Vec<f64>) {
    let k = o.nodes.max(3);
    let step = 2.0 * o.range / (k - 1) as f64;
    let nodes: Vec<f64> = (0..k).map(|i| -o.range + step * i as f64).collect();
    let raw: Vec<f64> = nodes.iter().map(|t| (-0.5 * t * t).exp()).collect();
    let sum: f64 = raw.iter().sum();
    (nodes, raw.into_iter().map(|w| w / sum).collect())
}

/// Identical response patterns, counted once (1 right, 0 wrong, 2 not given).
struct Patterns {
    rows: Vec<Vec<u8>>,
    counts: Vec<f64>,
    /// For each examinee, the index of their pattern.
    of_examinee: Vec<usize>,
}

fn patterns(data: &[Vec<Option<u8>>]) -> Patterns {
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut rows = Vec::new();
    let mut counts: Vec<f64> = Vec::new();
    let mut of_examinee = Vec::with_capacity(data.len());
    for r in data {
        let code: Vec<u8> = r.iter().map(|x| x.map(|v| v.min(1)).unwrap_or(2)).collect();
        let at = *index.entry(code.clone()).or_insert_with(|| {
            rows.push(code);
            counts.push(0.0);
            rows.len() - 1
        });
        counts[at] += 1.0;
        of_examinee.push(at);
    }
    Patterns {
        rows,
        counts,
        of_examinee,
    }
}

/// The E step: posteriors over the nodes for each pattern, and the expected counts.
struct Expected {
    /// Expected examinees given item j at node k, and of them right: `[j * K + k]`.
    n: Vec<f64>,
    r: Vec<f64>,
    log_likelihood: f64,
}

struct Tables {
    k: usize,
    /// ln P and ln(1 − P), `[j * K + k]`.
    lp: Vec<f64>,
    lq: Vec<f64>,
    /// ln P − ln(1 − P), `[j * K + k]`.
    d: Vec<f64>,
    /// Σ_j ln(1 − P) per node: the log-likelihood of getting every item wrong.
    base: Vec<f64>,
}

fn tables(items: &[ItemParams], nodes: &[f64]) -> Tables {
    let k = nodes.len();
    let mut lp = vec![0.0; items.len() * k];
    let mut lq = vec![0.0; items.len() * k];
    for (j, it) in items.iter().enumerate() {
        for (q, &t) in nodes.iter().enumerate() {
            let p = it.p(t).clamp(1e-12, 1.0 - 1e-12);
            lp[j * k + q] = p.ln();
            lq[j * k + q] = (1.0 - p).ln();
        }
    }
    let d = lp.iter().zip(&lq).map(|(p, q)| p - q).collect();
    let mut base = vec![0.0; k];
    for j in 0..items.len() {
        for (b, q) in base.iter_mut().zip(&lq[j * k..(j + 1) * k]) {
            *b += q;
        }
    }
    Tables { k, lp, lq, d, base }
}

/// Log posterior weights (unnormalised) of one pattern at every node: all wrong, plus the
/// difference for each right item, minus the items not given.
fn pattern_log_like(row: &[u8], t: &Tables, prior_ln: &[f64], out: &mut [f64]) {
    for ((o, p), b) in out.iter_mut().zip(prior_ln).zip(&t.base) {
        *o = p + b;
    }
    for (j, &x) in row.iter().enumerate() {
        match x {
            0 => {}
            1 => {
                for (o, v) in out.iter_mut().zip(&t.d[j * t.k..(j + 1) * t.k]) {
                    *o += v;
                }
            }
            _ => {
                for (o, v) in out.iter_mut().zip(&t.lq[j * t.k..(j + 1) * t.k]) {
                    *o -= v;
                }
            }
        }
    }
}

/// Normalises log weights in place into a posterior; returns ln of the marginal likelihood.
fn normalise(ll: &mut [f64]) -> f64 {
    let max = ll.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in ll.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in ll.iter_mut() {
        *v /= sum;
    }
    max + sum.ln()
}

fn e_step(p: &Patterns, items: &[ItemParams], nodes: &[f64], weights: &[f64]) -> Expected {
    let t = tables(items, nodes);
    let k = t.k;
    let j_count = items.len();
    let prior_ln: Vec<f64> = weights.iter().map(|w| w.ln()).collect();
    // Expected examinees at each node in all (every item given), less those who were not
    // given item j; and of those given j, how many got it right.
    let mut all = vec![0.0; k];
    let mut missing = vec![0.0; j_count * k];
    let mut r = vec![0.0; j_count * k];
    let mut post = vec![0.0; k];
    let mut log_likelihood = 0.0;
    for (row, &count) in p.rows.iter().zip(&p.counts) {
        pattern_log_like(row, &t, &prior_ln, &mut post);
        log_likelihood += count * normalise(&mut post);
        for v in post.iter_mut() {
            *v *= count;
        }
        for (a, b) in all.iter_mut().zip(&post) {
            *a += b;
        }
        for (j, &x) in row.iter().enumerate() {
            let target = match x {
                0 => continue,
                1 => &mut r[j * k..(j + 1) * k],
                _ => &mut missing[j * k..(j + 1) * k],
            };
            for (a, b) in target.iter_mut().zip(&post) {
                *a += b;
            }
        }
    }
    let mut n = missing;
    for j in 0..j_count {
        for (m, a) in n[j * k..(j + 1) * k].iter_mut().zip(&all) {
            *m = a - *m;
        }
    }
    Expected {
        n,
        r,
        log_likelihood,
    }
}

/// Newton steps for one item's slope and intercept (logit = a θ + c) on the expected counts;
/// `slope: None` keeps a fixed (Rasch).
fn m_step_item(n: &[f64], r: &[f64], nodes: &[f64], a: &mut f64, c: &mut f64, free_slope: bool) {
    for _ in 0..20 {
        let (mut ga, mut gc, mut haa, mut hac, mut hcc) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for ((&nk, &rk), &t) in n.iter().zip(r).zip(nodes) {
            let p = logistic(*a * t + *c);
            let w = nk * p * (1.0 - p);
            let g = rk - nk * p;
            ga += g * t;
            gc += g;
            haa += w * t * t;
            hac += w * t;
            hcc += w;
        }
        let (da, dc) = if free_slope {
            let det = haa * hcc - hac * hac;
            if det.abs() < 1e-12 {
                break;
            }
            ((hcc * ga - hac * gc) / det, (haa * gc - hac * ga) / det)
        } else {
            if hcc < 1e-12 {
                break;
            }
            (0.0, gc / hcc)
        };
        // Damped: at most one unit per step.
        let scale = 1.0f64.min(1.0 / da.abs().max(dc.abs()).max(1e-12));
        *a = (*a + da * scale).clamp(0.05, 8.0);
        *c = (*c + dc * scale).clamp(-40.0, 40.0);
        if da.abs().max(dc.abs()) < 1e-8 {
            break;
        }
    }
}

/// One Newton step for the slope shared by all items (Rasch), intercepts fixed.
fn m_step_common_slope(e: &Expected, nodes: &[f64], a: &mut f64, c: &[f64]) {
    let k = nodes.len();
    for _ in 0..20 {
        let (mut g, mut h) = (0.0, 0.0);
        for (j, &cj) in c.iter().enumerate() {
            for (q, &t) in nodes.iter().enumerate() {
                let p = logistic(*a * t + cj);
                let nk = e.n[j * k + q];
                g += (e.r[j * k + q] - nk * p) * t;
                h += nk * p * (1.0 - p) * t * t;
            }
        }
        if h < 1e-12 {
            break;
        }
        let step = (g / h).clamp(-1.0, 1.0);
        *a = (*a + step).clamp(0.05, 8.0);
        if step.abs() < 1e-8 {
            break;
        }
    }
}

/// Calibrates `model` on 0/1 data (`None`: not given). `items` names the columns.
pub fn calibrate(
    items: &[String],
    data: &[Vec<Option<u8>>],
    model: Model,
    o: &Options,
) -> Result<Calibration, String> {
    let j_count = items.len();
    if j_count == 0 || data.is_empty() {
        return Err("there is nothing to calibrate".into());
    }
    if data.iter().any(|r| r.len() != j_count) {
        return Err("every examinee needs a cell for every item".into());
    }
    for (j, id) in items.iter().enumerate() {
        let given: Vec<u8> = data.iter().filter_map(|r| r[j]).collect();
        let right = given.iter().filter(|&&x| x >= 1).count();
        if given.is_empty() || right == 0 || right == given.len() {
            return Err(format!(
                "item {id}: everyone (or no one) got it right; it cannot be calibrated"
            ));
        }
    }
    let pats = patterns(data);
    let (nodes, weights) = quadrature(o);
    // Start from the classical facilities: b from the logit of p.
    let mut a: Vec<f64> = vec![1.0; j_count];
    let mut c: Vec<f64> = (0..j_count)
        .map(|j| {
            let given: Vec<u8> = data.iter().filter_map(|r| r[j]).collect();
            let p = given.iter().filter(|&&x| x >= 1).count() as f64 / given.len() as f64;
            (p / (1.0 - p)).ln()
        })
        .collect();
    let mut iterations = 0;
    let mut converged = false;
    let mut last_ll = f64::NEG_INFINITY;
    while iterations < o.max_iterations {
        iterations += 1;
        let params: Vec<ItemParams> = a
            .iter()
            .zip(&c)
            .map(|(&a, &c)| ItemParams { a, b: -c / a })
            .collect();
        let e = e_step(&pats, &params, &nodes, &weights);
        last_ll = e.log_likelihood;
        let k = nodes.len();
        let (old_a, old_c) = (a.clone(), c.clone());
        match model {
            Model::TwoPl => {
                for j in 0..j_count {
                    let (n, r) = (&e.n[j * k..(j + 1) * k], &e.r[j * k..(j + 1) * k]);
                    m_step_item(n, r, &nodes, &mut a[j], &mut c[j], true);
                }
            }
            Model::Rasch => {
                let mut common = a[0];
                for (j, cj) in c.iter_mut().enumerate() {
                    let (n, r) = (&e.n[j * k..(j + 1) * k], &e.r[j * k..(j + 1) * k]);
                    m_step_item(n, r, &nodes, &mut common, cj, false);
                }
                m_step_common_slope(&e, &nodes, &mut common, &c);
                a.iter_mut().for_each(|x| *x = common);
            }
        }
        let moved = a
            .iter()
            .zip(&old_a)
            .chain(c.iter().zip(&old_c))
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        if moved < o.tolerance {
            converged = true;
            break;
        }
    }
    let params: Vec<ItemParams> = a
        .iter()
        .zip(&c)
        .map(|(&a, &c)| ItemParams { a, b: -c / a })
        .collect();
    let (se_a, se_b) = standard_errors(&pats, &params, &nodes, &weights, model);
    let fit = item_fit(data, &params, &nodes, &weights, model);
    let items = items
        .iter()
        .enumerate()
        .map(|(j, id)| ItemEstimate {
            item: id.clone(),
            a: params[j].a,
            b: params[j].b,
            se_a: se_a[j],
            se_b: se_b[j],
            fit_chi2: fit[j].0,
            fit_df: fit[j].1,
            fit_p: super::chi_square_p(fit[j].0, fit[j].1),
        })
        .collect();
    Ok(Calibration {
        model,
        items,
        log_likelihood: last_ll,
        iterations,
        converged,
        examinees: data.len(),
    })
}

/// Standard errors from the cross-product of each examinee's score for the item's own
/// parameters (slope and intercept; for Rasch the intercept, and the shared slope over all
/// items), carried to (a, b) by the delta method.
fn standard_errors(
    p: &Patterns,
    items: &[ItemParams],
    nodes: &[f64],
    weights: &[f64],
    model: Model,
) -> (Vec<f64>, Vec<f64>) {
    let t = tables(items, nodes);
    let k = t.k;
    let j_count = items.len();
    let prior_ln: Vec<f64> = weights.iter().map(|w| w.ln()).collect();
    let prob: Vec<f64> = t.lp.iter().map(|v| v.exp()).collect();
    // Per item: Σ count × s sᵀ for s = (d/da, d/dc).
    let mut xpd = vec![[0.0f64; 3]; j_count];
    let mut common = 0.0;
    let mut post = vec![0.0; k];
    for (row, &count) in p.rows.iter().zip(&p.counts) {
        pattern_log_like(row, &t, &prior_ln, &mut post);
        normalise(&mut post);
        let mut s_common = 0.0;
        for (j, &x) in row.iter().enumerate() {
            if x == 2 {
                continue;
            }
            let (mut sa, mut sc) = (0.0, 0.0);
            for q in 0..k {
                let resid = f64::from(x) - prob[j * k + q];
                sa += post[q] * resid * nodes[q];
                sc += post[q] * resid;
            }
            xpd[j][0] += count * sa * sa;
            xpd[j][1] += count * sa * sc;
            xpd[j][2] += count * sc * sc;
            s_common += sa;
        }
        common += count * s_common * s_common;
    }
    let mut se_a = vec![0.0; j_count];
    let mut se_b = vec![0.0; j_count];
    for j in 0..j_count {
        let (a, b) = (items[j].a, items[j].b);
        let c = -a * b;
        let [x_aa, x_ac, x_cc] = xpd[j];
        let (var_a, var_c, cov_ac) = match model {
            Model::TwoPl => {
                let det = x_aa * x_cc - x_ac * x_ac;
                if det <= 0.0 {
                    (f64::NAN, f64::NAN, 0.0)
                } else {
                    (x_cc / det, x_aa / det, -x_ac / det)
                }
            }
            Model::Rasch => {
                let var_a = if common > 0.0 { 1.0 / common } else { f64::NAN };
                let var_c = if x_cc > 0.0 { 1.0 / x_cc } else { f64::NAN };
                (var_a, var_c, 0.0)
            }
        };
        // b = −c / a: ∂b/∂a = c / a², ∂b/∂c = −1 / a.
        let (db_da, db_dc) = (c / (a * a), -1.0 / a);
        let var_b = db_da * db_da * var_a + db_dc * db_dc * var_c + 2.0 * db_da * db_dc * cov_ac;
        se_a[j] = var_a.max(0.0).sqrt();
        se_b[j] = var_b.max(0.0).sqrt();
    }
    (se_a, se_b)
}

/// Observed against expected proportions right in ten groups of examinees by EAP ability:
/// Σ N (O − E)² / (E (1 − E)), with 10 − (parameters of the item) degrees of freedom.
fn item_fit(
    data: &[Vec<Option<u8>>],
    items: &[ItemParams],
    nodes: &[f64],
    weights: &[f64],
    model: Model,
) -> Vec<(f64, f64)> {
    let abilities = eap_all(data, items, nodes, weights);
    let mut order: Vec<usize> = (0..data.len()).collect();
    order.sort_by(|&x, &y| abilities[x].0.total_cmp(&abilities[y].0));
    let groups = 10.min(data.len()).max(1);
    let per = data.len().div_ceil(groups);
    let own = match model {
        Model::TwoPl => 2.0,
        Model::Rasch => 1.0,
    };
    (0..items.len())
        .map(|j| {
            let mut chi2 = 0.0;
            let mut used = 0.0f64;
            for g in order.chunks(per) {
                let (mut obs, mut exp, mut n) = (0.0, 0.0, 0.0);
                for &i in g {
                    if let Some(x) = data[i][j] {
                        obs += f64::from(x.min(1));
                        exp += items[j].p(abilities[i].0);
                        n += 1.0;
                    }
                }
                if n < 1.0 {
                    continue;
                }
                let (o, e) = (obs / n, (exp / n).clamp(1e-6, 1.0 - 1e-6));
                chi2 += n * (o - e) * (o - e) / (e * (1.0 - e));
                used += 1.0;
            }
            (chi2, (used - own).max(1.0))
        })
        .collect()
}

fn eap_all(
    data: &[Vec<Option<u8>>],
    items: &[ItemParams],
    nodes: &[f64],
    weights: &[f64],
) -> Vec<(f64, f64)> {
    let pats = patterns(data);
    let t = tables(items, nodes);
    let prior_ln: Vec<f64> = weights.iter().map(|w| w.ln()).collect();
    let mut post = vec![0.0; t.k];
    let per_pattern: Vec<(f64, f64)> = pats
        .rows
        .iter()
        .map(|row| {
            pattern_log_like(row, &t, &prior_ln, &mut post);
            normalise(&mut post);
            let m: f64 = post.iter().zip(nodes).map(|(w, t)| w * t).sum();
            let v: f64 = post
                .iter()
                .zip(nodes)
                .map(|(w, t)| w * (t - m) * (t - m))
                .sum();
            (m, v.sqrt())
        })
        .collect();
    pats.of_examinee.iter().map(|&p| per_pattern[p]).collect()
}

/// Each examinee's ability: the posterior mean (EAP) under a standard normal prior and its
/// posterior SD (the standard error).
pub fn eap(data: &[Vec<Option<u8>>], items: &[ItemParams], o: &Options) -> Vec<(f64, f64)> {
    let (nodes, weights) = quadrature(o);
    eap_all(data, items, &nodes, &weights)
}

/// The test information function of a set of items at `theta`.
pub fn information(items: &[ItemParams], theta: f64) -> f64 {
    items.iter().map(|i| i.information(theta)).sum()
}

/// The expected score (sum of P) of a set of items at `theta`.
pub fn expected_score(items: &[ItemParams], theta: f64) -> f64 {
    items.iter().map(|i| i.p(theta)).sum()
}

/// The ability whose expected score on `items` is `score` (bisection on [−8, 8]).
pub fn theta_for_score(items: &[ItemParams], score: f64) -> f64 {
    let (mut lo, mut hi) = (-8.0, 8.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if expected_score(items, mid) < score {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The ability whose weighted expected score `Σ w P(θ)` on `items` is `score`.
pub fn theta_for_weighted_score(items: &[ItemParams], weights: &[f64], score: f64) -> f64 {
    let expected = |t: f64| -> f64 {
        items
            .iter()
            .zip(weights)
            .map(|(i, w)| w * i.p(t))
            .sum::<f64>()
    };
    let (mut lo, mut hi) = (-8.0, 8.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if expected(mid) < score {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The default quadrature, computed once.
fn standard_quadrature() -> &'static (Vec<f64>, Vec<f64>) {
    static Q: std::sync::OnceLock<(Vec<f64>, Vec<f64>)> = std::sync::OnceLock::new();
    Q.get_or_init(|| quadrature(&Options::default()))
}

/// The share of a standard-normal population (the calibration's) expected to get the item
/// right: its model-implied p-value.
pub fn marginal_p(item: &ItemParams) -> f64 {
    let (nodes, weights) = standard_quadrature();
    nodes.iter().zip(weights).map(|(t, w)| w * item.p(*t)).sum()
}

/// Difficulties −8..8 in steps of 0.01 with their marginal p-values (a = 1), falling.
fn provisional_table() -> &'static Vec<(f64, f64)> {
    static T: std::sync::OnceLock<Vec<(f64, f64)>> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        (0..=1600)
            .map(|i| {
                let b = -8.0 + 0.01 * f64::from(i);
                (b, marginal_p(&ItemParams { a: 1.0, b }))
            })
            .collect()
    })
}

/// Provisional parameters of an item not calibrated yet: discrimination 1 and the difficulty
/// that gives its p-value `p` in a standard-normal population (so that calibrated and
/// uncalibrated items can be added on one scale, roughly). A table lookup: form assembly asks
/// for thousands at every start.
pub fn provisional(p: f64) -> ItemParams {
    let p = p.clamp(0.01, 0.99);
    let table = provisional_table();
    // The first difficulty whose p-value is at or below p.
    let k = table
        .partition_point(|(_, q)| *q > p)
        .clamp(1, table.len() - 1);
    let ((b0, p0), (b1, p1)) = (table[k - 1], table[k]);
    let t = if (p0 - p1).abs() < 1e-15 {
        0.0
    } else {
        (p0 - p) / (p0 - p1)
    };
    ItemParams {
        a: 1.0,
        b: b0 + t * (b1 - b0),
    }
}

/// A linear change of ability scale: θ* = slope θ + intercept, so b* = slope b + intercept
/// and a* = a / slope.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub slope: f64,
    pub intercept: f64,
    /// Items the link was computed from.
    pub common: usize,
}

impl Link {
    pub fn apply(&self, p: ItemParams) -> ItemParams {
        ItemParams {
            a: p.a / self.slope,
            b: self.slope * p.b + self.intercept,
        }
    }
}

/// Fewest common items a scale link is computed from.
pub const MIN_LINK_ITEMS: usize = 5;

/// Mean-sigma linking: puts a new calibration on the scale of stored parameters through the
/// items both have (`pairs` of stored, new). Every calibration fixes its own examinees'
/// ability at mean 0 and SD 1; a later, abler population would otherwise make every item look
/// easier. `None` with fewer than [`MIN_LINK_ITEMS`] common items or no spread in b.
pub fn mean_sigma_link(pairs: &[(ItemParams, ItemParams)]) -> Option<Link> {
    if pairs.len() < MIN_LINK_ITEMS {
        return None;
    }
    let n = pairs.len() as f64;
    let mean = |f: &dyn Fn(&(ItemParams, ItemParams)) -> f64| pairs.iter().map(f).sum::<f64>() / n;
    let (m_old, m_new) = (mean(&|p| p.0.b), mean(&|p| p.1.b));
    let sd = |f: &dyn Fn(&(ItemParams, ItemParams)) -> f64, m: f64| {
        (pairs.iter().map(|p| (f(p) - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    };
    let (s_old, s_new) = (sd(&|p| p.0.b, m_old), sd(&|p| p.1.b, m_new));
    if !(s_new > 1e-9 && s_old > 1e-9) {
        return None;
    }
    let slope = s_old / s_new;
    Some(Link {
        slope,
        intercept: m_old - slope * m_new,
        common: pairs.len(),
    })
}

/// Simulated 0/1 responses of `n` examinees of ability N(`mean`, 1) (see [`simulate`]).
pub fn simulate_shifted(
    items: &[ItemParams],
    n: usize,
    mean: f64,
    seed: u64,
) -> Vec<Vec<Option<u8>>> {
    let shifted: Vec<ItemParams> = items
        .iter()
        .map(|i| ItemParams {
            a: i.a,
            b: i.b - mean,
        })
        .collect();
    simulate(&shifted, n, seed)
}

/// Simulated 0/1 responses of `n` examinees of standard-normal ability to `items`
/// (reproducible from `seed`): for recovery tests and benchmarks.
pub fn simulate(items: &[ItemParams], n: usize, seed: u64) -> Vec<Vec<Option<u8>>> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            // Standard normal by Box-Muller.
            let (u1, u2): (f64, f64) = (rng.random::<f64>().max(1e-12), rng.random());
            let theta = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            items
                .iter()
                .map(|it| Some(u8::from(rng.random::<f64>() < it.p(theta))))
                .collect()
        })
        .collect()
}

/// `count` items with a in 0.6..2 and b in −2..2 (reproducible from `seed`).
pub fn random_items(count: usize, seed: u64) -> Vec<ItemParams> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| ItemParams {
            a: rng.random_range(0.6..2.0),
            b: rng.random_range(-2.0..2.0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("Item {i}")).collect()
    }

    fn precise() -> Options {
        Options {
            nodes: 61,
            range: 6.0,
            tolerance: 1e-6,
            max_iterations: 5000,
        }
    }

    #[test]
    fn lsat6_two_parameter_estimates_match_the_published_ones() {
        // Published MML estimates (R package ltm, `ltm(LSAT ~ z1)`; Bock and Aitkin's
        // analysis of the same data agrees): difficulty and discrimination.
        let published = [
            (-3.360, 0.825),
            (-1.370, 0.723),
            (-0.280, 0.890),
            (-1.866, 0.689),
            (-3.124, 0.657),
        ];
        let data = super::super::datasets::lsat6();
        assert_eq!(data.len(), 1000);
        let cal = calibrate(&names(5), &data, Model::TwoPl, &precise()).expect("calibrates");
        assert!(cal.converged, "{} iterations", cal.iterations);
        for (est, (b, a)) in cal.items.iter().zip(published) {
            assert!((est.b - b).abs() < 0.03, "{}: b {} vs {b}", est.item, est.b);
            assert!((est.a - a).abs() < 0.02, "{}: a {} vs {a}", est.item, est.a);
            assert!(est.se_a > 0.0 && est.se_b > 0.0, "{est:?}");
        }
        // Published log-likelihood of this model: −2466.65.
        assert!(
            (cal.log_likelihood + 2466.65).abs() < 0.1,
            "{}",
            cal.log_likelihood
        );
    }

    #[test]
    fn lsat6_rasch_estimates_match_the_published_ones() {
        // `rasch(LSAT)` in ltm: one discrimination 0.755 for all items.
        #[allow(clippy::approx_constant)] // −0.318 is a difficulty, not 1/π
        let published_b = [-3.615, -1.322, -0.318, -1.730, -2.780];
        let cal = calibrate(
            &names(5),
            &super::super::datasets::lsat6(),
            Model::Rasch,
            &precise(),
        )
        .expect("calibrates");
        assert!(cal.converged);
        for (est, b) in cal.items.iter().zip(published_b) {
            assert!((est.b - b).abs() < 0.03, "{}: b {} vs {b}", est.item, est.b);
            assert!((est.a - 0.755).abs() < 0.01, "{}: a {}", est.item, est.a);
        }
        // Published: −2466.94 (the 2PL improves it by 0.29: a likelihood-ratio of 0.57 on 4
        // degrees of freedom, p = 0.97, as in ltm's comparison of the two).
        assert!(
            (cal.log_likelihood + 2466.94).abs() < 0.05,
            "{}",
            cal.log_likelihood
        );
    }

    fn corr(x: &[f64], y: &[f64]) -> f64 {
        let pairs: Vec<(f64, f64)> = x.iter().copied().zip(y.iter().copied()).collect();
        super::super::correlation(&pairs)
    }

    #[test]
    fn parameters_are_recovered_from_simulated_data() {
        // 100 items, 5,000 examinees.
        let truth = random_items(100, 7);
        let data = simulate(&truth, 5000, 11);
        let cal =
            calibrate(&names(100), &data, Model::TwoPl, &Options::default()).expect("calibrates");
        let (ta, tb): (Vec<f64>, Vec<f64>) = truth.iter().map(|i| (i.a, i.b)).unzip();
        let (ea, eb): (Vec<f64>, Vec<f64>) = cal.items.iter().map(|i| (i.a, i.b)).unzip();
        let (ra, rb) = (corr(&ta, &ea), corr(&tb, &eb));
        assert!(ra > 0.95, "a recovered with r = {ra}");
        assert!(rb > 0.95, "b recovered with r = {rb}");
        // The standard errors are about the size of the actual errors.
        let mean_se_b: f64 = cal.items.iter().map(|i| i.se_b).sum::<f64>() / 100.0;
        let rmse_b = (tb
            .iter()
            .zip(&eb)
            .map(|(t, e)| (t - e) * (t - e))
            .sum::<f64>()
            / 100.0)
            .sqrt();
        assert!(
            mean_se_b > 0.4 * rmse_b && mean_se_b < 2.5 * rmse_b,
            "mean SE {mean_se_b} vs RMSE {rmse_b}"
        );
        // Abilities: EAP correlates with the truth, SEs are reasonable for 100 items.
        let abilities = eap(&data, &cal.params(), &Options::default());
        assert!(abilities.iter().all(|(_, se)| *se > 0.1 && *se < 0.7));
        // Items fit the model that made them (most p-values are not small).
        let misfits = cal.items.iter().filter(|i| i.fit_p < 0.01).count();
        assert!(misfits <= 5, "{misfits} items misfit");
    }

    #[test]
    fn a_misfitting_item_is_caught() {
        // Item 0 is answered at random (50%) whatever the ability: it fits no logistic curve
        // with a sensible slope... so give it a U shape: right for the weak and the strong.
        let truth = random_items(20, 3);
        let mut data = simulate(&truth, 3000, 5);
        let totals: Vec<usize> = data
            .iter()
            .map(|r| r.iter().skip(1).flatten().map(|&x| usize::from(x)).sum())
            .collect();
        for (r, t) in data.iter_mut().zip(&totals) {
            r[0] = Some(u8::from(*t < 6 || *t > 14));
        }
        let cal =
            calibrate(&names(20), &data, Model::TwoPl, &Options::default()).expect("calibrates");
        assert!(cal.items[0].fit_p < 0.001, "{:?}", cal.items[0]);
    }

    #[test]
    fn information_and_expected_scores() {
        let items = [ItemParams { a: 1.0, b: 0.0 }, ItemParams { a: 2.0, b: 1.0 }];
        assert!((information(&items, 0.0) - (0.25 + 4.0 * 0.1050)).abs() < 1e-3);
        assert!((items[0].p(0.0) - 0.5).abs() < 1e-12);
        let theta = theta_for_score(&items, 1.0);
        assert!((expected_score(&items, theta) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn degenerate_items_are_refused() {
        let data = vec![vec![Some(1), Some(0)], vec![Some(1), Some(1)]];
        let e =
            calibrate(&names(2), &data, Model::TwoPl, &Options::default()).expect_err("all right");
        assert!(e.contains("Item 1"), "{e}");
    }

    #[test]
    fn a_second_calibration_is_linked_to_the_first_scale() {
        // Form 1 (items 0-39) given to a population at mean 0; form 2 (items 20-59, 20
        // common) to an abler one at mean 0.8. Each calibration sets its own population to
        // N(0, 1), so form 2's common items look 0.8 easier until linked.
        let truth = random_items(60, 21);
        let first = calibrate(
            &names(40),
            &simulate(&truth[..40], 4000, 1),
            Model::TwoPl,
            &Options::default(),
        )
        .expect("first");
        let second = calibrate(
            &names(40),
            &simulate_shifted(&truth[20..], 4000, 0.8, 2),
            Model::TwoPl,
            &Options::default(),
        )
        .expect("second");
        let pairs: Vec<(ItemParams, ItemParams)> = (0..20)
            .map(|k| (first.items[20 + k].params(), second.items[k].params()))
            .collect();
        let raw_shift: f64 = pairs.iter().map(|(o, n)| o.b - n.b).sum::<f64>() / 20.0;
        assert!((raw_shift - 0.8).abs() < 0.15, "unlinked shift {raw_shift}");
        let link = mean_sigma_link(&pairs).expect("20 common items");
        assert_eq!(link.common, 20);
        assert!((link.intercept - 0.8).abs() < 0.15, "{link:?}");
        assert!((link.slope - 1.0).abs() < 0.15, "{link:?}");
        // The new items (40-59), linked, land near their true difficulties.
        let err: f64 = (20..40)
            .map(|k| (link.apply(second.items[k].params()).b - truth[20 + k].b).abs())
            .sum::<f64>()
            / 20.0;
        assert!(err < 0.2, "mean |b error| after linking {err}");
        assert!(mean_sigma_link(&pairs[..4]).is_none());
    }

    #[test]
    fn provisional_parameters_give_back_the_p_value() {
        for p in [0.2, 0.5, 0.65, 0.9] {
            let item = provisional(p);
            assert!((marginal_p(&item) - p).abs() < 1e-5, "p {p}");
            assert!((item.a - 1.0).abs() < 1e-12);
        }
        assert!(provisional(0.8).b < provisional(0.3).b);
        let items = [ItemParams { a: 1.0, b: 0.0 }, ItemParams { a: 2.0, b: 1.0 }];
        let t = theta_for_weighted_score(&items, &[1.0, 3.0], 2.0);
        assert!((items[0].p(t) + 3.0 * items[1].p(t) - 2.0).abs() < 1e-9);
    }
}
