//! Parsing a 10,000-item GIFT bank (three languages, every type), and writing it.

use criterion::{Criterion, criterion_group, criterion_main};
use question_bank::formats::{self, Format, ImportOptions};
use std::hint::black_box;

fn import(c: &mut Criterion) {
    let text = formats::gift::synthetic(10_000);
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
