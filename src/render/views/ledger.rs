//! The ledger-wide tables: `list`, `log` and what `sweep` applied.

use crate::core::diary::limit_for;
use crate::core::history;
use crate::core::model::Event;
use crate::core::timers;
use crate::core::week::Week;
use crate::core::{Contract, Instant, Kind, Settings, Terms};
use crate::render::rows::ThisWeek;
use crate::render::{Out, table, text::duration, utc, utc_words};

/// A `list` row but its week's cell: the contract's id and whether it is
/// hourly, and its title, client, freelancer, terms, status, escrow, paid
/// and next deadline, as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    /// The contract's id.
    pub id: String,
    /// Whether it is hourly (it has a week's time), and its cells from the
    /// title to the next deadline, but the week's.
    pub row: crate::store::Row,
}

/// The cells of `c`'s `list` row (at `now`: the terms show the weekly
/// limit of its week). The same for every `now` when `c` has no change of
/// its limit ([`list_row_ages`] is `false`).
pub fn list_row(c: &Contract, s: &Settings, now: Instant) -> ListRow {
    let cur = s.currency;
    let tot = c.totals();
    let terms = match &c.terms {
        Terms::Hourly { rate, .. } => match limit_for(c, Week::of(now)) {
            Some(h) => format!("{}/h, {h}h/wk", cur.show(*rate)),
            None => format!("{}/h", cur.show(*rate)),
        },
        Terms::Fixed { price } => format!("fixed {}", cur.show(*price)),
    };
    let next = timers::pending(c)
        .first()
        .map(|tm| format!("{}: {}", utc_words(tm.at), timers::describe(c, tm, s)))
        .unwrap_or_else(|| "-".into());
    ListRow {
        id: c.id.to_string(),
        row: crate::store::Row::new(
            c.kind() == Kind::Hourly,
            [
                &c.title,
                &c.client,
                &c.freelancer,
                &terms,
                c.status.as_str(),
                &cur.format(tot.escrow),
                &cur.format(tot.paid),
                &next,
            ],
        ),
    }
}

/// Whether `c`'s `list` row may differ from one `now` to another (a change
/// of its weekly limit).
pub fn list_row_ages(c: &Contract) -> bool {
    matches!(&c.terms, Terms::Hourly { limit_changes, .. } if !limit_changes.is_empty())
}

/// `list` for people: one row per contract, with this week's time and the
/// next deadline. Rows go into the table as they come (5,000 of them at
/// an agency's scale, not held in a vector first).
#[derive(Debug)]
pub struct ListTable {
    t: table::Grid,
    currency: crate::core::money::Currency,
    rows: usize,
    // How many rows are coming (room is made at the first).
    expected: usize,
}

impl ListTable {
    /// A table for about `expected` rows.
    pub fn new(expected: usize, s: &Settings, o: &Out) -> ListTable {
        // Every contract of the ledger, so laid out without comfy-table's
        // cost per cell where it is not coloured (the same bytes).
        let t = table::Grid::new(
            &[
                "ID",
                "Title",
                "Client",
                "Freelancer",
                "Terms",
                "Status",
                "Escrow",
                "Paid",
                "This week",
                "Next deadline",
            ],
            o.color,
        );
        ListTable {
            t,
            currency: s.currency,
            rows: 0,
            expected,
        }
    }

    /// Adds a contract's row, with its time this week.
    pub fn push(&mut self, r: &ListRow, w: Option<ThisWeek>) {
        if self.rows == 0 {
            // (A row's cells, the week's and the id's included.)
            self.t.reserve(self.expected, r.row.len() + 16);
        }
        self.rows += 1;
        let week = match (r.row.hourly, w) {
            (true, Some(w)) => {
                let run = if w.running_since.is_some() {
                    " (running)"
                } else {
                    ""
                };
                format!("{}{run}", duration(w.seconds))
            }
            _ => "-".into(),
        };
        let [title, client, freelancer, terms, status, escrow, paid, next] = r.row.cells();
        use table::Kind::{Num, Status, Text};
        self.t.add_row([
            (r.id.as_str(), Text),
            (title, Text),
            (client, Text),
            (freelancer, Text),
            (terms, Text),
            (status, Status),
            (escrow, Num),
            (paid, Num),
            (week.as_str(), Num),
            (next, Text),
        ]);
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The table, written to `out` as it is laid out (a megabyte at 5,000
    /// contracts).
    pub fn write(&self, out: &mut dyn std::fmt::Write) -> std::fmt::Result {
        self.t.render_to(out)?;
        write!(out, "\nAmounts in {}.", self.currency.code())
    }
}

/// `log` for people: history events, oldest first, in the display zone.
pub fn history(events: &[(&Contract, &Event)], s: &Settings, o: &Out, now: Instant) -> String {
    let cur = s.currency;
    let mut t = table::new(
        &[
            &format!("When ({})", o.zone_name(now)),
            "Contract",
            "Actor",
            "Event",
            "Amount",
            "Detail",
        ],
        o.color,
    );
    for (c, e) in events {
        t.add_row(vec![
            table::text(&o.time(e.at)),
            table::text(c.id.as_str()),
            table::text(e.actor.as_str()),
            table::text(e.kind().as_str()),
            table::num(e.amount.map(|a| cur.format(a)).unwrap_or_default()),
            table::text(&with_superseded(history::detail(c, e, &cur), e)),
        ]);
    }
    t.to_string()
}

/// An event's sentence, and why a merge set it aside if it did.
fn with_superseded(detail: String, e: &Event) -> String {
    match &e.superseded {
        Some(why) => format!("{detail} [set aside by a merge: {why}]"),
        None => detail,
    }
}

/// `sweep` for people: the timers it applied, in the order they fell due
/// (UTC); one contract's keep their order within an instant.
pub fn timers_applied(events: &[(&Contract, &Event)], s: &Settings, o: &Out) -> String {
    let cur = s.currency;
    let mut t = table::new(
        &["Due (UTC)", "Contract", "Event", "Amount", "Detail"],
        o.color,
    );
    let mut by_due: Vec<_> = events.iter().collect();
    by_due.sort_by_key(|(_, e)| e.at);
    for (c, e) in by_due {
        t.add_row(vec![
            table::text(&utc(e.at)),
            table::text(c.id.as_str()),
            table::text(e.kind().as_str()),
            table::num(e.amount.map(|a| cur.format(a)).unwrap_or_default()),
            table::text(&history::detail(c, e, &cur)),
        ]);
    }
    t.to_string()
}
