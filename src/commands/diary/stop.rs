//! `diary stop`: ends the running timer.

use super::{others, report_entry, running_week};
use crate::commands::{Ctx, parse_id};
use crate::core::diary;
use crate::store::Access;
use anyhow::Result;

/// Runs `diary stop`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    let id = parse_id(id)?;
    let store = ctx.open(Access::Write)?;
    // Timers change nothing the diary's rules read (pay, refunds, feedback):
    // the contract as stored (the JSON report applies them).
    let c = store.contract(&id)?.value;
    let Some((doc, week)) = running_week(&store, &c, ctx.now)? else {
        return Err(diary::no_timer(&c).into());
    };
    let role = ctx.role(&store.settings);
    crate::commands::check_party(&store, &c, role)?;
    let others = others(&store, &c, week, ctx.now)?;
    let (new, e, note) = diary::stop(&c, role, &doc.value, &others, ctx.now)?;
    if !ctx.dry_run {
        store.save_week(Some(&doc), &new, &c)?;
    }
    report_entry(ctx, &store, &c, "stopped", &e, note)
}
