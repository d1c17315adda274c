//! `resume ID`: the client resumes a paused hourly contract.

use super::{Ctx, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `resume`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| super::apply(ctx, store, c, role, &Request::Resume, &[]),
        |_, _, _| Ok(()),
    )
}
