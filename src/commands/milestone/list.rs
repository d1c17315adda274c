//! `milestone list ID`: a contract's milestones.

use crate::commands::{Ctx, parse_id};
use crate::core::lifecycle::{milestone_escrow, milestone_held};
use crate::core::timers::MILESTONE_AUTO_RELEASE_DAYS;
use crate::core::{Kind, MilestoneStatus, RuleError};
use crate::render::{json, views};
use crate::store::Access;
use anyhow::Result;

/// Runs `milestone list`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    let id = parse_id(id)?;
    let store = ctx.open(Access::Read)?;
    let s = &store.settings;
    let c = crate::commands::advanced(&store, store.contract(&id)?.value, ctx.now)?.contract;
    if c.kind() != Kind::Fixed {
        return Err(RuleError::Refused(format!("{id} is hourly: it has no milestones")).into());
    }
    let rows: Vec<_> = c
        .milestones
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let n = i as u32 + 1;
            let auto = (m.status == MilestoneStatus::Submitted)
                .then(|| {
                    m.submitted_at
                        .map(|t| t + chrono::Duration::days(MILESTONE_AUTO_RELEASE_DAYS))
                })
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
