//! `feedback show ID`: both directions of one contract's feedback, as the
//! acting role may see them; `feedback show`: what is still to give.

use super::{days_left, days_words};
use crate::commands::{Ctx, parse_id};
use crate::core::feedback::{self, FeedbackView};
use crate::core::model::*;
use crate::render::{json, table, text::clean, utc, utc_words};
use crate::store::Access;
use anyhow::Result;
use comfy_table::Cell;

/// Runs `feedback show ID`.
pub fn one(ctx: &Ctx, id: &str) -> Result<()> {
    let id = parse_id(id)?;
    let store = ctx.open(Access::Read)?;
    let s = &store.settings;
    let doc = store.contract(&id)?;
    let c = crate::commands::advanced(&store, doc.value, ctx.now)?.contract;
    let me = ctx.role(s);
    let views: Vec<FeedbackView> = Role::ALL
        .iter()
        .map(|author| feedback::view(&c, *author, me))
        .collect();
    let give_until = feedback::still_to_give(&c, me, ctx.now);
    let reply_until = feedback::can_reply(&c, me, ctx.now);
    if ctx.out.json {
        ctx.out.print_json(&json::feedback_show(
            &c,
            me,
            &views,
            give_until,
            reply_until,
        ))?;
        return Ok(());
    }
    let o = &ctx.out;
    let mut lines = vec![format!("{} — {}", c.id, clean(&c.title))];
    let Some(ending) = &c.ending else {
        lines.push(format!(
            "no feedback yet: {} is {}; feedback opens when the contract ends (`contracts end {}`)",
            c.id, c.status, c.id
        ));
        o.print(&lines.join("\n\n"))?;
        return Ok(());
    };
    let closes = c.feedback_window_closes().unwrap_or(ending.at);
    lines.push(format!(
        "Ended {} {}; feedback window {} {}.",
        o.time(ending.at),
        o.zone_name(ending.at),
        if ctx.now < closes { "closes" } else { "closed" },
        utc_words(closes)
    ));
    for v in &views {
        lines.push(direction(ctx, &c, v, me, closes));
    }
    let mut next = Vec::new();
    if let Some(until) = give_until {
        next.push(format!(
            "You can give yours until {} ({}): `contracts feedback give {} --stars N [--comment T] [--private T]`.",
            utc_words(until),
            days_words(days_left(until, ctx.now)),
            c.id
        ));
    }
    if let Some(until) = reply_until {
        next.push(format!(
            "You can reply once to the {}'s feedback until {}: `contracts feedback reply {} --text T`.",
            me.other(),
            utc_words(until),
            c.id
        ));
    }
    if !next.is_empty() {
        lines.push(next.join("\n"));
    }
    o.print(&lines.join("\n\n"))?;
    Ok(())
}

/// One direction as a key-value table, headed by who wrote it to whom.
fn direction(ctx: &Ctx, c: &Contract, v: &FeedbackView, me: Role, closes: Instant) -> String {
    let o = &ctx.out;
    let author = v.author;
    let whose = if author == me { " — yours" } else { "" };
    let head = format!(
        "From the {author} ({}) to the {} ({}){whose}",
        clean(c.party(author)),
        author.other(),
        clean(c.party(author.other()))
    );
    let mut t = table::new(&["", ""], o.color);
    let mut row = |k: &str, cell: Cell| {
        t.add_row(vec![Cell::new(k), cell]);
    };
    row("Status", table::status(v.status.as_str(), o.color));
    if v.hidden {
        row(
            "Feedback",
            table::text(&format!(
                "hidden until {} or until you submit yours",
                utc_words(closes)
            )),
        );
    } else if let Some(stars) = v.stars {
        if let Some(at) = v.given_at {
            row(
                "Given",
                table::text(&format!("{} {}", o.time(at), o.zone_name(at))),
            );
        }
        row(
            "Stars",
            table::text(&format!("{} ({stars}/5)", "★".repeat(stars as usize))),
        );
        let scores: Vec<String> = v
            .scores
            .named()
            .iter()
            .filter_map(|(n, s)| s.map(|s| format!("{n} {s}")))
            .collect();
        if !scores.is_empty() {
            row("Scores", table::text(&scores.join(", ")));
        }
        row(
            "Comment",
            table::text(v.comment.as_deref().unwrap_or("(none)")),
        );
        if let Some(p) = &v.private {
            row(
                "Private note",
                table::text(&format!("{p} (only you see this)")),
            );
        }
        match (&v.reply, v.replied_at) {
            (Some(r), Some(at)) => row(
                "Reply",
                table::text(&format!("{r} ({} {})", o.time(at), o.zone_name(at))),
            ),
            (Some(r), None) => row("Reply", table::text(r)),
            _ => {}
        }
    } else {
        let what = match v.status {
            FeedbackStatus::Expired => {
                format!("not given: the window closed {}", utc_words(closes))
            }
            _ if author == me => {
                format!("not given yet: you can give it until {}", utc_words(closes))
            }
            _ => format!(
                "not given yet: the {author} can give it until {}",
                utc_words(closes)
            ),
        };
        row("Feedback", table::text(&what));
    }
    format!("{head}\n{t}")
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
        ctx.out.print_json(&json::ToGiveJson {
            role: me.as_str(),
            to_give: rows
                .iter()
                .map(|(closes, c, theirs)| json::ToGiveRowJson {
                    id: c.id.as_str(),
                    title: &c.title,
                    client: &c.client,
                    freelancer: &c.freelancer,
                    other_party: c.party(me.other()),
                    ended_at: c.ended_at().map(utc),
                    window_closes: utc(*closes),
                    days_left: days_left(*closes, ctx.now),
                    other_status: theirs.status.as_str(),
                })
                .collect(),
        })?;
        return Ok(());
    }
    if rows.is_empty() {
        ctx.out.print(&format!(
            "no feedback to give: no ended contract is waiting for yours ({me})"
        ))?;
        return Ok(());
    }
    let o = &ctx.out;
    let mut t = table::new(
        &[
            "ID",
            "Title",
            if me == Role::Client {
                "Freelancer"
            } else {
                "Client"
            },
            &format!("Ended ({})", o.zone_name(ctx.now)),
            "Window closes (UTC)",
            "Days left",
            "Their feedback",
        ],
        o.color,
    );
    for (closes, c, theirs) in &rows {
        let their = match theirs.status {
            FeedbackStatus::Submitted => "given, hidden until you give yours",
            _ => "not given yet",
        };
        t.add_row(vec![
            table::text(c.id.as_str()),
            table::text(&c.title),
            table::text(c.party(me.other())),
            table::text(&c.ended_at().map(|t| o.time(t)).unwrap_or_default()),
            table::text(&utc_words(*closes)),
            table::num(days_left(*closes, ctx.now).to_string()),
            table::text(their),
        ]);
    }
    o.print(&format!(
        "Feedback still to give as {me}\n{t}\nGive it with `contracts feedback give ID --stars N`; it cannot be given after the window closes."
    ))?;
    Ok(())
}
