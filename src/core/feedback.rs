//! Double-blind feedback \[211068438\]: what each role may see, decided here
//! and nowhere else. Renderers only ever get a `FeedbackView`.

use super::error::{Refusal, RuleError, refused};
use super::model::*;
use super::step::transition;
use super::{Outcome, Settings};
use std::collections::BTreeMap;

/// One direction of feedback as a viewer may see it. Content fields are
/// `None` when hidden; `private` is only ever set for its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackView {
    /// Who wrote (or will write) it.
    pub author: Role,
    /// Its status.
    pub status: FeedbackStatus,
    /// True when given but hidden from this viewer.
    pub hidden: bool,
    /// When it was given (visible content only).
    pub given_at: Option<Instant>,
    /// Stars.
    pub stars: Option<u8>,
    /// Category scores.
    pub scores: Scores,
    /// Public comment.
    pub comment: Option<String>,
    /// The recipient's reply.
    pub reply: Option<String>,
    /// When replied.
    pub replied_at: Option<Instant>,
    /// The private note, for its author only.
    pub private: Option<String>,
    /// When the window closes (hidden feedback shows then at the latest).
    pub window_closes: Option<Instant>,
    /// Given by commitment and revealed, but its author has not published
    /// its content yet (a shared ledger).
    pub unpublished: bool,
    /// Given by commitment and never published though the window closed.
    pub withheld: bool,
}

/// The feedback `author` gave, as `viewer` may see it: the author always sees
/// their own; the other party only once it is revealed; the private note
/// never leaves its author.
pub fn view(c: &Contract, author: Role, viewer: Role) -> FeedbackView {
    let f = c.feedback(author);
    let status = f.map_or(FeedbackStatus::Pending, |f| f.status);
    let given = f.filter(|f| f.stars.is_some());
    let visible = given.filter(|_| viewer == author || status == FeedbackStatus::Revealed);
    FeedbackView {
        author,
        status,
        hidden: (given.is_some() && visible.is_none())
            || (viewer != author
                && f.is_some_and(|f| f.unpublished() && f.status == FeedbackStatus::Submitted)),
        given_at: visible.and_then(|f| f.given_at),
        stars: visible.and_then(|f| f.stars),
        scores: visible.map(|f| f.scores.clone()).unwrap_or_default(),
        comment: visible.and_then(|f| f.comment.clone()),
        reply: visible.and_then(|f| f.reply.clone()),
        replied_at: visible.and_then(|f| f.replied_at),
        private: given
            .filter(|_| viewer == author)
            .and_then(|f| f.private.clone()),
        window_closes: c.feedback_window_closes(),
        unpublished: f.is_some_and(Feedback::unpublished),
        withheld: f.is_some_and(Feedback::unpublished)
            && c.history
                .iter()
                .any(|e| e.counts() && e.kind() == EventKind::FeedbackWindowClosed),
    }
}

/// What a `--dry-run` of a change from `before` to `after` may show to
/// `viewer`: `after`, except the other party's feedback stays as `viewer`
/// could see it before, since a dry run writes nothing and so reveals
/// nothing (giving one's own feedback would reveal the other's).
pub fn conceal(before: &Contract, mut after: Contract, viewer: Role) -> Contract {
    let other = viewer.other();
    if view(before, other, viewer).hidden {
        let hidden = before.feedback(other).cloned();
        match other {
            Role::Client => after.feedback_client = hidden,
            Role::Freelancer => after.feedback_freelancer = hidden,
        }
    }
    after
}

/// What `feedback give` (or `end --stars`) asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GiveRequest {
    /// Overall stars, 1 to 5.
    pub stars: u8,
    /// Category scores, each 1 to 5.
    pub scores: Scores,
    /// The public comment.
    pub comment: Option<String>,
    /// The private note: only ever shown to its author.
    pub private: Option<String>,
    /// In a shared ledger: record only this commitment to the feedback
    /// (see [`commitment_of`]); its author publishes the content later.
    pub commitment: Option<String>,
}

pub use super::model::{commitment_of, matches_commitment};

/// `publish` (the author, shared ledger): the content of feedback committed
/// to earlier, once it is revealed (both gave, or the window closed); it
/// must match the commitment.
pub(crate) fn publish(
    c: &Contract,
    role: Role,
    content: &Feedback,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| {
        let id = c.id.clone();
        let Some(f) = c.feedback_mut(role) else {
            return refused(Refusal::NoFeedback {
                role,
                id,
                publish: true,
            });
        };
        if !f.unpublished() || f.status != FeedbackStatus::Revealed {
            return refused(Refusal::NotToPublish {
                role,
                id,
                status: f.status,
            });
        }
        f.stars = content.stars;
        f.scores = content.scores.clone();
        f.comment = content.comment.clone();
        f.salt = content.salt.clone();
        if !matches_commitment(f) {
            return refused(Refusal::CommitmentMismatch { role, id });
        }
        Ok(vec![event(
            now,
            role.actor(),
            Op::FeedbackPublished {},
            None,
        )])
    })
}

/// Text that is only whitespace counts as not given.
fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_ref().filter(|s| !s.trim().is_empty()).cloned()
}

/// `feedback give` (client or freelancer): once per party, after the end,
/// before the window closes; never edited. The second party's feedback
/// reveals both at once. History says who gave feedback, never what.
pub(crate) fn give(
    c: &Contract,
    role: Role,
    req: &GiveRequest,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| give_step(c, role, req, now))
}

fn give_step(
    c: &mut Contract,
    role: Role,
    req: &GiveRequest,
    now: Instant,
) -> Result<Vec<Event>, RuleError> {
    let (Some(ended_at), Some(closes)) = (c.ended_at(), c.feedback_window_closes()) else {
        return refused(Refusal::FeedbackBeforeEnd {
            id: c.id.clone(),
            status: c.status,
            reply: false,
        });
    };
    for (name, v) in std::iter::once(("stars", Some(req.stars))).chain(req.scores.named()) {
        if v.is_some_and(|s| !(1..=5).contains(&s)) {
            return refused(Refusal::Stars {
                name: name.to_string(),
            });
        }
    }
    let mine = c.feedback(role).cloned().unwrap_or_else(Feedback::pending);
    if matches!(
        mine.status,
        FeedbackStatus::Submitted | FeedbackStatus::Revealed
    ) {
        return refused(Refusal::AlreadyGave {
            role,
            id: c.id.clone(),
            at: mine.given_at,
        });
    }
    if now >= closes || mine.status == FeedbackStatus::Expired {
        return refused(Refusal::FeedbackClosed {
            id: c.id.clone(),
            closes,
            ended: ended_at,
        });
    }
    let given = match &req.commitment {
        // Only the commitment is recorded; the content stays with its author.
        Some(commitment) => Feedback {
            status: FeedbackStatus::Submitted,
            given_at: Some(now),
            commitment: Some(commitment.clone()),
            ..Feedback::pending()
        },
        None => Feedback {
            status: FeedbackStatus::Submitted,
            given_at: Some(now),
            stars: Some(req.stars),
            scores: req.scores.clone(),
            comment: non_empty(&req.comment),
            private: non_empty(&req.private),
            ..Feedback::pending()
        },
    };
    match role {
        Role::Client => c.feedback_client = Some(given),
        Role::Freelancer => c.feedback_freelancer = Some(given),
    }
    let mut events = vec![event(now, role.actor(), Op::FeedbackGiven {}, None)];
    let other = role.other();
    if c.feedback(other)
        .is_some_and(|f| f.status == FeedbackStatus::Submitted)
    {
        for r in [role, other] {
            if let Some(f) = c.feedback_mut(r) {
                f.status = FeedbackStatus::Revealed;
            }
        }
        events.push(event(now, role.actor(), Op::FeedbackRevealed {}, None));
    }
    Ok(events)
}

/// `feedback reply` (the recipient): once, to feedback about them that is
/// revealed, until 28 days after the end (that instant included); never edited.
pub(crate) fn reply(
    c: &Contract,
    role: Role,
    text: &str,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| reply_step(c, role, text, now))
}

fn reply_step(
    c: &mut Contract,
    role: Role,
    text: &str,
    now: Instant,
) -> Result<Vec<Event>, RuleError> {
    let author = role.other();
    let (Some(closes), Some(reply_closes)) = (c.feedback_window_closes(), c.reply_window_closes())
    else {
        return refused(Refusal::FeedbackBeforeEnd {
            id: c.id.clone(),
            status: c.status,
            reply: true,
        });
    };
    if text.trim().is_empty() {
        return refused(Refusal::Empty {
            what: "reply".into(),
        });
    }
    let id = c.id.clone();
    let status = c
        .feedback(author)
        .map_or(FeedbackStatus::Pending, |f| f.status);
    if status != FeedbackStatus::Revealed {
        return refused(Refusal::NothingToReply {
            id,
            author,
            closes,
            status,
        });
    }
    let Some(f) = c.feedback_mut(author) else {
        return refused(Refusal::NoFeedback {
            role: author,
            id,
            publish: false,
        });
    };
    if f.reply.is_some() {
        return refused(Refusal::AlreadyReplied {
            role,
            author,
            id,
            at: f.replied_at,
        });
    }
    if now > reply_closes {
        return refused(Refusal::ReplyClosed {
            id,
            closes: reply_closes,
        });
    }
    f.reply = Some(text.to_string());
    f.replied_at = Some(now);
    Ok(vec![event(now, role.actor(), Op::FeedbackReplied {}, None)])
}

/// An ended contract on which `role` may still give feedback: when the
/// window closes. `None` when nothing is left to give (apply timers first).
pub fn still_to_give(c: &Contract, role: Role, now: Instant) -> Option<Instant> {
    let closes = c.feedback_window_closes()?;
    let status = c
        .feedback(role)
        .map_or(FeedbackStatus::Pending, |f| f.status);
    (status == FeedbackStatus::Pending && now < closes).then_some(closes)
}

/// Whether `role` may reply now to the other party's feedback: until when.
pub fn can_reply(c: &Contract, role: Role, now: Instant) -> Option<Instant> {
    let closes = c.reply_window_closes()?;
    let f = c.feedback(role.other())?;
    (f.status == FeedbackStatus::Revealed && f.reply.is_none() && now <= closes).then_some(closes)
}

/// A running mean.
#[derive(Debug, Default, Clone, Copy)]
pub struct Mean {
    sum: u32,
    n: u32,
}

impl Mean {
    fn add(&mut self, v: Option<u8>) {
        if let Some(v) = v {
            self.sum += u32::from(v);
            self.n += 1;
        }
    }
    /// The mean, if anything was added.
    pub fn value(self) -> Option<f64> {
        (self.n > 0).then(|| f64::from(self.sum) / f64::from(self.n))
    }
}

/// What one party received in one role.
#[derive(Debug, Default, Clone)]
pub struct Received {
    /// How many contracts' feedback.
    pub contracts: u32,
    /// Mean stars.
    pub stars: Mean,
    /// Mean of each category score, in [`Scores::named`] order.
    pub scores: [Mean; 6],
}

/// Feedback received per party and role, over revealed feedback only (what
/// a profile would show), as `me` may see it; `party` keeps only the party
/// of that name (case and outer spaces ignored). Also says whether any
/// contract names that party.
pub fn received<'c>(
    contracts: impl IntoIterator<Item = &'c Contract>,
    party: Option<&str>,
    me: Role,
) -> (BTreeMap<(String, &'static str), Received>, bool) {
    let wanted = |name: &str| party.is_none_or(|p| p.trim().eq_ignore_ascii_case(name.trim()));
    let mut named = false;
    let mut by: BTreeMap<(String, &'static str), Received> = BTreeMap::new();
    for c in contracts {
        for author in Role::ALL {
            let recipient = author.other();
            let name = c.party(recipient);
            if !wanted(name) {
                continue;
            }
            named = true;
            // Visibility is decided in one place: only what is revealed counts.
            let v = view(c, *author, me);
            if v.status != FeedbackStatus::Revealed || v.stars.is_none() {
                continue;
            }
            let r = by
                .entry((name.to_string(), recipient.as_str()))
                .or_default();
            r.contracts += 1;
            r.stars.add(v.stars);
            for (m, (_, score)) in r.scores.iter_mut().zip(v.scores.named()) {
                m.add(score);
            }
        }
    }
    (by, named)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lifecycle::{EndRequest, end, tests as lt};
    use crate::core::timers;

    const ENDED: &str = "2026-11-18T10:00:00Z";
    const CLOSES: &str = "2026-12-03T00:00:00Z";
    const BEFORE_CLOSE: &str = "2026-12-02T23:59:59Z";

    fn ended() -> Contract {
        end(
            &lt::hourly(),
            Role::Client,
            &EndRequest {
                reason: EndReason::Completed,
                note: None,
                pay: None,
            },
            &lt::settings(),
            lt::t(ENDED),
        )
        .unwrap()
        .contract
    }

    fn req(stars: u8) -> GiveRequest {
        GiveRequest {
            stars,
            scores: Scores {
                quality: Some(4),
                ..Scores::default()
            },
            comment: Some(format!("comment {stars}")),
            private: Some(format!("secret {stars}")),
            commitment: None,
        }
    }

    fn give_at(c: &Contract, role: Role, stars: u8, now: &str) -> Result<Outcome, RuleError> {
        give(c, role, &req(stars), &lt::settings(), lt::t(now))
    }

    fn reply_at(c: &Contract, role: Role, now: &str) -> Result<Outcome, RuleError> {
        reply(c, role, "thanks", &lt::settings(), lt::t(now))
    }

    fn refusal(r: Result<Outcome, RuleError>) -> Refusal {
        match r {
            Err(RuleError::Refused(m)) => m,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn not_before_the_end() {
        let m = refusal(give(
            &lt::hourly(),
            Role::Client,
            &req(5),
            &lt::settings(),
            lt::t(ENDED),
        ));
        assert!(
            matches!(m, Refusal::FeedbackBeforeEnd { reply: false, .. }),
            "{m}"
        );
    }

    #[test]
    fn window_boundary_one_second_before_and_at_the_instant() {
        let c = ended();
        let o = give_at(&c, Role::Client, 5, BEFORE_CLOSE).unwrap();
        let f = o.contract.feedback(Role::Client).unwrap();
        assert_eq!(f.status, FeedbackStatus::Submitted);
        assert_eq!(f.given_at, Some(lt::t(BEFORE_CLOSE)));
        let m = refusal(give_at(&c, Role::Client, 5, CLOSES));
        assert_eq!(m.kind(), "feedback_closed");
        assert!(
            m.to_string()
                .contains("the feedback window of h1 closed on Thu 3 Dec 00:00 UTC"),
            "{m}"
        );
        assert!(give_at(&c, Role::Freelancer, 5, "2026-12-03T00:00:01Z").is_err());
    }

    #[test]
    fn once_only_and_never_edited() {
        let c = ended();
        let c = give_at(&c, Role::Client, 5, ENDED).unwrap().contract;
        let m = refusal(give_at(&c, Role::Client, 3, "2026-11-19T10:00:00Z"));
        assert!(
            matches!(
                m,
                Refusal::AlreadyGave {
                    role: Role::Client,
                    ..
                }
            ),
            "{m}"
        );
        // the freelancer's still open; after both, neither may give again
        let c = give_at(&c, Role::Freelancer, 4, "2026-11-19T10:00:00Z")
            .unwrap()
            .contract;
        assert!(give_at(&c, Role::Freelancer, 4, "2026-11-20T10:00:00Z").is_err());
        assert!(give_at(&c, Role::Client, 4, "2026-11-20T10:00:00Z").is_err());
        assert_eq!(c.feedback(Role::Client).unwrap().stars, Some(5));
    }

    #[test]
    fn stars_and_scores_out_of_range_are_refused() {
        let c = ended();
        for stars in [0, 6] {
            let m = refusal(give_at(&c, Role::Client, stars, ENDED));
            assert_eq!(
                m,
                Refusal::Stars {
                    name: "stars".into()
                }
            );
        }
        let mut r = req(5);
        r.scores.skills = Some(9);
        let m = refusal(give(&c, Role::Client, &r, &lt::settings(), lt::t(ENDED)));
        assert_eq!(m.kind(), "stars", "{m}");
    }

    #[test]
    fn double_blind_until_both_have_given() {
        let c = ended();
        let o = give_at(&c, Role::Client, 5, ENDED).unwrap();
        assert_eq!(o.events.len(), 1);
        assert_eq!(
            crate::core::history::detail(&o.contract, &o.events[0], &lt::settings().currency),
            "client gave feedback"
        );
        let c = o.contract;
        // the author sees all of it, private note included
        let own = view(&c, Role::Client, Role::Client);
        assert_eq!(
            (own.stars, own.private.as_deref(), own.hidden),
            (Some(5), Some("secret 5"), false)
        );
        // the other party sees that it was given, and nothing of it
        let other = view(&c, Role::Client, Role::Freelancer);
        assert!(other.hidden);
        assert_eq!(other.status, FeedbackStatus::Submitted);
        assert_eq!(
            (other.stars, other.comment, other.private, other.given_at),
            (None, None, None, None)
        );
        assert_eq!(other.scores, Scores::default());
        assert_eq!(other.window_closes, Some(lt::t(CLOSES)));

        let o = give_at(&c, Role::Freelancer, 3, "2026-11-20T08:00:00Z").unwrap();
        let evs: Vec<_> = o.events.iter().map(|e| e.kind().as_str()).collect();
        assert_eq!(evs, ["feedback_given", "feedback_revealed"]);
        let c = o.contract;
        for author in Role::ALL {
            assert_eq!(
                c.feedback(*author).unwrap().status,
                FeedbackStatus::Revealed
            );
            let v = view(&c, *author, author.other());
            assert!(!v.hidden);
            assert!(v.stars.is_some() && v.comment.is_some());
            assert_eq!(v.private, None, "the private note never leaves its author");
        }
        // history names who, never what
        for e in &c.history {
            let d = crate::core::history::detail(&c, e, &lt::settings().currency);
            assert!(!d.contains("secret") && !d.contains("comment"));
            assert!(!d.contains("star"));
            assert!(
                matches!(
                    e.op,
                    Op::FeedbackGiven {}
                        | Op::FeedbackRevealed {}
                        | Op::Created { .. }
                        | Op::Ended { .. }
                        | Op::MilestoneFunded { .. }
                        | Op::Released { .. }
                ),
                "{e:?}"
            );
        }
    }

    #[test]
    fn window_close_reveals_and_expires_at_the_instant() {
        let c = ended();
        let c = give_at(&c, Role::Client, 5, ENDED).unwrap().contract;
        let s = lt::settings();
        let before = timers::advance(&c, &s, lt::t(BEFORE_CLOSE)).contract;
        assert!(view(&before, Role::Client, Role::Freelancer).hidden);
        let at = timers::advance(&c, &s, lt::t(CLOSES));
        assert_eq!(at.events[0].at, lt::t(CLOSES));
        let v = view(&at.contract, Role::Client, Role::Freelancer);
        assert_eq!(
            (v.status, v.stars, v.hidden),
            (FeedbackStatus::Revealed, Some(5), false)
        );
        assert_eq!(v.private, None);
        assert_eq!(
            at.contract.feedback(Role::Freelancer).unwrap().status,
            FeedbackStatus::Expired
        );
    }

    #[test]
    fn reply_only_by_the_recipient_after_reveal_once_within_28_days() {
        let c = ended();
        let c = give_at(&c, Role::Client, 5, ENDED).unwrap().contract;
        // hidden from the freelancer: no reply yet
        let m = refusal(reply_at(&c, Role::Freelancer, "2026-11-19T10:00:00Z"));
        assert!(
            matches!(
                m,
                Refusal::NothingToReply {
                    status: FeedbackStatus::Submitted,
                    ..
                }
            ),
            "{m}"
        );
        assert!(
            m.to_string().contains("hidden until Thu 3 Dec 00:00 UTC"),
            "{m}"
        );
        // the client cannot reply to their own: a client's reply is to the
        // freelancer's feedback, which is not given
        let m = refusal(reply_at(&c, Role::Client, "2026-11-19T10:00:00Z"));
        assert!(
            matches!(
                m,
                Refusal::NothingToReply {
                    author: Role::Freelancer,
                    status: FeedbackStatus::Pending,
                    ..
                }
            ),
            "{m}"
        );
        // revealed at the window's close: the recipient replies
        let o = reply_at(&c, Role::Freelancer, CLOSES).unwrap();
        let f = o.contract.feedback(Role::Client).unwrap();
        assert_eq!(f.reply.as_deref(), Some("thanks"));
        assert_eq!(f.replied_at, Some(lt::t(CLOSES)));
        assert_eq!(o.events.last().unwrap().kind().as_str(), "feedback_replied");
        // once
        let m = refusal(reply_at(
            &o.contract,
            Role::Freelancer,
            "2026-12-04T00:00:00Z",
        ));
        assert_eq!(m.kind(), "already_replied", "{m}");
        // the client's reply to expired feedback: nothing to reply to
        let m = refusal(reply_at(&o.contract, Role::Client, "2026-12-04T00:00:00Z"));
        assert!(
            matches!(
                m,
                Refusal::NothingToReply {
                    status: FeedbackStatus::Expired,
                    ..
                }
            ),
            "{m}"
        );
        // within 28 days of the end: the last instant included, not after
        assert!(reply_at(&c, Role::Freelancer, "2026-12-16T10:00:00Z").is_ok());
        let m = refusal(reply_at(&c, Role::Freelancer, "2026-12-16T10:00:01Z"));
        assert_eq!(m.kind(), "reply_closed", "{m}");
        assert!(m.to_string().contains("until Wed 16 Dec 10:00 UTC"), "{m}");
        let m = refusal(reply(
            &c,
            Role::Freelancer,
            "  ",
            &lt::settings(),
            lt::t(CLOSES),
        ));
        assert_eq!(m.kind(), "empty", "{m}");
    }

    #[test]
    fn reminders() {
        let c = ended();
        assert_eq!(
            still_to_give(&c, Role::Client, lt::t(ENDED)),
            Some(lt::t(CLOSES))
        );
        assert_eq!(still_to_give(&c, Role::Client, lt::t(CLOSES)), None);
        let c = give_at(&c, Role::Client, 5, ENDED).unwrap().contract;
        assert_eq!(still_to_give(&c, Role::Client, lt::t(ENDED)), None);
        assert!(still_to_give(&c, Role::Freelancer, lt::t(ENDED)).is_some());
        assert_eq!(
            still_to_give(&lt::hourly(), Role::Client, lt::t(ENDED)),
            None
        );
    }
}
