//! The attempt's life: start (seated), save, submit, the deadline on the services' clock, and
//! time lost to silence put to the proctor.

use super::*;
use app::model::{AttemptStatus, CreditDecisionInput, SaveRequest};
use question_bank::Answer;

fn save(seq: i64, answer: Option<Answer>) -> SaveRequest {
    SaveRequest {
        seq,
        choice: None,
        answer,
    }
}

#[tokio::test]
async fn an_applicant_starts_saves_and_submits_and_the_result_counts_what_was_saved() {
    let h = harness().await;
    let s = &h.services;
    let me = h.applicant().await;
    let view = s.start_attempt(&me, Some("ru")).await.unwrap();
    assert_eq!(view.status, AttemptStatus::InProgress);
    let again = s.start_attempt(&me, Some("ru")).await.unwrap();
    assert_eq!(again.id, view.id, "a second start resumes the same attempt");
    let first = &view.items[0];
    let ack = s
        .save_response(
            &me,
            &view.id,
            &first.item_id,
            save(2, Some(Answer::Choice(0))),
        )
        .await
        .unwrap();
    assert!(ack.applied);
    // An older save arriving late changes nothing.
    let late = s
        .save_response(
            &me,
            &view.id,
            &first.item_id,
            save(1, Some(Answer::Choice(1))),
        )
        .await
        .unwrap();
    assert!(!late.applied);
    // The legacy shape (a bare choice) is the same answer.
    let legacy = SaveRequest {
        seq: 3,
        choice: Some(1),
        answer: None,
    };
    assert!(
        s.save_response(&me, &view.id, &view.items[1].item_id, legacy)
            .await
            .unwrap()
            .applied
    );
    let result = s.submit(&me, &view.id).await.unwrap();
    assert_eq!(result.answered, 2);
    assert_eq!(result.total as usize, view.items.len());
    assert_eq!(
        code(
            s.save_response(&me, &view.id, &first.item_id, save(4, None))
                .await
        ),
        ErrorCode::AttemptClosed
    );
}

#[tokio::test]
async fn another_person_cannot_read_or_write_an_attempt() {
    let h = harness().await;
    let s = &h.services;
    let me = h.applicant().await;
    let other = h.user("applicant2@demo.kz").await;
    let view = s.start_attempt(&me, Some("kk")).await.unwrap();
    let item = view.items[0].item_id.clone();
    assert_eq!(
        code(
            s.save_response(&other, &view.id, &item, save(1, None))
                .await
        ),
        ErrorCode::Forbidden
    );
    assert!(s.attempt(&other, &view.id).await.is_err());
    assert!(s.submit(&other, &view.id).await.is_err());
}

#[tokio::test]
async fn after_the_deadline_and_its_grace_a_save_closes_the_attempt() {
    let h = harness().await;
    let s = &h.services;
    let me = h.applicant().await;
    let view = s.start_attempt(&me, None).await.unwrap();
    let item = view.items[0].item_id.clone();
    // Within the grace after the deadline a save still counts (the long silence before it
    // becomes a question for the proctor, not time).
    h.advance(view.deadline_ms - view.server_now_ms - 1_000);
    s.save_response(&me, &view.id, &item, save(1, Some(Answer::Choice(0))))
        .await
        .unwrap();
    h.advance(30_000);
    s.save_response(&me, &view.id, &item, save(2, Some(Answer::Choice(1))))
        .await
        .expect("within the grace");
    h.advance(40_000);
    assert_eq!(
        code(s.save_response(&me, &view.id, &item, save(3, None)).await),
        ErrorCode::AttemptClosed
    );
    let closed = s.attempt(&me, &view.id).await.unwrap();
    assert_eq!(closed.status, AttemptStatus::Expired);
}

#[tokio::test]
async fn silence_is_not_credited_by_itself_but_put_to_the_proctor_who_may_grant_it() {
    let h = harness().await;
    let s = &h.services;
    let me = h.applicant().await;
    let view = s.start_attempt(&me, Some("ru")).await.unwrap();
    let item = view.items[0].item_id.clone();
    h.advance(5 * 60_000);
    s.save_response(&me, &view.id, &item, save(1, Some(Answer::Choice(0))))
        .await
        .unwrap();
    let after = s.attempt(&me, &view.id).await.unwrap();
    assert_eq!(
        after.deadline_ms, view.deadline_ms,
        "no credit by silence alone"
    );
    let proctor = h.proctor().await;
    let requests = s
        .credit_requests(&proctor, crate::demo::OPEN_SITTING)
        .await
        .unwrap();
    let request = requests
        .iter()
        .find(|r| r.attempt_id == view.id)
        .expect("the gap is put to the proctor");
    assert!(request.gap_ms >= 5 * 60_000 - 1_000, "{request:?}");
    // The applicant cannot decide their own request.
    let grant = CreditDecisionInput {
        grant: true,
        reason: String::new(),
    };
    assert!(
        s.decide_credit(&me, &request.id, grant.clone())
            .await
            .is_err()
    );
    s.decide_credit(&proctor, &request.id, grant).await.unwrap();
    let credited = s.attempt(&me, &view.id).await.unwrap();
    assert!(credited.deadline_ms > view.deadline_ms + 4 * 60_000);
    assert!(credited.deadline_ms <= view.deadline_ms + 600_000, "capped");
}
