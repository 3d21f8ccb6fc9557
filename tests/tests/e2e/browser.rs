//! In headless Chromium: the demo applicant signs in, answers every question, submits and
//! reads the result on the page.

use fantoccini::Locator;
use qabilet_tests::*;
use std::time::Duration;

#[tokio::test]
async fn an_applicant_takes_the_test_in_the_browser() -> anyhow::Result<()> {
    let server = TestServer::start(Db::Sqlite).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    let wait = || c.wait().at_most(Duration::from_secs(20));

    c.goto(&server.url("/login")).await?;
    browser.wait_hydrated().await?;
    c.find(Locator::Css("#email"))
        .await?
        .send_keys(APPLICANT.0)
        .await?;
    c.find(Locator::Css("#password"))
        .await?
        .send_keys(APPLICANT.1)
        .await?;
    c.find(Locator::Css("#sign-in")).await?.click().await?;

    // The dashboard, after a full page load with the session cookie.
    wait().for_element(Locator::Css("#start-test")).await?;
    browser.wait_hydrated().await?;
    c.find(Locator::Css("#start-test")).await?.click().await?;

    // The test page: 30 questions, a timer, the save state.
    wait().for_element(Locator::Css("#stem")).await?;
    browser.wait_hydrated().await?;
    let timer = c.find(Locator::Css("#timer")).await?.text().await?;
    assert!(
        timer.starts_with("40:00") || timer.starts_with("39:"),
        "timer shows {timer}"
    );
    let cells = c.find_all(Locator::Css(".nav-cell")).await?;
    assert_eq!(cells.len(), 30);

    if let Ok(dir) = std::env::var("QABILET_SCREENSHOT_DIR") {
        // Answer one question so the picture shows a chosen option and the saved state.
        c.find(Locator::Css(".option:nth-of-type(2)"))
            .await?
            .click()
            .await?;
        wait()
            .for_element(Locator::Css("#save-state[data-state=saved]"))
            .await?;
        let png = c.screenshot().await?;
        std::fs::write(std::path::Path::new(&dir).join("test-page.png"), png)?;
    }

    for n in 1..=30 {
        let label = c.find(Locator::Css("#q-number")).await?.text().await?;
        assert!(
            label
                .split_whitespace()
                .any(|w| w.trim_end_matches("-сі") == n.to_string()),
            "question {n}: {label}"
        );
        let options = c.find_all(Locator::Css(".option")).await?;
        assert_eq!(options.len(), 4);
        options[n % 4].click().await?;
        wait().for_element(Locator::Css(".option.chosen")).await?;
        if n < 30 {
            c.find(Locator::Css("#next")).await?.click().await?;
        }
    }
    wait()
        .for_element(Locator::Css("#save-state[data-state=saved]"))
        .await?;
    let answered = c.find_all(Locator::Css(".nav-cell.answered")).await?;
    assert_eq!(answered.len(), 30, "every question is marked answered");

    c.find(Locator::Css("#finish")).await?.click().await?;
    wait()
        .for_element(Locator::Css("#confirm-submit"))
        .await?
        .click()
        .await?;

    let percent = wait()
        .for_element(Locator::Css("#total-percent"))
        .await?
        .text()
        .await?;
    assert!(percent.ends_with('%'), "{percent}");
    let verdict = c.find(Locator::Css("#verdict")).await?;
    let passed = verdict.attr("data-passed").await?;
    assert!(matches!(passed.as_deref(), Some("true" | "false")));
    let rows = c.find_all(Locator::Css("#by-competency tbody tr")).await?;
    assert_eq!(rows.len(), 6);

    // The page agrees with the server, which saw all 30 answers.
    let api = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let url = c.current_url().await?;
    let id = url.path().trim_start_matches("/result/").to_string();
    let result = api.get(&format!("/api/v1/attempts/{id}/result")).await?;
    assert_eq!(result.body["answered"], 30);
    let shown: f64 = percent.trim_end_matches('%').parse()?;
    assert_eq!(Some(shown), result.body["percent"].as_f64());
    assert_eq!(
        passed.as_deref() == Some("true"),
        result.body["passed"] == true
    );

    browser.close().await
}
