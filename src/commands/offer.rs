//! `accept ID` and `decline ID`: the freelancer answers an offer (a
//! contract made by `new` in a shared ledger).

use super::{Ctx, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `accept`.
pub fn accept(ctx: &Ctx, id: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| super::apply(ctx, store, c, role, &Request::Accept, &[]),
        |_, _, _| Ok(()),
    )
}

/// Runs `decline`.
pub fn decline(ctx: &Ctx, id: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| super::apply(ctx, store, c, role, &Request::Decline, &[]),
        |_, _, _| Ok(()),
    )
}
