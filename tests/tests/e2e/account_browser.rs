//! Accounts through the pages, in headless Chromium: an applicant registers on `/register`
//! (a mistyped IIN refused first), changes the password on `/account`; an administrator
//! creates a staff account and sets a temporary password on `/account`.

use fantoccini::{Client, Locator};
use qabilet_tests::*;
use std::time::Duration;

async fn fill(c: &Client, css: &str, text: &str) -> anyhow::Result<()> {
    let field = c.find(Locator::Css(css)).await?;
    field.clear().await?;
    field.send_keys(text).await?;
    Ok(())
}

async fn text_of(c: &Client, css: &str) -> anyhow::Result<String> {
    let el = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath(&format!(
            "//*[@id='{}'][normalize-space()!='']",
            css.trim_start_matches('#')
        )))
        .await?;
    Ok(el.text().await?)
}

#[tokio::test]
async fn accounts_are_kept_through_the_pages() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;

    // Registration: a wrong check digit is refused with a message, then the right IIN works.
    browser.open(&server.url("/register")).await?;
    let iin = valid_iin("880512", 4, 7);
    let mut typo: Vec<char> = iin.chars().collect();
    typo[11] = if typo[11] == '0' { '1' } else { '0' };
    let typo: String = typo.into_iter().collect();
    fill(c, "#r-email", "dana@school.kz").await?;
    fill(c, "#r-name", "Дана Серикова").await?;
    fill(c, "#r-iin", &typo).await?;
    fill(c, "#r-password", "first-password-1").await?;
    c.find(Locator::Css("#r-submit")).await?.click().await?;
    let error = text_of(c, "#register-error").await?;
    assert!(error.contains("IIN"), "{error}");
    fill(c, "#r-iin", &iin).await?;
    c.find(Locator::Css("#r-submit")).await?.click().await?;
    let mut path = String::new();
    for _ in 0..100 {
        path = c.current_url().await?.path().to_string();
        if path == "/apply" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(path, "/apply", "registered and signed in");

    // The password, changed on the account page (a mismatch refused first).
    browser.open(&server.url("/account")).await?;
    assert_eq!(text_of(c, "#account-name").await?, "Дана Серикова");
    fill(c, "#pw-current", "first-password-1").await?;
    fill(c, "#pw-new", "second-password-2").await?;
    fill(c, "#pw-repeat", "second-password-3").await?;
    c.find(Locator::Css("#pw-submit")).await?.click().await?;
    text_of(c, "#pw-error").await?;
    fill(c, "#pw-repeat", "second-password-2").await?;
    c.find(Locator::Css("#pw-submit")).await?.click().await?;
    text_of(c, "#pw-status").await?;
    Api::login(&server.base, "dana@school.kz", "second-password-2").await?;
    assert!(
        Api::login(&server.base, "dana@school.kz", "first-password-1")
            .await
            .is_err()
    );
    browser.close().await?;

    // An administrator creates an expert's account and resets Dana's password.
    let browser = Browser::start().await?;
    let c = &browser.client;
    browser.sign_in(&server.base, ADMIN).await?;
    browser.open(&server.url("/account")).await?;
    fill(c, "#new-email", "expert9@demo.kz").await?;
    fill(c, "#new-name", "Ерлан Нуров").await?;
    c.find(Locator::Css("#new-role option[value=expert]"))
        .await?
        .click()
        .await?;
    c.find(Locator::Css("#new-submit")).await?.click().await?;
    let made = text_of(c, "#new-password").await?;
    let expert = Api::login(&server.base, "expert9@demo.kz", made.trim()).await?;
    assert_eq!(expert.get("/api/v1/me").await?.body["role"], "expert");

    fill(c, "#reset-email", "dana@school.kz").await?;
    c.find(Locator::Css("#reset-submit")).await?.click().await?;
    let temporary = text_of(c, "#reset-password").await?;
    Api::login(&server.base, "dana@school.kz", temporary.trim()).await?;
    assert!(
        Api::login(&server.base, "dana@school.kz", "second-password-2")
            .await
            .is_err()
    );
    browser.close().await?;
    Ok(())
}
