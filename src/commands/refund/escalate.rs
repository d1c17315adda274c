//! `refund escalate`.

use crate::commands::{Ctx, mutate};
use crate::core::escrow;
use anyhow::Result;

/// Runs `refund escalate`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| Ok(escrow::escalate(c, role, &store.settings, ctx.now)?),
        |_, _, _| Ok(()),
    )
}
