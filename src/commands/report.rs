//! `report [--by week|month|client|contract] [--from DATE] [--to DATE]`:
//! hours and money per row, with totals and a bar column.

use super::Ctx;
use super::export::{diary, in_period, load};
use crate::cli::{ByWhat, ExportArgs, ReportArgs};
use crate::core::model::Instant;
use crate::core::report::{self, By};
use crate::render::{json, views};
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
    let within = |t: Instant| super::export::within(period, t);
    let by = match a.by {
        ByWhat::Week => By::Week,
        ByWhat::Month => By::Month,
        ByWhat::Client => By::Client,
        ByWhat::Contract => By::Contract,
    };
    let (rows, total) = report::rows(by, &weeks, &moves, &within, ctx.now);
    let s = &loaded.settings;
    if ctx.out.json {
        ctx.out
            .print_json(&json::report(by, loaded.role, period, &rows, &total, s))?;
        return Ok(());
    }
    if rows.is_empty() {
        ctx.out.print("nothing to report in that period")?;
        return Ok(());
    }
    ctx.out
        .print(&views::report(by, loaded.role, &rows, &total, s, &ctx.out))?;
    Ok(())
}
