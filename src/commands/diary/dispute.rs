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
                DisputeAction::Accept
            } else if a.decline {
                DisputeAction::Decline
            } else {
                DisputeAction::Withdraw
            };
            let wf = store.week(week, c)?.map(|d| d.value);
            Ok(diary::dispute(
                c,
                role,
                week,
                action,
                wf.as_ref(),
                &store.settings,
                ctx.now,
            )?)
        },
        |_, _, _| Ok(()),
    )
}
