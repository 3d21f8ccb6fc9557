//! Web hardening: a state change carried by the session cookie must come from the site's own
//! pages (Origin or Referer naming the host); a bearer token is not forgeable by a foreign
//! page and passes.

use qabilet_tests::*;
use serde_json::json;

#[tokio::test]
async fn cookie_requests_from_other_sites_change_nothing() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let api = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let token = api.token.clone().unwrap_or_default();
    let http = reqwest::Client::new();
    let cookie = format!("qabilet_session={token}");
    let start = |origin: Option<&str>| {
        let mut r = http
            .post(server.url("/api/v1/attempts"))
            .header("cookie", &cookie)
            .json(&json!({"language": "ru"}));
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        r
    };

    // From another site, or with no origin at all: refused, nothing started.
    for origin in [Some("https://evil.example"), None] {
        let r = start(origin).send().await?;
        assert_eq!(r.status().as_u16(), 403, "{origin:?}");
        let body: serde_json::Value = r.json().await?;
        assert_eq!(body["code"], "forbidden");
    }
    let fn_call = http
        .post(server.url("/api/fn/start_attempt"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .form(&[("language", "ru")])
        .send()
        .await?;
    assert_eq!(fn_call.status().as_u16(), 403, "server functions too");
    let dash = api.get("/api/v1/dashboard").await?;
    assert!(dash.body["test"]["attempt"].is_null(), "{}", dash.text);

    // Reading with the cookie from anywhere is fine (GET changes nothing).
    let me = http
        .get(server.url("/api/v1/me"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .send()
        .await?;
    assert_eq!(me.status().as_u16(), 200);

    // From the site itself: allowed.
    let r = start(Some(&server.base)).send().await?;
    assert_eq!(r.status().as_u16(), 200, "{}", r.text().await?);

    // A bearer token cannot be attached by a foreign page: no origin needed.
    let other = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let r = http
        .post(server.url("/api/v1/attempts"))
        .bearer_auth(other.token.clone().unwrap_or_default())
        .header("origin", "https://evil.example")
        .json(&json!({"language": "ru"}))
        .send()
        .await?;
    assert_eq!(r.status().as_u16(), 200);
    Ok(())
}

#[tokio::test]
async fn pages_and_api_carry_the_security_headers() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let http = reqwest::Client::new();
    for path in [
        "/login",
        "/verify",
        "/api/v1/openapi.json",
        "/pkg/qabilet.css",
    ] {
        let r = http.get(server.url(path)).send().await?;
        let h = r.headers();
        let get = |name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let csp = get("content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp:?}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(csp.contains("object-src 'none'"), "{path}");
        assert_eq!(get("x-frame-options"), "DENY", "{path}");
        assert_eq!(get("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(get("referrer-policy"), "same-origin", "{path}");
        assert!(get("permissions-policy").contains("camera=()"), "{path}");
    }
    Ok(())
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_for_a_while() -> anyhow::Result<()> {
    let server =
        TestServer::start_with(Db::from_env(), &[("QABILET_LOCKOUT_SECONDS", "3")]).await?;
    let api = Api::new(&server.base);
    let login = |password: &'static str| {
        let api = api.clone();
        async move {
            api.post(
                "/api/v1/auth/login",
                &json!({"email": APPLICANT3.0, "password": password}),
            )
            .await
        }
    };
    for _ in 0..5 {
        let r = login("not-the-password").await?;
        assert_eq!(r.status, 401, "{}", r.text);
    }
    // Locked now, even with the right password; the refusal says so.
    let r = login(APPLICANT3.1).await?;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["code"], "locked");
    // Other accounts from the same address are not affected.
    assert!(
        Api::login(&server.base, APPLICANT2.0, APPLICANT2.1)
            .await
            .is_ok()
    );
    // After the lockout window the right password works again, and resets the count.
    tokio::time::sleep(std::time::Duration::from_millis(3_500)).await;
    let r = login(APPLICANT3.1).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = login("not-the-password").await?;
    assert_eq!(r.status, 401);
    let r = login(APPLICANT3.1).await?;
    assert_eq!(
        r.status, 200,
        "one wrong password after a success does not lock"
    );
    // Every attempt is in the audit log.
    use sqlx::Row;
    let mut c = server.sql().await?;
    let rows = sqlx::query("SELECT event FROM auth_log WHERE email = $1 ORDER BY id")
        .bind(APPLICANT3.0)
        .fetch_all(&mut c)
        .await?;
    let events: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String, _>(0).unwrap_or_default())
        .collect();
    assert_eq!(
        events,
        [
            "wrong_password",
            "wrong_password",
            "wrong_password",
            "wrong_password",
            "wrong_password",
            "locked",
            "signed_in",
            "wrong_password",
            "signed_in"
        ]
    );
    Ok(())
}

#[tokio::test]
async fn signing_out_revokes_the_token() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let first = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let second = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    assert_eq!(first.get("/api/v1/me").await?.status, 200);
    let out = first.post("/api/v1/auth/logout", &json!({})).await?;
    assert_eq!(out.status, 204);
    // The signed-out token is refused at once, though it has not expired; the other sign-in
    // (another device) goes on.
    let r = first.get("/api/v1/me").await?;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(second.get("/api/v1/me").await?.status, 200);
    // Also after a restart (the sign-out is stored).
    let mut server = server;
    server.kill();
    server.spawn().await?;
    let first = Api {
        base: server.base.clone(),
        ..first
    };
    let second = Api {
        base: server.base.clone(),
        ..second
    };
    assert_eq!(first.get("/api/v1/me").await?.status, 401);
    assert_eq!(second.get("/api/v1/me").await?.status, 200);
    Ok(())
}

#[tokio::test]
async fn signing_keys_rotate_without_signing_anyone_out() -> anyhow::Result<()> {
    let mut server = TestServer::start(Db::from_env()).await?;
    let before = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let old_key = std::fs::read_to_string(server.secret_path())?
        .trim()
        .to_string();
    // Rotation: a new key first, the old one kept after it; restart.
    let new_key = "b7e4c1d09a8f7e6d5c4b3a29180f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7";
    server.kill();
    std::fs::write(server.secret_path(), format!("{new_key}\n{old_key}\n"))?;
    server.spawn().await?;
    let before = Api {
        base: server.base.clone(),
        ..before
    };
    assert_eq!(
        before.get("/api/v1/me").await?.status,
        200,
        "old tokens still accepted"
    );
    let after = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    assert_eq!(after.get("/api/v1/me").await?.status, 200);
    // Once the old tokens have expired the old key is removed: its tokens are refused.
    server.kill();
    std::fs::write(server.secret_path(), format!("{new_key}\n"))?;
    server.spawn().await?;
    let (before, after) = (
        Api {
            base: server.base.clone(),
            ..before
        },
        Api {
            base: server.base.clone(),
            ..after
        },
    );
    assert_eq!(before.get("/api/v1/me").await?.status, 401);
    assert_eq!(after.get("/api/v1/me").await?.status, 200);
    Ok(())
}

#[tokio::test]
async fn applicants_register_themselves() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let anon = Api::new(&server.base);
    let iin = valid_iin("880417", 4, 3);
    let body = |email: &str, iin: &str, password: &str| json!({"email": email, "full_name": "Жанна Серикова", "iin": iin, "password": password});
    // Refused, each with its reason: a short password, a mistyped IIN, a bad address.
    let r = anon
        .post(
            "/api/v1/auth/register",
            &body("new@school.kz", &iin, "short"),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("10 characters"), "{}", r.text);
    let mut typo = iin.clone().into_bytes();
    typo[11] = if typo[11] == b'9' { b'0' } else { typo[11] + 1 };
    let r = anon
        .post(
            "/api/v1/auth/register",
            &body(
                "new@school.kz",
                &String::from_utf8(typo)?,
                "a-long-password",
            ),
        )
        .await?;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("IIN"), "{}", r.text);
    let r = anon
        .post(
            "/api/v1/auth/register",
            &body("nobody", &iin, "a-long-password"),
        )
        .await?;
    assert_eq!(r.status, 422);
    // Accepted: signed in as an applicant at once.
    let r = anon
        .post(
            "/api/v1/auth/register",
            &body("New@School.kz", &iin, "a-long-password"),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["user"]["role"], "applicant");
    let api = Api::login(&server.base, "new@school.kz", "a-long-password").await?;
    assert_eq!(
        api.get("/api/v1/me").await?.body["full_name"],
        "Жанна Серикова"
    );
    // One account per e-mail and per IIN.
    let r = anon
        .post(
            "/api/v1/auth/register",
            &body(
                "new@school.kz",
                &valid_iin("880417", 4, 900),
                "a-long-password",
            ),
        )
        .await?;
    assert_eq!(r.status, 409);
    let r = anon
        .post(
            "/api/v1/auth/register",
            &body("other@school.kz", &iin, "a-long-password"),
        )
        .await?;
    assert_eq!(r.status, 409);
    assert!(r.text.contains("IIN"), "{}", r.text);
    Ok(())
}

#[tokio::test]
async fn passwords_are_changed_by_their_owner_and_reset_by_staff() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let api = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let change = |current: &str, new: &str| json!({"current": current, "new": new});
    let r = api
        .post(
            "/api/v1/auth/password",
            &change("wrong-one-here", "a-new-password-1"),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = api
        .post("/api/v1/auth/password", &change(APPLICANT2.1, "short"))
        .await?;
    assert_eq!(r.status, 422);
    let r = api
        .post(
            "/api/v1/auth/password",
            &change(APPLICANT2.1, "a-new-password-1"),
        )
        .await?;
    assert_eq!(r.status, 204, "{}", r.text);
    assert!(
        Api::login(&server.base, APPLICANT2.0, APPLICANT2.1)
            .await
            .is_err()
    );
    assert!(
        Api::login(&server.base, APPLICANT2.0, "a-new-password-1")
            .await
            .is_ok()
    );
    // Staff reset: only an administrator; the temporary password works once given.
    let reset = format!("/api/v1/users/{}/password-reset", APPLICANT2.0);
    assert_eq!(api.post(&reset, &json!({})).await?.status, 403);
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    let r = admin.post(&reset, &json!({})).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let temporary = r.body["temporary_password"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(temporary.len() >= 10);
    assert!(
        Api::login(&server.base, APPLICANT2.0, "a-new-password-1")
            .await
            .is_err()
    );
    assert!(
        Api::login(&server.base, APPLICANT2.0, &temporary)
            .await
            .is_ok()
    );
    assert_eq!(
        admin
            .post("/api/v1/users/nobody@x.kz/password-reset", &json!({}))
            .await?
            .status,
        404
    );
    Ok(())
}

/// A session is renewed with its token (a new token, same sign-in); signing out ends every
/// token of the session, renewed or not, and a signed-out token cannot be renewed.
#[tokio::test]
async fn sessions_are_refreshed_until_signed_out() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let first = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    // A second later, so the renewed token differs (times are in seconds).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = first.post("/api/v1/auth/refresh", &json!({})).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let renewed = r.body["token"].as_str().unwrap_or_default().to_string();
    assert!(!renewed.is_empty() && Some(&renewed) != first.token.as_ref());
    assert!(r.body["expires_ms"].as_i64().unwrap_or(0) > 0);
    assert_eq!(r.body["user"]["email"], APPLICANT.0);
    let mut second = Api::new(&server.base);
    second.token = Some(renewed);
    assert_eq!(second.get("/api/v1/me").await?.status, 200);

    // Without a token, or with a forged one: refused.
    let nobody = Api::new(&server.base);
    assert_eq!(
        nobody
            .post("/api/v1/auth/refresh", &json!({}))
            .await?
            .status,
        401
    );
    let mut forged = Api::new(&server.base);
    forged.token = Some(format!("{}x", second.token.clone().unwrap_or_default()));
    assert_eq!(
        forged
            .post("/api/v1/auth/refresh", &json!({}))
            .await?
            .status,
        401
    );

    // Signing out with the renewed token ends the session: both tokens are refused, and
    // neither can be renewed.
    assert_eq!(
        second.post("/api/v1/auth/logout", &json!({})).await?.status,
        204
    );
    for api in [&first, &second] {
        assert_eq!(api.get("/api/v1/me").await?.status, 401);
        assert_eq!(
            api.post("/api/v1/auth/refresh", &json!({})).await?.status,
            401
        );
    }
    Ok(())
}

/// Administrators create accounts of any role with a temporary password, shown once; the
/// person signs in with it and changes it. Wrong input changes nothing.
#[tokio::test]
async fn administrators_create_accounts() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    let made = admin
        .post(
            "/api/v1/users",
            &json!({"email": "New.Proctor@Demo.kz", "full_name": "Жанна Омарова", "role": "proctor"}),
        )
        .await?;
    assert_eq!(made.status, 200, "{}", made.text);
    assert_eq!(made.body["email"], "new.proctor@demo.kz");
    let temporary = made.body["temporary_password"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(temporary.len() >= 12, "{temporary}");
    let proctor = Api::login(&server.base, "new.proctor@demo.kz", &temporary).await?;
    assert_eq!(proctor.get("/api/v1/me").await?.body["role"], "proctor");
    assert_eq!(proctor.get("/api/v1/sittings").await?.status, 200);
    let changed = proctor
        .post(
            "/api/v1/auth/password",
            &json!({"current": temporary, "new": "a-long-new-secret"}),
        )
        .await?;
    assert_eq!(changed.status, 204, "{}", changed.text);
    Api::login(&server.base, "new.proctor@demo.kz", "a-long-new-secret").await?;

    for (body, status) in [
        (
            json!({"email": "new.proctor@demo.kz", "full_name": "Again", "role": "admin"}),
            409,
        ),
        (
            json!({"email": "not-an-address", "full_name": "X Y", "role": "admin"}),
            422,
        ),
        (
            json!({"email": "x@demo.kz", "full_name": "X Y", "role": "superuser"}),
            422,
        ),
        (
            json!({"email": "x@demo.kz", "full_name": "", "role": "expert"}),
            422,
        ),
    ] {
        let r = admin.post("/api/v1/users", &body).await?;
        assert_eq!(r.status, status, "{body}: {}", r.text);
    }
    // Not an administrator: refused.
    let r = proctor
        .post(
            "/api/v1/users",
            &json!({"email": "y@demo.kz", "full_name": "Y Z", "role": "admin"}),
        )
        .await?;
    assert_eq!(r.status, 403);
    assert!(
        Api::login(&server.base, "y@demo.kz", "anything-at-all")
            .await
            .is_err()
    );
    // Audited.
    let mut c = server.sql().await?;
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM auth_log WHERE event = 'account_created' AND email = 'new.proctor@demo.kz'",
    )
    .fetch_one(&mut c)
    .await?;
    assert_eq!(n, 1);
    Ok(())
}

/// A server function's refusal goes out with its 4xx status (as the REST API's would), not
/// as a server fault: a wrong IIN at registration is 422, a start refused to staff is 403, a
/// save to an attempt that is not the caller's is 404 or 403; only faults are 5xx.
#[tokio::test]
async fn server_functions_answer_refusals_with_4xx() -> anyhow::Result<()> {
    let server = TestServer::start(Db::from_env()).await?;
    let http = reqwest::Client::new();
    let call = |path: &'static str, form: Vec<(&'static str, String)>, cookie: Option<String>| {
        let mut req = http
            .post(server.url(path))
            .header("origin", &server.base)
            .form(&form);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.send()
    };
    let bad_iin = call(
        "/api/fn/register",
        vec![
            ("email", "new.teacher@school.kz".into()),
            ("full_name", "Жаңа Мұғалім".into()),
            ("iin", "123456789012".into()),
            ("password", "a long enough password 1".into()),
        ],
        None,
    )
    .await?;
    assert_eq!(bad_iin.status().as_u16(), 422);
    let body: serde_json::Value = bad_iin.json().await?;
    assert_eq!(body["code"], "invalid", "{body}");

    // The same refusal from inside the handler for a signed-in applicant: another's attempt.
    let a = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let started = a
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    assert_eq!(started.status, 200, "{}", started.text);
    let id = started.body["id"].as_str().unwrap_or_default().to_string();
    let b = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let r = http
        .post(server.url("/api/fn/attempt"))
        .header("origin", &server.base)
        .bearer_auth(b.token.clone().unwrap_or_default())
        .form(&[("attempt_id", id.as_str())])
        .send()
        .await?;
    let status = r.status().as_u16();
    assert!(matches!(status, 403 | 404), "another's attempt: {status}");
    Ok(())
}
