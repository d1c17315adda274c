//! Escrow of fixed-price contracts: milestones \[211068218\], refund requests
//! \[211062058\], escrow disputes \[211062068\] and refunds given by the
//! freelancer \[211068538\].

use super::accounts::{
    carry_leftovers, close_if_empty, milestone_escrow, milestone_held, release, settle_refund,
};
pub use super::error::FixedOnly;
use super::error::{Amount, MilestoneStep, Refusal, RuleError, refused};
use super::lifecycle::REFUND_ANSWER_DAYS;
use super::model::*;
use super::money::Money;
use super::step::{refuse_if_ended, transition};
use super::week::utc_words;
use super::{Outcome, Settings};
use chrono::{Datelike, Duration, Weekday};

/// Business hours (Mon–Fri, UTC) the client has to answer a disputed refund:
/// 5 business days.
pub const DISPUTE_ANSWER_BUSINESS_HOURS: i64 = 5 * 24;
/// Days back a freelancer may give refunds of released payments.
pub const GIVE_WINDOW_DAYS: i64 = 180;

/// `t` plus `hours` of weekday time (Mon–Fri, UTC): weekend hours do not
/// count, so 120 hours from Fri 23:59 end on the next Fri 23:59, and from
/// any time on Sat or Sun on the next Sat 00:00.
pub fn add_business_hours(t: Instant, hours: i64) -> Instant {
    let mut at = t;
    let mut left = Duration::hours(hours);
    loop {
        let day_start = at.date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
        let next_day = day_start + Duration::days(1);
        if matches!(at.weekday(), Weekday::Sat | Weekday::Sun) {
            at = next_day;
            continue;
        }
        let today = next_day - at;
        if left <= today {
            return at + left;
        }
        left -= today;
        at = next_day;
    }
}

/// Refuses `what` (milestones, refunds) on an hourly contract.
pub fn fixed_only(c: &Contract, what: FixedOnly) -> Result<(), RuleError> {
    if c.kind() != Kind::Fixed {
        return refused(Refusal::NotFixed {
            id: c.id.clone(),
            what,
        });
    }
    Ok(())
}

/// What every milestone command checks first: a fixed contract, not ended
/// (the party is `apply`'s to check).
fn milestone_guard(c: &Contract, doing: &str) -> Result<(), RuleError> {
    fixed_only(c, FixedOnly::Milestones)?;
    refuse_if_ended(c, doing)
}

/// Resolves a milestone number (1-based), defaulting to the funded one.
fn pick(c: &Contract, n: Option<u32>) -> Result<u32, RuleError> {
    match n {
        Some(n) if n >= 1 && (n as usize) <= c.milestones.len() => Ok(n),
        Some(n) => Err(RuleError::NotFound(format!(
            "{} has no milestone {n} (it has {})",
            c.id,
            c.milestones.len()
        ))),
        None => c.funded_milestone().ok_or_else(|| {
            // Say what became of the last one that was funded.
            let last = c
                .milestones
                .iter()
                .rposition(|m| m.funded_at.is_some())
                .map(|i| i as u32 + 1);
            let what = last
                .map(|n| {
                    let released = c.payments.iter().rfind(|p| p.milestone == Some(n));
                    match (c.milestones[n as usize - 1].status, released) {
                        (MilestoneStatus::Released, Some(p)) => format!(
                            "milestone {n} was released on {}{}",
                            utc_words(p.at),
                            if c.history.iter().any(|e| e.counts() && e.kind() == EventKind::MilestoneAutoReleased && e.at == p.at) {
                                " (by the system: no client action within 14 days of its submission)"
                            } else {
                                ""
                            }
                        ),
                        (s, _) => format!("milestone {n} is {s}"),
                    }
                })
                .unwrap_or_else(|| "none has been funded yet".into());
            RuleError::Refused(Refusal::NoFundedMilestone {
                id: c.id.clone(),
                why: Some(what),
            })
        }),
    }
}

fn fund_in(c: &mut Contract, n: u32, now: Instant) -> Result<Event, RuleError> {
    if let Some(f) = c.funded_milestone() {
        return refused(Refusal::StillFunded {
            id: c.id.clone(),
            milestone: f,
        });
    }
    carry_leftovers(c, n);
    // Money carried over from an earlier milestone, less what was refunded of it.
    let carried = milestone_escrow(c, n).max(Money::ZERO);
    let m = &mut c.milestones[n as usize - 1];
    if m.status != MilestoneStatus::Pending {
        return refused(Refusal::MilestoneState {
            id: c.id.clone(),
            milestone: n,
            status: m.status,
            step: MilestoneStep::Fund,
        });
    }
    let top_up = m.amount - carried.min(m.amount);
    m.funded += top_up;
    m.status = MilestoneStatus::Funded;
    m.funded_at = Some(now);
    Ok(event(
        now,
        Actor::Client,
        Op::MilestoneFunded {
            milestone: n,
            carried: (!carried.is_zero()).then_some(carried),
        },
        Some(top_up),
    ))
}

/// `milestone add` (client): at least 5.00; `fund` puts it in escrow at once.
pub(crate) fn add_milestone(
    c: &Contract,
    title: String,
    amount: Money,
    fund: bool,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    let cur = settings.currency;
    transition(c, settings, now, |c| {
        milestone_guard(c, "add milestones")?;
        if title.trim().is_empty() {
            return refused(Refusal::Empty {
                what: "milestone title".into(),
            });
        }
        let min = cur.major(super::lifecycle::MIN_MILESTONE_MAJOR);
        if amount < min {
            return refused(Refusal::MilestoneTooSmall {
                title: None,
                amount: Amount::new(cur, amount),
                min: Amount::new(cur, min),
            });
        }
        c.milestones.push(Milestone {
            title: title.clone(),
            amount,
            status: MilestoneStatus::Pending,
            funded: Money::ZERO,
            funded_at: None,
            submitted_at: None,
        });
        let n = c.milestones.len() as u32;
        if let Terms::Fixed { price } = &mut c.terms {
            *price += amount;
        }
        carry_leftovers(c, n);
        let mut evs = vec![event(
            now,
            Actor::Client,
            Op::MilestoneAdded {
                milestone: n,
                title,
                fund: fund.then_some(true),
            },
            Some(amount),
        )];
        if fund {
            evs.push(fund_in(c, n, now)?);
        }
        Ok(evs)
    })
}

/// `milestone fund` (client): the next pending milestone by default; only one
/// is funded at a time.
pub(crate) fn fund(
    c: &Contract,
    n: Option<u32>,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| {
        milestone_guard(c, "fund milestones")?;
        let n = match n {
            Some(n) => pick(c, Some(n))?,
            None => c
                .milestones
                .iter()
                .position(|m| m.status == MilestoneStatus::Pending)
                .map(|i| i as u32 + 1)
                .ok_or_else(|| RuleError::Refused(Refusal::AllFunded { id: c.id.clone() }))?,
        };
        Ok(vec![fund_in(c, n, now)?])
    })
}

/// `milestone submit` (freelancer): starts the 14-day clock.
pub(crate) fn submit(
    c: &Contract,
    n: Option<u32>,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| {
        milestone_guard(c, "submit work")?;
        let n = pick(c, n)?;
        let m = &mut c.milestones[n as usize - 1];
        match m.status {
            MilestoneStatus::Funded => {}
            MilestoneStatus::Submitted => {
                return refused(Refusal::AlreadySubmitted {
                    id: c.id.clone(),
                    milestone: n,
                    at: m.submitted_at,
                });
            }
            s => {
                return refused(Refusal::MilestoneState {
                    id: c.id.clone(),
                    milestone: n,
                    status: s,
                    step: MilestoneStep::Submit,
                });
            }
        }
        m.status = MilestoneStatus::Submitted;
        m.submitted_at = Some(now);
        let due = super::timers::auto_release_at(now);
        Ok(vec![event(
            now,
            Actor::Freelancer,
            Op::MilestoneSubmitted { milestone: n, due },
            None,
        )])
    })
}

/// `milestone request-changes` (client): stops the clock until resubmitted.
pub(crate) fn request_changes(
    c: &Contract,
    n: Option<u32>,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| {
        milestone_guard(c, "request changes")?;
        let n = pick(c, n)?;
        let m = &mut c.milestones[n as usize - 1];
        if m.status != MilestoneStatus::Submitted {
            return refused(Refusal::MilestoneState {
                id: c.id.clone(),
                milestone: n,
                status: m.status,
                step: MilestoneStep::RequestChanges,
            });
        }
        m.status = MilestoneStatus::Funded;
        m.submitted_at = None;
        Ok(vec![event(
            now,
            Actor::Client,
            Op::ChangesRequested { milestone: n },
            None,
        )])
    })
}

/// `milestone approve` (client): releases all of the milestone's free
/// escrow, or `amount` of it; the rest carries to the next milestone (or, if
/// there is none, stays in escrow to be refunded at the end).
pub(crate) fn approve(
    c: &Contract,
    n: Option<u32>,
    amount: Option<Money>,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    let cur = settings.currency;
    transition(c, settings, now, |c| {
        milestone_guard(c, "approve milestones")?;
        let n = pick(c, n)?;
        let status = c.milestones[n as usize - 1].status;
        if !matches!(status, MilestoneStatus::Funded | MilestoneStatus::Submitted) {
            return refused(Refusal::MilestoneState {
                id: c.id.clone(),
                milestone: n,
                status,
                step: MilestoneStep::Approve,
            });
        }
        // An open refund request holds the milestone until it is settled:
        // what is released, and what carries on, depends on its outcome.
        let held = milestone_held(c, n);
        if held > Money::ZERO {
            return refused(Refusal::HeldByRefund {
                id: c.id.clone(),
                milestone: n,
                held: Amount::new(cur, held),
                status: c
                    .refunds
                    .iter()
                    .find(|r| r.milestone == Some(n) && r.status.is_open())
                    .map_or("open", |r| r.status.as_str())
                    .to_string(),
            });
        }
        let free = milestone_escrow(c, n);
        let pay = amount.unwrap_or(free);
        if pay > free {
            return refused(Refusal::ReleaseAboveFree {
                id: c.id.clone(),
                milestone: n,
                pay: Amount::new(cur, pay),
                free: Amount::new(cur, free),
            });
        }
        if pay.is_zero() {
            return refused(Refusal::NothingToRelease);
        }
        release(c, settings, n, pay, now);
        c.milestones[n as usize - 1].status = MilestoneStatus::Released;
        let rest = free - pay;
        let mut carried_to = None;
        if !rest.is_zero() {
            // The rest carries to the next milestone still pending.
            let next = c
                .milestones
                .iter()
                .enumerate()
                .skip(n as usize)
                .find(|(_, m)| m.status == MilestoneStatus::Pending)
                .map(|(i, _)| i);
            if let Some(j) = next {
                c.milestones[n as usize - 1].funded -= rest;
                c.milestones[j].funded += rest;
                carried_to = Some(j as u32 + 1);
            }
        }
        Ok(vec![event(
            now,
            Actor::Client,
            Op::MilestoneApproved {
                milestone: n,
                fee: settings.fee_on(pay),
                rest: (!rest.is_zero()).then_some(rest),
                carried_to,
                asked: amount,
            },
            Some(pay),
        )])
    })
}

/// The oldest refund in one of `status`: with two open, answers go to them
/// in the order they were made (their deadlines come in that order too).
fn open_refund(c: &Contract, status: &[RefundStatus], what: &str) -> Result<usize, RuleError> {
    c.refunds
        .iter()
        .position(|r| status.contains(&r.status))
        .ok_or_else(|| {
            RuleError::Refused(Refusal::NoOpenRefund {
                id: c.id.clone(),
                doing: what.to_string(),
                open: c
                    .refunds
                    .iter()
                    .filter(|r| r.status.is_open())
                    .map(|r| r.status)
                    .collect(),
            })
        })
}

/// `refund request` (client): of a funded milestone's free escrow (all, or
/// `amount`); the freelancer has 7 days to approve or dispute.
pub(crate) fn request(
    c: &Contract,
    amount: Option<Money>,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    let cur = settings.currency;
    transition(c, settings, now, |c| {
        fixed_only(c, FixedOnly::Refunds)?;
        if let Some(i) = c.refunds.iter().position(|r| r.status.is_open()) {
            return refused(Refusal::RefundOpen {
                id: c.id.clone(),
                refund: i as u32 + 1,
                status: c.refunds[i].status,
            });
        }
        // A request concerns the funded milestone (SPEC: "for a funded milestone").
        let Some(n) = c.funded_milestone() else {
            return refused(Refusal::NoFundedMilestone {
                id: c.id.clone(),
                why: None,
            });
        };
        let free = milestone_escrow(c, n) - milestone_held(c, n);
        if free <= Money::ZERO {
            return refused(Refusal::NothingToRefund {
                id: c.id.clone(),
                milestone: n,
            });
        }
        let asked = amount;
        let amount = amount.unwrap_or(free);
        if amount.is_zero() || amount > free {
            return refused(Refusal::RefundAmount {
                amount: Amount::new(cur, amount),
                free: Amount::new(cur, free),
                milestone: n,
            });
        }
        let deadline = now + Duration::days(REFUND_ANSWER_DAYS);
        c.refunds.push(Refund::requested(
            RefundOrigin::Request,
            Some(n),
            amount,
            now,
            deadline,
        ));
        Ok(vec![event(
            now,
            Actor::Client,
            Op::RefundRequested {
                refund: c.refunds.len() as u32,
                milestone: n,
                deadline,
                ending: None,
                asked,
            },
            Some(amount),
        )])
    })
}

/// `refund approve` (freelancer): the requested money returns to the client.
pub(crate) fn approve_refund(
    c: &Contract,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| {
        let i = open_refund(c, &[RefundStatus::Requested], "approve")?;
        let (amount, n) = settle_refund(c, i, RefundStatus::Refunded, now);
        if let Some(n) = n {
            close_if_empty(c, n);
        }
        Ok(vec![event(
            now,
            Actor::Freelancer,
            Op::RefundApproved {
                refund: i as u32 + 1,
            },
            Some(amount),
        )])
    })
}

/// `refund dispute` (freelancer, within 7 days): the client then has 5
/// business days to concede or escalate.
pub(crate) fn dispute(
    c: &Contract,
    note: Option<String>,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| {
        let i = open_refund(c, &[RefundStatus::Requested], "dispute")?;
        let due = add_business_hours(now, DISPUTE_ANSWER_BUSINESS_HOURS);
        let r = &mut c.refunds[i];
        r.status = RefundStatus::Disputed;
        r.disputed_at = Some(now);
        r.dispute_deadline = Some(due);
        r.note = note.clone();
        let amount = r.amount;
        Ok(vec![event(
            now,
            Actor::Freelancer,
            Op::RefundDisputed {
                refund: i as u32 + 1,
                deadline: due,
                note,
            },
            Some(amount),
        )])
    })
}

/// `refund concede` (client): the disputed money is released to the freelancer.
pub(crate) fn concede(
    c: &Contract,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| {
        let i = open_refund(c, &[RefundStatus::Disputed], "concede")?;
        let (amount, n) = settle_refund(c, i, RefundStatus::Released, now);
        pay_out(c, settings, n, amount, now);
        Ok(vec![event(
            now,
            Actor::Client,
            Op::DisputeConceded {
                refund: i as u32 + 1,
            },
            Some(amount),
        )])
    })
}

fn pay_out(c: &mut Contract, settings: &Settings, n: Option<u32>, amount: Money, at: Instant) {
    match n {
        Some(n) => release(c, settings, n, amount, at),
        None => c.payments.push(Payment {
            at,
            milestone: None,
            week: None,
            amount,
            fee: settings.fee_on(amount),
        }),
    }
}

/// `refund escalate` (client): mediation; ends with `refund resolve`.
pub(crate) fn escalate(
    c: &Contract,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| {
        let i = open_refund(c, &[RefundStatus::Disputed], "escalate")?;
        c.refunds[i].status = RefundStatus::Escalated;
        let amount = c.refunds[i].amount;
        Ok(vec![event(
            now,
            Actor::Client,
            Op::DisputeEscalated {
                refund: i as u32 + 1,
            },
            Some(amount),
        )])
    })
}

/// `refund resolve` (either party records mediation's outcome): the parts
/// must add up to the disputed amount exactly.
pub(crate) fn resolve(
    c: &Contract,
    role: Role,
    client_part: Money,
    freelancer_part: Money,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    let cur = settings.currency;
    transition(c, settings, now, |c| {
        let i = open_refund(c, &[RefundStatus::Escalated], "resolve")?;
        let amount = c.refunds[i].amount;
        if client_part.checked_add(freelancer_part) != Some(amount) {
            return refused(Refusal::PartsNotDisputed {
                sum: Amount::new(cur, client_part + freelancer_part),
                disputed: Amount::new(cur, amount),
            });
        }
        let r = &mut c.refunds[i];
        r.status = RefundStatus::Resolved;
        r.settled_at = Some(now);
        r.client_part = Some(client_part);
        let n = r.milestone;
        if !freelancer_part.is_zero() {
            pay_out(c, settings, n, freelancer_part, now);
        }
        if let Some(n) = n {
            close_if_empty(c, n);
        }
        Ok(vec![event(
            now,
            role.actor(),
            Op::DisputeResolved {
                refund: i as u32 + 1,
                client_part,
            },
            Some(amount),
        )])
    })
}

/// The net the freelancer was paid in the last 180 days (released
/// milestones, settled hourly weeks), less what was already given back in
/// that window: the most `refund give` accepts.
pub fn giveable(c: &Contract, now: Instant) -> Money {
    let since = now - Duration::days(GIVE_WINDOW_DAYS);
    let net: Money = c
        .payments
        .iter()
        .filter(|p| p.at > since && p.at <= now)
        .map(|p| p.amount - p.fee)
        .sum();
    let given: Money = c
        .refunds
        .iter()
        .filter(|r| r.origin == RefundOrigin::Given && r.requested_at > since)
        .map(|r| r.amount)
        .sum();
    (net - given).max(Money::ZERO)
}

/// `refund give` (freelancer): gives back released money; final; the fee on
/// it is returned to the freelancer.
pub(crate) fn give(
    c: &Contract,
    amount: Money,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    let cur = settings.currency;
    transition(c, settings, now, |c| {
        let max = giveable(c, now);
        if amount.is_zero() || amount > max {
            return refused(Refusal::GiveAmount {
                id: c.id.clone(),
                amount: Amount::new(cur, amount),
                max: Amount::new(cur, max),
            });
        }
        // The fee returned never exceeds the fee charged (rounding per give
        // could otherwise return a cent more than was taken).
        let fee = settings.fee_on(amount).min(c.totals().fee.max(Money::ZERO));
        c.refunds.push(Refund::done(
            RefundOrigin::Given,
            None,
            amount,
            now,
            Some(fee),
        ));
        Ok(vec![event(
            now,
            Actor::Freelancer,
            Op::RefundGiven {
                refund: c.refunds.len() as u32,
                fee,
            },
            Some(amount),
        )])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lifecycle::tests as lt;
    use crate::core::timers::advance;

    fn t(s: &str) -> Instant {
        lt::t(s)
    }
    fn usd(s: &str) -> Money {
        lt::settings().currency.parse(s).unwrap()
    }
    const NOW: &str = "2026-11-18T10:00:00Z"; // a Wednesday

    #[test]
    fn five_business_days_are_120_weekday_hours() {
        let due = |s: &str| add_business_hours(t(s), DISPUTE_ANSWER_BUSINESS_HOURS);
        // Wednesday and Friday: a week later at the same time.
        assert_eq!(due("2026-11-18T10:00:00Z"), t("2026-11-25T10:00:00Z"));
        assert_eq!(due("2026-11-20T10:00:00Z"), t("2026-11-27T10:00:00Z"));
        // SPEC's examples: Fri 23:59 -> next Fri 23:59; any time on the
        // weekend -> next Sat 00:00.
        assert_eq!(due("2026-11-20T23:59:00Z"), t("2026-11-27T23:59:00Z"));
        assert_eq!(due("2026-11-21T00:00:00Z"), t("2026-11-28T00:00:00Z"));
        assert_eq!(due("2026-11-22T23:59:59Z"), t("2026-11-28T00:00:00Z"));
        // Monday midnight: the whole week, to Saturday 00:00.
        assert_eq!(due("2026-11-23T00:00:00Z"), t("2026-11-28T00:00:00Z"));
    }

    #[test]
    fn milestone_cycle_with_partial_approval_carries_the_rest() {
        let s = lt::settings();
        let c = lt::fixed("500");
        let c = add_milestone(&c, "Two".into(), usd("300"), false, &s, t(NOW))
            .unwrap()
            .contract;
        assert!(add_milestone(&c, "Tiny".into(), usd("4.99"), false, &s, t(NOW)).is_err());
        assert!(
            fund(&c, Some(2), &s, t(NOW)).is_err(),
            "one funded at a time"
        );
        let c = submit(&c, None, &s, t(NOW)).unwrap().contract;
        let c = request_changes(&c, None, &s, t(NOW)).unwrap().contract;
        assert_eq!(c.milestones[0].submitted_at, None);
        let c = submit(&c, None, &s, t(NOW)).unwrap().contract;
        let c = approve(&c, None, Some(usd("400")), &s, t(NOW))
            .unwrap()
            .contract;
        assert_eq!(c.milestones[0].status, MilestoneStatus::Released);
        assert_eq!(c.milestones[1].funded, usd("100"));
        let c = fund(&c, None, &s, t(NOW)).unwrap().contract;
        assert_eq!(c.milestones[1].funded, usd("300"));
        let tot = c.totals();
        assert_eq!(
            (tot.funded, tot.paid, tot.escrow),
            (usd("700"), usd("400"), usd("300"))
        );
    }

    #[test]
    fn milestone_auto_release_after_14_days() {
        let s = lt::settings();
        let c = submit(&lt::fixed("500"), None, &s, t(NOW))
            .unwrap()
            .contract;
        assert!(advance(&c, &s, t("2026-12-02T09:59:59Z")).events.is_empty());
        let o = advance(&c, &s, t("2026-12-02T10:00:00Z"));
        assert_eq!(o.events[0].kind().as_str(), "milestone_auto_released");
        assert_eq!(o.contract.totals().paid, usd("500"));
    }

    #[test]
    fn refund_request_dispute_default_release() {
        let s = lt::settings();
        let c = request(&lt::fixed("500"), Some(usd("200")), &s, t(NOW))
            .unwrap()
            .contract;
        assert!(request(&c, None, &s, t(NOW)).is_err(), "one open at a time");
        let d = dispute(&c, Some("delivered".into()), &s, t(NOW))
            .unwrap()
            .contract;
        let due = t("2026-11-25T10:00:00Z");
        assert_eq!(d.refunds[0].dispute_deadline, Some(due));
        assert!(
            advance(&d, &s, due - Duration::seconds(1))
                .events
                .is_empty()
        );
        let o = advance(&d, &s, due);
        assert_eq!(o.contract.refunds[0].status, RefundStatus::Released);
        assert_eq!(o.contract.totals().paid, usd("200"));
        assert_eq!(o.contract.totals().escrow, usd("300"));
        // after the deadline the client can no longer concede
        assert!(concede(&d, &s, due).is_err());
        assert!(concede(&d, &s, due - Duration::seconds(1)).is_ok());
    }

    #[test]
    fn refund_answer_window() {
        let s = lt::settings();
        let c = request(&lt::fixed("500"), None, &s, t(NOW))
            .unwrap()
            .contract;
        let due = t("2026-11-25T10:00:00Z");
        assert!(dispute(&c, None, &s, due - Duration::seconds(1)).is_ok());
        assert!(dispute(&c, None, &s, due).is_err());
        let a = approve_refund(&c, &s, t(NOW)).unwrap().contract;
        assert_eq!(a.totals().refunded, usd("500"));
        assert_eq!(a.milestones[0].status, MilestoneStatus::Refunded);
    }

    #[test]
    fn resolve_parts_must_add_up() {
        let s = lt::settings();
        let c = request(&lt::fixed("500"), Some(usd("50")), &s, t(NOW))
            .unwrap()
            .contract;
        let c = dispute(&c, None, &s, t(NOW)).unwrap().contract;
        let c = escalate(&c, &s, t(NOW)).unwrap().contract;
        assert!(
            advance(&c, &s, t("2027-06-01T00:00:00Z")).events.is_empty(),
            "mediation has no timer"
        );
        assert!(resolve(&c, Role::Client, usd("20"), usd("29.99"), &s, t(NOW)).is_err());
        let r = resolve(&c, Role::Client, usd("20"), usd("30"), &s, t(NOW))
            .unwrap()
            .contract;
        let tot = r.totals();
        assert_eq!(
            (tot.refunded, tot.paid, tot.escrow),
            (usd("20"), usd("30"), usd("450"))
        );
    }

    #[test]
    fn give_within_180_days_at_most_net() {
        let s = lt::settings();
        let c = approve(&lt::fixed("500"), None, None, &s, t(NOW))
            .unwrap()
            .contract;
        // net paid: 500 - 50 fee = 450
        assert!(give(&c, usd("450.01"), &s, t(NOW)).is_err());
        // Only the freelancer gives a refund (declared with the request).
        let cx = crate::core::apply::Context {
            settings: &s,
            weeks: &[],
        };
        let req = crate::core::apply::Request::RefundGive { amount: usd("10") };
        assert!(crate::core::apply::apply(&c, Role::Client, &req, &cx, t(NOW)).is_err());
        let g = give(&c, usd("100"), &s, t(NOW)).unwrap().contract;
        let tot = g.totals();
        assert_eq!(
            (tot.paid, tot.fee, tot.refunded),
            (usd("400"), usd("40"), usd("100"))
        );
        assert!(give(&g, usd("350.01"), &s, t(NOW)).is_err());
        let late = t(NOW) + Duration::days(GIVE_WINDOW_DAYS);
        assert!(give(&c, usd("1"), &s, late).is_err());
    }

    #[test]
    fn an_hourly_contract_gives_from_its_settled_weeks_in_the_window() {
        let s = lt::settings();
        let mut c = lt::hourly();
        assert_eq!(giveable(&c, t(NOW)), Money::ZERO);
        let week = |at: &str, amount: &str, fee: &str| Payment {
            at: t(at),
            milestone: None,
            week: Some(crate::core::week::Week::of(t(at) - Duration::days(12))),
            amount: usd(amount),
            fee: usd(fee),
        };
        // Two settled weeks in the window, one before it.
        c.payments = vec![
            week("2026-03-01T00:00:00Z", "1000", "100"),
            week("2026-11-07T00:00:00Z", "200", "20"),
            week("2026-11-14T00:00:00Z", "300", "30"),
        ];
        assert_eq!(giveable(&c, t(NOW)), usd("450"));
        assert!(give(&c, usd("450.01"), &s, t(NOW)).is_err());
        let g = give(&c, usd("400"), &s, t(NOW)).unwrap().contract;
        // The fee on it (10 %) is returned; what is left to give shrinks.
        assert_eq!(g.refunds[0].fee_returned, Some(usd("40")));
        assert_eq!(giveable(&g, t(NOW)), usd("50"));
        assert!(give(&g, usd("50.01"), &s, t(NOW)).is_err());
    }
}
