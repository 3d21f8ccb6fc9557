//! The safe Markdown subset item texts are written in.
//!
//! Parsed into a small tree that the interface renders element by element: there is no HTML
//! string anywhere, so no raw HTML can reach a page, whatever a text contains (`<script>` is
//! just text). The subset: paragraphs (separated by a blank line), line breaks, `**strong**`,
//! `*emphasis*` or `_emphasis_`, `` `code` ``, bullet (`- `) and numbered (`1. `) lists, and
//! images of the item's own attachments `![alt](attachment:NAME)`. A backslash escapes the next
//! character. Anything else is text.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "t", content = "c")]
pub enum Inline {
    Text(String),
    Strong(Vec<Inline>),
    Emph(Vec<Inline>),
    Code(String),
    Image { alt: String, attachment: String },
    Break,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "t", content = "c")]
pub enum Block {
    Paragraph(Vec<Inline>),
    List {
        ordered: bool,
        items: Vec<Vec<Inline>>,
    },
}

fn list_marker(line: &str) -> Option<(bool, &str)> {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        return Some((false, rest));
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=3).contains(&digits)
        && let Some(rest) = t[digits..].strip_prefix(". ")
    {
        return Some((true, rest));
    }
    None
}

/// Parses a text into blocks. Never fails: what is not markup is text.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut list: Option<(bool, Vec<Vec<Inline>>)> = None;
    let flush_para = |para: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            let mut inlines = Vec::new();
            for (i, line) in para.iter().enumerate() {
                if i > 0 {
                    inlines.push(Inline::Break);
                }
                inlines.extend(parse_inline(line.trim()));
            }
            blocks.push(Block::Paragraph(inlines));
            para.clear();
        }
    };
    let flush_list = |list: &mut Option<(bool, Vec<Vec<Inline>>)>, blocks: &mut Vec<Block>| {
        if let Some((ordered, items)) = list.take() {
            blocks.push(Block::List { ordered, items });
        }
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush_para(&mut para, &mut blocks);
            flush_list(&mut list, &mut blocks);
            continue;
        }
        if let Some((ordered, rest)) = list_marker(line) {
            flush_para(&mut para, &mut blocks);
            match &mut list {
                Some((o, items)) if *o == ordered => items.push(parse_inline(rest.trim())),
                _ => {
                    flush_list(&mut list, &mut blocks);
                    list = Some((ordered, vec![parse_inline(rest.trim())]));
                }
            }
            continue;
        }
        if let Some((_, items)) = &mut list {
            // A continuation line of the last list item.
            if let Some(last) = items.last_mut() {
                last.push(Inline::Break);
                last.extend(parse_inline(line.trim()));
            }
            continue;
        }
        para.push(line);
    }
    flush_para(&mut para, &mut blocks);
    flush_list(&mut list, &mut blocks);
    blocks
}

fn push_text(out: &mut Vec<Inline>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(Inline::Text(t)) = out.last_mut() {
        t.push_str(s);
    } else {
        out.push(Inline::Text(s.to_string()));
    }
}

/// Finds the closing `delim` at or after `from` that is not escaped; returns its byte index.
fn find_closing(s: &str, from: usize, delim: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = from;
    while i < s.len() {
        if bytes[i] == b'\\' && bytes.get(i + 1).is_some_and(u8::is_ascii_punctuation) {
            i += 2;
            continue;
        }
        if s[i..].starts_with(delim) {
            return Some(i);
        }
        i += s[i..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// Parses inline markup of one line.
pub fn parse_inline(s: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let Some(c) = rest.chars().next() else { break };
        if c == '\\' {
            // CommonMark: a backslash escapes ASCII punctuation; before anything else it is text.
            match rest[1..].chars().next() {
                Some(n) if n.is_ascii_punctuation() => {
                    let mut buf = [0u8; 4];
                    push_text(&mut out, n.encode_utf8(&mut buf));
                    i += 1 + n.len_utf8();
                }
                _ => {
                    push_text(&mut out, "\\");
                    i += 1;
                }
            }
            continue;
        }
        if rest.starts_with("**") {
            if let Some(end) = find_closing(s, i + 2, "**").filter(|&e| e > i + 2) {
                out.push(Inline::Strong(parse_inline(&s[i + 2..end])));
                i = end + 2;
                continue;
            }
        } else if c == '*' || c == '_' {
            let delim = if c == '*' { "*" } else { "_" };
            if let Some(end) = find_closing(s, i + 1, delim).filter(|&e| e > i + 1) {
                out.push(Inline::Emph(parse_inline(&s[i + 1..end])));
                i = end + 1;
                continue;
            }
        } else if c == '`' {
            if let Some(end) = s[i + 1..].find('`') {
                out.push(Inline::Code(s[i + 1..i + 1 + end].to_string()));
                i += end + 2;
                continue;
            }
        } else if rest.starts_with("![")
            && let Some(img) = parse_image(rest)
        {
            let (alt, name, len) = img;
            out.push(Inline::Image {
                alt,
                attachment: name,
            });
            i += len;
            continue;
        }
        let mut buf = [0u8; 4];
        push_text(&mut out, c.encode_utf8(&mut buf));
        i += c.len_utf8();
    }
    out
}

/// `![alt](attachment:NAME)` at the start of `s`: `(alt, NAME, length)`.
fn parse_image(s: &str) -> Option<(String, String, usize)> {
    let close = s.find("](")?;
    let alt = &s[2..close];
    if alt.contains(']') {
        return None;
    }
    let target_start = close + 2;
    let end = s[target_start..].find(')')? + target_start;
    let name = s[target_start..end].strip_prefix("attachment:")?;
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    Some((alt.to_string(), name.to_string(), end + 1))
}

/// The attachment names a text shows.
pub fn attachment_refs(text: &str) -> Vec<String> {
    fn walk(inlines: &[Inline], out: &mut Vec<String>) {
        for i in inlines {
            match i {
                Inline::Image { attachment, .. } => out.push(attachment.clone()),
                Inline::Strong(v) | Inline::Emph(v) => walk(v, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for b in parse(text) {
        match b {
            Block::Paragraph(v) => walk(&v, &mut out),
            Block::List { items, .. } => items.iter().for_each(|v| walk(v, &mut out)),
        }
    }
    out
}

/// The text without markup (for lists, search and exports to plain formats).
pub fn to_plain(text: &str) -> String {
    fn walk(inlines: &[Inline], out: &mut String) {
        for i in inlines {
            match i {
                Inline::Text(t) | Inline::Code(t) => out.push_str(t),
                Inline::Strong(v) | Inline::Emph(v) => walk(v, out),
                Inline::Image { alt, .. } => out.push_str(alt),
                Inline::Break => out.push('\n'),
            }
        }
    }
    let mut out = String::new();
    for (n, b) in parse(text).iter().enumerate() {
        if n > 0 {
            out.push_str("\n\n");
        }
        match b {
            Block::Paragraph(v) => walk(v, &mut out),
            Block::List { ordered, items } => {
                for (k, item) in items.iter().enumerate() {
                    if k > 0 {
                        out.push('\n');
                    }
                    if *ordered {
                        out.push_str(&format!("{}. ", k + 1));
                    } else {
                        out.push_str("- ");
                    }
                    walk(item, &mut out);
                }
            }
        }
    }
    out
}

/// Escapes `text` so that it parses back as exactly this text (no markup).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '!' | '[') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn paragraphs_emphasis_and_code() {
        let b = parse("Which **two** of *these*?\nPick `one`.\n\nSecond");
        assert_eq!(
            b,
            vec![
                Block::Paragraph(vec![
                    text("Which "),
                    Inline::Strong(vec![text("two")]),
                    text(" of "),
                    Inline::Emph(vec![text("these")]),
                    text("?"),
                    Inline::Break,
                    text("Pick "),
                    Inline::Code("one".into()),
                    text("."),
                ]),
                Block::Paragraph(vec![text("Second")]),
            ]
        );
    }

    #[test]
    fn html_is_only_text() {
        let b = parse("<script>alert(1)</script> <b>x</b>");
        assert_eq!(
            b,
            vec![Block::Paragraph(vec![text(
                "<script>alert(1)</script> <b>x</b>"
            )])]
        );
    }

    #[test]
    fn lists_and_images() {
        let b = parse("Steps:\n1. plan\n2. act\n\n- a\n- ![chart](attachment:c.png)");
        assert_eq!(b.len(), 3);
        assert_eq!(
            b[1],
            Block::List {
                ordered: true,
                items: vec![vec![text("plan")], vec![text("act")]]
            }
        );
        assert_eq!(
            attachment_refs("x ![a](attachment:c.png) ![b](http://evil)"),
            ["c.png"]
        );
        assert_eq!(to_plain("**A** _b_\n- c"), "A b\n\n- c");
    }

    #[test]
    fn escapes_round_trip_and_unclosed_marks_are_text() {
        for s in [
            "2 * 3 = 6",
            "a_b_c",
            "**not closed",
            "\\",
            "![x](y)",
            "`",
            "ё **",
        ] {
            let blocks = parse(&escape(s));
            assert_eq!(blocks, vec![Block::Paragraph(vec![text(s)])], "{s}");
        }
        assert_eq!(
            parse("**open"),
            vec![Block::Paragraph(vec![text("**open")])]
        );
    }
}
