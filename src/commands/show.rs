//! `show ID`: one contract in detail.

use super::{Ctx, advanced, parse_id, this_week, unpaid_money};
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
    let (invoiced, disputed) = unpaid_money(&store, &c, ctx.now)?;
    let v = ctx.viewer(s);
    if ctx.out.json {
        ctx.out.print_json(&json::contract(&c, &v, week))?;
        return Ok(());
    }
    ctx.out.print(&views::contract(
        &c,
        &v,
        week,
        (invoiced, disputed),
        &ctx.out,
    ))?;
    Ok(())
}
