//! Every item type delivered, saved and scored; key corrections and re-scoring; blueprints
//! through the API and the command line. On SQLite and PostgreSQL where the store matters.

use qabilet_tests::*;
use serde_json::{Value, json};

fn items(attempt: &Value) -> Vec<Value> {
    attempt["items"].as_array().cloned().unwrap_or_default()
}

async fn save(
    api: &Api,
    attempt: &str,
    item: &str,
    seq: i64,
    answer: Value,
) -> anyhow::Result<Reply> {
    api.put(
        &format!("/api/v1/attempts/{attempt}/responses/{item}"),
        &json!({"seq": seq, "answer": answer}),
    )
    .await
}

/// Starts the all-types test and answers every item right, except the items in `wrong`,
/// which get the given answers instead.
async fn take(api: &Api, wrong: &[(&str, Value)]) -> anyhow::Result<(String, Vec<Value>)> {
    let r = api
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let list = items(&r.body);
    for (n, it) in list.iter().enumerate() {
        let item_id = it["item_id"].as_str().unwrap_or_default();
        let answer = match wrong.iter().find(|(w, _)| *w == item_id) {
            Some((_, a)) => a.clone(),
            None => seven::right_answer(it)?,
        };
        let r = save(api, &id, item_id, n as i64 + 1, answer).await?;
        assert_eq!(r.status, 200, "{item_id}: {}", r.text);
    }
    Ok((id, list))
}

async fn every_type(db: Db) -> anyhow::Result<()> {
    let server = TestServer::start(db).await?;
    let m1 = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let m2 = Api::login(&server.base, METHODOLOGIST2.0, METHODOLOGIST2.1).await?;
    seven::set_up(&m1, &m2, 80.0).await?;
    let api = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;

    // The form holds the seven types; no key reaches the applicant.
    let r = api
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let list = items(&r.body);
    let mut kinds: Vec<&str> = list.iter().filter_map(|i| i["kind"].as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "matching",
            "multiple_response",
            "numeric",
            "ordering",
            "short_text",
            "single_choice",
            "true_false"
        ]
    );
    for needle in [
        "\"correct\"",
        "\"accepted\"",
        "\"pairs\"",
        "tolerance",
        "Абай",
        "rationale",
    ] {
        assert!(!r.text.contains(needle), "{needle} leaked to the applicant");
    }
    let by_id = |id: &str| {
        list.iter()
            .find(|i| i["item_id"] == id)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        by_id("t-match")["matches"].as_array().map(Vec::len),
        Some(4)
    );
    assert_eq!(
        by_id("t-order")["options"].as_array().map(Vec::len),
        Some(4)
    );
    assert_eq!(by_id("t-tf")["options"].as_array().map(Vec::len), Some(0));

    // Answers that do not fit the item are refused with a clear message and change nothing.
    let bad = [
        ("t-single", json!({"type": "choice", "value": 3})),
        ("t-single", json!({"type": "text", "value": "x"})),
        ("t-multi", json!({"type": "choices", "value": [0, 9]})),
        ("t-match", json!({"type": "pairs", "value": [0, 1]})),
        ("t-order", json!({"type": "order", "value": [0, 0, 1, 2]})),
        ("t-text", json!({"type": "text", "value": "я".repeat(501)})),
        ("t-num", json!({"type": "number", "value": "2.5"})),
    ];
    for (item, answer) in bad {
        let r = save(&api, &id, item, 1, answer.clone()).await?;
        assert!(
            matches!(r.status, 400 | 422),
            "{item} {answer}: {} {}",
            r.status,
            r.text
        );
        assert!(!r.body["message"].as_str().unwrap_or_default().is_empty());
    }
    let view = api.get(&format!("/api/v1/attempts/{id}")).await?;
    assert_eq!(
        view.body["answers"].as_array().map(Vec::len),
        Some(0),
        "nothing stored"
    );

    // Right answers to six; one of the two right choices of the multiple-response item
    // (half credit): 6.5 of 7 points.
    let mut seq = 0;
    let mut sent = std::collections::HashMap::new();
    for it in &list {
        seq += 1;
        let item_id = it["item_id"].as_str().unwrap_or_default().to_string();
        let mut answer = seven::right_answer(it)?;
        if item_id == "t-multi" {
            let first = answer["value"][0].clone();
            answer = json!({"type": "choices", "value": [first]});
        }
        let r = save(&api, &id, &item_id, seq, answer.clone()).await?;
        assert_eq!(r.status, 200, "{item_id}: {}", r.text);
        sent.insert(item_id, answer);
    }
    // What was saved comes back as it was sent.
    let view = api.get(&format!("/api/v1/attempts/{id}")).await?;
    for a in view.body["answers"].as_array().cloned().unwrap_or_default() {
        let item_id = a["item_id"].as_str().unwrap_or_default();
        let mut want = sent[item_id].clone();
        if item_id == "t-text" {
            want = json!({"type": "text", "value": "  абай "});
        }
        assert_eq!(a["answer"], want, "{item_id}");
    }
    let r = api
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["points"], 6.5);
    assert_eq!(r.body["max_points"], 7.0);
    assert_eq!(r.body["percent"], 92.9);
    assert_eq!(r.body["correct"], 6);
    assert_eq!(r.body["passed"], true);
    Ok(())
}

#[tokio::test]
async fn every_item_type_is_delivered_saved_and_scored_on_sqlite() -> anyhow::Result<()> {
    every_type(Db::Sqlite).await
}

#[tokio::test]
async fn every_item_type_is_delivered_saved_and_scored_on_postgres() -> anyhow::Result<()> {
    every_type(Db::Postgres).await
}

async fn key_correction(db: Db) -> anyhow::Result<()> {
    let server = TestServer::start(db).await?;
    let m1 = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let m2 = Api::login(&server.base, METHODOLOGIST2.0, METHODOLOGIST2.1).await?;
    seven::set_up(&m1, &m2, 90.0).await?;

    // A answers everything right; B picks "неверный-1" on the single choice.
    let a = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let b = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let (a_id, _) = take(&a, &[]).await?;
    let (b_id, b_items) = {
        let r = b
            .post("/api/v1/attempts", &json!({"language": "ru"}))
            .await?;
        let single = items(&r.body)
            .into_iter()
            .find(|i| i["item_id"] == "t-single")
            .unwrap_or_default();
        let wrong = single["options"]
            .as_array()
            .and_then(|o| o.iter().position(|t| t == "неверный-1"))
            .unwrap_or(0);
        take(
            &b,
            &[("t-single", json!({"type": "choice", "value": wrong}))],
        )
        .await?
    };
    assert_eq!(b_items.len(), 7);
    for (api, id) in [(&a, &a_id), (&b, &b_id)] {
        let r = api
            .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let result = |api: &Api, id: &str| {
        let path = format!("/api/v1/attempts/{id}/result");
        let api = api.clone();
        async move { api.get(&path).await }
    };
    assert_eq!(result(&a, &a_id).await?.body["passed"], true);
    assert_eq!(result(&b, &b_id).await?.body["percent"], 85.7);
    assert_eq!(result(&b, &b_id).await?.body["passed"], false);

    // Refusals: an applicant may not correct keys; a reason is required; the key must fit.
    let path = "/api/v1/bank/items/t-single/versions/1/key";
    let fix = json!({"key": {"type": "single_choice", "correct": 0}, "reason": "Вариант 1 верен по приказу № 12"});
    let r = a.post(path, &fix).await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = m1
        .post(
            path,
            &json!({"key": {"type": "single_choice", "correct": 0}, "reason": " "}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = m1
        .post(
            path,
            &json!({"key": {"type": "single_choice", "correct": 7}, "reason": "x"}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = m1
        .post(
            path,
            &json!({"key": {"type": "true_false", "answer": true}, "reason": "x"}),
        )
        .await?;
    assert_eq!(r.status, 422, "a key of another type: {}", r.text);
    let r = m1
        .post("/api/v1/bank/items/t-single/versions/9/key", &fix)
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);

    // The correction: option 0 was right after all. Both attempts are re-scored; A now
    // fails, B now passes.
    let r = m1.post(path, &fix).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["attempts_rescored"], 2);
    let changes = r.body["changes"].as_array().cloned().unwrap_or_default();
    assert_eq!(changes.len(), 2, "{}", r.text);
    let of = |email: &str| {
        changes
            .iter()
            .find(|c| c["applicant_email"] == email)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(of(APPLICANT.0)["old_passed"], true);
    assert_eq!(of(APPLICANT.0)["new_passed"], false);
    assert_eq!(of(APPLICANT.0)["new_percent"], 85.7);
    assert_eq!(of(APPLICANT2.0)["old_passed"], false);
    assert_eq!(of(APPLICANT2.0)["new_passed"], true);
    assert_eq!(of(APPLICANT2.0)["new_percent"], 100.0);

    // Staff see the list; the results and stage one follow; the audit log has it.
    let listed = m1
        .get(&format!(
            "/api/v1/score-changes?blueprint={}",
            seven::BLUEPRINT
        ))
        .await?;
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(2),
        "{}",
        listed.text
    );
    assert_eq!(a.get("/api/v1/score-changes").await?.status, 403);
    assert_eq!(result(&a, &a_id).await?.body["passed"], false);
    assert_eq!(result(&b, &b_id).await?.body["passed"], true);
    let stages = b.get("/api/v1/dashboard").await?;
    assert_eq!(
        stages.body["stages"][0]["status"], "passed",
        "{}",
        stages.text
    );
    let history = m1.get("/api/v1/bank/items/t-single/history").await?;
    assert!(history.text.contains("key_corrected"), "{}", history.text);
    assert!(history.text.contains("приказу № 12"));
    let item = m1.get("/api/v1/bank/items/t-single").await?;
    assert_eq!(item.body["item"]["key"]["correct"], 0);

    // Re-scoring again changes nothing, from the API and from the command line.
    let r = m1
        .post(
            &format!("/api/v1/blueprints/{}/rescore", seven::BLUEPRINT),
            &json!({}),
        )
        .await?;
    assert_eq!(r.body["attempts_rescored"], 2, "{}", r.text);
    assert_eq!(r.body["changes"].as_array().map(Vec::len), Some(0));
    let out = server.cli(&["rescore", "--blueprint", seven::BLUEPRINT], None)?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(printed["attempts_rescored"], 2);
    Ok(())
}

#[tokio::test]
async fn a_key_correction_rescores_and_lists_pass_fail_changes_on_sqlite() -> anyhow::Result<()> {
    key_correction(Db::Sqlite).await
}

#[tokio::test]
async fn a_key_correction_rescores_and_lists_pass_fail_changes_on_postgres() -> anyhow::Result<()> {
    key_correction(Db::Postgres).await
}

/// Blueprints through the API: validation, the check against the bank, activation,
/// accommodations, languages, linear navigation and withheld results.
#[tokio::test]
async fn blueprints_are_checked_and_their_settings_hold() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let m1 = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let applicant = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;

    assert_eq!(applicant.get("/api/v1/blueprints").await?.status, 403);
    let list = m1.get("/api/v1/blueprints").await?;
    assert_eq!(list.body[0]["active"], true, "{}", list.text);
    let demo = m1.get("/api/v1/blueprints/stage1-2026").await?;
    assert_eq!(demo.status, 200, "{}", demo.text);
    let mut bp = demo.body["blueprint"].clone();

    // Invalid settings are refused with the reason; nothing changes.
    let mut broken = bp.clone();
    broken["max_exposure"] = json!(0);
    let r = m1.put("/api/v1/blueprints/stage1-2026", &broken).await?;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("exposure"), "{}", r.text);
    let mut broken = bp.clone();
    broken["sections"][0]["competency"] = json!("no-such-thing");
    assert_eq!(
        m1.put("/api/v1/blueprints/stage1-2026", &broken)
            .await?
            .status,
        422
    );
    assert_eq!(
        m1.put("/api/v1/blueprints/other-id", &bp).await?.status,
        422
    );

    // The check names the short cell and the shortfall: the demo bank has 10 items per
    // competency, 2-4 of each level.
    let mut greedy = bp.clone();
    greedy["sections"][0]["count"] = json!(0);
    greedy["sections"][0]["hard"] = json!(9);
    let r = m1
        .post("/api/v1/blueprints/check", &json!({"blueprint": greedy}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["ok"], false);
    let short = &r.body["shortages"][0];
    assert_eq!(short["difficulty"], "hard", "{}", r.text);
    assert_eq!(short["needed"], 9);
    assert!(short["available"].as_u64().unwrap_or(99) < 9);
    assert!(
        r.body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("short")
    );
    let fine = m1
        .post(
            "/api/v1/blueprints/check",
            &json!({"blueprint": bp, "forms": 500}),
        )
        .await?;
    assert_eq!(fine.body["ok"], true, "{}", fine.text);
    assert_eq!(fine.body["fairness"]["forms"], 500);
    assert!(
        fine.body["fairness"]["spread_points"]
            .as_f64()
            .unwrap_or(99.0)
            <= 2.0
    );

    // A blueprint the bank cannot fill cannot be activated.
    let mut big = greedy.clone();
    big["id"] = json!("too-hard");
    assert_eq!(
        m1.put("/api/v1/blueprints/too-hard", &big).await?.status,
        200
    );
    let r = m1
        .post(
            "/api/v1/blueprints/too-hard/activate",
            &json!({"active": true}),
        )
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);

    // Settings that reach the applicant: extra time, languages, linear navigation, results
    // withheld until released.
    bp["accommodations"] = json!([{"applicant": APPLICANT.0, "extra_percent": 50}]);
    bp["navigation"] = json!("linear");
    bp["results"] = json!("withheld");
    bp["languages"] = json!(["ru"]);
    let r = m1.put("/api/v1/blueprints/stage1-2026", &bp).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = applicant
        .post("/api/v1/attempts", &json!({"language": "en"}))
        .await?;
    assert_eq!(r.status, 422, "English is not offered: {}", r.text);
    let dash = applicant.get("/api/v1/dashboard").await?;
    assert_eq!(dash.body["test"]["languages"], json!(["ru"]));
    let r = applicant
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let attempt = r.body;
    let limit =
        attempt["deadline_ms"].as_i64().unwrap_or(0) - attempt["started_ms"].as_i64().unwrap_or(0);
    assert_eq!(limit, 60 * 60_000, "40 minutes + 50%");
    assert_eq!(attempt["navigation"], "linear");
    let id = attempt["id"].as_str().unwrap_or_default();
    let list = items(&attempt);
    let first = list[0]["item_id"].as_str().unwrap_or_default();
    let third = list[2]["item_id"].as_str().unwrap_or_default();
    let pick = json!({"type": "choice", "value": 0});
    assert_eq!(
        save(&applicant, id, first, 1, pick.clone()).await?.status,
        200
    );
    assert_eq!(
        save(&applicant, id, third, 2, pick.clone()).await?.status,
        200
    );
    let back = save(
        &applicant,
        id,
        first,
        3,
        json!({"type": "choice", "value": 1}),
    )
    .await?;
    assert_eq!(back.status, 409, "linear: no going back: {}", back.text);
    let r = applicant
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["withheld"], true);
    assert_eq!(r.body["percent"], 0.0);
    assert_eq!(r.body["by_competency"], json!([]));
    bp["results_released"] = json!(true);
    m1.put("/api/v1/blueprints/stage1-2026", &bp).await?;
    let r = applicant
        .get(&format!("/api/v1/attempts/{id}/result"))
        .await?;
    assert_eq!(r.body["withheld"], false);
    assert_eq!(r.body["answered"], 2);

    // Another applicant gets the ordinary time.
    let other = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let r = other
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    let limit =
        r.body["deadline_ms"].as_i64().unwrap_or(0) - r.body["started_ms"].as_i64().unwrap_or(0);
    assert_eq!(limit, 40 * 60_000);
    Ok(())
}

/// `qabilet assemble` prints the forms and the fairness summary; the same seed gives the same
/// forms, another seed others; exposure stays under the blueprint's maximum.
#[tokio::test]
async fn the_assemble_command_prints_fair_reproducible_forms() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let m1 = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let mut bp = m1.get("/api/v1/blueprints/stage1-2026").await?.body["blueprint"].clone();
    bp["max_exposure"] = json!(0.6);
    bp["enemies"] = json!([["strategic-vision.01", "strategic-vision.02"]]);
    assert_eq!(
        m1.put("/api/v1/blueprints/stage1-2026", &bp).await?.status,
        200
    );
    let run = |seed: &str| {
        server.cli(
            &[
                "assemble",
                "--blueprint",
                "stage1-2026",
                "--count",
                "200",
                "--seed",
                seed,
            ],
            None,
        )
    };
    let out = run("7")?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a: Value = serde_json::from_slice(&out.stdout)?;
    let forms = a["forms"].as_array().cloned().unwrap_or_default();
    assert_eq!(forms.len(), 200);
    for f in &forms {
        let ids: Vec<&str> = f["items"]
            .as_array()
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert_eq!(ids.len(), 30);
        assert!(
            !(ids.contains(&"strategic-vision.01") && ids.contains(&"strategic-vision.02")),
            "enemies met"
        );
        assert!(f["expected_percent"].as_f64().is_some());
    }
    let fair = &a["fairness"];
    assert_eq!(fair["forms"], 200);
    assert!(
        fair["max_exposure"].as_f64().unwrap_or(1.0) <= 0.6 + 1.0 / 200.0,
        "{fair}"
    );
    assert!(
        fair["spread_points"].as_f64().unwrap_or(99.0) <= 2.0,
        "{fair}"
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&run("7")?.stdout)?,
        a,
        "same seed, same forms"
    );
    let other: Value = serde_json::from_slice(&run("8")?.stdout)?;
    assert_ne!(other["forms"], a["forms"]);
    let out = server.cli(&["assemble", "--blueprint", "nope", "--count", "2"], None)?;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("blueprint"));
    Ok(())
}

/// Once items have been answered often enough, their observed p-values replace the a-priori
/// level in form assembly: the blueprint's target expected score follows the data.
#[tokio::test]
async fn observed_p_values_replace_the_prior_once_there_are_data() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let m1 = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let m2 = Api::login(&server.base, METHODOLOGIST2.0, METHODOLOGIST2.1).await?;
    seven::set_up(&m1, &m2, 50.0).await?;
    let bp = m1
        .get(&format!("/api/v1/blueprints/{}", seven::BLUEPRINT))
        .await?
        .body["blueprint"]
        .clone();
    let target = |m1: Api, bp: Value| async move {
        let r = m1
            .post(
                "/api/v1/blueprints/check",
                &json!({"blueprint": bp, "forms": 10}),
            )
            .await?;
        anyhow::Ok(
            r.body["fairness"]["target_percent"]
                .as_f64()
                .unwrap_or(-1.0),
        )
    };
    // Medium items: 60% expected a priori.
    assert_eq!(target(m1.clone(), bp.clone()).await?, 60.0);

    // Thirty applicants get only the true/false item right.
    server.add_applicants("pv", 30, "pvalue-pass-1")?;
    for n in 1..=30 {
        let api = Api::login(&server.base, &format!("pv-{n}@load.test"), "pvalue-pass-1").await?;
        let r = api
            .post("/api/v1/attempts", &json!({"language": "ru"}))
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
        let id = r.body["id"].as_str().unwrap_or_default().to_string();
        let saved = save(&api, &id, "t-tf", 1, json!({"type": "bool", "value": true})).await?;
        assert_eq!(saved.status, 200, "{}", saved.text);
        let done = api
            .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
            .await?;
        assert_eq!(done.body["percent"], 14.3, "{}", done.text);
    }
    // p = 1 for one item and 0 for six: the target is 1/7.
    assert_eq!(target(m1.clone(), bp).await?, 14.29);
    Ok(())
}
