//! What staff and applicants notice on the pages, in headless Chromium: paging over a
//! national round, the header's text size, a menu by role, pages refused plainly, and the
//! destructive actions that ask first (a decision against the rule, applying a rule); the test
//! page's review marks and its place after a reload; the certificate check of an unknown
//! number.

use fantoccini::Locator;
use qabilet_tests::*;
use serde_json::json;
use std::time::Duration;

async fn text_of(c: &fantoccini::Client, css: &str) -> anyhow::Result<String> {
    Ok(c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await?
        .text()
        .await?)
}

/// Waits until `css`'s text satisfies `ok` (20 s), returning it.
async fn text_until(
    c: &fantoccini::Client,
    css: &str,
    ok: impl Fn(&str) -> bool,
) -> anyhow::Result<String> {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            last = e.text().await.unwrap_or_default();
            if ok(&last) {
                return Ok(last);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("{css} never became right: {last:?}")
}

#[tokio::test]
async fn staff_page_through_a_round_and_destructive_actions_ask_first() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    server.load_round()?;
    let b = Browser::start().await?;
    let c = &b.client;
    b.sign_in(&server.base, ADMIN).await?;

    // The menu lists the programme's pages, not the applicant's.
    let menu = c
        .execute(
            "return [...document.querySelectorAll('nav.menu a')].map(a => a.pathname);",
            vec![],
        )
        .await?;
    let menu: Vec<String> = serde_json::from_value(menu)?;
    for page in [
        "/dashboard",
        "/pipeline",
        "/reports",
        "/reserve",
        "/bank",
        "/proctor",
    ] {
        assert!(menu.contains(&page.to_string()), "{page} in {menu:?}");
    }
    assert!(!menu.contains(&"/apply".to_string()), "{menu:?}");

    // The header's larger-text button works (it used to show leaked code instead).
    c.find(Locator::Css("#text-larger")).await?.click().await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("html.text-125"))
        .await?;
    c.find(Locator::Css("#text-smaller")).await?.click().await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let header = c.find(Locator::Css("header")).await?.text().await?;
    assert!(
        !header.contains("move |") && !header.contains("on:"),
        "{header}"
    );

    // Paging over 8,068 candidates: the next page shows the next fifty.
    b.open(&server.url("/pipeline/national-2025")).await?;
    let first = text_of(c, "#apps tbody tr:first-child td a").await?;
    let page = text_of(c, "#apps-page").await?;
    assert!(
        page.contains("162"),
        "8,068 candidates in pages of 50: {page}"
    );
    c.find(Locator::Css("#apps-next")).await?.click().await?;
    text_until(c, "#apps-page", |t| t.contains('2') && t != page).await?;
    let second = text_until(c, "#apps tbody tr:first-child td a", |t| t != first).await?;
    assert_ne!(first, second);
    c.find(Locator::Css("#apps-prev")).await?.click().await?;
    text_until(c, "#apps tbody tr:first-child td a", |t| t == first).await?;

    // Applying a rule asks first, with the counts it changes; cancelled, nothing changes.
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    let cuts_before = admin
        .get("/api/v1/campaigns/national-2025/cuts")
        .await?
        .text;
    c.find(Locator::Css("#sel-value"))
        .await?
        .send_keys("100")
        .await?;
    c.find(Locator::Css("#sel-apply")).await?.click().await?;
    let dialog = text_of(c, "#cut-confirm").await?;
    assert!(dialog.chars().any(|ch| ch.is_ascii_digit()), "{dialog}");
    c.find(Locator::Css("#cut-cancel")).await?.click().await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(c.find_all(Locator::Css("#cut-confirm")).await?.is_empty());
    assert_eq!(
        admin
            .get("/api/v1/campaigns/national-2025/cuts")
            .await?
            .text,
        cuts_before,
        "a cancelled rule changes nothing"
    );

    // A decision: nothing preselected; against the rule, the dialog says so; cancelled, the
    // log is as it was; confirmed, it is recorded with the reason.
    let list = admin
        .get("/api/v1/campaigns/national-2025/applications?stage=3&status=passed&per_page=1")
        .await?;
    let id = list.body["rows"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    anyhow::ensure!(!id.is_empty(), "a candidate past stage 3: {}", list.text);
    b.open(&server.url(&format!("/candidate/{id}"))).await?;
    text_of(c, "#candidate h1").await?;
    let status = c.find(Locator::Css("#s-status")).await?;
    assert_eq!(
        status.prop("value").await?.as_deref(),
        Some(""),
        "no decision preselected"
    );
    assert!(!c.find(Locator::Css("#s-save")).await?.is_enabled().await?);
    c.find(Locator::Css("#s-stage option[value='4']"))
        .await?
        .click()
        .await?;
    c.find(Locator::Css("#s-status option[value='passed']"))
        .await?
        .click()
        .await?;
    c.find(Locator::Css("#s-score"))
        .await?
        .send_keys("21")
        .await?;
    c.find(Locator::Css("#s-reason"))
        .await?
        .send_keys("решение комиссии")
        .await?;
    let log_before = admin.get(&format!("/api/v1/applications/{id}")).await?.body["log"]
        .as_array()
        .map_or(0, Vec::len);
    c.find(Locator::Css("#s-save")).await?.click().await?;
    let what = text_of(c, "#decide-what").await?;
    let name = list.body["rows"][0]["full_name"]
        .as_str()
        .unwrap_or_default();
    assert!(what.contains(name), "the dialog names {name}: {what}");
    let against = text_of(c, "#decide-against").await?;
    assert!(
        against.contains("60") && against.contains("21"),
        "{against}"
    );
    c.find(Locator::Css("#decide-cancel"))
        .await?
        .click()
        .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let log_now = admin.get(&format!("/api/v1/applications/{id}")).await?.body["log"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(log_now, log_before, "cancelled: nothing recorded");
    c.find(Locator::Css("#s-save")).await?.click().await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#decide-confirm"))
        .await?
        .click()
        .await?;
    text_of(c, "#record-message").await?;
    let app = admin.get(&format!("/api/v1/applications/{id}")).await?;
    let log = app.body["log"].as_array().cloned().unwrap_or_default();
    assert_eq!(log.len(), log_before + 1, "{}", app.text);
    assert!(
        log.iter().any(|l| l["reason"] == "решение комиссии"),
        "{}",
        app.text
    );

    // A page of another role is refused plainly, and the API agrees.
    b.open(&server.url("/apply")).await?;
    let refused = text_of(c, "#refused").await?;
    assert!(!refused.is_empty());
    b.close().await
}

#[tokio::test]
async fn the_test_page_keeps_marks_and_place_and_the_check_of_a_wrong_number_is_calm()
-> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let b = Browser::start().await?;
    let c = &b.client;
    b.sign_in(&server.base, APPLICANT).await?;
    let api = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let r = api
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    anyhow::ensure!(r.status == 200, "{}", r.text);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    eprintln!("test page step 1");
    b.open(&server.url(&format!("/test/{id}"))).await?;
    // Question 3, marked for review: the grid shows the mark.
    for _ in 0..2 {
        eprintln!("test page step 2");
        c.find(Locator::Css("#next")).await?.click().await?;
    }
    eprintln!("test page step 3");
    text_until(c, "#q-number", |t| t.contains('3')).await?;
    eprintln!("test page step 4");
    c.find(Locator::Css("#flag")).await?.click().await?;
    eprintln!("test page step 5");
    let cell = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(".nav-cell.flagged"))
        .await?;
    assert_eq!(cell.text().await?.trim_end_matches('⚑').trim(), "3");
    assert!(cell.find(Locator::Css(".flag-mark")).await.is_ok());
    // A reload opens the test on question 3, not 1.
    eprintln!("test page step 6");
    c.refresh().await?;
    b.wait_hydrated().await?;
    eprintln!("test page step 7");
    text_until(c, "#q-number", |t| t.contains('3')).await?;
    // The submit dialog lists the marked question and takes the applicant back to it.
    eprintln!("test page step 8");
    c.find(Locator::Css("#next")).await?.click().await?;
    eprintln!("test page step 9");
    text_until(c, "#q-number", |t| t.contains('4')).await?;
    eprintln!("test page step 10");
    c.find(Locator::Css("#submit-test")).await?.click().await?;
    eprintln!("test page step 11");
    let marked = text_of(c, "#confirm-flagged").await?;
    assert!(marked.contains('3'), "{marked}");
    eprintln!("test page step 12");
    c.find(Locator::Css("#confirm-flagged button.review-flagged"))
        .await?
        .click()
        .await?;
    eprintln!("test page step 13");
    text_until(c, "#q-number", |t| t.contains('3')).await?;
    assert!(
        c.find_all(Locator::Css("#confirm-submit"))
            .await?
            .is_empty()
    );

    // The public check of an unknown number: a plain "not found", no crash.
    let _ = b.console_errors().await?;
    eprintln!("test page step 15");
    b.open(&server.url("/verify/LM-2026-0000-0000")).await?;
    eprintln!("test page step 16");
    text_of(c, "#cert-missing").await?;
    let errors = b.console_errors().await?;
    assert!(errors.is_empty(), "{errors:?}");
    b.close().await
}
