//! `refund list [--due]`: open refunds and disputes with their deadlines;
//! `--due`: what `sweep` would settle now.

use crate::commands::Ctx;
use crate::core::model::{Contract, RefundStatus};
use crate::core::timers::{self, TimerKind};
use crate::render::{table, utc, utc_words};
use crate::store::Access;
use anyhow::Result;
use serde_json::{Value, json};

/// Runs `refund list`.
pub fn run(ctx: &Ctx, due: bool) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    let s = &store.settings;
    let cur = s.currency;
    let mut rows: Vec<Value> = Vec::new();
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
            let r = &c.refunds[i];
            rows.push(json!({
                "contract": c.id.as_str(),
                "number": i + 1,
                "milestone": r.milestone,
                "amount": cur.format(r.amount),
                "status": r.status.as_str(),
                "requested_at": utc(r.requested_at),
                "deadline": utc(t.at),
                "then": timers::describe(&c, &t, s),
            }));
        }
        if !due {
            for (i, r) in c.refunds.iter().enumerate() {
                if r.status == RefundStatus::Escalated {
                    rows.push(json!({
                        "contract": c.id.as_str(),
                        "number": i + 1,
                        "milestone": r.milestone,
                        "amount": cur.format(r.amount),
                        "status": r.status.as_str(),
                        "requested_at": utc(r.requested_at),
                        "deadline": null,
                        "then": "in mediation: `contracts refund resolve` records the outcome",
                    }));
                }
            }
        }
    }
    if ctx.out.json {
        ctx.out.print_json(&Value::Array(rows))?;
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
    let mut t = table::new(
        &[
            "Contract",
            "#",
            "Amount",
            "Status",
            "Deadline",
            "What happens then",
        ],
        ctx.out.color,
    );
    for r in &rows {
        let deadline = r["deadline"]
            .as_str()
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .map(|d| utc_words(d.with_timezone(&chrono::Utc)))
            .unwrap_or_else(|| "-".into());
        t.add_row(vec![
            table::text(r["contract"].as_str().unwrap_or("")),
            table::num(r["number"].to_string()),
            table::num(r["amount"].as_str().unwrap_or("").to_string()),
            table::status(r["status"].as_str().unwrap_or(""), ctx.out.color),
            table::text(&deadline),
            table::text(r["then"].as_str().unwrap_or("")),
        ]);
    }
    ctx.out.print(&format!("{t}\nAmounts in {}.", cur.code()))?;
    Ok(())
}
