//! CSV for spreadsheets: one row per item and language.
//!
//! Columns (a header row is required; order is free; only `id`, `type` and `stem` must be
//! there): `id, type, competency, difficulty, language, stem, option_1 ... option_12,
//! match_1 ... match_12, key, rationale, tags, author, source, expected_seconds, credit,
//! case_sensitive`. The rows of one item share its `id`; the first row that gives a metadata
//! column or the key wins. The key, with options counted from 1:
//!
//! | type | key |
//! | --- | --- |
//! | `single_choice` | `2` |
//! | `multiple_response` | `1;3` |
//! | `true_false` | `true` or `false` |
//! | `matching` | `1=2;2=1` (premise = answer to match) |
//! | `ordering` | empty: the options are written in the right order |
//! | `numeric` | `3.14:0.01` (value:tolerance) |
//! | `short_text` | `answer|other answer` |

use super::*;
use crate::item::{ItemType, MAX_MATCHES, PartialCredit};

const FIXED: [&str; 14] = [
    "id",
    "type",
    "competency",
    "difficulty",
    "language",
    "stem",
    "key",
    "rationale",
    "tags",
    "author",
    "source",
    "expected_seconds",
    "credit",
    "case_sensitive",
];

fn header() -> Vec<String> {
    let mut h: Vec<String> = FIXED[..6].iter().map(|s| s.to_string()).collect();
    h.extend((1..=MAX_MATCHES).map(|i| format!("option_{i}")));
    h.extend((1..=MAX_MATCHES).map(|i| format!("match_{i}")));
    h.extend(FIXED[6..].iter().map(|s| s.to_string()));
    h
}

struct Draft {
    line: usize,
    id: String,
    kind: Option<String>,
    competency: Option<String>,
    difficulty: Option<String>,
    stem: LocalizedText,
    options: Vec<LocalizedText>,
    matches: Vec<LocalizedText>,
    key: Option<String>,
    rationale: LocalizedText,
    meta: ItemMeta,
    credit: Option<String>,
    case_sensitive: Option<String>,
}

/// Reads a CSV file.
pub fn parse(text: &str, options: &ImportOptions) -> Result<Imported, Vec<FormatError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let head = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .collect::<Vec<_>>(),
        Err(e) => {
            return Err(vec![FormatError::new(
                Position::Line(1),
                format!("the header row is not readable: {e}"),
            )]);
        }
    };
    let known = header();
    let unknown: Vec<&String> = head.iter().filter(|h| !known.contains(h)).collect();
    let mut errors = Vec::new();
    if !unknown.is_empty() {
        errors.push(FormatError::new(
            Position::Line(1),
            format!(
                "unknown columns {unknown:?}; the columns are {}",
                known.join(", ")
            ),
        ));
    }
    for must in ["id", "type", "stem"] {
        if !head.iter().any(|h| h == must) {
            errors.push(FormatError::new(
                Position::Line(1),
                format!("the column {must:?} is missing"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let col = |name: &str| head.iter().position(|h| h == name);
    let mut drafts: Vec<Draft> = Vec::new();
    let mut by_id: std::collections::HashMap<String, usize> = Default::default();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(FormatError::new(
                    Position::Line(line),
                    format!("the row is not readable: {e}"),
                ));
                continue;
            }
        };
        let get =
            |name: &str| -> &str { col(name).and_then(|i| record.get(i)).unwrap_or("").trim() };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let id = get("id").to_string();
        if id.is_empty() {
            errors.push(FormatError::new(Position::Line(line), "the id is empty"));
            continue;
        }
        let lang = match get("language") {
            "" => options.language,
            l => match l.parse::<Language>() {
                Ok(l) => l,
                Err(_) => {
                    errors.push(FormatError::new(
                        Position::Line(line),
                        format!("language {l:?} is not kk, ru or en"),
                    ));
                    continue;
                }
            },
        };
        let index = *by_id.entry(id.clone()).or_insert_with(|| {
            drafts.push(Draft {
                line,
                id: id.clone(),
                kind: None,
                competency: None,
                difficulty: None,
                stem: LocalizedText::new(),
                options: vec![],
                matches: vec![],
                key: None,
                rationale: LocalizedText::new(),
                meta: ItemMeta::default(),
                credit: None,
                case_sensitive: None,
            });
            drafts.len() - 1
        });
        let d = &mut drafts[index];
        let first = |slot: &mut Option<String>, v: &str| {
            if slot.is_none() && !v.is_empty() {
                *slot = Some(v.to_string());
            }
        };
        first(&mut d.kind, get("type"));
        first(&mut d.competency, get("competency"));
        first(&mut d.difficulty, get("difficulty"));
        first(&mut d.key, get("key"));
        first(&mut d.credit, get("credit"));
        first(&mut d.case_sensitive, get("case_sensitive"));
        if d.meta.tags.is_empty() {
            d.meta.tags = get("tags")
                .split([',', ';'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect();
        }
        if d.meta.author.is_empty() {
            d.meta.author = get("author").to_string();
        }
        if d.meta.source.is_empty() {
            d.meta.source = get("source").to_string();
        }
        if d.meta.expected_seconds.is_none() && !get("expected_seconds").is_empty() {
            match get("expected_seconds").parse() {
                Ok(s) => d.meta.expected_seconds = Some(s),
                Err(_) => errors.push(FormatError::new(
                    Position::Line(line),
                    format!(
                        "expected_seconds {:?} is not a whole number",
                        get("expected_seconds")
                    ),
                )),
            }
        }
        let put = |t: &mut LocalizedText, v: &str| {
            if !v.is_empty() {
                t.0.insert(lang, v.to_string());
            }
        };
        put(&mut d.stem, get("stem"));
        put(&mut d.rationale, get("rationale"));
        for (prefix, list) in [("option", &mut d.options), ("match", &mut d.matches)] {
            for i in 1..=MAX_MATCHES {
                let v = get(&format!("{prefix}_{i}"));
                if v.is_empty() {
                    continue;
                }
                while list.len() < i {
                    list.push(LocalizedText::new());
                }
                list[i - 1].0.insert(lang, v.to_string());
            }
        }
    }
    let mut out = Imported::default();
    let mut seen = std::collections::HashSet::new();
    for d in drafts {
        match build(d, options) {
            Ok(item) => {
                if !seen.insert(item.item.id.clone()) {
                    errors.push(FormatError::new(
                        item.position.clone(),
                        "two items have this id",
                    ));
                }
                out.items.push(item)
            }
            Err(e) => errors.push(e),
        }
    }
    all_or_errors(out, errors)
}

fn build(d: Draft, options: &ImportOptions) -> Result<ImportedItem, FormatError> {
    let at = Position::Line(d.line);
    let err = |m: String| FormatError::new(at.clone(), m);
    let id = ItemId::parse(d.id.clone()).map_err(|e| err(e.to_string()))?;
    let kind_text = d.kind.unwrap_or_default();
    let kind = ItemType::parse(&kind_text).ok_or_else(|| {
        err(format!(
            "type {kind_text:?} is not one of {}",
            ItemType::ALL.map(ItemType::as_str).join(", ")
        ))
    })?;
    let key_text = d.key.unwrap_or_default();
    let index = |s: &str| -> Result<usize, FormatError> {
        s.trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .map(|n| n - 1)
            .ok_or_else(|| err(format!("{s:?} in the key is not an option number (from 1)")))
    };
    let key = match kind {
        ItemType::SingleChoice => Key::SingleChoice {
            correct: index(&key_text)?,
        },
        ItemType::MultipleResponse => Key::MultipleResponse {
            correct: key_text
                .split(';')
                .filter(|s| !s.trim().is_empty())
                .map(index)
                .collect::<Result<_, _>>()?,
            credit: match d.credit.as_deref() {
                None | Some("right_minus_wrong") => PartialCredit::RightMinusWrong,
                Some("all_or_nothing") => PartialCredit::AllOrNothing,
                Some(other) => {
                    return Err(err(format!(
                        "credit {other:?} is not right_minus_wrong or all_or_nothing"
                    )));
                }
            },
        },
        ItemType::TrueFalse => Key::TrueFalse {
            answer: match key_text.to_ascii_lowercase().as_str() {
                "true" | "t" | "1" => true,
                "false" | "f" | "0" => false,
                other => return Err(err(format!("the key {other:?} is not true or false"))),
            },
        },
        ItemType::Matching => {
            let mut pairs = vec![usize::MAX; d.options.len()];
            for pair in key_text.split(';').filter(|s| !s.trim().is_empty()) {
                let (p, m) = pair
                    .split_once('=')
                    .ok_or_else(|| err(format!("{pair:?} in the key is not premise=answer")))?;
                let p = index(p)?;
                let slot = pairs.get_mut(p).ok_or_else(|| {
                    err(format!(
                        "the key names premise {}, which has no option",
                        p + 1
                    ))
                })?;
                *slot = index(m)?;
            }
            if let Some(p) = pairs.iter().position(|&m| m == usize::MAX) {
                return Err(err(format!(
                    "the key gives no answer for premise {}",
                    p + 1
                )));
            }
            Key::Matching { pairs }
        }
        ItemType::Ordering => Key::Ordering,
        ItemType::Numeric => {
            let (v, t) = key_text.split_once(':').unwrap_or((key_text.as_str(), "0"));
            let value: f64 = v
                .trim()
                .parse()
                .map_err(|_| err(format!("the key {key_text:?} is not value:tolerance")))?;
            let tolerance: f64 = t
                .trim()
                .parse()
                .map_err(|_| err(format!("the key {key_text:?} is not value:tolerance")))?;
            Key::Numeric { value, tolerance }
        }
        ItemType::ShortText => Key::ShortText {
            accepted: key_text
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            case_sensitive: matches!(d.case_sensitive.as_deref(), Some("true" | "1" | "yes")),
        },
    };
    let difficulty = match d.difficulty.as_deref() {
        None => Difficulty::Medium,
        Some(s) => Difficulty::parse(s)
            .ok_or_else(|| err(format!("difficulty {s:?} is not easy, medium or hard")))?,
    };
    let item = Item {
        id,
        version: 1,
        competency: d
            .competency
            .clone()
            .unwrap_or_else(|| options.default_competency.clone()),
        difficulty,
        stem: d.stem,
        options: d.options,
        matches: d.matches,
        key,
        rationale: d.rationale,
        meta: d.meta,
        attachments: vec![],
    };
    item.validate().map_err(|e| err(e.to_string()))?;
    Ok(ImportedItem {
        item,
        category: d.competency,
        position: at,
        files: vec![],
    })
}

/// Writes items as CSV, one row per item and language it has text in.
pub fn write(items: &[Item]) -> String {
    let mut w = ::csv::WriterBuilder::new().from_writer(Vec::new());
    let head = header();
    let _ = w.write_record(&head);
    for item in items {
        let langs: Vec<Language> = Language::ALL
            .into_iter()
            .filter(|l| {
                item.texts()
                    .chain(std::iter::once(&item.rationale))
                    .any(|t| t.0.contains_key(l))
            })
            .collect();
        for (n, lang) in langs.iter().enumerate() {
            let firstrow = n == 0;
            let t = |x: &LocalizedText| x.0.get(lang).cloned().unwrap_or_default();
            let meta = |v: String| if firstrow { v } else { String::new() };
            let mut row: Vec<String> = vec![
                item.id.to_string(),
                item.item_type().as_str().into(),
                meta(item.competency.clone()),
                meta(item.difficulty.as_str().into()),
                lang.code().into(),
                t(&item.stem),
            ];
            for i in 0..MAX_MATCHES {
                row.push(item.options.get(i).map(t).unwrap_or_default());
            }
            for i in 0..MAX_MATCHES {
                row.push(item.matches.get(i).map(t).unwrap_or_default());
            }
            let key = match &item.key {
                Key::SingleChoice { correct } => (correct + 1).to_string(),
                Key::MultipleResponse { correct, .. } => correct
                    .iter()
                    .map(|c| (c + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(";"),
                Key::TrueFalse { answer } => answer.to_string(),
                Key::Matching { pairs } => pairs
                    .iter()
                    .enumerate()
                    .map(|(p, m)| format!("{}={}", p + 1, m + 1))
                    .collect::<Vec<_>>()
                    .join(";"),
                Key::Ordering => String::new(),
                Key::Numeric { value, tolerance } => format!("{value}:{tolerance}"),
                Key::ShortText { accepted, .. } => accepted.join("|"),
            };
            row.push(meta(key));
            row.push(t(&item.rationale));
            row.push(meta(item.meta.tags.join(",")));
            row.push(meta(item.meta.author.clone()));
            row.push(meta(item.meta.source.clone()));
            row.push(meta(
                item.meta
                    .expected_seconds
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            ));
            row.push(meta(match &item.key {
                Key::MultipleResponse {
                    credit: PartialCredit::AllOrNothing,
                    ..
                } => "all_or_nothing".into(),
                Key::MultipleResponse { .. } => "right_minus_wrong".into(),
                _ => String::new(),
            }));
            row.push(meta(match &item.key {
                Key::ShortText {
                    case_sensitive: true,
                    ..
                } => "true".into(),
                _ => String::new(),
            }));
            let _ = w.write_record(&row);
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_per_language_make_one_item() {
        let file = "id,type,competency,difficulty,language,stem,option_1,option_2,option_3,key,tags\n\
                    lead-1,single_choice,vision,hard,ru,Кто?,Я,Ты,Мы,3,\"a,b\"\n\
                    lead-1,single_choice,,,en,Who?,Me,You,Us,,\n\
                    num-1,numeric,vision,,en,How many?,,,,8068:10,\n";
        let got = parse(file, &ImportOptions::default()).expect("parses");
        assert_eq!(got.items.len(), 2);
        let a = &got.items[0].item;
        assert_eq!(a.key, Key::SingleChoice { correct: 2 });
        assert_eq!(a.difficulty, Difficulty::Hard);
        assert_eq!(a.ready_languages(), vec![Language::Ru, Language::En]);
        assert_eq!(a.meta.tags, ["a", "b"]);
        assert_eq!(
            got.items[1].item.key,
            Key::Numeric {
                value: 8068.0,
                tolerance: 10.0
            }
        );
    }

    #[test]
    fn errors_name_the_line() {
        let file = "id,type,stem,option_1,option_2,key\nok-1,single_choice,Q,A,B,1\nbad-1,single_choice,Q,A,B,5\nbad-2,guess,Q,,,\n";
        let errors = parse(file, &ImportOptions::default()).expect_err("refused");
        let lines: Vec<String> = errors.iter().map(|e| e.position.to_string()).collect();
        assert_eq!(lines, ["line 3", "line 4"], "{errors:?}");
        let errors = parse("id,typo,stem\n", &ImportOptions::default()).expect_err("refused");
        assert!(errors[0].message.contains("unknown columns"));
    }
}
