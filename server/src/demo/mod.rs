//! Demo data: a stage-one bank of 60 single-choice items on six leadership competencies and six
//! practical tasks of the other six item types, all in Kazakh, Russian and English; the
//! stage-one blueprint (single choice, active), a second one that draws every type, the
//! practice test (all seven types), and one account per role. Loading is idempotent.

pub mod campaign;
pub mod pilot;

use crate::auth;
use crate::services::bank::{head_for, item_to_row};
use crate::store::{AuditRow, BankWrite};
use crate::store::{BlueprintRow, CompetencyRow, Store, StoreError, UserRow};
use anyhow::{Context, bail};
use question_bank::ItemStatus;
use question_bank::{Blueprint, Difficulty, Item, ItemId, Key, Language, LocalizedText, Section};

const BANK: &str = include_str!("bank.txt");
const PRACTICE: &str = include_str!("practice.txt");
/// Items of the six other types (multiple response, true/false, matching, ordering, numeric,
/// short text) in Kazakh, Russian and English: one of each in `applied-tasks`, one of each in
/// the practice test.
const TASKS: &str = include_str!("tasks.json");

/// The practical tasks: one item of each type beyond single choice.
pub const TASKS_COMPETENCY: (&str, &str, &str, &str) = (
    "applied-tasks",
    "Практикалық тапсырмалар",
    "Практические задания",
    "Practical tasks",
);

/// A second stage-one blueprint that draws every item type (the six competencies and the
/// practical tasks); inactive, a methodologist activates it in one click.
pub const FULL_BLUEPRINT_ID: &str = "stage1-2026-all-types";

/// The practice test's blueprint: sample items only, never counted, any time, no seat.
pub const PRACTICE_ID: &str = "practice";

/// `(code, kk, ru, en)` of the six competencies, in blueprint order.
pub const COMPETENCIES: [(&str, &str, &str, &str); 6] = [
    (
        "strategic-vision",
        "Стратегиялық пайым",
        "Стратегическое видение",
        "Strategic vision",
    ),
    (
        "leading-change",
        "Өзгерістерді басқару",
        "Управление изменениями",
        "Leading change",
    ),
    (
        "teaching-quality",
        "Оқыту сапасын басқару",
        "Управление качеством обучения",
        "Managing teaching quality",
    ),
    (
        "people-communication",
        "Адамдармен жұмыс және коммуникация",
        "Работа с людьми и коммуникация",
        "People and communication",
    ),
    (
        "management-law",
        "Мектепті басқару және құқық",
        "Управление школой и право",
        "School management and law",
    ),
    (
        "digital-data",
        "Цифрлық және деректер сауаттылығы",
        "Цифровая грамотность и данные",
        "Digital and data literacy",
    ),
];

pub const BLUEPRINT_ID: &str = "stage1-2026";

/// `(email, password, role, full name)`. Demo only: change or remove them in production.
pub const ACCOUNTS: [(&str, &str, &str, &str); 12] = [
    (
        "applicant@demo.kz",
        "demo-applicant",
        "applicant",
        "Айгерим Сапарова",
    ),
    (
        "applicant2@demo.kz",
        "demo-applicant2",
        "applicant",
        "Нурлан Ахметов",
    ),
    (
        "proctor@demo.kz",
        "demo-proctor",
        "proctor",
        "Данияр Омаров",
    ),
    (
        "methodologist@demo.kz",
        "demo-methodologist",
        "methodologist",
        "Гульнара Искакова",
    ),
    (
        "admin@demo.kz",
        "demo-admin-1",
        "admin",
        "Программа «1000 лидеров»",
    ),
    (
        "applicant3@demo.kz",
        "demo-applicant3",
        "applicant",
        "Асель Жумабаева",
    ),
    (
        "methodologist2@demo.kz",
        "demo-methodologist2",
        "methodologist",
        "Ерлан Бекова",
    ),
    (
        "expert@demo.kz",
        "demo-expert-1",
        "expert",
        "Сауле Касымова",
    ),
    (
        "expert2@demo.kz",
        "demo-expert-2",
        "expert",
        "Марат Тулегенов",
    ),
    (
        "expert3@demo.kz",
        "demo-expert-3",
        "expert",
        "Жанар Абенова",
    ),
    (
        "commission@demo.kz",
        "demo-commission-1",
        "commission",
        "Бауыржан Сейтказы",
    ),
    (
        "commission2@demo.kz",
        "demo-commission-2",
        "commission",
        "Алия Нуржанова",
    ),
];

/// The demo bank, parsed and validated.
pub fn items() -> anyhow::Result<Vec<Item>> {
    parse_items(BANK, "bank.txt")
}

/// The practice test's sample items: five single-choice ones and one of every other type.
pub fn practice_items() -> anyhow::Result<Vec<Item>> {
    let mut items = parse_items(PRACTICE, "practice.txt")?;
    items.extend(
        task_items()?
            .into_iter()
            .filter(|i| i.competency == "practice"),
    );
    Ok(items)
}

/// The items of `tasks.json` (both competencies), validated.
pub fn task_items() -> anyhow::Result<Vec<Item>> {
    let items: Vec<Item> = serde_json::from_str(TASKS).context("tasks.json")?;
    for i in &items {
        i.validate()?;
    }
    Ok(items)
}

/// The practical tasks of stage one (one item of each type but single choice).
fn applied_items() -> anyhow::Result<Vec<Item>> {
    Ok(task_items()?
        .into_iter()
        .filter(|i| i.competency == TASKS_COMPETENCY.0)
        .collect())
}

/// The practice test: eleven sample items of all seven types in Kazakh, Russian and English,
/// 15 minutes.
pub fn practice_blueprint() -> Blueprint {
    let mut bp = Blueprint::new(
        PRACTICE_ID,
        "Пробный тест · Practice test",
        15,
        60.0,
        vec![Section::any("practice", 11)],
    );
    bp.seated_only = false;
    bp.practice = true;
    bp
}

fn parse_items(text: &str, file: &str) -> anyhow::Result<Vec<Item>> {
    let mut items = Vec::new();
    let mut current: Option<(Item, Option<usize>)> = None;
    let finish =
        |cur: Option<(Item, Option<usize>)>, items: &mut Vec<Item>| -> anyhow::Result<()> {
            if let Some((mut item, correct)) = cur {
                let correct =
                    correct.with_context(|| format!("item {} has no correct option", item.id))?;
                item.key = Key::SingleChoice { correct };
                item.validate()?;
                items.push(item);
            }
            Ok(())
        };
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = || format!("{file} line {}", n + 1);
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            finish(current.take(), &mut items).with_context(at)?;
            continue;
        }
        let Some((item, correct)) = current.as_mut() else {
            let (id, difficulty) = line.split_once(' ').with_context(at)?;
            let competency = id.split('.').next().unwrap_or_default().to_string();
            current = Some((
                Item {
                    id: ItemId::parse(id).with_context(at)?,
                    version: 1,
                    competency,
                    difficulty: Difficulty::parse(difficulty.trim()).with_context(at)?,
                    stem: LocalizedText::new(),
                    options: vec![],
                    matches: vec![],
                    key: Key::SingleChoice { correct: 0 },
                    rationale: LocalizedText::new(),
                    meta: question_bank::ItemMeta {
                        author: "Qabilet demo".into(),
                        source: "demo bank".into(),
                        ..Default::default()
                    },
                    attachments: vec![],
                },
                None,
            ));
            continue;
        };
        if let Some(why) = line.strip_prefix("why:") {
            item.rationale
                .0
                .insert(Language::En, why.trim().to_string());
            continue;
        }
        let (lang, rest) = line.split_at_checked(2).with_context(at)?;
        let lang: Language = lang.parse().with_context(at)?;
        let (marker, text) = rest.split_at_checked(1).with_context(at)?;
        let text = text.trim().to_string();
        match marker {
            ":" => {
                item.stem.0.insert(lang, text);
            }
            "+" | "-" => {
                let index = item.options.iter().position(|o| !o.0.contains_key(&lang));
                let index = match index {
                    Some(i) => i,
                    None => {
                        item.options.push(LocalizedText::new());
                        item.options.len() - 1
                    }
                };
                item.options[index].0.insert(lang, text);
                if marker == "+" {
                    match correct {
                        Some(c) if *c != index => bail!("{}: languages disagree on the key", at()),
                        _ => *correct = Some(index),
                    }
                }
            }
            other => bail!("{}: unknown marker {other:?}", at()),
        }
    }
    finish(current.take(), &mut items)?;
    Ok(items)
}

pub fn blueprint() -> Blueprint {
    let mut bp = Blueprint::new(
        BLUEPRINT_ID,
        "Этап 1 · Stage 1 — 2026",
        40,
        70.0,
        COMPETENCIES
            .iter()
            .map(|(code, ..)| Section::any(*code, 5))
            .collect(),
    );
    bp.languages = vec![Language::Kk, Language::Ru, Language::En];
    bp
}

/// Stage one with every item type: the six competencies and the six practical tasks.
pub fn full_blueprint() -> Blueprint {
    let mut sections: Vec<Section> = COMPETENCIES
        .iter()
        .map(|(code, ..)| Section::any(*code, 5))
        .collect();
    sections.push(Section::any(TASKS_COMPETENCY.0, 6));
    let mut bp = Blueprint::new(
        FULL_BLUEPRINT_ID,
        "Этап 1 · Stage 1 — 2026 (все типы заданий)",
        50,
        70.0,
        sections,
    );
    bp.languages = vec![Language::Kk, Language::Ru, Language::En];
    bp
}

/// Loads the demo data; what exists already is left as it is.
pub async fn load(store: &dyn Store) -> anyhow::Result<()> {
    let now = crate::clock::system_now_ms();
    for (position, (code, kk, ru, en)) in COMPETENCIES.iter().enumerate() {
        let names = LocalizedText::new()
            .with(Language::Kk, *kk)
            .with(Language::Ru, *ru)
            .with(Language::En, *en);
        store
            .upsert_competency(&CompetencyRow {
                code: (*code).into(),
                position: i64::try_from(position)?,
                names: serde_json::to_string(&names)?,
            })
            .await?;
    }
    store
        .upsert_competency(&CompetencyRow {
            code: "practice".into(),
            position: 100,
            names: serde_json::to_string(
                &LocalizedText::new()
                    .with(Language::Kk, "Сынақ тест")
                    .with(Language::Ru, "Пробный тест")
                    .with(Language::En, "Practice test"),
            )?,
        })
        .await?;
    let (code, kk, ru, en) = TASKS_COMPETENCY;
    store
        .upsert_competency(&CompetencyRow {
            code: code.into(),
            position: i64::try_from(COMPETENCIES.len())?,
            names: serde_json::to_string(
                &LocalizedText::new()
                    .with(Language::Kk, kk)
                    .with(Language::Ru, ru)
                    .with(Language::En, en),
            )?,
        })
        .await?;
    let mut added = 0;
    for item in items()?
        .into_iter()
        .chain(practice_items()?)
        .chain(applied_items()?)
    {
        if store.item_head(item.id.as_str()).await?.is_some() {
            continue;
        }
        let author = "demo";
        let write = BankWrite {
            expect: vec![(item.id.to_string(), None)],
            versions: vec![item_to_row(
                &item,
                ItemStatus::Published,
                Some(author),
                now,
            )?],
            heads: vec![head_for(
                &item,
                ItemStatus::Published,
                Some(1),
                Some(author),
                now,
            )],
            audit: vec![AuditRow {
                id: 0,
                item_id: item.id.to_string(),
                version: 1,
                at: now,
                actor_id: author.into(),
                actor_name: "demo data".into(),
                action: "imported".into(),
                comment: "the demo bank".into(),
            }],
            ..Default::default()
        };
        match store.write_bank(&write).await {
            Ok(()) => added += 1,
            Err(StoreError::Conflict) => {}
            Err(e) => return Err(e.into()),
        }
    }
    for (bp, active) in [
        (blueprint(), 1),
        (practice_blueprint(), 0),
        (full_blueprint(), 0),
    ] {
        bp.validate()?;
        if store.blueprint(&bp.id).await?.is_none() {
            store
                .upsert_blueprint(&BlueprintRow {
                    id: bp.id.clone(),
                    spec: serde_json::to_string(&bp)?,
                    active,
                    created_at: now,
                    updated_at: now,
                    updated_by: "demo".into(),
                })
                .await?;
        }
    }
    for (email, password, role, name) in ACCOUNTS {
        if store.user_by_email(email).await?.is_some() {
            continue;
        }
        let user = UserRow {
            id: uuid::Uuid::new_v4().to_string(),
            email: email.into(),
            password_hash: auth::hash_password(password)?,
            role: role.into(),
            full_name: name.into(),
            created_at: now,
        };
        match store.insert_user(&user).await {
            Ok(()) | Err(StoreError::Conflict) => {}
            Err(e) => return Err(e.into()),
        }
    }
    open_sitting(store, now).await?;
    campaign::load_open(store, BLUEPRINT_ID).await?;
    tracing::info!(items_added = added, "demo data loaded");
    Ok(())
}

/// The demo's open sitting: the stage-one test may be taken only with a seat, so the demo
/// seats its applicants in a sitting open for ten years, without admission, watched by the
/// demo proctor (`cargo xtask run` lets anyone take the test at once; load tests seat their
/// accounts here with `user add-many --sitting demo-open`).
pub const OPEN_SITTING: &str = "demo-open";

async fn open_sitting(store: &dyn Store, now: i64) -> anyhow::Result<()> {
    if store.sitting(OPEN_SITTING).await?.is_none() {
        let s = crate::store::SittingRow {
            id: OPEN_SITTING.into(),
            name: "Демо: открытая сессия · Demo: open sitting".into(),
            blueprint_id: BLUEPRINT_ID.into(),
            region: "Astana".into(),
            mode: "online".into(),
            venue: String::new(),
            opens_at: now - 86_400_000,
            closes_at: now + 3650 * 86_400_000,
            requires_admission: 0,
            paused_at: None,
            created_by: "demo".into(),
            created_at: now,
            camera: 0,
            snapshot_seconds: None,
        };
        match store.insert_sitting(&s).await {
            Ok(()) | Err(StoreError::Conflict) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let mut proctors = vec![];
    let mut applicants = vec![];
    for (email, _, role, _) in ACCOUNTS {
        if let Some(u) = store.user_by_email(email).await? {
            match role {
                "proctor" => proctors.push(u.id),
                "applicant" => applicants.push(u.id),
                _ => {}
            }
        }
    }
    store.add_sitting_proctors(OPEN_SITTING, &proctors).await?;
    store
        .add_sitting_applicants(OPEN_SITTING, &applicants)
        .await?;
    Ok(())
}

pub fn print_accounts() {
    println!("Demo accounts (email / password):");
    for (email, password, role, _) in ACCOUNTS {
        println!("  {role:<14} {email:<24} {password}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn the_demo_bank_has_ten_valid_bilingual_items_per_competency() {
        let items = items().expect("the demo bank parses");
        assert_eq!(items.len(), 60);
        let mut per: HashMap<&str, usize> = HashMap::new();
        for item in &items {
            *per.entry(item.competency.as_str()).or_default() += 1;
            assert_eq!(item.options.len(), 4, "{}", item.id);
            for lang in [Language::Kk, Language::Ru, Language::En] {
                assert!(
                    item.ready_languages().contains(&lang),
                    "{} in {lang:?}",
                    item.id
                );
            }
            assert!(item.rationale.has(Language::En), "{}", item.id);
        }
        for (code, ..) in COMPETENCIES {
            assert_eq!(per.get(code), Some(&10), "{code}");
        }
        // The key is not always in the same authored position.
        let mut positions = [0usize; 4];
        for item in &items {
            let Key::SingleChoice { correct } = item.key else {
                panic!("{} is not single choice", item.id);
            };
            positions[correct] += 1;
        }
        assert!(positions.iter().all(|&n| n >= 8), "{positions:?}");
    }

    #[test]
    fn the_demo_blueprint_is_valid_and_satisfiable() {
        let bp = blueprint();
        assert_eq!(bp.validate(), Ok(()));
        assert_eq!(bp.item_count(), 30);
        assert!(bp.sections.iter().all(|s| s.count >= 5));
        let pool: Vec<question_bank::PoolItem> = items()
            .expect("bank")
            .into_iter()
            .map(|i| question_bank::PoolItem {
                option_count: i.options.len(),
                version: i.version,
                difficulty: i.difficulty,
                p: i.difficulty.prior_p(),
                ..question_bank::PoolItem::single(i.id, i.competency, 0)
            })
            .collect();
        assert!(question_bank::assemble(&bp, &pool, 42).is_ok());
    }

    #[test]
    fn the_practice_test_and_the_full_blueprint_show_every_type_in_three_languages() {
        use question_bank::ItemType;
        let kinds = |items: &[Item]| -> std::collections::BTreeSet<String> {
            items
                .iter()
                .map(|i| format!("{:?}", i.key.item_type()))
                .collect()
        };
        let practice = practice_items().expect("practice items");
        assert_eq!(practice.len(), 11);
        assert_eq!(kinds(&practice).len(), 7, "{:?}", kinds(&practice));
        let applied = applied_items().expect("tasks");
        assert_eq!(applied.len(), 6);
        assert_eq!(kinds(&applied).len(), 6);
        assert!(
            !applied
                .iter()
                .any(|i| i.key.item_type() == ItemType::SingleChoice)
        );
        for item in practice.iter().chain(&applied) {
            for lang in [Language::Kk, Language::Ru, Language::En] {
                assert!(
                    item.ready_languages().contains(&lang),
                    "{} {lang:?}",
                    item.id
                );
            }
        }
        assert_eq!(practice_blueprint().item_count(), 11);
        let full = full_blueprint();
        assert_eq!(full.validate(), Ok(()));
        assert_eq!(full.item_count(), 36);
        assert!(blueprint().languages.contains(&Language::Kk));
    }

    #[test]
    fn demo_passwords_meet_the_policy() {
        for (email, password, ..) in ACCOUNTS {
            assert!(auth::check_password_policy(password).is_ok(), "{email}");
        }
    }
}
