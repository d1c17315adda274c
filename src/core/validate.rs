//! The invariants of SPEC §5, checked for whatever is loaded and before every
//! write. Each problem names the key path it concerns, so the store can point
//! at the line.

use super::accounts::{milestone_escrow, milestone_held};
use super::diary::week_file::WeekFile;
use super::model::*;
use super::money::{MAX_MINOR, Money};

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where, as a key path: `milestones[0].funded` (0-based array index).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn p(out: &mut Vec<Problem>, path: impl Into<String>, message: impl Into<String>) {
    out.push(Problem {
        path: path.into(),
        message: message.into(),
    });
}

// The path is built only for a problem: loading checks every amount.
fn amount(out: &mut Vec<Problem>, path: impl FnOnce() -> String, m: Money) {
    if m < Money::ZERO {
        p(out, path(), "amounts are never negative");
    } else if m.minor() > MAX_MINOR {
        p(out, path(), "amount too large");
    }
}

/// The first amount of `c` (or of its totals) above the money range, named
/// for people: what a rule refuses rather than write.
pub fn out_of_range(c: &Contract) -> Option<(String, Money)> {
    let too_big = |m: Money| m.minor() > MAX_MINOR;
    let mut amounts: Vec<(String, Money)> = Vec::new();
    match &c.terms {
        Terms::Hourly { rate, .. } => amounts.push(("the rate".into(), *rate)),
        Terms::Fixed { price } => amounts.push(("the price".into(), *price)),
    }
    for (i, m) in c.milestones.iter().enumerate() {
        amounts.push((format!("milestone {}", i + 1), m.amount));
        amounts.push((format!("the escrow of milestone {}", i + 1), m.funded));
    }
    for p in &c.payments {
        amounts.push(("a payment".into(), p.amount));
    }
    for r in &c.refunds {
        amounts.push(("a refund".into(), r.amount));
    }
    // An hourly contract's totals grow by a settlement (a timer) a week; the
    // rate's bound keeps every week's amount in range and the sums of all
    // weeks to the year 9999 exact. A fixed contract's grow only by what its
    // parties do, and are held to the range.
    if matches!(c.terms, Terms::Fixed { .. }) {
        let t = c.totals();
        amounts.extend([
            ("the money funded".to_string(), t.funded),
            ("the money paid".to_string(), t.paid),
            ("the money refunded".to_string(), t.refunded),
            ("the escrow".to_string(), t.escrow),
        ]);
    }
    amounts.into_iter().find(|(_, m)| too_big(*m))
}

/// The largest hourly rate, in minor units (a billion dollars an hour): a
/// week at it (168 hours) is an amount a ledger holds, and every week of the
/// years 1 to 9999 at it still adds up in an i64.
pub const MAX_HOURLY_MINOR: i64 = 100_000_000_000;

const _: () = assert!(MAX_HOURLY_MINOR * 168 <= MAX_MINOR);
const _: () = assert!((MAX_HOURLY_MINOR as i128) * 168 * 53 * 10_000 < i64::MAX as i128);

/// The last year a ledger file can hold (TOML date-times have four digits).
pub const LAST_YEAR: i32 = 9999;

/// The first stored instant of `c` past [`LAST_YEAR`] (a deadline set near
/// the end of year 9999), named for people.
pub fn out_of_time(c: &Contract) -> Option<(&'static str, Instant)> {
    use chrono::Datelike;
    let mut at: Vec<(&'static str, Instant)> = Vec::new();
    for r in &c.refunds {
        at.push(("the refund's deadline", r.deadline));
        if let Some(d) = r.dispute_deadline {
            at.push(("the dispute's deadline", d));
        }
    }
    if let Terms::Hourly { limit_changes, .. } = &c.terms {
        at.extend(
            limit_changes
                .iter()
                .map(|l| ("the new limit's start", l.from)),
        );
    }
    at.into_iter().find(|(_, t)| t.year() > LAST_YEAR)
}

/// Every event of `c`'s history has an id of its own: what merges of two
/// clones go by. Checked when a contract is written or read (the rules
/// make events without one; the command gives them theirs).
pub fn history_ids(c: &Contract) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, e) in c.history.iter().enumerate() {
        if e.id.is_empty() {
            p(&mut out, format!("history[{i}].id"), "an event needs an id");
        } else if !seen.insert(e.id.as_str()) {
            p(
                &mut out,
                format!("history[{i}].id"),
                format!("the id `{}` is taken by an earlier event", e.id),
            );
        }
    }
    out
}

/// The longest title (a contract's or a milestone's), in characters: it
/// fits a journal line, a calendar event and a table.
pub const MAX_TITLE_CHARS: usize = 200;

/// The longest party name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Why `s` is too long for a `what` of at most `max` characters, if it is.
pub fn too_long(what: &str, s: &str, max: usize) -> Option<String> {
    let n = s.chars().count();
    (n > max).then(|| format!("a {what} is at most {max} characters; this one has {n}"))
}

/// Why `s` cannot be a title, if it cannot (too long).
pub fn title_problem(s: &str) -> Option<String> {
    too_long("title", s, MAX_TITLE_CHARS)
}

/// Why `s` cannot be a party's name, if it cannot (too long).
pub fn name_problem(s: &str) -> Option<String> {
    too_long("name", s, MAX_NAME_CHARS)
}

/// Every problem of one contract.
pub fn contract(c: &Contract) -> Vec<Problem> {
    let mut out = Vec::new();
    let o = &mut out;
    if let Some(m) = title_problem(&c.title) {
        p(o, "title", m);
    }
    for (key, name) in [("client", &c.client), ("freelancer", &c.freelancer)] {
        if let Some(m) = name_problem(name) {
            p(o, key, m);
        }
    }
    for (i, m) in c.milestones.iter().enumerate() {
        if let Some(msg) = title_problem(&m.title) {
            p(o, format!("milestones[{i}].title"), msg);
        }
    }
    match &c.terms {
        Terms::Hourly { rate, .. } => {
            amount(o, || "rate".into(), *rate);
            if !c.milestones.is_empty() {
                p(o, "milestones", "an hourly contract has no milestones");
            }
        }
        Terms::Fixed { price } => {
            amount(o, || "price".into(), *price);
            if c.milestones.is_empty() {
                p(o, "price", "a fixed contract needs at least one milestone");
            }
        }
    }
    for (role, f) in [
        ("client", &c.feedback_client),
        ("freelancer", &c.feedback_freelancer),
    ] {
        if let Some(f) = f
            && !matches_commitment(f)
        {
            p(
                o,
                format!("feedback.{role}.stars"),
                format!(
                    "the {role}'s feedback does not match what it committed to when it was given: it was changed since"
                ),
            );
        }
    }
    match (&c.status, &c.ending) {
        (Status::Ended, None) => p(o, "status", "status is `ended` but `ended_at` is missing"),
        (s, Some(_)) if *s != Status::Ended => p(
            o,
            "ended_at",
            format!("`ended_at` is set but status is `{s}`"),
        ),
        _ => {}
    }
    if let Some(e) = &c.ending {
        if e.at < c.started_at {
            p(o, "ended_at", "the contract ends before it started");
        }
    } else if c.feedback_client.is_some() || c.feedback_freelancer.is_some() {
        p(
            o,
            "feedback",
            "feedback exists only after the contract ended",
        );
    }
    let funded_count = c
        .milestones
        .iter()
        .filter(|m| {
            matches!(
                m.status,
                MilestoneStatus::Funded | MilestoneStatus::Submitted
            )
        })
        .count();
    if funded_count > 1 {
        p(
            o,
            "milestones",
            "only one milestone can be funded at a time",
        );
    }
    for (i, m) in c.milestones.iter().enumerate() {
        let n = i as u32 + 1;
        amount(o, || format!("milestones[{i}].amount"), m.amount);
        amount(o, || format!("milestones[{i}].funded"), m.funded);
        let esc = milestone_escrow(c, n);
        if esc < Money::ZERO {
            p(
                o,
                format!("milestones[{i}].funded"),
                format!(
                    "money does not conserve: milestone {n} paid out and refunded {} more than was funded (funded = released + refunded + in escrow)",
                    -esc.minor()
                ),
            );
        } else if milestone_held(c, n) > esc {
            p(
                o,
                format!("milestones[{i}]"),
                format!("open refunds of milestone {n} hold more than its escrow"),
            );
        }
    }
    let count = c.milestones.len() as u32;
    let bad_ref = |m: Option<u32>| m.is_some_and(|n| n == 0 || n > count);
    for (i, pay) in c.payments.iter().enumerate() {
        amount(o, || format!("payments[{i}].amount"), pay.amount);
        amount(o, || format!("payments[{i}].fee"), pay.fee);
        if pay.fee > pay.amount {
            p(
                o,
                format!("payments[{i}].fee"),
                "the fee exceeds the payment",
            );
        }
        if bad_ref(pay.milestone) {
            p(o, format!("payments[{i}].milestone"), "no such milestone");
        }
    }
    for (i, r) in c.refunds.iter().enumerate() {
        amount(o, || format!("refunds[{i}].amount"), r.amount);
        if r.amount.is_zero() {
            p(o, format!("refunds[{i}].amount"), "a refund of nothing");
        }
        if bad_ref(r.milestone) {
            p(o, format!("refunds[{i}].milestone"), "no such milestone");
        }
        if r.deadline < r.requested_at {
            p(
                o,
                format!("refunds[{i}].deadline"),
                "the deadline is before the request",
            );
        }
        if r.status == RefundStatus::Disputed && r.dispute_deadline.is_none() {
            p(
                o,
                format!("refunds[{i}]"),
                "a disputed refund needs `dispute_deadline`",
            );
        }
        match (r.status, r.client_part) {
            (RefundStatus::Resolved, None) => p(
                o,
                format!("refunds[{i}]"),
                "a resolved refund needs `client_part`",
            ),
            (RefundStatus::Resolved, Some(cp)) if cp > r.amount => p(
                o,
                format!("refunds[{i}].client_part"),
                "the client's part exceeds the disputed amount",
            ),
            _ => {}
        }
    }
    for (role, f) in [
        (Role::Client, &c.feedback_client),
        (Role::Freelancer, &c.feedback_freelancer),
    ] {
        let Some(f) = f else { continue };
        let base = format!("feedback.{role}");
        let given = matches!(
            f.status,
            FeedbackStatus::Submitted | FeedbackStatus::Revealed
        );
        // Feedback given by commitment has its stars once published.
        if given != (f.stars.is_some() || f.commitment.is_some()) {
            p(
                o,
                format!("{base}.status"),
                "given feedback has stars (or a commitment to them), and only given feedback",
            );
        }
        for (name, v) in std::iter::once(("stars", f.stars)).chain(f.scores.named()) {
            if v.is_some_and(|s| !(1..=5).contains(&s)) {
                p(o, format!("{base}.{name}"), "scores are 1 to 5");
            }
        }
    }
    out
}

/// Every problem of one week file, given its contract (None if missing).
pub fn week(w: &WeekFile, c: Option<&Contract>) -> Vec<Problem> {
    let mut out = Vec::new();
    let o = &mut out;
    match c {
        None => p(
            o,
            "contract",
            format!("no contract `{}` in this ledger", w.contract),
        ),
        Some(c) if c.kind() != Kind::Hourly => p(
            o,
            "contract",
            format!(
                "contract `{}` is fixed-price: only hourly contracts have a work diary",
                w.contract
            ),
        ),
        _ => {}
    }
    let mut ids = std::collections::HashSet::new();
    let mut running = 0;
    for (i, r) in w.removed.iter().enumerate() {
        if w.entries.iter().any(|e| e.id == r.id) {
            p(
                o,
                format!("removed[{i}].id"),
                format!("entry `{}` is both in the diary and removed", r.id),
            );
        }
    }
    for (i, e) in w.entries.iter().enumerate() {
        if !ids.insert(e.id.as_str()) {
            p(
                o,
                format!("entries[{i}].id"),
                format!("duplicate entry id `{}`", e.id),
            );
        }
        if super::week::Week::of(e.start) != w.week {
            p(
                o,
                format!("entries[{i}].start"),
                format!("entry starts outside {}", w.week),
            );
        }
        if e.origin.as_deref().is_some_and(|s| s.trim().is_empty()) {
            p(
                o,
                format!("entries[{i}].origin"),
                "an empty origin: an import writes where it found the entry (remove the key if there is none)",
            );
        }
        match e.end {
            Some(end) if end <= e.start => p(
                o,
                format!("entries[{i}].end"),
                "an entry must end after it starts",
            ),
            None => running += 1,
            _ => {}
        }
        if let Some(ended) = c.and_then(|c| c.ended_at())
            && (e.end.unwrap_or(e.start) > ended || e.start >= ended)
        {
            p(
                o,
                format!("entries[{i}].end"),
                "time after the contract ended",
            );
        }
        if i > 0 {
            let prev = &w.entries[i - 1];
            if prev.start > e.start {
                p(
                    o,
                    format!("entries[{i}].start"),
                    "entries must be sorted by start",
                );
            } else if prev.end.is_none_or(|pe| pe > e.start) {
                p(
                    o,
                    format!("entries[{i}].start"),
                    format!("entry `{}` overlaps entry `{}`", e.id, prev.id),
                );
            }
        }
    }
    if running > 1 {
        p(o, "entries", "at most one running timer per contract");
    }
    out
}
