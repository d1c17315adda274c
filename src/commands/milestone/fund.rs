//! `milestone fund`.

use crate::commands::{Ctx, mutate};
use crate::core::escrow;
use anyhow::Result;

/// Runs `milestone fund`.
pub fn run(ctx: &Ctx, id: &str, n: Option<u32>) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| Ok(escrow::fund(c, role, n, &store.settings, ctx.now)?),
        |_, _, _| Ok(()),
    )
}
