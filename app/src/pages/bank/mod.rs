//! The question bank for methodologists: the list (filters, sort, pages, bulk actions), the
//! editor (three languages side by side, the key per type, inline validation, a live preview
//! as the applicant will see the item, review, history with restore) and the import page
//! (check first, then import).

use super::markdown::{Markdown, MarkdownInline};
use super::{ErrorNote, go};
use crate::api::{
    bank_bulk, bank_competencies, bank_create, bank_history, bank_import, bank_item, bank_list,
    bank_put_competency, bank_restore, bank_step, bank_update, current_user,
};
use crate::i18n::*;
use crate::model::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use question_bank::{
    Difficulty, Item, ItemId, ItemType, Key, Language, LocalizedText, PartialCredit,
};
use std::collections::HashSet;

const LANGS: [Language; 3] = [Language::Kk, Language::Ru, Language::En];

fn status_label(i18n: leptos_i18n::I18nContext<Locale>, s: &str) -> String {
    match s {
        "draft" => t_string!(i18n, bank_status_draft).to_string(),
        "in_review" => t_string!(i18n, bank_status_in_review).to_string(),
        "published" => t_string!(i18n, bank_status_published).to_string(),
        "retired" => t_string!(i18n, bank_status_retired).to_string(),
        "superseded" => t_string!(i18n, bank_status_superseded).to_string(),
        other => other.to_string(),
    }
}

fn type_label(i18n: leptos_i18n::I18nContext<Locale>, t: &str) -> String {
    match t {
        "single_choice" => t_string!(i18n, bank_type_single_choice).to_string(),
        "multiple_response" => t_string!(i18n, bank_type_multiple_response).to_string(),
        "true_false" => t_string!(i18n, bank_type_true_false).to_string(),
        "matching" => t_string!(i18n, bank_type_matching).to_string(),
        "ordering" => t_string!(i18n, bank_type_ordering).to_string(),
        "numeric" => t_string!(i18n, bank_type_numeric).to_string(),
        "short_text" => t_string!(i18n, bank_type_short_text).to_string(),
        other => other.to_string(),
    }
}

fn opt(s: String) -> Option<String> {
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

// ---------------------------------------------------------------- the list

/// `YYYY-MM-DD` of a time in milliseconds (UTC).
pub(crate) fn date(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

// ---------------------------------------------------------------- the editor

#[cfg(feature = "hydrate")]
use crate::camera::chosen_file;

mod editor;
mod fields;
mod import;
mod list;
mod taxonomy;
pub use editor::*;
pub use fields::*;
pub use import::*;
pub use list::*;
pub use taxonomy::*;

// ---------------------------------------------------------------- import

// ---------------------------------------------------------------- the taxonomy
