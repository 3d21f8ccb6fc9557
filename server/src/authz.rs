//! The authorization matrix: every API route and server function, the roles that may call it
//! and the ownership rule its handler applies. One table, enforced before any handler runs
//! (`http::middleware::enforce`) (a route missing from it is refused to everybody), printed by `qabilet routes` and
//! walked by the end-to-end test `authorization_matrix`, which calls every entry as every role
//! and as nobody.
//!
//! The handlers keep their own checks (the pages call the same services during server
//! rendering without passing through HTTP); the test also catches a handler that refuses a
//! role the table allows.

use app::model::{Role, UserInfo};
use serde::Serialize;

/// Who may call a route.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "roles")]
pub enum Allow {
    /// No sign-in needed.
    Anyone,
    /// Any signed-in account.
    SignedIn,
    /// Signed in with one of these roles.
    Roles(&'static [Role]),
}

impl Allow {
    pub fn admits(&self, user: Option<&UserInfo>) -> bool {
        match self {
            Allow::Anyone => true,
            Allow::SignedIn => user.is_some(),
            Allow::Roles(roles) => user.is_some_and(|u| roles.contains(&u.role)),
        }
    }
}

/// One row of the matrix.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Entry {
    pub method: &'static str,
    /// The route pattern as the router knows it (`{id}` for parameters); server functions as
    /// `/api/fn/<name>`.
    pub path: &'static str,
    pub allow: Allow,
    /// The ownership rule the handler applies on top of the role ("-" when none).
    pub owner: &'static str,
}

use Role::{
    Admin as AD, Applicant as AP, Commission as CO, Expert as EX, Methodologist as ME,
    Proctor as PR,
};

const ANY: Allow = Allow::Anyone;
const SIGNED: Allow = Allow::SignedIn;
const APPLICANT: Allow = Allow::Roles(&[AP]);
const ADMIN: Allow = Allow::Roles(&[AD]);
const BANK: Allow = Allow::Roles(&[ME, AD]);
const METHODOLOGIST: Allow = Allow::Roles(&[ME]);
const WATCHERS: Allow = Allow::Roles(&[PR, AD]);
const ATTEMPT_READERS: Allow = Allow::Roles(&[AP, PR, AD]);
const EXPERT: Allow = Allow::Roles(&[EX]);
const COMMISSION: Allow = Allow::Roles(&[CO]);
const HOLDER_OR_ADMIN: Allow = Allow::Roles(&[AP, AD]);
const STAFF: Allow = Allow::Roles(&[ME, AD, EX, CO, PR]);

const fn e(method: &'static str, path: &'static str, allow: Allow, owner: &'static str) -> Entry {
    Entry {
        method,
        path,
        allow,
        owner,
    }
}

const OWN_ATTEMPT: &str = "the attempt is the caller's";
const READ_ATTEMPT: &str = "applicants: their own attempt; proctors: attempts in their sittings";
const OWN_SITTING: &str = "proctors: sittings they are assigned to";
const OWN_APPLICATION: &str = "applicants: their own application";

/// Every API route and server function.
pub const MATRIX: &[Entry] = &[
    // Accounts.
    e("POST", "/api/v1/auth/login", ANY, "-"),
    e("POST", "/api/v1/auth/register", ANY, "-"),
    e(
        "POST",
        "/api/v1/auth/logout",
        ANY,
        "signs out the caller's own session, if any",
    ),
    e(
        "POST",
        "/api/v1/auth/refresh",
        SIGNED,
        "renews the caller's own session",
    ),
    e(
        "POST",
        "/api/v1/auth/password",
        SIGNED,
        "the caller's own password",
    ),
    e("GET", "/api/v1/me", SIGNED, "the caller"),
    e("GET", "/api/v1/me/preferences", SIGNED, "the caller"),
    e("PUT", "/api/v1/me/preferences", SIGNED, "the caller"),
    e("POST", "/api/v1/users", ADMIN, "-"),
    e("POST", "/api/v1/users/{email}/password-reset", ADMIN, "-"),
    e("PUT", "/api/v1/users/{email}/iin", ADMIN, "-"),
    // The stage-one test.
    e("GET", "/api/v1/dashboard", SIGNED, "the caller's own page"),
    e(
        "POST",
        "/api/v1/attempts",
        APPLICANT,
        "a seat of the caller's",
    ),
    e(
        "GET",
        "/api/v1/attempts/{id}",
        ATTEMPT_READERS,
        READ_ATTEMPT,
    ),
    e(
        "PUT",
        "/api/v1/attempts/{id}/responses/{item_id}",
        APPLICANT,
        OWN_ATTEMPT,
    ),
    e(
        "POST",
        "/api/v1/attempts/{id}/submit",
        APPLICANT,
        OWN_ATTEMPT,
    ),
    e(
        "GET",
        "/api/v1/attempts/{id}/result",
        ATTEMPT_READERS,
        READ_ATTEMPT,
    ),
    e(
        "GET",
        "/api/v1/attempts/{id}/events",
        WATCHERS,
        READ_ATTEMPT,
    ),
    e(
        "POST",
        "/api/v1/attempts/{id}/signals",
        APPLICANT,
        OWN_ATTEMPT,
    ),
    e("GET", "/api/v1/attempts/{id}/live", APPLICANT, OWN_ATTEMPT),
    // The question bank.
    e("GET", "/api/v1/bank/items", BANK, "-"),
    e("POST", "/api/v1/bank/items", BANK, "-"),
    e("GET", "/api/v1/bank/items/{id}", BANK, "-"),
    e("PUT", "/api/v1/bank/items/{id}", BANK, "-"),
    e("POST", "/api/v1/bank/items/{id}/submit", BANK, "-"),
    e(
        "POST",
        "/api/v1/bank/items/{id}/review",
        METHODOLOGIST,
        "not the item's author",
    ),
    e("POST", "/api/v1/bank/items/{id}/retire", BANK, "-"),
    e(
        "POST",
        "/api/v1/bank/items/{id}/restore/{version}",
        BANK,
        "-",
    ),
    e("GET", "/api/v1/bank/items/{id}/history", BANK, "-"),
    e("POST", "/api/v1/bank/bulk", BANK, "-"),
    e("POST", "/api/v1/bank/import", BANK, "-"),
    e("GET", "/api/v1/bank/export", BANK, "-"),
    e("POST", "/api/v1/bank/attachments", BANK, "-"),
    e(
        "GET",
        "/api/v1/attachments/{sha256}",
        SIGNED,
        "applicants: images of items in their own attempts",
    ),
    e("GET", "/api/v1/bank/competencies", BANK, "-"),
    e("PUT", "/api/v1/bank/competencies/{code}", BANK, "-"),
    // Blueprints and keys.
    e("GET", "/api/v1/blueprints", BANK, "-"),
    e("POST", "/api/v1/blueprints/check", BANK, "-"),
    e("GET", "/api/v1/blueprints/{id}", BANK, "-"),
    e("PUT", "/api/v1/blueprints/{id}", BANK, "-"),
    e("POST", "/api/v1/blueprints/{id}/activate", BANK, "-"),
    e("POST", "/api/v1/blueprints/{id}/rescore", BANK, "-"),
    e("GET", "/api/v1/score-changes", BANK, "-"),
    e("GET", "/api/v1/blueprints/{id}/analysis", BANK, "-"),
    e("GET", "/api/v1/blueprints/{id}/analysis.csv", BANK, "-"),
    e("POST", "/api/v1/bank/items/{id}/send-back", BANK, "-"),
    e("POST", "/api/v1/blueprints/{id}/calibration", BANK, "-"),
    e("GET", "/api/v1/bank/calibrations", BANK, "-"),
    e("GET", "/api/v1/bank/parameters", BANK, "-"),
    e("POST", "/api/v1/bank/calibrations", BANK, "-"),
    e(
        "GET",
        "/api/v1/standard-settings",
        STAFF,
        "methodologists and administrators: all; others: the workshops they judge",
    ),
    e("POST", "/api/v1/standard-settings", BANK, "-"),
    e(
        "GET",
        "/api/v1/standard-settings/{id}",
        STAFF,
        "methodologists and administrators, or a judge of the workshop",
    ),
    e(
        "PUT",
        "/api/v1/standard-settings/{id}/ratings",
        STAFF,
        "a judge of the workshop",
    ),
    e("POST", "/api/v1/standard-settings/{id}/rounds", BANK, "-"),
    e("POST", "/api/v1/standard-settings/{id}/adopt", BANK, "-"),
    e(
        "POST",
        "/api/v1/bank/items/{id}/versions/{version}/key",
        BANK,
        "-",
    ),
    // Sittings and proctoring.
    e("GET", "/api/v1/sittings", WATCHERS, OWN_SITTING),
    e("POST", "/api/v1/sittings", ADMIN, "-"),
    e("GET", "/api/v1/sittings/{id}", WATCHERS, OWN_SITTING),
    e("POST", "/api/v1/sittings/{id}/proctors", ADMIN, "-"),
    e("POST", "/api/v1/sittings/{id}/applicants", ADMIN, "-"),
    e(
        "GET",
        "/api/v1/sittings/{id}/monitor",
        WATCHERS,
        OWN_SITTING,
    ),
    e("GET", "/api/v1/sittings/{id}/feed", WATCHERS, OWN_SITTING),
    e("POST", "/api/v1/sittings/{id}/pause", WATCHERS, OWN_SITTING),
    e(
        "POST",
        "/api/v1/sittings/{id}/resume",
        WATCHERS,
        OWN_SITTING,
    ),
    e(
        "GET",
        "/api/v1/sittings/{id}/incidents.csv",
        WATCHERS,
        OWN_SITTING,
    ),
    e(
        "POST",
        "/api/v1/sittings/{id}/applicants/{user_id}/intervene",
        WATCHERS,
        OWN_SITTING,
    ),
    e(
        "POST",
        "/api/v1/practice",
        APPLICANT,
        "the caller's own practice attempt",
    ),
    e(
        "POST",
        "/api/v1/sittings/{id}/messages",
        WATCHERS,
        OWN_SITTING,
    ),
    e(
        "POST",
        "/api/v1/sittings/{id}/applicants/{user_id}/messages",
        WATCHERS,
        OWN_SITTING,
    ),
    e(
        "GET",
        "/api/v1/attempts/{id}/messages",
        APPLICANT,
        OWN_ATTEMPT,
    ),
    e(
        "POST",
        "/api/v1/me/photo",
        APPLICANT,
        "the caller's own photo",
    ),
    e(
        "POST",
        "/api/v1/attempts/{id}/snapshots",
        APPLICANT,
        OWN_ATTEMPT,
    ),
    e(
        "GET",
        "/api/v1/photos/{id}",
        WATCHERS,
        "proctors: applicants seated in their sittings (every view logged)",
    ),
    e(
        "GET",
        "/api/v1/sittings/{id}/applicants/{user_id}/identity",
        WATCHERS,
        OWN_SITTING,
    ),
    e(
        "POST",
        "/api/v1/attempts/{id}/messages",
        APPLICANT,
        OWN_ATTEMPT,
    ),
    e("GET", "/api/v1/time", ANY, "-"),
    e(
        "GET",
        "/api/v1/sittings/{id}/credit-requests",
        WATCHERS,
        OWN_SITTING,
    ),
    e(
        "POST",
        "/api/v1/credit-requests/{id}",
        WATCHERS,
        "proctors: requests of attempts in their sittings",
    ),
    // The selection pipeline.
    e(
        "GET",
        "/api/v1/campaigns",
        SIGNED,
        "non-admins: open campaigns only",
    ),
    e(
        "GET",
        "/api/v1/campaigns/{id}",
        SIGNED,
        "non-admins: open campaigns only",
    ),
    e("PUT", "/api/v1/campaigns/{id}", ADMIN, "-"),
    e("GET", "/api/v1/campaigns/{id}/applications", ADMIN, "-"),
    e(
        "POST",
        "/api/v1/campaigns/{id}/applications",
        APPLICANT,
        "one application of the caller's per campaign",
    ),
    e(
        "POST",
        "/api/v1/campaigns/{id}/applications/import",
        ADMIN,
        "-",
    ),
    e(
        "POST",
        "/api/v1/campaigns/{id}/stages/{stage}/import",
        ADMIN,
        "-",
    ),
    e(
        "POST",
        "/api/v1/campaigns/{id}/stages/{stage}/select",
        ADMIN,
        "-",
    ),
    e("GET", "/api/v1/campaigns/{id}/cuts", ADMIN, "-"),
    e("GET", "/api/v1/campaigns/{id}/panels/{panel}", ADMIN, "-"),
    e("PUT", "/api/v1/campaigns/{id}/panels/{panel}", ADMIN, "-"),
    e("GET", "/api/v1/campaigns/{id}/appeals", ADMIN, "-"),
    e(
        "GET",
        "/api/v1/me/applications",
        SIGNED,
        "the caller's own applications",
    ),
    e(
        "GET",
        "/api/v1/applications/{id}",
        HOLDER_OR_ADMIN,
        OWN_APPLICATION,
    ),
    e(
        "POST",
        "/api/v1/applications/{id}/stages/{stage}",
        ADMIN,
        "-",
    ),
    e(
        "POST",
        "/api/v1/applications/{id}/report",
        APPLICANT,
        OWN_APPLICATION,
    ),
    e(
        "POST",
        "/api/v1/applications/{id}/appeals",
        APPLICANT,
        OWN_APPLICATION,
    ),
    e("POST", "/api/v1/applications/{id}/appointment", ADMIN, "-"),
    e(
        "GET",
        "/api/v1/marking",
        EXPERT,
        "reports assigned to the caller, by code only",
    ),
    e(
        "POST",
        "/api/v1/marking/{code}",
        EXPERT,
        "a report assigned to the caller",
    ),
    e(
        "GET",
        "/api/v1/interviews",
        COMMISSION,
        "panels the caller sits on",
    ),
    e(
        "POST",
        "/api/v1/interviews/{id}/score",
        COMMISSION,
        "panels the caller sits on",
    ),
    e(
        "POST",
        "/api/v1/interviews/{id}/decision",
        COMMISSION,
        "the panel's chair",
    ),
    e("GET", "/api/v1/appeals/{id}", ADMIN, "-"),
    e("POST", "/api/v1/appeals/{id}/decision", ADMIN, "-"),
    e(
        "GET",
        "/api/v1/public/certificates/{number}",
        ANY,
        "shows name, category, dates and state only",
    ),
    e(
        "GET",
        "/api/v1/certificates/{number}/pdf",
        HOLDER_OR_ADMIN,
        "applicants: their own certificate",
    ),
    e("POST", "/api/v1/certificates/{number}/revoke", ADMIN, "-"),
    e("GET", "/api/v1/reserve", ADMIN, "-"),
    e("GET", "/api/v1/reports/funnel", ADMIN, "-"),
    e("GET", "/api/v1/reports/funnel.csv", ADMIN, "-"),
    e("GET", "/api/v1/openapi.json", ANY, "-"),
    // Server functions (the pages' calls).
    e("POST", "/api/fn/login", ANY, "-"),
    e("POST", "/api/fn/register", ANY, "-"),
    e(
        "POST",
        "/api/fn/logout",
        ANY,
        "signs out the caller's own session, if any",
    ),
    e("POST", "/api/fn/me", ANY, "the caller, or nobody"),
    e(
        "POST",
        "/api/fn/refresh",
        SIGNED,
        "renews the caller's own session",
    ),
    e(
        "POST",
        "/api/fn/change_password",
        SIGNED,
        "the caller's own password",
    ),
    e("POST", "/api/fn/reset_password", ADMIN, "-"),
    e("POST", "/api/fn/create_account", ADMIN, "-"),
    e("POST", "/api/fn/preferences", SIGNED, "the caller"),
    e(
        "POST",
        "/api/fn/certificate",
        ANY,
        "shows name, category, dates and state only",
    ),
    e("POST", "/api/fn/dashboard", SIGNED, "the caller's own page"),
    e(
        "POST",
        "/api/fn/start_attempt",
        APPLICANT,
        "a seat of the caller's",
    ),
    e("POST", "/api/fn/attempt", ATTEMPT_READERS, READ_ATTEMPT),
    e("POST", "/api/fn/save", APPLICANT, OWN_ATTEMPT),
    e("POST", "/api/fn/submit", APPLICANT, OWN_ATTEMPT),
    e("POST", "/api/fn/result", ATTEMPT_READERS, READ_ATTEMPT),
    e("POST", "/api/fn/bank_list", BANK, "-"),
    e("POST", "/api/fn/bank_item", BANK, "-"),
    // Standard setting, item analysis and calibration
    e(
        "POST",
        "/api/fn/standard_settings",
        STAFF,
        "methodologists and administrators: all; others: the workshops they judge",
    ),
    e("POST", "/api/fn/standard_setting_create", BANK, "-"),
    e(
        "POST",
        "/api/fn/standard_setting",
        STAFF,
        "methodologists and administrators, or a judge of the workshop",
    ),
    e(
        "POST",
        "/api/fn/standard_setting_rate",
        STAFF,
        "a judge of the workshop",
    ),
    e("POST", "/api/fn/standard_setting_next_round", BANK, "-"),
    e("POST", "/api/fn/standard_setting_adopt", BANK, "-"),
    e("POST", "/api/fn/item_analysis", BANK, "-"),
    e("POST", "/api/fn/calibrate_blueprint", BANK, "-"),
    e("POST", "/api/fn/send_back_to_review", BANK, "-"),
    // Sittings and proctoring
    e(
        "POST",
        "/api/fn/attempt_events",
        WATCHERS,
        "proctors: attempts in their sittings",
    ),
    e("POST", "/api/fn/sittings", WATCHERS, OWN_SITTING),
    e("POST", "/api/fn/sitting_create", ADMIN, "-"),
    e("POST", "/api/fn/sitting_assign", ADMIN, "-"),
    e("POST", "/api/fn/sitting_pause", WATCHERS, OWN_SITTING),
    e("POST", "/api/fn/applicant_identity", WATCHERS, OWN_SITTING),
    e("POST", "/api/fn/intervene", WATCHERS, OWN_SITTING),
    e("POST", "/api/fn/message_sitting", WATCHERS, OWN_SITTING),
    e("POST", "/api/fn/message_applicant", WATCHERS, OWN_SITTING),
    e("POST", "/api/fn/credit_requests", WATCHERS, OWN_SITTING),
    e(
        "POST",
        "/api/fn/decide_credit",
        WATCHERS,
        "proctors: requests of attempts in their sittings",
    ),
    // The selection pipeline
    e(
        "POST",
        "/api/fn/campaigns",
        SIGNED,
        "non-admins: open campaigns only",
    ),
    e(
        "POST",
        "/api/fn/campaign",
        SIGNED,
        "non-admins: open campaigns only",
    ),
    e("POST", "/api/fn/campaign_save", ADMIN, "-"),
    e("POST", "/api/fn/campaign_applications", ADMIN, "-"),
    e(
        "POST",
        "/api/fn/apply",
        APPLICANT,
        "one application of the caller's per campaign",
    ),
    e(
        "POST",
        "/api/fn/my_applications",
        SIGNED,
        "the caller's own applications",
    ),
    e(
        "POST",
        "/api/fn/application",
        HOLDER_OR_ADMIN,
        OWN_APPLICATION,
    ),
    e("POST", "/api/fn/record_stage", ADMIN, "-"),
    e("POST", "/api/fn/select_stage", ADMIN, "-"),
    e("POST", "/api/fn/campaign_cuts", ADMIN, "-"),
    e("POST", "/api/fn/panel", ADMIN, "-"),
    e("POST", "/api/fn/panel_save", ADMIN, "-"),
    e("POST", "/api/fn/submit_report", APPLICANT, OWN_APPLICATION),
    e("POST", "/api/fn/campaign_appeals", ADMIN, "-"),
    e("POST", "/api/fn/file_appeal", APPLICANT, OWN_APPLICATION),
    e("POST", "/api/fn/appeal_detail", ADMIN, "-"),
    e("POST", "/api/fn/decide_appeal", ADMIN, "-"),
    e("POST", "/api/fn/appoint", ADMIN, "-"),
    e("POST", "/api/fn/reserve_list", ADMIN, "-"),
    e("POST", "/api/fn/funnel_counts", ADMIN, "-"),
    e(
        "POST",
        "/api/fn/marking_tasks",
        EXPERT,
        "reports assigned to the caller, by code only",
    ),
    e(
        "POST",
        "/api/fn/mark_report",
        EXPERT,
        "a report assigned to the caller",
    ),
    e(
        "POST",
        "/api/fn/interview_list",
        COMMISSION,
        "panels the caller sits on",
    ),
    e(
        "POST",
        "/api/fn/interview_score",
        COMMISSION,
        "panels the caller sits on",
    ),
    e(
        "POST",
        "/api/fn/interview_decide",
        COMMISSION,
        "the panel's chair",
    ),
    e("POST", "/api/fn/revoke_certificate", ADMIN, "-"),
    // The applicant during a sitting
    e("POST", "/api/fn/attempt_signals", APPLICANT, OWN_ATTEMPT),
    e("POST", "/api/fn/attempt_messages", APPLICANT, OWN_ATTEMPT),
    e("POST", "/api/fn/message_proctors", APPLICANT, OWN_ATTEMPT),
    e(
        "POST",
        "/api/fn/start_practice",
        APPLICANT,
        "the caller's own practice attempt",
    ),
    e("POST", "/api/fn/bank_create", BANK, "-"),
    e("POST", "/api/fn/bank_update", BANK, "-"),
    e(
        "POST",
        "/api/fn/bank_step",
        BANK,
        "reviews: not the item's author",
    ),
    e("POST", "/api/fn/bank_restore", BANK, "-"),
    e("POST", "/api/fn/bank_history", BANK, "-"),
    e("POST", "/api/fn/bank_bulk", BANK, "-"),
    e("POST", "/api/fn/bank_competencies", BANK, "-"),
    e("POST", "/api/fn/bank_put_competency", BANK, "-"),
    e("POST", "/api/fn/blueprint_list", BANK, "-"),
    e("POST", "/api/fn/blueprint_get", BANK, "-"),
    e("POST", "/api/fn/blueprint_save", BANK, "-"),
    e("POST", "/api/fn/blueprint_activate", BANK, "-"),
    e("POST", "/api/fn/blueprint_check", BANK, "-"),
    e("POST", "/api/fn/blueprint_rescore", BANK, "-"),
    e("POST", "/api/fn/score_changes", BANK, "-"),
    e("POST", "/api/fn/correct_key", BANK, "-"),
    e("POST", "/api/fn/correction_reach", BANK, "-"),
];

/// The rows by (method, path), built once: every request looks its row up.
fn index() -> &'static std::collections::HashMap<(&'static str, &'static str), &'static Entry> {
    static INDEX: std::sync::OnceLock<
        std::collections::HashMap<(&'static str, &'static str), &'static Entry>,
    > = std::sync::OnceLock::new();
    INDEX.get_or_init(|| MATRIX.iter().map(|e| ((e.method, e.path), e)).collect())
}

/// The row for a request: server functions by their path, API routes by their pattern.
pub fn lookup(method: &str, path: &str) -> Option<&'static Entry> {
    match index().get(&(method, path)) {
        Some(e) => Some(e),
        None if method.bytes().any(|b| b.is_ascii_lowercase()) => index()
            .get(&(method.to_ascii_uppercase().as_str(), path))
            .copied(),
        None => None,
    }
}

pub use app::backend::Verified;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for e in MATRIX {
            assert!(
                seen.insert((e.method, e.path)),
                "{} {} twice",
                e.method,
                e.path
            );
            assert!(
                matches!(e.method, "GET" | "POST" | "PUT" | "DELETE"),
                "{}",
                e.method
            );
            assert!(e.path.starts_with("/api/v1/") || e.path.starts_with("/api/fn/"));
            if let Allow::Roles(r) = e.allow {
                assert!(!r.is_empty(), "{} admits nobody", e.path);
            }
        }
    }

    #[test]
    fn lookup_finds_patterns_not_addresses() {
        assert!(lookup("GET", "/api/v1/attempts/{id}").is_some());
        assert!(lookup("get", "/api/v1/attempts/{id}").is_some());
        assert!(lookup("GET", "/api/v1/attempts/123").is_none());
        assert!(lookup("DELETE", "/api/v1/attempts/{id}").is_none());
    }

    #[test]
    fn roles_are_admitted_as_listed() {
        let user = |role| UserInfo {
            id: "u".into(),
            email: "u@x".into(),
            full_name: "U".into(),
            role,
            session: String::new(),
        };
        assert!(ANY.admits(None));
        assert!(!SIGNED.admits(None));
        assert!(SIGNED.admits(Some(&user(Role::Expert))));
        assert!(BANK.admits(Some(&user(Role::Admin))));
        assert!(!BANK.admits(Some(&user(Role::Applicant))));
        assert!(!ADMIN.admits(None));
    }
}
