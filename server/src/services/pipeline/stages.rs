//! Stage results: staff entry, CSV uploads, selection by a rule, and stage one from the test.

use super::*;

pub(super) fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "да" | "иә" => Some(true),
        "no" | "n" | "false" | "0" | "нет" | "жоқ" => Some(false),
        _ => None,
    }
}

impl Services {
    /// Works out what a staff entry does to the current outcome (pure, for single entries
    /// and CSV lines alike).
    pub(super) fn entry_for(
        settings: &CampaignSettings,
        stage: u8,
        current: Option<&OutcomeRow>,
        input: &StageInput,
    ) -> Result<Entry, String> {
        match (stage, input) {
            (
                2,
                StageInput::Training {
                    level,
                    completed,
                    from,
                    to,
                },
            ) => {
                if !(1..=3).contains(level) {
                    return Err(format!("training has levels 1-3, not {level}"));
                }
                if !valid_date(from) || !valid_date(to) || to < from {
                    return Err(
                        "training dates: give from and to as YYYY-MM-DD, to not before from".into(),
                    );
                }
                let mut detail = current
                    .and_then(|o| serde_json::from_str::<serde_json::Value>(&o.detail).ok())
                    .filter(serde_json::Value::is_object)
                    .unwrap_or_else(|| serde_json::json!({}));
                let mut levels: Vec<serde_json::Value> = detail
                    .get("levels")
                    .and_then(|l| l.as_array().cloned())
                    .unwrap_or_default();
                levels.retain(|l| {
                    l.get("level").and_then(serde_json::Value::as_u64) != Some(u64::from(*level))
                });
                levels.push(serde_json::json!({"level": level, "completed": completed, "from": from, "to": to}));
                levels.sort_by_key(|l| l.get("level").and_then(serde_json::Value::as_u64));
                let done = levels
                    .iter()
                    .filter(|l| {
                        l.get("completed").and_then(serde_json::Value::as_bool) == Some(true)
                    })
                    .count();
                let failed = levels.iter().any(|l| {
                    l.get("completed").and_then(serde_json::Value::as_bool) == Some(false)
                });
                detail["levels"] = serde_json::Value::Array(levels);
                let status = if failed {
                    StageStatus::Failed
                } else if done == 3 {
                    StageStatus::Passed
                } else {
                    StageStatus::Pending
                };
                Ok(Entry {
                    status,
                    score: None,
                    detail,
                    reason: format!(
                        "training level {level} {}",
                        if *completed {
                            "completed"
                        } else {
                            "not completed"
                        }
                    ),
                })
            }
            (
                3,
                StageInput::Internship {
                    host_school,
                    mentor,
                    from,
                    to,
                    score,
                    comment,
                },
            ) => {
                if clean(host_school).is_empty() || clean(mentor).is_empty() {
                    return Err("internship: the host school and the mentor are required".into());
                }
                if !valid_date(from) || !valid_date(to) || to < from {
                    return Err(
                        "internship dates: give from and to as YYYY-MM-DD, to not before from"
                            .into(),
                    );
                }
                if !(0.0..=100.0).contains(score) {
                    return Err(format!(
                        "internship: the mentor's score is 0-100, not {score}"
                    ));
                }
                let rule = Self::stage_rule(settings, 3);
                Ok(Entry {
                    status: Self::decide(&rule, *score),
                    score: Some(*score),
                    detail: serde_json::json!({
                        "host_school": clean(host_school), "mentor": clean(mentor),
                        "from": from, "to": to, "comment": comment.trim(),
                    }),
                    reason: format!("internship evaluated ({})", rule.describe()),
                })
            }
            (
                _,
                StageInput::Status {
                    status,
                    score,
                    reason,
                },
            ) => {
                if *status == StageStatus::Pending {
                    return Err("record passed, failed or withdrawn".into());
                }
                if reason.trim().is_empty() {
                    return Err("a decision recorded directly needs a reason".into());
                }
                if let Some(s) = score
                    && !(0.0..=100.0).contains(s)
                {
                    return Err(format!("the score is 0-100, not {s}"));
                }
                let detail = current
                    .and_then(|o| serde_json::from_str(&o.detail).ok())
                    .unwrap_or_else(|| serde_json::json!({}));
                Ok(Entry {
                    status: *status,
                    score: score.or_else(|| current.and_then(|o| o.score)),
                    detail,
                    reason: reason.trim().to_string(),
                })
            }
            (2, _) => Err("stage 2 takes training levels (or a status)".into()),
            (3, _) => Err("stage 3 takes the internship (or a status)".into()),
            (4, _) => Err("stage 4 is scored by the experts' marks (or a status)".into()),
            (5, _) => Err("stage 5 is decided by the commission (or a status)".into()),
            _ => Err("stage 1 is set by the test (or a status)".into()),
        }
    }

    /// Staff record one stage result for one candidate.
    pub async fn record_stage(
        &self,
        user: &UserInfo,
        application_id: &str,
        stage: u8,
        input: StageInput,
    ) -> Result<ApplicationView, AppError> {
        require_admin(user)?;
        parse_stage(stage)?;
        let app = self.visible_application(user, application_id).await?;
        let campaign = self.campaign_row(&app.campaign_id).await?;
        let settings = Self::campaign_settings(&campaign);
        let outcomes = self.store().outcomes(&app.id).await?;
        if let Some(refusal) = Self::entry_refusal(&outcomes, stage) {
            return Err(conflict(refusal));
        }
        let current = outcomes.iter().find(|o| o.stage == i64::from(stage));
        let e = Self::entry_for(&settings, stage, current, &input).map_err(AppError::invalid)?;
        self.write_stage(&app, stage, e, &user.full_name).await?;
        self.application_view(&app).await
    }

    /// Staff upload a stage's results as CSV: previewed line by line; committed all or none.
    /// Columns: `iin` and, for stage 2, `level,completed,from,to`; for stage 3,
    /// `host_school,mentor,from,to,score,comment`; for any stage, `status,reason[,score]`.
    pub async fn import_stage(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        stage: u8,
        input: CsvInput,
    ) -> Result<CsvReport, AppError> {
        require_admin(user)?;
        parse_stage(stage)?;
        let campaign = self.campaign_row(campaign_id).await?;
        let settings = Self::campaign_settings(&campaign);
        let records = csv_records(&input.csv)?;
        let by_status = records
            .first()
            .is_some_and(|(_, r)| r.contains_key("status"));
        let mut working: HashMap<String, (ApplicationRow, Vec<OutcomeRow>)> = HashMap::new();
        let mut lines = Vec::new();
        let mut writes: Vec<(ApplicationRow, Entry)> = Vec::new();
        for (line, r) in &records {
            let iin = field(r, "iin").to_string();
            let result: Result<(String, Entry), String> = async {
                let Some(app) = self
                    .store()
                    .application_by_iin(&campaign.id, &iin)
                    .await
                    .map_err(|e| e.to_string())?
                else {
                    return Err(format!("no application with IIN {iin:?} in this campaign"));
                };
                if !working.contains_key(&app.id) {
                    let outcomes = self
                        .store()
                        .outcomes(&app.id)
                        .await
                        .map_err(|e| e.to_string())?;
                    working.insert(app.id.clone(), (app.clone(), outcomes));
                }
                let (_, outcomes) = &working[&app.id];
                if let Some(refusal) = Self::entry_refusal(outcomes, stage) {
                    return Err(refusal);
                }
                let stage_input = if by_status {
                    let status = StageStatus::parse(&field(r, "status").to_lowercase())
                        .ok_or_else(|| {
                            format!(
                                "status: {:?} is not passed, failed or withdrawn",
                                field(r, "status")
                            )
                        })?;
                    let score = match field(r, "score") {
                        "" => None,
                        s => Some(
                            s.replace(',', ".")
                                .parse::<f64>()
                                .map_err(|_| format!("score: {s:?} is not a number"))?,
                        ),
                    };
                    StageInput::Status {
                        status,
                        score,
                        reason: field(r, "reason").into(),
                    }
                } else if stage == 2 {
                    StageInput::Training {
                        level: field(r, "level")
                            .parse()
                            .map_err(|_| format!("level: {:?} is not 1-3", field(r, "level")))?,
                        completed: parse_bool(field(r, "completed")).ok_or_else(|| {
                            format!("completed: {:?} is not yes or no", field(r, "completed"))
                        })?,
                        from: field(r, "from").into(),
                        to: field(r, "to").into(),
                    }
                } else if stage == 3 {
                    StageInput::Internship {
                        host_school: field(r, "host_school").into(),
                        mentor: field(r, "mentor").into(),
                        from: field(r, "from").into(),
                        to: field(r, "to").into(),
                        score: field(r, "score").replace(',', ".").parse().map_err(|_| {
                            format!("score: {:?} is not a number", field(r, "score"))
                        })?,
                        comment: field(r, "comment").into(),
                    }
                } else {
                    return Err(format!(
                        "stage {stage} is uploaded with the columns iin,status,reason"
                    ));
                };
                let current = outcomes.iter().find(|o| o.stage == i64::from(stage));
                let e = Self::entry_for(&settings, stage, current, &stage_input)?;
                Ok((app.id.clone(), e))
            }
            .await;
            match result {
                Ok((app_id, e)) => {
                    let Some((app, outcomes)) = working.get_mut(&app_id) else {
                        return Err(internal("a previewed application vanished"));
                    };
                    lines.push(PreviewLine {
                        line: *line,
                        iin: iin.clone(),
                        full_name: app.full_name.clone(),
                        action: format!("{} -> {}", e.reason, e.status.as_str()),
                        error: None,
                    });
                    // Later lines for the same candidate build on this one.
                    let row = OutcomeRow {
                        application_id: app.id.clone(),
                        stage: i64::from(stage),
                        status: e.status.as_str().into(),
                        score: e.score,
                        detail: e.detail.to_string(),
                        recorded_by: user.full_name.clone(),
                        recorded_at: self.now(),
                    };
                    outcomes.retain(|o| o.stage != i64::from(stage));
                    outcomes.push(row);
                    writes.push((app.clone(), e));
                }
                Err(message) => lines.push(PreviewLine {
                    line: *line,
                    iin,
                    full_name: String::new(),
                    action: "none".into(),
                    error: Some(message),
                }),
            }
        }
        let errors = lines.iter().filter(|l| l.error.is_some()).count();
        let mut committed = false;
        if input.commit && errors == 0 {
            let now = self.now();
            let batch: Vec<OutcomeWrite> = writes
                .iter()
                .map(|(app, e)| OutcomeWrite {
                    outcome: OutcomeRow {
                        application_id: app.id.clone(),
                        stage: i64::from(stage),
                        status: e.status.as_str().into(),
                        score: e.score,
                        detail: e.detail.to_string(),
                        recorded_by: user.full_name.clone(),
                        recorded_at: now,
                    },
                    reason: format!("CSV upload: {}", e.reason),
                })
                .collect();
            self.store().write_outcomes(&batch).await?;
            if stage == 5 {
                for (app, e) in &writes {
                    if e.status == StageStatus::Passed {
                        self.issue_certificate(app).await?;
                    }
                }
            }
            committed = true;
        }
        Ok(CsvReport {
            valid: u32::try_from(writes.len()).unwrap_or(u32::MAX),
            errors: u32::try_from(errors).unwrap_or(u32::MAX),
            lines,
            committed,
        })
    }

    /// Applies a rule to the whole field of a scored stage: previewed, or committed (every
    /// changed outcome logged, the rule and its cut lines recorded).
    pub async fn select_stage(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        stage: u8,
        input: SelectInput,
    ) -> Result<SelectionView, AppError> {
        require_admin(user)?;
        if !parse_stage(stage)?.is_scored() {
            return Err(AppError::invalid(
                "Only the scored stages (1, 3, 4) are cut by a rule.",
            ));
        }
        input
            .rule
            .validate()
            .map_err(|e| AppError::invalid(format!("{e}.")))?;
        let campaign = self.campaign_row(campaign_id).await?;
        let field = self
            .store()
            .stage_field(&campaign.id, i64::from(stage))
            .await?;
        let contenders: Vec<Contender> = field
            .iter()
            .filter(|f| f.status != "withdrawn")
            .filter_map(|f| {
                Some(Contender {
                    id: f.application_id.clone(),
                    region: f.region.clone(),
                    score: f.score?,
                    management_years: u32::try_from(f.management_years).unwrap_or(0),
                    teaching_years: u32::try_from(f.teaching_years).unwrap_or(0),
                    applied_at: f.created_at,
                })
            })
            .collect();
        if contenders.is_empty() {
            return Err(conflict(format!(
                "Nobody has a score in stage {stage} of this campaign yet."
            )));
        }
        let selection = selection::select(&input.rule, &contenders);
        let rule_text = input.rule.describe();
        let now = self.now();
        let mut writes = Vec::new();
        let by_id: HashMap<&str, &FieldRow> = field
            .iter()
            .map(|f| (f.application_id.as_str(), f))
            .collect();
        for (ids, status) in [
            (&selection.passed, StageStatus::Passed),
            (&selection.failed, StageStatus::Failed),
        ] {
            for id in ids {
                let Some(f) = by_id.get(id.as_str()) else {
                    continue;
                };
                if f.status == status.as_str() {
                    continue;
                }
                writes.push(OutcomeWrite {
                    outcome: OutcomeRow {
                        application_id: id.clone(),
                        stage: i64::from(stage),
                        status: status.as_str().into(),
                        score: f.score,
                        detail: f.detail.clone(),
                        recorded_by: user.full_name.clone(),
                        recorded_at: now,
                    },
                    reason: format!("selection rule: {rule_text}"),
                });
            }
        }
        let view = SelectionView {
            stage,
            rule_text: rule_text.clone(),
            rule: Some(input.rule.clone()),
            passed: u32::try_from(selection.passed.len()).unwrap_or(u32::MAX),
            failed: u32::try_from(selection.failed.len()).unwrap_or(u32::MAX),
            changes: u32::try_from(writes.len()).unwrap_or(u32::MAX),
            lines: selection.lines.clone(),
            committed: input.commit,
            applied_by: user.full_name.clone(),
            applied_ms: now,
        };
        if input.commit {
            let cut = CutRow {
                id: 0,
                campaign_id: campaign.id.clone(),
                stage: i64::from(stage),
                rule: serde_json::to_string(&input.rule).map_err(internal)?,
                result: serde_json::to_string(&view).map_err(internal)?,
                applied_by: user.full_name.clone(),
                applied_at: now,
            };
            self.store().apply_cut(&cut, &writes).await?;
        }
        Ok(view)
    }

    /// The cuts applied in a campaign, newest first.
    pub async fn cuts(
        &self,
        user: &UserInfo,
        campaign_id: &str,
    ) -> Result<Vec<SelectionView>, AppError> {
        require_admin(user)?;
        self.campaign_row(campaign_id).await?;
        Ok(self
            .store()
            .cuts(campaign_id)
            .await?
            .iter()
            .filter_map(|c| serde_json::from_str(&c.result).ok())
            .collect())
    }

    /// The application an attempt counts for: in the campaign of its sitting, or else the
    /// newest campaign of its blueprint.
    pub(super) async fn attempt_application(
        &self,
        row: &AttemptRow,
    ) -> Result<Option<(CampaignRow, ApplicationRow)>, AppError> {
        let sitting_campaign = match &row.sitting_id {
            Some(s) => self.store().sitting_campaign(s).await?,
            None => None,
        };
        // The newest application first.
        for app in self.store().applications_of_user(&row.user_id).await? {
            let Some(campaign) = self.store().campaign(&app.campaign_id).await? else {
                continue;
            };
            let counts = match &sitting_campaign {
                Some(c) => *c == campaign.id,
                None => campaign.blueprint_id.as_deref() == Some(row.blueprint_id.as_str()),
            };
            if counts {
                return Ok(Some((campaign, app)));
            }
        }
        Ok(None)
    }

    /// After an attempt is scored: the candidate's stage one, by the campaign's rule for
    /// stage 1 or else the blueprint's pass mark.
    pub(crate) async fn stage_one_from_attempt(
        &self,
        row: &AttemptRow,
        report: &ScoreReport,
        recorded_by: &str,
    ) -> Result<(), AppError> {
        let Some((campaign, app)) = self.attempt_application(row).await? else {
            return Ok(());
        };
        let settings = Self::campaign_settings(&campaign);
        let status = match (&row.termination, settings.rule(1)) {
            (Some(_), _) => StageStatus::Failed,
            (None, Some(rule)) => Self::decide(rule, report.percent),
            (None, None) if report.passed => StageStatus::Passed,
            (None, None) => StageStatus::Failed,
        };
        let current = self.store().outcome(&app.id, 1).await?;
        if let Some(c) = &current
            && c.status == status.as_str()
            && c.score == Some(report.percent)
        {
            return Ok(());
        }
        let reason = match (&row.termination, &current) {
            (Some(t), _) => format!("the attempt was ended by a proctor: {t}"),
            (None, Some(_)) => "the attempt was scored again".into(),
            (None, None) => "the attempt was scored".into(),
        };
        self.write_stage(
            &app,
            1,
            Entry {
                status,
                score: Some(report.percent),
                detail: serde_json::json!({"attempt_id": row.id, "pass_percent": report.pass_percent}),
                reason,
            },
            recorded_by,
        )
        .await
    }
}
