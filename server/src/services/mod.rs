//! The use cases: sign in, start an attempt, save a response, submit, score. One
//! implementation serves the REST API and the server functions (through [`Backend`]).

pub mod accounts;
pub mod analysis;
pub mod attempts;
pub mod backend;
pub mod bank;
pub mod blueprints;
pub mod dashboard;
pub mod identity;
pub mod integrity;
pub mod messages;
pub mod pipeline;
pub mod proctoring;
pub mod scoring;
pub mod sessions;
pub mod standards;
pub mod text;

use crate::auth::{self, Tokens};
use crate::clock::Clock;
use crate::store::{
    AttemptRow, Claim, EventRow, ItemRow, SaveCmd, SaveOutcome, StageRow, Store, StoreError,
};
use app::backend::Backend;
use app::error::{AppError, ErrorCode};
use app::model::*;
use async_trait::async_trait;
use question_bank::{
    Answer, Assembler, Blueprint, Difficulty, Form, Item, ItemId, ItemType, Language,
    LocalizedText, PoolItem, ResultVisibility, ScoreReport, ScoredEntry,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

/// What a candidate may see of an item, as stored in `item_versions.content`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemContent {
    pub stem: LocalizedText,
    pub options: Vec<LocalizedText>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<LocalizedText>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<question_bank::Attachment>,
    #[serde(default)]
    pub meta: question_bank::ItemMeta,
}

/// The language an applicant asks to take a test in (Russian when none is given).
fn test_language(language: Option<&str>) -> Result<Language, AppError> {
    match language {
        None => Ok(Language::Ru),
        Some(l) => l
            .parse()
            .map_err(|e: question_bank::language::UnknownLanguage| {
                AppError::invalid(e.to_string())
            }),
    }
}

pub struct Settings {
    /// Saves reaching the server this long after the deadline still count.
    pub grace_ms: i64,
    pub secure_cookies: bool,
    /// A gap with nothing heard (no heartbeat, no save) longer than this is put to the
    /// proctor as a credit request (what a sitting-wide outage covers is credited at once).
    pub credit_after_ms: i64,
    /// The most a proctor may credit one attempt in all.
    pub credit_cap_ms: i64,
    /// Not heard from for this long counts as silent when looking for sitting-wide outages.
    pub silent_ms: i64,
    /// Photos of applicants are deleted this long after they were taken.
    pub photo_retention_ms: i64,
    /// The site's public address (certificates link to it).
    pub public_url: String,
    /// Threads checking passwords (default: one fewer than the cores, at least one).
    pub password_threads: Option<usize>,
    /// Wrong passwords count for lockouts within this window, and a lockout lasts this long.
    pub lockout_ms: i64,
}

pub struct Services {
    /// Live updates for proctors' feeds and applicants' pages.
    pub hub: crate::live::Hub,
    /// Request, save and sign-in counters for `/metrics`.
    pub metrics: crate::metrics::Metrics,
    /// Set when the server is shutting down: live streams end, `/readyz` says so.
    pub shutdown: tokio::sync::watch::Sender<bool>,
    store: Arc<dyn Store>,
    tokens: Tokens,
    clock: Arc<dyn Clock>,
    settings: Settings,
    /// Item versions never change once stored, so a cache of them is always right.
    items: RwLock<HashMap<(String, i64), Arc<Item>>>,
    /// Password checks, on their own threads (bounded CPU and memory).
    hashing: auth::Verifier,
    /// The published pool with p-values, rebuilt when the bank changes or after a while.
    pool: Mutex<Option<(i64, Arc<Vec<PoolEntry>>)>>,
    /// Per blueprint: how many forms held each item, and how many forms were given.
    exposure: Mutex<HashMap<String, Exposure>>,
    /// Signed-out sessions (refreshed from the database by [`Services::refresh_revoked`]).
    revoked: RwLock<std::collections::HashSet<String>>,
    /// Per blueprint: its navigation and when it was read (the save path's cache).
    navigation: std::sync::Mutex<HashMap<String, (i64, question_bank::Navigation)>>,
    /// Key corrections seen so far: when another instance corrects a key, the count moves and
    /// the cached item versions are dropped before the next scoring.
    corrections_seen: std::sync::atomic::AtomicI64,
}

/// A published item as form assembly sees it, with the languages it is complete in.
#[derive(Debug, Clone)]
pub struct PoolEntry {
    pub item: PoolItem,
    pub languages: Vec<Language>,
}

#[derive(Debug, Clone, Default)]
struct Exposure {
    loaded_ms: i64,
    counts: HashMap<String, u32>,
    forms: u64,
}

/// How long a loaded pool or exposure count serves before it is read again (other instances
/// write too).
const POOL_TTL_MS: i64 = 30_000;
/// Scored answers an item needs before its observed p-value replaces its level's prior.
pub const MIN_P_VALUE_N: i64 = 30;

/// Accounts one address may create per hour (a school's shared network registers many people).
pub const MAX_REGISTRATIONS_PER_ADDRESS_HOUR: i64 = 50;

/// Wrong passwords for one account within the lockout window before it is locked.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Wrong passwords from one address within the window before it is refused (a shared school
/// network signs in many people: a higher bound).
pub const MAX_FAILURES_PER_ADDRESS: i64 = 50;

pub(crate) fn internal<E: std::fmt::Display>(e: E) -> AppError {
    tracing::error!(error = %e, "internal error");
    AppError::internal()
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        internal(e)
    }
}

fn superseded() -> AppError {
    AppError::new(
        ErrorCode::Superseded,
        "This test was opened on another device (a newer sign-in). Answers from here are no \
         longer accepted; open the test here again to continue on this device.",
    )
}

fn paused() -> AppError {
    AppError::new(
        ErrorCode::Paused,
        "The proctor has paused your test: the clock is stopped and answers wait until it \
         resumes.",
    )
}

fn closed() -> AppError {
    AppError::new(
        ErrorCode::AttemptClosed,
        "This attempt is closed: it was submitted or its time is over.",
    )
}

/// The answer a stored response holds: its JSON answer, or a single choice saved before
/// answers of every type existed.
pub(crate) fn stored_answer(r: &crate::store::ResponseRow) -> Option<Answer> {
    let typed = r
        .answer
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok());
    question_bank::form::legacy::answer(typed, r.choice)
}

/// Parses a stored item version into the domain type.
pub fn item_from_row(row: &ItemRow) -> anyhow::Result<Item> {
    let content: ItemContent = serde_json::from_str(&row.content)?;
    Ok(Item {
        id: ItemId::parse(row.item_id.clone())?,
        version: u32::try_from(row.version)?,
        competency: row.competency.clone(),
        difficulty: question_bank::Difficulty::parse(&row.difficulty)
            .ok_or_else(|| anyhow::anyhow!("unknown difficulty {:?}", row.difficulty))?,
        stem: content.stem,
        options: content.options,
        matches: content.matches,
        key: serde_json::from_str(&row.answer_key)?,
        rationale: serde_json::from_str(&row.rationale)?,
        meta: content.meta,
        attachments: content.attachments,
    })
}

impl Services {
    pub fn new(
        store: Arc<dyn Store>,
        tokens: Tokens,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> Self {
        let password_threads = settings.password_threads;
        let cpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Self {
            hub: crate::live::Hub::new(),
            metrics: crate::metrics::Metrics::default(),
            shutdown: tokio::sync::watch::Sender::new(false),
            store,
            tokens,
            clock,
            settings,
            items: RwLock::new(HashMap::new()),
            // One core is always left for saves and pages, however many sign in at once.
            hashing: auth::Verifier::new(
                password_threads.unwrap_or_else(|| cpus.saturating_sub(1).max(1)),
            ),
            pool: Mutex::new(None),
            exposure: Mutex::new(HashMap::new()),
            navigation: std::sync::Mutex::new(HashMap::new()),
            revoked: RwLock::new(std::collections::HashSet::new()),
            corrections_seen: std::sync::atomic::AtomicI64::new(0),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The site's public address.
    pub fn public_url(&self) -> &str {
        &self.settings.public_url
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    pub(crate) async fn item(&self, id: &str, version: i64) -> Result<Arc<Item>, AppError> {
        let key = (id.to_string(), version);
        if let Some(item) = self.items.read().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(item);
        }
        let row = self.store.item_version(id, version).await?.ok_or_else(|| {
            internal(format!(
                "item {id} v{version} is on a form but not in the bank"
            ))
        })?;
        let item = Arc::new(item_from_row(&row).map_err(internal)?);
        if let Ok(mut m) = self.items.write() {
            m.insert(key, item.clone());
        }
        Ok(item)
    }

    /// Drops the cached item versions if a key was corrected since they were read (here or
    /// on another instance), so that scoring always uses the current keys.
    async fn refresh_keys(&self) -> Result<(), AppError> {
        use std::sync::atomic::Ordering;
        let count = self.store.key_correction_count().await?;
        if self.corrections_seen.swap(count, Ordering::AcqRel) != count
            && let Ok(mut m) = self.items.write()
        {
            m.clear();
        }
        Ok(())
    }

    /// Forgets a cached item version (after its key was corrected).
    pub(crate) fn forget_item(&self, id: &str, version: i64) {
        if let Ok(mut m) = self.items.write() {
            m.remove(&(id.to_string(), version));
        }
    }

    /// Writes a change to the bank and forgets the cached pool.
    pub(crate) async fn write_bank(&self, w: &crate::store::BankWrite) -> Result<(), StoreError> {
        let written = self.store.write_bank(w).await;
        self.forget_pool();
        written
    }

    /// Forgets the cached pool (after the bank changed).
    pub(crate) fn forget_pool(&self) {
        if let Ok(mut p) = self.pool.lock() {
            *p = None;
        }
    }

    /// The published items, with observed p-values where enough data exist (cached for a
    /// while: p-values move slowly, and bank changes forget the cache).
    pub async fn pool(&self) -> Result<Arc<Vec<PoolEntry>>, AppError> {
        let now = self.now();
        if let Ok(p) = self.pool.lock()
            && let Some((at, pool)) = p.as_ref()
            && now - at < POOL_TTL_MS
        {
            return Ok(pool.clone());
        }
        self.forget_pool();
        self.load_pool().await
    }

    /// Reads the pool afresh (and caches it).
    pub async fn load_pool(&self) -> Result<Arc<Vec<PoolEntry>>, AppError> {
        let now = self.now();
        let p_values: HashMap<(String, i64), f64> = self
            .store
            .p_values(MIN_P_VALUE_N)
            .await?
            .into_iter()
            .map(|r| ((r.item_id, r.version), r.mean))
            .collect();
        let params: HashMap<(String, i64), question_bank::psychometrics::irt::ItemParams> = self
            .store
            .item_parameters()
            .await?
            .into_iter()
            .map(|r| {
                (
                    (r.item_id, r.version),
                    question_bank::psychometrics::irt::ItemParams { a: r.a, b: r.b },
                )
            })
            .collect();
        let mut pool = Vec::new();
        for row in self.store.published_pool().await? {
            let (Ok(id), Ok(version), Some(difficulty), Some(kind)) = (
                ItemId::parse(row.item_id.clone()),
                u32::try_from(row.version),
                Difficulty::parse(&row.difficulty),
                ItemType::parse(&row.item_type),
            ) else {
                tracing::warn!(item = %row.item_id, "a published item does not parse; left out of forms");
                continue;
            };
            let Ok(content) = serde_json::from_str::<ItemContent>(&row.content) else {
                tracing::warn!(item = %row.item_id, "a published item's content does not parse");
                continue;
            };
            let languages = Language::ALL
                .into_iter()
                .filter(|l| {
                    content.stem.get(*l).is_some_and(|t| !t.trim().is_empty())
                        && content.options.iter().all(|o| o.get(*l).is_some())
                        && content.matches.iter().all(|o| o.get(*l).is_some())
                })
                .collect();
            let irt = params.get(&(row.item_id.clone(), row.version)).copied();
            // Observed p-value, else the calibrated model's, else the level's prior.
            let p = p_values
                .get(&(row.item_id.clone(), row.version))
                .copied()
                .or_else(|| irt.map(|i| question_bank::psychometrics::irt::marginal_p(&i)))
                .unwrap_or_else(|| difficulty.prior_p());
            pool.push(PoolEntry {
                item: PoolItem {
                    id,
                    version,
                    competency: row.competency,
                    difficulty,
                    kind,
                    option_count: content.options.len(),
                    match_count: content.matches.len(),
                    p,
                    irt,
                },
                languages,
            });
        }
        let pool = Arc::new(pool);
        if let Ok(mut p) = self.pool.lock() {
            *p = Some((now, pool.clone()));
        }
        Ok(pool)
    }

    /// The pool items complete in `language` (all items with `None`); `fresh` reads the
    /// bank and the p-values again instead of using the cache.
    pub async fn pool_in(
        &self,
        language: Option<Language>,
        fresh: bool,
    ) -> Result<Vec<PoolItem>, AppError> {
        let pool = if fresh {
            self.load_pool().await?
        } else {
            self.pool().await?
        };
        Ok(pool
            .iter()
            .filter(|e| language.is_none_or(|l| e.languages.contains(&l)))
            .map(|e| e.item.clone())
            .collect())
    }

    pub(crate) async fn blueprint(&self, id: &str) -> Result<Blueprint, AppError> {
        let row = self
            .store
            .blueprint(id)
            .await?
            .ok_or_else(|| AppError::not_found("The blueprint"))?;
        serde_json::from_str(&row.spec).map_err(internal)
    }

    async fn competency_names(&self, lang: Language) -> Result<HashMap<String, String>, AppError> {
        Ok(self
            .store
            .competencies()
            .await?
            .into_iter()
            .map(|c| {
                let names: LocalizedText = serde_json::from_str(&c.names).unwrap_or_default();
                let name = names
                    .get(lang)
                    .map(str::to_string)
                    .unwrap_or_else(|| c.code.clone());
                (c.code, name)
            })
            .collect())
    }

    fn require(user: &UserInfo, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&user.role) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }
}

/// A valid argon2id hash of a random password, verified against when the email is unknown so
/// that a wrong email takes as long as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1qQpUO0Ew4WCp3Pj3Gxm6Hx3Kc1Vt4d3S5FJm4mQOVg";

/// A temporary password: 12 letters and digits without look-alikes (no 0/o, 1/l/i), shown
/// once to the administrator who set it.
fn temporary_password() -> String {
    let mut bytes = [0u8; 12];
    rand::fill(&mut bytes);
    let alphabet = b"23456789abcdefghjkmnpqrstuvwxyz";
    let letters: String = bytes
        .iter()
        .map(|b| alphabet[usize::from(*b) % alphabet.len()] as char)
        .collect();
    format!("{}-{}-{}", &letters[..4], &letters[4..8], &letters[8..])
}

impl Services {}

/// An attempt's event as staff and the applicant see it.
pub fn event_view(e: &EventRow) -> AttemptEvent {
    AttemptEvent {
        at_ms: e.at,
        kind: e.kind.clone(),
        detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
        category: e.category.clone(),
        actor: e.actor.clone(),
    }
}
