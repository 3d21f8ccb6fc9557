//! Items: questions with their texts in several languages and their key.
//!
//! The *content* of an item (stem and options) may be shown to a candidate; the *key* and the
//! *rationale* never are. They are separate fields so the storage and the wire types can keep
//! them apart.

use crate::language::Language;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The most options a single-choice item may have.
pub const MAX_OPTIONS: usize = 10;

/// A stable identifier of an item across its versions: 1-64 characters of `a-z 0-9 - _ .`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ItemId(String);

impl ItemId {
    pub fn parse(s: impl Into<String>) -> Result<Self, ItemError> {
        let s = s.into();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
            });
        if ok {
            Ok(ItemId(s))
        } else {
            Err(ItemError::BadId(s))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ItemId {
    type Error = ItemError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ItemId::parse(s)
    }
}
impl From<ItemId> for String {
    fn from(id: ItemId) -> String {
        id.0
    }
}
impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A-priori difficulty, set by the author until real statistics exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "easy" => Some(Difficulty::Easy),
            "medium" => Some(Difficulty::Medium),
            "hard" => Some(Difficulty::Hard),
            _ => None,
        }
    }
}

/// One text in several languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LocalizedText(pub BTreeMap<Language, String>);

impl LocalizedText {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn with(mut self, lang: Language, text: impl Into<String>) -> Self {
        self.0.insert(lang, text.into());
        self
    }
    /// The text in `lang`, or in the nearest language that has it.
    pub fn get(&self, lang: Language) -> Option<&str> {
        lang.fallbacks().into_iter().find_map(|l| {
            self.0
                .get(&l)
                .map(String::as_str)
                .filter(|t| !t.trim().is_empty())
        })
    }
    /// Whether the text exists (non-blank) in exactly this language.
    pub fn has(&self, lang: Language) -> bool {
        self.0.get(&lang).is_some_and(|t| !t.trim().is_empty())
    }
    pub fn languages(&self) -> impl Iterator<Item = Language> + '_ {
        self.0
            .iter()
            .filter(|(_, t)| !t.trim().is_empty())
            .map(|(l, _)| *l)
    }
}

/// The key of an item. Never sent to a candidate's browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Key {
    /// Single choice: the index (in authoring order) of the one correct option.
    SingleChoice { correct: usize },
}

/// A version of an item as the bank stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: ItemId,
    pub version: u32,
    /// Code of the competency the item measures (e.g. `leading-change`).
    pub competency: String,
    pub difficulty: Difficulty,
    pub stem: LocalizedText,
    pub options: Vec<LocalizedText>,
    pub key: Key,
    /// Why the key is right: for methodologists and appeals, never for candidates.
    pub rationale: LocalizedText,
}

/// Why an item or its id is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItemError {
    #[error("item id {0:?} must be 1-64 characters of a-z, 0-9, '-', '_' or '.'")]
    BadId(String),
    #[error("item {id}: the stem is empty")]
    EmptyStem { id: String },
    #[error("item {id}: a single-choice item needs 2 to {MAX_OPTIONS} options, it has {count}")]
    OptionCount { id: String, count: usize },
    #[error("item {id}: option {option} is empty in {lang}")]
    EmptyOption {
        id: String,
        option: usize,
        lang: Language,
    },
    #[error("item {id}: options {first} and {second} have the same text in {lang}")]
    DuplicateOption {
        id: String,
        first: usize,
        second: usize,
        lang: Language,
    },
    #[error("item {id}: the key names option {correct}, but there are only {count} options")]
    KeyOutOfRange {
        id: String,
        correct: usize,
        count: usize,
    },
    #[error("item {id}: the competency code is empty")]
    NoCompetency { id: String },
}

impl Item {
    /// Checks the rules every item must satisfy before it can be stored or drawn.
    pub fn validate(&self) -> Result<(), ItemError> {
        let id = || self.id.to_string();
        if self.competency.trim().is_empty() {
            return Err(ItemError::NoCompetency { id: id() });
        }
        let langs: Vec<Language> = self.stem.languages().collect();
        if langs.is_empty() {
            return Err(ItemError::EmptyStem { id: id() });
        }
        let count = self.options.len();
        if !(2..=MAX_OPTIONS).contains(&count) {
            return Err(ItemError::OptionCount { id: id(), count });
        }
        for &lang in &langs {
            for (i, option) in self.options.iter().enumerate() {
                if !option.has(lang) {
                    return Err(ItemError::EmptyOption {
                        id: id(),
                        option: i + 1,
                        lang,
                    });
                }
                for (j, other) in self.options.iter().enumerate().skip(i + 1) {
                    if option.0.get(&lang).map(|t| t.trim()) == other.0.get(&lang).map(|t| t.trim())
                    {
                        return Err(ItemError::DuplicateOption {
                            id: id(),
                            first: i + 1,
                            second: j + 1,
                            lang,
                        });
                    }
                }
            }
        }
        match self.key {
            Key::SingleChoice { correct } if correct >= count => Err(ItemError::KeyOutOfRange {
                id: id(),
                correct: correct + 1,
                count,
            }),
            Key::SingleChoice { .. } => Ok(()),
        }
    }

    /// The languages in which the whole item (stem and every option) is written.
    pub fn ready_languages(&self) -> Vec<Language> {
        Language::ALL
            .into_iter()
            .filter(|&l| self.stem.has(l) && self.options.iter().all(|o| o.has(l)))
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn sample(id: &str, competency: &str, options: usize, correct: usize) -> Item {
        Item {
            id: ItemId::parse(id).expect("valid id"),
            version: 1,
            competency: competency.into(),
            difficulty: Difficulty::Medium,
            stem: LocalizedText::new().with(Language::En, format!("Question {id}?")),
            options: (0..options)
                .map(|i| LocalizedText::new().with(Language::En, format!("Option {i}")))
                .collect(),
            key: Key::SingleChoice { correct },
            rationale: LocalizedText::new(),
        }
    }

    #[test]
    fn a_well_formed_item_validates() {
        assert_eq!(sample("q-1", "vision", 4, 2).validate(), Ok(()));
    }

    #[test]
    fn a_key_outside_the_options_is_refused() {
        let err = sample("q-1", "vision", 4, 4).validate().unwrap_err();
        assert!(matches!(
            err,
            ItemError::KeyOutOfRange {
                correct: 5,
                count: 4,
                ..
            }
        ));
    }

    #[test]
    fn too_few_options_or_duplicates_are_refused() {
        assert!(matches!(
            sample("q-1", "vision", 1, 0).validate(),
            Err(ItemError::OptionCount { count: 1, .. })
        ));
        let mut item = sample("q-1", "vision", 3, 0);
        item.options[2] = item.options[0].clone();
        assert!(matches!(
            item.validate(),
            Err(ItemError::DuplicateOption {
                first: 1,
                second: 3,
                ..
            })
        ));
    }

    #[test]
    fn an_option_missing_in_a_language_of_the_stem_is_refused() {
        let mut item = sample("q-1", "vision", 3, 0);
        item.stem = item.stem.clone().with(Language::Ru, "Вопрос?");
        for (i, o) in item.options.iter_mut().enumerate().take(2) {
            o.0.insert(Language::Ru, format!("Вариант {i}"));
        }
        assert!(matches!(
            item.validate(),
            Err(ItemError::EmptyOption {
                option: 3,
                lang: Language::Ru,
                ..
            })
        ));
        assert_eq!(item.ready_languages(), vec![Language::En]);
    }

    #[test]
    fn ids_are_checked() {
        assert!(ItemId::parse("lead-01").is_ok());
        assert!(ItemId::parse("").is_err());
        assert!(ItemId::parse("Bad Id").is_err());
        assert!(ItemId::parse("x".repeat(65)).is_err());
    }

    #[test]
    fn text_falls_back_to_a_near_language() {
        let t = LocalizedText::new()
            .with(Language::Ru, "Привет")
            .with(Language::En, "Hello");
        assert_eq!(t.get(Language::Kk), Some("Привет"));
        assert_eq!(t.get(Language::En), Some("Hello"));
        assert_eq!(LocalizedText::new().get(Language::En), None);
    }
}
