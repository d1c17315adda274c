//! `feedback give ID --stars N`: one party's feedback, once, within the window.

use crate::cli::FeedbackGiveArgs;
use crate::commands::{Ctx, mutate};
use crate::core::feedback::{self, GiveRequest};
use crate::core::model::{FeedbackStatus, Scores};
use crate::core::week::utc_words;
use anyhow::Result;

/// The request of `feedback give` (and of `end --stars`).
pub fn request(a: &FeedbackGiveArgs) -> GiveRequest {
    GiveRequest {
        stars: a.stars,
        scores: Scores {
            skills: a.skills,
            quality: a.quality,
            availability: a.availability,
            deadlines: a.deadlines,
            communication: a.communication,
            cooperation: a.cooperation,
        },
        comment: a.comment.clone(),
        private: a.private.clone(),
    }
}

/// Runs `feedback give`.
pub fn run(ctx: &Ctx, a: FeedbackGiveArgs) -> Result<()> {
    let req = request(&a);
    let mut note = None;
    mutate(
        ctx,
        &a.id,
        |store, c, role| {
            let o = feedback::give(c, role, &req, &store.settings, ctx.now)?;
            note = Some(visibility_note(&o.contract, role));
            Ok(o)
        },
        |_, _, _| Ok(()),
    )?;
    if let Some(n) = note.filter(|_| !ctx.out.json) {
        ctx.out.note(&n);
    }
    Ok(())
}

/// What the author's feedback looks like to the other party now.
pub fn visibility_note(c: &crate::core::Contract, author: crate::core::Role) -> String {
    let other = author.other();
    let v = feedback::view(c, author, other);
    match v.status {
        FeedbackStatus::Revealed => format!(
            "both parties have given feedback on {}: both are now visible to both (your private note stays yours)",
            c.id
        ),
        _ => format!(
            "your feedback on {} stays hidden from {} ({other}) until they give theirs or the window closes on {}; your private note is never shown to them",
            c.id,
            c.party(other),
            v.window_closes.map(utc_words).unwrap_or_default()
        ),
    }
}
