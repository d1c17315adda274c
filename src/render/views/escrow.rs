//! The escrow tables: `milestone list` and `refund list`.

use crate::core::Settings;
use crate::core::model::Instant;
use crate::render::json::RefundRowJson;
use crate::render::rows::MilestoneRow;
use crate::render::{Out, table, utc_words};

/// `milestone list` for people.
pub fn milestones(rows: &[MilestoneRow<'_>], s: &Settings, o: &Out) -> String {
    let cur = s.currency;
    let mut t = table::new(
        &[
            "#",
            "Milestone",
            "Amount",
            "Status",
            "In escrow",
            "Released automatically",
        ],
        o.color,
    );
    for (n, m, esc, _, auto) in rows {
        t.add_row(vec![
            table::num(n.to_string()),
            table::text(&m.title),
            table::num(cur.format(m.amount)),
            table::status(m.status.as_str(), o.color),
            table::num(cur.format(*esc)),
            table::text(&auto.map(utc_words).unwrap_or_else(|| "-".into())),
        ]);
    }
    format!("{t}\nAmounts in {}.", cur.code())
}

/// `refund list` for people: the rows of `--json`, with their deadlines.
pub fn refunds(
    rows: &[RefundRowJson],
    deadlines: &[Option<Instant>],
    s: &Settings,
    o: &Out,
) -> String {
    let cur = s.currency;
    let mut t = table::new(
        &[
            "Contract",
            "#",
            "Amount",
            "Status",
            "Deadline",
            "What happens then",
        ],
        o.color,
    );
    for (r, at) in rows.iter().zip(deadlines) {
        t.add_row(vec![
            table::text(&r.contract),
            table::num(r.number.to_string()),
            table::num(r.amount.clone()),
            table::status(r.status, o.color),
            table::text(&at.map_or("-".into(), utc_words)),
            table::text(&r.then),
        ]);
    }
    format!("{t}\nAmounts in {}.", cur.code())
}
