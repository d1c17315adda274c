//! `refund ...`: one file per verb.

pub mod approve;
pub mod concede;
pub mod dispute;
pub mod escalate;
pub mod give;
pub mod list;
pub mod request;
pub mod resolve;

use super::Ctx;
use crate::cli::RefundCmd;
use anyhow::Result;

/// Dispatches `refund` subcommands.
pub fn run(ctx: &Ctx, cmd: RefundCmd) -> Result<()> {
    match cmd {
        RefundCmd::Request { id, amount } => request::run(ctx, &id, amount.as_deref()),
        RefundCmd::Approve { id } => approve::run(ctx, &id),
        RefundCmd::Dispute { id, note } => dispute::run(ctx, &id, note),
        RefundCmd::Concede { id } => concede::run(ctx, &id),
        RefundCmd::Escalate { id } => escalate::run(ctx, &id),
        RefundCmd::Resolve {
            id,
            client,
            freelancer,
        } => resolve::run(ctx, &id, &client, &freelancer),
        RefundCmd::Give { id, amount } => give::run(ctx, &id, &amount),
        RefundCmd::List { due } => list::run(ctx, due),
    }
}
