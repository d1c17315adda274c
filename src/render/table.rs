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
