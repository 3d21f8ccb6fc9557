//! The API against its own OpenAPI document, fuzzed by schemathesis (PyPI; `cargo xtask test`
//! installs it and sets `QABILET_SCHEMATHESIS`): no 5xx answer, and every answer that the
//! document describes matches its schema. Run as an administrator (who may call most routes)
//! and as an applicant (the test-taking routes).

use qabilet_tests::*;
use std::process::Command;

fn schemathesis() -> anyhow::Result<String> {
    std::env::var("QABILET_SCHEMATHESIS").map_err(|_| {
        anyhow::anyhow!(
            "QABILET_SCHEMATHESIS is not set: run the tests with `cargo xtask test`, which \
             installs schemathesis from PyPI, or point it at a schemathesis executable"
        )
    })
}

/// The command line, also given in the README.
fn run(bin: &str, base: &str, token: &str, report: &std::path::Path) -> anyhow::Result<bool> {
    let out = Command::new(bin)
        .arg("run")
        .arg(format!("{base}/api/v1/openapi.json"))
        .args(["--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args([
            "--max-examples",
            "30",
            "--seed",
            "20261123",
            "--workers",
            "2",
        ])
        .args(["--request-timeout", "10", "--suppress-health-check", "all"])
        // Signing out would end the fuzzer's own session; the event streams never end.
        .args(["--exclude-path", "/api/v1/auth/logout"])
        .args(["--exclude-path-regex", "/(feed|live)$"])
        .args(["--generation-database", "none", "--no-color"])
        .arg("--report-junit-path")
        .arg(report)
        .args(["--report", "junit"])
        .arg("-H")
        .arg(format!("Authorization: Bearer {token}"))
        .output()?;
    // Failures with their reproduction, warnings and the summary (shown when the test fails).
    println!("{}", String::from_utf8_lossy(&out.stdout));
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    Ok(out.status.success())
}

#[tokio::test]
async fn schemathesis_finds_no_server_errors_and_no_schema_violations() -> anyhow::Result<()> {
    let bin = schemathesis()?;
    // Lockouts would turn the fuzzer's sign-in attempts into 429s (documented) and slow
    // nothing; keep the window short so the applicant run is not affected by the admin run.
    let server =
        TestServer::start_with(Db::from_env(), &[("QABILET_LOCKOUT_SECONDS", "1")]).await?;
    let dir = tempfile::tempdir()?;
    let mut failed = Vec::new();
    // Both sign in first: the administrator's run reads the sittings' rows, learns applicants'
    // addresses from them and sets temporary passwords with them (as an administrator may).
    let mut sessions = Vec::new();
    for who in [ADMIN, APPLICANT] {
        let api = Api::login(&server.base, who.0, who.1).await?;
        sessions.push((who, api.token.clone().unwrap_or_default()));
    }
    for (who, token) in sessions {
        let report = dir.path().join(format!("{}.xml", who.0));
        if !run(&bin, &server.base, &token, &report)? {
            failed.push(who.0);
        }
    }
    assert!(
        failed.is_empty(),
        "schemathesis found problems as {failed:?} (the output above names each operation and how to reproduce it)"
    );
    Ok(())
}
