//! What the applicant sees of an attempt: the questions, then the result.

use super::*;

impl Services {
    pub(in crate::services) async fn view(
        &self,
        row: &AttemptRow,
    ) -> Result<AttemptView, AppError> {
        let blueprint = self.blueprint(&row.blueprint_id).await?;
        let form: Form = serde_json::from_str(&row.form).map_err(internal)?;
        let lang: Language = row.language.parse().unwrap_or(Language::Ru);
        let names = self.competency_names(lang).await?;
        let mut items = Vec::with_capacity(form.entries.len());
        for (i, e) in form.entries.iter().enumerate() {
            let item = self.item(e.item_id.as_str(), i64::from(e.version)).await?;
            let shown = |texts: &[LocalizedText], order: &[u8]| -> Vec<String> {
                order
                    .iter()
                    .map(|&o| {
                        texts
                            .get(usize::from(o))
                            .and_then(|t| t.get(lang))
                            .unwrap_or_default()
                            .to_string()
                    })
                    .collect()
            };
            let options = shown(&item.options, &e.option_order);
            let matches = shown(&item.matches, &e.match_order);
            items.push(ItemView {
                item_id: e.item_id.to_string(),
                number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                competency: e.competency.clone(),
                competency_name: names
                    .get(&e.competency)
                    .cloned()
                    .unwrap_or_else(|| e.competency.clone()),
                kind: e.kind,
                stem: item.stem.get(lang).unwrap_or_default().to_string(),
                options,
                matches,
                images: item
                    .attachments
                    .iter()
                    .map(|a| (a.name.clone(), a.sha256.clone()))
                    .collect(),
            });
        }
        let responses = self.store.responses(&row.id).await?;
        let last_seq = responses.iter().map(|r| r.seq).max().unwrap_or(0);
        Ok(AttemptView {
            id: row.id.clone(),
            status: Self::status(row)?,
            blueprint_name: blueprint.name.clone(),
            language: lang,
            started_ms: row.started_at,
            deadline_ms: row.deadline,
            server_now_ms: self.now(),
            time_limit_minutes: blueprint.time_limit_minutes,
            last_seq,
            navigation: blueprint.navigation,
            allow_flag: blueprint.allow_flag,
            paused: row.paused_at.is_some(),
            remaining_ms: row.paused_at.map_or(0, |p| (row.deadline - p).max(0)),
            proctored: row.sitting_id.is_some(),
            snapshot_seconds: match &row.sitting_id {
                Some(s) => self
                    .store
                    .sitting(s)
                    .await?
                    .and_then(|s| s.snapshot_seconds)
                    .and_then(|n| u32::try_from(n).ok()),
                None => None,
            },
            items,
            answers: responses
                .into_iter()
                .map(|r| {
                    let answer = stored_answer(&r);
                    AnswerView {
                        choice: match answer {
                            Some(Answer::Choice(c)) => Some(c),
                            _ => None,
                        },
                        answer,
                        item_id: r.item_id,
                        seq: r.seq,
                    }
                })
                .collect(),
        })
    }

    pub(in crate::services) async fn result_view(
        &self,
        row: &AttemptRow,
    ) -> Result<ResultView, AppError> {
        let report: ScoreReport = match &row.score {
            Some(s) => serde_json::from_str(s).map_err(internal)?,
            None => self.score_attempt(&row.id).await?,
        };
        let blueprint = self.blueprint(&row.blueprint_id).await?;
        let lang: Language = row.language.parse().unwrap_or(Language::Ru);
        let names = self.competency_names(lang).await?;
        let mut view = ResultView {
            attempt_id: row.id.clone(),
            status: Self::status(row)?,
            blueprint_name: blueprint.name.clone(),
            submitted_ms: row.closed_at.unwrap_or(row.deadline),
            correct: report.correct,
            total: report.total,
            answered: report.answered,
            percent: report.percent,
            pass_percent: report.pass_percent,
            passed: report.passed,
            points: report.points,
            max_points: report.max_points,
            withheld: false,
            terminated: row.termination.as_deref().map(|t| {
                let t: serde_json::Value = serde_json::from_str(t).unwrap_or_default();
                TerminationView {
                    reason: t["code"].as_str().unwrap_or("other").to_string(),
                    note: t["reason"].as_str().unwrap_or_default().to_string(),
                    at_ms: row.closed_at.unwrap_or(row.deadline),
                }
            }),
            by_competency: report
                .by_competency
                .into_iter()
                .map(|c| CompetencyResult {
                    name: names
                        .get(&c.competency)
                        .cloned()
                        .unwrap_or_else(|| c.competency.clone()),
                    competency: c.competency,
                    correct: c.correct,
                    total: c.total,
                    percent: c.percent,
                })
                .collect(),
        };
        match blueprint.results {
            ResultVisibility::PerCompetency => {}
            ResultVisibility::Score => view.by_competency.clear(),
            ResultVisibility::Withheld if blueprint.results_released => {}
            ResultVisibility::Withheld => {
                view = ResultView {
                    correct: 0,
                    answered: 0,
                    percent: 0.0,
                    passed: false,
                    points: 0.0,
                    max_points: 0.0,
                    withheld: true,
                    by_competency: vec![],
                    ..view
                };
            }
        }
        Ok(view)
    }
    pub(crate) async fn attempt(
        &self,
        user: &UserInfo,
        attempt_id: &str,
    ) -> Result<AttemptView, AppError> {
        let row = self.owned_attempt(user, attempt_id).await?;
        let row = self.expire_if_due(row).await?;
        self.claim(user, &row).await?;
        self.view(&row).await
    }

    pub(crate) async fn result(
        &self,
        user: &UserInfo,
        attempt_id: &str,
    ) -> Result<ResultView, AppError> {
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

    pub(crate) async fn events(
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
}
