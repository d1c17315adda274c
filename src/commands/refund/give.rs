//! `refund give`: the freelancer gives back released money.

use crate::commands::{Ctx, hourly_billing, money_arg, mutate};
use crate::core::escrow;
use crate::core::week::Week;
use anyhow::Result;

/// Runs `refund give`.
pub fn run(ctx: &Ctx, id: &str, amount: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| {
            let amount = money_arg(&store.settings, "--amount", amount)?;
            // Hourly money was released week by week: the weeks settled in
            // the window.
            let since = ctx.now - chrono::Duration::days(escrow::GIVE_WINDOW_DAYS);
            let first = Week::first_settling_after(since);
            let weekly = hourly_billing(store, c, first, ctx.now)?.paid;
            Ok(escrow::give(
                c,
                role,
                amount,
                &weekly,
                &store.settings,
                ctx.now,
            )?)
        },
        |_, _, _| Ok(()),
    )
}
