//! Every movement of money of a contract, dated: what exports and reports
//! read. Derived from the records the rules keep (milestone funding in the
//! history, payments, refunds, hourly disputes), never stored twice.

use super::model::*;
use super::money::Money;
use super::week::Week;

/// What moved, between whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The client put money into escrow for a milestone.
    Funded {
        /// The milestone (1-based).
        milestone: Option<u32>,
    },
    /// Escrow released to the freelancer (a milestone, a dispute's outcome).
    Released {
        /// The milestone (1-based), if any.
        milestone: Option<u32>,
        /// The freelancer's fee on it.
        fee: Money,
    },
    /// A settled hourly week paid to the freelancer.
    WeekPaid {
        /// The week.
        week: Week,
        /// The freelancer's fee on it.
        fee: Money,
    },
    /// Escrow returned to the client.
    Refunded {
        /// The milestone (1-based), if any.
        milestone: Option<u32>,
    },
    /// The freelancer gave back released money; the fee on it came back.
    Given {
        /// The fee returned to the freelancer.
        fee_returned: Money,
    },
    /// An hourly week the client was charged and that a dispute then
    /// refunded (never paid to the freelancer): dated, like its refund, at
    /// the dispute's acceptance.
    WeekCharged {
        /// The week.
        week: Week,
    },
    /// The refund of a [`Kind::WeekCharged`] week, when the freelancer
    /// accepted the dispute.
    WeekRefunded {
        /// The week.
        week: Week,
    },
}

/// One movement of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Movement {
    /// When.
    pub at: Instant,
    /// The gross amount.
    pub amount: Money,
    /// What moved.
    pub kind: Kind,
}

impl Kind {
    /// A short name, for tags and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Funded { .. } => "funding",
            Kind::Released { .. } => "release",
            Kind::WeekPaid { .. } => "week",
            Kind::Refunded { .. } => "refund",
            Kind::Given { .. } => "given",
            Kind::WeekCharged { .. } => "week_charged",
            Kind::WeekRefunded { .. } => "week_refunded",
        }
    }
}

/// Every movement of `c`, oldest first (same instant: in the order the
/// rules made them).
pub fn of(c: &Contract) -> Vec<Movement> {
    let mut out = Vec::new();
    // Funding is recorded in the history: milestone 1 at creation, then
    // each top-up (carried escrow moves no money).
    if c.kind() == super::model::Kind::Fixed {
        for e in c.history.iter().filter(|e| e.counts()) {
            match e.kind().as_str() {
                "created" => {
                    if let Some(m) = c.milestones.first() {
                        out.push(Movement {
                            at: e.at,
                            amount: m.amount,
                            kind: Kind::Funded { milestone: Some(1) },
                        });
                    }
                }
                "milestone_funded" => out.push(Movement {
                    at: e.at,
                    amount: e.amount.unwrap_or_default(),
                    kind: Kind::Funded {
                        milestone: match &e.op {
                            Op::MilestoneFunded { milestone, .. } => Some(*milestone),
                            Op::Legacy { detail, .. } => milestone_of(detail),
                            _ => None,
                        },
                    },
                }),
                _ => {}
            }
        }
    }
    for p in &c.payments {
        let kind = match p.week {
            Some(week) => Kind::WeekPaid { week, fee: p.fee },
            None => Kind::Released {
                milestone: p.milestone,
                fee: p.fee,
            },
        };
        out.push(Movement {
            at: p.at,
            amount: p.amount,
            kind,
        });
    }
    for r in &c.refunds {
        let at = r.settled_at.unwrap_or(r.requested_at);
        let (amount, kind) = match (r.origin, r.status) {
            (RefundOrigin::Given, RefundStatus::Refunded) => (
                r.amount,
                Kind::Given {
                    fee_returned: r.fee_returned.unwrap_or_default(),
                },
            ),
            (_, RefundStatus::Refunded) => (
                r.amount,
                Kind::Refunded {
                    milestone: r.milestone,
                },
            ),
            (_, RefundStatus::Resolved) => (
                r.client_part.unwrap_or_default(),
                Kind::Refunded {
                    milestone: r.milestone,
                },
            ),
            _ => continue,
        };
        out.push(Movement { at, amount, kind });
    }
    // A week refunded by its dispute: charged and refunded both dated at
    // the acceptance, the operation that made them known. Dated at the
    // invoice, the charge would land in a period whose journal may already
    // have been exported (the dispute was open then), and the journals of
    // consecutive periods would no longer add up to the whole.
    for d in &c.disputes {
        if let (DisputeStatus::Accepted, Some(amount), Some(closed)) =
            (d.status, d.refunded, d.closed_at)
        {
            out.push(Movement {
                at: closed,
                amount,
                kind: Kind::WeekCharged { week: d.week },
            });
            out.push(Movement {
                at: closed,
                amount,
                kind: Kind::WeekRefunded { week: d.week },
            });
        }
    }
    out.retain(|m| !m.amount.is_zero());
    out.sort_by_key(|m| m.at);
    out
}

/// The milestone a version-1 `milestone_funded` event names in its
/// sentence ("milestone 2 funded ..."): it had no arguments.
fn milestone_of(detail: &str) -> Option<u32> {
    detail
        .strip_prefix("milestone ")?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The sums the movements come to, as the contract's totals count them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    /// Into escrow.
    pub funded: Money,
    /// To the freelancer, gross, less what was given back.
    pub paid: Money,
    /// Fees, less fees returned.
    pub fee: Money,
    /// Back to the client.
    pub refunded: Money,
    /// Left in escrow.
    pub escrow: Money,
}

/// What `movements` add up to.
pub fn sums(movements: &[Movement]) -> Sums {
    let mut s = Sums::default();
    for m in movements {
        match m.kind {
            Kind::Funded { .. } => {
                s.funded += m.amount;
                s.escrow += m.amount;
            }
            Kind::Released { fee, .. } => {
                s.paid += m.amount;
                s.fee += fee;
                s.escrow -= m.amount;
            }
            Kind::WeekPaid { fee, .. } => {
                s.paid += m.amount;
                s.fee += fee;
            }
            Kind::Refunded { .. } => {
                s.refunded += m.amount;
                s.escrow -= m.amount;
            }
            Kind::Given { fee_returned } => {
                s.paid -= m.amount;
                s.fee -= fee_returned;
                s.refunded += m.amount;
            }
            Kind::WeekCharged { .. } => s.escrow += m.amount,
            Kind::WeekRefunded { .. } => {
                s.escrow -= m.amount;
                s.refunded += m.amount;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::escrow;
    use crate::core::lifecycle::{EndRequest, Pay, end, tests as lt};
    use crate::core::timers::advance;

    #[test]
    fn the_movements_of_a_contract_add_up_to_its_totals() {
        let s = lt::settings();
        let usd = |x: &str| s.currency.parse(x).unwrap();
        let t = lt::t;
        let c = lt::fixed("500");
        let c = escrow::add_milestone(
            &c,
            "Two".into(),
            usd("300"),
            false,
            &s,
            t("2026-11-03T09:00:00Z"),
        )
        .unwrap()
        .contract;
        let c = escrow::approve(&c, None, Some(usd("400")), &s, t("2026-11-04T09:00:00Z"))
            .unwrap()
            .contract;
        let c = escrow::fund(&c, None, &s, t("2026-11-05T09:00:00Z"))
            .unwrap()
            .contract;
        let c = escrow::give(&c, usd("50"), &s, t("2026-11-06T09:00:00Z"))
            .unwrap()
            .contract;
        let c = end(
            &c,
            Role::Client,
            &EndRequest {
                reason: EndReason::Completed,
                note: None,
                pay: Some(Pay::Amount(usd("120"))),
            },
            &s,
            t("2026-11-07T09:00:00Z"),
        )
        .unwrap()
        .contract;
        let c = advance(&c, &s, t("2026-12-31T00:00:00Z")).contract;
        let m = of(&c);
        let kinds: Vec<&str> = m.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "funding", "release", "funding", "given", "release", "refund"
            ]
        );
        // Funding: 500, then 200 more for milestone 2 (100 carried over).
        assert_eq!(m[2].amount, usd("200"));
        let sums = sums(&m);
        let tot = c.totals();
        assert_eq!(
            (sums.funded, sums.paid, sums.fee, sums.refunded, sums.escrow),
            (tot.funded, tot.paid, tot.fee, tot.refunded, tot.escrow)
        );
    }
}
