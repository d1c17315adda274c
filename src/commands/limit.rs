//! `limit ID HOURS|none`: the client changes the weekly limit.

use super::new::parse_limit;
use super::{Ctx, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `limit`.
pub fn run(ctx: &Ctx, id: &str, hours: &str) -> Result<()> {
    let hours = parse_limit(hours)?;
    mutate(
        ctx,
        id,
        |store, c, role| super::apply(ctx, store, c, role, &Request::Limit { hours }, &[]),
        |_, _, _| Ok(()),
    )
}
