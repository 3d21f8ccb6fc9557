//! Fair form assembly and scoring at national scale: 10,000 forms of 60 items from a
//! 2,000-item bank, and 100,000 scored attempts.

use criterion::{Criterion, criterion_group, criterion_main};
use question_bank::form::synthetic_pool;
use question_bank::{
    Assembler, Blueprint, Key, PartialCredit, Response, ScoredEntry, Section, score,
};
use rand::{Rng, SeedableRng};
use std::hint::black_box;

/// Six competencies, each 3 easy + 4 medium + 3 hard items: 60 per form.
pub fn blueprint() -> Blueprint {
    let sections = (1..=6)
        .map(|c| Section {
            easy: 3,
            medium: 4,
            hard: 3,
            ..Section::any(format!("c{c}"), 0)
        })
        .collect();
    let mut bp = Blueprint::new("bench", "Bench", 60, 60.0, sections);
    bp.max_exposure = 0.25;
    bp
}

fn assembly(c: &mut Criterion) {
    let pool = synthetic_pool(2_000, 6, 1);
    let bp = blueprint();
    {
        let mut asm = Assembler::new(&bp, &pool).expect("the bank fills the blueprint");
        let (_, fairness) = asm.forms(10_000, 7).expect("forms");
        println!("fairness over 10,000 forms: {fairness:?}");
    }
    let mut group = c.benchmark_group("assembly");
    group.sample_size(10);
    group.bench_function("10,000 forms of 60 items from 2,000", |b| {
        b.iter(|| {
            let mut asm = Assembler::new(&bp, &pool).expect("fits");
            asm.forms(black_box(10_000), 7).expect("forms")
        })
    });
    // The same bank calibrated: forms are balanced by information at the cut too.
    let calibrated: Vec<_> = pool
        .iter()
        .enumerate()
        .map(|(i, p)| question_bank::PoolItem {
            irt: Some(question_bank::psychometrics::irt::ItemParams {
                // Discriminations spread over 0.6-2.0.
                a: 0.6 + 1.4 * (i as f64 * 0.618_034).fract(),
                b: question_bank::psychometrics::irt::provisional(p.p).b,
            }),
            ..p.clone()
        })
        .collect();
    let mut standard = bp.clone();
    standard.cut_theta = Some(0.3);
    {
        let mut asm = Assembler::new(&standard, &calibrated).expect("fits");
        let (_, fairness) = asm.forms(10_000, 7).expect("forms");
        println!("fairness over 10,000 calibrated forms: {fairness:?}");
    }
    group.bench_function("10,000 calibrated forms of 60 items from 2,000", |b| {
        b.iter(|| {
            let mut asm = Assembler::new(&standard, &calibrated).expect("fits");
            asm.forms(black_box(10_000), 7).expect("forms")
        })
    });
    group.finish();
}

fn scoring(c: &mut Criterion) {
    let bp = blueprint();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let keys: Vec<Key> = (0..60)
        .map(|i| match i % 4 {
            0 => Key::SingleChoice { correct: 2 },
            1 => Key::MultipleResponse {
                correct: vec![0, 3],
                credit: PartialCredit::RightMinusWrong,
            },
            2 => Key::Matching {
                pairs: vec![1, 0, 2],
            },
            _ => Key::ShortText {
                accepted: vec!["Лидерство".into(), "leadership".into()],
                case_sensitive: false,
            },
        })
        .collect();
    let competencies: Vec<String> = (1..=6).map(|c| format!("c{c}")).collect();
    let attempts: Vec<Vec<Option<Response>>> = (0..100_000)
        .map(|_| {
            (0..60)
                .map(|i| {
                    let r: u32 = rng.random_range(0..4);
                    if r == 0 {
                        return None;
                    }
                    Some(match i % 4 {
                        0 => Response::Choice(r as usize),
                        1 => Response::Choices(vec![0, r as usize]),
                        2 => Response::Pairs(vec![Some(1), Some(r as usize % 3), None]),
                        _ => Response::Text(if r == 1 {
                            " лидерство ".into()
                        } else {
                            "x".into()
                        }),
                    })
                })
                .collect()
        })
        .collect();
    let mut group = c.benchmark_group("scoring");
    group.sample_size(10);
    group.bench_function("100,000 attempts of 60 items", |b| {
        b.iter(|| {
            let mut passed = 0u32;
            for responses in &attempts {
                let entries: Vec<ScoredEntry<'_>> = responses
                    .iter()
                    .enumerate()
                    .map(|(i, r)| ScoredEntry {
                        competency: &competencies[i % 6],
                        key: &keys[i],
                        weight: 1.0,
                        response: r.clone(),
                    })
                    .collect();
                passed += u32::from(score(&bp, black_box(&entries)).passed);
            }
            passed
        })
    });
    group.finish();
}

criterion_group!(benches, assembly, scoring);
criterion_main!(benches);
