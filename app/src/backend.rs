//! The port through which server functions reach the server's services (server-side only).
//!
//! The `server` crate implements [`Backend`] once; its REST routes and these server functions
//! both call it, so neither holds logic of its own. Provided to Leptos as a context value of
//! type [`SharedBackend`].

use crate::error::AppError;
use crate::model::*;
use async_trait::async_trait;
use http::HeaderMap;
use std::sync::Arc;

/// Name of the HttpOnly session cookie.
pub const SESSION_COOKIE: &str = "qabilet_session";

pub type SharedBackend = Arc<dyn Backend>;

#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Checks credentials (from the client address `ip`, for lockouts) and returns the user
    /// with a freshly signed token.
    async fn login(&self, email: &str, password: &str, ip: &str)
    -> Result<LoginResponse, AppError>;
    /// Creates an applicant's account (from the address `ip`, for limits) and signs it in.
    async fn register(&self, input: RegisterRequest, ip: &str) -> Result<LoginResponse, AppError>;
    /// Verifies a token (signature, algorithm, expiry, not signed out) and returns who it names.
    fn authenticate(&self, token: &str) -> Result<UserInfo, AppError>;
    /// Signs the session out: its tokens are refused from now on, on every instance.
    async fn logout(&self, user: &UserInfo) -> Result<(), AppError>;
    /// A fresh token for the session of `token` (valid and not signed out), until the
    /// session's maximum age.
    async fn refresh(&self, token: &str) -> Result<LoginResponse, AppError>;
    /// The caller changes their own password (the current one checked). Audited.
    async fn change_password(
        &self,
        user: &UserInfo,
        input: PasswordChange,
        ip: &str,
    ) -> Result<(), AppError>;
    /// Staff set a temporary password for the account with this e-mail. Audited.
    async fn reset_password(
        &self,
        user: &UserInfo,
        email: &str,
        ip: &str,
    ) -> Result<PasswordReset, AppError>;
    /// An administrator creates an account; its temporary password is returned once.
    async fn create_account(
        &self,
        user: &UserInfo,
        input: NewAccount,
        ip: &str,
    ) -> Result<PasswordReset, AppError>;
    async fn preferences(&self, user: &UserInfo) -> Result<Preferences, AppError>;
    async fn save_preferences(
        &self,
        user: &UserInfo,
        preferences: Preferences,
    ) -> Result<Preferences, AppError>;
    /// Whether cookies must carry `Secure` (the site is served over HTTPS).
    fn secure_cookies(&self) -> bool;
    async fn dashboard(&self, user: &UserInfo) -> Result<Dashboard, AppError>;
    async fn start_attempt(
        &self,
        user: &UserInfo,
        language: Option<&str>,
    ) -> Result<AttemptView, AppError>;
    async fn attempt(&self, user: &UserInfo, attempt_id: &str) -> Result<AttemptView, AppError>;
    async fn save_response(
        &self,
        user: &UserInfo,
        attempt_id: &str,
        item_id: &str,
        request: SaveRequest,
    ) -> Result<SaveAck, AppError>;
    async fn submit(&self, user: &UserInfo, attempt_id: &str) -> Result<ResultView, AppError>;
    async fn result(&self, user: &UserInfo, attempt_id: &str) -> Result<ResultView, AppError>;
    /// The attempt's event log, for proctors and administrators.
    async fn events(
        &self,
        user: &UserInfo,
        attempt_id: &str,
    ) -> Result<Vec<AttemptEvent>, AppError>;

    // The question bank (methodologists; administrators read). Imports go through the REST
    // route, which takes larger bodies than server functions.
    async fn bank_list(&self, user: &UserInfo, filter: &BankFilter) -> Result<BankPage, AppError>;
    async fn bank_item(&self, user: &UserInfo, item_id: &str) -> Result<ItemDoc, AppError>;
    async fn bank_create(&self, user: &UserInfo, input: ItemInput) -> Result<ItemDoc, AppError>;
    async fn bank_update(
        &self,
        user: &UserInfo,
        item_id: &str,
        input: ItemInput,
    ) -> Result<ItemDoc, AppError>;
    /// A step in the item's life: sent to review, reviewed, retired.
    async fn bank_step(
        &self,
        user: &UserInfo,
        item_id: &str,
        step: ItemStep,
    ) -> Result<ItemDoc, AppError>;
    async fn bank_restore(
        &self,
        user: &UserInfo,
        item_id: &str,
        version: i64,
    ) -> Result<ItemDoc, AppError>;
    async fn bank_history(&self, user: &UserInfo, item_id: &str) -> Result<ItemHistory, AppError>;
    async fn bank_bulk(&self, user: &UserInfo, input: BulkInput) -> Result<BulkResult, AppError>;
    async fn bank_competencies(&self, user: &UserInfo) -> Result<Vec<CompetencyView>, AppError>;
    async fn bank_put_competency(
        &self,
        user: &UserInfo,
        competency: CompetencyView,
    ) -> Result<CompetencyView, AppError>;

    async fn blueprint_list(&self, user: &UserInfo) -> Result<Vec<BlueprintSummary>, AppError>;
    async fn blueprint_get(&self, user: &UserInfo, id: &str) -> Result<BlueprintDoc, AppError>;
    async fn blueprint_save(
        &self,
        user: &UserInfo,
        blueprint: question_bank::Blueprint,
    ) -> Result<BlueprintDoc, AppError>;
    async fn blueprint_activate(
        &self,
        user: &UserInfo,
        id: &str,
        active: bool,
    ) -> Result<BlueprintDoc, AppError>;
    async fn blueprint_check(
        &self,
        user: &UserInfo,
        input: CheckInput,
    ) -> Result<CheckReport, AppError>;
    async fn blueprint_rescore(&self, user: &UserInfo, id: &str)
    -> Result<RescoreReport, AppError>;
    async fn score_changes(
        &self,
        user: &UserInfo,
        blueprint_id: Option<&str>,
    ) -> Result<Vec<ScoreChangeView>, AppError>;
    async fn correct_key(
        &self,
        user: &UserInfo,
        item_id: &str,
        version: i64,
        input: KeyCorrectionInput,
    ) -> Result<RescoreReport, AppError>;
    /// How many attempts a key correction of this item version would re-score.
    async fn correction_reach(
        &self,
        user: &UserInfo,
        item_id: &str,
        version: i64,
    ) -> Result<u32, AppError>;

    // Standard setting, item analysis and calibration
    /// Standard setting (methodologists open workshops; judges sit on them).
    async fn standard_settings(
        &self,
        user: &UserInfo,
    ) -> Result<Vec<StandardSettingSummary>, AppError>;
    async fn standard_setting_create(
        &self,
        user: &UserInfo,
        input: StandardSettingInput,
    ) -> Result<StandardSettingView, AppError>;
    async fn standard_setting(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<StandardSettingView, AppError>;
    async fn standard_setting_rate(
        &self,
        user: &UserInfo,
        id: &str,
        input: RatingsInput,
    ) -> Result<StandardSettingView, AppError>;
    async fn standard_setting_next_round(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<StandardSettingView, AppError>;
    async fn standard_setting_adopt(
        &self,
        user: &UserInfo,
        id: &str,
        input: AdoptInput,
    ) -> Result<StandardSettingView, AppError>;
    /// Item analysis and calibration.
    async fn item_analysis(
        &self,
        user: &UserInfo,
        blueprint_id: &str,
        sitting_id: Option<&str>,
    ) -> Result<AnalysisView, AppError>;
    async fn calibrate_blueprint(
        &self,
        user: &UserInfo,
        blueprint_id: &str,
        input: CalibrateInput,
    ) -> Result<CalibrationSummary, AppError>;
    async fn send_back_to_review(
        &self,
        user: &UserInfo,
        item_id: &str,
        input: SendBackInput,
    ) -> Result<ItemDoc, AppError>;

    // Sittings and proctoring
    /// Sittings and proctoring (the live table itself is a stream: REST).
    async fn sittings(&self, user: &UserInfo) -> Result<Vec<SittingView>, AppError>;
    async fn sitting_create(
        &self,
        user: &UserInfo,
        input: SittingInput,
    ) -> Result<SittingView, AppError>;
    async fn sitting_assign(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        role: Role,
        input: AssignInput,
    ) -> Result<AssignReport, AppError>;
    async fn sitting_pause(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        pause: bool,
        reason: &str,
    ) -> Result<SittingView, AppError>;
    async fn applicant_identity(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        applicant_id: &str,
    ) -> Result<IdentityView, AppError>;
    async fn intervene(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        applicant_id: &str,
        input: InterventionInput,
    ) -> Result<MonitorRow, AppError>;
    async fn message_sitting(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        input: MessageInput,
    ) -> Result<u32, AppError>;
    async fn message_applicant(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        applicant_id: &str,
        input: MessageInput,
    ) -> Result<ChatMessage, AppError>;
    async fn credit_requests(
        &self,
        user: &UserInfo,
        sitting_id: &str,
    ) -> Result<Vec<CreditRequestView>, AppError>;
    async fn decide_credit(
        &self,
        user: &UserInfo,
        id: &str,
        input: CreditDecisionInput,
    ) -> Result<CreditRequestView, AppError>;

    // The selection pipeline
    /// The selection pipeline (CSV uploads and downloads, PDFs and photos stay REST).
    async fn campaigns(&self, user: &UserInfo) -> Result<Vec<CampaignView>, AppError>;
    async fn campaign(&self, user: &UserInfo, id: &str) -> Result<CampaignView, AppError>;
    async fn campaign_save(
        &self,
        user: &UserInfo,
        input: CampaignInput,
    ) -> Result<CampaignView, AppError>;
    async fn campaign_applications(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        filter: ApplicationFilter,
    ) -> Result<ApplicationPage, AppError>;
    async fn apply(
        &self,
        user: &UserInfo,
        input: ApplicationInput,
    ) -> Result<ApplicationView, AppError>;
    async fn my_applications(&self, user: &UserInfo) -> Result<Vec<ApplicationView>, AppError>;
    async fn application(&self, user: &UserInfo, id: &str) -> Result<ApplicationView, AppError>;
    async fn record_stage(
        &self,
        user: &UserInfo,
        application_id: &str,
        stage: u8,
        input: StageInput,
    ) -> Result<ApplicationView, AppError>;
    async fn select_stage(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        stage: u8,
        input: SelectInput,
    ) -> Result<SelectionView, AppError>;
    async fn campaign_cuts(
        &self,
        user: &UserInfo,
        campaign_id: &str,
    ) -> Result<Vec<SelectionView>, AppError>;
    async fn panel(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        panel: &str,
    ) -> Result<Vec<PanelMember>, AppError>;
    async fn panel_save(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        panel: &str,
        input: PanelInput,
    ) -> Result<Vec<PanelMember>, AppError>;
    async fn submit_report(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: ReportInput,
    ) -> Result<ApplicationView, AppError>;
    async fn campaign_appeals(
        &self,
        user: &UserInfo,
        campaign_id: &str,
    ) -> Result<Vec<AppealView>, AppError>;
    async fn file_appeal(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: AppealInput,
    ) -> Result<AppealView, AppError>;
    async fn appeal_detail(&self, user: &UserInfo, id: &str) -> Result<AppealEvidence, AppError>;
    async fn decide_appeal(
        &self,
        user: &UserInfo,
        id: &str,
        input: AppealDecision,
    ) -> Result<AppealView, AppError>;
    async fn appoint(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: AppointmentInput,
    ) -> Result<ApplicationView, AppError>;
    async fn reserve_list(
        &self,
        user: &UserInfo,
        campaign_id: Option<&str>,
        region: Option<&str>,
        available_only: bool,
    ) -> Result<Vec<ReserveEntry>, AppError>;
    async fn funnel_counts(
        &self,
        user: &UserInfo,
        campaign_id: Option<&str>,
        by: &str,
    ) -> Result<FunnelReport, AppError>;
    async fn marking_tasks(&self, user: &UserInfo) -> Result<Vec<MarkingTask>, AppError>;
    async fn mark_report(
        &self,
        user: &UserInfo,
        code: &str,
        input: MarkInput,
    ) -> Result<MarkAck, AppError>;
    async fn interview_list(&self, user: &UserInfo) -> Result<Vec<InterviewCandidate>, AppError>;
    async fn interview_score(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: InterviewInput,
    ) -> Result<InterviewScoreView, AppError>;
    async fn interview_decide(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: DecisionInput,
    ) -> Result<ApplicationView, AppError>;
    async fn revoke_certificate(
        &self,
        user: &UserInfo,
        number: &str,
        input: RevocationInput,
    ) -> Result<ApplicationView, AppError>;

    /// The page's heartbeat and integrity signals (the client's address is recorded with them).
    async fn signals(
        &self,
        user: &UserInfo,
        attempt_id: &str,
        input: SignalsInput,
        ip: &str,
    ) -> Result<SignalsAck, AppError>;

    // The applicant during a sitting
    /// The applicant's side of a sitting: messages with the proctors, the practice test.
    async fn attempt_messages(
        &self,
        user: &UserInfo,
        attempt_id: &str,
    ) -> Result<Vec<ChatMessage>, AppError>;
    async fn message_proctors(
        &self,
        user: &UserInfo,
        attempt_id: &str,
        input: MessageInput,
    ) -> Result<ChatMessage, AppError>;
    async fn start_practice(
        &self,
        user: &UserInfo,
        language: Option<&str>,
    ) -> Result<AttemptView, AppError>;

    /// What anyone may see of a certificate (no sign-in needed).
    async fn certificate_check(&self, number: &str) -> Result<CertificateCheck, AppError>;
}

/// The session token of a request: the `Authorization: Bearer` header, else the cookie.
pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    if let Some(bearer) = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim().to_string());
    }
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

/// `Set-Cookie` value that stores the session token.
pub fn session_cookie(token: &str, max_age_s: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}"
    )
}

/// `Set-Cookie` values that carry an account's preferences to the pages: the interface
/// language (the cookie the i18n layer reads) and the display settings. Readable by the page
/// (not secrets), kept for a year.
pub fn preference_cookies(p: &Preferences) -> Vec<String> {
    let year = 365 * 24 * 3600;
    let mut out = vec![format!(
        "{DISPLAY_COOKIE}={}; Path=/; SameSite=Lax; Max-Age={year}",
        p.display_cookie()
    )];
    if let Some(l) = p
        .language
        .as_deref()
        .filter(|l| Preferences::LANGUAGES.contains(l))
    {
        out.push(format!(
            "{LANGUAGE_COOKIE}={l}; Path=/; SameSite=Lax; Max-Age={year}"
        ));
    }
    out
}

/// The cookie in which the i18n layer keeps the chosen language.
pub const LANGUAGE_COOKIE: &str = "i18n_pref_locale";

/// `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// The client's address, provided to server functions by the HTTP layer.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

/// The caller as the server's authorization layer verified it (token, expiry, sign-out), kept
/// in the request's extensions so handlers and server functions do not verify it again.
#[derive(Debug, Clone)]
pub struct Verified(pub UserInfo);

/// Server-function side: the backend and the caller of the current request.
pub fn backend() -> Result<SharedBackend, AppError> {
    leptos::prelude::use_context::<SharedBackend>().ok_or_else(AppError::internal)
}

/// The signed-in caller of the current server function or page request.
pub fn caller() -> Result<(SharedBackend, UserInfo), AppError> {
    let backend = backend()?;
    let parts = leptos::prelude::use_context::<http::request::Parts>()
        .ok_or_else(AppError::unauthenticated)?;
    // Checked once already by the authorization layer in front of the route.
    if let Some(Verified(user)) = parts.extensions.get::<Verified>() {
        return Ok((backend, user.clone()));
    }
    let token = token_from_headers(&parts.headers).ok_or_else(AppError::unauthenticated)?;
    let user = backend.authenticate(&token)?;
    Ok((backend, user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_comes_from_bearer_or_cookie() {
        let mut h = HeaderMap::new();
        assert_eq!(token_from_headers(&h), None);
        h.insert(
            http::header::COOKIE,
            "a=b; qabilet_session=tok123; c=d".parse().expect("header"),
        );
        assert_eq!(token_from_headers(&h).as_deref(), Some("tok123"));
        h.insert(
            http::header::AUTHORIZATION,
            "Bearer abc".parse().expect("header"),
        );
        assert_eq!(token_from_headers(&h).as_deref(), Some("abc"));
    }

    #[test]
    fn the_session_cookie_is_http_only_and_strict() {
        let c = session_cookie("t", 60, false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && !c.contains("Secure"));
        assert!(session_cookie("t", 60, true).ends_with("; Secure"));
    }
}
