//! Wire types of blueprints: their list and checks, fairness, re-scoring and key corrections.

use super::*;

/// One blueprint in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct BlueprintSummary {
    pub id: String,
    pub name: String,
    pub item_count: u32,
    pub time_limit_minutes: u32,
    pub pass_percent: f64,
    /// The blueprint applicants are tested on now.
    pub active: bool,
    /// A practice test: taken at will, never counted, never analysed.
    #[serde(default)]
    pub practice: bool,
    pub updated_ms: i64,
    pub updated_by: String,
}

/// A blueprint with its state, for the editor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct BlueprintDoc {
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub blueprint: question_bank::Blueprint,
    pub active: bool,
    pub updated_ms: i64,
    pub updated_by: String,
}

/// A check of a (possibly unsaved) blueprint against the published bank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CheckInput {
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub blueprint: question_bank::Blueprint,
    /// Forms to draw for the fairness figures (1-10,000; default 1,000).
    #[serde(default)]
    pub forms: Option<u32>,
    /// Only items complete in this language (default: the first the blueprint offers).
    #[serde(default)]
    pub language: Option<String>,
}

/// What the check found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CheckReport {
    /// The blueprint is valid and the bank can fill it.
    pub ok: bool,
    /// Why not, in words (an invalid setting, exposure, enemies).
    pub error: Option<String>,
    /// Cells of the blueprint the bank cannot fill, with the shortfall.
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Object>))]
    pub shortages: Vec<question_bank::Shortage>,
    /// Fairness of the forms drawn for the check.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub fairness: Option<question_bank::Fairness>,
    pub language: String,
    /// Published items complete in that language.
    pub pool_size: usize,
}

/// A corrected key for an item version already used in sittings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyCorrectionInput {
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub key: question_bank::Key,
    /// Why the key changes (kept in the audit log).
    pub reason: String,
}

/// A score a re-score changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ScoreChangeView {
    pub attempt_id: String,
    pub applicant_email: String,
    pub applicant_name: String,
    pub blueprint_id: String,
    pub old_percent: f64,
    pub new_percent: f64,
    pub old_passed: bool,
    pub new_passed: bool,
    /// The key correction that caused it, or `rescore`.
    pub cause: String,
    pub at_ms: i64,
}

impl ScoreChangeView {
    /// Whether the change turned a pass into a fail or back.
    pub fn flips(&self) -> bool {
        self.old_passed != self.new_passed
    }
}

/// What a key correction or a re-score did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct RescoreReport {
    /// The key correction's id, when one caused it.
    pub correction_id: Option<String>,
    pub attempts_rescored: u32,
    /// Every attempt whose score changed; pass/fail changes have `old_passed != new_passed`.
    pub changes: Vec<ScoreChangeView>,
}
