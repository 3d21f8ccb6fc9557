//! Server functions of the staff's pages: standard setting, item analysis and calibration,
//! sittings and proctoring (the live table itself is a stream: REST).

use super::*;

#[server(prefix = "/api/fn", endpoint = "standard_settings", input = leptos::server_fn::codec::Json)]
pub async fn standard_settings() -> Result<Vec<StandardSettingSummary>, AppError> {
    let (backend, user) = caller()?;
    backend.standard_settings(&user).await
}

#[server(prefix = "/api/fn", endpoint = "standard_setting_create", input = leptos::server_fn::codec::Json)]
pub async fn standard_setting_create(
    input: StandardSettingInput,
) -> Result<StandardSettingView, AppError> {
    let (backend, user) = caller()?;
    backend.standard_setting_create(&user, input).await
}

#[server(prefix = "/api/fn", endpoint = "standard_setting", input = leptos::server_fn::codec::Json)]
pub async fn standard_setting(id: String) -> Result<StandardSettingView, AppError> {
    let (backend, user) = caller()?;
    backend.standard_setting(&user, &id).await
}

#[server(prefix = "/api/fn", endpoint = "standard_setting_rate", input = leptos::server_fn::codec::Json)]
pub async fn standard_setting_rate(
    id: String,
    input: RatingsInput,
) -> Result<StandardSettingView, AppError> {
    let (backend, user) = caller()?;
    backend.standard_setting_rate(&user, &id, input).await
}

#[server(prefix = "/api/fn", endpoint = "standard_setting_next_round", input = leptos::server_fn::codec::Json)]
pub async fn standard_setting_next_round(id: String) -> Result<StandardSettingView, AppError> {
    let (backend, user) = caller()?;
    backend.standard_setting_next_round(&user, &id).await
}

#[server(prefix = "/api/fn", endpoint = "standard_setting_adopt", input = leptos::server_fn::codec::Json)]
pub async fn standard_setting_adopt(
    id: String,
    input: AdoptInput,
) -> Result<StandardSettingView, AppError> {
    let (backend, user) = caller()?;
    backend.standard_setting_adopt(&user, &id, input).await
}

#[server(prefix = "/api/fn", endpoint = "item_analysis", input = leptos::server_fn::codec::Json)]
pub async fn item_analysis(
    blueprint_id: String,
    sitting_id: Option<String>,
) -> Result<AnalysisView, AppError> {
    let (backend, user) = caller()?;
    backend
        .item_analysis(&user, &blueprint_id, sitting_id.as_deref())
        .await
}

#[server(prefix = "/api/fn", endpoint = "calibrate_blueprint", input = leptos::server_fn::codec::Json)]
pub async fn calibrate_blueprint(
    blueprint_id: String,
    input: CalibrateInput,
) -> Result<CalibrationSummary, AppError> {
    let (backend, user) = caller()?;
    backend
        .calibrate_blueprint(&user, &blueprint_id, input)
        .await
}

#[server(prefix = "/api/fn", endpoint = "send_back_to_review", input = leptos::server_fn::codec::Json)]
pub async fn send_back_to_review(
    item_id: String,
    input: SendBackInput,
) -> Result<ItemDoc, AppError> {
    let (backend, user) = caller()?;
    backend.send_back_to_review(&user, &item_id, input).await
}

// Sittings and proctoring

#[server(prefix = "/api/fn", endpoint = "sittings", input = leptos::server_fn::codec::Json)]
pub async fn sittings() -> Result<Vec<SittingView>, AppError> {
    let (backend, user) = caller()?;
    backend.sittings(&user).await
}

#[server(prefix = "/api/fn", endpoint = "sitting_create", input = leptos::server_fn::codec::Json)]
pub async fn sitting_create(input: SittingInput) -> Result<SittingView, AppError> {
    let (backend, user) = caller()?;
    backend.sitting_create(&user, input).await
}

#[server(prefix = "/api/fn", endpoint = "sitting_assign", input = leptos::server_fn::codec::Json)]
pub async fn sitting_assign(
    sitting_id: String,
    role: Role,
    input: AssignInput,
) -> Result<AssignReport, AppError> {
    let (backend, user) = caller()?;
    backend
        .sitting_assign(&user, &sitting_id, role, input)
        .await
}

#[server(prefix = "/api/fn", endpoint = "sitting_pause", input = leptos::server_fn::codec::Json)]
pub async fn sitting_pause(
    sitting_id: String,
    pause: bool,
    reason: String,
) -> Result<SittingView, AppError> {
    let (backend, user) = caller()?;
    backend
        .sitting_pause(&user, &sitting_id, pause, &reason)
        .await
}

#[server(prefix = "/api/fn", endpoint = "applicant_identity", input = leptos::server_fn::codec::Json)]
pub async fn applicant_identity(
    sitting_id: String,
    applicant_id: String,
) -> Result<IdentityView, AppError> {
    let (backend, user) = caller()?;
    backend
        .applicant_identity(&user, &sitting_id, &applicant_id)
        .await
}

#[server(prefix = "/api/fn", endpoint = "intervene", input = leptos::server_fn::codec::Json)]
pub async fn intervene(
    sitting_id: String,
    applicant_id: String,
    input: InterventionInput,
) -> Result<MonitorRow, AppError> {
    let (backend, user) = caller()?;
    backend
        .intervene(&user, &sitting_id, &applicant_id, input)
        .await
}

#[server(prefix = "/api/fn", endpoint = "message_sitting", input = leptos::server_fn::codec::Json)]
pub async fn message_sitting(sitting_id: String, input: MessageInput) -> Result<u32, AppError> {
    let (backend, user) = caller()?;
    backend.message_sitting(&user, &sitting_id, input).await
}

#[server(prefix = "/api/fn", endpoint = "message_applicant", input = leptos::server_fn::codec::Json)]
pub async fn message_applicant(
    sitting_id: String,
    applicant_id: String,
    input: MessageInput,
) -> Result<ChatMessage, AppError> {
    let (backend, user) = caller()?;
    backend
        .message_applicant(&user, &sitting_id, &applicant_id, input)
        .await
}

#[server(prefix = "/api/fn", endpoint = "credit_requests", input = leptos::server_fn::codec::Json)]
pub async fn credit_requests(sitting_id: String) -> Result<Vec<CreditRequestView>, AppError> {
    let (backend, user) = caller()?;
    backend.credit_requests(&user, &sitting_id).await
}

#[server(prefix = "/api/fn", endpoint = "decide_credit", input = leptos::server_fn::codec::Json)]
pub async fn decide_credit(
    id: String,
    input: CreditDecisionInput,
) -> Result<CreditRequestView, AppError> {
    let (backend, user) = caller()?;
    backend.decide_credit(&user, &id, input).await
}

#[server(prefix = "/api/fn", endpoint = "attempt_events", input = leptos::server_fn::codec::Json)]
pub async fn attempt_events(attempt_id: String) -> Result<Vec<AttemptEvent>, AppError> {
    let (backend, user) = caller()?;
    backend.events(&user, &attempt_id).await
}
