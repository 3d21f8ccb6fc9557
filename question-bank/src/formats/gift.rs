//! GIFT, Moodle's plain-text question format.
//!
//! Read: categories (`$CATEGORY:`), titles (`::name::`), text formats (`[markdown]`, `[html]`,
//! `[moodle]`, `[plain]`), comments, escapes (`\~ \= \# \{ \} \: \\ \n`), multiple choice
//! (one right answer: single choice; weights `%50%`: multiple response), true/false, short
//! answer, matching, numeric (`#value:tolerance`, `#min..max`, several answers), missing-word
//! questions, general feedback (`####`, kept as the rationale) and answer feedback (dropped, with
//! a warning). Essays (`{}`) and descriptions (no answer block) are reported and skipped.
//!
//! Qabilet-only details (difficulty, tags, author, source, expected time, ordering items,
//! partial-credit rule, case sensitivity) travel in a comment line `// qabilet: key=value; ...`
//! before the question, which Moodle ignores.

use super::*;
use crate::item::{ItemType, PartialCredit};

const ESCAPABLE: [char; 7] = ['~', '=', '#', '{', '}', ':', '\\'];

/// Escapes text for GIFT.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if ESCAPABLE.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Removes GIFT escapes (`\n` is a line break; unknown escapes are kept as written).
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('n') => {
                    out.push('\n');
                    chars.next();
                }
                Some(&n) if ESCAPABLE.contains(&n) => {
                    out.push(n);
                    chars.next();
                }
                _ => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Byte offsets of unescaped occurrences of `c` in `s`.
fn find_unescaped(s: &str, c: char, from: usize) -> Option<usize> {
    let mut escaped = false;
    for (i, ch) in s[from..].char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if ch == '\\' {
            escaped = true;
        } else if ch == c {
            return Some(from + i);
        }
    }
    None
}

fn find_unescaped_str(s: &str, pat: &str, from: usize) -> Option<usize> {
    let mut escaped = false;
    for (i, ch) in s[from..].char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if ch == '\\' {
            escaped = true;
        } else if s[from + i..].starts_with(pat) {
            return Some(from + i);
        }
    }
    None
}

#[derive(Clone, Copy, PartialEq)]
enum TextFormat {
    Markdown,
    Html,
    Plain,
}

struct Block {
    line: usize,
    text: String,
    extra: Option<(Extra, usize)>,
    category: Option<String>,
}

/// Reads a GIFT file.
pub fn parse(text: &str, options: &ImportOptions) -> Result<Imported, Vec<FormatError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut errors = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut category: Option<String> = None;
    let mut extra: Option<(Extra, usize)> = None;
    let mut current: Option<(usize, Vec<&str>)> = None;

    let close = |current: &mut Option<(usize, Vec<&str>)>,
                 extra: &mut Option<(Extra, usize)>,
                 category: &Option<String>,
                 blocks: &mut Vec<Block>| {
        if let Some((line, lines)) = current.take() {
            blocks.push(Block {
                line,
                text: lines.join("\n"),
                extra: extra.take(),
                category: category.clone(),
            });
        }
    };

    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let trimmed = raw.trim();
        if let Some(comment) = trimmed.strip_prefix("//") {
            if let Some(settings) = comment.trim_start().strip_prefix("qabilet:") {
                match Extra::from_line(settings) {
                    Ok(e) => extra = Some((e, line_no)),
                    Err(m) => errors.push(FormatError::new(Position::Line(line_no), m)),
                }
            }
            continue;
        }
        if trimmed.is_empty() {
            // A blank line ends a question (an answer block left open is an error then).
            close(&mut current, &mut extra, &category, &mut blocks);
            continue;
        }
        if current.is_none()
            && let Some(c) = trimmed.strip_prefix("$CATEGORY:")
        {
            category = Some(unescape(c.trim()));
            continue;
        }
        match &mut current {
            Some((_, lines)) => lines.push(raw),
            None => current = Some((line_no, vec![raw])),
        }
    }
    close(&mut current, &mut extra, &category, &mut blocks);

    let mut out = Imported::default();
    let mut ids = IdMaker::new(&options.id_prefix);
    for b in blocks {
        match parse_question(&b, options, &mut ids, &mut out) {
            Ok(Some(item)) => out.items.push(item),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    all_or_errors(out, errors)
}

/// The line of byte offset `at` in a block starting at `line`.
fn line_at(b: &Block, at: usize) -> Position {
    let upto = &b.text[..at.min(b.text.len())];
    Position::Line(b.line + upto.matches('\n').count())
}

fn convert(raw: &str, format: TextFormat, lang: Language) -> (LocalizedText, Vec<String>) {
    let text = unescape(raw.trim());
    let (split, unknown) = split_multilang_with(&text, lang, format != TextFormat::Html);
    let converted = split
        .0
        .into_iter()
        .map(|(l, t)| {
            let t = match format {
                TextFormat::Markdown => t.trim().to_string(),
                TextFormat::Html => html_to_markdown(&t),
                TextFormat::Plain => {
                    if looks_like_html(&t) {
                        html_to_markdown(&t)
                    } else {
                        markdown::escape(t.trim())
                    }
                }
            };
            (l, t)
        })
        .filter(|(_, t)| !t.is_empty())
        .collect();
    (LocalizedText(converted), unknown)
}

pub(super) fn looks_like_html(t: &str) -> bool {
    t.match_indices('<').any(|(i, _)| {
        t[i + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/')
    })
}

struct Answer {
    right: bool,
    weight: Option<f64>,
    text: String,
    feedback: bool,
    offset: usize,
}

/// Splits the inside of an answer block into answers starting with `=` or `~`.
fn answers(a: &str, base: usize) -> Result<Vec<Answer>, (usize, String)> {
    let mut starts = Vec::new();
    let mut escaped = false;
    for (i, ch) in a.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match ch {
            '\\' => escaped = true,
            '=' | '~' => starts.push(i),
            _ => {}
        }
    }
    // `->` in matching answers contains no `=`; but `=` may follow `-` only in the text, which
    // GIFT requires to be escaped, so every unescaped `=`/`~` starts an answer.
    if starts.first().is_none_or(|&s| !a[..s].trim().is_empty()) {
        return Err((
            base,
            "answers must start with = (right) or ~ (wrong)".into(),
        ));
    }
    let mut out = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(a.len());
        let right = a[s..].starts_with('=');
        let mut body = &a[s + 1..end];
        let mut weight = None;
        let trimmed = body.trim_start();
        if let Some(rest) = trimmed.strip_prefix('%') {
            let Some(close) = rest.find('%') else {
                return Err((base + s, "a weight must be written %50%".into()));
            };
            let w: f64 = rest[..close].trim().parse().map_err(|_| {
                (
                    base + s,
                    format!("weight {:?} is not a number", &rest[..close]),
                )
            })?;
            weight = Some(w);
            body = &rest[close + 1..];
        }
        let (text, feedback) = match find_unescaped(body, '#', 0) {
            Some(h) => (&body[..h], true),
            None => (body, false),
        };
        out.push(Answer {
            right,
            weight,
            text: text.trim().to_string(),
            feedback,
            offset: base + s,
        });
    }
    Ok(out)
}

fn parse_number(s: &str) -> Option<f64> {
    let v: f64 = s.trim().parse().ok()?;
    v.is_finite().then_some(v)
}

/// `value:tolerance`, `min..max` or `value`.
fn numeric_answer(s: &str) -> Option<(f64, f64)> {
    let s = unescape(s.trim());
    if let Some((lo, hi)) = s.split_once("..") {
        let (lo, hi) = (parse_number(lo)?, parse_number(hi)?);
        if hi < lo {
            return None;
        }
        return Some(((lo + hi) / 2.0, (hi - lo) / 2.0));
    }
    if let Some((v, t)) = s.split_once(':') {
        let tol = parse_number(t)?;
        return (tol >= 0.0).then_some((parse_number(v)?, tol));
    }
    Some((parse_number(&s)?, 0.0))
}

fn parse_question(
    b: &Block,
    options: &ImportOptions,
    ids: &mut IdMaker,
    out: &mut Imported,
) -> Result<Option<ImportedItem>, FormatError> {
    let s = b.text.as_str();
    let err = |at: usize, m: String| FormatError::new(line_at(b, at), m);
    let mut pos = s.len() - s.trim_start().len();
    let mut title = String::new();
    if s[pos..].starts_with("::") {
        let Some(end) = find_unescaped_str(s, "::", pos + 2) else {
            return Err(err(
                pos,
                "the title opened with :: is not closed with ::".into(),
            ));
        };
        title = unescape(s[pos + 2..end].trim());
        pos = end + 2;
    }
    let after_title = s[pos..].trim_start();
    pos = s.len() - after_title.len();
    let mut format = TextFormat::Plain;
    for (tag, f) in [
        ("[markdown]", TextFormat::Markdown),
        ("[html]", TextFormat::Html),
        ("[moodle]", TextFormat::Plain),
        ("[plain]", TextFormat::Plain),
    ] {
        if s[pos..].starts_with(tag) {
            format = f;
            pos += tag.len();
            break;
        }
    }
    let Some(open) = find_unescaped(s, '{', pos) else {
        out.skipped.push(Skipped {
            position: line_at(b, 0),
            name: title,
            kind: "description".into(),
        });
        return Ok(None);
    };
    let Some(close) = find_unescaped(s, '}', open + 1) else {
        return Err(err(
            open,
            "the answer block opened with { is not closed with }".into(),
        ));
    };
    let tail = s[close + 1..].trim();
    let stem_raw = if tail.is_empty() {
        s[pos..open].to_string()
    } else {
        // Missing-word question: the blank is where the answers were.
        format!("{} _____ {}", s[pos..open].trim_end(), tail)
    };
    let lang = options.language;
    let (stem, mut unknown) = convert(&stem_raw, format, lang);
    let mut inner = &s[open + 1..close];
    let mut rationale = LocalizedText::new();
    if let Some(fb) = find_unescaped_str(inner, "####", 0) {
        let (r, u) = convert(&inner[fb + 4..], format, lang);
        rationale = r;
        unknown.extend(u);
        inner = &inner[..fb];
    }
    let base = open + 1;
    let body = inner.trim();
    let extra = b.extra.as_ref().map(|(e, _)| e.clone()).unwrap_or_default();
    let mut warn = |m: String| {
        out.warnings.push(Warning {
            position: line_at(b, open),
            message: m,
        })
    };
    let mut item_options: Vec<LocalizedText> = Vec::new();
    let mut matches: Vec<LocalizedText> = Vec::new();
    let key: Key;
    if body.is_empty() {
        out.skipped.push(Skipped {
            position: line_at(b, 0),
            name: title,
            kind: "essay".into(),
        });
        return Ok(None);
    }
    let upper = body
        .split('#')
        .next()
        .unwrap_or_default()
        .trim()
        .to_uppercase();
    if let Some(num) = body.strip_prefix('#') {
        let num = num.trim();
        if num.starts_with('=') {
            let list = answers(num, base).map_err(|(at, m)| err(at, m))?;
            let best = list
                .iter()
                .find(|a| a.weight.is_none_or(|w| w >= 100.0))
                .ok_or_else(|| err(base, "no numeric answer has full credit".into()))?;
            let (value, tolerance) = numeric_answer(&best.text).ok_or_else(|| {
                err(
                    best.offset,
                    format!("{:?} is not value:tolerance or min..max", best.text),
                )
            })?;
            if list.len() > 1 {
                warn("numeric answers with partial credit are not kept (numeric items are right or wrong)".into());
            }
            key = Key::Numeric { value, tolerance };
        } else {
            let text = match find_unescaped(num, '#', 0) {
                Some(h) => {
                    warn("answer feedback is not kept".into());
                    &num[..h]
                }
                None => num,
            };
            let (value, tolerance) = numeric_answer(text)
                .ok_or_else(|| err(base, format!("{text:?} is not value:tolerance or min..max")))?;
            key = Key::Numeric { value, tolerance };
        }
    } else if matches!(upper.as_str(), "T" | "TRUE" | "F" | "FALSE") {
        if body.contains('#') {
            warn("answer feedback is not kept".into());
        }
        key = Key::TrueFalse {
            answer: upper.starts_with('T'),
        };
    } else {
        let list = answers(body, base).map_err(|(at, m)| err(at, m))?;
        if list.iter().any(|a| a.feedback) {
            warn("answer feedback is not kept".into());
        }
        let all_right = list.iter().all(|a| a.right);
        let is_matching = all_right
            && list
                .iter()
                .all(|a| find_unescaped_str(&a.text, "->", 0).is_some());
        if is_matching {
            let mut pairs = Vec::new();
            for a in &list {
                let split = find_unescaped_str(&a.text, "->", 0).unwrap_or(a.text.len());
                let premise = a.text[..split].trim();
                let answer = a.text[(split + 2).min(a.text.len())..].trim();
                let (answer_t, u) = convert(answer, format, lang);
                unknown.extend(u);
                let index = match matches.iter().position(|m| *m == answer_t) {
                    Some(i) => i,
                    None => {
                        matches.push(answer_t);
                        matches.len() - 1
                    }
                };
                if !premise.is_empty() {
                    let (p, u) = convert(premise, format, lang);
                    unknown.extend(u);
                    item_options.push(p);
                    pairs.push(index);
                }
            }
            if extra.kind.as_deref() == Some("ordering") {
                // Written as `=element -> position`: the premises are in the right order.
                matches.clear();
                key = Key::Ordering;
            } else {
                key = Key::Matching { pairs };
            }
        } else if all_right {
            key = Key::ShortText {
                accepted: list
                    .iter()
                    .filter(|a| a.weight.is_none_or(|w| w >= 100.0))
                    .map(|a| unescape(&a.text))
                    .collect(),
                case_sensitive: extra.case_sensitive,
            };
            if list.iter().any(|a| a.weight.is_some_and(|w| w < 100.0)) {
                warn(
                    "short answers with partial credit are not kept (short text is right or wrong)"
                        .into(),
                );
            }
        } else {
            let weighted = list.iter().any(|a| a.weight.is_some());
            for a in &list {
                let (t, u) = convert(&a.text, format, lang);
                unknown.extend(u);
                item_options.push(t);
            }
            if weighted || extra.kind.as_deref() == Some("multiple_response") {
                let correct: Vec<usize> = list
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| {
                        a.weight.is_some_and(|w| w > 0.0) || (a.right && a.weight.is_none())
                    })
                    .map(|(i, _)| i)
                    .collect();
                key = Key::MultipleResponse {
                    correct,
                    credit: extra.credit.unwrap_or(PartialCredit::RightMinusWrong),
                };
            } else {
                let right: Vec<usize> = list
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| a.right)
                    .map(|(i, _)| i)
                    .collect();
                if right.len() != 1 {
                    return Err(err(
                        base,
                        format!(
                            "a multiple-choice question needs exactly one right answer (=), this one has {}",
                            right.len()
                        ),
                    ));
                }
                key = Key::SingleChoice { correct: right[0] };
            }
        }
    }
    for u in unknown {
        warn(format!(
            "text in language {u:?} is not kept (Qabilet keeps kk, ru, en)"
        ));
    }
    let competency = b
        .category
        .as_deref()
        .map(competency_from_category)
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| options.default_competency.clone());
    let item = Item {
        id: ids.make(&title),
        version: 1,
        competency,
        difficulty: extra.difficulty.unwrap_or(Difficulty::Medium),
        stem,
        options: item_options,
        matches,
        key,
        rationale,
        meta: extra.meta.clone(),
        attachments: vec![],
    };
    if let (Some(kind), Some((_, line))) = (&extra.kind, &b.extra)
        && ItemType::parse(kind).is_some_and(|k| k != item.item_type())
    {
        return Err(FormatError::new(
            Position::Line(*line),
            format!(
                "the comment says {kind}, but the question is {}",
                item.item_type()
            ),
        ));
    }
    item.validate()
        .map_err(|e| FormatError::new(line_at(b, 0), e.to_string()))?;
    Ok(Some(ImportedItem {
        item,
        category: b.category.clone(),
        position: line_at(b, 0),
        files: vec![],
    }))
}

fn text(t: &LocalizedText) -> String {
    escape(&join_multilang(t))
}

fn number(v: f64) -> String {
    format!("{v}")
}

/// Writes items as GIFT, grouped by competency (`$CATEGORY`).
pub fn write(items: &[Item]) -> String {
    let mut out = String::from("// Qabilet question bank export (GIFT)\n\n");
    let mut category: Option<&str> = None;
    for item in items {
        if category != Some(item.competency.as_str()) {
            out.push_str(&format!("$CATEGORY: {}\n\n", escape(&item.competency)));
            category = Some(&item.competency);
        }
        out.push_str(&format!("// qabilet: {}\n", Extra::of(item).to_line()));
        out.push_str(&format!(
            "::{}::[markdown]{}{{\n",
            escape(item.id.as_str()),
            text(&item.stem)
        ));
        match &item.key {
            Key::SingleChoice { correct } => {
                for (i, o) in item.options.iter().enumerate() {
                    let mark = if i == *correct { '=' } else { '~' };
                    out.push_str(&format!("\t{mark}{}\n", text(o)));
                }
            }
            Key::MultipleResponse { correct, .. } => {
                let right = correct.len().max(1) as f64;
                let wrong =
                    (item.options.len() - correct.len().min(item.options.len())).max(1) as f64;
                for (i, o) in item.options.iter().enumerate() {
                    let w = if correct.contains(&i) {
                        100.0 / right
                    } else {
                        -100.0 / wrong
                    };
                    out.push_str(&format!("\t~%{}%{}\n", trim_weight(w), text(o)));
                }
            }
            Key::TrueFalse { answer } => {
                out.push_str(if *answer { "\tTRUE\n" } else { "\tFALSE\n" });
            }
            Key::Matching { pairs } => {
                for (o, &p) in item.options.iter().zip(pairs) {
                    let m = item.matches.get(p).map(text).unwrap_or_default();
                    out.push_str(&format!("\t={} -> {}\n", text(o), m));
                }
                for (i, m) in item.matches.iter().enumerate() {
                    if !pairs.contains(&i) {
                        out.push_str(&format!("\t= -> {}\n", text(m)));
                    }
                }
            }
            Key::Ordering => {
                for (i, o) in item.options.iter().enumerate() {
                    out.push_str(&format!("\t={} -> {}\n", text(o), i + 1));
                }
            }
            Key::Numeric { value, tolerance } => {
                out.push_str(&format!("\t#{}:{}\n", number(*value), number(*tolerance)));
            }
            Key::ShortText { accepted, .. } => {
                for a in accepted {
                    out.push_str(&format!("\t={}\n", escape(a)));
                }
            }
        }
        if item.rationale.languages().next().is_some() {
            out.push_str(&format!("\t####{}\n", text(&item.rationale)));
        }
        out.push_str("}\n\n");
    }
    out
}

fn trim_weight(w: f64) -> String {
    let s = format!("{w:.5}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A synthetic GIFT bank of `n` items in Kazakh, Russian and English, cycling through the
/// types, 500 items per category: for benchmarks and load tests.
pub fn synthetic(n: usize) -> String {
    let ml = |kk: &str, ru: &str, en: &str| {
        format!(
            "<span lang\\=\"kk\" class\\=\"multilang\">{kk}</span><span lang\\=\"ru\" class\\=\"multilang\">{ru}</span><span lang\\=\"en\" class\\=\"multilang\">{en}</span>"
        )
    };
    let mut out = String::new();
    for i in 0..n {
        if i % 500 == 0 {
            out.push_str(&format!(
                "$CATEGORY: $course$/top/competency {}\n\n",
                i / 500
            ));
        }
        let stem = ml(
            &format!("Сұрақ {i}: мектеп басшысы не істейді?"),
            &format!("Вопрос {i}: что делает директор школы?"),
            &format!("Question {i}: what does a school principal do?"),
        );
        let opt = |k: usize| {
            ml(
                &format!("жауап {k}"),
                &format!("ответ {k}"),
                &format!("answer {k}"),
            )
        };
        let body = match i % 6 {
            0 | 1 => format!("={}\n~{}\n~{}\n~{}", opt(1), opt(2), opt(3), opt(4)),
            2 => format!("~%50%{}\n~%50%{}\n~%-100%{}", opt(1), opt(2), opt(3)),
            3 => "TRUE".to_string(),
            4 => format!("={} -> {}\n={} -> {}", opt(1), opt(5), opt(2), opt(6)),
            _ => "#42:0.5".to_string(),
        };
        out.push_str(&format!(
            "::q-{i}::[markdown]{stem}{{\n{body}\n####{}\n}}\n\n",
            ml("себебі", "потому что", "because")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> ImportOptions {
        ImportOptions {
            language: Language::En,
            ..Default::default()
        }
    }

    const SAMPLE: &str = r#"// A realistic Moodle export, with every type GIFT has.
$CATEGORY: $course$/top/Leading Change

::Q1:: Which step comes first when leading change? {
   =Create a sense of urgency # right!
   ~Anchor the changes in culture
   ~Consolidate gains
   #### Kotter's model starts with urgency.
}

::Q2 escapes:: Symbols \~ \= \# \{ \} \: stay literal: 50% {=yes ~no}

::TF::[html]<p>A principal <b>alone</b> sets the school's vision.</p>{FALSE#Vision is shared.#Right.}

::Short:: Name the Kazakh word for ability. {=қабілет =qabilet}

::Match:: Match the role to its task {
  =Principal -> Leads the school
  =Methodologist -> Writes items
  = -> Cooks lunch
}

::Many:: Which are leadership styles? {
  ~%50%Democratic
  ~%50%Transformational
  ~%-100%Alphabetical
}

::Num:: How many stages does the selection have? {#5:0}

::Range:: Pick a number between 1 and 3 {#1..3}

::Several numeric:: e to two places {#
  =2.72:0.005
  =%50%3.1:0.05
}

$CATEGORY: $course$/top/Communication

::Missing:: The programme selects {=principals ~pupils ~parents} for the reserve.

::Lang::<span lang\="ru" class\="multilang">Вопрос</span><span lang\="en" class\="multilang">Question</span>{
  =<span lang\="ru" class\="multilang">Да</span><span lang\="en" class\="multilang">Yes</span>
  ~<span lang\="ru" class\="multilang">Нет</span><span lang\="en" class\="multilang">No</span>
}

::Essay:: Describe your vision. {}

::Info:: This is only a description.
"#;

    #[test]
    fn a_realistic_file_is_read() {
        let got = parse(SAMPLE, &opts()).expect("parses");
        let ids: Vec<&str> = got.items.iter().map(|i| i.item.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "q1",
                "q2-escapes",
                "tf",
                "short",
                "match",
                "many",
                "num",
                "range",
                "several-numeric",
                "missing",
                "lang"
            ]
        );
        let by = |id: &str| &got.items[ids.iter().position(|x| *x == id).expect("present")].item;
        let q1 = by("q1");
        assert_eq!(q1.competency, "leading-change");
        assert_eq!(q1.key, Key::SingleChoice { correct: 0 });
        assert_eq!(q1.options.len(), 3);
        assert_eq!(
            q1.rationale.get(Language::En),
            Some("Kotter's model starts with urgency.")
        );
        assert_eq!(
            by("q2-escapes").stem.get(Language::En),
            Some("Symbols ~ = # { } : stay literal: 50%")
        );
        let tf = by("tf");
        assert_eq!(tf.key, Key::TrueFalse { answer: false });
        assert_eq!(
            tf.stem.get(Language::En),
            Some("A principal **alone** sets the school's vision.")
        );
        assert_eq!(
            by("short").key,
            Key::ShortText {
                accepted: vec!["қабілет".into(), "qabilet".into()],
                case_sensitive: false
            }
        );
        let m = by("match");
        assert_eq!(m.options.len(), 2);
        assert_eq!(m.matches.len(), 3, "the distractor is kept");
        assert_eq!(m.key, Key::Matching { pairs: vec![0, 1] });
        assert_eq!(
            by("many").key,
            Key::MultipleResponse {
                correct: vec![0, 1],
                credit: PartialCredit::RightMinusWrong
            }
        );
        assert_eq!(
            by("num").key,
            Key::Numeric {
                value: 5.0,
                tolerance: 0.0
            }
        );
        assert_eq!(
            by("range").key,
            Key::Numeric {
                value: 2.0,
                tolerance: 1.0
            }
        );
        assert_eq!(
            by("several-numeric").key,
            Key::Numeric {
                value: 2.72,
                tolerance: 0.005
            }
        );
        let missing = by("missing");
        assert_eq!(missing.competency, "communication");
        assert_eq!(
            markdown::to_plain(missing.stem.get(Language::En).unwrap_or_default()),
            "The programme selects _____ for the reserve."
        );
        let lang = by("lang");
        assert_eq!(lang.ready_languages(), vec![Language::Ru, Language::En]);
        assert_eq!(lang.options[0].get(Language::Ru), Some("Да"));
        let kinds: Vec<(&str, &str)> = got
            .skipped
            .iter()
            .map(|s| (s.name.as_str(), s.kind.as_str()))
            .collect();
        assert_eq!(kinds, [("Essay", "essay"), ("Info", "description")]);
        assert_eq!(got.skipped[0].position, Position::Line(47));
        assert!(got.warnings.iter().any(|w| w.message.contains("feedback")));
        assert!(
            got.warnings
                .iter()
                .any(|w| w.message.contains("partial credit"))
        );
    }

    #[test]
    fn errors_name_the_line_and_nothing_is_imported() {
        let bad = "::A:: ok {=a ~b}\n\n::B:: two right {=a =b ~c}\n\n::C:: open {=a ~b\n\n::D:: fine {T}\n";
        let errors = parse(bad, &opts()).expect_err("refused");
        let lines: Vec<String> = errors.iter().map(|e| e.position.to_string()).collect();
        assert_eq!(lines, ["line 3", "line 5"], "{errors:?}");
        assert!(errors[0].message.contains("exactly one right answer"));
        assert!(errors[1].message.contains("not closed"));
        let errors = parse("::N:: n {#abc}", &opts()).expect_err("refused");
        assert!(errors[0].message.contains("not value:tolerance"));
        let errors =
            parse("// qabilet: difficulty=extreme\n::N:: n {T}", &opts()).expect_err("refused");
        assert_eq!(errors[0].position, Position::Line(1));
    }
}
