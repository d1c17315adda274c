//! The contract model: what a contract file holds, as types.

use super::money::Money;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use std::fmt;
use std::str::FromStr;

/// A UTC instant.
pub type Instant = DateTime<Utc>;

/// Longest id accepted (ids are file names).
pub const MAX_ID_LEN: usize = 32;

/// Declares a string-valued enum with `as_str`, `FromStr` and `Display`.
macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $(#[doc = concat!("`", $s, "`")] $(#[$vm])* $var),+ }
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// The name used in files, tables and JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $s),+ }
            }
        }
        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($s => Ok($name::$var),)+
                    _ => Err(format!(
                        "`{}` is not one of: {}",
                        s,
                        [$($s),+].join(", ")
                    )),
                }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }
    };
}

str_enum!(
    /// The party a command acts as.
    Role { Client = "client", Freelancer = "freelancer" }
);
str_enum!(
    /// Who made a transition: a party, or the timers.
    Actor { Client = "client", Freelancer = "freelancer", System = "system" }
);
str_enum!(
    /// Hourly or fixed price.
    Kind { Hourly = "hourly", Fixed = "fixed" }
);
str_enum!(
    /// Lifecycle status; `ended` is final.
    Status { Active = "active", Paused = "paused", Ended = "ended" }
);
str_enum!(
    /// Why a contract ended.
    EndReason {
        Completed = "completed",
        Unresponsive = "unresponsive",
        Unsuccessful = "unsuccessful",
        Other = "other",
    }
);
str_enum!(
    /// Where a milestone stands.
    MilestoneStatus {
        /// Not funded yet.
        Pending = "pending",
        /// Its amount is in escrow.
        Funded = "funded",
        /// Work submitted, waiting for the client.
        Submitted = "submitted",
        /// Paid out (in whole or part) and closed.
        Released = "released",
        /// Its escrow went back to the client and it is closed.
        Refunded = "refunded",
    }
);
str_enum!(
    /// Where a refund stands.
    RefundStatus {
        /// Waiting for the freelancer (7 days).
        Requested = "requested",
        /// The freelancer disputed; waiting for the client (5 business days).
        Disputed = "disputed",
        /// In mediation, until `refund resolve`.
        Escalated = "escalated",
        /// The money went back to the client.
        Refunded = "refunded",
        /// The money went to the freelancer.
        Released = "released",
        /// Split by mediation.
        Resolved = "resolved",
    }
);
str_enum!(
    /// Where one party's feedback stands.
    FeedbackStatus {
        /// Not given; the window may be open.
        Pending = "pending",
        /// Given; hidden from the other party for now.
        Submitted = "submitted",
        /// Given and visible to both.
        Revealed = "revealed",
        /// Not given before the window closed.
        Expired = "expired",
    }
);
str_enum!(
    /// Where an hourly dispute stands.
    DisputeStatus {
        /// Waiting for the freelancer.
        Open = "open",
        /// The freelancer accepted: the week's hours are refunded.
        Accepted = "accepted",
        /// The freelancer declined: the hours stand.
        Declined = "declined",
        /// The client withdrew it: billed as normal.
        Withdrawn = "withdrawn",
    }
);
str_enum!(
    /// Where a refund came from.
    RefundOrigin {
        /// The client's `refund request`.
        Request = "request",
        /// The remainder of escrow when the client ended the contract.
        End = "end",
        /// The freelancer ended: escrow returned at once.
        FreelancerEnd = "freelancer_end",
        /// The freelancer gave back released money.
        Given = "given",
    }
);

impl Refund {
    /// A refund requested at `at`, for the freelancer to answer by `deadline`.
    pub fn requested(
        origin: RefundOrigin,
        milestone: Option<u32>,
        amount: Money,
        at: Instant,
        deadline: Instant,
    ) -> Refund {
        Refund {
            origin,
            milestone,
            amount,
            status: RefundStatus::Requested,
            requested_at: at,
            deadline,
            disputed_at: None,
            dispute_deadline: None,
            note: None,
            settled_at: None,
            client_part: None,
            fee_returned: None,
        }
    }

    /// A refund made at once, with no request to answer.
    pub fn done(
        origin: RefundOrigin,
        milestone: Option<u32>,
        amount: Money,
        at: Instant,
        fee_returned: Option<Money>,
    ) -> Refund {
        Refund {
            status: RefundStatus::Refunded,
            settled_at: Some(at),
            fee_returned,
            ..Refund::requested(origin, milestone, amount, at, at)
        }
    }
}

impl RefundStatus {
    /// Still holding money in escrow.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RefundStatus::Requested | RefundStatus::Disputed | RefundStatus::Escalated
        )
    }
}

impl Role {
    /// The actor for this role.
    pub fn actor(self) -> Actor {
        match self {
            Role::Client => Actor::Client,
            Role::Freelancer => Actor::Freelancer,
        }
    }
    /// The other party.
    pub fn other(self) -> Role {
        match self {
            Role::Client => Role::Freelancer,
            Role::Freelancer => Role::Client,
        }
    }
    /// Whether this role sees the service fee and the net: the fee is
    /// between the marketplace and the freelancer, so a client never sees
    /// it (in tables, JSON and exports alike).
    pub fn sees_fee(self) -> bool {
        self == Role::Freelancer
    }
}

/// A contract id: letters, digits, `-`, `_`; 1 to 32 characters. Ordered
/// naturally: automatic ids by number (c2 before c10), then the others.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContractId(String);

impl Ord for ContractId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        fn key(id: &ContractId) -> (u64, &str) {
            (id.auto_number().unwrap_or(u64::MAX), &id.0)
        }
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for ContractId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl ContractId {
    /// Checks that `s` is safe as a file name.
    pub fn parse(s: &str) -> Result<ContractId, String> {
        if s.is_empty() {
            return Err("a contract id cannot be empty".into());
        }
        if s.chars().count() > MAX_ID_LEN {
            return Err(format!(
                "contract id is {} characters long; at most {MAX_ID_LEN} are allowed",
                s.chars().count()
            ));
        }
        if let Some(bad) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(format!(
                "contract id `{}` contains {:?}: ids use letters, digits, `-` and `_` only",
                s.escape_default(),
                bad
            ));
        }
        Ok(ContractId(s.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number of an automatic id `cN`.
    pub fn auto_number(&self) -> Option<u64> {
        let n = self.0.strip_prefix('c')?;
        if n.starts_with('0') || n.is_empty() {
            return None;
        }
        n.parse().ok()
    }
}

impl fmt::Display for ContractId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// Hourly or fixed terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Terms {
    /// Paid by the hour through the work diary.
    Hourly {
        /// Per hour.
        rate: Money,
        /// Billable hours per week at the start; `None` for no limit.
        weekly_limit: Option<u32>,
        /// Later changes of the limit, oldest first.
        limit_changes: Vec<LimitChange>,
        /// Whether manual (logged after the fact) time is allowed.
        manual_time: bool,
    },
    /// A price split into milestones, funded into escrow.
    Fixed {
        /// The agreed price.
        price: Money,
    },
}

/// A change of the weekly limit \[211062418\]: a raise applies at once (to the
/// current week), a cut from the next Monday 00:00 UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitChange {
    /// When the client made it.
    pub at: Instant,
    /// When it takes effect: it governs every week that ends after this.
    pub from: Instant,
    /// The new limit; `None` for no limit.
    pub hours: Option<u32>,
}

/// The state of an hourly dispute of one week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourlyDispute {
    /// The disputed week.
    pub week: super::week::Week,
    /// The client's reason.
    pub reason: String,
    /// Where it stands.
    pub status: DisputeStatus,
    /// When it was opened.
    pub opened_at: Instant,
    /// When it was closed.
    pub closed_at: Option<Instant>,
    /// The amount refunded when the freelancer accepted.
    pub refunded: Option<Money>,
}

/// How a contract ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    /// When (the diary is locked from this instant).
    pub at: Instant,
    /// Who ended it.
    pub by: Role,
    /// Why.
    pub reason: EndReason,
    /// An optional note.
    pub note: Option<String>,
}

/// A milestone of a fixed contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    /// Its title.
    pub title: String,
    /// The agreed amount.
    pub amount: Money,
    /// Where it stands.
    pub status: MilestoneStatus,
    /// Money put into escrow for it (its amount, plus any carried remainder).
    pub funded: Money,
    /// When it was funded.
    pub funded_at: Option<Instant>,
    /// When work was last submitted (starts the 14-day clock).
    pub submitted_at: Option<Instant>,
}

/// A payment released to the freelancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// When.
    pub at: Instant,
    /// The milestone it came from (1-based), if any.
    pub milestone: Option<u32>,
    /// The hourly billing week it pays, for a settled week of the diary.
    pub week: Option<super::week::Week>,
    /// The gross amount.
    pub amount: Money,
    /// The service fee on it.
    pub fee: Money,
}

/// A refund: requested, disputed, or done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// Where it came from.
    pub origin: RefundOrigin,
    /// The milestone whose escrow it concerns (1-based), if any.
    pub milestone: Option<u32>,
    /// The amount.
    pub amount: Money,
    /// Where it stands.
    pub status: RefundStatus,
    /// When it was requested.
    pub requested_at: Instant,
    /// The freelancer's deadline to answer (auto-approval after it).
    pub deadline: Instant,
    /// When the freelancer disputed it.
    pub disputed_at: Option<Instant>,
    /// The client's deadline to concede or escalate.
    pub dispute_deadline: Option<Instant>,
    /// The freelancer's note when disputing.
    pub note: Option<String>,
    /// When it was settled.
    pub settled_at: Option<Instant>,
    /// For a mediated resolution: the client's part (the rest went to the freelancer).
    pub client_part: Option<Money>,
    /// The fee returned with a refund of released money.
    pub fee_returned: Option<Money>,
}

/// Category scores of feedback, each 1 to 5.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scores {
    /// Skills.
    pub skills: Option<u8>,
    /// Quality of work.
    pub quality: Option<u8>,
    /// Availability.
    pub availability: Option<u8>,
    /// Adherence to deadlines.
    pub deadlines: Option<u8>,
    /// Communication.
    pub communication: Option<u8>,
    /// Cooperation.
    pub cooperation: Option<u8>,
}

impl Scores {
    /// The categories with their names.
    pub fn named(&self) -> [(&'static str, Option<u8>); 6] {
        [
            ("skills", self.skills),
            ("quality", self.quality),
            ("availability", self.availability),
            ("deadlines", self.deadlines),
            ("communication", self.communication),
            ("cooperation", self.cooperation),
        ]
    }
}

/// One party's feedback about the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// Where it stands.
    pub status: FeedbackStatus,
    /// When it was given.
    pub given_at: Option<Instant>,
    /// Stars, 1 to 5.
    pub stars: Option<u8>,
    /// Category scores.
    pub scores: Scores,
    /// The public comment.
    pub comment: Option<String>,
    /// The private note (only ever shown to its author).
    pub private: Option<String>,
    /// The recipient's reply.
    pub reply: Option<String>,
    /// When the reply was given.
    pub replied_at: Option<Instant>,
}

impl Feedback {
    /// Feedback not given yet.
    pub fn pending() -> Feedback {
        Feedback {
            status: FeedbackStatus::Pending,
            given_at: None,
            stars: None,
            scores: Scores::default(),
            comment: None,
            private: None,
            reply: None,
            replied_at: None,
        }
    }
}

str_enum!(
    /// What an event of a contract's history records: one kind per
    /// transition of the rules and per timer.
    EventKind {
        Created = "created",
        Paused = "paused",
        Resumed = "resumed",
        Ended = "ended",
        Released = "released",
        Refunded = "refunded",
        RefundRequested = "refund_requested",
        RefundApproved = "refund_approved",
        RefundAutoApproved = "refund_auto_approved",
        RefundDisputed = "refund_disputed",
        RefundGiven = "refund_given",
        DisputeConceded = "dispute_conceded",
        DisputeEscalated = "dispute_escalated",
        DisputeResolved = "dispute_resolved",
        DisputeDefaulted = "dispute_defaulted",
        MilestoneAdded = "milestone_added",
        MilestoneFunded = "milestone_funded",
        MilestoneSubmitted = "milestone_submitted",
        ChangesRequested = "changes_requested",
        MilestoneApproved = "milestone_approved",
        MilestoneAutoReleased = "milestone_auto_released",
        FeedbackGiven = "feedback_given",
        FeedbackReplied = "feedback_replied",
        FeedbackRevealed = "feedback_revealed",
        FeedbackWindowClosed = "feedback_window_closed",
        LimitChanged = "limit_changed",
        WeekDisputed = "week_disputed",
        DisputeAccepted = "dispute_accepted",
        DisputeDeclined = "dispute_declined",
        DisputeWithdrawn = "dispute_withdrawn",
        WeekPaid = "week_paid",
        TimerStopped = "timer_stopped"
    }
);

/// An event of a contract's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When it happened (for a timer, when it fell due).
    pub at: Instant,
    /// Who did it.
    pub actor: Actor,
    /// What happened, e.g. `ended`, `refund_approved`.
    pub event: EventKind,
    /// The amount moved, if any.
    pub amount: Option<Money>,
    /// A sentence for people.
    pub detail: String,
}

/// Builds an event.
pub(crate) fn event(
    at: Instant,
    actor: Actor,
    what: EventKind,
    amount: Option<Money>,
    detail: String,
) -> Event {
    Event {
        at,
        actor,
        event: what,
        amount,
        detail,
    }
}

/// A contract, as its file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    /// Its id (also its file name).
    pub id: ContractId,
    /// Title.
    pub title: String,
    /// The client's name.
    pub client: String,
    /// The freelancer's name.
    pub freelancer: String,
    /// Hourly or fixed terms.
    pub terms: Terms,
    /// Lifecycle status.
    pub status: Status,
    /// When it started.
    pub started_at: Instant,
    /// How it ended, once ended.
    pub ending: Option<Ending>,
    /// Milestones (fixed contracts).
    pub milestones: Vec<Milestone>,
    /// Payments released to the freelancer.
    pub payments: Vec<Payment>,
    /// Refunds.
    pub refunds: Vec<Refund>,
    /// Hourly disputes, one per disputed week.
    pub disputes: Vec<HourlyDispute>,
    /// Feedback by author (after end).
    pub feedback_client: Option<Feedback>,
    /// Feedback the freelancer gave.
    pub feedback_freelancer: Option<Feedback>,
    /// Everything that happened, oldest first.
    pub history: Vec<Event>,
}

/// Money of a contract, derived from its milestones, payments and refunds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Put into escrow.
    pub funded: Money,
    /// Released to the freelancer (gross), less refunds given back.
    pub paid: Money,
    /// Service fees on what was paid.
    pub fee: Money,
    /// Returned to the client.
    pub refunded: Money,
    /// In escrow now, including `held`.
    pub escrow: Money,
    /// Part of escrow held by open refund requests and disputes.
    pub held: Money,
}

impl Contract {
    /// Hourly or fixed.
    pub fn kind(&self) -> Kind {
        match self.terms {
            Terms::Hourly { .. } => Kind::Hourly,
            Terms::Fixed { .. } => Kind::Fixed,
        }
    }

    /// The name of a party.
    pub fn party(&self, role: Role) -> &str {
        match role {
            Role::Client => &self.client,
            Role::Freelancer => &self.freelancer,
        }
    }

    /// When the diary was locked (the end), if it was.
    pub fn ended_at(&self) -> Option<Instant> {
        self.ending.as_ref().map(|e| e.at)
    }

    /// The feedback `author` gave (or its pending state).
    pub fn feedback(&self, author: Role) -> Option<&Feedback> {
        match author {
            Role::Client => self.feedback_client.as_ref(),
            Role::Freelancer => self.feedback_freelancer.as_ref(),
        }
    }

    /// Mutable feedback of `author`.
    pub fn feedback_mut(&mut self, author: Role) -> Option<&mut Feedback> {
        match author {
            Role::Client => self.feedback_client.as_mut(),
            Role::Freelancer => self.feedback_freelancer.as_mut(),
        }
    }

    /// The close of the feedback window: the end of the 14th day after
    /// `ended_at` (midnight UTC).
    pub fn feedback_window_closes(&self) -> Option<Instant> {
        let at = self.ended_at()?;
        let day = at.date_naive() + Duration::days(15);
        Some(day.and_time(NaiveTime::MIN).and_utc())
    }

    /// The last instant for replies: 28 days after `ended_at`.
    pub fn reply_window_closes(&self) -> Option<Instant> {
        Some(self.ended_at()? + Duration::days(28))
    }

    /// Money totals; `None` if a sum overflows.
    pub fn totals(&self) -> Totals {
        let funded: Money = self.milestones.iter().map(|m| m.funded).sum();
        let released: Money = self.payments.iter().map(|p| p.amount).sum();
        // Settled hourly weeks are paid by the client directly, not from escrow.
        let from_escrow: Money = self
            .payments
            .iter()
            .filter(|p| p.week.is_none())
            .map(|p| p.amount)
            .sum();
        let fee_paid: Money = self.payments.iter().map(|p| p.fee).sum();
        let mut refunded_escrow = Money::ZERO;
        let mut given = Money::ZERO;
        let mut fee_returned = Money::ZERO;
        let mut held = Money::ZERO;
        for r in &self.refunds {
            match r.status {
                RefundStatus::Refunded if r.origin == RefundOrigin::Given => {
                    given += r.amount;
                    fee_returned += r.fee_returned.unwrap_or_default();
                }
                RefundStatus::Refunded => refunded_escrow += r.amount,
                RefundStatus::Resolved => refunded_escrow += r.client_part.unwrap_or_default(),
                s if s.is_open() => held += r.amount,
                _ => {}
            }
        }
        // Hourly weeks refunded by an accepted dispute.
        let weeks_refunded: Money = self.disputes.iter().filter_map(|d| d.refunded).sum();
        Totals {
            funded,
            paid: released - given,
            fee: fee_paid - fee_returned,
            refunded: refunded_escrow + given + weeks_refunded,
            escrow: funded - from_escrow - refunded_escrow,
            held,
        }
    }

    /// The latest event of the history: no change may be dated before it.
    pub fn latest_event(&self) -> Option<&Event> {
        self.history.iter().max_by_key(|e| e.at)
    }

    /// The spans during which the contract was paused (by `pause` or by an
    /// hourly dispute), replayed from its history; an open span has no end.
    pub fn paused_spans(&self) -> Vec<(Instant, Option<Instant>)> {
        let mut out: Vec<(Instant, Option<Instant>)> = Vec::new();
        let mut paused = false;
        for e in &self.history {
            match e.event.as_str() {
                // A dispute pauses an active contract (and only an active one).
                "paused" | "week_disputed" if !paused => {
                    paused = true;
                    out.push((e.at, None));
                }
                "resumed" | "ended" if paused => {
                    paused = false;
                    if let Some(last) = out.last_mut() {
                        last.1 = Some(e.at);
                    }
                }
                _ => {}
            }
            if e.event == EventKind::Ended {
                break;
            }
        }
        out
    }

    /// The milestone currently funded (in escrow, maybe submitted), 1-based.
    pub fn funded_milestone(&self) -> Option<u32> {
        self.milestones
            .iter()
            .position(|m| {
                matches!(
                    m.status,
                    MilestoneStatus::Funded | MilestoneStatus::Submitted
                )
            })
            .map(|i| i as u32 + 1)
    }
}
