//! Layering rules, checked on this crate's own sources: no circle between top-level modules
//! (nor between the areas under `services/` and `api/`); no file over 800 lines; the
//! server's time comes from its `Clock`.
//!
//! What the reader sees: every path starting `crate::`, `super::` or `self::` (in `use` trees
//! and in code), comments and string literals blanked first. Its blind spots: method calls
//! (`self.record(…)`) are not paths, and a path through a name a glob brought in
//! (`use super::*;` then `scoring::x`) is not resolved; write sibling paths in full.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Circles tolerated: none (the renovation cut the last one; keep it so).
const KNOWN_CYCLES: &[&[&str]] = &[];

/// Parents whose children are checked against each other.
const AREAS: &[&str] = &["services", "api"];

type Module = Vec<String>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `root` with its module path (`lib.rs` → [], `a.rs`, `a/mod.rs` →
/// [a], `a/b.rs` → [a, b]); `main.rs` (a crate of its own) is left out.
fn rust_files(root: &Path) -> Vec<(Module, PathBuf)> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).unwrap().with_extension("");
                let mut m: Module = rel
                    .iter()
                    .map(|s| s.to_string_lossy().into_owned())
                    .collect();
                if matches!(m.last().map(String::as_str), Some("mod" | "lib")) {
                    m.pop();
                }
                if m != ["main"] {
                    out.push((m, path));
                }
            }
        }
    }
    out.sort();
    out
}

/// The source with comments, string and character literals replaced by spaces (line breaks
/// kept, so line numbers stay right).
fn code_only(src: &str) -> String {
    let s: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < s.len() {
        let at = |k: usize| s.get(i + k).copied().unwrap_or('\0');
        let after_ident = i > 0 && (s[i - 1].is_alphanumeric() || s[i - 1] == '_');
        let end = if at(0) == '/' && at(1) == '/' {
            (i..s.len()).find(|&j| s[j] == '\n').unwrap_or(s.len())
        } else if at(0) == '/' && at(1) == '*' {
            let (mut depth, mut j) = (0, i); // block comments nest
            loop {
                if s[j] == '/' && s.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if s[j] == '*' && s.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break j;
                    }
                } else {
                    j += 1;
                }
            }
        } else if let Some(end) = (!after_ident).then(|| raw_string_end(&s, i)).flatten() {
            end
        } else if at(0) == '"' {
            let mut j = i + 1;
            while s[j] != '"' {
                j += if s[j] == '\\' { 2 } else { 1 };
            }
            j + 1
        } else if at(0) == '\'' && (at(1) == '\\' || at(2) == '\'') {
            // 'a', '\n', '\u{FEFF}', '\'' (a lifetime or a label has no closing quote)
            let mut j = i + if at(1) == '\\' { 3 } else { 2 };
            while s[j] != '\'' {
                j += 1;
            }
            j + 1
        } else {
            out.push(s[i]);
            i += 1;
            continue;
        };
        out.extend(
            s[i..end]
                .iter()
                .map(|&c| if c == '\n' { '\n' } else { ' ' }),
        );
        i = end;
    }
    out
}

/// The end of `r"…"`, `r#"…"#`, `br"…"`… starting at `i`, if one starts there.
fn raw_string_end(s: &[char], i: usize) -> Option<usize> {
    let mut j = i + usize::from(s.get(i) == Some(&'b'));
    if s.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = s[j..].iter().take_while(|&&c| c == '#').count();
    j += hashes;
    if s.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while !(s[j] == '"' && s[j + 1..].iter().take(hashes).all(|&c| c == '#')) {
        j += 1;
    }
    Some(j + 1 + hashes)
}

/// Identifiers, `::`, and every other non-space character, with their line numbers.
fn tokens(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            c if c.is_alphanumeric() || c == '_' => {
                let mut word = String::from(c);
                while let Some(&n) = chars.peek().filter(|n| n.is_alphanumeric() || **n == '_') {
                    word.push(n);
                    chars.next();
                }
                out.push((line, word));
            }
            ':' if chars.peek() == Some(&':') => {
                chars.next();
                out.push((line, "::".into()));
            }
            c => out.push((line, c.to_string())),
        }
    }
    out
}

fn is_ident(t: &str) -> bool {
    t.starts_with(|c: char| c.is_alphabetic() || c == '_')
}

/// One use tree from `i`: each leaf path goes to `out` (`self` in braces names the prefix,
/// `*` is kept as a segment, `as x` is skipped). Returns the index after the tree.
fn use_tree(
    t: &[(usize, String)],
    mut i: usize,
    mut prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        match t[i].1.as_str() {
            "::" => i += 1,
            "{" => {
                i += 1;
                while t[i].1 != "}" {
                    i = use_tree(t, i, prefix.clone(), out);
                    if t[i].1 == "," {
                        i += 1;
                    }
                }
                return i + 1;
            }
            "self" if !prefix.is_empty() => i += 1,
            "as" => i += 2,
            "," | "}" | ";" => {
                out.push(prefix);
                return i;
            }
            seg => {
                prefix.push(seg.to_string());
                i += 1;
            }
        }
    }
}

/// `crate::a::b` → [a, b]; from [p, q]: `super::x` → [p, x], `self::x` → [p, q, x].
fn resolve(here: &[String], path: &[String]) -> Option<Module> {
    let (mut base, mut rest): (Module, &[String]) = match path.first()?.as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (here.to_vec(), &path[1..]),
        "super" => (here.to_vec(), path),
        _ => return None, // an external crate or a relative path
    };
    while rest.first().is_some_and(|s| s == "super") {
        base.pop()?;
        rest = &rest[1..];
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// Every path of the file that starts with `crate`, `super` or `self`, made absolute.
fn references(code: &str, file: &[String]) -> Vec<(usize, Module)> {
    let t = tokens(code);
    let tok = |k: usize| t.get(k).map_or("", |x| x.1.as_str());
    let mut out = Vec::new();
    let mut inline: Vec<(String, i32)> = Vec::new(); // open `mod x {` blocks and their depth
    let mut depth = 0;
    let mut i = 0;
    while i < t.len() {
        let here: Module = file
            .iter()
            .cloned()
            .chain(inline.iter().map(|m| m.0.clone()))
            .collect();
        match tok(i) {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if inline.last().is_some_and(|m| m.1 == depth) {
                    inline.pop();
                }
            }
            "mod" if tok(i + 2) == "{" => inline.push((tok(i + 1).to_string(), depth)),
            // `use<'a>` (precise capturing, edition 2024) is a bound, not a declaration
            "use" if tok(i + 1) != "<" => {
                let line = t[i].0;
                let mut paths = Vec::new();
                i = use_tree(&t, i + 1, Vec::new(), &mut paths);
                out.extend(
                    paths
                        .iter()
                        .filter_map(|p| resolve(&here, p))
                        .map(|p| (line, p)),
                );
                continue;
            }
            "crate" | "super" | "self" if tok(i + 1) == "::" && (i == 0 || tok(i - 1) != "in") => {
                let mut path = vec![tok(i).to_string()];
                let mut j = i + 1;
                while tok(j) == "::" && is_ident(tok(j + 1)) {
                    path.push(tok(j + 1).to_string());
                    j += 2;
                }
                out.extend(resolve(&here, &path).map(|p| (t[i].0, p)));
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The strongly connected components with more than one node, each sorted.
fn circles(g: &BTreeMap<String, BTreeMap<String, Vec<String>>>) -> BTreeSet<Vec<String>> {
    let nodes: BTreeSet<&String> = g.keys().chain(g.values().flat_map(|e| e.keys())).collect();
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from];
        while let Some(n) = todo.pop() {
            for m in g.get(n).into_iter().flat_map(|e| e.keys()) {
                if seen.insert(m) {
                    todo.push(m);
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<&String>> =
        nodes.iter().map(|&n| (n, reach(n))).collect();
    nodes
        .iter()
        .map(|&a| {
            nodes
                .iter()
                .filter(|&&b| reached[b].contains(a) && reached[a].contains(b))
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
        })
        .filter(|c| c.len() > 1)
        .collect()
}

#[test]
fn no_circle_between_modules() {
    let root = src();
    let files = rust_files(&root);
    let modules: BTreeSet<Module> = files.iter().map(|f| f.0.clone()).collect();
    let mut graphs: BTreeMap<String, BTreeMap<String, BTreeMap<String, Vec<String>>>> =
        BTreeMap::new();
    let mut add = |level: &str, from: &str, to: &str, at: String| {
        graphs
            .entry(level.into())
            .or_default()
            .entry(from.into())
            .or_default()
            .entry(to.into())
            .or_default()
            .push(at);
    };
    for (file, path) in &files {
        let code = code_only(&std::fs::read_to_string(path).unwrap());
        assert!(
            !code.contains("#[path"),
            "{}: #[path] breaks the file-to-module mapping",
            path.display()
        );
        let Some(from) = file.first() else { continue }; // lib.rs declares modules only
        for (line, to) in references(&code, file) {
            let at = format!(
                "{}:{line} {}",
                path.strip_prefix(&root).unwrap().display(),
                to.join("::")
            );
            if let Some(top) = to.first()
                && top != from
                && modules.contains(&vec![top.clone()])
            {
                add("", from, top, at.clone());
            }
            for area in AREAS {
                if file.len() >= 2
                    && from.as_str() == *area
                    && to.len() >= 2
                    && to[0] == *area
                    && to[1] != file[1]
                    && modules.contains(&vec![area.to_string(), to[1].clone()])
                {
                    add(area, &file[1], &to[1], at.clone());
                }
            }
        }
    }
    let mut found = BTreeSet::new();
    let mut report = String::new();
    for (level, g) in &graphs {
        for c in circles(g) {
            let _ = writeln!(
                report,
                "circle {}{c:?}:",
                if level.is_empty() {
                    String::new()
                } else {
                    format!("in {level}: ")
                }
            );
            for a in &c {
                for (b, evidence) in g[a].iter().filter(|(b, _)| c.contains(b)) {
                    for e in evidence {
                        let _ = writeln!(report, "  {a} -> {b}: {e}");
                    }
                }
            }
            found.insert(if level.is_empty() {
                c
            } else {
                c.iter().map(|m| format!("{level}::{m}")).collect()
            });
        }
    }
    let known: BTreeSet<Vec<String>> = KNOWN_CYCLES
        .iter()
        .map(|c| c.iter().map(|s| s.to_string()).collect())
        .collect();
    assert!(
        found == known,
        "module circles differ from KNOWN_CYCLES\nfound {found:?}\nknown {known:?}\n{report}"
    );
}

#[test]
fn the_reader_sees_paths_and_only_paths() {
    let code = code_only(
        "//! see [`crate::doc_only`]\nuse crate::{a::{self, B}, c::*};\nconst S: &str = \"crate::in_string\";\n\
         const R: &str = r#\"crate::raw\"#;\npub(in crate::vis) fn f<'a>(x: &'a str) { super::x::y(); let c = '\"'; }\n\
         mod tests { use super::*; }\n",
    );
    let got: Vec<String> = references(&code, &["p".into(), "q".into()])
        .into_iter()
        .map(|r| r.1.join("::"))
        .collect();
    assert_eq!(got, ["a", "a::B", "c::*", "p::x::y", "p::q::*"]);
}

/// Files allowed over the limit for now, with their size when listed: they may only shrink.
const OVERSIZED: &[(&str, usize)] = &[];
const MAX_LINES: usize = 800;

#[test]
fn no_file_over_800_lines() {
    let ws = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for dir in ["server/src", "app/src"] {
        for (_, path) in rust_files(&ws.join(dir)) {
            let rel = path
                .strip_prefix(ws)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let lines = std::fs::read_to_string(&path).unwrap().lines().count();
            match OVERSIZED.iter().find(|(f, _)| *f == rel) {
                Some((_, was)) if lines > *was => problems.push(format!(
                    "{rel}: {lines} lines, listed at {was}: it may only shrink"
                )),
                Some(_) if lines <= MAX_LINES => {
                    problems.push(format!("{rel}: {lines} lines: take it off OVERSIZED"))
                }
                None if lines > MAX_LINES => {
                    problems.push(format!("{rel}: {lines} lines (limit {MAX_LINES})"))
                }
                _ => {}
            }
            seen.insert(rel);
        }
    }
    for (f, _) in OVERSIZED.iter().filter(|(f, _)| !seen.contains(*f)) {
        problems.push(format!(
            "{f} is listed in OVERSIZED but does not exist (moved? list its new path)"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_server_reads_time_from_its_clock() {
    for (_, path) in rust_files(&src()) {
        let t = tokens(&code_only(&std::fs::read_to_string(&path).unwrap()));
        let calls_ui_clock = t
            .windows(3)
            .any(|w| w[0].1 == "api" && w[1].1 == "::" && w[2].1 == "now_ms");
        assert!(
            !calls_ui_clock,
            "{}: use the Clock (Services::now, or clock::SystemClock outside Services)",
            path.display()
        );
    }
}

/// The pages' port only forwards: each method of `impl Backend for Services` is one call of
/// the use case of the same area (`Services::name(self, …)` or `self.name(…)`), so a newcomer
/// finds every use case in its area's file, never here.
#[test]
fn the_port_only_forwards() {
    let text = std::fs::read_to_string(src().join("services/backend.rs")).unwrap();
    let code = code_only(&text);
    let mut problems = Vec::new();
    let mut methods = 0;
    let mut body: Option<(usize, Vec<&str>)> = None;
    for (n, line) in code.lines().enumerate() {
        if let Some((start, lines)) = body.as_mut() {
            if line == "    }" {
                let joined = lines.join(" ");
                let joined = joined.trim();
                let one_call = (joined.starts_with("Services::") || joined.starts_with("self."))
                    && !joined.contains(';')
                    && !joined.contains("match ")
                    && !joined.contains("if ");
                if !one_call {
                    problems.push(format!("services/backend.rs:{}: {joined}", *start + 1));
                }
                methods += 1;
                body = None;
            } else {
                lines.push(line.trim());
            }
        } else if line.starts_with("    ")
            && !line.starts_with("     ")
            && line.ends_with(" {")
            && (line.contains("fn ") || line.starts_with("    ) "))
        {
            body = Some((n, Vec::new()));
        }
    }
    assert!(
        methods > 30,
        "read {methods} methods only: the reader is wrong"
    );
    assert!(
        problems.is_empty(),
        "methods of the port that do more than forward (move the body to its area):\n{}",
        problems.join("\n")
    );
}
