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
}
