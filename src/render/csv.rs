//! CSV for spreadsheets (RFC 4180, by the `csv` crate): a header row, UTC
//! RFC 3339 times, durations in seconds, money as decimal strings.

use super::utc;
use crate::core::Money;
use crate::core::Settings;
use crate::core::diary::{WeekFile, billable_split, counting_until, entry_ref};
use crate::core::model::{Contract, Instant, Role, Terms};
use crate::core::movements::{Kind, Movement};
use crate::render::rows::{Figures, fee_net};
use std::borrow::Cow;
use std::io;

/// A text cell (an id, a title, a name, a memo) safe to open in a
/// spreadsheet: one that starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return, which a spreadsheet may run as a formula, gets a `'` in front
/// (OWASP's advice against CSV injection). Numbers, money, times, weeks and
/// keywords are written as they are: a money cell such as `-50.00` is a
/// number, not a formula, and stays one for the spreadsheet to sum.
pub fn text_cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> io::Result<String> {
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// One row per diary entry of `weeks` (each with its contract).
pub fn diary(
    weeks: &[(&Contract, &WeekFile)],
    in_period: &dyn Fn(Instant) -> bool,
    now: Instant,
) -> io::Result<String> {
    let mut w = writer();
    w.write_record([
        "contract",
        "entry",
        "week",
        "start",
        "end",
        "seconds",
        "billable_seconds",
        "over_limit_seconds",
        "manual",
        "running",
        "memo",
    ])?;
    for (c, wf) in weeks {
        let until = counting_until(c, wf.week, now);
        let split = billable_split(c, wf, now);
        for (e, (billable, over)) in wf.entries.iter().zip(split) {
            if !in_period(e.start) {
                continue;
            }
            w.write_record([
                &*text_cell(c.id.as_str()),
                &*text_cell(&entry_ref(&c.id, &e.id)),
                &wf.week.to_string(),
                &utc(e.start),
                &e.end.map(utc).unwrap_or_default(),
                &e.seconds(until).to_string(),
                &billable.to_string(),
                &over.to_string(),
                if e.manual { "true" } else { "false" },
                if e.end.is_none() { "true" } else { "false" },
                &*text_cell(&e.memo),
            ])?;
        }
    }
    finish(w)
}

/// One row per contract, with its money: its [`Figures`] (the same `show`
/// and the JSON have; for a period, what moved in it). `held` and
/// `disputable` are standings now, left empty for a period.
pub fn contracts(rows: &[(&Contract, Figures)], s: &Settings, period: bool) -> io::Result<String> {
    let cur = s.currency;
    let mut w = writer();
    w.write_record([
        "id",
        "title",
        "client",
        "freelancer",
        "kind",
        "status",
        "rate",
        "price",
        "currency",
        "funded",
        "escrow",
        "paid",
        "fee",
        "net",
        "refunded",
        "started_at",
        "ended_at",
        "held",
        "disputable",
    ])?;
    for (c, f) in rows {
        let (rate, price) = match &c.terms {
            Terms::Hourly { rate, .. } => (cur.format(*rate), String::new()),
            Terms::Fixed { price } => (String::new(), cur.format(*price)),
        };
        // The fee is the freelancer's business (as in `show`).
        let (fee, net) = f.fee_net.map_or((String::new(), String::new()), |x| {
            (cur.format(x.fee), cur.format(x.net))
        });
        let standing = |m: Option<Money>| {
            m.filter(|_| !period)
                .map(|m| cur.format(m))
                .unwrap_or_default()
        };
        w.write_record([
            &*text_cell(c.id.as_str()),
            &*text_cell(&c.title),
            &*text_cell(&c.client),
            &*text_cell(&c.freelancer),
            c.kind().as_str(),
            c.status.as_str(),
            &rate,
            &price,
            cur.code(),
            &cur.format(f.funded),
            &cur.format(f.escrow),
            &cur.format(f.paid),
            &fee,
            &net,
            &cur.format(f.refunded),
            &utc(c.started_at),
            &c.ended_at().map(utc).unwrap_or_default(),
            &standing(Some(f.held)),
            &standing(f.disputable),
        ])?;
    }
    finish(w)
}

/// One row per movement of money.
pub fn payments(moves: &[(&Contract, Movement)], s: &Settings, role: Role) -> io::Result<String> {
    let cur = s.currency;
    let mut w = writer();
    w.write_record([
        "contract",
        "at",
        "movement",
        "amount",
        "fee",
        "net",
        "milestone",
        "week",
        "currency",
    ])?;
    for (c, m) in moves {
        let (fee, milestone, week) = match m.kind {
            Kind::Released { milestone, fee } => (Some(fee), milestone, None),
            Kind::WeekPaid { week, fee } => (Some(fee), None, Some(week)),
            Kind::Given { fee_returned } => {
                (Some(crate::core::Money::ZERO - fee_returned), None, None)
            }
            Kind::Funded { milestone } | Kind::Refunded { milestone } => (None, milestone, None),
            Kind::WeekCharged { week } | Kind::WeekRefunded { week } => (None, None, Some(week)),
        };
        // A refund given back reverses a release: negative, so that
        // amount - fee = net on every row and a column sums to what was paid.
        let signed = match m.kind {
            Kind::Given { .. } => crate::core::Money::ZERO - m.amount,
            _ => m.amount,
        };
        let fee_net = fee.and_then(|f| fee_net(role, signed, f));
        w.write_record([
            &*text_cell(c.id.as_str()),
            &utc(m.at),
            m.kind.as_str(),
            &cur.format(signed),
            &fee_net.map(|x| cur.format(x.fee)).unwrap_or_default(),
            &fee_net.map(|x| cur.format(x.net)).unwrap_or_default(),
            &milestone.map(|n| n.to_string()).unwrap_or_default(),
            &week.map(|w| w.to_string()).unwrap_or_default(),
            cur.code(),
        ])?;
    }
    finish(w)
}
