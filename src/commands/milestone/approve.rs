//! `milestone approve`: the client releases all or part of a milestone.

use crate::commands::{Ctx, money_arg, mutate};
use crate::core::escrow;
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
            Ok(escrow::approve(
                c,
                role,
                n,
                amount,
                &store.settings,
                ctx.now,
            )?)
        },
        |_, _, _| Ok(()),
    )
}
