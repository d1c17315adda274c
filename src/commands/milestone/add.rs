//! `milestone add`: the client adds (and maybe funds) a milestone.

use crate::commands::{Ctx, money_arg, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `milestone add`.
pub fn run(ctx: &Ctx, id: &str, title: String, amount: &str, fund: bool) -> Result<()> {
    crate::commands::text_arg("--title", &title, crate::core::validate::title_problem)?;
    mutate(
        ctx,
        id,
        |store, c, role| {
            let amount = money_arg(&store.settings, "--amount", amount)?;
            let request = Request::MilestoneAdd {
                title,
                amount,
                fund,
            };
            crate::commands::apply(ctx, store, c, role, &request, &[])
        },
        |_, _, _| Ok(()),
    )
}
