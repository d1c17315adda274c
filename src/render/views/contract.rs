//! The table of `show ID`: one contract in detail.

use crate::core::diary::limit_for;
use crate::core::feedback;
use crate::core::lifecycle::milestone_escrow;
use crate::core::model::*;
use crate::core::timers;
use crate::core::week::Week;
use crate::render::rows::{Figures, ThisWeek, Viewer};
use crate::render::{Out, table, text::clean, text::duration, utc_words};

/// `show ID` for people: the contract's terms and money (`f`, the same
/// figures its JSON has), then its milestones, refunds, feedback and
/// pending deadlines.
pub fn contract(c: &Contract, v: &Viewer, week: Option<ThisWeek>, f: &Figures, o: &Out) -> String {
    let s = v.settings;
    let cur = s.currency;
    let color = o.color;
    let mut lines = vec![format!("{} — {}", c.id, clean(&c.title))];
    let mut kv = table::plain(color);
    let mut row = |k: &str, val: String| {
        kv.add_row(vec![comfy_table::Cell::new(k), table::text(&val)]);
    };
    row("Client", c.client.clone());
    row("Freelancer", c.freelancer.clone());
    row("Status", c.status.to_string());
    match &c.terms {
        Terms::Hourly {
            rate, manual_time, ..
        } => {
            row(
                "Terms",
                format!("hourly, {} {} per hour", cur.show(*rate), cur.code()),
            );
            let this = Week::of(v.now);
            let show = |h: Option<u32>| h.map_or("none".to_string(), |h| format!("{h} h"));
            let (now_l, next_l) = (limit_for(c, this), limit_for(c, this.next()));
            let mut limit = show(now_l);
            if next_l != now_l {
                limit.push_str(&format!(
                    " (becomes {} from {})",
                    show(next_l),
                    utc_words(this.end())
                ));
            }
            row("Weekly limit", limit);
            row(
                "Manual time",
                if *manual_time {
                    "allowed"
                } else {
                    "not allowed (tracked time only)"
                }
                .into(),
            );
            if let Some(w) = week {
                let run = w
                    .running_since
                    .map(|t| format!(", timer running since {}", o.time(t)))
                    .unwrap_or_default();
                row(
                    &format!("This week ({})", w.week),
                    format!("{}{run}", duration(w.seconds)),
                );
            }
        }
        Terms::Fixed { price } => {
            row(
                "Terms",
                format!("fixed price {} {}", cur.show(*price), cur.code()),
            );
            row("Funded", cur.format(f.funded));
            row(
                "In escrow",
                if f.held.is_zero() {
                    cur.format(f.escrow)
                } else {
                    format!(
                        "{} ({} held by refunds)",
                        cur.show(f.escrow),
                        cur.show(f.held)
                    )
                },
            );
        }
    }
    if c.kind() == Kind::Hourly {
        row("Billed (settled weeks)", cur.format(f.paid));
        if let Some(invoiced) = f.disputable.filter(|m| !m.is_zero()) {
            row("Invoiced (disputable)", cur.format(invoiced));
        }
        if !f.held.is_zero() {
            row("Held by an open dispute", cur.format(f.held));
        }
    } else {
        row("Paid", cur.format(f.paid));
    }
    if let Some(fee_net) = f.fee_net {
        row(
            "Fee / net",
            format!("{} / {}", cur.show(fee_net.fee), cur.show(fee_net.net)),
        );
    }
    row("Refunded", cur.format(f.refunded));
    row(
        "Started",
        format!("{} {}", o.time(c.started_at), o.zone_name(c.started_at)),
    );
    if let Some(e) = &c.ending {
        row(
            "Ended",
            format!(
                "{} {} by {} ({}){}; work diary locked",
                o.time(e.at),
                o.zone_name(e.at),
                e.by,
                e.reason,
                e.note
                    .as_ref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            ),
        );
    }
    lines.push(kv.to_string());

    if !c.milestones.is_empty() {
        let mut t = table::new(&["#", "Milestone", "Amount", "Status", "In escrow"], color);
        for (i, m) in c.milestones.iter().enumerate() {
            t.add_row(vec![
                table::num((i + 1).to_string()),
                table::text(&m.title),
                table::num(cur.format(m.amount)),
                table::status(m.status.as_str(), color),
                table::num(cur.format(milestone_escrow(c, i as u32 + 1))),
            ]);
        }
        lines.push(format!("Milestones\n{t}"));
    }
    if !c.refunds.is_empty() {
        let mut t = table::new(
            &["#", "Refund", "Amount", "Status", "Requested", "Deadline"],
            color,
        );
        for (i, r) in c.refunds.iter().enumerate() {
            let deadline = match r.status {
                RefundStatus::Requested => utc_words(r.deadline),
                RefundStatus::Disputed => r.dispute_deadline.map(utc_words).unwrap_or_default(),
                _ => "-".into(),
            };
            t.add_row(vec![
                table::num((i + 1).to_string()),
                table::text(r.origin.as_str()),
                table::num(cur.format(r.amount)),
                table::status(r.status.as_str(), color),
                table::text(&o.time(r.requested_at)),
                table::text(&deadline),
            ]);
        }
        lines.push(format!("Refunds\n{t}"));
    }
    if c.ending.is_some() {
        let mut t = table::new(&["Feedback by", "Status", "Stars", "Comment"], color);
        for author in Role::ALL {
            let f = feedback::view(c, *author, v.role);
            let stars = f.stars.map_or("-".into(), |s| "★".repeat(s as usize));
            let comment = if f.withheld {
                "withheld (never published by its author)".to_string()
            } else if f.unpublished && !f.hidden {
                "not published yet by its author".to_string()
            } else if f.hidden {
                format!(
                    "hidden until {} or until you submit yours",
                    f.window_closes.map(utc_words).unwrap_or_default()
                )
            } else {
                f.comment.clone().unwrap_or_default()
            };
            t.add_row(vec![
                table::text(author.as_str()),
                table::status(f.status.as_str(), color),
                table::text(&stars),
                table::text(&comment),
            ]);
        }
        lines.push(format!("Feedback\n{t}"));
    }
    let pending = timers::pending(c);
    if !pending.is_empty() {
        let mut t = table::new(&["When (UTC)", "What happens then"], color);
        for tm in &pending {
            t.add_row(vec![
                table::text(&utc_words(tm.at)),
                table::text(&timers::describe(c, tm, s)),
            ]);
        }
        lines.push(format!("Pending deadlines\n{t}"));
    }
    lines.push(format!(
        "Amounts in {}; times in {}.",
        cur.code(),
        o.zone_name(v.now)
    ));
    lines.join("\n\n")
}
