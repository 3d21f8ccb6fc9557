//! Admission with an identity check. The applicant gives a photo with the application; in a
//! remote sitting the page takes a webcam picture at the start (after the browser asks for
//! consent) and, where the sitting asks, low-resolution snapshots during the test. The proctor's
//! admission view shows the photos, the name and the masked IIN; the proctor admits (identity
//! checked) or refuses with a reason.
//!
//! Photos are personal data: only the proctors of a sitting the applicant is seated in, and
//! administrators, see them; every view is logged (`photo_views`); they are deleted after the
//! retention period (`QABILET_PHOTO_RETENTION_DAYS`).

use crate::services::Services;
use crate::store::{PhotoMeta, PhotoRow};
use app::error::{AppError, ErrorCode};
use app::model::*;

/// The largest photo taken.
pub const MAX_PHOTO_BYTES: usize = 2 * 1024 * 1024;
/// The largest snapshot (the page sends 320×240 JPEGs of about 15 KB).
pub const MAX_SNAPSHOT_BYTES: usize = 256 * 1024;
/// The most snapshots one attempt keeps.
pub const MAX_SNAPSHOTS: usize = 600;

/// The media type of a photo's bytes (PNG, JPEG or WebP, from the bytes, not the sender), or
/// the error to answer.
pub fn photo_type(bytes: &[u8]) -> Result<&'static str, AppError> {
    if bytes.is_empty() {
        return Err(AppError::invalid("The photo is empty."));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(AppError::new(
            ErrorCode::PayloadTooLarge,
            "A photo may have at most 2 MiB.",
        ));
    }
    match crate::services::bank::image_type(bytes) {
        Some(t @ ("image/png" | "image/jpeg" | "image/webp")) => Ok(t),
        _ => Err(AppError::invalid(
            "This is not a photo: send a PNG, JPEG or WebP image.",
        )),
    }
}

fn photo_ref(p: &PhotoMeta) -> PhotoRef {
    PhotoRef {
        id: p.id.clone(),
        kind: p.kind.clone(),
        taken_ms: p.taken_at,
    }
}

impl Services {
    async fn store_photo(
        &self,
        user: &UserInfo,
        kind: &str,
        sitting_id: Option<String>,
        attempt_id: Option<String>,
        media_type: &str,
        bytes: Vec<u8>,
    ) -> Result<PhotoRef, AppError> {
        let row = PhotoRow {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: user.id.clone(),
            kind: kind.into(),
            sitting_id,
            attempt_id,
            media_type: media_type.into(),
            bytes,
            taken_at: self.now(),
        };
        self.store().insert_photo(&row).await?;
        Ok(PhotoRef {
            id: row.id,
            kind: row.kind,
            taken_ms: row.taken_at,
        })
    }

    /// The applicant's photo with the application (`application`), or the picture at the
    /// start of a remote sitting (`start`).
    pub async fn upload_photo(
        &self,
        user: &UserInfo,
        kind: &str,
        bytes: Vec<u8>,
    ) -> Result<PhotoRef, AppError> {
        if user.role != Role::Applicant {
            return Err(AppError::forbidden());
        }
        let media_type = photo_type(&bytes)?;
        match kind {
            "application" => {
                self.store_photo(user, kind, None, None, media_type, bytes)
                    .await
            }
            "start" => {
                let bp = self
                    .store()
                    .active_blueprint()
                    .await?
                    .ok_or_else(|| AppError::not_found("An open stage-one test"))?;
                let seat = self
                    .store()
                    .seat_for(&user.id, &bp.id)
                    .await?
                    .ok_or_else(|| {
                        AppError::new(ErrorCode::Conflict, "You have no seat in a sitting.")
                    })?;
                let sitting = self
                    .store()
                    .sitting(&seat.sitting_id)
                    .await?
                    .ok_or_else(AppError::internal)?;
                if sitting.camera == 0 {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "Your sitting takes no picture at the start.",
                    ));
                }
                let photo = self
                    .store_photo(
                        user,
                        kind,
                        Some(sitting.id.clone()),
                        None,
                        media_type,
                        bytes,
                    )
                    .await?;
                self.hub.publish(crate::live::Live::Touch {
                    sitting: sitting.id,
                    user: user.id.clone(),
                });
                Ok(photo)
            }
            other => Err(AppError::invalid(format!(
                "Unknown kind {other:?}: use application or start."
            ))),
        }
    }

    /// Whether the applicant has a start picture for this sitting.
    pub(crate) async fn has_start_photo(
        &self,
        user_id: &str,
        sitting_id: &str,
    ) -> Result<bool, AppError> {
        Ok(self
            .store()
            .photos_of(user_id)
            .await?
            .iter()
            .any(|p| p.kind == "start" && p.sitting_id.as_deref() == Some(sitting_id)))
    }

    /// A snapshot during the test, where the sitting asks for them; at most one per half
    /// interval (a flood is refused).
    pub async fn upload_snapshot(
        &self,
        user: &UserInfo,
        attempt_id: &str,
        bytes: Vec<u8>,
    ) -> Result<PhotoRef, AppError> {
        let row = self.own_running_attempt(user, attempt_id).await?;
        if bytes.len() > MAX_SNAPSHOT_BYTES {
            return Err(AppError::new(
                ErrorCode::PayloadTooLarge,
                "A snapshot may have at most 256 KiB.",
            ));
        }
        let media_type = photo_type(&bytes)?;
        let sitting = match &row.sitting_id {
            Some(s) => self.store().sitting(s).await?,
            None => None,
        };
        let Some(every) = sitting.as_ref().and_then(|s| s.snapshot_seconds) else {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "This sitting takes no snapshots.",
            ));
        };
        let now = self.now();
        let taken: Vec<i64> = self
            .store()
            .photos_of(&user.id)
            .await?
            .into_iter()
            .filter(|p| p.kind == "snapshot" && p.attempt_id.as_deref() == Some(attempt_id))
            .map(|p| p.taken_at)
            .collect();
        if taken.len() >= MAX_SNAPSHOTS {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "This attempt has all the snapshots it keeps.",
            ));
        }
        if taken.iter().max().is_some_and(|t| now - t < every * 500) {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "A snapshot was taken a moment ago.",
            ));
        }
        let photo = self
            .store_photo(
                user,
                "snapshot",
                row.sitting_id.clone(),
                Some(row.id.clone()),
                media_type,
                bytes,
            )
            .await?;
        self.record(
            &row,
            "system",
            "snapshot",
            serde_json::json!({ "photo": photo.id }),
            "",
        )
        .await?;
        Ok(photo)
    }

    /// A photo's bytes, for an administrator or a proctor of a sitting its owner is seated
    /// in; the view is logged.
    pub async fn photo_bytes(
        &self,
        user: &UserInfo,
        id: &str,
    ) -> Result<(String, Vec<u8>), AppError> {
        let photo = match user.role {
            Role::Admin | Role::Proctor => self.store().photo(id).await?,
            _ => return Err(AppError::forbidden()),
        }
        .ok_or_else(|| AppError::not_found("The photo"))?;
        if user.role == Role::Proctor
            && !self
                .store()
                .proctors_applicant(&user.id, &photo.user_id)
                .await?
        {
            // Not theirs to see: as if it did not exist.
            return Err(AppError::not_found("The photo"));
        }
        self.store()
            .log_photo_view(&photo.id, &photo.user_id, &user.id, &user.email, self.now())
            .await?;
        Ok((photo.media_type, photo.bytes))
    }

    /// What the proctor needs to check an applicant's identity.
    pub async fn identity(
        &self,
        user: &UserInfo,
        sitting_id: &str,
        applicant_id: &str,
    ) -> Result<IdentityView, AppError> {
        self.watched_sitting(user, sitting_id).await?;
        let seat = self
            .store()
            .seat(sitting_id, applicant_id)
            .await?
            .ok_or_else(|| AppError::not_found("The applicant in this sitting"))?;
        let person = self
            .store()
            .user_by_id(applicant_id)
            .await?
            .ok_or_else(|| AppError::not_found("The applicant"))?;
        let iin = self.store().user_iin(applicant_id).await?;
        let photos = self.store().photos_of(applicant_id).await?;
        let application_photo = photos
            .iter()
            .rfind(|p| p.kind == "application")
            .map(photo_ref);
        let start_photo = photos
            .iter()
            .rfind(|p| p.kind == "start" && p.sitting_id.as_deref() == Some(sitting_id))
            .map(photo_ref);
        let snapshots = photos
            .iter()
            .filter(|p| p.kind == "snapshot" && p.sitting_id.as_deref() == Some(sitting_id))
            .map(photo_ref)
            .collect();
        Ok(IdentityView {
            user_id: person.id,
            full_name: person.full_name,
            email: person.email,
            iin_masked: iin.as_deref().map(question_bank::iin::masked),
            application_photo,
            start_photo,
            snapshots,
            admitted_by: seat.admitted_by,
            refused: seat.refused_reason,
        })
    }

    /// Deletes photos older than the retention period (the sweep leader calls it now and then).
    pub async fn expire_photos(&self) -> Result<u64, AppError> {
        let before = self.now() - self.settings().photo_retention_ms;
        let n = self.store().delete_photos_before(before).await?;
        if n > 0 {
            tracing::info!(photos = n, "photos past the retention period deleted");
        }
        Ok(n)
    }
}
