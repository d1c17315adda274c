//! comfy-table with the house style: terminal width respected, colour only
//! when allowed, every cell's text cleaned of control characters.

use super::text::clean;
use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table, presets};

/// A table with `headers`.
pub fn new(headers: &[&str], color: bool) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !color {
        t.force_no_tty();
    }
    t.set_header(headers.iter().map(Cell::new));
    t
}

/// A two-column key/value table without a header.
pub fn plain(color: bool) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !color {
        t.force_no_tty();
    }
    t
}

/// A cell of text from a file or argument.
pub fn text(s: &str) -> Cell {
    Cell::new(clean(s))
}

/// A right-aligned cell (numbers, money, durations).
pub fn num(s: impl Into<String>) -> Cell {
    Cell::new(s.into()).set_alignment(CellAlignment::Right)
}

/// A status cell, coloured when allowed.
pub fn status(s: &str, color: bool) -> Cell {
    let c = Cell::new(s);
    if !color {
        return c;
    }
    match s {
        "active" | "open" | "released" | "revealed" => c.fg(Color::Green),
        "paused" | "review" | "requested" | "disputed" | "submitted" | "pending" => {
            c.fg(Color::Yellow)
        }
        "ended" | "settled" | "expired" | "refunded" => c.fg(Color::DarkGrey),
        "escalated" | "invoiced" => c.fg(Color::Cyan),
        _ => c,
    }
}

/// Right-aligns columns `cols`.
pub fn align_right(t: &mut Table, cols: &[usize]) {
    for &i in cols {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// How a cell of a [`Grid`] is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text from a file or argument ([`text`]).
    Text,
    /// A right-aligned number ([`num`]).
    Num,
    /// A status ([`status`]).
    Status,
}

/// A table of many rows (`list` of every contract): laid out by
/// comfy-table when it is coloured for a terminal, and by
/// [`Grid::render`]'s own loop otherwise — the same bytes (the tests
/// compare them), without comfy-table's few strings and vectors per cell,
/// which were most of `list`'s time at 5,000 contracts.
#[derive(Debug)]
pub struct Grid {
    // The headers one after another, and where each ends.
    heads: String,
    head_ends: Vec<usize>,
    color: bool,
    // Every cell's text one after another (one buffer, not a string per
    // cell: 50,000 cells at 5,000 contracts), and where each cell ends.
    text: String,
    cells: Vec<(usize, Kind)>,
}

impl Grid {
    /// A grid with `headers`, coloured when `color`.
    pub fn new(headers: &[&str], color: bool) -> Grid {
        let mut heads = String::with_capacity(headers.iter().map(|h| h.len()).sum());
        let mut head_ends = Vec::with_capacity(headers.len());
        for h in headers {
            heads.push_str(h);
            head_ends.push(heads.len());
        }
        Grid {
            heads,
            head_ends,
            color,
            text: String::new(),
            cells: Vec::new(),
        }
    }

    /// Makes room for `rows` more rows of about `width` bytes of text each.
    pub fn reserve(&mut self, rows: usize, width: usize) {
        self.cells.reserve(rows.saturating_mul(self.columns()));
        self.text.reserve(rows.saturating_mul(width));
    }

    /// Adds a row: one cell per header.
    pub fn add_row<S: AsRef<str>>(&mut self, row: impl IntoIterator<Item = (S, Kind)>) {
        let before = self.cells.len();
        for (s, kind) in row {
            push_piece(&mut self.text, s.as_ref());
            self.cells.push((self.text.len(), kind));
        }
        debug_assert_eq!(self.cells.len() - before, self.columns());
    }

    /// Adds a cell whose text `write` puts at the end of the grid's text
    /// (a row is as many cells as headers).
    pub fn cell(&mut self, kind: Kind, write: impl FnOnce(&mut String)) {
        write(&mut self.text);
        self.cells.push((self.text.len(), kind));
    }

    /// How many columns.
    fn columns(&self) -> usize {
        self.head_ends.len()
    }

    /// Each header's text, in order.
    fn headers(&self) -> impl Iterator<Item = &str> {
        self.head_ends.iter().scan(0, |start, &end| {
            let s = &self.heads[*start..end];
            *start = end;
            Some(s)
        })
    }

    /// Each cell's text and kind, in order.
    fn each(&self) -> impl Iterator<Item = (&str, Kind)> {
        self.cells.iter().scan(0, |start, &(end, kind)| {
            let s = &self.text[*start..end];
            *start = end;
            Some((s, kind))
        })
    }

    /// The table as comfy-table lays it out.
    fn comfy(&self) -> String {
        let heads: Vec<&str> = self.headers().collect();
        let mut t = new(&heads, self.color);
        let cells: Vec<(&str, Kind)> = self.each().collect();
        for row in cells.chunks(self.columns().max(1)) {
            t.add_row(row.iter().map(|(s, k)| match k {
                Kind::Text => text(s),
                Kind::Num => num(*s),
                Kind::Status => status(s, self.color),
            }));
        }
        t.to_string()
    }

    /// The table, laid out.
    pub fn render(self) -> String {
        let mut out = String::new();
        match self.layout() {
            Some(layout) => {
                out.reserve(layout.len);
                let _ = self.write_plain(&layout, &mut out);
            }
            None => out = self.comfy(),
        }
        out
    }

    /// The table, laid out, written to `out` as it is laid out.
    pub fn render_to(&self, out: &mut dyn std::fmt::Write) -> std::fmt::Result {
        match self.layout() {
            Some(layout) => self.write_plain(&layout, out),
            None => out.write_str(&self.comfy()),
        }
    }

    /// Without colour and with one line per cell: comfy-table's layout
    /// when it knows no width (each column as wide as its widest cell, at
    /// least 1), its borders drawn as comfy-table draws them. `None`
    /// (comfy-table's own layout then) otherwise.
    #[cfg(test)]
    fn plain(&self) -> Option<String> {
        let layout = self.layout()?;
        let mut out = String::new();
        self.write_plain(&layout, &mut out).ok()?;
        Some(out)
    }

    /// The plain layout's column widths and frame, if it applies (see
    /// [`Grid::plain`]).
    fn layout(&self) -> Option<Layout> {
        use unicode_width::UnicodeWidthStr;
        let n = self.columns();
        if self.color || n == 0 || self.headers().any(|h| h.contains('\n')) {
            return None;
        }
        // Two passes over the cells (this one, then the writing), each
        // cleaning and measuring a cell again (for printable ASCII a scan):
        // no vector of cleaned texts and widths, two megabytes at 5,000
        // contracts.
        let mut widths: Vec<usize> = self.headers().map(|h| h.width().max(1)).collect();
        let mut text_len = 0;
        for (i, (s, kind)) in self.each().enumerate() {
            let (text, w) = shown(s, kind);
            if text.contains('\n') {
                return None;
            }
            widths[i % n] = widths[i % n].max(w);
            text_len += text.len();
        }
        // comfy-table keeps a column's width in a u16.
        if widths.iter().any(|w| *w >= usize::from(u16::MAX)) {
            return None;
        }
        let frame = self.frame(&widths)?;
        let rows = self.cells.len() / n;
        let len = frame.head_end
            + frame.bottom.len()
            + rows * (frame.between() + widths.iter().sum::<usize>())
            + text_len;
        Some(Layout { widths, frame, len })
    }

    /// Writes the plain layout: each cell's text, and between two cells
    /// one write of what lies between them ([`Frame::gap`]).
    fn write_plain(&self, layout: &Layout, out: &mut dyn std::fmt::Write) -> std::fmt::Result {
        let (widths, frame) = (&layout.widths, &layout.frame);
        let n = widths.len();
        out.write_str(&frame.text[..frame.head_end])?;
        // The previous cell's padding on its right, not written yet.
        let mut pending = 0;
        for (i, (s, kind)) in self.each().enumerate() {
            let col = i % n;
            let (text, w) = shown(s, kind);
            let pad = widths[col] - w;
            let (lead, trail) = if kind == Kind::Num {
                (pad, 0)
            } else {
                (0, pad)
            };
            frame.gap(out, col, i == 0, pending, lead)?;
            out.write_str(&text)?;
            pending = trail;
        }
        if !self.cells.is_empty() {
            frame.gap(out, n, false, pending, 0)?;
        }
        out.write_str(&frame.text[frame.bottom.clone()])
    }
}

/// The plain layout of a grid: its columns' widths, its frame, and about
/// how long it is.
struct Layout {
    widths: Vec<usize>,
    frame: Frame,
    len: usize,
}

/// A cell's text as shown (text from a file or argument cleaned) and its
/// width in columns.
fn shown(s: &str, kind: Kind) -> (std::borrow::Cow<'_, str>, usize) {
    use unicode_width::UnicodeWidthStr;
    let text = match kind {
        Kind::Text => clean(s),
        _ => std::borrow::Cow::Borrowed(s),
    };
    let w = if crate::safe_text::printable_ascii(&text) {
        text.len()
    } else {
        text.width()
    };
    (text, w)
}

/// A table's lines but its rows, and what goes between a row's cells, in
/// one string (two allocations a table, not twenty: a week's tables are
/// dozens).
struct Frame {
    // The top, the header line and the rule, each with its line break;
    // the bottom; then what goes between cells (see `Frame::gap`).
    text: String,
    head_end: usize,
    bottom: std::ops::Range<usize>,
    // For each column, where the seam before it starts in `text`, and its
    // length; the last is the end of the last row.
    at: Vec<(usize, usize)>,
    // At the first row's start: the length of the previous row's end.
    skip: usize,
}

impl Frame {
    /// Ends the frame whose lines `text` holds: after them each seam
    /// (`seam(0)` a row's start, `seam(n)` its end) with `SPACES` on both
    /// sides to slice the paddings from.
    fn finish<'s>(
        mut text: String,
        head_end: usize,
        bottom: std::ops::Range<usize>,
        n: usize,
        seam: impl Fn(usize) -> &'s str,
    ) -> Frame {
        let mut at = Vec::with_capacity(n + 1);
        for col in 0..=n {
            text.push_str(SPACES);
            let start = text.len();
            if col == 0 || col == n {
                text.push_str(seam(n));
                text.push('\n');
            }
            if col < n {
                text.push_str(seam(col));
            }
            at.push((start, text.len() - start));
            text.push_str(SPACES);
        }
        Frame {
            text,
            head_end,
            bottom,
            at,
            skip: seam(n).len() + 1,
        }
    }

    /// The bytes a row adds but its cells' texts and padding.
    fn between(&self) -> usize {
        self.at.iter().map(|(_, len)| len).sum::<usize>() - self.skip
    }

    /// Writes what goes before column `col` (`n`: the last row's end;
    /// `first`: in the first row) in one piece: `trail` spaces (the
    /// previous cell's padding), the seam, `lead` spaces (this cell's).
    fn gap(
        &self,
        out: &mut dyn std::fmt::Write,
        col: usize,
        first: bool,
        trail: usize,
        lead: usize,
    ) -> std::fmt::Result {
        let (start, len) = self.at[col];
        let end = start + len;
        let start = if first { start + self.skip } else { start };
        let (t, l) = (trail.min(SPACES.len()), lead.min(SPACES.len()));
        pad_with_spaces(out, trail - t)?;
        out.write_str(&self.text[start - t..end + l])?;
        pad_with_spaces(out, lead - l)
    }
}

impl Grid {
    /// comfy-table's frame (`UTF8_FULL_CONDENSED`) around columns of
    /// `widths`: drawn here for headers of printable text, as the tests
    /// check against comfy-table; otherwise taken from a one-row table
    /// comfy-table draws with the same headers.
    fn frame(&self, widths: &[usize]) -> Option<Frame> {
        use unicode_width::UnicodeWidthStr;
        let n = widths.len();
        let across = |s: &mut String, left: &str, line: char, mid: &str, right: &str| {
            s.push_str(left);
            for (i, w) in widths.iter().enumerate() {
                if i > 0 {
                    s.push_str(mid);
                }
                s.extend(std::iter::repeat_n(line, w + 2));
            }
            s.push_str(right);
        };
        if self.headers().all(|h| !h.chars().any(char::is_control)) {
            let line = 3 * (widths.iter().sum::<usize>() + 3 * n + 2);
            let gaps = (n + 1) * (2 * SPACES.len() + 16);
            let mut text = String::with_capacity(4 * line + self.heads.len() + gaps);
            across(&mut text, "┌", '─', "┬", "┐");
            text.push_str("\n│ ");
            for (i, (h, w)) in self.headers().zip(widths).enumerate() {
                if i > 0 {
                    text.push_str(" ┆ ");
                }
                text.push_str(h);
                let _ = pad_with_spaces(&mut text, w - h.width());
            }
            text.push_str(" │\n");
            across(&mut text, "╞", '═', "╪", "╡");
            text.push('\n');
            let head_end = text.len();
            across(&mut text, "└", '─', "┴", "┘");
            let bottom = head_end..text.len();
            let seam = |c: usize| match c {
                0 => "│ ",
                c if c == n => " │",
                _ => " ┆ ",
            };
            return Some(Frame::finish(text, head_end, bottom, n, seam));
        }
        // The headers over one row of `x`s as wide as each column: its
        // row, split at the `x`s, gives what goes between cells.
        let heads: Vec<&str> = self.headers().collect();
        let mut t = new(&heads, false);
        t.add_row(widths.iter().map(|w| Cell::new("x".repeat(*w))));
        let drawn = t.to_string();
        let lines: Vec<&str> = drawn.split('\n').collect();
        let [top, head, rule, model, bottom] = lines[..] else {
            return None;
        };
        let seams: Vec<&str> = model.split('x').filter(|s| !s.is_empty()).collect();
        if seams.len() != n + 1 || model.matches('x').count() != widths.iter().sum::<usize>() {
            return None;
        }
        let mut text = String::new();
        for l in [top, head, rule] {
            text.push_str(l);
            text.push('\n');
        }
        let head_end = text.len();
        text.push_str(bottom);
        let bottom = head_end..text.len();
        Some(Frame::finish(text, head_end, bottom, n, |c| seams[c]))
    }
}

pub use crate::pieces::push_short as push_piece;

/// A run of spaces to pad with.
const SPACES: &str = "                                                                ";

/// Adds `n` spaces to `out`, a run at a time (not a char at a time: most
/// cells of a long table are padded).
fn pad_with_spaces(out: &mut dyn std::fmt::Write, mut n: usize) -> std::fmt::Result {
    while n > 0 {
        let k = n.min(SPACES.len());
        out.write_str(&SPACES[..k])?;
        n -= k;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grid's own layout against comfy-table's, on cells of every
    /// width: wide (CJK, emoji), zero-width, combining, empty, controls.
    #[test]
    fn the_plain_layout_is_comfy_tables_byte_for_byte() {
        let words = [
            "",
            "a",
            "Storefront redesign",
            "宽字符",
            "e\u{301}",
            "🚀 launch",
            "\u{200b}",
            "x",
            "tab\there",
            "bell\u{7}",
            "  spaced  ",
            "ÅÄÖ",
            "12.50",
            "-",
            // Wider than a run of padding.
            "a title of more than a hundred characters, so that the other cells of its column are padded by more than sixty-four",
        ];
        let mut x: u64 = 7;
        let mut next = |m: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m as u64) as usize
        };
        for cols in 1..6 {
            for rows in 0..5 {
                let heads: Vec<String> = (0..cols)
                    .map(|i| words[(i * 3) % words.len()].to_string())
                    .collect();
                let heads: Vec<&str> = heads.iter().map(String::as_str).collect();
                let mut g = Grid::new(&heads, false);
                for _ in 0..rows {
                    g.add_row((0..cols).map(|_| {
                        let kind = [Kind::Text, Kind::Num, Kind::Status][next(3)];
                        (words[next(words.len())].to_string(), kind)
                    }));
                }
                let plain = g.plain().expect("a plain layout");
                assert_eq!(plain, g.comfy(), "{cols} columns, {rows} rows");
            }
        }
        // A cell of several lines: comfy-table's layout.
        let mut g = Grid::new(&["A", "B"], false);
        g.add_row([
            ("one\ntwo".to_string(), Kind::Num),
            ("x".to_string(), Kind::Text),
        ]);
        assert!(g.plain().is_none());
        assert_eq!(g.render(), {
            let mut t = new(&["A", "B"], false);
            t.add_row(vec![num("one\ntwo"), text("x")]);
            t.to_string()
        });
    }
}
