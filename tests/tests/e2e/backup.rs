//! `qabilet backup FILE` copies a live SQLite database consistently.

use qabilet_tests::*;
use serde_json::json;
use sqlx::{Connection, Row};

#[tokio::test]
async fn a_backup_of_a_live_database_holds_every_acknowledged_save() -> anyhow::Result<()> {
    let server = TestServer::start(Db::Sqlite).await?;
    let api = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let a = api.post("/api/v1/attempts", &json!({})).await?;
    let id = a.body["id"].as_str().unwrap_or_default().to_string();
    let items = item_ids(&a.body);
    for (n, item) in items.iter().take(12).enumerate() {
        let r = api
            .put(
                &format!("/api/v1/attempts/{id}/responses/{item}"),
                &json!({"seq": n + 1, "choice": 1}),
            )
            .await?;
        assert_eq!(r.status, 200);
    }

    let file = server.dir.path().join("copy.db");
    let out = std::process::Command::new(server_binary())
        .args(["backup", file.to_str().unwrap_or_default()])
        .env("DATABASE_URL", &server.database_url)
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut copy = sqlx::SqliteConnection::connect(&format!("sqlite:{}", file.display())).await?;
    let check: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut copy)
        .await?
        .try_get(0)?;
    assert_eq!(check, "ok");
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM responses WHERE attempt_id = $1")
        .bind(&id)
        .fetch_one(&mut copy)
        .await?
        .try_get(0)?;
    assert_eq!(n, 12);

    // A second backup to the same file is refused.
    let again = std::process::Command::new(server_binary())
        .args(["backup", file.to_str().unwrap_or_default()])
        .env("DATABASE_URL", &server.database_url)
        .output()?;
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    Ok(())
}
