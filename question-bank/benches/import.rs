//! Parsing a 10,000-item GIFT bank (three languages, every type), and writing it.

use criterion::{Criterion, criterion_group, criterion_main};
use question_bank::formats::{self, Format, ImportOptions};
use std::hint::black_box;

/// A GIFT file of `n` items in Kazakh, Russian and English, cycling through the types.
pub fn bank(n: usize) -> String {
    let ml = |kk: &str, ru: &str, en: &str| {
        format!(
            "<span lang\\=\"kk\" class\\=\"multilang\">{kk}</span><span lang\\=\"ru\" class\\=\"multilang\">{ru}</span><span lang\\=\"en\" class\\=\"multilang\">{en}</span>"
        )
    };
    let mut out = String::new();
    for i in 0..n {
        if i % 500 == 0 {
            out.push_str(&format!(
                "$CATEGORY: $course$/top/competency {}\n\n",
                i / 500
            ));
        }
        let stem = ml(
            &format!("Сұрақ {i}: мектеп басшысы не істейді?"),
            &format!("Вопрос {i}: что делает директор школы?"),
            &format!("Question {i}: what does a school principal do?"),
        );
        let opt = |k: usize| {
            ml(
                &format!("жауап {k}"),
                &format!("ответ {k}"),
                &format!("answer {k}"),
            )
        };
        let body = match i % 6 {
            0 | 1 => format!("={}\n~{}\n~{}\n~{}", opt(1), opt(2), opt(3), opt(4)),
            2 => format!("~%50%{}\n~%50%{}\n~%-100%{}", opt(1), opt(2), opt(3)),
            3 => "TRUE".to_string(),
            4 => format!("={} -> {}\n={} -> {}", opt(1), opt(5), opt(2), opt(6)),
            _ => "#42:0.5".to_string(),
        };
        out.push_str(&format!(
            "::q-{i}::[markdown]{stem}{{\n{body}\n####{}\n}}\n\n",
            ml("себебі", "потому что", "because")
        ));
    }
    out
}

fn import(c: &mut Criterion) {
    let text = bank(10_000);
    let options = ImportOptions::default();
    let parsed = formats::import(Format::Gift, &text, &options).expect("the bank parses");
    assert_eq!(parsed.items.len(), 10_000);
    let items: Vec<_> = parsed.items.into_iter().map(|i| i.item).collect();
    let mut group = c.benchmark_group("gift");
    group.sample_size(10);
    group.bench_function("parse 10,000 items", |b| {
        b.iter(|| formats::import(Format::Gift, black_box(&text), &options))
    });
    group.bench_function("write 10,000 items", |b| {
        b.iter(|| formats::export(Format::Gift, black_box(&items)))
    });
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
