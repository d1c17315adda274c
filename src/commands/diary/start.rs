//! `diary start`: a running timer (tracked time).

use super::{all_weeks, others, report_entry, week_or_empty};
use crate::commands::{Ctx, parse_id};
use crate::core::diary;
use crate::core::week::Week;
use crate::store::Access;
use anyhow::Result;

/// Runs `diary start`.
pub fn run(ctx: &Ctx, id: &str, memo: String) -> Result<()> {
    let id = parse_id(id)?;
    let store = ctx.open(Access::Write)?;
    // Timers change nothing the diary's rules read (pay, refunds, feedback):
    // the contract as stored (the JSON report applies them).
    let c = store.contract(&id)?.value;
    let week = Week::of(ctx.now);
    let (doc, wf) = week_or_empty(&store, &c, week)?;
    let others = others(&store, &c, week, ctx.now)?;
    let role = ctx.role(&store.settings);
    crate::commands::check_party(&store, &c, role)?;
    let (new, e) = diary::start(&c, role, &wf, &others, memo, ctx.now)?;
    // A timer left running past its week's close ends there now: written
    // first, so a crash leaves it ended and no new timer (valid).
    let old = all_weeks(&store, &c, ctx.now)?;
    let stale = diary::close_stale(&c, old.iter().map(|d| &d.value), ctx.now);
    if !ctx.dry_run {
        for s in &stale {
            let doc = old.iter().find(|d| d.value.week == s.week);
            store.save_week(doc, s, &c)?;
        }
        store.save_week(doc.as_ref(), &new, &c)?;
    }
    report_entry(ctx, &store, &c, "started", &e, None)
}
