//! `refund dispute`: the freelancer disputes the open request.

use crate::commands::{Ctx, mutate};
use crate::core::escrow;
use anyhow::Result;

/// Runs `refund dispute`.
pub fn run(ctx: &Ctx, id: &str, note: Option<String>) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| Ok(escrow::dispute(c, role, note, &store.settings, ctx.now)?),
        |_, _, _| Ok(()),
    )
}
