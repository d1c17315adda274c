//! `milestone request-changes`.

use crate::commands::{Ctx, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `milestone request-changes`.
pub fn run(ctx: &Ctx, id: &str, n: Option<u32>) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| {
            let request = Request::RequestChanges { milestone: n };
            crate::commands::apply(ctx, store, c, role, &request, &[])
        },
        |_, _, _| Ok(()),
    )
}
