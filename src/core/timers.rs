//! Timers: every deadline of the rules, and the one pure function that
//! applies the due ones.

use super::lifecycle::{close_if_empty, event, milestone_escrow, release, settle_refund};
use super::model::*;
use super::money::Money;
use super::{Outcome, Settings};
use chrono::Duration;

/// Days after submission before the system releases a milestone [360000980507].
pub const MILESTONE_AUTO_RELEASE_DAYS: i64 = 14;

/// What falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerKind {
    /// Refund `i` (0-based) unanswered: approved by the system.
    RefundAutoApprove(usize),
    /// Refund `i` disputed and the client silent: released to the freelancer.
    DisputeDefault(usize),
    /// Milestone `n` (1-based) submitted and the client silent: released.
    MilestoneAutoRelease(u32),
    /// The feedback window closes: submitted feedback is revealed, missing expires.
    FeedbackWindowClose,
}

/// A pending timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timer {
    /// The instant it falls due (it applies when now >= at).
    pub at: Instant,
    /// What it does.
    pub kind: TimerKind,
}

/// Every pending timer of a contract, soonest first.
pub fn pending(c: &Contract) -> Vec<Timer> {
    let mut out = Vec::new();
    for (i, r) in c.refunds.iter().enumerate() {
        match r.status {
            RefundStatus::Requested => out.push(Timer {
                at: r.deadline,
                kind: TimerKind::RefundAutoApprove(i),
            }),
            RefundStatus::Disputed => {
                if let Some(at) = r.dispute_deadline {
                    out.push(Timer {
                        at,
                        kind: TimerKind::DisputeDefault(i),
                    });
                }
            }
            _ => {}
        }
    }
    for (i, m) in c.milestones.iter().enumerate() {
        let n = i as u32 + 1;
        // Nothing to release after the end (escrow was settled then), or
        // while open refunds hold all of it.
        let free = milestone_escrow(c, n) - super::lifecycle::milestone_held(c, n);
        if let (MilestoneStatus::Submitted, Some(at), None, true) =
            (m.status, m.submitted_at, &c.ending, free > Money::ZERO)
        {
            out.push(Timer {
                at: at + Duration::days(MILESTONE_AUTO_RELEASE_DAYS),
                kind: TimerKind::MilestoneAutoRelease(i as u32 + 1),
            });
        }
    }
    if let Some(at) = c.feedback_window_closes() {
        let open = |f: Option<&Feedback>| {
            f.is_some_and(|f| {
                matches!(
                    f.status,
                    FeedbackStatus::Pending | FeedbackStatus::Submitted
                )
            })
        };
        if open(c.feedback_client.as_ref()) || open(c.feedback_freelancer.as_ref()) {
            out.push(Timer {
                at,
                kind: TimerKind::FeedbackWindowClose,
            });
        }
    }
    out.sort_by_key(|t| t.at);
    out
}

/// What a pending timer will do, for people.
pub fn describe(c: &Contract, t: &Timer, settings: &Settings) -> String {
    let cur = settings.currency;
    match t.kind {
        TimerKind::RefundAutoApprove(i) => format!(
            "refund of {} is approved unless {} approves or disputes it first",
            cur.show(c.refunds[i].amount),
            c.freelancer
        ),
        TimerKind::DisputeDefault(i) => format!(
            "disputed {} is released to {} unless {} concedes or escalates first",
            cur.show(c.refunds[i].amount),
            c.freelancer,
            c.client
        ),
        TimerKind::MilestoneAutoRelease(n) => format!(
            "milestone {n} is released to {} unless {} approves or requests changes first",
            c.freelancer, c.client
        ),
        TimerKind::FeedbackWindowClose => {
            "the feedback window closes: given feedback is revealed, missing feedback expires"
                .to_string()
        }
    }
}

/// Applies every timer due at `now`, in the order they fell due, each recorded
/// once in history at the instant it fell due, with actor `system`.
pub fn advance(c: &Contract, settings: &Settings, now: Instant) -> Outcome {
    advance_owned(c.clone(), settings, now)
}

/// [`advance`] of a contract the caller no longer needs (no copy is made:
/// `list` advances every contract of the ledger).
pub fn advance_owned(mut contract: Contract, settings: &Settings, now: Instant) -> Outcome {
    let mut events = Vec::new();
    // Each application removes its own timer, so this ends; the bound guards
    // against a hand-edited file that would loop.
    for _ in 0..10_000 {
        let Some(t) = pending(&contract).into_iter().find(|t| t.at <= now) else {
            break;
        };
        let evs = apply(&mut contract, settings, t);
        contract.history.extend(evs.iter().cloned());
        events.extend(evs);
    }
    Outcome { contract, events }
}

fn apply(c: &mut Contract, settings: &Settings, t: Timer) -> Vec<Event> {
    let cur = settings.currency;
    let at = t.at;
    match t.kind {
        TimerKind::RefundAutoApprove(i) => {
            let (amount, n) = settle_refund(c, i, RefundStatus::Refunded, at);
            if let Some(n) = n {
                close_if_empty(c, n);
            }
            vec![event(
                at,
                Actor::System,
                "refund_auto_approved",
                Some(amount),
                format!(
                    "refund of {} approved: no answer within 7 days; returned to {}",
                    cur.show(amount),
                    c.client
                ),
            )]
        }
        TimerKind::DisputeDefault(i) => {
            let (amount, n) = settle_refund(c, i, RefundStatus::Released, at);
            if let Some(n) = n {
                release(c, settings, n, amount, at);
            } else {
                c.payments.push(Payment {
                    at,
                    milestone: None,
                    amount,
                    fee: settings.fee_on(amount),
                });
            }
            vec![event(
                at,
                Actor::System,
                "dispute_defaulted",
                Some(amount),
                format!(
                    "disputed {} released to {}: the client did not concede or escalate within 5 business days",
                    cur.show(amount),
                    c.freelancer
                ),
            )]
        }
        TimerKind::MilestoneAutoRelease(n) => {
            let held: Money = c
                .refunds
                .iter()
                .filter(|r| r.milestone == Some(n) && r.status.is_open())
                .map(|r| r.amount)
                .sum();
            let amount = milestone_escrow(c, n) - held;
            release(c, settings, n, amount, at);
            if let Some(m) = c.milestones.get_mut(n as usize - 1)
                && m.status == MilestoneStatus::Submitted
            {
                m.status = MilestoneStatus::Released;
            }
            vec![event(
                at,
                Actor::System,
                "milestone_auto_released",
                Some(amount),
                format!(
                    "milestone {n} released ({}): no client action within 14 days of submission",
                    cur.show(amount)
                ),
            )]
        }
        TimerKind::FeedbackWindowClose => {
            let mut parts = Vec::new();
            for role in Role::ALL {
                if let Some(f) = c.feedback_mut(*role) {
                    match f.status {
                        FeedbackStatus::Submitted => {
                            f.status = FeedbackStatus::Revealed;
                            parts.push(format!("{role}'s feedback revealed"));
                        }
                        FeedbackStatus::Pending => {
                            f.status = FeedbackStatus::Expired;
                            parts.push(format!("{role}'s feedback expired"));
                        }
                        _ => {}
                    }
                }
            }
            vec![event(
                at,
                Actor::System,
                "feedback_window_closed",
                None,
                format!("feedback window closed: {}", parts.join("; ")),
            )]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lifecycle::{EndRequest, Pay, end, tests as lt};

    fn ended_with_refund() -> Contract {
        let c = lt::fixed("500");
        end(
            &c,
            Role::Client,
            &EndRequest {
                reason: EndReason::Completed,
                note: None,
                pay: Some(Pay::Amount(Money::from_minor(30_000))),
            },
            &lt::settings(),
            lt::t("2026-11-18T10:00:00Z"),
        )
        .unwrap()
        .contract
    }

    #[test]
    fn refund_auto_approves_at_the_deadline_not_before() {
        let s = lt::settings();
        let c = ended_with_refund();
        let before = advance(&c, &s, lt::t("2026-11-25T09:59:59Z"));
        assert!(before.events.is_empty());
        assert_eq!(before.contract, c);
        let at = advance(&c, &s, lt::t("2026-11-25T10:00:00Z"));
        assert_eq!(at.events.len(), 1);
        assert_eq!(at.contract.refunds[0].status, RefundStatus::Refunded);
        assert_eq!(at.events[0].actor, Actor::System);
        assert_eq!(at.events[0].at, lt::t("2026-11-25T10:00:00Z"));
    }

    #[test]
    fn timers_record_their_due_instant_and_apply_once() {
        let s = lt::settings();
        let c = ended_with_refund();
        let late = advance(&c, &s, lt::t("2027-01-01T00:00:00Z"));
        // refund at its deadline, then the feedback window at its close
        let ats: Vec<_> = late
            .events
            .iter()
            .map(|e| (e.event.as_str(), e.at))
            .collect();
        assert_eq!(
            ats,
            vec![
                ("refund_auto_approved", lt::t("2026-11-25T10:00:00Z")),
                ("feedback_window_closed", lt::t("2026-12-03T00:00:00Z")),
            ]
        );
        let again = advance(&late.contract, &s, lt::t("2027-06-01T00:00:00Z"));
        assert!(again.events.is_empty());
        assert_eq!(again.contract, late.contract);
        let tot = late.contract.totals();
        assert_eq!(tot.refunded, Money::from_minor(20_000));
        assert_eq!(tot.escrow, Money::ZERO);
        assert_eq!(
            late.contract.milestones[0].status,
            MilestoneStatus::Released
        );
        assert_eq!(
            late.contract.feedback_client.as_ref().unwrap().status,
            FeedbackStatus::Expired
        );
    }

    #[test]
    fn feedback_window_boundary() {
        let s = lt::settings();
        let c = lt::hourly();
        let c = end(
            &c,
            Role::Client,
            &EndRequest {
                reason: EndReason::Completed,
                note: None,
                pay: None,
            },
            &s,
            lt::t("2026-11-18T10:00:00Z"),
        )
        .unwrap()
        .contract;
        assert!(
            advance(&c, &s, lt::t("2026-12-02T23:59:59Z"))
                .events
                .is_empty()
        );
        assert_eq!(
            advance(&c, &s, lt::t("2026-12-03T00:00:00Z")).events.len(),
            1
        );
    }
}
