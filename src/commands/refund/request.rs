//! `refund request`: the client asks for escrow back.

use crate::commands::{Ctx, money_arg, mutate};
use crate::core::apply::Request;
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
            crate::commands::apply(ctx, store, c, role, &Request::RefundRequest { amount }, &[])
        },
        |_, _, _| Ok(()),
    )
}
