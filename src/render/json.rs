//! The JSON of SPEC §3: stable snake_case keys, money as strings, times as
//! RFC 3339 UTC.

use super::utc;
use crate::core::feedback::{self, FeedbackView};
use crate::core::lifecycle::milestone_escrow;
use crate::core::model::*;
use crate::core::timers;
use crate::core::week::Week;
use crate::core::{Money, Settings};
use serde_json::{Map, Value, json};

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
    /// Money as a JSON string.
    pub fn money(&self, m: Money) -> Value {
        Value::String(self.settings.currency.format(m))
    }
    fn opt_money(&self, m: Option<Money>) -> Value {
        m.map_or(Value::Null, |m| self.money(m))
    }
}

fn opt_time(t: Option<Instant>) -> Value {
    t.map_or(Value::Null, |t| Value::String(utc(t)))
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

/// The contract object.
pub fn contract(c: &Contract, v: &Viewer<'_>, this_week: Option<ThisWeek>) -> Value {
    let t = c.totals();
    let mut o = Map::new();
    o.insert("id".into(), json!(c.id.as_str()));
    o.insert("title".into(), json!(c.title));
    o.insert("client".into(), json!(c.client));
    o.insert("freelancer".into(), json!(c.freelancer));
    o.insert("kind".into(), json!(c.kind().as_str()));
    o.insert("status".into(), json!(c.status.as_str()));
    let (rate, limit, manual, price) = match &c.terms {
        Terms::Hourly {
            rate,
            weekly_limit,
            manual_time,
            ..
        } => (
            v.money(*rate),
            json!(weekly_limit),
            json!(manual_time),
            Value::Null,
        ),
        Terms::Fixed { price } => (Value::Null, Value::Null, Value::Null, v.money(*price)),
    };
    o.insert("rate".into(), rate);
    o.insert("weekly_limit_hours".into(), limit);
    o.insert("manual_time".into(), manual);
    if let Terms::Hourly { limit_changes, .. } = &c.terms {
        o.insert(
            "weekly_limit_hours".into(),
            json!(crate::core::diary::limit_for(c, Week::of(v.now))),
        );
        o.insert(
            "limit_changes".into(),
            Value::Array(
                limit_changes
                    .iter()
                    .map(|l| json!({"at": utc(l.at), "from": utc(l.from), "weekly_limit_hours": l.hours}))
                    .collect(),
            ),
        );
        o.insert(
            "disputes".into(),
            Value::Array(
                c.disputes
                    .iter()
                    .map(|d| {
                        json!({
                            "week": d.week.to_string(),
                            "reason": d.reason,
                            "status": d.status.as_str(),
                            "opened_at": utc(d.opened_at),
                            "closed_at": opt_time(d.closed_at),
                            "refunded": v.opt_money(d.refunded),
                        })
                    })
                    .collect(),
            ),
        );
    }
    o.insert("price".into(), price);
    o.insert("currency".into(), json!(v.settings.currency.code()));
    o.insert("funded".into(), v.money(t.funded));
    o.insert("escrow".into(), v.money(t.escrow));
    o.insert("held".into(), v.money(t.held));
    o.insert("paid".into(), v.money(t.paid));
    o.insert("refunded".into(), v.money(t.refunded));
    if v.role == Role::Freelancer {
        o.insert("fee".into(), v.money(t.fee));
        o.insert("net".into(), v.money(t.paid - t.fee));
    }
    o.insert("started_at".into(), json!(utc(c.started_at)));
    let e = c.ending.as_ref();
    o.insert("ended_at".into(), opt_time(e.map(|e| e.at)));
    o.insert("ended_by".into(), json!(e.map(|e| e.by.as_str())));
    o.insert("end_reason".into(), json!(e.map(|e| e.reason.as_str())));
    o.insert("end_note".into(), json!(e.and_then(|e| e.note.as_deref())));
    o.insert("diary_locked".into(), json!(e.is_some()));
    o.insert(
        "milestones".into(),
        Value::Array(
            c.milestones
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let n = i as u32 + 1;
                    json!({
                        "number": n,
                        "title": m.title,
                        "amount": v.money(m.amount),
                        "status": m.status.as_str(),
                        "funded": v.money(m.funded),
                        "escrow": v.money(milestone_escrow(c, n)),
                        "funded_at": opt_time(m.funded_at),
                        "submitted_at": opt_time(m.submitted_at),
                    })
                })
                .collect(),
        ),
    );
    o.insert(
        "payments".into(),
        Value::Array(
            c.payments
                .iter()
                .map(|p| {
                    let mut po = json!({
                        "at": utc(p.at),
                        "milestone": p.milestone,
                        "amount": v.money(p.amount),
                    });
                    if v.role == Role::Freelancer {
                        po["fee"] = v.money(p.fee);
                        po["net"] = v.money(p.amount - p.fee);
                    }
                    po
                })
                .collect(),
        ),
    );
    o.insert(
        "refunds".into(),
        Value::Array(
            c.refunds
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    json!({
                        "number": i + 1,
                        "origin": r.origin.as_str(),
                        "milestone": r.milestone,
                        "amount": v.money(r.amount),
                        "status": r.status.as_str(),
                        "requested_at": utc(r.requested_at),
                        "deadline": utc(r.deadline),
                        "disputed_at": opt_time(r.disputed_at),
                        "dispute_deadline": opt_time(r.dispute_deadline),
                        "note": r.note,
                        "settled_at": opt_time(r.settled_at),
                        "client_part": v.opt_money(r.client_part),
                        "freelancer_part": v.opt_money(r.client_part.map(|cp| r.amount - cp)),
                    })
                })
                .collect(),
        ),
    );
    let mut fb = Map::new();
    for author in Role::ALL {
        fb.insert(
            author.as_str().into(),
            feedback_json(&feedback::view(c, *author, v.role)),
        );
    }
    o.insert("feedback".into(), Value::Object(fb));
    o.insert(
        "timers".into(),
        Value::Array(
            timers::pending(c)
                .iter()
                .map(|tm| json!({"at": utc(tm.at), "what": timers::describe(c, tm, v.settings)}))
                .collect(),
        ),
    );
    if let Some(w) = this_week {
        o.insert(
            "this_week".into(),
            json!({
                "week": w.week.to_string(),
                "minutes": w.seconds / 60,
                "seconds": w.seconds,
                "running_since": opt_time(w.running_since),
            }),
        );
    }
    Value::Object(o)
}

/// One direction of feedback, as its viewer may see it.
pub fn feedback_json(f: &FeedbackView) -> Value {
    let mut o = Map::new();
    o.insert("status".into(), json!(f.status.as_str()));
    o.insert("hidden".into(), json!(f.hidden));
    if f.stars.is_some() {
        o.insert("stars".into(), json!(f.stars));
        o.insert("comment".into(), json!(f.comment));
        let mut scores = Map::new();
        for (name, s) in f.scores.named() {
            if let Some(s) = s {
                scores.insert(name.into(), json!(s));
            }
        }
        o.insert("scores".into(), Value::Object(scores));
        o.insert("given_at".into(), opt_time(f.given_at));
        o.insert("reply".into(), json!(f.reply));
        o.insert("replied_at".into(), opt_time(f.replied_at));
    }
    if let Some(p) = &f.private {
        o.insert("private".into(), json!(p));
    }
    o.insert("window_closes".into(), opt_time(f.window_closes));
    Value::Object(o)
}

/// A history event, naming its contract.
pub fn event(id: &ContractId, e: &Event, v: &Viewer<'_>) -> Value {
    json!({
        "contract": id.as_str(),
        "at": utc(e.at),
        "actor": e.actor.as_str(),
        "event": e.event,
        "amount": v.opt_money(e.amount),
        "detail": e.detail,
        // Set only by the merge of two clones (SPEC §7); a single ledger
        // never sets an operation aside.
        "superseded": null,
    })
}
