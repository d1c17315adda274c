//! `feedback ...`: one file per verb. What each role may see is decided by
//! `core::feedback::view` alone; these files only render its answer.

pub mod give;
pub mod reply;
pub mod show;
pub mod summary;

use super::Ctx;
use crate::cli::FeedbackCmd;
use anyhow::Result;

/// Dispatches `feedback` subcommands.
pub fn run(ctx: &Ctx, cmd: FeedbackCmd) -> Result<()> {
    match cmd {
        FeedbackCmd::Give(a) => give::run(ctx, a),
        FeedbackCmd::Show { id: Some(id) } => show::one(ctx, &id),
        FeedbackCmd::Show { id: None } => show::to_give(ctx),
        FeedbackCmd::Reply { id, text } => reply::run(ctx, &id, &text),
        FeedbackCmd::Summary { party } => summary::run(ctx, party.as_deref()),
    }
}

/// Days left until a window's close, counting today: 1 on its last day.
pub fn days_left(closes: crate::core::Instant, now: crate::core::Instant) -> i64 {
    let whole = (closes.date_naive() - now.date_naive()).num_days();
    // A close at midnight ends the day before it.
    if closes.time() == chrono::NaiveTime::MIN {
        whole
    } else {
        whole + 1
    }
}

/// `N days left` for people.
pub fn days_words(days: i64) -> String {
    match days {
        i64::MIN..=1 => "last day".into(),
        n => format!("{n} days left"),
    }
}
