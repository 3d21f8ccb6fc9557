//! Stage four: the expert panel, the final reports and their marks.

use super::*;

impl Services {
    /// Sets a campaign's experts or commission (staff): e-mails one per line, all or none.
    pub async fn set_panel(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        panel: &str,
        input: PanelInput,
    ) -> Result<Vec<PanelMember>, AppError> {
        require_admin(user)?;
        let role = match panel {
            "expert" => Role::Expert,
            "commission" => Role::Commission,
            _ => return Err(AppError::not_found("This panel")),
        };
        self.campaign_row(campaign_id).await?;
        let mut members = Vec::new();
        let mut errors = Vec::new();
        let chair = input.chair.as_deref().map(|c| c.trim().to_lowercase());
        for (n, line) in input.emails.lines().enumerate() {
            let email = line.trim().to_lowercase();
            if email.is_empty() {
                continue;
            }
            match self.store().user_by_email(&email).await? {
                Some(u) if u.role == role.as_str() => {
                    if !members.iter().any(|(id, _): &(String, bool)| *id == u.id) {
                        members.push((u.id, chair.as_deref() == Some(email.as_str())));
                    }
                }
                Some(_) => errors.push(format!(
                    "line {}: {email} is not a {} account",
                    n + 1,
                    role.as_str()
                )),
                None => errors.push(format!("line {}: there is no account {email}", n + 1)),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::invalid(errors.join("; ")));
        }
        if role == Role::Commission && chair.is_some() && !members.iter().any(|(_, c)| *c) {
            return Err(AppError::invalid("The chair must be one of the members."));
        }
        self.store().set_panel(campaign_id, panel, &members).await?;
        self.get_panel(user, campaign_id, panel).await
    }

    pub async fn get_panel(
        &self,
        user: &UserInfo,
        campaign_id: &str,
        panel: &str,
    ) -> Result<Vec<PanelMember>, AppError> {
        require_admin(user)?;
        Ok(self
            .store()
            .panel(campaign_id, panel)
            .await?
            .into_iter()
            .map(|p| PanelMember {
                user_id: p.user_id,
                full_name: p.full_name,
                email: p.email,
                chair: p.chair != 0,
            })
            .collect())
    }

    /// The experts with the fewest reports, leaving out `except`.
    pub(super) async fn pick_markers(
        &self,
        campaign_id: &str,
        n: usize,
        except: &[String],
    ) -> Result<Vec<String>, AppError> {
        let mut loads = self.store().marker_loads(campaign_id).await?;
        loads.retain(|(id, _)| !except.contains(id));
        // Least loaded first; among equals, a random order.
        let mut rng = rand::rng();
        let mut keyed: Vec<(i64, u32, String)> = loads
            .into_iter()
            .map(|(id, load)| (load, rng.random::<u32>(), id))
            .collect();
        keyed.sort();
        Ok(keyed.into_iter().take(n).map(|(_, _, id)| id).collect())
    }

    /// The candidate hands in the final report (stage 4); two experts are given it blind.
    pub async fn submit_report(
        &self,
        user: &UserInfo,
        application_id: &str,
        input: ReportInput,
    ) -> Result<ApplicationView, AppError> {
        let app = self.visible_application(user, application_id).await?;
        if app.user_id.as_deref() != Some(user.id.as_str()) {
            return Err(AppError::forbidden());
        }
        let outcomes = self.store().outcomes(&app.id).await?;
        if let Some(refusal) = Self::entry_refusal(&outcomes, 4) {
            return Err(conflict(refusal));
        }
        if self.store().report(&app.id).await?.is_some() {
            return Err(conflict("Your report has been handed in already."));
        }
        let text = input.text.trim();
        let words = text.split_whitespace().count();
        if words < 50 || text.len() > 100_000 {
            return Err(AppError::invalid(format!(
                "The report needs at least 50 words (this has {words}) and at most 100,000 characters."
            )));
        }
        let markers = self.pick_markers(&app.campaign_id, 2, &[]).await?;
        if markers.len() < 2 {
            return Err(conflict(
                "The campaign has fewer than two experts yet; the programme staff must name them \
                 before reports can be handed in.",
            ));
        }
        let code = {
            let mut rng = rand::rng();
            let letters: Vec<u8> = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ".to_vec();
            let s: String = (0..8)
                .map(|_| letters[rng.random_range(0..letters.len())] as char)
                .collect();
            format!("R-{s}")
        };
        let now = self.now();
        self.store()
            .insert_report(
                &ReportRow {
                    application_id: app.id.clone(),
                    code: code.clone(),
                    body: text.to_string(),
                    submitted_at: now,
                },
                &[(markers[0].clone(), 1), (markers[1].clone(), 2)],
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict => conflict("Your report has been handed in already."),
                e => e.into(),
            })?;
        self.write_stage(
            &app,
            4,
            Entry {
                status: StageStatus::Pending,
                score: None,
                detail: serde_json::json!({"report": code}),
                reason: "report handed in; two experts assigned".into(),
            },
            &user.full_name,
        )
        .await?;
        self.application_view(&app).await
    }

    /// Reports given to the calling expert: codes and texts, never names.
    pub async fn marking_tasks(&self, user: &UserInfo) -> Result<Vec<MarkingTask>, AppError> {
        if user.role != Role::Expert {
            return Err(AppError::forbidden());
        }
        let mut rubrics: HashMap<String, question_bank::selection::Rubric> = HashMap::new();
        let mut out = Vec::new();
        for m in self.store().marking_queue(&user.id).await? {
            if !rubrics.contains_key(&m.campaign_id) {
                let c = self.campaign_row(&m.campaign_id).await?;
                rubrics.insert(m.campaign_id.clone(), Self::campaign_settings(&c).rubric);
            }
            out.push(MarkingTask {
                code: m.code,
                body: m.body,
                round: u8::try_from(m.round).unwrap_or(0),
                marked: m.marked_at.is_some(),
                points: m.points,
                rubric: rubrics[&m.campaign_id].clone(),
            });
        }
        Ok(out)
    }

    /// An expert marks a report; two marks within the margin (or a third) decide stage 4.
    pub async fn mark_report(
        &self,
        user: &UserInfo,
        code: &str,
        input: MarkInput,
    ) -> Result<MarkAck, AppError> {
        if user.role != Role::Expert {
            return Err(AppError::forbidden());
        }
        let task = self
            .store()
            .marking_queue(&user.id)
            .await?
            .into_iter()
            .find(|m| m.code == code)
            .ok_or_else(|| AppError::not_found("A report with this code given to you"))?;
        if task.marked_at.is_some() {
            return Err(conflict("You have marked this report already."));
        }
        let campaign = self.campaign_row(&task.campaign_id).await?;
        let settings = Self::campaign_settings(&campaign);
        let rubric = &settings.rubric;
        let points = rubric
            .points(&input.levels)
            .map_err(|e| AppError::invalid(format!("{e}.")))?;
        let saved = self
            .store()
            .save_mark(&MarkRow {
                application_id: task.application_id.clone(),
                marker_id: user.id.clone(),
                round: task.round,
                levels: Some(serde_json::to_string(&input.levels).map_err(internal)?),
                points: Some(points),
                comment: input.comment.trim().chars().take(5000).collect(),
                marked_at: Some(self.now()),
            })
            .await?;
        if !saved {
            return Err(conflict("You have marked this report already."));
        }
        let marks = self.store().marks(&task.application_id).await?;
        let mut ordered: Vec<&MarkRow> = marks.iter().collect();
        ordered.sort_by_key(|m| m.round);
        let given: Vec<f64> = ordered.iter().filter_map(|m| m.points).collect();
        let all_marked = ordered.iter().all(|m| m.points.is_some());
        let app = self
            .store()
            .application(&task.application_id)
            .await?
            .ok_or_else(|| internal("a marked report has no application"))?;
        let resolution = if all_marked {
            resolve_marks(&given, rubric.margin)
        } else {
            Resolution::Waiting
        };
        match resolution {
            Resolution::Waiting => Ok(MarkAck {
                points,
                state: "waiting".into(),
                final_percent: None,
            }),
            Resolution::NeedsThird => {
                let except: Vec<String> = marks.iter().map(|m| m.marker_id.clone()).collect();
                let third = self.pick_markers(&app.campaign_id, 1, &except).await?;
                let state = match third.first() {
                    Some(t) => {
                        self.store().assign_marker(&app.id, t, 3).await?;
                        "third_marker"
                    }
                    None => "third_marker_unavailable",
                };
                Ok(MarkAck {
                    points,
                    state: state.into(),
                    final_percent: None,
                })
            }
            Resolution::Final(final_points) => {
                let percent = rubric.percent(final_points);
                let rule = Self::stage_rule(&settings, 4);
                let status = Self::decide(&rule, percent);
                let report = self.store().report(&app.id).await?;
                self.write_stage(
                    &app,
                    4,
                    Entry {
                        status,
                        score: Some(percent),
                        detail: serde_json::json!({
                            "report": report.map(|r| r.code),
                            "marks": given,
                            "final_points": final_points,
                            "max_points": rubric.max_points(),
                            "third_marker": given.len() > 2,
                        }),
                        reason: format!(
                            "double-marked: {} of {} points ({})",
                            final_points,
                            rubric.max_points(),
                            rule.describe()
                        ),
                    },
                    "experts",
                )
                .await?;
                Ok(MarkAck {
                    points,
                    state: "final".into(),
                    final_percent: Some(percent),
                })
            }
        }
    }
}
