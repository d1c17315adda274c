//! `milestone list ID`: a contract's milestones.

use crate::commands::{Ctx, parse_id};
use crate::core::MilestoneStatus;
use crate::core::lifecycle::{milestone_escrow, milestone_held};
use crate::core::timers::auto_release_at;
use crate::render::{json, views};
use crate::store::Access;
use anyhow::Result;

/// Runs `milestone list`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    let id = parse_id(id)?;
    let store = ctx.open(Access::Read)?;
    let s = &store.settings;
    let c = crate::commands::advanced(&store, store.contract(&id)?.value, ctx.now)?.contract;
    crate::core::escrow::fixed_only(&c, crate::core::escrow::FixedOnly::Milestones)?;
    let rows: Vec<_> = c
        .milestones
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let n = i as u32 + 1;
            let auto = (m.status == MilestoneStatus::Submitted)
                .then(|| m.submitted_at.map(auto_release_at))
                .flatten();
            (n, m, milestone_escrow(&c, n), milestone_held(&c, n), auto)
        })
        .collect();
    if ctx.out.json {
        ctx.out
            .print_json(&json::milestones(id.as_str(), &rows, s))?;
        return Ok(());
    }
    ctx.out.print(&views::milestones(&rows, s, &ctx.out))?;
    Ok(())
}
