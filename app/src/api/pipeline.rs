//! Server functions of the selection pipeline's pages (CSV uploads and downloads, PDFs and
//! photos stay REST).

use super::*;

#[server(prefix = "/api/fn", endpoint = "campaigns", input = leptos::server_fn::codec::Json)]
pub async fn campaigns() -> Result<Vec<CampaignView>, AppError> {
    let (backend, user) = caller()?;
    backend.campaigns(&user).await
}

#[server(prefix = "/api/fn", endpoint = "campaign", input = leptos::server_fn::codec::Json)]
pub async fn campaign(id: String) -> Result<CampaignView, AppError> {
    let (backend, user) = caller()?;
    backend.campaign(&user, &id).await
}

#[server(prefix = "/api/fn", endpoint = "campaign_save", input = leptos::server_fn::codec::Json)]
pub async fn campaign_save(input: CampaignInput) -> Result<CampaignView, AppError> {
    let (backend, user) = caller()?;
    backend.campaign_save(&user, input).await
}

#[server(prefix = "/api/fn", endpoint = "campaign_applications", input = leptos::server_fn::codec::Json)]
pub async fn campaign_applications(
    campaign_id: String,
    filter: ApplicationFilter,
) -> Result<ApplicationPage, AppError> {
    let (backend, user) = caller()?;
    backend
        .campaign_applications(&user, &campaign_id, filter)
        .await
}

#[server(prefix = "/api/fn", endpoint = "apply", input = leptos::server_fn::codec::Json)]
pub async fn apply(input: ApplicationInput) -> Result<ApplicationView, AppError> {
    let (backend, user) = caller()?;
    backend.apply(&user, input).await
}

#[server(prefix = "/api/fn", endpoint = "my_applications", input = leptos::server_fn::codec::Json)]
pub async fn my_applications() -> Result<Vec<ApplicationView>, AppError> {
    let (backend, user) = caller()?;
    backend.my_applications(&user).await
}

#[server(prefix = "/api/fn", endpoint = "application", input = leptos::server_fn::codec::Json)]
pub async fn application(id: String) -> Result<ApplicationView, AppError> {
    let (backend, user) = caller()?;
    backend.application(&user, &id).await
}

#[server(prefix = "/api/fn", endpoint = "record_stage", input = leptos::server_fn::codec::Json)]
pub async fn record_stage(
    application_id: String,
    stage: u8,
    input: StageInput,
) -> Result<ApplicationView, AppError> {
    let (backend, user) = caller()?;
    backend
        .record_stage(&user, &application_id, stage, input)
        .await
}

#[server(prefix = "/api/fn", endpoint = "select_stage", input = leptos::server_fn::codec::Json)]
pub async fn select_stage(
    campaign_id: String,
    stage: u8,
    input: SelectInput,
) -> Result<SelectionView, AppError> {
    let (backend, user) = caller()?;
    backend
        .select_stage(&user, &campaign_id, stage, input)
        .await
}

#[server(prefix = "/api/fn", endpoint = "campaign_cuts", input = leptos::server_fn::codec::Json)]
pub async fn campaign_cuts(campaign_id: String) -> Result<Vec<SelectionView>, AppError> {
    let (backend, user) = caller()?;
    backend.campaign_cuts(&user, &campaign_id).await
}

#[server(prefix = "/api/fn", endpoint = "panel", input = leptos::server_fn::codec::Json)]
pub async fn panel(campaign_id: String, panel: String) -> Result<Vec<PanelMember>, AppError> {
    let (backend, user) = caller()?;
    backend.panel(&user, &campaign_id, &panel).await
}

#[server(prefix = "/api/fn", endpoint = "panel_save", input = leptos::server_fn::codec::Json)]
pub async fn panel_save(
    campaign_id: String,
    panel: String,
    input: PanelInput,
) -> Result<Vec<PanelMember>, AppError> {
    let (backend, user) = caller()?;
    backend.panel_save(&user, &campaign_id, &panel, input).await
}

#[server(prefix = "/api/fn", endpoint = "submit_report", input = leptos::server_fn::codec::Json)]
pub async fn submit_report(
    application_id: String,
    input: ReportInput,
) -> Result<ApplicationView, AppError> {
    let (backend, user) = caller()?;
    backend.submit_report(&user, &application_id, input).await
}

#[server(prefix = "/api/fn", endpoint = "campaign_appeals", input = leptos::server_fn::codec::Json)]
pub async fn campaign_appeals(campaign_id: String) -> Result<Vec<AppealView>, AppError> {
    let (backend, user) = caller()?;
    backend.campaign_appeals(&user, &campaign_id).await
}

#[server(prefix = "/api/fn", endpoint = "file_appeal", input = leptos::server_fn::codec::Json)]
pub async fn file_appeal(
    application_id: String,
    input: AppealInput,
) -> Result<AppealView, AppError> {
    let (backend, user) = caller()?;
    backend.file_appeal(&user, &application_id, input).await
}

#[server(prefix = "/api/fn", endpoint = "appeal_detail", input = leptos::server_fn::codec::Json)]
pub async fn appeal_detail(id: String) -> Result<AppealEvidence, AppError> {
    let (backend, user) = caller()?;
    backend.appeal_detail(&user, &id).await
}

#[server(prefix = "/api/fn", endpoint = "decide_appeal", input = leptos::server_fn::codec::Json)]
pub async fn decide_appeal(id: String, input: AppealDecision) -> Result<AppealView, AppError> {
    let (backend, user) = caller()?;
    backend.decide_appeal(&user, &id, input).await
}

#[server(prefix = "/api/fn", endpoint = "appoint", input = leptos::server_fn::codec::Json)]
pub async fn appoint(
    application_id: String,
    input: AppointmentInput,
) -> Result<ApplicationView, AppError> {
    let (backend, user) = caller()?;
    backend.appoint(&user, &application_id, input).await
}

#[server(prefix = "/api/fn", endpoint = "reserve_list", input = leptos::server_fn::codec::Json)]
pub async fn reserve_list(
    campaign_id: Option<String>,
    region: Option<String>,
    available_only: bool,
) -> Result<Vec<ReserveEntry>, AppError> {
    let (backend, user) = caller()?;
    backend
        .reserve_list(
            &user,
            campaign_id.as_deref(),
            region.as_deref(),
            available_only,
        )
        .await
}

#[server(prefix = "/api/fn", endpoint = "funnel_counts", input = leptos::server_fn::codec::Json)]
pub async fn funnel_counts(
    campaign_id: Option<String>,
    by: String,
) -> Result<FunnelReport, AppError> {
    let (backend, user) = caller()?;
    backend
        .funnel_counts(&user, campaign_id.as_deref(), &by)
        .await
}

#[server(prefix = "/api/fn", endpoint = "marking_tasks", input = leptos::server_fn::codec::Json)]
pub async fn marking_tasks() -> Result<Vec<MarkingTask>, AppError> {
    let (backend, user) = caller()?;
    backend.marking_tasks(&user).await
}

#[server(prefix = "/api/fn", endpoint = "mark_report", input = leptos::server_fn::codec::Json)]
pub async fn mark_report(code: String, input: MarkInput) -> Result<MarkAck, AppError> {
    let (backend, user) = caller()?;
    backend.mark_report(&user, &code, input).await
}

#[server(prefix = "/api/fn", endpoint = "interview_list", input = leptos::server_fn::codec::Json)]
pub async fn interview_list() -> Result<Vec<InterviewCandidate>, AppError> {
    let (backend, user) = caller()?;
    backend.interview_list(&user).await
}

#[server(prefix = "/api/fn", endpoint = "interview_score", input = leptos::server_fn::codec::Json)]
pub async fn interview_score(
    application_id: String,
    input: InterviewInput,
) -> Result<InterviewScoreView, AppError> {
    let (backend, user) = caller()?;
    backend.interview_score(&user, &application_id, input).await
}

#[server(prefix = "/api/fn", endpoint = "interview_decide", input = leptos::server_fn::codec::Json)]
pub async fn interview_decide(
    application_id: String,
    input: DecisionInput,
) -> Result<ApplicationView, AppError> {
    let (backend, user) = caller()?;
    backend
        .interview_decide(&user, &application_id, input)
        .await
}

#[server(prefix = "/api/fn", endpoint = "revoke_certificate", input = leptos::server_fn::codec::Json)]
pub async fn revoke_certificate(
    number: String,
    input: RevocationInput,
) -> Result<ApplicationView, AppError> {
    let (backend, user) = caller()?;
    backend.revoke_certificate(&user, &number, input).await
}
