//! `show ID`: one contract in detail.

use super::{Ctx, advanced, figures, parse_id, this_week};
use crate::render::{json, views};
use crate::store::Access;
use anyhow::Result;

/// Runs `show`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    let id = parse_id(id)?;
    let store = ctx.open(Access::Read)?;
    let s = &store.settings;
    let doc = store.contract(&id)?;
    let c = advanced(&store, doc.value, ctx.now)?.contract;
    let week = this_week(&store, &c, ctx.now)?;
    let v = ctx.viewer(s);
    // One view of the contract's money for the table and the JSON alike.
    let f = figures(&store, &c, v.role, ctx.now)?;
    if ctx.out.json {
        ctx.out.print_json(&json::contract_with(&c, &v, week, &f))?;
        return Ok(());
    }
    ctx.out
        .print(&views::contract(&c, &v, week, &f, &ctx.out))?;
    Ok(())
}
