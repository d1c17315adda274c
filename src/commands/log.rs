//! `log [ID]`: history, of one contract or all, oldest first.

use super::{Ctx, parse_id};
use crate::render::{json, views};
use crate::store::Access;
use anyhow::Result;

/// Runs `log`.
pub fn run(ctx: &Ctx, id: Option<&str>) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    let s = &store.settings;
    let docs = match id {
        Some(id) => vec![store.contract(&parse_id(id)?)?],
        None => store.contracts()?,
    };
    let contracts = docs
        .into_iter()
        .map(|d| Ok(crate::commands::advanced(&store, d.value, ctx.now)?.contract))
        .collect::<Result<Vec<_>>>()?;
    let mut events: Vec<_> = contracts
        .iter()
        .flat_map(|c| c.history.iter().map(move |e| (c, e)))
        .collect();
    // Stable: within one instant, the order of each contract's history holds.
    events.sort_by_key(|(_, e)| e.at);
    let v = ctx.viewer(s);
    if ctx.out.json {
        let arr: Vec<_> = events.iter().map(|(c, e)| json::event(c, e, &v)).collect();
        ctx.out.print_json(&arr)?;
        return Ok(());
    }
    if events.is_empty() {
        ctx.out.print("no history yet")?;
        return Ok(());
    }
    ctx.out
        .print(&views::history(&events, s, &ctx.out, ctx.now))?;
    Ok(())
}
