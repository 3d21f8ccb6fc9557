//! Proctoring: sittings and who watches them, the live table, messages, interventions.

use super::*;
use app::model::{MessageInput, SittingInput};

#[tokio::test]
async fn a_proctor_sees_the_sitting_they_watch_and_a_stranger_does_not() {
    let h = harness().await;
    let s = &h.services;
    let proctor = h.proctor().await;
    let applicant = h.applicant().await;
    let view = s.start_attempt(&applicant, Some("ru")).await.unwrap();
    let rows = s
        .monitor(&proctor, crate::demo::OPEN_SITTING)
        .await
        .unwrap();
    let mine = rows
        .iter()
        .find(|r| r.user_id == applicant.id)
        .expect("the seated applicant is on the table");
    assert_eq!(mine.attempt_id.as_deref(), Some(view.id.as_str()));
    assert_eq!(mine.status, "in_progress");
    assert_eq!(
        code(s.monitor(&applicant, crate::demo::OPEN_SITTING).await),
        ErrorCode::Forbidden
    );
    assert!(
        s.events(&applicant, &view.id).await.is_err(),
        "events are staff's"
    );
    assert!(!s.events(&proctor, &view.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_message_reaches_the_applicant_and_only_proctors_may_send_one() {
    let h = harness().await;
    let s = &h.services;
    let proctor = h.proctor().await;
    let applicant = h.applicant().await;
    let view = s.start_attempt(&applicant, Some("ru")).await.unwrap();
    let text = MessageInput {
        text: "Пожалуйста, включите камеру".into(),
    };
    s.message_applicant(
        &proctor,
        crate::demo::OPEN_SITTING,
        &applicant.id,
        text.clone(),
    )
    .await
    .unwrap();
    let seen = s.attempt_messages(&applicant, &view.id).await.unwrap();
    assert!(
        seen.iter()
            .any(|m| !m.from_applicant && m.text == text.text)
    );
    let other = h.user("applicant2@demo.kz").await;
    assert!(
        s.message_applicant(&other, crate::demo::OPEN_SITTING, &applicant.id, text)
            .await
            .is_err()
    );
    assert!(s.attempt_messages(&other, &view.id).await.is_err());
}

#[tokio::test]
async fn only_administrators_schedule_sittings_and_a_closing_before_opening_is_refused() {
    let h = harness().await;
    let s = &h.services;
    let now = crate::clock::Clock::now_ms(h.clock.as_ref());
    let input = |opens: i64, closes: i64| SittingInput {
        name: "Астана, 1 декабря".into(),
        blueprint_id: crate::demo::BLUEPRINT_ID.into(),
        region: "Astana".into(),
        mode: "online".into(),
        venue: String::new(),
        opens_ms: opens,
        closes_ms: closes,
        requires_admission: true,
        campaign_id: None,
        camera: false,
        snapshot_seconds: None,
    };
    let proctor = h.proctor().await;
    assert_eq!(
        code(
            s.create_sitting(&proctor, input(now, now + 3_600_000))
                .await
        ),
        ErrorCode::Forbidden
    );
    let admin = h.admin().await;
    assert_eq!(
        code(s.create_sitting(&admin, input(now + 3_600_000, now)).await),
        ErrorCode::Invalid
    );
    let made = s
        .create_sitting(&admin, input(now, now + 3_600_000))
        .await
        .unwrap();
    let listed = s.list_sittings(&admin).await.unwrap();
    assert!(listed.iter().any(|x| x.id == made.id));
}
