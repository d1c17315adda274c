//! `report [--by week|month|client|contract] [--from DATE] [--to DATE]`:
//! hours and money per row, with totals and a bar column.

use super::Ctx;
use super::export::{diary, in_period, load};
use crate::cli::{ByWhat, ExportArgs, ReportArgs};
use crate::core::Role;
use crate::core::model::Instant;
use crate::core::report::{self, By, Row};
use crate::render::json::{ReportJson, ReportRowJson};
use crate::render::{table, text::duration};
use anyhow::Result;

/// Runs `report`.
pub fn run(ctx: &Ctx, a: ReportArgs) -> Result<()> {
    let args = ExportArgs {
        from: a.from,
        to: a.to,
        ids: Vec::new(),
    };
    let (loaded, period, store) = load(ctx, &args)?;
    let weeks = diary(&store, &loaded, period)?;
    let weeks: Vec<_> = weeks.iter().map(|(c, wf)| (*c, wf)).collect();
    let moves = in_period(&loaded, period);
    let (from, to) = period;
    let within = |t: Instant| {
        let d = t.date_naive();
        from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t)
    };
    let by = match a.by {
        ByWhat::Week => By::Week,
        ByWhat::Month => By::Month,
        ByWhat::Client => By::Client,
        ByWhat::Contract => By::Contract,
    };
    let (rows, total) = report::rows(by, &weeks, &moves, &within, ctx.now);
    let cur = loaded.settings.currency;
    let freelancer = loaded.role == Role::Freelancer;
    // The bar: money where there is some, else billable time.
    let measure = |r: &Row| {
        if total.paid > crate::core::Money::ZERO {
            r.paid.minor()
        } else {
            r.billable
        }
    };
    let widest = rows.iter().map(measure).max().unwrap_or(0);
    if ctx.out.json {
        let row = |r: &Row| ReportRowJson {
            key: r.key.clone(),
            tracked_seconds: r.tracked,
            manual_seconds: r.manual,
            billable_seconds: r.billable,
            gross: freelancer.then(|| cur.format(r.paid)),
            fee: freelancer.then(|| cur.format(r.fee)),
            net: freelancer.then(|| cur.format(r.paid - r.fee)),
            spent: (!freelancer).then(|| cur.format(r.paid)),
            refunded: (!freelancer).then(|| cur.format(r.refunded)),
        };
        ctx.out.print_json(&ReportJson {
            by: by_name(a.by),
            role: loaded.role.as_str(),
            from: from.map(|d| d.to_string()),
            to: to.map(|d| d.to_string()),
            currency: cur.code(),
            rows: rows.iter().map(row).collect(),
            total: row(&total),
        })?;
        return Ok(());
    }
    if rows.is_empty() {
        ctx.out.print("nothing to report in that period")?;
        return Ok(());
    }
    let mut head = vec![by_title(a.by), "Tracked", "Manual", "Billable"];
    head.extend(if freelancer {
        ["Gross", "Fee", "Net"].as_slice()
    } else {
        ["Spent", "Refunded"].as_slice()
    });
    head.push("");
    let mut t = table::new(&head, ctx.out.color);
    for r in rows.iter().chain(std::iter::once(&total)) {
        let mut cells = vec![
            table::text(&r.key),
            table::num(duration(r.tracked)),
            table::num(duration(r.manual)),
            table::num(duration(r.billable)),
        ];
        if freelancer {
            cells.push(table::num(cur.format(r.paid)));
            cells.push(table::num(cur.format(r.fee)));
            cells.push(table::num(cur.format(r.paid - r.fee)));
        } else {
            cells.push(table::num(cur.format(r.paid)));
            cells.push(table::num(cur.format(r.refunded)));
        }
        let bar = if std::ptr::eq(r, &total) {
            String::new()
        } else {
            report::bar(measure(r), widest, 24)
        };
        cells.push(comfy_table::Cell::new(bar));
        t.add_row(cells);
    }
    ctx.out.print(&format!(
        "{t}\nAmounts in {}; time counts on the UTC day its entry starts, money on the day it moved.",
        cur.code()
    ))?;
    Ok(())
}

fn by_name(b: ByWhat) -> &'static str {
    match b {
        ByWhat::Week => "week",
        ByWhat::Month => "month",
        ByWhat::Client => "client",
        ByWhat::Contract => "contract",
    }
}

fn by_title(b: ByWhat) -> &'static str {
    match b {
        ByWhat::Week => "Week",
        ByWhat::Month => "Month",
        ByWhat::Client => "Client",
        ByWhat::Contract => "Contract",
    }
}
