//! The selection pipeline: campaigns, the applicant's own applications, reports, the public
//! certificate check.

use super::*;

#[tokio::test]
async fn staff_see_the_campaigns_and_an_applicant_sees_only_their_own_applications() {
    let h = harness().await;
    let s = &h.services;
    let admin = h.admin().await;
    let campaigns = s.campaign_list(&admin).await.unwrap();
    assert!(!campaigns.is_empty(), "the demo has an open campaign");
    let applicant = h.applicant().await;
    let mine = s.my_applications(&applicant).await.unwrap();
    for a in &mine {
        let other = h.user("applicant2@demo.kz").await;
        assert!(s.application_get(&other, &a.id).await.is_err());
    }
}

#[tokio::test]
async fn the_funnel_is_for_administrators_and_counts_every_application_once() {
    let h = harness().await;
    let s = &h.services;
    assert_eq!(
        code(s.funnel(&h.proctor().await, None, "region").await),
        ErrorCode::Forbidden
    );
    let report = s.funnel(&h.admin().await, None, "region").await.unwrap();
    let by_group: u32 = report.rows.iter().map(|r| r.counts[0]).sum();
    assert_eq!(by_group, report.total.counts[0]);
    assert_eq!(
        code(
            s.funnel(&h.admin().await, Some("no-such-campaign"), "region")
                .await
        ),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn an_unknown_certificate_number_is_not_found() {
    let h = harness().await;
    assert_eq!(
        code(h.services.verify_certificate("1000-0000-0000").await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(h.services.verify_certificate("not a number").await),
        ErrorCode::NotFound
    );
}
