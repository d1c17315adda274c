//! `feedback reply ID --text T`: the recipient answers revealed feedback, once.

use crate::commands::{Ctx, mutate};
use crate::core::feedback;
use anyhow::Result;

/// Runs `feedback reply`.
pub fn run(ctx: &Ctx, id: &str, text: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| Ok(feedback::reply(c, role, text, &store.settings, ctx.now)?),
        |_, _, _| Ok(()),
    )
}
