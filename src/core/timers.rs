//! Timers: every deadline of the rules, and the one pure function that
//! applies the due ones.

use super::accounts::{close_if_empty, milestone_escrow, milestone_held, release, settle_refund};
use super::diary::billing::bill;
use super::diary::week_file::WeekFile;
use super::model::*;
use super::money::Money;
use super::week::Week;
use super::{Outcome, Settings};
use chrono::Duration;
use std::collections::HashSet;

/// Days after submission before the system releases a milestone \[360000980507\].
pub const MILESTONE_AUTO_RELEASE_DAYS: i64 = 14;

/// The weeks of an hourly contract whose pay may still be unrecorded at
/// `now`: from the week after its last paid week (or its first week) to the
/// last week settled by now (or its end's week). A week held by a dispute
/// before that is paid when the dispute ends. `None` when there are none.
pub fn unpaid_weeks(c: &Contract, now: Instant) -> Option<(Week, Week)> {
    let (first, end) = settling_weeks(c)?;
    let last = Week::last_settled_by(now);
    let last = end.map_or(last, |e| e.min(last));
    (first <= last).then_some((first, last))
}

/// The weeks of an hourly contract whose files may still fall due (their
/// settlement): from the week after its last paid week (or its first
/// week) to its end's week, unbounded while it runs. [`unpaid_weeks`]
/// without its clock: the weeks it gives at any `now` lie in these.
/// `None` when there are none (a fixed-price contract, or every week to
/// the end paid).
pub fn settling_weeks(c: &Contract) -> Option<(Week, Option<Week>)> {
    if c.kind() != Kind::Hourly {
        return None;
    }
    let first = c
        .payments
        .iter()
        .filter_map(|p| p.week)
        .max()
        .map_or(Week::of(c.started_at), Week::next);
    let last = c.ended_at().map(Week::of);
    last.is_none_or(|l| first <= l).then_some((first, last))
}

/// The earliest instant at which anything of `c` can fall due, given the
/// weeks of [`settling_weeks`] in which it has a week file (`files`, any
/// order): no timer of [`pending_with`], whatever week files of those
/// weeks it is given, falls due before it, so [`advance_with`] at an
/// earlier `now` changes nothing. A week with a file counts even if the
/// file holds no time or a dispute holds it (a lower bound, never late).
/// `None`: nothing can fall due while the contract and those files stay
/// as they are.
pub fn next_due(c: &Contract, files: &[Week]) -> Option<Instant> {
    let timers = pending(c).first().map(|t| t.at);
    let range = settling_weeks(c);
    let weeks = files
        .iter()
        .filter(|w| {
            range.is_some_and(|(first, last)| **w >= first && last.is_none_or(|l| **w <= l))
        })
        .map(|w| w.settled_from())
        .min();
    timers.into_iter().chain(weeks).min()
}

/// When work submitted at `submitted` is released unless the client acts
/// \[360000980507\].
pub fn auto_release_at(submitted: Instant) -> Instant {
    submitted + Duration::days(MILESTONE_AUTO_RELEASE_DAYS)
}

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
    /// An hourly week settles: its bill is recorded as a payment.
    WeekSettles(Week),
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
        let free = milestone_escrow(c, n) - milestone_held(c, n);
        if let (MilestoneStatus::Submitted, Some(at), None, true) =
            (m.status, m.submitted_at, &c.ending, free > Money::ZERO)
        {
            out.push(Timer {
                at: auto_release_at(at),
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

/// Whether `wf`'s week is still to be paid when it settles: an hourly week
/// with time, no payment recorded for it, and no dispute holding it (an
/// open dispute holds the pay until it ends; an accepted one refunds it).
pub fn week_unpaid(c: &Contract, wf: &WeekFile, paid: &HashSet<Week>) -> bool {
    c.kind() == Kind::Hourly
        && wf.contract == c.id
        && !wf.entries.is_empty()
        && !paid.contains(&wf.week)
        && !c.disputes.iter().any(|d| {
            d.week == wf.week && matches!(d.status, DisputeStatus::Open | DisputeStatus::Accepted)
        })
}

/// The weeks paid so far.
fn paid_weeks(c: &Contract) -> HashSet<Week> {
    c.payments.iter().filter_map(|p| p.week).collect()
}

/// [`pending`], plus the settlement of each of `weeks` (an hourly
/// contract's week files) still to be paid.
pub fn pending_with(c: &Contract, weeks: &[WeekFile]) -> Vec<Timer> {
    if weeks.is_empty() {
        // No set of paid weeks to build (a payment per settled week).
        return pending(c);
    }
    let mut out = pending(c);
    let paid = paid_weeks(c);
    out.extend(
        weeks
            .iter()
            .filter(|wf| week_unpaid(c, wf, &paid))
            .map(|wf| Timer {
                at: wf.week.settled_from(),
                kind: TimerKind::WeekSettles(wf.week),
            }),
    );
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
        TimerKind::WeekSettles(w) => {
            format!("{w} settles: its billable time is paid to {}", c.freelancer)
        }
    }
}

/// Applies every timer due at `now`, in the order they fell due, each recorded
/// once in history at the instant it fell due, with actor `system`.
pub fn advance(c: &Contract, settings: &Settings, now: Instant) -> Outcome {
    advance_owned(c.clone(), &[], settings, now)
}

/// [`advance`], also settling the hourly weeks among `weeks` (the
/// contract's week files that may still be unpaid) whose pay fell due.
pub fn advance_with(
    c: &Contract,
    weeks: &[WeekFile],
    settings: &Settings,
    now: Instant,
) -> Outcome {
    advance_owned(c.clone(), weeks, settings, now)
}

/// [`advance_with`] of a contract the caller no longer needs (no copy is
/// made: `list` advances every contract of the ledger).
pub fn advance_owned(
    mut contract: Contract,
    weeks: &[WeekFile],
    settings: &Settings,
    now: Instant,
) -> Outcome {
    let mut events = Vec::new();
    // Each application removes its own timer, so this ends; the bound guards
    // against a hand-edited file that would loop.
    for _ in 0..100_000 {
        let Some(t) = pending_with(&contract, weeks)
            .into_iter()
            .find(|t| t.at <= now)
        else {
            break;
        };
        let mut evs = apply(&mut contract, settings, t, weeks);
        for e in &mut evs {
            e.id = Event::timer_id(&contract.id, e);
        }
        contract.history.extend(evs.iter().cloned());
        events.extend(evs);
    }
    Outcome { contract, events }
}

/// Records the pay of `wf`'s week at `at` (its settlement, or the end of a
/// dispute that held it): a payment of its bill, with the fee.
pub(crate) fn pay_week(c: &mut Contract, wf: &WeekFile, settings: &Settings, at: Instant) -> Event {
    let b = bill(c, wf, settings, at);
    c.payments.push(Payment {
        at,
        milestone: None,
        week: Some(wf.week),
        amount: b.amount,
        fee: b.fee,
    });
    event(
        at,
        Actor::System,
        Op::WeekPaid {
            week: wf.week,
            seconds: b.billable,
            fee: b.fee,
        },
        Some(b.amount),
    )
}

fn apply(c: &mut Contract, settings: &Settings, t: Timer, weeks: &[WeekFile]) -> Vec<Event> {
    let at = t.at;
    match t.kind {
        TimerKind::WeekSettles(w) => weeks
            .iter()
            .find(|wf| wf.week == w)
            .map(|wf| vec![pay_week(c, wf, settings, at)])
            .unwrap_or_default(),
        TimerKind::RefundAutoApprove(i) => {
            let (amount, n) = settle_refund(c, i, RefundStatus::Refunded, at);
            if let Some(n) = n {
                close_if_empty(c, n);
            }
            vec![event(
                at,
                Actor::System,
                Op::RefundAutoApproved {
                    refund: i as u32 + 1,
                },
                Some(amount),
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
                    week: None,
                    amount,
                    fee: settings.fee_on(amount),
                });
            }
            vec![event(
                at,
                Actor::System,
                Op::DisputeDefaulted {
                    refund: i as u32 + 1,
                },
                Some(amount),
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
                Op::MilestoneAutoReleased { milestone: n },
                Some(amount),
            )]
        }
        TimerKind::FeedbackWindowClose => {
            let mut closed = [None, None];
            for (i, role) in Role::ALL.iter().enumerate() {
                if let Some(f) = c.feedback_mut(*role) {
                    let after = match f.status {
                        FeedbackStatus::Submitted => FeedbackStatus::Revealed,
                        FeedbackStatus::Pending => FeedbackStatus::Expired,
                        _ => continue,
                    };
                    f.status = after;
                    closed[i] = Some(after);
                }
            }
            vec![event(
                at,
                Actor::System,
                Op::FeedbackWindowClosed {
                    client_feedback: closed[0],
                    freelancer_feedback: closed[1],
                },
                None,
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
            .map(|e| (e.kind().as_str(), e.at))
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
