//! The reserve certificate as a one-page PDF: the holder's name and category in Kazakh,
//! Russian and English, the number, dates, and a QR code of the public verification address.
//!
//! Text is set in DejaVu Sans (Cyrillic and Kazakh letters included), embedded as a CID font
//! with a ToUnicode map so the text can be searched and copied. No external tools.

use crate::store::CertificateRow;
use app::model::{CATEGORY_EN, CATEGORY_KK, CATEGORY_RU, format_time};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;

const KZ_OFFSET_MS: i64 = 5 * 3_600_000;

/// A centred line: text, size, height on the page, colour.
type Line = (String, f32, f32, (f32, f32, f32));

/// A font laid out for one document: glyphs used, and text shown as glyph ids.
struct Font<'a> {
    face: ttf_parser::Face<'a>,
    used: BTreeMap<u16, char>,
}

impl<'a> Font<'a> {
    fn new(data: &'a [u8]) -> anyhow::Result<Self> {
        Ok(Font {
            face: ttf_parser::Face::parse(data, 0)?,
            used: BTreeMap::new(),
        })
    }

    fn scale(&self) -> f32 {
        1000.0 / f32::from(self.face.units_per_em())
    }

    fn glyph(&self, c: char) -> u16 {
        self.face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('?'))
            .map_or(0, |g| g.0)
    }

    /// Width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| {
                let g = ttf_parser::GlyphId(self.glyph(c));
                f32::from(self.face.glyph_hor_advance(g).unwrap_or(0)) * self.scale()
            })
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// `text` as two-byte glyph ids (Identity-H), remembering the glyphs used.
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let g = self.glyph(c);
            self.used.entry(g).or_insert(c);
            out.extend_from_slice(&g.to_be_bytes());
        }
        out
    }
}

fn date(ms: i64) -> String {
    format_time(ms, KZ_OFFSET_MS, false)
        .chars()
        .take(10)
        .collect()
}

/// Renders the certificate; `verify_url` goes into the QR code and the footer.
pub fn pdf(c: &CertificateRow, verify_url: &str) -> anyhow::Result<Vec<u8>> {
    let data = dejavu::sans::regular();
    let mut font = Font::new(data)?;
    let (w, h) = (842.0_f32, 595.0_f32);
    let mut content = Content::new();

    // Frame.
    content.set_stroke_rgb(0.12, 0.34, 0.55);
    content.set_line_width(3.0);
    content.rect(24.0, 24.0, w - 48.0, h - 48.0);
    content.stroke();
    content.set_line_width(0.8);
    content.rect(34.0, 34.0, w - 68.0, h - 68.0);
    content.stroke();

    let lines: Vec<Line> = vec![
        (
            "СЕРТИФИКАТ · CERTIFICATE".into(),
            30.0,
            500.0,
            (0.12, 0.34, 0.55),
        ),
        (
            "«Білім берудегі өзгерістердің 1000 көшбасшысы» бағдарламасы".into(),
            12.0,
            468.0,
            (0.2, 0.2, 0.2),
        ),
        (
            "Программа «1000 лидеров изменений в образовании»".into(),
            12.0,
            452.0,
            (0.2, 0.2, 0.2),
        ),
        (
            "Programme \"1000 leaders of change in education\"".into(),
            12.0,
            436.0,
            (0.2, 0.2, 0.2),
        ),
        (c.full_name.clone(), 26.0, 380.0, (0.0, 0.0, 0.0)),
        (
            format!(
                "санаты / категория / category: «{CATEGORY_KK}» / «{CATEGORY_RU}» / {CATEGORY_EN}"
            ),
            13.0,
            340.0,
            (0.0, 0.0, 0.0),
        ),
        (
            format!(
                "кадрлық резерв / кадровый резерв / personnel reserve · {}",
                c.region
            ),
            12.0,
            318.0,
            (0.2, 0.2, 0.2),
        ),
        (format!("№ {}", c.number), 18.0, 270.0, (0.12, 0.34, 0.55)),
        (
            format!(
                "берілді / выдан / issued {}   ·   жарамды / действителен до / valid until {}",
                date(c.issued_at),
                date(c.valid_until)
            ),
            11.0,
            244.0,
            (0.2, 0.2, 0.2),
        ),
    ];
    let font_name = Name(b"F1");
    for (text, size, y, (r, g, b)) in &lines {
        let x = (w - font.width(text, *size)) / 2.0;
        let encoded = font.encode(text);
        content.set_fill_rgb(*r, *g, *b);
        content.begin_text();
        content.set_font(font_name, *size);
        content.next_line(x, *y);
        content.show(Str(&encoded));
        content.end_text();
    }
    let footer = format!("Тексеру / Проверка / Verify: {verify_url}");
    let encoded = font.encode(&footer);
    content.set_fill_rgb(0.3, 0.3, 0.3);
    content.begin_text();
    content.set_font(font_name, 9.0);
    content.next_line(60.0, 60.0);
    content.show(Str(&encoded));
    content.end_text();

    // QR code of the verification address, bottom right.
    let qr = qrcode::QrCode::new(verify_url.as_bytes())?;
    let n = qr.width();
    let side = 110.0_f32;
    let module = side / n as f32;
    let (qx, qy) = (w - 60.0 - side, 60.0_f32);
    content.set_fill_rgb(0.0, 0.0, 0.0);
    for (i, color) in qr.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (row, col) = (i / n, i % n);
            content.rect(
                qx + col as f32 * module,
                qy + side - (row + 1) as f32 * module,
                module,
                module,
            );
        }
    }
    content.fill_nonzero();
    let content = content.finish();

    let catalog = Ref::new(1);
    let pages = Ref::new(2);
    let page = Ref::new(3);
    let content_id = Ref::new(4);
    let type0 = Ref::new(5);
    let cid = Ref::new(6);
    let descriptor = Ref::new(7);
    let file = Ref::new(8);
    let cmap = Ref::new(9);
    let info = Ref::new(10);

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    {
        let mut p = pdf.page(page);
        p.media_box(Rect::new(0.0, 0.0, w, h));
        p.parent(pages);
        p.contents(content_id);
        p.resources().fonts().pair(font_name, type0);
        p.finish();
    }
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(content.as_slice(), 6);
    pdf.stream(content_id, &compressed)
        .filter(Filter::FlateDecode);

    let base = Name(b"DejaVuSans");
    pdf.type0_font(type0)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);
    let system = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    {
        let scale = font.scale();
        let mut f = pdf.cid_font(cid);
        f.subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(system)
            .font_descriptor(descriptor)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let mut widths = f.widths();
        for g in font.used.keys() {
            let adv = font
                .face
                .glyph_hor_advance(ttf_parser::GlyphId(*g))
                .unwrap_or(0);
            widths.consecutive(*g, [f32::from(adv) * scale]);
        }
        widths.finish();
        f.finish();
    }
    {
        let scale = font.scale();
        let bb = font.face.global_bounding_box();
        pdf.font_descriptor(descriptor)
            .name(base)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                f32::from(bb.x_min) * scale,
                f32::from(bb.y_min) * scale,
                f32::from(bb.x_max) * scale,
                f32::from(bb.y_max) * scale,
            ))
            .italic_angle(0.0)
            .ascent(f32::from(font.face.ascender()) * scale)
            .descent(f32::from(font.face.descender()) * scale)
            .cap_height(f32::from(font.face.capital_height().unwrap_or(700)) * scale)
            .stem_v(80.0)
            .font_file2(file);
    }
    let font_data = miniz_oxide::deflate::compress_to_vec_zlib(data, 6);
    pdf.stream(file, &font_data)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), i32::try_from(data.len())?);
    let mut unicode = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), system);
    for (g, c) in &font.used {
        unicode.pair(*g, *c);
    }
    let unicode = unicode.finish();
    pdf.cmap(cmap, unicode.as_slice());

    let title = format!("Certificate {}", c.number);
    pdf.document_info(info)
        .title(TextStr(&title))
        .subject(TextStr(&c.number))
        .author(TextStr("Qabilet"));
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_certificate_is_a_pdf_with_its_number_and_the_holders_glyphs() {
        let c = CertificateRow {
            number: "LM-2026-ABCD-EFGH".into(),
            application_id: "a".into(),
            full_name: "Әсел Қайратқызы Нұрланова".into(),
            category: CATEGORY_RU.into(),
            region: "Turkestan".into(),
            issued_at: 1_790_000_000_000,
            valid_until: 1_890_000_000_000,
            revoked_at: None,
            revoked_by: None,
            revoked_reason: None,
            revoked_note: None,
        };
        let bytes = pdf(&c, "https://qabilet.example/verify/LM-2026-ABCD-EFGH").expect("pdf");
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("Certificate LM-2026-ABCD-EFGH"));
        assert!(text.contains("/Identity-H"));
        assert!(text.contains("/FontFile2"));
        // Kazakh letters map back to Unicode (Ә = U+04D8, Қ = U+049A, ұ = U+04B1).
        for hex in ["04D8", "049A", "04B1"] {
            assert!(text.contains(hex), "{hex} missing from the ToUnicode map");
        }
        assert!(bytes.len() < 600_000, "{} bytes", bytes.len());
    }
}
