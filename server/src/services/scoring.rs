//! Scoring a closed attempt against the keys and the pass mark in force.

use super::*;

impl Services {
    /// The pass mark of a form: the blueprint's, or, when its standard is an ability, the
    /// expected score at that ability on this form's items (current parameters: calibrated,
    /// else provisional from the p-value; the mark the form was drawn with for an item no
    /// longer published).
    pub(in crate::services) async fn pass_mark(
        &self,
        blueprint: &Blueprint,
        form: &Form,
        items: &[Arc<question_bank::Item>],
    ) -> Result<f64, AppError> {
        let Some(theta) = blueprint.cut_theta else {
            return Ok(blueprint.pass_percent);
        };
        let pool = self.pool().await?;
        let by_key: HashMap<(&str, u32), &PoolItem> = pool
            .iter()
            .map(|e| ((e.item.id.as_str(), e.item.version), &e.item))
            .collect();
        let (mut sum, mut total) = (0.0, 0.0);
        for (e, item) in form.entries.iter().zip(items) {
            let w = blueprint.weight_of(&e.competency);
            let params = match by_key.get(&(e.item_id.as_str(), e.version)) {
                Some(p) => p.params(),
                None => match form.pass_percent {
                    Some(mark) => return Ok(mark),
                    None => {
                        question_bank::psychometrics::irt::provisional(item.difficulty.prior_p())
                    }
                },
            };
            sum += w * params.p(theta);
            total += w;
        }
        if total <= 0.0 {
            return Ok(blueprint.pass_percent);
        }
        Ok((1000.0 * sum / total).round() / 10.0)
    }

    /// Scores a closed attempt from its stored responses and records stage one.
    pub async fn score_attempt(&self, id: &str) -> Result<ScoreReport, AppError> {
        self.score_attempt_as(id, "system:scoring").await
    }

    /// Scores a closed attempt against the current keys, stores the score and each item's
    /// credit, and records the stage-one result as `recorded_by`.
    pub(crate) async fn score_attempt_as(
        &self,
        id: &str,
        recorded_by: &str,
    ) -> Result<ScoreReport, AppError> {
        let row = self
            .store
            .attempt(id)
            .await?
            .ok_or_else(|| AppError::not_found("The attempt"))?;
        let blueprint = self.blueprint(&row.blueprint_id).await?;
        let form: Form = serde_json::from_str(&row.form).map_err(internal)?;
        self.refresh_keys().await?;
        let answers: HashMap<String, Answer> = self
            .store
            .responses(id)
            .await?
            .into_iter()
            .filter_map(|r| Some((r.item_id.clone(), stored_answer(&r)?)))
            .collect();
        let mut items = Vec::with_capacity(form.entries.len());
        for e in &form.entries {
            items.push(self.item(e.item_id.as_str(), i64::from(e.version)).await?);
        }
        let entries: Vec<ScoredEntry<'_>> = form
            .entries
            .iter()
            .zip(&items)
            .map(|(e, item)| ScoredEntry {
                competency: &e.competency,
                key: &item.key,
                weight: blueprint.weight_of(&e.competency),
                response: answers.get(e.item_id.as_str()).and_then(|a| e.response(a)),
            })
            .collect();
        let pass = self.pass_mark(&blueprint, &form, &items).await?;
        let report = question_bank::score_with_pass(&blueprint, pass, &entries);
        let credits: Vec<crate::store::ScoredItem> = form
            .entries
            .iter()
            .zip(&report.credits)
            .zip(&entries)
            .map(|((e, c), s)| crate::store::ScoredItem {
                item_id: e.item_id.to_string(),
                credit: *c,
                chosen: match &s.response {
                    Some(question_bank::Response::Choice(i)) => i64::try_from(*i).ok(),
                    _ => None,
                },
            })
            .collect();
        self.store
            .store_score(
                id,
                &serde_json::to_string(&report).map_err(internal)?,
                &credits,
            )
            .await?;
        // A practice attempt is never counted anywhere.
        if blueprint.practice {
            return Ok(report);
        }
        let status = if report.passed {
            StageStatus::Passed
        } else {
            StageStatus::Failed
        };
        self.store
            .set_stage(&StageRow {
                user_id: row.user_id.clone(),
                stage: 1,
                status: status.as_str().into(),
                attempt_id: Some(id.to_string()),
                recorded_by: recorded_by.into(),
                recorded_at: self.now(),
            })
            .await?;
        self.stage_one_from_attempt(&row, &report, recorded_by)
            .await?;
        Ok(report)
    }
}
