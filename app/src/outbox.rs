//! The test page's outbox as plain Rust: the queue of answers waiting for the server's
//! acknowledgement, its rules (order, one waiting change per item, sequence numbers that only
//! grow, what a reply means, how long to wait before trying again) and what the browser keeps
//! of it. The page (`pages/test/outbox.rs`) holds one in a reactive value, sends the front,
//! stores `saved()` in `localStorage`; everything here is tested without a browser.

use crate::error::ErrorCode;
use question_bank::Answer;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};

/// One change waiting to be acknowledged by the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub item_id: String,
    pub seq: i64,
    #[serde(default)]
    pub answer: Option<Answer>,
    /// Outboxes written before answers of every type existed held a choice.
    #[serde(default, skip_serializing)]
    pub choice: Option<u32>,
}

impl Pending {
    /// The answer this change carries (an old bare choice read through the domain's adapter).
    pub fn answer(&self) -> Option<Answer> {
        question_bank::form::legacy::answer(self.answer.clone(), self.choice.map(i64::from))
    }
}

/// What the browser keeps so that a reload, a crash or a closed tab does not lose answers the
/// server has not acknowledged yet.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub seq: i64,
    pub pending: Vec<Pending>,
}

/// What to do after the server answered the front change.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Acknowledged (or refused for good and dropped): send the next one.
    Continue,
    /// The network or the server is down: keep it, wait this long, send it again.
    RetryAfter(u32),
    /// The proctor paused the test: keep it, wait, send it again.
    WaitPaused(u32),
    /// Another device holds the attempt: what waits here is dropped.
    Superseded,
    /// Refused for good (the message is shown); dropped. `sign_in`: the session is gone.
    Rejected { message: String, sign_in: bool },
}

/// The first wait before trying again, and the longest.
pub const FIRST_RETRY_MS: u32 = 500;
pub const LONGEST_RETRY_MS: u32 = 5_000;
/// How long a paused test waits between tries.
pub const PAUSED_RETRY_MS: u32 = 2_000;

#[derive(Debug, Clone)]
pub struct Queue {
    seq: i64,
    pending: VecDeque<Pending>,
    backoff: u32,
}

impl Queue {
    /// An empty outbox for an attempt whose server has seen sequence numbers up to `last_seq`.
    pub fn new(last_seq: i64) -> Self {
        Self {
            seq: last_seq,
            pending: VecDeque::new(),
            backoff: FIRST_RETRY_MS,
        }
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// The change to send now (the oldest).
    pub fn front(&self) -> Option<&Pending> {
        self.pending.front()
    }

    /// Queues a change with the next sequence number. A waiting change to the same item is
    /// replaced, except the front one, which may be on its way already (its reply must still
    /// find it there).
    pub fn push(&mut self, item_id: String, answer: Option<Answer>) -> i64 {
        self.seq += 1;
        let seq = self.seq;
        let kept: VecDeque<Pending> = self
            .pending
            .drain(..)
            .enumerate()
            .filter(|(i, p)| *i == 0 || p.item_id != item_id)
            .map(|(_, p)| p)
            .collect();
        self.pending = kept;
        self.pending.push_back(Pending {
            item_id,
            seq,
            answer,
            choice: None,
        });
        seq
    }

    /// Takes back what a previous page left: the sequence counter never goes back, and only
    /// changes newer than what the server holds for their item are kept. Returns those, for
    /// the page to show.
    pub fn restore(&mut self, saved: Saved, server_seqs: &HashMap<String, i64>) -> Vec<Pending> {
        self.seq = self.seq.max(saved.seq);
        let fresh: Vec<Pending> = saved
            .pending
            .into_iter()
            .filter(|p| server_seqs.get(&p.item_id).is_none_or(|&s| s < p.seq))
            .collect();
        self.pending.extend(fresh.iter().cloned());
        fresh
    }

    /// What the browser should keep.
    pub fn saved(&self) -> Saved {
        Saved {
            seq: self.seq,
            pending: self.pending.iter().cloned().collect(),
        }
    }

    /// The server's reply to the front change: `Ok` when acknowledged (applied or already
    /// superseded by a newer save), else the error's code and message.
    pub fn on_reply(&mut self, reply: Result<(), (ErrorCode, String)>) -> Next {
        match reply {
            Ok(()) => {
                self.backoff = FIRST_RETRY_MS;
                self.pending.pop_front();
                Next::Continue
            }
            Err((ErrorCode::Network | ErrorCode::Internal, _)) => {
                let wait = self.backoff;
                self.backoff = (self.backoff * 2).min(LONGEST_RETRY_MS);
                Next::RetryAfter(wait)
            }
            Err((ErrorCode::Paused, _)) => Next::WaitPaused(PAUSED_RETRY_MS),
            Err((ErrorCode::Superseded, _)) => {
                self.pending.clear();
                Next::Superseded
            }
            Err((code, message)) => {
                self.pending.pop_front();
                Next::Rejected {
                    message,
                    sign_in: code == ErrorCode::Unauthenticated,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(q: &Queue) -> Vec<(String, i64)> {
        q.pending
            .iter()
            .map(|p| (p.item_id.clone(), p.seq))
            .collect()
    }

    #[test]
    fn changes_wait_in_order_with_growing_numbers_one_per_item() {
        let mut q = Queue::new(7);
        assert_eq!(q.push("a".into(), Some(Answer::Choice(0))), 8);
        assert_eq!(q.push("b".into(), Some(Answer::Choice(1))), 9);
        assert_eq!(q.push("c".into(), None), 10);
        // A second change to b replaces the waiting one and goes to the back.
        assert_eq!(q.push("b".into(), Some(Answer::Choice(2))), 11);
        assert_eq!(
            ids(&q),
            vec![("a".into(), 8), ("c".into(), 10), ("b".into(), 11)]
        );
    }

    #[test]
    fn the_front_change_may_be_on_its_way_and_is_never_replaced() {
        let mut q = Queue::new(0);
        q.push("a".into(), Some(Answer::Choice(0)));
        q.push("a".into(), Some(Answer::Choice(1)));
        assert_eq!(ids(&q), vec![("a".into(), 1), ("a".into(), 2)]);
        assert_eq!(q.on_reply(Ok(())), Next::Continue);
        assert_eq!(
            q.front().map(Pending::answer),
            Some(Some(Answer::Choice(1)))
        );
    }

    #[test]
    fn a_network_failure_keeps_the_change_and_waits_longer_each_time_up_to_five_seconds() {
        let mut q = Queue::new(0);
        q.push("a".into(), None);
        let mut waits = Vec::new();
        for _ in 0..6 {
            match q.on_reply(Err((ErrorCode::Network, String::new()))) {
                Next::RetryAfter(ms) => waits.push(ms),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(waits, vec![500, 1000, 2000, 4000, 5000, 5000]);
        assert_eq!(q.len(), 1, "nothing is dropped while offline");
        assert_eq!(q.on_reply(Ok(())), Next::Continue);
        assert!(q.is_empty());
        // The wait starts short again after a success.
        q.push("b".into(), None);
        assert_eq!(
            q.on_reply(Err((ErrorCode::Internal, String::new()))),
            Next::RetryAfter(FIRST_RETRY_MS)
        );
    }

    #[test]
    fn a_pause_keeps_everything_another_device_drops_everything_a_refusal_drops_one() {
        let mut q = Queue::new(0);
        q.push("a".into(), None);
        q.push("b".into(), None);
        assert_eq!(
            q.on_reply(Err((ErrorCode::Paused, String::new()))),
            Next::WaitPaused(PAUSED_RETRY_MS)
        );
        assert_eq!(q.len(), 2);
        assert_eq!(
            q.on_reply(Err((ErrorCode::Invalid, "bad".into()))),
            Next::Rejected {
                message: "bad".into(),
                sign_in: false
            }
        );
        assert_eq!(ids(&q), vec![("b".into(), 2)]);
        assert!(matches!(
            q.on_reply(Err((ErrorCode::Unauthenticated, String::new()))),
            Next::Rejected { sign_in: true, .. }
        ));
        q.push("c".into(), None);
        q.push("d".into(), None);
        assert_eq!(
            q.on_reply(Err((ErrorCode::Superseded, String::new()))),
            Next::Superseded
        );
        assert!(q.is_empty());
    }

    #[test]
    fn a_reload_takes_back_only_what_the_server_does_not_have_and_never_reuses_a_number() {
        let mut before = Queue::new(3);
        before.push("a".into(), Some(Answer::Choice(0)));
        before.push("b".into(), Some(Answer::Choice(1)));
        before.push("c".into(), Some(Answer::Choice(2)));
        let saved = before.saved();
        let text = serde_json::to_string(&saved).unwrap();
        let saved: Saved = serde_json::from_str(&text).unwrap();
        // The server acknowledged a (seq 4) before the page closed; b's newer save is there.
        let server = HashMap::from([("a".to_string(), 4), ("b".to_string(), 2)]);
        let mut after = Queue::new(1);
        let fresh = after.restore(saved, &server);
        assert_eq!(
            fresh.iter().map(|p| p.item_id.as_str()).collect::<Vec<_>>(),
            vec!["b", "c"]
        );
        assert_eq!(
            after.push("d".into(), None),
            7,
            "numbers go on from the saved counter"
        );
    }

    #[test]
    fn an_old_outbox_with_a_bare_choice_is_read() {
        let saved: Saved = serde_json::from_str(
            r#"{"seq": 2, "pending": [{"item_id": "a", "seq": 2, "choice": 3}]}"#,
        )
        .unwrap();
        let mut q = Queue::new(0);
        let fresh = q.restore(saved, &HashMap::new());
        assert_eq!(fresh[0].answer(), Some(Answer::Choice(3)));
    }
}
