//! Two-way messages during the test: a proctor writes to one applicant or to the whole sitting,
//! an applicant writes to the sitting's proctors. Each message is an event of the attempt
//! (category `message`), so it reaches the other side at once (the applicant's notice stream,
//! the proctors' live feed) and stays in the incident record.

use crate::services::Services;
use crate::store::AttemptRow;
use app::error::{AppError, ErrorCode};
use app::model::*;

/// Longest message, in characters.
pub const MAX_MESSAGE: usize = 1000;
/// How many messages an applicant may send within a minute.
pub const MESSAGES_PER_MINUTE: usize = 5;

fn text_of(input: &MessageInput) -> Result<String, AppError> {
    let text = input.text.trim().to_string();
    if text.is_empty() {
        return Err(AppError::invalid("Write the message."));
    }
    if text.chars().count() > MAX_MESSAGE {
        return Err(AppError::invalid(format!(
            "A message may have at most {MAX_MESSAGE} characters."
        )));
    }
    Ok(text)
}

fn open(row: &AttemptRow) -> Result<(), AppError> {
    if row.status != AttemptStatus::InProgress.as_str() {
        return Err(AppError::new(
            ErrorCode::AttemptClosed,
            "The attempt is closed: messages go with a running test only.",
        ));
    }
    Ok(())
}

impl Services {
    async fn message_to(
        &self,
        row: &AttemptRow,
        text: &str,
        by: &str,
        whole_sitting: bool,
    ) -> Result<(), AppError> {
        self.record(
            row,
            "message",
            "message_to_applicant",
            serde_json::json!({ "text": text, "whole_sitting": whole_sitting }),
            by,
        )
        .await?;
        self.notify(&row.id, "message", text).await
    }

    /// A proctor of the sitting writes to one applicant taking the test.
    pub async fn message_applicant(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        applicant_id: &str,
        input: MessageInput,
    ) -> Result<ChatMessage, AppError> {
        let sitting = self.watched_sitting(user, sitting_id).await?;
        let text = text_of(&input)?;
        let row = self.sitting_attempt(&sitting, applicant_id).await?;
        open(&row)?;
        self.message_to(&row, &text, &user.full_name, false).await?;
        Ok(ChatMessage {
            at_ms: self.now(),
            from_applicant: false,
            author: user.full_name.clone(),
            text,
        })
    }

    /// A proctor writes to everyone taking the test in the sitting; returns how many.
    pub async fn message_sitting(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        input: MessageInput,
    ) -> Result<u32, AppError> {
        self.watched_sitting(user, sitting_id).await?;
        let text = text_of(&input)?;
        let mut sent = 0;
        for id in self.store().sitting_open_attempts(sitting_id).await? {
            if let Some(row) = self.store().attempt(&id).await?
                && row.status == AttemptStatus::InProgress.as_str()
            {
                self.message_to(&row, &text, &user.full_name, true).await?;
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// The applicant writes to the sitting's proctors.
    pub async fn message_proctors(
        &self,
        user: &UserInfo,
        attempt_id: &str,
        input: MessageInput,
    ) -> Result<ChatMessage, AppError> {
        let row = self.own_attempt(user, attempt_id).await?;
        open(&row)?;
        if row.sitting_id.is_none() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "This test has no proctor to write to.",
            ));
        }
        let text = text_of(&input)?;
        // A few messages a minute are a conversation; more is a flood.
        let now = self.now();
        let recent = self
            .store()
            .events(attempt_id)
            .await?
            .iter()
            .filter(|e| e.kind == "message_from_applicant" && now - e.at < 60_000)
            .count();
        if recent >= MESSAGES_PER_MINUTE {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "Too many messages at once: wait a minute, then write again.",
            ));
        }
        self.record(
            &row,
            "message",
            "message_from_applicant",
            serde_json::json!({ "text": text }),
            &user.full_name,
        )
        .await?;
        Ok(ChatMessage {
            at_ms: self.now(),
            from_applicant: true,
            author: user.full_name.clone(),
            text,
        })
    }

    /// The messages of the caller's own attempt, oldest first.
    pub async fn attempt_messages(
        &self,
        user: &UserInfo,
        attempt_id: &str,
    ) -> Result<Vec<ChatMessage>, AppError> {
        self.own_attempt(user, attempt_id).await?;
        Ok(self
            .store()
            .events(attempt_id)
            .await?
            .into_iter()
            .filter(|e| e.category == "message")
            .map(|e| {
                let detail: serde_json::Value =
                    serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null);
                ChatMessage {
                    at_ms: e.at,
                    from_applicant: e.kind == "message_from_applicant",
                    author: e.actor,
                    text: detail["text"].as_str().unwrap_or_default().to_string(),
                }
            })
            .collect())
    }
}
