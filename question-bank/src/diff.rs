//! A readable difference between two versions of an item, field by field, for the history view.

use crate::item::{Item, Key, LocalizedText, PartialCredit};
use crate::language::Language;
use serde::{Deserialize, Serialize};

/// One field that differs. Empty `before` means the field was added, empty `after` removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// E.g. `stem (kk)`, `option 2 (ru)`, `key`, `tags`.
    pub field: String,
    pub before: String,
    pub after: String,
}

/// The key in words a methodologist reads (options counted from 1).
pub fn describe_key(item: &Item) -> String {
    let list = |v: &[usize]| {
        v.iter()
            .map(|i| (i + 1).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &item.key {
        Key::SingleChoice { correct } => format!("option {}", correct + 1),
        Key::MultipleResponse { correct, credit } => format!(
            "options {} ({})",
            list(correct),
            match credit {
                PartialCredit::AllOrNothing => "all or nothing",
                PartialCredit::RightMinusWrong => "partial credit: right minus wrong",
            }
        ),
        Key::TrueFalse { answer } => if *answer { "true" } else { "false" }.into(),
        Key::Matching { pairs } => pairs
            .iter()
            .enumerate()
            .map(|(p, m)| format!("{}→{}", p + 1, m + 1))
            .collect::<Vec<_>>()
            .join(", "),
        Key::Ordering => "the order as written".into(),
        Key::Numeric { value, tolerance } => format!("{value} ± {tolerance}"),
        Key::ShortText {
            accepted,
            case_sensitive,
        } => format!(
            "{} ({})",
            accepted
                .iter()
                .map(|a| format!("“{a}”"))
                .collect::<Vec<_>>()
                .join(" | "),
            if *case_sensitive {
                "case-sensitive"
            } else {
                "case-insensitive"
            }
        ),
    }
}

fn texts(out: &mut Vec<Change>, name: &str, a: Option<&LocalizedText>, b: Option<&LocalizedText>) {
    for lang in Language::ALL {
        let get = |t: Option<&LocalizedText>| {
            t.and_then(|t| t.0.get(&lang))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let (x, y) = (get(a), get(b));
        if x != y {
            out.push(Change {
                field: format!("{name} ({lang})"),
                before: x,
                after: y,
            });
        }
    }
}

fn field(out: &mut Vec<Change>, name: &str, a: String, b: String) {
    if a != b {
        out.push(Change {
            field: name.into(),
            before: a,
            after: b,
        });
    }
}

/// What changed from `a` to `b`.
pub fn diff(a: &Item, b: &Item) -> Vec<Change> {
    let mut out = Vec::new();
    field(
        &mut out,
        "type",
        a.item_type().to_string(),
        b.item_type().to_string(),
    );
    field(
        &mut out,
        "competency",
        a.competency.clone(),
        b.competency.clone(),
    );
    field(
        &mut out,
        "difficulty",
        a.difficulty.as_str().into(),
        b.difficulty.as_str().into(),
    );
    texts(&mut out, "stem", Some(&a.stem), Some(&b.stem));
    for i in 0..a.options.len().max(b.options.len()) {
        texts(
            &mut out,
            &format!("option {}", i + 1),
            a.options.get(i),
            b.options.get(i),
        );
    }
    for i in 0..a.matches.len().max(b.matches.len()) {
        texts(
            &mut out,
            &format!("answer to match {}", i + 1),
            a.matches.get(i),
            b.matches.get(i),
        );
    }
    field(&mut out, "key", describe_key(a), describe_key(b));
    texts(
        &mut out,
        "rationale",
        Some(&a.rationale),
        Some(&b.rationale),
    );
    field(
        &mut out,
        "tags",
        a.meta.tags.join(", "),
        b.meta.tags.join(", "),
    );
    field(
        &mut out,
        "author",
        a.meta.author.clone(),
        b.meta.author.clone(),
    );
    field(
        &mut out,
        "source",
        a.meta.source.clone(),
        b.meta.source.clone(),
    );
    let secs = |i: &Item| {
        i.meta
            .expected_seconds
            .map(|s| format!("{s} s"))
            .unwrap_or_default()
    };
    field(&mut out, "expected time", secs(a), secs(b));
    let files = |i: &Item| {
        i.attachments
            .iter()
            .map(|f| f.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    field(&mut out, "attachments", files(a), files(b));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::tests::sample;

    #[test]
    fn changes_are_named_by_field_and_language() {
        let a = sample("q-1", "vision", 4, 1);
        let mut b = a.clone();
        b.options[2].0.insert(Language::En, "Changed".into());
        b.options[2].0.insert(Language::Kk, "Өзгерді".into());
        b.key = Key::SingleChoice { correct: 2 };
        b.meta.tags = vec!["new".into()];
        let d = diff(&a, &b);
        let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["option 3 (kk)", "option 3 (en)", "key", "tags"]);
        assert_eq!(d[2].before, "option 2");
        assert_eq!(d[2].after, "option 3");
        assert_eq!(d[0].before, "");
        assert!(diff(&a, &a).is_empty());
    }
}
