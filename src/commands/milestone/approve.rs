//! `milestone approve`: the client releases all or part of a milestone.

use crate::commands::{Ctx, money_arg, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `milestone approve`.
pub fn run(ctx: &Ctx, id: &str, n: Option<u32>, amount: Option<&str>) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| {
            let amount = amount
                .map(|a| money_arg(&store.settings, "--amount", a))
                .transpose()?;
            let request = Request::MilestoneApprove {
                milestone: n,
                amount,
            };
            crate::commands::apply(ctx, store, c, role, &request, &[])
        },
        |_, _, _| Ok(()),
    )
}
