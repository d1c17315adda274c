//! `refund escalate`.

use crate::commands::{Ctx, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `refund escalate`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| crate::commands::apply(ctx, store, c, role, &Request::RefundEscalate, &[]),
        |_, _, _| Ok(()),
    )
}
