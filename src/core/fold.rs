//! The fold (SPEC §2, "Operations and the fold"): a contract's state is
//! what its terms and its operations, applied in order through the one
//! [`apply`], give at an instant, with the timers derived between them.
//! `check` folds every contract again and compares; `sync`'s merge folds
//! the union of two clones' operations.

use super::apply::{Context, Request, apply};
use super::diary::hourly::DisputeAction;
use super::diary::week_file::WeekFile;
use super::error::{NotReapplied, RuleError};
use super::feedback::GiveRequest;
use super::lifecycle::{self, EndRequest, NewContract, NewTerms, Pay};
use super::model::*;
use super::money::Money;
use super::step::stamp;
use super::{Outcome, Settings, timers};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One operation: the events one command recorded, the first its own.
pub(crate) struct Operation<'a> {
    /// Its id (its first event's).
    pub id: &'a str,
    /// Its events, the first its own.
    pub events: Vec<&'a Event>,
    /// The clone it was made in (feedback is re-applied from its record).
    pub side: &'a Contract,
}

impl Operation<'_> {
    /// Its own event.
    pub fn head(&self) -> &Event {
        self.events[0]
    }
}

/// The operation an event belongs to: its id up to the first `.`.
pub fn operation_of(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

/// The operations of `side` made after `base`, by id; timers' events are
/// left out (they are re-derived).
pub(crate) fn operations<'a>(
    base_ids: &std::collections::HashSet<&str>,
    side: &'a Contract,
    into: &mut BTreeMap<&'a str, Operation<'a>>,
) {
    for e in &side.history {
        if base_ids.contains(e.id.as_str()) || e.actor == Actor::System {
            continue;
        }
        let id = operation_of(&e.id);
        into.entry(id)
            .or_insert_with(|| Operation {
                id,
                events: Vec::new(),
                side,
            })
            .events
            .push(e);
    }
}

/// The refusal of an operation a fold does not apply again.
fn not_reapplied(why: NotReapplied) -> RuleError {
    RuleError::Refused(super::error::Refusal::NotReapplied { why })
}

/// Applies `op` again to `c` through the one door, [`apply`], with the
/// request its first event records.
pub(crate) fn reapply(
    c: &Contract,
    op: &Operation<'_>,
    weeks: &[WeekFile],
    settings: &Settings,
) -> Result<Outcome, RuleError> {
    let head = op.head();
    let Ok(role) = head.actor.as_str().parse::<Role>() else {
        return Err(not_reapplied(NotReapplied::Timer));
    };
    let cx = Context { settings, weeks };
    let mut out = apply(c, role, &request_of(op, head, role)?, &cx, head.at)?;
    // `end --stars` gives feedback in the same operation, after the end.
    if let Some(fb) = op
        .events
        .iter()
        .skip(1)
        .find(|e| e.kind() == EventKind::FeedbackGiven)
    {
        let more = apply(
            &out.contract,
            role,
            &request_of(op, fb, role)?,
            &cx,
            head.at,
        )?;
        out.events.extend(more.events);
        out.contract = more.contract;
    }
    Ok(out)
}

/// The request an operation's event `head` records: what its party asked,
/// as it asked it. Every kind of event is named here (timers' and the
/// effects a request had are never applied again).
fn request_of(op: &Operation<'_>, head: &Event, role: Role) -> Result<Request, RuleError> {
    let amount = head.amount.unwrap_or(Money::ZERO);
    let not_a_request = |kind: EventKind| Err(not_reapplied(NotReapplied::NotARequest(kind)));
    Ok(match &head.op {
        Op::OfferAccepted {} => Request::Accept,
        Op::OfferDeclined { .. } => Request::Decline,
        Op::Paused {} => Request::Pause,
        Op::Resumed {} => Request::Resume,
        Op::Ended {
            end_reason,
            note,
            asked,
            all,
            ..
        } => {
            // What the command asked for, not what it came to then.
            let pay = match (all, asked) {
                (Some(true), _) => Some(Pay::Full),
                (_, Some(a)) if a.is_zero() => Some(Pay::None),
                (_, Some(a)) => Some(Pay::Amount(*a)),
                _ => None,
            };
            Request::End(EndRequest {
                reason: *end_reason,
                note: note.clone(),
                pay,
            })
        }
        Op::MilestoneAdded { title, fund, .. } => Request::MilestoneAdd {
            title: title.clone(),
            amount,
            fund: *fund == Some(true),
        },
        Op::MilestoneFunded { milestone, .. } => Request::MilestoneFund {
            milestone: Some(*milestone),
        },
        Op::MilestoneSubmitted { milestone, .. } => Request::MilestoneSubmit {
            milestone: Some(*milestone),
        },
        Op::ChangesRequested { milestone } => Request::RequestChanges {
            milestone: Some(*milestone),
        },
        Op::MilestoneApproved {
            milestone, asked, ..
        } => Request::MilestoneApprove {
            milestone: Some(*milestone),
            amount: *asked,
        },
        Op::RefundRequested { asked, .. } => Request::RefundRequest { amount: *asked },
        Op::RefundApproved { .. } => Request::RefundApprove,
        Op::RefundDisputed { note, .. } => Request::RefundDispute { note: note.clone() },
        Op::DisputeConceded { .. } => Request::RefundConcede,
        Op::DisputeEscalated { .. } => Request::RefundEscalate,
        Op::DisputeResolved { client_part, .. } => Request::RefundResolve {
            client: *client_part,
            freelancer: amount - *client_part,
        },
        Op::RefundGiven { .. } => Request::RefundGive { amount },
        Op::FeedbackGiven {} => {
            let f = op
                .side
                .feedback(role)
                .filter(|f| f.given_at.is_some())
                .ok_or_else(|| not_reapplied(NotReapplied::FeedbackMissing))?;
            Request::FeedbackGive(match &f.commitment {
                // Given by commitment: that is what is applied again (the
                // stars stand in for the content the rule checks, which the
                // commitment hides; `feedback_published` brings it).
                Some(commitment) => GiveRequest {
                    stars: 5,
                    scores: Default::default(),
                    comment: None,
                    private: None,
                    commitment: Some(commitment.clone()),
                },
                None => GiveRequest {
                    stars: f.stars.unwrap_or(0),
                    scores: f.scores.clone(),
                    comment: f.comment.clone(),
                    private: f.private.clone(),
                    commitment: None,
                },
            })
        }
        Op::FeedbackPublished {} => {
            let f = op
                .side
                .feedback(role)
                .filter(|f| f.stars.is_some())
                .ok_or_else(|| not_reapplied(NotReapplied::PublishedMissing))?;
            Request::FeedbackPublish(Box::new(f.clone()))
        }
        Op::FeedbackReplied {} => Request::FeedbackReply {
            text: op
                .side
                .feedback(role.other())
                .and_then(|f| f.reply.clone())
                .ok_or_else(|| not_reapplied(NotReapplied::ReplyMissing))?,
        },
        Op::LimitChanged { hours, .. } => Request::Limit { hours: *hours },
        Op::WeekDisputed { week, reason, .. } => Request::WeekDispute {
            week: *week,
            action: DisputeAction::Open(reason.clone()),
        },
        Op::DisputeAccepted { week } => Request::WeekDispute {
            week: *week,
            action: DisputeAction::Accept,
        },
        Op::DisputeDeclined { week } => Request::WeekDispute {
            week: *week,
            action: DisputeAction::Decline,
        },
        Op::DisputeWithdrawn { week } => Request::WeekDispute {
            week: *week,
            action: DisputeAction::Withdraw,
        },
        // Made by `new` (the contract's terms), by timers, or as an effect
        // of a request above: derived again, never applied again.
        Op::Created { .. }
        | Op::Released { .. }
        | Op::Refunded { .. }
        | Op::RefundAutoApproved { .. }
        | Op::DisputeDefaulted { .. }
        | Op::MilestoneAutoReleased { .. }
        | Op::FeedbackRevealed {}
        | Op::FeedbackWindowClosed { .. }
        | Op::WeekPaid { .. }
        | Op::TimerStopped { .. }
        | Op::Legacy { .. } => return not_a_request(head.kind()),
    })
}

/// Why a contract cannot be folded again: it has no operations to fold
/// (written by a version that kept outcomes only), or its terms are not
/// what `new` accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unfoldable {
    /// Its history is a version-1 file's (legacy facts, kept as they
    /// stand), or it does not start with its creation.
    Legacy,
    /// `new` refuses its terms as they stand now (a hand edit).
    Terms(String),
}

/// The contract as `new` made it: its terms as they stand (a fixed
/// contract's milestones but those added later), its creation's instant,
/// and an offer if it was made as one.
pub fn genesis(c: &Contract, settings: &Settings) -> Result<Contract, Unfoldable> {
    let Some(created) = c.history.first() else {
        return Err(Unfoldable::Legacy);
    };
    let Op::Created {
        price,
        milestones: made_with,
        rate: made_at,
        ..
    } = &created.op
    else {
        return Err(Unfoldable::Legacy);
    };
    let terms = match &c.terms {
        Terms::Hourly {
            rate,
            weekly_limit,
            manual_time,
            ..
        } => NewTerms::Hourly {
            // The rate the contract was made at, where its creation
            // records it: no operation changes it.
            rate: made_at.unwrap_or(*rate),
            weekly_limit: *weekly_limit,
            manual_time: *manual_time,
        },
        Terms::Fixed { price: now } => NewTerms::Fixed {
            price: price.unwrap_or(*now),
            milestones: match made_with {
                // The first ones, as many as it was made with: every
                // milestone after them is an operation's (one that none
                // added is no term, and the fold leaves it out).
                Some(n) => {
                    let n = *n as usize;
                    if c.milestones.len() < n {
                        return Err(Unfoldable::Terms(format!(
                            "it was made with {n} milestone(s) and lists {}",
                            c.milestones.len()
                        )));
                    }
                    c.milestones[..n]
                        .iter()
                        .map(|m| (m.title.clone(), m.amount))
                        .collect()
                }
                // Made by a version that did not record them: those no
                // operation added.
                None => {
                    let added: HashSet<u32> = c
                        .history
                        .iter()
                        .filter_map(|e| match e.op {
                            Op::MilestoneAdded { milestone, .. } => Some(milestone),
                            _ => None,
                        })
                        .collect();
                    c.milestones
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| !added.contains(&(*i as u32 + 1)))
                        .map(|(_, m)| (m.title.clone(), m.amount))
                        .collect()
                }
            },
        },
    };
    let req = NewContract {
        id: c.id.clone(),
        title: c.title.clone(),
        client: c.client.clone(),
        freelancer: c.freelancer.clone(),
        terms,
    };
    let offered = c.status == Status::Offered
        || c.history
            .iter()
            .any(|e| matches!(e.op, Op::OfferAccepted {} | Op::OfferDeclined { .. }));
    let made = if offered {
        lifecycle::create_offer(req, Role::Client, settings, created.at)
    } else {
        lifecycle::create(req, Role::Client, settings, created.at)
    };
    let mut out = made.map_err(|e| Unfoldable::Terms(e.to_string()))?;
    stamp(&mut out, operation_of(&created.id));
    // Its creation as recorded (a version that recorded fewer of its
    // terms wrote fewer arguments).
    if let Some(first) = out.contract.history.first_mut() {
        first.op = created.op.clone();
    }
    Ok(out.contract)
}

/// `c` folded again from its terms: its operations, in the order its
/// history holds them (by instant; at one instant, as made), each through
/// [`apply`] after the timers due before it, then the timers due by
/// `until`. An operation the rules refuse is kept, marked superseded, and
/// changes nothing (as a merge keeps it). `weeks` are the contract's week
/// files (the hourly weeks' pay is derived from them).
pub fn fold(
    c: &Contract,
    weeks: &[WeekFile],
    settings: &Settings,
    until: Instant,
) -> Result<Contract, Unfoldable> {
    if c.history.iter().any(|e| matches!(e.op, Op::Legacy { .. })) {
        return Err(Unfoldable::Legacy);
    }
    Ok(fold_onto(genesis(c, settings)?, c, weeks, settings, until))
}

/// `c`'s operations that `state` does not hold, applied onto `state` as
/// [`fold`] applies them, then the timers due by `until`: what a commit's
/// files must be, given its parent's (`verify`).
pub fn fold_onto(
    mut state: Contract,
    c: &Contract,
    weeks: &[WeekFile],
    settings: &Settings,
    until: Instant,
) -> Contract {
    let made: HashSet<String> = state.history.iter().map(|e| e.id.clone()).collect();
    let made: HashSet<&str> = made.iter().map(String::as_str).collect();
    let mut ops = BTreeMap::new();
    operations(&made, c, &mut ops);
    let mut order: Vec<Operation<'_>> = ops.into_values().collect();
    // In the order the history holds them: by instant, and at one instant
    // as they were made (a stable sort keeps the file's order).
    // (Each event's first place, found once: a scan per comparison made
    // a long history's fold quadratic in it.)
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(c.history.len());
    for (i, e) in c.history.iter().enumerate() {
        first.entry(e.id.as_str()).or_insert(i);
    }
    let place = |id: &str| first.get(id).copied();
    order.sort_by_key(|op| (op.head().at, place(&op.head().id)));
    for op in &order {
        let due = timers::advance_owned(state, weeks, settings, op.head().at).contract;
        // Set aside by a merge (by the rules in the merged order, or as
        // backdated, which only the commit graph shows): kept so.
        let recorded = op.head().superseded.clone();
        let applied = match recorded {
            Some(why) => Err(why),
            None => reapply(&due, op, weeks, settings).map_err(|e| e.to_string()),
        };
        state = match applied {
            Ok(mut out) => {
                stamp(&mut out, op.id);
                out.contract
            }
            Err(why) => {
                let mut kept = due;
                kept.history.extend(op.events.iter().map(|e| Event {
                    superseded: Some(why.clone()),
                    ..(*e).clone()
                }));
                kept
            }
        };
    }
    timers::advance_owned(state, weeks, settings, until).contract
}

/// The instant a contract's file was folded to, as far as it shows: its
/// latest event (a command records the timers due by its instant).
pub fn as_of(c: &Contract) -> Option<Instant> {
    c.history.iter().map(|e| e.at).max()
}
