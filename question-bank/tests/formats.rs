//! Property tests of the exchange formats: export then import gives back the same items, and no
//! input, however broken, makes a parser panic.

use proptest::prelude::*;
use question_bank::formats::{self, Format, ImportOptions};
use question_bank::markdown;
use question_bank::{
    Difficulty, Item, ItemId, ItemMeta, Key, Language, LocalizedText, PartialCredit,
};

const CHARS: &[char] = &[
    'a', 'b', 'z', 'Q', '0', '7', 'я', 'Ж', 'қ', 'Ұ', 'ә', '~', '=', '#', '{', '}', ':', '!', '&',
    '"', '\'', '<', ';', ',', '.', '-', '?', '(', ')', '$', '/', '[', ']', '\\',
];

fn word() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(CHARS), 1..8).prop_map(|v| v.into_iter().collect())
}

/// Canonical text: words separated by single spaces, not starting with a list marker.
fn sentence() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 1..6).prop_map(|w| format!("t {}", w.join(" ")))
}

fn langs() -> impl Strategy<Value = Vec<Language>> {
    prop::sample::subsequence(Language::ALL.to_vec(), 1..=3)
}

fn text_in(langs: &[Language], base: &str, n: usize) -> LocalizedText {
    let mut t = LocalizedText::new();
    for l in langs {
        t.0.insert(*l, format!("{base} {} {n}", l.code()));
    }
    t
}

#[derive(Debug, Clone)]
struct Shape {
    kind: u8,
    options: usize,
    extra_matches: usize,
    picks: Vec<usize>,
    value: i64,
    tol: u16,
    flag: bool,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        0u8..7,
        2usize..6,
        0usize..2,
        prop::collection::vec(0usize..100, 6),
        -100_000i64..100_000,
        0u16..500,
        any::<bool>(),
    )
        .prop_map(
            |(kind, options, extra_matches, picks, value, tol, flag)| Shape {
                kind,
                options,
                extra_matches,
                picks,
                value,
                tol,
                flag,
            },
        )
}

#[allow(clippy::too_many_arguments)]
fn item(
    n: usize,
    langs: &[Language],
    stem: &str,
    option_text: &str,
    s: &Shape,
    meta: ItemMeta,
    rationale: bool,
    competency: &str,
) -> Item {
    let opts = |k: usize, tag: &str| -> Vec<LocalizedText> {
        (0..k)
            .map(|i| text_in(langs, &format!("{option_text} {tag}"), i))
            .collect()
    };
    let mut options = vec![];
    let mut matches = vec![];
    let key = match s.kind {
        0 => {
            options = opts(s.options, "o");
            Key::SingleChoice {
                correct: s.picks[0] % s.options,
            }
        }
        1 => {
            options = opts(s.options, "o");
            let mut correct: Vec<usize> = s.picks.iter().map(|p| p % s.options).collect();
            correct.sort_unstable();
            correct.dedup();
            Key::MultipleResponse {
                correct,
                credit: if s.flag {
                    PartialCredit::AllOrNothing
                } else {
                    PartialCredit::RightMinusWrong
                },
            }
        }
        2 => Key::TrueFalse { answer: s.flag },
        3 => {
            options = opts(s.options, "p");
            matches = opts(s.options + s.extra_matches, "m");
            // Canonical: premises use the answers in order (what a file can express).
            Key::Matching {
                pairs: (0..s.options).collect(),
            }
        }
        4 => {
            options = opts(s.options, "e");
            Key::Ordering
        }
        5 => Key::Numeric {
            value: s.value as f64 / 100.0,
            tolerance: f64::from(s.tol) / 10.0,
        },
        _ => Key::ShortText {
            accepted: (0..s.options.min(3))
                .map(|i| format!("ans {i} {}", option_text.replace('|', "/")))
                .collect(),
            case_sensitive: s.flag,
        },
    };
    Item {
        id: ItemId::parse(format!("it-{n}")).expect("id"),
        version: 1,
        competency: competency.into(),
        difficulty: [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard][s.picks[1] % 3],
        stem: text_in(langs, stem, n),
        options,
        matches,
        key,
        rationale: if rationale {
            text_in(langs, "why", n)
        } else {
            LocalizedText::new()
        },
        meta,
        attachments: vec![],
    }
}

fn meta() -> impl Strategy<Value = ItemMeta> {
    (
        prop::collection::btree_set("[a-z]{1,8}", 0..3),
        prop::option::of(sentence()),
        prop::option::of(sentence()),
        prop::option::of(1u32..3600),
    )
        .prop_map(|(tags, author, source, seconds)| ItemMeta {
            tags: tags.into_iter().collect(),
            author: author.unwrap_or_default(),
            source: source.unwrap_or_default(),
            expected_seconds: seconds,
        })
}

fn items() -> impl Strategy<Value = Vec<Item>> {
    prop::collection::vec(
        (
            langs(),
            sentence(),
            sentence(),
            shape(),
            meta(),
            any::<bool>(),
            "[a-z]{3,10}",
        ),
        1..8,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(n, (langs, stem, option, shape, meta, rationale, comp))| {
                item(n, &langs, &stem, &option, &shape, meta, rationale, &comp)
            })
            .collect()
    })
}

/// Items compared by meaning: texts by their Markdown tree (`*a*` and `_a_` are the same).
fn canonical(items: &[Item]) -> Vec<Item> {
    let canon = |t: &LocalizedText| {
        LocalizedText(
            t.0.iter()
                .map(|(l, v)| (*l, format!("{:?}", markdown::parse(v))))
                .collect(),
        )
    };
    items
        .iter()
        .map(|i| {
            let mut i = i.clone();
            i.stem = canon(&i.stem);
            i.rationale = canon(&i.rationale);
            i.options = i.options.iter().map(canon).collect();
            i.matches = i.matches.iter().map(canon).collect();
            i
        })
        .collect()
}

/// Single-language items are read in the import's default language; make it theirs.
fn options_for(items: &[Item]) -> ImportOptions {
    let _ = items;
    ImportOptions {
        language: Language::Ru,
        ..Default::default()
    }
}

fn only_ru_when_single(items: &mut [Item]) {
    for i in items {
        let langs: Vec<Language> = i.stem.languages().collect();
        if langs.len() == 1 && langs[0] != Language::Ru {
            let move_text = |t: &mut LocalizedText| {
                if let Some(v) = t.0.remove(&langs[0]) {
                    t.0.insert(Language::Ru, v);
                }
            };
            move_text(&mut i.stem);
            move_text(&mut i.rationale);
            i.options.iter_mut().for_each(move_text);
            i.matches.iter_mut().for_each(move_text);
        }
    }
}

fn round_trip(format: Format, mut items: Vec<Item>) -> Result<(), TestCaseError> {
    only_ru_when_single(&mut items);
    for i in &items {
        prop_assert!(
            i.validate().is_ok(),
            "generated item is valid: {:?}",
            i.validate()
        );
    }
    let text = formats::export(format, &items);
    let back = formats::import(format, &text, &options_for(&items));
    let back = match back {
        Ok(b) => b,
        Err(e) => return Err(TestCaseError::fail(format!("{e:?}\n{text}"))),
    };
    prop_assert!(back.skipped.is_empty());
    let got: Vec<Item> = back.items.into_iter().map(|i| i.item).collect();
    if format == Format::Csv || format == Format::Gift {
        prop_assert_eq!(&got, &items, "{}", text);
    } else {
        prop_assert_eq!(canonical(&got), canonical(&items), "{}", text);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn gift_round_trips(items in items()) {
        round_trip(Format::Gift, items)?;
    }

    #[test]
    fn moodle_xml_round_trips(items in items()) {
        round_trip(Format::MoodleXml, items)?;
    }

    #[test]
    fn csv_round_trips(items in items()) {
        round_trip(Format::Csv, items)?;
    }

    #[test]
    fn no_input_makes_a_parser_panic(text in ".{0,400}") {
        for f in [Format::Gift, Format::MoodleXml, Format::Csv] {
            let _ = formats::import(f, &text, &ImportOptions::default());
        }
        let _ = markdown::parse(&text);
    }

    #[test]
    fn broken_exports_make_no_parser_panic(items in items(), cut in 0usize..10_000, junk in "[{}=~#:<>/\\\\\"\n -]{0,12}") {
        for f in [Format::Gift, Format::MoodleXml, Format::Csv] {
            let text = formats::export(f, &items);
            let mut at = cut.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let broken = format!("{}{junk}{}", &text[..at], &text[at..]);
            let _ = formats::import(f, &broken, &ImportOptions::default());
            let _ = formats::import(f, &text[..at], &ImportOptions::default());
        }
    }
}
