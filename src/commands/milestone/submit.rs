//! `milestone submit`.

use crate::commands::{Ctx, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `milestone submit`.
pub fn run(ctx: &Ctx, id: &str, n: Option<u32>) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| {
            crate::commands::apply(
                ctx,
                store,
                c,
                role,
                &Request::MilestoneSubmit { milestone: n },
                &[],
            )
        },
        |_, _, _| Ok(()),
    )
}
