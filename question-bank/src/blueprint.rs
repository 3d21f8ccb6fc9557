//! Blueprints: what a test must contain, how long it lasts, how it is delivered and what
//! passes it.

use crate::item::Difficulty;
use crate::language::Language;
use serde::{Deserialize, Serialize};

/// How many items one competency contributes to every form, per difficulty level.
///
/// `count` is a cell of items of any level (the skeleton's blueprints had only that); `easy`,
/// `medium` and `hard` are cells of that level. A section's items are all its cells together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub competency: String,
    /// Items of any difficulty level.
    #[serde(default)]
    pub count: u32,
    #[serde(default)]
    pub easy: u32,
    #[serde(default)]
    pub medium: u32,
    #[serde(default)]
    pub hard: u32,
    /// Points one item of this section is worth (default 1).
    #[serde(default = "one")]
    pub weight: f64,
    /// Minimum percentage in this competency, overriding the blueprint's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_percent: Option<f64>,
}

impl Section {
    /// A section of `count` items of any level, weight 1.
    pub fn any(competency: impl Into<String>, count: u32) -> Self {
        Self {
            competency: competency.into(),
            count,
            easy: 0,
            medium: 0,
            hard: 0,
            weight: 1.0,
            min_percent: None,
        }
    }

    /// Items this section puts on every form.
    pub fn total(&self) -> u32 {
        self.count + self.easy + self.medium + self.hard
    }

    /// The section's cells: (level, or `None` for any level; count), non-empty ones only.
    pub fn cells(&self) -> impl Iterator<Item = (Option<Difficulty>, u32)> + '_ {
        [
            (Some(Difficulty::Easy), self.easy),
            (Some(Difficulty::Medium), self.medium),
            (Some(Difficulty::Hard), self.hard),
            (None, self.count),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
    }
}

fn one() -> f64 {
    1.0
}

fn yes() -> bool {
    true
}

fn default_tolerance() -> f64 {
    2.0
}

/// How the applicant moves between questions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Navigation {
    /// Any question in any order, back and forth.
    #[default]
    Free,
    /// One after another; a question left behind cannot be changed.
    Linear,
}

/// What the applicant sees once the attempt is closed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultVisibility {
    /// Overall score and pass or fail only.
    Score,
    /// Overall and per-competency scores.
    #[default]
    PerCompetency,
    /// Nothing until the commission releases the results (`results_released`).
    Withheld,
}

/// Extra time for a named applicant (by e-mail address or user id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accommodation {
    pub applicant: String,
    /// Extra time in percent of the time limit (1-200).
    pub extra_percent: u32,
}

/// The specification of a test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blueprint {
    pub id: String,
    pub name: String,
    pub time_limit_minutes: u32,
    /// Overall cut score, in percent of the points (0-100).
    pub pass_percent: f64,
    /// Optional minimum per competency, in percent (0-100).
    #[serde(default)]
    pub min_competency_percent: Option<f64>,
    pub sections: Vec<Section>,
    #[serde(default = "yes")]
    pub shuffle_items: bool,
    #[serde(default = "yes")]
    pub shuffle_options: bool,
    #[serde(default)]
    pub navigation: Navigation,
    /// Whether applicants may flag questions to come back to.
    #[serde(default = "yes")]
    pub allow_flag: bool,
    /// Languages an applicant may take the test in; empty means all three.
    #[serde(default)]
    pub languages: Vec<Language>,
    #[serde(default)]
    pub results: ResultVisibility,
    /// For [`ResultVisibility::Withheld`]: the commission has released the results.
    #[serde(default)]
    pub results_released: bool,
    #[serde(default)]
    pub accommodations: Vec<Accommodation>,
    /// Highest share of forms (0-1] any one item may appear on; 1 means no limit.
    #[serde(default = "one")]
    pub max_exposure: f64,
    /// Every form's expected score lies within this many percentage points (max - min).
    #[serde(default = "default_tolerance")]
    pub tolerance_points: f64,
    /// Expected score every form aims at, in percent; by default the bank's average for the
    /// blueprint's cells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_percent: Option<f64>,
    /// Sets of item ids of which at most one may appear on a form.
    #[serde(default)]
    pub enemies: Vec<Vec<String>>,
    /// The standard as an ability on the calibrated scale (adopted from a standard-setting
    /// panel). When set, each form's pass mark is the expected score of a candidate at this
    /// ability on that form's items, so every form asks for the same competence;
    /// `pass_percent` then holds the panel's cut on the form it rated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut_theta: Option<f64>,
    /// Only with a seat in a sitting of this blueprint (its window, admission where asked,
    /// proctors watching). On by default: a stage-one result counts only when supervised.
    #[serde(default = "yes")]
    pub seated_only: bool,
    /// A practice test: never counted, taken at any time without a seat, as often as wished.
    #[serde(default)]
    pub practice: bool,
}

/// Why a blueprint cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BlueprintError {
    #[error("the blueprint has no sections")]
    NoSections,
    #[error("section {competency:?} asks for no items")]
    EmptySection { competency: String },
    #[error("competency {0:?} appears in more than one section")]
    DuplicateSection(String),
    #[error("the time limit must be between 1 and 600 minutes, not {0}")]
    TimeLimit(u32),
    #[error("a percentage must be between 0 and 100, not {0}")]
    Percent(f64),
    #[error("section {competency:?}: the weight must be above 0 and at most 100, not {weight}")]
    Weight { competency: String, weight: f64 },
    #[error("the maximum exposure must be above 0 and at most 1, not {0}")]
    Exposure(f64),
    #[error("the tolerance must be between 0.1 and 50 percentage points, not {0}")]
    Tolerance(f64),
    #[error("extra time for {applicant:?} must be between 1 and 200 percent, not {percent}")]
    ExtraTime { applicant: String, percent: u32 },
    #[error("{0:?} has more than one accommodation")]
    DuplicateAccommodation(String),
    #[error("enemy set {0} needs at least two distinct item ids")]
    EnemySet(usize),
    #[error("the blueprint's name must not be empty")]
    Name,
    #[error("the blueprint's id must be 1-64 letters, digits, '-' or '_'")]
    Id,
    #[error("the blueprint asks for {0} items; at most 500 fit on a form")]
    TooLong(u32),
    #[error("the cut ability must be between -6 and 6, not {0}")]
    CutTheta(f64),
}

impl Blueprint {
    /// A blueprint with the given sections and every other setting at its default.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        time_limit_minutes: u32,
        pass_percent: f64,
        sections: Vec<Section>,
    ) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            time_limit_minutes,
            pass_percent,
            min_competency_percent: None,
            sections,
            shuffle_items: true,
            shuffle_options: true,
            navigation: Navigation::Free,
            allow_flag: true,
            languages: vec![],
            results: ResultVisibility::PerCompetency,
            results_released: false,
            accommodations: vec![],
            max_exposure: 1.0,
            tolerance_points: 2.0,
            target_percent: None,
            enemies: vec![],
            cut_theta: None,
            seated_only: true,
            practice: false,
        }
    }

    pub fn validate(&self) -> Result<(), BlueprintError> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 64
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            return Err(BlueprintError::Id);
        }
        if self.name.trim().is_empty() {
            return Err(BlueprintError::Name);
        }
        if self.sections.is_empty() {
            return Err(BlueprintError::NoSections);
        }
        for (i, s) in self.sections.iter().enumerate() {
            if s.total() == 0 {
                return Err(BlueprintError::EmptySection {
                    competency: s.competency.clone(),
                });
            }
            if self.sections[..i]
                .iter()
                .any(|o| o.competency == s.competency)
            {
                return Err(BlueprintError::DuplicateSection(s.competency.clone()));
            }
            if !(s.weight > 0.0 && s.weight <= 100.0) {
                return Err(BlueprintError::Weight {
                    competency: s.competency.clone(),
                    weight: s.weight,
                });
            }
        }
        if self.item_count() > 500 {
            return Err(BlueprintError::TooLong(self.item_count()));
        }
        if let Some(t) = self.cut_theta
            && !(-6.0..=6.0).contains(&t)
        {
            return Err(BlueprintError::CutTheta(t));
        }
        if !(1..=600).contains(&self.time_limit_minutes) {
            return Err(BlueprintError::TimeLimit(self.time_limit_minutes));
        }
        let percents = std::iter::once(self.pass_percent)
            .chain(self.min_competency_percent)
            .chain(self.target_percent)
            .chain(self.sections.iter().filter_map(|s| s.min_percent));
        for p in percents {
            if !(0.0..=100.0).contains(&p) {
                return Err(BlueprintError::Percent(p));
            }
        }
        if !(self.max_exposure > 0.0 && self.max_exposure <= 1.0) {
            return Err(BlueprintError::Exposure(self.max_exposure));
        }
        if !(0.1..=50.0).contains(&self.tolerance_points) {
            return Err(BlueprintError::Tolerance(self.tolerance_points));
        }
        for (i, a) in self.accommodations.iter().enumerate() {
            if !(1..=200).contains(&a.extra_percent) {
                return Err(BlueprintError::ExtraTime {
                    applicant: a.applicant.clone(),
                    percent: a.extra_percent,
                });
            }
            if self.accommodations[..i]
                .iter()
                .any(|o| o.applicant.eq_ignore_ascii_case(&a.applicant))
            {
                return Err(BlueprintError::DuplicateAccommodation(a.applicant.clone()));
            }
        }
        for (i, set) in self.enemies.iter().enumerate() {
            let mut ids: Vec<&String> = set.iter().collect();
            ids.sort();
            ids.dedup();
            if ids.len() < 2 {
                return Err(BlueprintError::EnemySet(i + 1));
            }
        }
        Ok(())
    }

    /// Items on every form drawn from this blueprint.
    pub fn item_count(&self) -> u32 {
        self.sections.iter().map(Section::total).sum()
    }

    /// Time limit in milliseconds.
    pub fn time_limit_ms(&self) -> i64 {
        i64::from(self.time_limit_minutes) * 60_000
    }

    /// The time limit for one applicant (identified by e-mail or id), with any extra time.
    pub fn time_limit_ms_for(&self, email: &str, user_id: &str) -> i64 {
        let extra = self
            .accommodations
            .iter()
            .find(|a| a.applicant.eq_ignore_ascii_case(email) || a.applicant == user_id)
            .map_or(0, |a| i64::from(a.extra_percent));
        self.time_limit_ms() * (100 + extra) / 100
    }

    /// Whether an applicant may take the test in `language`.
    pub fn offers(&self, language: Language) -> bool {
        self.languages.is_empty() || self.languages.contains(&language)
    }

    /// The languages offered, in a stable order.
    pub fn offered_languages(&self) -> Vec<Language> {
        if self.languages.is_empty() {
            Language::ALL.to_vec()
        } else {
            self.languages.clone()
        }
    }

    /// The weight of one item of `competency` (1 for a competency without a section).
    pub fn weight_of(&self, competency: &str) -> f64 {
        self.sections
            .iter()
            .find(|s| s.competency == competency)
            .map_or(1.0, |s| s.weight)
    }

    /// The minimum percentage required in `competency`, if any.
    pub fn minimum_for(&self, competency: &str) -> Option<f64> {
        self.sections
            .iter()
            .find(|s| s.competency == competency)
            .and_then(|s| s.min_percent)
            .or(self.min_competency_percent)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn blueprint(sections: &[(&str, u32)]) -> Blueprint {
        Blueprint::new(
            "bp",
            "Test",
            40,
            70.0,
            sections.iter().map(|(c, n)| Section::any(*c, *n)).collect(),
        )
    }

    #[test]
    fn a_sane_blueprint_validates() {
        let b = blueprint(&[("a", 5), ("b", 5)]);
        assert_eq!(b.validate(), Ok(()));
        assert_eq!(b.item_count(), 10);
        assert_eq!(b.time_limit_ms(), 2_400_000);
    }

    #[test]
    fn old_blueprints_read_with_defaults() {
        let json = r#"{"id":"x","name":"X","time_limit_minutes":40,"pass_percent":70,
            "sections":[{"competency":"a","count":3}]}"#;
        let b: Blueprint = serde_json::from_str(json).expect("reads");
        assert_eq!(b.sections[0], Section::any("a", 3));
        assert_eq!(b.navigation, Navigation::Free);
        assert_eq!(b.max_exposure, 1.0);
        assert_eq!(b.tolerance_points, 2.0);
        assert!(b.allow_flag && b.shuffle_items);
        assert_eq!(b.validate(), Ok(()));
    }

    #[test]
    fn levels_weights_and_accommodations() {
        let mut b = blueprint(&[("a", 2)]);
        b.sections[0].easy = 1;
        b.sections[0].hard = 3;
        b.sections[0].weight = 2.0;
        assert_eq!(b.item_count(), 6);
        assert_eq!(b.sections[0].cells().count(), 3);
        assert_eq!(b.weight_of("a"), 2.0);
        assert_eq!(b.weight_of("zzz"), 1.0);
        b.accommodations.push(Accommodation {
            applicant: "Slow@Demo.kz".into(),
            extra_percent: 50,
        });
        assert_eq!(b.time_limit_ms_for("slow@demo.kz", "u1"), 3_600_000);
        assert_eq!(b.time_limit_ms_for("fast@demo.kz", "u2"), 2_400_000);
        b.min_competency_percent = Some(50.0);
        assert_eq!(b.minimum_for("a"), Some(50.0));
        b.sections[0].min_percent = Some(60.0);
        assert_eq!(b.minimum_for("a"), Some(60.0));
        assert!(b.offers(Language::Kk));
        b.languages = vec![Language::Ru];
        assert!(!b.offers(Language::Kk));
        assert_eq!(b.validate(), Ok(()));
    }

    #[test]
    fn broken_blueprints_are_refused() {
        assert_eq!(blueprint(&[]).validate(), Err(BlueprintError::NoSections));
        assert!(matches!(
            blueprint(&[("a", 0)]).validate(),
            Err(BlueprintError::EmptySection { .. })
        ));
        assert!(matches!(
            blueprint(&[("a", 1), ("a", 2)]).validate(),
            Err(BlueprintError::DuplicateSection(_))
        ));
        let mut b = blueprint(&[("a", 1)]);
        b.pass_percent = 120.0;
        assert_eq!(b.validate(), Err(BlueprintError::Percent(120.0)));
        b.pass_percent = 50.0;
        b.time_limit_minutes = 0;
        assert_eq!(b.validate(), Err(BlueprintError::TimeLimit(0)));
        let mut b = blueprint(&[("a", 1)]);
        b.max_exposure = 0.0;
        assert_eq!(b.validate(), Err(BlueprintError::Exposure(0.0)));
        let mut b = blueprint(&[("a", 1)]);
        b.sections[0].weight = -1.0;
        assert!(matches!(b.validate(), Err(BlueprintError::Weight { .. })));
        let mut b = blueprint(&[("a", 1)]);
        b.enemies = vec![vec!["x".into(), "x".into()]];
        assert_eq!(b.validate(), Err(BlueprintError::EnemySet(1)));
        let mut b = blueprint(&[("a", 1)]);
        b.accommodations = vec![Accommodation {
            applicant: "a@b".into(),
            extra_percent: 0,
        }];
        assert!(matches!(
            b.validate(),
            Err(BlueprintError::ExtraTime { .. })
        ));
        let mut b = blueprint(&[("a", 1)]);
        b.id = "has space".into();
        assert_eq!(b.validate(), Err(BlueprintError::Id));
    }
}
