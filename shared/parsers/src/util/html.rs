//! A small, bounded HTML reader: text extraction and table rows.
//!
//! Report mails are machine-made tables; a full HTML5 tree builder is not
//! needed and its worst cases (deep nesting, misnested formatting tags) cost
//! memory and time. This tokenizer is one forward pass over the input:
//! attributes are skipped, never stored; open tables are tracked only to
//! [`MAX_TABLE_DEPTH`]; rows are handed out as they close, so memory stays
//! at the size of the open rows, not of the document.

use std::ops::ControlFlow;

/// Tables nested deeper than this are read as plain text of the cell that
/// holds them.
pub const MAX_TABLE_DEPTH: usize = 32;
/// Cells past this in one row are merged into the last one.
pub const MAX_CELLS_PER_ROW: usize = 256;
/// Text past this in one cell is dropped.
pub const MAX_CELL_TEXT: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Table,
    Tr,
    Td,
    Br,
    /// Block-level elements that end a line of text.
    Block,
    Pre,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Start(Tag),
    End(Tag),
    /// Raw text; entities not yet decoded.
    Text(&'a str),
}

fn classify(name: &[u8]) -> Tag {
    let mut buf = [0u8; 10];
    if name.len() > buf.len() {
        return Tag::Other;
    }
    for (d, s) in buf.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    match &buf[..name.len()] {
        b"table" => Tag::Table,
        b"tr" => Tag::Tr,
        b"td" | b"th" => Tag::Td,
        b"br" => Tag::Br,
        b"pre" => Tag::Pre,
        b"div" | b"p" | b"li" | b"ul" | b"ol" | b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" | b"hr"
        | b"blockquote" | b"section" | b"header" | b"footer" | b"article" | b"dt" | b"dd" | b"caption" | b"thead"
        | b"tbody" | b"tfoot" | b"body" | b"html" | b"center" | b"address" => Tag::Block,
        _ => Tag::Other,
    }
}

/// Elements whose content is not text to show.
fn is_raw_text(name: &[u8]) -> bool {
    // Only elements that are always closed in practice: an unclosed one
    // hides the rest of the document, as it does in a browser.
    ["script", "style", "title"].iter().any(|raw| name.eq_ignore_ascii_case(raw.as_bytes()))
}

struct Tokenizer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Tokenizer<'a> {
    fn new(src: &'a str) -> Self {
        Self { src, pos: 0 }
    }

    fn find_from(&self, from: usize, needle: &str) -> Option<usize> {
        memchr::memmem::find(self.src.as_bytes().get(from..)?, needle.as_bytes()).map(|i| i + from)
    }

    /// Index just past the `>` that ends a tag begun before `from`, skipping
    /// quoted attribute values (a quote right after `=`, spaces allowed).
    /// The end of input if there is none. Jumps from `>`/quote to `>`/quote
    /// (report mails carry long `style` attributes).
    fn tag_end(&self, from: usize) -> usize {
        let b = self.src.as_bytes();
        let mut i = from;
        while i < b.len() {
            let Some(off) = memchr::memchr3(b'>', b'"', b'\'', &b[i..]) else {
                return b.len();
            };
            let at = i + off;
            let q = b[at];
            if q == b'>' {
                return at + 1;
            }
            let after_eq = b[from..at].iter().rev().find(|c| !c.is_ascii_whitespace()).is_some_and(|&c| c == b'=');
            if after_eq {
                match memchr(q, &b[at + 1..]) {
                    Some(close) => i = at + 1 + close + 1,
                    None => return b.len(),
                }
            } else {
                i = at + 1;
            }
        }
        b.len()
    }

    fn name_end(&self, from: usize) -> usize {
        let b = self.src.as_bytes();
        let mut i = from;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b':' || b[i] == b'_') {
            i += 1;
        }
        i
    }

    /// Skips the content of a raw-text element up to its end tag.
    fn skip_raw(&mut self, name: &[u8]) {
        let b = self.src.as_bytes();
        let mut i = self.pos;
        while let Some(off) = memchr(b'<', &b[i..]) {
            let at = i + off;
            if b.get(at + 1) == Some(&b'/') {
                let start = at + 2;
                let end = start + name.len();
                if end <= b.len()
                    && b[start..end].eq_ignore_ascii_case(name)
                    && !b.get(end).is_some_and(|c| c.is_ascii_alphanumeric())
                {
                    self.pos = at;
                    return;
                }
            }
            i = at + 1;
        }
        self.pos = b.len();
    }
}

use memchr::memchr;

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let b = self.src.as_bytes();
        loop {
            if self.pos >= b.len() {
                return None;
            }
            let start = self.pos;
            if b[start] != b'<' {
                let end = memchr(b'<', &b[start..]).map_or(b.len(), |off| start + off);
                self.pos = end;
                return Some(Token::Text(&self.src[start..end]));
            }
            let next = b.get(start + 1).copied();
            match next {
                Some(b'!') if b[start..].starts_with(b"<!--") => {
                    self.pos = self.find_from(start + 4, "-->").map_or(b.len(), |i| i + 3);
                }
                Some(b'!' | b'?') => self.pos = self.tag_end(start + 2),
                Some(b'/') => {
                    let name_start = start + 2;
                    let name_end = self.name_end(name_start);
                    self.pos = memchr(b'>', &b[name_end..]).map_or(b.len(), |off| name_end + off + 1);
                    if name_end > name_start {
                        return Some(Token::End(classify(&b[name_start..name_end])));
                    }
                }
                Some(c) if c.is_ascii_alphabetic() => {
                    let name_start = start + 1;
                    let name_end = self.name_end(name_start);
                    let end = self.tag_end(name_end);
                    self.pos = end;
                    let name = &b[name_start..name_end];
                    let self_closing = end >= 2 && b[end - 2] == b'/' && b[end - 1] == b'>';
                    if is_raw_text(name) && !self_closing {
                        self.skip_raw(name);
                        continue;
                    }
                    return Some(Token::Start(classify(name)));
                }
                _ => {
                    self.pos = start + 1;
                    return Some(Token::Text(&self.src[start..start + 1]));
                }
            }
        }
    }
}

/// Appends `raw` to `out` with character references decoded.
pub fn decode_entities_into(raw: &str, out: &mut String) {
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match decode_one(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// Decodes the reference at the start of `s` (`&amp;`, `&#228;`, `&#xE4;`).
fn decode_one(s: &str) -> Option<(char, usize)> {
    let semi = s.as_bytes().iter().take(12).position(|&b| b == b';')?;
    let body = &s[1..semi];
    let c = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        match code {
            0 => '\u{fffd}',
            // Windows-1252 in numeric references, as browsers read them.
            0x80..=0x9f => cp1252_c1(code),
            _ => char::from_u32(code).unwrap_or('\u{fffd}'),
        }
    } else {
        named_entity(body)?
    };
    Some((c, semi + 1))
}

fn cp1252_c1(code: u32) -> char {
    const TABLE: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    TABLE[(code - 0x80) as usize]
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ensp" | "emsp" | "thinsp" => ' ',
        "shy" | "zwnj" | "zwj" => '\u{ad}',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        "szlig" => 'ß',
        "eacute" => 'é',
        "egrave" => 'è',
        "ecirc" => 'ê',
        "euml" => 'ë',
        "Eacute" => 'É',
        "aacute" => 'á',
        "agrave" => 'à',
        "acirc" => 'â',
        "ccedil" => 'ç',
        "iacute" => 'í',
        "icirc" => 'î',
        "iuml" => 'ï',
        "oacute" => 'ó',
        "ocirc" => 'ô',
        "uacute" => 'ú',
        "ugrave" => 'ù',
        "ucirc" => 'û',
        "ntilde" => 'ñ',
        "oslash" => 'ø',
        "aring" => 'å',
        "euro" => '€',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "deg" => '°',
        "middot" => '·',
        "bull" => '•',
        "hellip" => '…',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "times" => '×',
        _ => return None,
    })
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{ad}'
}

/// Plain text of an HTML document: block elements and table rows end
/// lines, table cells are separated by a tab, whitespace collapses except
/// inside `<pre>`. The output is never longer than the input (plus a line
/// end or so per tag, each of which took at least three input bytes).
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut pre_depth: usize = 0;
    let mut pending_space = false;
    let mut scratch = String::new();
    let newline = |out: &mut String| {
        if !out.is_empty() && !out.ends_with('\n') {
            trim_line_end(out);
            out.push('\n');
        }
    };
    for token in Tokenizer::new(html) {
        match token {
            Token::Text(raw) => {
                let decoded = if raw.contains('&') {
                    scratch.clear();
                    decode_entities_into(raw, &mut scratch);
                    scratch.as_str()
                } else {
                    raw
                };
                if pre_depth > 0 {
                    for c in decoded.chars() {
                        match c {
                            '\r' => {}
                            '\u{a0}' => out.push(' '),
                            c => out.push(c),
                        }
                    }
                    pending_space = false;
                    continue;
                }
                let mut rest = decoded;
                while !rest.is_empty() {
                    let run = rest.find(is_space).unwrap_or(rest.len());
                    if run > 0 {
                        if pending_space && !out.is_empty() && !out.ends_with(['\n', '\t', ' ']) {
                            out.push(' ');
                        }
                        pending_space = false;
                        out.push_str(&rest[..run]);
                        rest = &rest[run..];
                    } else if let Some(c) = rest.chars().next() {
                        pending_space = true;
                        rest = &rest[c.len_utf8()..];
                    }
                }
            }
            Token::Start(Tag::Br) | Token::End(Tag::Br) => {
                trim_line_end(&mut out);
                if !out.ends_with("\n\n") {
                    out.push('\n');
                }
                pending_space = false;
            }
            Token::Start(Tag::Td) => {
                trim_line_end(&mut out);
                if !out.is_empty() && !out.ends_with(['\n', '\t']) {
                    out.push('\t');
                }
                pending_space = false;
            }
            Token::Start(Tag::Pre) => {
                newline(&mut out);
                pre_depth = pre_depth.saturating_add(1);
            }
            Token::End(Tag::Pre) => {
                pre_depth = pre_depth.saturating_sub(1);
                newline(&mut out);
            }
            Token::Start(Tag::Block | Tag::Tr | Tag::Table) | Token::End(Tag::Block | Tag::Tr | Tag::Table) => {
                newline(&mut out);
                pending_space = false;
            }
            Token::Start(Tag::Other) | Token::End(Tag::Other | Tag::Td) => {}
        }
    }
    let end = out.trim_end().len();
    out.truncate(end);
    out
}

fn trim_line_end(out: &mut String) {
    let trimmed = out.trim_end_matches([' ', '\t']).len();
    out.truncate(trimmed);
}

/// One table row: its cells' text, lines inside a cell kept apart by `\n`
/// (from `<br>` and block elements), each line trimmed, empty lines gone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<String>,
    /// Nesting depth of the table the row belongs to (1 = outermost).
    pub depth: usize,
}

impl Row {
    /// The first line of cell `i`, or "".
    pub fn first_line(&self, i: usize) -> &str {
        self.cells.get(i).and_then(|c| c.lines().next()).unwrap_or("")
    }

    /// Cells that are not empty.
    pub fn non_empty(&self) -> impl Iterator<Item = &str> {
        self.cells.iter().map(String::as_str).filter(|c| !c.is_empty())
    }
}

#[derive(Default)]
struct OpenRow {
    row: Row,
    cell_open: bool,
    pending_space: bool,
}

#[derive(Default)]
struct Frame {
    row: Option<OpenRow>,
}

/// Calls `f` with every table row, in the order rows close (a row that
/// holds a nested table closes after the nested table's rows). Stops when
/// `f` breaks.
pub fn for_each_row(html: &str, mut f: impl FnMut(Row) -> ControlFlow<()>) {
    let mut frames: Vec<Frame> = Vec::new();
    let mut ignored_depth: usize = 0;
    let mut scratch = String::new();

    macro_rules! flush {
        ($open:expr) => {
            if let Some(open) = $open {
                if f(finish_row(open.row)).is_break() {
                    return;
                }
            }
        };
    }

    for token in Tokenizer::new(html) {
        match token {
            Token::Start(Tag::Table) => {
                if ignored_depth > 0 || frames.len() >= MAX_TABLE_DEPTH {
                    ignored_depth += 1;
                } else {
                    // A nested table ends the line of the cell that holds it.
                    if let Some(open) = frames.last_mut().and_then(|f| f.row.as_mut()) {
                        push_text(open, "\n");
                    }
                    frames.push(Frame::default());
                }
            }
            Token::End(Tag::Table) => {
                if ignored_depth > 0 {
                    ignored_depth -= 1;
                } else if let Some(frame) = frames.pop() {
                    flush!(frame.row);
                    if let Some(open) = frames.last_mut().and_then(|f| f.row.as_mut()) {
                        push_text(open, "\n");
                    }
                }
            }
            Token::Start(Tag::Tr) if ignored_depth == 0 => {
                if frames.is_empty() {
                    frames.push(Frame::default());
                }
                let depth = frames.len();
                if let Some(frame) = frames.last_mut() {
                    let previous =
                        frame.row.replace(OpenRow { row: Row { cells: Vec::new(), depth }, ..OpenRow::default() });
                    flush!(previous);
                }
            }
            Token::End(Tag::Tr) if ignored_depth == 0 => {
                if let Some(frame) = frames.last_mut() {
                    let done = frame.row.take();
                    flush!(done);
                }
            }
            Token::Start(Tag::Td) if ignored_depth == 0 => {
                if frames.is_empty() {
                    frames.push(Frame::default());
                }
                let depth = frames.len();
                if let Some(frame) = frames.last_mut() {
                    let open = frame
                        .row
                        .get_or_insert_with(|| OpenRow { row: Row { cells: Vec::new(), depth }, ..OpenRow::default() });
                    if open.row.cells.len() < MAX_CELLS_PER_ROW {
                        open.row.cells.push(String::new());
                    } else {
                        push_text(open, " ");
                    }
                    open.cell_open = true;
                    open.pending_space = false;
                }
            }
            Token::End(Tag::Td) if ignored_depth == 0 => {
                if let Some(open) = frames.last_mut().and_then(|f| f.row.as_mut()) {
                    open.cell_open = false;
                }
            }
            Token::Start(Tag::Br | Tag::Block | Tag::Pre) | Token::End(Tag::Br | Tag::Block | Tag::Pre) => {
                if let Some(open) = frames.last_mut().and_then(|f| f.row.as_mut()) {
                    push_text(open, "\n");
                }
            }
            Token::Text(raw) => {
                if let Some(open) = frames.last_mut().and_then(|f| f.row.as_mut())
                    && open.cell_open
                {
                    if raw.contains('&') {
                        scratch.clear();
                        decode_entities_into(raw, &mut scratch);
                        push_text(open, &scratch);
                    } else {
                        push_text(open, raw);
                    }
                }
            }
            _ => {}
        }
    }
    while let Some(frame) = frames.pop() {
        flush!(frame.row);
    }
}

/// Appends text to the last cell, collapsing whitespace runs to one space.
/// Runs of non-space characters are copied whole.
fn push_text(open: &mut OpenRow, text: &str) {
    let Some(cell) = open.row.cells.last_mut() else {
        return;
    };
    let mut rest = text;
    while !rest.is_empty() {
        if cell.len() >= MAX_CELL_TEXT {
            return;
        }
        let run = rest.find(|c: char| c == '\n' || is_space(c)).unwrap_or(rest.len());
        if run > 0 {
            if open.pending_space && !cell.is_empty() && !cell.ends_with('\n') {
                cell.push(' ');
            }
            open.pending_space = false;
            let mut take = run.min(MAX_CELL_TEXT.saturating_sub(cell.len()));
            while !rest.is_char_boundary(take) {
                take -= 1;
            }
            cell.push_str(&rest[..take]);
            rest = &rest[run..];
            continue;
        }
        let Some(c) = rest.chars().next() else {
            return;
        };
        if c == '\n' {
            cell.push('\n');
            open.pending_space = false;
        } else {
            open.pending_space = true;
        }
        rest = &rest[c.len_utf8()..];
    }
}

fn finish_row(mut row: Row) -> Row {
    for cell in &mut row.cells {
        if cell.contains('\n') || cell.starts_with(' ') || cell.ends_with(' ') {
            let lines: Vec<&str> = cell.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
            *cell = lines.join("\n");
        }
    }
    row
}

/// All rows, at most `max` of them.
pub fn rows(html: &str, max: usize) -> Vec<Row> {
    let mut out = Vec::new();
    for_each_row(html, |row| {
        out.push(row);
        if out.len() >= max { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_simple_markup() {
        let html = "<html><head><title>T</title><style>p{color:red}</style></head><body>\
                    <p>Hello&nbsp;&amp; <b>world</b></p><div>two<br>lines</div>\
                    <table><tr><td>a</td><td> b </td></tr><tr><td>c</td></tr></table>\
                    <pre>  keep\n   this</pre><script>if (a < b) {}</script>end</body></html>";
        assert_eq!(html_to_text(html), "Hello & world\ntwo\nlines\na\tb\nc\n  keep\n   this\nend");
    }

    #[test]
    fn entities() {
        let mut s = String::new();
        decode_entities_into("&auml;&#228;&#xE4;&#150;&bogus;&amp&#0;", &mut s);
        assert_eq!(s, "äää–&bogus;&amp\u{fffd}");
    }

    #[test]
    fn nested_tables_and_implicit_closes() {
        let html = "<table><tr><td>outer<table><tr><td>in1<td>in2</table>after</td></tr>\
                    <tr><td>x<br/>y</th></table><tr><td>stray";
        let rows = rows(html, 100);
        let cells: Vec<Vec<&str>> = rows.iter().map(|r| r.cells.iter().map(String::as_str).collect()).collect();
        assert_eq!(cells, vec![vec!["in1", "in2"], vec!["outer\nafter"], vec!["x\ny"], vec!["stray"]]);
        assert_eq!(rows[0].depth, 2);
        assert_eq!(rows[1].depth, 1);
    }

    #[test]
    fn quoted_attributes_and_odd_tags() {
        let html = r#"<td title="a > b" data-x='<tr>'>v</td><!-- <td>hidden</td> --><td>w 1 < 2 <3 </ ></td>dropped"#;
        let rows = rows(html, 10);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].cells, vec!["v".to_string(), "w 1 < 2 <3".to_string()]);
    }

    #[test]
    fn unterminated_constructs_end_cleanly() {
        assert_eq!(html_to_text("a<!-- never closed"), "a");
        assert_eq!(html_to_text("a<div title=\"never closed>b"), "a");
        assert_eq!(html_to_text("a<script>x"), "a");
        assert_eq!(html_to_text("<"), "<");
        assert_eq!(html_to_text("&#x110000;&#99999999999;"), "\u{fffd}&#99999999999;");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let depth = 10_000;
        let mut html = String::new();
        for _ in 0..depth {
            html.push_str("<table><tr><td>");
        }
        html.push_str("deep");
        let rows = rows(&html, usize::MAX);
        assert_eq!(rows.len(), MAX_TABLE_DEPTH);
        assert!(rows.iter().all(|r| r.cells.len() == 1));
    }

    #[test]
    fn breaking_stops_early() {
        let html = "<tr><td>1</td></tr><tr><td>2</td></tr><tr><td>3</td></tr>";
        assert_eq!(rows(html, 2).len(), 2);
    }
}
