//! Scoring an attempt against the keys, per competency, and applying the pass rule.

use crate::blueprint::Blueprint;
use crate::item::Key;
use serde::{Deserialize, Serialize};

/// One item of a submitted form with its key and the candidate's response.
#[derive(Debug, Clone)]
pub struct ScoredEntry<'a> {
    pub competency: &'a str,
    pub key: &'a Key,
    pub option_order: &'a [u8],
    /// The shown position the candidate chose, if any.
    pub response: Option<usize>,
}

impl ScoredEntry<'_> {
    /// Whether the response is correct. An unanswered item or a position outside the options
    /// scores nothing.
    pub fn is_correct(&self) -> bool {
        let Some(shown) = self.response else {
            return false;
        };
        let Some(&authored) = self.option_order.get(shown) else {
            return false;
        };
        match self.key {
            Key::SingleChoice { correct } => usize::from(authored) == *correct,
        }
    }
}

/// The result for one competency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompetencyScore {
    pub competency: String,
    pub correct: u32,
    pub total: u32,
    pub percent: f64,
}

/// The result of one attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreReport {
    pub correct: u32,
    pub total: u32,
    pub answered: u32,
    pub percent: f64,
    pub by_competency: Vec<CompetencyScore>,
    pub pass_percent: f64,
    pub passed: bool,
}

fn percent(correct: u32, total: u32) -> f64 {
    if total == 0 {
        return 0.0;
    }
    // One decimal place, computed in integers so that 7/10 is exactly 70.0.
    (f64::from(correct) * 1000.0 / f64::from(total)).round() / 10.0
}

/// Scores `entries` (one per form item) and applies the blueprint's pass rule: the overall
/// percentage at least the cut score and, when set, every competency at least its minimum.
pub fn score(blueprint: &Blueprint, entries: &[ScoredEntry<'_>]) -> ScoreReport {
    let mut by_competency: Vec<CompetencyScore> = blueprint
        .sections
        .iter()
        .map(|s| CompetencyScore {
            competency: s.competency.clone(),
            correct: 0,
            total: 0,
            percent: 0.0,
        })
        .collect();
    let (mut correct, mut answered) = (0u32, 0u32);
    for e in entries {
        let ok = e.is_correct();
        correct += u32::from(ok);
        answered += u32::from(e.response.is_some());
        let slot = match by_competency
            .iter()
            .position(|c| c.competency == e.competency)
        {
            Some(i) => i,
            None => {
                by_competency.push(CompetencyScore {
                    competency: e.competency.to_string(),
                    correct: 0,
                    total: 0,
                    percent: 0.0,
                });
                by_competency.len() - 1
            }
        };
        by_competency[slot].total += 1;
        by_competency[slot].correct += u32::from(ok);
    }
    by_competency.retain(|c| c.total > 0);
    for c in &mut by_competency {
        c.percent = percent(c.correct, c.total);
    }
    let total = u32::try_from(entries.len()).unwrap_or(u32::MAX);
    let overall = percent(correct, total);
    let minimum_met = blueprint
        .min_competency_percent
        .is_none_or(|min| by_competency.iter().all(|c| c.percent >= min));
    ScoreReport {
        correct,
        total,
        answered,
        percent: overall,
        by_competency,
        pass_percent: blueprint.pass_percent,
        passed: total > 0 && overall >= blueprint.pass_percent && minimum_met,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blueprint::tests::blueprint;

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
            .map(|c| ScoredEntry {
                competency: c.competency,
                key: &c.key,
                option_order: &c.order,
                response: c.response,
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
                percent: 75.0
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
