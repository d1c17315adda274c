//! `limit ID HOURS|none`: the client changes the weekly limit.

use super::new::parse_limit;
use super::{Ctx, mutate};
use crate::core::diary;
use anyhow::Result;

/// Runs `limit`.
pub fn run(ctx: &Ctx, id: &str, hours: &str) -> Result<()> {
    let hours = parse_limit(hours)?;
    mutate(
        ctx,
        id,
        |store, c, role| Ok(diary::set_limit(c, role, hours, &store.settings, ctx.now)?),
        |_, _, _| Ok(()),
    )
}
