//! `milestone request-changes`.

use crate::commands::{Ctx, mutate};
use crate::core::escrow;
use anyhow::Result;

/// Runs `milestone request-changes`.
pub fn run(ctx: &Ctx, id: &str, n: Option<u32>) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| {
            Ok(escrow::request_changes(
                c,
                role,
                n,
                &store.settings,
                ctx.now,
            )?)
        },
        |_, _, _| Ok(()),
    )
}
