//! Accessibility in headless Chromium: axe-core (the npm package, path in `QABILET_AXE_JS`,
//! installed by `cargo xtask test`) finds no serious or critical violation on the sign-in,
//! registration, dashboard, test, result and account pages, in normal and high-contrast
//! display; the whole test can be taken with the keyboard alone, and the focus moves to each
//! new question; text size, contrast and language follow the account to another browser.

use fantoccini::{Client, Locator};
use qabilet_tests::*;
use serde_json::Value;
use std::time::Duration;

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const SPACE: &str = "\u{E00D}";

pub(crate) fn axe_source() -> anyhow::Result<String> {
    let path = std::env::var("QABILET_AXE_JS").map_err(|_| {
        anyhow::anyhow!(
            "QABILET_AXE_JS is not set: run the tests with `cargo xtask test`, which installs \
             axe-core from npm, or point it at axe.min.js"
        )
    })?;
    Ok(std::fs::read_to_string(&path)?)
}

/// Runs axe-core on the page as it is and returns the serious and critical violations.
pub(crate) async fn serious_violations(
    c: &Client,
    axe: &str,
    page: &str,
) -> anyhow::Result<Vec<String>> {
    c.execute(&format!("{axe}\n;return true;"), vec![]).await?;
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']})
               .then(r => done(r.violations.map(v => ({
                   id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 4).map(n => n.target.join(' '))}))))
               .catch(e => done({error: String(e)}));",
            vec![],
        )
        .await?;
    if let Some(e) = result.get("error") {
        anyhow::bail!("axe failed on {page}: {e}");
    }
    let list = result.as_array().cloned().unwrap_or_default();
    Ok(list
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            format!(
                "{page}: {} ({}) {} at {}",
                v["id"], v["impact"], v["help"], v["nodes"]
            )
        })
        .collect())
}

/// Presses Tab until the focused element matches `css` (at most `limit` times).
async fn tab_to(c: &Client, css: &str, limit: usize) -> anyhow::Result<()> {
    for _ in 0..limit {
        if focused_matches(c, css).await? {
            return Ok(());
        }
        c.active_element().await?.send_keys(TAB).await?;
    }
    anyhow::bail!("{limit} presses of Tab never reached {css}")
}

async fn focused_matches(c: &Client, css: &str) -> anyhow::Result<bool> {
    let v = c
        .execute(
            "const e = document.activeElement; return !!(e && e.matches(arguments[0]));",
            vec![Value::String(css.into())],
        )
        .await?;
    Ok(v.as_bool().unwrap_or(false))
}

async fn press(c: &Client, key: &str) -> anyhow::Result<()> {
    c.active_element().await?.send_keys(key).await?;
    Ok(())
}

#[tokio::test]
async fn axe_finds_no_serious_violations_and_the_test_works_by_keyboard() -> anyhow::Result<()> {
    let axe = axe_source()?;
    let server = TestServer::start(Db::from_env()).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    let mut found = Vec::new();

    // The checker itself works: a page with an unlabelled image and button fails it.
    c.goto("data:text/html,<html lang=en><title>x</title><img src=a.png><button></button></html>")
        .await?;
    let broken = serious_violations(c, &axe, "broken").await?;
    assert!(
        broken.iter().any(|v| v.contains("image-alt"))
            && broken.iter().any(|v| v.contains("button-name")),
        "axe should flag the broken page: {broken:?}"
    );

    for page in ["/login", "/register", "/verify"] {
        browser.open(&server.url(page)).await?;
        found.extend(serious_violations(c, &axe, page).await?);
    }

    browser.sign_in(&server.base, APPLICANT).await?;
    found.extend(serious_violations(c, &axe, "/dashboard").await?);

    // From the dashboard to the end of the test with the keyboard alone.
    tab_to(c, "#start-test", 40).await?;
    press(c, ENTER).await?;
    wait().for_element(Locator::Css("#stem")).await?;
    browser.wait_hydrated().await?;
    found.extend(serious_violations(c, &axe, "/test").await?);

    let total = c.find_all(Locator::Css(".nav-cell")).await?.len();
    assert_eq!(total, 30);
    for n in 1..=total {
        // Into the options (the first radio), then Space chooses it; arrows would move on.
        tab_to(c, ".options input", 40).await?;
        press(c, SPACE).await?;
        wait().for_element(Locator::Css(".option.chosen")).await?;
        if n < total {
            tab_to(c, "#next", 20).await?;
            press(c, ENTER).await?;
            // The focus is on the new question's text.
            // Up to 20 s: under a loaded CI machine the new question may take a while.
            let mut moved = false;
            for _ in 0..200 {
                let label = c.find(Locator::Css("#q-number")).await?.text().await?;
                if label.contains(&(n + 1).to_string()) && focused_matches(c, "#stem").await? {
                    moved = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            assert!(
                moved,
                "after question {n} the focus is on question {}",
                n + 1
            );
        }
    }
    wait()
        .for_element(Locator::Css("#save-state[data-state=saved]"))
        .await?;
    // High contrast and larger text pass too.
    tab_to(c, "#contrast", 80).await?;
    press(c, ENTER).await?;
    wait().for_element(Locator::Css("html.contrast")).await?;
    found.extend(serious_violations(c, &axe, "/test (high contrast)").await?);

    tab_to(c, "#finish", 80).await?;
    press(c, ENTER).await?;
    wait().for_element(Locator::Css("#confirm-submit")).await?;
    tab_to(c, "#confirm-submit", 10).await?;
    press(c, ENTER).await?;
    wait().for_element(Locator::Css("#total-percent")).await?;
    browser.wait_hydrated().await?;
    let percent = c.find(Locator::Css("#total-percent")).await?.text().await?;
    assert!(percent.ends_with('%'), "a result: {percent}");
    found.extend(serious_violations(c, &axe, "/result (high contrast)").await?);

    browser.open(&server.url("/account")).await?;
    wait().for_element(Locator::Css("#pw-current")).await?;
    found.extend(serious_violations(c, &axe, "/account").await?);

    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
    browser.close().await?;
    Ok(())
}

/// Language, text size and contrast are kept with the account: set in one browser, they are
/// in force in another after signing in; bad values are refused.
#[tokio::test]
async fn preferences_follow_the_account_to_another_browser() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let first = Browser::start().await?;
    let c = &first.client;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    first.sign_in(&server.base, APPLICANT).await?;
    first.open(&server.url("/account")).await?;
    wait().for_element(Locator::Css("#pref-save")).await?;
    c.find(Locator::Css("#pref-language option[value=kk]"))
        .await?
        .click()
        .await?;
    c.find(Locator::Css("#pref-text-size option[value='150']"))
        .await?
        .click()
        .await?;
    c.find(Locator::Css("#pref-contrast"))
        .await?
        .click()
        .await?;
    c.find(Locator::Css("#pref-save")).await?.click().await?;
    wait()
        .for_element(Locator::XPath(
            "//p[@id='pref-status'][normalize-space()!='']",
        ))
        .await?;
    first.close().await?;

    // Stored with the account.
    let api = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let prefs = api.get("/api/v1/me/preferences").await?;
    assert_eq!(prefs.body["language"], "kk", "{}", prefs.text);
    assert_eq!(prefs.body["text_size"], 150);
    assert_eq!(prefs.body["high_contrast"], true);
    // Bad preferences are refused and change nothing.
    let bad = api
        .put(
            "/api/v1/me/preferences",
            &serde_json::json!({"language": "de", "text_size": 100, "high_contrast": false}),
        )
        .await?;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let bad = api
        .put(
            "/api/v1/me/preferences",
            &serde_json::json!({"language": "ru", "text_size": 90, "high_contrast": false}),
        )
        .await?;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert_eq!(
        api.get("/api/v1/me/preferences").await?.body["language"],
        "kk"
    );

    // A fresh browser: after signing in the page is in Kazakh, large, high contrast.
    let second = Browser::start().await?;
    let c = &second.client;
    second.sign_in(&server.base, APPLICANT).await?;
    let html_class = c
        .execute("return document.documentElement.className;", vec![])
        .await?;
    let class = html_class.as_str().unwrap_or_default();
    assert!(
        class.contains("text-150") && class.contains("contrast"),
        "{class}"
    );
    let lang = c
        .execute("return document.documentElement.lang;", vec![])
        .await?;
    assert_eq!(lang.as_str(), Some("kk"));
    let size = c
        .execute(
            "return getComputedStyle(document.documentElement).fontSize;",
            vec![],
        )
        .await?;
    assert_eq!(size.as_str(), Some("24px"), "150% of 16px");
    second.close().await?;
    Ok(())
}
