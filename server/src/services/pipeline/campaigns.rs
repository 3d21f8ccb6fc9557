//! Campaigns: their settings (rules per stage, rubric, appeal period, validity) and list.

use super::*;

impl Services {
    pub(super) fn campaign_view(row: &CampaignRow) -> CampaignView {
        let settings = Self::campaign_settings(row);
        let rule_texts = [1u8, 3, 4]
            .iter()
            .map(|s| match settings.rule(*s) {
                Some(r) => format!("Stage {s}: {}", r.describe()),
                None if *s == 1 => "Stage 1: the blueprint's pass mark".to_string(),
                None => format!("Stage {s}: {}", Rule::default().describe()),
            })
            .collect();
        CampaignView {
            id: row.id.clone(),
            name: row.name.clone(),
            year: i32::try_from(row.year).unwrap_or(0),
            round: u32::try_from(row.round).unwrap_or(1),
            blueprint_id: row.blueprint_id.clone(),
            open: row.open != 0,
            settings,
            rule_texts,
        }
    }

    /// Campaigns: all for staff; open ones for everyone else.
    pub async fn campaign_list(&self, user: &UserInfo) -> Result<Vec<CampaignView>, AppError> {
        let rows = self.store().campaigns().await?;
        Ok(rows
            .iter()
            .filter(|c| user.role == Role::Admin || c.open != 0)
            .map(Self::campaign_view)
            .collect())
    }

    pub async fn campaign_get(&self, user: &UserInfo, id: &str) -> Result<CampaignView, AppError> {
        let row = self.campaign_row(id).await?;
        if user.role != Role::Admin && row.open == 0 {
            return Err(AppError::not_found("The campaign"));
        }
        Ok(Self::campaign_view(&row))
    }

    /// Creates or updates a campaign (staff).
    pub async fn campaign_save(
        &self,
        user: &UserInfo,
        input: CampaignInput,
    ) -> Result<CampaignView, AppError> {
        require_admin(user)?;
        let id = input.id.trim();
        if id.is_empty()
            || id.len() > 40
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(AppError::invalid(
                "The campaign id is 1-40 letters, digits or dashes (e.g. 2026-1).",
            ));
        }
        let name = clean(&input.name);
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::invalid("The campaign needs a name."));
        }
        if !(2000..=2100).contains(&input.year) || input.round == 0 {
            return Err(AppError::invalid(
                "The year must be 2000-2100 and the round at least 1.",
            ));
        }
        if let Some(b) = &input.blueprint_id
            && self.store().blueprint(b).await?.is_none()
        {
            return Err(AppError::invalid(format!("There is no blueprint {b:?}.")));
        }
        for r in &input.settings.rules {
            if !matches!(r.stage, 1 | 3 | 4) {
                return Err(AppError::invalid(format!(
                    "Stage {} has no score to cut: rules are for stages 1, 3 and 4 (stage 2 passes \
                     with all three levels, stage 5 by the commission's decision).",
                    r.stage
                )));
            }
            r.rule
                .validate()
                .map_err(|e| AppError::invalid(format!("Stage {}: {e}.", r.stage)))?;
        }
        input
            .settings
            .rubric
            .validate()
            .map_err(|e| AppError::invalid(format!("Rubric: {e}.")))?;
        if input.settings.appeal_days > 60 || input.settings.validity_years == 0 {
            return Err(AppError::invalid(
                "Appeals may be filed for at most 60 days; certificates are valid for at least a year.",
            ));
        }
        let now = self.now();
        let existing = self.store().campaign(id).await?;
        let row = CampaignRow {
            id: id.to_string(),
            name,
            year: i64::from(input.year),
            round: i64::from(input.round),
            blueprint_id: input.blueprint_id.clone(),
            open: i64::from(input.open),
            settings: serde_json::to_string(&input.settings).map_err(internal)?,
            created_by: existing
                .as_ref()
                .map_or_else(|| user.full_name.clone(), |e| e.created_by.clone()),
            created_at: existing.as_ref().map_or(now, |e| e.created_at),
        };
        if existing.is_some() {
            self.store().update_campaign(&row).await?;
        } else {
            match self.store().insert_campaign(&row).await {
                Err(StoreError::Conflict) => {
                    return Err(conflict("A campaign with this id was just created."));
                }
                r => r?,
            }
        }
        Ok(Self::campaign_view(&row))
    }
}
