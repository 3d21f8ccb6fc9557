//! The pipeline in a real browser: the public certificate check (known, unknown and mistyped
//! numbers, no sign-in), an applicant applying through the form, and staff reading the funnel
//! and the candidates of a synthetic national round.

use fantoccini::Locator;
use qabilet_tests::*;
use std::time::Duration;

async fn a_certificate(server: &TestServer) -> anyhow::Result<(String, String)> {
    use sqlx::Row;
    let mut c = server.sql().await?;
    let row = sqlx::query("SELECT number, full_name FROM certificates ORDER BY number LIMIT 1")
        .fetch_one(&mut c)
        .await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

async fn text_of(c: &fantoccini::Client, css: &str) -> anyhow::Result<String> {
    let e = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await?;
    Ok(e.text().await?)
}

#[tokio::test]
async fn anyone_verifies_a_certificate_by_its_number() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    server.load_round()?;
    let (number, name) = a_certificate(&server).await?;
    let b = Browser::start().await?;
    let c = &b.client;

    // Straight from the QR code's address, signed in as nobody.
    b.open(&server.url(&format!("/verify/{number}"))).await?;
    let result = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#cert-result"))
        .await?;
    assert_eq!(result.attr("data-state").await?.as_deref(), Some("valid"));
    assert_eq!(text_of(c, "#cert-name").await?, name);
    assert_eq!(text_of(c, "#cert-no").await?, number);
    assert!(
        text_of(c, "#cert-category")
            .await?
            .contains("руководитель-лидер")
    );
    // Nothing but name, category, dates and state: no IIN, region or school on the page.
    let page = c.source().await?;
    assert!(!page.contains("synthetic.kz") && !page.contains("School No."));

    // Typed into the form, in lower case with spaces around: found.
    b.open(&server.url("/verify")).await?;
    let field = c.find(Locator::Css("#cert-number")).await?;
    field
        .send_keys(&format!("  {}  ", number.to_lowercase()))
        .await?;
    c.find(Locator::Css("#cert-check")).await?.click().await?;
    assert_eq!(text_of(c, "#cert-name").await?, name);

    // An unknown number, and a mistyped one: "no certificate", no result block.
    for wrong in ["LM-2025-2222-2222", "LM-20"] {
        b.open(&server.url("/verify")).await?;
        c.find(Locator::Css("#cert-number"))
            .await?
            .send_keys(wrong)
            .await?;
        c.find(Locator::Css("#cert-check")).await?.click().await?;
        let missing = text_of(c, "#cert-missing").await?;
        assert!(!missing.is_empty());
        assert!(c.find(Locator::Css("#cert-result")).await.is_err());
    }
    b.close().await
}

#[tokio::test]
async fn an_applicant_applies_and_staff_read_the_funnel_in_the_browser() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    server.load_round()?;
    let b = Browser::start().await?;
    let c = &b.client;

    // The applicant applies to the open demo campaign; a mistyped IIN is refused first.
    b.sign_in(&server.base, APPLICANT).await?;
    c.find(Locator::Css("#open-apply")).await?.click().await?;
    b.wait_hydrated().await?;
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(".apply-form[data-campaign='demo-2026']"))
        .await?;
    let iin = valid_iin("860514", 4, 7);
    let mut typo = iin.clone().into_bytes();
    typo[11] = if typo[11] == b'9' { b'0' } else { typo[11] + 1 };
    // The form starts from the account: name and address are filled in already.
    let prefilled = |css: &'static str| async move {
        for _ in 0..100 {
            let v = c
                .find(Locator::Css(css))
                .await?
                .prop("value")
                .await?
                .unwrap_or_default();
            if !v.is_empty() {
                return anyhow::Ok(v);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("{css} stays empty")
    };
    assert_eq!(prefilled("#a-name").await?, "Айгерим Сапарова");
    assert_eq!(prefilled("#a-email").await?, APPLICANT.0);
    let fill = [
        ("#a-iin", String::from_utf8(typo)?),
        ("#a-district", "Sairam".into()),
        ("#a-school", "School No. 9".into()),
        ("#a-position", "deputy director".into()),
        ("#a-teaching", "12".into()),
        ("#a-management", "3".into()),
        ("#a-phone", "+7 701 111 22 33".into()),
    ];
    for (css, value) in &fill {
        c.find(Locator::Css(css)).await?.send_keys(value).await?;
    }
    c.find(Locator::Css("#a-region option[value='Turkestan']"))
        .await?
        .click()
        .await?;
    c.find(Locator::Css("#a-submit")).await?.click().await?;
    assert!(text_of(c, "#apply-error").await?.contains("check digit"));
    let field = c.find(Locator::Css("#a-iin")).await?;
    field.clear().await?;
    field.send_keys(&iin).await?;
    c.find(Locator::Css("#a-submit")).await?.click().await?;
    let article = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("article.application"))
        .await?;
    let text = article.text().await?;
    assert!(text.contains(&iin) && text.contains("Turkestan"), "{text}");
    assert_eq!(
        c.find_all(Locator::Css("article.application li.stage"))
            .await?
            .len(),
        5
    );
    // Stored, as the API sees it.
    let api = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let mine = api.get("/api/v1/me/applications").await?;
    assert_eq!(mine.body[0]["iin"], iin.as_str());

    // Staff: the funnel of the synthetic round, drawn and tabulated.
    let staff = Browser::start().await?;
    staff.sign_in(&server.base, ADMIN).await?;
    staff
        .open(&server.url("/reports?campaign=national-2025"))
        .await?;
    let s = &staff.client;
    let applications = s
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#funnel-chart g[data-step='applications']"))
        .await?;
    assert_eq!(
        applications.attr("data-count").await?.as_deref(),
        Some("8068")
    );
    let reserve = s
        .find(Locator::Css("#funnel-chart g[data-step='reserve']"))
        .await?;
    assert_eq!(reserve.attr("data-count").await?.as_deref(), Some("208"));
    assert!(
        s.find_all(Locator::Css("#funnel-table tbody tr"))
            .await?
            .len()
            > 10,
        "a row per region and the total"
    );
    // The candidates of the round, filtered by region.
    staff.open(&server.url("/pipeline/national-2025")).await?;
    s.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#apps tbody tr"))
        .await?;
    assert!(text_of(s, "#apps-total").await?.ends_with("8068"));
    s.find(Locator::Css("#f-region option[value='Turkestan']"))
        .await?
        .click()
        .await?;
    let mut total = String::new();
    for _ in 0..100 {
        total = text_of(s, "#apps-total").await?;
        if !total.ends_with("8068") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let n: i64 = total.rsplit(' ').next().unwrap_or("").parse()?;
    assert!((500..2000).contains(&n), "{total}");
    staff.close().await?;
    b.close().await
}

/// Revoking a certificate asks first, naming the holder and the number; cancelling changes
/// nothing; confirming shows the reason on the candidate's page and the public check says
/// revoked, with the date.
#[tokio::test]
async fn staff_revoke_a_certificate_after_a_dialog_and_the_check_says_so() -> anyhow::Result<()> {
    use sqlx::Row;
    let server = TestServer::start(Db::from_env()).await?;
    server.load_round()?;
    let (number, name) = a_certificate(&server).await?;
    let app_id: String = {
        let mut c = server.sql().await?;
        sqlx::query("SELECT application_id FROM certificates WHERE number = $1")
            .bind(&number)
            .fetch_one(&mut c)
            .await?
            .try_get(0)?
    };
    let public = Api::new(&server.base);
    let state = || async {
        anyhow::Ok(
            public
                .get(&format!("/api/v1/public/certificates/{number}"))
                .await?
                .body["state"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    };
    let b = Browser::start().await?;
    let c = &b.client;
    b.sign_in(&server.base, ADMIN).await?;
    b.open(&server.url(&format!("/candidate/{app_id}"))).await?;
    b.wait_hydrated().await?;
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#revoke-section summary"))
        .await?
        .click()
        .await?;
    // Nothing can be sent before a reason is chosen.
    let button = c.find(Locator::Css("#revoke")).await?;
    assert!(!button.is_enabled().await?);
    c.find(Locator::Css("#rv-reason option[value='court_decision']"))
        .await?
        .click()
        .await?;
    c.find(Locator::Css("#rv-note"))
        .await?
        .send_keys("Decision of the district court, 3 March")
        .await?;
    button.click().await?;
    let dialog = text_of(c, "#revoke-dialog").await?;
    assert!(
        dialog.contains(&number) && dialog.contains(&name),
        "{dialog}"
    );
    assert!(dialog.contains("A court decision"), "{dialog}");
    c.find(Locator::Css("#revoke-cancel"))
        .await?
        .click()
        .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(c.find(Locator::Css("#revoke-dialog")).await.is_err());
    assert_eq!(state().await?, "valid", "cancelling revoked nothing");

    c.find(Locator::Css("#revoke")).await?.click().await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#revoke-confirm"))
        .await?
        .click()
        .await?;
    let note = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#revocation"))
        .await?;
    assert_eq!(
        note.attr("data-reason").await?.as_deref(),
        Some("court_decision")
    );
    assert_eq!(text_of(c, "#revocation-reason").await?, "A court decision");
    assert!(
        text_of(c, "#revocation-note")
            .await?
            .contains("district court")
    );
    assert!(c.find(Locator::Css("#cert-pdf")).await.is_err());
    assert_eq!(state().await?, "revoked");

    // The public check: revoked, with the date, and without the note.
    b.open(&server.url(&format!("/verify/{number}"))).await?;
    let result = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#cert-result"))
        .await?;
    assert_eq!(result.attr("data-state").await?.as_deref(), Some("revoked"));
    assert!(!text_of(c, "#cert-revoked").await?.is_empty());
    assert!(!c.source().await?.contains("district court"));
    b.close().await
}
