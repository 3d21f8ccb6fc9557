//! The selection pipeline's rules, as pure functions: how a stage's cut is drawn (a fixed mark,
//! or a rank with optional regional quotas and a stated tie rule), how a double-marked report
//! is resolved, how a rubric is scored, what a certificate number looks like, and how a
//! campaign's funnel is counted. The server stores and audits; these decide.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The five stages of the programme.
pub const STAGES: [Stage; 5] = [
    Stage::Test,
    Stage::Training,
    Stage::Internship,
    Stage::Assessment,
    Stage::Interview,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 1. The online competency test.
    Test,
    /// 2. Training in three levels.
    Training,
    /// 3. Internship in a leading school.
    Internship,
    /// 4. Final assessment: a reflective report marked against a rubric.
    Assessment,
    /// 5. Interview with a commission.
    Interview,
}

impl Stage {
    pub fn number(self) -> u8 {
        match self {
            Stage::Test => 1,
            Stage::Training => 2,
            Stage::Internship => 3,
            Stage::Assessment => 4,
            Stage::Interview => 5,
        }
    }
    pub fn from_number(n: i64) -> Option<Stage> {
        STAGES.into_iter().find(|s| i64::from(s.number()) == n)
    }
    /// The stage a candidate must have passed to enter this one.
    pub fn previous(self) -> Option<Stage> {
        Stage::from_number(i64::from(self.number()) - 1)
    }
    /// Stages whose outcome is a score that a selection rule may cut.
    pub fn is_scored(self) -> bool {
        matches!(self, Stage::Test | Stage::Internship | Stage::Assessment)
    }
}

/// A candidate's outcome in one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Passed,
    Failed,
    Withdrawn,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Pending,
            Status::Passed,
            Status::Failed,
            Status::Withdrawn,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// How a stage decides who passes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub cut: Cut,
    /// The rank cut applies within each region (a regional quota) rather than nationally.
    #[serde(default)]
    pub per_region: bool,
    #[serde(default)]
    pub ties: TieRule,
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            cut: Cut::Mark { pass_mark: 60.0 },
            per_region: false,
            ties: TieRule::AllPass,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Cut {
    /// Everyone at or above the mark passes.
    Mark { pass_mark: f64 },
    /// The best `n` (of the campaign, or of each region).
    Top { n: u32 },
    /// The best `percent` % (rounded up to whole places).
    TopPercent { percent: f64 },
}

/// What happens to candidates tied on the score at the cut.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "order")]
pub enum TieRule {
    /// All tied at the cut pass (the places may be exceeded).
    #[default]
    AllPass,
    /// Ties are broken by these keys in turn; any still tied at the last place all pass.
    BreakBy(Vec<TieBreak>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    /// More years of management experience first.
    ManagementYears,
    /// More years of teaching experience first.
    TeachingYears,
    /// The earlier application first.
    EarlierApplication,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("the pass mark must be between 0 and 100, not {0}")]
    Mark(String),
    #[error("the number of places must be at least 1")]
    Places,
    #[error("the percentage must be above 0 and at most 100, not {0}")]
    Percent(String),
    #[error("a tie-break order needs at least one key, each once")]
    TieOrder,
}

impl Rule {
    pub fn validate(&self) -> Result<(), RuleError> {
        match self.cut {
            Cut::Mark { pass_mark } if !(0.0..=100.0).contains(&pass_mark) => {
                return Err(RuleError::Mark(pass_mark.to_string()));
            }
            Cut::Top { n: 0 } => return Err(RuleError::Places),
            Cut::TopPercent { percent } if !(percent > 0.0 && percent <= 100.0) => {
                return Err(RuleError::Percent(percent.to_string()));
            }
            _ => {}
        }
        if let TieRule::BreakBy(order) = &self.ties
            && (order.is_empty()
                || order
                    .iter()
                    .enumerate()
                    .any(|(i, k)| order[..i].contains(k)))
        {
            return Err(RuleError::TieOrder);
        }
        Ok(())
    }

    /// A rank rule is applied by staff to the whole field at once; a mark decides each
    /// candidate as their score is recorded.
    pub fn is_rank(&self) -> bool {
        !matches!(self.cut, Cut::Mark { .. })
    }

    /// The mark's decision for one score (`None` for rank rules).
    pub fn decide(&self, score: f64) -> Option<Status> {
        match self.cut {
            Cut::Mark { pass_mark } => Some(if score + 1e-9 >= pass_mark {
                Status::Passed
            } else {
                Status::Failed
            }),
            _ => None,
        }
    }

    /// In words, for the page and the audit log.
    pub fn describe(&self) -> String {
        let cut = match self.cut {
            Cut::Mark { pass_mark } => format!("score at least {pass_mark}"),
            Cut::Top { n } => format!("top {n}"),
            Cut::TopPercent { percent } => format!("top {percent}%"),
        };
        let scope = if self.per_region && self.is_rank() {
            " in each region"
        } else {
            ""
        };
        let ties = match (&self.ties, self.is_rank()) {
            (_, false) => String::new(),
            (TieRule::AllPass, true) => "; all tied at the cut pass".into(),
            (TieRule::BreakBy(order), true) => format!(
                "; ties broken by {}",
                order
                    .iter()
                    .map(|k| match k {
                        TieBreak::ManagementYears => "management experience",
                        TieBreak::TeachingYears => "teaching experience",
                        TieBreak::EarlierApplication => "earlier application",
                    })
                    .collect::<Vec<_>>()
                    .join(", then ")
            ),
        };
        format!("{cut}{scope}{ties}")
    }
}

/// One candidate in a stage's field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contender {
    pub id: String,
    pub region: String,
    pub score: f64,
    pub management_years: u32,
    pub teaching_years: u32,
    /// When they applied (ms), for the tie-break.
    pub applied_at: i64,
}

/// Where the line fell in one group (the campaign, or a region).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CutLine {
    /// `None` for the whole campaign.
    pub region: Option<String>,
    pub candidates: u32,
    /// Places the rule gives (for a mark: everyone at or above it).
    pub places: u32,
    pub passed: u32,
    /// The lowest passing score (`None` when nobody passed).
    pub cut_score: Option<f64>,
    /// Candidates tied on the cut score who passed beyond the places (all-pass ties).
    pub tied_over: u32,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Selection {
    pub passed: Vec<String>,
    pub failed: Vec<String>,
    pub lines: Vec<CutLine>,
}

fn places(cut: &Cut, field: usize) -> usize {
    match *cut {
        Cut::Mark { .. } => field,
        Cut::Top { n } => (n as usize).min(field),
        Cut::TopPercent { percent } => {
            (((field as f64) * percent / 100.0 - 1e-9).ceil().max(0.0) as usize).min(field)
        }
    }
}

fn compare_breaks(a: &Contender, b: &Contender, order: &[TieBreak]) -> std::cmp::Ordering {
    for key in order {
        let o = match key {
            TieBreak::ManagementYears => b.management_years.cmp(&a.management_years),
            TieBreak::TeachingYears => b.teaching_years.cmp(&a.teaching_years),
            TieBreak::EarlierApplication => a.applied_at.cmp(&b.applied_at),
        };
        if o.is_ne() {
            return o;
        }
    }
    std::cmp::Ordering::Equal
}

fn same_score(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn select_group(
    rule: &Rule,
    region: Option<String>,
    mut field: Vec<&Contender>,
) -> (Vec<String>, Vec<String>, CutLine) {
    let order = match &rule.ties {
        TieRule::BreakBy(o) => o.clone(),
        TieRule::AllPass => Vec::new(),
    };
    field.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| compare_breaks(a, b, &order))
            .then_with(|| a.id.cmp(&b.id))
    });
    let n = field.len();
    let mut pass = vec![false; n];
    let place_count;
    match rule.cut {
        Cut::Mark { pass_mark } => {
            for (i, c) in field.iter().enumerate() {
                pass[i] = c.score + 1e-9 >= pass_mark;
            }
            place_count = pass.iter().filter(|p| **p).count();
        }
        _ => {
            let k = places(&rule.cut, n);
            place_count = k;
            for p in pass.iter_mut().take(k) {
                *p = true;
            }
            if k > 0 && k < n {
                let last = field[k - 1];
                // Who is tied with the last place: on the score (all-pass), or on the score
                // and every tie-break key (break-by).
                let tied = |c: &Contender| {
                    same_score(c.score, last.score)
                        && (order.is_empty() || compare_breaks(c, last, &order).is_eq())
                };
                for i in k..n {
                    if tied(field[i]) {
                        pass[i] = true;
                    } else {
                        break;
                    }
                }
            }
        }
    }
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    let mut cut_score = None::<f64>;
    for (c, p) in field.iter().zip(&pass) {
        if *p {
            passed.push(c.id.clone());
            cut_score = Some(cut_score.map_or(c.score, |s: f64| s.min(c.score)));
        } else {
            failed.push(c.id.clone());
        }
    }
    let line = CutLine {
        region,
        candidates: n as u32,
        places: place_count as u32,
        passed: passed.len() as u32,
        cut_score,
        tied_over: passed.len().saturating_sub(place_count) as u32,
    };
    (passed, failed, line)
}

/// Applies a rule to the whole field of a stage: every contender passes or fails, and the line
/// of each group is reported.
pub fn select(rule: &Rule, field: &[Contender]) -> Selection {
    let mut groups: BTreeMap<Option<String>, Vec<&Contender>> = BTreeMap::new();
    for c in field {
        let key = (rule.per_region && rule.is_rank()).then(|| c.region.clone());
        groups.entry(key).or_default().push(c);
    }
    let mut out = Selection::default();
    for (region, group) in groups {
        let (p, f, line) = select_group(rule, region, group);
        out.passed.extend(p);
        out.failed.extend(f);
        out.lines.push(line);
    }
    out
}

/// A rubric for the final assessment: criteria, each with ordered levels worth points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rubric {
    pub criteria: Vec<Criterion>,
    /// Two marks further apart than this (in rubric points) call a third marker.
    pub margin: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub id: String,
    pub name: String,
    pub levels: Vec<Level>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Level {
    pub label: String,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RubricError {
    #[error("a rubric needs at least one criterion")]
    Empty,
    #[error("criterion {0:?} needs an id, a name and at least two levels")]
    Criterion(String),
    #[error("criterion ids must be unique: {0:?} is repeated")]
    Duplicate(String),
    #[error("points must be zero or more and rise level by level in {0:?}")]
    Points(String),
    #[error("the marking margin must be zero or more")]
    Margin,
    #[error("a mark gives one level per criterion: {expected} criteria, {given} levels given")]
    Count { expected: usize, given: usize },
    #[error("criterion {criterion:?} has no level {level}")]
    Level { criterion: String, level: usize },
}

impl Rubric {
    pub fn validate(&self) -> Result<(), RubricError> {
        if self.criteria.is_empty() {
            return Err(RubricError::Empty);
        }
        if self.margin.is_nan() || self.margin < 0.0 {
            return Err(RubricError::Margin);
        }
        for (i, c) in self.criteria.iter().enumerate() {
            if c.id.trim().is_empty() || c.name.trim().is_empty() || c.levels.len() < 2 {
                return Err(RubricError::Criterion(c.id.clone()));
            }
            if self.criteria[..i].iter().any(|d| d.id == c.id) {
                return Err(RubricError::Duplicate(c.id.clone()));
            }
            if c.levels.iter().any(|l| l.points.is_nan() || l.points < 0.0)
                || c.levels.windows(2).any(|w| w[1].points <= w[0].points)
            {
                return Err(RubricError::Points(c.id.clone()));
            }
        }
        Ok(())
    }

    pub fn max_points(&self) -> f64 {
        self.criteria
            .iter()
            .map(|c| c.levels.last().map_or(0.0, |l| l.points))
            .sum()
    }

    /// Points of one marker's levels (index per criterion, in order).
    pub fn points(&self, levels: &[usize]) -> Result<f64, RubricError> {
        if levels.len() != self.criteria.len() {
            return Err(RubricError::Count {
                expected: self.criteria.len(),
                given: levels.len(),
            });
        }
        let mut total = 0.0;
        for (c, &l) in self.criteria.iter().zip(levels) {
            let level = c.levels.get(l).ok_or_else(|| RubricError::Level {
                criterion: c.id.clone(),
                level: l,
            })?;
            total += level.points;
        }
        Ok(total)
    }

    /// Rubric points as a percentage of the maximum (what a stage's pass mark is set in).
    pub fn percent(&self, points: f64) -> f64 {
        let max = self.max_points();
        if max <= 0.0 {
            0.0
        } else {
            (points / max * 10_000.0).round() / 100.0
        }
    }

    /// A rubric that fits the programme's reflective report.
    pub fn standard() -> Rubric {
        let levels = || {
            vec![
                Level {
                    label: "not shown".into(),
                    points: 0.0,
                },
                Level {
                    label: "partly".into(),
                    points: 2.0,
                },
                Level {
                    label: "mostly".into(),
                    points: 4.0,
                },
                Level {
                    label: "fully".into(),
                    points: 5.0,
                },
            ]
        };
        let c = |id: &str, name: &str| Criterion {
            id: id.into(),
            name: name.into(),
            levels: levels(),
        };
        Rubric {
            criteria: vec![
                c("analysis", "Analysis of the school's situation"),
                c("vision", "Vision and goals of change"),
                c("plan", "Plan of action and resources"),
                c("evidence", "Use of evidence from the internship"),
                c("reflection", "Reflection on one's own leadership"),
            ],
            margin: 5.0,
        }
    }
}

/// What the marks of a double-marked report decide.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolution {
    /// Not enough marks yet.
    Waiting,
    /// The two marks differ by more than the margin: a third marker is needed.
    NeedsThird,
    /// The final mark (rubric points).
    Final(f64),
}

/// Resolves marks in the order they were given: two within the margin give their mean; two
/// further apart call a third, and then the third and the nearer of the first two give the
/// mean (the higher of the two when equally near).
pub fn resolve_marks(marks: &[f64], margin: f64) -> Resolution {
    match marks {
        [] | [_] => Resolution::Waiting,
        [a, b] if (a - b).abs() <= margin + 1e-9 => Resolution::Final((a + b) / 2.0),
        [_, _] => Resolution::NeedsThird,
        [a, b, c, ..] => {
            let (da, db) = ((a - c).abs(), (b - c).abs());
            let nearer = if same_score(da, db) {
                a.max(*b)
            } else if da < db {
                *a
            } else {
                *b
            };
            Resolution::Final((nearer + c) / 2.0)
        }
    }
}

/// The letters of certificate numbers: no 0/O or 1/I/L to misread.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ#";

fn alphabet() -> &'static [u8] {
    &ALPHABET[..31]
}

/// A certificate number: `LM-<year>-XXXX-XXXC`, seven random letters and a check letter that
/// catches any one mistyped or two swapped letters.
pub fn certificate_number(year: i32, random: u64) -> String {
    let a = alphabet();
    let n = a.len() as u64;
    let mut x = random;
    let mut body = Vec::with_capacity(7);
    for _ in 0..7 {
        body.push(a[(x % n) as usize]);
        x /= n;
    }
    let check = a[check_index(&body)];
    let s: String = body.iter().map(|&b| b as char).collect();
    format!("LM-{year}-{}-{}{}", &s[..4], &s[4..], check as char)
}

fn check_index(body: &[u8]) -> usize {
    let a = alphabet();
    let n = a.len();
    let mut sum = 0usize;
    for (i, c) in body.iter().enumerate() {
        let v = a.iter().position(|x| x == c).unwrap_or(0);
        sum += v * (i + 1);
    }
    sum % n
}

/// Normalises what someone typed (case, spaces) and checks the shape and the check letter.
pub fn parse_certificate_number(s: &str) -> Option<String> {
    let up: String = s
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(|c| c.to_uppercase())
        .collect();
    let rest = up.strip_prefix("LM-")?;
    let (year, code) = rest.split_once('-')?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let letters: Vec<u8> = code.bytes().filter(|b| *b != b'-').collect();
    if letters.len() != 8 || code.len() != 9 || code.as_bytes().get(4) != Some(&b'-') {
        return None;
    }
    if !letters.iter().all(|b| alphabet().contains(b)) {
        return None;
    }
    let (body, check) = letters.split_at(7);
    (alphabet()[check_index(body)] == check[0]).then_some(up)
}

/// One application as the funnel counts it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelEntry {
    pub region: String,
    pub year: i32,
    /// How many stages in a row, from the first, the candidate passed (0-5).
    pub stages_passed: u8,
    pub in_reserve: bool,
    pub appointed: bool,
}

/// The steps of the funnel, in order.
pub const FUNNEL_STEPS: [&str; 8] = [
    "applications",
    "test",
    "training",
    "internship",
    "assessment",
    "interview",
    "reserve",
    "appointed",
];

/// Counts of one group at each funnel step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelRow {
    /// A region, a year, or `all`.
    pub group: String,
    /// One count per [`FUNNEL_STEPS`] entry.
    pub counts: Vec<u32>,
}

impl FunnelRow {
    /// Each step as a percentage of the step before it (the first is 100).
    pub fn conversion(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.counts.len());
        for (i, c) in self.counts.iter().enumerate() {
            let base = if i == 0 { *c } else { self.counts[i - 1] };
            out.push(if base == 0 {
                0.0
            } else {
                (f64::from(*c) / f64::from(base) * 1000.0).round() / 10.0
            });
        }
        out
    }
}

/// The funnel of every group (`by`: `region`, `year`, or anything else for one row).
pub fn funnel(entries: &[FunnelEntry], by: &str) -> Vec<FunnelRow> {
    let mut groups: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for e in entries {
        let key = match by {
            "region" => e.region.clone(),
            "year" => e.year.to_string(),
            _ => "all".into(),
        };
        let counts = groups
            .entry(key)
            .or_insert_with(|| vec![0; FUNNEL_STEPS.len()]);
        counts[0] += 1;
        for s in 0..usize::from(e.stages_passed.min(5)) {
            counts[s + 1] += 1;
        }
        if e.in_reserve {
            counts[6] += 1;
        }
        if e.appointed {
            counts[7] += 1;
        }
    }
    groups
        .into_iter()
        .map(|(group, counts)| FunnelRow { group, counts })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, region: &str, score: f64, mgmt: u32, applied: i64) -> Contender {
        Contender {
            id: id.into(),
            region: region.into(),
            score,
            management_years: mgmt,
            teaching_years: 10,
            applied_at: applied,
        }
    }

    fn ids(v: &[String]) -> Vec<&str> {
        let mut v: Vec<&str> = v.iter().map(String::as_str).collect();
        v.sort();
        v
    }

    #[test]
    fn a_mark_passes_everyone_at_or_above_it() {
        let rule = Rule::default();
        let field = [
            c("a", "x", 60.0, 1, 1),
            c("b", "x", 59.99, 1, 2),
            c("c", "y", 90.0, 1, 3),
        ];
        let s = select(&rule, &field);
        assert_eq!(ids(&s.passed), ["a", "c"]);
        assert_eq!(ids(&s.failed), ["b"]);
        assert_eq!(s.lines[0].cut_score, Some(60.0));
        assert_eq!(rule.decide(60.0), Some(Status::Passed));
        assert_eq!(rule.decide(59.0), Some(Status::Failed));
    }

    #[test]
    fn top_n_lets_all_ties_at_the_cut_pass_or_breaks_them_by_the_stated_order() {
        let field = [
            c("a", "x", 90.0, 1, 1),
            c("b", "x", 80.0, 2, 5),
            c("c", "x", 80.0, 7, 4),
            c("d", "x", 80.0, 7, 3),
            c("e", "x", 70.0, 9, 2),
        ];
        let mut rule = Rule {
            cut: Cut::Top { n: 2 },
            ..Rule::default()
        };
        let all = select(&rule, &field);
        assert_eq!(ids(&all.passed), ["a", "b", "c", "d"]);
        assert_eq!(all.lines[0].tied_over, 2);
        assert_eq!(all.lines[0].cut_score, Some(80.0));

        rule.ties = TieRule::BreakBy(vec![TieBreak::ManagementYears]);
        // c and d have equal management years: still tied, both pass.
        assert_eq!(ids(&select(&rule, &field).passed), ["a", "c", "d"]);
        rule.ties = TieRule::BreakBy(vec![
            TieBreak::ManagementYears,
            TieBreak::EarlierApplication,
        ]);
        let broken = select(&rule, &field);
        assert_eq!(ids(&broken.passed), ["a", "d"]);
        assert_eq!(broken.lines[0].tied_over, 0);
        assert!(
            rule.describe()
                .contains("management experience, then earlier application")
        );
    }

    #[test]
    fn top_percent_rounds_up_and_regional_quotas_cut_each_region() {
        let mut field = Vec::new();
        for i in 0..10 {
            field.push(c(&format!("n{i}"), "north", f64::from(i), 0, i64::from(i)));
        }
        for i in 0..4 {
            field.push(c(&format!("s{i}"), "south", 50.0 + f64::from(i), 0, 0));
        }
        let rule = Rule {
            cut: Cut::TopPercent { percent: 25.0 },
            per_region: true,
            ties: TieRule::AllPass,
        };
        let s = select(&rule, &field);
        // north: ceil(2.5) = 3 places; south: 1 place.
        assert_eq!(ids(&s.passed), ["n7", "n8", "n9", "s3"]);
        assert_eq!(s.lines.len(), 2);
        assert_eq!(s.lines[0].region.as_deref(), Some("north"));
        assert_eq!(s.lines[0].places, 3);
        let national = Rule {
            per_region: false,
            ..rule
        };
        // 14 candidates, ceil(3.5) = 4 places, all from the south.
        assert_eq!(
            ids(&select(&national, &field).passed),
            ["s0", "s1", "s2", "s3"]
        );
    }

    #[test]
    fn rules_are_validated() {
        let bad = |cut| Rule {
            cut,
            ..Rule::default()
        };
        assert!(bad(Cut::Mark { pass_mark: 101.0 }).validate().is_err());
        assert!(bad(Cut::Top { n: 0 }).validate().is_err());
        assert!(bad(Cut::TopPercent { percent: 0.0 }).validate().is_err());
        let repeated = Rule {
            ties: TieRule::BreakBy(vec![TieBreak::TeachingYears, TieBreak::TeachingYears]),
            ..bad(Cut::Top { n: 3 })
        };
        assert_eq!(repeated.validate(), Err(RuleError::TieOrder));
        assert!(bad(Cut::TopPercent { percent: 10.0 }).validate().is_ok());
    }

    #[test]
    fn double_marking_resolves_within_the_margin_or_calls_a_third() {
        assert_eq!(resolve_marks(&[20.0], 5.0), Resolution::Waiting);
        assert_eq!(resolve_marks(&[20.0, 24.0], 5.0), Resolution::Final(22.0));
        assert_eq!(resolve_marks(&[20.0, 25.0], 5.0), Resolution::Final(22.5));
        assert_eq!(resolve_marks(&[10.0, 25.0], 5.0), Resolution::NeedsThird);
        // The third sides with the nearer mark.
        assert_eq!(
            resolve_marks(&[10.0, 25.0, 23.0], 5.0),
            Resolution::Final(24.0)
        );
        assert_eq!(
            resolve_marks(&[10.0, 25.0, 12.0], 5.0),
            Resolution::Final(11.0)
        );
        // Equally near: the higher.
        assert_eq!(
            resolve_marks(&[10.0, 20.0, 15.0], 5.0),
            Resolution::Final(17.5)
        );
    }

    #[test]
    fn the_rubric_scores_levels_and_refuses_bad_marks() {
        let r = Rubric::standard();
        assert_eq!(r.validate(), Ok(()));
        assert_eq!(r.max_points(), 25.0);
        assert_eq!(r.points(&[3, 3, 2, 1, 0]), Ok(16.0));
        assert_eq!(r.percent(16.0), 64.0);
        assert!(matches!(r.points(&[3, 3]), Err(RubricError::Count { .. })));
        assert!(matches!(
            r.points(&[3, 3, 3, 3, 9]),
            Err(RubricError::Level { .. })
        ));
        let mut flat = r.clone();
        flat.criteria[0].levels[1].points = 0.0;
        assert!(matches!(flat.validate(), Err(RubricError::Points(_))));
    }

    #[test]
    fn certificate_numbers_carry_a_check_letter() {
        let n = certificate_number(2026, 0x1234_5678_9abc);
        assert!(n.starts_with("LM-2026-"), "{n}");
        assert_eq!(n.len(), "LM-2026-XXXX-XXXX".len());
        assert_eq!(parse_certificate_number(&n), Some(n.clone()));
        assert_eq!(
            parse_certificate_number(&format!("  {} ", n.to_lowercase())),
            Some(n.clone())
        );
        // Any one letter changed is caught.
        let bytes = n.as_bytes();
        for pos in 8..bytes.len() {
            if bytes[pos] == b'-' {
                continue;
            }
            for &other in alphabet() {
                if other == bytes[pos] {
                    continue;
                }
                let mut typo = bytes.to_vec();
                typo[pos] = other;
                let typo = String::from_utf8(typo).expect("ascii");
                assert_eq!(parse_certificate_number(&typo), None, "{typo}");
            }
        }
        assert_eq!(parse_certificate_number("LM-2026-0000-0000"), None);
        assert_eq!(parse_certificate_number("nonsense"), None);
        // Different randoms, different numbers.
        assert_ne!(certificate_number(2026, 1), certificate_number(2026, 2));
    }

    #[test]
    fn the_funnel_counts_each_step_and_its_conversion() {
        let e = |region: &str, stages: u8, reserve: bool, appointed: bool| FunnelEntry {
            region: region.into(),
            year: 2026,
            stages_passed: stages,
            in_reserve: reserve,
            appointed,
        };
        let entries = [
            e("A", 0, false, false),
            e("A", 1, false, false),
            e("A", 5, true, true),
            e("B", 5, true, false),
        ];
        let all = funnel(&entries, "all");
        assert_eq!(all[0].counts, [4, 3, 2, 2, 2, 2, 2, 1]);
        assert_eq!(all[0].conversion()[1], 75.0);
        assert_eq!(all[0].conversion()[7], 50.0);
        let by = funnel(&entries, "region");
        assert_eq!(by[0].group, "A");
        assert_eq!(by[0].counts, [3, 2, 1, 1, 1, 1, 1, 1]);
    }
}
