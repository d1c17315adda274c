//! `list`: every contract in a table (or a JSON array).

use super::{Ctx, advanced, this_week, this_week_empty};
use crate::core::diary::limit_for;
use crate::core::timers;
use crate::core::week::Week;
use crate::core::{Kind, Terms};
use crate::render::{json, table, text::duration, utc_words};
use crate::store::Access;
use anyhow::Result;

/// Runs `list`.
pub fn run(ctx: &Ctx) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    let s = &store.settings;
    let v = ctx.viewer(s);
    let cur = s.currency;
    let mut rows = Vec::new();
    // One directory listing says which contracts have time this week.
    let this = Week::of(ctx.now);
    let mut with_time: std::collections::HashSet<_> =
        store.week_contracts(this)?.into_iter().collect();
    // A timer started last week may still run.
    with_time.extend(store.week_contracts(this.prev())?);
    for doc in store.contracts_without_history()? {
        // Timers apply in memory so no view is stale; only writers persist them.
        let c = advanced(&store, doc.value, ctx.now)?.contract;
        let week = if with_time.contains(&c.id) {
            this_week(&store, &c, ctx.now)?
        } else {
            this_week_empty(&c, ctx.now)
        };
        rows.push((c, week));
    }
    if ctx.out.json {
        let arr: Vec<_> = rows
            .iter()
            .map(|(c, w)| json::contract(c, &v, *w))
            .collect();
        ctx.out.print_json(&arr)?;
        return Ok(());
    }
    if rows.is_empty() {
        ctx.out
            .print("no contracts yet: `contracts new --help` shows how to create one")?;
        return Ok(());
    }
    let color = ctx.out.color;
    let mut t = table::new(
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
    for (c, w) in &rows {
        let tot = c.totals();
        let terms = match &c.terms {
            Terms::Hourly { rate, .. } => match limit_for(c, Week::of(ctx.now)) {
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
        t.add_row(vec![
            table::text(c.id.as_str()),
            table::text(&c.title),
            table::text(&c.client),
            table::text(&c.freelancer),
            table::text(&terms),
            table::status(c.status.as_str(), color),
            table::num(cur.format(tot.escrow)),
            table::num(cur.format(tot.paid)),
            table::num(week),
            table::text(&next),
        ]);
    }
    ctx.out.print(&format!("{t}\nAmounts in {}.", cur.code()))?;
    Ok(())
}
