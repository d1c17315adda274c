//! `feedback summary [--party NAME]`: average stars and category scores each
//! party received, over revealed feedback only (what a profile would show).

use crate::commands::Ctx;
use crate::core::RuleError;
use crate::core::feedback;
use crate::render::{json, text::clean, views};
use crate::store::Access;
use anyhow::Result;

/// Runs `feedback summary`.
pub fn run(ctx: &Ctx, party: Option<&str>) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    let s = &store.settings;
    let me = ctx.role(s);
    let contracts = store
        .contracts_without_history()?
        .into_iter()
        .map(|doc| Ok(crate::commands::advanced(&store, doc.value, ctx.now)?.contract))
        .collect::<Result<Vec<_>>>()?;
    let (by, named) = feedback::received(&contracts, party, me);
    if let Some(p) = party
        && !named
    {
        return Err(RuleError::NotFound(format!(
            "no contract names a party `{}`: `contracts list` shows the clients and freelancers",
            clean(p)
        ))
        .into());
    }
    if ctx.out.json {
        ctx.out.print_json(&json::summary(&by))?;
        return Ok(());
    }
    ctx.out
        .print(&views::feedback_summary(&by, party, &ctx.out))?;
    Ok(())
}
