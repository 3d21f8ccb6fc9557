//! The funnel report (counts and conversion by stage, region or year) and its CSV.

use super::*;

/// The funnel as CSV: one line per group, counts then conversion rates.
pub fn funnel_csv(r: &FunnelReport) -> String {
    let mut out = String::from("group");
    for s in &r.steps {
        out.push(',');
        out.push_str(s);
    }
    for s in r.steps.iter().skip(1) {
        out.push_str(&format!(",{s}_rate"));
    }
    out.push('\n');
    for row in r.rows.iter().chain(std::iter::once(&r.total)) {
        let group = if row.group.contains([',', '"']) {
            format!("\"{}\"", row.group.replace('"', "\"\""))
        } else {
            row.group.clone()
        };
        out.push_str(&group);
        for c in &row.counts {
            out.push_str(&format!(",{c}"));
        }
        for c in row.conversion.iter().skip(1) {
            out.push_str(&format!(",{c}"));
        }
        out.push('\n');
    }
    out
}

impl Services {
    /// The funnel of a campaign (or all), by region, year or in total.
    pub async fn funnel(
        &self,
        user: &UserInfo,
        campaign_id: Option<&str>,
        by: &str,
    ) -> Result<FunnelReport, AppError> {
        require_admin(user)?;
        let campaign_id = campaign_id.filter(|c| !c.is_empty());
        if let Some(c) = campaign_id {
            self.campaign_row(c).await?;
        }
        let by = match by {
            "region" | "year" => by,
            _ => "all",
        };
        let entries: Vec<selection::FunnelEntry> = self
            .store()
            .funnel_rows(campaign_id)
            .await?
            .into_iter()
            .map(|r| {
                let statuses = [&r.s1, &r.s2, &r.s3, &r.s4, &r.s5];
                let passed = statuses
                    .iter()
                    .take_while(|s| s.as_deref() == Some("passed"))
                    .count();
                selection::FunnelEntry {
                    region: r.region,
                    year: i32::try_from(r.year).unwrap_or(0),
                    stages_passed: u8::try_from(passed).unwrap_or(0),
                    in_reserve: r.reserve != 0,
                    appointed: r.appointed != 0,
                }
            })
            .collect();
        let view = |r: selection::FunnelRow| FunnelRowView {
            conversion: r.conversion(),
            group: r.group,
            counts: r.counts,
        };
        let total = selection::funnel(&entries, "all")
            .into_iter()
            .next()
            .map(view)
            .unwrap_or(FunnelRowView {
                group: "all".into(),
                counts: vec![0; selection::FUNNEL_STEPS.len()],
                conversion: vec![0.0; selection::FUNNEL_STEPS.len()],
            });
        let rows = if by == "all" {
            Vec::new()
        } else {
            selection::funnel(&entries, by)
                .into_iter()
                .map(view)
                .collect()
        };
        Ok(FunnelReport {
            campaign_id: campaign_id.map(str::to_string),
            by: by.into(),
            steps: selection::FUNNEL_STEPS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            total,
            rows,
        })
    }
}
