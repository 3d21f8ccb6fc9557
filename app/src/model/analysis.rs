//! Wire types of item analysis: what a methodologist sees after a sitting.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// One item's statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ItemAnalysisRow {
    pub item_id: String,
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
}

/// Sending a flagged item back to review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendBackInput {
    pub reason: String,
}
