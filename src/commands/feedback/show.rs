//! `feedback show ID`: both directions of one contract's feedback, as the
//! acting role may see them; `feedback show`: what is still to give.

use crate::commands::{Ctx, parse_id};
use crate::core::feedback::{self, FeedbackView};
use crate::core::model::*;
use crate::render::{json, views};
use crate::store::Access;
use anyhow::Result;

/// Runs `feedback show ID`.
pub fn one(ctx: &Ctx, id: &str) -> Result<()> {
    let id = parse_id(id)?;
    let store = ctx.open(Access::Read)?;
    let s = &store.settings;
    let doc = store.contract(&id)?;
    let mut c = crate::commands::advanced(&store, doc.value, ctx.now)?.contract;
    let me = ctx.role(s);
    // Your own feedback given by commitment (a shared ledger) is shown to
    // you from this clone's kept copy until it is published.
    if c.feedback(me).is_some_and(Feedback::unpublished)
        && let Some((_, text)) = store
            .private_files()?
            .into_iter()
            .find(|(n, _)| n == &format!("feedback-{id}-{me}.json"))
        && let Ok(kept) = serde_json::from_str::<super::give::Kept>(&text)
        && let Some(f) = c.feedback_mut(me)
    {
        let content = kept.content();
        f.stars = content.stars;
        f.scores = content.scores;
        f.comment = content.comment;
        f.private = kept.private;
    }
    let seen: Vec<FeedbackView> = Role::ALL
        .iter()
        .map(|author| feedback::view(&c, *author, me))
        .collect();
    let give_until = feedback::still_to_give(&c, me, ctx.now);
    let reply_until = feedback::can_reply(&c, me, ctx.now);
    if ctx.out.json {
        ctx.out
            .print_json(&json::feedback_show(&c, me, &seen, give_until, reply_until))?;
        return Ok(());
    }
    ctx.out.print(&views::feedback_one(
        &c,
        &seen,
        me,
        give_until,
        reply_until,
        &ctx.out,
        ctx.now,
    ))?;
    Ok(())
}

/// Runs `feedback show` without an id: every contract on which the acting
/// role still has feedback to give, soonest close first.
pub fn to_give(ctx: &Ctx) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    let s = &store.settings;
    let me = ctx.role(s);
    let mut rows = Vec::new();
    for doc in store.contracts_without_history()? {
        let c = crate::commands::advanced(&store, doc.value, ctx.now)?.contract;
        if let Some(closes) = feedback::still_to_give(&c, me, ctx.now) {
            let theirs = feedback::view(&c, me.other(), me);
            rows.push((closes, c, theirs));
        }
    }
    rows.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
    if ctx.out.json {
        ctx.out.print_json(&json::to_give(&rows, me, ctx.now))?;
        return Ok(());
    }
    ctx.out
        .print(&views::to_give(&rows, me, &ctx.out, ctx.now))?;
    Ok(())
}
