//! The dashboard: what each role sees first (the applicant's test and stages, the staff's
//! overview).

use super::*;

impl Services {
    pub(crate) async fn dashboard(&self, user: &UserInfo) -> Result<Dashboard, AppError> {
        let mut d = Dashboard {
            user: user.clone(),
            test: None,
            stages: vec![],
            overview: None,
        };
        if user.role == Role::Applicant {
            if let Some(bp_row) = self.store.active_blueprint().await? {
                let bp: Blueprint = serde_json::from_str(&bp_row.spec).map_err(internal)?;
                let attempt = self.store.attempt_for(&user.id, &bp.id).await?;
                let attempt = match attempt {
                    Some(a) => Some(self.expire_if_due(a).await?),
                    None => None,
                };
                d.test = Some(TestCard {
                    blueprint_id: bp.id.clone(),
                    blueprint_name: bp.name.clone(),
                    item_count: bp.item_count(),
                    time_limit_minutes: bp.time_limit_minutes,
                    pass_percent: bp.pass_percent,
                    languages: bp.offered_languages(),
                    seated_only: bp.seated_only,
                    sitting: match self.store.seat_for(&user.id, &bp.id).await? {
                        Some(seat) => {
                            self.store
                                .sitting(&seat.sitting_id)
                                .await?
                                .map(|s| SittingCard {
                                    id: s.id,
                                    name: s.name,
                                    opens_ms: s.opens_at,
                                    closes_ms: s.closes_at,
                                    requires_admission: s.requires_admission != 0,
                                    waiting: seat.checked_in_at.is_some()
                                        && seat.admitted_at.is_none(),
                                    admitted: seat.admitted_at.is_some(),
                                    camera: s.camera != 0,
                                    start_photo: false,
                                    refused: seat.refused_reason.clone(),
                                })
                        }
                        None => None,
                    },
                    attempt: attempt
                        .map(|a| {
                            Ok::<_, AppError>(AttemptSummary {
                                status: Self::status(&a)?,
                                id: a.id,
                                deadline_ms: a.deadline,
                            })
                        })
                        .transpose()?,
                });
            }
            if let Some(card) = d.test.as_mut()
                && let Some(s) = card.sitting.as_mut()
                && s.camera
            {
                s.start_photo = self.has_start_photo(&user.id, &s.id).await?;
            }
            // The newest application's stages, where the applicant has applied; else the
            // stage-one record of the test alone.
            let recorded: Vec<(i64, String, i64)> =
                match self.store.applications_of_user(&user.id).await?.first() {
                    Some(app) => self
                        .store
                        .outcomes(&app.id)
                        .await?
                        .into_iter()
                        .map(|o| (o.stage, o.status, o.recorded_at))
                        .collect(),
                    None => self
                        .store
                        .stages(&user.id)
                        .await?
                        .into_iter()
                        .map(|s| (s.stage, s.status, s.recorded_at))
                        .collect(),
                };
            d.stages = (1..=5u8)
                .map(|n| {
                    let r = recorded.iter().find(|s| s.0 == i64::from(n));
                    StageView {
                        stage: n,
                        status: r
                            .and_then(|r| StageStatus::parse(&r.1))
                            .unwrap_or(StageStatus::Pending),
                        updated_ms: r.map(|r| r.2),
                    }
                })
                .collect();
        } else {
            let lang = Language::Ru;
            let names = self.competency_names(lang).await?;
            let counts = self.store.attempt_counts().await?;
            d.overview = Some(Overview {
                items_by_competency: self
                    .store
                    .count_published_by_competency()
                    .await?
                    .into_iter()
                    .map(|(code, count)| CountRow {
                        label: names.get(&code).cloned().unwrap_or(code),
                        count,
                    })
                    .collect(),
                attempts_in_progress: counts.in_progress,
                attempts_submitted: counts.closed,
                attempts_passed: counts.passed,
            });
        }
        Ok(d)
    }
}
