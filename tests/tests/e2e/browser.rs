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

/// Signs in in the browser and opens a fresh attempt; returns its id.
async fn open_test(
    server: &TestServer,
    browser: &Browser,
    who: (&str, &str),
) -> anyhow::Result<String> {
    let c = &browser.client;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    c.goto(&server.url("/login")).await?;
    browser.wait_hydrated().await?;
    c.find(Locator::Css("#email"))
        .await?
        .send_keys(who.0)
        .await?;
    c.find(Locator::Css("#password"))
        .await?
        .send_keys(who.1)
        .await?;
    c.find(Locator::Css("#sign-in")).await?.click().await?;
    wait().for_element(Locator::Css("#start-test")).await?;
    browser.wait_hydrated().await?;
    c.find(Locator::Css("#start-test")).await?.click().await?;
    wait().for_element(Locator::Css("#stem")).await?;
    browser.wait_hydrated().await?;
    let url = c.current_url().await?;
    Ok(url.path().trim_start_matches("/test/").to_string())
}

/// Chooses option `k` of the current question and moves on.
async fn answer_and_next(c: &fantoccini::Client, k: usize) -> anyhow::Result<()> {
    let options = c.find_all(Locator::Css(".option")).await?;
    options[k % options.len()].click().await?;
    c.wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(".option.chosen"))
        .await?;
    c.find(Locator::Css("#next")).await?.click().await?;
    Ok(())
}

async fn answers_on_server(api: &Api, id: &str) -> anyhow::Result<usize> {
    let view = api.get(&format!("/api/v1/attempts/{id}")).await?;
    Ok(view.body["answers"]
        .as_array()
        .map_or(0, |a| a.iter().filter(|r| !r["choice"].is_null()).count()))
}

#[tokio::test]
async fn answers_given_offline_reach_the_server_when_the_network_returns() -> anyhow::Result<()> {
    let server = TestServer::start(Db::Sqlite).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    let id = open_test(&server, &browser, APPLICANT2).await?;
    // A proctor watches: reading the attempt does not take it over.
    let api = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;

    for k in 0..2 {
        answer_and_next(c, k).await?;
    }
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#save-state[data-state=saved]"))
        .await?;
    assert_eq!(answers_on_server(&api, &id).await?, 2);

    // The network drops; the applicant keeps answering, and the page says so.
    browser.set_offline(true).await?;
    for k in 2..8 {
        answer_and_next(c, k).await?;
    }
    let state = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#save-state[data-state=offline]"))
        .await?
        .text()
        .await?;
    assert!(
        state.contains('6') || state.contains('5'),
        "the page counts waiting answers: {state}"
    );
    assert_eq!(
        answers_on_server(&api, &id).await?,
        2,
        "nothing got through while offline"
    );
    assert_eq!(
        c.find_all(Locator::Css(".nav-cell.answered")).await?.len(),
        8
    );

    // The network returns: everything is delivered, in order, without the applicant doing anything.
    browser.set_offline(false).await?;
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#save-state[data-state=saved]"))
        .await?;
    assert_eq!(answers_on_server(&api, &id).await?, 8);

    // A reload shows them all.
    c.refresh().await?;
    browser.wait_hydrated().await?;
    assert_eq!(
        c.find_all(Locator::Css(".nav-cell.answered")).await?.len(),
        8
    );
    browser.close().await
}

#[tokio::test]
async fn answers_waiting_offline_survive_a_reload() -> anyhow::Result<()> {
    let server = TestServer::start(Db::Sqlite).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    let id = open_test(&server, &browser, APPLICANT3).await?;
    let api = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;

    browser.set_offline(true).await?;
    for k in 0..5 {
        answer_and_next(c, k).await?;
    }
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#save-state[data-state=offline]"))
        .await?;
    assert_eq!(answers_on_server(&api, &id).await?, 0);

    // The page is closed while offline, and opened again later: the five answers are still in
    // the browser, and are delivered from the new page.
    let stored = c
        .execute("return JSON.stringify(window.localStorage)", vec![])
        .await?;
    assert!(
        stored.to_string().contains("qabilet.outbox"),
        "the browser keeps the outbox: {stored}"
    );
    c.goto("about:blank").await?;
    browser.set_offline(false).await?;
    c.goto(&server.url(&format!("/test/{id}"))).await?;
    browser.wait_hydrated().await?;
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#save-state[data-state=saved]"))
        .await?;
    let mut delivered = 0;
    for _ in 0..50 {
        delivered = answers_on_server(&api, &id).await?;
        if delivered == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        delivered, 5,
        "answers kept in the browser reached the server"
    );
    assert_eq!(
        c.find_all(Locator::Css(".nav-cell.answered")).await?.len(),
        5
    );
    browser.close().await
}

#[tokio::test]
async fn the_first_device_is_told_when_another_takes_the_test_over() -> anyhow::Result<()> {
    let server = TestServer::start(Db::Sqlite).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    let id = open_test(&server, &browser, APPLICANT).await?;
    answer_and_next(c, 0).await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#save-state[data-state=saved]"))
        .await?;

    // The applicant signs in on another computer and opens the same test there.
    let other = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let there = other.get(&format!("/api/v1/attempts/{id}")).await?;
    assert_eq!(there.status, 200);

    // The next answer here is refused, and the page says why instead of failing silently.
    c.find_all(Locator::Css(".option")).await?[1]
        .click()
        .await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#superseded"))
        .await?;
    let state = c.find(Locator::Css("#save-state")).await?;
    assert_eq!(
        state.attr("data-state").await?.as_deref(),
        Some("superseded")
    );
    let proctor = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;
    assert_eq!(answers_on_server(&proctor, &id).await?, 1);

    // "Continue on this device" takes it back: the page reloads and saves again.
    c.execute("window.qabiletOldPage = true", vec![]).await?;
    c.find(Locator::Css("#take-back")).await?.click().await?;
    let mut reloaded = false;
    for _ in 0..100 {
        let fresh = c
            .execute(
                "return window.qabiletOldPage === undefined && document.body.hasAttribute('data-hydrated')",
                vec![],
            )
            .await;
        if matches!(fresh, Ok(serde_json::Value::Bool(true))) {
            reloaded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reloaded, "the page reloaded and hydrated");
    assert!(c.find(Locator::Css("#superseded")).await.is_err());
    // The reloaded page opens at question 1 (answered); question 2 is the one refused before.
    c.find(Locator::Css("#next")).await?.click().await?;
    answer_and_next(c, 2).await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#save-state[data-state=saved]"))
        .await?;
    assert_eq!(answers_on_server(&proctor, &id).await?, 2);
    let events = proctor
        .get(&format!("/api/v1/attempts/{id}/events"))
        .await?;
    let takeovers = events.body.as_array().map_or(0, |v| {
        v.iter().filter(|e| e["kind"] == "device_takeover").count()
    });
    assert_eq!(takeovers, 2, "{}", events.text);
    browser.close().await
}
