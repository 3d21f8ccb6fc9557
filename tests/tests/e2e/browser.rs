//! In headless Chromium: the demo applicant signs in, answers every question, submits and
//! reads the result on the page.

use fantoccini::Locator;
use qabilet_tests::*;
use std::time::Duration;

#[tokio::test]
async fn an_applicant_takes_the_test_in_the_browser() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    let wait = || c.wait().at_most(Duration::from_secs(20));

    // Sign in; the dashboard comes after a full page load with the session cookie.
    browser.sign_in(&server.base, APPLICANT).await?;
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
    browser.sign_in(&server.base, who).await?;
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
    let server = TestServer::start(Db::from_env()).await?;
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
    let server = TestServer::start(Db::from_env()).await?;
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
    let server = TestServer::start(Db::from_env()).await?;
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

/// A methodologist writes an item in three languages in the browser, with the key, a live
/// preview and inline validation, and sends it to review; another methodologist approves it;
/// the item is then drawn in an attempt.
#[tokio::test]
async fn methodologists_write_review_and_publish_an_item_in_the_browser() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    let type_into = |sel: String, text: &'static str| async move {
        c.find(Locator::Css(&sel)).await?.send_keys(text).await?;
        anyhow::Ok(())
    };

    browser.sign_in(&server.base, METHODOLOGIST).await?;
    c.find(Locator::Css("#open-bank")).await?.click().await?;
    wait().for_element(Locator::Css("#bank-table")).await?;
    browser.wait_hydrated().await?;
    let info = c.find(Locator::Css("#page-info")).await?.text().await?;
    assert!(
        info.contains("77"),
        "the demo bank (60 items, 6 practical tasks and the practice test's 11) is listed: {info}"
    );

    browser.open(&server.url("/bank/new")).await?;
    wait().for_element(Locator::Css("#validation")).await?;
    type_into("#item-id".into(), "web-1").await?;
    let stems = [
        ("kk", "Мектеп мәдениетін не қалыптастырады?"),
        ("ru", "Что формирует культуру школы?"),
        ("en", "What shapes a school's culture?"),
    ];
    for (lang, text) in stems {
        type_into(format!("#text-stem-{lang}"), text).await?;
    }
    let options: [[&str; 3]; 4] = [
        ["Ережелер", "Правила", "Rules"],
        ["Жиһаз", "Мебель", "Furniture"],
        ["Ортақ құндылықтар", "Общие ценности", "Shared values"],
        ["Кесте", "Расписание", "Timetable"],
    ];
    // Half-way the editor says what is missing, and saving is not possible.
    let missing = c.find(Locator::Css("#validation")).await?.text().await?;
    assert!(missing.contains("option 1"), "inline validation: {missing}");
    assert!(
        c.find(Locator::Css("#save"))
            .await?
            .attr("disabled")
            .await?
            .is_some(),
        "saving waits for a valid item"
    );
    for (k, texts) in options.iter().enumerate() {
        for (lang, text) in ["kk", "ru", "en"].iter().zip(texts) {
            type_into(format!("#text-option-{k}-{lang}"), text).await?;
        }
    }
    c.find(Locator::Css("#key-2")).await?.click().await?;
    wait().for_element(Locator::Css("#validation-ok")).await?;
    let done = c.find(Locator::Css("#completeness")).await?.text().await?;
    assert!(done.contains("kk 5/5") && done.contains("en 5/5"), "{done}");
    let preview = c.find(Locator::Css("#preview")).await?.text().await?;
    assert!(
        preview.contains("Что формирует культуру школы?") && preview.contains("Общие ценности"),
        "the preview shows the item as the applicant will: {preview}"
    );
    c.find(Locator::Css("#save")).await?.click().await?;
    wait().for_element(Locator::Css("#submit-review")).await?;
    browser.wait_hydrated().await?;
    assert!(c.current_url().await?.path().ends_with("/bank/item/web-1"));
    c.find(Locator::Css("#submit-review"))
        .await?
        .click()
        .await?;
    wait()
        .for_element(Locator::Css("#item-status[data-status=in_review]"))
        .await?;
    wait().for_element(Locator::Css("#four-eyes")).await?;
    assert!(
        c.find(Locator::Css("#approve")).await.is_err(),
        "no self-review"
    );

    // Another methodologist reviews and publishes.
    browser.wait_hydrated().await?;
    c.find(Locator::Css("#sign-out")).await?.click().await?;
    wait().for_element(Locator::Css("#sign-in")).await?;
    browser.sign_in(&server.base, METHODOLOGIST2).await?;
    browser.open(&server.url("/bank/item/web-1")).await?;
    wait().for_element(Locator::Css("#approve")).await?;
    type_into("#review-comment".into(), "Clear in all three languages").await?;
    c.find(Locator::Css("#approve")).await?.click().await?;
    wait()
        .for_element(Locator::Css("#item-status[data-status=published]"))
        .await?;
    wait()
        .for_element(Locator::Css("#audit li[data-action=approved]"))
        .await?;

    // The item is drawn: the other items of its competency are retired.
    let m = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let doc = m.get("/api/v1/bank/items/web-1").await?;
    let competency = doc.body["item"]["competency"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(doc.body["key_text"], "option 3");
    let others: Vec<String> = (1..=6).map(|n| format!("{competency}.{n:02}")).collect();
    let r = m
        .post(
            "/api/v1/bank/bulk",
            &serde_json::json!({"item_ids": others, "action": "retire"}),
        )
        .await?;
    assert_eq!(
        r.body["done"].as_array().map(Vec::len),
        Some(6),
        "{}",
        r.text
    );
    let applicant = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let a = applicant
        .post("/api/v1/attempts", &serde_json::json!({"language": "ru"}))
        .await?;
    assert!(a.text.contains("\"web-1\""), "drawn: {}", a.text);
    browser.close().await
}

/// The upload page checks a file first (what would be imported, what is skipped and why),
/// and imports only after that.
#[tokio::test]
async fn the_import_page_checks_before_it_imports() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    browser.sign_in(&server.base, METHODOLOGIST).await?;
    browser.open(&server.url("/bank/import")).await?;
    let gift = "$CATEGORY: Team Building\n\n::tb-1:: Who forms the team? {=The principal ~The parents}\n\n::tb-essay:: Describe it. {}\n";
    c.find(Locator::Css("#import-text"))
        .await?
        .send_keys(gift)
        .await?;
    assert!(
        c.find(Locator::Css("#import-commit"))
            .await?
            .attr("disabled")
            .await?
            .is_some(),
        "nothing can be imported before a check"
    );
    c.find(Locator::Css("#import-check")).await?.click().await?;
    wait()
        .for_element(Locator::Css(
            "#import-report[data-dry-run=true][data-errors='0']",
        ))
        .await?;
    let skipped = c
        .find(Locator::Css("#import-skipped"))
        .await?
        .text()
        .await?;
    assert!(
        skipped.contains("line 5") && skipped.contains("essay"),
        "{skipped}"
    );
    let m = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    assert_eq!(
        m.get("/api/v1/bank/items/tb-1").await?.status,
        404,
        "a check stores nothing"
    );
    c.find(Locator::Css("#import-commit"))
        .await?
        .click()
        .await?;
    wait()
        .for_element(Locator::Css("#import-report[data-dry-run=false]"))
        .await?;
    assert_eq!(
        m.get("/api/v1/bank/items/tb-1").await?.body["status"],
        "draft"
    );
    browser.close().await
}

/// Methodologists edit the competency taxonomy in the browser.
#[tokio::test]
async fn the_competency_taxonomy_is_edited_in_the_browser() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    browser.sign_in(&server.base, METHODOLOGIST).await?;
    browser.open(&server.url("/bank/competencies")).await?;
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#taxonomy tr[data-code=''] input.code"))
        .await?;
    let new_row = "#taxonomy tr[data-code='']";
    c.find(Locator::Css(&format!("{new_row} input.code")))
        .await?
        .send_keys("team-building")
        .await?;
    c.find(Locator::Css(&format!("{new_row} input.name-ru")))
        .await?
        .send_keys("Командообразование")
        .await?;
    c.find(Locator::Css(&format!("{new_row} input.name-kk")))
        .await?
        .send_keys("Команда құру")
        .await?;
    c.find(Locator::Css(&format!("{new_row} .save-competency")))
        .await?
        .click()
        .await?;
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#taxonomy tr[data-code='team-building']"))
        .await?;
    let m = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let list = m.get("/api/v1/bank/competencies").await?;
    let added = list
        .body
        .as_array()
        .and_then(|v| v.iter().find(|c| c["code"] == "team-building"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(added["names"]["kk"], "Команда құру", "{}", list.text);
    browser.close().await
}

/// An image is uploaded in the editor and appears in the preview.
#[tokio::test]
async fn an_image_is_uploaded_in_the_editor() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    let png = server.dir.path().join("chart.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-test-bytes")?;
    browser.sign_in(&server.base, METHODOLOGIST).await?;
    browser
        .open(&server.url("/bank/item/strategic-vision.01"))
        .await?;
    wait().for_element(Locator::Css("#image-file")).await?;
    c.find(Locator::Css("#image-file"))
        .await?
        .send_keys(&png.to_string_lossy())
        .await?;
    wait()
        .for_element(Locator::Css("#images li[data-image='chart.png']"))
        .await?;
    c.find(Locator::Css("#text-stem-ru"))
        .await?
        .send_keys(" ![chart](attachment:chart.png)")
        .await?;
    let img = wait()
        .for_element(Locator::Css("#preview img.item-image"))
        .await?;
    let src = img.attr("src").await?.unwrap_or_default();
    assert!(src.starts_with("/api/v1/attachments/"), "{src}");
    browser.close().await
}

/// The editor's controls for other types: a numeric item and a matching item, written in the
/// browser, are stored with the right keys.
#[tokio::test]
async fn the_editor_writes_numeric_and_matching_items() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    let tab = "\u{E004}";
    browser.sign_in(&server.base, METHODOLOGIST).await?;

    browser.open(&server.url("/bank/new")).await?;
    c.find(Locator::Css("#item-id"))
        .await?
        .send_keys("num-1")
        .await?;
    c.find(Locator::Css("#item-type"))
        .await?
        .select_by_value("numeric")
        .await?;
    c.find(Locator::Css("#text-stem-ru"))
        .await?
        .send_keys("Сколько учителей подали заявки?")
        .await?;
    let value = c.find(Locator::Css("#key-value")).await?;
    value.clear().await?;
    value.send_keys(&format!("8068{tab}")).await?;
    let tolerance = c.find(Locator::Css("#key-tolerance")).await?;
    tolerance.clear().await?;
    tolerance.send_keys(&format!("10{tab}")).await?;
    wait().for_element(Locator::Css("#validation-ok")).await?;
    c.find(Locator::Css("#save")).await?.click().await?;
    wait().for_element(Locator::Css("#submit-review")).await?;

    browser.open(&server.url("/bank/new")).await?;
    c.find(Locator::Css("#item-id"))
        .await?
        .send_keys("match-1")
        .await?;
    c.find(Locator::Css("#item-type"))
        .await?
        .select_by_value("matching")
        .await?;
    c.find(Locator::Css("#text-stem-ru"))
        .await?
        .send_keys("Сопоставьте этап и его содержание")
        .await?;
    let premises = ["Тест", "Стажировка", "Собеседование", "Обучение"];
    let answers = ["Онлайн", "Школа", "Комиссия", "Курсы"];
    for k in 0..4 {
        c.find(Locator::Css(&format!("#text-option-{k}-ru")))
            .await?
            .send_keys(premises[k])
            .await?;
        c.find(Locator::Css(&format!("#text-match-{k}-ru")))
            .await?
            .send_keys(answers[k])
            .await?;
    }
    // Premise 1 matches answer 2 and premise 2 answer 1.
    c.find(Locator::Css("#key-0"))
        .await?
        .select_by_value("1")
        .await?;
    c.find(Locator::Css("#key-1"))
        .await?
        .select_by_value("0")
        .await?;
    wait().for_element(Locator::Css("#validation-ok")).await?;
    c.find(Locator::Css("#save")).await?.click().await?;
    wait().for_element(Locator::Css("#submit-review")).await?;

    let m = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let num = m.get("/api/v1/bank/items/num-1").await?;
    assert_eq!(
        num.body["item"]["key"],
        serde_json::json!({"type": "numeric", "value": 8068.0, "tolerance": 10.0}),
        "{}",
        num.text
    );
    let matching = m.get("/api/v1/bank/items/match-1").await?;
    assert_eq!(
        matching.body["item"]["key"],
        serde_json::json!({"type": "matching", "pairs": [1, 0, 2, 3]}),
        "{}",
        matching.text
    );
    assert_eq!(
        matching.body["item"]["matches"].as_array().map(Vec::len),
        Some(4)
    );
    browser.close().await
}

/// Each of the seven item types answered in the browser with its own control, flagged,
/// submitted, and scored in full.
#[tokio::test]
async fn every_item_type_is_answered_in_the_browser() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let m1 = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let m2 = Api::login(&server.base, METHODOLOGIST2.0, METHODOLOGIST2.1).await?;
    seven::set_up(&m1, &m2, 100.0).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    browser.sign_in(&server.base, APPLICANT).await?;
    c.find(Locator::Css("#start-test")).await?.click().await?;
    wait().for_element(Locator::Css("#stem")).await?;
    browser.wait_hydrated().await?;
    assert_eq!(c.find_all(Locator::Css(".nav-cell")).await?.len(), 7);

    // Flag the first question; the navigator shows it.
    c.find(Locator::Css("#flag")).await?.click().await?;
    wait()
        .for_element(Locator::Css(".nav-cell.flagged"))
        .await?;

    let texts = |css: &'static str| async move {
        let mut out = Vec::new();
        for e in c.find_all(Locator::Css(css)).await? {
            out.push(e.text().await?.trim().to_string());
        }
        anyhow::Ok(out)
    };
    let click_option = |text: &'static str| async move {
        for label in c.find_all(Locator::Css(".option")).await? {
            if label.text().await?.contains(text) {
                label.find(Locator::Css("input")).await?.click().await?;
                return anyhow::Ok(());
            }
        }
        anyhow::bail!("no option {text}")
    };
    let mut previous = String::new();
    for n in 1..=7 {
        // The page re-renders after "next" asynchronously: wait for the new question.
        let mut item = String::new();
        for _ in 0..100 {
            let article = c.find(Locator::Css("article.question")).await?;
            item = article.attr("data-item").await?.unwrap_or_default();
            if item != previous {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::ensure!(item != previous, "question {n} did not appear");
        previous = item.clone();
        match item.as_str() {
            "t-single" => click_option("правильный").await?,
            "t-multi" => {
                click_option("да-1").await?;
                wait().for_element(Locator::Css(".option.chosen")).await?;
                click_option("да-2").await?;
            }
            "t-tf" => c.find(Locator::Css("#answer-true")).await?.click().await?,
            "t-match" => {
                for row in c.find_all(Locator::Css(".match-row")).await? {
                    let country = row.find(Locator::Css("label")).await?.text().await?;
                    let capital = seven::CAPITALS
                        .iter()
                        .find(|(k, _)| country.contains(k))
                        .map(|(_, v)| *v)
                        .unwrap_or("?");
                    let select = row.find(Locator::Css("select")).await?;
                    for option in select.find_all(Locator::Css("option")).await? {
                        if option.text().await?.ends_with(capital) {
                            option.click().await?;
                        }
                    }
                }
            }
            "t-order" => {
                let mut moved = false;
                for _ in 0..20 {
                    let now = texts(".order-row .option-text").await?;
                    let Some(i) = (0..now.len()).find(|&i| now[i] != seven::ORDER[i]) else {
                        break;
                    };
                    let j = now.iter().position(|t| t == seven::ORDER[i]).unwrap_or(i);
                    c.find(Locator::Css(&format!("#up-{j}")))
                        .await?
                        .click()
                        .await?;
                    moved = true;
                    // The list re-renders asynchronously: wait for the move to show.
                    for _ in 0..100 {
                        if texts(".order-row .option-text").await? != now {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(30)).await;
                    }
                }
                assert_eq!(texts(".order-row .option-text").await?, seven::ORDER);
                if !moved {
                    c.find(Locator::Css("#keep-order")).await?.click().await?;
                }
            }
            "t-num" => {
                c.find(Locator::Css("#answer-number"))
                    .await?
                    .send_keys("2,5")
                    .await?
            }
            "t-text" => {
                c.find(Locator::Css("#answer-text"))
                    .await?
                    .send_keys("Абай")
                    .await?
            }
            other => anyhow::bail!("unexpected item {other}"),
        }
        wait()
            .for_element(Locator::Css(&format!(".nav-cell.answered:nth-child({n})")))
            .await
            .map_err(|e| anyhow::anyhow!("question {n} ({item}) not marked answered: {e}"))?;
        if n < 7 {
            c.find(Locator::Css("#next")).await?.click().await?;
        }
    }
    wait()
        .for_element(Locator::Css("#save-state[data-state=saved]"))
        .await?;
    assert_eq!(
        c.find_all(Locator::Css(".nav-cell.answered")).await?.len(),
        7
    );
    let url = c.current_url().await?;
    let attempt_id = url
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let proctor = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;
    let held = proctor
        .get(&format!("/api/v1/attempts/{attempt_id}"))
        .await?;

    // What the server holds is exactly what was given: a full score.
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
    assert_eq!(percent, "100%", "the server held {}", held.body["answers"]);
    browser.close().await
}

/// A methodologist checks the demo blueprint against the bank in the browser, sees a short
/// cell named, and saves a change.
#[tokio::test]
async fn the_blueprint_editor_checks_fairness_and_saves() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    let wait = || c.wait().at_most(Duration::from_secs(30));
    browser.sign_in(&server.base, METHODOLOGIST).await?;
    c.find(Locator::Css("#open-blueprints"))
        .await?
        .click()
        .await?;
    wait()
        .for_element(Locator::Css("#blueprints tr[data-id=stage1-2026] a"))
        .await?
        .click()
        .await?;
    wait().for_element(Locator::Css("#bp-check")).await?;
    browser.wait_hydrated().await?;

    c.find(Locator::Css("#bp-check")).await?.click().await?;
    let report = wait()
        .for_element(Locator::Css("#check-report[data-ok=true]"))
        .await?;
    let spread: f64 = report
        .find(Locator::Css("#spread"))
        .await?
        .text()
        .await?
        .replace(',', ".")
        .parse()?;
    assert!(spread <= 2.0, "spread {spread}");

    // Ask for 9 hard items of the first competency: the check names the cell.
    let any = c.find(Locator::Css("#section-0-any")).await?;
    any.clear().await?;
    any.send_keys("0").await?;
    let hard = c.find(Locator::Css("#section-0-hard")).await?;
    hard.clear().await?;
    hard.send_keys("9").await?;
    c.find(Locator::Css("#bp-check")).await?.click().await?;
    let short = wait()
        .for_element(Locator::Css("#check-report[data-ok=false] #shortages li"))
        .await?
        .text()
        .await?;
    assert!(
        short.contains("hard") && short.contains("needs 9"),
        "{short}"
    );

    // Put it back, rename, save; the list shows the new name.
    let hard = c.find(Locator::Css("#section-0-hard")).await?;
    hard.clear().await?;
    hard.send_keys("0").await?;
    let any = c.find(Locator::Css("#section-0-any")).await?;
    any.clear().await?;
    any.send_keys("5").await?;
    let name = c.find(Locator::Css("#bp-name")).await?;
    name.clear().await?;
    name.send_keys("Этап 1 — пересмотр").await?;
    c.find(Locator::Css("#bp-save")).await?.click().await?;
    wait()
        .for_element(Locator::Css("p.notice#bp-message"))
        .await?;
    browser.open(&server.url("/blueprints")).await?;
    let listed = wait()
        .for_element(Locator::Css("#blueprints tr[data-id=stage1-2026] a"))
        .await?
        .text()
        .await?;
    assert_eq!(listed, "Этап 1 — пересмотр");
    browser.close().await
}

fn seconds(clock: &str) -> i64 {
    clock
        .trim()
        .split(':')
        .filter_map(|p| p.parse::<i64>().ok())
        .fold(0, |acc, n| acc * 60 + n)
}

/// Two browsers, an applicant and a proctor: the proctor sees progress and a tab-hidden signal
/// arrive live, pauses (the applicant's clock stops), resumes, adds five minutes (the
/// applicant's countdown grows) and terminates the attempt.
#[tokio::test]
async fn a_proctor_watches_and_intervenes_live() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let r = admin
        .post(
            "/api/v1/sittings",
            &serde_json::json!({"name": "Туркестан", "blueprint_id": "stage1-2026", "region": "Turkestan",
                "mode": "online", "opens_ms": now - 60_000, "closes_ms": now + 3_600_000}),
        )
        .await?;
    let sitting = r.body["id"].as_str().unwrap_or_default().to_string();
    admin
        .post(
            &format!("/api/v1/sittings/{sitting}/proctors"),
            &serde_json::json!({"text": PROCTOR.0}),
        )
        .await?;
    admin
        .post(
            &format!("/api/v1/sittings/{sitting}/applicants"),
            &serde_json::json!({"text": APPLICANT.0}),
        )
        .await?;

    let proctor = Browser::start().await?;
    let applicant = Browser::start().await?;
    let p = &proctor.client;
    let a = &applicant.client;
    let wait_p = || p.wait().at_most(Duration::from_secs(20));
    let wait_a = || a.wait().at_most(Duration::from_secs(20));
    proctor.sign_in(&server.base, PROCTOR).await?;
    proctor
        .open(&server.url(&format!("/proctor/{sitting}")))
        .await?;
    wait_p()
        .for_element(Locator::Css("#feed-state[data-connected=true]"))
        .await?;
    let row = format!("#monitor tr[data-email=\"{}\"]", APPLICANT.0);
    wait_p()
        .for_element(Locator::Css(&format!("{row}[data-status=not_started]")))
        .await?;

    applicant.sign_in(&server.base, APPLICANT).await?;
    a.find(Locator::Css("#start-test")).await?.click().await?;
    wait_a().for_element(Locator::Css("#stem")).await?;
    applicant.wait_hydrated().await?;
    wait_p()
        .for_element(Locator::Css(&format!("{row}[data-status=in_progress]")))
        .await?;

    // Progress arrives live.
    a.find(Locator::Css(".option")).await?.click().await?;
    let mut progress = String::new();
    for _ in 0..100 {
        progress = p
            .find(Locator::Css(&format!("{row} .answered")))
            .await?
            .text()
            .await?;
        if progress.starts_with("1 /") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(progress, "1 / 30");

    // The applicant's tab is hidden: the signal reaches the proctor's feed at once.
    a.execute(
        "Object.defineProperty(document, 'hidden', {value: true, configurable: true}); \
         document.dispatchEvent(new Event('visibilitychange', {bubbles: true}));",
        vec![],
    )
    .await?;
    wait_p()
        .for_element(Locator::Css("#feed li[data-kind=tab_hidden]"))
        .await?;
    let mut signals = String::new();
    for _ in 0..50 {
        signals = p
            .find(Locator::Css(&format!("{row} .integrity")))
            .await?
            .text()
            .await?;
        if signals != "0" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_ne!(signals, "0", "the row counts the signal");

    // Pause: the applicant's page shows it and the clock stands still.
    p.find(Locator::Css(&row)).await?.click().await?;
    wait_p()
        .for_element(Locator::Css("#act-pause"))
        .await?
        .click()
        .await?;
    wait_a().for_element(Locator::Css("#paused")).await?;
    let t1 = seconds(&a.find(Locator::Css("#timer")).await?.text().await?);
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let t2 = seconds(&a.find(Locator::Css("#timer")).await?.text().await?);
    assert_eq!(t1, t2, "the clock stopped while paused");
    wait_p()
        .for_element(Locator::Css(&format!("{row}[data-status=paused]")))
        .await?;

    // Resume, then five more minutes: the countdown grows.
    p.find(Locator::Css("#act-resume")).await?.click().await?;
    for _ in 0..100 {
        if a.find(Locator::Css("#paused")).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        a.find(Locator::Css("#paused")).await.is_err(),
        "the pause ended"
    );
    let before = seconds(&a.find(Locator::Css("#timer")).await?.text().await?);
    let minutes = p.find(Locator::Css("#act-minutes")).await?;
    minutes.clear().await?;
    minutes.send_keys("5").await?;
    p.find(Locator::Css("#act-add-time")).await?.click().await?;
    let mut after = before;
    for _ in 0..100 {
        after = seconds(&a.find(Locator::Css("#timer")).await?.text().await?);
        if after > before + 240 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(after > before + 240, "countdown {before} s -> {after} s");

    // A warning is shown at once; then the attempt is terminated with a reason.
    p.find(Locator::Css("#act-message"))
        .await?
        .send_keys("Уберите телефон")
        .await?;
    p.find(Locator::Css("#act-warn")).await?.click().await?;
    let shown = wait_a()
        .for_element(Locator::Css("#warning"))
        .await?
        .text()
        .await?;
    assert!(shown.contains("Уберите телефон"), "{shown}");
    // Ending the attempt asks first: whose, and why; nothing happens before a reason.
    p.find(Locator::Css("#act-terminate"))
        .await?
        .click()
        .await?;
    let dialog = wait_p().for_element(Locator::Css("#end-dialog")).await?;
    let title = dialog
        .find(Locator::Css("#end-title"))
        .await?
        .text()
        .await?;
    assert!(
        title.contains("Айгерим Сапарова"),
        "the dialog names the applicant: {title}"
    );
    let confirm = p.find(Locator::Css("#end-confirm")).await?;
    assert!(!confirm.is_enabled().await?, "no reason yet, so no ending");
    p.find(Locator::Css("#end-cancel")).await?.click().await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        p.find_all(Locator::Css(&format!("{row}[data-status=terminated]")))
            .await?
            .is_empty(),
        "cancelled: the attempt runs on"
    );
    p.find(Locator::Css("#act-terminate"))
        .await?
        .click()
        .await?;
    wait_p().for_element(Locator::Css("#end-dialog")).await?;
    p.find(Locator::Css("#end-reason option[value=unauthorised_aid]"))
        .await?
        .click()
        .await?;
    p.find(Locator::Css("#end-note"))
        .await?
        .send_keys("подсказки с телефона")
        .await?;
    p.find(Locator::Css("#end-confirm")).await?.click().await?;
    wait_a().for_element(Locator::Css("section.result")).await?;
    wait_p()
        .for_element(Locator::Css(&format!("{row}[data-status=terminated]")))
        .await?;
    // The applicant reads why, in the page's language, with the proctor's note.
    let why = wait_a()
        .for_element(Locator::Css("#terminated"))
        .await?
        .text()
        .await?;
    // (The page's language: the browser's, English here; the reason is a text of that
    // language, not the code.)
    assert!(
        (why.contains("unauthorised aids") || why.contains("запрещённых материалов"))
            && why.contains("подсказки с телефона")
            && !why.contains("unauthorised_aid"),
        "the applicant sees the reason: {why}"
    );
    proctor.close().await?;
    applicant.close().await
}
