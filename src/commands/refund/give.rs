//! `refund give`: the freelancer gives back released money.

use crate::commands::{Ctx, money_arg, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `refund give`.
pub fn run(ctx: &Ctx, id: &str, amount: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| {
            let amount = money_arg(&store.settings, "--amount", amount)?;
            crate::commands::apply(ctx, store, c, role, &Request::RefundGive { amount }, &[])
        },
        |_, _, _| Ok(()),
    )
}
