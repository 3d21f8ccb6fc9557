//! The command line: `serve` (default), `migrate`, `demo`, `user add`.

use crate::auth::{self, Tokens};
use crate::clock::SystemClock;
use crate::config::Config;
use crate::service::{Services, Settings};
use crate::store::{self, Store, StoreError, UserRow};
use crate::web::{self, AppState};
use anyhow::Context;
use app::model::Role;
use clap::{Parser, Subcommand};
use leptos::prelude::LeptosOptions;
use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

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
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo bank, blueprint and accounts (idempotent) and print the accounts.
    Demo,
    /// Write a consistent copy of the live SQLite database to FILE (safe while serving).
    Backup { file: std::path::PathBuf },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. Prompts for the password unless --password-stdin is given.
    Add {
        #[arg(long, value_parser = ["applicant", "proctor", "methodologist", "admin"])]
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
        #[arg(long, value_parser = ["applicant", "proctor", "methodologist", "admin"])]
        role: String,
        #[arg(long)]
        prefix: String,
        #[arg(long)]
        count: u32,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("QABILET_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
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

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
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
            let hash = auth::hash_password(&read_password(password_stdin)?)?;
            let mut created = 0;
            for n in 1..=count {
                let user = UserRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    email: format!("{prefix}-{n}@load.test"),
                    password_hash: hash.clone(),
                    role: role.as_str().into(),
                    full_name: format!("{prefix} {n}"),
                    created_at: app::api::now_ms(),
                };
                match store.insert_user(&user).await {
                    Ok(()) => created += 1,
                    Err(StoreError::Conflict) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            println!(
                "created {created} {} accounts ({prefix}-1..{count}@load.test)",
                role.as_str()
            );
            Ok(())
        }
        Command::Serve { demo } => serve(config, demo).await,
        Command::Migrate => {
            let store = open_store(&config).await?;
            println!("migrations applied ({})", store.kind());
            Ok(())
        }
        Command::Demo => {
            let store = open_store(&config).await?;
            crate::demo::load(store.as_ref()).await?;
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
                created_at: app::api::now_ms(),
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

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    if demo {
        crate::demo::load(store.as_ref()).await?;
    }
    let secret = auth::load_or_create_secret(&config.secret_path())?;
    let services = Arc::new(Services::new(
        store.clone(),
        Tokens::new(&secret, i64::from(config.session_minutes) * 60),
        Arc::new(SystemClock),
        Settings {
            grace_ms: i64::from(config.grace_seconds) * 1000,
            secure_cookies: config.secure_cookies,
        },
    ));

    // Crash recovery first, then the same sweep every few seconds: close attempts whose time is
    // over and score attempts a crash left unscored.
    match services.sweep().await {
        Ok(n) if n > 0 => tracing::info!(attempts = n, "recovered attempts at start"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "recovery sweep failed"),
    }
    let sweeper = services.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            if let Err(e) = sweeper.sweep().await {
                tracing::error!(error = %e, "auto-submit sweep failed");
            }
        }
    });

    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("listening on {}", config.addr))?;
    let addr = listener.local_addr()?;
    let leptos_options = LeptosOptions::builder()
        .output_name(app::OUTPUT_NAME)
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    if !config
        .site_root
        .join("pkg")
        .join(format!("{}.js", app::OUTPUT_NAME))
        .exists()
    {
        tracing::warn!(site_root = %config.site_root.display(),
            "the site bundle is missing: pages will render but not hydrate; build it with `cargo xtask build`");
    }
    let state = AppState {
        leptos_options,
        backend: services.clone(),
        services,
    };
    let router = web::router(state);
    if demo {
        crate::demo::print_accounts();
    }
    println!(
        "Qabilet ({} database) is listening on http://{addr}",
        store.kind()
    );
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
