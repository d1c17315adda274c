//! `milestone add`: the client adds (and maybe funds) a milestone.

use crate::commands::{Ctx, money_arg, mutate};
use crate::core::escrow;
use anyhow::Result;

/// Runs `milestone add`.
pub fn run(ctx: &Ctx, id: &str, title: String, amount: &str, fund: bool) -> Result<()> {
    crate::commands::text_arg("--title", &title, crate::core::validate::title_problem)?;
    mutate(
        ctx,
        id,
        |store, c, role| {
            let amount = money_arg(&store.settings, "--amount", amount)?;
            Ok(escrow::add_milestone(
                c,
                role,
                title,
                amount,
                fund,
                &store.settings,
                ctx.now,
            )?)
        },
        |_, _, _| Ok(()),
    )
}
