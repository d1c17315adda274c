//! Where escrow stands: what each milestone holds, what open refunds hold,
//! and the moves that release or return it.

use super::Settings;
use super::model::*;
use super::money::Money;

/// Escrow not held by an open refund, per milestone (1-based).
pub fn available_escrow(c: &Contract) -> Vec<(u32, Money)> {
    (1..=c.milestones.len() as u32)
        .map(|n| (n, milestone_escrow(c, n) - milestone_held(c, n)))
        .filter(|(_, m)| *m > Money::ZERO)
        .collect()
}

/// Escrow still in milestone `n` (1-based), including held parts.
pub fn milestone_escrow(c: &Contract, n: u32) -> Money {
    let Some(m) = c.milestones.get(n as usize - 1) else {
        return Money::ZERO;
    };
    let paid: Money = c
        .payments
        .iter()
        .filter(|p| p.milestone == Some(n))
        .map(|p| p.amount)
        .sum();
    let refunded: Money = c
        .refunds
        .iter()
        .filter(|r| r.milestone == Some(n) && r.origin != RefundOrigin::Given)
        .map(|r| match r.status {
            RefundStatus::Refunded => r.amount,
            RefundStatus::Resolved => r.client_part.unwrap_or_default(),
            _ => Money::ZERO,
        })
        .sum();
    m.funded - paid - refunded
}

/// Escrow of milestone `n` held by open refunds.
pub fn milestone_held(c: &Contract, n: u32) -> Money {
    c.refunds
        .iter()
        .filter(|r| r.milestone == Some(n) && r.status.is_open())
        .map(|r| r.amount)
        .sum()
}

/// Releases `amount` of milestone `n`'s escrow to the freelancer, with the fee.
pub(crate) fn release(c: &mut Contract, settings: &Settings, n: u32, amount: Money, at: Instant) {
    if amount.is_zero() {
        return;
    }
    c.payments.push(Payment {
        at,
        milestone: Some(n),
        week: None,
        amount,
        fee: settings.fee_on(amount),
    });
    close_if_empty(c, n);
}

/// Marks milestone `n` closed once nothing of its escrow is left.
pub(crate) fn close_if_empty(c: &mut Contract, n: u32) {
    if milestone_escrow(c, n).is_zero() {
        let any_paid = c.payments.iter().any(|p| p.milestone == Some(n));
        if let Some(m) = c.milestones.get_mut(n as usize - 1)
            && matches!(
                m.status,
                MilestoneStatus::Funded | MilestoneStatus::Submitted
            )
        {
            m.status = if any_paid {
                MilestoneStatus::Released
            } else {
                MilestoneStatus::Refunded
            };
        }
    }
}

/// Marks refund `i` settled with `status` at `at`; returns its amount and milestone.
pub(crate) fn settle_refund(
    c: &mut Contract,
    i: usize,
    status: RefundStatus,
    at: Instant,
) -> (Money, Option<u32>) {
    let r = &mut c.refunds[i];
    r.status = status;
    r.settled_at = Some(at);
    (r.amount, r.milestone)
}

/// Escrow left over on earlier milestones that are closed (released or
/// refunded, not held by a refund) carries to milestone `n` (1-based), so
/// no money stays behind on a milestone that can no longer pay it out.
pub(crate) fn carry_leftovers(c: &mut Contract, n: u32) {
    for i in 0..(n as usize - 1) {
        let left = milestone_escrow(c, i as u32 + 1) - milestone_held(c, i as u32 + 1);
        if left > Money::ZERO
            && matches!(
                c.milestones[i].status,
                MilestoneStatus::Released | MilestoneStatus::Refunded
            )
        {
            c.milestones[i].funded -= left;
            c.milestones[n as usize - 1].funded += left;
        }
    }
}
