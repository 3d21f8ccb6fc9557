//! The page crawler: every page of the app, as every role and as nobody, in headless Chromium.
//!
//! It reads the page table from the binary (`qabilet routes --pages`), so a new page is
//! crawled without a line written for it. For each role it opens every page it may open
//! directly, reloads it, and reaches pages with parameters by following the links it finds
//! (one example of each), then clicks every control that changes nothing (buttons not marked
//! `data-changes`, outside forms: paging, filters, tabs, sorting, language, display), fetches
//! every download, and narrows the window to a 375 px phone. A page fails on:
//! - a console error: a wasm panic, an uncaught exception, an HTTP 4xx/5xx the page did not
//!   expect (only pages refused to a role may see 401/403);
//! - text that looks like leaked code (`move |`, `on:click`...);
//! - a page still "Loading…" after 20 s, or never interactive;
//! - a download that is not the file (the app's HTML, an error, a CSV without a byte-order
//!   mark), or a download link the app's router would catch;
//! - an element wider than a 375 px viewport (the page scrolls sideways);
//! - a serious or critical axe-core violation.
//!
//! Pages a role may not open are opened too: they must refuse (sign-in page or a message),
//! not crash. A page with parameters that no role reached is a failure: give it a link.

use crate::a11y::{axe_source, serious_violations};
use anyhow::{Context, Result, bail};
use fantoccini::Locator;
use qabilet_tests::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::time::{Duration, Instant};

/// One row of the page table.
#[derive(Debug, Clone)]
struct Page {
    path: String,
    /// `None`: anyone; `Some(empty)`: any signed-in account; else these roles.
    roles: Option<Vec<String>>,
}

impl Page {
    fn admits(&self, role: Option<&str>) -> bool {
        match (&self.roles, role) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(r), Some(role)) => r.is_empty() || r.iter().any(|x| x == role),
        }
    }

    fn has_params(&self) -> bool {
        self.path.contains('{')
    }

    /// Whether a concrete path (no query) is this route.
    fn matches(&self, path: &str) -> bool {
        let a: Vec<_> = self.path.trim_end_matches('/').split('/').collect();
        let b: Vec<_> = path.trim_end_matches('/').split('/').collect();
        a.len() == b.len()
            && a.iter()
                .zip(&b)
                .all(|(p, s)| p.starts_with('{') && !s.is_empty() || p == s)
    }
}

fn page_table() -> Result<Vec<Page>> {
    let out = std::process::Command::new(server_binary())
        .args(["routes", "--pages"])
        .output()
        .context("running qabilet routes --pages")?;
    anyhow::ensure!(
        out.status.success(),
        "qabilet routes --pages: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout)?;
    let mut pages = Vec::new();
    for p in v.as_array().context("a list of pages")? {
        let roles = match p["audience"]["kind"].as_str() {
            Some("anyone") => None,
            Some("signed_in") => Some(Vec::new()),
            Some("roles") => Some(
                p["audience"]["roles"]
                    .as_array()
                    .context("roles")?
                    .iter()
                    .filter_map(|r| r.as_str().map(str::to_string))
                    .collect(),
            ),
            other => bail!("unknown audience {other:?}"),
        };
        pages.push(Page {
            path: p["path"].as_str().context("path")?.to_string(),
            roles,
        });
    }
    anyhow::ensure!(
        pages.len() >= 20,
        "the page table lists {} pages",
        pages.len()
    );
    Ok(pages)
}

/// Text a person should never see: pieces of the `view!` macro's code.
const LEAKS: [&str; 9] = [
    "move |",
    "move||",
    "on:click",
    "on:change",
    "on:input",
    "| _ |",
    "|_|",
    ".get()",
    "=move",
];

/// Everything the page shows to a person (the text, and the values and labels of controls),
/// checked for leaked code; returns what it found.
const READ_TEXT: &str = "
    const parts = [document.body.innerText];
    for (const e of document.querySelectorAll('button, input, option, [aria-label], [title]')) {
        parts.push(e.value || '', e.getAttribute('aria-label') || '', e.getAttribute('title') || '');
    }
    return parts.join('\\n');";

/// The elements sticking out to the right of a narrow viewport, outside anything that
/// scrolls on its own (a wide table in a scrolling box is fine; the page scrolling is not).
const TOO_WIDE: &str = "
    const w = document.documentElement.clientWidth;
    const out = [];
    if (document.documentElement.scrollWidth > w + 1) {
        for (const e of document.body.querySelectorAll('*')) {
            const r = e.getBoundingClientRect();
            if (r.width === 0 || r.right <= w + 1) continue;
            let p = e.parentElement, clipped = false;
            while (p && p !== document.body) {
                const s = getComputedStyle(p);
                if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)) { clipped = true; break; }
                p = p.parentElement;
            }
            if (clipped) continue;
            const id = e.id ? '#' + e.id : '';
            const cls = e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '';
            out.push(e.tagName.toLowerCase() + id + cls + ' (' + Math.round(r.right) + ' px)');
            if (out.length >= 5) break;
        }
        if (out.length === 0) {
            // Nothing sticks out on its own: name the widest boxes, clipped or not.
            const all = [...document.body.querySelectorAll('*')]
                .map(e => [e, e.getBoundingClientRect().right])
                .filter(([e, r]) => r > w + 1)
                .sort((a, b) => b[1] - a[1])
                .slice(0, 4)
                .map(([e, r]) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                     (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '') +
                     ' (' + Math.round(r) + ' px)');
            out.push('the page is ' + document.documentElement.scrollWidth + ' px wide: ' + all.join(', '));
        }
    }
    return out;";

/// The controls the crawler may click: visible, enabled buttons outside forms that are not
/// marked as changing anything. Each gets a `data-crawl` number to find it again.
const CONTROLS: &str = "
    const out = [];
    let n = 0;
    for (const b of document.querySelectorAll('main button, main [role=tab], header button')) {
        if (b.disabled || b.closest('form') || b.closest('[data-changes]') || b.type === 'submit') continue;
        if (b.closest('dialog') && !b.closest('dialog').open) continue;
        const r = b.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        b.setAttribute('data-crawl', String(n));
        out.push([n, (b.id ? '#' + b.id + ' ' : '') + (b.innerText || b.getAttribute('aria-label') || '').trim().slice(0, 40)]);
        n += 1;
    }
    return out;";

/// The download links on the page: `[href, has download attribute or rel=external]`.
const DOWNLOADS: &str = "
    return [...document.querySelectorAll('a[href]')]
        .filter(a => a.origin === location.origin && (a.pathname.startsWith('/api/') || a.hasAttribute('download')))
        .map(a => [a.href, a.hasAttribute('download') || (a.getAttribute('rel') || '').includes('external') || !!a.target]);";

/// Fetches a URL as the page would (same cookies) and describes the answer.
const FETCH: &str = "
    const done = arguments[arguments.length - 1];
    fetch(arguments[0], {credentials: 'same-origin'})
      .then(async r => {
        const b = new Uint8Array(await r.arrayBuffer());
        done({status: r.status, type: r.headers.get('content-type') || '',
              disposition: r.headers.get('content-disposition') || '',
              head: [...b.slice(0, 8)], size: b.length});
      })
      .catch(e => done({error: String(e)}));";

struct Crawler<'a> {
    browser: &'a Browser,
    server: &'a TestServer,
    axe: String,
    pages: Vec<Page>,
    /// Concrete paths found for each route with parameters, over all roles.
    samples: BTreeMap<String, BTreeSet<String>>,
    /// Pages looked at closely already (see `key`).
    examined: HashSet<(String, String)>,
    problems: Vec<String>,
    /// Routes whose refusal a signed-in role has shown already (the gate is one piece of
    /// code: one refused role per route is enough, and nobody for all).
    refusals: HashSet<String>,
    /// Everything (axe, the phone width, downloads) or only what a database can change (the
    /// pages' data, their requests, their controls): the second pass on PostgreSQL.
    thorough: bool,
    /// How many controls were clicked and downloads fetched (the test checks it did work).
    clicked: usize,
    downloads: usize,
    /// How many of the server log's panics and errors were reported already (shared by the
    /// lanes: each line is reported once, by the lane that looks first).
    log_seen: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Crawler<'_> {
    fn route_of(&self, path: &str) -> Option<&Page> {
        // A static route wins over one with parameters (`/bank/new` over `/bank/{id}`).
        self.pages
            .iter()
            .find(|p| !p.has_params() && p.matches(path))
            .or_else(|| {
                self.pages
                    .iter()
                    .find(|p| p.has_params() && p.matches(path))
            })
    }

    /// What makes a page's look different: its route, and the role for pages every account
    /// opens (the dashboard, the account page); a staff page looks the same to each of its
    /// roles and to each of its examples, so it is examined closely once.
    fn key(&self, path: &str, role: &str) -> (String, String) {
        match self.route_of(path) {
            Some(p) if p.roles.as_ref().is_some_and(|r| !r.is_empty()) => {
                (p.path.clone(), String::new())
            }
            Some(p) => (p.path.clone(), role.to_string()),
            None => (path.to_string(), role.to_string()),
        }
    }

    fn problem(&mut self, role: &str, what: String) {
        eprintln!("crawl problem [{role}]: {what}");
        self.problems.push(format!("[{role}] {what}"));
    }

    /// Waits until the page is interactive and has no "Loading…" left.
    async fn settle(&mut self, role: &str, label: &str) -> Result<bool> {
        let c = &self.browser.client;
        if c.wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("body[data-hydrated]"))
            .await
            .is_err()
        {
            self.problem(role, format!("{label}: never became interactive"));
            return Ok(false);
        }
        let start = Instant::now();
        loop {
            let busy = c
                .execute(
                    "return document.querySelectorAll('.loading').length;",
                    vec![],
                )
                .await?
                .as_u64()
                .unwrap_or(0);
            if busy == 0 {
                break;
            }
            if start.elapsed() > Duration::from_secs(20) {
                self.problem(role, format!("{label}: still loading after 20 s"));
                return Ok(false);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Let late requests (a poll, a second fetch) come back before reading the console.
        tokio::time::sleep(Duration::from_millis(120)).await;
        Ok(true)
    }

    /// The checks every state of a page must pass: console, leaked code. `refused`: the page
    /// is not for this role, so the API's refusals (401, 403, 404) are expected.
    async fn check(&mut self, role: &str, label: &str, refused: bool) -> Result<()> {
        let told = self
            .browser
            .client
            .execute(
                "return [...document.querySelectorAll('[role=alert]')].some(e => e.offsetParent !== null && e.innerText.trim() !== '');",
                vec![],
            )
            .await?
            .as_bool()
            .unwrap_or(false);
        for e in self.browser.console_errors().await? {
            let refusal = ["401", "403", "404"]
                .iter()
                .any(|s| e.contains(&format!("status of {s}")));
            // A refusal the page tells the person about (a message in an alert) is expected:
            // a preview of a rule that cannot apply, a file with errors.
            let shown = told && e.contains("status of 4");
            let expected = (refused && refusal) || shown;
            if !expected {
                self.problem(role, format!("{label}: console error: {e}"));
            }
        }
        // The server's side of the same moment: a panic or an ERROR in its log.
        let troubles = self.server.log_troubles();
        let seen = self
            .log_seen
            .swap(troubles.len(), std::sync::atomic::Ordering::SeqCst);
        for t in troubles.iter().skip(seen) {
            self.problem(role, format!("{label}: server log: {t}"));
        }
        let text = self.browser.client.execute(READ_TEXT, vec![]).await?;
        let text = text.as_str().unwrap_or("");
        for leak in LEAKS {
            if let Some(at) = text.find(leak) {
                let from = text[..at]
                    .char_indices()
                    .rev()
                    .nth(30)
                    .map_or(0, |(i, _)| i);
                let snippet: String = text[from..].chars().take(80).collect();
                self.problem(
                    role,
                    format!("{label}: leaked code {leak:?} in {snippet:?}"),
                );
            }
        }
        Ok(())
    }

    async fn current_path(&self) -> Result<String> {
        Ok(self.browser.client.current_url().await?.path().to_string())
    }

    /// Opens `path` directly, as typed or bookmarked.
    async fn open(&mut self, role: &str, path: &str, refused: bool) -> Result<bool> {
        let _ = self.browser.console().await?;
        self.browser.client.goto(&self.server.url(path)).await?;
        let ok = self
            .settle(role, &format!("{path} opened directly"))
            .await?;
        self.check(role, &format!("{path} opened directly"), refused)
            .await?;
        Ok(ok)
    }

    /// Everything the crawler does on a page this role may open.
    async fn visit(&mut self, role: &str, path: &str, queue: &mut VecDeque<String>) -> Result<()> {
        let c = self.browser.client.clone();
        if !self.open(role, path, false).await? {
            return Ok(());
        }
        // Sent elsewhere (the home page to the dashboard): the target is crawled on its own.
        if self.current_path().await? != path {
            return Ok(());
        }
        let key = self.key(path, role);
        let first = self.examined.insert(key);
        if first {
            c.refresh().await?;
            self.settle(role, &format!("{path} reloaded")).await?;
            self.check(role, &format!("{path} reloaded"), false).await?;
        }

        // Links to pages with parameters: one example of each route, opened directly later
        // (queued) and reached now by clicking the link (the app's own navigation).
        let hrefs = c
            .execute(
                "return [...document.querySelectorAll('main a[href], header a[href]')]
                   .filter(a => a.origin === location.origin && !a.pathname.startsWith('/api/'))
                   .map(a => a.pathname);",
                vec![],
            )
            .await?;
        let mut to_follow = Vec::new();
        // From the dashboard, every entry of the menu is reached by the app's navigation.
        if path == "/dashboard" {
            let menu = c
                .execute(
                    "return [...document.querySelectorAll('nav.menu a[href]')].map(a => a.pathname);",
                    vec![],
                )
                .await?;
            for m in menu.as_array().cloned().unwrap_or_default() {
                if let Some(m) = m.as_str()
                    && m != path
                {
                    to_follow.push(m.to_string());
                }
            }
        }
        for h in hrefs.as_array().cloned().unwrap_or_default() {
            let Some(h) = h.as_str() else { continue };
            let Some(route) = self.route_of(h).cloned() else {
                self.problem(role, format!("{path}: a link to {h}, which is no page"));
                continue;
            };
            if !route.has_params() {
                continue;
            }
            let known = self.samples.entry(route.path.clone()).or_default();
            if known.len() < 2 && known.insert(h.to_string()) {
                queue.push_back(h.to_string());
                to_follow.push(h.to_string());
            }
        }
        for target in to_follow {
            let _ = self.browser.console().await?;
            let link = c
                .find(Locator::Css(&format!(
                    "main a[href=\"{target}\"], header a[href=\"{target}\"]"
                )))
                .await;
            let Ok(link) = link else { continue };
            if link.click().await.is_err() {
                continue;
            }
            let label = format!("{target} reached from {path}");
            let start = Instant::now();
            while self.current_path().await? != target && start.elapsed() < Duration::from_secs(10)
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            if self.current_path().await? != target {
                self.problem(role, format!("{label}: the link did not go there"));
            } else if self.settle(role, &label).await? {
                self.check(role, &label, false).await?;
            }
            // Back, as a person would (the app's own history, no reload).
            c.back().await?;
            let start = Instant::now();
            while self.current_path().await? != path && start.elapsed() < Duration::from_secs(5) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let back = format!("{path} again, by the back button");
            if self.current_path().await? != path || !self.settle(role, &back).await? {
                if !self.open(role, path, false).await? {
                    return Ok(());
                }
            } else {
                self.check(role, &back, false).await?;
            }
        }

        if !first {
            return Ok(());
        }
        if self.thorough {
            for v in serious_violations(&c, &self.axe, path).await? {
                self.problem(role, v);
            }
            self.narrow(role, path).await?;
        }
        self.downloads(role, path).await?;
        self.click_controls(role, path).await?;
        Ok(())
    }

    async fn downloads(&mut self, role: &str, path: &str) -> Result<()> {
        let c = self.browser.client.clone();
        let links = c.execute(DOWNLOADS, vec![]).await?;
        for l in links.as_array().cloned().unwrap_or_default() {
            let href = l[0].as_str().unwrap_or("").to_string();
            if l[1].as_bool() != Some(true) {
                self.problem(
                    role,
                    format!("{path}: the download {href} has neither `download` nor rel=external: the app's router catches it"),
                );
            }
            let r = c.execute_async(FETCH, vec![json!(href)]).await?;
            self.downloads += 1;
            let status = r["status"].as_u64().unwrap_or(0);
            let kind = r["type"].as_str().unwrap_or("");
            if status != 200 || kind.starts_with("text/html") || r["size"].as_u64() == Some(0) {
                self.problem(
                    role,
                    format!("{path}: the download {href} is not the file: {r}"),
                );
            } else if kind.starts_with("text/csv") {
                let head: Vec<u64> = r["head"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_u64).collect())
                    .unwrap_or_default();
                if !head.starts_with(&[0xEF, 0xBB, 0xBF]) {
                    self.problem(
                        role,
                        format!("{path}: the CSV {href} has no byte-order mark (spreadsheets misread Cyrillic)"),
                    );
                }
            }
        }
        let _ = self.browser.console().await?;
        Ok(())
    }

    /// The page on a 375 px phone: nothing sticks out sideways.
    async fn narrow(&mut self, role: &str, path: &str) -> Result<()> {
        let c = self.browser.client.clone();
        c.set_window_size(375, 800).await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let wide = c.execute(TOO_WIDE, vec![]).await?;
        let wide: Vec<String> = wide
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if !wide.is_empty() {
            self.problem(
                role,
                format!("{path}: wider than a 375 px phone: {}", wide.join(", ")),
            );
        }
        c.set_window_size(1366, 900).await?;
        Ok(())
    }

    /// Clicks each control that changes nothing, one after another, checking the page after
    /// each; a control that leaves the page brings the crawler back.
    async fn click_controls(&mut self, role: &str, path: &str) -> Result<()> {
        let c = self.browser.client.clone();
        let controls = c.execute(CONTROLS, vec![]).await?;
        let controls: Vec<(u64, String)> = controls
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|v| Some((v[0].as_u64()?, v[1].as_str()?.to_string())))
            .collect();
        let mut seen_labels = HashSet::new();
        for (n, label) in controls.into_iter().take(40) {
            // Rows repeat their buttons: one of each kind is enough.
            let kind: String = label.chars().filter(|c| !c.is_ascii_digit()).collect();
            if !seen_labels.insert(kind) {
                continue;
            }
            let found = c.find(Locator::Css(&format!("[data-crawl=\"{n}\"]"))).await;
            let Ok(button) = found else { continue };
            if !button.is_displayed().await.unwrap_or(false)
                || !button.is_enabled().await.unwrap_or(false)
            {
                continue;
            }
            let _ = self.browser.console().await?;
            if button.click().await.is_err() {
                continue;
            }
            self.clicked += 1;
            let what = format!("{path}: after clicking {label:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
            self.settle(role, &what).await?;
            self.check(role, &what, false).await?;
            // A dialog it opened is cancelled (its `data-cancel` button); a page it left is
            // opened again.
            let _ = c
                .execute(
                    "for (const b of document.querySelectorAll('[data-cancel]')) b.click();",
                    vec![],
                )
                .await;
            if self.current_path().await? != path {
                self.open(role, path, false).await?;
                let _ = c.execute(CONTROLS, vec![]).await?;
            }
        }
        // The language and display buttons change the account's settings: put them back.
        c.execute(
            "document.cookie = 'qabilet_display=; Max-Age=0; Path=/';",
            vec![],
        )
        .await?;
        Ok(())
    }

    /// A page this role may not open refuses it plainly: the sign-in page or a message.
    async fn refuses(&mut self, name: &str, path: &str) -> Result<()> {
        self.open(name, path, true).await?;
        let at = self.current_path().await?;
        let alert = self
            .browser
            .client
            .find_all(Locator::Css("[role=alert]"))
            .await
            .map(|v| !v.is_empty())
            .unwrap_or(false);
        if at != "/login" && !alert {
            self.problem(
                name,
                format!(
                    "{path} is not for this role, yet shows neither the sign-in page nor a refusal"
                ),
            );
        }
        Ok(())
    }

    /// Takes in what another lane found: its examples, refusals, problems and counts.
    fn absorb(&mut self, other: Crawler<'_>) {
        for (route, paths) in other.samples {
            let mine = self.samples.entry(route).or_default();
            for p in paths {
                if mine.len() < 2 {
                    mine.insert(p);
                }
            }
        }
        self.refusals.extend(other.refusals);
        self.problems.extend(other.problems);
        self.clicked += other.clicked;
        self.downloads += other.downloads;
    }

    /// Routes no signed-in lane saw refused (their examples were found by another lane):
    /// each is opened once by a role it is not for.
    async fn refusal_sweep(&mut self, roles: &[(&str, (&str, &str))]) -> Result<()> {
        for page in self.pages.clone() {
            if self.refusals.contains(&page.path) {
                continue;
            }
            let Some((role, account)) = roles.iter().find(|(r, _)| !page.admits(Some(r))) else {
                continue;
            };
            let path = if page.has_params() {
                self.samples
                    .get(&page.path)
                    .and_then(|s| s.iter().next().cloned())
            } else {
                Some(page.path.clone())
            };
            let Some(path) = path else { continue };
            let c = self.browser.client.clone();
            c.goto(&self.server.url("/login")).await?;
            c.delete_all_cookies().await?;
            self.browser.sign_in(&self.server.base, *account).await?;
            self.refusals.insert(page.path.clone());
            self.refuses(role, &path).await?;
        }
        Ok(())
    }

    /// Crawls as one role (`None`: signed out).
    async fn crawl(&mut self, role: Option<&str>, account: Option<(&str, &str)>) -> Result<()> {
        let name = role.unwrap_or("nobody").to_string();
        let c = self.browser.client.clone();
        c.goto(&self.server.url("/login")).await?;
        c.delete_all_cookies().await?;
        if let Some(who) = account {
            self.browser.sign_in(&self.server.base, who).await?;
            // The header's menu lists the pages of this role, and only those.
            let menu = c
                .execute(
                    "return [...document.querySelectorAll('nav.menu a[href]')].map(a => a.pathname);",
                    vec![],
                )
                .await?;
            let menu: Vec<String> = menu
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if menu.is_empty() {
                self.problem(&name, "the header has no menu".into());
            }
            for m in &menu {
                if !self.route_of(m).is_some_and(|p| p.admits(role)) {
                    self.problem(
                        &name,
                        format!("the menu offers {m}, which is not for this role"),
                    );
                }
            }
        }
        let start = Instant::now();
        let mut queue: VecDeque<String> = self
            .pages
            .iter()
            .filter(|p| !p.has_params() && p.admits(role))
            .map(|p| p.path.clone())
            .collect();
        // Routes with parameters found by other roles are opened too (refused or not).
        for known in self.samples.values() {
            queue.extend(known.iter().cloned());
        }
        let mut done = HashSet::new();
        while let Some(path) = queue.pop_front() {
            if !done.insert(path.clone()) {
                continue;
            }
            let Some(page) = self.route_of(&path).cloned() else {
                continue;
            };
            if page.admits(role) {
                self.visit(&name, &path, &mut queue).await?;
            }
        }
        // Pages this role may not open refuse it plainly.
        let signed_in = role.is_some();
        let refused: Vec<String> = self
            .pages
            .clone()
            .iter()
            .filter(|p| !p.admits(role))
            .filter(|p| !signed_in || self.refusals.insert(p.path.clone()))
            .filter_map(|p| {
                if p.has_params() {
                    self.samples
                        .get(&p.path)
                        .and_then(|s| s.iter().next().cloned())
                } else {
                    Some(p.path.clone())
                }
            })
            .collect();
        for path in refused {
            self.refuses(&name, &path).await?;
        }
        eprintln!(
            "crawled as {name} in {:.0} s",
            start.elapsed().as_secs_f64()
        );
        Ok(())
    }
}

/// Data every page needs to show something: an attempt in progress and a finished one, a
/// national round (8,068 applications, so lists have many pages).
async fn seed(server: &TestServer) -> Result<()> {
    server.load_round()?;
    // The crawled applicant applies, takes stage one and finishes it (its result page), and
    // appeals the result (the appeal's page for staff); a second applicant's test is running
    // (the test page).
    let api = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let r = api
        .post(
            "/api/v1/campaigns/demo-2026/applications",
            &json!({
                "campaign_id": "demo-2026", "iin": valid_iin("850101", 4, 21),
                "full_name": "Айгерим Сапарова", "region": "Turkestan", "district": "Sairam",
                "school": "School No. 9", "position": "deputy director",
                "teaching_years": 12, "management_years": 3,
                "email": APPLICANT.0, "phone": "+7 701 111 22 33",
            }),
        )
        .await?;
    anyhow::ensure!(r.status == 200, "apply: {}", r.text);
    let application = r.body["id"].as_str().context("application id")?.to_string();
    let r = api
        .post("/api/v1/attempts", &json!({"language": "ru"}))
        .await?;
    anyhow::ensure!(r.status == 200 || r.status == 201, "start: {}", r.text);
    let id = r.body["id"].as_str().context("attempt id")?.to_string();
    let r = api
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await?;
    anyhow::ensure!(r.status == 200, "submit: {}", r.text);
    let r = api
        .post(
            &format!("/api/v1/applications/{application}/appeals"),
            &json!({"stage": 1, "reason": "Связь прерывалась во время теста."}),
        )
        .await?;
    anyhow::ensure!(r.status == 200, "appeal: {}", r.text);
    let r = api
        .post("/api/v1/practice", &json!({"language": "kk"}))
        .await?;
    anyhow::ensure!(r.status == 200 || r.status == 201, "practice: {}", r.text);
    // A standard-setting workshop (its page for staff).
    let m = Api::login(&server.base, METHODOLOGIST.0, METHODOLOGIST.1).await?;
    let r = m
        .post(
            "/api/v1/standard-settings",
            &json!({"blueprint_id": "stage1-2026", "name": "Stage 1 panel",
                    "judges": [EXPERT.0, COMMISSION.0], "seed": 11}),
        )
        .await?;
    anyhow::ensure!(r.status == 200, "workshop: {}", r.text);
    let second = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let r = second
        .post("/api/v1/attempts", &json!({"language": "kk"}))
        .await?;
    anyhow::ensure!(r.status == 200, "start: {}", r.text);
    Ok(())
}

/// The roles, in three lanes crawled at the same time (each its own browser): the
/// administrator's pages are the most, so that lane is alone.
const LANES: [&[(&str, (&str, &str))]; 3] = [
    &[("admin", ADMIN)],
    &[
        ("methodologist", METHODOLOGIST),
        ("proctor", PROCTOR),
        ("expert", EXPERT),
    ],
    // The second applicant is in the middle of the test: the test page, from the dashboard.
    &[
        ("commission", COMMISSION),
        ("applicant", APPLICANT),
        ("applicant", APPLICANT2),
    ],
];

impl<'a> Crawler<'a> {
    fn new(browser: &'a Browser, server: &'a TestServer, axe: &str, pages: &[Page]) -> Self {
        Crawler {
            browser,
            server,
            axe: axe.to_string(),
            pages: pages.to_vec(),
            samples: BTreeMap::new(),
            examined: HashSet::new(),
            problems: Vec::new(),
            refusals: HashSet::new(),
            thorough: server.db == Db::Sqlite,
            clicked: 0,
            downloads: 0,
            log_seen: Default::default(),
        }
    }

    async fn lane(&mut self, roles: &[(&str, (&str, &str))]) -> Result<()> {
        for (role, account) in roles {
            self.crawl(Some(role), Some(*account)).await?;
        }
        Ok(())
    }
}

async fn crawl_every_page(db: Db) -> Result<()> {
    let axe = axe_source()?;
    let pages = page_table()?;
    let server = TestServer::start(db).await?;
    seed(&server).await?;
    let (b1, b2, b3) = tokio::try_join!(Browser::start(), Browser::start(), Browser::start())?;
    let mut crawler = Crawler::new(&b1, &server, &axe, &pages);
    // The crawler's eyes work: a page with the header's old leak (a `>=` in a `view!`
    // attribute), a console error and a box wider than a phone fails each check.
    b1.client
        .goto(
            "data:text/html,<html lang=en><title>x</title><body><main>\
             <button>= 200 on : click = move | _ | set_text(1) >A+</button>\
             <div style='width:900px'>wide</div></main>\
             <script>console.error('boom')</script></body></html>",
        )
        .await?;
    crawler.check("self-test", "a broken page", false).await?;
    crawler.narrow("self-test", "a broken page").await?;
    let seen = std::mem::take(&mut crawler.problems).join("\n");
    // And it reads the server's log as the server writes it (with or without colour).
    assert!(is_trouble(
        "\u{1b}[2m2026-11-28T10:00:00Z\u{1b}[0m \u{1b}[31mERROR\u{1b}[0m qabilet: boom"
    ));
    assert!(is_trouble(
        "2026-11-28T10:00:00Z ERROR qabilet::service: boom"
    ));
    assert!(is_trouble(
        "thread 'tokio-runtime-worker' panicked at server/src/x.rs:1:1:"
    ));
    assert!(!is_trouble(
        "2026-11-28T10:00:00Z  WARN qabilet: an ERRORS-free warning"
    ));
    for expected in [
        "leaked code \"move |\"",
        "console error",
        "wider than a 375 px phone",
    ] {
        assert!(
            seen.contains(expected),
            "the crawler missed {expected:?}: {seen}"
        );
    }
    // What the server logged while the data was seeded counts too (the self-test read it).
    for t in server.log_troubles() {
        crawler.problems.push(format!("seeding: server log: {t}"));
    }

    // The lanes at the same time, one server log between them.
    let mut second = Crawler::new(&b2, &server, &axe, &pages);
    let mut third = Crawler::new(&b3, &server, &axe, &pages);
    second.log_seen = crawler.log_seen.clone();
    third.log_seen = crawler.log_seen.clone();
    let started = Instant::now();
    tokio::try_join!(
        crawler.lane(LANES[0]),
        second.lane(LANES[1]),
        third.lane(LANES[2])
    )?;
    eprintln!("lanes crawled in {:.0} s", started.elapsed().as_secs_f64());
    crawler.absorb(second);
    crawler.absorb(third);
    // Nobody, last: every example any lane found is opened signed out (and refused).
    crawler.crawl(None, None).await?;
    let roles: Vec<_> = LANES.iter().flat_map(|l| l.iter().copied()).collect();
    crawler.refusal_sweep(&roles).await?;

    let unreached: Vec<_> = crawler
        .pages
        .iter()
        .filter(|p| p.has_params() && !crawler.samples.contains_key(&p.path))
        .map(|p| p.path.clone())
        .collect();
    for p in unreached {
        crawler.problems.push(format!(
            "{p}: no link to it on any page any role can reach: the crawler could not open it"
        ));
    }
    eprintln!(
        "crawler: {} controls clicked, {} downloads fetched, routes reached: {:?}",
        crawler.clicked, crawler.downloads, crawler.samples
    );
    let problems = std::mem::take(&mut crawler.problems);
    let (clicked, downloads) = (crawler.clicked, crawler.downloads);
    drop(crawler);
    tokio::try_join!(b1.close(), b2.close(), b3.close())?;
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // It did click and fetch: a crawler that found no controls would pass anything.
    assert!(clicked >= 30, "only {clicked} controls clicked");
    assert!(downloads >= 3, "only {downloads} downloads fetched");
    Ok(())
}

#[tokio::test]
async fn every_page_works_for_every_role() -> Result<()> {
    crawl_every_page(Db::from_env()).await
}
