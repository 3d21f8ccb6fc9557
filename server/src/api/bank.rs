//! The question bank: items, review, bulk tags, imports and exports, images, the taxonomy.

use super::*;

// ---- The question bank ----

pub(super) fn bank_routes() -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    Router::new()
        .route("/bank/items", get(bank_list).post(bank_create))
        .route("/bank/items/{id}", get(bank_item).put(bank_update))
        .route("/bank/items/{id}/submit", post(bank_submit))
        .route("/bank/items/{id}/review", post(bank_review))
        .route("/bank/items/{id}/retire", post(bank_retire))
        .route("/bank/items/{id}/restore/{version}", post(bank_restore))
        .route("/bank/items/{id}/history", get(bank_history))
        .route("/bank/bulk", post(bank_bulk))
        .route(
            "/bank/import",
            post(bank_import).layer(DefaultBodyLimit::max(
                crate::services::bank::MAX_IMPORT_BYTES,
            )),
        )
        .route("/bank/export", get(bank_export))
        .route(
            "/bank/attachments",
            post(bank_upload).layer(DefaultBodyLimit::max(
                crate::services::bank::MAX_IMAGE_BYTES + 1,
            )),
        )
        .route("/attachments/{sha256}", get(attachment))
        .route("/bank/competencies", get(bank_competencies))
        .route("/bank/competencies/{code}", put(bank_put_competency))
}

/// The bank list: filters, sort and page in the query string.
#[utoipa::path(get, path = "/api/v1/bank/items", tag = "bank", security(("bearer" = [])),
    params(
        ("competency" = Option<String>, Query), ("status" = Option<String>, Query),
        ("item_type" = Option<String>, Query), ("ready_in" = Option<String>, Query),
        ("missing_in" = Option<String>, Query), ("tag" = Option<String>, Query),
        ("q" = Option<String>, Query, description = "words to find"), ("sort" = Option<String>, Query),
        ("descending" = Option<bool>, Query), ("page" = Option<u32>, Query), ("per_page" = Option<u32>, Query)),
    responses((status = 200, body = BankPage), (status = 403, body = AppError)))]
pub(super) async fn bank_list(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(f): ApiQuery<BankFilter>,
) -> ApiResult<Json<BankPage>> {
    Ok(Json(state.services.bank_list(&user, &f).await?))
}

/// Create an item (a draft).
#[utoipa::path(post, path = "/api/v1/bank/items", tag = "bank", security(("bearer" = [])),
    request_body = ItemInput,
    responses((status = 200, body = ItemDoc), (status = 409, body = AppError), (status = 422, body = AppError)))]
pub(super) async fn bank_create(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(input): ApiJson<ItemInput>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(state.services.bank_create(&user, input).await?))
}

/// An item's newest version, with its key (methodologists and administrators only).
#[utoipa::path(get, path = "/api/v1/bank/items/{id}", tag = "bank", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ItemDoc), (status = 404, body = AppError)))]
pub(super) async fn bank_item(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(state.services.bank_item(&user, &id).await?))
}

/// Edit an item: a draft in place; a published item gets a new draft version.
#[utoipa::path(put, path = "/api/v1/bank/items/{id}", tag = "bank", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ItemInput,
    responses((status = 200, body = ItemDoc), (status = 409, body = AppError), (status = 422, body = AppError)))]
pub(super) async fn bank_update(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ItemInput>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(state.services.bank_update(&user, &id, input).await?))
}

/// Send a draft to review.
#[utoipa::path(post, path = "/api/v1/bank/items/{id}/submit", tag = "bank", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ItemDoc), (status = 409, body = AppError)))]
pub(super) async fn bank_submit(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(state.services.bank_submit(&user, &id).await?))
}

/// Review an item in review: publish it, or send it back with a comment. The reviewer must not
/// have written or edited this version (four eyes).
#[utoipa::path(post, path = "/api/v1/bank/items/{id}/review", tag = "bank", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReviewInput,
    responses((status = 200, body = ItemDoc), (status = 403, body = AppError), (status = 409, body = AppError)))]
pub(super) async fn bank_review(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(state.services.bank_review(&user, &id, input).await?))
}

/// Retire a published item: it is no longer drawn; attempts that had it keep it.
#[utoipa::path(post, path = "/api/v1/bank/items/{id}/retire", tag = "bank", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ItemDoc), (status = 409, body = AppError)))]
pub(super) async fn bank_retire(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(state.services.bank_retire(&user, &id).await?))
}

/// Make an old version the newest draft again.
#[utoipa::path(post, path = "/api/v1/bank/items/{id}/restore/{version}", tag = "bank", security(("bearer" = [])),
    params(("id" = String, Path), ("version" = i64, Path)),
    responses((status = 200, body = ItemDoc), (status = 404, body = AppError)))]
pub(super) async fn bank_restore(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, version)): ApiPath<(String, i64)>,
) -> ApiResult<Json<ItemDoc>> {
    Ok(Json(
        state.services.bank_restore(&user, &id, version).await?,
    ))
}

/// Every version with what changed, and the audit log.
#[utoipa::path(get, path = "/api/v1/bank/items/{id}/history", tag = "bank", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ItemHistory), (status = 404, body = AppError)))]
pub(super) async fn bank_history(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ItemHistory>> {
    Ok(Json(state.services.bank_history(&user, &id).await?))
}

/// Send many items to review, retire them, or tag them.
#[utoipa::path(post, path = "/api/v1/bank/bulk", tag = "bank", security(("bearer" = [])),
    request_body = BulkInput, responses((status = 200, body = BulkResult), (status = 422, body = AppError)))]
pub(super) async fn bank_bulk(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(input): ApiJson<BulkInput>,
) -> ApiResult<Json<BulkResult>> {
    Ok(Json(state.services.bank_bulk(&user, input).await?))
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct ImportParams {
    format: Option<String>,
    #[serde(default)]
    dry_run: bool,
    language: Option<String>,
    default_competency: Option<String>,
}

/// Import a GIFT, Moodle XML or CSV file (the request body, up to 32 MiB): every item or none.
/// With `dry_run=true` nothing is stored and the report says what would be.
#[utoipa::path(post, path = "/api/v1/bank/import", tag = "bank", security(("bearer" = [])),
    params(("format" = String, Query, description = "gift, moodle-xml or csv"),
        ("dry_run" = Option<bool>, Query), ("language" = Option<String>, Query, description = "language of texts that do not say (default ru)"),
        ("default_competency" = Option<String>, Query)),
    request_body(content = String, content_type = "text/plain"),
    responses((status = 200, body = ImportReport), (status = 413, body = AppError), (status = 422, body = AppError)))]
pub(super) async fn bank_import(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(p): ApiQuery<ImportParams>,
    body: axum::body::Bytes,
) -> ApiResult<Json<ImportReport>> {
    if !matches!(user.role, Role::Methodologist | Role::Admin) {
        return Err(AppError::forbidden().into());
    }
    let format = p
        .format
        .as_deref()
        .and_then(question_bank::formats::Format::parse)
        .ok_or_else(|| AppError::invalid("format must be gift, moodle-xml or csv."))?;
    let text = std::str::from_utf8(&body)
        .map_err(|e| AppError::invalid(format!("The file is not UTF-8 text: {e}.")))?;
    let mut options = question_bank::formats::ImportOptions::default();
    if let Some(l) = p.language {
        options.language = l
            .parse()
            .map_err(|e: question_bank::language::UnknownLanguage| {
                AppError::invalid(e.to_string())
            })?;
    }
    if let Some(c) = p.default_competency.filter(|c| !c.is_empty()) {
        options.default_competency = c;
    }
    let actor = crate::services::bank::Actor::of(&user);
    Ok(Json(
        state
            .services
            .bank_import(&actor, format, text, &options, p.dry_run, false)
            .await?,
    ))
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct ExportParams {
    format: Option<String>,
    status: Option<String>,
}

/// Export the bank (`status=published`: the published version of each item).
#[utoipa::path(get, path = "/api/v1/bank/export", tag = "bank", security(("bearer" = [])),
    params(("format" = String, Query, description = "gift, moodle-xml or csv"), ("status" = Option<String>, Query)),
    responses((status = 200, body = String, content_type = "text/plain")))]
pub(super) async fn bank_export(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    if !matches!(user.role, Role::Methodologist | Role::Admin) {
        return Err(AppError::forbidden().into());
    }
    let format = p
        .format
        .as_deref()
        .and_then(question_bank::formats::Format::parse)
        .ok_or_else(|| AppError::invalid("format must be gift, moodle-xml or csv."))?;
    let published_only = match p.status.as_deref() {
        None | Some("") | Some("all") => false,
        Some("published") => true,
        Some(other) => {
            return Err(
                AppError::invalid(format!("status {other:?}: use published or all.")).into(),
            );
        }
    };
    let text = state.services.bank_export(format, published_only).await?;
    let (mime, ext) = match format {
        question_bank::formats::Format::Gift => ("text/plain; charset=utf-8", "gift.txt"),
        question_bank::formats::Format::MoodleXml => ("application/xml; charset=utf-8", "xml"),
        question_bank::formats::Format::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    let mut response = text.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"qabilet-bank.{ext}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct UploadParams {
    name: String,
}

/// Upload an image (PNG, JPEG, GIF or WebP, the request body, up to 2 MiB) for items to show
/// as `![alt](attachment:NAME)`; add the returned record to the item's `attachments`.
#[utoipa::path(post, path = "/api/v1/bank/attachments", tag = "bank", security(("bearer" = [])),
    params(("name" = String, Query)), request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 200, body = Object), (status = 413, body = AppError), (status = 422, body = AppError)))]
pub(super) async fn bank_upload(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(p): ApiQuery<UploadParams>,
    body: axum::body::Bytes,
) -> ApiResult<Json<question_bank::Attachment>> {
    Ok(Json(
        state
            .services
            .bank_upload(&user, &p.name, body.to_vec())
            .await?,
    ))
}

/// An image by the digest of its content (signed-in users).
#[utoipa::path(get, path = "/api/v1/attachments/{sha256}", tag = "bank", security(("bearer" = [])),
    params(("sha256" = String, Path)), responses((status = 200, content_type = "image/png"), (status = 404, body = AppError)))]
pub(super) async fn attachment(
    State(state): State<AppState>,
    Caller(_user): Caller,
    ApiPath(sha): ApiPath<String>,
) -> ApiResult<Response> {
    let (media_type, bytes) = state.services.attachment_bytes(&sha).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&media_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

/// The competency taxonomy.
#[utoipa::path(get, path = "/api/v1/bank/competencies", tag = "bank", security(("bearer" = [])),
    responses((status = 200, body = [CompetencyView])))]
pub(super) async fn bank_competencies(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Vec<CompetencyView>>> {
    Ok(Json(state.services.bank_competencies(&user).await?))
}

/// Add a competency or rename it.
#[utoipa::path(put, path = "/api/v1/bank/competencies/{code}", tag = "bank", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = CompetencyView,
    responses((status = 200, body = CompetencyView), (status = 422, body = AppError)))]
pub(super) async fn bank_put_competency(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(code): ApiPath<String>,
    ApiJson(mut c): ApiJson<CompetencyView>,
) -> ApiResult<Json<CompetencyView>> {
    c.code = code;
    Ok(Json(state.services.bank_put_competency(&user, c).await?))
}
