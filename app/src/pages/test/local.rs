//! What the page keeps in the browser beside the outbox: flags and the position.

use super::*;

/// Flags the applicant set, kept in this browser only (they change no answer).
pub(crate) fn load_flags(attempt_id: &str) -> HashSet<String> {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = local_storage()
        && let Ok(Some(text)) = storage.get_item(&format!("qabilet.flags.{attempt_id}"))
    {
        return serde_json::from_str(&text).unwrap_or_default();
    }
    let _ = attempt_id;
    HashSet::new()
}

pub(crate) fn save_flags(attempt_id: &str, flags: &HashSet<String>) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = local_storage()
        && let Ok(text) = serde_json::to_string(flags)
    {
        let _ = storage.set_item(&format!("qabilet.flags.{attempt_id}"), &text);
    }
    let _ = (attempt_id, flags);
}

/// The question the applicant was on, kept in this browser: a reload opens the test there.
pub(crate) fn load_position(attempt_id: &str) -> Option<usize> {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = local_storage()
        && let Ok(Some(text)) = storage.get_item(&format!("qabilet.position.{attempt_id}"))
    {
        return text.parse().ok();
    }
    let _ = attempt_id;
    None
}

pub(crate) fn save_position(attempt_id: &str, position: usize) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(
            &format!("qabilet.position.{attempt_id}"),
            &position.to_string(),
        );
    }
    let _ = (attempt_id, position);
}
