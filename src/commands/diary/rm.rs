//! `diary rm ENTRY`: delete an entry.

use super::{others, report_entry};
use crate::commands::Ctx;
use crate::core::RuleError;
use crate::core::diary::{self, parse_entry_ref};
use crate::error::usage;
use crate::store::Access;
use anyhow::Result;

/// Runs `diary rm`.
pub fn run(ctx: &Ctx, entry: &str) -> Result<()> {
    let (id, week, local) = parse_entry_ref(entry).map_err(usage)?;
    let store = ctx.open(Access::Write)?;
    // Timers change nothing the diary's rules read (pay, refunds, feedback):
    // the contract as stored (the JSON report applies them).
    let c = store.contract(&id)?.value;
    let Some(doc) = store.week(week, &c)? else {
        return Err(
            RuleError::NotFound(format!("no entry {entry}: {id} has no time in {week}")).into(),
        );
    };
    let role = ctx.role(&store.settings);
    crate::commands::check_party(&store, &c, role)?;
    let others = others(&store, &c, week, ctx.now)?;
    let (new, e) = diary::remove(&c, role, &doc.value, &others, &local, ctx.now)?;
    if !ctx.dry_run {
        store.save_week(Some(&doc), &new, &c)?;
    }
    report_entry(ctx, &store, &c, "deleted", &e, None)
}
