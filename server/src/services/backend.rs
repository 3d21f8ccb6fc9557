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

    async fn certificate_check(&self, number: &str) -> Result<CertificateCheck, AppError> {
        self.verify_certificate(number).await
    }
}
