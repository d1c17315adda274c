//! `refund resolve`: records mediation's split of an escalated dispute.

use crate::commands::{Ctx, money_arg, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `refund resolve`.
pub fn run(ctx: &Ctx, id: &str, client: &str, freelancer: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| {
            let cp = money_arg(&store.settings, "--client", client)?;
            let fp = money_arg(&store.settings, "--freelancer", freelancer)?;
            crate::commands::apply(
                ctx,
                store,
                c,
                role,
                &Request::RefundResolve {
                    client: cp,
                    freelancer: fp,
                },
                &[],
            )
        },
        |_, _, _| Ok(()),
    )
}
