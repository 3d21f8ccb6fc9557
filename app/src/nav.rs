//! The page table: every route of the app, who it is for, and whether it is in the menu.
//!
//! One list, read three ways: the header's menu shows a person the pages of their role; the
//! server checks at start-up (and a unit test checks at build) that it names exactly the routes
//! the router has; and `qabilet routes --pages` prints it for the page crawler test, which opens
//! every page as every role without a line of its own per page.

use crate::model::Role;
use serde::Serialize;

/// Who a page is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "roles")]
pub enum Audience {
    /// Anybody, signed in or not (sign-in, registration, the certificate check).
    Anyone,
    /// Any signed-in account.
    SignedIn,
    /// Signed in with one of these roles.
    Roles(&'static [Role]),
}

impl Audience {
    pub fn admits(self, role: Option<Role>) -> bool {
        match self {
            Audience::Anyone => true,
            Audience::SignedIn => role.is_some(),
            Audience::Roles(roles) => role.is_some_and(|r| roles.contains(&r)),
        }
    }
}

/// One page.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Page {
    /// The route as the router knows it, parameters as `{name}`.
    pub path: &'static str,
    pub audience: Audience,
    /// Shown in the header's menu to the people it is for.
    pub menu: bool,
}

use Role::{
    Admin as AD, Applicant as AP, Commission as CO, Expert as EX, Methodologist as ME,
    Proctor as PR,
};

const fn p(path: &'static str, audience: Audience, menu: bool) -> Page {
    Page {
        path,
        audience,
        menu,
    }
}

const ANYONE: Audience = Audience::Anyone;
const SIGNED_IN: Audience = Audience::SignedIn;
const APPLICANT: Audience = Audience::Roles(&[AP]);
const BANK: Audience = Audience::Roles(&[ME, AD]);
const WATCHERS: Audience = Audience::Roles(&[PR, AD]);
const PROGRAMME: Audience = Audience::Roles(&[AD]);
const STAFF: Audience = Audience::Roles(&[ME, AD, EX, CO, PR]);

/// Every page, in menu order.
pub const PAGES: &[Page] = &[
    p("/", ANYONE, false),
    p("/login", ANYONE, false),
    p("/register", ANYONE, false),
    p("/verify", ANYONE, false),
    p("/verify/{number}", ANYONE, false),
    p("/dashboard", SIGNED_IN, true),
    p("/apply", APPLICANT, true),
    p("/check", SIGNED_IN, false),
    p("/test/{id}", APPLICANT, false),
    p("/result/{id}", APPLICANT, false),
    p("/bank", BANK, true),
    p("/bank/new", BANK, false),
    p("/bank/import", BANK, false),
    p("/bank/competencies", BANK, false),
    p("/bank/item/{id}", BANK, false),
    p("/blueprints", BANK, true),
    p("/blueprints/{id}", BANK, false),
    p("/analysis/{id}", BANK, false),
    p("/proctor", WATCHERS, true),
    p("/proctor/{id}", WATCHERS, false),
    p("/pipeline", PROGRAMME, true),
    p("/pipeline/{id}", PROGRAMME, false),
    p("/candidate/{id}", PROGRAMME, false),
    p("/appeal/{id}", PROGRAMME, false),
    p("/reports", PROGRAMME, true),
    p("/reserve", PROGRAMME, true),
    p("/marking", Audience::Roles(&[EX]), true),
    p("/interviews", Audience::Roles(&[CO]), true),
    p("/standards", STAFF, true),
    p("/standards/{id}", STAFF, false),
    p("/account", SIGNED_IN, false),
];

/// The page a concrete path (no query) is: a route without parameters wins over one with
/// them (`/bank/new` over `/bank/{id}`).
pub fn page_for(path: &str) -> Option<&'static Page> {
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    let fits = |p: &Page| {
        let a: Vec<&str> = p.path.split('/').collect();
        let b: Vec<&str> = path.split('/').collect();
        a.len() == b.len()
            && a.iter()
                .zip(&b)
                .all(|(x, y)| x == y || (x.starts_with('{') && !y.is_empty()))
    };
    PAGES
        .iter()
        .find(|p| !p.path.contains('{') && fits(p))
        .or_else(|| PAGES.iter().find(|p| p.path.contains('{') && fits(p)))
}

/// The menu of a role: the pages it may open that are in the menu, in order.
pub fn menu(role: Role) -> impl Iterator<Item = &'static Page> {
    PAGES
        .iter()
        .filter(move |p| p.menu && p.audience.admits(Some(role)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_menus_fit_their_roles() {
        let mut seen = std::collections::HashSet::new();
        for page in PAGES {
            assert!(seen.insert(page.path), "{} twice", page.path);
            assert!(page.path.starts_with('/'));
            assert!(
                !page.menu || !page.path.contains('{'),
                "{} has parameters",
                page.path
            );
        }
        for role in Role::ALL {
            let entries: Vec<_> = menu(role).map(|p| p.path).collect();
            assert_eq!(entries.first(), Some(&"/dashboard"), "{role:?}");
            assert!(entries.len() >= 2, "{role:?} has a menu: {entries:?}");
        }
        assert!(!menu(Role::Applicant).any(|p| p.path == "/bank"));
        assert_eq!(page_for("/bank/new").map(|p| p.path), Some("/bank/new"));
        assert_eq!(
            page_for("/bank/item/x.1").map(|p| p.path),
            Some("/bank/item/{id}")
        );
        assert_eq!(page_for("/").map(|p| p.path), Some("/"));
        assert_eq!(page_for("/proctor/").map(|p| p.path), Some("/proctor"));
        assert!(page_for("/nowhere").is_none());
    }
}
