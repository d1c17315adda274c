//! `diary dispute ID --week W`: the client disputes an invoiced week; the
//! freelancer accepts or declines; the client may withdraw.

use crate::cli::DiaryDisputeArgs;
use crate::commands::{Ctx, mutate};
use crate::core::apply::Request;
use crate::core::diary::DisputeAction;
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
            let weeks: Vec<_> = store.week(week, c)?.map(|d| d.value).into_iter().collect();
            let request = Request::WeekDispute { week, action };
            crate::commands::apply(ctx, store, c, role, &request, &weeks)
        },
        |_, _, _| Ok(()),
    )
}
