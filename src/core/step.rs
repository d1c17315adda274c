//! The one way a rule changes a contract: due timers first, then the
//! rule's own step, then the checks every new state must pass.

use super::error::{AfterEnd, Amount, Latest, Refusal, RuleError, refused};
use super::model::*;
use super::money::Money;
use super::timers;
use super::{Outcome, Settings};

/// Applies due timers, then `step` on the result; returns both sets of
/// events. Refuses a change dated before the contract's latest event, and a
/// result outside the money range; a result that breaks another invariant is
/// an internal error, never written.
pub fn transition(
    c: &Contract,
    settings: &Settings,
    now: Instant,
    step: impl FnOnce(&mut Contract) -> Result<Vec<Event>, RuleError>,
) -> Result<Outcome, RuleError> {
    if c.status == Status::Offered {
        return refused(Refusal::Offer {
            id: c.id.clone(),
            client: c.client.clone(),
            freelancer: c.freelancer.clone(),
            diary: false,
        });
    }
    offer_transition(c, settings, now, step)
}

/// [`transition`] for the answers to an offer, which is not active yet.
pub(crate) fn offer_transition(
    c: &Contract,
    settings: &Settings,
    now: Instant,
    step: impl FnOnce(&mut Contract) -> Result<Vec<Event>, RuleError>,
) -> Result<Outcome, RuleError> {
    refuse_before_latest(c, now)?;
    let Outcome {
        mut contract,
        mut events,
    } = timers::advance(c, settings, now);
    let own = step(&mut contract)?;
    contract.history.extend(own.iter().cloned());
    events.extend(own);
    guard(&contract, settings)?;
    Ok(Outcome { contract, events })
}

/// The ledger's clock only moves forward: refuses a change of `c` at `now`
/// when its history holds a later event, naming that event.
pub fn refuse_before_latest(c: &Contract, now: Instant) -> Result<(), RuleError> {
    match c.latest_event() {
        Some(e) if now < e.at => refused(Refusal::BeforeLatest {
            id: c.id.clone(),
            now,
            latest: Latest::Event {
                kind: e.kind().to_string(),
                by: e.actor.to_string(),
                at: e.at,
            },
        }),
        _ => Ok(()),
    }
}

/// What every new state must satisfy before it may be written: amounts in
/// the money range (else a refusal naming the amount), and every invariant
/// of [`super::validate::contract`] (else an internal error).
pub fn guard(c: &Contract, settings: &Settings) -> Result<(), RuleError> {
    let cur = settings.currency;
    if let Some((what, m)) = super::validate::out_of_range(c) {
        return refused(Refusal::OutOfRange {
            what,
            id: c.id.clone(),
            amount: Amount::new(cur, m),
            max: Amount::new(cur, Money::from_minor(super::money::MAX_MINOR)),
        });
    }
    if let Some((what, t)) = super::validate::out_of_time(c) {
        return refused(Refusal::OutOfTime {
            what: what.to_string(),
            id: c.id.clone(),
            at: t,
            last_year: super::validate::LAST_YEAR,
        });
    }
    let problems = super::validate::contract(c);
    if let Some(p) = problems.first() {
        return Err(RuleError::Internal(format!(
            "the change would leave {} inconsistent ({}: {}); nothing was written",
            c.id, p.path, p.message
        )));
    }
    Ok(())
}

/// Refuses anything on an ended contract: "cannot {doing}: c7 ended on ...".
pub(crate) fn refuse_if_ended(c: &Contract, doing: &str) -> Result<(), RuleError> {
    if let Some(e) = &c.ending {
        return refused(Refusal::Ended {
            id: c.id.clone(),
            at: e.at,
            what: AfterEnd::Doing(doing.to_string()),
        });
    }
    Ok(())
}

/// Gives the events a command made (those without an id) the id of its
/// operation: `op` for the first, `op.2`, `op.3`, ... for the rest, in the
/// contract's history and in what the command reports alike. Timers'
/// events have theirs already (see [`Event::timer_id`]).
pub fn stamp(outcome: &mut Outcome, op: &str) {
    fn give(events: &mut [Event], op: &str) {
        for (k, e) in events.iter_mut().filter(|e| e.id.is_empty()).enumerate() {
            e.id = if k == 0 {
                op.to_string()
            } else {
                format!("{op}.{}", k + 1)
            };
        }
    }
    give(&mut outcome.contract.history, op);
    give(&mut outcome.events, op);
}
