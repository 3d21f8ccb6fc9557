//! Sessions and accounts: signing in, the lockout window on the services' clock, signing out,
//! password changes, preferences.

use super::*;
use app::model::{PasswordChange, Preferences};

#[tokio::test]
async fn signing_in_checks_the_password_and_issues_a_token_the_services_accept() {
    let h = harness().await;
    let s = &h.services;
    assert_eq!(
        code(
            s.login("applicant@demo.kz", "wrong-password", "10.0.0.1")
                .await
        ),
        ErrorCode::Unauthenticated
    );
    let session = s
        .login(" Applicant@Demo.kz ", "demo-applicant", "10.0.0.1")
        .await
        .unwrap();
    let user = s.authenticate(&session.token).unwrap();
    assert_eq!(user.email, "applicant@demo.kz");
    s.logout(&user).await.unwrap();
    assert_eq!(
        code(s.authenticate(&session.token)),
        ErrorCode::Unauthenticated
    );
}

#[tokio::test]
async fn a_lockout_ends_when_its_window_has_passed_on_the_services_clock() {
    let h = harness().await;
    let s = &h.services;
    for _ in 0..5 {
        let _ = s.login("proctor@demo.kz", "not-it", "10.0.0.2").await;
    }
    assert_eq!(
        code(s.login("proctor@demo.kz", "demo-proctor", "10.0.0.2").await),
        ErrorCode::Locked,
        "five wrong passwords lock the account for the window"
    );
    h.advance(crate::testing::settings().lockout_ms + 1_000);
    s.login("proctor@demo.kz", "demo-proctor", "10.0.0.2")
        .await
        .expect("the window has passed");
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_then_only_the_new_one_works() {
    let h = harness().await;
    let s = &h.services;
    let me = h.applicant().await;
    let change = |current: &str, new: &str| PasswordChange {
        current: current.into(),
        new: new.into(),
    };
    assert_eq!(
        code(
            s.change_password(&me, change("guess", "a-new-long-password"), "ip")
                .await
        ),
        ErrorCode::Invalid
    );
    s.change_password(&me, change("demo-applicant", "a-new-long-password"), "ip")
        .await
        .unwrap();
    assert!(
        s.login("applicant@demo.kz", "demo-applicant", "ip")
            .await
            .is_err()
    );
    s.login("applicant@demo.kz", "a-new-long-password", "ip")
        .await
        .unwrap();
}

#[tokio::test]
async fn preferences_are_checked_and_kept_with_the_account() {
    let h = harness().await;
    let s = &h.services;
    let me = h.applicant().await;
    let mut p = s.preferences_of(&me.id).await.unwrap();
    p.text_size = 150;
    s.save_preferences(&me, p.clone()).await.unwrap();
    assert_eq!(s.preferences_of(&me.id).await.unwrap(), p);
    let bad = Preferences {
        text_size: 99,
        ..p.clone()
    };
    assert_eq!(code(s.save_preferences(&me, bad).await), ErrorCode::Invalid);
    assert_eq!(
        s.preferences_of(&me.id).await.unwrap(),
        p,
        "nothing changed"
    );
}
