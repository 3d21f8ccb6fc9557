//! The methodologists' and the applicant's first pages: the dashboard, item analysis,
//! standard setting.

use super::*;

#[tokio::test]
async fn the_dashboard_shows_the_applicant_their_test_and_staff_an_overview() {
    let h = harness().await;
    let s = &h.services;
    let applicant = h.applicant().await;
    let d = s.dashboard(&applicant).await.unwrap();
    assert!(
        d.test.is_some(),
        "the active test is on the applicant's dashboard"
    );
    assert!(d.overview.is_none(), "no staff figures for an applicant");
    let admin = h.admin().await;
    let d = s.dashboard(&admin).await.unwrap();
    assert!(d.test.is_none());
}

#[tokio::test]
async fn item_analysis_is_for_the_bank_s_staff() {
    let h = harness().await;
    let s = &h.services;
    assert_eq!(
        code(
            s.item_analysis(&h.applicant().await, crate::demo::BLUEPRINT_ID, None)
                .await
        ),
        ErrorCode::Forbidden
    );
    let report = s
        .item_analysis(&h.methodologist().await, crate::demo::BLUEPRINT_ID, None)
        .await
        .unwrap();
    assert_eq!(report.blueprint_id, crate::demo::BLUEPRINT_ID);
}

#[tokio::test]
async fn applicants_cannot_see_standard_setting() {
    let h = harness().await;
    let s = &h.services;
    assert_eq!(
        code(s.standard_settings(&h.applicant().await).await),
        ErrorCode::Forbidden
    );
    s.standard_settings(&h.methodologist().await).await.unwrap();
}
