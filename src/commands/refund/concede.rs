//! `refund concede`.

use crate::commands::{Ctx, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `refund concede`.
pub fn run(ctx: &Ctx, id: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| crate::commands::apply(ctx, store, c, role, &Request::RefundConcede, &[]),
        |_, _, _| Ok(()),
    )
}
