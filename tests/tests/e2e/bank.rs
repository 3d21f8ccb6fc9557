//! The question bank through the REST API and the command line: lifecycle with four-eyes
//! review, versions and history, bulk actions, import (dry run, errors, skipped types) and
//! export, and a published item reaching an attempt.

use qabilet_tests::*;
use serde_json::{Value, json};

fn item(id: &str, competency: &str, correct: usize) -> Value {
    let text = |ru: &str, en: &str, kk: &str| json!({"ru": ru, "en": en, "kk": kk});
    json!({
        "id": id,
        "version": 1,
        "competency": competency,
        "difficulty": "medium",
        "stem": text("Что **главное**?", "What **matters** most?", "Ең **маңыздысы** не?"),
        "options": [
            text("Видение", "Vision", "Көзқарас"),
            text("Бюджет", "Budget", "Бюджет "),
            text("Расписание", "Timetable", "Кесте"),
            text("Ремонт", "Repairs", "Жөндеу"),
        ],
        "key": {"type": "single_choice", "correct": correct},
        "rationale": {"en": "Vision leads."},
        "meta": {"tags": ["pilot"], "author": "Test", "source": "e2e", "expected_seconds": 60}
    })
}

async fn lifecycle(db: Db) -> anyhow::Result<()> {
    let server = TestServer::start(db).await?;
    let m1 = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let m2 = Api::login(&server.base, METHODOLOGIST2.0, METHODOLOGIST2.1).await?;
    let applicant = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;

    // Candidates have no access to the bank.
    assert_eq!(applicant.get("/api/v1/bank/items").await?.status, 403);
    assert_eq!(
        applicant
            .get("/api/v1/bank/items/strategic-vision.01")
            .await?
            .status,
        403
    );

    // Inline validation: the messages name the problem.
    let mut bad = item("new-1", "strategic-vision", 7);
    let r = m1.post("/api/v1/bank/items", &json!({"item": bad})).await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("only 4 options"),
        "{}",
        r.text
    );
    bad = item("new-1", "no-such-competency", 0);
    let r = m1.post("/api/v1/bank/items", &json!({"item": bad})).await?;
    assert_eq!(r.status, 422);
    let r = m1
        .post("/api/v1/bank/items", &json!({"item": "not an item"}))
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);

    // Create: a draft, complete in three languages.
    let created = m1
        .post(
            "/api/v1/bank/items",
            &json!({"item": item("new-1", "strategic-vision", 0)}),
        )
        .await?;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.body["status"], "draft");
    assert_eq!(created.body["key_text"], "option 1");
    let complete: Vec<bool> = created.body["completeness"]
        .as_array()
        .map(|v| v.iter().map(|c| c["done"] == c["total"]).collect())
        .unwrap_or_default();
    assert_eq!(complete, [true, true, true]);
    let again = m1
        .post(
            "/api/v1/bank/items",
            &json!({"item": item("new-1", "strategic-vision", 0)}),
        )
        .await?;
    assert_eq!(again.status, 409);

    // Review: not by its author (four eyes); comments are required to send back.
    assert_eq!(
        m1.post("/api/v1/bank/items/new-1/submit", &json!({}))
            .await?
            .status,
        200
    );
    let own = m1
        .post("/api/v1/bank/items/new-1/review", &json!({"approve": true}))
        .await?;
    assert_eq!(own.status, 403, "{}", own.text);
    assert!(
        own.body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Four eyes")
    );
    let no_comment = m2
        .post(
            "/api/v1/bank/items/new-1/review",
            &json!({"approve": false}),
        )
        .await?;
    assert_eq!(no_comment.status, 422);
    let back = m2
        .post(
            "/api/v1/bank/items/new-1/review",
            &json!({"approve": false, "comment": "Option 2 in Kazakh has a trailing space"}),
        )
        .await?;
    assert_eq!(back.body["status"], "draft");
    let doc = m1.get("/api/v1/bank/items/new-1").await?;
    let mut fixed = doc.body["item"].clone();
    fixed["options"][1]["kk"] = json!("Бюджет");
    let stale = m1
        .put(
            "/api/v1/bank/items/new-1",
            &json!({"item": fixed, "expected_updated_ms": 1}),
        )
        .await?;
    assert_eq!(stale.status, 409, "a stale edit is refused: {}", stale.text);
    let edited = m1
        .put(
            "/api/v1/bank/items/new-1",
            &json!({"item": fixed, "expected_updated_ms": doc.body["updated_ms"]}),
        )
        .await?;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(
        edited.body["item"]["version"], 1,
        "a draft is edited in place"
    );
    m1.post("/api/v1/bank/items/new-1/submit", &json!({}))
        .await?;
    let published = m2
        .post(
            "/api/v1/bank/items/new-1/review",
            &json!({"approve": true, "comment": "ok"}),
        )
        .await?;
    assert_eq!(published.body["status"], "published", "{}", published.text);
    assert_eq!(published.body["published_version"], 1);

    // Editing a published item makes version 2; version 1 stays published meanwhile.
    let mut v2 = published.body["item"].clone();
    v2["key"] = json!({"type": "single_choice", "correct": 2});
    v2["stem"]["en"] = json!("What matters **first**?");
    let r = m2
        .put("/api/v1/bank/items/new-1", &json!({"item": v2}))
        .await?;
    assert_eq!(r.body["item"]["version"], 2, "{}", r.text);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["published_version"], 1);
    // m2 made version 2, so m2 may not review it; m1 may.
    m2.post("/api/v1/bank/items/new-1/submit", &json!({}))
        .await?;
    assert_eq!(
        m2.post("/api/v1/bank/items/new-1/review", &json!({"approve": true}))
            .await?
            .status,
        403
    );
    let r = m1
        .post("/api/v1/bank/items/new-1/review", &json!({"approve": true}))
        .await?;
    assert_eq!(r.body["published_version"], 2, "{}", r.text);

    // History: versions with a readable diff, and the audit log.
    let h = m1.get("/api/v1/bank/items/new-1/history").await?;
    let versions = h.body["versions"].as_array().cloned().unwrap_or_default();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["status"], "superseded");
    let fields: Vec<&str> = versions[1]["changes"]
        .as_array()
        .map(|v| v.iter().filter_map(|c| c["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(fields, ["stem (en)", "key"], "{}", h.text);
    assert_eq!(versions[1]["changes"][1]["after"], "option 3");
    let actions: Vec<&str> = h.body["audit"]
        .as_array()
        .map(|v| v.iter().filter_map(|a| a["action"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        actions,
        [
            "created",
            "sent_to_review",
            "changes_requested",
            "edited",
            "sent_to_review",
            "approved",
            "new_version",
            "sent_to_review",
            "approved"
        ]
    );
    assert!(
        h.text.contains("trailing space"),
        "review comments are kept"
    );

    // Restore version 1: a new draft with its content.
    let r = m1
        .post("/api/v1/bank/items/new-1/restore/1", &json!({}))
        .await?;
    assert_eq!(r.body["item"]["version"], 3, "{}", r.text);
    assert_eq!(r.body["key_text"], "option 1");
    assert_eq!(r.body["published_version"], 2);

    // The list: filters, search, sort, pages.
    // Kazakh, upper case in the query: search is case-insensitive beyond ASCII.
    let page = m1.get("/api/v1/bank/items?q=%D0%95%D2%A2%20%D0%BC%D0%B0%D2%A3%D1%8B%D0%B7%D0%B4%D1%8B%D1%81%D1%8B&per_page=5").await?;
    assert_eq!(page.body["total"], 1, "{}", page.text);
    let page = m1
        .get("/api/v1/bank/items?competency=strategic-vision&status=published&sort=updated_at&descending=true&per_page=3&page=2")
        .await?;
    assert_eq!(page.body["total"], 10, "{}", page.text);
    assert_eq!(page.body["rows"].as_array().map(Vec::len), Some(3));
    let page = m1
        .get("/api/v1/bank/items?missing_in=kk&per_page=200")
        .await?;
    assert_eq!(
        page.body["total"], 0,
        "the demo bank and these items are complete in Kazakh: {}",
        page.text
    );
    let page = m1
        .get("/api/v1/bank/items?missing_in=ru&per_page=200")
        .await?;
    assert_eq!(page.body["total"], 0, "{}", page.text);
    let page = m1
        .get("/api/v1/bank/items?q=%D0%B2%D0%B8%D0%B4%D0%B5%D0%BD%D0%B8%D0%B5")
        .await?;
    assert!(
        page.body["total"].as_i64().unwrap_or(0) >= 1,
        "Cyrillic search: {}",
        page.text
    );
    assert_eq!(
        m1.get("/api/v1/bank/items?sort=password").await?.status,
        422
    );

    // Bulk: tag, retire; refusals are per item.
    let r = m1
        .post(
            "/api/v1/bank/bulk",
            &json!({"item_ids": ["strategic-vision.01", "strategic-vision.02", "nope"], "action": "tag", "tag": "2026"}),
        )
        .await?;
    assert_eq!(
        r.body["done"].as_array().map(Vec::len),
        Some(2),
        "{}",
        r.text
    );
    assert_eq!(r.body["refused"][0]["item_id"], "nope");
    let tagged = m1.get("/api/v1/bank/items?tag=2026").await?;
    assert_eq!(tagged.body["total"], 2);
    let r = m1
        .post(
            "/api/v1/bank/bulk",
            &json!({"item_ids": ["strategic-vision.01"], "action": "retire"}),
        )
        .await?;
    assert_eq!(r.body["done"][0], "strategic-vision.01", "{}", r.text);
    let d = m1.get("/api/v1/bank/items/strategic-vision.01").await?;
    assert_eq!(d.body["status"], "retired");
    assert!(d.body["published_version"].is_null());
    Ok(())
}

#[tokio::test]
async fn methodologists_keep_the_bank_on_sqlite() -> anyhow::Result<()> {
    lifecycle(Db::Sqlite).await
}

#[tokio::test]
async fn methodologists_keep_the_bank_on_postgres() -> anyhow::Result<()> {
    lifecycle(Db::Postgres).await
}

/// A newly published item is drawn: the other items of its competency are retired, so the
/// blueprint's five draws from that competency must include it.
#[tokio::test]
async fn a_published_item_reaches_an_attempt() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let m1 = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let m2 = Api::login(&server.base, METHODOLOGIST2.0, METHODOLOGIST2.1).await?;
    let r = m1
        .post(
            "/api/v1/bank/items",
            &json!({"item": item("fresh-1", "strategic-vision", 0)}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    m1.post("/api/v1/bank/items/fresh-1/submit", &json!({}))
        .await?;
    let r = m2
        .post(
            "/api/v1/bank/items/fresh-1/review",
            &json!({"approve": true}),
        )
        .await?;
    assert_eq!(r.body["status"], "published");
    let retire: Vec<String> = (1..=6)
        .map(|n| format!("strategic-vision.{n:02}"))
        .collect();
    let r = m1
        .post(
            "/api/v1/bank/bulk",
            &json!({"item_ids": retire, "action": "retire"}),
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
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(a.status, 200, "{}", a.text);
    let ids: Vec<&str> = a.body["items"]
        .as_array()
        .map(|v| v.iter().filter_map(|i| i["item_id"].as_str()).collect())
        .unwrap_or_default();
    assert!(ids.contains(&"fresh-1"), "{ids:?}");
    assert!(
        !ids.iter().any(|id| retire.iter().any(|r| r == id)),
        "retired items are not drawn"
    );
    let fresh = a.body["items"]
        .as_array()
        .and_then(|v| v.iter().find(|i| i["item_id"] == "fresh-1"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(fresh["stem"], "Что **главное**?", "served in Russian");
    assert!(!a.text.contains("correct"), "no key reaches the candidate");
    Ok(())
}

const GIFT: &str = "$CATEGORY: $course$/top/Team Building\n\n\
::tb-1:: Who forms the team? {=The principal ~The parents ~The pupils}\n\n\
::tb-2:: Trust grows from {=openness ~control}\n\n\
::tb-essay:: Describe your team. {}\n\n\
::tb-3:: Teams need goals. {TRUE}\n";

#[tokio::test]
async fn files_are_imported_whole_or_not_at_all() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let m1 = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let total = |api: Api| async move {
        let r = api.get("/api/v1/bank/items?per_page=1").await?;
        anyhow::Ok(r.body["total"].as_i64().unwrap_or(-1))
    };
    // The demo bank: 60 single-choice items, 6 practical tasks and the practice test's 11.
    let before = total(m1.clone()).await?;
    assert_eq!(before, 77);

    // A broken file: errors with lines, nothing imported.
    let broken = format!("{GIFT}\n::tb-4:: Two right {{=a =b ~c}}\n\n::tb-5:: open {{=a ~b\n");
    let r = m1
        .post_raw(
            "/api/v1/bank/import?format=gift",
            "text/plain",
            broken.into_bytes(),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let at: Vec<&str> = r.body["errors"]
        .as_array()
        .map(|v| v.iter().filter_map(|e| e["at"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(at, ["line 11", "line 13"], "{}", r.text);
    assert_eq!(total(m1.clone()).await?, 77, "nothing imported");

    // A dry run reports and stores nothing.
    let r = m1
        .post_raw(
            "/api/v1/bank/import?format=gift&dry_run=true&language=en",
            "text/plain",
            GIFT.into(),
        )
        .await?;
    assert_eq!(
        r.body["created"].as_array().map(Vec::len),
        Some(3),
        "{}",
        r.text
    );
    assert_eq!(r.body["skipped"][0]["at"], "line 7");
    assert!(
        r.body["skipped"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("essay")
    );
    assert_eq!(r.body["new_competencies"][0], "team-building");
    assert_eq!(total(m1.clone()).await?, 77, "a dry run stores nothing");

    // The real import: drafts, a new competency, an audit entry.
    let r = m1
        .post_raw(
            "/api/v1/bank/import?format=gift&language=en",
            "text/plain",
            GIFT.into(),
        )
        .await?;
    assert_eq!(
        r.body["created"].as_array().map(Vec::len),
        Some(3),
        "{}",
        r.text
    );
    assert_eq!(total(m1.clone()).await?, 80);
    let d = m1.get("/api/v1/bank/items/tb-1").await?;
    assert_eq!(d.body["status"], "draft");
    assert_eq!(d.body["item"]["competency"], "team-building");
    let h = m1.get("/api/v1/bank/items/tb-1/history").await?;
    assert_eq!(h.body["audit"][0]["action"], "imported");

    // Export, then import again: the same items come back as new versions.
    let gift = m1.get_text("/api/v1/bank/export?format=gift").await?;
    assert!(
        gift.contains("::tb-1::") && gift.contains("$CATEGORY: team-building"),
        "{gift}"
    );
    let r = m1
        .post_raw(
            "/api/v1/bank/import?format=gift&dry_run=true",
            "text/plain",
            gift.into_bytes(),
        )
        .await?;
    assert_eq!(
        r.body["errors"].as_array().map(Vec::len),
        Some(0),
        "{}",
        r.text
    );
    assert_eq!(r.body["updated"].as_array().map(Vec::len), Some(80));
    for format in ["moodle-xml", "csv"] {
        let text = m1
            .get_text(&format!("/api/v1/bank/export?format={format}"))
            .await?;
        let r = m1
            .post_raw(
                &format!("/api/v1/bank/import?format={format}&dry_run=true"),
                "text/plain",
                text.into_bytes(),
            )
            .await?;
        assert_eq!(
            r.body["updated"].as_array().map(Vec::len),
            Some(80),
            "{format}: {}",
            r.text
        );
    }

    // Bad requests.
    let r = m1
        .post_raw("/api/v1/bank/import?format=docx", "text/plain", GIFT.into())
        .await?;
    assert_eq!(r.status, 422);
    let r = m1
        .post_raw(
            "/api/v1/bank/import?format=gift",
            "text/plain",
            vec![0xff, 0xfe, 0x00],
        )
        .await?;
    assert_eq!(r.status, 422);
    let huge = vec![b'a'; 33 * 1024 * 1024];
    let r = m1
        .post_raw("/api/v1/bank/import?format=gift", "text/plain", huge)
        .await?;
    assert_eq!(r.status, 413);
    let applicant = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let r = applicant
        .post_raw("/api/v1/bank/import?format=gift", "text/plain", GIFT.into())
        .await?;
    assert_eq!(r.status, 403);
    Ok(())
}

/// `qabilet bank import` of a 10,000-item GIFT bank (three languages, every type): all items
/// arrive, and the time is printed (the README reports the release build's figure).
#[tokio::test]
async fn the_command_line_imports_a_large_gift_bank() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let file = server.dir.path().join("big.gift");
    std::fs::write(&file, question_bank::formats::gift::synthetic(10_000))?;
    let path = file.to_string_lossy().to_string();
    let dry = server.cli(&["bank", "import", &path, "--dry-run", "--json"], None)?;
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let report: Value = serde_json::from_slice(&dry.stdout)?;
    assert_eq!(report["created"].as_array().map(Vec::len), Some(10_000));
    assert_eq!(
        report["ready"],
        json!([["en", 10000], ["kk", 10000], ["ru", 10000]])
    );
    let started = std::time::Instant::now();
    let out = server.cli(&["bank", "import", &path, "--publish"], None)?;
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "imported 10,000 items in {:.2} s (this build)",
        took.as_secs_f64()
    );
    let m1 = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let r = m1
        .get("/api/v1/bank/items?status=published&per_page=1")
        .await?;
    assert_eq!(
        r.body["total"], 10_077,
        "the demo's 77 and the 10,000 imported"
    );
    let r = m1
        .get("/api/v1/bank/items?competency=competency-19&item_type=matching")
        .await?;
    assert!(r.body["total"].as_i64().unwrap_or(0) > 50, "{}", r.text);

    // A broken file changes nothing and says where.
    std::fs::write(&file, "::x:: broken {=a\n")?;
    let out = server.cli(&["bank", "import", &path], None)?;
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("line 1") && said.contains("nothing was imported"),
        "{said}"
    );
    Ok(())
}

/// Images: uploaded once per content, checked by their bytes, named by items, served to
/// signed-in users with their media type.
#[tokio::test]
async fn items_show_uploaded_images() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let m1 = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let png: Vec<u8> = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-test-bytes".to_vec();
    let up = m1
        .post_raw(
            "/api/v1/bank/attachments?name=chart.png",
            "image/png",
            png.clone(),
        )
        .await?;
    assert_eq!(up.status, 200, "{}", up.text);
    assert_eq!(up.body["media_type"], "image/png");
    let sha = up.body["sha256"].as_str().unwrap_or_default().to_string();
    assert_eq!(sha.len(), 64);

    // Not an image, a bad name, too large, not a methodologist: refused.
    let r = m1
        .post_raw(
            "/api/v1/bank/attachments?name=x.png",
            "image/png",
            b"<svg onload=alert(1)>".to_vec(),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = m1
        .post_raw(
            "/api/v1/bank/attachments?name=../x.png",
            "image/png",
            png.clone(),
        )
        .await?;
    assert_eq!(r.status, 422);
    let mut big = png.clone();
    big.resize(3 * 1024 * 1024, 0);
    let r = m1
        .post_raw("/api/v1/bank/attachments?name=big.png", "image/png", big)
        .await?;
    assert_eq!(r.status, 413);
    let applicant = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let r = applicant
        .post_raw(
            "/api/v1/bank/attachments?name=a.png",
            "image/png",
            png.clone(),
        )
        .await?;
    assert_eq!(r.status, 403);

    // An item that shows an image it does not carry is refused; with the record it is kept.
    let mut it = item("img-1", "strategic-vision", 0);
    it["stem"]["en"] = json!("Look: ![a chart](attachment:chart.png)");
    let r = m1
        .post("/api/v1/bank/items", &json!({"item": it.clone()}))
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    it["attachments"] = json!([up.body.clone()]);
    let r = m1.post("/api/v1/bank/items", &json!({"item": it})).await?;
    assert_eq!(r.status, 200, "{}", r.text);

    // Served by digest to signed-in users, with its type; nobody else.
    let res = applicant
        .http
        .get(format!("{}/api/v1/attachments/{sha}", server.base))
        .bearer_auth(applicant.token.clone().unwrap_or_default())
        .send()
        .await?;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await?.to_vec(), png);
    assert_eq!(
        Api::new(&server.base)
            .get(&format!("/api/v1/attachments/{sha}"))
            .await?
            .status,
        401
    );
    assert_eq!(
        applicant
            .get("/api/v1/attachments/not-a-digest")
            .await?
            .status,
        404
    );
    Ok(())
}
