//! IRT calibration at the scale of a national sitting: the 2PL model for 100 items and
//! 10,000 examinees by marginal maximum likelihood (EM), target under 2 s on one core; and
//! the classical analysis of the same matrix.

use criterion::{Criterion, criterion_group, criterion_main};
use question_bank::psychometrics::irt::{Model, Options, calibrate, random_items, simulate};
use question_bank::psychometrics::{ResponseMatrix, classical};
use std::hint::black_box;

fn calibration(c: &mut Criterion) {
    let truth = random_items(100, 7);
    let data = simulate(&truth, 10_000, 11);
    let names: Vec<String> = (1..=100).map(|i| format!("q{i}")).collect();
    {
        let cal = calibrate(&names, &data, Model::TwoPl, &Options::default()).expect("calibrates");
        eprintln!(
            "2PL 100 x 10,000: {} EM iterations, converged {}, log-likelihood {:.1}",
            cal.iterations, cal.converged, cal.log_likelihood
        );
    }
    let mut group = c.benchmark_group("calibration");
    group.sample_size(10);
    group.bench_function("2pl_100_items_10000_examinees", |b| {
        b.iter(|| {
            calibrate(
                black_box(&names),
                black_box(&data),
                Model::TwoPl,
                &Options::default(),
            )
        })
    });
    group.bench_function("rasch_100_items_10000_examinees", |b| {
        b.iter(|| {
            calibrate(
                black_box(&names),
                black_box(&data),
                Model::Rasch,
                &Options::default(),
            )
        })
    });
    let matrix = ResponseMatrix::new(
        names.clone(),
        data.iter()
            .map(|r| r.iter().map(|x| x.map(f64::from)).collect())
            .collect(),
    )
    .expect("matrix");
    group.bench_function("classical_100_items_10000_examinees", |b| {
        b.iter(|| classical::analyse(black_box(&matrix), &[], classical::Bounds::default()))
    });
    group.finish();
}

criterion_group!(benches, calibration);
criterion_main!(benches);
