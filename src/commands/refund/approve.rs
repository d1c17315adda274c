//! `refund approve`.

use crate::commands::{Ctx, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `refund approve`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| crate::commands::apply(ctx, store, c, role, &Request::RefundApprove, &[]),
        |_, _, _| Ok(()),
    )
}
