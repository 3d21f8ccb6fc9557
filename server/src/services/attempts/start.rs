//! Starting an attempt: the form drawn for it, the practice test.

use super::*;

impl Services {
    /// Draws a fair form for one applicant, counting the exposure of forms given so far.
    pub(in crate::services) async fn draw_form(
        &self,
        bp: &Blueprint,
        lang: Language,
    ) -> Result<Form, AppError> {
        let pool = self.pool_in(Some(lang), false).await?;
        let now = self.now();
        let cached = self
            .exposure
            .lock()
            .ok()
            .and_then(|m| m.get(&bp.id).cloned())
            .filter(|e| now - e.loaded_ms < POOL_TTL_MS);
        let exposure = match cached {
            Some(e) => e,
            None => {
                let (counts, forms) = self.store.exposure(&bp.id).await?;
                Exposure {
                    loaded_ms: now,
                    counts: counts
                        .into_iter()
                        .map(|(id, n)| (id, u32::try_from(n).unwrap_or(u32::MAX)))
                        .collect(),
                    forms: u64::try_from(forms).unwrap_or(0),
                }
            }
        };
        let counts = pool
            .iter()
            .map(|p| exposure.counts.get(p.id.as_str()).copied().unwrap_or(0))
            .collect();
        let cannot = |e: question_bank::AssemblyError| {
            tracing::error!(error = %e, blueprint = %bp.id, "the bank cannot serve the blueprint");
            AppError::new(
                ErrorCode::Conflict,
                format!("The test cannot be started in this language: {e}."),
            )
        };
        let mut assembler = Assembler::new(bp, &pool)
            .map_err(cannot)?
            .with_exposure(counts, exposure.forms);
        let form = assembler.form(rand::random()).map_err(cannot)?;
        let off = (form.expected_percent - assembler.target_percent()).abs();
        if off > bp.tolerance_points / 2.0 + 0.05 {
            tracing::warn!(
                blueprint = %bp.id, expected = form.expected_percent,
                target = assembler.target_percent(),
                "the bank could not balance this form within the tolerance"
            );
        }
        if let Ok(mut m) = self.exposure.lock() {
            // A fresher load replaces the cached counts (keeping the stale entry made every
            // later start read the counts from the database again).
            let e = m
                .entry(bp.id.clone())
                .and_modify(|old| {
                    if old.loaded_ms < exposure.loaded_ms {
                        *old = exposure.clone();
                    }
                })
                .or_insert(exposure);
            for entry in &form.entries {
                *e.counts.entry(entry.item_id.to_string()).or_default() += 1;
            }
            e.forms += 1;
        }
        Ok(form)
    }

    /// Draws a form and opens the attempt (or returns the one a parallel request opened).
    pub(crate) async fn begin_attempt(
        &self,
        user: &UserInfo,
        bp: &Blueprint,
        lang: Language,
        sitting_id: Option<String>,
    ) -> Result<AttemptView, AppError> {
        let now = self.now();
        let form = self.draw_form(bp, lang).await?;
        let row = AttemptRow {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: user.id.clone(),
            blueprint_id: bp.id.clone(),
            status: AttemptStatus::InProgress.as_str().into(),
            language: lang.code().into(),
            form: serde_json::to_string(&form).map_err(internal)?,
            started_at: now,
            deadline: now + bp.time_limit_ms_for(&user.email, &user.id),
            closed_at: None,
            score: None,
            device: Some(user.session.clone()),
            sitting_id,
            paused_at: None,
            last_seen: None,
            last_ip: None,
            termination: None,
        };
        let form_items: Vec<(String, i64)> = form
            .entries
            .iter()
            .map(|e| (e.item_id.to_string(), i64::from(e.version)))
            .collect();
        let row = if self.store.insert_attempt(&row, &form_items).await? {
            tracing::info!(attempt = %row.id, items = form.entries.len(), "attempt started");
            let detail = serde_json::json!({ "device": user.session, "language": lang.code() });
            self.record(&row, "system", "started", detail, "").await?;
            if let Some(s) = &row.sitting_id {
                self.hub.publish(crate::live::Live::Touch {
                    sitting: s.clone(),
                    user: row.user_id.clone(),
                });
            }
            row
        } else {
            // Another request of the same applicant started it a moment ago.
            let row = self
                .store
                .attempt_for(&user.id, &bp.id)
                .await?
                .ok_or_else(AppError::internal)?;
            self.claim(user, &row).await?;
            row
        };
        self.view(&row).await
    }

    /// The practice test: any time, without a seat, never counted. A finished one is replaced
    /// by a new form; one in progress is resumed.
    pub async fn start_practice(
        &self,
        user: &UserInfo,
        language: Option<&str>,
    ) -> Result<AttemptView, AppError> {
        Self::require(user, &[Role::Applicant])?;
        let lang = test_language(language)?;
        let mut practice = None;
        for row in self.store.blueprints().await? {
            if let Ok(bp) = serde_json::from_str::<Blueprint>(&row.spec)
                && bp.practice
            {
                practice = Some(bp);
                break;
            }
        }
        let bp = practice.ok_or_else(|| AppError::not_found("A practice test"))?;
        if !bp.offers(lang) {
            return Err(AppError::invalid(format!(
                "The practice test is offered in {}, not {}.",
                bp.offered_languages()
                    .iter()
                    .map(|l| l.code())
                    .collect::<Vec<_>>()
                    .join(", "),
                lang.code()
            )));
        }
        if let Some(existing) = self.store.attempt_for(&user.id, &bp.id).await? {
            let existing = self.expire_if_due(existing).await?;
            if existing.status == AttemptStatus::InProgress.as_str() {
                self.claim(user, &existing).await?;
                return self.view(&existing).await;
            }
            self.store.delete_practice_attempt(&existing.id).await?;
        }
        self.begin_attempt(user, &bp, lang, None).await
    }
    #[tracing::instrument(name = "start attempt", skip(self, user), fields(user = %user.id))]
    pub(crate) async fn start_attempt(
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
}
