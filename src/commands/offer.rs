//! `accept ID` and `decline ID`: the freelancer answers an offer (a
//! contract made by `new` in a shared ledger).

use super::{Ctx, mutate};
use crate::core::lifecycle;
use anyhow::Result;

/// Runs `accept`.
pub fn accept(ctx: &Ctx, id: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| Ok(lifecycle::accept(c, role, &store.settings, ctx.now)?),
        |_, _, _| Ok(()),
    )
}

/// Runs `decline`.
pub fn decline(ctx: &Ctx, id: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| Ok(lifecycle::decline(c, role, &store.settings, ctx.now)?),
        |_, _, _| Ok(()),
    )
}
