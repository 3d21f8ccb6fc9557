//! An item's life in the bank: written as a draft, sent to review, published by another
//! methodologist (four eyes), retired, superseded by a newer published version. Which step is
//! allowed from where, and what each step does to the item's versions, is decided here once.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The status of one version of an item (and of the item, by its newest version).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Being written; not in any pool.
    Draft,
    /// Waiting for a reviewer who did not write or edit it.
    InReview,
    /// In the pool forms are drawn from.
    Published,
    /// Taken out of the pool for good.
    Retired,
    /// Was published; a newer version of the same item replaced it.
    Superseded,
}

impl ItemStatus {
    pub const ALL: [ItemStatus; 5] = [
        ItemStatus::Draft,
        ItemStatus::InReview,
        ItemStatus::Published,
        ItemStatus::Retired,
        ItemStatus::Superseded,
    ];

    /// The word stored in the database and sent over the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Draft => "draft",
            ItemStatus::InReview => "in_review",
            ItemStatus::Published => "published",
            ItemStatus::Retired => "retired",
            ItemStatus::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<ItemStatus> {
        ItemStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the newest version may be changed in place (no new version needed).
    pub fn editable_in_place(self) -> bool {
        matches!(self, ItemStatus::Draft | ItemStatus::InReview)
    }
}

impl fmt::Display for ItemStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A step a person takes on an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The author sends a draft to review.
    Submit,
    /// A reviewer publishes the version in review.
    Approve,
    /// A reviewer sends the version in review back to its author.
    SendBack,
    /// A published item goes back to review (its statistics say something is wrong); it
    /// leaves the pool until approved again.
    Reopen,
    /// The published version leaves the pool for good; a draft written on top of it stays.
    Retire,
}

impl Step {
    /// The word in the item's audit trail.
    pub fn audit_action(self) -> &'static str {
        match self {
            Step::Submit => "sent_to_review",
            Step::Approve => "approved",
            Step::SendBack => "changes_requested",
            Step::Reopen => "sent_back_by_analysis",
            Step::Retire => "retired",
        }
    }
}

/// Where an item stands: the status of its newest version and which version is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    pub status: ItemStatus,
    pub head_version: i64,
    pub published_version: Option<i64>,
}

/// What a step changes: where the item stands after it, and the versions whose status changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub after: Lifecycle,
    pub versions: Vec<(i64, ItemStatus)>,
}

/// A step that is not allowed from where the item stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRefused {
    pub step: Step,
    pub status: ItemStatus,
}

impl fmt::Display for StepRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Step::Submit => write!(
                f,
                "Only a draft can be sent to review; this item is {}.",
                self.status
            ),
            Step::Approve | Step::SendBack => write!(
                f,
                "Only an item in review can be reviewed; this item is {}.",
                self.status
            ),
            Step::Reopen => write!(
                f,
                "Only a published item can be sent back to review; this item is {}.",
                self.status
            ),
            Step::Retire => {
                f.write_str("Only a published item can be retired (a draft can simply be left).")
            }
        }
    }
}

impl std::error::Error for StepRefused {}

impl Lifecycle {
    /// Whether `step` is allowed from here, and if so what it changes.
    pub fn step(&self, step: Step) -> Result<Change, StepRefused> {
        let refused = || StepRefused {
            step,
            status: self.status,
        };
        let mut after = *self;
        let mut versions = Vec::new();
        match step {
            Step::Submit => {
                if self.status != ItemStatus::Draft {
                    return Err(refused());
                }
                after.status = ItemStatus::InReview;
                versions.push((self.head_version, ItemStatus::InReview));
            }
            Step::Approve => {
                if self.status != ItemStatus::InReview {
                    return Err(refused());
                }
                if let Some(old) = self.published_version.filter(|v| *v != self.head_version) {
                    versions.push((old, ItemStatus::Superseded));
                }
                after.status = ItemStatus::Published;
                after.published_version = Some(self.head_version);
                versions.push((self.head_version, ItemStatus::Published));
            }
            Step::SendBack => {
                if self.status != ItemStatus::InReview {
                    return Err(refused());
                }
                after.status = ItemStatus::Draft;
                versions.push((self.head_version, ItemStatus::Draft));
            }
            Step::Reopen => {
                if self.status != ItemStatus::Published {
                    return Err(refused());
                }
                after.status = ItemStatus::InReview;
                after.published_version = None;
                versions.push((self.head_version, ItemStatus::InReview));
            }
            Step::Retire => {
                let Some(published) = self.published_version else {
                    return Err(refused());
                };
                versions.push((published, ItemStatus::Retired));
                after.published_version = None;
                if self.status == ItemStatus::Published {
                    after.status = ItemStatus::Retired;
                    if published != self.head_version {
                        versions.push((self.head_version, ItemStatus::Retired));
                    }
                }
            }
        }
        Ok(Change { after, versions })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(status: ItemStatus, head: i64, published: Option<i64>) -> Lifecycle {
        Lifecycle {
            status,
            head_version: head,
            published_version: published,
        }
    }

    #[test]
    fn statuses_round_trip_through_their_words() {
        for s in ItemStatus::ALL {
            assert_eq!(ItemStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ItemStatus::parse("Published"), None);
    }

    #[test]
    fn a_draft_goes_to_review_then_is_published() {
        let c = at(ItemStatus::Draft, 1, None).step(Step::Submit).unwrap();
        assert_eq!(c.after, at(ItemStatus::InReview, 1, None));
        assert_eq!(c.versions, vec![(1, ItemStatus::InReview)]);
        let c = c.after.step(Step::Approve).unwrap();
        assert_eq!(c.after, at(ItemStatus::Published, 1, Some(1)));
        assert_eq!(c.versions, vec![(1, ItemStatus::Published)]);
    }

    #[test]
    fn publishing_a_new_version_supersedes_the_old_one() {
        let c = at(ItemStatus::InReview, 3, Some(2))
            .step(Step::Approve)
            .unwrap();
        assert_eq!(c.after, at(ItemStatus::Published, 3, Some(3)));
        assert_eq!(
            c.versions,
            vec![(2, ItemStatus::Superseded), (3, ItemStatus::Published)]
        );
    }

    #[test]
    fn sending_back_keeps_the_published_version_in_the_pool() {
        let c = at(ItemStatus::InReview, 3, Some(2))
            .step(Step::SendBack)
            .unwrap();
        assert_eq!(c.after, at(ItemStatus::Draft, 3, Some(2)));
        assert_eq!(c.versions, vec![(3, ItemStatus::Draft)]);
    }

    #[test]
    fn reopening_takes_the_item_out_of_the_pool() {
        let c = at(ItemStatus::Published, 2, Some(2))
            .step(Step::Reopen)
            .unwrap();
        assert_eq!(c.after, at(ItemStatus::InReview, 2, None));
        assert_eq!(c.versions, vec![(2, ItemStatus::InReview)]);
    }

    #[test]
    fn retiring_a_published_item() {
        let c = at(ItemStatus::Published, 2, Some(2))
            .step(Step::Retire)
            .unwrap();
        assert_eq!(c.after, at(ItemStatus::Retired, 2, None));
        assert_eq!(c.versions, vec![(2, ItemStatus::Retired)]);
    }

    #[test]
    fn retiring_leaves_a_draft_written_on_top() {
        let c = at(ItemStatus::Draft, 3, Some(2))
            .step(Step::Retire)
            .unwrap();
        assert_eq!(c.after, at(ItemStatus::Draft, 3, None));
        assert_eq!(c.versions, vec![(2, ItemStatus::Retired)]);
    }

    #[test]
    fn refused_steps_name_the_status() {
        for (from, step) in [
            (at(ItemStatus::InReview, 1, None), Step::Submit),
            (at(ItemStatus::Published, 1, Some(1)), Step::Submit),
            (at(ItemStatus::Draft, 1, None), Step::Approve),
            (at(ItemStatus::Published, 1, Some(1)), Step::SendBack),
            (at(ItemStatus::Draft, 1, None), Step::Reopen),
            (at(ItemStatus::Retired, 1, None), Step::Reopen),
            (at(ItemStatus::Draft, 1, None), Step::Retire),
            (at(ItemStatus::Retired, 1, None), Step::Retire),
        ] {
            let e = from.step(step).unwrap_err();
            assert_eq!(e.status, from.status);
            assert!(!e.to_string().is_empty());
        }
    }
}
