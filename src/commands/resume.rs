//! `resume ID`: the client resumes a paused hourly contract.

use super::{Ctx, mutate};
use crate::core::lifecycle;
use anyhow::Result;

/// Runs `resume`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| Ok(lifecycle::resume(c, role, &store.settings, ctx.now)?),
        |_, _, _| Ok(()),
    )
}
