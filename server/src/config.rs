//! Configuration: defaults that run on a laptop with nothing set; environment variables and
//! flags override. `qabilet --help` lists them all.

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Database: a SQLite file (`sqlite:PATH`) or a PostgreSQL URL (`postgres://...`).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite:./data/qabilet.db",
        global = true
    )]
    pub database_url: String,

    /// Address to listen on.
    #[arg(
        long,
        env = "QABILET_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: SocketAddr,

    /// File holding the JWT signing secret; created (mode 0600) if missing. Defaults to
    /// `jwt-secret` beside the SQLite database, or `./data/jwt-secret` with PostgreSQL (give
    /// every app server the same file).
    #[arg(long, env = "QABILET_JWT_SECRET_FILE", global = true)]
    pub jwt_secret_file: Option<PathBuf>,

    /// Folder with the built site (`pkg/qabilet.js`, `pkg/qabilet_bg.wasm`, `pkg/qabilet.css`).
    #[arg(
        long,
        env = "QABILET_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: PathBuf,

    /// Saves arriving up to this many seconds after the deadline still count.
    #[arg(
        long,
        env = "QABILET_GRACE_SECONDS",
        default_value_t = 60,
        global = true
    )]
    pub grace_seconds: u32,

    /// A connection lost for longer than this many seconds (nothing heard: no heartbeat, no
    /// save) becomes a credit request for the sitting's proctor (the part a sitting-wide
    /// outage covers is credited at once).
    #[arg(
        long,
        env = "QABILET_CREDIT_AFTER_SECONDS",
        default_value_t = 60,
        global = true
    )]
    pub credit_after_seconds: u32,

    /// The most a proctor may credit one attempt for lost connections, in seconds.
    #[arg(
        long,
        env = "QABILET_CREDIT_CAP_SECONDS",
        default_value_t = 600,
        global = true
    )]
    pub credit_cap_seconds: u32,

    /// An applicant not heard from (no heartbeat, no save) for this many seconds is silent;
    /// at least 5 silent at once and half of a sitting's running attempts make a sitting-wide
    /// outage, credited without asking.
    #[arg(
        long,
        env = "QABILET_OUTAGE_SILENCE_SECONDS",
        default_value_t = 45,
        global = true
    )]
    pub outage_silence_seconds: u32,

    /// Applicants' photos (with the application, at the start, snapshots) are deleted this
    /// many days after they were taken.
    #[arg(
        long,
        env = "QABILET_PHOTO_RETENTION_DAYS",
        default_value_t = 90,
        global = true
    )]
    pub photo_retention_days: u32,

    /// How long a session token is valid, in minutes (the pages renew it while open).
    #[arg(
        long,
        env = "QABILET_SESSION_MINUTES",
        default_value_t = 60,
        global = true
    )]
    pub session_minutes: u32,

    /// How long after sign-in a session can still be refreshed (the pages refresh it while
    /// open), in hours; then the person signs in again.
    #[arg(
        long,
        env = "QABILET_SESSION_MAX_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub session_max_hours: u32,

    /// Mark cookies `Secure` (set when served over HTTPS).
    #[arg(
        long,
        env = "QABILET_SECURE_COOKIES",
        default_value_t = false,
        global = true
    )]
    pub secure_cookies: bool,

    /// After 5 wrong passwords for an account (or 50 from an address) within this many
    /// seconds, signing in is refused for as long.
    #[arg(
        long,
        env = "QABILET_LOCKOUT_SECONDS",
        default_value_t = 900,
        global = true
    )]
    pub lockout_seconds: u32,

    /// Threads checking passwords at sign-in (argon2id, about 14 ms and 19 MiB each). Default:
    /// one fewer than the cores, so a sign-in storm never takes the core saves need.
    #[arg(long, env = "QABILET_PASSWORD_THREADS", global = true)]
    pub password_threads: Option<usize>,

    /// The site's public address, printed on certificates (QR code and verification link).
    /// Default: `http://` and the listening address.
    #[arg(long, env = "QABILET_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
}

impl Config {
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://")
    }

    /// Where the JWT secret lives.
    pub fn secret_path(&self) -> PathBuf {
        if let Some(p) = &self.jwt_secret_file {
            return p.clone();
        }
        if !self.is_postgres() {
            let path = self
                .database_url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:")
                .split('?')
                .next()
                .unwrap_or_default();
            if let Some(dir) = std::path::Path::new(path).parent() {
                return dir.join("jwt-secret");
            }
        }
        PathBuf::from("./data/jwt-secret")
    }
}

impl Config {
    /// The public address certificates point to.
    pub fn public_base(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr))
            .trim_end_matches('/')
            .to_string()
    }
}
