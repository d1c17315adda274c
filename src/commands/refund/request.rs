//! `refund request`: the client asks for escrow back.

use crate::commands::{Ctx, money_arg, mutate};
use crate::core::escrow;
use anyhow::Result;

/// Runs `refund request`.
pub fn run(ctx: &Ctx, id: &str, amount: Option<&str>) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| {
            let amount = amount
                .map(|a| money_arg(&store.settings, "--amount", a))
                .transpose()?;
            Ok(escrow::request(c, role, amount, &store.settings, ctx.now)?)
        },
        |_, _, _| Ok(()),
    )
}
