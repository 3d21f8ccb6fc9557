//! `qabilet serve`: the store, the services, the background work (sweeps, outage watch, photo
//! expiry), the HTTP server and its graceful shutdown.

use super::*;

/// The synthetic national round and the simulated pilot of the stage-one test (each once).
pub(super) async fn load_round(store: &Arc<dyn Store>, config: &Config) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    if crate::demo::campaign::load_synthetic(store.as_ref()).await? {
        tracing::info!(
            applications = crate::demo::campaign::SYNTHETIC_FUNNEL[0],
            ms = started.elapsed().as_millis() as u64,
            "synthetic national round loaded"
        );
    }
    let started = std::time::Instant::now();
    let services = offline_services(store.clone(), config);
    if crate::demo::pilot::load(&services, store.as_ref()).await? {
        tracing::info!(
            examinees = crate::demo::pilot::PILOT_EXAMINEES,
            ms = started.elapsed().as_millis() as u64,
            "simulated pilot of the stage-one test loaded"
        );
    }
    Ok(())
}

pub(super) async fn serve(config: Config, demo: bool, synthetic_round: bool) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    if demo {
        crate::demo::load(store.as_ref()).await?;
        if synthetic_round {
            load_round(&store, &config).await?;
        }
    }
    let secret = auth::load_keys(
        std::env::var("QABILET_JWT_KEYS").ok(),
        &config.secret_path(),
    )?;
    let services = Arc::new(Services::new(
        store.clone(),
        Tokens::with_keys(&secret, i64::from(config.session_minutes) * 60)
            .with_max_age(i64::from(config.session_max_hours) * 3600),
        crate::clock::serving_clock(),
        settings(&config),
    ));

    // Time lost while no instance was up is credited first (before the recovery sweep could
    // expire an attempt the outage cut off), then this instance says it is alive.
    let instance = uuid::Uuid::new_v4().to_string();
    if let Err(e) = services.server_started(&instance).await {
        tracing::error!(error = %e, "crediting a server outage failed");
    }
    // Crash recovery, then the same sweep every few seconds: close attempts whose time is
    // over and score attempts a crash left unscored.
    match services.sweep().await {
        Ok(n) if n > 0 => tracing::info!(attempts = n, "recovered attempts at start"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "recovery sweep failed"),
    }
    // With several instances on one PostgreSQL, one of them (the holder of an advisory lock)
    // sweeps; if it dies, its lock goes with its connection and another takes over.
    let sweeper = services.clone();
    let alive_as = instance.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(
            crate::services::integrity::SERVER_TICK_MS as u64,
        ));
        let mut ticks: u64 = 0;
        loop {
            tick.tick().await;
            ticks += 1;
            if let Err(e) = sweeper.store().alive(&alive_as, sweeper.now()).await {
                tracing::warn!(error = %e, "recording that this instance is alive failed");
            }
            let leads = match sweeper.store().lead(SWEEP_LOCK).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot tell whether this instance leads the sweep");
                    false
                }
            };
            let was = sweeper
                .metrics
                .sweep_leader
                .swap(leads, std::sync::atomic::Ordering::Relaxed);
            if leads != was {
                tracing::info!(leads, "auto-submit sweep leadership");
            }
            if leads && let Err(e) = sweeper.sweep().await {
                tracing::error!(error = %e, "auto-submit sweep failed");
            }
            // Photos past their retention period: every 5 minutes (and at start).
            if leads
                && ticks % 150 == 1
                && let Err(e) = sweeper.expire_photos().await
            {
                tracing::error!(error = %e, "deleting expired photos failed");
            }
            // Sitting-wide outages: every 10 s is soon enough against a 45 s silence (every
            // tick when the silence is set shorter).
            if leads
                && (ticks.is_multiple_of(5) || sweeper.settings().silent_ms < 20_000)
                && let Err(e) = sweeper.watch_sittings().await
            {
                tracing::error!(error = %e, "watching the sittings for outages failed");
            }
        }
    });
    // Signed-out sessions, also those signed out on other instances: loaded now, then every
    // two seconds.
    if let Err(e) = services.refresh_revoked().await {
        tracing::warn!(error = %e, "loading the signed-out sessions failed");
    }
    let refresher = services.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            if let Err(e) = refresher.refresh_revoked().await {
                tracing::warn!(error = %e, "reloading the signed-out sessions failed");
            }
        }
    });
    if let Some(pool) = store.pg_pool() {
        crate::live::start_pg_relay(&config.database_url, pool, services.hub.clone())
            .await
            .context("starting the live relay (LISTEN/NOTIFY)")?;
    }

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
        services: services.clone(),
    };
    let router = http::router(state);
    if demo {
        crate::demo::print_accounts();
    }
    println!(
        "Qabilet ({} database) is listening on http://{addr}",
        store.kind()
    );
    // Graceful shutdown: stop accepting, end the live streams, let requests in flight (saves
    // among them) finish and be acknowledged; give up after SHUTDOWN_GRACE.
    let stopping = services.shutdown.clone();
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing the requests in flight");
        stopping.send_replace(true);
        let _ = stopped_tx.send(());
    });
    let deadline = async move {
        if stopped_rx.await.is_ok() {
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        r = server => r?,
        () = deadline => tracing::warn!("requests still running after the grace period; exiting"),
    }
    // The outage a restart causes starts now, not at the last tick.
    if let Err(e) = services.store().alive(&instance, services.now()).await {
        tracing::warn!(error = %e, "recording the stop failed");
    }
    tracing::info!("stopped");
    Ok(())
}

/// The advisory lock that elects the instance running the auto-submit sweep.
pub(super) const SWEEP_LOCK: i64 = 0x5142_0001;

/// How long a shutdown waits for requests in flight.
pub(super) const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

pub(super) async fn shutdown_signal() {
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
