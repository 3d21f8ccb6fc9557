//! Applications: the form and its checks, the applicant's own, the staff list, CSV imports.

use super::*;

/// The canonical name of a region, matched without regard to case.
pub fn region_name(s: &str) -> Option<&'static str> {
    let s = clean(s).to_lowercase();
    REGIONS.iter().copied().find(|r| r.to_lowercase() == s)
}

/// Checks an application and returns it cleaned up.
pub fn check_application(
    input: &ApplicationInput,
    campaign_year: i64,
) -> Result<ApplicationInput, String> {
    let iin = question_bank::iin::parse(&input.iin).map_err(|e| format!("IIN: {e}"))?;
    if i64::from(iin.birth_year) > campaign_year - 18 {
        return Err(format!(
            "IIN: the birth year {} makes the applicant younger than 18",
            iin.birth_year
        ));
    }
    let full_name = clean(&input.full_name);
    if full_name.split(' ').count() < 2 || full_name.chars().count() > 200 {
        return Err("full name: give the surname and the name (at most 200 letters)".into());
    }
    let region = region_name(&input.region).ok_or_else(|| {
        format!(
            "region: {:?} is not a region of Kazakhstan (one of: {})",
            input.region,
            REGIONS.join(", ")
        )
    })?;
    let text = |name: &str, value: &str| -> Result<String, String> {
        let v = clean(value);
        if v.is_empty() || v.chars().count() > 200 {
            Err(format!("{name}: required, at most 200 letters"))
        } else {
            Ok(v)
        }
    };
    let district = text("district", &input.district)?;
    let school = text("school", &input.school)?;
    let position = text("current position", &input.position)?;
    if input.teaching_years > 60 || input.management_years > 60 {
        return Err("experience: years must be between 0 and 60".into());
    }
    let email = email_address(&input.email)
        .ok_or_else(|| format!("e-mail: {:?} is not an address", input.email))?;
    let phone = clean(&input.phone);
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !(10..=15).contains(&digits)
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || "+-() ".contains(c))
    {
        return Err(format!("phone: {:?} is not a phone number", input.phone));
    }
    Ok(ApplicationInput {
        campaign_id: input.campaign_id.clone(),
        iin: iin.digits,
        full_name,
        region: region.into(),
        district,
        school,
        position,
        teaching_years: input.teaching_years,
        management_years: input.management_years,
        email,
        phone,
    })
}

/// The stored row of a checked application.
pub(super) fn application_row(
    a: ApplicationInput,
    campaign_id: &str,
    user_id: Option<String>,
    source: &str,
    now: i64,
) -> ApplicationRow {
    ApplicationRow {
        id: uuid::Uuid::new_v4().to_string(),
        campaign_id: campaign_id.into(),
        user_id,
        search: format!("{} {} {} {}", a.full_name, a.iin, a.school, a.email).to_lowercase(),
        iin: a.iin,
        full_name: a.full_name,
        region: a.region,
        district: a.district,
        school: a.school,
        position: a.position,
        teaching_years: i64::from(a.teaching_years),
        management_years: i64::from(a.management_years),
        email: a.email,
        phone: a.phone,
        source: source.into(),
        created_at: now,
    }
}

pub(super) fn parse_years(s: &str, what: &str) -> Result<u32, String> {
    s.trim()
        .parse::<u32>()
        .map_err(|_| format!("{what}: {s:?} is not a whole number of years"))
}

impl Services {
    /// An applicant applies to an open campaign with their account's IIN (or claims the
    /// application staff imported for that IIN).
    pub async fn apply(
        &self,
        user: &UserInfo,
        input: ApplicationInput,
    ) -> Result<ApplicationView, AppError> {
        if user.role != Role::Applicant {
            return Err(AppError::forbidden());
        }
        let campaign = self.campaign_row(&input.campaign_id).await?;
        if campaign.open == 0 {
            return Err(conflict("This campaign does not take applications now."));
        }
        let a = check_application(&input, campaign.year).map_err(AppError::invalid)?;
        let mine = self.store().applications_of_user(&user.id).await?;
        if let Some(m) = mine.iter().find(|m| m.campaign_id == campaign.id) {
            return Err(conflict(format!(
                "You have applied to this campaign already (IIN {}).",
                m.iin
            )));
        }
        // One person, one identity: the application's IIN is the account's. An account made
        // by staff without one gets it here, once; afterwards only staff change it.
        match self.store().user_iin(&user.id).await? {
            Some(own) if own != a.iin => {
                return Err(AppError::invalid(format!(
                    "The IIN must be your account's ({}). If your account's IIN is wrong, ask \
                     the programme staff to correct it.",
                    question_bank::iin::masked(&own)
                )));
            }
            Some(_) => {}
            None => match self
                .store()
                .set_user_iin(
                    &user.id,
                    &a.iin,
                    self.now(),
                    &user.email,
                    "",
                    "iin_set",
                    &serde_json::json!({ "by": "the account holder, applying" }).to_string(),
                )
                .await
            {
                Err(StoreError::Conflict) => {
                    return Err(conflict(
                        "This IIN belongs to another account. If it is yours, ask the programme \
                         staff.",
                    ));
                }
                // Given by a parallel request a moment ago: this one must carry the same IIN.
                Ok(false) => {
                    if self.store().user_iin(&user.id).await?.as_deref() != Some(a.iin.as_str()) {
                        return Err(AppError::invalid(
                            "The IIN must be your account's. If it is wrong, ask the programme \
                             staff to correct it.",
                        ));
                    }
                }
                r => {
                    r?;
                }
            },
        }

        if let Some(existing) = self
            .store()
            .application_by_iin(&campaign.id, &a.iin)
            .await?
        {
            // Staff imported it for this IIN, which is this account's: it is theirs.
            if existing.user_id.is_none()
                && self
                    .store()
                    .claim_application(&existing.id, &user.id)
                    .await?
            {
                let claimed = self
                    .store()
                    .application(&existing.id)
                    .await?
                    .ok_or_else(|| internal("a claimed application vanished"))?;
                return self.application_view(&claimed).await;
            }
            return Err(conflict(
                "An application with this IIN exists in this campaign. If it is yours, ask the \
                 programme staff.",
            ));
        }
        let row = application_row(a, &campaign.id, Some(user.id.clone()), "self", self.now());
        match self
            .store()
            .insert_applications(std::slice::from_ref(&row))
            .await
        {
            Err(StoreError::Conflict) => {
                return Err(conflict(
                    "An application with this IIN exists in this campaign.",
                ));
            }
            r => r?,
        }
        self.application_view(&row).await
    }

    pub async fn my_applications(&self, user: &UserInfo) -> Result<Vec<ApplicationView>, AppError> {
        let mut out = Vec::new();
        for a in self.store().applications_of_user(&user.id).await? {
            out.push(self.application_view(&a).await?);
        }
        Ok(out)
    }

    pub async fn application_get(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<ApplicationView, AppError> {
        let app = self.visible_application(user, id).await?;
        self.application_view(&app).await
    }

    pub async fn application_list(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        filter: ApplicationFilter,
    ) -> Result<ApplicationPage, AppError> {
        let ApplicationFilter {
            region,
            stage,
            status,
            q,
            page,
            per_page,
        } = filter;
        let (page, per_page) = (page.unwrap_or(0), per_page.unwrap_or(50));
        require_admin(user)?;
        self.campaign_row(campaign_id).await?;
        if let Some(s) = &status
            && StageStatus::parse(s).is_none()
        {
            return Err(AppError::invalid(format!("{s:?} is not a stage status.")));
        }
        let per_page = per_page.clamp(1, 500);
        let query = ApplicationQuery {
            campaign_id: campaign_id.into(),
            region: region.filter(|r| !r.is_empty()),
            stage: stage.filter(|s| (1..=5).contains(s)),
            status: status.filter(|s| !s.is_empty()),
            words: q
                .unwrap_or_default()
                .to_lowercase()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            limit: per_page,
            offset: page.max(0) * per_page,
        };
        let (rows, total) = self.store().application_page(&query).await?;
        Ok(ApplicationPage {
            rows: rows
                .iter()
                .map(|r| ApplicationSummary {
                    id: r.application.id.clone(),
                    iin: r.application.iin.clone(),
                    full_name: r.application.full_name.clone(),
                    region: r.application.region.clone(),
                    school: r.application.school.clone(),
                    stages: r
                        .statuses()
                        .iter()
                        .map(|s| s.and_then(StageStatus::parse))
                        .collect(),
                    certificate: r.certificate.clone(),
                    appointed: r.appointed != 0,
                })
                .collect(),
            total,
        })
    }

    /// Staff import applications from CSV: previewed line by line; committed all or none.
    pub async fn import_applications(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        input: CsvInput,
    ) -> Result<CsvReport, AppError> {
        require_admin(user)?;
        let campaign = self.campaign_row(campaign_id).await?;
        let records = csv_records(&input.csv)?;
        let mut lines = Vec::new();
        let mut rows = Vec::new();
        let mut seen: HashMap<String, u32> = HashMap::new();
        let now = self.now();
        for (line, r) in &records {
            let raw = ApplicationInput {
                campaign_id: campaign.id.clone(),
                iin: field(r, "iin").into(),
                full_name: field(r, "full_name").into(),
                region: field(r, "region").into(),
                district: field(r, "district").into(),
                school: field(r, "school").into(),
                position: field(r, "position").into(),
                teaching_years: 0,
                management_years: 0,
                email: field(r, "email").into(),
                phone: field(r, "phone").into(),
            };
            let checked = async {
                let teaching = parse_years(field(r, "teaching_years"), "teaching years")?;
                let management = parse_years(field(r, "management_years"), "management years")?;
                let a = check_application(
                    &ApplicationInput {
                        teaching_years: teaching,
                        management_years: management,
                        ..raw.clone()
                    },
                    campaign.year,
                )?;
                if let Some(first) = seen.get(&a.iin) {
                    return Err(format!("IIN {} is also on line {first}", a.iin));
                }
                if self
                    .store()
                    .application_by_iin(&campaign.id, &a.iin)
                    .await
                    .map_err(|e| e.to_string())?
                    .is_some()
                {
                    return Err(format!(
                        "IIN {} has applied to this campaign already",
                        a.iin
                    ));
                }
                Ok(a)
            }
            .await;
            match checked {
                Ok(a) => {
                    seen.insert(a.iin.clone(), *line);
                    // Linked by IIN only: registering someone's e-mail address first must not
                    // capture their application.
                    let linked = self.store().applicant_by_iin(&a.iin).await?.map(|u| u.id);
                    lines.push(PreviewLine {
                        line: *line,
                        iin: a.iin.clone(),
                        full_name: a.full_name.clone(),
                        action: if linked.is_some() {
                            "add (linked to the account with this IIN)".into()
                        } else {
                            "add".into()
                        },
                        error: None,
                    });
                    rows.push(application_row(a, &campaign.id, linked, "import", now));
                }
                Err(message) => lines.push(PreviewLine {
                    line: *line,
                    iin: raw.iin.clone(),
                    full_name: raw.full_name.clone(),
                    action: "none".into(),
                    error: Some(message),
                }),
            }
        }
        let errors = lines.iter().filter(|l| l.error.is_some()).count();
        let mut committed = false;
        if input.commit && errors == 0 {
            match self.store().insert_applications(&rows).await {
                Err(StoreError::Conflict) => {
                    return Err(conflict(
                        "An IIN of this file applied meanwhile; nothing was imported. Preview again.",
                    ));
                }
                r => r?,
            }
            committed = true;
        }
        Ok(CsvReport {
            valid: u32::try_from(rows.len()).unwrap_or(u32::MAX),
            errors: u32::try_from(errors).unwrap_or(u32::MAX),
            lines,
            committed,
        })
    }
}
