//! A simulated pilot of the stage-one test: a few hundred examinees of known ability answer
//! the demo blueprint's forms through the real attempt path (a form drawn per examinee, each
//! answer stored as a save, the attempt closed and scored by the server), so the item analysis,
//! the calibration and the standard setting have data to show on a fresh demo.
//!
//! The answers follow a three-parameter logistic model with each item's difficulty from its
//! authored level; a few items are made weak on purpose (they barely separate strong from weak
//! examinees, or a distractor draws the strong ones), so the analysis has something to flag.
//! The examinees and the item parameters are seeded; the forms are drawn as for anyone (so
//! which items each examinee meets varies between loads, the figures a little with it). The
//! examinees' accounts cannot sign in (their password hash is not a hash).

use crate::services::Services;
use crate::store::{SaveCmd, SaveOutcome, Store, UserRow};
use anyhow::Context;
use app::model::{AttemptStatus, Role, UserInfo};
use question_bank::{Blueprint, Difficulty, Form, Item, Key};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// How many examinees the pilot has.
pub const PILOT_EXAMINEES: usize = 240;

/// Items made weak on purpose: `(item id, what is wrong)`.
const WEAK: [(&str, Weakness); 3] = [
    ("strategic-vision.07", Weakness::Flat),
    ("teaching-quality.04", Weakness::Flat),
    ("digital-data.09", Weakness::AttractiveDistractor),
];

#[derive(Clone, Copy, PartialEq)]
enum Weakness {
    /// Answered mostly at random, the strong a little less often right than the weak (a key
    /// the strong read differently).
    Flat,
    /// A wrong option draws strong examinees more than the key does.
    AttractiveDistractor,
}

fn email(n: usize) -> String {
    format!("pilot{n:03}@synthetic.kz")
}

/// Loads the pilot once (nothing happens if its first examinee exists). Returns whether it ran.
pub async fn load(services: &Services, store: &dyn Store) -> anyhow::Result<bool> {
    // The last examinee is written last: with them the pilot is complete.
    if store
        .user_by_email(&email(PILOT_EXAMINEES - 1))
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let row = store
        .blueprint(super::BLUEPRINT_ID)
        .await?
        .context("the demo blueprint")?;
    let bp: Blueprint = serde_json::from_str(&row.spec)?;
    let items: BTreeMap<String, Item> = super::items()?
        .into_iter()
        .map(|i| (i.id.to_string(), i))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    // Item parameters (in item order, so the same seed gives the same parameters):
    // discrimination, difficulty by authored level.
    let params: BTreeMap<&str, (f64, f64)> = items
        .iter()
        .map(|(id, item)| {
            let level = match item.difficulty {
                Difficulty::Easy => -1.0,
                Difficulty::Medium => 0.0,
                Difficulty::Hard => 1.0,
            };
            let a = rng.random_range(0.8..2.0);
            let b = level + rng.random_range(-0.5..0.5);
            (id.as_str(), (a, b))
        })
        .collect();
    for n in 0..PILOT_EXAMINEES {
        // An examinee of an interrupted load is not loaded twice.
        if store.user_by_email(&email(n)).await?.is_some() {
            continue;
        }
        let user = UserRow {
            id: uuid::Uuid::new_v4().to_string(),
            email: email(n),
            // Not a password hash: these accounts cannot sign in.
            password_hash: "!".into(),
            role: Role::Applicant.as_str().into(),
            full_name: format!("Pilot examinee {:03}", n + 1),
            created_at: services.now(),
        };
        store.insert_user(&user).await?;
        let info = UserInfo {
            id: user.id.clone(),
            email: user.email.clone(),
            full_name: user.full_name.clone(),
            role: Role::Applicant,
            session: format!("pilot-{n}"),
        };
        let lang = match rng.random_range(0..20) {
            0..=10 => question_bank::Language::Kk,
            11..=18 => question_bank::Language::Ru,
            _ => question_bank::Language::En,
        };
        let theta: f64 = normal(&mut rng);
        let view = services
            .begin_attempt(&info, &bp, lang, None)
            .await
            .map_err(|e| anyhow::anyhow!("pilot attempt: {}", e.message))?;
        let attempt = store
            .attempt(&view.id)
            .await?
            .context("the pilot attempt")?;
        let form: Form = serde_json::from_str(&attempt.form)?;
        for (seq, entry) in form.entries.iter().enumerate() {
            let id = entry.item_id.to_string();
            let (Some(item), Some(&(a, b))) = (items.get(&id), params.get(id.as_str())) else {
                continue;
            };
            let Key::SingleChoice { correct } = item.key else {
                continue;
            };
            // One in fifty questions left unanswered.
            if rng.random_bool(0.02) {
                continue;
            }
            let weakness = WEAK.iter().find(|(w, _)| *w == id).map(|(_, w)| *w);
            let options = entry.option_order.len();
            let wrong: Vec<usize> = (0..options).filter(|&o| o != correct).collect();
            let authored = match weakness {
                Some(Weakness::Flat) => {
                    if rng.random_bool(0.2 + 0.3 * logistic(-theta)) {
                        correct
                    } else {
                        wrong[rng.random_range(0..wrong.len())]
                    }
                }
                Some(Weakness::AttractiveDistractor) => {
                    // The strong pick the first wrong option; the others spread.
                    let p_distractor = logistic(1.5 * theta);
                    if rng.random_bool(p_distractor.clamp(0.0, 1.0)) {
                        wrong[0]
                    } else if rng.random_bool(0.4) {
                        correct
                    } else {
                        wrong[rng.random_range(0..wrong.len())]
                    }
                }
                None => {
                    let p = 0.2 + 0.8 * logistic(a * (theta - b));
                    if rng.random_bool(p.clamp(0.0, 1.0)) {
                        correct
                    } else {
                        wrong[rng.random_range(0..wrong.len())]
                    }
                }
            };
            let Some(shown) = entry
                .option_order
                .iter()
                .position(|&o| usize::from(o) == authored)
            else {
                continue;
            };
            let answer = question_bank::Answer::Choice(u32::try_from(shown)?);
            let saved = store
                .save_response(SaveCmd {
                    attempt_id: attempt.id.clone(),
                    item_id: id,
                    choice: Some(i64::try_from(shown)?),
                    answer: Some(serde_json::to_string(&answer)?),
                    seq: i64::try_from(seq)? + 1,
                    now: services.now(),
                    device: info.session.clone(),
                })
                .await?;
            anyhow::ensure!(
                saved == SaveOutcome::Applied,
                "a pilot answer was not stored ({saved:?})"
            );
        }
        services
            .close_and_score(&attempt.id, AttemptStatus::Submitted)
            .await
            .map_err(|e| anyhow::anyhow!("pilot scoring: {}", e.message))?;
    }
    Ok(true)
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}
