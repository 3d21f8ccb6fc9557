//! `cargo xtask`: builds the site the way cargo-leptos would, without installing it.
//!
//! - `build [--release]`  the server binary and the hydrated wasm bundle (site in `<target>/site`)
//! - `run [--release]`    build (debug unless `--release`) and serve with demo data on :3000
//! - `test`               install what tests need, build, run every test of the workspace
//! - `ci`                 `test`, then `cargo fmt --check` and `cargo clippy -D warnings`
//!
//! It installs what it needs itself: the wasm32 target (rustup), wasm-opt (the npm package
//! `binaryen`; Debian's wasm-opt breaks Leptos modules), and for tests Debian's chromium and
//! chromium-driver, axe-core (npm) for the accessibility checks, schemathesis (PyPI, in a
//! virtual environment under `<target>/tools`) for the API fuzz test, and a PostgreSQL server
//! when none answers on 127.0.0.1:5432.

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const OUTPUT_NAME: &str = "qabilet";
const BINARYEN_VERSION: &str = "132.0.0";
/// axe-core (npm), the accessibility checker the browser tests inject.
const AXE_VERSION: &str = "4.11.0";
/// schemathesis (PyPI), the schema-driven API fuzzer.
const SCHEMATHESIS_VERSION: &str = "4.32.5";

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let ws = Workspace::find()?;
    match args.first().map(String::as_str) {
        Some("build") => {
            ws.build(flag("--release"))?;
        }
        Some("run") => {
            // The debug build is the one the tests use too, so it is usually built already;
            // `--release` for an optimised server.
            let release = flag("--release");
            ws.build(release)?;
            ws.serve(release)?;
        }
        Some("test") => ws.test()?,
        Some("ci") => {
            ws.test()?;
            ws.lint()?;
        }
        Some("lint") => ws.lint()?,
        _ => {
            eprintln!(
                "usage: cargo xtask <build [--release] | run [--release] | test | lint | ci>"
            );
            bail!("no command given");
        }
    }
    Ok(())
}

struct Workspace {
    root: PathBuf,
    target: PathBuf,
}

fn status(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let st = cmd.status().with_context(|| format!("starting {shown}"))?;
    if !st.success() {
        bail!("{shown} failed ({st})");
    }
    Ok(())
}

fn step(name: &str) {
    eprintln!("\x1b[1mxtask:\x1b[0m {name}");
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .is_ok_and(|s| s.success())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn apt_install(packages: &[&str]) -> Result<()> {
    let sudo: &[&str] = if is_root() { &[] } else { &["sudo"] };
    let mut update = Command::new(if sudo.is_empty() { "apt-get" } else { "sudo" });
    if !sudo.is_empty() {
        update.arg("apt-get");
    }
    status(update.args(["update", "-qq"]))?;
    let mut install = Command::new(if sudo.is_empty() { "apt-get" } else { "sudo" });
    if !sudo.is_empty() {
        install.arg("apt-get");
    }
    status(
        install
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-qq"])
            .args(packages),
    )
}

impl Workspace {
    fn find() -> Result<Self> {
        let out = Command::new(env_or("CARGO", "cargo"))
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .context("running cargo metadata")?;
        if !out.status.success() {
            bail!(
                "cargo metadata failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let meta: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        let root = PathBuf::from(meta["workspace_root"].as_str().context("workspace_root")?);
        let target = PathBuf::from(
            meta["target_directory"]
                .as_str()
                .context("target_directory")?,
        );
        Ok(Self { root, target })
    }

    fn cargo(&self) -> Command {
        let mut c = Command::new(env_or("CARGO", "cargo"));
        c.current_dir(&self.root);
        c
    }

    fn site(&self) -> PathBuf {
        self.target.join("site")
    }

    fn tools(&self) -> PathBuf {
        self.target.join("tools")
    }

    fn server_bin(&self, release: bool) -> PathBuf {
        self.target
            .join(if release { "release" } else { "debug" })
            .join("qabilet")
    }

    fn ensure_wasm_target(&self) -> Result<()> {
        let out = Command::new("rustup")
            .args(["target", "list", "--installed"])
            .output();
        match out {
            Ok(o)
                if String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .any(|l| l.trim() == "wasm32-unknown-unknown") =>
            {
                Ok(())
            }
            Ok(_) => {
                step("installing the wasm32-unknown-unknown target");
                status(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
            }
            Err(_) => {
                eprintln!("xtask: rustup not found; assuming the wasm32 target is installed");
                Ok(())
            }
        }
    }

    /// wasm-opt from the npm package `binaryen`, installed once under `<target>/tools`.
    fn wasm_opt(&self) -> Result<PathBuf> {
        let bin = self
            .tools()
            .join("node_modules")
            .join(".bin")
            .join("wasm-opt");
        self.npm_package(&format!("binaryen@{BINARYEN_VERSION}"), &bin)?;
        Ok(bin)
    }

    /// axe-core's browser script, from npm, installed once under `<target>/tools`.
    fn axe(&self) -> Result<PathBuf> {
        let file = self
            .tools()
            .join("node_modules")
            .join("axe-core")
            .join("axe.min.js");
        let version = self.tools().join("node_modules/axe-core/package.json");
        let current = std::fs::read_to_string(&version)
            .is_ok_and(|t| t.contains(&format!("\"version\": \"{AXE_VERSION}\"")));
        if !current {
            let _ = std::fs::remove_file(&file);
        }
        self.npm_package(&format!("axe-core@{AXE_VERSION}"), &file)?;
        Ok(file)
    }

    /// Installs an npm package under `<target>/tools` unless `marker` exists.
    fn npm_package(&self, package: &str, marker: &Path) -> Result<()> {
        if marker.exists() {
            return Ok(());
        }
        step(&format!("installing {package} (npm)"));
        std::fs::create_dir_all(self.tools())?;
        if !have("npm") {
            if is_root() || have("sudo") {
                apt_install(&["nodejs", "npm"])?;
            } else {
                bail!("npm is needed to install {package}; install Node.js");
            }
        }
        status(
            Command::new("npm")
                .current_dir(self.tools())
                .args([
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--silent",
                    "--prefix",
                    ".",
                ])
                .arg(package),
        )?;
        if !marker.exists() {
            bail!(
                "npm installed {package} but {} is missing",
                marker.display()
            );
        }
        Ok(())
    }

    /// schemathesis from PyPI, in a virtual environment under `<target>/tools/venv`.
    fn schemathesis(&self) -> Result<PathBuf> {
        let venv = self.tools().join("venv");
        let bin = venv.join("bin").join("schemathesis");
        let stamp = venv.join(format!("schemathesis-{SCHEMATHESIS_VERSION}"));
        if bin.exists() && stamp.exists() {
            return Ok(bin);
        }
        step(&format!(
            "installing schemathesis {SCHEMATHESIS_VERSION} (PyPI)"
        ));
        std::fs::create_dir_all(self.tools())?;
        if !have("python3") && (is_root() || have("sudo")) {
            apt_install(&["python3", "python3-venv"])?;
        }
        if !venv.join("bin").join("pip").exists() {
            let made = Command::new("python3")
                .arg("-m")
                .arg("venv")
                .arg(&venv)
                .status();
            if !made.is_ok_and(|s| s.success()) && (is_root() || have("sudo")) {
                apt_install(&["python3-venv"])?;
                status(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
            }
        }
        status(
            Command::new(venv.join("bin").join("pip"))
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}")),
        )?;
        if !bin.exists() {
            bail!(
                "pip installed schemathesis but {} is missing",
                bin.display()
            );
        }
        std::fs::write(&stamp, b"")?;
        Ok(bin)
    }

    fn build(&self, release: bool) -> Result<()> {
        let started = Instant::now();
        self.ensure_wasm_target()?;
        step(&format!(
            "building the server ({})",
            if release { "release" } else { "debug" }
        ));
        let mut server = self.cargo();
        server.args(["build", "-p", "server", "--bin", "qabilet"]);
        if release {
            server.arg("--release");
        }
        status(&mut server)?;
        self.build_site()?;
        step(&format!(
            "built in {:.0} s",
            started.elapsed().as_secs_f64()
        ));
        Ok(())
    }

    /// The hydrated bundle is always built with the size profile: it is what users download,
    /// and what the key-confidentiality test inspects.
    fn build_site(&self) -> Result<()> {
        step("building the hydrate bundle (wasm32, size profile)");
        status(self.cargo().args([
            "build",
            "-p",
            "app",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--features",
            "hydrate",
            "--profile",
            "wasm-release",
        ]))?;
        let wasm = self
            .target
            .join("wasm32-unknown-unknown")
            .join("wasm-release")
            .join("app.wasm");
        let site = self.site();
        let pkg = site.join("pkg");
        std::fs::create_dir_all(&pkg)?;
        step("generating JS bindings (wasm-bindgen)");
        let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
        bindgen
            .input_path(&wasm)
            .out_name(OUTPUT_NAME)
            .web(true)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .typescript(false)
            .debug(false)
            .keep_debug(false)
            .remove_name_section(true)
            .remove_producers_section(true);
        bindgen
            .generate(&pkg)
            .map_err(|e| anyhow::anyhow!("wasm-bindgen: {e}"))?;
        let out_wasm = pkg.join(format!("{OUTPUT_NAME}_bg.wasm"));
        let raw = std::fs::metadata(&out_wasm)?.len();
        // wasm-opt -Oz takes minutes on two cores; its output for the same input is kept
        // (keyed by the input's SHA-256) so a clean clone of unchanged sources (CI after a
        // local build) reuses it.
        let digest = {
            use sha2::Digest;
            let bytes = std::fs::read(&out_wasm)?;
            sha2::Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        let cache = self.tools().join("wasm-opt-cache");
        std::fs::create_dir_all(&cache)?;
        let cached = cache.join(format!("{digest}.wasm"));
        let optimised = pkg.join(format!("{OUTPUT_NAME}_bg.opt.wasm"));
        if cached.exists() {
            step("wasm-opt -Oz: this input was optimised before (cached)");
            std::fs::copy(&cached, &optimised)?;
            // Used now: the newest to keep.
            let _ = std::fs::File::options()
                .append(true)
                .open(&cached)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        } else {
            step("optimising the wasm for size (wasm-opt -Oz)");
            status(
                Command::new(self.wasm_opt()?)
                    .arg("-Oz")
                    .args([
                        "--enable-bulk-memory",
                        "--enable-nontrapping-float-to-int",
                        "--enable-sign-ext",
                        "--enable-mutable-globals",
                        "--enable-reference-types",
                        "--enable-multivalue",
                    ])
                    .arg(&out_wasm)
                    .arg("-o")
                    .arg(&optimised),
            )?;
            // Keep the newest few results (a build of an experiment in between must not
            // cost the next clean clone of the previous sources its cache).
            let mut kept: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&cache)?
                .flatten()
                .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
                .collect();
            kept.sort();
            while kept.len() >= WASM_OPT_KEPT {
                let (_, oldest) = kept.remove(0);
                let _ = std::fs::remove_file(oldest);
            }
            std::fs::copy(&optimised, &cached)?;
        }
        std::fs::rename(&optimised, &out_wasm)?;
        std::fs::copy(
            self.root.join("style").join("qabilet.css"),
            pkg.join(format!("{OUTPUT_NAME}.css")),
        )?;
        copy_dir(&self.root.join("app").join("public"), &site)?;
        let mut report = vec![format!("wasm after wasm-bindgen: {raw} bytes")];
        for name in [
            format!("{OUTPUT_NAME}_bg.wasm"),
            format!("{OUTPUT_NAME}.js"),
            format!("{OUTPUT_NAME}.css"),
        ] {
            let (plain, gz, br) = compress(&pkg.join(&name))?;
            report.push(format!("{name}: {plain} bytes, gzip {gz}, brotli {br}"));
        }
        for line in &report {
            eprintln!("        {line}");
        }
        std::fs::write(site.join("sizes.txt"), report.join("\n") + "\n")?;
        Ok(())
    }

    fn serve(&self, release: bool) -> Result<()> {
        let bin = self.server_bin(release);
        step(&format!(
            "starting {} serve --demo --synthetic-round",
            bin.display()
        ));
        let mut cmd = Command::new(bin);
        cmd.current_dir(&self.root)
            .args(["serve", "--demo", "--synthetic-round"])
            .env("QABILET_SITE_ROOT", self.site());
        status(&mut cmd)
    }

    fn ensure_chromium(&self) -> Result<()> {
        if have("chromium") && have("chromedriver") {
            return Ok(());
        }
        step("installing Debian's chromium and chromium-driver for the browser tests");
        apt_install(&["chromium", "chromium-driver"])
    }

    fn ensure_postgres(&self) -> Result<()> {
        if std::env::var("QABILET_TEST_PG").is_ok_and(|v| v == "skip") {
            return Ok(());
        }
        let ready = || {
            std::net::TcpStream::connect_timeout(
                &std::net::SocketAddr::from(([127, 0, 0, 1], 5432)),
                std::time::Duration::from_secs(2),
            )
            .is_ok()
        };
        if ready() {
            return Ok(());
        }
        step("no PostgreSQL on 127.0.0.1:5432: starting or installing one");
        if !have("pg_ctlcluster") {
            apt_install(&["postgresql"])?;
        }
        let clusters = Command::new("sh")
            .args(["-c", "ls /etc/postgresql"])
            .output()?;
        let version = String::from_utf8_lossy(&clusters.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        if version.is_empty() {
            bail!("PostgreSQL is installed but has no cluster in /etc/postgresql");
        }
        status(Command::new("pg_ctlcluster").args([
            "--skip-systemctl-redirect",
            &version,
            "main",
            "start",
        ]))?;
        // Trust local TCP connections, as the tests expect (a fresh Debian cluster asks for
        // passwords on TCP).
        let hba = format!("/etc/postgresql/{version}/main/pg_hba.conf");
        if let Ok(text) = std::fs::read_to_string(&hba)
            && !text.contains("# qabilet-tests")
        {
            let mut f = std::fs::OpenOptions::new()
                .append(false)
                .write(true)
                .truncate(true)
                .open(&hba)?;
            writeln!(
                f,
                "# qabilet-tests\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n{text}"
            )?;
            status(Command::new("pg_ctlcluster").args([
                "--skip-systemctl-redirect",
                &version,
                "main",
                "reload",
            ]))?;
        }
        for _ in 0..30 {
            if ready() {
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
        bail!("PostgreSQL did not come up on 127.0.0.1:5432")
    }

    /// Whether cargo-nextest is installed (it is on this project's machines; without it the
    /// tests run with `cargo test`, slower and without per-test times).
    fn have_nextest(&self) -> bool {
        self.cargo()
            .args(["nextest", "--version"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn test(&self) -> Result<()> {
        self.ensure_chromium()?;
        self.ensure_postgres()?;
        let axe = self.axe()?;
        let fuzzer = self.schemathesis()?;
        self.build(false)?;
        let env = |c: &mut Command| {
            c.env("QABILET_BIN", self.server_bin(false))
                .env("QABILET_SITE_ROOT", self.site())
                .env("QABILET_AXE_JS", &axe)
                .env("QABILET_SCHEMATHESIS", &fuzzer);
        };
        // The second pass runs the end-to-end and browser tests again on PostgreSQL, except
        // those written for both databases (they ran on both already), the backup (SQLite's
        // own) and the fuzzer (its long run is enough once, on SQLite, for the schema), and
        // the in-process service tests.
        let nextest = self.have_nextest();
        // Both passes select the same packages (the whole workspace but xtask), so cargo
        // unifies the same features and builds the test binaries once.
        // The in-process service and router tests run again on PostgreSQL too (seconds).
        const SECOND_PASS: &str = "(binary(e2e) and not (test(on_sqlite) | test(on_postgres) \
                                   | test(/^backup::/) | test(/^api_fuzz::/))) \
                                   | (package(server) and test(/^tests::/))";
        if !nextest {
            step("running the tests (tests that run on one database: SQLite)");
            let mut first = self.cargo();
            first.args(["test", "--workspace", "--exclude", "xtask"]);
            env(&mut first);
            status(&mut first)?;
            step("running the end-to-end and browser tests again on PostgreSQL");
            let mut second = self.cargo();
            second.args([
                "test",
                "--workspace",
                "--exclude",
                "xtask",
                "--test",
                "e2e",
                "--",
                "--skip",
                "on_sqlite",
                "--skip",
                "on_postgres",
                "--skip",
                "backup::",
                "--skip",
                "api_fuzz::",
            ]);
            env(&mut second);
            second.env("QABILET_TEST_DB", "postgres");
            return status(&mut second);
        }
        // With nextest: build once, then both passes at the same time (the tests mostly wait
        // on servers, browsers and clocks: one pass alone keeps this machine's two cores about
        // half busy). The PostgreSQL pass writes to a file, shown when it ends.
        step("building the test binaries");
        let mut build = self.cargo();
        build.args([
            "nextest",
            "run",
            "--no-run",
            "--workspace",
            "--exclude",
            "xtask",
        ]);
        status(&mut build)?;
        step(
            "running the tests on SQLite and, at the same time, the end-to-end and browser tests again on PostgreSQL",
        );
        let log = self.target.join("postgres-pass.log");
        let mut second = self.cargo();
        second.args([
            "nextest",
            "run",
            "--workspace",
            "--exclude",
            "xtask",
            "-E",
            SECOND_PASS,
        ]);
        env(&mut second);
        second
            .env("QABILET_TEST_DB", "postgres")
            .stdout(std::fs::File::create(&log)?)
            .stderr(std::fs::File::create(
                self.target.join("postgres-pass.err"),
            )?);
        let mut pg = second.spawn().context("starting the PostgreSQL pass")?;
        let mut first = self.cargo();
        first.args(["nextest", "run", "--workspace", "--exclude", "xtask"]);
        env(&mut first);
        let sqlite = first.status().context("starting the SQLite pass");
        let pg = pg.wait().context("waiting for the PostgreSQL pass");
        step("the PostgreSQL pass");
        for f in [log.clone(), self.target.join("postgres-pass.err")] {
            print!("{}", std::fs::read_to_string(&f).unwrap_or_default());
        }
        match (sqlite?.success(), pg?.success()) {
            (true, true) => Ok(()),
            (s, p) => bail!(
                "tests failed: SQLite pass {}, PostgreSQL pass {}",
                if s { "passed" } else { "FAILED" },
                if p { "passed" } else { "FAILED" }
            ),
        }
    }

    fn lint(&self) -> Result<()> {
        step("cargo fmt --check");
        status(self.cargo().args(["fmt", "--all", "--check"]))?;
        step("cargo clippy --all-targets -- -D warnings");
        status(self.cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
        step("cargo clippy (hydrate, wasm32) -- -D warnings");
        status(self.cargo().args([
            "clippy",
            "-p",
            "app",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--features",
            "hydrate",
            "--",
            "-D",
            "warnings",
        ]))
    }
}

/// How many wasm-opt results are kept (by input digest; about 3 MB each).
const WASM_OPT_KEPT: usize = 4;

fn env_or(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    if !from.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}

/// Writes `file.gz` and `file.br` beside `file`; returns the three sizes.
fn compress(file: &Path) -> Result<(u64, u64, u64)> {
    let data = std::fs::read(file)?;
    let gz_path = PathBuf::from(format!("{}.gz", file.display()));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&data)?;
    let gz = gz.finish()?;
    std::fs::write(&gz_path, &gz)?;
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        w.write_all(&data)?;
    }
    std::fs::write(PathBuf::from(format!("{}.br", file.display())), &br)?;
    Ok((data.len() as u64, gz.len() as u64, br.len() as u64))
}
