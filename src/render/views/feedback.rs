//! The tables of `feedback show`: both directions of one contract's
//! feedback as the acting role may see them, and what is still to give.

use crate::core::feedback::{FeedbackView, Mean, Received};
use crate::core::model::*;
use crate::render::rows::{ToGive, days_left};
use crate::render::{Out, table, text::clean, utc_words};
use comfy_table::Cell;
use std::collections::BTreeMap;

/// `N days left` for people.
pub fn days_words(days: i64) -> String {
    match days {
        i64::MIN..=1 => "last day".into(),
        n => format!("{n} days left"),
    }
}

/// `feedback show ID` for people: the window, each direction, and what the
/// acting role `me` may still do (give until, reply until).
pub fn feedback_one(
    c: &Contract,
    views: &[FeedbackView],
    me: Role,
    give_until: Option<Instant>,
    reply_until: Option<Instant>,
    o: &Out,
    now: Instant,
) -> String {
    let mut lines = vec![format!("{} — {}", c.id, clean(&c.title))];
    let Some(ending) = &c.ending else {
        lines.push(format!(
            "no feedback yet: {} is {}; feedback opens when the contract ends (`contracts end {}`)",
            c.id, c.status, c.id
        ));
        return lines.join("\n\n");
    };
    let closes = c.feedback_window_closes().unwrap_or(ending.at);
    lines.push(format!(
        "Ended {} {}; feedback window {} {}.",
        o.time(ending.at),
        o.zone_name(ending.at),
        if now < closes { "closes" } else { "closed" },
        utc_words(closes)
    ));
    for v in views {
        lines.push(direction(c, v, me, closes, o));
    }
    let mut next = Vec::new();
    if let Some(until) = give_until {
        next.push(format!(
            "You can give yours until {} ({}): `contracts feedback give {} --stars N [--comment T] [--private T]`.",
            utc_words(until),
            days_words(days_left(until, now)),
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
    lines.join("\n\n")
}

/// One direction as a key-value table, headed by who wrote it to whom.
fn direction(c: &Contract, v: &FeedbackView, me: Role, closes: Instant, o: &Out) -> String {
    let author = v.author;
    let whose = if author == me { " — yours" } else { "" };
    let head = format!(
        "From the {author} ({}) to the {} ({}){whose}",
        clean(c.party(author)),
        author.other(),
        clean(c.party(author.other()))
    );
    let mut t = table::plain(o.color);
    let mut row = |k: &str, cell: Cell| {
        t.add_row(vec![Cell::new(k), cell]);
    };
    row("Status", table::status(v.status.as_str(), o.color));
    if v.withheld {
        row(
            "Feedback",
            table::text("withheld: committed to, never published by its author"),
        );
    } else if v.unpublished && !v.hidden {
        row(
            "Feedback",
            table::text("committed to; its author publishes it at their next `contracts sync`"),
        );
    } else if v.hidden {
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

/// `feedback show` for people: every contract still waiting for the acting
/// role's feedback, soonest close first.
pub fn to_give(rows: &[ToGive], me: Role, o: &Out, now: Instant) -> String {
    if rows.is_empty() {
        return format!("no feedback to give: no ended contract is waiting for yours ({me})");
    }
    let mut t = table::new(
        &[
            "ID",
            "Title",
            if me == Role::Client {
                "Freelancer"
            } else {
                "Client"
            },
            &format!("Ended ({})", o.zone_name(now)),
            "Window closes (UTC)",
            "Days left",
            "Their feedback",
        ],
        o.color,
    );
    for (closes, c, theirs) in rows {
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
            table::num(days_left(*closes, now).to_string()),
            table::text(their),
        ]);
    }
    format!(
        "Feedback still to give as {me}\n{t}\nGive it with `contracts feedback give ID --stars N`; it cannot be given after the window closes."
    )
}

/// `feedback summary` for people: average stars and scores each party
/// received; `party` names the one asked for, if any.
pub fn summary(
    by: &BTreeMap<(String, &'static str), Received>,
    party: Option<&str>,
    o: &Out,
) -> String {
    let names = Scores::default().named().map(|(n, _)| n);
    if by.is_empty() {
        let who = party.map_or("anyone".to_string(), |p| clean(p).into_owned());
        return format!(
            "no revealed feedback received by {who} yet (feedback counts once both parties gave theirs or the window closed)"
        );
    }
    let mut headers = vec!["Party", "As", "Feedback", "Stars"];
    headers.extend(names.iter().map(|n| match *n {
        "skills" => "Skills",
        "quality" => "Quality",
        "availability" => "Availability",
        "deadlines" => "Deadlines",
        "communication" => "Communication",
        _ => "Cooperation",
    }));
    let mut t = table::new(&headers, o.color);
    for ((name, role), r) in by {
        let mut row = vec![
            table::text(name),
            table::text(role),
            table::num(r.contracts.to_string()),
            table::num(mean_words(r.stars)),
        ];
        row.extend(r.scores.iter().map(|m| table::num(mean_words(*m))));
        t.add_row(row);
    }
    format!("Average feedback received (revealed feedback only; scores 1 to 5)\n{t}")
}

/// A mean for a table: two decimals, `-` for none.
fn mean_words(m: Mean) -> String {
    m.value().map_or("-".into(), |v| format!("{v:.2}"))
}
