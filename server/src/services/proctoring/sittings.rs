//! Sittings: create, list, open one, assign applicants and proctors.

use super::*;

/// Addresses from lines (or the first CSV column); a header `email` is skipped.
pub(super) fn emails(text: &str) -> Vec<(u32, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(n, l)| {
            let first = l.split([',', ';', '\t']).next().unwrap_or("").trim();
            let first = first.trim_matches('"').trim().to_lowercase();
            (!first.is_empty() && first != "email").then(|| (n as u32 + 1, first))
        })
        .collect()
}

impl Services {
    pub(in crate::services) fn require_staff(user: &UserInfo) -> Result<(), AppError> {
        if user.role == Role::Admin {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    pub async fn create_sitting(
        &self,
        user: &UserInfo,
        input: SittingInput,
    ) -> Result<SittingView, AppError> {
        Self::require_staff(user)?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::invalid(
                "The sitting needs a name (1-200 characters).",
            ));
        }
        if input.region.trim().is_empty() {
            return Err(AppError::invalid("The sitting needs a region."));
        }
        if !matches!(input.mode.as_str(), "online" | "venue") {
            return Err(AppError::invalid("mode must be online or venue."));
        }
        if input.mode == "venue" && input.venue.trim().is_empty() {
            return Err(AppError::invalid(
                "A sitting at a venue needs the venue's name.",
            ));
        }
        if input.closes_ms <= input.opens_ms {
            return Err(AppError::invalid("The window must close after it opens."));
        }
        if let Some(n) = input.snapshot_seconds
            && (!input.camera || !(30..=3600).contains(&n))
        {
            return Err(AppError::invalid(
                "Snapshots need the camera, every 30 to 3600 seconds.",
            ));
        }
        self.blueprint(&input.blueprint_id).await?;
        if let Some(c) = &input.campaign_id
            && self.store().campaign(c).await?.is_none()
        {
            return Err(AppError::invalid(format!("There is no campaign {c:?}.")));
        }
        let row = SittingRow {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.into(),
            blueprint_id: input.blueprint_id,
            region: input.region.trim().into(),
            mode: input.mode,
            venue: input.venue.trim().into(),
            opens_at: input.opens_ms,
            closes_at: input.closes_ms,
            requires_admission: i64::from(input.requires_admission),
            paused_at: None,
            created_by: user.full_name.clone(),
            created_at: self.now(),
            camera: i64::from(input.camera),
            snapshot_seconds: input.snapshot_seconds.map(i64::from),
        };
        self.store().insert_sitting(&row).await?;
        if let Some(c) = &input.campaign_id {
            self.store().set_sitting_campaign(&row.id, Some(c)).await?;
        }
        tracing::info!(sitting = %row.id, by = %user.email, "sitting scheduled");
        self.view_of(&row).await
    }

    pub async fn list_sittings(&self, user: &UserInfo) -> Result<Vec<SittingView>, AppError> {
        let rows = match user.role {
            Role::Admin => self.store().sittings(None).await?,
            Role::Proctor => self.store().sittings(Some(&user.id)).await?,
            _ => return Err(AppError::forbidden()),
        };
        let mut out = Vec::with_capacity(rows.len());
        for s in &rows {
            out.push(self.view_of(s).await?);
        }
        Ok(out)
    }

    pub async fn get_sitting(&self, user: &UserInfo, id: &str) -> Result<SittingView, AppError> {
        let s = self.watched_sitting(user, id).await?;
        self.view_of(&s).await
    }

    /// Adds proctors or applicants by e-mail: every line must name an account of that role,
    /// or nothing is added.
    pub async fn assign(
        &self,
        user: &UserInfo,
        id: &str,
        role: Role,
        input: AssignInput,
    ) -> Result<AssignReport, AppError> {
        Self::require_staff(user)?;
        let sitting = self
            .store()
            .sitting(id)
            .await?
            .ok_or_else(|| AppError::not_found("The sitting"))?;
        let lines = emails(&input.text);
        if lines.is_empty() {
            return Err(AppError::invalid("Give at least one e-mail address."));
        }
        if lines.len() > 20_000 {
            return Err(AppError::invalid("At most 20,000 lines at once."));
        }
        let present: HashSet<String> = match role {
            Role::Proctor => self
                .store()
                .sitting_proctors(id)
                .await?
                .into_iter()
                .map(|u| u.id)
                .collect(),
            _ => self
                .store()
                .sitting_applicant_ids(id)
                .await?
                .into_iter()
                .collect(),
        };
        let mut report = AssignReport {
            added: vec![],
            already: vec![],
            errors: vec![],
            moved: vec![],
        };
        // Seats given up by applicants moved here: (sitting, applicant).
        let mut vacated = Vec::new();
        let mut ids = Vec::new();
        let mut seen = HashSet::new();
        for (line, email) in lines {
            if !seen.insert(email.clone()) {
                continue;
            }
            match self.store().user_by_email(&email).await? {
                None => report.errors.push(LineError {
                    line,
                    message: format!("{email}: no such account"),
                }),
                Some(u) if u.role != role.as_str() => report.errors.push(LineError {
                    line,
                    message: format!("{email} is a {}, not a {}", u.role, role.as_str()),
                }),
                Some(u) if present.contains(&u.id) => report.already.push(email),
                Some(u) => {
                    // One seat per test: an applicant who has not started moves here from
                    // another sitting; one who has started stays where they are.
                    if role == Role::Applicant
                        && let Some(other) =
                            self.store().seat_for(&u.id, &sitting.blueprint_id).await?
                        && other.sitting_id != id
                    {
                        if self
                            .store()
                            .attempt_for(&u.id, &sitting.blueprint_id)
                            .await?
                            .is_some()
                        {
                            report.errors.push(LineError {
                                line,
                                message: format!(
                                    "{email} has started this test in another sitting"
                                ),
                            });
                            continue;
                        }
                        vacated.push((other.sitting_id, u.id.clone()));
                        report.moved.push(email.clone());
                    }
                    ids.push(u.id);
                    report.added.push(email);
                }
            }
        }
        if !report.errors.is_empty() {
            report.added.clear();
            report.moved.clear();
            return Ok(report);
        }
        self.store().remove_seats(&vacated).await?;
        match role {
            Role::Proctor => self.store().add_sitting_proctors(id, &ids).await?,
            _ => self.store().add_sitting_applicants(id, &ids).await?,
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_come_from_lines_or_the_first_column() {
        let got = emails("email,name\nA@x.kz, Ann\n\n\"b@x.kz\";B\n");
        assert_eq!(got, vec![(2, "a@x.kz".into()), (4, "b@x.kz".into())]);
    }
}
