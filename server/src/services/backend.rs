//! The pages' port (`app::backend::Backend`) on the services: what the server functions and
//! the REST handlers call.

use super::*;

#[async_trait]
impl Backend for Services {
    #[tracing::instrument(name = "sign in", skip(self, password))]
    async fn login(
        &self,
        email: &str,
        password: &str,
        ip: &str,
    ) -> Result<LoginResponse, AppError> {
        let result: Result<LoginResponse, AppError> = async {
            let wrong = || AppError::new(ErrorCode::Unauthenticated, "Wrong email or password.");
            let email = email.trim().to_lowercase();
            if email.is_empty() || password.is_empty() || password.len() > 1024 {
                return Err(wrong());
            }
            // Temporary lockout: too many wrong passwords for the account or from the address
            // within the window (counted across instances, in the database).
            let now = self.now();
            let window = self.settings.lockout_ms;
            let (by_email, by_ip) = self
                .store
                .auth_failures(&email, ip, now - window)
                .await?;
            if by_email >= MAX_FAILURES_PER_ACCOUNT || by_ip >= MAX_FAILURES_PER_ADDRESS {
                self.store.log_auth(now, &email, ip, "locked").await?;
                tracing::warn!(email = %email, ip, by_email, by_ip, "sign-in locked");
                return Err(AppError::new(
                    ErrorCode::Locked,
                    format!(
                        "Too many wrong passwords: signing in is paused for {} minutes. Try again later or ask the programme staff.",
                        (window / 60_000).max(1)
                    ),
                ));
            }
            let user = self.store.user_by_email(&email).await?;
            let hash = user
                .as_ref()
                .map(|u| u.password_hash.clone())
                .unwrap_or_else(|| DUMMY_HASH.to_string());
            let password = password.to_string();
            let ok = self.hashing.verify(hash, password).await?;
            let user = match user {
                Some(u) if ok => u,
                _ => {
                    self.store.log_auth(now, &email, ip, "wrong_password").await?;
                    return Err(wrong());
                }
            };
            self.store.log_auth(now, &email, ip, "signed_in").await?;
            let info = UserInfo {
                role: Role::parse(&user.role)
                    .ok_or_else(|| internal(format!("bad role {}", user.role)))?,
                id: user.id,
                email: user.email,
                full_name: user.full_name,
                session: uuid::Uuid::new_v4().to_string(),
            };
            let (token, exp_s) = self.tokens.issue(&info, self.now() / 1000)?;
            let preferences = self.preferences_of(&info.id).await?;
            Ok(LoginResponse {
                token,
                expires_ms: exp_s * 1000,
                user: info,
                preferences,
            })
        }
        .await;
        if result.is_ok() {
            self.metrics
                .logins
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        result
    }

    async fn register(&self, input: RegisterRequest, ip: &str) -> Result<LoginResponse, AppError> {
        let email = text::email_address(&input.email).ok_or_else(|| {
            AppError::invalid(format!("{:?} is not an e-mail address.", input.email))
        })?;
        let name = text::clean(&input.full_name);
        if name.split(' ').count() < 2 || name.chars().count() > 200 {
            return Err(AppError::invalid(
                "Give your surname and name (at most 200 letters).",
            ));
        }
        let iin = question_bank::iin::parse(&input.iin)
            .map_err(|e| AppError::invalid(format!("IIN: {e}.")))?;
        auth::check_password_policy(&input.password).map_err(AppError::invalid)?;
        let now = self.now();
        if self
            .store
            .auth_events_from(ip, "registered", now - 3_600_000)
            .await?
            >= MAX_REGISTRATIONS_PER_ADDRESS_HOUR
        {
            return Err(AppError::new(
                ErrorCode::Locked,
                "Too many accounts were created from this address in the last hour; try later.",
            ));
        }
        if self.store.user_by_email(&email).await?.is_some() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "An account with this e-mail exists: sign in instead.",
            ));
        }
        if self.store.iin_taken(&iin.digits).await? {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "An account with this IIN exists: sign in with it, or ask the programme staff.",
            ));
        }
        let hash = self.hashing.hash(input.password.clone()).await?;
        let user = crate::store::UserRow {
            id: uuid::Uuid::new_v4().to_string(),
            email: email.clone(),
            password_hash: hash,
            role: Role::Applicant.as_str().into(),
            full_name: name,
            created_at: now,
        };
        match self.store.insert_registered(&user, &iin.digits).await {
            Err(StoreError::Conflict) => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    "An account with this e-mail or IIN exists: sign in instead.",
                ));
            }
            r => r?,
        }
        self.store.log_auth(now, &email, ip, "registered").await?;
        tracing::info!(email = %email, "an applicant registered");
        self.login(&email, &input.password, ip).await
    }

    fn authenticate(&self, token: &str) -> Result<UserInfo, AppError> {
        let user = self.tokens.verify(token)?;
        let revoked = self
            .revoked
            .read()
            .map(|r| r.contains(&user.session))
            .unwrap_or(true);
        if revoked && !user.session.is_empty() {
            return Err(AppError::unauthenticated());
        }
        Ok(user)
    }

    async fn logout(&self, user: &UserInfo) -> Result<(), AppError> {
        if user.session.is_empty() {
            return Ok(());
        }
        let now = self.now();
        self.store
            .revoke_session(&user.session, now + self.tokens.ttl_ms(), now)
            .await?;
        if let Ok(mut r) = self.revoked.write() {
            r.insert(user.session.clone());
        }
        tracing::info!(user = %user.email, "signed out");
        Ok(())
    }

    async fn refresh(&self, token: &str) -> Result<LoginResponse, AppError> {
        // Signed out or not valid: refused like any other use of the token.
        self.authenticate(token)?;
        let (token, exp_s, user) = self.tokens.refresh(token, self.now() / 1000)?;
        let preferences = self.preferences_of(&user.id).await?;
        Ok(LoginResponse {
            token,
            expires_ms: exp_s * 1000,
            user,
            preferences,
        })
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
        if let Some(problem) = preferences.problem() {
            return Err(AppError::invalid(problem));
        }
        let json = serde_json::to_string(&preferences).map_err(internal)?;
        self.store.set_user_preferences(&user.id, &json).await?;
        Ok(preferences)
    }

    fn secure_cookies(&self) -> bool {
        self.settings.secure_cookies
    }

    async fn dashboard(&self, user: &UserInfo) -> Result<Dashboard, AppError> {
        let mut d = Dashboard {
            user: user.clone(),
            test: None,
            stages: vec![],
            overview: None,
        };
        if user.role == Role::Applicant {
            if let Some(bp_row) = self.store.active_blueprint().await? {
                let bp: Blueprint = serde_json::from_str(&bp_row.spec).map_err(internal)?;
                let attempt = self.store.attempt_for(&user.id, &bp.id).await?;
                let attempt = match attempt {
                    Some(a) => Some(self.expire_if_due(a).await?),
                    None => None,
                };
                d.test = Some(TestCard {
                    blueprint_id: bp.id.clone(),
                    blueprint_name: bp.name.clone(),
                    item_count: bp.item_count(),
                    time_limit_minutes: bp.time_limit_minutes,
                    pass_percent: bp.pass_percent,
                    languages: bp.offered_languages(),
                    seated_only: bp.seated_only,
                    sitting: match self.store.seat_for(&user.id, &bp.id).await? {
                        Some(seat) => {
                            self.store
                                .sitting(&seat.sitting_id)
                                .await?
                                .map(|s| SittingCard {
                                    id: s.id,
                                    name: s.name,
                                    opens_ms: s.opens_at,
                                    closes_ms: s.closes_at,
                                    requires_admission: s.requires_admission != 0,
                                    waiting: seat.checked_in_at.is_some()
                                        && seat.admitted_at.is_none(),
                                    admitted: seat.admitted_at.is_some(),
                                    camera: s.camera != 0,
                                    start_photo: false,
                                    refused: seat.refused_reason.clone(),
                                })
                        }
                        None => None,
                    },
                    attempt: attempt
                        .map(|a| {
                            Ok::<_, AppError>(AttemptSummary {
                                status: Self::status(&a)?,
                                id: a.id,
                                deadline_ms: a.deadline,
                            })
                        })
                        .transpose()?,
                });
            }
            if let Some(card) = d.test.as_mut()
                && let Some(s) = card.sitting.as_mut()
                && s.camera
            {
                s.start_photo = self.has_start_photo(&user.id, &s.id).await?;
            }
            // The newest application's stages, where the applicant has applied; else the
            // stage-one record of the test alone.
            let recorded: Vec<(i64, String, i64)> =
                match self.store.applications_of_user(&user.id).await?.first() {
                    Some(app) => self
                        .store
                        .outcomes(&app.id)
                        .await?
                        .into_iter()
                        .map(|o| (o.stage, o.status, o.recorded_at))
                        .collect(),
                    None => self
                        .store
                        .stages(&user.id)
                        .await?
                        .into_iter()
                        .map(|s| (s.stage, s.status, s.recorded_at))
                        .collect(),
                };
            d.stages = (1..=5u8)
                .map(|n| {
                    let r = recorded.iter().find(|s| s.0 == i64::from(n));
                    StageView {
                        stage: n,
                        status: r
                            .and_then(|r| StageStatus::parse(&r.1))
                            .unwrap_or(StageStatus::Pending),
                        updated_ms: r.map(|r| r.2),
                    }
                })
                .collect();
        } else {
            let lang = Language::Ru;
            let names = self.competency_names(lang).await?;
            let counts = self.store.attempt_counts().await?;
            d.overview = Some(Overview {
                items_by_competency: self
                    .store
                    .count_published_by_competency()
                    .await?
                    .into_iter()
                    .map(|(code, count)| CountRow {
                        label: names.get(&code).cloned().unwrap_or(code),
                        count,
                    })
                    .collect(),
                attempts_in_progress: counts.in_progress,
                attempts_submitted: counts.closed,
                attempts_passed: counts.passed,
            });
        }
        Ok(d)
    }

    #[tracing::instrument(name = "start attempt", skip(self, user), fields(user = %user.id))]
    async fn start_attempt(
        &self,
        user: &UserInfo,
        language: Option<&str>,
    ) -> Result<AttemptView, AppError> {
        Self::require(user, &[Role::Applicant])?;
        let lang = test_language(language)?;
        let bp_row = self
            .store
            .active_blueprint()
            .await?
            .ok_or_else(|| AppError::not_found("An open stage-one test"))?;
        let bp: Blueprint = serde_json::from_str(&bp_row.spec).map_err(internal)?;
        if let Some(existing) = self.store.attempt_for(&user.id, &bp.id).await? {
            let existing = self.expire_if_due(existing).await?;
            self.claim(user, &existing).await?;
            return self.view(&existing).await;
        }
        if !bp.offers(lang) {
            let offered: Vec<&str> = bp.offered_languages().iter().map(|l| l.code()).collect();
            return Err(AppError::invalid(format!(
                "This test is offered in {}, not {}.",
                offered.join(", "),
                lang.code()
            )));
        }
        // A seat in a sitting binds the start to its window and, where required, admission.
        let now = self.now();
        let seat = self.store.seat_for(&user.id, &bp.id).await?;
        let sitting = match &seat {
            Some(seat) => {
                let s = self
                    .store
                    .sitting(&seat.sitting_id)
                    .await?
                    .ok_or_else(AppError::internal)?;
                if now < s.opens_at {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        format!(
                            "Your sitting opens at {} UTC.",
                            text::chrono_free_utc(s.opens_at)
                        ),
                    ));
                }
                if now > s.closes_at {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "Your sitting's window to start has closed.",
                    ));
                }
                if let Some(reason) = &seat.refused_reason {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        format!(
                            "The proctor could not confirm your identity: {reason}. Speak to \
                             your proctor."
                        ),
                    ));
                }
                if s.camera != 0 && !self.has_start_photo(&user.id, &s.id).await? {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "Your sitting takes your picture before the start: allow the camera \
                         and take it on your page.",
                    ));
                }
                if s.requires_admission != 0 && seat.admitted_at.is_none() {
                    self.store.check_in(&s.id, &user.id, now).await?;
                    self.hub.publish(crate::live::Live::Touch {
                        sitting: s.id.clone(),
                        user: user.id.clone(),
                    });
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "Waiting for admission: a proctor checks your identity and admits you; \
                         the test then starts from here.",
                    ));
                }
                Some(s)
            }
            None if bp.seated_only => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    "This test is taken only in a sitting, and you have no seat in one: the \
                     programme staff assign you to a sitting and tell you its time. Until then \
                     the practice test and the system check are open to you.",
                ));
            }
            None => None,
        };
        self.begin_attempt(user, &bp, lang, sitting.map(|s| s.id))
            .await
    }

    async fn attempt(&self, user: &UserInfo, attempt_id: &str) -> Result<AttemptView, AppError> {
        let row = self.owned_attempt(user, attempt_id).await?;
        let row = self.expire_if_due(row).await?;
        self.claim(user, &row).await?;
        self.view(&row).await
    }

    async fn save_response(
        &self,
        user: &UserInfo,
        attempt_id: &str,
        item_id: &str,
        request: SaveRequest,
    ) -> Result<SaveAck, AppError> {
        let result: Result<SaveAck, AppError> = async {
            let row = self
                .store
                .attempt(attempt_id)
                .await?
                .ok_or_else(|| AppError::not_found("The attempt"))?;
            if row.user_id != user.id {
                return Err(AppError::forbidden());
            }
            if row.status != AttemptStatus::InProgress.as_str() {
                return Err(closed());
            }
            let now = self.now();
            if row.paused_at.is_some() {
                return Err(paused());
            }
            // A save after a silence can be the first thing the server hears when the
            // connection comes back (the outbox retries before the next heartbeat): the gap is
            // measured here too, before the deadline is checked, so what an outage covered is
            // credited first. Only when the heartbeat is stale is the newest save read; a save
            // and a heartbeat arriving together find the same gap, and it is recorded once.
            let row = match self.gap_on_save(row, now).await? {
                Some(row) => row,
                None => return Err(closed()),
            };
            if now > row.deadline + self.settings.grace_ms {
                self.close_and_score(&row.id, AttemptStatus::Expired)
                    .await?;
                return Err(closed());
            }
            if !(1..=(1i64 << 53)).contains(&request.seq) {
                return Err(AppError::invalid(
                    "seq must be a positive integer (at most 2^53).",
                ));
            }
            let form: Form = serde_json::from_str(&row.form).map_err(internal)?;
            let entry = ItemId::parse(item_id)
                .ok()
                .and_then(|id| form.entry(&id).map(|(_, e)| e.clone()))
                .ok_or_else(|| {
                    AppError::invalid(format!("Item {item_id:?} is not on this attempt's form."))
                })?;
            let answer = match (request.answer, request.choice) {
                (Some(a), _) => Some(a),
                (None, Some(c)) => Some(Answer::Choice(c)),
                (None, None) => None,
            };
            if let Some(a) = &answer {
                entry
                    .check(a)
                    .map_err(|e| AppError::invalid(format!("Item {item_id:?}: {e}.")))?;
            }
            if self.navigation_of(&row.blueprint_id).await? == question_bank::Navigation::Linear {
                let position = |id: &str| {
                    ItemId::parse(id)
                        .ok()
                        .and_then(|id| form.entry(&id).map(|(i, _)| i))
                };
                let here = position(item_id);
                let furthest = self
                    .store
                    .responses(attempt_id)
                    .await?
                    .iter()
                    .filter_map(|r| position(&r.item_id))
                    .max();
                if let (Some(here), Some(furthest)) = (here, furthest)
                    && here < furthest
                {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "This test goes forward only: a question left behind cannot be changed.",
                    ));
                }
            }
            let outcome = self
                .store
                .save_response(SaveCmd {
                    attempt_id: attempt_id.into(),
                    item_id: item_id.into(),
                    choice: match &answer {
                        Some(Answer::Choice(c)) => Some(i64::from(*c)),
                        _ => None,
                    },
                    answer: answer
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()
                        .map_err(internal)?,
                    seq: request.seq,
                    now,
                    device: user.session.clone(),
                })
                .await?;
            if outcome == SaveOutcome::Applied
                && let Some(s) = &row.sitting_id
            {
                self.hub.publish(crate::live::Live::Touch {
                    sitting: s.clone(),
                    user: row.user_id.clone(),
                });
            }
            match outcome {
                SaveOutcome::Applied | SaveOutcome::Stale => Ok(SaveAck {
                    item_id: item_id.to_string(),
                    seq: request.seq,
                    applied: outcome == SaveOutcome::Applied,
                    saved_ms: now,
                }),
                SaveOutcome::Closed => Err(closed()),
                SaveOutcome::Superseded => Err(superseded()),
                SaveOutcome::Paused => Err(paused()),
            }
        }
        .await;
        let counter = match &result {
            Ok(ack) if ack.applied => &self.metrics.saves_applied,
            _ => &self.metrics.saves_refused,
        };
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        result
    }

    #[tracing::instrument(name = "submit attempt", skip(self, user), fields(user = %user.id))]
    async fn submit(&self, user: &UserInfo, attempt_id: &str) -> Result<ResultView, AppError> {
        let row = self.owned_attempt(user, attempt_id).await?;
        if row.user_id != user.id {
            return Err(AppError::forbidden());
        }
        if row.status == AttemptStatus::InProgress.as_str() {
            if row
                .device
                .as_deref()
                .is_some_and(|d| d != user.session.as_str())
            {
                return Err(superseded());
            }
            let status = if self.now() > row.deadline + self.settings.grace_ms {
                AttemptStatus::Expired
            } else {
                AttemptStatus::Submitted
            };
            self.close_and_score(&row.id, status).await?;
        }
        let row = self
            .store
            .attempt(attempt_id)
            .await?
            .ok_or_else(|| AppError::not_found("The attempt"))?;
        self.result_view(&row).await
    }

    async fn result(&self, user: &UserInfo, attempt_id: &str) -> Result<ResultView, AppError> {
        let row = self.owned_attempt(user, attempt_id).await?;
        let row = self.expire_if_due(row).await?;
        if row.status == AttemptStatus::InProgress.as_str() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "The attempt is still in progress: submit it first.",
            ));
        }
        self.result_view(&row).await
    }

    async fn events(
        &self,
        user: &UserInfo,
        attempt_id: &str,
    ) -> Result<Vec<AttemptEvent>, AppError> {
        Self::require(user, &[Role::Proctor, Role::Admin])?;
        let row = self
            .store
            .attempt(attempt_id)
            .await?
            .ok_or_else(|| AppError::not_found("The attempt"))?;
        if let Some(s) = &row.sitting_id {
            self.watched_sitting(user, s).await?;
        }
        Ok(self
            .store
            .events(attempt_id)
            .await?
            .iter()
            .map(event_view)
            .collect())
    }

    async fn bank_list(&self, user: &UserInfo, filter: &BankFilter) -> Result<BankPage, AppError> {
        Services::bank_list(self, user, filter).await
    }

    async fn bank_item(&self, user: &UserInfo, item_id: &str) -> Result<ItemDoc, AppError> {
        Services::bank_item(self, user, item_id).await
    }

    async fn bank_save(
        &self,
        user: &UserInfo,
        input: ItemInput,
        create: bool,
    ) -> Result<ItemDoc, AppError> {
        if create {
            self.bank_create(user, input).await
        } else {
            let id = input.item.id.to_string();
            self.bank_update(user, &id, input).await
        }
    }

    async fn bank_act(
        &self,
        user: &UserInfo,
        item_id: &str,
        action: &str,
        review: Option<ReviewInput>,
    ) -> Result<ItemDoc, AppError> {
        match (action, review) {
            ("submit", _) => self.bank_submit(user, item_id).await,
            ("retire", _) => self.bank_retire(user, item_id).await,
            ("review", Some(r)) => self.bank_review(user, item_id, r).await,
            _ => Err(AppError::invalid("Unknown action.")),
        }
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
