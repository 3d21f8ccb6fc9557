//! The in-process test layer: the services (and the router) in the test's own process, on a
//! real database (a SQLite file, or a fresh PostgreSQL database with `QABILET_TEST_DB=postgres`:
//! the same switch the end-to-end tests read, through `qabilet_tests::TestDatabase`) with the
//! demo data and a clock the test moves by hand. No binary, no port, no browser: a use case is
//! checked in milliseconds, and time-dependent rules (deadlines, lockout windows, credit for
//! silence) without waiting.

use crate::auth::Tokens;
use crate::clock::ManualClock;
use crate::services::{Services, Settings};
use crate::state::AppState;
use app::model::{Role, UserInfo};
use qabilet_tests::{Db, TestDatabase};
use std::sync::Arc;

/// The test settings: the product's defaults, except that password checks use one thread.
pub fn settings() -> Settings {
    Settings {
        grace_ms: 60_000,
        secure_cookies: false,
        credit_after_ms: 60_000,
        credit_cap_ms: 600_000,
        silent_ms: 45_000,
        photo_retention_ms: 90 * 86_400_000,
        public_url: "http://qabilet.test".into(),
        password_threads: Some(1),
        lockout_ms: 900_000,
    }
}

pub struct Harness {
    pub clock: Arc<ManualClock>,
    pub services: Arc<Services>,
    /// Dropped last: the database outlives the services that use it.
    pub database: TestDatabase,
}

impl Harness {
    /// The services on a fresh database with the demo data, the clock at the present.
    pub async fn new() -> Harness {
        Self::with_settings(settings()).await
    }

    pub async fn with_settings(settings: Settings) -> Harness {
        let database = TestDatabase::create(Db::from_env())
            .await
            .expect("a test database");
        let store = crate::store::connect(&database.url)
            .await
            .expect("opening the test database");
        store.migrate().await.expect("applying the migrations");
        crate::demo::load(store.as_ref())
            .await
            .expect("loading the demo data");
        let clock = Arc::new(ManualClock::new(crate::clock::system_now_ms()));
        let services = Arc::new(Services::new(
            store,
            Tokens::new(&[7u8; 32], 3600),
            clock.clone(),
            settings,
        ));
        Harness {
            clock,
            services,
            database,
        }
    }

    /// Moves the services' clock forward.
    pub fn advance(&self, ms: i64) {
        self.clock.advance(ms);
    }

    /// A demo account as a signed-in caller (without the password check: the sessions'
    /// tests sign in for real).
    pub async fn user(&self, email: &str) -> UserInfo {
        let row = self
            .services
            .store()
            .user_by_email(email)
            .await
            .expect("reading the account")
            .unwrap_or_else(|| panic!("no demo account {email}"));
        UserInfo {
            role: Role::parse(&row.role).expect("a known role"),
            id: row.id,
            email: row.email,
            full_name: row.full_name,
            session: uuid::Uuid::new_v4().to_string(),
        }
    }

    pub async fn applicant(&self) -> UserInfo {
        self.user("applicant@demo.kz").await
    }
    pub async fn proctor(&self) -> UserInfo {
        self.user("proctor@demo.kz").await
    }
    pub async fn methodologist(&self) -> UserInfo {
        self.user("methodologist@demo.kz").await
    }
    pub async fn admin(&self) -> UserInfo {
        self.user("admin@demo.kz").await
    }

    /// The whole HTTP edge (pages, server functions, REST) on these services, for requests
    /// sent in process (`tower::ServiceExt::oneshot`).
    pub fn router(&self) -> axum::Router {
        let leptos_options = leptos::prelude::LeptosOptions::builder()
            .output_name(app::OUTPUT_NAME)
            .site_root(self.database.dir.path().to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .build();
        crate::http::router(AppState {
            leptos_options,
            services: self.services.clone(),
        })
    }
}
