//! `pause ID`: the client pauses an hourly contract.

use super::{Ctx, mutate};
use crate::core::lifecycle;
use anyhow::Result;

/// Runs `pause`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| Ok(lifecycle::pause(c, role, &store.settings, ctx.now)?),
        |_, _, _| Ok(()),
    )
}
