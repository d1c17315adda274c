//! `milestone ...`: one file per verb.

pub mod add;
pub mod approve;
pub mod fund;
pub mod list;
pub mod request_changes;
pub mod submit;

use super::Ctx;
use crate::cli::MilestoneCmd;
use anyhow::Result;

/// Dispatches `milestone` subcommands.
pub fn run(ctx: &Ctx, cmd: MilestoneCmd) -> Result<()> {
    match cmd {
        MilestoneCmd::Add {
            id,
            title,
            amount,
            fund,
        } => add::run(ctx, &id, title, &amount, fund),
        MilestoneCmd::Fund { id, n } => fund::run(ctx, &id, n),
        MilestoneCmd::Submit { id, n } => submit::run(ctx, &id, n),
        MilestoneCmd::RequestChanges { id, n } => request_changes::run(ctx, &id, n),
        MilestoneCmd::Approve { id, n, amount } => approve::run(ctx, &id, n, amount.as_deref()),
        MilestoneCmd::List { id } => list::run(ctx, &id),
    }
}
