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
