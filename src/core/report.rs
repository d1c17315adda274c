//! Hours and money per period, client or contract: what `report` prints.

use super::diary::billing::{billable_split, counting_until};
use super::diary::week_file::WeekFile;
use super::model::*;
use super::money::Money;
use super::movements::{Kind, Movement};
use super::week::Week;
use chrono::Datelike;
use std::collections::BTreeMap;

/// How rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// ISO billing week (UTC).
    Week,
    /// Calendar month (UTC).
    Month,
    /// The client's name.
    Client,
    /// The contract.
    Contract,
}

/// One row: hours (in seconds) and money.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// What the row is: `2026-W47`, `2026-11`, a client, a contract id.
    pub key: String,
    /// Tracked time (timers).
    pub tracked: i64,
    /// Manual time (logged after the fact).
    pub manual: i64,
    /// Time within the weekly limits.
    pub billable: i64,
    /// Paid to the freelancer, gross, less what was given back.
    pub paid: Money,
    /// The freelancer's fees, less fees returned.
    pub fee: Money,
    /// Returned to the client.
    pub refunded: Money,
}

impl Row {
    fn add(&mut self, o: &Row) {
        self.tracked += o.tracked;
        self.manual += o.manual;
        self.billable += o.billable;
        self.paid += o.paid;
        self.fee += o.fee;
        self.refunded += o.refunded;
    }
}

fn key(by: By, c: &Contract, at: Instant) -> String {
    match by {
        By::Week => Week::of(at).to_string(),
        By::Month => format!("{}-{:02}", at.year(), at.month()),
        By::Client => c.client.clone(),
        By::Contract => c.id.to_string(),
    }
}

/// Whether `at` lies in the period (UTC days, both ends included).
pub type InPeriod<'a> = &'a dyn Fn(Instant) -> bool;

/// The rows, in key order (weeks and months oldest first), and their total.
/// `weeks` are week files with their contracts; `moves` the movements of
/// money with theirs. Time counts in the row of the day its entry starts.
pub fn rows(
    by: By,
    weeks: &[(&Contract, &WeekFile)],
    moves: &[(&Contract, Movement)],
    in_period: InPeriod<'_>,
    now: Instant,
) -> (Vec<Row>, Row) {
    let mut acc: BTreeMap<(i64, String), Row> = BTreeMap::new();
    // Contracts sort naturally; periods by their text (which sorts by time).
    let order = |c: &Contract| match by {
        By::Contract => c.id.auto_number().map_or(i64::MAX, |n| n as i64),
        _ => 0,
    };
    for (c, wf) in weeks {
        let until = counting_until(c, wf.week, now);
        for (e, (billable, _)) in wf.entries.iter().zip(billable_split(c, wf, now)) {
            if !in_period(e.start) {
                continue;
            }
            let k = key(by, c, e.start);
            let row = acc.entry((order(c), k.clone())).or_default();
            row.key = k;
            let s = e.seconds(until);
            if e.manual {
                row.manual += s;
            } else {
                row.tracked += s;
            }
            row.billable += billable;
        }
    }
    for (c, m) in moves {
        if !in_period(m.at) {
            continue;
        }
        let k = key(by, c, m.at);
        let row = acc.entry((order(c), k.clone())).or_default();
        row.key = k;
        match m.kind {
            Kind::Released { fee, .. } | Kind::WeekPaid { fee, .. } => {
                row.paid += m.amount;
                row.fee += fee;
            }
            Kind::Given { fee_returned } => {
                row.paid -= m.amount;
                row.fee -= fee_returned;
                row.refunded += m.amount;
            }
            Kind::Refunded { .. } | Kind::WeekRefunded { .. } => row.refunded += m.amount,
            Kind::Funded { .. } | Kind::WeekCharged { .. } => {}
        }
    }
    // A row where only escrow was funded has nothing to show.
    let rows: Vec<Row> = acc
        .into_values()
        .filter(|r| {
            r.tracked + r.manual + r.billable != 0
                || r.paid != Money::ZERO
                || r.fee != Money::ZERO
                || r.refunded != Money::ZERO
        })
        .collect();
    let mut total = Row {
        key: "total".into(),
        ..Row::default()
    };
    for r in &rows {
        total.add(r);
    }
    (rows, total)
}

/// A bar of Unicode blocks, `value` scaled to `max` over `width` cells
/// (eighths of a cell for the last one).
pub fn bar(value: i64, max: i64, width: usize) -> String {
    if value <= 0 || max <= 0 {
        return String::new();
    }
    let eighths = (i128::from(value) * (width as i128) * 8 / i128::from(max)).max(1) as usize;
    let mut s = "█".repeat(eighths / 8);
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    if !eighths.is_multiple_of(8) {
        s.push(PARTS[eighths % 8]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_widest_row() {
        assert_eq!(bar(100, 100, 10), "██████████");
        assert_eq!(bar(50, 100, 10), "█████");
        assert_eq!(bar(1, 100, 10), "▏");
        assert_eq!(bar(0, 100, 10), "");
        assert_eq!(bar(55, 100, 10), "█████▌");
    }
}
