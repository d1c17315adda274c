//! Creating, pausing, resuming and ending contracts \[211068428\].

pub use super::accounts::{available_escrow, milestone_escrow, milestone_held};
use super::accounts::{close_if_empty, release};
use super::error::{Amount, FixedOnly, HourlyOnly, Refusal, RuleError, refused};
use super::model::*;
use super::money::Money;
pub use super::step::{guard, refuse_before_latest};
use super::step::{offer_transition, refuse_if_ended, transition};
use super::{Outcome, Settings};

/// Smallest hourly rate, in major units of the currency \[211062308\].
pub const MIN_RATE_MAJOR: i64 = 3;
/// Smallest milestone, in major units of the currency.
pub const MIN_MILESTONE_MAJOR: i64 = 5;
/// Days the freelancer has to answer a refund request.
pub const REFUND_ANSWER_DAYS: i64 = 7;

/// What `new` asks for.
#[derive(Debug, Clone)]
pub struct NewContract {
    /// The id to use.
    pub id: ContractId,
    /// Title.
    pub title: String,
    /// The client's name.
    pub client: String,
    /// The freelancer's name.
    pub freelancer: String,
    /// Hourly or fixed, with milestones for fixed.
    pub terms: NewTerms,
}

/// Terms requested by `new`.
#[derive(Debug, Clone)]
pub enum NewTerms {
    /// Hourly.
    Hourly {
        /// Per hour.
        rate: Money,
        /// Weekly limit in hours; `None` for no limit.
        weekly_limit: Option<u32>,
        /// Whether manual time is allowed.
        manual_time: bool,
    },
    /// Fixed price.
    Fixed {
        /// The price.
        price: Money,
        /// Milestones (title, amount); empty for one of the whole price.
        milestones: Vec<(String, Money)>,
    },
}

fn check_text(what: &str, s: &str) -> Result<(), RuleError> {
    if s.trim().is_empty() {
        return refused(Refusal::Empty {
            what: what.to_string(),
        });
    }
    Ok(())
}

/// `new` (client): a contract starts now; a fixed contract's first milestone is
/// funded into escrow at once.
pub fn create(
    req: NewContract,
    role: Role,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    if role != Role::Client {
        return refused(Refusal::NotTheParty {
            need: Role::Client,
            name: None,
            doing: "creates contracts".into(),
            id: None,
        });
    }
    check_text("title", &req.title)?;
    check_text("client name", &req.client)?;
    check_text("freelancer name", &req.freelancer)?;
    let cur = settings.currency;
    let (terms, milestones, created) = match req.terms {
        NewTerms::Hourly {
            rate,
            weekly_limit,
            manual_time,
        } => {
            let min = cur.major(MIN_RATE_MAJOR);
            if rate < min {
                return refused(Refusal::RateTooLow {
                    rate: Amount::new(cur, rate),
                    min: Amount::new(cur, min),
                });
            }
            // Checked here, where a rate is set, rather than on every change
            // of a contract: one made before this bound keeps working.
            let max = Money::from_minor(super::validate::MAX_HOURLY_MINOR);
            if rate > max {
                return refused(Refusal::RateTooHigh {
                    rate: Amount::new(cur, rate),
                    max: Amount::new(cur, max),
                });
            }
            (
                Terms::Hourly {
                    rate,
                    weekly_limit,
                    limit_changes: Vec::new(),
                    manual_time,
                },
                Vec::new(),
                Op::Created {
                    price: None,
                    hours: weekly_limit,
                    milestones: None,
                    rate: Some(rate),
                },
            )
        }
        NewTerms::Fixed { price, milestones } => {
            let list = if milestones.is_empty() {
                vec![(req.title.clone(), price)]
            } else {
                milestones
            };
            let min = cur.major(MIN_MILESTONE_MAJOR);
            let mut sum = Money::ZERO;
            for (title, amount) in &list {
                check_text("milestone title", title)?;
                if *amount < min {
                    return refused(Refusal::MilestoneTooSmall {
                        title: Some(title.clone()),
                        amount: Amount::new(cur, *amount),
                        min: Amount::new(cur, min),
                    });
                }
                sum = sum
                    .checked_add(*amount)
                    .ok_or(RuleError::Refused(Refusal::MilestonesOverflow))?;
            }
            if sum != price {
                return refused(Refusal::MilestonesNotPrice {
                    sum: Amount::new(cur, sum),
                    price: Amount::new(cur, price),
                });
            }
            let count = u32::try_from(list.len()).ok();
            let ms: Vec<Milestone> = list
                .into_iter()
                .enumerate()
                .map(|(i, (title, amount))| Milestone {
                    title,
                    amount,
                    status: if i == 0 {
                        MilestoneStatus::Funded
                    } else {
                        MilestoneStatus::Pending
                    },
                    funded: if i == 0 { amount } else { Money::ZERO },
                    funded_at: (i == 0).then_some(now),
                    submitted_at: None,
                })
                .collect();
            (
                Terms::Fixed { price },
                ms,
                Op::Created {
                    price: Some(price),
                    hours: None,
                    milestones: count,
                    rate: None,
                },
            )
        }
    };
    let ev = event(now, Actor::Client, created, None);
    let contract = Contract {
        id: req.id,
        title: req.title,
        client: req.client,
        freelancer: req.freelancer,
        terms,
        status: Status::Active,
        started_at: now,
        ending: None,
        milestones,
        payments: Vec::new(),
        refunds: Vec::new(),
        disputes: Vec::new(),
        feedback_client: None,
        feedback_freelancer: None,
        history: vec![ev.clone()],
    };
    guard(&contract, settings)?;
    Ok(Outcome {
        contract,
        events: vec![ev],
    })
}

/// `new` in a shared ledger: the contract is an offer, `offered`, until the
/// freelancer accepts it (it starts then) or declines it. It is made and
/// funded as `new` makes a contract; nothing else is done on it before.
pub fn create_offer(
    req: NewContract,
    role: Role,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    let mut o = create(req, role, settings, now)?;
    o.contract.status = Status::Offered;
    Ok(o)
}

/// `accept` (freelancer): an offer becomes an active contract, which starts
/// now.
pub(crate) fn accept(
    c: &Contract,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    offer_transition(c, settings, now, |c| {
        answer(c, "accept")?;
        c.status = Status::Active;
        c.started_at = now;
        Ok(vec![event(
            now,
            Actor::Freelancer,
            Op::OfferAccepted {},
            None,
        )])
    })
}

/// `decline` (freelancer): an offer ends, its escrow returned to the client.
pub(crate) fn decline(
    c: &Contract,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    offer_transition(c, settings, now, |c| {
        answer(c, "decline")?;
        let available = gather_free_escrow(c);
        let returned: Money = available.iter().map(|(_, m)| *m).sum();
        let mut events = return_escrow(c, &available, now);
        c.status = Status::Ended;
        c.ending = Some(Ending {
            at: now,
            by: Role::Freelancer,
            reason: EndReason::Other,
            note: Some("offer declined".into()),
        });
        let head = event(
            now,
            Actor::Freelancer,
            Op::OfferDeclined {
                escrow: (!returned.is_zero()).then_some(returned),
            },
            None,
        );
        events.insert(0, head);
        Ok(events)
    })
}

/// The freelancer returns the free escrow `available` to the client at once
/// (their end, or a declined offer).
fn return_escrow(c: &mut Contract, available: &[(u32, Money)], now: Instant) -> Vec<Event> {
    let mut events = Vec::new();
    for &(n, avail) in available {
        c.refunds.push(Refund::done(
            RefundOrigin::FreelancerEnd,
            Some(n),
            avail,
            now,
            None,
        ));
        close_if_empty(c, n);
        events.push(event(
            now,
            Actor::Freelancer,
            Op::Refunded { milestone: n },
            Some(avail),
        ));
    }
    events
}

/// Refuses an answer to `c` unless it is an offer (that its freelancer
/// answers is `apply`'s to check).
fn answer(c: &Contract, verb: &str) -> Result<(), RuleError> {
    if c.status != Status::Offered {
        return refused(Refusal::NotAnOffer {
            verb: verb.to_string(),
            id: c.id.clone(),
            status: c.status,
        });
    }
    Ok(())
}

/// `pause` (client, hourly): active -> paused; a paused contract takes no new time.
pub(crate) fn pause(c: &Contract, settings: &Settings, now: Instant) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| {
        refuse_if_ended(c, "pause")?;
        if c.kind() != Kind::Hourly {
            return refused(Refusal::NotHourly {
                id: c.id.clone(),
                what: HourlyOnly::Pause,
            });
        }
        if c.status == Status::Paused {
            return refused(Refusal::AlreadyPaused { id: c.id.clone() });
        }
        c.status = Status::Paused;
        Ok(vec![event(now, Actor::Client, Op::Paused {}, None)])
    })
}

/// `resume` (client, hourly): paused -> active.
pub(crate) fn resume(
    c: &Contract,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| {
        refuse_if_ended(c, "resume")?;
        if c.status != Status::Paused {
            return refused(Refusal::NotPaused {
                id: c.id.clone(),
                status: c.status,
            });
        }
        c.status = Status::Active;
        Ok(vec![event(now, Actor::Client, Op::Resumed {}, None)])
    })
}

/// How much of the escrow the client releases when ending a fixed contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pay {
    /// All of the escrow.
    Full,
    /// Nothing: all of it becomes a refund request.
    None,
    /// This much; the rest becomes a refund request.
    Amount(Money),
}

/// What `end` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndRequest {
    /// Why.
    pub reason: EndReason,
    /// An optional note.
    pub note: Option<String>,
    /// For a client ending a fixed contract with escrow.
    pub pay: Option<Pay>,
}

/// The escrow free at the end, gathered into one milestone (the last that
/// holds some) as carried money is: so the end releases one amount, with
/// its fee rounded once, and makes one refund request of the rest.
fn gather_free_escrow(c: &mut Contract) -> Vec<(u32, Money)> {
    let free = available_escrow(c);
    let Some(&(target, _)) = free.last() else {
        return free;
    };
    let total: Money = free.iter().map(|(_, m)| *m).sum();
    for &(n, m) in &free[..free.len() - 1] {
        c.milestones[n as usize - 1].funded -= m;
        c.milestones[target as usize - 1].funded += m;
        close_if_empty(c, n);
    }
    vec![(target, total)]
}

/// `end` (client or freelancer, from active or paused): final. Locks the
/// diary at `now`, settles a fixed contract's escrow as the rules say, and
/// opens both feedback windows.
pub(crate) fn end(
    c: &Contract,
    role: Role,
    req: &EndRequest,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    let cur = settings.currency;
    transition(c, settings, now, |c| {
        refuse_if_ended(c, "end")?;
        let mut events = Vec::new();
        let mut paid = None;
        let available = gather_free_escrow(c);
        let escrow: Money = available.iter().map(|(_, m)| *m).sum();
        if c.kind() == Kind::Hourly && req.pay.is_some() {
            return refused(Refusal::NotFixed {
                id: c.id.clone(),
                what: FixedOnly::Pay,
            });
        }
        if c.kind() == Kind::Fixed && role == Role::Client && escrow > Money::ZERO {
            let pay = match req.pay {
                None => {
                    return refused(Refusal::PayNeeded {
                        id: c.id.clone(),
                        escrow: Amount::new(cur, escrow),
                        freelancer: c.freelancer.clone(),
                    });
                }
                Some(Pay::Full) => escrow,
                Some(Pay::None) => Money::ZERO,
                Some(Pay::Amount(a)) if a > escrow => {
                    return refused(Refusal::PayAboveEscrow {
                        id: c.id.clone(),
                        pay: Amount::new(cur, a),
                        escrow: Amount::new(cur, escrow),
                    });
                }
                Some(Pay::Amount(a)) => a,
            };
            let mut to_pay = pay;
            for (n, avail) in &available {
                let part = to_pay.min(*avail);
                to_pay -= part;
                if !part.is_zero() {
                    release(c, settings, *n, part, now);
                    events.push(event(
                        now,
                        Actor::Client,
                        Op::Released {
                            milestone: *n,
                            fee: settings.fee_on(part),
                        },
                        Some(part),
                    ));
                }
                let rest = *avail - part;
                if !rest.is_zero() {
                    let deadline = now + chrono::Duration::days(REFUND_ANSWER_DAYS);
                    c.refunds.push(Refund::requested(
                        RefundOrigin::End,
                        Some(*n),
                        rest,
                        now,
                        deadline,
                    ));
                    events.push(event(
                        now,
                        Actor::Client,
                        Op::RefundRequested {
                            refund: c.refunds.len() as u32,
                            milestone: *n,
                            deadline,
                            ending: Some(true),
                            asked: None,
                        },
                        Some(rest),
                    ));
                }
            }
            paid = Some(pay);
        } else if c.kind() == Kind::Fixed && escrow > Money::ZERO {
            if req.pay.is_some() {
                return refused(Refusal::PayNotYours { id: c.id.clone() });
            }
            events.extend(return_escrow(c, &available, now));
        } else if c.kind() == Kind::Fixed
            && req.pay.is_some_and(|p| p != Pay::None && p != Pay::Full)
        {
            return refused(Refusal::NothingInEscrow { id: c.id.clone() });
        }
        c.status = Status::Ended;
        c.ending = Some(Ending {
            at: now,
            by: role,
            reason: req.reason,
            note: req.note.clone(),
        });
        c.feedback_client = Some(Feedback::pending());
        c.feedback_freelancer = Some(Feedback::pending());
        let mut all = vec![event(
            now,
            role.actor(),
            Op::Ended {
                end_reason: req.reason,
                note: req.note.clone(),
                paid,
                escrow: (escrow > Money::ZERO && c.kind() == Kind::Fixed).then_some(escrow),
                asked: match req.pay {
                    Some(Pay::Amount(a)) => Some(a),
                    Some(Pay::None) => Some(Money::ZERO),
                    _ => None,
                },
                all: (req.pay == Some(Pay::Full)).then_some(true),
            },
            None,
        )];
        all.extend(events);
        Ok(all)
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::Currency;
    use chrono::{DateTime, Utc};

    pub(crate) fn t(s: &str) -> Instant {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }
    pub(crate) fn settings() -> Settings {
        Settings {
            currency: Currency::from_code("USD").unwrap(),
            role: Role::Client,
            fee_percent: 10,
        }
    }
    fn usd(s: &str) -> Money {
        settings().currency.parse(s).unwrap()
    }
    pub(crate) fn fixed(price: &str) -> Contract {
        create(
            NewContract {
                id: ContractId::parse("c1").unwrap(),
                title: "Storefront".into(),
                client: "Acme".into(),
                freelancer: "Ann".into(),
                terms: NewTerms::Fixed {
                    price: usd(price),
                    milestones: vec![],
                },
            },
            Role::Client,
            &settings(),
            t("2026-11-02T09:00:00Z"),
        )
        .unwrap()
        .contract
    }
    /// A fixed contract of 300.00 in three milestones of 100.00, the first
    /// funded, made on Monday 2 November 09:00.
    pub(crate) fn create_fixed_in_three() -> Contract {
        create(
            NewContract {
                id: ContractId::parse("f3").unwrap(),
                title: "Three".into(),
                client: "Acme".into(),
                freelancer: "Ann".into(),
                terms: NewTerms::Fixed {
                    price: usd("300"),
                    milestones: vec![
                        ("One".into(), usd("100")),
                        ("Two".into(), usd("100")),
                        ("Three".into(), usd("100")),
                    ],
                },
            },
            Role::Client,
            &settings(),
            t("2026-11-02T09:00:00Z"),
        )
        .unwrap()
        .contract
    }
    pub(crate) fn hourly() -> Contract {
        create(
            NewContract {
                id: ContractId::parse("h1").unwrap(),
                title: "Support".into(),
                client: "Acme".into(),
                freelancer: "Bob".into(),
                terms: NewTerms::Hourly {
                    rate: usd("50"),
                    weekly_limit: Some(10),
                    manual_time: true,
                },
            },
            Role::Client,
            &settings(),
            t("2026-11-02T09:00:00Z"),
        )
        .unwrap()
        .contract
    }
    fn end_req(pay: Option<Pay>) -> EndRequest {
        EndRequest {
            reason: EndReason::Completed,
            note: None,
            pay,
        }
    }
    const NOW: &str = "2026-11-18T10:00:00Z";

    #[test]
    fn create_funds_the_first_milestone() {
        let c = fixed("500");
        assert_eq!(c.totals().escrow, usd("500"));
        assert_eq!(c.milestones[0].status, MilestoneStatus::Funded);
        assert_eq!(c.history[0].kind().as_str(), "created");
    }

    #[test]
    fn create_enforces_minimums_and_role() {
        let s = settings();
        let req = |terms| NewContract {
            id: ContractId::parse("x").unwrap(),
            title: "T".into(),
            client: "C".into(),
            freelancer: "F".into(),
            terms,
        };
        let low_rate = NewTerms::Hourly {
            rate: usd("2.99"),
            weekly_limit: None,
            manual_time: true,
        };
        let now = t(NOW);
        assert!(create(req(low_rate), Role::Client, &s, now).is_err());
        let ok_rate = NewTerms::Hourly {
            rate: usd("3"),
            weekly_limit: None,
            manual_time: true,
        };
        assert!(create(req(ok_rate.clone()), Role::Client, &s, now).is_ok());
        assert!(create(req(ok_rate), Role::Freelancer, &s, now).is_err());
        let small = NewTerms::Fixed {
            price: usd("104.99"),
            milestones: vec![("a".into(), usd("100")), ("b".into(), usd("4.99"))],
        };
        assert!(create(req(small), Role::Client, &s, now).is_err());
        let mismatch = NewTerms::Fixed {
            price: usd("100"),
            milestones: vec![("a".into(), usd("50"))],
        };
        assert!(create(req(mismatch), Role::Client, &s, now).is_err());
    }

    #[test]
    fn client_end_with_escrow_needs_pay() {
        let c = fixed("500");
        let err = end(&c, Role::Client, &end_req(None), &settings(), t(NOW)).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("--pay full")
                && msg.contains("--pay none")
                && msg.contains("--pay AMOUNT")
        );
    }

    #[test]
    fn client_end_pay_part_requests_refund_of_rest() {
        let c = fixed("500");
        let o = end(
            &c,
            Role::Client,
            &end_req(Some(Pay::Amount(usd("300")))),
            &settings(),
            t(NOW),
        )
        .unwrap();
        let c = o.contract;
        assert_eq!(c.status, Status::Ended);
        assert_eq!(c.payments[0].amount, usd("300"));
        assert_eq!(c.payments[0].fee, usd("30"));
        assert_eq!(c.refunds[0].amount, usd("200"));
        assert_eq!(c.refunds[0].status, RefundStatus::Requested);
        assert_eq!(c.refunds[0].deadline, t("2026-11-25T10:00:00Z"));
        let tot = c.totals();
        assert_eq!(
            (tot.paid, tot.escrow, tot.held),
            (usd("300"), usd("200"), usd("200"))
        );
        assert_eq!(c.feedback_client.unwrap().status, FeedbackStatus::Pending);
    }

    #[test]
    fn client_end_pay_full_and_none() {
        let c = fixed("500");
        let full = end(
            &c,
            Role::Client,
            &end_req(Some(Pay::Full)),
            &settings(),
            t(NOW),
        )
        .unwrap();
        assert!(full.contract.refunds.is_empty());
        assert_eq!(full.contract.totals().escrow, Money::ZERO);
        assert_eq!(
            full.contract.milestones[0].status,
            MilestoneStatus::Released
        );
        let none = end(
            &c,
            Role::Client,
            &end_req(Some(Pay::None)),
            &settings(),
            t(NOW),
        )
        .unwrap();
        assert!(none.contract.payments.is_empty());
        assert_eq!(none.contract.refunds[0].amount, usd("500"));
    }

    #[test]
    fn client_end_cannot_pay_more_than_escrow() {
        let c = fixed("500");
        let r = end(
            &c,
            Role::Client,
            &end_req(Some(Pay::Amount(usd("500.01")))),
            &settings(),
            t(NOW),
        );
        assert!(matches!(
            r,
            Err(RuleError::Refused(Refusal::PayAboveEscrow { .. }))
        ));
    }

    #[test]
    fn freelancer_end_returns_escrow_at_once() {
        let c = fixed("500");
        let o = end(&c, Role::Freelancer, &end_req(None), &settings(), t(NOW)).unwrap();
        let c = o.contract;
        assert_eq!(c.refunds[0].status, RefundStatus::Refunded);
        let tot = c.totals();
        assert_eq!((tot.refunded, tot.escrow), (usd("500"), Money::ZERO));
        assert_eq!(c.ending.unwrap().by, Role::Freelancer);
        assert!(
            end(
                &fixed("500"),
                Role::Freelancer,
                &end_req(Some(Pay::Full)),
                &settings(),
                t(NOW)
            )
            .is_err()
        );
    }

    #[test]
    fn ended_is_final() {
        let c = hourly();
        let c = end(&c, Role::Freelancer, &end_req(None), &settings(), t(NOW))
            .unwrap()
            .contract;
        assert!(end(&c, Role::Client, &end_req(None), &settings(), t(NOW)).is_err());
        assert!(pause(&c, &settings(), t(NOW)).is_err());
        assert!(resume(&c, &settings(), t(NOW)).is_err());
    }

    #[test]
    fn hourly_end_refuses_pay() {
        let c = hourly();
        assert!(
            end(
                &c,
                Role::Client,
                &end_req(Some(Pay::Full)),
                &settings(),
                t(NOW)
            )
            .is_err()
        );
        let o = end(&c, Role::Client, &end_req(None), &settings(), t(NOW)).unwrap();
        assert_eq!(o.contract.ended_at(), Some(t(NOW)));
    }

    #[test]
    fn pause_and_resume() {
        let s = settings();
        let c = hourly();
        // Only the client pauses (declared with the request).
        let cx = crate::core::apply::Context {
            settings: &s,
            weeks: &[],
        };
        let req = crate::core::apply::Request::Pause;
        assert!(crate::core::apply::apply(&c, Role::Freelancer, &req, &cx, t(NOW)).is_err());
        let p = pause(&c, &s, t(NOW)).unwrap().contract;
        assert_eq!(p.status, Status::Paused);
        assert!(pause(&p, &s, t(NOW)).is_err());
        assert!(resume(&c, &s, t(NOW)).is_err());
        let r = resume(&p, &s, t(NOW)).unwrap().contract;
        assert_eq!(r.status, Status::Active);
        assert!(pause(&fixed("500"), &s, t(NOW)).is_err());
        // a paused contract can still be ended
        assert!(end(&p, Role::Client, &end_req(None), &s, t(NOW)).is_ok());
    }

    #[test]
    fn feedback_window_closes_at_midnight_after_day_14() {
        let c = hourly();
        let c = end(&c, Role::Client, &end_req(None), &settings(), t(NOW))
            .unwrap()
            .contract;
        assert_eq!(c.feedback_window_closes(), Some(t("2026-12-03T00:00:00Z")));
    }
}
