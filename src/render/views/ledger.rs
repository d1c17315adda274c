//! The ledger-wide tables: `list`, `log` and what `sweep` applied.

use crate::core::diary::limit_for;
use crate::core::history;
use crate::core::model::Event;
use crate::core::timers;
use crate::core::week::Week;
use crate::core::{Contract, Instant, Kind, Settings, Terms};
use crate::render::rows::ThisWeek;
use crate::render::{Out, table, text::duration, utc, utc_words};

/// `list` for people: one row per contract, with this week's time and the
/// next deadline.
pub fn list(rows: &[(Contract, Option<ThisWeek>)], s: &Settings, o: &Out, now: Instant) -> String {
    let cur = s.currency;
    let color = o.color;
    // Every contract of the ledger, so laid out without comfy-table's cost
    // per cell where it is not coloured (the same bytes).
    let mut t = table::Grid::new(
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
        color,
    );
    for (c, w) in rows {
        let tot = c.totals();
        let terms = match &c.terms {
            Terms::Hourly { rate, .. } => match limit_for(c, Week::of(now)) {
                Some(h) => format!("{}/h, {h}h/wk", cur.show(*rate)),
                None => format!("{}/h", cur.show(*rate)),
            },
            Terms::Fixed { price } => format!("fixed {}", cur.show(*price)),
        };
        let week = match (c.kind(), w) {
            (Kind::Hourly, Some(w)) => {
                let run = if w.running_since.is_some() {
                    " (running)"
                } else {
                    ""
                };
                format!("{}{run}", duration(w.seconds))
            }
            _ => "-".into(),
        };
        let next = timers::pending(c)
            .first()
            .map(|tm| format!("{}: {}", utc_words(tm.at), timers::describe(c, tm, s)))
            .unwrap_or_else(|| "-".into());
        use table::Kind::{Num, Status, Text};
        t.add_row([
            (c.id.to_string(), Text),
            (c.title.clone(), Text),
            (c.client.clone(), Text),
            (c.freelancer.clone(), Text),
            (terms, Text),
            (c.status.as_str().to_string(), Status),
            (cur.format(tot.escrow), Num),
            (cur.format(tot.paid), Num),
            (week, Num),
            (next, Text),
        ]);
    }
    format!("{}\nAmounts in {}.", t.render(), cur.code())
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
