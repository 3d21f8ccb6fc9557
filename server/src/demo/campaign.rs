//! Demo campaigns: an open one for trying the pipeline by hand, and a synthetic national round
//! whose funnel resembles the first real one (8,068 applications, 208 in the reserve), so the
//! reports and the reserve have something real-sized to show. Synthetic people only.

use crate::store::*;
use app::model::{CampaignSettings, REGIONS};
use question_bank::selection::{Rule, certificate_number};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub const DEMO_CAMPAIGN: &str = "demo-2026";
pub const SYNTHETIC_CAMPAIGN: &str = "national-2025";

/// How many reach each step of the synthetic round: applications, then those who pass the
/// test, training, internship, final assessment and interview (= the reserve), then appointed.
pub const SYNTHETIC_FUNNEL: [usize; 7] = [8_068, 1_614, 1_352, 1_139, 487, 208, 71];

/// Rough weights of the regions' teacher numbers (the order of [`REGIONS`]).
const WEIGHTS: [u32; 20] = [4, 6, 6, 12, 5, 6, 8, 5, 9, 6, 6, 5, 4, 5, 17, 2, 5, 7, 9, 8];

const SURNAMES: [&str; 16] = [
    "Ахметов",
    "Жумабаев",
    "Серікбаев",
    "Касымов",
    "Нурланов",
    "Омаров",
    "Сапаров",
    "Тулегенов",
    "Абенов",
    "Бекмуратов",
    "Искаков",
    "Есенов",
    "Кенжебаев",
    "Мусин",
    "Оспанов",
    "Жаксылыков",
];
const MEN: [&str; 10] = [
    "Нурлан",
    "Ерлан",
    "Марат",
    "Данияр",
    "Бауыржан",
    "Асхат",
    "Серик",
    "Айдос",
    "Ержан",
    "Талгат",
];
const WOMEN: [&str; 10] = [
    "Айгерим",
    "Гульнара",
    "Асель",
    "Жанар",
    "Сауле",
    "Алия",
    "Динара",
    "Меруерт",
    "Камила",
    "Әсел",
];

/// The open demo campaign of the demo blueprint, with the demo experts and commission.
pub async fn load_open(store: &dyn Store, blueprint_id: &str) -> anyhow::Result<()> {
    if store.campaign(DEMO_CAMPAIGN).await?.is_some() {
        return Ok(());
    }
    let settings = CampaignSettings {
        rules: vec![app::model::StageRule {
            stage: 3,
            rule: Rule::default(),
        }],
        ..CampaignSettings::default()
    };
    store
        .insert_campaign(&CampaignRow {
            id: DEMO_CAMPAIGN.into(),
            name: "1000 leaders 2026, round 1 (demo)".into(),
            year: 2026,
            round: 1,
            blueprint_id: Some(blueprint_id.into()),
            open: 1,
            settings: serde_json::to_string(&settings)?,
            created_by: "demo".into(),
            created_at: crate::clock::system_now_ms(),
        })
        .await?;
    for (panel, emails, chair) in [
        (
            "expert",
            &["expert@demo.kz", "expert2@demo.kz", "expert3@demo.kz"][..],
            None,
        ),
        (
            "commission",
            &["commission@demo.kz", "commission2@demo.kz"][..],
            Some("commission@demo.kz"),
        ),
    ] {
        let mut members = Vec::new();
        for email in emails {
            if let Some(u) = store.user_by_email(email).await? {
                members.push((u.id, chair == Some(*email)));
            }
        }
        store.set_panel(DEMO_CAMPAIGN, panel, &members).await?;
    }
    Ok(())
}

fn iin(rng: &mut ChaCha8Rng, male: bool) -> String {
    loop {
        let year = rng.random_range(1962..=1996u32);
        let month = rng.random_range(1..=12u32);
        let day = rng.random_range(1..=28u32);
        let century = if male { 3 } else { 4 };
        let serial = rng.random_range(0..10_000u32);
        let first11 = format!("{:02}{month:02}{day:02}{century}{serial:04}", year % 100);
        if let Some(iin) = question_bank::iin::complete(&first11) {
            return iin;
        }
    }
}

fn region(rng: &mut ChaCha8Rng) -> &'static str {
    let total: u32 = WEIGHTS.iter().sum();
    let mut x = rng.random_range(0..total);
    for (r, w) in REGIONS.iter().zip(WEIGHTS) {
        if x < w {
            return r;
        }
        x -= w;
    }
    REGIONS[0]
}

/// The synthetic national round (idempotent: nothing happens if it exists).
pub async fn load_synthetic(store: &dyn Store) -> anyhow::Result<bool> {
    if store.campaign(SYNTHETIC_CAMPAIGN).await?.is_some() {
        return Ok(false);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(2025);
    // Synthetic dates: applications in February 2025, results through the year.
    let t0: i64 = 1_738_368_000_000; // 2025-02-01
    let day = 86_400_000;
    store
        .insert_campaign(&CampaignRow {
            id: SYNTHETIC_CAMPAIGN.into(),
            name: "1000 leaders 2025, national round (synthetic data)".into(),
            year: 2025,
            round: 1,
            blueprint_id: None,
            open: 0,
            settings: serde_json::to_string(&CampaignSettings::default())?,
            created_by: "demo".into(),
            created_at: t0,
        })
        .await?;
    let mut apps = Vec::with_capacity(SYNTHETIC_FUNNEL[0]);
    let mut seen = std::collections::HashSet::new();
    while apps.len() < SYNTHETIC_FUNNEL[0] {
        let male = rng.random_bool(0.3);
        let iin = iin(&mut rng, male);
        if !seen.insert(iin.clone()) {
            continue;
        }
        let surname = SURNAMES[rng.random_range(0..SURNAMES.len())];
        let (first, surname) = if male {
            (MEN[rng.random_range(0..MEN.len())], surname.to_string())
        } else {
            (
                WOMEN[rng.random_range(0..WOMEN.len())],
                format!("{surname}а"),
            )
        };
        let n = apps.len();
        let full_name = format!("{surname} {first}");
        let school = format!("School No. {}", rng.random_range(1..120));
        let email = format!("teacher{n}@synthetic.kz");
        let teaching = rng.random_range(5..35);
        apps.push(ApplicationRow {
            id: format!("syn-{n:05}"),
            campaign_id: SYNTHETIC_CAMPAIGN.into(),
            user_id: None,
            search: format!("{full_name} {iin} {school} {email}").to_lowercase(),
            iin,
            full_name,
            region: region(&mut rng).into(),
            district: "—".into(),
            school,
            position: if rng.random_bool(0.6) {
                "deputy director".into()
            } else {
                "teacher".into()
            },
            teaching_years: teaching,
            management_years: rng.random_range(0..=teaching.min(15)),
            email,
            phone: format!("+7 70{} {:03} {:04}", rng.random_range(0..10), n % 1000, n),
            source: "import".into(),
            created_at: t0 + rng.random_range(0..28) * day,
        });
    }
    store.insert_applications(&apps).await?;

    // Who gets how far: a random order, cut at each step's count.
    let mut order: Vec<usize> = (0..apps.len()).collect();
    for i in (1..order.len()).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
    let mut writes = Vec::new();
    for stage in 1..=5usize {
        let entered = if stage == 1 {
            SYNTHETIC_FUNNEL[0]
        } else {
            SYNTHETIC_FUNNEL[stage - 1]
        };
        let passed = SYNTHETIC_FUNNEL[stage];
        for (rank, &i) in order.iter().take(entered).enumerate() {
            let pass = rank < passed;
            let withdrawn = !pass && rng.random_bool(0.03);
            let status = if pass {
                "passed"
            } else if withdrawn {
                "withdrawn"
            } else {
                "failed"
            };
            let score = match stage {
                2 => None,
                5 => Some(if pass {
                    rng.random_range(75.0..98.0)
                } else {
                    rng.random_range(40.0..75.0)
                }),
                _ => Some(if pass {
                    rng.random_range(70.0..99.0)
                } else {
                    rng.random_range(20.0..70.0)
                }),
            }
            .map(|s: f64| (s * 10.0).round() / 10.0);
            writes.push(OutcomeWrite {
                outcome: OutcomeRow {
                    application_id: apps[i].id.clone(),
                    stage: i64::try_from(stage)?,
                    status: status.into(),
                    score,
                    detail: "{\"synthetic\":true}".into(),
                    recorded_by: "demo data".into(),
                    recorded_at: t0 + (30 + 60 * i64::try_from(stage)?) * day,
                },
                reason: "synthetic round".into(),
            });
        }
    }
    store.write_outcomes(&writes).await?;

    let issued = t0 + 330 * day;
    for (rank, &i) in order.iter().take(SYNTHETIC_FUNNEL[5]).enumerate() {
        let a = &apps[i];
        store
            .insert_certificate(&CertificateRow {
                number: certificate_number(2025, rng.random()),
                application_id: a.id.clone(),
                full_name: a.full_name.clone(),
                category: app::model::CATEGORY_RU.into(),
                region: a.region.clone(),
                issued_at: issued,
                valid_until: issued + 3 * 365 * day,
                revoked_at: None,
                revoked_by: None,
                revoked_reason: None,
                revoked_note: None,
            })
            .await?;
        if rank < SYNTHETIC_FUNNEL[6] {
            store
                .insert_appointment(&AppointmentRow {
                    application_id: a.id.clone(),
                    school: format!("School No. {}", rng.random_range(1..200)),
                    position: "director".into(),
                    appointed_on: format!("2025-{:02}-01", rng.random_range(9..=12)),
                    recorded_by: "demo data".into(),
                    recorded_at: issued + 60 * day,
                })
                .await?;
        }
    }
    Ok(true)
}
