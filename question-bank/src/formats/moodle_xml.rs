//! Moodle XML, the format of Moodle's question bank export.
//!
//! Read: categories, `multichoice` (single: single choice; several: multiple response),
//! `truefalse`, `shortanswer` (`usecase`), `numerical` (tolerance), `matching` (subquestions; an
//! empty one is a distractor answer), `ordering` (the plugin), HTML texts (turned into the
//! Markdown subset), `<file>` images embedded in base64, tags, general feedback (the rationale),
//! `idnumber`. Other types (`essay`, `multianswer` (cloze), `description`, `calculated`, drag and
//! drop...) are reported with their element path and skipped. Qabilet-only details travel in a
//! `<qabilet>` element, which Moodle ignores.

use super::*;
use crate::item::PartialCredit;
use base64::Engine;
use quick_xml::events::Event;

/// An element of the document, with what the interpreter needs.
#[derive(Debug, Default)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<El>,
    text: String,
}

impl El {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    /// The text of `<name><text>...</text></name>`.
    fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .and_then(|c| c.child("text"))
            .map(|t| t.text.as_str())
    }
    fn value_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }
}

const MAX_DEPTH: usize = 64;

fn read_tree(text: &str) -> Result<El, FormatError> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<El> = vec![El::default()];
    let path = |stack: &[El]| {
        let names: Vec<&str> = stack.iter().skip(1).map(|e| e.name.as_str()).collect();
        if names.is_empty() {
            "document".to_string()
        } else {
            names.join("/")
        }
    };
    let bad = |stack: &[El], m: String| FormatError::new(Position::Path(path(stack)), m);
    loop {
        let event = reader.read_event().map_err(|e| {
            bad(
                &stack,
                format!(
                    "the XML is not well formed near byte {}: {e}",
                    reader.error_position()
                ),
            )
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) if stack.len() > MAX_DEPTH => {
                let _ = e;
                return Err(bad(
                    &stack,
                    format!("elements nest deeper than {MAX_DEPTH}"),
                ));
            }
            Event::Start(e) => {
                stack.push(element(&e, &stack, &bad)?);
            }
            Event::Empty(e) => {
                let el = element(&e, &stack, &bad)?;
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(el);
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(bad(&stack, "an element closes that was not opened".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => {
                        return Err(bad(&stack, "an element closes that was not opened".into()));
                    }
                }
            }
            Event::Text(t) => {
                let s = t
                    .decode()
                    .map_err(|e| bad(&stack, format!("text is not valid: {e}")))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                let bytes = t.into_inner();
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&bytes));
                }
            }
            Event::GeneralRef(r) => {
                let name = r
                    .decode()
                    .map_err(|e| bad(&stack, format!("an entity is not valid: {e}")))?;
                let decoded = decode_entities(&format!("&{name};"));
                if decoded.starts_with('&') && name.as_ref() != "amp" {
                    return Err(bad(&stack, format!("unknown entity &{name};")));
                }
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&decoded);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err(bad(
            &stack,
            "the document ends before its elements are closed".into(),
        ));
    }
    stack
        .pop()
        .ok_or_else(|| FormatError::new(Position::Path("document".into()), "empty document"))
}

fn element(
    e: &quick_xml::events::BytesStart<'_>,
    stack: &[El],
    bad: &dyn Fn(&[El], String) -> FormatError,
) -> Result<El, FormatError> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| bad(stack, format!("a bad attribute in <{name}>: {err}")))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a
            .unescape_value()
            .map_err(|err| bad(stack, format!("a bad attribute value in <{name}>: {err}")))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(El {
        name,
        attrs,
        ..Default::default()
    })
}

/// Converts one Moodle text (in its `format`) to per-language Markdown.
fn convert(raw: &str, format: &str, lang: Language, unknown: &mut Vec<String>) -> LocalizedText {
    let html = !matches!(format, "markdown" | "plain_text");
    let (split, u) = split_multilang_with(raw, lang, !html);
    unknown.extend(u);
    LocalizedText(
        split
            .0
            .into_iter()
            .map(|(l, t)| {
                let t = match format {
                    "markdown" => t.trim().to_string(),
                    "plain_text" => markdown::escape(t.trim()),
                    _ => {
                        if super::gift::looks_like_html(&t) || t.contains('&') {
                            html_to_markdown(&t)
                        } else {
                            markdown::escape(t.trim())
                        }
                    }
                };
                (l, t)
            })
            .filter(|(_, t)| !t.is_empty())
            .collect(),
    )
}

fn text_field(q: &El, name: &str, lang: Language, unknown: &mut Vec<String>) -> LocalizedText {
    match q.child(name) {
        Some(el) => {
            let raw = el
                .child("text")
                .map(|t| t.text.as_str())
                .unwrap_or_default();
            convert(raw, el.attr("format").unwrap_or("html"), lang, unknown)
        }
        None => LocalizedText::new(),
    }
}

fn fraction(a: &El) -> f64 {
    a.attr("fraction")
        .and_then(|f| f.trim().parse::<f64>().ok())
        .filter(|f| f.is_finite())
        .unwrap_or(0.0)
}

/// Reads a Moodle XML file.
pub fn parse(text: &str, options: &ImportOptions) -> Result<Imported, Vec<FormatError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = read_tree(text).map_err(|e| vec![e])?;
    let Some(quiz) = doc.child("quiz") else {
        return Err(vec![FormatError::new(
            Position::Path("document".into()),
            "this is not a Moodle XML question file: the root element must be <quiz>",
        )]);
    };
    let mut out = Imported::default();
    let mut errors = Vec::new();
    let mut category: Option<String> = None;
    let mut ids = IdMaker::new(&options.id_prefix);
    for (n, q) in quiz.all("question").enumerate() {
        let path = format!("quiz/question[{}]", n + 1);
        let kind = q.attr("type").unwrap_or_default();
        if kind == "category" {
            category = q
                .child("category")
                .and_then(|c| c.child("text"))
                .map(|t| t.text.trim().to_string());
            continue;
        }
        match question(
            q,
            kind,
            &path,
            category.as_deref(),
            options,
            &mut ids,
            &mut out,
        ) {
            Ok(Some(item)) => out.items.push(item),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    all_or_errors(out, errors)
}

fn question(
    q: &El,
    kind: &str,
    path: &str,
    category: Option<&str>,
    options: &ImportOptions,
    ids: &mut IdMaker,
    out: &mut Imported,
) -> Result<Option<ImportedItem>, FormatError> {
    let at = |sub: &str| Position::Path(format!("{path}{sub}"));
    let err = |sub: &str, m: String| FormatError::new(at(sub), m);
    let name = q.text_of("name").unwrap_or_default().trim().to_string();
    let supported = [
        "multichoice",
        "truefalse",
        "shortanswer",
        "numerical",
        "matching",
        "ordering",
    ];
    if !supported.contains(&kind) {
        out.skipped.push(Skipped {
            position: at(""),
            name,
            kind: if kind == "multianswer" {
                "cloze (multianswer)".into()
            } else {
                kind.to_string()
            },
        });
        return Ok(None);
    }
    let extra = match q.child("qabilet") {
        Some(e) => Extra::from_line(&e.text).map_err(|m| err("/qabilet", m))?,
        None => Extra::default(),
    };
    let lang = options.language;
    let mut unknown = Vec::new();
    let stem = text_field(q, "questiontext", lang, &mut unknown);
    let rationale = text_field(q, "generalfeedback", lang, &mut unknown);
    let mut warnings = Vec::new();
    let answers: Vec<&El> = q.all("answer").collect();
    let answer_text = |a: &El, unknown: &mut Vec<String>| {
        let raw = a.child("text").map(|t| t.text.as_str()).unwrap_or_default();
        convert(raw, a.attr("format").unwrap_or("html"), lang, unknown)
    };
    if answers
        .iter()
        .any(|a| a.text_of("feedback").is_some_and(|f| !f.trim().is_empty()))
    {
        warnings.push("answer feedback is not kept".to_string());
    }
    let mut item_options = Vec::new();
    let mut matches = Vec::new();
    let key = match kind {
        "multichoice" => {
            let single = q.value_of("single").is_none_or(|s| s == "true" || s == "1");
            for a in &answers {
                item_options.push(answer_text(a, &mut unknown));
            }
            if single && extra.kind.as_deref() != Some("multiple_response") {
                let best = answers
                    .iter()
                    .enumerate()
                    .max_by(|x, y| fraction(x.1).total_cmp(&fraction(y.1)))
                    .map(|(i, a)| (i, fraction(a)));
                match best {
                    Some((i, f)) if f >= 99.99 => {
                        if answers.iter().filter(|a| fraction(a) > 0.0).count() > 1 {
                            warnings.push(
                                "answers with partial credit count as wrong (single choice)".into(),
                            );
                        }
                        Key::SingleChoice { correct: i }
                    }
                    _ => {
                        return Err(err(
                            "/answer",
                            "a single-answer multichoice question needs one answer with fraction 100".into(),
                        ));
                    }
                }
            } else {
                Key::MultipleResponse {
                    correct: answers
                        .iter()
                        .enumerate()
                        .filter(|(_, a)| fraction(a) > 0.0)
                        .map(|(i, _)| i)
                        .collect(),
                    credit: extra.credit.unwrap_or(PartialCredit::RightMinusWrong),
                }
            }
        }
        "truefalse" => {
            let right = answers
                .iter()
                .find(|a| fraction(a) >= 99.99)
                .and_then(|a| a.child("text"))
                .map(|t| t.text.trim().to_ascii_lowercase())
                .ok_or_else(|| err("/answer", "no answer has fraction 100".into()))?;
            Key::TrueFalse {
                answer: right == "true" || right == "1",
            }
        }
        "shortanswer" => {
            let case_sensitive = q
                .value_of("usecase")
                .is_some_and(|v| v == "1" || v == "true");
            let accepted: Vec<String> = answers
                .iter()
                .filter(|a| fraction(a) >= 99.99)
                .filter_map(|a| a.child("text").map(|t| t.text.trim().to_string()))
                .collect();
            if answers
                .iter()
                .any(|a| fraction(a) > 0.0 && fraction(a) < 99.99)
            {
                warnings.push(
                    "short answers with partial credit are not kept (short text is right or wrong)"
                        .into(),
                );
            }
            Key::ShortText {
                accepted,
                case_sensitive,
            }
        }
        "numerical" => {
            let best = answers
                .iter()
                .position(|a| fraction(a) >= 99.99)
                .ok_or_else(|| err("/answer", "no numeric answer has fraction 100".into()))?;
            let a = answers[best];
            let sub = format!("/answer[{}]", best + 1);
            let value_text = a.child("text").map(|t| t.text.trim()).unwrap_or_default();
            let value: f64 = value_text
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| err(&sub, format!("{value_text:?} is not a number")))?;
            let tol_text = a.value_of("tolerance").unwrap_or("0");
            let tolerance: f64 = tol_text
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| {
                    err(
                        &format!("{sub}/tolerance"),
                        format!("{tol_text:?} is not a tolerance"),
                    )
                })?;
            if answers.len() > 1 {
                warnings.push("numeric answers with partial credit are not kept (numeric items are right or wrong)".into());
            }
            if q.child("units").is_some_and(|u| !u.children.is_empty()) {
                warnings.push("units are not kept".into());
            }
            Key::Numeric { value, tolerance }
        }
        "matching" => {
            let mut pairs = Vec::new();
            for sub in q.all("subquestion") {
                let premise_raw = sub
                    .child("text")
                    .map(|t| t.text.as_str())
                    .unwrap_or_default();
                let answer_raw = sub
                    .child("answer")
                    .and_then(|a| a.child("text"))
                    .map(|t| t.text.as_str())
                    .unwrap_or_default();
                let answer = convert(answer_raw, "plain_text", lang, &mut unknown);
                let index = match matches.iter().position(|m| *m == answer) {
                    Some(i) => i,
                    None => {
                        matches.push(answer);
                        matches.len() - 1
                    }
                };
                if !premise_raw.trim().is_empty() {
                    item_options.push(convert(
                        premise_raw,
                        sub.attr("format").unwrap_or("html"),
                        lang,
                        &mut unknown,
                    ));
                    pairs.push(index);
                }
            }
            Key::Matching { pairs }
        }
        _ => {
            // ordering: the answers' fractions give the right order (the plugin writes
            // positions); without them, the document order is the right order.
            let mut ordered: Vec<(f64, usize)> = answers
                .iter()
                .enumerate()
                .map(|(i, a)| (fraction(a), i))
                .collect();
            if ordered.iter().all(|(f, _)| *f > 0.0) {
                ordered.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            }
            for (_, i) in ordered {
                item_options.push(answer_text(answers[i], &mut unknown));
            }
            Key::Ordering
        }
    };
    // Embedded images of the question text.
    let mut files = Vec::new();
    if let Some(qt) = q.child("questiontext") {
        for (k, f) in qt.all("file").enumerate() {
            let fname = f.attr("name").unwrap_or_default().replace([' ', ')'], "_");
            let sub = format!("/questiontext/file[{}]", k + 1);
            let Some(media_type) = media_type_of(&fname) else {
                warnings.push(format!(
                    "file {fname:?} is not an image Qabilet shows; not kept"
                ));
                continue;
            };
            let cleaned: String = f.text.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(cleaned.as_bytes())
                .map_err(|e| err(&sub, format!("the file is not valid base64: {e}")))?;
            files.push(FileData {
                name: fname,
                media_type: media_type.into(),
                bytes,
            });
        }
    }
    let mut meta = extra.meta.clone();
    if let Some(tags) = q.child("tags") {
        for t in tags.all("tag") {
            if let Some(text) = t.child("text") {
                let tag = text.text.trim().to_string();
                if !tag.is_empty() && !meta.tags.contains(&tag) {
                    meta.tags.push(tag);
                }
            }
        }
    }
    for u in unknown {
        warnings.push(format!(
            "text in language {u:?} is not kept (Qabilet keeps kk, ru, en)"
        ));
    }
    for w in warnings {
        out.warnings.push(Warning {
            position: at(""),
            message: w,
        });
    }
    let id_name = q
        .value_of("idnumber")
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .unwrap_or(name);
    let mut item = Item {
        id: ids.make(&id_name),
        version: 1,
        competency: category
            .map(competency_from_category)
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| options.default_competency.clone()),
        difficulty: extra.difficulty.unwrap_or(Difficulty::Medium),
        stem,
        options: item_options,
        matches,
        key,
        rationale,
        meta,
        attachments: vec![],
    };
    if let Key::ShortText { case_sensitive, .. } = &mut item.key {
        *case_sensitive |= extra.case_sensitive;
    }
    item.attachments = files.iter().map(attachment_for).collect();
    item.validate().map_err(|e| err("", e.to_string()))?;
    Ok(Some(ImportedItem {
        item,
        category: category.map(str::to_string),
        position: at(""),
        files,
    }))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

/// Per language HTML, wrapped in multilang spans when there are several languages.
fn html(t: &LocalizedText) -> String {
    let langs: Vec<_> = t.0.iter().filter(|(_, v)| !v.is_empty()).collect();
    if langs.len() == 1 {
        return markdown_to_html(langs[0].1);
    }
    langs
        .into_iter()
        .map(|(l, v)| {
            format!(
                "<span lang=\"{}\" class=\"multilang\">{}</span>",
                l.code(),
                markdown_to_html(v)
            )
        })
        .collect()
}

fn text_el(tag: &str, t: &LocalizedText) -> String {
    format!(
        "<{tag} format=\"html\"><text>{}</text></{tag}>",
        cdata(&html(t))
    )
}

/// Writes items as Moodle XML; `file` gives an attachment's bytes (embedded as base64).
pub fn write_with(items: &[Item], file: &dyn Fn(&Item, &Attachment) -> Option<Vec<u8>>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n<!-- Qabilet question bank export -->\n",
    );
    let mut category: Option<&str> = None;
    for item in items {
        if category != Some(item.competency.as_str()) {
            out.push_str(&format!(
                "  <question type=\"category\">\n    <category><text>$course$/top/{}</text></category>\n  </question>\n",
                esc(&item.competency)
            ));
            category = Some(&item.competency);
        }
        let kind = match item.key {
            Key::SingleChoice { .. } | Key::MultipleResponse { .. } => "multichoice",
            Key::TrueFalse { .. } => "truefalse",
            Key::Matching { .. } => "matching",
            Key::Ordering => "ordering",
            Key::Numeric { .. } => "numerical",
            Key::ShortText { .. } => "shortanswer",
        };
        out.push_str(&format!("  <question type=\"{kind}\">\n"));
        out.push_str(&format!(
            "    <name><text>{}</text></name>\n",
            esc(item.id.as_str())
        ));
        let mut qt = text_el("questiontext", &item.stem);
        let mut embedded = String::new();
        for a in &item.attachments {
            if let Some(bytes) = file(item, a) {
                embedded.push_str(&format!(
                    "<file name=\"{}\" path=\"/\" encoding=\"base64\">{}</file>",
                    esc(&a.name),
                    base64::engine::general_purpose::STANDARD.encode(bytes)
                ));
            }
        }
        if !embedded.is_empty() {
            qt = qt.replace("</questiontext>", &format!("{embedded}</questiontext>"));
        }
        out.push_str(&format!("    {qt}\n"));
        out.push_str(&format!(
            "    {}\n",
            text_el("generalfeedback", &item.rationale)
        ));
        out.push_str("    <defaultgrade>1</defaultgrade>\n    <penalty>0</penalty>\n    <hidden>0</hidden>\n");
        out.push_str(&format!(
            "    <idnumber>{}</idnumber>\n",
            esc(item.id.as_str())
        ));
        let answer = |fraction: &str, t: &LocalizedText| {
            format!(
                "    <answer fraction=\"{fraction}\" format=\"html\"><text>{}</text><feedback format=\"html\"><text></text></feedback></answer>\n",
                cdata(&html(t))
            )
        };
        match &item.key {
            Key::SingleChoice { correct } => {
                out.push_str("    <single>true</single>\n    <shuffleanswers>true</shuffleanswers>\n    <answernumbering>abc</answernumbering>\n");
                for (i, o) in item.options.iter().enumerate() {
                    out.push_str(&answer(if i == *correct { "100" } else { "0" }, o));
                }
            }
            Key::MultipleResponse { correct, .. } => {
                out.push_str("    <single>false</single>\n    <shuffleanswers>true</shuffleanswers>\n    <answernumbering>abc</answernumbering>\n");
                let right = correct.len().max(1) as f64;
                let wrong = item.options.len().saturating_sub(correct.len()).max(1) as f64;
                for (i, o) in item.options.iter().enumerate() {
                    let f = if correct.contains(&i) {
                        100.0 / right
                    } else {
                        -100.0 / wrong
                    };
                    out.push_str(&answer(&format!("{f:.5}"), o));
                }
            }
            Key::TrueFalse { answer: right } => {
                for v in [true, false] {
                    out.push_str(&format!(
                        "    <answer fraction=\"{}\" format=\"moodle_auto_format\"><text>{v}</text><feedback format=\"html\"><text></text></feedback></answer>\n",
                        if v == *right { 100 } else { 0 }
                    ));
                }
            }
            Key::Matching { pairs } => {
                out.push_str("    <shuffleanswers>true</shuffleanswers>\n");
                let plain = |t: &LocalizedText| {
                    // Moodle keeps answers to match as plain text.
                    esc(&join_multilang(&LocalizedText(
                        t.0.iter()
                            .map(|(l, v)| (*l, markdown::to_plain(v)))
                            .collect(),
                    )))
                };
                for (o, &p) in item.options.iter().zip(pairs) {
                    let m = item.matches.get(p).map(plain).unwrap_or_default();
                    out.push_str(&format!(
                        "    <subquestion format=\"html\"><text>{}</text><answer><text>{m}</text></answer></subquestion>\n",
                        cdata(&html(o))
                    ));
                }
                for (i, m) in item.matches.iter().enumerate() {
                    if !pairs.contains(&i) {
                        out.push_str(&format!(
                            "    <subquestion format=\"html\"><text></text><answer><text>{}</text></answer></subquestion>\n",
                            plain(m)
                        ));
                    }
                }
            }
            Key::Ordering => {
                for (i, o) in item.options.iter().enumerate() {
                    out.push_str(&answer(&(i + 1).to_string(), o));
                }
            }
            Key::Numeric { value, tolerance } => {
                out.push_str(&format!(
                    "    <answer fraction=\"100\"><text>{value}</text><tolerance>{tolerance}</tolerance><feedback format=\"html\"><text></text></feedback></answer>\n"
                ));
            }
            Key::ShortText {
                accepted,
                case_sensitive,
            } => {
                out.push_str(&format!(
                    "    <usecase>{}</usecase>\n",
                    u8::from(*case_sensitive)
                ));
                for a in accepted {
                    out.push_str(&format!(
                        "    <answer fraction=\"100\" format=\"moodle_auto_format\"><text>{}</text><feedback format=\"html\"><text></text></feedback></answer>\n",
                        esc(a)
                    ));
                }
            }
        }
        if !item.meta.tags.is_empty() {
            out.push_str("    <tags>");
            for t in &item.meta.tags {
                out.push_str(&format!("<tag><text>{}</text></tag>", esc(t)));
            }
            out.push_str("</tags>\n");
        }
        let mut extra = Extra::of(item);
        extra.meta.tags.clear();
        out.push_str(&format!(
            "    <qabilet>{}</qabilet>\n",
            esc(&extra.to_line())
        ));
        out.push_str("  </question>\n");
    }
    out.push_str("</quiz>\n");
    out
}

/// Writes items as Moodle XML without attachment bytes.
pub fn write(items: &[Item]) -> String {
    write_with(items, &|_, _| None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/Vision &amp; Strategy</text></category>
  </question>
  <question type="multichoice">
    <name><text>Vision 1</text></name>
    <questiontext format="html">
      <text><![CDATA[<p dir="ltr">Who <strong>owns</strong> the school's vision?</p><p><img src="@@PLUGINFILE@@/team.png" alt="A team"></p>]]></text>
      <file name="team.png" path="/" encoding="base64">iVBORw0KGgo=</file>
    </questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>Shared ownership.</p>]]></text></generalfeedback>
    <single>true</single>
    <answer fraction="0" format="html"><text>The principal alone</text><feedback format="html"><text>No</text></feedback></answer>
    <answer fraction="100" format="html"><text><![CDATA[<p>The whole community</p>]]></text></answer>
    <answer fraction="0" format="html"><text>The ministry</text></answer>
    <tags><tag><text>vision</text></tag></tags>
  </question>
  <question type="multichoice">
    <name><text>Many</text></name>
    <questiontext format="html"><text>Pick the &lt;b&gt;two&lt;/b&gt; true statements</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>A</text></answer>
    <answer fraction="50"><text>B</text></answer>
    <answer fraction="-100"><text>C</text></answer>
  </question>
  <question type="truefalse">
    <name><text>TF</text></name>
    <questiontext format="moodle_auto_format"><text>Stage one is an interview.</text></questiontext>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
  <question type="shortanswer">
    <name><text>SA</text></name>
    <questiontext format="html"><text><![CDATA[<span lang="ru" class="multilang">Столица?</span><span lang="en" class="multilang">Capital?</span>]]></text></questiontext>
    <usecase>0</usecase>
    <answer fraction="100"><text>Астана</text></answer>
    <answer fraction="100"><text>Astana</text></answer>
  </question>
  <question type="numerical">
    <name><text>Num</text></name>
    <questiontext format="html"><text>How many applied?</text></questiontext>
    <answer fraction="100"><text>8068</text><tolerance>10</tolerance></answer>
  </question>
  <question type="matching">
    <name><text>Match</text></name>
    <questiontext format="html"><text>Match stages</text></questiontext>
    <subquestion format="html"><text><![CDATA[<p>1</p>]]></text><answer><text>Test</text></answer></subquestion>
    <subquestion format="html"><text><![CDATA[<p>5</p>]]></text><answer><text>Interview</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>Lottery</text></answer></subquestion>
  </question>
  <question type="ordering">
    <name><text>Order</text></name>
    <questiontext format="html"><text>Put the stages in order</text></questiontext>
    <answer fraction="2"><text>Training</text></answer>
    <answer fraction="1"><text>Test</text></answer>
    <answer fraction="3"><text>Internship</text></answer>
  </question>
  <question type="essay">
    <name><text>Essay 1</text></name>
    <questiontext format="html"><text>Write</text></questiontext>
  </question>
  <question type="multianswer">
    <name><text>Cloze 1</text></name>
    <questiontext format="html"><text>{1:SHORTANSWER:=x}</text></questiontext>
  </question>
</quiz>
"#;

    fn opts() -> ImportOptions {
        ImportOptions {
            language: Language::En,
            ..Default::default()
        }
    }

    #[test]
    fn a_realistic_file_is_read() {
        let got = parse(SAMPLE, &opts()).expect("parses");
        let ids: Vec<&str> = got.items.iter().map(|i| i.item.id.as_str()).collect();
        assert_eq!(
            ids,
            ["vision-1", "many", "tf", "sa", "num", "match", "order"]
        );
        let v = &got.items[0];
        assert_eq!(v.item.competency, "vision-strategy");
        assert_eq!(
            v.item.stem.get(Language::En),
            Some("Who **owns** the school's vision?\n\n![A team](attachment:team.png)")
        );
        assert_eq!(v.item.key, Key::SingleChoice { correct: 1 });
        assert_eq!(
            v.item.options[1].get(Language::En),
            Some("The whole community")
        );
        assert_eq!(
            v.item.rationale.get(Language::En),
            Some("Shared ownership.")
        );
        assert_eq!(v.files[0].bytes, b"\x89PNG\r\n\x1a\n");
        assert_eq!(v.item.attachments[0].media_type, "image/png");
        assert_eq!(v.item.meta.tags, ["vision"]);
        assert_eq!(
            got.items[1].item.stem.get(Language::En),
            Some("Pick the **two** true statements")
        );
        assert_eq!(
            got.items[1].item.key,
            Key::MultipleResponse {
                correct: vec![0, 1],
                credit: PartialCredit::RightMinusWrong
            }
        );
        assert_eq!(got.items[2].item.key, Key::TrueFalse { answer: false });
        assert_eq!(got.items[3].item.stem.get(Language::Ru), Some("Столица?"));
        assert_eq!(
            got.items[4].item.key,
            Key::Numeric {
                value: 8068.0,
                tolerance: 10.0
            }
        );
        assert_eq!(got.items[5].item.matches.len(), 3);
        assert_eq!(got.items[5].item.key, Key::Matching { pairs: vec![0, 1] });
        let order: Vec<_> = got.items[6]
            .item
            .options
            .iter()
            .filter_map(|o| o.get(Language::En))
            .collect();
        assert_eq!(order, ["Test", "Training", "Internship"]);
        let skipped: Vec<(String, String, String)> = got
            .skipped
            .iter()
            .map(|s| (s.position.to_string(), s.name.clone(), s.kind.clone()))
            .collect();
        assert_eq!(
            skipped,
            [
                ("quiz/question[9]".into(), "Essay 1".into(), "essay".into()),
                (
                    "quiz/question[10]".into(),
                    "Cloze 1".into(),
                    "cloze (multianswer)".into()
                )
            ]
        );
    }

    #[test]
    fn malformed_files_are_refused_with_a_path() {
        let errors =
            parse("<quiz><question type=\"truefalse\"><name>", &opts()).expect_err("refused");
        assert!(errors[0].message.contains("ends before"), "{errors:?}");
        let errors = parse("<quiz></question></quiz>", &opts()).expect_err("refused");
        assert!(!errors.is_empty());
        let errors = parse("<root/>", &opts()).expect_err("refused");
        assert!(errors[0].message.contains("<quiz>"));
        let bad = SAMPLE.replace("<text>8068</text>", "<text>lots</text>");
        let errors = parse(&bad, &opts()).expect_err("refused");
        assert_eq!(
            errors[0].position,
            Position::Path("quiz/question[6]/answer[1]".into())
        );
        let deep = format!("<quiz>{}</quiz>", "<a>".repeat(100));
        assert!(parse(&deep, &opts()).is_err());
    }
}
