//! Scoring an attempt against the keys, per competency, and applying the pass rule.

use crate::blueprint::Blueprint;
use crate::item::{Key, PartialCredit, normalize_answer};
use serde::{Deserialize, Serialize};

/// A candidate's answer to one item, in authoring order (the caller maps shown positions back
/// through the form's orders).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum Response {
    /// The chosen option (single choice).
    Choice(usize),
    /// The chosen options (multiple response).
    Choices(Vec<usize>),
    Bool(bool),
    /// For each premise, the index of the answer matched to it, if any.
    Pairs(Vec<Option<usize>>),
    /// The options in the order the candidate put them.
    Order(Vec<usize>),
    Number(f64),
    Text(String),
}

/// The credit a response earns, from 0 (wrong, or the wrong shape for the item) to 1 (right).
///
/// Rules: single choice, true/false, numeric (within tolerance) and short text (after
/// normalisation) are right or wrong; multiple response follows the item's [`PartialCredit`];
/// matching earns the share of premises matched right; ordering earns the share of neighbouring
/// pairs put in the right relative order (Moodle's "relative to the next item").
pub fn credit(key: &Key, response: &Response) -> f64 {
    let unit = |ok: bool| if ok { 1.0 } else { 0.0 };
    match (key, response) {
        (Key::SingleChoice { correct }, Response::Choice(c)) => unit(c == correct),
        (Key::TrueFalse { answer }, Response::Bool(b)) => unit(b == answer),
        (Key::Numeric { value, tolerance }, Response::Number(x)) => {
            unit(x.is_finite() && (x - value).abs() <= *tolerance + f64::EPSILON * value.abs())
        }
        (
            Key::ShortText {
                accepted,
                case_sensitive,
            },
            Response::Text(t),
        ) => {
            let given = normalize_answer(t, *case_sensitive);
            unit(
                !given.is_empty()
                    && accepted
                        .iter()
                        .any(|a| normalize_answer(a, *case_sensitive) == given),
            )
        }
        (Key::MultipleResponse { correct, credit }, Response::Choices(chosen)) => {
            let mut chosen = chosen.clone();
            chosen.sort_unstable();
            chosen.dedup();
            let right = chosen.iter().filter(|c| correct.contains(c)).count();
            let wrong = chosen.len() - right;
            match credit {
                PartialCredit::AllOrNothing => unit(wrong == 0 && right == correct.len()),
                PartialCredit::RightMinusWrong => {
                    if correct.is_empty() {
                        return 0.0;
                    }
                    (right as f64 - wrong as f64).max(0.0) / correct.len() as f64
                }
            }
        }
        (Key::Matching { pairs }, Response::Pairs(given)) => {
            if pairs.is_empty() {
                return 0.0;
            }
            let right = pairs
                .iter()
                .zip(given.iter().chain(std::iter::repeat(&None)))
                .filter(|(want, got)| Some(**want) == **got)
                .count();
            right as f64 / pairs.len() as f64
        }
        (Key::Ordering, Response::Order(order)) => {
            // The key is the authored order 0, 1, 2, ...: count neighbours that keep it.
            if order.len() < 2 {
                return 0.0;
            }
            let mut seen = order.clone();
            seen.sort_unstable();
            if seen != (0..order.len()).collect::<Vec<_>>() {
                return 0.0;
            }
            let kept = order.windows(2).filter(|w| w[1] == w[0] + 1).count();
            kept as f64 / (order.len() - 1) as f64
        }
        _ => 0.0,
    }
}

/// One item of a submitted form with its key, weight and the candidate's response in
/// authored terms (see [`crate::FormEntry::response`]).
#[derive(Debug, Clone)]
pub struct ScoredEntry<'a> {
    pub competency: &'a str,
    pub key: &'a Key,
    pub weight: f64,
    pub response: Option<Response>,
}

impl ScoredEntry<'_> {
    /// The credit earned, 0 to 1; an unanswered item earns nothing.
    pub fn credit(&self) -> f64 {
        self.response.as_ref().map_or(0.0, |r| credit(self.key, r))
    }
}

/// The result for one competency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompetencyScore {
    pub competency: String,
    /// Items answered fully right.
    pub correct: u32,
    pub total: u32,
    #[serde(default)]
    pub points: f64,
    #[serde(default)]
    pub max_points: f64,
    pub percent: f64,
    /// The minimum this competency needed, if any, and whether it was met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
}

/// The result of one attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreReport {
    /// Items answered fully right.
    pub correct: u32,
    pub total: u32,
    pub answered: u32,
    /// Weighted credit earned and possible.
    #[serde(default)]
    pub points: f64,
    #[serde(default)]
    pub max_points: f64,
    pub percent: f64,
    pub by_competency: Vec<CompetencyScore>,
    pub pass_percent: f64,
    pub passed: bool,
    /// Credit (0-1) of each form entry, in form order.
    #[serde(default)]
    pub credits: Vec<f64>,
}

fn percent(points: f64, max: f64) -> f64 {
    if max <= 0.0 {
        return 0.0;
    }
    // One decimal place; the small nudge keeps 0.7 * 1000 = 699.999... from rounding down.
    ((points / max * 1000.0) + 1e-9).round() / 10.0
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Scores `entries` (one per form item) and applies the blueprint's pass rule: the overall
/// percentage at least the cut score and every competency at least its minimum, if it has one.
pub fn score(blueprint: &Blueprint, entries: &[ScoredEntry<'_>]) -> ScoreReport {
    score_with_pass(blueprint, blueprint.pass_percent, entries)
}

/// [`score`] with the overall cut of this form: the pass mark a form carries from an ability
/// standard (see [`crate::Form::pass_percent`]).
pub fn score_with_pass(
    blueprint: &Blueprint,
    pass_percent: f64,
    entries: &[ScoredEntry<'_>],
) -> ScoreReport {
    let mut by_competency: Vec<CompetencyScore> = blueprint
        .sections
        .iter()
        .map(|s| CompetencyScore {
            competency: s.competency.clone(),
            correct: 0,
            total: 0,
            points: 0.0,
            max_points: 0.0,
            percent: 0.0,
            minimum: blueprint.minimum_for(&s.competency),
        })
        .collect();
    let (mut correct, mut answered) = (0u32, 0u32);
    let (mut points, mut max_points) = (0.0, 0.0);
    let mut credits = Vec::with_capacity(entries.len());
    for e in entries {
        let c = e.credit();
        credits.push(round4(c));
        let full = c >= 1.0;
        correct += u32::from(full);
        answered += u32::from(e.response.is_some());
        points += c * e.weight;
        max_points += e.weight;
        let slot = match by_competency
            .iter()
            .position(|s| s.competency == e.competency)
        {
            Some(i) => i,
            None => {
                by_competency.push(CompetencyScore {
                    competency: e.competency.to_string(),
                    correct: 0,
                    total: 0,
                    points: 0.0,
                    max_points: 0.0,
                    percent: 0.0,
                    minimum: blueprint.minimum_for(e.competency),
                });
                by_competency.len() - 1
            }
        };
        let s = &mut by_competency[slot];
        s.total += 1;
        s.correct += u32::from(full);
        s.points += c * e.weight;
        s.max_points += e.weight;
    }
    by_competency.retain(|c| c.total > 0);
    for c in &mut by_competency {
        c.percent = percent(c.points, c.max_points);
        // Rounded alike (rounding is monotone), so that points never exceed the maximum.
        c.points = round4(c.points);
        c.max_points = round4(c.max_points);
    }
    let total = u32::try_from(entries.len()).unwrap_or(u32::MAX);
    let overall = percent(points, max_points);
    let minimum_met = by_competency
        .iter()
        .all(|c| c.minimum.is_none_or(|m| c.percent >= m));
    ScoreReport {
        correct,
        total,
        answered,
        points: round4(points),
        max_points: round4(max_points),
        percent: overall,
        by_competency,
        pass_percent,
        passed: total > 0 && overall >= pass_percent && minimum_met,
        credits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blueprint::tests::blueprint;

    #[test]
    fn credit_follows_each_type_rule() {
        let mr = |credit| Key::MultipleResponse {
            correct: vec![0, 2],
            credit,
        };
        let rmw = mr(PartialCredit::RightMinusWrong);
        assert_eq!(super::credit(&rmw, &Response::Choices(vec![0, 2])), 1.0);
        assert_eq!(super::credit(&rmw, &Response::Choices(vec![0])), 0.5);
        assert_eq!(super::credit(&rmw, &Response::Choices(vec![0, 1])), 0.0);
        assert_eq!(
            super::credit(&rmw, &Response::Choices(vec![0, 1, 2, 3])),
            0.0
        );
        assert_eq!(super::credit(&rmw, &Response::Choices(vec![2, 2, 0])), 1.0);
        let aon = mr(PartialCredit::AllOrNothing);
        assert_eq!(super::credit(&aon, &Response::Choices(vec![0])), 0.0);
        assert_eq!(super::credit(&aon, &Response::Choices(vec![2, 0])), 1.0);

        let tf = Key::TrueFalse { answer: false };
        assert_eq!(super::credit(&tf, &Response::Bool(false)), 1.0);
        assert_eq!(super::credit(&tf, &Response::Choice(0)), 0.0, "wrong shape");

        let num = Key::Numeric {
            value: 2.5,
            tolerance: 0.01,
        };
        assert_eq!(super::credit(&num, &Response::Number(2.51)), 1.0);
        assert_eq!(super::credit(&num, &Response::Number(2.52)), 0.0);
        assert_eq!(super::credit(&num, &Response::Number(f64::NAN)), 0.0);

        let st = Key::ShortText {
            accepted: vec!["Ёлка зелёная".into(), "spruce".into()],
            case_sensitive: false,
        };
        assert_eq!(
            super::credit(&st, &Response::Text("  елка   ЗЕЛЕНАЯ ".into())),
            1.0
        );
        assert_eq!(super::credit(&st, &Response::Text("Spruce".into())), 1.0);
        assert_eq!(super::credit(&st, &Response::Text("".into())), 0.0);
        let cs = Key::ShortText {
            accepted: vec!["NaCl".into()],
            case_sensitive: true,
        };
        assert_eq!(super::credit(&cs, &Response::Text("nacl".into())), 0.0);

        let m = Key::Matching {
            pairs: vec![2, 0, 1],
        };
        assert_eq!(
            super::credit(&m, &Response::Pairs(vec![Some(2), Some(0), Some(1)])),
            1.0
        );
        let third = super::credit(&m, &Response::Pairs(vec![Some(2), None]));
        assert!((third - 1.0 / 3.0).abs() < 1e-12);

        let o = Key::Ordering;
        assert_eq!(super::credit(&o, &Response::Order(vec![0, 1, 2, 3])), 1.0);
        assert!((super::credit(&o, &Response::Order(vec![1, 2, 3, 0])) - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(
            super::credit(&o, &Response::Order(vec![0, 0, 1, 2])),
            0.0,
            "not a permutation"
        );
        assert_eq!(super::credit(&o, &Response::Order(vec![3, 2, 1, 0])), 0.0);
    }

    struct Case {
        competency: &'static str,
        key: Key,
        order: Vec<u8>,
        response: Option<usize>,
    }

    fn case(
        competency: &'static str,
        correct: usize,
        order: &[u8],
        response: Option<usize>,
    ) -> Case {
        Case {
            competency,
            key: Key::SingleChoice { correct },
            order: order.to_vec(),
            response,
        }
    }

    fn run(bp: &Blueprint, cases: &[Case]) -> ScoreReport {
        let entries: Vec<ScoredEntry<'_>> = cases
            .iter()
            .map(|c| {
                let entry = crate::FormEntry {
                    item_id: crate::ItemId::parse("x").expect("id"),
                    version: 1,
                    competency: c.competency.into(),
                    kind: crate::ItemType::SingleChoice,
                    option_order: c.order.clone(),
                    match_order: vec![],
                };
                ScoredEntry {
                    competency: c.competency,
                    key: &c.key,
                    weight: bp.weight_of(c.competency),
                    response: c
                        .response
                        .and_then(|r| entry.response(&crate::Answer::Choice(r as u32))),
                }
            })
            .collect();
        score(bp, &entries)
    }

    #[test]
    fn a_response_is_mapped_through_the_shown_order() {
        // Authored option 2 is correct and is shown in position 0.
        let bp = blueprint(&[("a", 1)]);
        assert_eq!(run(&bp, &[case("a", 2, &[2, 0, 1, 3], Some(0))]).correct, 1);
        assert_eq!(run(&bp, &[case("a", 2, &[2, 0, 1, 3], Some(2))]).correct, 0);
        assert_eq!(run(&bp, &[case("a", 2, &[2, 0, 1, 3], Some(9))]).correct, 0);
        assert_eq!(run(&bp, &[case("a", 2, &[2, 0, 1, 3], None)]).correct, 0);
    }

    #[test]
    fn weights_and_partial_credit_make_the_points() {
        let mut bp = blueprint(&[("a", 1), ("b", 1)]);
        bp.sections[1].weight = 3.0;
        let mr = Key::MultipleResponse {
            correct: vec![0, 1],
            credit: PartialCredit::RightMinusWrong,
        };
        let sc = Key::SingleChoice { correct: 0 };
        let entries = [
            ScoredEntry {
                competency: "a",
                key: &sc,
                weight: 1.0,
                response: Some(Response::Choice(0)),
            },
            ScoredEntry {
                competency: "b",
                key: &mr,
                weight: 3.0,
                response: Some(Response::Choices(vec![0])),
            },
        ];
        let r = score(&bp, &entries);
        assert_eq!((r.points, r.max_points), (2.5, 4.0));
        assert_eq!(r.percent, 62.5);
        assert_eq!(r.correct, 1);
        assert_eq!(r.credits, vec![1.0, 0.5]);
        assert_eq!(r.by_competency[1].percent, 50.0);
    }

    #[test]
    fn percentages_per_competency_and_the_pass_rule() {
        let bp = blueprint(&[("a", 4), ("b", 6)]);
        let mut cases = Vec::new();
        for i in 0..4 {
            cases.push(case("a", 0, &[0, 1, 2], Some(if i < 3 { 0 } else { 1 })));
        }
        for i in 0..6 {
            cases.push(case("b", 1, &[0, 1, 2], if i < 4 { Some(1) } else { None }));
        }
        let r = run(&bp, &cases);
        assert_eq!((r.correct, r.total, r.answered), (7, 10, 8));
        assert_eq!(r.percent, 70.0);
        assert!(r.passed, "70% meets a 70% cut");
        assert_eq!(
            r.by_competency[0],
            CompetencyScore {
                competency: "a".into(),
                correct: 3,
                total: 4,
                points: 3.0,
                max_points: 4.0,
                percent: 75.0,
                minimum: None,
            }
        );
        assert_eq!(r.by_competency[1].percent, 66.7);

        let mut strict = bp.clone();
        strict.min_competency_percent = Some(70.0);
        assert!(!run(&strict, &cases).passed, "b is below its minimum");

        cases[0].response = Some(2);
        let r = run(&bp, &cases);
        assert_eq!(r.percent, 60.0);
        assert!(!r.passed);
    }

    #[test]
    fn score_is_bounded_and_monotone_in_correct_answers() {
        let bp = blueprint(&[("a", 10)]);
        let mut cases: Vec<Case> = (0..10).map(|_| case("a", 1, &[1, 0], None)).collect();
        let mut last = run(&bp, &cases).percent;
        assert_eq!(last, 0.0);
        for i in 0..10 {
            cases[i].response = Some(0);
            let now = run(&bp, &cases).percent;
            assert!(now > last && now <= 100.0);
            last = now;
        }
        assert_eq!(last, 100.0);
    }

    #[test]
    fn an_empty_form_never_passes() {
        let mut bp = blueprint(&[("a", 1)]);
        bp.pass_percent = 0.0;
        assert!(!run(&bp, &[]).passed);
    }
}
