//! Exchange formats for the bank: GIFT and Moodle XML (what methodologists already keep their
//! banks in) and CSV (for spreadsheets).
//!
//! Importers never panic and never half-succeed: they return either every item of the file or
//! every error (with a line number or an element path). Question types a format has and Qabilet
//! does not (essay, cloze, ...) are reported by name and position in [`Imported::skipped`].
//! Exporters write everything an item holds, so that exporting and importing again gives back
//! the same items (Qabilet-only details travel in comments or in an element Moodle ignores).
//!
//! Multilingual texts use Moodle's multilang convention,
//! `<span lang="kk" class="multilang">...</span>` per language; a text without it is in the
//! import's default language.

pub mod csv;
pub mod gift;
pub mod moodle_xml;

use crate::item::{Attachment, Difficulty, Item, ItemId, ItemMeta, Key, LocalizedText};
use crate::language::Language;
use crate::markdown;
use std::fmt;

/// The formats Qabilet reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Gift,
    MoodleXml,
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Gift => "gift",
            Format::MoodleXml => "moodle-xml",
            Format::Csv => "csv",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "gift" => Some(Format::Gift),
            "moodle-xml" | "xml" => Some(Format::MoodleXml),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
    /// Guesses the format from a file name.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".gift") || lower.ends_with(".txt") {
            Some(Format::Gift)
        } else if lower.ends_with(".xml") {
            Some(Format::MoodleXml)
        } else if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else {
            None
        }
    }
}

/// Where in a file something is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// 1-based line (GIFT, CSV).
    Line(usize),
    /// Element path, e.g. `quiz/question[3]/answer[2]` (XML).
    Path(String),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "line {n}"),
            Position::Path(p) => f.write_str(p),
        }
    }
}

/// A problem that stops the import.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FormatError {
    pub position: Position,
    pub message: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.message)
    }
}

impl FormatError {
    pub fn new(position: Position, message: impl Into<String>) -> Self {
        Self {
            position,
            message: message.into(),
        }
    }
}

/// A question the file has and Qabilet does not take.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Skipped {
    pub position: Position,
    /// The question's name in the file, if it has one.
    pub name: String,
    /// The format's name for the question type (`essay`, `cloze`, `description`...).
    pub kind: String,
}

/// Something imported differently from the file, worth a look (never a lost question).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    pub position: Position,
    pub message: String,
}

/// An attachment's bytes, found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileData {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// One imported item and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedItem {
    pub item: Item,
    /// The file's category (GIFT `$CATEGORY`, Moodle category), if any; its last segment names
    /// the competency.
    pub category: Option<String>,
    pub position: Position,
    /// Attachment bytes carried by the file (Moodle XML `<file>` elements).
    pub files: Vec<FileData>,
}

/// What an importer found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    pub items: Vec<ImportedItem>,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<Warning>,
}

/// Settings of an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The language of texts that do not say which language they are in.
    pub language: Language,
    /// The competency of items whose file gives no category.
    pub default_competency: String,
    /// Prefix of ids made for items without a usable name.
    pub id_prefix: String,
    pub max_items: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            language: Language::Ru,
            default_competency: "uncategorised".into(),
            id_prefix: "imported".into(),
            max_items: 50_000,
        }
    }
}

/// Reads a file in `format`.
pub fn import(
    format: Format,
    text: &str,
    options: &ImportOptions,
) -> Result<Imported, Vec<FormatError>> {
    let imported = match format {
        Format::Gift => gift::parse(text, options),
        Format::MoodleXml => moodle_xml::parse(text, options),
        Format::Csv => csv::parse(text, options),
    }?;
    if imported.items.len() > options.max_items {
        return Err(vec![FormatError::new(
            Position::Line(0),
            format!(
                "the file has {} items; at most {} are taken at once",
                imported.items.len(),
                options.max_items
            ),
        )]);
    }
    Ok(imported)
}

/// Writes items in `format`.
pub fn export(format: Format, items: &[Item]) -> String {
    match format {
        Format::Gift => gift::write(items),
        Format::MoodleXml => moodle_xml::write(items),
        Format::Csv => csv::write(items),
    }
}

/// A competency code from a category path: its last segment, lower-cased, spaces to dashes.
pub fn competency_from_category(category: &str) -> String {
    let last = category
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    slug(last)
}

/// `a-z 0-9 -` from any name (letters outside ASCII are kept out; empty if nothing is left).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_' {
            out.push(c);
        } else if (c == '-' || c.is_whitespace()) && !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    out.chars().take(64).collect()
}

/// Gives every imported item an id: its name when that is a valid id, else `PREFIX-N`; a name
/// used twice in one file gets `-2`, `-3`...
pub(crate) struct IdMaker {
    prefix: String,
    used: std::collections::HashSet<String>,
    n: usize,
}

impl IdMaker {
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: slug(prefix).chars().take(40).collect(),
            used: Default::default(),
            n: 0,
        }
    }
    pub fn make(&mut self, name: &str) -> ItemId {
        self.n += 1;
        let base = match ItemId::parse(name.trim()) {
            Ok(id) => id.to_string(),
            Err(_) => {
                let s = slug(name);
                if s.is_empty() {
                    format!("{}-{}", self.prefix, self.n)
                } else {
                    s
                }
            }
        };
        let mut candidate = base.clone();
        let mut k = 1;
        while self.used.contains(&candidate) || ItemId::parse(candidate.as_str()).is_err() {
            k += 1;
            let suffix = format!("-{k}");
            let keep = 64usize.saturating_sub(suffix.len());
            candidate = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
            if k > 10_000 {
                candidate = format!("{}-{}", self.prefix, self.n);
                break;
            }
        }
        self.used.insert(candidate.clone());
        ItemId::parse(candidate).unwrap_or_else(|_| {
            ItemId::parse(format!("item-{}", self.n)).unwrap_or_else(|_| unreachable_id())
        })
    }
}

fn unreachable_id() -> ItemId {
    // `item-N` always parses; this keeps the importer free of panics regardless.
    ItemId::parse("item").unwrap_or_else(|_| unreachable_id())
}

/// Splits Moodle multilang markup into languages; text outside any span goes to `default`.
/// Spans in languages Qabilet does not speak are dropped (and reported by the caller).
pub fn split_multilang(text: &str, default: Language) -> (LocalizedText, Vec<String>) {
    split_multilang_with(text, default, true)
}

/// As [`split_multilang`]; `decode` says whether the content of a span is entity-escaped text
/// (GIFT, CSV) or HTML to be converted later (Moodle XML, GIFT `[html]`).
pub fn split_multilang_with(
    text: &str,
    default: Language,
    decode: bool,
) -> (LocalizedText, Vec<String>) {
    let mut out = LocalizedText::new();
    let mut unknown = Vec::new();
    let mut rest = text;
    let mut outside = String::new();
    let mut found = false;
    while let Some(start) = rest.find("<span") {
        let tag_end = match rest[start..].find('>') {
            Some(e) => start + e,
            None => break,
        };
        let tag = &rest[start..=tag_end];
        if !tag.contains("multilang") {
            outside.push_str(&rest[..=tag_end]);
            rest = &rest[tag_end + 1..];
            continue;
        }
        let lang = attr(tag, "lang").unwrap_or_default();
        let Some(close) = rest[tag_end + 1..].find("</span>") else {
            break;
        };
        let inner = &rest[tag_end + 1..tag_end + 1 + close];
        outside.push_str(&rest[..start]);
        found = true;
        match lang
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .parse::<Language>()
        {
            Ok(l) => {
                let inner = if decode {
                    decode_entities(inner)
                } else {
                    inner.to_string()
                };
                out.0.insert(l, inner);
            }
            Err(_) => unknown.push(lang.to_string()),
        }
        rest = &rest[tag_end + 1 + close + "</span>".len()..];
    }
    outside.push_str(rest);
    if !found {
        out.0.insert(default, text.to_string());
    } else if !outside.trim().is_empty() && !out.0.contains_key(&default) {
        out.0.insert(default, outside.trim().to_string());
    }
    (out, unknown)
}

/// Writes a text with multilang spans when it has several languages (`<` and `&` inside are
/// written as entities so the span can be found again).
pub fn join_multilang(text: &LocalizedText) -> String {
    let langs: Vec<_> = text.0.iter().filter(|(_, t)| !t.is_empty()).collect();
    if langs.len() == 1 && !langs[0].1.contains("multilang") {
        return langs[0].1.clone();
    }
    let mut out = String::new();
    for (lang, t) in langs {
        out.push_str(&format!(
            "<span lang=\"{}\" class=\"multilang\">{}</span>",
            lang.code(),
            t.replace('&', "&amp;").replace('<', "&lt;")
        ));
    }
    out
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let pat = format!("{name}=");
    let mut from = 0;
    while let Some(i) = tag[from..].find(&pat) {
        let at = from + i;
        let ok_boundary = at == 0 || tag[..at].ends_with(char::is_whitespace);
        let after = &tag[at + pat.len()..];
        if ok_boundary {
            let quote = after.chars().next()?;
            if quote == '"' || quote == '\'' {
                let end = after[1..].find(quote)?;
                return Some(&after[1..=end]);
            }
            let end = after
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(after.len());
            return Some(&after[..end]);
        }
        from = at + pat.len();
    }
    None
}

/// Decodes the HTML entities Moodle writes (`&amp; &lt; &gt; &quot; &apos; &#39; &nbsp;` and
/// numeric ones); unknown entities stay as they are.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
                    } else if let Some(dec) = name.strip_prefix('#') {
                        dec.parse::<u32>().ok().and_then(char::from_u32)
                    } else {
                        None
                    }
                }
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(if c == '\u{a0}' { ' ' } else { c });
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Turns the HTML Moodle keeps question texts in into the Markdown subset: paragraphs, line
/// breaks, bold, italics, code, lists and images of attachments (`@@PLUGINFILE@@/name`). Other
/// tags are dropped, their text kept; scripts and styles are dropped whole.
pub fn html_to_markdown(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut list_stack: Vec<(bool, usize)> = Vec::new();
    let mut skip_until: Option<&'static str> = None;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skip_until.is_none() {
                out.push_str(&markdown::escape(&collapse(&decode_entities(rest))));
            }
            break;
        };
        if skip_until.is_none() {
            out.push_str(&markdown::escape(&collapse(&decode_entities(&rest[..lt]))));
        }
        let Some(gt) = rest[lt..].find('>') else {
            // A lone '<' is text.
            if skip_until.is_none() {
                out.push_str(&markdown::escape(&decode_entities(&rest[lt..])));
            }
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(until) = skip_until {
            if closing && name == until {
                skip_until = None;
            }
            continue;
        }
        match (name.as_str(), closing) {
            ("script", false) => skip_until = Some("script"),
            ("style", false) => skip_until = Some("style"),
            ("p" | "div", _) | ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", _) => {
                paragraph_break(&mut out)
            }
            ("br", _) => {
                trim_trailing_spaces(&mut out);
                out.push('\n');
            }
            ("strong" | "b", _) => out.push_str("**"),
            ("em" | "i", _) => out.push('*'),
            ("code", _) => out.push('`'),
            ("ul", false) => {
                paragraph_break(&mut out);
                list_stack.push((false, 0));
            }
            ("ol", false) => {
                paragraph_break(&mut out);
                list_stack.push((true, 0));
            }
            ("ul" | "ol", true) => {
                list_stack.pop();
                paragraph_break(&mut out);
            }
            ("li", false) => {
                trim_trailing_spaces(&mut out);
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                match list_stack.last_mut() {
                    Some((true, n)) => {
                        *n += 1;
                        out.push_str(&format!("{n}. "));
                    }
                    _ => out.push_str("- "),
                }
            }
            ("img", false) => {
                let src = attr(tag, "src").unwrap_or_default();
                let alt = decode_entities(attr(tag, "alt").unwrap_or_default());
                if let Some(name) = src.strip_prefix("@@PLUGINFILE@@/") {
                    let name = percent_decode(name);
                    out.push_str(&format!(
                        "![{}](attachment:{})",
                        markdown::escape(&alt).replace(']', ""),
                        name.replace([' ', ')'], "_")
                    ));
                } else if !alt.is_empty() {
                    out.push_str(&markdown::escape(&alt));
                }
            }
            _ => {}
        }
    }
    let mut text = out
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text.trim().to_string()
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            space = true;
        } else {
            if space {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

fn trim_trailing_spaces(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
}

fn paragraph_break(out: &mut String) {
    trim_trailing_spaces(out);
    if out.is_empty() {
        return;
    }
    while !out.ends_with("\n\n") {
        out.push('\n');
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes Markdown-subset text as simple HTML (for Moodle XML).
pub fn markdown_to_html(text: &str) -> String {
    use markdown::{Block, Inline};
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }
    fn inl(v: &[Inline], out: &mut String) {
        for i in v {
            match i {
                Inline::Text(t) => out.push_str(&esc(t)),
                Inline::Strong(v) => {
                    out.push_str("<strong>");
                    inl(v, out);
                    out.push_str("</strong>");
                }
                Inline::Emph(v) => {
                    out.push_str("<em>");
                    inl(v, out);
                    out.push_str("</em>");
                }
                Inline::Code(t) => out.push_str(&format!("<code>{}</code>", esc(t))),
                Inline::Image { alt, attachment } => out.push_str(&format!(
                    "<img src=\"@@PLUGINFILE@@/{}\" alt=\"{}\">",
                    esc(attachment),
                    esc(alt).replace('"', "&quot;")
                )),
                Inline::Break => out.push_str("<br>"),
            }
        }
    }
    let mut out = String::new();
    for b in markdown::parse(text) {
        match b {
            Block::Paragraph(v) => {
                out.push_str("<p>");
                inl(&v, &mut out);
                out.push_str("</p>");
            }
            Block::List { ordered, items } => {
                out.push_str(if ordered { "<ol>" } else { "<ul>" });
                for it in items {
                    out.push_str("<li>");
                    inl(&it, &mut out);
                    out.push_str("</li>");
                }
                out.push_str(if ordered { "</ol>" } else { "</ul>" });
            }
        }
    }
    out
}

/// Qabilet's own details that GIFT and Moodle XML have no place for.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Extra {
    pub kind: Option<String>,
    pub difficulty: Option<Difficulty>,
    pub meta: ItemMeta,
    pub credit: Option<crate::item::PartialCredit>,
    pub case_sensitive: bool,
}

impl Extra {
    pub fn of(item: &Item) -> Self {
        Self {
            kind: Some(item.item_type().as_str().to_string()),
            difficulty: Some(item.difficulty),
            meta: item.meta.clone(),
            credit: match &item.key {
                Key::MultipleResponse { credit, .. } => Some(*credit),
                _ => None,
            },
            case_sensitive: matches!(
                item.key,
                Key::ShortText {
                    case_sensitive: true,
                    ..
                }
            ),
        }
    }

    /// `key=value; key=value`, values with `;` `=` `\` and newlines escaped.
    pub fn to_line(&self) -> String {
        let mut parts: Vec<(String, String)> = Vec::new();
        if let Some(k) = &self.kind {
            parts.push(("type".into(), k.clone()));
        }
        if let Some(d) = self.difficulty {
            parts.push(("difficulty".into(), d.as_str().into()));
        }
        if !self.meta.tags.is_empty() {
            parts.push(("tags".into(), self.meta.tags.join(",")));
        }
        if !self.meta.author.is_empty() {
            parts.push(("author".into(), self.meta.author.clone()));
        }
        if !self.meta.source.is_empty() {
            parts.push(("source".into(), self.meta.source.clone()));
        }
        if let Some(s) = self.meta.expected_seconds {
            parts.push(("seconds".into(), s.to_string()));
        }
        if let Some(c) = self.credit {
            parts.push((
                "credit".into(),
                match c {
                    crate::item::PartialCredit::AllOrNothing => "all_or_nothing",
                    crate::item::PartialCredit::RightMinusWrong => "right_minus_wrong",
                }
                .into(),
            ));
        }
        if self.case_sensitive {
            parts.push(("case".into(), "sensitive".into()));
        }
        parts
            .into_iter()
            .map(|(k, v)| format!("{k}={}", escape_extra(&v)))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn from_line(line: &str) -> Result<Self, String> {
        let mut extra = Extra::default();
        for part in split_unescaped(line, ';') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let Some((k, v)) = part.split_once('=') else {
                return Err(format!("{part:?} is not key=value"));
            };
            let v = unescape_extra(v.trim());
            match k.trim() {
                "type" => extra.kind = Some(v),
                "difficulty" => {
                    extra.difficulty =
                        Some(Difficulty::parse(&v).ok_or_else(|| {
                            format!("difficulty {v:?} is not easy, medium or hard")
                        })?)
                }
                "tags" => {
                    extra.meta.tags = v
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .collect()
                }
                "author" => extra.meta.author = v,
                "source" => extra.meta.source = v,
                "seconds" => {
                    extra.meta.expected_seconds = Some(
                        v.parse()
                            .map_err(|_| format!("seconds {v:?} is not a number"))?,
                    )
                }
                "credit" => {
                    extra.credit = Some(match v.as_str() {
                        "all_or_nothing" => crate::item::PartialCredit::AllOrNothing,
                        "right_minus_wrong" => crate::item::PartialCredit::RightMinusWrong,
                        _ => return Err(format!("credit {v:?} is unknown")),
                    })
                }
                "case" => extra.case_sensitive = v == "sensitive",
                other => return Err(format!("unknown setting {other:?}")),
            }
        }
        Ok(extra)
    }
}

fn escape_extra(v: &str) -> String {
    let mut out = String::new();
    for c in v.chars() {
        match c {
            ';' => out.push_str("\\;"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn unescape_extra(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(n) => out.push(n),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(last) = parts.last_mut() {
                last.push('\\');
                if let Some(n) = chars.next() {
                    last.push(n);
                }
            }
        } else if c == sep {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts
}

/// An attachment record for bytes found in a file.
pub fn attachment_for(file: &FileData) -> Attachment {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(&file.bytes);
    Attachment {
        name: file.name.clone(),
        media_type: file.media_type.clone(),
        sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        size: file.bytes.len() as u64,
    }
}

/// The media type of an image file name.
pub fn media_type_of(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit('.').next()?;
    match ext {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        _ => None,
    }
}

/// Every item, or every error: an import never half-succeeds.
pub(crate) fn all_or_errors(
    out: Imported,
    errors: Vec<FormatError>,
) -> Result<Imported, Vec<FormatError>> {
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_the_markdown_subset() {
        let md = html_to_markdown(
            "<p>Which <b>two</b> of <em>these</em>?</p><ul><li>one</li><li>two &amp; three</li></ul>\
             <p>2*3 <img src=\"@@PLUGINFILE@@/chart%201.png\" alt=\"Chart\"><script>alert(1)</script></p>",
        );
        assert_eq!(
            md,
            "Which **two** of *these*?\n\n- one\n- two & three\n\n2\\*3 ![Chart](attachment:chart_1.png)"
        );
    }

    #[test]
    fn multilang_spans_split_and_join() {
        let (t, unknown) = split_multilang(
            "<span lang=\"ru\" class=\"multilang\">Привет</span><span lang=\"en\" class=\"multilang\">Hi &lt;3</span><span lang=\"de\" class=\"multilang\">Hallo</span>",
            Language::Kk,
        );
        assert_eq!(t.0.get(&Language::Ru).map(String::as_str), Some("Привет"));
        assert_eq!(t.0.get(&Language::En).map(String::as_str), Some("Hi <3"));
        assert_eq!(unknown, ["de"]);
        let (back, _) = split_multilang(&join_multilang(&t), Language::Kk);
        assert_eq!(back, t);
        let (plain, _) = split_multilang("just text", Language::Kk);
        assert_eq!(
            plain.0.get(&Language::Kk).map(String::as_str),
            Some("just text")
        );
    }

    #[test]
    fn ids_come_from_names_or_positions() {
        let mut m = IdMaker::new("bank");
        assert_eq!(m.make("lead-01").as_str(), "lead-01");
        assert_eq!(m.make("lead-01").as_str(), "lead-01-2");
        assert_eq!(m.make("Vision Question 3").as_str(), "vision-question-3");
        assert_eq!(m.make("Вопрос").as_str(), "bank-4");
        assert_eq!(
            competency_from_category("$course$/top/Leading Change"),
            "leading-change"
        );
    }

    #[test]
    fn extra_settings_round_trip() {
        let e = Extra {
            kind: Some("ordering".into()),
            difficulty: Some(Difficulty::Hard),
            meta: ItemMeta {
                tags: vec!["a".into(), "b c".into()],
                author: "A; B\\C".into(),
                source: "line1\nline2".into(),
                expected_seconds: Some(90),
            },
            credit: Some(crate::item::PartialCredit::AllOrNothing),
            case_sensitive: true,
        };
        assert_eq!(Extra::from_line(&e.to_line()), Ok(e));
        assert!(Extra::from_line("difficulty=extreme").is_err());
    }

    #[test]
    fn entities_decode() {
        assert_eq!(
            decode_entities("a &amp; b &#1179; &#x4B0; &bogus; &"),
            "a & b қ Ұ &bogus; &"
        );
    }
}
