//! Form assembly: the concrete items, in order, with their option order, that one candidate
//! receives.
//!
//! Forms are fair: each satisfies its blueprint cell by cell (competency x difficulty level),
//! keeps enemy items apart, spreads exposure so that no item appears on more than the
//! blueprint's share of forms, and has an expected score within the blueprint's tolerance of
//! one target. Reproducible: the same blueprint, pool, exposure counts and seed give the same
//! form (ChaCha8).

use crate::blueprint::Blueprint;
use crate::item::{Difficulty, ItemId, ItemType};
use crate::psychometrics::irt::{self, ItemParams};
use crate::scoring::Response;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What form assembly needs to know about an item that may be drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolItem {
    pub id: ItemId,
    pub version: u32,
    pub competency: String,
    pub difficulty: Difficulty,
    pub kind: ItemType,
    /// Options (choices, premises or elements to order).
    pub option_count: usize,
    /// Answers of a matching item.
    pub match_count: usize,
    /// Expected share of the item's points a candidate earns: the observed p-value once the
    /// item has been answered often enough, else the a-priori value of its level.
    pub p: f64,
    /// Calibrated IRT parameters of this version, once a calibration has been stored.
    pub irt: Option<ItemParams>,
}

impl PoolItem {
    /// A single-choice item of medium difficulty with the a-priori p-value.
    pub fn single(id: ItemId, competency: impl Into<String>, options: usize) -> Self {
        Self {
            id,
            version: 1,
            competency: competency.into(),
            difficulty: Difficulty::Medium,
            kind: ItemType::SingleChoice,
            option_count: options,
            match_count: 0,
            p: Difficulty::Medium.prior_p(),
            irt: None,
        }
    }

    /// The item's parameters: calibrated, else provisional ones from its p-value.
    pub fn params(&self) -> ItemParams {
        self.irt.unwrap_or_else(|| irt::provisional(self.p))
    }
}

fn single_choice() -> ItemType {
    ItemType::SingleChoice
}

/// One item on a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormEntry {
    pub item_id: ItemId,
    pub version: u32,
    pub competency: String,
    #[serde(default = "single_choice")]
    pub kind: ItemType,
    /// `option_order[shown_position] = authored_index`. The candidate answers with shown
    /// positions; only the server maps them back.
    pub option_order: Vec<u8>,
    /// For matching items: `match_order[shown_position] = authored index of the answer`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_order: Vec<u8>,
}

/// An answer as the candidate gives it: in shown positions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum Answer {
    /// Single choice: the chosen position.
    Choice(u32),
    /// Multiple response: the chosen positions.
    Choices(Vec<u32>),
    /// True or false.
    Bool(bool),
    /// Matching: for each shown premise, the shown answer position matched to it.
    Pairs(Vec<Option<u32>>),
    /// Ordering: the shown positions in the order the candidate put them.
    Order(Vec<u32>),
    Number(f64),
    Text(String),
}

impl Answer {
    /// The item type this answer is for.
    pub fn kind(&self) -> ItemType {
        match self {
            Answer::Choice(_) => ItemType::SingleChoice,
            Answer::Choices(_) => ItemType::MultipleResponse,
            Answer::Bool(_) => ItemType::TrueFalse,
            Answer::Pairs(_) => ItemType::Matching,
            Answer::Order(_) => ItemType::Ordering,
            Answer::Number(_) => ItemType::Numeric,
            Answer::Text(_) => ItemType::ShortText,
        }
    }
}

/// Longest short-text answer accepted, in characters.
pub const MAX_TEXT_ANSWER: usize = 500;

impl FormEntry {
    /// The authored option index behind a shown position, if the position exists.
    pub fn authored_option(&self, shown: usize) -> Option<usize> {
        self.option_order.get(shown).map(|&i| usize::from(i))
    }

    fn authored_match(&self, shown: usize) -> Option<usize> {
        self.match_order.get(shown).map(|&i| usize::from(i))
    }

    /// Checks that `answer` fits this item: its type, and every position within range.
    pub fn check(&self, answer: &Answer) -> Result<(), String> {
        if answer.kind() != self.kind {
            return Err(format!(
                "this item is {} and takes a {} answer, not {}",
                self.kind.as_str(),
                self.kind.as_str(),
                answer.kind().as_str()
            ));
        }
        let options = self.option_order.len();
        let in_options = |p: &u32| (*p as usize) < options;
        match answer {
            Answer::Choice(p) if !in_options(p) => Err(format!(
                "choice must be between 0 and {}",
                options.saturating_sub(1)
            )),
            Answer::Choices(ps) if !ps.iter().all(in_options) || ps.len() > options => {
                Err(format!(
                    "choices must be distinct positions 0-{}",
                    options.saturating_sub(1)
                ))
            }
            Answer::Pairs(ps)
                if ps.len() != options
                    || ps
                        .iter()
                        .flatten()
                        .any(|m| *m as usize >= self.match_order.len()) =>
            {
                Err(format!(
                    "pairs must list {options} premises, each null or an answer 0-{}",
                    self.match_order.len().saturating_sub(1)
                ))
            }
            Answer::Order(ps) => {
                let mut sorted = ps.clone();
                sorted.sort_unstable();
                if sorted != (0..options as u32).collect::<Vec<_>>() {
                    return Err(format!(
                        "order must list every position 0-{} once",
                        options.saturating_sub(1)
                    ));
                }
                Ok(())
            }
            Answer::Number(x) if !x.is_finite() => Err("the number must be finite".into()),
            Answer::Text(t) if t.chars().count() > MAX_TEXT_ANSWER => Err(format!(
                "a text answer may have at most {MAX_TEXT_ANSWER} characters"
            )),
            _ => Ok(()),
        }
    }

    /// The answer in authored terms, for scoring; `None` when it does not fit the item.
    pub fn response(&self, answer: &Answer) -> Option<Response> {
        self.check(answer).ok()?;
        Some(match answer {
            Answer::Choice(p) => Response::Choice(self.authored_option(*p as usize)?),
            Answer::Choices(ps) => Response::Choices(
                ps.iter()
                    .map(|p| self.authored_option(*p as usize))
                    .collect::<Option<_>>()?,
            ),
            Answer::Bool(b) => Response::Bool(*b),
            Answer::Pairs(ps) => {
                let mut by_premise = vec![None; self.option_order.len()];
                for (shown, m) in ps.iter().enumerate() {
                    let premise = self.authored_option(shown)?;
                    by_premise[premise] = match m {
                        Some(m) => Some(self.authored_match(*m as usize)?),
                        None => None,
                    };
                }
                Response::Pairs(by_premise)
            }
            Answer::Order(ps) => Response::Order(
                ps.iter()
                    .map(|p| self.authored_option(*p as usize))
                    .collect::<Option<_>>()?,
            ),
            Answer::Number(x) => Response::Number(*x),
            Answer::Text(t) => Response::Text(t.clone()),
        })
    }
}

/// The items one candidate receives, in the order they are shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Form {
    pub seed: u64,
    pub entries: Vec<FormEntry>,
    /// Expected score of the form in percent (weighted p-values), as assembled.
    #[serde(default)]
    pub expected_percent: f64,
    /// Test information at the blueprint's reference ability (its cut, else 0), when the pool
    /// has calibrated items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information: Option<f64>,
    /// The pass mark of this form in percent, when the blueprint's standard is an ability
    /// (`cut_theta`): the weighted expected score of a candidate at that ability on these
    /// items. It takes the place of the blueprint's `pass_percent` when the form is scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_percent: Option<f64>,
}

impl Form {
    pub fn entry(&self, item: &ItemId) -> Option<(usize, &FormEntry)> {
        self.entries
            .iter()
            .enumerate()
            .find(|(_, e)| &e.item_id == item)
    }
}

/// A cell of the blueprint the bank cannot fill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortage {
    pub competency: String,
    /// The level, or `None` for "any level".
    pub difficulty: Option<Difficulty>,
    pub needed: usize,
    pub available: usize,
}

impl std::fmt::Display for Shortage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = self.difficulty.map_or("any", Difficulty::as_str);
        write!(
            f,
            "competency {:?}, level {level}: needs {} items, the bank has {} ({} short)",
            self.competency,
            self.needed,
            self.available,
            self.needed - self.available
        )
    }
}

fn list(shortages: &[Shortage]) -> String {
    shortages
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why no form could be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AssemblyError {
    #[error("the bank cannot fill the blueprint: {}", list(.0))]
    Short(Vec<Shortage>),
    #[error(
        "competency {competency:?}, level {level}: {needed} of {available} items on every form \
         means each appears on {rate:.0}% of forms, above the maximum exposure of {max:.0}%"
    )]
    Exposure {
        competency: String,
        level: String,
        needed: usize,
        available: usize,
        rate: f64,
        max: f64,
    },
    #[error(
        "competency {competency:?}, level {level}: the enemy sets leave too few items to draw {needed}"
    )]
    Enemies {
        competency: String,
        level: String,
        needed: usize,
    },
    #[error("item {0} has more than 255 options")]
    TooManyOptions(ItemId),
}

struct Cell {
    competency: String,
    level: Option<Difficulty>,
    section: usize,
    count: usize,
    /// Pool indices of the cell's items, sorted by p.
    items: Vec<usize>,
}

/// Draws fair forms for one blueprint from one pool, keeping exposure counts across the forms
/// it draws (seed it with counts of forms already given to use it on a live sitting).
pub struct Assembler<'a> {
    blueprint: &'a Blueprint,
    pool: &'a [PoolItem],
    cells: Vec<Cell>,
    weights: Vec<f64>,
    total_weight: f64,
    /// Target expected score, as a share (0-1).
    target: f64,
    /// Enemy groups each pool item belongs to.
    groups: Vec<Vec<u32>>,
    group_load: Vec<u16>,
    exposure: Vec<u32>,
    forms: u64,
    /// `mark[i] == stamp` while item `i` is on the form being drawn.
    mark: Vec<u64>,
    stamp: u64,
    scratch: Vec<usize>,
    /// Each pool item's parameters (calibrated or provisional) and its information at
    /// `theta`.
    params: Vec<ItemParams>,
    info: Vec<f64>,
    theta: f64,
    /// Balance information too (the pool has calibrated items).
    use_information: bool,
    target_information: f64,
}

/// Fairness of a set of forms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fairness {
    pub forms: usize,
    pub target_percent: f64,
    pub min_expected_percent: f64,
    pub mean_expected_percent: f64,
    pub max_expected_percent: f64,
    /// max - min, in percentage points.
    pub spread_points: f64,
    /// The highest share of forms any one item appeared on.
    pub max_exposure: f64,
    /// Forms whose expected score is further than half the tolerance from the target (the
    /// bank could not balance them; zero when the tolerance holds).
    pub outside_tolerance: usize,
    /// Items that appeared on at least one form, and the pool's size.
    pub items_used: usize,
    pub pool_size: usize,
    /// The ability the information is balanced at (the cut, else 0), when the pool has
    /// calibrated items; the information every form aims at, and the lowest and highest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information_theta: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_information: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_information: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_information: Option<f64>,
    /// The forms' pass marks carried from an ability standard: lowest and highest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_pass_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pass_percent: Option<f64>,
}

impl<'a> Assembler<'a> {
    /// Prepares the cells and checks that the pool can fill every one of them.
    pub fn new(blueprint: &'a Blueprint, pool: &'a [PoolItem]) -> Result<Self, AssemblyError> {
        let mut by_cell: HashMap<(&str, Option<Difficulty>), Vec<usize>> = HashMap::new();
        for (i, p) in pool.iter().enumerate() {
            if p.option_count > 255 || p.match_count > 255 {
                return Err(AssemblyError::TooManyOptions(p.id.clone()));
            }
            by_cell
                .entry((p.competency.as_str(), Some(p.difficulty)))
                .or_default()
                .push(i);
            by_cell
                .entry((p.competency.as_str(), None))
                .or_default()
                .push(i);
        }
        let mut cells = Vec::new();
        let mut shortages = Vec::new();
        for (si, s) in blueprint.sections.iter().enumerate() {
            // A section's level cells take their items first; its any-level cell draws from
            // what the level cells leave, so count it against the whole competency.
            let section_items = by_cell
                .get(&(s.competency.as_str(), None))
                .map_or(0, Vec::len);
            for (level, count) in s.cells() {
                let mut items = by_cell
                    .get(&(s.competency.as_str(), level))
                    .cloned()
                    .unwrap_or_default();
                let needed = count as usize;
                let available = if level.is_none() {
                    section_items.saturating_sub((s.total() - count) as usize)
                } else {
                    items.len()
                };
                if available < needed {
                    shortages.push(Shortage {
                        competency: s.competency.clone(),
                        difficulty: level,
                        needed,
                        available,
                    });
                }
                items.sort_by(|a, b| pool[*a].p.total_cmp(&pool[*b].p));
                cells.push(Cell {
                    competency: s.competency.clone(),
                    level,
                    section: si,
                    count: needed,
                    items,
                });
            }
        }
        if !shortages.is_empty() {
            return Err(AssemblyError::Short(shortages));
        }
        for c in &cells {
            let rate = c.count as f64 / c.items.len() as f64;
            if rate > blueprint.max_exposure + 1e-9 {
                return Err(AssemblyError::Exposure {
                    competency: c.competency.clone(),
                    level: c.level.map_or("any", Difficulty::as_str).into(),
                    needed: c.count,
                    available: c.items.len(),
                    rate: rate * 100.0,
                    max: blueprint.max_exposure * 100.0,
                });
            }
        }
        let index: HashMap<&str, usize> = pool
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let mut groups = vec![Vec::new(); pool.len()];
        for (g, set) in blueprint.enemies.iter().enumerate() {
            for id in set {
                if let Some(&i) = index.get(id.as_str())
                    && !groups[i].contains(&(g as u32))
                {
                    groups[i].push(g as u32);
                }
            }
        }
        let weights: Vec<f64> = blueprint.sections.iter().map(|s| s.weight).collect();
        let total_weight: f64 = cells
            .iter()
            .map(|c| weights[c.section] * c.count as f64)
            .sum();
        let target = match blueprint.target_percent {
            Some(t) => t / 100.0,
            None => {
                let sum: f64 = cells
                    .iter()
                    .map(|c| {
                        let mean = c.items.iter().map(|&i| pool[i].p).sum::<f64>()
                            / c.items.len().max(1) as f64;
                        weights[c.section] * c.count as f64 * mean
                    })
                    .sum();
                sum / total_weight.max(f64::MIN_POSITIVE)
            }
        };
        // Parameters only when they are used: calibrated items, or an ability standard.
        let use_information = pool.iter().any(|p| p.irt.is_some());
        let params: Vec<ItemParams> = if use_information || blueprint.cut_theta.is_some() {
            pool.iter().map(PoolItem::params).collect()
        } else {
            Vec::new()
        };
        let theta = blueprint.cut_theta.unwrap_or(0.0);
        let info: Vec<f64> = if use_information {
            params.iter().map(|p| p.information(theta)).collect()
        } else {
            Vec::new()
        };
        let target_information = cells
            .iter()
            .filter(|_| use_information)
            .map(|c| {
                c.count as f64 * c.items.iter().map(|&i| info[i]).sum::<f64>()
                    / c.items.len().max(1) as f64
            })
            .sum();
        Ok(Self {
            params,
            info,
            theta,
            use_information,
            target_information,
            blueprint,
            pool,
            cells,
            weights,
            total_weight,
            target,
            groups,
            group_load: vec![0; blueprint.enemies.len()],
            exposure: vec![0; pool.len()],
            forms: 0,
            mark: vec![0; pool.len()],
            stamp: 0,
            scratch: Vec::new(),
        })
    }

    /// Starts from exposure counts of forms already given: `counts[i]` forms held pool item
    /// `i`, out of `forms` forms.
    pub fn with_exposure(mut self, counts: Vec<u32>, forms: u64) -> Self {
        if counts.len() == self.pool.len() {
            self.exposure = counts;
            self.forms = forms;
        }
        self
    }

    /// The expected score every form aims at, in percent.
    pub fn target_percent(&self) -> f64 {
        self.target * 100.0
    }

    /// How many forms held each pool item so far.
    pub fn exposure(&self) -> &[u32] {
        &self.exposure
    }

    /// How many forms (this one included) an item may be on: the maximum rate of the forms
    /// drawn so far, to within one form. Without the one form of slack the first forms would
    /// be forced (after one form, every item on it would be barred from the second), and
    /// forced forms cannot be balanced.
    fn cap(&self) -> u32 {
        let rate = self.blueprint.max_exposure;
        if rate >= 1.0 {
            return u32::MAX;
        }
        (rate * (self.forms + 1) as f64).floor() as u32 + 1
    }

    fn enemies_clear(&self, item: usize, except: Option<usize>) -> bool {
        self.groups[item].iter().all(|&g| {
            let load = self.group_load[g as usize];
            let own = except.is_some_and(|e| self.groups[e].contains(&g));
            load == u16::from(own)
        })
    }

    fn take(&mut self, item: usize) {
        self.mark[item] = self.stamp;
        for &g in &self.groups[item] {
            self.group_load[g as usize] += 1;
        }
    }

    fn drop_item(&mut self, item: usize) {
        self.mark[item] = 0;
        for &g in &self.groups[item] {
            self.group_load[g as usize] -= 1;
        }
    }

    /// Draws one form from `seed`.
    pub fn form(&mut self, seed: u64) -> Result<Form, AssemblyError> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        self.stamp += 1;
        let cap = self.cap();
        // chosen[c] = pool indices drawn for cell c.
        let mut chosen: Vec<Vec<usize>> = Vec::with_capacity(self.cells.len());
        for ci in 0..self.cells.len() {
            let need = self.cells[ci].count;
            let mut got = Vec::with_capacity(need);
            let mut scratch = std::mem::take(&mut self.scratch);
            for relaxed in [false, true] {
                scratch.clear();
                scratch.extend(self.cells[ci].items.iter().copied().filter(|&i| {
                    self.mark[i] != self.stamp
                        && (relaxed || self.exposure[i] < cap)
                        && self.enemies_clear(i, None)
                }));
                if relaxed {
                    // Over the cap only as a last resort, least exposed first.
                    scratch.sort_by_key(|&i| self.exposure[i]);
                }
                let mut n = scratch.len();
                while got.len() < need && n > 0 {
                    let pick = if relaxed { 0 } else { rng.random_range(0..n) };
                    let item = scratch[pick];
                    if relaxed {
                        scratch.remove(0);
                    } else {
                        scratch.swap(pick, n - 1);
                    }
                    n -= 1;
                    if self.mark[item] != self.stamp && self.enemies_clear(item, None) {
                        self.take(item);
                        got.push(item);
                    }
                }
                if got.len() == need {
                    break;
                }
            }
            self.scratch = scratch;
            if got.len() < need {
                let cell = &self.cells[ci];
                let err = AssemblyError::Enemies {
                    competency: cell.competency.clone(),
                    level: cell.level.map_or("any", Difficulty::as_str).into(),
                    needed: need,
                };
                for c in chosen.iter().flatten().chain(&got) {
                    self.drop_item(*c);
                }
                return Err(err);
            }
            chosen.push(got);
        }
        let mut expected = self.expected(&chosen);
        self.balance(&mut chosen, &mut expected, cap);
        if self.use_information {
            self.balance_information(&mut chosen, &mut expected, cap);
        }
        let information = self.use_information.then(|| {
            let sum: f64 = chosen.iter().flatten().map(|&i| self.info[i]).sum();
            (sum * 100.0).round() / 100.0
        });
        let pass_percent = self.blueprint.cut_theta.map(|t| {
            let mut sum = 0.0;
            for (ci, items) in chosen.iter().enumerate() {
                let w = self.weights[self.cells[ci].section];
                sum += items.iter().map(|&i| w * self.params[i].p(t)).sum::<f64>();
            }
            (1000.0 * sum / self.total_weight.max(f64::MIN_POSITIVE)).round() / 10.0
        });
        let mut entries = Vec::with_capacity(self.blueprint.item_count() as usize);
        for (ci, items) in chosen.iter().enumerate() {
            for &i in items {
                self.exposure[i] += 1;
                let p = &self.pool[i];
                entries.push(FormEntry {
                    item_id: p.id.clone(),
                    version: p.version,
                    competency: self.cells[ci].competency.clone(),
                    kind: p.kind,
                    option_order: order(
                        p.option_count,
                        self.blueprint.shuffle_options || p.kind == ItemType::Ordering,
                        &mut rng,
                    ),
                    match_order: order(p.match_count, true, &mut rng),
                });
            }
        }
        for c in chosen.iter().flatten() {
            self.drop_item(*c);
        }
        self.forms += 1;
        if self.blueprint.shuffle_items {
            entries.shuffle(&mut rng);
        }
        Ok(Form {
            seed,
            entries,
            expected_percent: (expected * 1000.0).round() / 10.0,
            information,
            pass_percent,
        })
    }

    /// After the expected score is balanced: swaps items within their cells, each time the
    /// swap that brings the form's information at the reference ability nearest the target,
    /// without taking the expected score further from its target than the tolerance allows,
    /// until the information is within 2.5% of the target.
    fn balance_information(&mut self, chosen: &mut [Vec<usize>], expected: &mut f64, cap: u32) {
        let score_goal = self.blueprint.tolerance_points / 100.0 / 4.0;
        let goal = 0.025 * self.target_information;
        let mut info: f64 = chosen.iter().flatten().map(|&i| self.info[i]).sum();
        for _ in 0..chosen.iter().map(Vec::len).sum::<usize>().max(1) {
            let gap = self.target_information - info;
            if gap.abs() <= goal {
                return;
            }
            let score_room = score_goal.max((self.target - *expected).abs());
            let mut best: Option<(usize, usize, usize, f64, f64)> = None; // cell, slot, item, info gap, expected
            for (ci, items) in chosen.iter().enumerate() {
                let cell = &self.cells[ci];
                let w = self.weights[cell.section] / self.total_weight;
                for (slot, &out) in items.iter().enumerate() {
                    for &cand in &cell.items {
                        if self.mark[cand] == self.stamp
                            || self.exposure[cand] >= cap
                            || !self.enemies_clear(cand, Some(out))
                        {
                            continue;
                        }
                        let new_expected = *expected + w * (self.pool[cand].p - self.pool[out].p);
                        if (self.target - new_expected).abs() > score_room + 1e-12 {
                            continue;
                        }
                        let new_gap = gap - (self.info[cand] - self.info[out]);
                        if new_gap.abs() < best.map_or(gap.abs(), |b| b.3.abs()) {
                            best = Some((ci, slot, cand, new_gap, new_expected));
                        }
                    }
                }
            }
            let Some((ci, slot, cand, new_gap, new_expected)) = best else {
                return;
            };
            let out = chosen[ci][slot];
            self.drop_item(out);
            self.take(cand);
            chosen[ci][slot] = cand;
            info = self.target_information - new_gap;
            *expected = new_expected;
        }
    }

    fn expected(&self, chosen: &[Vec<usize>]) -> f64 {
        let mut sum = 0.0;
        for (ci, items) in chosen.iter().enumerate() {
            let w = self.weights[self.cells[ci].section];
            sum += items.iter().map(|&i| w * self.pool[i].p).sum::<f64>();
        }
        sum / self.total_weight.max(f64::MIN_POSITIVE)
    }

    /// Swaps items within their cells, one at a time, each time the swap that brings the
    /// expected score nearest the target, until it is within a quarter of the tolerance.
    fn balance(&mut self, chosen: &mut [Vec<usize>], expected: &mut f64, cap: u32) {
        let goal = self.blueprint.tolerance_points / 100.0 / 4.0;
        for _ in 0..chosen.iter().map(Vec::len).sum::<usize>().max(1) {
            let gap = self.target - *expected;
            if gap.abs() <= goal {
                return;
            }
            let mut best: Option<(usize, usize, usize, f64)> = None; // cell, slot, item, new gap
            for (ci, items) in chosen.iter().enumerate() {
                let cell = &self.cells[ci];
                let w = self.weights[cell.section] / self.total_weight;
                for (slot, &out) in items.iter().enumerate() {
                    // The p that would close the gap exactly.
                    let want = self.pool[out].p + gap / w;
                    let at = cell.items.partition_point(|&i| self.pool[i].p < want);
                    let ok = |i: usize| {
                        self.mark[i] != self.stamp
                            && self.exposure[i] < cap
                            && self.enemies_clear(i, Some(out))
                    };
                    let below = cell.items[..at].iter().rev().copied().find(|&i| ok(i));
                    let above = cell.items[at..].iter().copied().find(|&i| ok(i));
                    for cand in [below, above].into_iter().flatten() {
                        let new_gap = gap - w * (self.pool[cand].p - self.pool[out].p);
                        if new_gap.abs() < best.map_or(gap.abs(), |b| b.3.abs()) {
                            best = Some((ci, slot, cand, new_gap));
                        }
                    }
                }
            }
            let Some((ci, slot, cand, new_gap)) = best else {
                return;
            };
            let out = chosen[ci][slot];
            self.drop_item(out);
            self.take(cand);
            chosen[ci][slot] = cand;
            *expected = self.target - new_gap;
        }
    }

    /// Draws `count` forms, the i-th from a seed derived from `seed` and i, and summarises
    /// their fairness.
    pub fn forms(
        &mut self,
        count: usize,
        seed: u64,
    ) -> Result<(Vec<Form>, Fairness), AssemblyError> {
        let mut forms = Vec::with_capacity(count);
        for i in 0..count {
            forms.push(self.form(derive_seed(seed, i as u64))?);
        }
        let fairness = self.fairness(&forms);
        Ok((forms, fairness))
    }

    /// The fairness figures of `forms` drawn by this assembler.
    pub fn fairness(&self, forms: &[Form]) -> Fairness {
        let expected: Vec<f64> = forms.iter().map(|f| f.expected_percent).collect();
        let min = expected.iter().copied().fold(f64::INFINITY, f64::min);
        let max = expected.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let n = forms.len().max(1) as f64;
        let mut counts: HashMap<&ItemId, usize> = HashMap::new();
        for e in forms.iter().flat_map(|f| &f.entries) {
            *counts.entry(&e.item_id).or_default() += 1;
        }
        let top = counts.values().copied().max().unwrap_or(0);
        let round = |x: f64| (x * 100.0).round() / 100.0;
        let half = self.blueprint.tolerance_points / 2.0;
        let outside = expected
            .iter()
            .filter(|e| (*e - self.target * 100.0).abs() > half + 0.05)
            .count();
        let infos: Vec<f64> = forms.iter().filter_map(|f| f.information).collect();
        let passes: Vec<f64> = forms.iter().filter_map(|f| f.pass_percent).collect();
        let lowest = |v: &[f64]| v.iter().copied().reduce(f64::min);
        let highest = |v: &[f64]| v.iter().copied().reduce(f64::max);
        Fairness {
            information_theta: self.use_information.then_some(self.theta),
            target_information: self
                .use_information
                .then(|| (self.target_information * 100.0).round() / 100.0),
            min_information: lowest(&infos),
            max_information: highest(&infos),
            min_pass_percent: lowest(&passes),
            max_pass_percent: highest(&passes),
            outside_tolerance: outside,
            forms: forms.len(),
            target_percent: round(self.target * 100.0),
            min_expected_percent: if forms.is_empty() { 0.0 } else { min },
            mean_expected_percent: round(expected.iter().sum::<f64>() / n),
            max_expected_percent: if forms.is_empty() { 0.0 } else { max },
            spread_points: if forms.is_empty() {
                0.0
            } else {
                round(max - min)
            },
            max_exposure: round(top as f64 / n * 10_000.0) / 10_000.0,
            items_used: counts.len(),
            pool_size: self.pool.len(),
        }
    }
}

/// The seed of the i-th form of a run started from `seed` (SplitMix64 of the pair).
pub fn derive_seed(seed: u64, i: u64) -> u64 {
    let mut z = seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn order(n: usize, shuffle: bool, rng: &mut ChaCha8Rng) -> Vec<u8> {
    // n <= 255 is checked when the assembler is made.
    let mut v: Vec<u8> = (0..n as u8).collect();
    if shuffle {
        v.shuffle(rng);
    }
    v
}

/// A synthetic pool for benchmarks and tests: `n` items of every type spread over
/// `competencies` competencies (named `c1`, `c2`, ...) and the three levels, with p-values
/// scattered around each level's prior (as if observed).
pub fn synthetic_pool(n: usize, competencies: usize, seed: u64) -> Vec<PoolItem> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let levels = [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard];
    (0..n)
        .map(|i| {
            let difficulty = levels[(i / competencies.max(1)) % 3];
            let kind = ItemType::ALL[rng.random_range(0..ItemType::ALL.len())];
            let (option_count, match_count) = match kind {
                ItemType::SingleChoice | ItemType::MultipleResponse => (4, 0),
                ItemType::Matching => (3, 4),
                ItemType::Ordering => (4, 0),
                _ => (0, 0),
            };
            let spread: f64 = rng.random_range(-0.15..0.15);
            PoolItem {
                id: ItemId::trusted(format!("s{i:05}")),
                version: 1,
                competency: format!("c{}", i % competencies.max(1) + 1),
                difficulty,
                kind,
                option_count,
                match_count,
                p: (difficulty.prior_p() + spread).clamp(0.05, 0.95),
                irt: None,
            }
        })
        .collect()
}

/// Draws one form for `blueprint` from `pool`, reproducibly from `seed`, with no exposure
/// history.
pub fn assemble(
    blueprint: &Blueprint,
    pool: &[PoolItem],
    seed: u64,
) -> Result<Form, AssemblyError> {
    Assembler::new(blueprint, pool)?.form(seed)
}

/// The one adapter for the answer's older shape: before answers of every type existed, a
/// single choice travelled (API v1 `choice: n`) and was stored (the `choice` column) as a bare
/// position. New answers are `Answer`s; the bare position is read here and nowhere else.
pub mod legacy {
    use super::Answer;

    /// The answer meant by a typed answer and/or a bare choice (the typed one wins).
    pub fn answer(typed: Option<Answer>, choice: Option<i64>) -> Option<Answer> {
        typed.or_else(|| {
            choice
                .and_then(|c| u32::try_from(c).ok())
                .map(Answer::Choice)
        })
    }

    /// The bare position kept beside a single-choice answer (read by older reports).
    pub fn choice_column(answer: Option<&Answer>) -> Option<i64> {
        match answer {
            Some(Answer::Choice(c)) => Some(i64::from(*c)),
            _ => None,
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_typed_answer_wins_and_a_bare_choice_is_read() {
            assert_eq!(answer(None, Some(2)), Some(Answer::Choice(2)));
            assert_eq!(
                answer(Some(Answer::Bool(true)), Some(2)),
                Some(Answer::Bool(true))
            );
            assert_eq!(answer(None, None), None);
            assert_eq!(answer(None, Some(-1)), None);
            assert_eq!(choice_column(Some(&Answer::Choice(3))), Some(3));
            assert_eq!(choice_column(Some(&Answer::Bool(true))), None);
            assert_eq!(choice_column(None), None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blueprint::tests::blueprint;
    use std::collections::HashSet;

    fn pool(spec: &[(&str, usize)]) -> Vec<PoolItem> {
        spec.iter()
            .flat_map(|(c, n)| {
                (0..*n).map(move |i| {
                    PoolItem::single(ItemId::parse(format!("{c}-{i}")).expect("id"), *c, 4)
                })
            })
            .collect()
    }

    #[test]
    fn a_form_satisfies_its_blueprint() {
        let bp = blueprint(&[("a", 5), ("b", 3)]);
        let pool = pool(&[("a", 12), ("b", 3), ("c", 9)]);
        for seed in 0..200 {
            let form = assemble(&bp, &pool, seed).expect("assembles");
            assert_eq!(form.entries.len(), 8);
            let ids: HashSet<_> = form.entries.iter().map(|e| &e.item_id).collect();
            assert_eq!(ids.len(), 8, "no item twice");
            assert_eq!(
                form.entries.iter().filter(|e| e.competency == "a").count(),
                5
            );
            assert_eq!(
                form.entries.iter().filter(|e| e.competency == "b").count(),
                3
            );
            for e in &form.entries {
                let mut order = e.option_order.clone();
                order.sort_unstable();
                assert_eq!(order, vec![0, 1, 2, 3], "option order is a permutation");
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_form_and_others_differ() {
        let bp = blueprint(&[("a", 5), ("b", 3)]);
        let pool = pool(&[("a", 30), ("b", 30)]);
        assert_eq!(assemble(&bp, &pool, 7), assemble(&bp, &pool, 7));
        let distinct: HashSet<Vec<ItemId>> = (0..20)
            .map(|s| {
                assemble(&bp, &pool, s)
                    .expect("form")
                    .entries
                    .into_iter()
                    .map(|e| e.item_id)
                    .collect()
            })
            .collect();
        assert!(distinct.len() > 15, "different seeds draw different forms");
    }

    #[test]
    fn every_item_and_option_position_gets_drawn() {
        let bp = blueprint(&[("a", 2)]);
        let pool = pool(&[("a", 10)]);
        let mut seen = HashSet::new();
        let mut first_positions = HashSet::new();
        for seed in 0..500 {
            let form = assemble(&bp, &pool, seed).expect("form");
            for e in form.entries {
                first_positions.insert(e.option_order[0]);
                seen.insert(e.item_id);
            }
        }
        assert_eq!(seen.len(), 10);
        assert_eq!(first_positions.len(), 4);
    }

    #[test]
    fn unshuffled_blueprints_keep_authored_order_except_for_ordering_items() {
        let mut bp = blueprint(&[("a", 2)]);
        bp.shuffle_options = false;
        let form = assemble(&bp, &pool(&[("a", 4)]), 1).expect("form");
        assert!(
            form.entries
                .iter()
                .all(|e| e.option_order == vec![0, 1, 2, 3])
        );
        let mut p = pool(&[("a", 2)]);
        for item in &mut p {
            item.kind = ItemType::Ordering;
            item.option_count = 6;
        }
        let shuffled = (0..20).any(|s| {
            assemble(&bp, &p, s)
                .expect("form")
                .entries
                .iter()
                .any(|e| e.option_order != vec![0, 1, 2, 3, 4, 5])
        });
        assert!(
            shuffled,
            "an ordering item shown in its key's order gives it away"
        );
    }

    #[test]
    fn a_short_bank_names_every_short_cell_and_the_shortfall() {
        let mut bp = blueprint(&[("a", 2), ("b", 5)]);
        bp.sections[0].hard = 2;
        let err = match assemble(&bp, &pool(&[("a", 4), ("b", 3)]), 1) {
            Err(e) => e,
            Ok(_) => panic!("the bank is short"),
        };
        assert_eq!(
            err,
            AssemblyError::Short(vec![
                Shortage {
                    competency: "a".into(),
                    difficulty: Some(Difficulty::Hard),
                    needed: 2,
                    available: 0
                },
                Shortage {
                    competency: "b".into(),
                    difficulty: None,
                    needed: 5,
                    available: 3
                }
            ])
        );
        assert_eq!(
            err.to_string(),
            "the bank cannot fill the blueprint: competency \"a\", level hard: needs 2 items, \
             the bank has 0 (2 short); competency \"b\", level any: needs 5 items, the bank has \
             3 (2 short)"
        );
    }

    #[test]
    fn levels_are_drawn_from_their_own_items() {
        let mut bp = blueprint(&[("a", 1)]);
        bp.sections[0].easy = 2;
        bp.sections[0].hard = 1;
        let mut p = pool(&[("a", 12)]);
        for (i, item) in p.iter_mut().enumerate() {
            item.difficulty = [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard][i % 3];
        }
        for seed in 0..50 {
            let form = assemble(&bp, &p, seed).expect("form");
            let level = |e: &FormEntry| {
                p.iter()
                    .find(|i| i.id == e.item_id)
                    .map(|i| i.difficulty)
                    .expect("in pool")
            };
            let easy = form.entries.iter().filter(|e| level(e) == Difficulty::Easy);
            let hard = form.entries.iter().filter(|e| level(e) == Difficulty::Hard);
            assert!(easy.count() >= 2 && hard.count() >= 1);
            assert_eq!(form.entries.len(), 4);
        }
    }

    #[test]
    fn enemies_never_meet() {
        let mut bp = blueprint(&[("a", 3)]);
        bp.enemies = vec![vec!["a-0".into(), "a-1".into(), "a-2".into()]];
        let p = pool(&[("a", 5)]);
        for seed in 0..200 {
            let form = assemble(&bp, &p, seed).expect("form");
            let n = form
                .entries
                .iter()
                .filter(|e| ["a-0", "a-1", "a-2"].contains(&e.item_id.as_str()))
                .count();
            assert_eq!(n, 1, "exactly one of the three (two others fill the rest)");
        }
        bp.sections[0].count = 4;
        assert!(matches!(
            assemble(&bp, &p, 1),
            Err(AssemblyError::Enemies { .. })
        ));
    }

    #[test]
    fn exposure_is_capped_and_spread() {
        let mut bp = blueprint(&[("a", 2)]);
        bp.max_exposure = 0.25;
        let p = pool(&[("a", 10)]);
        let mut asm = Assembler::new(&bp, &p).expect("assembler");
        let (_, fairness) = asm.forms(1000, 3).expect("forms");
        assert!(fairness.max_exposure <= 0.25 + 1.0 / 1000.0, "{fairness:?}");
        assert_eq!(fairness.items_used, 10);
        bp.max_exposure = 0.1;
        assert!(matches!(
            Assembler::new(&bp, &p),
            Err(AssemblyError::Exposure { .. })
        ));
    }

    #[test]
    fn forms_are_balanced_around_the_target() {
        let bp = blueprint(&[("a", 20), ("b", 20)]);
        let mut p = pool(&[("a", 200), ("b", 200)]);
        for (i, item) in p.iter_mut().enumerate() {
            item.p = 0.2 + 0.7 * ((i * 37) % 100) as f64 / 100.0;
        }
        let mut asm = Assembler::new(&bp, &p).expect("assembler");
        let (_, f) = asm.forms(2000, 11).expect("forms");
        assert!(f.spread_points <= bp.tolerance_points, "{f:?}");
        assert_eq!(f.outside_tolerance, 0);
        // Unbalanced draws of 40 such items spread far wider.
        let mut wide = bp.clone();
        wide.tolerance_points = 50.0;
        let mut asm = Assembler::new(&wide, &p).expect("assembler");
        let (_, loose) = asm.forms(2000, 11).expect("forms");
        assert!(loose.spread_points > 5.0, "{loose:?}");
    }

    #[test]
    fn a_small_bank_with_a_tight_exposure_limit_is_still_balanced() {
        // The demo's shape: 6 competencies of 10 items (3 easy, 4 medium, 3 hard), 5 drawn.
        let bp = blueprint(&[("a", 5), ("b", 5), ("c", 5), ("d", 5), ("e", 5), ("f", 5)]);
        let mut p = pool(&[
            ("a", 10),
            ("b", 10),
            ("c", 10),
            ("d", 10),
            ("e", 10),
            ("f", 10),
        ]);
        for (i, item) in p.iter_mut().enumerate() {
            item.difficulty = match i % 10 {
                0..=2 => Difficulty::Easy,
                3..=6 => Difficulty::Medium,
                _ => Difficulty::Hard,
            };
            item.p = item.difficulty.prior_p();
        }
        for rate in [1.0, 0.6] {
            let mut b = bp.clone();
            b.max_exposure = rate;
            let mut asm = Assembler::new(&b, &p).expect("assembler");
            let (_, f) = asm.forms(200, 7).expect("forms");
            assert!(f.spread_points <= b.tolerance_points, "{rate}: {f:?}");
            assert!(f.max_exposure <= rate + 1.0 / 200.0, "{rate}: {f:?}");
        }
    }

    #[test]
    fn answers_map_back_to_authored_positions() {
        let e = FormEntry {
            item_id: ItemId::parse("m").expect("id"),
            version: 1,
            competency: "a".into(),
            kind: ItemType::Matching,
            option_order: vec![2, 0, 1],
            match_order: vec![1, 3, 0, 2],
        };
        // Shown premise 0 is authored 2, matched to shown answer 0 = authored 1.
        assert_eq!(
            e.response(&Answer::Pairs(vec![Some(0), None, Some(3)])),
            Some(Response::Pairs(vec![None, Some(2), Some(1)]))
        );
        assert!(e.check(&Answer::Pairs(vec![Some(4), None, None])).is_err());
        assert!(e.check(&Answer::Choice(0)).is_err(), "wrong type");
        let o = FormEntry {
            kind: ItemType::Ordering,
            match_order: vec![],
            ..e.clone()
        };
        assert_eq!(
            o.response(&Answer::Order(vec![1, 2, 0])),
            Some(Response::Order(vec![0, 1, 2]))
        );
        assert!(o.check(&Answer::Order(vec![1, 1, 0])).is_err());
    }

    /// A pool of 80 calibrated items in one competency (p-values from their parameters).
    fn calibrated_pool() -> Vec<PoolItem> {
        irt::random_items(80, 5)
            .into_iter()
            .enumerate()
            .map(|(i, params)| PoolItem {
                p: irt::marginal_p(&params),
                irt: Some(params),
                ..PoolItem::single(ItemId::parse(format!("a-{i}")).expect("id"), "a", 4)
            })
            .collect()
    }

    fn spread(v: &[f64]) -> f64 {
        v.iter().copied().fold(f64::MIN, f64::max) - v.iter().copied().fold(f64::MAX, f64::min)
    }

    #[test]
    fn calibrated_items_balance_information_as_well_as_the_expected_score() {
        let bp = blueprint(&[("a", 20)]);
        let calibrated = calibrated_pool();
        // The same items without their calibration: the score is balanced, information not.
        let plain: Vec<PoolItem> = calibrated
            .iter()
            .map(|p| PoolItem {
                irt: None,
                ..p.clone()
            })
            .collect();
        let info_of = |f: &Form| -> f64 {
            f.entries
                .iter()
                .map(|e| {
                    let i = calibrated
                        .iter()
                        .position(|p| p.id == e.item_id)
                        .expect("item");
                    calibrated[i].params().information(0.0)
                })
                .sum()
        };
        let (forms, fair) = Assembler::new(&bp, &calibrated)
            .expect("assembler")
            .forms(200, 9)
            .expect("forms");
        let (plain_forms, _) = Assembler::new(&bp, &plain)
            .expect("assembler")
            .forms(200, 9)
            .expect("forms");
        let balanced: Vec<f64> = forms.iter().map(info_of).collect();
        let unbalanced: Vec<f64> = plain_forms.iter().map(info_of).collect();
        assert!(plain_forms.iter().all(|f| f.information.is_none()));
        let target = fair.target_information.expect("target");
        assert_eq!(fair.information_theta, Some(0.0));
        for (f, i) in forms.iter().zip(&balanced) {
            assert!((f.information.expect("information") - i).abs() < 0.01);
        }
        let within = balanced
            .iter()
            .filter(|i| (*i - target).abs() <= 0.026 * target)
            .count();
        assert!(
            within >= 190,
            "{within} of 200 forms within 2.5% of {target}"
        );
        assert!(
            spread(&balanced) < 0.5 * spread(&unbalanced),
            "information spread {} balanced vs {} not",
            spread(&balanced),
            spread(&unbalanced)
        );
        // The expected score stays within the tolerance.
        assert!(fair.spread_points <= bp.tolerance_points + 1e-9, "{fair:?}");
        assert_eq!(fair.outside_tolerance, 0);
    }

    #[test]
    fn an_ability_standard_gives_each_form_its_own_pass_mark() {
        let mut bp = blueprint(&[("a", 20)]);
        bp.tolerance_points = 10.0;
        bp.cut_theta = Some(0.5);
        let pool = calibrated_pool();
        let (forms, fair) = Assembler::new(&bp, &pool)
            .expect("assembler")
            .forms(100, 3)
            .expect("forms");
        assert_eq!(fair.information_theta, Some(0.5));
        for f in &forms {
            let at_cut: f64 = f
                .entries
                .iter()
                .map(|e| {
                    let i = pool.iter().position(|p| p.id == e.item_id).expect("item");
                    pool[i].params().p(0.5)
                })
                .sum::<f64>()
                / 20.0;
            let mark = f.pass_percent.expect("carried pass mark");
            assert!((mark - 100.0 * at_cut).abs() < 0.051, "{mark} vs {at_cut}");
        }
        // Harder forms (lower expected score) ask for fewer points.
        let (lo, hi) = (
            fair.min_pass_percent.expect("min"),
            fair.max_pass_percent.expect("max"),
        );
        assert!(hi > lo, "the pass marks differ between forms: {lo}..{hi}");
        let easiest = forms
            .iter()
            .max_by(|a, b| a.expected_percent.total_cmp(&b.expected_percent))
            .expect("forms");
        let hardest = forms
            .iter()
            .min_by(|a, b| a.expected_percent.total_cmp(&b.expected_percent))
            .expect("forms");
        assert!(easiest.pass_percent >= hardest.pass_percent);
        // Without a standard on the ability scale, forms carry no pass mark.
        bp.cut_theta = None;
        assert!(
            assemble(&bp, &pool, 1)
                .expect("form")
                .pass_percent
                .is_none()
        );
    }
}
