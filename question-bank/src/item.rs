//! Items: questions with their texts in several languages and their key.
//!
//! The *content* of an item (stem and options) may be shown to a candidate; the *key* and the
//! *rationale* never are. They are separate fields so the storage and the wire types can keep
//! them apart.

use crate::language::Language;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The most options a choice item may have.
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
    /// For ids the crate makes itself from valid characters.
    pub(crate) fn trusted(s: String) -> Self {
        debug_assert!(ItemId::parse(s.clone()).is_ok());
        ItemId(s)
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
    /// The share of candidates expected to answer an item of this level right, before any
    /// real data exist.
    pub fn prior_p(self) -> f64 {
        match self {
            Difficulty::Easy => 0.8,
            Difficulty::Medium => 0.6,
            Difficulty::Hard => 0.4,
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

/// How a multiple-response item gives partial credit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartialCredit {
    /// Full credit only for exactly the correct set.
    AllOrNothing,
    /// `(right chosen - wrong chosen) / correct count`, never below zero (Moodle's usual rule).
    #[default]
    RightMinusWrong,
}

/// The kinds of item the bank holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemType {
    SingleChoice,
    MultipleResponse,
    TrueFalse,
    Matching,
    Ordering,
    Numeric,
    ShortText,
}

impl ItemType {
    pub const ALL: [ItemType; 7] = [
        ItemType::SingleChoice,
        ItemType::MultipleResponse,
        ItemType::TrueFalse,
        ItemType::Matching,
        ItemType::Ordering,
        ItemType::Numeric,
        ItemType::ShortText,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ItemType::SingleChoice => "single_choice",
            ItemType::MultipleResponse => "multiple_response",
            ItemType::TrueFalse => "true_false",
            ItemType::Matching => "matching",
            ItemType::Ordering => "ordering",
            ItemType::Numeric => "numeric",
            ItemType::ShortText => "short_text",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        ItemType::ALL.into_iter().find(|t| t.as_str() == s)
    }
    /// Whether the item has a list of options (choices, premises or elements to order).
    pub fn has_options(self) -> bool {
        matches!(
            self,
            ItemType::SingleChoice
                | ItemType::MultipleResponse
                | ItemType::Matching
                | ItemType::Ordering
        )
    }
}

impl fmt::Display for ItemType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The key of an item. Never sent to a candidate's browser. Indices are in authoring order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Key {
    /// The one correct option.
    SingleChoice {
        correct: usize,
    },
    /// The correct options (at least one), and how partial answers are credited.
    MultipleResponse {
        correct: Vec<usize>,
        #[serde(default)]
        credit: PartialCredit,
    },
    TrueFalse {
        answer: bool,
    },
    /// `pairs[i]` is the index in `matches` of the answer to premise `options[i]`. `matches`
    /// may hold more answers than premises (distractors).
    Matching {
        pairs: Vec<usize>,
    },
    /// The options as authored are in the right order; candidates see them shuffled.
    Ordering,
    /// Any number within `tolerance` of `value` is right.
    Numeric {
        value: f64,
        tolerance: f64,
    },
    /// Accepted answers, compared after [`normalize_answer`] (and case-folded unless
    /// `case_sensitive`).
    ShortText {
        accepted: Vec<String>,
        #[serde(default)]
        case_sensitive: bool,
    },
}

impl Key {
    pub fn item_type(&self) -> ItemType {
        match self {
            Key::SingleChoice { .. } => ItemType::SingleChoice,
            Key::MultipleResponse { .. } => ItemType::MultipleResponse,
            Key::TrueFalse { .. } => ItemType::TrueFalse,
            Key::Matching { .. } => ItemType::Matching,
            Key::Ordering => ItemType::Ordering,
            Key::Numeric { .. } => ItemType::Numeric,
            Key::ShortText { .. } => ItemType::ShortText,
        }
    }
}

/// Trims, collapses inner whitespace to one space, and unifies characters that candidates type
/// interchangeably (`ё`/`е`, typographic quotes and dashes).
pub fn normalize_answer(s: &str, case_sensitive: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            let c = match c {
                'ё' => 'е',
                'Ё' => 'Е',
                '\u{2018}' | '\u{2019}' | '`' => '\'',
                '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}' => '"',
                '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
                c => c,
            };
            if case_sensitive {
                out.push(c);
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

/// A file an item's text refers to as `![alt](attachment:NAME)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Unique within the item: 1-64 characters of `a-z A-Z 0-9 - _ .`.
    pub name: String,
    /// `image/png`, `image/jpeg`, `image/gif`, `image/webp` or `image/svg+xml`.
    pub media_type: String,
    /// Hex SHA-256 of the bytes (the bytes are stored by the server, once per digest).
    pub sha256: String,
    pub size: u64,
}

/// The image types an attachment may have.
pub const IMAGE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// Metadata that does not change how the item is shown or scored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemMeta {
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub author: String,
    /// Where the item comes from (a book, a bank, an import file).
    #[serde(default)]
    pub source: String,
    /// Expected answering time in seconds.
    #[serde(default)]
    pub expected_seconds: Option<u32>,
}

/// A version of an item as the bank stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: ItemId,
    pub version: u32,
    /// Code of the competency the item measures (e.g. `leading-change`).
    pub competency: String,
    pub difficulty: Difficulty,
    /// Markdown subset (see [`crate::markdown`]).
    pub stem: LocalizedText,
    /// Choices (single choice, multiple response), premises (matching) or the elements to put
    /// in order (ordering); empty for the other types.
    pub options: Vec<LocalizedText>,
    /// The answers premises are matched to (matching items only).
    #[serde(default)]
    pub matches: Vec<LocalizedText>,
    pub key: Key,
    /// Why the key is right: for methodologists and appeals, never for candidates.
    pub rationale: LocalizedText,
    #[serde(default)]
    pub meta: ItemMeta,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// The most options (or premises, or answers to match) an item may have.
pub const MAX_MATCHES: usize = 12;

/// Why an item or its id is not acceptable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ItemError {
    #[error("item id {0:?} must be 1-64 characters of a-z, 0-9, '-', '_' or '.'")]
    BadId(String),
    #[error("item {id}: the stem is empty")]
    EmptyStem { id: String },
    #[error("item {id}: a {kind} item needs {min} to {max} options, it has {count}")]
    OptionCount {
        id: String,
        kind: ItemType,
        min: usize,
        max: usize,
        count: usize,
    },
    #[error("item {id}: a {kind} item has no options, but {count} are given")]
    UnexpectedOptions {
        id: String,
        kind: ItemType,
        count: usize,
    },
    #[error("item {id}: option {option} is empty in {lang}")]
    EmptyOption {
        id: String,
        option: usize,
        lang: Language,
    },
    #[error("item {id}: answer {option} to match is empty in {lang}")]
    EmptyMatch {
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
    #[error("item {id}: {problem}")]
    BadKey { id: String, problem: String },
    #[error("item {id}: the competency code is empty")]
    NoCompetency { id: String },
    #[error("item {id}: {problem}")]
    BadAttachment { id: String, problem: String },
}

fn same_text(a: &LocalizedText, b: &LocalizedText, lang: Language) -> bool {
    a.0.get(&lang).map(|t| t.trim()) == b.0.get(&lang).map(|t| t.trim())
}

impl Item {
    /// A new single-choice item with four empty options, as the editor opens it.
    pub fn blank() -> Item {
        let empty = LocalizedText::new;
        Item {
            id: ItemId(String::from("new-item")),
            version: 1,
            competency: String::new(),
            difficulty: Difficulty::Medium,
            stem: empty(),
            options: vec![empty(), empty(), empty(), empty()],
            matches: vec![],
            key: Key::SingleChoice { correct: 0 },
            rationale: empty(),
            meta: ItemMeta::default(),
            attachments: vec![],
        }
    }

    /// Makes this item another type, keeping what fits (the stem, the options where the new
    /// type has options, as many answers as options for matching) and starting a key of the
    /// new type.
    pub fn retype(&mut self, t: ItemType) {
        let ensure = |v: &mut Vec<LocalizedText>, n: usize| {
            while v.len() < n {
                v.push(LocalizedText::new());
            }
        };
        if !t.has_options() {
            self.options.clear();
        } else {
            ensure(&mut self.options, 2);
        }
        if t != ItemType::Matching {
            self.matches.clear();
        }
        self.key = match t {
            ItemType::SingleChoice => Key::SingleChoice { correct: 0 },
            ItemType::MultipleResponse => Key::MultipleResponse {
                correct: vec![0],
                credit: PartialCredit::RightMinusWrong,
            },
            ItemType::TrueFalse => Key::TrueFalse { answer: true },
            ItemType::Matching => {
                let n = self.options.len();
                ensure(&mut self.matches, n);
                Key::Matching {
                    pairs: (0..n).collect(),
                }
            }
            ItemType::Ordering => Key::Ordering,
            ItemType::Numeric => Key::Numeric {
                value: 0.0,
                tolerance: 0.0,
            },
            ItemType::ShortText => Key::ShortText {
                accepted: vec![],
                case_sensitive: false,
            },
        };
    }

    pub fn item_type(&self) -> ItemType {
        self.key.item_type()
    }

    /// Checks the rules every item must satisfy before it can be stored or drawn. The message
    /// names the item and the part (these are shown inline in the editor).
    pub fn validate(&self) -> Result<(), ItemError> {
        let id = || self.id.to_string();
        let kind = self.item_type();
        if self.competency.trim().is_empty() {
            return Err(ItemError::NoCompetency { id: id() });
        }
        let langs: Vec<Language> = self.stem.languages().collect();
        if langs.is_empty() {
            return Err(ItemError::EmptyStem { id: id() });
        }
        let count = self.options.len();
        let (min, max) = match kind {
            ItemType::SingleChoice => (2, MAX_OPTIONS),
            ItemType::MultipleResponse => (2, MAX_OPTIONS),
            ItemType::Matching => (2, MAX_MATCHES),
            ItemType::Ordering => (2, MAX_MATCHES),
            _ => (0, 0),
        };
        if !kind.has_options() && count > 0 {
            return Err(ItemError::UnexpectedOptions {
                id: id(),
                kind,
                count,
            });
        }
        if !(min..=max).contains(&count) {
            return Err(ItemError::OptionCount {
                id: id(),
                kind,
                min,
                max,
                count,
            });
        }
        if kind != ItemType::Matching && !self.matches.is_empty() {
            return Err(ItemError::BadKey {
                id: id(),
                problem: format!(
                    "only matching items have answers to match ({kind} has {})",
                    self.matches.len()
                ),
            });
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
                    if same_text(option, other, lang) {
                        return Err(ItemError::DuplicateOption {
                            id: id(),
                            first: i + 1,
                            second: j + 1,
                            lang,
                        });
                    }
                }
            }
            for (i, m) in self.matches.iter().enumerate() {
                if !m.has(lang) {
                    return Err(ItemError::EmptyMatch {
                        id: id(),
                        option: i + 1,
                        lang,
                    });
                }
            }
        }
        let bad = |problem: String| Err(ItemError::BadKey { id: id(), problem });
        match &self.key {
            Key::SingleChoice { correct } if *correct >= count => Err(ItemError::KeyOutOfRange {
                id: id(),
                correct: correct + 1,
                count,
            }),
            Key::SingleChoice { .. } | Key::TrueFalse { .. } | Key::Ordering => Ok(()),
            Key::MultipleResponse { correct, .. } => {
                if correct.is_empty() {
                    return bad("a multiple-response item needs at least one correct option".into());
                }
                if let Some(&c) = correct.iter().find(|&&c| c >= count) {
                    return Err(ItemError::KeyOutOfRange {
                        id: id(),
                        correct: c + 1,
                        count,
                    });
                }
                let mut seen = correct.clone();
                seen.sort_unstable();
                seen.dedup();
                if seen.len() != correct.len() {
                    return bad("the key names an option twice".into());
                }
                Ok(())
            }
            Key::Matching { pairs } => {
                if pairs.len() != count {
                    return bad(format!(
                        "every premise needs its answer: {count} premises, {} pairs",
                        pairs.len()
                    ));
                }
                if self.matches.len() < 2 || self.matches.len() > MAX_MATCHES {
                    return bad(format!(
                        "a matching item needs 2 to {MAX_MATCHES} answers to match, it has {}",
                        self.matches.len()
                    ));
                }
                if let Some(&p) = pairs.iter().find(|&&p| p >= self.matches.len()) {
                    return bad(format!(
                        "a pair names answer {}, but there are only {}",
                        p + 1,
                        self.matches.len()
                    ));
                }
                for &lang in &langs {
                    for (i, m) in self.matches.iter().enumerate() {
                        for (j, other) in self.matches.iter().enumerate().skip(i + 1) {
                            if same_text(m, other, lang) {
                                return bad(format!(
                                    "answers to match {} and {} have the same text in {lang}",
                                    i + 1,
                                    j + 1
                                ));
                            }
                        }
                    }
                }
                Ok(())
            }
            Key::Numeric { value, tolerance } => {
                if !value.is_finite() || !tolerance.is_finite() || *tolerance < 0.0 {
                    return bad(
                        "a numeric key needs a finite value and a tolerance of 0 or more".into(),
                    );
                }
                Ok(())
            }
            Key::ShortText {
                accepted,
                case_sensitive,
            } => {
                let normalized: Vec<String> = accepted
                    .iter()
                    .map(|a| normalize_answer(a, *case_sensitive))
                    .filter(|a| !a.is_empty())
                    .collect();
                if normalized.is_empty() {
                    return bad("a short-text item needs at least one accepted answer".into());
                }
                if normalized.len() != accepted.len() {
                    return bad("an accepted answer is empty".into());
                }
                Ok(())
            }
        }?;
        self.validate_attachments()
    }

    fn validate_attachments(&self) -> Result<(), ItemError> {
        let bad = |problem: String| {
            Err(ItemError::BadAttachment {
                id: self.id.to_string(),
                problem,
            })
        };
        let mut names = std::collections::BTreeSet::new();
        for a in &self.attachments {
            let ok_name = !a.name.is_empty()
                && a.name.len() <= 64
                && a.name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
            if !ok_name {
                return bad(format!(
                    "attachment name {:?} must be 1-64 characters of a-z, A-Z, 0-9, '-', '_' or '.'",
                    a.name
                ));
            }
            if !names.insert(a.name.as_str()) {
                return bad(format!("two attachments are named {:?}", a.name));
            }
            if !IMAGE_TYPES.contains(&a.media_type.as_str()) {
                return bad(format!(
                    "attachment {:?} is {}, not an image type Qabilet shows ({})",
                    a.name,
                    a.media_type,
                    IMAGE_TYPES.join(", ")
                ));
            }
        }
        for text in self.texts() {
            for lang_text in text.0.values() {
                for name in crate::markdown::attachment_refs(lang_text) {
                    if !names.contains(name.as_str()) {
                        return bad(format!(
                            "the text shows attachment {name:?}, which the item does not have"
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Every text a candidate sees: stem, options, answers to match.
    pub fn texts(&self) -> impl Iterator<Item = &LocalizedText> {
        std::iter::once(&self.stem)
            .chain(&self.options)
            .chain(&self.matches)
    }

    /// The languages in which the whole item (every text a candidate sees) is written.
    pub fn ready_languages(&self) -> Vec<Language> {
        Language::ALL
            .into_iter()
            .filter(|&l| self.texts().all(|t| t.has(l)))
            .collect()
    }

    /// Per language, how many of the candidate-visible texts are written (done, of total).
    pub fn completeness(&self) -> Vec<(Language, usize, usize)> {
        let total = self.texts().count();
        Language::ALL
            .into_iter()
            .map(|l| (l, self.texts().filter(|t| t.has(l)).count(), total))
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
            matches: vec![],
            key: Key::SingleChoice { correct },
            rationale: LocalizedText::new(),
            meta: ItemMeta::default(),
            attachments: vec![],
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
