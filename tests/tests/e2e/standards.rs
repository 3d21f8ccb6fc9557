//! Stored calibrations and standard setting: parameters calibrated from an imported response
//! matrix are stored per item version, a second calibration is linked to the first scale,
//! form assembly balances information with them; a modified-Angoff panel rates a reference
//! form over two rounds, its cut is adopted as the blueprint's standard, and every form then
//! carries its own pass mark through its items' parameters.

use qabilet_tests::*;
use question_bank::psychometrics::irt::{self, ItemParams};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The published items of the demo bank, in id order.
async fn published(m: &Api) -> anyhow::Result<Vec<String>> {
    let r = m
        .get("/api/v1/bank/items?status=published&per_page=500&sort=item_id")
        .await?;
    anyhow::ensure!(r.status == 200, "{}", r.text);
    let mut ids: Vec<String> = r.body["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| row["item_id"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    Ok(ids)
}

/// True parameters for `ids` (reproducible).
fn truth(ids: &[String]) -> HashMap<String, ItemParams> {
    ids.iter()
        .cloned()
        .zip(irt::random_items(ids.len(), 2026))
        .collect()
}

/// A scored response matrix as CSV: `n` examinees of ability N(`mean`, 1) answering `ids`.
fn matrix(
    ids: &[String],
    truth: &HashMap<String, ItemParams>,
    n: usize,
    mean: f64,
    seed: u64,
) -> String {
    let params: Vec<ItemParams> = ids.iter().map(|id| truth[id]).collect();
    let data = irt::simulate_shifted(&params, n, mean, seed);
    let mut csv = ids.join(",");
    csv.push('\n');
    for row in data {
        let cells: Vec<&str> = row
            .iter()
            .map(|x| if *x == Some(1) { "1" } else { "0" })
            .collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    csv
}

async fn import(m: &Api, model: &str, csv: &str) -> anyhow::Result<Reply> {
    m.post_raw(
        &format!("/api/v1/bank/calibrations?model={model}"),
        "text/csv",
        csv.as_bytes().to_vec(),
    )
    .await
}

fn corr(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

async fn stored(m: &Api) -> anyhow::Result<HashMap<String, (f64, f64)>> {
    let r = m.get("/api/v1/bank/parameters").await?;
    anyhow::ensure!(r.status == 200, "{}", r.text);
    Ok(r.body
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p["item_id"].as_str()?.to_string(),
                (p["a"].as_f64()?, p["b"].as_f64()?),
            ))
        })
        .collect())
}

#[tokio::test]
async fn calibrations_are_stored_linked_and_balance_forms() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let m = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let ids = published(&m).await?;
    assert!(ids.len() >= 30, "{} published items", ids.len());
    let truth = truth(&ids);

    // Bad files change nothing: each refused with a reason.
    let r = import(&m, "2pl", "strategic-vision.01,nope.99\n1,0\n").await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("nope.99"), "{}", r.text);
    let r = import(&m, "2pl", &format!("{}\n1\nyes\n", ids[0])).await?;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("line 3"), "{}", r.text);
    let r = import(&m, "3pl", &matrix(&ids, &truth, 200, 0.0, 1)).await?;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("rasch or 2pl"), "{}", r.text);
    let r = import(&m, "2pl", &matrix(&ids, &truth, 50, 0.0, 1)).await?;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("at least 100"), "{}", r.text);
    let a = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    assert_eq!(
        import(&a, "2pl", &matrix(&ids, &truth, 200, 0.0, 1))
            .await?
            .status,
        403
    );
    assert!(stored(&m).await?.is_empty(), "nothing stored by refusals");

    // A pilot of 2,000 examinees: the first calibration sets the scale.
    let first = import(&m, "2pl", &matrix(&ids, &truth, 2000, 0.0, 7)).await?;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["items"], ids.len());
    assert_eq!(first.body["link_common"], 0);
    assert!(
        first.body["note"]
            .as_str()
            .unwrap_or_default()
            .contains("first calibration"),
        "{}",
        first.text
    );
    let params = stored(&m).await?;
    assert_eq!(params.len(), ids.len());
    let (tb, eb): (Vec<f64>, Vec<f64>) = ids.iter().map(|id| (truth[id].b, params[id].1)).unzip();
    let (ta, ea): (Vec<f64>, Vec<f64>) = ids.iter().map(|id| (truth[id].a, params[id].0)).unzip();
    assert!(corr(&tb, &eb) > 0.95, "b recovered r = {}", corr(&tb, &eb));
    assert!(corr(&ta, &ea) > 0.8, "a recovered r = {}", corr(&ta, &ea));
    // The item's history says so.
    let h = m
        .get(&format!("/api/v1/bank/items/{}/history", ids[0]))
        .await?;
    assert!(h.text.contains("calibrated"), "{}", h.text);

    // A later group, abler by 0.7, takes 20 of the items: its own calibration would make
    // them look 0.7 easier; linked on the 20 common items it lands on the first scale.
    let some: Vec<String> = ids[..20].to_vec();
    let second = import(&m, "2pl", &matrix(&some, &truth, 2000, 0.7, 8)).await?;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(second.body["link_common"], 20, "{}", second.text);
    let intercept = second.body["link_intercept"].as_f64().unwrap_or(0.0);
    assert!((intercept - 0.7).abs() < 0.2, "{}", second.text);
    let relinked = stored(&m).await?;
    let drift: f64 = some
        .iter()
        .map(|id| relinked[id].1 - truth[id].b)
        .sum::<f64>()
        / 20.0;
    assert!(drift.abs() < 0.2, "mean b - truth after linking {drift}");
    let list = m.get("/api/v1/bank/calibrations").await?;
    assert_eq!(list.body.as_array().map(Vec::len), Some(2), "{}", list.text);

    // Form assembly now balances the information too.
    let bp = m.get("/api/v1/blueprints/stage1-2026").await?.body["blueprint"].clone();
    let check = m
        .post(
            "/api/v1/blueprints/check",
            &json!({"blueprint": bp, "forms": 200}),
        )
        .await?;
    assert_eq!(check.status, 200, "{}", check.text);
    let f = &check.body["fairness"];
    let target = f["target_information"].as_f64().unwrap_or(0.0);
    assert!(target > 0.0, "{}", check.text);
    let (lo, hi) = (
        f["min_information"].as_f64().unwrap_or(0.0),
        f["max_information"].as_f64().unwrap_or(0.0),
    );
    assert!(
        lo >= 0.9 * target && hi <= 1.1 * target,
        "information {lo}..{hi}, target {target}"
    );
    assert!(f["spread_points"].as_f64().unwrap_or(99.0) <= 2.0, "{f}");
    Ok(())
}

/// What a judge rates: every item of the workshop at `p`.
fn all_at(view: &Value, p: f64) -> Value {
    let ratings: Vec<Value> = view["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| json!([i["item_id"], p]))
        .collect();
    json!({ "ratings": ratings })
}

#[tokio::test]
async fn an_angoff_panel_sets_the_standard_every_form_carries() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let m = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let ids = published(&m).await?;
    let truth = truth(&ids);
    let r = import(&m, "2pl", &matrix(&ids, &truth, 2000, 0.0, 3)).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let params: HashMap<String, (f64, f64)> = stored(&m).await?;

    // Opening: judges must be staff accounts; the blueprint must exist.
    let open = |judges: Vec<&str>, bp: &str| json!({"blueprint_id": bp, "name": "Stage 1 panel", "judges": judges, "seed": 11});
    let r = m
        .post(
            "/api/v1/standard-settings",
            &open(vec![EXPERT.0, APPLICANT.0], "stage1-2026"),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains(APPLICANT.0), "{}", r.text);
    let r = m
        .post("/api/v1/standard-settings", &open(vec![EXPERT.0], "nope"))
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = m
        .post(
            "/api/v1/standard-settings",
            &open(vec![EXPERT.0, COMMISSION.0], "stage1-2026"),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let n = r.body["items"].as_array().map_or(0, Vec::len);
    assert_eq!(n, 30, "the reference form has the blueprint's 30 items");
    assert_eq!(r.body["round"], 1);

    // Judges see the items with their keys; others do not see the workshop.
    let e = Api::login(&server.base, EXPERT.0, EXPERT.1).await?;
    let c = Api::login(&server.base, COMMISSION.0, COMMISSION.1).await?;
    let p = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;
    let a = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let url = format!("/api/v1/standard-settings/{id}");
    let view = e.get(&url).await?;
    assert_eq!(view.status, 200, "{}", view.text);
    assert_eq!(view.body["judge"], true);
    assert_eq!(view.body["facilitator"], false);
    assert!(
        view.body["items"][0]["correct"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    // Round one is rated from the items alone: no statistics for judges yet (the
    // facilitator has them).
    assert!(
        view.body["items"][0]["b"].is_null(),
        "{}",
        view.body["items"][0]
    );
    let mine = m.get(&url).await?;
    assert!(mine.body["items"][0]["b"].is_number(), "{}", mine.text);
    assert_eq!(p.get(&url).await?.status, 403);
    assert_eq!(a.get(&url).await?.status, 403);
    assert_eq!(
        p.get("/api/v1/standard-settings").await?.body,
        json!([]),
        "a proctor judges in no workshop"
    );
    assert_eq!(
        e.get("/api/v1/standard-settings")
            .await?
            .body
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Bad ratings change nothing.
    let rate = format!("{url}/ratings");
    let r = e.put(&rate, &json!({"ratings": [[ids[0], 1.5]]})).await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = e.put(&rate, &json!({"ratings": [["nope.1", 0.5]]})).await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = m.put(&rate, &all_at(&view.body, 0.5)).await?;
    assert_eq!(r.status, 403, "the facilitator is no judge: {}", r.text);
    // No round can close before a judge has rated every item.
    assert_eq!(
        m.post(&format!("{url}/rounds"), &json!({})).await?.status,
        409
    );

    // Round 1: the expert says 60%, the commission member 70%.
    assert_eq!(e.put(&rate, &all_at(&view.body, 0.6)).await?.status, 200);
    let r = c.put(&rate, &all_at(&view.body, 0.7)).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let round1 = &r.body["rounds"][0];
    assert_eq!(round1["judges_complete"], 2);
    let cut1 = round1["percent"].as_f64().unwrap_or(0.0);
    assert!((cut1 - 65.0).abs() < 1e-6, "{round1}");
    // SE: judge cuts 18 and 21 of 30, SD 2.12, SE 1.5.
    assert!(
        (round1["se"].as_f64().unwrap_or(0.0) - 1.5).abs() < 1e-6,
        "{round1}"
    );
    let theta1 = round1["theta"].as_f64().expect("every item is calibrated");

    // Round 2: judges see the panel's ratings and the items at the panel's cut.
    let r = m.post(&format!("{url}/rounds"), &json!({})).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["round"], 2);
    assert_eq!(
        r.body["judges"].as_array().map(Vec::len),
        Some(2),
        "the facilitator follows the judges"
    );
    let v2 = e.get(&url).await?.body;
    let first = &v2["items"][0];
    assert!(
        (first["previous_mean"].as_f64().unwrap_or(0.0) - 0.65).abs() < 1e-9,
        "{first}"
    );
    assert!((first["previous_mine"].as_f64().unwrap_or(0.0) - 0.6).abs() < 1e-9);
    assert!((first["previous_min"].as_f64().unwrap_or(0.0) - 0.6).abs() < 1e-9);
    assert!((first["previous_max"].as_f64().unwrap_or(0.0) - 0.7).abs() < 1e-9);
    let item0 = first["item_id"].as_str().unwrap_or_default();
    let (a0, b0) = params[item0];
    let expect_p = 1.0 / (1.0 + (-a0 * (theta1 - b0)).exp());
    assert!(
        (first["p_at_cut"].as_f64().unwrap_or(0.0) - expect_p).abs() < 1e-6,
        "{first}"
    );
    assert!(first["mine"].is_null(), "round 2 starts empty");
    assert!(
        (first["b"].as_f64().unwrap_or(99.0) - b0).abs() < 1e-9,
        "statistics from round 2: {first}"
    );
    assert_eq!(e.put(&rate, &all_at(&v2, 0.62)).await?.status, 200);
    let r = c.put(&rate, &all_at(&v2, 0.66)).await?;
    let round2 = &r.body["rounds"][1];
    assert!(
        (round2["percent"].as_f64().unwrap_or(0.0) - 64.0).abs() < 1e-6,
        "{round2}"
    );
    let theta2 = round2["theta"].as_f64().expect("theta");

    // Adopt: the blueprint's pass mark and its standard on the ability scale.
    let r = m.post(&format!("{url}/adopt"), &json!({})).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "adopted");
    assert_eq!(r.body["adopted"]["round"], 2);
    let bp = m.get("/api/v1/blueprints/stage1-2026").await?.body["blueprint"].clone();
    assert_eq!(bp["pass_percent"], 64.0);
    let cut_theta = bp["cut_theta"].as_f64().expect("cut_theta");
    assert!((cut_theta - theta2).abs() < 0.001);
    // Closed to changes now.
    assert_eq!(e.put(&rate, &all_at(&v2, 0.5)).await?.status, 409);
    assert_eq!(
        m.post(&format!("{url}/adopt"), &json!({})).await?.status,
        409
    );
    assert_eq!(
        m.post(&format!("{url}/rounds"), &json!({})).await?.status,
        409
    );

    // Every applicant's form carries its own pass mark: the expected score at the cut on
    // that form's items.
    let mut marks = Vec::new();
    for who in [APPLICANT, APPLICANT2, APPLICANT3] {
        let api = Api::login(&server.base, who.0, who.1).await?;
        let start = api
            .post("/api/v1/attempts", &json!({"language": "ru"}))
            .await?;
        assert_eq!(start.status, 200, "{}", start.text);
        let attempt = start.body["id"].as_str().unwrap_or_default().to_string();
        let items = item_ids(&start.body);
        let expected = 100.0
            * items
                .iter()
                .map(|i| {
                    let (a, b) = params[i];
                    1.0 / (1.0 + (-a * (cut_theta - b)).exp())
                })
                .sum::<f64>()
            / items.len() as f64;
        let done = api
            .post(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}))
            .await?;
        assert_eq!(done.status, 200, "{}", done.text);
        let result = api
            .get(&format!("/api/v1/attempts/{attempt}/result"))
            .await?;
        assert_eq!(result.status, 200, "{}", result.text);
        let mark = result.body["pass_percent"].as_f64().unwrap_or(0.0);
        assert!(
            (mark - (expected * 10.0).round() / 10.0).abs() < 0.051,
            "{who:?}: pass mark {mark}, expected {expected}"
        );
        assert_eq!(result.body["passed"], false);
        marks.push(mark);
    }
    eprintln!("carried pass marks: {marks:?} (panel's 64.0 on the reference form)");
    Ok(())
}

/// The workshop in the browser: a judge rates every item on the page and sees the panel's
/// cut; the facilitator sees the judges' progress and adopts the cut.
#[tokio::test]
async fn judges_rate_and_the_facilitator_adopts_on_the_workshop_page() -> anyhow::Result<()> {
    use crate::a11y::{axe_source, serious_violations};
    use fantoccini::Locator;
    let axe = axe_source()?;
    let mut found = Vec::new();
    let server = TestServer::start(Db::from_env()).await?;
    let m = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let r = m
        .post(
            "/api/v1/standard-settings",
            &json!({"blueprint_id": "stage1-2026", "name": "Panel A", "judges": [EXPERT.0], "seed": 5}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let page = server.url(&format!("/standards/{id}"));

    let judge = Browser::start().await?;
    let c = &judge.client;
    let wait = || c.wait().at_most(std::time::Duration::from_secs(20));
    judge.sign_in(&server.base, EXPERT).await?;
    judge.open(&server.url("/standards")).await?;
    wait().for_element(Locator::Css("#workshops")).await?;
    found.extend(serious_violations(c, &axe, "/standards").await?);
    wait()
        .for_element(Locator::Css("#workshops tbody tr a"))
        .await?
        .click()
        .await?;
    wait()
        .for_element(Locator::Css("#ss-ratings input.rating"))
        .await?;
    judge.open(&page).await?;
    let inputs = wait()
        .for_element(Locator::Css("#ss-ratings"))
        .await?
        .find_all(Locator::Css("input.rating"))
        .await?;
    assert_eq!(inputs.len(), 30);
    found.extend(serious_violations(c, &axe, "/standards/{id} (judge)").await?);
    // A rating out of range is refused on the page, nothing saved.
    inputs[0].send_keys("150").await?;
    c.find(Locator::Css("#ss-save")).await?.click().await?;
    let msg = wait()
        .for_element(Locator::Css("#ss-message.alert"))
        .await?;
    assert!(!msg.text().await?.is_empty());
    inputs[0].clear().await?;
    for input in &inputs {
        input.send_keys("60").await?;
    }
    c.find(Locator::Css("#ss-save")).await?.click().await?;
    wait()
        .for_element(Locator::Css("#ss-message.notice"))
        .await?;
    let cut = wait()
        .for_element(Locator::Css("#ss-rounds tr[data-round='1'] td.cut"))
        .await?
        .text()
        .await?;
    assert!(cut.starts_with("60"), "{cut}");
    judge.close().await?;

    let facilitator = Browser::start().await?;
    let c = &facilitator.client;
    let wait = || c.wait().at_most(std::time::Duration::from_secs(20));
    facilitator.sign_in(&server.base, METHODOLOGIST).await?;
    facilitator.open(&page).await?;
    let progress = wait()
        .for_element(Locator::Css("#ss-progress li"))
        .await?
        .text()
        .await?;
    assert!(progress.contains("30 / 30"), "{progress}");
    found.extend(serious_violations(c, &axe, "/standards/{id} (facilitator)").await?);
    c.find(Locator::Css("#ss-adopt")).await?.click().await?;
    let adopted = wait()
        .for_element(Locator::Css("#ss-adopted"))
        .await?
        .text()
        .await?;
    assert!(adopted.contains("60"), "{adopted}");
    let bp = m.get("/api/v1/blueprints/stage1-2026").await?.body["blueprint"].clone();
    assert_eq!(bp["pass_percent"], 60.0);
    assert!(
        bp["cut_theta"].is_null(),
        "no calibrated items: no ability standard"
    );
    facilitator.close().await?;
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
    Ok(())
}
