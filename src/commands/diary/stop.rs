//! `diary stop`: ends the running timer.

use super::{report_entry, running_week};
use crate::commands::{Ctx, parse_id};
use crate::core::diary;
use crate::core::{RuleError, timers};
use crate::store::Access;
use anyhow::Result;

/// Runs `diary stop`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    let id = parse_id(id)?;
    let store = ctx.open(Access::Write)?;
    let c = timers::advance(&store.contract(&id)?.value, &store.settings, ctx.now).contract;
    let Some((doc, _)) = running_week(&store, &c, ctx.now)? else {
        return Err(RuleError::Refused(format!(
            "no timer is running on {} (`contracts diary start {}` starts one)",
            c.id, c.id
        ))
        .into());
    };
    let role = ctx.role(&store.settings);
    let (new, e, note) = diary::stop(&c, role, &doc.value, ctx.now)?;
    if !ctx.dry_run {
        store.save_week(Some(&doc), &new, &c)?;
    }
    let verb = if e.end.is_some() && new.entries.contains(&e) {
        "stopped"
    } else {
        "discarded"
    };
    report_entry(ctx, &store, &c, verb, &e, note)
}
