//! Wire types of item analysis: what a methodologist sees after a sitting.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// One item's statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ItemAnalysisRow {
    pub item_id: String,
    /// The version given (an item given in two versions has a row for each).
    #[serde(default)]
    pub version: u32,
    /// Examinees who were given the item.
    pub n: usize,
    pub facility: f64,
    pub discrimination_index: f64,
    pub point_biserial: f64,
    pub alpha_if_deleted: f64,
    /// `too_easy`, `too_hard`, `low_discrimination`, `negative_discrimination`, `misfit`,
    /// `dif`.
    pub flags: Vec<String>,
    /// 2PL discrimination and difficulty with standard errors, when calibrated.
    pub a: Option<f64>,
    pub b: Option<f64>,
    pub se_b: Option<f64>,
    pub fit_p: Option<f64>,
    /// Facility and examinees per test language.
    pub by_language: Vec<LanguageFacility>,
    /// Mantel-Haenszel delta between the two main languages (negative: harder in the
    /// second), ETS class and the language it disadvantages.
    pub dif_delta: Option<f64>,
    pub dif_class: Option<String>,
    pub harder_in: Option<String>,
    /// Proportion right in five groups by total score (lowest first), with the groups'
    /// mean ability, and the model's probability there: the item's curve.
    pub curve: Vec<CurvePoint>,
    /// The item's status in the bank now.
    pub status: Option<String>,
    /// Single choice: each option's share in the same five groups (authored order, the key
    /// marked), and the share who left the item unanswered.
    #[serde(default)]
    pub options: Vec<OptionCurve>,
    /// The parameters stored for this version by the latest calibration, if any.
    #[serde(default)]
    pub stored: Option<StoredParameters>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct OptionCurve {
    /// `A`, `B`, ... in authored order, or `–` for no answer.
    pub label: String,
    pub correct: bool,
    pub shares: Vec<f64>,
}

/// Parameters a calibration stored for one item version (on the bank's scale).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct StoredParameters {
    pub model: String,
    pub a: f64,
    pub b: f64,
    pub se_b: f64,
    pub calibration_id: String,
    pub calibrated_ms: i64,
}

/// The stored parameters of one item version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ItemParameters {
    pub item_id: String,
    pub version: i64,
    pub model: String,
    pub a: f64,
    pub b: f64,
    pub se_a: f64,
    pub se_b: f64,
    pub fit_p: f64,
    pub examinees: i64,
    pub calibration_id: String,
    pub calibrated_ms: i64,
}

/// Calibrating and storing item parameters from a blueprint's closed attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CalibrateInput {
    /// `rasch` or `2pl`.
    pub model: String,
    #[serde(default)]
    pub sitting: Option<String>,
}

/// A stored calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CalibrationSummary {
    pub id: String,
    pub source: String,
    pub model: String,
    pub examinees: i64,
    pub items: i64,
    pub log_likelihood: f64,
    /// The mean-sigma link onto the stored scale (b* = slope b + intercept), from the items
    /// the calibration shares with earlier ones; `common` 0 when it was not linked.
    pub link_slope: f64,
    pub link_intercept: f64,
    pub link_common: i64,
    pub created_by: String,
    pub created_ms: i64,
    /// What the methodologist should know (e.g. too few common items to link).
    #[serde(default)]
    pub note: Option<String>,
}

/// Creating a modified-Angoff workshop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StandardSettingInput {
    pub blueprint_id: String,
    pub name: String,
    /// The judges' e-mail addresses (staff accounts, not applicants).
    pub judges: Vec<String>,
    /// The language the items are shown in (default Russian).
    #[serde(default)]
    pub language: Option<String>,
    /// The seed of the reference form the judges rate (random if absent).
    #[serde(default)]
    pub seed: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct StandardSettingSummary {
    pub id: String,
    pub blueprint_id: String,
    pub name: String,
    pub round: i64,
    /// `open` or `adopted`.
    pub status: String,
    pub judges: usize,
    pub items: usize,
    pub created_ms: i64,
}

/// One item as the judges rate it: its text and key (judges are experts, not candidates),
/// its statistics, and what the panel said in the previous round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct RatedItem {
    pub item_id: String,
    pub version: u32,
    pub competency: String,
    pub weight: f64,
    pub stem: String,
    pub options: Vec<String>,
    /// Authored indices of the right options (single and multiple choice).
    pub correct: Vec<usize>,
    /// Observed share right, when enough candidates took it.
    pub facility: Option<f64>,
    /// Stored calibration, if any.
    pub a: Option<f64>,
    pub b: Option<f64>,
    /// The model's probability right at the previous round's cut ability.
    pub p_at_cut: Option<f64>,
    /// The caller's rating in the current round.
    pub mine: Option<f64>,
    /// The previous round: the caller's rating and the panel's mean, lowest and highest.
    pub previous_mine: Option<f64>,
    pub previous_mean: Option<f64>,
    pub previous_min: Option<f64>,
    pub previous_max: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct JudgeProgress {
    pub name: String,
    pub email: String,
    /// Items rated in the current round.
    pub rated: usize,
}

/// A round's result: the panel's cut from the judges who rated every item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct RoundResult {
    pub round: i64,
    pub judges_complete: usize,
    /// Expected raw score (items) at the cut, its percentage of the points, SE in raw
    /// points, each complete judge's cut, the ability at the cut when every item is
    /// calibrated.
    pub raw: Option<f64>,
    pub percent: Option<f64>,
    pub se: Option<f64>,
    pub judge_cuts: Vec<f64>,
    pub theta: Option<f64>,
    /// Share of the blueprint's scored attempts at or above this cut.
    pub impact: Option<f64>,
}

/// The standard a workshop adopted as its blueprint's pass mark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AdoptedStandard {
    pub round: i64,
    pub percent: f64,
    pub se: f64,
    pub theta: Option<f64>,
    pub by: String,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct StandardSettingView {
    pub id: String,
    pub blueprint_id: String,
    pub name: String,
    pub language: String,
    pub round: i64,
    pub status: String,
    /// The caller may run the workshop (next round, adopt) / rates in it.
    pub facilitator: bool,
    pub judge: bool,
    pub judges: Vec<JudgeProgress>,
    pub items: Vec<RatedItem>,
    pub rounds: Vec<RoundResult>,
    pub adopted: Option<AdoptedStandard>,
}

/// A judge's ratings in the current round: (item id, probability 0-1 that a minimally
/// competent candidate gets it right).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RatingsInput {
    pub ratings: Vec<(String, f64)>,
}

/// Adopting a round's cut as the blueprint's standard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdoptInput {
    /// The round whose cut is adopted (default: the latest with a cut).
    #[serde(default)]
    pub round: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct LanguageFacility {
    pub language: String,
    pub n: usize,
    pub facility: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CurvePoint {
    pub theta: f64,
    pub observed: f64,
    pub model: Option<f64>,
}

/// The analysis of a blueprint's closed attempts (or one sitting's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AnalysisView {
    pub blueprint_id: String,
    pub sitting_id: Option<String>,
    pub examinees: usize,
    pub mean: f64,
    pub sd: f64,
    pub alpha: f64,
    pub sem: f64,
    /// Alpha per competency.
    pub alpha_by_competency: Vec<(String, f64)>,
    /// (total score, examinees).
    pub histogram: Vec<(u32, usize)>,
    pub items: Vec<ItemAnalysisRow>,
    /// Whether the 2PL calibration ran (it needs enough examinees and items that vary), and
    /// why not.
    pub calibrated: bool,
    pub note: Option<String>,
    /// The test information function of the calibrated items: (θ, information).
    pub information: Vec<(f64, f64)>,
    /// The two languages compared for DIF (reference, focal), when both have examinees.
    pub languages: Option<(String, String)>,
    /// The blueprint's sittings (id, name), to analyse one.
    #[serde(default)]
    pub sittings: Vec<(String, String)>,
    /// Items are flagged only from this many examinees on (fewer: figures without flags).
    #[serde(default)]
    pub flags_from: usize,
}

/// Sending a flagged item back to review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendBackInput {
    pub reason: String,
}
