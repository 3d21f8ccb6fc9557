//! The pages' port (`app::backend::Backend`) on the services: what the server functions and
//! the REST handlers call.

use super::*;

#[async_trait]
impl Backend for Services {
    async fn login(
        &self,
        email: &str,
        password: &str,
        ip: &str,
    ) -> Result<LoginResponse, AppError> {
        Services::login(self, email, password, ip).await
    }

    async fn register(&self, input: RegisterRequest, ip: &str) -> Result<LoginResponse, AppError> {
        Services::register(self, input, ip).await
    }

    fn authenticate(&self, token: &str) -> Result<UserInfo, AppError> {
        Services::authenticate(self, token)
    }

    async fn logout(&self, user: &UserInfo) -> Result<(), AppError> {
        Services::logout(self, user).await
    }

    async fn refresh(&self, token: &str) -> Result<LoginResponse, AppError> {
        Services::refresh(self, token).await
    }

    async fn change_password(
        &self,
        user: &UserInfo,
        input: PasswordChange,
        ip: &str,
    ) -> Result<(), AppError> {
        Services::change_password(self, user, input, ip).await
    }

    async fn reset_password(
        &self,
        user: &UserInfo,
        email: &str,
        ip: &str,
    ) -> Result<PasswordReset, AppError> {
        Services::reset_password(self, user, email, ip).await
    }

    async fn create_account(
        &self,
        user: &UserInfo,
        input: NewAccount,
        ip: &str,
    ) -> Result<PasswordReset, AppError> {
        Services::create_account(self, user, input, ip).await
    }

    async fn preferences(&self, user: &UserInfo) -> Result<Preferences, AppError> {
        self.preferences_of(&user.id).await
    }

    async fn save_preferences(
        &self,
        user: &UserInfo,
        preferences: Preferences,
    ) -> Result<Preferences, AppError> {
        Services::save_preferences(self, user, preferences).await
    }

    fn secure_cookies(&self) -> bool {
        Services::secure_cookies(self)
    }

    async fn dashboard(&self, user: &UserInfo) -> Result<Dashboard, AppError> {
        Services::dashboard(self, user).await
    }

    async fn start_attempt(
        &self,
        user: &UserInfo,
        language: Option<&str>,
    ) -> Result<AttemptView, AppError> {
        Services::start_attempt(self, user, language).await
    }

    async fn attempt(&self, user: &UserInfo, attempt_id: &str) -> Result<AttemptView, AppError> {
        Services::attempt(self, user, attempt_id).await
    }

    async fn save_response(
        &self,
        user: &UserInfo,
        attempt_id: &str,
        item_id: &str,
        request: SaveRequest,
    ) -> Result<SaveAck, AppError> {
        Services::save_response(self, user, attempt_id, item_id, request).await
    }

    async fn submit(&self, user: &UserInfo, attempt_id: &str) -> Result<ResultView, AppError> {
        Services::submit(self, user, attempt_id).await
    }

    async fn result(&self, user: &UserInfo, attempt_id: &str) -> Result<ResultView, AppError> {
        Services::result(self, user, attempt_id).await
    }

    async fn events(
        &self,
        user: &UserInfo,
        attempt_id: &str,
    ) -> Result<Vec<AttemptEvent>, AppError> {
        Services::events(self, user, attempt_id).await
    }

    async fn bank_list(&self, user: &UserInfo, filter: &BankFilter) -> Result<BankPage, AppError> {
        Services::bank_list(self, user, filter).await
    }

    async fn bank_item(&self, user: &UserInfo, item_id: &str) -> Result<ItemDoc, AppError> {
        Services::bank_item(self, user, item_id).await
    }

    async fn bank_create(&self, user: &UserInfo, input: ItemInput) -> Result<ItemDoc, AppError> {
        Services::bank_create(self, user, input).await
    }

    async fn bank_update(
        &self,
        user: &UserInfo,
        item_id: &str,
        input: ItemInput,
    ) -> Result<ItemDoc, AppError> {
        Services::bank_update(self, user, item_id, input).await
    }

    async fn bank_step(
        &self,
        user: &UserInfo,
        item_id: &str,
        step: ItemStep,
    ) -> Result<ItemDoc, AppError> {
        Services::bank_step(self, user, item_id, step).await
    }

    async fn bank_restore(
        &self,
        user: &UserInfo,
        item_id: &str,
        version: i64,
    ) -> Result<ItemDoc, AppError> {
        Services::bank_restore(self, user, item_id, version).await
    }

    async fn bank_history(&self, user: &UserInfo, item_id: &str) -> Result<ItemHistory, AppError> {
        Services::bank_history(self, user, item_id).await
    }

    async fn bank_bulk(&self, user: &UserInfo, input: BulkInput) -> Result<BulkResult, AppError> {
        Services::bank_bulk(self, user, input).await
    }

    async fn bank_competencies(&self, user: &UserInfo) -> Result<Vec<CompetencyView>, AppError> {
        Services::bank_competencies(self, user).await
    }

    async fn bank_put_competency(
        &self,
        user: &UserInfo,
        competency: CompetencyView,
    ) -> Result<CompetencyView, AppError> {
        Services::bank_put_competency(self, user, competency).await
    }

    async fn blueprint_list(&self, user: &UserInfo) -> Result<Vec<BlueprintSummary>, AppError> {
        Services::blueprint_list(self, user).await
    }

    async fn blueprint_get(&self, user: &UserInfo, id: &str) -> Result<BlueprintDoc, AppError> {
        Services::blueprint_get(self, user, id).await
    }

    async fn blueprint_save(
        &self,
        user: &UserInfo,
        blueprint: Blueprint,
    ) -> Result<BlueprintDoc, AppError> {
        Services::blueprint_save(self, user, blueprint).await
    }

    async fn blueprint_activate(
        &self,
        user: &UserInfo,
        id: &str,
        active: bool,
    ) -> Result<BlueprintDoc, AppError> {
        Services::blueprint_activate(self, user, id, active).await
    }

    async fn blueprint_check(
        &self,
        user: &UserInfo,
        input: CheckInput,
    ) -> Result<CheckReport, AppError> {
        Services::blueprint_check(self, user, input).await
    }

    async fn blueprint_rescore(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<RescoreReport, AppError> {
        Services::blueprint_rescore(self, user, id).await
    }

    async fn score_changes(
        &self,
        user: &UserInfo,
        blueprint_id: Option<&str>,
    ) -> Result<Vec<ScoreChangeView>, AppError> {
        Services::score_changes(self, user, blueprint_id).await
    }

    async fn correct_key(
        &self,
        user: &UserInfo,
        item_id: &str,
        version: i64,
        input: KeyCorrectionInput,
    ) -> Result<RescoreReport, AppError> {
        Services::correct_key(self, user, item_id, version, input).await
    }

    async fn correction_reach(
        &self,
        user: &UserInfo,
        item_id: &str,
        version: i64,
    ) -> Result<u32, AppError> {
        Services::correction_reach(self, user, item_id, version).await
    }

    async fn standard_settings(
        &self,
        user: &UserInfo,
    ) -> Result<Vec<StandardSettingSummary>, AppError> {
        Services::standard_settings(self, user).await
    }
    async fn standard_setting_create(
        &self,
        user: &UserInfo,
        input: StandardSettingInput,
    ) -> Result<StandardSettingView, AppError> {
        Services::standard_setting_create(self, user, input).await
    }
    async fn standard_setting(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<StandardSettingView, AppError> {
        Services::standard_setting(self, user, id).await
    }
    async fn standard_setting_rate(
        &self,
        user: &UserInfo,
        id: &str,
        input: RatingsInput,
    ) -> Result<StandardSettingView, AppError> {
        Services::standard_setting_rate(self, user, id, input).await
    }
    async fn standard_setting_next_round(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<StandardSettingView, AppError> {
        Services::standard_setting_next_round(self, user, id).await
    }
    async fn standard_setting_adopt(
        &self,
        user: &UserInfo,
        id: &str,
        input: AdoptInput,
    ) -> Result<StandardSettingView, AppError> {
        Services::standard_setting_adopt(self, user, id, input).await
    }
    async fn item_analysis(
        &self,
        user: &UserInfo,
        blueprint_id: &str,
        sitting_id: Option<&str>,
    ) -> Result<AnalysisView, AppError> {
        Services::item_analysis(self, user, blueprint_id, sitting_id).await
    }
    async fn calibrate_blueprint(
        &self,
        user: &UserInfo,
        blueprint_id: &str,
        input: CalibrateInput,
    ) -> Result<CalibrationSummary, AppError> {
        Services::calibrate_blueprint(self, user, blueprint_id, input).await
    }
    async fn send_back_to_review(
        &self,
        user: &UserInfo,
        item_id: &str,
        input: SendBackInput,
    ) -> Result<ItemDoc, AppError> {
        Services::send_back_to_review(self, user, item_id, input).await
    }

    async fn sittings(&self, user: &UserInfo) -> Result<Vec<SittingView>, AppError> {
        Services::list_sittings(self, user).await
    }
    async fn sitting_create(
        &self,
        user: &UserInfo,
        input: SittingInput,
    ) -> Result<SittingView, AppError> {
        Services::create_sitting(self, user, input).await
    }
    async fn sitting_assign(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        role: Role,
        input: AssignInput,
    ) -> Result<AssignReport, AppError> {
        Services::assign(self, user, sitting_id, role, input).await
    }
    async fn sitting_pause(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        pause: bool,
        reason: &str,
    ) -> Result<SittingView, AppError> {
        Services::pause_sitting(self, user, sitting_id, pause, reason).await
    }
    async fn applicant_identity(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        applicant_id: &str,
    ) -> Result<IdentityView, AppError> {
        Services::identity(self, user, sitting_id, applicant_id).await
    }
    async fn intervene(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        applicant_id: &str,
        input: InterventionInput,
    ) -> Result<MonitorRow, AppError> {
        Services::intervene(self, user, sitting_id, applicant_id, input).await
    }
    async fn message_sitting(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        input: MessageInput,
    ) -> Result<u32, AppError> {
        Services::message_sitting(self, user, sitting_id, input).await
    }
    async fn message_applicant(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        applicant_id: &str,
        input: MessageInput,
    ) -> Result<ChatMessage, AppError> {
        Services::message_applicant(self, user, sitting_id, applicant_id, input).await
    }
    async fn credit_requests(
        &self,
        user: &UserInfo,
        sitting_id: &str,
    ) -> Result<Vec<CreditRequestView>, AppError> {
        Services::credit_requests(self, user, sitting_id).await
    }
    async fn decide_credit(
        &self,
        user: &UserInfo,
        id: &str,
        input: CreditDecisionInput,
    ) -> Result<CreditRequestView, AppError> {
        Services::decide_credit(self, user, id, input).await
    }

    async fn campaigns(&self, user: &UserInfo) -> Result<Vec<CampaignView>, AppError> {
        Services::campaign_list(self, user).await
    }
    async fn campaign(&self, user: &UserInfo, id: &str) -> Result<CampaignView, AppError> {
        Services::campaign_get(self, user, id).await
    }
    async fn campaign_save(
        &self,
        user: &UserInfo,
        input: CampaignInput,
    ) -> Result<CampaignView, AppError> {
        Services::campaign_save(self, user, input).await
    }
    async fn campaign_applications(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        filter: ApplicationFilter,
    ) -> Result<ApplicationPage, AppError> {
        Services::application_list(self, user, campaign_id, filter).await
    }
    async fn apply(
        &self,
        user: &UserInfo,
        input: ApplicationInput,
    ) -> Result<ApplicationView, AppError> {
        Services::apply(self, user, input).await
    }
    async fn my_applications(&self, user: &UserInfo) -> Result<Vec<ApplicationView>, AppError> {
        Services::my_applications(self, user).await
    }
    async fn application(&self, user: &UserInfo, id: &str) -> Result<ApplicationView, AppError> {
        Services::application_get(self, user, id).await
    }
    async fn record_stage(
        &self,
        user: &UserInfo,
        application_id: &str,
        stage: u8,
        input: StageInput,
    ) -> Result<ApplicationView, AppError> {
        Services::record_stage(self, user, application_id, stage, input).await
    }
    async fn select_stage(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        stage: u8,
        input: SelectInput,
    ) -> Result<SelectionView, AppError> {
        Services::select_stage(self, user, campaign_id, stage, input).await
    }
    async fn campaign_cuts(
        &self,
        user: &UserInfo,
        campaign_id: &str,
    ) -> Result<Vec<SelectionView>, AppError> {
        Services::cuts(self, user, campaign_id).await
    }
    async fn panel(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        panel: &str,
    ) -> Result<Vec<PanelMember>, AppError> {
        Services::get_panel(self, user, campaign_id, panel).await
    }
    async fn panel_save(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        panel: &str,
        input: PanelInput,
    ) -> Result<Vec<PanelMember>, AppError> {
        Services::set_panel(self, user, campaign_id, panel, input).await
    }
    async fn submit_report(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: ReportInput,
    ) -> Result<ApplicationView, AppError> {
        Services::submit_report(self, user, application_id, input).await
    }
    async fn campaign_appeals(
        &self,
        user: &UserInfo,
        campaign_id: &str,
    ) -> Result<Vec<AppealView>, AppError> {
        Services::appeals(self, user, campaign_id).await
    }
    async fn file_appeal(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: AppealInput,
    ) -> Result<AppealView, AppError> {
        Services::file_appeal(self, user, application_id, input).await
    }
    async fn appeal_detail(&self, user: &UserInfo, id: &str) -> Result<AppealEvidence, AppError> {
        Services::appeal_evidence(self, user, id).await
    }
    async fn decide_appeal(
        &self,
        user: &UserInfo,
        id: &str,
        input: AppealDecision,
    ) -> Result<AppealView, AppError> {
        Services::decide_appeal(self, user, id, input).await
    }
    async fn appoint(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: AppointmentInput,
    ) -> Result<ApplicationView, AppError> {
        Services::appoint(self, user, application_id, input).await
    }
    async fn reserve_list(
        &self,
        user: &UserInfo,
        campaign_id: Option<&str>,
        region: Option<&str>,
        available_only: bool,
    ) -> Result<Vec<ReserveEntry>, AppError> {
        Services::reserve(self, user, campaign_id, region, available_only).await
    }
    async fn funnel_counts(
        &self,
        user: &UserInfo,
        campaign_id: Option<&str>,
        by: &str,
    ) -> Result<FunnelReport, AppError> {
        Services::funnel(self, user, campaign_id, by).await
    }
    async fn marking_tasks(&self, user: &UserInfo) -> Result<Vec<MarkingTask>, AppError> {
        Services::marking_tasks(self, user).await
    }
    async fn mark_report(
        &self,
        user: &UserInfo,
        code: &str,
        input: MarkInput,
    ) -> Result<MarkAck, AppError> {
        Services::mark_report(self, user, code, input).await
    }
    async fn interview_list(&self, user: &UserInfo) -> Result<Vec<InterviewCandidate>, AppError> {
        Services::interview_list(self, user).await
    }
    async fn interview_score(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: InterviewInput,
    ) -> Result<InterviewScoreView, AppError> {
        Services::interview_score(self, user, application_id, input).await
    }
    async fn interview_decide(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: DecisionInput,
    ) -> Result<ApplicationView, AppError> {
        Services::interview_decide(self, user, application_id, input).await
    }
    async fn revoke_certificate(
        &self,
        user: &UserInfo,
        number: &str,
        input: RevocationInput,
    ) -> Result<ApplicationView, AppError> {
        Services::revoke_certificate(self, user, number, input).await
    }

    async fn attempt_messages(
        &self,
        user: &UserInfo,
        attempt_id: &str,
    ) -> Result<Vec<ChatMessage>, AppError> {
        Services::attempt_messages(self, user, attempt_id).await
    }
    async fn message_proctors(
        &self,
        user: &UserInfo,
        attempt_id: &str,
        input: MessageInput,
    ) -> Result<ChatMessage, AppError> {
        Services::message_proctors(self, user, attempt_id, input).await
    }
    async fn start_practice(
        &self,
        user: &UserInfo,
        language: Option<&str>,
    ) -> Result<AttemptView, AppError> {
        Services::start_practice(self, user, language).await
    }

    async fn signals(
        &self,
        user: &UserInfo,
        attempt_id: &str,
        input: SignalsInput,
        ip: &str,
    ) -> Result<SignalsAck, AppError> {
        Services::signals(self, user, attempt_id, input, ip).await
    }

    async fn certificate_check(&self, number: &str) -> Result<CertificateCheck, AppError> {
        self.verify_certificate(number).await
    }
}
