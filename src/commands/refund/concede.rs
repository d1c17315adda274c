//! `refund concede`.

use crate::commands::{Ctx, mutate};
use crate::core::escrow;
use anyhow::Result;

/// Runs `refund concede`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| Ok(escrow::concede(c, role, &store.settings, ctx.now)?),
        |_, _, _| Ok(()),
    )
}
