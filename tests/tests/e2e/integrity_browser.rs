//! Exam integrity in headless Chromium with a fake camera (`--use-fake-device-for-media-stream
//! --use-fake-ui-for-media-stream`): the system check passes; the applicant's photo and the
//! picture at the start reach the proctor's identity check; the proctor admits; a message goes
//! both ways; snapshots arrive; axe-core finds no serious violation on the new pages.

use crate::a11y::{axe_source, serious_violations};
use crate::proctor::chrono_now;
use fantoccini::Locator;
use qabilet_tests::*;
use std::time::Duration;

/// Whether the `<img>` matching `css` has loaded a picture.
async fn image_loaded(c: &fantoccini::Client, css: &str) -> anyhow::Result<bool> {
    let v = c
        .execute(
            "const i = document.querySelector(arguments[0]); return !!i && i.complete && i.naturalWidth > 0;",
            vec![serde_json::json!(css)],
        )
        .await?;
    Ok(v.as_bool() == Some(true))
}

#[tokio::test]
async fn a_remote_sitting_checks_identity_and_talks_both_ways_in_the_browser() -> anyhow::Result<()>
{
    let server = TestServer::start(Db::from_env()).await?;
    let axe = axe_source()?;
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    let now = chrono_now();
    let r = admin
        .post(
            "/api/v1/sittings",
            &serde_json::json!({"name": "Дистанционно", "blueprint_id": "stage1-2026",
                "region": "Abai", "mode": "online", "opens_ms": now - 60_000,
                "closes_ms": now + 3_600_000, "requires_admission": true, "camera": true,
                "snapshot_seconds": 30}),
        )
        .await?;
    anyhow::ensure!(r.status == 200, "{}", r.text);
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

    let applicant = Browser::start().await?;
    let proctor = Browser::start().await?;
    let a = &applicant.client;
    let p = &proctor.client;
    let wait_a = || a.wait().at_most(Duration::from_secs(20));
    let wait_p = || p.wait().at_most(Duration::from_secs(20));
    applicant.sign_in(&server.base, APPLICANT).await?;

    // The system check, camera included.
    println!("step: The system check, camera included.");
    applicant.open(&server.url("/check")).await?;
    for line in ["check-browser", "check-storage", "check-connection"] {
        wait_a()
            .for_element(Locator::Css(&format!("#{line}[data-state=ok]")))
            .await?;
    }
    a.find(Locator::Css("#check-camera")).await?.click().await?;
    wait_a()
        .for_element(Locator::Css("#check-camera-result[data-state=ok]"))
        .await?;
    let mut violations = serious_violations(a, &axe, "/check").await?;

    // The photo with the application, from a file.
    println!("step: The photo with the application, from a file.");
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("me.png");
    // A real 1×1 PNG.
    std::fs::write(
        &file,
        [
            0x89u8, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
            0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
            0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
            0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99,
            0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
        ],
    )?;
    applicant.open(&server.url("/apply")).await?;
    a.find(Locator::Css("#photo-file"))
        .await?
        .send_keys(&file.display().to_string())
        .await?;
    wait_a().for_element(Locator::Css("#photo-saved")).await?;

    // The picture at the start: the camera is allowed, the picture taken, then the applicant
    println!(
        "step: The picture at the start: the camera is allowed, the picture taken, then the applicant"
    );
    // waits for admission.
    println!("step: waits for admission.");
    applicant.open(&server.url("/dashboard")).await?;
    wait_a().for_element(Locator::Css("#start-picture")).await?;
    violations.extend(serious_violations(a, &axe, "/dashboard (start picture)").await?);
    let start = a.find(Locator::Css("#start-test")).await?;
    assert!(
        start.attr("disabled").await?.is_some(),
        "no start before the picture"
    );
    a.find(Locator::Css("#camera-allow")).await?.click().await?;
    wait_a()
        .for_element(Locator::Css("#camera-take:not([disabled])"))
        .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.find(Locator::Css("#camera-take")).await?.click().await?;
    wait_a().for_element(Locator::Css("#picture-taken")).await?;
    a.find(Locator::Css("#start-test")).await?.click().await?;
    wait_a()
        .for_element(Locator::Css("#waiting-admission"))
        .await?;

    // The proctor compares the photos and admits; the test opens by itself.
    println!("step: The proctor compares the photos and admits; the test opens by itself.");
    proctor.sign_in(&server.base, PROCTOR).await?;
    proctor
        .open(&server.url(&format!("/proctor/{sitting}")))
        .await?;
    let row = format!("#monitor tr[data-email=\"{}\"]", APPLICANT.0);
    wait_p()
        .for_element(Locator::Css(&format!("{row}[data-status=waiting]")))
        .await?
        .click()
        .await?;
    wait_p()
        .for_element(Locator::Css("#identity img[data-kind=start]"))
        .await?;
    wait_p()
        .for_element(Locator::Css("#identity img[data-kind=application]"))
        .await?;
    let mut loaded = false;
    for _ in 0..50 {
        if image_loaded(p, "#identity img[data-kind=start]").await?
            && image_loaded(p, "#identity img[data-kind=application]").await?
        {
            loaded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(loaded, "both pictures are shown to the proctor");
    violations.extend(serious_violations(p, &axe, "/proctor/{id} (identity)").await?);
    p.find(Locator::Css("#act-admit")).await?.click().await?;
    a.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#stem"))
        .await?;
    applicant.wait_hydrated().await?;

    // A message each way.
    println!("step: A message each way.");
    wait_p()
        .for_element(Locator::Css(&format!("{row}[data-status=in_progress]")))
        .await?;
    p.find(Locator::Css("#act-message"))
        .await?
        .send_keys("Покажите, пожалуйста, стол")
        .await?;
    p.find(Locator::Css("#act-send-message"))
        .await?
        .click()
        .await?;
    let got = wait_a()
        .for_element(Locator::Css("#chat li.theirs"))
        .await?
        .text()
        .await?;
    assert!(got.contains("Покажите, пожалуйста, стол"), "{got}");
    a.find(Locator::Css("#message-text"))
        .await?
        .send_keys("Стол чист")
        .await?;
    a.find(Locator::Css("#message-send")).await?.click().await?;
    let seen = wait_p()
        .for_element(Locator::Css("#feed li[data-kind=message_from_applicant]"))
        .await?
        .text()
        .await?;
    assert!(seen.contains("Стол чист"), "{seen}");
    violations.extend(serious_violations(a, &axe, "/test (messages, camera)").await?);

    // A snapshot arrives soon after the start, shown in the proctor's identity check.
    println!(
        "step: A snapshot arrives soon after the start, shown in the proctor's identity check."
    );
    let mut snapshot = false;
    for _ in 0..30 {
        p.find(Locator::Css(&row)).await?.click().await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        if p.find(Locator::Css("#snapshots img")).await.is_ok() {
            snapshot = true;
            break;
        }
    }
    assert!(snapshot, "a snapshot reached the proctor");
    assert!(violations.is_empty(), "{violations:#?}");
    applicant.close().await?;
    proctor.close().await
}
