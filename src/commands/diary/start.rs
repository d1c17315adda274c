//! `diary start`: a running timer (tracked time).

use super::{report_entry, running_week, week_or_empty};
use crate::commands::{Ctx, parse_id};
use crate::core::diary;
use crate::core::timers;
use crate::core::week::Week;
use crate::store::Access;
use anyhow::Result;

/// Runs `diary start`.
pub fn run(ctx: &Ctx, id: &str, memo: String) -> Result<()> {
    let id = parse_id(id)?;
    let store = ctx.open(Access::Write)?;
    let c = timers::advance(&store.contract(&id)?.value, &store.settings, ctx.now).contract;
    let week = Week::of(ctx.now);
    let (doc, wf) = week_or_empty(&store, &c, week)?;
    let others = match running_week(&store, &c, ctx.now)? {
        Some((d, w)) if w != week => d.value.entries,
        _ => Vec::new(),
    };
    let role = ctx.role(&store.settings);
    let (new, e) = diary::start(&c, role, &wf, &others, memo, ctx.now)?;
    if !ctx.dry_run {
        store.save_week(doc.as_ref(), &new, &c)?;
    }
    report_entry(ctx, &store, &c, "started", &e, None)
}
