//! `refund dispute`: the freelancer disputes the open request.

use crate::commands::{Ctx, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `refund dispute`.
pub fn run(ctx: &Ctx, id: &str, note: Option<String>) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| {
            crate::commands::apply(ctx, store, c, role, &Request::RefundDispute { note }, &[])
        },
        |_, _, _| Ok(()),
    )
}
