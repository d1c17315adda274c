//! `milestone list ID`: a contract's milestones.

use crate::commands::{Ctx, parse_id};
use crate::core::lifecycle::{milestone_escrow, milestone_held};
use crate::core::timers::MILESTONE_AUTO_RELEASE_DAYS;
use crate::core::{Kind, MilestoneStatus, RuleError};
use crate::render::{table, utc, utc_words};
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
    let cur = s.currency;
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
        ctx.out.print_json(&crate::render::json::MilestonesJson {
            contract: id.as_str(),
            milestones: rows
                .iter()
                .map(
                    |(n, m, esc, held, auto)| crate::render::json::MilestoneRowJson {
                        number: *n,
                        title: &m.title,
                        amount: cur.format(m.amount),
                        status: m.status.as_str(),
                        funded: cur.format(m.funded),
                        escrow: cur.format(*esc),
                        held: cur.format(*held),
                        funded_at: m.funded_at.map(utc),
                        submitted_at: m.submitted_at.map(utc),
                        auto_release_at: auto.map(utc),
                    },
                )
                .collect(),
        })?;
        return Ok(());
    }
    let mut t = table::new(
        &[
            "#",
            "Milestone",
            "Amount",
            "Status",
            "In escrow",
            "Released automatically",
        ],
        ctx.out.color,
    );
    for (n, m, esc, _, auto) in &rows {
        t.add_row(vec![
            table::num(n.to_string()),
            table::text(&m.title),
            table::num(cur.format(m.amount)),
            table::status(m.status.as_str(), ctx.out.color),
            table::num(cur.format(*esc)),
            table::text(&auto.map(utc_words).unwrap_or_else(|| "-".into())),
        ]);
    }
    ctx.out.print(&format!("{t}\nAmounts in {}.", cur.code()))?;
    Ok(())
}
