//! Sittings and proctoring: scheduling, assignment, the live feed, interventions, identity, messages, credit requests, the practice test and signals.

use super::*;

// ---- Sittings and proctoring ----

pub(crate) fn proctor_routes() -> Router<AppState> {
    Router::new()
        .route("/sittings", get(sitting_list).post(sitting_create))
        .route("/sittings/{id}", get(sitting_get))
        .route("/sittings/{id}/proctors", post(sitting_proctors))
        .route("/sittings/{id}/applicants", post(sitting_applicants))
        .route("/sittings/{id}/monitor", get(sitting_monitor))
        .route("/sittings/{id}/feed", get(sitting_feed))
        .route("/sittings/{id}/pause", post(sitting_pause))
        .route("/sittings/{id}/resume", post(sitting_resume))
        .route("/sittings/{id}/incidents.csv", get(sitting_incidents))
        .route(
            "/sittings/{id}/applicants/{user_id}/intervene",
            post(sitting_intervene),
        )
        .route(
            "/sittings/{id}/credit-requests",
            get(sitting_credit_requests),
        )
        .route("/sittings/{id}/messages", post(sitting_message))
        .route(
            "/sittings/{id}/applicants/{user_id}/identity",
            get(applicant_identity),
        )
        .route(
            "/me/photo",
            post(upload_photo).layer(axum::extract::DefaultBodyLimit::max(
                crate::services::identity::MAX_PHOTO_BYTES + 1,
            )),
        )
        .route(
            "/attempts/{id}/snapshots",
            post(upload_snapshot).layer(axum::extract::DefaultBodyLimit::max(
                crate::services::identity::MAX_PHOTO_BYTES + 1,
            )),
        )
        .route("/photos/{id}", get(photo))
        .route(
            "/sittings/{id}/applicants/{user_id}/messages",
            post(applicant_message),
        )
        .route(
            "/attempts/{id}/messages",
            get(attempt_messages).post(attempt_message),
        )
        .route("/credit-requests/{id}", post(credit_decide))
        .route("/practice", post(start_practice))
        .route("/time", get(server_time))
        .route("/attempts/{id}/signals", post(attempt_signals))
        .route("/attempts/{id}/live", get(attempt_live))
}

/// Sittings: all (administrators) or the caller's own (proctors).
#[utoipa::path(get, path = "/api/v1/sittings", tag = "proctoring", security(("bearer" = [])),
    responses((status = 200, body = Vec<SittingView>), (status = 403, body = AppError)))]
pub(super) async fn sitting_list(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Vec<SittingView>>> {
    Ok(Json(state.services.list_sittings(&user).await?))
}

/// Schedule a sitting (administrators).
#[utoipa::path(post, path = "/api/v1/sittings", tag = "proctoring", security(("bearer" = [])),
    request_body = SittingInput, responses((status = 200, body = SittingView), (status = 422, body = AppError)))]
pub(super) async fn sitting_create(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(input): ApiJson<SittingInput>,
) -> ApiResult<Json<SittingView>> {
    Ok(Json(state.services.create_sitting(&user, input).await?))
}

/// One sitting (its proctors and administrators).
#[utoipa::path(get, path = "/api/v1/sittings/{id}", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = SittingView), (status = 403, body = AppError)))]
pub(super) async fn sitting_get(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<SittingView>> {
    Ok(Json(state.services.get_sitting(&user, &id).await?))
}

/// Assign proctors by e-mail (one per line): all or, with errors, none.
#[utoipa::path(post, path = "/api/v1/sittings/{id}/proctors", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AssignInput, responses((status = 200, body = AssignReport)))]
pub(super) async fn sitting_proctors(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<AssignInput>,
) -> ApiResult<Json<AssignReport>> {
    Ok(Json(
        state
            .services
            .assign(&user, &id, Role::Proctor, input)
            .await?,
    ))
}

/// Assign applicants by e-mail (one per line, or a CSV whose first column is the address).
#[utoipa::path(post, path = "/api/v1/sittings/{id}/applicants", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AssignInput, responses((status = 200, body = AssignReport)))]
pub(super) async fn sitting_applicants(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<AssignInput>,
) -> ApiResult<Json<AssignReport>> {
    Ok(Json(
        state
            .services
            .assign(&user, &id, Role::Applicant, input)
            .await?,
    ))
}

/// Every applicant of the sitting with progress, time and integrity counts.
#[utoipa::path(get, path = "/api/v1/sittings/{id}/monitor", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<MonitorRow>), (status = 403, body = AppError)))]
pub(super) async fn sitting_monitor(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<MonitorRow>>> {
    Ok(Json(state.services.monitor(&user, &id).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ReasonInput {
    #[serde(default)]
    reason: String,
}

/// Pause every running attempt of the sitting (e.g. a power cut at the venue).
#[utoipa::path(post, path = "/api/v1/sittings/{id}/pause", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReasonInput, responses((status = 200, body = SittingView)))]
pub(super) async fn sitting_pause(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<Json<SittingView>> {
    Ok(Json(
        state
            .services
            .pause_sitting(&user, &id, true, &input.reason)
            .await?,
    ))
}

/// Resume every paused attempt of the sitting; each deadline moves on by its paused time.
#[utoipa::path(post, path = "/api/v1/sittings/{id}/resume", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReasonInput, responses((status = 200, body = SittingView)))]
pub(super) async fn sitting_resume(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<Json<SittingView>> {
    Ok(Json(
        state
            .services
            .pause_sitting(&user, &id, false, &input.reason)
            .await?,
    ))
}

/// The sitting's events and interventions, as CSV.
#[utoipa::path(get, path = "/api/v1/sittings/{id}/incidents.csv", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, content_type = "text/csv", body = String)))]
pub(super) async fn sitting_incidents(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let csv = state.services.incidents_csv(&user, &id).await?;
    Ok(csv_response(csv, "incidents.csv"))
}

/// A proctor's action on one applicant: admit, warn, pause, resume, add_time, terminate.
#[utoipa::path(post, path = "/api/v1/sittings/{id}/applicants/{user_id}/intervene", tag = "proctoring",
    security(("bearer" = [])), params(("id" = String, Path), ("user_id" = String, Path)),
    request_body = InterventionInput, responses((status = 200, body = MonitorRow), (status = 403, body = AppError), (status = 409, body = AppError)))]
pub(super) async fn sitting_intervene(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, user_id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<InterventionInput>,
) -> ApiResult<Json<MonitorRow>> {
    Ok(Json(
        state
            .services
            .intervene(&user, &id, &user_id, input)
            .await?,
    ))
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct PhotoParams {
    kind: String,
}

/// The applicant's photo (PNG, JPEG or WebP, the body, up to 2 MiB): `kind=application` with
/// the application, `kind=start` the webcam picture at the start of a remote sitting.
#[utoipa::path(post, path = "/api/v1/me/photo", tag = "proctoring", security(("bearer" = [])),
    params(("kind" = String, Query)), request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 200, body = PhotoRef), (status = 409, body = AppError), (status = 413, body = AppError), (status = 422, body = AppError)))]
pub(super) async fn upload_photo(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(p): ApiQuery<PhotoParams>,
    body: axum::body::Bytes,
) -> ApiResult<Json<PhotoRef>> {
    Ok(Json(
        state
            .services
            .upload_photo(&user, &p.kind, body.to_vec())
            .await?,
    ))
}

/// A snapshot during the test (remote sittings that ask for them).
#[utoipa::path(post, path = "/api/v1/attempts/{id}/snapshots", tag = "attempts", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 200, body = PhotoRef), (status = 403, body = AppError), (status = 404, body = AppError),
        (status = 409, body = AppError), (status = 413, body = AppError), (status = 422, body = AppError)))]
pub(super) async fn upload_snapshot(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<PhotoRef>> {
    Ok(Json(
        state
            .services
            .upload_snapshot(&user, &id, body.to_vec())
            .await?,
    ))
}

/// A photo of an applicant (the proctors of their sittings, admins); every view is logged.
#[utoipa::path(get, path = "/api/v1/photos/{id}", tag = "proctoring", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, content_type = "image/jpeg"), (status = 403, body = AppError), (status = 404, body = AppError)))]
pub(super) async fn photo(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let (media_type, bytes) = state.services.photo_bytes(&user, &id).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&media_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    // Personal data: not kept by the browser, so every look is a logged view.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

/// What the proctor sees to check an applicant's identity: name, masked IIN, the photo with
/// the application, the picture at the start, snapshots.
#[utoipa::path(get, path = "/api/v1/sittings/{id}/applicants/{user_id}/identity", tag = "proctoring",
    security(("bearer" = [])), params(("id" = String, Path), ("user_id" = String, Path)),
    responses((status = 200, body = IdentityView), (status = 403, body = AppError), (status = 404, body = AppError)))]
pub(super) async fn applicant_identity(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, user_id)): ApiPath<(String, String)>,
) -> ApiResult<Json<IdentityView>> {
    Ok(Json(state.services.identity(&user, &id, &user_id).await?))
}

/// A proctor writes to everyone taking the test in the sitting.
#[utoipa::path(post, path = "/api/v1/sittings/{id}/messages", tag = "proctoring",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = MessageInput,
    responses((status = 200, body = MessageSent), (status = 403, body = AppError), (status = 404, body = AppError), (status = 422, body = AppError)))]
pub(super) async fn sitting_message(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<MessageInput>,
) -> ApiResult<Json<MessageSent>> {
    let sent = state.services.message_sitting(&user, &id, input).await?;
    Ok(Json(MessageSent { sent }))
}

/// A proctor writes to one applicant taking the test; shown on their page at once.
#[utoipa::path(post, path = "/api/v1/sittings/{id}/applicants/{user_id}/messages", tag = "proctoring",
    security(("bearer" = [])), params(("id" = String, Path), ("user_id" = String, Path)), request_body = MessageInput,
    responses((status = 200, body = ChatMessage), (status = 403, body = AppError), (status = 404, body = AppError),
        (status = 409, body = AppError), (status = 422, body = AppError)))]
pub(super) async fn applicant_message(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, user_id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<MessageInput>,
) -> ApiResult<Json<ChatMessage>> {
    Ok(Json(
        state
            .services
            .message_applicant(&user, &id, &user_id, input)
            .await?,
    ))
}

/// The messages of the caller's own attempt (proctors' and their own), oldest first.
#[utoipa::path(get, path = "/api/v1/attempts/{id}/messages", tag = "attempts",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<ChatMessage>), (status = 403, body = AppError), (status = 404, body = AppError)))]
pub(super) async fn attempt_messages(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<ChatMessage>>> {
    Ok(Json(state.services.attempt_messages(&user, &id).await?))
}

/// The applicant writes to the sitting's proctors (their live feed shows it at once).
#[utoipa::path(post, path = "/api/v1/attempts/{id}/messages", tag = "attempts",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = MessageInput,
    responses((status = 200, body = ChatMessage), (status = 403, body = AppError), (status = 404, body = AppError),
        (status = 409, body = AppError), (status = 422, body = AppError)))]
pub(super) async fn attempt_message(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<MessageInput>,
) -> ApiResult<Json<ChatMessage>> {
    Ok(Json(
        state.services.message_proctors(&user, &id, input).await?,
    ))
}

/// A sitting's credit requests: lost connections the server cannot vouch for, pending first.
#[utoipa::path(get, path = "/api/v1/sittings/{id}/credit-requests", tag = "proctoring",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<CreditRequestView>), (status = 403, body = AppError), (status = 404, body = AppError)))]
pub(super) async fn sitting_credit_requests(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<CreditRequestView>>> {
    Ok(Json(state.services.credit_requests(&user, &id).await?))
}

/// A proctor of the sitting grants (up to the cap per attempt) or declines a credit request.
#[utoipa::path(post, path = "/api/v1/credit-requests/{id}", tag = "proctoring",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = CreditDecisionInput,
    responses((status = 200, body = CreditRequestView), (status = 403, body = AppError), (status = 404, body = AppError),
        (status = 409, body = AppError), (status = 422, body = AppError)))]
pub(super) async fn credit_decide(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<CreditDecisionInput>,
) -> ApiResult<Json<CreditRequestView>> {
    Ok(Json(state.services.decide_credit(&user, &id, input).await?))
}

/// The server's clock, for the system check (round trip and clock offset); no sign-in needed.
#[utoipa::path(get, path = "/api/v1/time", tag = "attempts", responses((status = 200, body = ServerTime)))]
pub(super) async fn server_time(State(state): State<AppState>) -> Json<ServerTime> {
    Json(ServerTime {
        server_now_ms: state.services.now(),
    })
}

/// Start (or resume) the practice test: sample items, any time, no seat, never counted; a
/// finished practice attempt is replaced by a new one.
#[utoipa::path(post, path = "/api/v1/practice", tag = "attempts", security(("bearer" = [])),
    request_body = StartRequest,
    responses((status = 200, body = AttemptView), (status = 404, body = AppError), (status = 422, body = AppError)))]
pub(super) async fn start_practice(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(input): ApiJson<StartRequest>,
) -> ApiResult<Json<AttemptView>> {
    Ok(Json(
        state
            .services
            .start_practice(&user, input.language.as_deref())
            .await?,
    ))
}

/// The applicant's heartbeat with integrity signals; returns the clock.
#[utoipa::path(post, path = "/api/v1/attempts/{id}/signals", tag = "attempts", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = SignalsInput, responses((status = 200, body = SignalsAck), (status = 409, body = AppError)))]
pub(super) async fn attempt_signals(
    State(state): State<AppState>,
    Caller(user): Caller,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<SignalsInput>,
) -> ApiResult<Json<SignalsAck>> {
    Ok(Json(state.services.signals(&user, &id, input, &ip).await?))
}
