//! The command line: `serve` (default), `migrate`, `demo`, `backup`, `user`, `bank`,
//! `assemble`, `rescore`.

use crate::auth::{self, Tokens};
use crate::clock::SystemClock;
use crate::config::Config;
use crate::http;
use crate::services::{Services, Settings};
use crate::state::AppState;
use crate::store::{self, Store, StoreError, UserRow};
use anyhow::Context;
use app::model::Role;
use clap::{Parser, Subcommand};
use leptos::prelude::LeptosOptions;
use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

mod serve;
use serve::*;

#[derive(Debug, Parser)]
#[command(
    name = "qabilet",
    version,
    about = "Qabilet: online competency testing and selection"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site and the API (the default). Applies migrations first.
    Serve {
        /// Load the demo bank, blueprint and accounts first (idempotent).
        #[arg(long, env = "QABILET_DEMO")]
        demo: bool,
        /// With --demo: also a synthetic national round of 8,068 applications (reports, reserve).
        #[arg(long, env = "QABILET_DEMO_ROUND")]
        synthetic_round: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo bank, blueprint and accounts (idempotent) and print the accounts.
    Demo {
        /// Also a synthetic national round of 8,068 applications (reports, reserve).
        #[arg(long)]
        synthetic_round: bool,
    },
    /// Write a consistent copy of the live SQLite database to FILE (safe while serving).
    Backup { file: std::path::PathBuf },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The question bank: import and export.
    Bank {
        #[command(subcommand)]
        command: BankCommand,
    },
    /// Draw COUNT fair forms of a stored blueprint from the published bank and print them with
    /// a fairness summary, as JSON. Nothing is stored.
    Assemble {
        #[arg(long)]
        blueprint: String,
        #[arg(long, default_value_t = 1)]
        count: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Only items complete in this language (default: the first the blueprint offers).
        #[arg(long)]
        language: Option<String>,
    },
    /// Score every closed attempt of a blueprint again (after a key or the pass rule changed)
    /// and print the scores that changed, as JSON.
    Rescore {
        #[arg(long)]
        blueprint: String,
    },
    /// Analyse a scored response matrix (CSV: a header row of item ids, one row per examinee,
    /// 0/1, empty = not reached) and print every statistic as JSON: classical item analysis
    /// and reliability, and with --model rasch or 2pl the IRT calibration (MML/EM), each
    /// examinee's ability (EAP) and the test information. Needs no database.
    Analyze {
        #[arg(long)]
        responses: std::path::PathBuf,
        /// classical, rasch or 2pl.
        #[arg(long, default_value = "classical")]
        model: String,
    },
    /// Print the authorization matrix (every API route and server function, the roles that
    /// may call it and its ownership rule) as JSON. Needs no database.
    Routes {
        /// The pages instead: every route of the app, who it is for, whether it is in the
        /// menu (the page table the crawler test reads).
        #[arg(long)]
        pages: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum BankCommand {
    /// Import GIFT, Moodle XML or CSV: every item or none. Prints what was (or, with --dry-run,
    /// would be) imported, skipped and refused. New items are drafts unless --publish.
    Import {
        file: std::path::PathBuf,
        /// gift, moodle-xml or csv (default: from the file name).
        #[arg(long)]
        format: Option<String>,
        /// Check and report only; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// The language of texts that do not say which language they are in.
        #[arg(long, default_value = "ru")]
        language: String,
        /// The competency of items the file gives no category.
        #[arg(long, default_value = "uncategorised")]
        default_competency: String,
        /// Publish the imported items at once (an operator's decision, recorded in the audit
        /// log), instead of leaving them as drafts for review.
        #[arg(long)]
        publish: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export the bank to standard output (or --output FILE).
    Export {
        /// gift, moodle-xml or csv.
        #[arg(long)]
        format: String,
        /// `published`: the published version of each item; `all` (default): the newest version.
        #[arg(long, default_value = "all")]
        status: String,
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. Prompts for the password unless --password-stdin is given.
    Add {
        #[arg(long, value_parser = ["applicant", "proctor", "methodologist", "admin", "expert", "commission"])]
        role: String,
        #[arg(long)]
        email: String,
        /// Full name as shown in the interface.
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Create COUNT accounts PREFIX-1@load.test ... PREFIX-COUNT@load.test sharing one password
    /// (for load tests and rehearsals; existing ones are kept).
    AddMany {
        #[arg(long, value_parser = ["applicant", "proctor", "methodologist", "admin", "expert", "commission"])]
        role: String,
        #[arg(long)]
        prefix: String,
        #[arg(long)]
        count: u32,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Seat the applicants in this sitting (e.g. the demo's `demo-open`): the stage-one
        /// test is taken only with a seat.
        #[arg(long)]
        sitting: Option<String>,
    },
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let password = if from_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s.lines().next().unwrap_or_default().to_string()
    } else {
        rpassword::prompt_password("Password: ")?
    };
    auth::check_password_policy(&password).map_err(anyhow::Error::msg)?;
    Ok(password)
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("QABILET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // Structured logs (one JSON object per line, with the request id of the span) for
    // collectors; the readable format otherwise.
    if std::env::var("QABILET_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().with_current_span(true).init();
    } else {
        builder.init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let store = store::connect(&config.database_url)
        .await
        .with_context(|| format!("opening the database {}", redact(&config.database_url)))?;
    store.migrate().await.context("applying migrations")?;
    Ok(store)
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}

/// Services for a command (no signing secret needed: commands do not issue tokens).
/// The services' settings from the configuration.
fn settings(config: &Config) -> Settings {
    Settings {
        grace_ms: i64::from(config.grace_seconds) * 1000,
        secure_cookies: config.secure_cookies,
        credit_after_ms: i64::from(config.credit_after_seconds) * 1000,
        credit_cap_ms: i64::from(config.credit_cap_seconds) * 1000,
        silent_ms: i64::from(config.outage_silence_seconds) * 1000,
        photo_retention_ms: i64::from(config.photo_retention_days) * 86_400_000,
        public_url: config.public_base(),
        password_threads: config.password_threads,
        lockout_ms: i64::from(config.lockout_seconds) * 1000,
    }
}

fn offline_services(store: Arc<dyn Store>, config: &Config) -> Services {
    Services::new(
        store,
        Tokens::new(&[0u8; 32], 60),
        Arc::new(SystemClock),
        settings(config),
    )
}

fn print_report(r: &app::model::ImportReport) {
    let verb = if r.dry_run { "would be" } else { "were" };
    if !r.errors.is_empty() {
        let nothing = if r.dry_run { "would be" } else { "was" };
        println!("{} errors; nothing {nothing} imported:", r.errors.len());
        for e in &r.errors {
            println!("  error   {}: {}", e.at, e.message);
        }
    } else {
        println!(
            "{} new items and {} new versions {verb} imported ({})",
            r.created.len(),
            r.updated.len(),
            r.format
        );
    }
    for s in &r.skipped {
        println!("  skipped {}: {}", s.at, s.message);
    }
    for w in &r.warnings {
        println!("  warning {}: {}", w.at, w.message);
    }
    if !r.new_competencies.is_empty() {
        println!("new competencies: {}", r.new_competencies.join(", "));
    }
    for (lang, n) in &r.ready {
        println!("complete in {lang}: {n} items");
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve {
        demo: false,
        synthetic_round: false,
    }) {
        Command::Bank {
            command:
                BankCommand::Import {
                    file,
                    format,
                    dry_run,
                    language,
                    default_competency,
                    publish,
                    json,
                },
        } => {
            use question_bank::formats::{Format, ImportOptions};
            let format = match format {
                Some(f) => Format::parse(&f).with_context(|| {
                    format!("unknown format {f:?}: use gift, moodle-xml or csv")
                })?,
                None => Format::from_file_name(&file.to_string_lossy()).context(
                    "cannot tell the format from the file name: give --format gift|moodle-xml|csv",
                )?,
            };
            let meta =
                std::fs::metadata(&file).with_context(|| format!("reading {}", file.display()))?;
            anyhow::ensure!(
                meta.len() <= crate::services::bank::MAX_IMPORT_BYTES as u64,
                "{} has {} bytes; at most {} are taken at once",
                file.display(),
                meta.len(),
                crate::services::bank::MAX_IMPORT_BYTES
            );
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let text = String::from_utf8(bytes)
                .map_err(|e| anyhow::anyhow!("{} is not UTF-8 text: {e}", file.display()))?;
            let options = ImportOptions {
                language: language.parse().map_err(|e| anyhow::anyhow!("{e}"))?,
                default_competency,
                ..Default::default()
            };
            let store = open_store(&config).await?;
            let services = offline_services(store, &config);
            let started = std::time::Instant::now();
            let report = services
                .bank_import(
                    &crate::services::bank::Actor::cli(),
                    format,
                    &text,
                    &options,
                    dry_run,
                    publish,
                )
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print_report(&report);
                eprintln!("took {:.2} s", started.elapsed().as_secs_f64());
            }
            anyhow::ensure!(report.errors.is_empty(), "the file was not imported");
            Ok(())
        }
        Command::Bank {
            command:
                BankCommand::Export {
                    format,
                    status,
                    output,
                },
        } => {
            use question_bank::formats::Format;
            let format = Format::parse(&format).with_context(|| {
                format!("unknown format {format:?}: use gift, moodle-xml or csv")
            })?;
            let published_only = match status.as_str() {
                "published" => true,
                "all" => false,
                other => anyhow::bail!("status {other:?}: use published or all"),
            };
            let store = open_store(&config).await?;
            let services = offline_services(store, &config);
            let text = services
                .bank_export(format, published_only)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            match output {
                Some(path) => {
                    std::fs::write(&path, text)
                        .with_context(|| format!("writing {}", path.display()))?;
                    eprintln!("wrote {}", path.display());
                }
                None => print!("{text}"),
            }
            Ok(())
        }
        Command::Assemble {
            blueprint,
            count,
            seed,
            language,
        } => {
            anyhow::ensure!(
                (1..=100_000).contains(&count),
                "--count must be between 1 and 100000"
            );
            let language = language
                .map(|l| l.parse().map_err(|e| anyhow::anyhow!("{e}")))
                .transpose()?;
            let store = open_store(&config).await?;
            let services = offline_services(store, &config);
            let started = std::time::Instant::now();
            let assembly = services
                .assemble(&blueprint, count, seed, language)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            println!("{}", serde_json::to_string_pretty(&assembly)?);
            eprintln!(
                "{} forms in {:.3} s",
                assembly.forms.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Rescore { blueprint } => {
            let store = open_store(&config).await?;
            let services = offline_services(store, &config);
            let report = services
                .rescore_blueprint(&crate::services::bank::Actor::cli(), &blueprint)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Command::Backup { file } => {
            anyhow::ensure!(
                !file.exists(),
                "{} exists already: choose a new file",
                file.display()
            );
            let store = open_store(&config).await?;
            let path = file
                .to_str()
                .context("the backup path is not valid UTF-8")?;
            store.backup(path).await?;
            println!("backup written to {}", file.display());
            Ok(())
        }
        Command::User {
            command:
                UserCommand::AddMany {
                    role,
                    prefix,
                    count,
                    password_stdin,
                    sitting,
                },
        } => {
            let store = open_store(&config).await?;
            let role = Role::parse(&role).context("unknown role")?;
            anyhow::ensure!(
                !prefix.is_empty()
                    && prefix
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "the prefix must be letters, digits or '-'"
            );
            if let Some(s) = &sitting {
                anyhow::ensure!(
                    store.sitting(s).await?.is_some(),
                    "there is no sitting {s:?}"
                );
                anyhow::ensure!(
                    role == Role::Applicant,
                    "only applicants take seats in a sitting"
                );
            }
            let hash = auth::hash_password(&read_password(password_stdin)?)?;
            let mut created = 0;
            let mut seated = Vec::new();
            for n in 1..=count {
                let user = UserRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    email: format!("{prefix}-{n}@load.test"),
                    password_hash: hash.clone(),
                    role: role.as_str().into(),
                    full_name: format!("{prefix} {n}"),
                    created_at: crate::clock::system_now_ms(),
                };
                match store.insert_user(&user).await {
                    Ok(()) => {
                        created += 1;
                        seated.push(user.id);
                    }
                    Err(StoreError::Conflict) => {
                        if let Some(u) = store.user_by_email(&user.email).await? {
                            seated.push(u.id);
                        }
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            println!(
                "created {created} {} accounts ({prefix}-1..{count}@load.test)",
                role.as_str()
            );
            if let Some(s) = &sitting {
                for chunk in seated.chunks(500) {
                    store.add_sitting_applicants(s, chunk).await?;
                }
                println!("seated {} applicants in sitting {s}", seated.len());
            }
            Ok(())
        }
        Command::Serve {
            demo,
            synthetic_round,
        } => serve(config, demo, synthetic_round).await,
        Command::Analyze { responses, model } => {
            use question_bank::psychometrics::{Method, ResponseMatrix, analyze};
            let method: Method = model.parse().map_err(|e: String| anyhow::anyhow!(e))?;
            let text = std::fs::read_to_string(&responses)
                .with_context(|| format!("reading {}", responses.display()))?;
            let matrix = ResponseMatrix::from_csv(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", responses.display()))?;
            let started = std::time::Instant::now();
            let analysis = analyze(&matrix, method).map_err(|e| anyhow::anyhow!(e))?;
            println!("{}", serde_json::to_string_pretty(&analysis)?);
            eprintln!(
                "{} examinees x {} items analysed in {:.3} s",
                matrix.rows.len(),
                matrix.items.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Routes { pages } => {
            if pages {
                crate::http::check_page_table()?;
                println!("{}", serde_json::to_string_pretty(app::nav::PAGES)?);
            } else {
                println!("{}", serde_json::to_string_pretty(crate::authz::MATRIX)?);
            }
            Ok(())
        }
        Command::Migrate => {
            let store = open_store(&config).await?;
            println!("migrations applied ({})", store.kind());
            Ok(())
        }
        Command::Demo { synthetic_round } => {
            let store = open_store(&config).await?;
            crate::demo::load(store.as_ref()).await?;
            if synthetic_round {
                load_round(&store, &config).await?;
            }
            crate::demo::print_accounts();
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    role,
                    email,
                    name,
                    password_stdin,
                },
        } => {
            let store = open_store(&config).await?;
            let role = Role::parse(&role).context("unknown role")?;
            let password = read_password(password_stdin)?;
            let email = email.trim().to_lowercase();
            anyhow::ensure!(
                email.contains('@') && email.len() <= 254,
                "{email:?} is not an email address"
            );
            let user = UserRow {
                id: uuid::Uuid::new_v4().to_string(),
                full_name: name.unwrap_or_else(|| email.clone()),
                email: email.clone(),
                password_hash: auth::hash_password(&password)?,
                role: role.as_str().into(),
                created_at: crate::clock::system_now_ms(),
            };
            match store.insert_user(&user).await {
                Ok(()) => {
                    println!("created {} account {email}", role.as_str());
                    Ok(())
                }
                Err(StoreError::Conflict) => {
                    anyhow::bail!("an account with email {email} exists already")
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}
