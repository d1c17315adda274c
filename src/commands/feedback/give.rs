//! `feedback give ID --stars N`: one party's feedback, once, within the window.

use crate::cli::FeedbackGiveArgs;
use crate::commands::{Ctx, mutate};
use crate::core::apply::Request;
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
        commitment: None,
    }
}

/// Feedback kept in its author's clone until it is published (a shared
/// ledger): the content, the private note and the salt of the commitment.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Kept {
    /// The contract.
    pub contract: String,
    /// The author's role.
    pub role: String,
    /// Stars.
    pub stars: u8,
    /// Scores.
    pub scores: Scores,
    /// The public comment.
    pub comment: Option<String>,
    /// The private note: never published.
    pub private: Option<String>,
    /// The commitment's salt.
    pub salt: String,
}

impl Kept {
    /// The published part, as feedback.
    pub fn content(&self) -> crate::core::model::Feedback {
        crate::core::model::Feedback {
            stars: Some(self.stars),
            scores: self.scores.clone(),
            comment: self.comment.clone(),
            salt: Some(self.salt.clone()),
            ..crate::core::model::Feedback::pending()
        }
    }
}

/// In a shared ledger, what the request records is a commitment: the
/// content, the private note and the salt stay in this clone, outside git
/// (`.git/contracts/`), until both parties have given feedback or the
/// window closed; `sync` publishes the content then. Elsewhere (or in a
/// dry run), `req`.
pub fn committed(
    ctx: &Ctx,
    store: &crate::store::Store,
    c: &crate::core::Contract,
    role: crate::core::Role,
    mut req: GiveRequest,
) -> Result<GiveRequest> {
    if !store.is_git() || ctx.dry_run {
        return Ok(req);
    }
    // The content is checked by the rules before it is put aside.
    crate::commands::apply(
        ctx,
        store,
        c,
        role,
        &Request::FeedbackGive(req.clone()),
        &[],
    )?;
    let blank = |s: &Option<String>| s.clone().filter(|t| !t.trim().is_empty());
    let salt = format!(
        "{}{}",
        crate::commands::operation_id(),
        crate::commands::operation_id()
    );
    let comment = blank(&req.comment);
    let kept = Kept {
        contract: c.id.to_string(),
        role: role.as_str().to_string(),
        stars: req.stars,
        scores: req.scores.clone(),
        comment: comment.clone(),
        private: blank(&req.private),
        salt: salt.clone(),
    };
    req.commitment = Some(feedback::commitment_of(
        &salt,
        req.stars,
        &req.scores,
        comment.as_deref(),
    ));
    let text = serde_json::to_string_pretty(&kept)?;
    store.keep_private(&format!("feedback-{}-{role}.json", c.id), &text)?;
    Ok(req)
}

/// Runs `feedback give`.
pub fn run(ctx: &Ctx, a: FeedbackGiveArgs) -> Result<()> {
    let req = request(&a);
    let mut note = None;
    mutate(
        ctx,
        &a.id,
        |store, c, role| {
            let req = committed(ctx, store, c, role, req.clone())?;
            let o = crate::commands::apply(ctx, store, c, role, &Request::FeedbackGive(req), &[])?;
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
