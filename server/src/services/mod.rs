//! The use cases: sign in, start an attempt, save a response, submit, score. One
//! implementation serves the REST API and the server functions (through [`Backend`]).

pub mod analysis;
pub mod bank;
pub mod blueprints;
pub mod identity;
pub mod integrity;
pub mod messages;
pub mod pipeline;
pub mod proctoring;
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
    match &r.answer {
        Some(json) => serde_json::from_str(json).ok(),
        None => r
            .choice
            .and_then(|c| u32::try_from(c).ok())
            .map(Answer::Choice),
    }
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

    /// Draws a fair form for one applicant, counting the exposure of forms given so far.
    async fn draw_form(&self, bp: &Blueprint, lang: Language) -> Result<Form, AppError> {
        let pool = self.pool_in(Some(lang), false).await?;
        let now = self.now();
        let cached = self
            .exposure
            .lock()
            .ok()
            .and_then(|m| m.get(&bp.id).cloned())
            .filter(|e| now - e.loaded_ms < POOL_TTL_MS);
        let exposure = match cached {
            Some(e) => e,
            None => {
                let (counts, forms) = self.store.exposure(&bp.id).await?;
                Exposure {
                    loaded_ms: now,
                    counts: counts
                        .into_iter()
                        .map(|(id, n)| (id, u32::try_from(n).unwrap_or(u32::MAX)))
                        .collect(),
                    forms: u64::try_from(forms).unwrap_or(0),
                }
            }
        };
        let counts = pool
            .iter()
            .map(|p| exposure.counts.get(p.id.as_str()).copied().unwrap_or(0))
            .collect();
        let cannot = |e: question_bank::AssemblyError| {
            tracing::error!(error = %e, blueprint = %bp.id, "the bank cannot serve the blueprint");
            AppError::new(
                ErrorCode::Conflict,
                format!("The test cannot be started in this language: {e}."),
            )
        };
        let mut assembler = Assembler::new(bp, &pool)
            .map_err(cannot)?
            .with_exposure(counts, exposure.forms);
        let form = assembler.form(rand::random()).map_err(cannot)?;
        let off = (form.expected_percent - assembler.target_percent()).abs();
        if off > bp.tolerance_points / 2.0 + 0.05 {
            tracing::warn!(
                blueprint = %bp.id, expected = form.expected_percent,
                target = assembler.target_percent(),
                "the bank could not balance this form within the tolerance"
            );
        }
        if let Ok(mut m) = self.exposure.lock() {
            // A fresher load replaces the cached counts (keeping the stale entry made every
            // later start read the counts from the database again).
            let e = m
                .entry(bp.id.clone())
                .and_modify(|old| {
                    if old.loaded_ms < exposure.loaded_ms {
                        *old = exposure.clone();
                    }
                })
                .or_insert(exposure);
            for entry in &form.entries {
                *e.counts.entry(entry.item_id.to_string()).or_default() += 1;
            }
            e.forms += 1;
        }
        Ok(form)
    }

    pub(crate) async fn blueprint(&self, id: &str) -> Result<Blueprint, AppError> {
        let row = self
            .store
            .blueprint(id)
            .await?
            .ok_or_else(|| AppError::not_found("The blueprint"))?;
        serde_json::from_str(&row.spec).map_err(internal)
    }

    /// A blueprint's navigation, for the save path: read at most every few seconds per
    /// blueprint (it does not change while a sitting runs; an edit is seen within the TTL).
    async fn navigation_of(&self, id: &str) -> Result<question_bank::Navigation, AppError> {
        const TTL_MS: i64 = 5_000;
        let now = self.now();
        if let Some((at, nav)) = self.navigation.lock().ok().and_then(|m| m.get(id).copied())
            && now - at < TTL_MS
        {
            return Ok(nav);
        }
        let nav = self.blueprint(id).await?.navigation;
        if let Ok(mut m) = self.navigation.lock() {
            m.insert(id.to_string(), (now, nav));
        }
        Ok(nav)
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

    /// The attempt, if `user` may see it: its owner, or staff.
    async fn owned_attempt(&self, user: &UserInfo, id: &str) -> Result<AttemptRow, AppError> {
        let attempt = self
            .store
            .attempt(id)
            .await?
            .ok_or_else(|| AppError::not_found("The attempt"))?;
        let staff = matches!(user.role, Role::Admin | Role::Proctor);
        if attempt.user_id != user.id && !staff {
            return Err(AppError::forbidden());
        }
        if attempt.user_id != user.id
            && let Some(s) = &attempt.sitting_id
        {
            self.watched_sitting(user, s).await?;
        }
        Ok(attempt)
    }

    /// The owner opening an in-progress attempt makes this sign-in its one active device; the
    /// device that held it before is refused from then on (and told so on its next save).
    async fn claim(&self, user: &UserInfo, row: &AttemptRow) -> Result<(), AppError> {
        if row.user_id != user.id || row.status != AttemptStatus::InProgress.as_str() {
            return Ok(());
        }
        if row.device.as_deref() == Some(user.session.as_str()) {
            return Ok(());
        }
        if let Claim::TookOver { from } = self
            .store
            .claim_device(&row.id, &user.session, self.now())
            .await?
        {
            tracing::info!(attempt = %row.id, from = %from, "the attempt moved to another device");
            if let Some(s) = &row.sitting_id {
                self.hub.publish(crate::live::Live::Touch {
                    sitting: s.clone(),
                    user: row.user_id.clone(),
                });
            }
        }
        Ok(())
    }

    fn require(user: &UserInfo, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&user.role) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    fn status(row: &AttemptRow) -> Result<AttemptStatus, AppError> {
        if row.termination.is_some() {
            return Ok(AttemptStatus::Terminated);
        }
        AttemptStatus::parse(&row.status)
            .ok_or_else(|| internal(format!("bad status {}", row.status)))
    }

    /// Closes the attempt if its deadline plus grace has passed; returns the fresh row.
    async fn expire_if_due(&self, row: AttemptRow) -> Result<AttemptRow, AppError> {
        if row.status == AttemptStatus::InProgress.as_str()
            && row.paused_at.is_none()
            && self.now() > row.deadline + self.settings.grace_ms
        {
            self.close_and_score(&row.id, AttemptStatus::Expired)
                .await?;
            return self
                .store
                .attempt(&row.id)
                .await?
                .ok_or_else(|| AppError::not_found("The attempt"));
        }
        Ok(row)
    }

    /// Closes an in-progress attempt and scores it. Scoring an attempt closed by someone else
    /// meanwhile is harmless: the score is a function of the stored responses.
    pub async fn close_and_score(&self, id: &str, status: AttemptStatus) -> Result<(), AppError> {
        let now = self.now();
        if self.store.close_attempt(id, status.as_str(), now).await?
            && let Some(row) = self.store.attempt(id).await?
        {
            self.record(&row, "system", status.as_str(), serde_json::json!({}), "")
                .await?;
            if let Some(s) = &row.sitting_id {
                self.hub.publish(crate::live::Live::Touch {
                    sitting: s.clone(),
                    user: row.user_id.clone(),
                });
            }
        }
        self.score_attempt(id).await?;
        Ok(())
    }

    /// The pass mark of a form: the blueprint's, or, when its standard is an ability, the
    /// expected score at that ability on this form's items (current parameters: calibrated,
    /// else provisional from the p-value; the mark the form was drawn with for an item no
    /// longer published).
    async fn pass_mark(
        &self,
        blueprint: &Blueprint,
        form: &Form,
        items: &[Arc<question_bank::Item>],
    ) -> Result<f64, AppError> {
        let Some(theta) = blueprint.cut_theta else {
            return Ok(blueprint.pass_percent);
        };
        let pool = self.pool().await?;
        let by_key: HashMap<(&str, u32), &PoolItem> = pool
            .iter()
            .map(|e| ((e.item.id.as_str(), e.item.version), &e.item))
            .collect();
        let (mut sum, mut total) = (0.0, 0.0);
        for (e, item) in form.entries.iter().zip(items) {
            let w = blueprint.weight_of(&e.competency);
            let params = match by_key.get(&(e.item_id.as_str(), e.version)) {
                Some(p) => p.params(),
                None => match form.pass_percent {
                    Some(mark) => return Ok(mark),
                    None => {
                        question_bank::psychometrics::irt::provisional(item.difficulty.prior_p())
                    }
                },
            };
            sum += w * params.p(theta);
            total += w;
        }
        if total <= 0.0 {
            return Ok(blueprint.pass_percent);
        }
        Ok((1000.0 * sum / total).round() / 10.0)
    }

    /// Scores a closed attempt from its stored responses and records stage one.
    pub async fn score_attempt(&self, id: &str) -> Result<ScoreReport, AppError> {
        self.score_attempt_as(id, "system:scoring").await
    }

    /// Scores a closed attempt against the current keys, stores the score and each item's
    /// credit, and records the stage-one result as `recorded_by`.
    pub(crate) async fn score_attempt_as(
        &self,
        id: &str,
        recorded_by: &str,
    ) -> Result<ScoreReport, AppError> {
        let row = self
            .store
            .attempt(id)
            .await?
            .ok_or_else(|| AppError::not_found("The attempt"))?;
        let blueprint = self.blueprint(&row.blueprint_id).await?;
        let form: Form = serde_json::from_str(&row.form).map_err(internal)?;
        self.refresh_keys().await?;
        let answers: HashMap<String, Answer> = self
            .store
            .responses(id)
            .await?
            .into_iter()
            .filter_map(|r| Some((r.item_id.clone(), stored_answer(&r)?)))
            .collect();
        let mut items = Vec::with_capacity(form.entries.len());
        for e in &form.entries {
            items.push(self.item(e.item_id.as_str(), i64::from(e.version)).await?);
        }
        let entries: Vec<ScoredEntry<'_>> = form
            .entries
            .iter()
            .zip(&items)
            .map(|(e, item)| ScoredEntry {
                competency: &e.competency,
                key: &item.key,
                weight: blueprint.weight_of(&e.competency),
                response: answers.get(e.item_id.as_str()).and_then(|a| e.response(a)),
            })
            .collect();
        let pass = self.pass_mark(&blueprint, &form, &items).await?;
        let report = question_bank::score_with_pass(&blueprint, pass, &entries);
        let credits: Vec<crate::store::ScoredItem> = form
            .entries
            .iter()
            .zip(&report.credits)
            .zip(&entries)
            .map(|((e, c), s)| crate::store::ScoredItem {
                item_id: e.item_id.to_string(),
                credit: *c,
                chosen: match &s.response {
                    Some(question_bank::Response::Choice(i)) => i64::try_from(*i).ok(),
                    _ => None,
                },
            })
            .collect();
        self.store
            .store_score(
                id,
                &serde_json::to_string(&report).map_err(internal)?,
                &credits,
            )
            .await?;
        // A practice attempt is never counted anywhere.
        if blueprint.practice {
            return Ok(report);
        }
        let status = if report.passed {
            StageStatus::Passed
        } else {
            StageStatus::Failed
        };
        self.store
            .set_stage(&StageRow {
                user_id: row.user_id.clone(),
                stage: 1,
                status: status.as_str().into(),
                attempt_id: Some(id.to_string()),
                recorded_by: recorded_by.into(),
                recorded_at: self.now(),
            })
            .await?;
        self.stage_one_from_attempt(&row, &report, recorded_by)
            .await?;
        Ok(report)
    }

    async fn view(&self, row: &AttemptRow) -> Result<AttemptView, AppError> {
        let blueprint = self.blueprint(&row.blueprint_id).await?;
        let form: Form = serde_json::from_str(&row.form).map_err(internal)?;
        let lang: Language = row.language.parse().unwrap_or(Language::Ru);
        let names = self.competency_names(lang).await?;
        let mut items = Vec::with_capacity(form.entries.len());
        for (i, e) in form.entries.iter().enumerate() {
            let item = self.item(e.item_id.as_str(), i64::from(e.version)).await?;
            let shown = |texts: &[LocalizedText], order: &[u8]| -> Vec<String> {
                order
                    .iter()
                    .map(|&o| {
                        texts
                            .get(usize::from(o))
                            .and_then(|t| t.get(lang))
                            .unwrap_or_default()
                            .to_string()
                    })
                    .collect()
            };
            let options = shown(&item.options, &e.option_order);
            let matches = shown(&item.matches, &e.match_order);
            items.push(ItemView {
                item_id: e.item_id.to_string(),
                number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                competency: e.competency.clone(),
                competency_name: names
                    .get(&e.competency)
                    .cloned()
                    .unwrap_or_else(|| e.competency.clone()),
                kind: e.kind,
                stem: item.stem.get(lang).unwrap_or_default().to_string(),
                options,
                matches,
                images: item
                    .attachments
                    .iter()
                    .map(|a| (a.name.clone(), a.sha256.clone()))
                    .collect(),
            });
        }
        let responses = self.store.responses(&row.id).await?;
        let last_seq = responses.iter().map(|r| r.seq).max().unwrap_or(0);
        Ok(AttemptView {
            id: row.id.clone(),
            status: Self::status(row)?,
            blueprint_name: blueprint.name.clone(),
            language: lang,
            started_ms: row.started_at,
            deadline_ms: row.deadline,
            server_now_ms: self.now(),
            time_limit_minutes: blueprint.time_limit_minutes,
            last_seq,
            navigation: blueprint.navigation,
            allow_flag: blueprint.allow_flag,
            paused: row.paused_at.is_some(),
            remaining_ms: row.paused_at.map_or(0, |p| (row.deadline - p).max(0)),
            proctored: row.sitting_id.is_some(),
            snapshot_seconds: match &row.sitting_id {
                Some(s) => self
                    .store
                    .sitting(s)
                    .await?
                    .and_then(|s| s.snapshot_seconds)
                    .and_then(|n| u32::try_from(n).ok()),
                None => None,
            },
            items,
            answers: responses
                .into_iter()
                .map(|r| {
                    let answer = stored_answer(&r);
                    AnswerView {
                        choice: match answer {
                            Some(Answer::Choice(c)) => Some(c),
                            _ => None,
                        },
                        answer,
                        item_id: r.item_id,
                        seq: r.seq,
                    }
                })
                .collect(),
        })
    }

    async fn result_view(&self, row: &AttemptRow) -> Result<ResultView, AppError> {
        let report: ScoreReport = match &row.score {
            Some(s) => serde_json::from_str(s).map_err(internal)?,
            None => self.score_attempt(&row.id).await?,
        };
        let blueprint = self.blueprint(&row.blueprint_id).await?;
        let lang: Language = row.language.parse().unwrap_or(Language::Ru);
        let names = self.competency_names(lang).await?;
        let mut view = ResultView {
            attempt_id: row.id.clone(),
            status: Self::status(row)?,
            blueprint_name: blueprint.name.clone(),
            submitted_ms: row.closed_at.unwrap_or(row.deadline),
            correct: report.correct,
            total: report.total,
            answered: report.answered,
            percent: report.percent,
            pass_percent: report.pass_percent,
            passed: report.passed,
            points: report.points,
            max_points: report.max_points,
            withheld: false,
            terminated: row.termination.as_deref().map(|t| {
                let t: serde_json::Value = serde_json::from_str(t).unwrap_or_default();
                TerminationView {
                    reason: t["code"].as_str().unwrap_or("other").to_string(),
                    note: t["reason"].as_str().unwrap_or_default().to_string(),
                    at_ms: row.closed_at.unwrap_or(row.deadline),
                }
            }),
            by_competency: report
                .by_competency
                .into_iter()
                .map(|c| CompetencyResult {
                    name: names
                        .get(&c.competency)
                        .cloned()
                        .unwrap_or_else(|| c.competency.clone()),
                    competency: c.competency,
                    correct: c.correct,
                    total: c.total,
                    percent: c.percent,
                })
                .collect(),
        };
        match blueprint.results {
            ResultVisibility::PerCompetency => {}
            ResultVisibility::Score => view.by_competency.clear(),
            ResultVisibility::Withheld if blueprint.results_released => {}
            ResultVisibility::Withheld => {
                view = ResultView {
                    correct: 0,
                    answered: 0,
                    percent: 0.0,
                    passed: false,
                    points: 0.0,
                    max_points: 0.0,
                    withheld: true,
                    by_competency: vec![],
                    ..view
                };
            }
        }
        Ok(view)
    }

    /// Closes attempts whose time (plus grace) is over, and scores closed attempts that a
    /// crash left unscored. Returns how many attempts it closed or scored.
    /// The caller changes their password (the current one checked; the new one meets the
    /// policy). Audited.
    pub async fn change_password(
        &self,
        user: &UserInfo,
        input: PasswordChange,
        ip: &str,
    ) -> Result<(), AppError> {
        let row = self
            .store
            .user_by_id(&user.id)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        if !self
            .hashing
            .verify(row.password_hash.clone(), input.current.clone())
            .await?
        {
            self.store
                .log_auth(self.now(), &row.email, ip, "wrong_password")
                .await?;
            return Err(AppError::new(
                ErrorCode::Invalid,
                "The current password is not right.",
            ));
        }
        auth::check_password_policy(&input.new).map_err(AppError::invalid)?;
        let hash = self.hashing.hash(input.new.clone()).await?;
        self.store.set_password_hash(&row.id, &hash).await?;
        self.store
            .log_auth(self.now(), &row.email, ip, "password_changed")
            .await?;
        Ok(())
    }

    /// An administrator creates an account with a temporary password (shown once). Audited.
    pub async fn create_account(
        &self,
        user: &UserInfo,
        input: NewAccount,
        ip: &str,
    ) -> Result<PasswordReset, AppError> {
        if user.role != Role::Admin {
            return Err(AppError::forbidden());
        }
        let email = text::email_address(&input.email).ok_or_else(|| {
            AppError::invalid(format!("{:?} is not an e-mail address.", input.email))
        })?;
        let name = text::clean(&input.full_name);
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::invalid(
                "Give the person's full name (at most 200 letters).",
            ));
        }
        let temporary = temporary_password();
        let hash = self.hashing.hash(temporary.clone()).await?;
        let now = self.now();
        let row = crate::store::UserRow {
            id: uuid::Uuid::new_v4().to_string(),
            email: email.clone(),
            password_hash: hash,
            role: input.role.as_str().into(),
            full_name: name,
            created_at: now,
        };
        match self.store.insert_user(&row).await {
            Err(StoreError::Conflict) => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    "An account with this e-mail exists.",
                ));
            }
            r => r?,
        }
        self.store
            .log_auth(now, &email, ip, "account_created")
            .await?;
        tracing::info!(account = %email, role = input.role.as_str(), by = %user.email, "account created");
        Ok(PasswordReset {
            email,
            temporary_password: temporary,
        })
    }

    /// The account's stored preferences (defaults for anything unreadable).
    pub async fn preferences_of(&self, user_id: &str) -> Result<Preferences, AppError> {
        Ok(self
            .store
            .user_preferences(user_id)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    }

    /// Staff set a temporary password for an account (shown once). Audited.
    pub async fn reset_password(
        &self,
        user: &UserInfo,
        email: &str,
        ip: &str,
    ) -> Result<PasswordReset, AppError> {
        if user.role != Role::Admin {
            return Err(AppError::forbidden());
        }
        let email = email.trim().to_lowercase();
        let row = self
            .store
            .user_by_email(&email)
            .await?
            .ok_or_else(|| AppError::not_found("The account"))?;
        let temporary = temporary_password();
        let hash = self.hashing.hash(temporary.clone()).await?;
        self.store.set_password_hash(&row.id, &hash).await?;
        self.store
            .log_auth(self.now(), &row.email, ip, "password_reset")
            .await?;
        tracing::info!(account = %row.email, by = %user.email, "password reset by staff");
        Ok(PasswordReset {
            email: row.email,
            temporary_password: temporary,
        })
    }

    /// Reloads the signed-out sessions (those signed out on other instances too).
    pub async fn refresh_revoked(&self) -> Result<(), AppError> {
        let sids = self.store.revoked_sessions(self.now()).await?;
        // Added to, never replaced: a sign-out made here between the read and this write must
        // not be forgotten. (Expired sessions are refused by their expiry anyway.)
        if let Ok(mut r) = self.revoked.write() {
            r.extend(sids);
        }
        Ok(())
    }

    pub async fn sweep(&self) -> Result<usize, AppError> {
        let mut done = 0;
        for id in self.store.unscored_attempts().await? {
            self.score_attempt(&id).await?;
            done += 1;
        }
        for id in self
            .store
            .overdue_attempts(self.now() - self.settings.grace_ms)
            .await?
        {
            // An attempt cut off by a sitting-wide outage waits for its applicant to come
            // back and be credited (or for a while after the outage ends).
            if self.outage_holds(&id).await? {
                continue;
            }
            self.close_and_score(&id, AttemptStatus::Expired).await?;
            done += 1;
        }
        Ok(done)
    }
}

#[async_trait]
impl Backend for Services {
    #[tracing::instrument(name = "sign in", skip(self, password))]
    async fn login(
        &self,
        email: &str,
        password: &str,
        ip: &str,
    ) -> Result<LoginResponse, AppError> {
        let result: Result<LoginResponse, AppError> = async {
            let wrong = || AppError::new(ErrorCode::Unauthenticated, "Wrong email or password.");
            let email = email.trim().to_lowercase();
            if email.is_empty() || password.is_empty() || password.len() > 1024 {
                return Err(wrong());
            }
            // Temporary lockout: too many wrong passwords for the account or from the address
            // within the window (counted across instances, in the database).
            let now = self.now();
            let window = self.settings.lockout_ms;
            let (by_email, by_ip) = self
                .store
                .auth_failures(&email, ip, now - window)
                .await?;
            if by_email >= MAX_FAILURES_PER_ACCOUNT || by_ip >= MAX_FAILURES_PER_ADDRESS {
                self.store.log_auth(now, &email, ip, "locked").await?;
                tracing::warn!(email = %email, ip, by_email, by_ip, "sign-in locked");
                return Err(AppError::new(
                    ErrorCode::Locked,
                    format!(
                        "Too many wrong passwords: signing in is paused for {} minutes. Try again later or ask the programme staff.",
                        (window / 60_000).max(1)
                    ),
                ));
            }
            let user = self.store.user_by_email(&email).await?;
            let hash = user
                .as_ref()
                .map(|u| u.password_hash.clone())
                .unwrap_or_else(|| DUMMY_HASH.to_string());
            let password = password.to_string();
            let ok = self.hashing.verify(hash, password).await?;
            let user = match user {
                Some(u) if ok => u,
                _ => {
                    self.store.log_auth(now, &email, ip, "wrong_password").await?;
                    return Err(wrong());
                }
            };
            self.store.log_auth(now, &email, ip, "signed_in").await?;
            let info = UserInfo {
                role: Role::parse(&user.role)
                    .ok_or_else(|| internal(format!("bad role {}", user.role)))?,
                id: user.id,
                email: user.email,
                full_name: user.full_name,
                session: uuid::Uuid::new_v4().to_string(),
            };
            let (token, exp_s) = self.tokens.issue(&info, self.now() / 1000)?;
            let preferences = self.preferences_of(&info.id).await?;
            Ok(LoginResponse {
                token,
                expires_ms: exp_s * 1000,
                user: info,
                preferences,
            })
        }
        .await;
        if result.is_ok() {
            self.metrics
                .logins
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        result
    }

    async fn register(&self, input: RegisterRequest, ip: &str) -> Result<LoginResponse, AppError> {
        let email = text::email_address(&input.email).ok_or_else(|| {
            AppError::invalid(format!("{:?} is not an e-mail address.", input.email))
        })?;
        let name = text::clean(&input.full_name);
        if name.split(' ').count() < 2 || name.chars().count() > 200 {
            return Err(AppError::invalid(
                "Give your surname and name (at most 200 letters).",
            ));
        }
        let iin = question_bank::iin::parse(&input.iin)
            .map_err(|e| AppError::invalid(format!("IIN: {e}.")))?;
        auth::check_password_policy(&input.password).map_err(AppError::invalid)?;
        let now = self.now();
        if self
            .store
            .auth_events_from(ip, "registered", now - 3_600_000)
            .await?
            >= MAX_REGISTRATIONS_PER_ADDRESS_HOUR
        {
            return Err(AppError::new(
                ErrorCode::Locked,
                "Too many accounts were created from this address in the last hour; try later.",
            ));
        }
        if self.store.user_by_email(&email).await?.is_some() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "An account with this e-mail exists: sign in instead.",
            ));
        }
        if self.store.iin_taken(&iin.digits).await? {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "An account with this IIN exists: sign in with it, or ask the programme staff.",
            ));
        }
        let hash = self.hashing.hash(input.password.clone()).await?;
        let user = crate::store::UserRow {
            id: uuid::Uuid::new_v4().to_string(),
            email: email.clone(),
            password_hash: hash,
            role: Role::Applicant.as_str().into(),
            full_name: name,
            created_at: now,
        };
        match self.store.insert_registered(&user, &iin.digits).await {
            Err(StoreError::Conflict) => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    "An account with this e-mail or IIN exists: sign in instead.",
                ));
            }
            r => r?,
        }
        self.store.log_auth(now, &email, ip, "registered").await?;
        tracing::info!(email = %email, "an applicant registered");
        self.login(&email, &input.password, ip).await
    }

    fn authenticate(&self, token: &str) -> Result<UserInfo, AppError> {
        let user = self.tokens.verify(token)?;
        let revoked = self
            .revoked
            .read()
            .map(|r| r.contains(&user.session))
            .unwrap_or(true);
        if revoked && !user.session.is_empty() {
            return Err(AppError::unauthenticated());
        }
        Ok(user)
    }

    async fn logout(&self, user: &UserInfo) -> Result<(), AppError> {
        if user.session.is_empty() {
            return Ok(());
        }
        let now = self.now();
        self.store
            .revoke_session(&user.session, now + self.tokens.ttl_ms(), now)
            .await?;
        if let Ok(mut r) = self.revoked.write() {
            r.insert(user.session.clone());
        }
        tracing::info!(user = %user.email, "signed out");
        Ok(())
    }

    async fn refresh(&self, token: &str) -> Result<LoginResponse, AppError> {
        // Signed out or not valid: refused like any other use of the token.
        self.authenticate(token)?;
        let (token, exp_s, user) = self.tokens.refresh(token, self.now() / 1000)?;
        let preferences = self.preferences_of(&user.id).await?;
        Ok(LoginResponse {
            token,
            expires_ms: exp_s * 1000,
            user,
            preferences,
        })
    }

    async fn change_password(
        &self,
        user: &UserInfo,
        input: PasswordChange,
        ip: &str,
    ) -> Result<(), AppError> {
        Services::change_password(self, user, input, ip).await
    }

    async fn reset_password(
        &self,
        user: &UserInfo,
        email: &str,
        ip: &str,
    ) -> Result<PasswordReset, AppError> {
        Services::reset_password(self, user, email, ip).await
    }

    async fn create_account(
        &self,
        user: &UserInfo,
        input: NewAccount,
        ip: &str,
    ) -> Result<PasswordReset, AppError> {
        Services::create_account(self, user, input, ip).await
    }

    async fn preferences(&self, user: &UserInfo) -> Result<Preferences, AppError> {
        self.preferences_of(&user.id).await
    }

    async fn save_preferences(
        &self,
        user: &UserInfo,
        preferences: Preferences,
    ) -> Result<Preferences, AppError> {
        if let Some(problem) = preferences.problem() {
            return Err(AppError::invalid(problem));
        }
        let json = serde_json::to_string(&preferences).map_err(internal)?;
        self.store.set_user_preferences(&user.id, &json).await?;
        Ok(preferences)
    }

    fn secure_cookies(&self) -> bool {
        self.settings.secure_cookies
    }

    async fn dashboard(&self, user: &UserInfo) -> Result<Dashboard, AppError> {
        let mut d = Dashboard {
            user: user.clone(),
            test: None,
            stages: vec![],
            overview: None,
        };
        if user.role == Role::Applicant {
            if let Some(bp_row) = self.store.active_blueprint().await? {
                let bp: Blueprint = serde_json::from_str(&bp_row.spec).map_err(internal)?;
                let attempt = self.store.attempt_for(&user.id, &bp.id).await?;
                let attempt = match attempt {
                    Some(a) => Some(self.expire_if_due(a).await?),
                    None => None,
                };
                d.test = Some(TestCard {
                    blueprint_id: bp.id.clone(),
                    blueprint_name: bp.name.clone(),
                    item_count: bp.item_count(),
                    time_limit_minutes: bp.time_limit_minutes,
                    pass_percent: bp.pass_percent,
                    languages: bp.offered_languages(),
                    seated_only: bp.seated_only,
                    sitting: match self.store.seat_for(&user.id, &bp.id).await? {
                        Some(seat) => {
                            self.store
                                .sitting(&seat.sitting_id)
                                .await?
                                .map(|s| SittingCard {
                                    id: s.id,
                                    name: s.name,
                                    opens_ms: s.opens_at,
                                    closes_ms: s.closes_at,
                                    requires_admission: s.requires_admission != 0,
                                    waiting: seat.checked_in_at.is_some()
                                        && seat.admitted_at.is_none(),
                                    admitted: seat.admitted_at.is_some(),
                                    camera: s.camera != 0,
                                    start_photo: false,
                                    refused: seat.refused_reason.clone(),
                                })
                        }
                        None => None,
                    },
                    attempt: attempt
                        .map(|a| {
                            Ok::<_, AppError>(AttemptSummary {
                                status: Self::status(&a)?,
                                id: a.id,
                                deadline_ms: a.deadline,
                            })
                        })
                        .transpose()?,
                });
            }
            if let Some(card) = d.test.as_mut()
                && let Some(s) = card.sitting.as_mut()
                && s.camera
            {
                s.start_photo = self.has_start_photo(&user.id, &s.id).await?;
            }
            // The newest application's stages, where the applicant has applied; else the
            // stage-one record of the test alone.
            let recorded: Vec<(i64, String, i64)> =
                match self.store.applications_of_user(&user.id).await?.first() {
                    Some(app) => self
                        .store
                        .outcomes(&app.id)
                        .await?
                        .into_iter()
                        .map(|o| (o.stage, o.status, o.recorded_at))
                        .collect(),
                    None => self
                        .store
                        .stages(&user.id)
                        .await?
                        .into_iter()
                        .map(|s| (s.stage, s.status, s.recorded_at))
                        .collect(),
                };
            d.stages = (1..=5u8)
                .map(|n| {
                    let r = recorded.iter().find(|s| s.0 == i64::from(n));
                    StageView {
                        stage: n,
                        status: r
                            .and_then(|r| StageStatus::parse(&r.1))
                            .unwrap_or(StageStatus::Pending),
                        updated_ms: r.map(|r| r.2),
                    }
                })
                .collect();
        } else {
            let lang = Language::Ru;
            let names = self.competency_names(lang).await?;
            let counts = self.store.attempt_counts().await?;
            d.overview = Some(Overview {
                items_by_competency: self
                    .store
                    .count_published_by_competency()
                    .await?
                    .into_iter()
                    .map(|(code, count)| CountRow {
                        label: names.get(&code).cloned().unwrap_or(code),
                        count,
                    })
                    .collect(),
                attempts_in_progress: counts.in_progress,
                attempts_submitted: counts.closed,
                attempts_passed: counts.passed,
            });
        }
        Ok(d)
    }

    #[tracing::instrument(name = "start attempt", skip(self, user), fields(user = %user.id))]
    async fn start_attempt(
        &self,
        user: &UserInfo,
        language: Option<&str>,
    ) -> Result<AttemptView, AppError> {
        Self::require(user, &[Role::Applicant])?;
        let lang = test_language(language)?;
        let bp_row = self
            .store
            .active_blueprint()
            .await?
            .ok_or_else(|| AppError::not_found("An open stage-one test"))?;
        let bp: Blueprint = serde_json::from_str(&bp_row.spec).map_err(internal)?;
        if let Some(existing) = self.store.attempt_for(&user.id, &bp.id).await? {
            let existing = self.expire_if_due(existing).await?;
            self.claim(user, &existing).await?;
            return self.view(&existing).await;
        }
        if !bp.offers(lang) {
            let offered: Vec<&str> = bp.offered_languages().iter().map(|l| l.code()).collect();
            return Err(AppError::invalid(format!(
                "This test is offered in {}, not {}.",
                offered.join(", "),
                lang.code()
            )));
        }
        // A seat in a sitting binds the start to its window and, where required, admission.
        let now = self.now();
        let seat = self.store.seat_for(&user.id, &bp.id).await?;
        let sitting = match &seat {
            Some(seat) => {
                let s = self
                    .store
                    .sitting(&seat.sitting_id)
                    .await?
                    .ok_or_else(AppError::internal)?;
                if now < s.opens_at {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        format!(
                            "Your sitting opens at {} UTC.",
                            text::chrono_free_utc(s.opens_at)
                        ),
                    ));
                }
                if now > s.closes_at {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "Your sitting's window to start has closed.",
                    ));
                }
                if let Some(reason) = &seat.refused_reason {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        format!(
                            "The proctor could not confirm your identity: {reason}. Speak to \
                             your proctor."
                        ),
                    ));
                }
                if s.camera != 0 && !self.has_start_photo(&user.id, &s.id).await? {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "Your sitting takes your picture before the start: allow the camera \
                         and take it on your page.",
                    ));
                }
                if s.requires_admission != 0 && seat.admitted_at.is_none() {
                    self.store.check_in(&s.id, &user.id, now).await?;
                    self.hub.publish(crate::live::Live::Touch {
                        sitting: s.id.clone(),
                        user: user.id.clone(),
                    });
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "Waiting for admission: a proctor checks your identity and admits you; \
                         the test then starts from here.",
                    ));
                }
                Some(s)
            }
            None if bp.seated_only => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    "This test is taken only in a sitting, and you have no seat in one: the \
                     programme staff assign you to a sitting and tell you its time. Until then \
                     the practice test and the system check are open to you.",
                ));
            }
            None => None,
        };
        self.begin_attempt(user, &bp, lang, sitting.map(|s| s.id))
            .await
    }

    async fn attempt(&self, user: &UserInfo, attempt_id: &str) -> Result<AttemptView, AppError> {
        let row = self.owned_attempt(user, attempt_id).await?;
        let row = self.expire_if_due(row).await?;
        self.claim(user, &row).await?;
        self.view(&row).await
    }

    async fn save_response(
        &self,
        user: &UserInfo,
        attempt_id: &str,
        item_id: &str,
        request: SaveRequest,
    ) -> Result<SaveAck, AppError> {
        let result: Result<SaveAck, AppError> = async {
            let row = self
                .store
                .attempt(attempt_id)
                .await?
                .ok_or_else(|| AppError::not_found("The attempt"))?;
            if row.user_id != user.id {
                return Err(AppError::forbidden());
            }
            if row.status != AttemptStatus::InProgress.as_str() {
                return Err(closed());
            }
            let now = self.now();
            if row.paused_at.is_some() {
                return Err(paused());
            }
            // A save after a silence can be the first thing the server hears when the
            // connection comes back (the outbox retries before the next heartbeat): the gap is
            // measured here too, before the deadline is checked, so what an outage covered is
            // credited first. Only when the heartbeat is stale is the newest save read; a save
            // and a heartbeat arriving together find the same gap, and it is recorded once.
            let row = match self.gap_on_save(row, now).await? {
                Some(row) => row,
                None => return Err(closed()),
            };
            if now > row.deadline + self.settings.grace_ms {
                self.close_and_score(&row.id, AttemptStatus::Expired)
                    .await?;
                return Err(closed());
            }
            if !(1..=(1i64 << 53)).contains(&request.seq) {
                return Err(AppError::invalid(
                    "seq must be a positive integer (at most 2^53).",
                ));
            }
            let form: Form = serde_json::from_str(&row.form).map_err(internal)?;
            let entry = ItemId::parse(item_id)
                .ok()
                .and_then(|id| form.entry(&id).map(|(_, e)| e.clone()))
                .ok_or_else(|| {
                    AppError::invalid(format!("Item {item_id:?} is not on this attempt's form."))
                })?;
            let answer = match (request.answer, request.choice) {
                (Some(a), _) => Some(a),
                (None, Some(c)) => Some(Answer::Choice(c)),
                (None, None) => None,
            };
            if let Some(a) = &answer {
                entry
                    .check(a)
                    .map_err(|e| AppError::invalid(format!("Item {item_id:?}: {e}.")))?;
            }
            if self.navigation_of(&row.blueprint_id).await? == question_bank::Navigation::Linear {
                let position = |id: &str| {
                    ItemId::parse(id)
                        .ok()
                        .and_then(|id| form.entry(&id).map(|(i, _)| i))
                };
                let here = position(item_id);
                let furthest = self
                    .store
                    .responses(attempt_id)
                    .await?
                    .iter()
                    .filter_map(|r| position(&r.item_id))
                    .max();
                if let (Some(here), Some(furthest)) = (here, furthest)
                    && here < furthest
                {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "This test goes forward only: a question left behind cannot be changed.",
                    ));
                }
            }
            let outcome = self
                .store
                .save_response(SaveCmd {
                    attempt_id: attempt_id.into(),
                    item_id: item_id.into(),
                    choice: match &answer {
                        Some(Answer::Choice(c)) => Some(i64::from(*c)),
                        _ => None,
                    },
                    answer: answer
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()
                        .map_err(internal)?,
                    seq: request.seq,
                    now,
                    device: user.session.clone(),
                })
                .await?;
            if outcome == SaveOutcome::Applied
                && let Some(s) = &row.sitting_id
            {
                self.hub.publish(crate::live::Live::Touch {
                    sitting: s.clone(),
                    user: row.user_id.clone(),
                });
            }
            match outcome {
                SaveOutcome::Applied | SaveOutcome::Stale => Ok(SaveAck {
                    item_id: item_id.to_string(),
                    seq: request.seq,
                    applied: outcome == SaveOutcome::Applied,
                    saved_ms: now,
                }),
                SaveOutcome::Closed => Err(closed()),
                SaveOutcome::Superseded => Err(superseded()),
                SaveOutcome::Paused => Err(paused()),
            }
        }
        .await;
        let counter = match &result {
            Ok(ack) if ack.applied => &self.metrics.saves_applied,
            _ => &self.metrics.saves_refused,
        };
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        result
    }

    #[tracing::instrument(name = "submit attempt", skip(self, user), fields(user = %user.id))]
    async fn submit(&self, user: &UserInfo, attempt_id: &str) -> Result<ResultView, AppError> {
        let row = self.owned_attempt(user, attempt_id).await?;
        if row.user_id != user.id {
            return Err(AppError::forbidden());
        }
        if row.status == AttemptStatus::InProgress.as_str() {
            if row
                .device
                .as_deref()
                .is_some_and(|d| d != user.session.as_str())
            {
                return Err(superseded());
            }
            let status = if self.now() > row.deadline + self.settings.grace_ms {
                AttemptStatus::Expired
            } else {
                AttemptStatus::Submitted
            };
            self.close_and_score(&row.id, status).await?;
        }
        let row = self
            .store
            .attempt(attempt_id)
            .await?
            .ok_or_else(|| AppError::not_found("The attempt"))?;
        self.result_view(&row).await
    }

    async fn result(&self, user: &UserInfo, attempt_id: &str) -> Result<ResultView, AppError> {
        let row = self.owned_attempt(user, attempt_id).await?;
        let row = self.expire_if_due(row).await?;
        if row.status == AttemptStatus::InProgress.as_str() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "The attempt is still in progress: submit it first.",
            ));
        }
        self.result_view(&row).await
    }

    async fn events(
        &self,
        user: &UserInfo,
        attempt_id: &str,
    ) -> Result<Vec<AttemptEvent>, AppError> {
        Self::require(user, &[Role::Proctor, Role::Admin])?;
        let row = self
            .store
            .attempt(attempt_id)
            .await?
            .ok_or_else(|| AppError::not_found("The attempt"))?;
        if let Some(s) = &row.sitting_id {
            self.watched_sitting(user, s).await?;
        }
        Ok(self
            .store
            .events(attempt_id)
            .await?
            .iter()
            .map(event_view)
            .collect())
    }

    async fn bank_list(&self, user: &UserInfo, filter: &BankFilter) -> Result<BankPage, AppError> {
        Services::bank_list(self, user, filter).await
    }

    async fn bank_item(&self, user: &UserInfo, item_id: &str) -> Result<ItemDoc, AppError> {
        Services::bank_item(self, user, item_id).await
    }

    async fn bank_save(
        &self,
        user: &UserInfo,
        input: ItemInput,
        create: bool,
    ) -> Result<ItemDoc, AppError> {
        if create {
            self.bank_create(user, input).await
        } else {
            let id = input.item.id.to_string();
            self.bank_update(user, &id, input).await
        }
    }

    async fn bank_act(
        &self,
        user: &UserInfo,
        item_id: &str,
        action: &str,
        review: Option<ReviewInput>,
    ) -> Result<ItemDoc, AppError> {
        match (action, review) {
            ("submit", _) => self.bank_submit(user, item_id).await,
            ("retire", _) => self.bank_retire(user, item_id).await,
            ("review", Some(r)) => self.bank_review(user, item_id, r).await,
            _ => Err(AppError::invalid("Unknown action.")),
        }
    }

    async fn bank_restore(
        &self,
        user: &UserInfo,
        item_id: &str,
        version: i64,
    ) -> Result<ItemDoc, AppError> {
        Services::bank_restore(self, user, item_id, version).await
    }

    async fn bank_history(&self, user: &UserInfo, item_id: &str) -> Result<ItemHistory, AppError> {
        Services::bank_history(self, user, item_id).await
    }

    async fn bank_bulk(&self, user: &UserInfo, input: BulkInput) -> Result<BulkResult, AppError> {
        Services::bank_bulk(self, user, input).await
    }

    async fn bank_competencies(&self, user: &UserInfo) -> Result<Vec<CompetencyView>, AppError> {
        Services::bank_competencies(self, user).await
    }

    async fn bank_put_competency(
        &self,
        user: &UserInfo,
        competency: CompetencyView,
    ) -> Result<CompetencyView, AppError> {
        Services::bank_put_competency(self, user, competency).await
    }

    async fn blueprint_list(&self, user: &UserInfo) -> Result<Vec<BlueprintSummary>, AppError> {
        Services::blueprint_list(self, user).await
    }
    async fn blueprint_get(&self, user: &UserInfo, id: &str) -> Result<BlueprintDoc, AppError> {
        Services::blueprint_get(self, user, id).await
    }
    async fn blueprint_save(
        &self,
        user: &UserInfo,
        blueprint: Blueprint,
    ) -> Result<BlueprintDoc, AppError> {
        Services::blueprint_save(self, user, blueprint).await
    }
    async fn blueprint_activate(
        &self,
        user: &UserInfo,
        id: &str,
        active: bool,
    ) -> Result<BlueprintDoc, AppError> {
        Services::blueprint_activate(self, user, id, active).await
    }
    async fn blueprint_check(
        &self,
        user: &UserInfo,
        input: CheckInput,
    ) -> Result<CheckReport, AppError> {
        Services::blueprint_check(self, user, input).await
    }
    async fn blueprint_rescore(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<RescoreReport, AppError> {
        Services::blueprint_rescore(self, user, id).await
    }
    async fn score_changes(
        &self,
        user: &UserInfo,
        blueprint_id: Option<&str>,
    ) -> Result<Vec<ScoreChangeView>, AppError> {
        Services::score_changes(self, user, blueprint_id).await
    }
    async fn correct_key(
        &self,
        user: &UserInfo,
        item_id: &str,
        version: i64,
        input: KeyCorrectionInput,
    ) -> Result<RescoreReport, AppError> {
        Services::correct_key(self, user, item_id, version, input).await
    }
    async fn correction_reach(
        &self,
        user: &UserInfo,
        item_id: &str,
        version: i64,
    ) -> Result<u32, AppError> {
        Services::correction_reach(self, user, item_id, version).await
    }

    async fn certificate_check(&self, number: &str) -> Result<CertificateCheck, AppError> {
        self.verify_certificate(number).await
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

impl Services {
    /// Draws a form and opens the attempt (or returns the one a parallel request opened).
    pub(crate) async fn begin_attempt(
        &self,
        user: &UserInfo,
        bp: &Blueprint,
        lang: Language,
        sitting_id: Option<String>,
    ) -> Result<AttemptView, AppError> {
        let now = self.now();
        let form = self.draw_form(bp, lang).await?;
        let row = AttemptRow {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: user.id.clone(),
            blueprint_id: bp.id.clone(),
            status: AttemptStatus::InProgress.as_str().into(),
            language: lang.code().into(),
            form: serde_json::to_string(&form).map_err(internal)?,
            started_at: now,
            deadline: now + bp.time_limit_ms_for(&user.email, &user.id),
            closed_at: None,
            score: None,
            device: Some(user.session.clone()),
            sitting_id,
            paused_at: None,
            last_seen: None,
            last_ip: None,
            termination: None,
        };
        let form_items: Vec<(String, i64)> = form
            .entries
            .iter()
            .map(|e| (e.item_id.to_string(), i64::from(e.version)))
            .collect();
        let row = if self.store.insert_attempt(&row, &form_items).await? {
            tracing::info!(attempt = %row.id, items = form.entries.len(), "attempt started");
            let detail = serde_json::json!({ "device": user.session, "language": lang.code() });
            self.record(&row, "system", "started", detail, "").await?;
            if let Some(s) = &row.sitting_id {
                self.hub.publish(crate::live::Live::Touch {
                    sitting: s.clone(),
                    user: row.user_id.clone(),
                });
            }
            row
        } else {
            // Another request of the same applicant started it a moment ago.
            let row = self
                .store
                .attempt_for(&user.id, &bp.id)
                .await?
                .ok_or_else(AppError::internal)?;
            self.claim(user, &row).await?;
            row
        };
        self.view(&row).await
    }
    /// The practice test: any time, without a seat, never counted. A finished one is replaced
    /// by a new form; one in progress is resumed.
    pub async fn start_practice(
        &self,
        user: &UserInfo,
        language: Option<&str>,
    ) -> Result<AttemptView, AppError> {
        Self::require(user, &[Role::Applicant])?;
        let lang = test_language(language)?;
        let mut practice = None;
        for row in self.store.blueprints().await? {
            if let Ok(bp) = serde_json::from_str::<Blueprint>(&row.spec)
                && bp.practice
            {
                practice = Some(bp);
                break;
            }
        }
        let bp = practice.ok_or_else(|| AppError::not_found("A practice test"))?;
        if !bp.offers(lang) {
            return Err(AppError::invalid(format!(
                "The practice test is offered in {}, not {}.",
                bp.offered_languages()
                    .iter()
                    .map(|l| l.code())
                    .collect::<Vec<_>>()
                    .join(", "),
                lang.code()
            )));
        }
        if let Some(existing) = self.store.attempt_for(&user.id, &bp.id).await? {
            let existing = self.expire_if_due(existing).await?;
            if existing.status == AttemptStatus::InProgress.as_str() {
                self.claim(user, &existing).await?;
                return self.view(&existing).await;
            }
            self.store.delete_practice_attempt(&existing.id).await?;
        }
        self.begin_attempt(user, &bp, lang, None).await
    }
}

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
