//! Certificates (issue, public check, PDF, revocation), appointments and the reserve.

use super::*;

impl Services {
    /// Issues the certificate of a candidate who passed all five stages (once).
    pub(super) async fn issue_certificate(&self, app: &ApplicationRow) -> Result<(), AppError> {
        if self.store().certificate_of(&app.id).await?.is_some() {
            return Ok(());
        }
        let outcomes = self.store().outcomes(&app.id).await?;
        if (1..=5).any(|s| {
            !outcomes
                .iter()
                .any(|o| o.stage == s && o.status == "passed")
        }) {
            return Ok(());
        }
        let campaign = self.campaign_row(&app.campaign_id).await?;
        let settings = Self::campaign_settings(&campaign);
        let now = self.now();
        for _ in 0..5 {
            let number = certificate_number(
                i32::try_from(campaign.year).unwrap_or(2026),
                rand::rng().random(),
            );
            let row = CertificateRow {
                number,
                application_id: app.id.clone(),
                full_name: app.full_name.clone(),
                category: CATEGORY_RU.into(),
                region: app.region.clone(),
                issued_at: now,
                valid_until: now + i64::from(settings.validity_years) * 365 * DAY_MS,
                revoked_at: None,
                revoked_by: None,
                revoked_reason: None,
                revoked_note: None,
            };
            match self.store().insert_certificate(&row).await {
                Ok(()) => return Ok(()),
                Err(StoreError::Conflict) => {
                    if self.store().certificate_of(&app.id).await?.is_some() {
                        return Ok(());
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(internal("no free certificate number after five tries"))
    }

    /// What anyone may learn of a certificate by its number.
    pub async fn verify_certificate(&self, number: &str) -> Result<CertificateCheck, AppError> {
        let number = parse_certificate_number(number).ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                "This is not a certificate number (LM-YYYY-XXXX-XXXX): check it was typed right.",
            )
        })?;
        let c =
            self.store().certificate(&number).await?.ok_or_else(|| {
                AppError::new(ErrorCode::NotFound, "No certificate has this number.")
            })?;
        let state = if c.revoked_at.is_some() {
            "revoked"
        } else if self.now() > c.valid_until {
            "expired"
        } else {
            "valid"
        };
        Ok(CertificateCheck {
            number: c.number,
            full_name: c.full_name,
            category: c.category,
            issued_ms: c.issued_at,
            valid_until_ms: c.valid_until,
            state: state.into(),
            revoked_ms: c.revoked_at,
        })
    }

    /// A certificate by its number as typed (any case, spaces around), or not found.
    pub(super) async fn certificate_by_number(
        &self,
        number: &str,
    ) -> Result<CertificateRow, AppError> {
        let number = parse_certificate_number(number)
            .ok_or_else(|| AppError::not_found("The certificate"))?;
        self.store()
            .certificate(&number)
            .await?
            .ok_or_else(|| AppError::not_found("The certificate"))
    }

    /// The certificate as PDF: its holder and staff.
    pub async fn certificate_pdf(
        &self,
        user: &UserInfo,
        number: &str,
        verify_base: &str,
    ) -> Result<Vec<u8>, AppError> {
        let c = self.certificate_by_number(number).await?;
        self.visible_application(user, &c.application_id).await?;
        if c.revoked_at.is_some() {
            return Err(conflict(
                "This certificate has been revoked: it is no longer issued as a document.",
            ));
        }
        let url = format!("{}/verify/{}", verify_base.trim_end_matches('/'), c.number);
        crate::certificate::pdf(&c, &url).map_err(internal)
    }

    /// Revokes a certificate (administrators): a reason from [`REVOCATION_REASONS`], a note
    /// (required with `other`, at most 1,000 characters). Once: a second revocation is a
    /// conflict. The holder leaves the reserve, reads the reason in their language, and the
    /// public check says revoked from that day.
    pub async fn revoke_certificate(
        &self,
        user: &UserInfo,
        number: &str,
        input: RevocationInput,
    ) -> Result<ApplicationView, AppError> {
        require_admin(user)?;
        let c = self.certificate_by_number(number).await?;
        if !REVOCATION_REASONS.contains(&input.reason.as_str()) {
            return Err(AppError::invalid(format!(
                "The reason is one of {}.",
                REVOCATION_REASONS.join(", ")
            )));
        }
        let note = clean(&input.note);
        if note.chars().count() > 1000 {
            return Err(AppError::invalid("The note is at most 1,000 characters."));
        }
        if input.reason == "other" && note.is_empty() {
            return Err(AppError::invalid(
                "With the reason \"other\", say in the note why the certificate is revoked.",
            ));
        }
        let app = self.visible_application(user, &c.application_id).await?;
        if !self
            .store()
            .revoke_certificate(&c.number, self.now(), &user.full_name, &input.reason, &note)
            .await?
        {
            return Err(conflict("This certificate has been revoked already."));
        }
        tracing::info!(certificate = %c.number, by = %user.email, reason = %input.reason, "certificate revoked");
        self.application_view(&app).await
    }

    /// Staff record that a reserve member was appointed director without competition.
    pub async fn appoint(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: AppointmentInput,
    ) -> Result<ApplicationView, AppError> {
        require_admin(user)?;
        let app = self.visible_application(user, application_id).await?;
        match self.store().certificate_of(&app.id).await? {
            Some(c) if c.revoked_at.is_none() => {}
            _ => {
                return Err(conflict(
                    "Only members of the reserve (with a certificate) are appointed this way.",
                ));
            }
        }
        let school = clean(&input.school);
        let position = clean(&input.position);
        if school.is_empty() || position.is_empty() || !valid_date(&input.date) {
            return Err(AppError::invalid(
                "Give the school, the position and the date (YYYY-MM-DD).",
            ));
        }
        let row = AppointmentRow {
            application_id: app.id.clone(),
            school,
            position,
            appointed_on: input.date.clone(),
            recorded_by: user.full_name.clone(),
            recorded_at: self.now(),
        };
        match self.store().insert_appointment(&row).await {
            Err(StoreError::Conflict) => {
                return Err(conflict("This appointment is recorded already."));
            }
            r => r?,
        }
        self.application_view(&app).await
    }

    /// The reserve (national, or a region's), with who is appointed and who is available.
    pub async fn reserve(
        &self,
        user: &UserInfo,
        campaign_id: Option<&str>,
        region: Option<&str>,
        available_only: bool,
    ) -> Result<Vec<ReserveEntry>, AppError> {
        require_admin(user)?;
        Ok(self
            .store()
            .reserve(
                campaign_id.filter(|c| !c.is_empty()),
                region.filter(|r| !r.is_empty()),
            )
            .await?
            .into_iter()
            .filter(|r| !available_only || r.appointed_on.is_none())
            .map(|r| ReserveEntry {
                application_id: r.application_id,
                campaign_id: r.campaign_id,
                full_name: r.full_name,
                region: r.region,
                district: r.district,
                school: r.school,
                certificate: r.number,
                issued_ms: r.issued_at,
                valid_until_ms: r.valid_until,
                appointed_school: r.appointed_school,
                appointed_position: r.appointed_position,
                appointed_on: r.appointed_on,
            })
            .collect())
    }
}
