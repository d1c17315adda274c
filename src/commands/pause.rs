//! `pause ID`: the client pauses an hourly contract.

use super::{Ctx, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `pause`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| super::apply(ctx, store, c, role, &Request::Pause, &[]),
        |_, _, _| Ok(()),
    )
}
