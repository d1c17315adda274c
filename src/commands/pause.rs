//! `pause ID`: the client pauses an hourly contract.

use super::{Ctx, mutate};
use crate::core::lifecycle;
use anyhow::Result;

/// Runs `pause`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |c, role, s, now| Ok(lifecycle::pause(c, role, s, now)?),
        |_, _, _| Ok(()),
    )
}
