//! `feedback ...`: one file per verb. What each role may see is decided by
//! `core::feedback::view` alone; these files only render its answer.

pub mod give;
pub mod reply;
pub mod show;
pub mod summary;

use super::Ctx;
use crate::cli::FeedbackCmd;
use anyhow::Result;

/// Dispatches `feedback` subcommands.
pub fn run(ctx: &Ctx, cmd: FeedbackCmd) -> Result<()> {
    match cmd {
        FeedbackCmd::Give(a) => give::run(ctx, a),
        FeedbackCmd::Show { id: Some(id) } => show::one(ctx, &id),
        FeedbackCmd::Show { id: None } => show::to_give(ctx),
        FeedbackCmd::Reply { id, text } => reply::run(ctx, &id, &text),
        FeedbackCmd::Summary { party } => summary::run(ctx, party.as_deref()),
    }
}
