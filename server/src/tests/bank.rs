//! The bank: an item's life through the domain's lifecycle (four eyes, publishing a new version,
//! retiring), blueprints read by staff only.

use super::*;
use app::model::{BankFilter, ItemInput, ItemStep, ReviewInput};
use question_bank::ItemId;

fn new_item(id: &str) -> question_bank::Item {
    let mut item = crate::demo::items().unwrap().remove(0);
    item.id = ItemId::parse(id).unwrap();
    item.version = 1;
    item
}

fn review(approve: bool, comment: &str) -> ItemStep {
    ItemStep::Review(ReviewInput {
        approve,
        comment: comment.into(),
    })
}

#[tokio::test]
async fn an_item_is_written_reviewed_by_another_and_published_then_retired() {
    let h = harness().await;
    let s = &h.services;
    let author = h.methodologist().await;
    let reviewer = h.user("methodologist2@demo.kz").await;
    let input = ItemInput {
        item: new_item("inproc-1"),
        expected_updated_ms: None,
    };
    let doc = s.bank_create(&author, input).await.unwrap();
    assert_eq!(doc.status, "draft");
    // Only a draft goes to review; reviewing a draft is refused.
    assert_eq!(
        code(s.bank_step(&reviewer, "inproc-1", review(true, "")).await),
        ErrorCode::Conflict
    );
    let doc = s
        .bank_step(&author, "inproc-1", ItemStep::Submit)
        .await
        .unwrap();
    assert_eq!(doc.status, "in_review");
    assert_eq!(
        code(s.bank_step(&author, "inproc-1", ItemStep::Submit).await),
        ErrorCode::Conflict,
        "a second submission is refused"
    );
    // Four eyes: the author cannot publish their own item.
    assert_eq!(
        code(s.bank_step(&author, "inproc-1", review(true, "")).await),
        ErrorCode::Forbidden
    );
    // Sending back needs a comment.
    assert_eq!(
        code(s.bank_step(&reviewer, "inproc-1", review(false, " ")).await),
        ErrorCode::Invalid
    );
    let doc = s
        .bank_step(&reviewer, "inproc-1", review(true, "good"))
        .await
        .unwrap();
    assert_eq!(doc.status, "published");
    assert_eq!(doc.published_version, Some(1));
    let doc = s
        .bank_step(&author, "inproc-1", ItemStep::Retire)
        .await
        .unwrap();
    assert_eq!(doc.status, "retired");
    assert_eq!(doc.published_version, None);
    assert_eq!(
        code(s.bank_step(&author, "inproc-1", ItemStep::Retire).await),
        ErrorCode::Conflict
    );
}

#[tokio::test]
async fn a_new_version_supersedes_the_published_one_only_when_approved() {
    let h = harness().await;
    let s = &h.services;
    let author = h.methodologist().await;
    let reviewer = h.user("methodologist2@demo.kz").await;
    s.bank_create(
        &author,
        ItemInput {
            item: new_item("inproc-2"),
            expected_updated_ms: None,
        },
    )
    .await
    .unwrap();
    s.bank_step(&author, "inproc-2", ItemStep::Submit)
        .await
        .unwrap();
    let published = s
        .bank_step(&reviewer, "inproc-2", review(true, ""))
        .await
        .unwrap();
    let mut edited = published.item.clone();
    edited.meta.tags.push("edited".into());
    edited.stem = question_bank::LocalizedText::new()
        .with(question_bank::Language::Ru, "Новый текст вопроса?")
        .with(question_bank::Language::Kk, "Сұрақтың жаңа мәтіні?")
        .with(question_bank::Language::En, "The question's new text?");
    let draft = s
        .bank_update(
            &author,
            "inproc-2",
            ItemInput {
                item: edited,
                expected_updated_ms: Some(published.updated_ms),
            },
        )
        .await
        .unwrap();
    assert_eq!(draft.status, "draft");
    assert_eq!(draft.item.version, 2);
    assert_eq!(
        draft.published_version,
        Some(1),
        "version 1 stays in the pool"
    );
    s.bank_step(&author, "inproc-2", ItemStep::Submit)
        .await
        .unwrap();
    let doc = s
        .bank_step(&reviewer, "inproc-2", review(true, ""))
        .await
        .unwrap();
    assert_eq!(doc.published_version, Some(2));
    let history = s.bank_history(&author, "inproc-2").await.unwrap();
    let v1 = history.versions.iter().find(|v| v.version == 1).unwrap();
    assert_eq!(v1.status, "superseded");
}

#[tokio::test]
async fn the_bank_and_blueprints_are_for_staff_only() {
    let h = harness().await;
    let s = &h.services;
    let applicant = h.applicant().await;
    let proctor = h.proctor().await;
    let filter = BankFilter::default();
    assert_eq!(
        code(s.bank_list(&applicant, &filter).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(s.bank_list(&proctor, &filter).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(s.blueprint_list(&applicant).await),
        ErrorCode::Forbidden
    );
    let methodologist = h.methodologist().await;
    let page = s.bank_list(&methodologist, &filter).await.unwrap();
    assert!(page.total > 0);
    let blueprints = s.blueprint_list(&methodologist).await.unwrap();
    assert!(blueprints.iter().any(|b| b.id == crate::demo::BLUEPRINT_ID));
}
