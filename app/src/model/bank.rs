//! Wire types of the question bank: items, their versions and reviews, imports, the
//! competencies.

use super::*;

/// Filters, order and page of the bank list (`GET /api/v1/bank/items?...`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(default)]
pub struct BankFilter {
    pub competency: Option<String>,
    /// `draft`, `in_review`, `published`, `retired`.
    pub status: Option<String>,
    /// `single_choice`, `multiple_response`, `true_false`, `matching`, `ordering`, `numeric`,
    /// `short_text`.
    pub item_type: Option<String>,
    /// Only items complete in this language (`kk`, `ru`, `en`).
    pub ready_in: Option<String>,
    /// Only items not yet complete in this language.
    pub missing_in: Option<String>,
    pub tag: Option<String>,
    /// Words to find in the id, the texts (any language) and the tags.
    pub q: Option<String>,
    /// `item_id` (default), `updated_at`, `competency`, `status`, `item_type`, `difficulty`.
    pub sort: Option<String>,
    pub descending: Option<bool>,
    /// From 1.
    pub page: Option<u32>,
    /// 1-200, default 50.
    pub per_page: Option<u32>,
}

/// One row of the bank list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct BankRow {
    pub item_id: String,
    pub version: i64,
    pub published_version: Option<i64>,
    pub status: String,
    pub item_type: String,
    pub competency: String,
    pub difficulty: String,
    /// Languages the item is complete in.
    pub ready: Vec<String>,
    pub tags: Vec<String>,
    pub preview: String,
    pub updated_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct BankPage {
    pub rows: Vec<BankRow>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Per language: how many of the texts a candidate sees are written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Completeness {
    pub language: String,
    pub done: u32,
    pub total: u32,
}

/// An item as the editor shows it: the newest version, with its key (methodologists only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ItemDoc {
    /// The item (texts, options, key, rationale, metadata), as `question_bank::Item`.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub item: question_bank::Item,
    pub status: String,
    pub published_version: Option<i64>,
    /// Send it back with an edit: if the item changed meanwhile the edit is refused.
    pub updated_ms: i64,
    pub author_id: Option<String>,
    pub completeness: Vec<Completeness>,
    /// The key in words.
    pub key_text: String,
}

/// A new item, or an edit of one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ItemInput {
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub item: question_bank::Item,
    /// `updated_ms` of the version the edit started from (edits only).
    #[serde(default)]
    pub expected_updated_ms: Option<i64>,
}

/// A step a methodologist takes on an item from its page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStep {
    /// The author sends the draft to review.
    Submit,
    /// Publish or send back, by another methodologist.
    Review(ReviewInput),
    /// The published version leaves the pool.
    Retire,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ReviewInput {
    /// Publish (true) or send back to the author (false).
    pub approve: bool,
    /// Required when sending back.
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct VersionView {
    pub version: i64,
    pub status: String,
    pub author_id: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// What changed from the version before.
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AuditView {
    pub at_ms: i64,
    pub version: i64,
    pub actor: String,
    /// `created`, `edited`, `new_version`, `sent_to_review`, `approved`, `changes_requested`,
    /// `retired`, `restored`, `tagged`, `imported`.
    pub action: String,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ItemHistory {
    pub item_id: String,
    pub versions: Vec<VersionView>,
    pub audit: Vec<AuditView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct BulkInput {
    pub item_ids: Vec<String>,
    /// `send_to_review`, `retire` or `tag`.
    pub action: String,
    /// The tag to add (`tag`).
    #[serde(default)]
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Refusal {
    pub item_id: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct BulkResult {
    pub done: Vec<String>,
    pub refused: Vec<Refusal>,
}

/// A problem or a note about an imported file, with its line or element path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ImportNote {
    /// `line 12` or `quiz/question[3]/answer[2]`.
    pub at: String,
    pub message: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ImportReport {
    pub dry_run: bool,
    pub format: String,
    /// Items new to the bank.
    pub created: Vec<String>,
    /// Items the bank had: a new draft version of each.
    pub updated: Vec<String>,
    /// Questions of types Qabilet does not take (by name and position), not imported.
    pub skipped: Vec<ImportNote>,
    pub warnings: Vec<ImportNote>,
    /// When not empty, nothing was imported.
    pub errors: Vec<ImportNote>,
    /// Competencies the file named that the taxonomy did not have (added).
    pub new_competencies: Vec<String>,
    /// Languages the imported items are complete in: `(language, items)`.
    pub ready: Vec<(String, u32)>,
}

/// A competency of the taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CompetencyView {
    pub code: String,
    pub position: i64,
    /// Names per language.
    pub names: std::collections::BTreeMap<String, String>,
}
