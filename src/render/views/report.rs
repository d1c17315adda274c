//! The table of `report`: hours and money per row, the total, and a bar.

use crate::core::report::{self, By, Row};
use crate::core::{Money, Role, Settings};
use crate::render::rows::fee_net;
use crate::render::{Out, table, text::duration};

/// `report` for people: one row per `by`, then the total; the bar shows
/// money where there is some, else billable time.
pub fn report(by: By, role: Role, rows: &[Row], total: &Row, s: &Settings, o: &Out) -> String {
    let cur = s.currency;
    // The freelancer's columns are gross, fee and net; the client's spent
    // and refunded.
    let freelancer = role.sees_fee();
    // The bar: money where there is some, else billable time.
    let measure = |r: &Row| {
        if total.paid > Money::ZERO {
            r.paid.minor()
        } else {
            r.billable
        }
    };
    let widest = rows.iter().map(measure).max().unwrap_or(0);
    let mut head = vec![by_title(by), "Tracked", "Manual", "Billable"];
    head.extend(if freelancer {
        ["Gross", "Fee", "Net"].as_slice()
    } else {
        ["Spent", "Refunded"].as_slice()
    });
    head.push("");
    let mut t = table::new(&head, o.color);
    for r in rows.iter().chain(std::iter::once(total)) {
        let mut cells = vec![
            table::text(&r.key),
            table::num(duration(r.tracked)),
            table::num(duration(r.manual)),
            table::num(duration(r.billable)),
        ];
        if let Some(x) = fee_net(role, r.paid, r.fee) {
            cells.push(table::num(cur.format(r.paid)));
            cells.push(table::num(cur.format(x.fee)));
            cells.push(table::num(cur.format(x.net)));
        } else {
            cells.push(table::num(cur.format(r.paid)));
            cells.push(table::num(cur.format(r.refunded)));
        }
        let bar = if std::ptr::eq(r, total) {
            String::new()
        } else {
            report::bar(measure(r), widest, 24)
        };
        cells.push(comfy_table::Cell::new(bar));
        t.add_row(cells);
    }
    format!(
        "{t}\nAmounts in {}; time counts on the UTC day its entry starts, money on the day it moved.",
        cur.code()
    )
}

fn by_title(b: By) -> &'static str {
    match b {
        By::Week => "Week",
        By::Month => "Month",
        By::Client => "Client",
        By::Contract => "Contract",
    }
}
