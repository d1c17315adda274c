//! Typed refusals of the rules: one [`Refusal`] per reason a rule refuses,
//! its message derived from the data it carries.

use super::diary::Door;
use super::diary::billing::{hours_words, stage_words};
use super::model::{
    ContractId, EventKind, FeedbackStatus, Instant, MilestoneStatus, RefundStatus, Role, Status,
};
use super::money::{Currency, Money};
use super::week::{Stage, Week, instant_words, utc_words};
use std::fmt;

/// Why a rule refused a request. Messages say what was refused, why, and what
/// would be allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// Something named does not exist (exit 3).
    #[error("{0}")]
    NotFound(String),
    /// The rules refuse it: state, role, deadline, limit, overlap (exit 4).
    #[error("{0}")]
    Refused(Refusal),
    /// The rules produced a state that breaks an invariant: a defect of this
    /// program, never of the files (exit 1).
    #[error("internal error: {0}")]
    Internal(String),
}

impl RuleError {
    /// The refusal, if this is one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            RuleError::Refused(r) => Some(r),
            _ => None,
        }
    }
}

impl From<Refusal> for RuleError {
    fn from(r: Refusal) -> RuleError {
        RuleError::Refused(r)
    }
}

/// Shorthand for a refusal.
pub fn refused<T>(why: Refusal) -> Result<T, RuleError> {
    Err(RuleError::Refused(why))
}

/// An amount in a currency, shown with exactly the currency's decimals
/// (`1250.00`; the code is the message's to add).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    /// The amount.
    pub money: Money,
    /// Its currency.
    pub currency: Currency,
}

impl Amount {
    /// `money` in `currency`.
    pub fn new(currency: Currency, money: Money) -> Amount {
        Amount { money, currency }
    }

    /// The currency's ISO code.
    pub fn code(&self) -> &str {
        self.currency.code()
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.currency.format(self.money))
    }
}

/// What only an hourly contract has (refused on a fixed one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HourlyOnly {
    /// `pause`.
    Pause,
    /// The work diary.
    Diary,
    /// The weekly limit.
    Limit,
    /// Hourly disputes.
    Dispute,
}

/// What only a fixed-price contract has (refused on an hourly one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixedOnly {
    /// Milestones.
    Milestones,
    /// Refunds of escrow.
    Refunds,
    /// `end --pay`.
    Pay,
}

/// What an ended contract no longer does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterEnd {
    /// A change of the contract (`doing`: "pause", "add milestones", ...).
    Doing(String),
    /// A change of its work diary (locked from the end).
    Diary,
    /// A change of its weekly limit.
    Limit,
}

/// A step of a milestone refused in its current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MilestoneStep {
    /// `milestone fund`: needs a pending milestone.
    Fund,
    /// `milestone submit`: needs a funded one.
    Submit,
    /// `milestone changes`: needs submitted work.
    RequestChanges,
    /// `milestone approve`: needs a funded (or submitted) one.
    Approve,
}

/// The latest thing a contract records, which a change may not predate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Latest {
    /// An event of its history.
    Event {
        /// The event's kind (`released`, ...).
        kind: String,
        /// Who made it.
        by: String,
        /// When.
        at: Instant,
    },
    /// Time its diary records.
    Entry {
        /// The entry (`c1/3`).
        entry: String,
        /// Until when it records time.
        at: Instant,
        /// Whether it is a running timer (started then).
        running: bool,
    },
}

/// Why the rules refused a request (exit 4): one variant per reason, with
/// the data its message needs. [`Refusal::kind`] names the reason for
/// machines (`--json`'s `error.reason`); `Display` says what was refused,
/// why, and what would be allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    // ---------------------------------------------------------- who
    /// Only `need` does this (the actor given with `--as` is the other).
    NotTheParty {
        /// The party who may.
        need: Role,
        /// Its name in the contract, where there is one.
        name: Option<String>,
        /// What was asked ("pause", "logs time", ...).
        doing: String,
        /// The contract, where there is one.
        id: Option<ContractId>,
    },
    // ---------------------------------------------------------- state
    /// The contract is an offer: nothing is done on it before its answer.
    Offer {
        /// The contract.
        id: ContractId,
        /// Its client.
        client: String,
        /// Its freelancer.
        freelancer: String,
        /// Whether time was to be added to it (the diary's wording).
        diary: bool,
    },
    /// Accept or decline on a contract that is not an offer.
    NotAnOffer {
        /// `accept` or `decline`.
        verb: String,
        /// The contract.
        id: ContractId,
        /// What it is.
        status: Status,
    },
    /// The contract ended: ended is final.
    Ended {
        /// The contract.
        id: ContractId,
        /// When it ended.
        at: Instant,
        /// What was asked.
        what: AfterEnd,
    },
    /// The contract is paused: it takes no new time.
    ContractPaused {
        /// The contract.
        id: ContractId,
    },
    /// `pause` on a paused contract.
    AlreadyPaused {
        /// The contract.
        id: ContractId,
    },
    /// `resume` on a contract that is not paused.
    NotPaused {
        /// The contract.
        id: ContractId,
        /// What it is.
        status: Status,
    },
    /// What only hourly contracts have, asked of a fixed one.
    NotHourly {
        /// The contract.
        id: ContractId,
        /// What was asked.
        what: HourlyOnly,
    },
    /// What only fixed-price contracts have, asked of an hourly one.
    NotFixed {
        /// The contract.
        id: ContractId,
        /// What was asked.
        what: FixedOnly,
    },
    // ---------------------------------------------------------- clock and range
    /// A change dated before the latest thing the contract records.
    BeforeLatest {
        /// The contract.
        id: ContractId,
        /// When the change was dated.
        now: Instant,
        /// What it records later.
        latest: Latest,
    },
    /// A result beyond the largest amount a ledger holds.
    OutOfRange {
        /// What would be that large.
        what: String,
        /// The contract.
        id: ContractId,
        /// The amount.
        amount: Amount,
        /// The largest a ledger holds.
        max: Amount,
    },
    /// A result past the last year ledger files hold.
    OutOfTime {
        /// What would be that late.
        what: String,
        /// The contract.
        id: ContractId,
        /// The instant.
        at: Instant,
        /// The last year files hold.
        last_year: i32,
    },
    // ---------------------------------------------------------- making a contract
    /// A text that must not be empty is.
    Empty {
        /// Which ("title", "milestone title", "reply", ...).
        what: String,
    },
    /// An hourly rate below the minimum.
    RateTooLow {
        /// The rate.
        rate: Amount,
        /// The minimum.
        min: Amount,
    },
    /// An hourly rate above the largest a ledger holds.
    RateTooHigh {
        /// The rate.
        rate: Amount,
        /// The largest.
        max: Amount,
    },
    /// A milestone below the minimum.
    MilestoneTooSmall {
        /// Its title, when the contract is made with it.
        title: Option<String>,
        /// Its amount.
        amount: Amount,
        /// The minimum.
        min: Amount,
    },
    /// The milestones' amounts add up beyond any amount.
    MilestonesOverflow,
    /// The milestones do not add up to the price.
    MilestonesNotPrice {
        /// Their sum.
        sum: Amount,
        /// The price.
        price: Amount,
    },
    // ---------------------------------------------------------- ending
    /// A client ending a fixed contract with escrow must say what to release.
    PayNeeded {
        /// The contract.
        id: ContractId,
        /// The escrow.
        escrow: Amount,
        /// Its freelancer.
        freelancer: String,
    },
    /// `--pay` above the escrow.
    PayAboveEscrow {
        /// The contract.
        id: ContractId,
        /// What was to be paid.
        pay: Amount,
        /// The escrow.
        escrow: Amount,
    },
    /// `--pay` given by the freelancer.
    PayNotYours {
        /// The contract.
        id: ContractId,
    },
    /// `--pay AMOUNT` with no escrow.
    NothingInEscrow {
        /// The contract.
        id: ContractId,
    },
    // ---------------------------------------------------------- milestones
    /// No milestone is funded, where one is needed.
    NoFundedMilestone {
        /// The contract.
        id: ContractId,
        /// What became of the last one funded (when a milestone was to be
        /// picked); `None` for a refund request.
        why: Option<String>,
    },
    /// A milestone is still funded: one is funded at a time.
    StillFunded {
        /// The contract.
        id: ContractId,
        /// The funded milestone.
        milestone: u32,
    },
    /// Every milestone is funded or closed.
    AllFunded {
        /// The contract.
        id: ContractId,
    },
    /// A milestone step refused in the milestone's status.
    MilestoneState {
        /// The contract.
        id: ContractId,
        /// The milestone.
        milestone: u32,
        /// Its status.
        status: MilestoneStatus,
        /// The step asked.
        step: MilestoneStep,
    },
    /// Work submitted twice.
    AlreadySubmitted {
        /// The contract.
        id: ContractId,
        /// The milestone.
        milestone: u32,
        /// When it was submitted.
        at: Option<Instant>,
    },
    /// An open refund request holds the milestone.
    HeldByRefund {
        /// The contract.
        id: ContractId,
        /// The milestone.
        milestone: u32,
        /// What the request holds.
        held: Amount,
        /// Its status.
        status: String,
    },
    /// A release above what is free in the milestone's escrow.
    ReleaseAboveFree {
        /// The contract.
        id: ContractId,
        /// The milestone.
        milestone: u32,
        /// What was to be released.
        pay: Amount,
        /// What is free.
        free: Amount,
    },
    /// A release of nothing.
    NothingToRelease,
    // ---------------------------------------------------------- refunds
    /// No refund in the state a step needs.
    NoOpenRefund {
        /// The contract.
        id: ContractId,
        /// The step ("approve", "dispute", ...).
        doing: String,
        /// The statuses of its open refunds (none: it has none open).
        open: Vec<RefundStatus>,
    },
    /// A refund is still open.
    RefundOpen {
        /// The contract.
        id: ContractId,
        /// The refund (1-based).
        refund: u32,
        /// Its status.
        status: RefundStatus,
    },
    /// Nothing of the funded milestone is free to refund.
    NothingToRefund {
        /// The contract.
        id: ContractId,
        /// The milestone.
        milestone: u32,
    },
    /// A refund request of zero or above what is free.
    RefundAmount {
        /// The amount asked.
        amount: Amount,
        /// What is free.
        free: Amount,
        /// The milestone.
        milestone: u32,
    },
    /// A resolution whose parts do not add up to the disputed amount.
    PartsNotDisputed {
        /// The parts' sum.
        sum: Amount,
        /// The disputed amount.
        disputed: Amount,
    },
    /// A refund given of zero or above what may be given.
    GiveAmount {
        /// The contract.
        id: ContractId,
        /// The amount.
        amount: Amount,
        /// The most that may be given.
        max: Amount,
    },
    // ---------------------------------------------------------- feedback
    /// No feedback to publish, or none from the author to reply to.
    NoFeedback {
        /// Whose.
        role: Role,
        /// The contract.
        id: ContractId,
        /// Whether it was to be published (else replied to).
        publish: bool,
    },
    /// Feedback not waiting to be published.
    NotToPublish {
        /// Whose.
        role: Role,
        /// The contract.
        id: ContractId,
        /// Its status.
        status: FeedbackStatus,
    },
    /// Published feedback that does not match its commitment.
    CommitmentMismatch {
        /// Whose.
        role: Role,
        /// The contract.
        id: ContractId,
    },
    /// Feedback (or a reply) before the contract ended.
    FeedbackBeforeEnd {
        /// The contract.
        id: ContractId,
        /// What it is.
        status: Status,
        /// Whether a reply was asked (else feedback).
        reply: bool,
    },
    /// Stars or a score outside 1 to 5.
    Stars {
        /// Which ("stars", a score's name).
        name: String,
    },
    /// Feedback given twice.
    AlreadyGave {
        /// Who.
        role: Role,
        /// The contract.
        id: ContractId,
        /// When it was given.
        at: Option<Instant>,
    },
    /// Feedback after its window closed.
    FeedbackClosed {
        /// The contract.
        id: ContractId,
        /// When the window closed.
        closes: Instant,
        /// When the contract ended.
        ended: Instant,
    },
    /// A reply to feedback that is not revealed (not given, expired, hidden).
    NothingToReply {
        /// The contract.
        id: ContractId,
        /// Who the feedback is from.
        author: Role,
        /// When the feedback window closes.
        closes: Instant,
        /// The feedback's status.
        status: FeedbackStatus,
    },
    /// A reply given twice.
    AlreadyReplied {
        /// Who replies.
        role: Role,
        /// Whose feedback.
        author: Role,
        /// The contract.
        id: ContractId,
        /// When the reply was given.
        at: Option<Instant>,
    },
    /// A reply after its window closed.
    ReplyClosed {
        /// The contract.
        id: ContractId,
        /// When replies closed.
        closes: Instant,
    },
    // ---------------------------------------------------------- the diary
    /// Manual time where the contract allows only tracked time.
    ManualTimeNotAllowed {
        /// The contract.
        id: ContractId,
        /// How the time came in.
        door: Door,
    },
    /// A timer started in the future.
    TimerInFuture {
        /// Its start.
        start: Instant,
        /// Now.
        now: Instant,
    },
    /// An entry that does not end after it starts.
    EndNotAfterStart {
        /// Its start.
        start: Instant,
        /// Its end.
        end: Instant,
    },
    /// An entry ending in the future.
    EndsInFuture {
        /// Its end.
        end: Instant,
    },
    /// An entry longer than 7 days.
    TooLong {
        /// Its start.
        start: Instant,
        /// Its end.
        end: Instant,
    },
    /// A week no longer (or not yet) edited.
    WeekClosed {
        /// The week.
        week: Week,
        /// Its stage at `now`.
        stage: Stage,
        /// Now.
        now: Instant,
    },
    /// An entry before the contract started.
    BeforeStart {
        /// The contract.
        id: ContractId,
        /// The entry's start.
        start: Instant,
        /// The contract's start.
        started: Instant,
    },
    /// An entry after the contract ended.
    EntryAfterEnd {
        /// The contract.
        id: ContractId,
        /// When it ended.
        ended: Instant,
    },
    /// An entry overlapping a pause.
    InPause {
        /// The contract.
        id: ContractId,
        /// The pause's start.
        from: Instant,
        /// Its end (`None`: still paused).
        to: Option<Instant>,
    },
    /// An entry overlapping another.
    Overlap {
        /// The contract.
        id: ContractId,
        /// The other entry (`c1/3`).
        entry: String,
        /// Its start.
        start: Instant,
        /// Its end (or where a running timer counts to).
        end: Instant,
        /// Whether it is a running timer.
        running: bool,
    },
    /// A timer started while one runs.
    TimerRunning {
        /// The contract.
        id: ContractId,
        /// The running entry (`c1/3`).
        entry: String,
        /// Since when.
        since: Instant,
    },
    /// `diary stop` with no timer running.
    NoTimer {
        /// The contract.
        id: ContractId,
    },
    /// A timer stopped before it started.
    StopBeforeStart {
        /// The contract.
        id: ContractId,
        /// The timer (`c1/3`).
        entry: String,
        /// When it was to stop.
        now: Instant,
        /// When it started.
        started: Instant,
    },
    /// A timer stopped the instant it started (or its cap).
    NoTimePassed {
        /// The contract.
        id: ContractId,
        /// The timer (`c1/3`).
        entry: String,
        /// When it started.
        started: Instant,
    },
    /// The end of a running entry edited.
    EntryRunning {
        /// The contract.
        id: ContractId,
        /// The entry (`c1/3`).
        entry: String,
    },
    /// An entry's start edited into another week.
    OtherWeek {
        /// The entry's week.
        week: Week,
        /// The week of the new start.
        to: Week,
    },
    /// Intervals of an import that break the rules: nothing was written.
    Import {
        /// Each interval refused, and why.
        problems: Vec<ImportProblem>,
    },
    // ---------------------------------------------------------- hourly
    /// A weekly limit set to what it is.
    LimitUnchanged {
        /// The hours (`None`: no limit).
        hours: Option<u32>,
    },
    /// A week disputed outside its invoiced stage.
    NotDisputable {
        /// The week.
        week: Week,
        /// Its stage at `now`.
        stage: Stage,
        /// Now.
        now: Instant,
    },
    /// A week disputed twice.
    AlreadyDisputed {
        /// The contract.
        id: ContractId,
        /// The week.
        week: Week,
    },
    /// A dispute answer with no dispute open.
    NoOpenDispute {
        /// The contract.
        id: ContractId,
        /// The week.
        week: Week,
    },
    // ---------------------------------------------------------- merging
    /// An operation a merge does not apply again (`why`: what is missing).
    NotReapplied {
        /// Why.
        why: NotReapplied,
    },
    // ---------------------------------------------------------- the shared ledger
    /// `init` where a ledger exists: never overwritten.
    LedgerExists {
        /// Where.
        path: String,
    },
    /// `new` with an id a contract has.
    ContractExists {
        /// The id.
        id: ContractId,
        /// Its file, where it was found writing it.
        file: Option<String>,
    },
    /// Only `name`, signing with its recorded key, changes this.
    NotTheSigner {
        /// The party.
        name: String,
    },
    /// This clone signs as another party than the one the action is for.
    OtherParty {
        /// Who this clone signs as.
        me: String,
        /// Whose action it is.
        who: String,
        /// As which role.
        role: Role,
        /// The contract.
        id: ContractId,
    },
    /// This clone's signing key is none of the recorded parties'.
    UnknownSigner {
        /// Whose action it is.
        who: String,
        /// As which role.
        role: Role,
        /// The contract.
        id: ContractId,
        /// The fingerprint of the key recorded for `who`, if one is.
        recorded: Option<String>,
        /// The fingerprint of the key this clone signs with.
        mine: Option<String>,
    },
    /// `verify` or `sync` in a clone whose signing key no party recorded:
    /// what it signs would not verify, and a key recorded in its owner's
    /// name by another would go unnoticed.
    KeyNotRecorded {
        /// The fingerprint of the key this clone signs with.
        mine: String,
    },
    /// A clone that cannot sign, in a ledger whose commits are signed.
    NoSigningKey,
    /// `party add` of a known party without `--replace`, or `--replace`
    /// of an unknown one.
    PartyKnown {
        /// The party.
        name: String,
        /// Whether it is known (else `--replace` was given).
        known: bool,
    },
    /// Commits that fail verification (by `verify`, or coming in by `sync`:
    /// then `from` names the branch and nothing was merged).
    Unverified {
        /// One line each.
        failures: Vec<String>,
        /// Commits checked, for `verify`.
        checked: Option<usize>,
        /// `remote/branch`, for `sync`.
        from: Option<String>,
    },
    /// A file other than a contract or a week changed in both clones.
    ChangedInBoth {
        /// Its path.
        path: String,
    },
    /// The merge driver on a file that is not a contract or a week.
    NotMergeable {
        /// Its path.
        path: String,
    },
    /// A contract id taken in both clones for different contracts.
    IdTakenInBoth {
        /// The id.
        id: ContractId,
        /// The contract's path (for `sync`'s advice; `None` in the driver).
        path: Option<String>,
    },
    /// In a shared ledger, a change dated beyond this machine's clock by
    /// more than the tolerance (5 minutes).
    ClockAhead {
        /// The change's instant (`--now`).
        at: Instant,
        /// This machine's clock.
        clock: Instant,
    },
    /// `sync`: an incoming commit dated beyond this machine's clock by more
    /// than the tolerance waits until the clock has passed it.
    IncomingAhead {
        /// The commit (short).
        rev: String,
        /// Its date.
        at: Instant,
        /// This machine's clock.
        clock: Instant,
    },
    /// `party add` of a key this clone does not sign with: each party
    /// records its own key, from its own clone.
    NotOwnKey {
        /// The party named.
        name: String,
    },
    /// `sync` with changes in the work tree that are not committed: a
    /// merge would overwrite them.
    DirtyWorkTree {
        /// The files changed and not committed.
        files: Vec<String>,
    },
    /// The merge driver with nothing on our side.
    NothingOurs {
        /// The path.
        path: String,
    },
    /// `sync` merged and pushed, but set aside what the rules refused in the
    /// merged order.
    SetAside {
        /// One line each.
        lines: Vec<String>,
    },
    /// `sync` merged and pushed, leaving out commits that fail
    /// verification: none of their changes applied, their operations kept
    /// as superseded.
    Rejected {
        /// Each commit left out, with why: one line each.
        commits: Vec<String>,
        /// What else the merge set aside, one line each.
        lines: Vec<String>,
    },
}

/// Why a fold or a merge does not apply an event again as an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReapplied {
    /// A timer's event: derived again, never applied.
    Timer,
    /// An event of this kind is an effect (or the contract's creation), not
    /// an operation.
    NotARequest(EventKind),
    /// The feedback given is not in the clone that gave it.
    FeedbackMissing,
    /// The feedback published is not in the clone that published it.
    PublishedMissing,
    /// The reply is not in the clone that made it.
    ReplyMissing,
}

impl fmt::Display for NotReapplied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotReapplied::Timer => f.write_str("a timer is not re-applied"),
            NotReapplied::NotARequest(kind) => {
                write!(f, "`{kind}` is not an operation that can be applied again")
            }
            NotReapplied::FeedbackMissing => f.write_str("the feedback given is not in its clone"),
            NotReapplied::PublishedMissing => {
                f.write_str("the feedback published is not in its clone")
            }
            NotReapplied::ReplyMissing => f.write_str("the reply is not in its clone"),
        }
    }
}

/// One interval an import refused: which, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// The interval as its format names it (`timew 20261103T090000Z`,
    /// `line 7`); `None` for what holds for the whole import.
    pub interval: Option<String>,
    /// Why.
    pub why: ImportWhy,
}

/// Why an import refused an interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportWhy {
    /// The one door for time refused it (its reason is the refusal's).
    Rule(Box<Refusal>),
    /// It overlaps an earlier interval of the same export.
    OverlapsInExport {
        /// That interval.
        other: String,
    },
    /// It overlaps an entry already in the diary.
    OverlapsEntry {
        /// That entry (`c1/2026W45-1`).
        entry: String,
    },
    /// Its start or end cannot be read.
    Unreadable {
        /// `start` or `end`.
        what: &'static str,
        /// What the reader said.
        error: String,
    },
    /// It has no end: still running in the tracker.
    StillOpen,
    /// Its tags name two contracts of the ledger.
    TwoContracts {
        /// The first.
        a: ContractId,
        /// The second.
        b: ContractId,
    },
}

impl ImportWhy {
    /// The stable name of why, as refusals name theirs.
    pub fn kind(&self) -> &'static str {
        match self {
            ImportWhy::Rule(r) => r.kind(),
            ImportWhy::OverlapsInExport { .. } | ImportWhy::OverlapsEntry { .. } => "overlap",
            ImportWhy::Unreadable { .. } => "unreadable",
            ImportWhy::StillOpen => "still_open",
            ImportWhy::TwoContracts { .. } => "two_contracts",
        }
    }
}

impl fmt::Display for ImportWhy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportWhy::Rule(r) => r.fmt(f),
            ImportWhy::OverlapsInExport { other } => {
                write!(f, "overlaps {other} in the same export")
            }
            ImportWhy::OverlapsEntry { entry } => {
                write!(f, "overlaps entry {entry} already in the diary")
            }
            ImportWhy::Unreadable { what, error } => write!(f, "no readable {what}: {error}"),
            ImportWhy::StillOpen => {
                f.write_str("still open (no end): stop it in the tracker first")
            }
            ImportWhy::TwoContracts { a, b } => write!(
                f,
                "it names two contracts, {a} and {b}: keep one, or import with --contract ID"
            ),
        }
    }
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.interval {
            Some(iv) => write!(f, "{iv}: {}", self.why),
            None => self.why.fmt(f),
        }
    }
}

impl Refusal {
    /// The reason's stable name (`--json`'s `error.reason`).
    pub fn kind(&self) -> &'static str {
        use Refusal::*;
        match self {
            NotTheParty { .. } => "not_the_party",
            Offer { .. } => "offer",
            NotAnOffer { .. } => "not_an_offer",
            Ended { .. } => "ended",
            ContractPaused { .. } => "contract_paused",
            AlreadyPaused { .. } => "already_paused",
            NotPaused { .. } => "not_paused",
            NotHourly { .. } => "not_hourly",
            NotFixed { .. } => "not_fixed",
            BeforeLatest { .. } => "before_latest",
            OutOfRange { .. } => "out_of_range",
            OutOfTime { .. } => "out_of_time",
            Empty { .. } => "empty",
            RateTooLow { .. } => "rate_too_low",
            RateTooHigh { .. } => "rate_too_high",
            MilestoneTooSmall { .. } => "milestone_too_small",
            MilestonesOverflow => "milestones_overflow",
            MilestonesNotPrice { .. } => "milestones_not_price",
            PayNeeded { .. } => "pay_needed",
            PayAboveEscrow { .. } => "pay_above_escrow",
            PayNotYours { .. } => "pay_not_yours",
            NothingInEscrow { .. } => "nothing_in_escrow",
            NoFundedMilestone { .. } => "no_funded_milestone",
            StillFunded { .. } => "still_funded",
            AllFunded { .. } => "all_funded",
            MilestoneState { .. } => "milestone_state",
            AlreadySubmitted { .. } => "already_submitted",
            HeldByRefund { .. } => "held_by_refund",
            ReleaseAboveFree { .. } => "release_above_free",
            NothingToRelease => "nothing_to_release",
            NoOpenRefund { .. } => "no_open_refund",
            RefundOpen { .. } => "refund_open",
            NothingToRefund { .. } => "nothing_to_refund",
            RefundAmount { .. } => "refund_amount",
            PartsNotDisputed { .. } => "parts_not_disputed",
            GiveAmount { .. } => "give_amount",
            NoFeedback { .. } => "no_feedback",
            NotToPublish { .. } => "not_to_publish",
            CommitmentMismatch { .. } => "commitment_mismatch",
            FeedbackBeforeEnd { .. } => "feedback_before_end",
            Stars { .. } => "stars",
            AlreadyGave { .. } => "already_gave",
            FeedbackClosed { .. } => "feedback_closed",
            NothingToReply { .. } => "nothing_to_reply",
            AlreadyReplied { .. } => "already_replied",
            ReplyClosed { .. } => "reply_closed",
            ManualTimeNotAllowed { .. } => "manual_time_not_allowed",
            TimerInFuture { .. } => "timer_in_future",
            EndNotAfterStart { .. } => "end_not_after_start",
            EndsInFuture { .. } => "ends_in_future",
            TooLong { .. } => "too_long",
            WeekClosed { .. } => "week_closed",
            BeforeStart { .. } => "before_start",
            EntryAfterEnd { .. } => "entry_after_end",
            InPause { .. } => "in_pause",
            Overlap { .. } => "overlap",
            TimerRunning { .. } => "timer_running",
            NoTimer { .. } => "no_timer",
            StopBeforeStart { .. } => "stop_before_start",
            NoTimePassed { .. } => "no_time_passed",
            EntryRunning { .. } => "entry_running",
            OtherWeek { .. } => "other_week",
            Import { .. } => "import",
            LimitUnchanged { .. } => "limit_unchanged",
            NotDisputable { .. } => "not_disputable",
            AlreadyDisputed { .. } => "already_disputed",
            NoOpenDispute { .. } => "no_open_dispute",
            NotReapplied { .. } => "not_reapplied",
            LedgerExists { .. } => "ledger_exists",
            ContractExists { .. } => "contract_exists",
            NotTheSigner { .. } => "not_the_signer",
            OtherParty { .. } => "other_party",
            UnknownSigner { .. } => "unknown_signer",
            NoSigningKey => "no_signing_key",
            PartyKnown { .. } => "party_known",
            Unverified { .. } => "unverified",
            ChangedInBoth { .. } => "changed_in_both",
            NotMergeable { .. } => "not_mergeable",
            IdTakenInBoth { .. } => "id_taken_in_both",
            NothingOurs { .. } => "nothing_ours",
            DirtyWorkTree { .. } => "dirty_work_tree",
            NotOwnKey { .. } => "not_own_key",
            ClockAhead { .. } => "clock_ahead",
            IncomingAhead { .. } => "incoming_ahead",
            KeyNotRecorded { .. } => "key_not_recorded",
            SetAside { .. } => "set_aside",
            Rejected { .. } => "rejected",
        }
    }
}

/// ` on Mon 2 Nov 10:00 UTC`, or nothing.
fn on(at: &Option<Instant>) -> String {
    at.map(|t| format!(" on {}", utc_words(t)))
        .unwrap_or_default()
}

/// Minutes: `2026-11-18 10:00 UTC`.
fn minute(t: &Instant) -> impl fmt::Display {
    t.format("%Y-%m-%d %H:%M UTC")
}

/// [`Refusal::WeekClosed`]'s message: which weeks may be edited instead.
fn week_closed(f: &mut fmt::Formatter<'_>, week: Week, stage: Stage, now: Instant) -> fmt::Result {
    let current = Week::of(now);
    let prev = current.prev();
    let also = if prev.stage(now).editable() {
        format!(
            " and {prev} (in review until {})",
            utc_words(prev.invoiced_from())
        )
    } else {
        String::new()
    };
    match stage {
        Stage::Future => write!(f, "{week} has not started")?,
        _ => write!(
            f,
            "{week} is {} ({})",
            stage.as_str(),
            stage_words(week, now)
        )?,
    }
    write!(
        f,
        ": time can be logged, edited and deleted only in {current} (open until {}){also}",
        utc_words(current.review_from() - chrono::Duration::minutes(1))
    )
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Refusal::*;
        match self {
            NotTheParty {
                need,
                name,
                doing,
                id,
            } => match (name, id) {
                (Some(name), Some(id)) => write!(
                    f,
                    "only the {need} ({name}) can {doing} {id} (use --as {need})"
                ),
                (_, Some(id)) => write!(f, "only the {need} {doing} on {id} (use --as {need})"),
                (_, None) => write!(f, "only the {need} {doing} (use --as {need})"),
            },
            Offer {
                id,
                client,
                freelancer,
                diary: false,
            } => write!(
                f,
                "{id} is an offer {client} made to {freelancer}: nothing is done on it until the freelancer accepts it (`contracts accept {id}`) or declines it (`contracts decline {id}`)"
            ),
            Offer { id, .. } => write!(
                f,
                "cannot add time to {id}: it is an offer not accepted yet (the freelancer can `contracts accept {id}`)"
            ),
            NotAnOffer { verb, id, status } => write!(
                f,
                "cannot {verb} {id}: it is {status}, not an offer (only an offer is accepted or declined)"
            ),
            Ended { id, at, what } => match what {
                AfterEnd::Doing(doing) => write!(
                    f,
                    "cannot {doing}: {id} ended on {} (ended is final)",
                    minute(at)
                ),
                AfterEnd::Diary => write!(
                    f,
                    "cannot change the work diary of {id}: the contract ended on {} (the work diary is locked)",
                    minute(at)
                ),
                AfterEnd::Limit => write!(
                    f,
                    "{id} ended on {}: its limit no longer changes",
                    at.format("%Y-%m-%d")
                ),
            },
            ContractPaused { id } => write!(
                f,
                "cannot add time to {id}: the contract is paused (the client can `contracts resume {id}`)"
            ),
            AlreadyPaused { id } => {
                write!(
                    f,
                    "{id} is already paused; `contracts resume {id}` resumes it"
                )
            }
            NotPaused { id, status } => write!(
                f,
                "{id} is not paused (it is {status}); only a paused contract can be resumed"
            ),
            NotHourly { id, what } => match what {
                HourlyOnly::Pause => write!(
                    f,
                    "cannot pause {id}: only hourly contracts are paused; a fixed contract's escrow stays as it is"
                ),
                HourlyOnly::Diary => write!(
                    f,
                    "{id} is a fixed-price contract: only hourly contracts have a work diary"
                ),
                HourlyOnly::Limit => write!(
                    f,
                    "{id} is a fixed-price contract: only hourly contracts have a weekly limit"
                ),
                HourlyOnly::Dispute => write!(
                    f,
                    "{id} is a fixed-price contract: hourly disputes concern hourly weeks (see `contracts refund`)"
                ),
            },
            NotFixed { id, what } => match what {
                FixedOnly::Pay => write!(
                    f,
                    "--pay applies to fixed contracts; {id} is hourly (its logged time is billed weekly)"
                ),
                FixedOnly::Milestones | FixedOnly::Refunds => write!(
                    f,
                    "{id} is hourly: {} belong to fixed-price contracts (hourly time is disputed per week: `contracts diary dispute`)",
                    if *what == FixedOnly::Milestones {
                        "milestones"
                    } else {
                        "refunds of escrow"
                    }
                ),
            },
            BeforeLatest { id, now, latest } => match latest {
                Latest::Event { kind, by, at } => write!(
                    f,
                    "cannot change {id} at {}: its history already has `{kind}` by {by} at {}, and the ledger's clock only moves forward (a change can be dated {} or later)",
                    instant_words(*now),
                    instant_words(*at),
                    instant_words(*at)
                ),
                Latest::Entry { entry, at, running } => write!(
                    f,
                    "cannot change the work diary of {id} at {}: it already records time until {} ({entry}{}), and the ledger's clock only moves forward",
                    instant_words(*now),
                    instant_words(*at),
                    if *running {
                        ", a timer started then"
                    } else {
                        ""
                    }
                ),
            },
            OutOfRange {
                what,
                id,
                amount,
                max,
            } => write!(
                f,
                "refused: {what} of {id} would be {amount} {}, beyond the largest amount a ledger holds ({max} {})",
                amount.code(),
                max.code()
            ),
            OutOfTime {
                what,
                id,
                at,
                last_year,
            } => write!(
                f,
                "refused: {what} on {id} would be {}, past the year {last_year} that ledger files hold",
                at.format("%Y-%m-%d")
            ),
            Empty { what } => write!(f, "the {what} cannot be empty"),
            RateTooLow { rate, min } => write!(
                f,
                "an hourly rate of {rate} {} is below the minimum of {min} per hour",
                rate.code()
            ),
            RateTooHigh { rate, max } => write!(
                f,
                "an hourly rate of {rate} {} is above the largest a ledger holds, {max} per hour (a week of every hour at it must be an amount a ledger holds)",
                rate.code()
            ),
            MilestoneTooSmall { title, amount, min } => match title {
                Some(title) => write!(
                    f,
                    "milestone \"{title}\" of {amount} is below the minimum of {min} {}",
                    min.code()
                ),
                None => write!(
                    f,
                    "a milestone of {amount} is below the minimum of {min} {}",
                    min.code()
                ),
            },
            MilestonesOverflow => write!(f, "milestone amounts overflow"),
            MilestonesNotPrice { sum, price } => write!(
                f,
                "the milestones add up to {sum} but the price is {price}: make them add up to the price"
            ),
            PayNeeded {
                id,
                escrow,
                freelancer,
            } => write!(
                f,
                "cannot end {id} yet: {escrow} {} is in escrow. Choose what to release: --pay full (all of it to {freelancer}), --pay none (all of it becomes a refund request), or --pay AMOUNT (at most {escrow}; the rest becomes a refund request)",
                escrow.code()
            ),
            PayAboveEscrow { id, pay, escrow } => write!(
                f,
                "cannot pay {pay} on ending {id}: only {escrow} is in escrow (pay at most that, or --pay full)"
            ),
            PayNotYours { id } => write!(
                f,
                "--pay is the client's choice; when the freelancer ends {id}, its escrow returns to the client"
            ),
            NothingInEscrow { id } => write!(f, "nothing is in escrow on {id}: drop --pay"),
            NoFundedMilestone { id, why } => match why {
                Some(why) => write!(
                    f,
                    "no milestone of {id} is funded ({why}): name one, or fund the next with `contracts milestone fund {id}`"
                ),
                None => write!(
                    f,
                    "no milestone of {id} is funded: a refund is requested of a funded milestone's escrow"
                ),
            },
            StillFunded { id, milestone } => write!(
                f,
                "milestone {milestone} of {id} is still funded: release or refund it before funding another (one milestone is funded at a time)"
            ),
            AllFunded { id } => write!(
                f,
                "every milestone of {id} is funded or closed: `contracts milestone add {id} --title T --amount A --fund` adds one"
            ),
            MilestoneState {
                id,
                milestone: n,
                status,
                step,
            } => match step {
                MilestoneStep::Fund => write!(
                    f,
                    "milestone {n} of {id} is {status}; only a pending milestone can be funded"
                ),
                MilestoneStep::Submit => write!(
                    f,
                    "milestone {n} of {id} is {status}: work is submitted for a funded milestone"
                ),
                MilestoneStep::RequestChanges => write!(
                    f,
                    "milestone {n} of {id} is {status}: changes are requested on submitted work"
                ),
                MilestoneStep::Approve => write!(
                    f,
                    "milestone {n} of {id} is {status}: only a funded milestone can be approved"
                ),
            },
            AlreadySubmitted { id, milestone, at } => write!(
                f,
                "milestone {milestone} of {id} was already submitted on {}; the client approves or requests changes",
                at.map(utc_words).unwrap_or_default()
            ),
            HeldByRefund {
                id,
                milestone,
                held,
                status,
            } => write!(
                f,
                "milestone {milestone} of {id} has an open refund request of {held} ({status}): it can be approved once the request is settled (`contracts refund list`)"
            ),
            ReleaseAboveFree {
                id,
                milestone,
                pay,
                free,
            } => write!(
                f,
                "cannot release {pay} from milestone {milestone} of {id}: {free} is free in its escrow"
            ),
            NothingToRelease => write!(f, "nothing to release: give an amount above zero"),
            NoOpenRefund { id, doing, open } => {
                if open.is_empty() {
                    write!(f, "{id} has no open refund to {doing}")
                } else {
                    let open: Vec<&str> = open.iter().map(|s| s.as_str()).collect();
                    write!(
                        f,
                        "{id} has no refund in the state needed to {doing} (its open refunds are {})",
                        open.join(", ")
                    )
                }
            }
            RefundOpen { id, refund, status } => write!(
                f,
                "refund {refund} of {id} is still open ({status}): settle it first"
            ),
            NothingToRefund { id, milestone } => write!(
                f,
                "nothing of milestone {milestone} of {id} is free in escrow to refund"
            ),
            RefundAmount {
                amount,
                free,
                milestone,
            } => write!(
                f,
                "a refund of {amount} is not possible: between 0.01 and {free} of milestone {milestone} is in escrow"
            ),
            PartsNotDisputed { sum, disputed } => write!(
                f,
                "the parts add up to {sum} but {disputed} is disputed: --client and --freelancer must add up to it exactly"
            ),
            GiveAmount { id, amount, max } => write!(
                f,
                "a refund of {amount} cannot be given on {id}: at most {max} (the net paid in the last 180 days, less refunds already given)"
            ),
            NoFeedback {
                role,
                id,
                publish: true,
            } => write!(f, "no feedback of the {role} on {id} to publish"),
            NoFeedback { role, id, .. } => write!(f, "no feedback from the {role} on {id}"),
            NotToPublish { role, id, status } => write!(
                f,
                "the {role}'s feedback on {id} is not waiting to be published (it is {status})"
            ),
            CommitmentMismatch { role, id } => write!(
                f,
                "the {role}'s feedback on {id} does not match what was committed to: it cannot be published"
            ),
            FeedbackBeforeEnd {
                id,
                status,
                reply: false,
            } => write!(
                f,
                "cannot give feedback on {id}: it is {status}; feedback opens when the contract ends (`contracts end {id}`)"
            ),
            FeedbackBeforeEnd { id, status, .. } => write!(
                f,
                "cannot reply to feedback on {id}: it is {status}; feedback is given after the contract ends"
            ),
            Stars { name } => write!(f, "{name} must be 1 to 5"),
            AlreadyGave { role, id, at } => write!(
                f,
                "you ({role}) already gave feedback on {id}{}: feedback cannot be edited",
                on(at)
            ),
            FeedbackClosed { id, closes, ended } => write!(
                f,
                "cannot give feedback on {id}: the feedback window of {id} closed on {} (14 days after it ended on {}); nothing can be given after it",
                utc_words(*closes),
                utc_words(*ended)
            ),
            NothingToReply {
                id,
                author,
                closes,
                status,
            } => match status {
                FeedbackStatus::Expired => write!(
                    f,
                    "cannot reply on {id}: the {author} gave no feedback before the window closed on {}; there is nothing to reply to",
                    utc_words(*closes)
                ),
                FeedbackStatus::Submitted => write!(
                    f,
                    "cannot reply on {id} yet: the {author}'s feedback is hidden until {} or until you give yours (`contracts feedback give {id} --stars N`); you can reply once it is revealed",
                    utc_words(*closes)
                ),
                _ => write!(
                    f,
                    "cannot reply on {id}: the {author} has not given feedback yet (they may until {}); you can reply once it is revealed",
                    utc_words(*closes)
                ),
            },
            AlreadyReplied {
                role,
                author,
                id,
                at,
            } => write!(
                f,
                "you ({role}) already replied to the {author}'s feedback on {id}{}: a reply cannot be edited",
                on(at)
            ),
            ReplyClosed { id, closes } => write!(
                f,
                "cannot reply on {id}: replies were possible until {} (28 days after the contract ended)",
                utc_words(*closes)
            ),
            ManualTimeNotAllowed { id, door } => match door {
                Door::Edit => write!(
                    f,
                    "{id} does not allow manual time: tracked entries keep their times (only --memo can change)"
                ),
                Door::Import { .. } => write!(
                    f,
                    "{id} does not allow manual time, and imported time is manual: only tracked time counts (`contracts diary start {id}`)"
                ),
                _ => write!(
                    f,
                    "{id} does not allow manual time: only tracked time counts (`contracts diary start {id}`)"
                ),
            },
            TimerInFuture { start, now } => write!(
                f,
                "a running timer cannot start in the future ({} is after now, {})",
                instant_words(*start),
                instant_words(*now)
            ),
            EndNotAfterStart { start, end } => write!(
                f,
                "an entry must end after it starts ({} is not after {})",
                utc_words(*end),
                utc_words(*start)
            ),
            EndsInFuture { end } => write!(
                f,
                "the entry ends at {}, in the future: log time once it is worked (or use `diary start`)",
                utc_words(*end)
            ),
            TooLong { start, end } => write!(
                f,
                "an entry lasts at most 7 days; {} to {} is {}: split it into several",
                utc_words(*start),
                utc_words(*end),
                hours_words((*end - *start).num_seconds())
            ),
            WeekClosed { week, stage, now } => week_closed(f, *week, *stage, *now),
            BeforeStart { id, start, started } => write!(
                f,
                "the entry starts at {}, before {id} started ({}): time lies within the contract's life",
                instant_words(*start),
                instant_words(*started)
            ),
            EntryAfterEnd { id, ended } => write!(
                f,
                "the entry ends after {id} ended ({}): the work diary is locked from the end",
                instant_words(*ended)
            ),
            InPause { id, from, to } => write!(
                f,
                "the entry overlaps a pause of {id} ({} to {}): a paused contract takes no time",
                instant_words(*from),
                to.map_or("now".to_string(), instant_words)
            ),
            Overlap {
                id,
                entry,
                start,
                end,
                running,
            } => write!(
                f,
                "the entry overlaps {entry} ({} to {}{}) on {id}: entries of one contract never overlap",
                utc_words(*start),
                utc_words(*end),
                if *running {
                    format!(", a timer still running: `contracts diary stop {id}` stops it")
                } else {
                    String::new()
                }
            ),
            TimerRunning { id, entry, since } => write!(
                f,
                "a timer is already running on {id} since {} ({entry}): `contracts diary stop {id}` stops it first",
                utc_words(*since)
            ),
            NoTimer { id } => write!(
                f,
                "no timer is running on {id} (`contracts diary start {id}` starts one)"
            ),
            StopBeforeStart {
                id,
                entry,
                now,
                started,
            } => write!(
                f,
                "cannot stop the timer of {id} at {}: it started at {}, later (the ledger's clock only moves forward); stop it at {} or later, or delete it with `contracts diary rm {entry}`",
                instant_words(*now),
                instant_words(*started),
                instant_words(*started)
            ),
            NoTimePassed { id, entry, started } => write!(
                f,
                "no time has passed since the timer of {id} started at {}: stop it later, or delete it with `contracts diary rm {entry}`",
                instant_words(*started)
            ),
            EntryRunning { id, entry } => write!(
                f,
                "{entry} is running: stop it with `contracts diary stop {id}`"
            ),
            OtherWeek { week, to } => write!(
                f,
                "an entry stays in the week it starts in ({week}): delete it and log a new one in {to}"
            ),
            Import { problems } => {
                let shown: Vec<String> = problems.iter().take(20).map(|p| p.to_string()).collect();
                let more = problems.len().saturating_sub(20);
                write!(
                    f,
                    "import refused, nothing was written: {} interval(s) would break the rules:\n  {}",
                    problems.len(),
                    shown.join("\n  ")
                )?;
                if more > 0 {
                    write!(f, "\n  ... and {more} more")?;
                }
                Ok(())
            }
            LimitUnchanged { hours } => match hours {
                Some(h) => write!(f, "the weekly limit is already {h} h"),
                None => write!(f, "the weekly limit is already none"),
            },
            NotDisputable { week, stage, now } => write!(
                f,
                "{week} cannot be disputed now: it is {} ({}); a week can be disputed while it is invoiced, next Mon 12:00 to Fri 23:59 UTC",
                stage.as_str(),
                stage_words(*week, *now)
            ),
            AlreadyDisputed { id, week } => write!(f, "{week} of {id} was already disputed"),
            NoOpenDispute { id, week } => write!(f, "{week} of {id} has no open dispute"),
            NotReapplied { why } => why.fmt(f),
            LedgerExists { path } => write!(
                f,
                "a ledger already exists at {path}: init never overwrites one"
            ),
            ContractExists { id, file } => match file {
                Some(file) => write!(
                    f,
                    "contract `{id}` already exists ({file}); choose another --id"
                ),
                None => write!(f, "contract `{id}` already exists; choose another --id"),
            },
            NotTheSigner { name } => write!(
                f,
                "only {name}, in a clone signing with {name}'s recorded key, can change it"
            ),
            OtherParty { me, who, role, id } => write!(
                f,
                "this clone signs as {me}, and recording the {role}'s action on {id} is for {who}, in their clone: only the party itself can"
            ),
            UnknownSigner {
                who,
                role,
                id,
                recorded,
                mine,
            } => {
                write!(
                    f,
                    "this clone's signing key{} is none of the parties' recorded in ledger.toml",
                    mine.as_ref().map(|m| format!(" ({m})")).unwrap_or_default()
                )?;
                match recorded {
                    Some(r) => write!(
                        f,
                        ", and {who} (the {role} of {id}) is recorded with another key ({r}): if you are {who}, someone else recorded a key in your name — compare the fingerprints of `contracts party list` with the other party out of band"
                    ),
                    None => write!(
                        f,
                        ": set `git config user.signingkey` to your key ({who} acts as the {role} of {id})"
                    ),
                }
            }
            KeyNotRecorded { mine } => write!(
                f,
                "this clone signs with a key no party of this ledger recorded ({mine}): if a key was recorded in your name that is not yours, the other party recorded it — compare the fingerprints of `contracts party list` with them out of band; otherwise record yours (`contracts party add NAME --key FILE`)"
            ),
            NoSigningKey => write!(
                f,
                "this shared ledger records its parties' keys, so every commit is signed, and this clone has no signing key: `git config user.signingkey ~/.ssh/id_ed25519.pub` (the key recorded for you by `contracts party add`)"
            ),
            PartyKnown { name, known: true } => write!(
                f,
                "{name} is already a party of this ledger: a new key replaces the old with --replace, in {name}'s own clone (the change is signed with the old key)"
            ),
            PartyKnown { name, .. } => write!(
                f,
                "{name} is not a party of this ledger yet: record the key without --replace"
            ),
            Unverified {
                failures,
                checked,
                from,
            } => {
                match (from, checked) {
                    (Some(from), _) => write!(
                        f,
                        "{from} has commits that do not verify; nothing was merged:"
                    )?,
                    (None, checked) => {
                        // One line per failure, each led by its commit.
                        let mut commits: Vec<&str> = failures
                            .iter()
                            .map(|l| l.split(':').next().unwrap_or(l))
                            .collect();
                        commits.sort_unstable();
                        commits.dedup();
                        write!(
                            f,
                            "{} of {} commit(s) fail verification:",
                            commits.len(),
                            checked.unwrap_or(commits.len())
                        )?
                    }
                }
                write!(f, "\n  {}", failures.join("\n  "))
            }
            ChangedInBoth { path } => write!(
                f,
                "{path} was changed differently in both clones: `sync` merges contracts and the diary only; make the two the same in one clone, commit, and sync again"
            ),
            NotMergeable { path } => write!(
                f,
                "{path} is not a contract or a week of diary: merge it by hand"
            ),
            IdTakenInBoth {
                id,
                path: Some(path),
            } => write!(
                f,
                "the contract id `{id}` was taken in both clones for different contracts: nothing was merged. Rename one in its clone (`git mv {path} contracts/NEWID.toml`, set `id = \"NEWID\"` in it, and move its diary files the same way), commit, and sync again"
            ),
            IdTakenInBoth { id, .. } => write!(
                f,
                "the contract id `{id}` was taken in both clones for different contracts: rename one (see `contracts sync`)"
            ),
            NothingOurs { path } => write!(f, "{path}: nothing on our side to merge into"),
            ClockAhead { at, clock } => write!(
                f,
                "refused: in a shared ledger a change is dated at most 5 minutes beyond this machine's clock, and {} is beyond {} (the other party merges what is dated by its author's word, so a clock set ahead is not taken): change at this machine's time, or set its clock right",
                at.format("%Y-%m-%d %H:%M:%S UTC"),
                clock.format("%Y-%m-%d %H:%M:%S UTC")
            ),
            IncomingAhead { rev, at, clock } => write!(
                f,
                "nothing was merged: commit {rev} is dated {}, beyond this machine's clock ({}) by more than 5 minutes; it is merged once this clock has passed it (sync again then), or ask its author to check their clock",
                at.format("%Y-%m-%d %H:%M:%S UTC"),
                clock.format("%Y-%m-%d %H:%M:%S UTC")
            ),
            NotOwnKey { name } => write!(
                f,
                "{name}'s key is recorded by {name}, from a clone that signs with it (`git config user.signingkey` set to that key): a party records its own key, so that no one can sign in another's name"
            ),
            DirtyWorkTree { files } => write!(
                f,
                "sync would overwrite changes that are not committed: {}; commit them (`git commit -am ...`, `contracts check` first) or undo them (`git checkout -- FILE`), then sync again",
                files.join(", ")
            ),
            SetAside { lines } => {
                let list: Vec<String> = lines.iter().map(|l| format!("  {l}")).collect();
                write!(
                    f,
                    "merged and pushed, but the rules refused {} operation(s) or entries in the merged order; they stay in the ledger, set aside (history: `superseded`; diary: `set_aside`), and count for nothing:\n{}",
                    lines.len(),
                    list.join("\n")
                )
            }
            Rejected { commits, lines } => {
                let list: Vec<String> = commits
                    .iter()
                    .chain(lines)
                    .map(|l| format!("  {l}"))
                    .collect();
                write!(
                    f,
                    "merged and pushed without {} commit(s) that fail verification: none of their changes was applied, their operations stay in the history, superseded as rejected (`verify` names why):\n{}",
                    commits.len(),
                    list.join("\n")
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const README: &str = include_str!("../../README.md");

    fn id() -> ContractId {
        ContractId::parse("c1").unwrap()
    }

    fn t() -> Instant {
        "2026-11-18T10:00:00Z".parse().unwrap()
    }

    fn amount() -> Amount {
        let cur = Currency::from_code("EUR").unwrap();
        Amount::new(cur, cur.major(5))
    }

    /// The variant's place in the declaration: exhaustive, so a new
    /// variant fails to compile here until it has a sample below.
    fn index(r: &Refusal) -> usize {
        match r {
            Refusal::NotTheParty { .. } => 0,
            Refusal::Offer { .. } => 1,
            Refusal::NotAnOffer { .. } => 2,
            Refusal::Ended { .. } => 3,
            Refusal::ContractPaused { .. } => 4,
            Refusal::AlreadyPaused { .. } => 5,
            Refusal::NotPaused { .. } => 6,
            Refusal::NotHourly { .. } => 7,
            Refusal::NotFixed { .. } => 8,
            Refusal::BeforeLatest { .. } => 9,
            Refusal::OutOfRange { .. } => 10,
            Refusal::OutOfTime { .. } => 11,
            Refusal::Empty { .. } => 12,
            Refusal::RateTooLow { .. } => 13,
            Refusal::RateTooHigh { .. } => 14,
            Refusal::MilestoneTooSmall { .. } => 15,
            Refusal::MilestonesOverflow => 16,
            Refusal::MilestonesNotPrice { .. } => 17,
            Refusal::PayNeeded { .. } => 18,
            Refusal::PayAboveEscrow { .. } => 19,
            Refusal::PayNotYours { .. } => 20,
            Refusal::NothingInEscrow { .. } => 21,
            Refusal::NoFundedMilestone { .. } => 22,
            Refusal::StillFunded { .. } => 23,
            Refusal::AllFunded { .. } => 24,
            Refusal::MilestoneState { .. } => 25,
            Refusal::AlreadySubmitted { .. } => 26,
            Refusal::HeldByRefund { .. } => 27,
            Refusal::ReleaseAboveFree { .. } => 28,
            Refusal::NothingToRelease => 29,
            Refusal::NoOpenRefund { .. } => 30,
            Refusal::RefundOpen { .. } => 31,
            Refusal::NothingToRefund { .. } => 32,
            Refusal::RefundAmount { .. } => 33,
            Refusal::PartsNotDisputed { .. } => 34,
            Refusal::GiveAmount { .. } => 35,
            Refusal::NoFeedback { .. } => 36,
            Refusal::NotToPublish { .. } => 37,
            Refusal::CommitmentMismatch { .. } => 38,
            Refusal::FeedbackBeforeEnd { .. } => 39,
            Refusal::Stars { .. } => 40,
            Refusal::AlreadyGave { .. } => 41,
            Refusal::FeedbackClosed { .. } => 42,
            Refusal::NothingToReply { .. } => 43,
            Refusal::AlreadyReplied { .. } => 44,
            Refusal::ReplyClosed { .. } => 45,
            Refusal::ManualTimeNotAllowed { .. } => 46,
            Refusal::TimerInFuture { .. } => 47,
            Refusal::EndNotAfterStart { .. } => 48,
            Refusal::EndsInFuture { .. } => 49,
            Refusal::TooLong { .. } => 50,
            Refusal::WeekClosed { .. } => 51,
            Refusal::BeforeStart { .. } => 52,
            Refusal::EntryAfterEnd { .. } => 53,
            Refusal::InPause { .. } => 54,
            Refusal::Overlap { .. } => 55,
            Refusal::TimerRunning { .. } => 56,
            Refusal::NoTimer { .. } => 57,
            Refusal::StopBeforeStart { .. } => 58,
            Refusal::NoTimePassed { .. } => 59,
            Refusal::EntryRunning { .. } => 60,
            Refusal::OtherWeek { .. } => 61,
            Refusal::Import { .. } => 62,
            Refusal::LimitUnchanged { .. } => 63,
            Refusal::NotDisputable { .. } => 64,
            Refusal::AlreadyDisputed { .. } => 65,
            Refusal::NoOpenDispute { .. } => 66,
            Refusal::NotReapplied { .. } => 67,
            Refusal::LedgerExists { .. } => 68,
            Refusal::ContractExists { .. } => 69,
            Refusal::NotTheSigner { .. } => 70,
            Refusal::OtherParty { .. } => 71,
            Refusal::UnknownSigner { .. } => 72,
            Refusal::NoSigningKey => 73,
            Refusal::PartyKnown { .. } => 74,
            Refusal::Unverified { .. } => 75,
            Refusal::ChangedInBoth { .. } => 76,
            Refusal::IdTakenInBoth { .. } => 77,
            Refusal::NothingOurs { .. } => 78,
            Refusal::SetAside { .. } => 79,
            Refusal::NotMergeable { .. } => 80,
            Refusal::DirtyWorkTree { .. } => 81,
            Refusal::NotOwnKey { .. } => 82,
            Refusal::KeyNotRecorded { .. } => 83,
            Refusal::ClockAhead { .. } => 84,
            Refusal::IncomingAhead { .. } => 85,
            Refusal::Rejected { .. } => 86,
        }
    }

    /// One sample of every variant.
    fn samples() -> Vec<Refusal> {
        vec![
            Refusal::NotTheParty {
                need: Role::Client,
                name: None,
                doing: "x".into(),
                id: None,
            },
            Refusal::Offer {
                id: id(),
                client: "x".into(),
                freelancer: "x".into(),
                diary: false,
            },
            Refusal::NotAnOffer {
                verb: "x".into(),
                id: id(),
                status: Status::Active,
            },
            Refusal::Ended {
                id: id(),
                at: t(),
                what: AfterEnd::Diary,
            },
            Refusal::ContractPaused { id: id() },
            Refusal::AlreadyPaused { id: id() },
            Refusal::NotPaused {
                id: id(),
                status: Status::Active,
            },
            Refusal::NotHourly {
                id: id(),
                what: HourlyOnly::Pause,
            },
            Refusal::NotFixed {
                id: id(),
                what: FixedOnly::Pay,
            },
            Refusal::BeforeLatest {
                id: id(),
                now: t(),
                latest: Latest::Entry {
                    entry: "c1/1".into(),
                    at: t(),
                    running: false,
                },
            },
            Refusal::OutOfRange {
                what: "x".into(),
                id: id(),
                amount: amount(),
                max: amount(),
            },
            Refusal::OutOfTime {
                what: "x".into(),
                id: id(),
                at: t(),
                last_year: 9999,
            },
            Refusal::Empty { what: "x".into() },
            Refusal::RateTooLow {
                rate: amount(),
                min: amount(),
            },
            Refusal::RateTooHigh {
                rate: amount(),
                max: amount(),
            },
            Refusal::MilestoneTooSmall {
                title: None,
                amount: amount(),
                min: amount(),
            },
            Refusal::MilestonesOverflow,
            Refusal::MilestonesNotPrice {
                sum: amount(),
                price: amount(),
            },
            Refusal::PayNeeded {
                id: id(),
                escrow: amount(),
                freelancer: "x".into(),
            },
            Refusal::PayAboveEscrow {
                id: id(),
                pay: amount(),
                escrow: amount(),
            },
            Refusal::PayNotYours { id: id() },
            Refusal::NothingInEscrow { id: id() },
            Refusal::NoFundedMilestone {
                id: id(),
                why: None,
            },
            Refusal::StillFunded {
                id: id(),
                milestone: 1,
            },
            Refusal::AllFunded { id: id() },
            Refusal::MilestoneState {
                id: id(),
                milestone: 1,
                status: MilestoneStatus::Funded,
                step: MilestoneStep::Fund,
            },
            Refusal::AlreadySubmitted {
                id: id(),
                milestone: 1,
                at: None,
            },
            Refusal::HeldByRefund {
                id: id(),
                milestone: 1,
                held: amount(),
                status: "x".into(),
            },
            Refusal::ReleaseAboveFree {
                id: id(),
                milestone: 1,
                pay: amount(),
                free: amount(),
            },
            Refusal::NothingToRelease,
            Refusal::NoOpenRefund {
                id: id(),
                doing: "x".into(),
                open: vec![],
            },
            Refusal::RefundOpen {
                id: id(),
                refund: 1,
                status: RefundStatus::Requested,
            },
            Refusal::NothingToRefund {
                id: id(),
                milestone: 1,
            },
            Refusal::RefundAmount {
                amount: amount(),
                free: amount(),
                milestone: 1,
            },
            Refusal::PartsNotDisputed {
                sum: amount(),
                disputed: amount(),
            },
            Refusal::GiveAmount {
                id: id(),
                amount: amount(),
                max: amount(),
            },
            Refusal::NoFeedback {
                role: Role::Client,
                id: id(),
                publish: false,
            },
            Refusal::NotToPublish {
                role: Role::Client,
                id: id(),
                status: FeedbackStatus::Pending,
            },
            Refusal::CommitmentMismatch {
                role: Role::Client,
                id: id(),
            },
            Refusal::FeedbackBeforeEnd {
                id: id(),
                status: Status::Active,
                reply: false,
            },
            Refusal::Stars { name: "x".into() },
            Refusal::AlreadyGave {
                role: Role::Client,
                id: id(),
                at: None,
            },
            Refusal::FeedbackClosed {
                id: id(),
                closes: t(),
                ended: t(),
            },
            Refusal::NothingToReply {
                id: id(),
                author: Role::Client,
                closes: t(),
                status: FeedbackStatus::Pending,
            },
            Refusal::AlreadyReplied {
                role: Role::Client,
                author: Role::Client,
                id: id(),
                at: None,
            },
            Refusal::ReplyClosed {
                id: id(),
                closes: t(),
            },
            Refusal::ManualTimeNotAllowed {
                id: id(),
                door: Door::Log,
            },
            Refusal::TimerInFuture {
                start: t(),
                now: t(),
            },
            Refusal::EndNotAfterStart {
                start: t(),
                end: t(),
            },
            Refusal::EndsInFuture { end: t() },
            Refusal::TooLong {
                start: t(),
                end: t(),
            },
            Refusal::WeekClosed {
                week: Week::of(t()),
                stage: Stage::Open,
                now: t(),
            },
            Refusal::BeforeStart {
                id: id(),
                start: t(),
                started: t(),
            },
            Refusal::EntryAfterEnd {
                id: id(),
                ended: t(),
            },
            Refusal::InPause {
                id: id(),
                from: t(),
                to: None,
            },
            Refusal::Overlap {
                id: id(),
                entry: "x".into(),
                start: t(),
                end: t(),
                running: false,
            },
            Refusal::TimerRunning {
                id: id(),
                entry: "x".into(),
                since: t(),
            },
            Refusal::NoTimer { id: id() },
            Refusal::StopBeforeStart {
                id: id(),
                entry: "x".into(),
                now: t(),
                started: t(),
            },
            Refusal::NoTimePassed {
                id: id(),
                entry: "x".into(),
                started: t(),
            },
            Refusal::EntryRunning {
                id: id(),
                entry: "x".into(),
            },
            Refusal::OtherWeek {
                week: Week::of(t()),
                to: Week::of(t()),
            },
            Refusal::Import { problems: vec![] },
            Refusal::LimitUnchanged { hours: None },
            Refusal::NotDisputable {
                week: Week::of(t()),
                stage: Stage::Open,
                now: t(),
            },
            Refusal::AlreadyDisputed {
                id: id(),
                week: Week::of(t()),
            },
            Refusal::NoOpenDispute {
                id: id(),
                week: Week::of(t()),
            },
            Refusal::NotReapplied {
                why: NotReapplied::Timer,
            },
            Refusal::LedgerExists { path: "x".into() },
            Refusal::ContractExists {
                id: id(),
                file: None,
            },
            Refusal::NotTheSigner { name: "x".into() },
            Refusal::OtherParty {
                me: "x".into(),
                who: "x".into(),
                role: Role::Client,
                id: id(),
            },
            Refusal::UnknownSigner {
                who: "x".into(),
                role: Role::Client,
                id: id(),
                recorded: None,
                mine: None,
            },
            Refusal::KeyNotRecorded { mine: "x".into() },
            Refusal::ClockAhead {
                at: Instant::MIN_UTC,
                clock: Instant::MIN_UTC,
            },
            Refusal::IncomingAhead {
                rev: "x".into(),
                at: Instant::MIN_UTC,
                clock: Instant::MIN_UTC,
            },
            Refusal::NoSigningKey,
            Refusal::PartyKnown {
                name: "x".into(),
                known: false,
            },
            Refusal::Unverified {
                failures: vec![],
                checked: None,
                from: None,
            },
            Refusal::ChangedInBoth { path: "x".into() },
            Refusal::NotMergeable { path: "x".into() },
            Refusal::IdTakenInBoth {
                id: id(),
                path: None,
            },
            Refusal::NothingOurs { path: "x".into() },
            Refusal::DirtyWorkTree { files: vec![] },
            Refusal::NotOwnKey { name: "x".into() },
            Refusal::SetAside { lines: vec![] },
            Refusal::Rejected {
                commits: vec![],
                lines: vec![],
            },
        ]
    }

    #[test]
    fn every_reason_has_a_sample_a_distinct_kind_a_message_and_its_readme_line() {
        let all = samples();
        let mut seen: Vec<usize> = all.iter().map(index).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen, (0..87).collect::<Vec<_>>(), "one sample per variant");
        let mut kinds: Vec<&str> = all.iter().map(Refusal::kind).collect();
        kinds.sort_unstable();
        let before = kinds.len();
        kinds.dedup();
        assert_eq!(kinds.len(), before, "kinds are distinct: {kinds:?}");
        for r in &all {
            let k = r.kind();
            assert!(
                !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{k} is snake_case"
            );
            assert!(!r.to_string().trim().is_empty(), "{k} has a message");
            assert!(
                README.contains(&format!("`{k}`")),
                "{k} is listed in the README's refusal reasons"
            );
        }
    }
}
