//! The live streams (server-sent events): the proctor's feed of a sitting and the applicant's
//! notices, each ending when the server shuts down.

use super::*;

pub(super) type SseStream = axum::response::sse::Sse<
    axum::response::sse::KeepAliveStream<
        futures_util::stream::BoxStream<
            'static,
            Result<axum::response::sse::Event, std::convert::Infallible>,
        >,
    >,
>;

/// A server-sent event stream of `rx`'s messages, ending when the server shuts down (so that a
/// graceful shutdown does not wait for watchers forever).
pub(super) fn sse_from(
    rx: tokio::sync::mpsc::Receiver<String>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> SseStream {
    use futures_util::StreamExt;
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|data| (Ok(axum::response::sse::Event::default().data(data)), rx))
    })
    .take_until(async move {
        let _ = shutdown.wait_for(|stopping| *stopping).await;
    })
    .boxed();
    axum::response::sse::Sse::new(stream).keep_alive(axum::response::sse::KeepAlive::default())
}

/// The live feed of a sitting (server-sent events): a snapshot, then changed rows and events
/// as they happen. Each `data:` is a `FeedMessage`.
#[utoipa::path(get, path = "/api/v1/sittings/{id}/feed", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, description = "text/event-stream of FeedMessage"), (status = 403, body = AppError)))]
pub(super) async fn sitting_feed(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<SseStream> {
    let services = state.services.clone();
    let sitting = services.watched_sitting(&user, &id).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<String>(256);
    let mut live = services.hub.subscribe();
    let first = services.monitor_rows(&sitting, None).await?;
    tokio::spawn(async move {
        use crate::live::Live;
        use tokio::sync::broadcast::error::RecvError;
        let json = |m: &FeedMessage| serde_json::to_string(m).unwrap_or_default();
        let snapshot = |rows| FeedMessage::Snapshot {
            rows,
            server_now_ms: services.now(),
        };
        if tx.send(json(&snapshot(first))).await.is_err() {
            return;
        }
        let mut touched = std::collections::BTreeSet::new();
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
        loop {
            tokio::select! {
                msg = live.recv() => match msg {
                    Ok(m) => match &*m {
                        Live::Touch { sitting: s, user } if *s == sitting.id => {
                            touched.insert(user.clone());
                        }
                        Live::Event { sitting: s, user, attempt, event } if *s == sitting.id => {
                            let m = FeedMessage::Event {
                                user_id: user.clone(),
                                attempt_id: attempt.clone(),
                                event: event.clone(),
                            };
                            if tx.send(json(&m)).await.is_err() {
                                return;
                            }
                            touched.insert(user.clone());
                        }
                        _ => {}
                    },
                    Err(RecvError::Lagged(_)) => {
                        touched.clear();
                        match services.monitor_rows(&sitting, None).await {
                            Ok(rows) => {
                                if tx.send(json(&snapshot(rows))).await.is_err() {
                                    return;
                                }
                            }
                            Err(_) => return,
                        }
                    }
                    Err(RecvError::Closed) => return,
                },
                _ = tick.tick() => {
                    for user in std::mem::take(&mut touched) {
                        let Ok(rows) = services.monitor_rows(&sitting, Some(&user)).await else {
                            continue;
                        };
                        for row in rows {
                            let m = FeedMessage::Row { row, server_now_ms: services.now() };
                            if tx.send(json(&m)).await.is_err() {
                                return;
                            }
                        }
                    }
                }
                _ = tx.closed() => return,
            }
        }
    });
    Ok(sse_from(rx, state.services.shutdown.subscribe()))
}

/// What the applicant's page must show at once (server-sent events of `AttemptNotice`):
/// warnings, pauses, added time, termination.
#[utoipa::path(get, path = "/api/v1/attempts/{id}/live", tag = "attempts", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, description = "text/event-stream of AttemptNotice"), (status = 403, body = AppError)))]
pub(super) async fn attempt_live(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<SseStream> {
    let row = state
        .services
        .store()
        .attempt(&id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| AppError::not_found("The attempt"))?;
    if row.user_id != user.id {
        return Err(AppError::forbidden().into());
    }
    let (tx, rx) = tokio::sync::mpsc::channel::<String>(64);
    let mut live = state.services.hub.subscribe();
    tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            tokio::select! {
                msg = live.recv() => match msg {
                    Ok(m) => {
                        if let crate::live::Live::Notice { attempt, notice } = &*m
                            && *attempt == id
                            && tx.send(serde_json::to_string(notice).unwrap_or_default()).await.is_err()
                        {
                            return;
                        }
                    }
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return,
                },
                _ = tx.closed() => return,
            }
        }
    });
    Ok(sse_from(rx, state.services.shutdown.subscribe()))
}
