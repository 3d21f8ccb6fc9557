//! Saving answers: the navigation rule a save must keep.

use super::*;

impl Services {
    /// A blueprint's navigation, for the save path: read at most every few seconds per
    /// blueprint (it does not change while a sitting runs; an edit is seen within the TTL).
    pub(in crate::services) async fn navigation_of(
        &self,
        id: &str,
    ) -> Result<question_bank::Navigation, AppError> {
        const TTL_MS: i64 = 5_000;
        let now = self.now();
        if let Some((at, nav)) = self.navigation.lock().ok().and_then(|m| m.get(id).copied())
            && now - at < TTL_MS
        {
            return Ok(nav);
        }
        let nav = self.blueprint(id).await?.navigation;
        if let Ok(mut m) = self.navigation.lock() {
            m.insert(id.to_string(), (now, nav));
        }
        Ok(nav)
    }
    pub(crate) async fn save_response(
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
            let seq = request.seq;
            let answer = request.into_answer();
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
                    choice: question_bank::form::legacy::choice_column(answer.as_ref()),
                    answer: answer
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()
                        .map_err(internal)?,
                    seq,
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
                    seq,
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
}
