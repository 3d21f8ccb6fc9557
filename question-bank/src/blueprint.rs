//! Blueprints: what a test must contain, how long it lasts and what passes it.

use serde::{Deserialize, Serialize};

/// How many items one competency contributes to every form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub competency: String,
    pub count: u32,
}

/// The specification of a test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blueprint {
    pub id: String,
    pub name: String,
    pub time_limit_minutes: u32,
    /// Overall cut score, in percent of items answered correctly (0-100).
    pub pass_percent: f64,
    /// Optional minimum per competency, in percent (0-100).
    #[serde(default)]
    pub min_competency_percent: Option<f64>,
    pub sections: Vec<Section>,
    #[serde(default = "yes")]
    pub shuffle_items: bool,
    #[serde(default = "yes")]
    pub shuffle_options: bool,
}

fn yes() -> bool {
    true
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
}

impl Blueprint {
    pub fn validate(&self) -> Result<(), BlueprintError> {
        if self.sections.is_empty() {
            return Err(BlueprintError::NoSections);
        }
        for (i, s) in self.sections.iter().enumerate() {
            if s.count == 0 {
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
        }
        if !(1..=600).contains(&self.time_limit_minutes) {
            return Err(BlueprintError::TimeLimit(self.time_limit_minutes));
        }
        for p in std::iter::once(self.pass_percent).chain(self.min_competency_percent) {
            if !(0.0..=100.0).contains(&p) {
                return Err(BlueprintError::Percent(p));
            }
        }
        Ok(())
    }

    /// Items on every form drawn from this blueprint.
    pub fn item_count(&self) -> u32 {
        self.sections.iter().map(|s| s.count).sum()
    }

    /// Time limit in milliseconds.
    pub fn time_limit_ms(&self) -> i64 {
        i64::from(self.time_limit_minutes) * 60_000
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn blueprint(sections: &[(&str, u32)]) -> Blueprint {
        Blueprint {
            id: "bp".into(),
            name: "Test".into(),
            time_limit_minutes: 40,
            pass_percent: 70.0,
            min_competency_percent: None,
            sections: sections
                .iter()
                .map(|(c, n)| Section {
                    competency: (*c).into(),
                    count: *n,
                })
                .collect(),
            shuffle_items: true,
            shuffle_options: true,
        }
    }

    #[test]
    fn a_sane_blueprint_validates() {
        let b = blueprint(&[("a", 5), ("b", 5)]);
        assert_eq!(b.validate(), Ok(()));
        assert_eq!(b.item_count(), 10);
        assert_eq!(b.time_limit_ms(), 2_400_000);
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
    }
}
