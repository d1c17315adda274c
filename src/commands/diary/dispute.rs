//! `diary dispute ID --week W`: the client disputes an invoiced week; the
//! freelancer accepts or declines; the client may withdraw.

use crate::cli::DiaryDisputeArgs;
use crate::commands::{Ctx, mutate};
use crate::core::diary::{self, DisputeAction};
use crate::core::week::Week;
use crate::error::usage;
use anyhow::Result;

/// Runs `diary dispute`.
pub fn run(ctx: &Ctx, a: DiaryDisputeArgs) -> Result<()> {
    let week: Week = a.week.parse().map_err(|m| usage(format!("--week: {m}")))?;
    mutate(
        ctx,
        &a.id,
        |store, c, role| {
            let action = if let Some(r) = &a.reason {
                DisputeAction::Open(r.clone())
            } else if a.accept {
                // What is refunded is the week's amount as billed.
                let amount = match store.week(week, c)? {
                    Some(d) => diary::bill(c, &d.value, &store.settings, ctx.now).amount,
                    None => crate::core::Money::ZERO,
                };
                DisputeAction::Accept(amount)
            } else if a.decline {
                DisputeAction::Decline
            } else {
                DisputeAction::Withdraw
            };
            Ok(diary::dispute(
                c,
                role,
                week,
                action,
                &store.settings,
                ctx.now,
            )?)
        },
        |_, _, _| Ok(()),
    )
}
