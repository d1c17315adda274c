//! `diary log`: a finished interval of manual time.

use super::{others, parse_duration, report_entry, time_arg, week_or_empty};
use crate::cli::DiaryLogArgs;
use crate::commands::{Ctx, parse_id};
use crate::core::diary::{self, LogRequest};
use crate::core::week::Week;
use crate::error::usage;
use crate::store::Access;
use anyhow::Result;

/// Runs `diary log`.
pub fn run(ctx: &Ctx, a: DiaryLogArgs) -> Result<()> {
    let id = parse_id(&a.id)?;
    let start = time_arg(ctx, "--from", &a.from)?;
    let end = match (&a.to, &a.duration) {
        (Some(to), _) => time_arg(ctx, "--to", to)?,
        (None, Some(d)) => {
            start
                + chrono::Duration::minutes(
                    parse_duration(d).map_err(|m| usage(format!("--duration: {m}")))?,
                )
        }
        (None, None) => return Err(usage("give --to TIME or --duration 1h30m")),
    };
    let store = ctx.open(Access::Write)?;
    // Timers change nothing the diary's rules read (pay, refunds, feedback):
    // the contract as stored (the JSON report applies them).
    let c = store.contract(&id)?.value;
    let week = Week::of(start);
    let (doc, wf) = week_or_empty(&store, &c, week)?;
    let others = others(&store, &c, week, ctx.now)?;
    let role = ctx.role(&store.settings);
    crate::commands::check_party(&store, &c, role)?;
    let req = LogRequest {
        start,
        end,
        memo: a.memo,
    };
    let (new, e) = diary::log(&c, role, &wf, &others, req, ctx.now)?;
    if !ctx.dry_run {
        store.save_week(doc.as_ref(), &new, &c)?;
    }
    report_entry(ctx, &store, &c, "logged", &e, None)
}
