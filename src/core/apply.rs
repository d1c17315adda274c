//! The one door of a contract's operations (SPEC §2, "Operations and the
//! fold"): what each party can ask ([`Request`], with its arguments as
//! asked), who may ask it (declared once, beside it: [`Request::party`]),
//! and [`apply`], the one function that applies an operation to a contract
//! — its due timers first, then the rule. Commands, `sync`'s merge and the
//! simulations all go through it.

use super::diary::hourly::{self, DisputeAction};
use super::diary::week_file::WeekFile;
use super::error::{Refusal, RuleError, refused};
use super::feedback::{self, GiveRequest};
use super::lifecycle::{self, EndRequest};
use super::model::*;
use super::money::Money;
use super::week::Week;
use super::{Outcome, Settings, escrow};

/// What a party asks of a contract, with its arguments as the party gave
/// them (never what the request came to: that is the rules' to derive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `accept`: the freelancer takes the offer.
    Accept,
    /// `decline`: the freelancer turns the offer down.
    Decline,
    /// `pause`.
    Pause,
    /// `resume`.
    Resume,
    /// `end`, with the reason and what to pay from escrow.
    End(EndRequest),
    /// `limit HOURS|none`.
    Limit {
        /// The new weekly limit; `None` for none.
        hours: Option<u32>,
    },
    /// `milestone add`.
    MilestoneAdd {
        /// Its title.
        title: String,
        /// Its amount.
        amount: Money,
        /// `--fund`: fund it at once.
        fund: bool,
    },
    /// `milestone fund [N]`.
    MilestoneFund {
        /// The milestone; `None` for the next one.
        milestone: Option<u32>,
    },
    /// `milestone submit [N]`.
    MilestoneSubmit {
        /// The milestone; `None` for the funded one.
        milestone: Option<u32>,
    },
    /// `milestone request-changes [N]`.
    RequestChanges {
        /// The milestone; `None` for the funded one.
        milestone: Option<u32>,
    },
    /// `milestone approve [N] [--amount A]`.
    MilestoneApprove {
        /// The milestone; `None` for the funded one.
        milestone: Option<u32>,
        /// How much to release; `None` for all of it.
        amount: Option<Money>,
    },
    /// `refund request [--amount A]`.
    RefundRequest {
        /// How much; `None` for all that is free.
        amount: Option<Money>,
    },
    /// `refund approve`.
    RefundApprove,
    /// `refund dispute [--note T]`.
    RefundDispute {
        /// The freelancer's note.
        note: Option<String>,
    },
    /// `refund concede`.
    RefundConcede,
    /// `refund escalate`.
    RefundEscalate,
    /// `refund resolve --client A --freelancer B`.
    RefundResolve {
        /// The client's part.
        client: Money,
        /// The freelancer's part.
        freelancer: Money,
    },
    /// `refund give --amount A`.
    RefundGive {
        /// How much.
        amount: Money,
    },
    /// `feedback give`.
    FeedbackGive(GiveRequest),
    /// Publishing feedback committed to earlier (shared ledger).
    FeedbackPublish(Box<Feedback>),
    /// `feedback reply`.
    FeedbackReply {
        /// The reply.
        text: String,
    },
    /// `diary dispute` of a week: opened, accepted, declined or withdrawn.
    WeekDispute {
        /// The week.
        week: Week,
        /// What is asked.
        action: DisputeAction,
    },
}

/// Who may ask for something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The client only.
    Client,
    /// The freelancer only.
    Freelancer,
    /// Either party.
    Either,
}

impl Request {
    /// Who may ask for it: declared once, here, for every request.
    pub fn party(&self) -> Party {
        use Request::*;
        // One arm per request, so that each declaration stands alone.
        match self {
            Accept => Party::Freelancer,
            Decline => Party::Freelancer,
            Pause => Party::Client,
            Resume => Party::Client,
            End(_) => Party::Either,
            Limit { .. } => Party::Client,
            MilestoneAdd { .. } => Party::Client,
            MilestoneFund { .. } => Party::Client,
            MilestoneSubmit { .. } => Party::Freelancer,
            RequestChanges { .. } => Party::Client,
            MilestoneApprove { .. } => Party::Client,
            RefundRequest { .. } => Party::Client,
            RefundApprove => Party::Freelancer,
            RefundDispute { .. } => Party::Freelancer,
            RefundConcede => Party::Client,
            RefundEscalate => Party::Client,
            // Either party records mediation's outcome.
            RefundResolve { .. } => Party::Either,
            RefundGive { .. } => Party::Freelancer,
            FeedbackGive(_) => Party::Either,
            FeedbackPublish(_) => Party::Either,
            FeedbackReply { .. } => Party::Either,
            WeekDispute { action, .. } => match action {
                DisputeAction::Open(_) => Party::Client,
                DisputeAction::Withdraw => Party::Client,
                DisputeAction::Accept => Party::Freelancer,
                DisputeAction::Decline => Party::Freelancer,
            },
        }
    }

    /// What it does, for a refusal: "pause", "approve a milestone of", ...
    /// (followed by the contract's id).
    fn doing(&self) -> String {
        use Request::*;
        match self {
            Accept => "accept the offer".into(),
            Decline => "decline the offer".into(),
            Pause => "pause".into(),
            Resume => "resume".into(),
            End(_) => "end".into(),
            Limit { .. } => "set the weekly limit of".into(),
            MilestoneAdd { .. } => "add milestones to".into(),
            MilestoneFund { .. } => "fund milestones of".into(),
            MilestoneSubmit { .. } => "submit work on".into(),
            RequestChanges { .. } => "request changes on".into(),
            MilestoneApprove { .. } => "approve milestones of".into(),
            RefundRequest { .. } => "request a refund on".into(),
            RefundApprove => "approve a refund on".into(),
            RefundDispute { .. } => "dispute a refund on".into(),
            RefundConcede => "concede a dispute on".into(),
            RefundEscalate => "escalate a dispute on".into(),
            RefundResolve { .. } => "resolve a dispute on".into(),
            RefundGive { .. } => "give a refund on".into(),
            FeedbackGive(_) => "give feedback on".into(),
            FeedbackPublish(_) => "publish feedback on".into(),
            FeedbackReply { .. } => "reply to feedback on".into(),
            WeekDispute { week, action } => {
                let verb = match action {
                    DisputeAction::Open(_) => "open",
                    DisputeAction::Accept => "accept",
                    DisputeAction::Decline => "decline",
                    DisputeAction::Withdraw => "withdraw",
                };
                format!("{verb} a dispute of {week} on")
            }
        }
    }
}

/// What [`apply`] reads besides the contract: the settings, and the
/// contract's diary weeks a rule may need (the disputed week's).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The ledger's settings.
    pub settings: &'a Settings,
    /// Week files of the contract the request may concern.
    pub weeks: &'a [WeekFile],
}

/// Applies `request`, made by `actor` at `now`, to `c`: refused unless the
/// actor is the party the request is for; else the timers due at `now`,
/// then the rule. The one function every change of a contract goes
/// through.
pub fn apply(
    c: &Contract,
    actor: Role,
    request: &Request,
    cx: &Context<'_>,
    now: Instant,
) -> Result<Outcome, RuleError> {
    let need = match (request.party(), actor) {
        (Party::Either, _)
        | (Party::Client, Role::Client)
        | (Party::Freelancer, Role::Freelancer) => None,
        (Party::Client, _) => Some(Role::Client),
        (Party::Freelancer, _) => Some(Role::Freelancer),
    };
    if let Some(need) = need {
        return refused(Refusal::NotTheParty {
            need,
            name: Some(c.party(need).to_string()),
            doing: request.doing().to_string(),
            id: Some(c.id.clone()),
        });
    }
    let (s, role) = (cx.settings, actor);
    use Request::*;
    match request {
        Accept => lifecycle::accept(c, s, now),
        Decline => lifecycle::decline(c, s, now),
        Pause => lifecycle::pause(c, s, now),
        Resume => lifecycle::resume(c, s, now),
        End(req) => lifecycle::end(c, role, req, s, now),
        Limit { hours } => hourly::set_limit(c, *hours, s, now),
        MilestoneAdd {
            title,
            amount,
            fund,
        } => escrow::add_milestone(c, title.clone(), *amount, *fund, s, now),
        MilestoneFund { milestone } => escrow::fund(c, *milestone, s, now),
        MilestoneSubmit { milestone } => escrow::submit(c, *milestone, s, now),
        RequestChanges { milestone } => escrow::request_changes(c, *milestone, s, now),
        MilestoneApprove { milestone, amount } => escrow::approve(c, *milestone, *amount, s, now),
        RefundRequest { amount } => escrow::request(c, *amount, s, now),
        RefundApprove => escrow::approve_refund(c, s, now),
        RefundDispute { note } => escrow::dispute(c, note.clone(), s, now),
        RefundConcede => escrow::concede(c, s, now),
        RefundEscalate => escrow::escalate(c, s, now),
        RefundResolve { client, freelancer } => {
            escrow::resolve(c, role, *client, *freelancer, s, now)
        }
        RefundGive { amount } => escrow::give(c, *amount, s, now),
        FeedbackGive(req) => feedback::give(c, role, req, s, now),
        FeedbackPublish(content) => feedback::publish(c, role, content, s, now),
        FeedbackReply { text } => feedback::reply(c, role, text, s, now),
        WeekDispute { week, action } => {
            let wf = cx
                .weeks
                .iter()
                .find(|w| w.week == *week && w.contract == c.id);
            hourly::dispute(c, *week, action.clone(), wf, s, now)
        }
    }
}
