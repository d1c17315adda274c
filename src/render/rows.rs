//! What the views and the JSON documents are built from: who is looking,
//! and the rows commands gather. Both `json` and `views` use these; neither
//! uses the other's builders.

use crate::core::diary::{Bill, WeekFile};
use crate::core::feedback::FeedbackView;
use crate::core::model::{Contract, HourlyDispute, Instant, Milestone, Role, Terms};
use crate::core::week::Week;
use crate::core::{Money, Settings};

/// Who is looking, and when.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    /// Ledger settings (currency, fee).
    pub settings: &'a Settings,
    /// The acting role.
    pub role: Role,
    /// The clock.
    pub now: Instant,
}

impl Viewer<'_> {
    /// Money as the decimal string of JSON.
    pub fn money(&self, m: Money) -> String {
        self.settings.currency.format(m)
    }
}

/// This week's diary time of an hourly contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThisWeek {
    /// The current billing week.
    pub week: Week,
    /// Seconds logged (running time counted up to now).
    pub seconds: i64,
    /// The start of a running timer.
    pub running_since: Option<Instant>,
}

/// One contract's week, ready to print.
pub struct Sheet {
    /// The contract, its due timers applied.
    pub contract: Contract,
    /// Its week file.
    pub wf: WeekFile,
    /// The week's bill.
    pub bill: Bill,
}

/// The hourly rate of a sheet's contract (zero for fixed price).
pub fn sheet_rate(c: &Contract) -> Money {
    match &c.terms {
        Terms::Hourly { rate, .. } => *rate,
        Terms::Fixed { .. } => Money::ZERO,
    }
}

/// The hourly dispute of `week`, if any.
pub fn week_dispute(c: &Contract, week: Week) -> Option<&HourlyDispute> {
    c.disputes.iter().find(|d| d.week == week)
}

/// One milestone as listed: its number, the milestone, its escrow, the part
/// held by open refunds, and when it is released automatically.
pub type MilestoneRow<'a> = (u32, &'a Milestone, Money, Money, Option<Instant>);

/// A contract on which the acting role still has feedback to give: when its
/// window closes, the contract, and the other party's feedback as seen.
pub type ToGive = (Instant, Contract, FeedbackView);

/// Days left until a window's close, counting today: 1 on its last day.
pub fn days_left(closes: Instant, now: Instant) -> i64 {
    let whole = (closes.date_naive() - now.date_naive()).num_days();
    // A close at midnight ends the day before it.
    if closes.time() == chrono::NaiveTime::MIN {
        whole
    } else {
        whole + 1
    }
}

/// A fee and the net it leaves, as a role that sees fees sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeNet {
    /// The service fee.
    pub fee: Money,
    /// The gross less the fee.
    pub net: Money,
}

/// The fee and net of `gross` as `role` sees them; none for a role that
/// does not see fees. The one place the render layer decides whether a
/// role sees fees ([`Role::sees_fee`]) and computes a net
/// ([`Money::less_fee`]): tables, JSON and CSV all ask here.
pub fn fee_net(role: Role, gross: Money, fee: Money) -> Option<FeeNet> {
    role.sees_fee().then(|| FeeNet {
        fee,
        net: gross.less_fee(fee),
    })
}

/// What an hourly contract's diary holds that is not paid yet (read from
/// its week files by the commands).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unpaid {
    /// Invoiced weeks the client may still dispute.
    pub invoiced: Money,
    /// Invoiced weeks held by an open dispute.
    pub held: Money,
}

/// A contract's money as one role sees it, computed once: the `show`
/// table prints it, the contract JSON (`show`, `list`, mutations) and
/// `export csv contracts` write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// Put into escrow.
    pub funded: Money,
    /// In escrow (fixed price), including the part held by refunds.
    pub escrow: Money,
    /// Held by an open refund request or dispute (part of the escrow), or
    /// invoiced hourly weeks held by an open dispute.
    pub held: Money,
    /// Invoiced hourly weeks the client may still dispute; none where the
    /// diary was not read.
    pub disputable: Option<Money>,
    /// Paid to the freelancer, gross, less what was given back.
    pub paid: Money,
    /// The fee on `paid` and the net, for a role that sees fees.
    pub fee_net: Option<FeeNet>,
    /// Back to the client.
    pub refunded: Money,
}

impl Figures {
    /// The figures of `c` as `role` sees them, with what its diary holds
    /// unpaid (`None`: the diary was not read; `disputable` is then none
    /// and `held` counts refunds only).
    pub fn of(c: &Contract, role: Role, unpaid: Option<Unpaid>) -> Figures {
        let t = c.totals();
        Figures {
            funded: t.funded,
            escrow: t.escrow,
            held: t.held + unpaid.map_or(Money::ZERO, |u| u.held),
            disputable: unpaid.map(|u| u.invoiced),
            paid: t.paid,
            fee_net: fee_net(role, t.paid, t.fee),
            refunded: t.refunded,
        }
    }

    /// The money of a period, from the sums of its movements: what moved
    /// in it (escrow: what it added to escrow, negative when more left).
    /// `held` and `disputable` are standings now, not movements: zero and
    /// none here (`export csv contracts` leaves them empty for a period).
    pub fn of_period(sums: &crate::core::movements::Sums, role: Role) -> Figures {
        Figures {
            funded: sums.funded,
            escrow: sums.escrow,
            held: Money::ZERO,
            disputable: None,
            paid: sums.paid,
            fee_net: fee_net(role, sums.paid, sums.fee),
            refunded: sums.refunded,
        }
    }
}
