//! The weekly limit and hourly disputes \[211062158\].

use super::billing::*;
use super::week_file::*;
use crate::core::error::{AfterEnd, HourlyOnly, Refusal, RuleError, refused};
use crate::core::model::*;
use crate::core::money::Money;
use crate::core::step::transition;
use crate::core::week::{Stage, Week};
use crate::core::{Outcome, Settings};

/// `limit ID HOURS|none` (client, hourly): a raise applies at once, a cut
/// from the next Monday 00:00 UTC \[211062418\].
pub(crate) fn set_limit(
    c: &Contract,
    hours: Option<u32>,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| {
        if let Some(e) = &c.ending {
            return refused(Refusal::Ended {
                id: c.id.clone(),
                at: e.at,
                what: AfterEnd::Limit,
            });
        }
        let week = Week::of(now);
        let current = limit_for(c, week);
        let next = limit_for(c, week.next());
        let Terms::Hourly { limit_changes, .. } = &mut c.terms else {
            return refused(Refusal::NotHourly {
                id: c.id.clone(),
                what: HourlyOnly::Limit,
            });
        };
        let cap = |h: Option<u32>| h.map_or(u64::MAX, u64::from);
        if hours == current && hours == next {
            return refused(Refusal::LimitUnchanged { hours });
        }
        // A raise counts from now; a cut from next Monday (this week keeps
        // the limit its time was logged under).
        let from = if cap(hours) >= cap(current) {
            now
        } else {
            week.end()
        };
        // A later change replaces changes not yet in effect.
        limit_changes.retain(|l| l.from <= now);
        limit_changes.push(LimitChange {
            at: now,
            from,
            hours,
        });
        Ok(vec![event(
            now,
            Actor::Client,
            Op::LimitChanged {
                from,
                hours,
                previous: current,
            },
            None,
        )])
    })
}

/// What an hourly dispute command does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisputeAction {
    /// The client opens one, with a reason.
    Open(String),
    /// The freelancer accepts: the week's amount is refunded.
    Accept,
    /// The freelancer declines: the hours stand.
    Decline,
    /// The client withdraws: billed as normal.
    Withdraw,
}

/// `diary dispute` \[211062158\]: the client may dispute a week while it is
/// invoiced (also after the end); an active contract is paused. The
/// freelancer accepts (the week's bill is refunded) or declines; the client
/// may withdraw. A dispute that ends after the week settled releases its
/// pay then. `wf` is the disputed week's file, if it has one.
pub(crate) fn dispute(
    c: &Contract,
    week: Week,
    action: DisputeAction,
    wf: Option<&WeekFile>,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| {
        if c.kind() != Kind::Hourly {
            return refused(Refusal::NotHourly {
                id: c.id.clone(),
                what: HourlyOnly::Dispute,
            });
        }
        let open = c
            .disputes
            .iter()
            .position(|d| d.week == week && d.status == DisputeStatus::Open);
        match action {
            DisputeAction::Open(reason) => {
                if week.stage(now) != Stage::Invoiced {
                    return refused(Refusal::NotDisputable {
                        week,
                        stage: week.stage(now),
                        now,
                    });
                }
                if c.disputes.iter().any(|d| d.week == week) {
                    return refused(Refusal::AlreadyDisputed {
                        id: c.id.clone(),
                        week,
                    });
                }
                let paused = c.status == Status::Active;
                if paused {
                    c.status = Status::Paused;
                }
                c.disputes.push(HourlyDispute {
                    week,
                    reason: reason.clone(),
                    status: DisputeStatus::Open,
                    opened_at: now,
                    closed_at: None,
                    refunded: None,
                });
                Ok(vec![event(
                    now,
                    Actor::Client,
                    Op::WeekDisputed {
                        week,
                        reason,
                        paused: paused.then_some(true),
                    },
                    None,
                )])
            }
            DisputeAction::Accept => {
                let i = open.ok_or_else(|| no_open(c, week))?;
                let amount = wf.map_or(Money::ZERO, |wf| bill(c, wf, settings, now).amount);
                let d = &mut c.disputes[i];
                d.status = DisputeStatus::Accepted;
                d.closed_at = Some(now);
                d.refunded = Some(amount);
                Ok(vec![event(
                    now,
                    Actor::Freelancer,
                    Op::DisputeAccepted { week },
                    Some(amount),
                )])
            }
            DisputeAction::Decline => {
                let i = open.ok_or_else(|| no_open(c, week))?;
                c.disputes[i].status = DisputeStatus::Declined;
                c.disputes[i].closed_at = Some(now);
                let mut evs = vec![event(
                    now,
                    Actor::Freelancer,
                    Op::DisputeDeclined { week },
                    None,
                )];
                evs.extend(release_held(c, week, wf, settings, now));
                Ok(evs)
            }
            DisputeAction::Withdraw => {
                let i = open.ok_or_else(|| no_open(c, week))?;
                c.disputes[i].status = DisputeStatus::Withdrawn;
                c.disputes[i].closed_at = Some(now);
                let mut evs = vec![event(
                    now,
                    Actor::Client,
                    Op::DisputeWithdrawn { week },
                    None,
                )];
                evs.extend(release_held(c, week, wf, settings, now));
                Ok(evs)
            }
        }
    })
}

/// A dispute ended without a refund after its week settled: the pay it held
/// is recorded now.
fn release_held(
    c: &mut Contract,
    week: Week,
    wf: Option<&WeekFile>,
    settings: &Settings,
    now: Instant,
) -> Option<Event> {
    let wf = wf.filter(|wf| !wf.entries.is_empty() && wf.week == week)?;
    let paid = c.payments.iter().any(|p| p.week == Some(week));
    (now >= week.settled_from() && !paid)
        .then(|| crate::core::timers::pay_week(c, wf, settings, now))
}

fn no_open(c: &Contract, week: Week) -> RuleError {
    RuleError::Refused(Refusal::NoOpenDispute {
        id: c.id.clone(),
        week,
    })
}
