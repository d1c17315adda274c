//! Property test of the escrow core: random sequences of operations and clock
//! jumps driven through the pure rules, with the structural invariants of
//! SPEC §5 checked after every step (nothing negative, refusals leave the
//! contract untouched, timers idempotent). The money itself is checked
//! against an independent model in the simulations under tests/cli/.
//!
//! Cases: 256 by default, more with `CONTRACTS_PROPTEST_CASES=20000`
//! (e.g. `CONTRACTS_PROPTEST_CASES=20000 cargo test --release --lib proptests`).

// Test code panics on purpose when something is not as expected.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::apply::{Context, Request, apply};
use super::error::{Refusal, RuleError};
use super::escrow;
use super::lifecycle::{self, EndRequest, NewContract, NewTerms, Pay};
use super::model::*;
use super::money::{Currency, Money};
use super::timers;
use super::validate;
use super::{Outcome, Settings};
use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};

/// Cases per property: `CONTRACTS_PROPTEST_CASES`, else 256.
fn config() -> Config {
    let cases = std::env::var("CONTRACTS_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(256);
    Config {
        // Failures are shrunk and printed; nothing is written next to the
        // sources (other people edit src/ concurrently).
        failure_persistence: None,
        ..Config::with_cases(cases)
    }
}

/// A Monday, 09:00 UTC.
fn start() -> Instant {
    DateTime::parse_from_rfc3339("2026-11-02T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// An amount, resolved against the state when the operation runs.
#[derive(Debug, Clone)]
enum Amt {
    /// Leave it to the rule's default (`None`).
    Default,
    /// A literal amount in minor units.
    Minor(i64),
    /// A percentage of what the rule would accept at most.
    Pct(u32),
    /// The most the rule would accept, plus -1, 0 or +1 minor unit.
    Edge(i64),
}

#[derive(Debug, Clone)]
enum PaySpec {
    Omit,
    Full,
    Nothing,
    Amount(Amt),
}

#[derive(Debug, Clone)]
enum Op {
    Create {
        milestones: Vec<i64>,
        whole: bool,
        role: Role,
    },
    Add {
        k: usize,
        wrong: bool,
        amount: i64,
        fund: bool,
    },
    Fund {
        k: usize,
        wrong: bool,
        n: Option<u32>,
    },
    Submit {
        k: usize,
        wrong: bool,
        n: Option<u32>,
    },
    RequestChanges {
        k: usize,
        wrong: bool,
        n: Option<u32>,
    },
    Approve {
        k: usize,
        wrong: bool,
        n: Option<u32>,
        amt: Amt,
    },
    Request {
        k: usize,
        wrong: bool,
        amt: Amt,
    },
    ApproveRefund {
        k: usize,
        wrong: bool,
    },
    Dispute {
        k: usize,
        wrong: bool,
        note: bool,
    },
    Concede {
        k: usize,
        wrong: bool,
    },
    Escalate {
        k: usize,
        wrong: bool,
    },
    Resolve {
        k: usize,
        wrong: bool,
        pct: u32,
        off: i64,
    },
    Give {
        k: usize,
        wrong: bool,
        amt: Amt,
    },
    End {
        k: usize,
        role: Role,
        pay: PaySpec,
    },
    /// One of the operations the state of contract `k` invites, picked by
    /// `choice` (to reach deep states: disputes, mediation, refunds given).
    Guided {
        k: usize,
        choice: usize,
        amt: Amt,
    },
    /// `sweep` of one contract: persist its due timers.
    Advance {
        k: usize,
    },
    /// The clock moves on by this many seconds.
    Jump(i64),
    /// The clock moves to a pending timer of a contract, plus `delta` seconds.
    JumpToTimer {
        k: usize,
        delta: i64,
    },
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![3 => Just(Role::Client), 2 => Just(Role::Freelancer)]
}

fn n() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![3 => Just(None), 2 => (0u32..=4).prop_map(Some)]
}

fn amt() -> impl Strategy<Value = Amt> {
    prop_oneof![
        2 => Just(Amt::Default),
        2 => (1i64..=30).prop_map(Amt::Minor),
        1 => (0i64..=200_000).prop_map(Amt::Minor),
        3 => (0u32..=110).prop_map(Amt::Pct),
        2 => (-1i64..=1).prop_map(Amt::Edge),
    ]
}

fn milestone_amount() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => 500i64..=100_000,
        1 => 0i64..=600,
    ]
}

fn jump() -> impl Strategy<Value = i64> {
    prop_oneof![
        2 => 1i64..60,
        2 => 60i64..3_600,
        3 => 3_600i64..86_400,
        2 => 86_400i64..604_800,
        1 => 604_800i64..1_814_400,
        1 => Just(7 * 86_400),
        1 => Just(14 * 86_400),
        1 => Just(180 * 86_400),
    ]
}

fn wrong() -> impl Strategy<Value = bool> {
    prop::bool::weighted(0.15)
}

fn op() -> impl Strategy<Value = Op> {
    let k = || prop_oneof![4 => Just(0usize), 1 => 0usize..4];
    prop_oneof![
        1 => (prop::collection::vec(milestone_amount(), 1..=3), any::<bool>(), role())
            .prop_map(|(milestones, whole, role)| Op::Create { milestones, whole, role }),
        2 => (k(), wrong(), milestone_amount(), any::<bool>())
            .prop_map(|(k, wrong, amount, fund)| Op::Add { k, wrong, amount, fund }),
        3 => (k(), wrong(), n()).prop_map(|(k, wrong, n)| Op::Fund { k, wrong, n }),
        4 => (k(), wrong(), n()).prop_map(|(k, wrong, n)| Op::Submit { k, wrong, n }),
        2 => (k(), wrong(), n()).prop_map(|(k, wrong, n)| Op::RequestChanges { k, wrong, n }),
        3 => (k(), wrong(), n(), amt())
            .prop_map(|(k, wrong, n, amt)| Op::Approve { k, wrong, n, amt }),
        3 => (k(), wrong(), amt()).prop_map(|(k, wrong, amt)| Op::Request { k, wrong, amt }),
        2 => (k(), wrong()).prop_map(|(k, wrong)| Op::ApproveRefund { k, wrong }),
        3 => (k(), wrong(), any::<bool>())
            .prop_map(|(k, wrong, note)| Op::Dispute { k, wrong, note }),
        2 => (k(), wrong()).prop_map(|(k, wrong)| Op::Concede { k, wrong }),
        2 => (k(), wrong()).prop_map(|(k, wrong)| Op::Escalate { k, wrong }),
        3 => (k(), any::<bool>(), 0u32..=100, prop_oneof![4 => Just(0i64), 1 => -1i64..=1])
            .prop_map(|(k, wrong, pct, off)| Op::Resolve { k, wrong, pct, off }),
        3 => (k(), wrong(), amt()).prop_map(|(k, wrong, amt)| Op::Give { k, wrong, amt }),
        1 => (
            k(),
            role(),
            prop_oneof![
                Just(PaySpec::Omit),
                Just(PaySpec::Full),
                Just(PaySpec::Nothing),
                amt().prop_map(PaySpec::Amount),
            ]
        )
            .prop_map(|(k, role, pay)| Op::End { k, role, pay }),
        8 => (k(), any::<usize>(), amt())
            .prop_map(|(k, choice, amt)| Op::Guided { k, choice, amt }),
        2 => k().prop_map(|k| Op::Advance { k }),
        4 => jump().prop_map(Op::Jump),
        2 => (k(), -1i64..=1).prop_map(|(k, delta)| Op::JumpToTimer { k, delta }),
    ]
}

fn settings() -> impl Strategy<Value = Settings> {
    (
        prop_oneof![4 => Just("USD"), 1 => Just("JPY"), 1 => Just("BHD")],
        prop_oneof![3 => Just(10u8), 1 => 0u8..=100],
    )
        .prop_map(|(code, fee_percent)| Settings {
            currency: Currency::from_code(code).unwrap(),
            role: Role::Client,
            fee_percent,
        })
}

fn neg(at: &str, what: &str, m: Money) -> Result<(), TestCaseError> {
    prop_assert!(m >= Money::ZERO, "{at}: {what} is negative: {}", m.minor());
    Ok(())
}

/// The invariants of one contract (SPEC §5), as stored or as viewed.
fn invariants(c: &Contract, at: &str) -> Result<(), TestCaseError> {
    let problems = validate::contract(c);
    prop_assert!(problems.is_empty(), "{at}: {problems:?}\n{c:#?}");
    let t = c.totals();
    prop_assert!(t.escrow >= t.held, "{at}: escrow < held: {t:?}");
    neg(at, "held", t.held)?;
    neg(at, "paid", t.paid)?;
    neg(at, "refunded", t.refunded)?;
    neg(at, "funded", t.funded)?;
    neg(at, "fee", t.fee)?;
    prop_assert!(t.fee <= t.paid, "{at}: fee > paid: {t:?}");
    // Every bit of escrow belongs to a milestone.
    let per: Money = (1..=c.milestones.len() as u32)
        .map(|n| lifecycle::milestone_escrow(c, n))
        .sum();
    prop_assert_eq!(
        per,
        t.escrow,
        "{}: escrow is not the milestones' escrow",
        at
    );
    // Whether the money is right is checked against an independent model
    // of the rules (a double-entry escrow ledger kept by the test itself) in
    // tests/cli/core_sim.rs and tests/cli/simulation.rs; recomputing
    // `Totals` here from the same records could not fail.
    for (i, m) in c.milestones.iter().enumerate() {
        if m.status == MilestoneStatus::Released {
            let n = Some(i as u32 + 1);
            prop_assert!(
                c.payments.iter().any(|p| p.milestone == n),
                "{at}: milestone {} is released but nothing of it was paid",
                i + 1
            );
        }
        neg(at, &format!("milestones[{i}].amount"), m.amount)?;
        neg(at, &format!("milestones[{i}].funded"), m.funded)?;
    }
    for (i, p) in c.payments.iter().enumerate() {
        neg(at, &format!("payments[{i}].amount"), p.amount)?;
        neg(at, &format!("payments[{i}].fee"), p.fee)?;
    }
    for (i, r) in c.refunds.iter().enumerate() {
        prop_assert!(r.amount > Money::ZERO, "{at}: refunds[{i}] of nothing");
        if matches!(r.origin, RefundOrigin::Request | RefundOrigin::End) {
            prop_assert_eq!(
                r.deadline - r.requested_at,
                Duration::days(lifecycle::REFUND_ANSWER_DAYS),
                "{}: refunds[{}]: 7 days to answer",
                at,
                i
            );
        }
        if let (Some(d), Some(due)) = (r.disputed_at, r.dispute_deadline) {
            // 120 weekday hours: 5 to 7 calendar days, ending on a weekday
            // or at the Saturday midnight that closes one.
            let span = due - d;
            prop_assert!(
                span >= Duration::days(5) && span <= Duration::days(7),
                "{at}: refunds[{i}]: dispute deadline {due} for a dispute at {d}"
            );
            let sat_midnight =
                due.weekday() == Weekday::Sat && due.time() == chrono::NaiveTime::MIN;
            prop_assert!(
                sat_midnight || !matches!(due.weekday(), Weekday::Sat | Weekday::Sun),
                "{at}: refunds[{i}]: dispute deadline on a weekend: {due}"
            );
            prop_assert!(d < r.deadline, "{at}: refunds[{i}] disputed too late");
        }
        if let Some(cp) = r.client_part {
            neg(at, &format!("refunds[{i}].client_part"), cp)?;
        }
        if let Some(f) = r.fee_returned {
            neg(at, &format!("refunds[{i}].fee_returned"), f)?;
        }
    }
    for w in c.history.windows(2) {
        prop_assert!(
            w[0].at <= w[1].at,
            "{at}: history goes back in time: {:?} then {:?}",
            w[0],
            w[1]
        );
    }
    Ok(())
}

/// `advance` is idempotent at a given now.
fn idempotent(c: &Contract, s: &Settings, now: Instant) -> Result<Contract, TestCaseError> {
    let once = timers::advance(c, s, now);
    let twice = timers::advance(&once.contract, s, now);
    prop_assert!(
        twice.events.is_empty(),
        "advance twice applied {:?}",
        twice.events
    );
    prop_assert_eq!(&twice.contract, &once.contract);
    prop_assert!(
        timers::pending(&once.contract).iter().all(|t| t.at > now),
        "a due timer is left after advance"
    );
    // Nothing falls due before `next_due` (what `sweep` skips by), and
    // something does at it.
    if let Some(at) = timers::next_due(c, &[]) {
        let before = timers::advance(c, s, at - chrono::Duration::nanoseconds(1));
        prop_assert!(before.events.is_empty(), "a timer fell due before next_due");
        prop_assert!(
            !timers::advance(c, s, at).events.is_empty(),
            "nothing fell due at next_due"
        );
    } else {
        prop_assert!(
            timers::pending(c).is_empty(),
            "no next_due, yet pending timers"
        );
    }
    // Each timer is recorded at the instant it fell due.
    let due: Vec<Instant> = timers::pending(c)
        .iter()
        .map(|t| t.at)
        .filter(|at| *at <= now)
        .collect();
    for e in &once.events {
        prop_assert_eq!(e.actor, Actor::System);
        prop_assert!(
            due.contains(&e.at),
            "a timer event at {} is at none of the due instants {:?}",
            e.at,
            due
        );
    }
    Ok(once.contract)
}

/// What a rule returned, checked: refusals leave the input untouched, and an
/// outcome appends exactly its events to history.
fn outcome(
    before: &Contract,
    input: &Contract,
    r: Result<Outcome, RuleError>,
    now: Instant,
    what: &str,
) -> Result<Option<Outcome>, TestCaseError> {
    prop_assert_eq!(input, before, "{} changed its input", what);
    match r {
        Err(RuleError::Internal(m)) => {
            prop_assert!(false, "{what}: internal error: {m}");
            Ok(None)
        }
        Err(e @ (RuleError::Refused(_) | RuleError::NotFound(_))) => {
            prop_assert!(!e.to_string().trim().is_empty(), "{what}: empty refusal");
            Ok(None)
        }
        Ok(o) => {
            let h = &o.contract.history;
            prop_assert!(
                h.len() == before.history.len() + o.events.len(),
                "{what}: history grew by {} for {} events",
                h.len() - before.history.len(),
                o.events.len()
            );
            prop_assert_eq!(&h[..before.history.len()], &before.history[..]);
            prop_assert_eq!(&h[before.history.len()..], &o.events[..]);
            prop_assert!(!o.events.is_empty(), "{what}: no event");
            let own = o.events.last().unwrap();
            prop_assert_eq!(own.at, now, "{} is recorded at another time", what);
            prop_assert!(own.actor != Actor::System, "{what} acted as system");
            Ok(Some(o))
        }
    }
}

/// An operation the state of `c` (the `k`th contract) invites.
fn guide(c: &Contract, k: usize, choice: usize, amt: Amt, now: Instant) -> Op {
    let mut ops = Vec::new();
    let wrong = false;
    let open = c.refunds.iter().rev().find(|r| r.status.is_open());
    match open.map(|r| r.status) {
        Some(RefundStatus::Requested) => {
            ops.push(Op::ApproveRefund { k, wrong });
            ops.push(Op::Dispute {
                k,
                wrong,
                note: true,
            });
        }
        Some(RefundStatus::Disputed) => {
            ops.push(Op::Concede { k, wrong });
            ops.push(Op::Escalate { k, wrong });
        }
        Some(_) => {
            for pct in [0, 50, 100] {
                ops.push(Op::Resolve {
                    k,
                    wrong: choice.is_multiple_of(2),
                    pct,
                    off: 0,
                });
            }
        }
        None => {}
    }
    if c.ending.is_none() {
        match c.funded_milestone() {
            Some(n) if c.milestones[n as usize - 1].status == MilestoneStatus::Submitted => {
                ops.push(Op::Approve {
                    k,
                    wrong,
                    n: None,
                    amt: amt.clone(),
                });
                ops.push(Op::RequestChanges { k, wrong, n: None });
            }
            Some(_) => {
                ops.push(Op::Submit { k, wrong, n: None });
                ops.push(Op::Approve {
                    k,
                    wrong,
                    n: None,
                    amt: amt.clone(),
                });
            }
            None => {
                ops.push(Op::Fund { k, wrong, n: None });
                ops.push(Op::Add {
                    k,
                    wrong,
                    amount: 5_000,
                    fund: true,
                });
            }
        }
        if open.is_none() {
            ops.push(Op::Request {
                k,
                wrong,
                amt: amt.clone(),
            });
        }
    }
    if escrow::giveable(c, now) > Money::ZERO {
        ops.push(Op::Give { k, wrong, amt });
    }
    if ops.is_empty() {
        return Op::Advance { k };
    }
    ops.swap_remove(choice % ops.len())
}

/// The role the rule asks for, or the other one.
fn pick_role(right: Role, wrong: bool) -> Role {
    if wrong { right.other() } else { right }
}

fn resolve_amt(a: &Amt, max: Money) -> Option<Money> {
    match a {
        Amt::Default => None,
        Amt::Minor(m) => Some(Money::from_minor(*m)),
        Amt::Pct(p) => Some(Money::from_minor(max.minor() * i64::from(*p) / 100)),
        Amt::Edge(d) => Some(Money::from_minor((max.minor() + d).max(0))),
    }
}

/// The free escrow of milestone `n` (or the funded one).
fn free_of(c: &Contract, n: Option<u32>) -> Money {
    let n = n.or_else(|| c.funded_milestone()).unwrap_or(0);
    if n == 0 || n as usize > c.milestones.len() {
        return Money::ZERO;
    }
    lifecycle::milestone_escrow(c, n) - lifecycle::milestone_held(c, n)
}

fn run(s: &Settings, first: Vec<i64>, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut now = start();
    let mut cs: Vec<Contract> = Vec::new();
    let create = |cs: &mut Vec<Contract>, ms: &[i64], whole: bool, role: Role, now: Instant| {
        let amounts: Vec<Money> = ms.iter().map(|m| Money::from_minor(*m)).collect();
        let price: Money = amounts.iter().copied().sum();
        let milestones = if whole && amounts.len() == 1 {
            Vec::new()
        } else {
            amounts
                .iter()
                .enumerate()
                .map(|(i, a)| (format!("M{}", i + 1), *a))
                .collect()
        };
        let r = lifecycle::create(
            NewContract {
                id: ContractId::parse(&format!("c{}", cs.len() + 1)).unwrap(),
                title: "Storefront".into(),
                client: "Acme".into(),
                freelancer: "Ann".into(),
                terms: NewTerms::Fixed { price, milestones },
            },
            role,
            s,
            now,
        );
        match r {
            Ok(mut o) => {
                prop_assert_eq!(&o.contract.history, &o.events);
                // Ids as the store gives them (a file joins by them).
                crate::core::step::stamp(&mut o, &format!("new{}", cs.len()));
                cs.push(o.contract);
            }
            Err(RuleError::Refused(why)) => {
                prop_assert!(
                    matches!(
                        why,
                        Refusal::MilestoneTooSmall { .. } | Refusal::NotTheParty { .. }
                    ),
                    "create refused for another reason: {why}"
                );
                let min = s.currency.major(lifecycle::MIN_MILESTONE_MAJOR);
                prop_assert!(
                    role != Role::Client || amounts.iter().any(|a| *a < min),
                    "create refused {amounts:?}"
                );
            }
            Err(e) => prop_assert!(false, "create: {e:?}"),
        }
        Ok(())
    };
    create(&mut cs, &first, false, Role::Client, now)?;
    for (step, op) in ops.into_iter().enumerate() {
        let op = match op {
            Op::Guided { k, choice, amt } if !cs.is_empty() => {
                let k = k % cs.len();
                guide(
                    &timers::advance(&cs[k], s, now).contract,
                    k,
                    choice,
                    amt,
                    now,
                )
            }
            op => op,
        };
        let at = format!("step {step} ({op:?}) at {now}");
        match op {
            Op::Create {
                milestones,
                whole,
                role,
            } => create(&mut cs, &milestones, whole, role, now)?,
            Op::Jump(secs) => {
                let next = now + Duration::seconds(secs);
                // Path independence: advancing in two steps is advancing once.
                for c in &cs {
                    let direct = timers::advance(c, s, next).contract;
                    let via = timers::advance(&timers::advance(c, s, now).contract, s, next);
                    prop_assert_eq!(
                        &direct,
                        &via.contract,
                        "{}: advance depends on the path",
                        at
                    );
                }
                now = next;
            }
            Op::JumpToTimer { k, delta } => {
                if cs.is_empty() {
                    continue;
                }
                let c = &cs[k % cs.len()];
                let next = timers::pending(c)
                    .into_iter()
                    .map(|t| t.at + Duration::seconds(delta))
                    .find(|t| *t > now);
                if let Some(next) = next {
                    now = next;
                }
            }
            Op::Advance { k } => {
                if cs.is_empty() {
                    continue;
                }
                let i = k % cs.len();
                cs[i] = timers::advance(&cs[i], s, now).contract;
            }
            op => {
                if cs.is_empty() {
                    continue;
                }
                let (k, role) = match &op {
                    Op::End { k, role, .. } => (*k, *role),
                    Op::Add { k, wrong, .. }
                    | Op::Fund { k, wrong, .. }
                    | Op::RequestChanges { k, wrong, .. }
                    | Op::Approve { k, wrong, .. }
                    | Op::Request { k, wrong, .. }
                    | Op::Concede { k, wrong }
                    | Op::Escalate { k, wrong }
                    | Op::Resolve { k, wrong, .. } => (*k, pick_role(Role::Client, *wrong)),
                    Op::Submit { k, wrong, .. }
                    | Op::ApproveRefund { k, wrong }
                    | Op::Dispute { k, wrong, .. }
                    | Op::Give { k, wrong, .. } => (*k, pick_role(Role::Freelancer, *wrong)),
                    _ => unreachable!(),
                };
                let i = k % cs.len();
                let input = cs[i].clone();
                let before = input.clone();
                // What the rule sees once the timers are applied.
                let view = timers::advance(&input, s, now).contract;
                let request = match &op {
                    Op::Add {
                        amount, fund: f, ..
                    } => Request::MilestoneAdd {
                        title: "Extra".into(),
                        amount: Money::from_minor(*amount),
                        fund: *f,
                    },
                    Op::Fund { n, .. } => Request::MilestoneFund { milestone: *n },
                    Op::Submit { n, .. } => Request::MilestoneSubmit { milestone: *n },
                    Op::RequestChanges { n, .. } => Request::RequestChanges { milestone: *n },
                    Op::Approve { n, amt, .. } => Request::MilestoneApprove {
                        milestone: *n,
                        amount: resolve_amt(amt, free_of(&view, *n)),
                    },
                    Op::Request { amt, .. } => {
                        let max = lifecycle::available_escrow(&view)
                            .first()
                            .map(|(_, m)| *m)
                            .unwrap_or_default();
                        Request::RefundRequest {
                            amount: resolve_amt(amt, max),
                        }
                    }
                    Op::ApproveRefund { .. } => Request::RefundApprove,
                    Op::Dispute { note, .. } => Request::RefundDispute {
                        note: note.then(|| "work delivered".to_string()),
                    },
                    Op::Concede { .. } => Request::RefundConcede,
                    Op::Escalate { .. } => Request::RefundEscalate,
                    Op::Resolve { pct, off, .. } => {
                        let total = view
                            .refunds
                            .iter()
                            .rev()
                            .find(|r| r.status == RefundStatus::Escalated)
                            .map(|r| r.amount)
                            .unwrap_or(Money::from_minor(1000));
                        let cp = Money::from_minor(total.minor() * i64::from(*pct) / 100);
                        let fp = Money::from_minor((total - cp).minor() + off).max(Money::ZERO);
                        Request::RefundResolve {
                            client: cp,
                            freelancer: fp,
                        }
                    }
                    Op::Give { amt, .. } => {
                        let max = escrow::giveable(&view, now);
                        Request::RefundGive {
                            amount: resolve_amt(amt, max).unwrap_or(max),
                        }
                    }
                    Op::End { pay, .. } => {
                        let esc: Money = lifecycle::available_escrow(&view)
                            .iter()
                            .map(|(_, m)| *m)
                            .sum();
                        let pay = match pay {
                            PaySpec::Omit => None,
                            PaySpec::Full => Some(Pay::Full),
                            PaySpec::Nothing => Some(Pay::None),
                            PaySpec::Amount(a) => {
                                Some(Pay::Amount(resolve_amt(a, esc).unwrap_or(esc)))
                            }
                        };
                        Request::End(EndRequest {
                            reason: EndReason::Completed,
                            note: None,
                            pay,
                        })
                    }
                    _ => unreachable!(),
                };
                let cx = Context {
                    settings: s,
                    weeks: &[],
                };
                let r = apply(&input, role, &request, &cx, now);
                if let Some(mut o) = outcome(&before, &input, r, now, &at)? {
                    crate::core::step::stamp(&mut o, &format!("op{}", before.history.len()));
                    step_checks(
                        &op,
                        (!matches!(op, Op::Resolve { .. })).then_some(role),
                        &view,
                        &o.contract,
                        s,
                        now,
                        &at,
                    )?;
                    cs[i] = o.contract;
                }
            }
        }
        for c in &cs {
            invariants(c, &format!("{at}, stored"))?;
            let viewed = idempotent(c, s, now)?;
            invariants(&viewed, &format!("{at}, viewed"))?;
            // As a file keeps it (operations apart from what they came to)
            // and read back: the same contract, its events in their order.
            let back = crate::core::schema::ContractFile::from(c).into_contract();
            prop_assert_eq!(
                back.as_ref(),
                Ok(c),
                "{}: the file's shape loses the order",
                at
            );
        }
    }
    Ok(())
}

/// What one successful operation must have done, beyond the invariants.
#[allow(clippy::too_many_arguments)]
fn step_checks(
    op: &Op,
    role: Option<Role>,
    view: &Contract,
    after: &Contract,
    s: &Settings,
    now: Instant,
    at: &str,
) -> Result<(), TestCaseError> {
    let (tb, ta) = (view.totals(), after.totals());
    let own = after.history.last().unwrap();
    if let Some(role) = role {
        prop_assert_eq!(own.actor, role.actor(), "{}: acted as another party", at);
    }
    if view.ending.is_some() {
        prop_assert!(
            matches!(
                op,
                Op::ApproveRefund { .. }
                    | Op::Dispute { .. }
                    | Op::Concede { .. }
                    | Op::Escalate { .. }
                    | Op::Resolve { .. }
                    | Op::Give { .. }
            ),
            "{at}: allowed on an ended contract"
        );
    }
    let open = |st: RefundStatus| view.refunds.iter().rev().find(|r| r.status == st);
    match op {
        Op::Dispute { .. } | Op::ApproveRefund { .. } => {
            let r = open(RefundStatus::Requested).unwrap();
            prop_assert!(now < r.deadline, "{at}: answered after the 7 days");
        }
        Op::Concede { .. } | Op::Escalate { .. } => {
            let r = open(RefundStatus::Disputed).unwrap();
            prop_assert!(
                now < r.dispute_deadline.unwrap(),
                "{at}: answered after the 5 business days"
            );
        }
        Op::Submit { .. } => {
            let n = after.funded_milestone().unwrap();
            let m = &after.milestones[n as usize - 1];
            prop_assert_eq!(m.status, MilestoneStatus::Submitted);
            prop_assert_eq!(m.submitted_at, Some(now), "{}: the clock restarts", at);
        }
        Op::RequestChanges { .. } => {
            prop_assert!(
                after
                    .milestones
                    .iter()
                    .all(|m| m.status != MilestoneStatus::Submitted),
                "{at}: still submitted"
            );
        }
        _ => {}
    }
    match op {
        Op::Fund { .. } | Op::Add { fund: true, .. } => {
            let n = after.funded_milestone().unwrap();
            // Funding puts the milestone's amount in escrow.
            let esc = lifecycle::milestone_escrow(after, n);
            let m = &after.milestones[n as usize - 1];
            prop_assert!(
                esc >= m.amount,
                "{at}: milestone {n} of {} funded but only {} is in its escrow",
                m.amount.minor(),
                esc.minor()
            );
        }
        Op::Approve { .. } => {
            prop_assert!(ta.paid > tb.paid, "{at}: approve paid nothing");
            prop_assert_eq!(ta.escrow + (ta.paid - tb.paid), tb.escrow);
        }
        Op::Give { .. } => {
            let r = after.refunds.last().unwrap();
            // The fee on the amount, but never more than the fee charged.
            prop_assert_eq!(
                r.fee_returned,
                Some(s.fee_on(r.amount).min(tb.fee.max(Money::ZERO)))
            );
            prop_assert_eq!(ta.paid + r.amount, tb.paid);
            prop_assert_eq!(ta.escrow, tb.escrow, "{}: give moved escrow", at);
        }
        Op::End { role, .. } => {
            prop_assert_eq!(after.status, Status::Ended);
            prop_assert_eq!(after.ended_at(), Some(now));
            let free: Money = lifecycle::available_escrow(after)
                .iter()
                .map(|(_, m)| *m)
                .sum();
            prop_assert!(
                free.is_zero(),
                "{at}: {} of escrow is left unclaimed after {role} ended",
                free.minor()
            );
        }
        Op::Resolve { .. } | Op::Concede { .. } | Op::ApproveRefund { .. } => {
            prop_assert!(ta.held < tb.held, "{at}: settling held nothing less");
        }
        _ => {}
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Random escrow histories keep every invariant, at every step.
    #[test]
    fn escrow_histories_keep_the_invariants(
        s in settings(),
        first in prop::collection::vec(500i64..=100_000, 1..=3),
        ops in prop::collection::vec(op(), 1..64),
    ) {
        run(&s, first, ops)?;
    }
}

/// Deterministic regressions of what the property found.
mod regressions {
    use super::*;

    fn usd() -> Settings {
        Settings {
            currency: Currency::from_code("USD").unwrap(),
            role: Role::Client,
            fee_percent: 10,
        }
    }

    fn cents(m: i64) -> Money {
        Money::from_minor(m)
    }

    fn fixed(milestones: &[i64]) -> Contract {
        lifecycle::create(
            NewContract {
                id: ContractId::parse("c1").unwrap(),
                title: "Storefront".into(),
                client: "Acme".into(),
                freelancer: "Ann".into(),
                terms: NewTerms::Fixed {
                    price: milestones.iter().map(|m| cents(*m)).sum(),
                    milestones: milestones
                        .iter()
                        .enumerate()
                        .map(|(i, m)| (format!("M{}", i + 1), cents(*m)))
                        .collect(),
                },
            },
            Role::Client,
            &usd(),
            start(),
        )
        .unwrap()
        .contract
    }

    /// A partial approval carries the rest of milestone 1 to the pending
    /// milestone 2. That money is no funded milestone's escrow, so it cannot
    /// be requested back; funding milestone 2 counts it, and a later refund
    /// of it leaves the milestone with what was funded less what was refunded.
    #[test]
    fn carried_escrow_funds_the_next_milestone() {
        let s = usd();
        let now = start();
        let c = fixed(&[10_000, 5_000]);
        let c = escrow::approve(&c, None, Some(cents(2_000)), &s, now)
            .unwrap()
            .contract;
        assert_eq!(
            c.milestones[1].funded,
            cents(8_000),
            "carried to milestone 2"
        );
        assert!(matches!(
            escrow::request(&c, None, &s, now),
            Err(RuleError::Refused(Refusal::NoFundedMilestone {
                why: None,
                ..
            }))
        ));
        let c = escrow::fund(&c, None, &s, now).unwrap().contract;
        assert_eq!(c.milestones[1].status, MilestoneStatus::Funded);
        assert_eq!(lifecycle::milestone_escrow(&c, 2), cents(8_000));
        let c = escrow::request(&c, Some(cents(3_000)), &s, now)
            .unwrap()
            .contract;
        let c = escrow::approve_refund(&c, &s, now).unwrap().contract;
        assert_eq!(lifecycle::milestone_escrow(&c, 2), cents(5_000));
        assert!(validate::contract(&c).is_empty());
    }

    /// Each `give` rounds the returned fee on its own: two gives of 0.05
    /// after a payment of 0.11 (fee 0.01) return 0.02 of fees.
    #[test]
    fn given_refunds_never_return_more_fee_than_was_charged() {
        let s = usd();
        let now = start();
        let c = fixed(&[500]);
        let c = escrow::approve(&c, None, Some(cents(11)), &s, now)
            .unwrap()
            .contract;
        assert_eq!(c.totals().fee, cents(1));
        let c = escrow::give(&c, cents(5), &s, now).unwrap().contract;
        let c = escrow::give(&c, cents(5), &s, now).unwrap().contract;
        let t = c.totals();
        assert_eq!(t.paid, cents(1));
        assert!(t.fee >= Money::ZERO, "total fee {}", t.fee.minor());
    }

    /// A refund request holds all of a submitted milestone's escrow; the
    /// 14-day timer still fires, releases 0.00 and marks it `released`.
    #[test]
    fn the_auto_release_does_not_mark_a_milestone_released_with_nothing_paid() {
        let s = usd();
        let now = start();
        let c = fixed(&[50_000]);
        let c = escrow::submit(&c, None, &s, now).unwrap().contract;
        let c = escrow::request(&c, None, &s, now).unwrap().contract;
        let c = escrow::dispute(&c, None, &s, now).unwrap().contract;
        let c = escrow::escalate(&c, &s, now).unwrap().contract;
        let o = timers::advance(&c, &s, now + Duration::days(14));
        assert!(
            o.events.iter().all(|e| e.amount != Some(Money::ZERO)),
            "{:?}",
            o.events
        );
        let c = escrow::resolve(
            &o.contract,
            Role::Client,
            cents(50_000),
            Money::ZERO,
            &s,
            now + Duration::days(15),
        )
        .unwrap()
        .contract;
        assert!(c.payments.is_empty());
        assert_ne!(c.milestones[0].status, MilestoneStatus::Released);
    }

    /// The same machinery with every check passes a plain history (so the
    /// strict property fails only for the bugs above).
    #[test]
    fn a_plain_history_passes_every_check() {
        let ops = vec![
            Op::Submit {
                k: 0,
                wrong: false,
                n: None,
            },
            Op::RequestChanges {
                k: 0,
                wrong: false,
                n: None,
            },
            Op::Submit {
                k: 0,
                wrong: false,
                n: None,
            },
            Op::JumpToTimer { k: 0, delta: -1 },
            Op::Approve {
                k: 0,
                wrong: false,
                n: None,
                amt: Amt::Pct(50),
            },
            Op::Fund {
                k: 0,
                wrong: false,
                n: None,
            },
            Op::Request {
                k: 0,
                wrong: false,
                amt: Amt::Minor(1_000),
            },
            Op::Dispute {
                k: 0,
                wrong: false,
                note: true,
            },
            Op::Escalate { k: 0, wrong: false },
            Op::Resolve {
                k: 0,
                wrong: false,
                pct: 40,
                off: 0,
            },
            Op::Give {
                k: 0,
                wrong: false,
                amt: Amt::Minor(2_000),
            },
            Op::End {
                k: 0,
                role: Role::Client,
                pay: PaySpec::Nothing,
            },
            Op::JumpToTimer { k: 0, delta: 0 },
            Op::Advance { k: 0 },
            Op::Jump(180 * 86_400),
            Op::Advance { k: 0 },
        ];
        run(&usd(), vec![10_000, 10_000], ops).unwrap();
    }
}
