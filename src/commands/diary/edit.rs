//! `diary edit ENTRY`: change an entry's times or memo.

use super::{others, report_entry, time_arg};
use crate::commands::Ctx;
use crate::core::RuleError;
use crate::core::diary::{self, EditRequest, parse_entry_ref};
use crate::error::usage;
use crate::store::Access;
use anyhow::Result;

/// Runs `diary edit`.
pub fn run(
    ctx: &Ctx,
    entry: &str,
    from: Option<String>,
    to: Option<String>,
    memo: Option<String>,
) -> Result<()> {
    let (id, week, local) = parse_entry_ref(entry).map_err(usage)?;
    if from.is_none() && to.is_none() && memo.is_none() {
        return Err(usage("nothing to change: give --from, --to and/or --memo"));
    }
    let req = EditRequest {
        start: from.map(|s| time_arg(ctx, "--from", &s)).transpose()?,
        end: to.map(|s| time_arg(ctx, "--to", &s)).transpose()?,
        memo,
    };
    let store = ctx.open(Access::Write)?;
    // Timers change nothing the diary's rules read (pay, refunds, feedback):
    // the contract as stored (the JSON report applies them).
    let c = store.contract(&id)?.value;
    let Some(doc) = store.week(week, &c)? else {
        return Err(
            RuleError::NotFound(format!("no entry {entry}: {id} has no time in {week}")).into(),
        );
    };
    let others = others(&store, &c, week, ctx.now)?;
    let role = ctx.role(&store.settings);
    crate::commands::check_party(&store, &c, role)?;
    let (new, e) = diary::edit(&c, role, &doc.value, &others, &local, req, ctx.now)?;
    if !ctx.dry_run {
        store.save_week(Some(&doc), &new, &c)?;
    }
    report_entry(ctx, &store, &c, "edited", &e, None)
}
