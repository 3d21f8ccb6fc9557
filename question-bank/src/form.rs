//! Form assembly: the concrete items, in order, with their option order, that one candidate
//! receives. Reproducible: the same blueprint, pool and seed give the same form.

use crate::blueprint::Blueprint;
use crate::item::ItemId;
use rand::SeedableRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// What form assembly needs to know about an item that may be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolItem {
    pub id: ItemId,
    pub version: u32,
    pub competency: String,
    pub option_count: usize,
}

/// One item on a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormEntry {
    pub item_id: ItemId,
    pub version: u32,
    pub competency: String,
    /// `option_order[shown_position] = authored_index`. The candidate answers with a shown
    /// position; only the server maps it back.
    pub option_order: Vec<u8>,
}

impl FormEntry {
    /// The authored option index behind a shown position, if the position exists.
    pub fn authored_option(&self, shown: usize) -> Option<usize> {
        self.option_order.get(shown).map(|&i| usize::from(i))
    }
}

/// The items one candidate receives, in the order they are shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Form {
    pub seed: u64,
    pub entries: Vec<FormEntry>,
}

impl Form {
    pub fn entry(&self, item: &ItemId) -> Option<(usize, &FormEntry)> {
        self.entries
            .iter()
            .enumerate()
            .find(|(_, e)| &e.item_id == item)
    }
}

/// Why no form could be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssemblyError {
    #[error(
        "competency {competency:?} needs {needed} items but the bank has {available} published"
    )]
    Short {
        competency: String,
        needed: usize,
        available: usize,
    },
    #[error("item {0} has more than 255 options")]
    TooManyOptions(ItemId),
}

/// Draws one form for `blueprint` from `pool` (the published items), reproducibly from `seed`.
///
/// Every section gets exactly its count of distinct items of its competency; items are then
/// shuffled across the form if the blueprint says so, and each item's options likewise.
pub fn assemble(
    blueprint: &Blueprint,
    pool: &[PoolItem],
    seed: u64,
) -> Result<Form, AssemblyError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut entries = Vec::with_capacity(blueprint.item_count() as usize);
    for section in &blueprint.sections {
        let candidates: Vec<&PoolItem> = pool
            .iter()
            .filter(|p| p.competency == section.competency)
            .collect();
        let needed = section.count as usize;
        if candidates.len() < needed {
            return Err(AssemblyError::Short {
                competency: section.competency.clone(),
                needed,
                available: candidates.len(),
            });
        }
        for item in candidates.choose_multiple(&mut rng, needed) {
            let n = u8::try_from(item.option_count)
                .map_err(|_| AssemblyError::TooManyOptions(item.id.clone()))?;
            let mut option_order: Vec<u8> = (0..n).collect();
            if blueprint.shuffle_options {
                option_order.shuffle(&mut rng);
            }
            entries.push(FormEntry {
                item_id: item.id.clone(),
                version: item.version,
                competency: item.competency.clone(),
                option_order,
            });
        }
    }
    if blueprint.shuffle_items {
        entries.shuffle(&mut rng);
    }
    Ok(Form { seed, entries })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blueprint::tests::blueprint;
    use std::collections::HashSet;

    fn pool(spec: &[(&str, usize)]) -> Vec<PoolItem> {
        spec.iter()
            .flat_map(|(c, n)| {
                (0..*n).map(move |i| PoolItem {
                    id: ItemId::parse(format!("{c}-{i}")).expect("id"),
                    version: 1,
                    competency: (*c).into(),
                    option_count: 4,
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
    fn unshuffled_blueprints_keep_authored_order() {
        let mut bp = blueprint(&[("a", 2)]);
        bp.shuffle_options = false;
        let form = assemble(&bp, &pool(&[("a", 4)]), 1).expect("form");
        assert!(
            form.entries
                .iter()
                .all(|e| e.option_order == vec![0, 1, 2, 3])
        );
    }

    #[test]
    fn a_short_bank_names_the_competency_and_the_shortfall() {
        let bp = blueprint(&[("a", 2), ("b", 5)]);
        let err = assemble(&bp, &pool(&[("a", 4), ("b", 3)]), 1).unwrap_err();
        assert_eq!(
            err,
            AssemblyError::Short {
                competency: "b".into(),
                needed: 5,
                available: 3
            }
        );
        assert_eq!(
            err.to_string(),
            "competency \"b\" needs 5 items but the bank has 3 published"
        );
    }
}
