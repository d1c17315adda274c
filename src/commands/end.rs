//! `end ID`: end a contract (final).

use super::{Ctx, mutate, this_week};
use crate::cli::{EndArgs, ReasonArg};
use crate::core::apply::Request;
use crate::core::feedback::GiveRequest;
use crate::core::lifecycle::{EndRequest, Pay};
use crate::core::{EndReason, Outcome};
use crate::error::{ErrorKind, UserError, usage};
use crate::render::text::duration;
use anyhow::Result;
use std::io::{BufRead, Write};

/// Reads `--pay full|none|AMOUNT`.
fn parse_pay(s: &str, cur: &crate::core::Currency) -> Result<Pay> {
    match s {
        "full" => Ok(Pay::Full),
        "none" => Ok(Pay::None),
        amount => cur
            .parse(amount)
            .map(Pay::Amount)
            .map_err(|e| usage(format!("--pay: expected full, none or an amount: {e}"))),
    }
}

/// Runs `end`.
pub fn run(ctx: &Ctx, a: EndArgs) -> Result<()> {
    let reason = match a.reason {
        ReasonArg::Completed => EndReason::Completed,
        ReasonArg::Unresponsive => EndReason::Unresponsive,
        ReasonArg::Unsuccessful => EndReason::Unsuccessful,
        ReasonArg::Other => EndReason::Other,
    };
    mutate(
        ctx,
        &a.id,
        |store, c, role| {
            let (settings, _now) = (&store.settings, ctx.now);
            let pay = a
                .pay
                .as_deref()
                .map(|p| parse_pay(p, &settings.currency))
                .transpose()?;
            let req = EndRequest {
                reason,
                note: a.note.clone(),
                pay,
            };
            let ended = super::apply(ctx, store, c, role, &Request::End(req), &[])?;
            let Some(stars) = a.stars else {
                return Ok(ended);
            };
            // Feedback in the same command and the same write.
            let fb = GiveRequest {
                stars,
                comment: a.comment.clone(),
                private: a.private.clone(),
                ..GiveRequest::default()
            };
            let fb = super::feedback::give::committed(ctx, store, &ended.contract, role, fb)?;
            let given = super::apply(
                ctx,
                store,
                &ended.contract,
                role,
                &Request::FeedbackGive(fb),
                &[],
            )?;
            let mut events = ended.events;
            events.extend(given.events);
            Ok(Outcome {
                contract: given.contract,
                events,
            })
        },
        |store, doc, outcome| {
            if ctx.yes || ctx.dry_run || !ctx.interactive {
                return Ok(());
            }
            let c = &outcome.contract;
            let mut warn = String::new();
            if let Some(w) = this_week(store, &doc.value, ctx.now)?
                && w.seconds > 0
            {
                warn = format!(
                    "\n{} has {} logged in {} (the current week): after ending, the freelancer can no longer adjust it; it is billed on the normal cycle.",
                    c.id,
                    duration(w.seconds),
                    w.week
                );
            }
            let summary: Vec<String> = outcome
                .events
                .iter()
                .filter(|e| e.at == ctx.now)
                .map(|e| {
                    let detail = crate::core::history::detail(c, e, &store.settings.currency);
                    format!("  {}: {}", e.kind(), crate::render::text::clean(&detail))
                })
                .collect();
            eprint!(
                "End {} \"{}\"? This is final.\n{}{warn}\nEnd it? [y/N] ",
                c.id,
                crate::render::text::clean(&c.title),
                summary.join("\n")
            );
            let _ = std::io::stderr().flush();
            let mut answer = String::new();
            std::io::stdin().lock().read_line(&mut answer)?;
            if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
                Ok(())
            } else {
                Err(UserError {
                    kind: ErrorKind::Failure,
                    message: format!("not ended: {} is unchanged", c.id),
                }
                .into())
            }
        },
    )
}
