//! Psychometrics: which questions worked. Classical item analysis ([`classical`]), item
//! response theory calibration by marginal maximum likelihood ([`irt`]), differential item
//! functioning between languages ([`dif`]) and modified-Angoff standard setting ([`angoff`]).
//!
//! Everything works on a scored response matrix: one row per examinee, one column per item,
//! a score in 0..=1 (`None`: the item was not reached or not given).

pub mod angoff;
pub mod classical;
pub mod datasets;
pub mod dif;
pub mod irt;

use serde::{Deserialize, Serialize};

/// Scored responses: `rows[i][j]` is examinee `i`'s score on item `j`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseMatrix {
    pub items: Vec<String>,
    pub rows: Vec<Vec<Option<f64>>>,
}

impl ResponseMatrix {
    pub fn new(items: Vec<String>, rows: Vec<Vec<Option<f64>>>) -> Result<Self, String> {
        if items.is_empty() {
            return Err("there are no items".into());
        }
        for (i, r) in rows.iter().enumerate() {
            if r.len() != items.len() {
                return Err(format!(
                    "examinee {} has {} scores for {} items",
                    i + 1,
                    r.len(),
                    items.len()
                ));
            }
            if let Some(s) = r.iter().flatten().find(|s| !(0.0..=1.0).contains(*s)) {
                return Err(format!("examinee {} has a score {s} outside 0..1", i + 1));
            }
        }
        Ok(Self { items, rows })
    }

    /// Reads a CSV: a header row of item ids, then one row per examinee of `0`/`1` (or any
    /// score in 0..1), an empty cell for an item not reached. Errors name the line.
    pub fn from_csv(text: &str) -> Result<Self, String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let items: Vec<String> = reader
            .headers()
            .map_err(|e| format!("line 1: {e}"))?
            .iter()
            .map(str::to_string)
            .collect();
        if items.is_empty() || items.iter().any(String::is_empty) {
            return Err("line 1: the header must name every item".into());
        }
        let mut rows = Vec::new();
        for (n, record) in reader.records().enumerate() {
            let line = n + 2;
            let record = record.map_err(|e| format!("line {line}: {e}"))?;
            if record.len() != items.len() {
                return Err(format!(
                    "line {line}: {} cells for {} items",
                    record.len(),
                    items.len()
                ));
            }
            let mut row = Vec::with_capacity(items.len());
            for (cell, item) in record.iter().zip(&items) {
                if cell.is_empty() {
                    row.push(None);
                    continue;
                }
                let v: f64 = cell
                    .replace(',', ".")
                    .parse()
                    .map_err(|_| format!("line {line}, item {item}: {cell:?} is not a score"))?;
                if !(0.0..=1.0).contains(&v) {
                    return Err(format!("line {line}, item {item}: {v} is outside 0..1"));
                }
                row.push(Some(v));
            }
            rows.push(row);
        }
        if rows.is_empty() {
            return Err("there are no examinees".into());
        }
        Self::new(items, rows)
    }

    /// Each examinee's total: the sum of the scores given (not reached counts 0).
    pub fn totals(&self) -> Vec<f64> {
        self.rows.iter().map(|r| r.iter().flatten().sum()).collect()
    }

    /// The same examinees on a subset of the items (by column).
    pub fn columns(&self, cols: &[usize]) -> Self {
        Self {
            items: cols.iter().map(|&c| self.items[c].clone()).collect(),
            rows: self
                .rows
                .iter()
                .map(|r| cols.iter().map(|&c| r[c]).collect())
                .collect(),
        }
    }

    /// The same items for a subset of the examinees (by row).
    pub fn select_rows(&self, keep: impl Fn(usize) -> bool) -> Self {
        Self {
            items: self.items.clone(),
            rows: self
                .rows
                .iter()
                .enumerate()
                .filter(|(i, _)| keep(*i))
                .map(|(_, r)| r.clone())
                .collect(),
        }
    }

    /// Dichotomised (a score of at least 0.5 counts as right), for the IRT models.
    pub fn binary(&self) -> Vec<Vec<Option<u8>>> {
        self.rows
            .iter()
            .map(|r| r.iter().map(|s| s.map(|v| u8::from(v >= 0.5))).collect())
            .collect()
    }
}

/// Which analysis to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Classical,
    Rasch,
    TwoPl,
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "classical" => Ok(Self::Classical),
            "rasch" => Ok(Self::Rasch),
            "2pl" => Ok(Self::TwoPl),
            other => Err(format!("{other:?}: the model is classical, rasch or 2pl")),
        }
    }
}

/// Everything known about a response matrix: the classical analysis, and with an IRT model
/// its calibration, each examinee's ability and the test information function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub classical: classical::ClassicalReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<irt::Calibration>,
    /// EAP ability and its standard error, per examinee in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub abilities: Vec<(f64, f64)>,
    /// (θ, information) from −4 to 4 in steps of 0.25.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub information: Vec<(f64, f64)>,
}

/// Runs the classical analysis and, unless `method` is classical, the IRT calibration.
pub fn analyze(m: &ResponseMatrix, method: Method) -> Result<Analysis, String> {
    let classical = classical::analyse(m, &[], classical::Bounds::default());
    let model = match method {
        Method::Classical => {
            return Ok(Analysis {
                classical,
                calibration: None,
                abilities: vec![],
                information: vec![],
            });
        }
        Method::Rasch => irt::Model::Rasch,
        Method::TwoPl => irt::Model::TwoPl,
    };
    let data = m.binary();
    let options = irt::Options::default();
    let calibration = irt::calibrate(&m.items, &data, model, &options)?;
    let params = calibration.params();
    let abilities = irt::eap(&data, &params, &options);
    let information = (-16..=16)
        .map(|i| {
            let theta = f64::from(i) * 0.25;
            (theta, irt::information(&params, theta))
        })
        .collect();
    Ok(Analysis {
        classical,
        calibration: Some(calibration),
        abilities,
        information,
    })
}

pub(crate) fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        0.0
    } else {
        xs.iter().sum::<f64>() / xs.len() as f64
    }
}

/// Population variance.
pub(crate) fn variance(xs: &[f64]) -> f64 {
    let m = mean(xs);
    if xs.is_empty() {
        0.0
    } else {
        xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / xs.len() as f64
    }
}

/// Pearson correlation of paired values (0 when either does not vary).
pub(crate) fn correlation(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

/// The upper tail of the chi-square distribution with `df` degrees of freedom at `x`.
pub fn chi_square_p(x: f64, df: f64) -> f64 {
    if x <= 0.0 || df <= 0.0 {
        return 1.0;
    }
    upper_gamma_q(df / 2.0, x / 2.0)
}

/// The regularized upper incomplete gamma function Q(s, x): a series below s + 1, a
/// continued fraction above.
fn upper_gamma_q(s: f64, x: f64) -> f64 {
    let ln_gamma_s = ln_gamma(s);
    if x < s + 1.0 {
        let (mut sum, mut term, mut n) = (1.0 / s, 1.0 / s, s);
        for _ in 0..500 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        let p = sum * (-x + s * x.ln() - ln_gamma_s).exp();
        (1.0 - p).clamp(0.0, 1.0)
    } else {
        // Lentz's method for the continued fraction.
        let tiny = 1e-300;
        let mut b = x + 1.0 - s;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..500 {
            let an = -(i as f64) * (i as f64 - s);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (h * (-x + s * x.ln() - ln_gamma_s).exp()).clamp(0.0, 1.0)
    }
}

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7).
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + 7.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_square_tail_matches_tables() {
        // Critical values: P(X > 3.841 | 1) = 0.05, P(X > 18.307 | 10) = 0.05,
        // P(X > 6.635 | 1) = 0.01, P(X > 2 | 2) = e^-1.
        assert!((chi_square_p(3.841, 1.0) - 0.05).abs() < 1e-3);
        assert!((chi_square_p(18.307, 10.0) - 0.05).abs() < 1e-3);
        assert!((chi_square_p(6.635, 1.0) - 0.01).abs() < 1e-3);
        assert!((chi_square_p(2.0, 2.0) - (-1.0f64).exp()).abs() < 1e-9);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-10);
    }

    #[test]
    fn csv_matrices_are_read_with_line_numbered_errors() {
        let m = ResponseMatrix::from_csv("q1,q2,q3\n1,0,1\n0,,1\n").expect("valid");
        assert_eq!(m.items, ["q1", "q2", "q3"]);
        assert_eq!(m.rows[1], [Some(0.0), None, Some(1.0)]);
        assert_eq!(m.totals(), [2.0, 1.0]);
        let e = ResponseMatrix::from_csv("q1,q2\n1,0\n1,x\n").expect_err("bad cell");
        assert!(e.contains("line 3") && e.contains("q2"), "{e}");
        let e = ResponseMatrix::from_csv("q1,q2\n1,0,1\n").expect_err("too many");
        assert!(e.contains("line 2"), "{e}");
        let e = ResponseMatrix::from_csv("q1,q2\n1,2\n").expect_err("out of range");
        assert!(e.contains("outside"), "{e}");
        assert!(ResponseMatrix::from_csv("q1,q2\n").is_err());
    }
}
