//! A small PDF writer for text reports: A4 pages, the standard Helvetica fonts (no embedding
//! needed; every PDF reader has them), WinAnsi encoding so Spanish accents and ñ print
//! correctly, headings, lines and simple tables, with automatic page breaks.
//!
//! Written here rather than pulling a PDF library: reports are plain text and tables, and the
//! whole format needed fits in a page of code (PDF 1.4, ISO 32000-1 §7).

use std::fmt::Write as _;

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;

/// A report being written.
pub struct Document {
    title: String,
    pages: Vec<String>,
    current: String,
    y: f32,
}

/// Text in WinAnsi (Windows-1252) as a PDF literal string: accents kept, anything outside the
/// encoding replaced by `?`, and the PDF-special characters escaped.
fn literal(text: &str) -> String {
    let mut out = String::from("(");
    for c in text.chars() {
        let byte: u8 = match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
                continue;
            }
            '\u{20}'..='\u{7e}' => c as u8,
            '€' => 0x80,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '…' => 0x85,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            _ => b'?',
        };
        if byte.is_ascii() {
            out.push(byte as char);
        } else {
            let _ = write!(out, "\\{byte:03o}");
        }
    }
    out.push(')');
    out
}

/// Approximate width of Helvetica text at `size`, to wrap lines (average glyph width 0.5 em).
fn width(text: &str, size: f32) -> f32 {
    text.chars().count() as f32 * size * 0.5
}

/// Splits text into lines no wider than `max` points.
fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if width(&candidate, size) > max && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        } else {
            line = candidate;
        }
        while width(&line, size) > max {
            let cut = ((max / (size * 0.5)) as usize).max(1);
            let head: String = line.chars().take(cut).collect();
            let tail: String = line.chars().skip(cut).collect();
            lines.push(head);
            line = tail;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

impl Document {
    /// A new document with its title (shown in the reader's title bar).
    pub fn new(title: &str) -> Document {
        Document {
            title: title.to_string(),
            pages: Vec::new(),
            current: String::new(),
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    fn ensure(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.pages.push(std::mem::take(&mut self.current));
            self.y = PAGE_HEIGHT - MARGIN;
        }
    }

    fn text_at(&mut self, x: f32, text: &str, size: f32, bold: bool) {
        let font = if bold { "F2" } else { "F1" };
        let _ = writeln!(
            self.current,
            "BT /{font} {size} Tf {x:.1} {:.1} Td {} Tj ET",
            self.y,
            literal(text)
        );
    }

    fn write(&mut self, text: &str, size: f32, bold: bool) {
        for line in wrap(text, size, PAGE_WIDTH - 2.0 * MARGIN) {
            self.ensure(size * 1.4);
            self.y -= size * 1.4;
            self.text_at(MARGIN, &line, size, bold);
        }
    }

    /// A title line.
    pub fn heading(&mut self, text: &str) {
        self.write(text, 16.0, true);
        self.y -= 6.0;
    }

    /// A section title.
    pub fn subheading(&mut self, text: &str) {
        self.write(text, 12.0, true);
    }

    /// A paragraph (wrapped).
    pub fn line(&mut self, text: &str) {
        self.write(text, 10.0, false);
    }

    /// Vertical space.
    pub fn gap(&mut self) {
        self.y -= 8.0;
    }

    /// A table: header, column widths in percent of the text width, rows (cells wrap).
    pub fn table(&mut self, header: &[String], widths: &[u32], rows: &[Vec<String>]) {
        let total = PAGE_WIDTH - 2.0 * MARGIN;
        let cols: Vec<f32> = widths.iter().map(|w| total * *w as f32 / 100.0).collect();
        let size = 9.0;
        let draw = |doc: &mut Document, cells: &[String], bold: bool| {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&cols)
                .map(|(c, w)| wrap(c, size, w - 4.0))
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32 * size * 1.3 + 4.0;
            doc.ensure(height);
            let top = doc.y;
            let mut x = MARGIN;
            for (lines, w) in wrapped.iter().zip(&cols) {
                doc.y = top;
                for l in lines {
                    doc.y -= size * 1.3;
                    doc.text_at(x + 2.0, l, size, bold);
                }
                x += w;
            }
            doc.y = top - height;
            let _ = writeln!(
                doc.current,
                "0.6 w {MARGIN:.1} {:.1} m {:.1} {:.1} l S",
                doc.y + 2.0,
                PAGE_WIDTH - MARGIN,
                doc.y + 2.0
            );
        };
        draw(self, header, true);
        for row in rows {
            draw(self, row, false);
        }
    }

    /// The finished PDF.
    pub fn finish(mut self) -> Vec<u8> {
        self.pages.push(std::mem::take(&mut self.current));
        let n = self.pages.len();
        // Objects: 1 catalog, 2 pages, 3 F1, 4 F2, 5 info, then per page: page, content.
        let mut objects: Vec<String> = Vec::new();
        let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 6 + 2 * i)).collect();
        objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
        objects.push(format!(
            "<< /Type /Pages /Kids [{}] /Count {n} >>",
            kids.join(" ")
        ));
        objects.push(
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
                .into(),
        );
        objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".into());
        objects.push(format!(
            "<< /Title {} /Producer (Tianguis) >>",
            literal(&self.title)
        ));
        for (i, content) in self.pages.iter().enumerate() {
            let footer = format!(
                "BT /F1 8 Tf {MARGIN:.1} 30 Td {} Tj ET\n",
                literal(&format!("{} — {}/{n}", self.title, i + 1))
            );
            let stream = format!("{content}{footer}");
            objects.push(format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                7 + 2 * i
            ));
            objects.push(format!(
                "<< /Length {} >>\nstream\n{stream}endstream",
                stream.len()
            ));
        }
        let mut out = String::from("%PDF-1.4\n");
        let mut offsets = Vec::new();
        for (i, obj) in objects.iter().enumerate() {
            offsets.push(out.len());
            let _ = write!(out, "{} 0 obj\n{obj}\nendobj\n", i + 1);
        }
        let xref = out.len();
        let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
        for o in offsets {
            let _ = writeln!(out, "{o:010} 00000 n ");
        }
        let _ = write!(
            out,
            "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        );
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_use_winansi_octal_escapes() {
        assert_eq!(literal("Evaluación (ñ)"), "(Evaluaci\\363n \\(\\361\\))");
        assert_eq!(literal("a\\b"), "(a\\\\b)");
        assert_eq!(literal("日本"), "(??)");
    }

    #[test]
    fn a_well_formed_multi_page_document() {
        let mut d = Document::new("Informe");
        d.heading("Informe de evaluación");
        for i in 0..120 {
            d.line(&format!(
                "Línea {i} con texto suficiente para ocupar espacio en la página"
            ));
        }
        d.table(
            &["A".into(), "B".into()],
            &[50, 50],
            &[vec!["uno".into(), "dos".into()]],
        );
        let bytes = d.finish();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("%PDF-1.4"));
        assert!(text.ends_with("%%EOF\n"));
        assert!(
            text.contains("/Count 3") || text.contains("/Count 4"),
            "several pages"
        );
        // The cross-reference table points at each object.
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[xref_at..].starts_with("xref"));
        for line in text[xref_at..]
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
        {
            let offset: usize = line[..10].parse().unwrap();
            assert!(text[offset..].split_whitespace().nth(2) == Some("obj"));
        }
    }

    #[test]
    fn wrapping() {
        let lines = wrap("una frase bastante larga para envolver", 10.0, 60.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| width(l, 10.0) <= 60.0));
    }
}
