//! Items in and out: imports (every format), exports, images and attachments.

use super::*;

impl Services {
    /// Imports a file: every item or none. New ids become drafts; ids the bank has get a new
    /// draft version. With `publish` (the command line only), items are published at once.
    pub async fn bank_import(
        &self,
        actor: &Actor,
        format: Format,
        text: &str,
        options: &ImportOptions,
        dry_run: bool,
        publish: bool,
    ) -> Result<ImportReport, AppError> {
        let note = |p: &formats::Position, m: String| ImportNote {
            at: p.to_string(),
            message: m,
        };
        let mut report = ImportReport {
            dry_run,
            format: format.as_str().into(),
            created: vec![],
            updated: vec![],
            skipped: vec![],
            warnings: vec![],
            errors: vec![],
            new_competencies: vec![],
            ready: vec![],
        };
        if text.len() > MAX_IMPORT_BYTES {
            report.errors.push(ImportNote {
                at: "file".into(),
                message: format!(
                    "the file has {} bytes; at most {MAX_IMPORT_BYTES} are taken",
                    text.len()
                ),
            });
            return Ok(report);
        }
        let imported = match formats::import(format, text, options) {
            Ok(i) => i,
            Err(errors) => {
                report.errors = errors
                    .into_iter()
                    .map(|e| note(&e.position, e.message))
                    .collect();
                return Ok(report);
            }
        };
        report.skipped = imported
            .skipped
            .iter()
            .map(|s| {
                note(
                    &s.position,
                    format!(
                        "{} question {:?} is not a type Qabilet takes; skipped",
                        s.kind, s.name
                    ),
                )
            })
            .collect();
        report.warnings = imported
            .warnings
            .iter()
            .map(|w| note(&w.position, w.message.clone()))
            .collect();

        // Competencies: codes from the categories; new ones join the taxonomy.
        let known: HashMap<String, CompetencyRow> = self
            .store()
            .competencies()
            .await?
            .into_iter()
            .map(|c| (c.code.clone(), c))
            .collect();
        let mut new_competencies: BTreeMap<String, CompetencyRow> = BTreeMap::new();
        let next_position = known.values().map(|c| c.position).max().unwrap_or(0) + 1;
        for i in &imported.items {
            let code = &i.item.competency;
            if !known.contains_key(code) && !new_competencies.contains_key(code) {
                let label = i
                    .category
                    .as_deref()
                    .and_then(|c| c.trim_end_matches('/').rsplit('/').next())
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .unwrap_or(code);
                let names = LocalizedText::new().with(options.language, label);
                new_competencies.insert(
                    code.clone(),
                    CompetencyRow {
                        code: code.clone(),
                        position: next_position
                            + i64::try_from(new_competencies.len()).unwrap_or(0),
                        names: serde_json::to_string(&names).map_err(internal)?,
                    },
                );
            }
        }
        report.new_competencies = new_competencies.keys().cloned().collect();

        let ids: Vec<String> = imported
            .items
            .iter()
            .map(|i| i.item.id.to_string())
            .collect();
        let heads: HashMap<String, ItemHeadRow> = self
            .store()
            .item_heads(&ids)
            .await?
            .into_iter()
            .map(|h| (h.item_id.clone(), h))
            .collect();
        let now = self.now();
        let mut write = BankWrite::default();
        let mut ready: BTreeMap<&'static str, u32> = BTreeMap::new();
        let comment = format!("imported from {}", format.as_str());
        for i in &imported.items {
            for l in i.item.ready_languages() {
                *ready.entry(l.code()).or_default() += 1;
            }
            let head = heads.get(i.item.id.as_str());
            if head.is_some_and(|h| h.status == ItemStatus::InReview.as_str()) {
                report.errors.push(note(
                    &i.position,
                    format!(
                        "item {} is in review; finish the review before importing a new version",
                        i.item.id
                    ),
                ));
                continue;
            }
            let mut planned = Self::plan(&i.item, head, actor, "imported", &comment, now)?;
            if publish {
                for v in &mut planned.write.versions {
                    v.status = ItemStatus::Published.as_str().into();
                }
                for h in &mut planned.write.heads {
                    if let Some(old) = h.published_version.filter(|p| *p != h.head_version) {
                        planned.write.statuses.push((
                            h.item_id.clone(),
                            old,
                            ItemStatus::Superseded.as_str().into(),
                        ));
                    }
                    h.status = ItemStatus::Published.as_str().into();
                    h.published_version = Some(h.head_version);
                }
                planned.write.audit.push(audit(
                    i.item.id.as_str(),
                    planned.write.heads.first().map_or(1, |h| h.head_version),
                    actor,
                    "approved",
                    "published by the import (command line)",
                    now,
                ));
            }
            if planned.created {
                report.created.push(i.item.id.to_string());
            } else {
                report.updated.push(i.item.id.to_string());
            }
            for f in &i.files {
                let a = formats::attachment_for(f);
                write
                    .files
                    .push((a.sha256, f.media_type.clone(), f.bytes.clone()));
            }
            let w = planned.write;
            write.expect.extend(w.expect);
            write.versions.extend(w.versions);
            write.statuses.extend(w.statuses);
            write.heads.extend(w.heads);
            write.audit.extend(w.audit);
        }
        report.ready = ready.into_iter().map(|(l, n)| (l.to_string(), n)).collect();
        if !report.errors.is_empty() || dry_run {
            if !report.errors.is_empty() {
                report.created.clear();
                report.updated.clear();
            }
            return Ok(report);
        }
        for c in new_competencies.values() {
            self.store().upsert_competency(c).await?;
        }
        self.write_bank(&write).await.map_err(conflict_or)?;
        tracing::info!(
            created = report.created.len(),
            updated = report.updated.len(),
            "bank import"
        );
        Ok(report)
    }

    /// Exports the bank: the newest version of every item, or with `published_only` the
    /// published version of every item that has one.
    pub async fn bank_export(
        &self,
        format: Format,
        published_only: bool,
    ) -> Result<String, AppError> {
        let mut items = Vec::new();
        for h in self.store().all_heads().await? {
            let version = if published_only {
                match h.published_version {
                    Some(v) => v,
                    None => continue,
                }
            } else {
                h.head_version
            };
            let (item, _) = self.version_item(&h.item_id, version).await?;
            items.push(item);
        }
        let store = self.store().clone();
        // Embed attachment bytes (Moodle XML).
        let mut bytes: HashMap<String, Vec<u8>> = HashMap::new();
        if format == Format::MoodleXml {
            for a in items.iter().flat_map(|i| &i.attachments) {
                if !bytes.contains_key(&a.sha256)
                    && let Some((_, b)) = store.attachment(&a.sha256).await?
                {
                    bytes.insert(a.sha256.clone(), b);
                }
            }
        }
        Ok(match format {
            Format::MoodleXml => {
                formats::moodle_xml::write_with(&items, &|_, a| bytes.get(&a.sha256).cloned())
            }
            other => formats::export(other, &items),
        })
    }

    /// Stores an image for items to show (once per content digest) and returns its record.
    pub async fn bank_upload(
        &self,
        user: &UserInfo,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<question_bank::Attachment, AppError> {
        Self::require_bank(user)?;
        let name_ok = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !name_ok {
            return Err(AppError::invalid(
                "The file name must be 1-64 characters of a-z, A-Z, 0-9, '-', '_' or '.'.",
            ));
        }
        let media_type = image_type(&bytes)
            .ok_or_else(|| AppError::invalid("The file is not a PNG, JPEG, GIF or WebP image."))?;
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(AppError::new(
                ErrorCode::PayloadTooLarge,
                format!("An image may have at most {MAX_IMAGE_BYTES} bytes."),
            ));
        }
        let file = formats::FileData {
            name: name.into(),
            media_type: media_type.into(),
            bytes,
        };
        let a = formats::attachment_for(&file);
        let w = BankWrite {
            files: vec![(a.sha256.clone(), file.media_type, file.bytes)],
            ..Default::default()
        };
        self.write_bank(&w).await.map_err(conflict_or)?;
        Ok(a)
    }

    /// An image's bytes, for anyone signed in: images are addressed by the digest of their
    /// content, which only the items that show them name.
    pub async fn attachment_bytes(&self, sha256: &str) -> Result<(String, Vec<u8>), AppError> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::not_found("The image"));
        }
        self.store()
            .attachment(sha256)
            .await?
            .ok_or_else(|| AppError::not_found("The image"))
    }
}
