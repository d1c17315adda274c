//! `refund list [--due]`: open refunds and disputes with their deadlines;
//! `--due`: what `sweep` would settle now.

use crate::commands::Ctx;
use crate::core::model::{Contract, Instant, RefundStatus};
use crate::core::timers::{self, TimerKind};
use crate::render::json::RefundRowJson;
use crate::render::{utc, views};
use crate::store::Access;
use anyhow::Result;

/// Runs `refund list`.
pub fn run(ctx: &Ctx, due: bool) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    let s = &store.settings;
    let cur = s.currency;
    let mut rows: Vec<RefundRowJson> = Vec::new();
    // The deadlines as instants, for the table.
    let mut deadlines = Vec::new();
    // Refund `i` of `c`: its answer's deadline, if any, and what happens then.
    let row = |c: &Contract, i: usize, deadline: Option<Instant>, then: String| {
        let r = &c.refunds[i];
        RefundRowJson {
            contract: c.id.to_string(),
            number: i + 1,
            milestone: r.milestone,
            amount: cur.format(r.amount),
            status: r.status.as_str(),
            requested_at: utc(r.requested_at),
            deadline: deadline.map(utc),
            then,
        }
    };
    for doc in store.contracts_without_history()? {
        // --due looks at the stored state: the timers that have fallen due.
        let c: Contract = if due {
            doc.value
        } else {
            crate::commands::advanced(&store, doc.value, ctx.now)?.contract
        };
        for t in timers::pending(&c) {
            let i = match t.kind {
                TimerKind::RefundAutoApprove(i) | TimerKind::DisputeDefault(i) => i,
                _ => continue,
            };
            if due && t.at > ctx.now {
                continue;
            }
            deadlines.push(Some(t.at));
            rows.push(row(&c, i, Some(t.at), timers::describe(&c, &t, s)));
        }
        if !due {
            for (i, r) in c.refunds.iter().enumerate() {
                if r.status == RefundStatus::Escalated {
                    deadlines.push(None);
                    rows.push(row(
                        &c,
                        i,
                        None,
                        "in mediation: `contracts refund resolve` records the outcome".into(),
                    ));
                }
            }
        }
    }
    if ctx.out.json {
        ctx.out.print_json(&rows)?;
        return Ok(());
    }
    if rows.is_empty() {
        ctx.out.print(if due {
            "no refund deadline has passed"
        } else {
            "no open refunds"
        })?;
        return Ok(());
    }
    ctx.out
        .print(&views::refunds(&rows, &deadlines, s, &ctx.out))?;
    Ok(())
}
