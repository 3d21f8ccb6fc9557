//! `qabilet analyze`: a scored response matrix in, every statistic out as JSON, checked
//! against the published estimates for the LSAT section 6 data (Bock and Lieberman, 1970).

use anyhow::Context;
use qabilet_tests::*;
use serde_json::{Value, json};
use std::process::Command;

use question_bank::psychometrics::datasets::LSAT6_PATTERNS as LSAT6;

fn analyze(file: &std::path::Path, model: &str) -> anyhow::Result<(bool, Value, String)> {
    let out = Command::new(server_binary())
        .args(["analyze", "--model", model, "--responses"])
        .arg(file)
        .output()?;
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    Ok((
        out.status.success(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[test]
fn the_command_line_analyses_lsat6_like_established_software() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("lsat6.csv");
    let mut csv = String::from("i1,i2,i3,i4,i5\n");
    for (pattern, count) in LSAT6 {
        let row: Vec<String> = pattern.chars().map(String::from).collect();
        for _ in 0..count {
            csv.push_str(&row.join(","));
            csv.push('\n');
        }
    }
    std::fs::write(&file, &csv)?;

    let (ok, classical, err) = analyze(&file, "classical")?;
    assert!(ok, "{err}");
    let facilities: Vec<f64> = classical["classical"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["facility"].as_f64())
        .collect();
    assert_eq!(facilities, [0.924, 0.709, 0.553, 0.763, 0.87]);
    assert!(classical["calibration"].is_null());
    let alpha = classical["classical"]["reliability"]["alpha"]
        .as_f64()
        .unwrap_or(0.0);
    assert!((0.25..0.35).contains(&alpha), "alpha {alpha}");

    let (ok, two_pl, err) = analyze(&file, "2pl")?;
    assert!(ok, "{err}");
    let published_b = [-3.360, -1.370, -0.280, -1.866, -3.124];
    let items = two_pl["calibration"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(items.len(), 5);
    for (item, b) in items.iter().zip(published_b) {
        let est = item["b"].as_f64().unwrap_or(f64::NAN);
        assert!((est - b).abs() < 0.05, "{}: {est} vs {b}", item["item"]);
    }
    assert_eq!(two_pl["abilities"].as_array().map(Vec::len), Some(1000));
    assert_eq!(two_pl["information"].as_array().map(Vec::len), Some(33));

    // A malformed file: a clear error naming the line, nothing printed on stdout.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "i1,i2\n1,0\n1,yes\n")?;
    let (ok, json, err) = analyze(&bad, "2pl")?;
    assert!(!ok && json.is_null());
    assert!(err.contains("line 3"), "{err}");
    let (ok, _, err) = analyze(&file, "3pl")?;
    assert!(!ok && err.contains("classical, rasch or 2pl"), "{err}");
    Ok(())
}

/// `count` applicants take the demo test: examinee n answers the first 2n questions (the
/// first option), a third of them in English.
async fn sit(server: &TestServer, count: usize) -> anyhow::Result<()> {
    server.add_applicants("an", count, "analysis-pass-1")?;
    for n in 1..=count {
        let api = Api::login(
            &server.base,
            &format!("an-{n}@load.test"),
            "analysis-pass-1",
        )
        .await?;
        let start = api
            .post(
                "/api/v1/attempts",
                &json!({"language": if n % 3 == 0 { "en" } else { "ru" }}),
            )
            .await?;
        assert_eq!(start.status, 200, "{}", start.text);
        let id = start.body["id"].as_str().unwrap_or_default().to_string();
        // Examinee n answers the first 2n questions (the first option), the rest unanswered.
        for (seq, item) in item_ids(&start.body).iter().take(2 * n).enumerate() {
            let r = api
                .put(
                    &format!("/api/v1/attempts/{id}/responses/{item}"),
                    &json!({"seq": seq + 1, "choice": 0}),
                )
                .await?;
            assert_eq!(r.status, 200, "{}", r.text);
        }
        let done = api
            .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
            .await?;
        assert_eq!(done.status, 200, "{}", done.text);
    }

    Ok(())
}

/// After a sitting: the item analysis of the blueprint's closed attempts (classical
/// statistics; too few examinees for the 2PL, said so), as JSON and CSV, for methodologists
/// only; a flagged item sent back to review leaves the published bank.
#[tokio::test]
async fn methodologists_analyse_a_sitting_and_send_items_back() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    sit(&server, 12).await?;

    let m = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let r = m.get("/api/v1/blueprints/stage1-2026/analysis").await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = &r.body;
    assert_eq!(v["examinees"], 12);
    assert_eq!(v["calibrated"], false);
    assert!(
        v["note"].as_str().unwrap_or_default().contains("100"),
        "{}",
        v["note"]
    );
    assert_eq!(v["languages"], json!(["ru", "en"]));
    let items = v["items"].as_array().cloned().unwrap_or_default();
    assert!(items.len() >= 30, "{} items", items.len());
    for it in &items {
        let f = it["facility"].as_f64().unwrap_or(-1.0);
        assert!((0.0..=1.0).contains(&f), "{it}");
        assert!(it["n"].as_u64().unwrap_or(0) >= 1);
        assert!(it["a"].is_null());
        // Option curves: in each score group the options and "no answer" share everybody;
        // one option is the key.
        let opts = it["options"].as_array().cloned().unwrap_or_default();
        assert!(opts.len() >= 3, "{it}");
        assert_eq!(opts.iter().filter(|o| o["correct"] == true).count(), 1);
        let groups = opts[0]["shares"].as_array().map_or(0, Vec::len);
        assert!(groups >= 1);
        for g in 0..groups {
            let sum: f64 = opts
                .iter()
                .map(|o| o["shares"][g].as_f64().unwrap_or(0.0))
                .sum();
            assert!((sum - 1.0).abs() < 1e-9, "{it}");
        }
    }
    // Examinee 1 answered 2 questions: somebody left most items unanswered, so the last
    // line (no answer) is not empty everywhere.
    assert!(items.iter().any(|it| {
        it["options"]
            .as_array()
            .and_then(|o| o.last())
            .and_then(|o| o["shares"][0].as_f64())
            .is_some_and(|x| x > 0.0)
    }));
    let histogram: u64 = v["histogram"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h[1].as_u64())
        .sum();
    assert_eq!(histogram, 12);
    // Twelve examinees are too few to flag an item: figures, no flags.
    assert_eq!(v["flags_from"], 30);
    assert!(
        items
            .iter()
            .all(|it| it["flags"].as_array().is_some_and(Vec::is_empty)),
        "no flags from 12 examinees"
    );
    let csv = m
        .get_text("/api/v1/blueprints/stage1-2026/analysis.csv")
        .await?;
    let csv = csv.strip_prefix('\u{feff}').context("a byte-order mark")?;
    assert!(csv.starts_with("item_id,n,facility"), "{csv}");
    assert_eq!(csv.lines().count(), items.len() + 1);
    // Nothing to analyse for an unknown blueprint; not for applicants.
    assert_eq!(m.get("/api/v1/blueprints/nope/analysis").await?.status, 404);
    let a = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    assert_eq!(
        a.get("/api/v1/blueprints/stage1-2026/analysis")
            .await?
            .status,
        403
    );

    // Send the first published item back to review, with a reason.
    let item = items
        .iter()
        .find(|i| i["status"] == "published")
        .and_then(|i| i["item_id"].as_str())
        .unwrap_or_default()
        .to_string();
    let url = format!("/api/v1/bank/items/{item}/send-back");
    assert_eq!(m.post(&url, &json!({"reason": " "})).await?.status, 422);
    let sent = m
        .post(
            &url,
            &json!({"reason": "Facility 0.95 and a negative point-biserial"}),
        )
        .await?;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(sent.body["status"], "in_review", "{}", sent.text);
    assert_eq!(m.post(&url, &json!({"reason": "again"})).await?.status, 409);
    let history = m.get(&format!("/api/v1/bank/items/{item}/history")).await?;
    assert!(
        history.text.contains("sent_back_by_analysis"),
        "{}",
        history.text
    );
    assert!(history.text.contains("negative point-biserial"));
    Ok(())
}

/// The analysis page: figures, histogram, the item table; an item's curve on demand; a
/// flagged item sent back to review from its row.
#[tokio::test]
async fn the_analysis_page_shows_the_sitting() -> anyhow::Result<()> {
    use fantoccini::Locator;
    let server = TestServer::start(Db::from_env()).await?;
    // Thirty examinees: the fewest for which items are flagged.
    sit(&server, 30).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    let wait = || c.wait().at_most(std::time::Duration::from_secs(20));
    browser.sign_in(&server.base, METHODOLOGIST).await?;
    browser.open(&server.url("/analysis/stage1-2026")).await?;
    wait()
        .for_element(Locator::Css("#analysis-items tbody tr"))
        .await?;
    let rows = c.find_all(Locator::Css("#analysis-items tbody tr")).await?;
    let axe = crate::a11y::axe_source()?;
    let found = crate::a11y::serious_violations(c, &axe, "/analysis").await?;
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
    assert!(rows.len() >= 30, "{} rows", rows.len());
    let bars = c.find_all(Locator::Css("#histogram rect.bar")).await?;
    assert!(!bars.is_empty(), "the histogram has bars");
    let note = c.find(Locator::Css("#analysis-note")).await?.text().await?;
    assert!(note.contains("100"), "{note}");
    rows[0].find(Locator::Css("button")).await?.click().await?;
    wait()
        .for_element(Locator::Css("#item-curve circle"))
        .await?;
    // Single choice: a line per option and one for "no answer", the key drawn thick.
    let lines = c
        .find_all(Locator::Css("#option-curves polyline.option-line"))
        .await?;
    assert_eq!(lines.len(), 5, "four options and no answer");
    let mut thick = 0;
    for l in &lines {
        if l.attr("stroke-width").await?.as_deref() == Some("3.5") {
            thick += 1;
        }
    }
    assert_eq!(thick, 1, "one key");
    // Thirty examinees are too few to store a calibration: said so, nothing stored.
    c.find(Locator::Css("#calibrate-2pl"))
        .await?
        .click()
        .await?;
    let said = wait()
        .for_element(Locator::Css("#calibration-result.alert"))
        .await?
        .text()
        .await?;
    assert!(said.contains("100"), "{said}");
    // Send back the first flagged published item.
    let button = wait()
        .for_element(Locator::Css("#analysis-items button.send-back"))
        .await?;
    let before = c
        .find_all(Locator::Css("#analysis-items button.send-back"))
        .await?
        .len();
    button.click().await?;
    let mut after = before;
    for _ in 0..50 {
        after = c
            .find_all(Locator::Css("#analysis-items button.send-back"))
            .await?
            .len();
        if after < before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(after, before - 1, "the sent item has no button any more");
    browser.close().await?;
    Ok(())
}

/// The demo's simulated pilot (with the synthetic round): 240 examinees through the real
/// attempt path, so the analysis has figures on a fresh demo, and the three items made weak on
/// purpose are the ones it flags.
#[tokio::test]
async fn the_demo_pilot_gives_the_analysis_something_to_show() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    server.load_round()?;
    // Loading again adds nothing.
    server.load_round()?;
    let m = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let a = m.get("/api/v1/blueprints/stage1-2026/analysis").await?;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["examinees"], 240, "{}", a.text);
    let alpha = a.body["alpha"].as_f64().context("alpha")?;
    assert!(
        alpha > 0.4,
        "a test of one ability has some reliability: {alpha}"
    );
    let items = a.body["items"].as_array().context("items")?;
    assert_eq!(items.len(), 60);
    let flags = |id: &str| -> Vec<String> {
        items
            .iter()
            .find(|i| i["item_id"] == id)
            .and_then(|i| i["flags"].as_array())
            .map(|f| {
                f.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    for weak in [
        "strategic-vision.07",
        "teaching-quality.04",
        "digital-data.09",
    ] {
        assert!(
            !flags(weak).is_empty(),
            "{weak} is weak on purpose: {}",
            a.text
        );
    }
    let flagged = items
        .iter()
        .filter(|i| i["flags"].as_array().is_some_and(|f| !f.is_empty()))
        .count();
    assert!(
        flagged <= 20,
        "{flagged} of 60 flagged: the rest are sound items"
    );
    // The pilot's accounts exist (their attempts are theirs) but cannot sign in: the stored
    // "hash" is no hash, so no password matches it, not even itself.
    {
        use sqlx::Row;
        let mut c = server.sql().await?;
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM users u JOIN attempts a ON a.user_id = u.id \
             WHERE u.email LIKE 'pilot%@synthetic.kz' AND a.status = 'submitted'",
        )
        .fetch_one(&mut c)
        .await?
        .try_get(0)?;
        assert_eq!(n, 240);
    }
    let pilot = Api::new(&server.base)
        .post(
            "/api/v1/auth/login",
            &json!({"email": "pilot000@synthetic.kz", "password": "!"}),
        )
        .await?;
    assert_eq!(pilot.status, 401, "{}", pilot.text);
    Ok(())
}
