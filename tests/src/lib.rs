//! Helpers for Qabilet's end-to-end tests: start the real `qabilet` binary on a random port
//! with a fresh database (a SQLite file in a temporary folder, or a new PostgreSQL database),
//! talk to it over HTTP, and read its database directly where a test needs ground truth.

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;
use sqlx::Connection;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Which database a test server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

impl Db {
    /// The database of a test written for one: PostgreSQL with `QABILET_TEST_DB=postgres`,
    /// else SQLite (`cargo xtask test` runs these tests once with each).
    pub fn from_env() -> Db {
        match std::env::var("QABILET_TEST_DB").as_deref() {
            Ok("postgres") => Db::Postgres,
            _ => Db::Sqlite,
        }
    }
}

/// The `qabilet` binary under test: `QABILET_BIN`, or the one cargo built beside this test.
pub fn server_binary() -> PathBuf {
    if let Ok(p) = std::env::var("QABILET_BIN") {
        return PathBuf::from(p);
    }
    // target/debug/deps/e2e-xxxx -> target/debug/qabilet
    let exe = std::env::current_exe().unwrap_or_default();
    exe.parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("qabilet"))
        .unwrap_or_default()
}

/// The built site (`pkg/qabilet.js`, ...): `QABILET_SITE_ROOT`, or `<target>/site`.
pub fn site_root() -> PathBuf {
    if let Ok(p) = std::env::var("QABILET_SITE_ROOT") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    exe.parent()
        .and_then(|p| p.parent())
        .and_then(|p| p.parent())
        .map(|p| p.join("site"))
        .unwrap_or_default()
}

/// Administrative connection used to create and drop test databases.
pub fn pg_admin_url() -> String {
    std::env::var("QABILET_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Whether a line of the server's log is a panic or an ERROR (colour codes or not).
pub fn is_trouble(line: &str) -> bool {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // An escape sequence: up to its final letter.
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain.contains("panicked") || plain.split_whitespace().any(|w| w == "ERROR")
}

/// A running server with its own database.
pub struct TestServer {
    pub base: String,
    pub db: Db,
    pub database_url: String,
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    pg_database: Option<String>,
    env: Vec<(String, String)>,
    /// Panics and ERROR lines the server wrote to its log (stderr), in order.
    troubles: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl TestServer {
    /// Starts a server with the demo data on a fresh database.
    pub async fn start(db: Db) -> Result<Self> {
        Self::start_with(db, &[]).await
    }

    /// Starts a server with extra environment variables (settings).
    pub async fn start_with(db: Db, env: &[(&str, &str)]) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let (database_url, pg_database) = match db {
            Db::Sqlite => (
                format!("sqlite:{}", dir.path().join("qabilet.db").display()),
                None,
            ),
            Db::Postgres => {
                let name = create_pg_database().await?;
                (pg_url(&name)?, Some(name))
            }
        };
        let mut server = Self {
            base: String::new(),
            db,
            database_url,
            dir,
            child: None,
            pg_database,
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            troubles: Default::default(),
        };
        server.spawn().await?;
        Ok(server)
    }

    /// Sets (or replaces) an environment variable for the next start of the process.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    /// Starts (or restarts) the process on the same database.
    pub async fn spawn(&mut self) -> Result<()> {
        let (child, base) = self.start_process().await?;
        self.child = Some(child);
        self.base = base;
        Ok(())
    }

    /// Starts one more `qabilet serve` on the same database and signing secret (another app
    /// server of the same deployment), on its own port.
    pub async fn another_instance(&self) -> Result<Instance> {
        let (child, base) = self.start_process().await?;
        Ok(Instance {
            base,
            child: Some(child),
        })
    }

    async fn start_process(&self) -> Result<(Child, String)> {
        let bin = server_binary();
        if !bin.exists() {
            bail!(
                "{} is missing: build it first (cargo xtask test does)",
                bin.display()
            );
        }
        let mut child = Command::new(&bin)
            .args(["serve", "--demo"])
            .env("DATABASE_URL", &self.database_url)
            .env("QABILET_ADDR", "127.0.0.1:0")
            .env("QABILET_JWT_SECRET_FILE", self.secret_path())
            .env("QABILET_SITE_ROOT", site_root())
            .env("QABILET_LOG", "warn")
            // Plain log lines (no colour codes), so the log's levels can be read.
            .env("NO_COLOR", "1")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        // The log still reaches the test's output; panics and errors are also kept.
        let stderr = child.stderr.take().context("no stderr")?;
        let troubles = self.troubles.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr)
                .lines()
                .map_while(std::result::Result::ok)
            {
                eprintln!("{line}");
                if is_trouble(&line)
                    && let Ok(mut t) = troubles.lock()
                {
                    t.push(line);
                }
            }
        });
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout)
                .lines()
                .map_while(std::result::Result::ok)
            {
                if !sent && let Some(url) = line.split("listening on ").nth(1) {
                    let _ = tx.send(url.trim().to_string());
                    sent = true;
                }
            }
        });
        let url = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
            .await?
            .context("the server did not report its address within 60 s")?;
        Ok((child, url))
    }

    /// Loads the synthetic national round (8,068 applications, 208 certificates) and the
    /// simulated pilot of the stage-one test with the binary's own command (`demo
    /// --synthetic-round`; loading twice adds nothing).
    pub fn load_round(&self) -> Result<()> {
        let out = self.cli(&["demo", "--synthetic-round"], None)?;
        anyhow::ensure!(
            out.status.success(),
            "demo --synthetic-round failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(())
    }

    /// The panics and ERROR lines in the server's log so far.
    pub fn log_troubles(&self) -> Vec<String> {
        self.troubles.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// Asks the process to stop (SIGTERM, as an orchestrator would) and waits for it to exit;
    /// returns whether it exited successfully.
    pub fn terminate(&mut self) -> Result<bool> {
        let Some(mut c) = self.child.take() else {
            return Ok(false);
        };
        let status = Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status()?;
        anyhow::ensure!(status.success(), "kill -TERM failed");
        Ok(c.wait()?.success())
    }

    /// Creates `count` applicant accounts `PREFIX-1@load.test` ... sharing `password`, with
    /// the binary's own `user add-many` command, seated in the demo's open sitting.
    pub fn add_applicants(&self, prefix: &str, count: usize, password: &str) -> Result<()> {
        let count = count.to_string();
        let args = [
            "user",
            "add-many",
            "--role",
            "applicant",
            "--prefix",
            prefix,
            "--count",
            &count,
            "--password-stdin",
            "--sitting",
            "demo-open",
        ];
        let out = self.cli(&args, Some(&format!("{password}\n")))?;
        if !out.status.success() {
            bail!(
                "user add-many failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    /// Runs the `qabilet` binary on this server's database with `args`, feeding `stdin`.
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> Result<std::process::Output> {
        let out = Command::new(server_binary())
            .args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("QABILET_JWT_SECRET_FILE", self.secret_path())
            .env("QABILET_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                if let (Some(mut pipe), Some(text)) = (child.stdin.take(), stdin) {
                    pipe.write_all(text.as_bytes())?;
                }
                child.wait_with_output()
            })?;
        Ok(out)
    }

    pub fn secret_path(&self) -> PathBuf {
        self.dir.path().join("jwt-secret")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// A direct connection to the server's database, for ground truth.
    pub async fn sql(&self) -> Result<sqlx::AnyConnection> {
        sqlx::any::install_default_drivers();
        Ok(sqlx::AnyConnection::connect(&self.database_url).await?)
    }

    /// The correct shown position of every item of `attempt_id`, from the database.
    pub async fn correct_positions(
        &self,
        attempt_id: &str,
    ) -> Result<std::collections::HashMap<String, u32>> {
        // The single-choice part of the right answers (one reading of forms and keys).
        self.right_answers(attempt_id)
            .await?
            .into_iter()
            .map(|(id, a)| {
                let p = a["value"].as_u64().context("a single-choice item")?;
                Ok((id, u32::try_from(p)?))
            })
            .collect()
    }
}

impl TestServer {
    /// The right answer to every item of an attempt's form, whatever its type, as the API
    /// takes it (`{"type": ..., "value": ...}`, in the applicant's shown positions): from the
    /// stored form and keys, as a grader would.
    pub async fn right_answers(
        &self,
        attempt_id: &str,
    ) -> Result<std::collections::HashMap<String, Value>> {
        use serde_json::json;
        use sqlx::Row;
        let mut c = self.sql().await?;
        let form: String = sqlx::query("SELECT form FROM attempts WHERE id = $1")
            .bind(attempt_id)
            .fetch_one(&mut c)
            .await?
            .try_get(0)?;
        let form: Value = serde_json::from_str(&form)?;
        let order = |v: &Value| -> Vec<u64> {
            v.as_array()
                .map(|a| a.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_default()
        };
        let mut out = std::collections::HashMap::new();
        for e in form["entries"].as_array().context("entries")? {
            let id = e["item_id"].as_str().context("item_id")?.to_string();
            let version = e["version"].as_i64().context("version")?;
            let key: String = sqlx::query(
                "SELECT answer_key FROM item_versions WHERE item_id = $1 AND version = $2",
            )
            .bind(&id)
            .bind(version)
            .fetch_one(&mut c)
            .await?
            .try_get(0)?;
            let key: Value = serde_json::from_str(&key)?;
            let options = order(&e["option_order"]);
            let matches = order(&e["match_order"]);
            let shown = |authored: u64, within: &[u64]| -> Result<u64> {
                within
                    .iter()
                    .position(|&a| a == authored)
                    .map(|p| p as u64)
                    .context("not on the form")
            };
            let answer = match key["type"].as_str().context("key type")? {
                "single_choice" => {
                    json!({"type": "choice", "value": shown(key["correct"].as_u64().context("correct")?, &options)?})
                }
                "multiple_response" => {
                    let mut v = order(&key["correct"])
                        .into_iter()
                        .map(|a| shown(a, &options))
                        .collect::<Result<Vec<_>>>()?;
                    v.sort_unstable();
                    json!({"type": "choices", "value": v})
                }
                "true_false" => json!({"type": "bool", "value": key["answer"]}),
                "matching" => {
                    let pairs = order(&key["pairs"]);
                    let v = options
                        .iter()
                        .map(|&premise| {
                            let m = *pairs.get(premise as usize).context("pair")?;
                            shown(m, &matches)
                        })
                        .collect::<Result<Vec<_>>>()?;
                    json!({"type": "pairs", "value": v})
                }
                "ordering" => {
                    let v = (0..options.len() as u64)
                        .map(|a| shown(a, &options))
                        .collect::<Result<Vec<_>>>()?;
                    json!({"type": "order", "value": v})
                }
                "numeric" => json!({"type": "number", "value": key["value"]}),
                "short_text" => json!({"type": "text", "value": key["accepted"][0]}),
                other => bail!("unknown key type {other}"),
            };
            out.insert(id, answer);
        }
        Ok(out)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
        if let Some(name) = self.pg_database.take() {
            drop_pg_database(name);
        }
    }
}

/// A fresh PostgreSQL database for one test (named `qabilet_test_<uuid>`).
async fn create_pg_database() -> Result<String> {
    let name = format!("qabilet_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&pg_admin_url())
        .await
        .context("connecting to PostgreSQL for a test database (set QABILET_TEST_PG)")?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    Ok(name)
}

/// The address of the test database `name` on the administrative connection's server.
fn pg_url(name: &str) -> Result<String> {
    let base = pg_admin_url();
    match base.rfind('/') {
        Some(i) => Ok(format!("{}/{name}", &base[..i])),
        None => bail!("QABILET_TEST_PG has no database part"),
    }
}

/// Drops a test database (best effort, on a fresh runtime: it runs from `Drop`, which cannot
/// be async and may run inside another runtime).
fn drop_pg_database(name: String) {
    let admin = pg_admin_url();
    let _ = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async move {
            if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut c)
                    .await;
            }
        });
    })
    .join();
}

/// A fresh, empty database of the kind `QABILET_TEST_DB` chooses, for tests that run the
/// services in their own process (the one way tests choose their database: the same as
/// [`TestServer`]'s). SQLite: a file in a temporary folder; PostgreSQL: a new database,
/// dropped with this value.
pub struct TestDatabase {
    pub db: Db,
    pub url: String,
    pub dir: tempfile::TempDir,
    pg_database: Option<String>,
}

impl TestDatabase {
    pub async fn create(db: Db) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let (url, pg_database) = match db {
            Db::Sqlite => (
                format!("sqlite:{}", dir.path().join("qabilet.db").display()),
                None,
            ),
            Db::Postgres => {
                let name = create_pg_database().await?;
                (pg_url(&name)?, Some(name))
            }
        };
        Ok(Self {
            db,
            url,
            dir,
            pg_database,
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = self.pg_database.take() {
            drop_pg_database(name);
        }
    }
}

/// A further app server on a test server's database.
pub struct Instance {
    pub base: String,
    child: Option<Child>,
}

impl Instance {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A JSON API client holding one bearer token.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

/// Status and JSON body of a response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub text: String,
}

impl Api {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        Self {
            http,
            base: base.to_string(),
            token: None,
        }
    }

    pub async fn login(base: &str, email: &str, password: &str) -> Result<Self> {
        let mut api = Self::new(base);
        let r = api
            .post(
                "/api/v1/auth/login",
                &serde_json::json!({"email": email, "password": password}),
            )
            .await?;
        if r.status != 200 {
            bail!("login as {email} failed: {} {}", r.status, r.text);
        }
        api.token = Some(r.body["token"].as_str().context("token")?.to_string());
        Ok(api)
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Reply> {
        let req = match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let res = req.send().await?;
        let status = res.status().as_u16();
        let text = res.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply { status, body, text })
    }

    pub async fn get(&self, path: &str) -> Result<Reply> {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Reply> {
        self.send(self.http.post(format!("{}{path}", self.base)).json(body))
            .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Result<Reply> {
        self.send(self.http.put(format!("{}{path}", self.base)).json(body))
            .await
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Result<Reply> {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }

    /// A text response (exports); fails unless the status is 200.
    pub async fn get_text(&self, path: &str) -> Result<String> {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await?;
        let status = r.status();
        let text = r.text().await?;
        if !status.is_success() {
            bail!("GET {path}: {status}: {text}");
        }
        Ok(text)
    }

    pub async fn put_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Result<Reply> {
        self.send(
            self.http
                .put(format!("{}{path}", self.base))
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }
}

/// The item ids of an attempt as the API returns it, in form order.
pub fn item_ids(attempt: &Value) -> Vec<String> {
    attempt["items"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|i| i["item_id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Every demo account: `(email, password)`.
pub const APPLICANT: (&str, &str) = ("applicant@demo.kz", "demo-applicant");
pub const APPLICANT2: (&str, &str) = ("applicant2@demo.kz", "demo-applicant2");
pub const APPLICANT3: (&str, &str) = ("applicant3@demo.kz", "demo-applicant3");
pub const METHODOLOGIST: (&str, &str) = ("methodologist@demo.kz", "demo-methodologist");
pub const METHODOLOGIST2: (&str, &str) = ("methodologist2@demo.kz", "demo-methodologist2");
pub const PROCTOR: (&str, &str) = ("proctor@demo.kz", "demo-proctor");
pub const ADMIN: (&str, &str) = ("admin@demo.kz", "demo-admin-1");
pub const EXPERT: (&str, &str) = ("expert@demo.kz", "demo-expert-1");
pub const EXPERT2: (&str, &str) = ("expert2@demo.kz", "demo-expert-2");
pub const EXPERT3: (&str, &str) = ("expert3@demo.kz", "demo-expert-3");
pub const COMMISSION: (&str, &str) = ("commission@demo.kz", "demo-commission-1");
pub const COMMISSION2: (&str, &str) = ("commission2@demo.kz", "demo-commission-2");

/// A valid IIN for a birth date `yymmdd` (century digit 3 or 4: born 1900-1999), the first
/// serial with a check digit from `serial` on.
pub fn valid_iin(yymmdd: &str, century_sex: u8, serial: u32) -> String {
    (serial..serial + 1000)
        .find_map(|s| {
            question_bank::iin::complete(&format!("{yymmdd}{century_sex}{:04}", s % 10_000))
        })
        .unwrap_or_default()
}

/// A headless Chromium driven through chromedriver (Debian's packages), with a fresh profile.
pub struct Browser {
    pub client: fantoccini::Client,
    port: u16,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Result<Self> {
        // reqwest and fantoccini bring different rustls backends; pick one for the process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let driver_bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {driver_bin} (apt-get install chromium-driver)"))?;
        let profile = tempfile::tempdir()?;
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let caps = serde_json::json!({
            // The page's console and failed loads, read by `console_errors`.
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-quic", "--window-size=1366,900",
                    "--lang=en-US",
                    // A camera that shows a test pattern, allowed without a prompt.
                    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let caps = match caps {
            Value::Object(m) => m,
            _ => bail!("capabilities"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..50 {
            match fantoccini::ClientBuilder::rustls()?
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Ok(Self {
                        client,
                        port,
                        driver,
                        _profile: profile,
                    });
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        let mut driver = driver;
        let _ = driver.kill();
        bail!("could not connect to chromedriver: {last:?}")
    }

    /// Signs in on the login page and waits for the dashboard.
    pub async fn sign_in(&self, base: &str, who: (&str, &str)) -> Result<()> {
        use fantoccini::Locator;
        let c = &self.client;
        c.goto(&format!("{base}/login")).await?;
        self.wait_hydrated().await?;
        c.find(Locator::Css("#email"))
            .await?
            .send_keys(who.0)
            .await?;
        c.find(Locator::Css("#password"))
            .await?
            .send_keys(who.1)
            .await?;
        c.find(Locator::Css("#sign-in")).await?.click().await?;
        c.wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(".welcome"))
            .await?;
        self.wait_hydrated().await
    }

    /// Opens `url` and waits for it to hydrate.
    pub async fn open(&self, url: &str) -> Result<()> {
        self.client.goto(url).await?;
        self.wait_hydrated().await
    }

    /// Waits until the page has hydrated (the app marks `<body data-hydrated>`).
    pub async fn wait_hydrated(&self) -> Result<()> {
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(fantoccini::Locator::Css("body[data-hydrated]"))
            .await?;
        Ok(())
    }

    /// Cuts or restores the page's network (Chromium's network emulation, through
    /// chromedriver's `chromium/network_conditions` endpoint).
    pub async fn set_offline(&self, offline: bool) -> Result<()> {
        let session = self
            .client
            .session_id()
            .await?
            .context("no webdriver session")?;
        let url = format!(
            "http://127.0.0.1:{}/session/{session}/chromium/network_conditions",
            self.port
        );
        let body = serde_json::json!({"network_conditions": {
            "offline": offline, "latency": 0, "download_throughput": -1, "upload_throughput": -1
        }});
        let res = reqwest::Client::new().post(url).json(&body).send().await?;
        if !res.status().is_success() {
            bail!(
                "network_conditions: {} {}",
                res.status(),
                res.text().await.unwrap_or_default()
            );
        }
        Ok(())
    }

    /// The browser's console entries since the last call (chromedriver's log endpoint): each
    /// `(level, message)`, e.g. `("SEVERE", "... the server responded with a status of 500")`.
    /// Read entries are gone, so each call returns what happened since the one before.
    pub async fn console(&self) -> Result<Vec<(String, String)>> {
        let session = self
            .client
            .session_id()
            .await?
            .context("no webdriver session")?;
        let url = format!("http://127.0.0.1:{}/session/{session}/se/log", self.port);
        let body = serde_json::json!({"type": "browser"});
        let res = reqwest::Client::new().post(url).json(&body).send().await?;
        ensure!(res.status().is_success(), "se/log: {}", res.status());
        let v: Value = res.json().await?;
        Ok(v["value"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        (
                            e["level"].as_str().unwrap_or("").to_string(),
                            e["message"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The console errors since the last read: the page's `console.error` (a wasm panic
    /// prints there), uncaught exceptions and failed loads (an HTTP 4xx/5xx answer).
    pub async fn console_errors(&self) -> Result<Vec<String>> {
        Ok(self
            .console()
            .await?
            .into_iter()
            .filter(|(level, _)| level == "SEVERE")
            .map(|(_, m)| m)
            .collect())
    }

    pub async fn close(mut self) -> Result<()> {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// A competency `all-types` with one published item of each of the seven types (Russian only),
/// and an active blueprint `all-types` that puts all seven on every form.
pub mod seven {
    use super::*;
    use serde_json::json;

    pub const COMPETENCY: &str = "all-types";
    pub const BLUEPRINT: &str = "all-types";

    fn ru(text: &str) -> Value {
        json!({ "ru": text })
    }

    fn item(id: &str, stem: &str, options: &[&str], matches: &[&str], key: Value) -> Value {
        json!({
            "id": id,
            "version": 1,
            "competency": COMPETENCY,
            "difficulty": "medium",
            "stem": ru(stem),
            "options": options.iter().map(|o| ru(o)).collect::<Vec<_>>(),
            "matches": matches.iter().map(|o| ru(o)).collect::<Vec<_>>(),
            "key": key,
            "rationale": ru("Так задумано."),
        })
    }

    pub const CAPITALS: [(&str, &str); 3] = [
        ("Казахстан", "Астана"),
        ("Франция", "Париж"),
        ("Япония", "Токио"),
    ];
    pub const ORDER: [&str; 4] = ["первый", "второй", "третий", "четвёртый"];

    pub fn items() -> Vec<Value> {
        vec![
            item(
                "t-single",
                "Выберите правильный вариант",
                &["неверный-1", "правильный", "неверный-2"],
                &[],
                json!({"type": "single_choice", "correct": 1}),
            ),
            item(
                "t-multi",
                "Отметьте все «да»",
                &["да-1", "нет-1", "да-2", "нет-2"],
                &[],
                json!({"type": "multiple_response", "correct": [0, 2], "credit": "right_minus_wrong"}),
            ),
            item(
                "t-tf",
                "Астана — столица Казахстана",
                &[],
                &[],
                json!({"type": "true_false", "answer": true}),
            ),
            item(
                "t-match",
                "Сопоставьте страну и столицу",
                &[CAPITALS[0].0, CAPITALS[1].0, CAPITALS[2].0],
                &["Астана", "Париж", "Токио", "Берлин"],
                json!({"type": "matching", "pairs": [0, 1, 2]}),
            ),
            item(
                "t-order",
                "Расставьте по порядку",
                &ORDER,
                &[],
                json!({"type": "ordering"}),
            ),
            item(
                "t-num",
                "Сколько будет 5 / 2?",
                &[],
                &[],
                json!({"type": "numeric", "value": 2.5, "tolerance": 0.01}),
            ),
            item(
                "t-text",
                "Автор «Слов назидания»",
                &[],
                &[],
                json!({"type": "short_text", "accepted": ["Абай"], "case_sensitive": false}),
            ),
        ]
    }

    /// Creates the competency, publishes the seven items (m1 writes, m2 reviews) and makes the
    /// blueprint with `pass_percent` the active one.
    pub async fn set_up(m1: &Api, m2: &Api, pass_percent: f64) -> Result<()> {
        let r = m1
            .put(
                &format!("/api/v1/bank/competencies/{COMPETENCY}"),
                &json!({"code": COMPETENCY, "position": 99, "names": {"ru": "Все типы", "en": "All types"}}),
            )
            .await?;
        ensure!(r.status == 200, "competency: {}", r.text);
        for it in items() {
            let id = it["id"].as_str().context("id")?.to_string();
            let r = m1
                .post("/api/v1/bank/items", &json!({ "item": it }))
                .await?;
            ensure!(r.status == 200, "create {id}: {}", r.text);
            let r = m1
                .post(&format!("/api/v1/bank/items/{id}/submit"), &json!({}))
                .await?;
            ensure!(r.status == 200, "submit {id}: {}", r.text);
            let r = m2
                .post(
                    &format!("/api/v1/bank/items/{id}/review"),
                    &json!({"approve": true}),
                )
                .await?;
            ensure!(r.body["status"] == "published", "review {id}: {}", r.text);
        }
        let bp = json!({
            "id": BLUEPRINT, "name": "Все типы", "time_limit_minutes": 30,
            "pass_percent": pass_percent, "sections": [{"competency": COMPETENCY, "count": 7}],
            "languages": ["ru"],
            // These tests are about item types and scoring; seats have their own tests.
            "seated_only": false
        });
        let r = m1
            .put(&format!("/api/v1/blueprints/{BLUEPRINT}"), &bp)
            .await?;
        ensure!(r.status == 200, "blueprint: {}", r.text);
        let r = m1
            .post(
                &format!("/api/v1/blueprints/{BLUEPRINT}/activate"),
                &json!({"active": true}),
            )
            .await?;
        ensure!(r.status == 200, "activate: {}", r.text);
        Ok(())
    }

    fn strings(v: &Value) -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn pos(list: &[String], text: &str) -> Result<u32> {
        list.iter()
            .position(|s| s == text)
            .map(|p| p as u32)
            .with_context(|| format!("{text:?} not among {list:?}"))
    }

    /// The fully right answer to one of the seven items as the attempt shows it (shown
    /// positions), worked out from the texts.
    pub fn right_answer(view: &Value) -> Result<Value> {
        let options = strings(&view["options"]);
        let matches = strings(&view["matches"]);
        Ok(match view["item_id"].as_str().context("item_id")? {
            "t-single" => json!({"type": "choice", "value": pos(&options, "правильный")?}),
            "t-multi" => {
                let mut v = vec![pos(&options, "да-1")?, pos(&options, "да-2")?];
                v.sort_unstable();
                json!({"type": "choices", "value": v})
            }
            "t-tf" => json!({"type": "bool", "value": true}),
            "t-match" => {
                let pairs = options
                    .iter()
                    .map(|country| {
                        let capital = CAPITALS
                            .iter()
                            .find(|(c, _)| c == country)
                            .map(|(_, cap)| *cap)
                            .context("country")?;
                        pos(&matches, capital)
                    })
                    .collect::<Result<Vec<_>>>()?;
                json!({"type": "pairs", "value": pairs})
            }
            "t-order" => {
                let order = ORDER
                    .iter()
                    .map(|t| pos(&options, t))
                    .collect::<Result<Vec<_>>>()?;
                json!({"type": "order", "value": order})
            }
            "t-num" => json!({"type": "number", "value": 2.5}),
            "t-text" => json!({"type": "text", "value": "  абай "}),
            other => bail!("not one of the seven: {other}"),
        })
    }
}
