//! `feedback reply ID --text T`: the recipient answers revealed feedback, once.

use crate::commands::{Ctx, mutate};
use crate::core::apply::Request;
use anyhow::Result;

/// Runs `feedback reply`.
pub fn run(ctx: &Ctx, id: &str, text: &str) -> Result<()> {
    mutate(
        ctx,
        id,
        |store, c, role| {
            crate::commands::apply(
                ctx,
                store,
                c,
                role,
                &Request::FeedbackReply {
                    text: text.to_string(),
                },
                &[],
            )
        },
        |_, _, _| Ok(()),
    )
}
