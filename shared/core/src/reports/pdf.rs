//! A report as a PDF a customer can be sent: title, customer, period, when
//! it was made, and a table of the jobs with their counts and success rate,
//! on as many A4 pages as it needs. Built with `pdf-writer` and the base-14
//! Helvetica fonts (nothing embedded, so the file stays small); text is
//! written in WinAnsi encoding, characters outside it become `?`.

use bc_api_types::JobReport;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 40.0;
const ROW_H: f32 = 16.0;
/// Columns: left edge and most characters shown.
const COLUMNS: [(&str, f32, usize); 8] = [
    ("Customer", MARGIN, 20),
    ("Job", 145.0, 28),
    ("Software", 290.0, 16),
    ("Success", 378.0, 7),
    ("Warning", 418.0, 7),
    ("Failed", 458.0, 7),
    ("Rate", 492.0, 7),
    ("Tickets", 528.0, 5),
];

/// WinAnsi bytes of `s` (Latin-1 covers the WinAnsi letters we meet;
/// anything else becomes `?`), cut to `max` characters with an ellipsis.
fn win_ansi(s: &str, max: usize) -> Vec<u8> {
    let count = s.chars().count();
    let chars: Box<dyn Iterator<Item = char>> = if count > max {
        Box::new(s.chars().take(max.saturating_sub(1)).chain(std::iter::once('\u{2026}')))
    } else {
        Box::new(s.chars())
    };
    chars
        .map(|c| match c {
            '\u{2026}' => 0x85,
            '\u{2013}' => 0x96,
            c if (c as u32) >= 0x20 && (c as u32) < 0x7f => c as u8,
            c if (c as u32) >= 0xa0 && (c as u32) <= 0xff => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

fn rate(r: Option<f64>) -> String {
    r.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "-".into())
}

/// The PDF bytes of a report.
pub fn render(report: &JobReport) -> Vec<u8> {
    let customer = report.customer_name.clone().unwrap_or_else(|| "All customers".into());
    let period = format!("{} to {} ({})", report.from, report.to, report.period.as_str());
    let generated = report.generated_at.format("%Y-%m-%d %H:%M UTC").to_string();

    // Lay out the lines first, then cut them into pages.
    let first_rows = ((PAGE_H - 2.0 * MARGIN - 110.0) / ROW_H) as usize;
    let other_rows = ((PAGE_H - 2.0 * MARGIN - 40.0) / ROW_H) as usize;
    let mut pages: Vec<&[bc_api_types::ReportRow]> = Vec::new();
    let mut rest = report.rows.as_slice();
    let mut cap = first_rows;
    loop {
        let n = rest.len().min(cap);
        pages.push(&rest[..n]);
        rest = &rest[n..];
        cap = other_rows;
        if rest.is_empty() {
            break;
        }
    }

    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first_page = 6;
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(first_page + 2 * i as i32)).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    pdf.type1_font(regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(&format!("Backup report: {customer}, {period}")))
        .creator(TextStr("Backupchecks"));

    let total = pages.len();
    for (i, rows) in pages.iter().enumerate() {
        let page_id = page_ids[i];
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H)).parent(tree).contents(content_id);
        page.resources().fonts().pair(Name(b"F1"), regular).pair(Name(b"F2"), bold);
        page.finish();

        let mut c = Content::new();
        let mut y = PAGE_H - MARGIN;
        let text = |c: &mut Content, font: &[u8], size: f32, x: f32, y: f32, s: &[u8]| {
            c.begin_text();
            c.set_font(Name(font), size);
            c.next_line(x, y);
            c.show(Str(s));
            c.end_text();
        };
        if i == 0 {
            text(&mut c, b"F2", 18.0, MARGIN, y - 18.0, b"Backup report");
            y -= 44.0;
            for (label, value) in [("Customer", &customer), ("Period", &period), ("Generated", &generated)] {
                text(&mut c, b"F2", 10.0, MARGIN, y, &win_ansi(label, 20));
                text(&mut c, b"F1", 10.0, MARGIN + 70.0, y, &win_ansi(value, 80));
                y -= 14.0;
            }
            y -= 14.0;
        }
        // Header row on a grey band.
        c.set_fill_rgb(0.9, 0.9, 0.9);
        c.rect(MARGIN - 4.0, y - 4.0, PAGE_W - 2.0 * MARGIN + 8.0, ROW_H);
        c.fill_nonzero();
        c.set_fill_rgb(0.0, 0.0, 0.0);
        for (label, x, _) in COLUMNS {
            text(&mut c, b"F2", 9.0, x, y, label.as_bytes());
        }
        y -= ROW_H;
        if rows.is_empty() && i == 0 {
            text(&mut c, b"F1", 9.0, MARGIN, y, b"No jobs in this report.");
        }
        for r in rows.iter() {
            let cells = [
                r.customer_name.clone(),
                r.job_name.clone(),
                r.software.clone(),
                r.success.to_string(),
                r.warning.to_string(),
                r.failed.to_string(),
                rate(r.success_rate),
                r.open_tickets.to_string(),
            ];
            for ((_, x, max), cell) in COLUMNS.iter().zip(cells.iter()) {
                text(&mut c, b"F1", 9.0, *x, y, &win_ansi(cell, *max));
            }
            c.set_stroke_rgb(0.85, 0.85, 0.85);
            c.set_line_width(0.5);
            c.move_to(MARGIN - 4.0, y - 4.0);
            c.line_to(PAGE_W - MARGIN + 4.0, y - 4.0);
            c.stroke();
            y -= ROW_H;
        }
        let footer = format!("Backupchecks - page {} of {total}", i + 1);
        text(&mut c, b"F1", 8.0, MARGIN, MARGIN / 2.0, footer.as_bytes());
        pdf.stream(content_id, &c.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bc_api_types::{ReportPeriod, ReportRow};

    fn report(rows: usize) -> JobReport {
        JobReport {
            customer_id: Some("c1".into()),
            customer_name: Some("Acme Müller".into()),
            period: ReportPeriod::Month,
            from: "2026-10-01".parse().unwrap(),
            to: "2026-10-31".parse().unwrap(),
            generated_at: "2026-11-30T18:00:00Z".parse().unwrap(),
            rows: (0..rows)
                .map(|i| ReportRow {
                    job_id: format!("j{i}"),
                    customer_id: "c1".into(),
                    customer_name: "Acme Müller".into(),
                    job_name: format!("Nightly {i}"),
                    software: "Veeam".into(),
                    success: 3,
                    warning: 1,
                    failed: 0,
                    missed: 0,
                    success_rate: Some(75.0),
                    open_tickets: 1,
                })
                .collect(),
        }
    }

    #[test]
    fn a_pdf_with_pages_for_every_row() {
        let one = render(&report(2));
        assert!(one.starts_with(b"%PDF-"));
        assert!(one.windows(5).any(|w| w == b"%%EOF"));
        let count = |b: &[u8]| b.windows(10).filter(|w| w == b"/Type /Pag").count();
        let many = render(&report(120));
        assert!(count(&many) > count(&one), "more rows, more pages");
        assert!(render(&report(0)).starts_with(b"%PDF-"));
    }

    #[test]
    fn text_is_win_ansi_and_cut() {
        assert_eq!(win_ansi("Müller", 10), b"M\xfcller".to_vec());
        assert_eq!(win_ansi("日本", 10), b"??".to_vec());
        assert_eq!(win_ansi("abcdef", 4), b"abc\x85".to_vec());
        assert_eq!(win_ansi("a\nb", 4), b"a?b".to_vec());
    }
}
