//! The sentence of a history event, derived from its operation's arguments
//! when it is shown: files keep the arguments, never the prose.

use super::diary::billing::hours_words;
use super::diary::week_file::entry_ref;
use super::model::{Contract, Event, Op, Role};
use super::money::{Currency, Money};
use super::week::{Week, instant_words, utc_words};
use super::{FeedbackStatus, Terms};

/// What `e` of `c` did, in one sentence.
pub fn detail(c: &Contract, e: &Event, cur: &Currency) -> String {
    let amount = e.amount.unwrap_or_default();
    let a = cur.show(amount);
    let (client, freelancer) = (&c.client, &c.freelancer);
    let limit = |h: &Option<u32>| h.map_or("none".to_string(), |h| format!("{h} h"));
    match &e.op {
        Op::Legacy { detail, .. } => detail.clone(),
        Op::Created { price, hours, .. } => match (&c.terms, price) {
            (Terms::Hourly { rate, .. }, _) => format!(
                "hourly at {}/h, {}",
                cur.show(*rate),
                hours.map_or("no weekly limit".into(), |h| format!("limit {h} h/week"))
            ),
            (Terms::Fixed { price: now }, price) => format!(
                "fixed price {}; milestone 1 funded with {}",
                cur.show(price.unwrap_or(*now)),
                cur.show(c.milestones.first().map_or(Money::ZERO, |m| m.amount))
            ),
        },
        Op::Paused {} => "contract paused: no new time can be logged".into(),
        Op::Resumed {} => "contract resumed".into(),
        Op::Ended {
            end_reason,
            note,
            paid,
            escrow,
            ..
        } => {
            let mut parts = vec![format!("reason: {end_reason}")];
            match (paid, escrow) {
                (Some(paid), escrow) => {
                    parts.push(format!("paid {}", cur.show(*paid)));
                    let rest = escrow.unwrap_or_default() - *paid;
                    if rest > Money::ZERO {
                        parts.push(format!("refund of {} requested", cur.show(rest)));
                    }
                }
                (None, Some(escrow)) => parts.push(format!(
                    "escrow of {} returned to the client",
                    cur.show(*escrow)
                )),
                (None, None) => {}
            }
            if let Some(note) = note {
                parts.push(format!("note: {note}"));
            }
            parts.join("; ")
        }
        Op::Released { milestone, fee } => format!(
            "released {a} of milestone {milestone} on ending (fee {})",
            cur.show(*fee)
        ),
        Op::Refunded { milestone } => {
            format!("escrow of {a} from milestone {milestone} returned to the client on ending")
        }
        Op::RefundRequested {
            milestone,
            deadline,
            ending: Some(true),
            ..
        } => format!(
            "refund of {a} from milestone {milestone} requested on ending; {freelancer} may approve or dispute until {}",
            deadline.format("%Y-%m-%d %H:%M UTC")
        ),
        Op::RefundRequested {
            milestone,
            deadline,
            ..
        } => format!(
            "refund of {a} from milestone {milestone} requested; {freelancer} may approve or dispute until {}, else it is approved",
            utc_words(*deadline)
        ),
        Op::RefundApproved { .. } => format!("refund of {a} approved; returned to {client}"),
        Op::RefundAutoApproved { .. } => {
            format!("refund of {a} approved: no answer within 7 days; returned to {client}")
        }
        Op::RefundDisputed { deadline, note, .. } => format!(
            "refund of {a} disputed{}; {client} may concede or escalate until {}, else it is released to {freelancer}",
            note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default(),
            utc_words(*deadline)
        ),
        Op::RefundGiven { fee, .. } => format!(
            "{freelancer} gave back {a} to {client} (final); the fee of {} on it is returned",
            cur.show(*fee)
        ),
        Op::DisputeConceded { .. } => format!("dispute conceded: {a} released to {freelancer}"),
        Op::DisputeEscalated { .. } => format!(
            "dispute of {a} escalated to mediation; `contracts refund resolve {}` records the outcome",
            c.id
        ),
        Op::DisputeResolved { client_part, .. } => format!(
            "mediation resolved the dispute of {a}: {} refunded to {client}, {} released to {freelancer}",
            cur.show(*client_part),
            cur.show(amount - *client_part)
        ),
        Op::DisputeDefaulted { .. } => format!(
            "disputed {a} released to {freelancer}: the client did not concede or escalate within 5 business days"
        ),
        Op::MilestoneAdded {
            milestone, title, ..
        } => {
            format!("milestone {milestone} \"{title}\" of {a} added")
        }
        Op::MilestoneFunded { milestone, carried } => match carried {
            Some(carried) if !carried.is_zero() => format!(
                "milestone {milestone} funded with {a} ({} carried over)",
                cur.show(*carried)
            ),
            _ => format!("milestone {milestone} funded with {a}"),
        },
        Op::MilestoneSubmitted { milestone, due } => format!(
            "work on milestone {milestone} submitted; released automatically on {} unless the client acts",
            utc_words(*due)
        ),
        Op::ChangesRequested { milestone } => format!(
            "changes requested on milestone {milestone}; the 14-day clock stops until it is resubmitted"
        ),
        Op::MilestoneApproved {
            milestone,
            fee,
            rest,
            carried_to,
            ..
        } => {
            let mut s = format!(
                "milestone {milestone} approved: {a} released (fee {})",
                cur.show(*fee)
            );
            match (rest, carried_to) {
                (Some(rest), Some(j)) => {
                    s.push_str(&format!("; {} carried to milestone {j}", cur.show(*rest)));
                }
                (Some(rest), None) => s.push_str(&format!(
                    "; {} stays in escrow (refunded at the end unless released)",
                    cur.show(*rest)
                )),
                _ => {}
            }
            s
        }
        Op::MilestoneAutoReleased { milestone } => format!(
            "milestone {milestone} released ({a}): no client action within 14 days of submission"
        ),
        Op::FeedbackGiven {} => format!("{} gave feedback", e.actor),
        Op::FeedbackPublished {} => format!("{} published the feedback it committed to", e.actor),
        Op::FeedbackReplied {} => {
            let author = role_of(e).map_or("other party", |r| r.other().as_str());
            format!("{} replied to the {author}'s feedback", e.actor)
        }
        Op::FeedbackRevealed {} => "both parties gave feedback: both are revealed".into(),
        Op::FeedbackWindowClosed {
            client_feedback,
            freelancer_feedback,
        } => {
            let parts: Vec<String> = [
                (Role::Client, client_feedback),
                (Role::Freelancer, freelancer_feedback),
            ]
            .into_iter()
            .filter_map(|(role, s)| match s {
                Some(FeedbackStatus::Revealed) => Some(format!("{role}'s feedback revealed")),
                Some(FeedbackStatus::Expired) => Some(format!("{role}'s feedback expired")),
                _ => None,
            })
            .collect();
            format!("feedback window closed: {}", parts.join("; "))
        }
        Op::LimitChanged {
            from,
            hours,
            previous,
        } => {
            let week = Week::of(e.at);
            if *from <= e.at {
                format!(
                    "weekly limit raised from {} to {}, from this week ({week})",
                    limit(previous),
                    limit(hours)
                )
            } else {
                format!(
                    "weekly limit cut from {} to {} from {} ({}); {week} keeps {}",
                    limit(previous),
                    limit(hours),
                    utc_words(*from),
                    week.next(),
                    limit(previous)
                )
            }
        }
        Op::WeekDisputed {
            week,
            reason,
            paused,
        } => {
            let mut s = format!("{week} disputed: {reason}");
            if *paused == Some(true) {
                s.push_str("; contract paused");
            }
            s
        }
        Op::DisputeAccepted { week } => {
            format!("dispute of {week} accepted: its hours are refunded ({a} to {client})")
        }
        Op::DisputeDeclined { week } => format!("dispute of {week} declined: the hours stand"),
        Op::DisputeWithdrawn { week } => format!("dispute of {week} withdrawn: billed as normal"),
        Op::WeekPaid { week, seconds, fee } => format!(
            "{week} settled: {} billable, {a} paid to {freelancer} (fee {})",
            hours_words(*seconds),
            cur.show(*fee)
        ),
        Op::OfferAccepted {} => format!("{freelancer} accepted the offer: the contract starts"),
        Op::OfferDeclined { escrow } => match escrow {
            Some(m) => format!(
                "{freelancer} declined the offer; escrow of {} returned to {client}",
                cur.show(*m)
            ),
            None => format!("{freelancer} declined the offer"),
        },
        Op::TimerStopped {
            entry,
            stopped_at,
            seconds,
        } => match stopped_at {
            Some(end) => format!(
                "timer {} stopped at {} ({}): a paused or ended contract takes no new time",
                entry_ref(&c.id, entry),
                instant_words(*end),
                hours_words(seconds.unwrap_or_default())
            ),
            None => format!(
                "timer {} removed: it started the same second, with no time to record",
                entry_ref(&c.id, entry)
            ),
        },
    }
}

fn role_of(e: &Event) -> Option<Role> {
    e.actor.as_str().parse().ok()
}
