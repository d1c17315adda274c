//! Double-blind feedback [211068438]: what each role may see, decided here
//! and nowhere else. Renderers only ever get a `FeedbackView`.

use super::model::*;

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
        hidden: given.is_some() && visible.is_none(),
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
    }
}
