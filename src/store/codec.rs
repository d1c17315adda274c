//! TOML <-> model, by hand: reading walks the light tree of [`super::tree`],
//! writing builds `toml_edit` tables (for the format-preserving merge). Every
//! value is checked with its location, unknown keys are refused, and the
//! canonical key order of new files is fixed here.

use super::located::{Located, Source};
use super::tree::{self, ValueKind};
use crate::core::diary::{Entry, WeekFile};
use crate::core::model::*;
use crate::core::money::{Currency, Money};
use crate::core::week::Week;
use crate::core::{Role, Settings};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike, Utc};
use std::ops::Range;
use std::str::FromStr;
use toml_edit::{ArrayOfTables, Item, Table, Value};

/// The file format version this program reads and writes.
pub const VERSION: i64 = 2;

/// Reading context: the file, the currency for money, and the problems found.
pub struct Cx<'a> {
    src: &'a Source<'a>,
    currency: Option<Currency>,
    /// The file's version, once read.
    version: i64,
    /// Problems found so far.
    pub problems: Vec<Located>,
}

/// One table being read; remembers which keys were used.
pub struct Reader<'t> {
    table: &'t tree::Table<'t>,
    span: Option<Range<usize>>,
    seen: Vec<&'static str>,
    // Files this program wrote list keys in the order they are read: try
    // the entry after the last one found before searching.
    next: usize,
    // The entries found, by index (the first 64).
    found: u64,
}

/// A value type that can be read from TOML.
pub trait FromToml: Sized {
    /// Converts, or says why not.
    fn from_toml(v: &tree::Value<'_>, cur: Option<Currency>) -> Result<Self, String>;
}

impl FromToml for String {
    fn from_toml(v: &tree::Value<'_>, _: Option<Currency>) -> Result<Self, String> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("expected a string, found {}", v.type_name()))
    }
}
impl FromToml for bool {
    fn from_toml(v: &tree::Value<'_>, _: Option<Currency>) -> Result<Self, String> {
        v.as_bool()
            .ok_or_else(|| format!("expected true or false, found {}", v.type_name()))
    }
}
macro_rules! int_from_toml {
    ($($t:ty),*) => {$(
        impl FromToml for $t {
            fn from_toml(v: &tree::Value<'_>, _: Option<Currency>) -> Result<Self, String> {
                let i = v
                    .as_integer()
                    .ok_or_else(|| format!("expected a whole number, found {}", v.type_name()))?;
                <$t>::try_from(i).map_err(|_| format!("{i} is out of range"))
            }
        }
    )*};
}
int_from_toml!(u8, u32, u64, i64);

impl FromToml for Money {
    fn from_toml(v: &tree::Value<'_>, cur: Option<Currency>) -> Result<Self, String> {
        let Some(cur) = cur else {
            return Err("money needs the ledger's currency".into());
        };
        match &v.kind {
            ValueKind::String(s) => cur.parse(s).map_err(|e| e.to_string()),
            ValueKind::Float(_) | ValueKind::Integer(_) => Err(format!(
                "money is written as a quoted decimal string such as \"1250.00\", not as a {}",
                if matches!(v.kind, ValueKind::Float(_)) {
                    "float"
                } else {
                    "bare number"
                }
            )),
            _ => Err(format!(
                "expected an amount such as \"1250.00\", found {}",
                v.type_name()
            )),
        }
    }
}

impl FromToml for DateTime<Utc> {
    fn from_toml(v: &tree::Value<'_>, _: Option<Currency>) -> Result<Self, String> {
        match &v.kind {
            ValueKind::Datetime(d) => instant(d),
            ValueKind::String(_) => Err(
                "times are native TOML datetimes, not strings: remove the quotes (2026-11-23T09:00:00Z)"
                    .into(),
            ),
            _ => Err(format!(
                "expected a datetime such as 2026-11-23T09:00:00Z, found {}",
                v.type_name()
            )),
        }
    }
}

/// The UTC instant of a TOML datetime, which must have a date, a time and
/// an offset.
pub fn instant(dt: &toml_edit::Datetime) -> Result<DateTime<Utc>, String> {
    let (Some(d), Some(t)) = (dt.date, dt.time) else {
        return Err("expected a full date and time, such as 2026-11-23T09:00:00Z".into());
    };
    let offset_minutes = match dt.offset {
        Some(toml_edit::Offset::Z) => 0,
        Some(toml_edit::Offset::Custom { minutes }) => i32::from(minutes),
        None => {
            return Err(
                "datetime without offset: instants are UTC, write it with a Z (2026-11-23T09:00:00Z)"
                    .into(),
            );
        }
    };
    let bad = || "not a valid date and time".to_string();
    let date =
        NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()).ok_or_else(bad)?;
    let naive = date
        .and_hms_nano_opt(
            t.hour.into(),
            t.minute.into(),
            t.second.unwrap_or(0).into(),
            t.nanosecond.unwrap_or(0),
        )
        .ok_or_else(bad)?;
    let off = chrono::FixedOffset::east_opt(offset_minutes * 60).ok_or_else(bad)?;
    off.from_local_datetime(&naive)
        .single()
        .map(|x| x.with_timezone(&Utc))
        .ok_or_else(bad)
}

/// Enums stored as strings.
macro_rules! enum_from_toml {
    ($($t:ty),*) => {$(
        impl FromToml for $t {
            fn from_toml(v: &tree::Value<'_>, _: Option<Currency>) -> Result<Self, String> {
                let s = v
                    .as_str()
                    .ok_or_else(|| format!("expected a string, found {}", v.type_name()))?;
                <$t>::from_str(s)
            }
        }
    )*};
}
enum_from_toml!(
    Role,
    Actor,
    Kind,
    Status,
    EndReason,
    MilestoneStatus,
    RefundStatus,
    FeedbackStatus,
    RefundOrigin,
    DisputeStatus,
    EventKind
);

impl FromToml for ContractId {
    fn from_toml(v: &tree::Value<'_>, c: Option<Currency>) -> Result<Self, String> {
        ContractId::parse(&String::from_toml(v, c)?)
    }
}
impl FromToml for Week {
    fn from_toml(v: &tree::Value<'_>, c: Option<Currency>) -> Result<Self, String> {
        String::from_toml(v, c)?.parse()
    }
}
impl FromToml for Currency {
    fn from_toml(v: &tree::Value<'_>, c: Option<Currency>) -> Result<Self, String> {
        Currency::from_code(&String::from_toml(v, c)?).map_err(|e| e.to_string())
    }
}

impl<'a> Cx<'a> {
    /// A context for one file.
    pub fn new(src: &'a Source<'a>, currency: Option<Currency>) -> Cx<'a> {
        Cx {
            src,
            currency,
            version: VERSION,
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, span: Option<Range<usize>>, msg: impl Into<String>) {
        let l = self.src.at(span, msg);
        self.problems.push(l);
    }

    /// An optional value; a wrong one is recorded and read as absent.
    pub fn opt<T: FromToml>(&mut self, r: &mut Reader<'_>, key: &'static str) -> Option<T> {
        r.seen.push(key);
        let entry = r.find(key)?;
        let Some(v) = entry.item.as_value() else {
            self.problem(
                entry.key_span.clone(),
                format!("`{key}` must be a value, not a table"),
            );
            return None;
        };
        match T::from_toml(v, self.currency) {
            Ok(x) => Some(x),
            Err(e) => {
                self.problem(v.span.clone(), format!("`{key}`: {e}"));
                None
            }
        }
    }

    /// A required value; missing or wrong is recorded.
    pub fn req<T: FromToml>(&mut self, r: &mut Reader<'_>, key: &'static str) -> Option<T> {
        let v = self.opt(r, key);
        if v.is_none() && r.table.entry(key).is_none() {
            let span = r.span.clone();
            self.problem(span, format!("missing `{key}`"));
        }
        v
    }

    /// Records every key of `r` that was not read.
    pub fn finish(&mut self, r: Reader<'_>) {
        for (i, e) in r.table.entries.iter().enumerate() {
            let found = i < 64 && r.found & (1 << i) != 0;
            if !found && !r.seen.contains(&&*e.key) {
                let known = r.seen.join(", ");
                let k = &e.key;
                self.problem(
                    e.key_span.clone(),
                    format!("unknown key `{k}` (known here: {known})"),
                );
            }
        }
    }

    /// The tables of an array of tables (`[[key]]` or `key = [{...}]`).
    pub fn tables<'t>(&mut self, r: &mut Reader<'t>, key: &'static str) -> Vec<Reader<'t>> {
        r.seen.push(key);
        let Some(entry) = r.find(key) else {
            return Vec::new();
        };
        match &entry.item {
            tree::Item::ArrayOfTables(ts) => {
                return ts
                    .iter()
                    .map(|t| Reader {
                        table: t,
                        span: t.span.clone().or_else(|| first_key_span(t)),
                        seen: Vec::new(),
                        next: 0,
                        found: 0,
                    })
                    .collect();
            }
            tree::Item::Value(tree::Value {
                kind: ValueKind::Array(arr),
                ..
            }) => {
                let mut out = Vec::new();
                for v in arr {
                    match &v.kind {
                        ValueKind::InlineTable(t) => out.push(Reader {
                            table: t,
                            span: v.span.clone(),
                            seen: Vec::new(),
                            next: 0,
                            found: 0,
                        }),
                        _ => self.problem(v.span.clone(), format!("`{key}` holds tables only")),
                    }
                }
                return out;
            }
            _ => {}
        }
        let span = entry.key_span.clone();
        self.problem(
            span,
            format!("`{key}` must be an array of tables ([[{key}]])"),
        );
        Vec::new()
    }

    /// A sub-table (`[key]` or `key = {...}`), if present.
    pub fn table<'t>(&mut self, r: &mut Reader<'t>, key: &'static str) -> Option<Reader<'t>> {
        r.seen.push(key);
        let entry = r.find(key)?;
        match entry.item.as_table_like() {
            Some(t) => Some(Reader {
                table: t,
                span: entry.key_span.clone(),
                seen: Vec::new(),
                next: 0,
                found: 0,
            }),
            None => {
                self.problem(entry.key_span.clone(), format!("`{key}` must be a table"));
                None
            }
        }
    }

    /// Checks `version`.
    pub fn version(&mut self, r: &mut Reader<'_>) {
        if let Some(v) = self.req::<i64>(r, "version") {
            self.version = v;
            if v > VERSION {
                let span = r.table.get("version").and_then(tree::Item::span);
                self.problem(
                    span,
                    format!(
                        "written by a newer version of contracts (file version {v}; this program reads {VERSION}): upgrade contracts; the file is left as it is"
                    ),
                );
            } else if v < 1 {
                let span = r.table.get("version").and_then(tree::Item::span);
                self.problem(span, format!("unknown file version {v}"));
            }
        }
    }
}

fn first_key_span(t: &tree::Table<'_>) -> Option<Range<usize>> {
    t.entries.first().and_then(|e| e.key_span.clone())
}

impl<'t> Reader<'t> {
    fn find(&mut self, key: &str) -> Option<&'t tree::Entry<'t>> {
        let entries = &self.table.entries;
        let i = match entries.get(self.next) {
            Some(e) if e.key == key => self.next,
            _ => entries.iter().position(|e| e.key == key)?,
        };
        self.next = i + 1;
        if i < 64 {
            self.found |= 1 << i;
        }
        Some(&entries[i])
    }

    /// The root table of a document.
    pub fn root(t: &'t tree::Table<'t>) -> Reader<'t> {
        Reader {
            table: t,
            span: Some(0..0),
            seen: Vec::new(),
            next: 0,
            found: 0,
        }
    }
}

/// The byte span of the value at a key path such as `milestones[0].funded`.
pub fn span_of(root: &tree::Table<'_>, path: &str) -> Option<Range<usize>> {
    let mut cur = root;
    let mut last = None;
    let segs: Vec<&str> = path.split('.').collect();
    for (i, seg) in segs.iter().enumerate() {
        let (name, idx) = match seg.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (*seg, None),
        };
        let entry = cur.entry(name)?;
        let item = &entry.item;
        last = item.span().or_else(|| entry.key_span.clone()).or(last);
        let item_table = match idx {
            Some(n) => match item {
                tree::Item::ArrayOfTables(a) => a.get(n).inspect(|t| {
                    last = t
                        .span
                        .clone()
                        .or_else(|| first_key_span(t))
                        .or(last.clone());
                }),
                tree::Item::Value(tree::Value {
                    kind: ValueKind::Array(a),
                    ..
                }) => a.get(n).and_then(|v| {
                    last = v.span.clone().or(last.clone());
                    match &v.kind {
                        ValueKind::InlineTable(t) => Some(t),
                        _ => None,
                    }
                }),
                _ => None,
            },
            None => item.as_table_like(),
        };
        if i + 1 < segs.len() {
            cur = item_table?;
        }
    }
    last
}

// ---------------------------------------------------------------- reading

/// Reads `ledger.toml`.
pub fn read_settings(cx: &mut Cx<'_>, root: &tree::Table<'_>) -> Option<Settings> {
    let mut r = Reader::root(root);
    cx.version(&mut r);
    let currency = cx.req::<Currency>(&mut r, "currency");
    let role = cx.opt::<Role>(&mut r, "role").unwrap_or(Role::Client);
    let fee = cx.opt::<u8>(&mut r, "fee_percent").unwrap_or(10);
    if fee > 100 {
        let span = root.get("fee_percent").and_then(tree::Item::span);
        cx.problem(span, "`fee_percent` is a percentage from 0 to 100");
    }
    cx.finish(r);
    Some(Settings {
        currency: currency?,
        role,
        fee_percent: fee,
    })
}

/// Reads a contract file.
pub fn read_contract(cx: &mut Cx<'_>, root: &tree::Table<'_>) -> Option<Contract> {
    let mut r = Reader::root(root);
    cx.version(&mut r);
    let id = cx.req::<ContractId>(&mut r, "id");
    let title = cx.req::<String>(&mut r, "title");
    let client = cx.req::<String>(&mut r, "client");
    let freelancer = cx.req::<String>(&mut r, "freelancer");
    let kind = cx.req::<Kind>(&mut r, "kind");
    let terms = match kind {
        Some(Kind::Hourly) => {
            let rate = cx.req::<Money>(&mut r, "rate");
            let weekly_limit = cx.opt::<u32>(&mut r, "weekly_limit_hours");
            let manual_time = cx.opt::<bool>(&mut r, "manual_time").unwrap_or(true);
            let mut limit_changes = Vec::new();
            for mut t in cx.tables(&mut r, "limit_changes") {
                let at = cx.req::<Instant>(&mut t, "at");
                let from = cx.req::<Instant>(&mut t, "from");
                let hours = cx.opt::<u32>(&mut t, "hours");
                cx.finish(t);
                if let (Some(at), Some(from)) = (at, from) {
                    limit_changes.push(LimitChange { at, from, hours });
                }
            }
            rate.map(|rate| Terms::Hourly {
                rate,
                weekly_limit,
                limit_changes,
                manual_time,
            })
        }
        Some(Kind::Fixed) => cx
            .req::<Money>(&mut r, "price")
            .map(|price| Terms::Fixed { price }),
        None => {
            // The kind decides which terms are known: without one, they are
            // not reported as unknown keys on top of the kind's own problem.
            r.seen.extend([
                "rate",
                "weekly_limit_hours",
                "manual_time",
                "limit_changes",
                "price",
            ]);
            None
        }
    };
    let status = cx.req::<Status>(&mut r, "status");
    let started_at = cx.req::<Instant>(&mut r, "started_at");
    let ended_at = cx.opt::<Instant>(&mut r, "ended_at");
    let ended_by = cx.opt::<Role>(&mut r, "ended_by");
    let end_reason = cx.opt::<EndReason>(&mut r, "end_reason");
    let end_note = cx.opt::<String>(&mut r, "end_note");
    let ending = ended_at.map(|at| Ending {
        at,
        by: ended_by.unwrap_or(Role::Client),
        reason: end_reason.unwrap_or(EndReason::Other),
        note: end_note,
    });
    // Only a missing key is reported here: a wrong value already was, at itself.
    if ending.is_some() && (root.get("ended_by").is_none() || root.get("end_reason").is_none()) {
        let span = root.get("ended_at").and_then(tree::Item::span);
        cx.problem(span, "an ended contract needs `ended_by` and `end_reason`");
    }

    let mut milestones = Vec::new();
    for mut t in cx.tables(&mut r, "milestones") {
        let title = cx.req::<String>(&mut t, "title");
        let amount = cx.req::<Money>(&mut t, "amount");
        let status = cx.req::<MilestoneStatus>(&mut t, "status");
        let funded = cx.opt::<Money>(&mut t, "funded").unwrap_or_default();
        let funded_at = cx.opt::<Instant>(&mut t, "funded_at");
        let submitted_at = cx.opt::<Instant>(&mut t, "submitted_at");
        cx.finish(t);
        if let (Some(title), Some(amount), Some(status)) = (title, amount, status) {
            milestones.push(Milestone {
                title,
                amount,
                status,
                funded,
                funded_at,
                submitted_at,
            });
        }
    }
    let mut payments = Vec::new();
    for mut t in cx.tables(&mut r, "payments") {
        let at = cx.req::<Instant>(&mut t, "at");
        let milestone = cx.opt::<u32>(&mut t, "milestone");
        let week = cx.opt::<Week>(&mut t, "week");
        let amount = cx.req::<Money>(&mut t, "amount");
        let fee = cx.req::<Money>(&mut t, "fee");
        cx.finish(t);
        if let (Some(at), Some(amount), Some(fee)) = (at, amount, fee) {
            payments.push(Payment {
                at,
                milestone,
                week,
                amount,
                fee,
            });
        }
    }
    let mut refunds = Vec::new();
    for mut t in cx.tables(&mut r, "refunds") {
        let origin = cx.opt::<RefundOrigin>(&mut t, "origin");
        let milestone = cx.opt::<u32>(&mut t, "milestone");
        let amount = cx.req::<Money>(&mut t, "amount");
        let status = cx.req::<RefundStatus>(&mut t, "status");
        let requested_at = cx.req::<Instant>(&mut t, "requested_at");
        let deadline = cx.req::<Instant>(&mut t, "deadline");
        let disputed_at = cx.opt::<Instant>(&mut t, "disputed_at");
        let dispute_deadline = cx.opt::<Instant>(&mut t, "dispute_deadline");
        let note = cx.opt::<String>(&mut t, "note");
        let settled_at = cx.opt::<Instant>(&mut t, "settled_at");
        let client_part = cx.opt::<Money>(&mut t, "client_part");
        let fee_returned = cx.opt::<Money>(&mut t, "fee_returned");
        cx.finish(t);
        if let (Some(amount), Some(status), Some(requested_at), Some(deadline)) =
            (amount, status, requested_at, deadline)
        {
            refunds.push(Refund {
                origin: origin.unwrap_or(RefundOrigin::Request),
                milestone,
                amount,
                status,
                requested_at,
                deadline,
                disputed_at,
                dispute_deadline,
                note,
                settled_at,
                client_part,
                fee_returned,
            });
        }
    }
    let mut disputes = Vec::new();
    for mut t in cx.tables(&mut r, "disputes") {
        let week = cx.req::<Week>(&mut t, "week");
        let reason = cx.opt::<String>(&mut t, "reason").unwrap_or_default();
        let status = cx.req::<DisputeStatus>(&mut t, "status");
        let opened_at = cx.req::<Instant>(&mut t, "opened_at");
        let closed_at = cx.opt::<Instant>(&mut t, "closed_at");
        let refunded = cx.opt::<Money>(&mut t, "refunded");
        cx.finish(t);
        if let (Some(week), Some(status), Some(opened_at)) = (week, status, opened_at) {
            disputes.push(HourlyDispute {
                week,
                reason,
                status,
                opened_at,
                closed_at,
                refunded,
            });
        }
    }
    let (mut feedback_client, mut feedback_freelancer) = (None, None);
    if let Some(mut fb) = cx.table(&mut r, "feedback") {
        feedback_client = cx.table(&mut fb, "client").map(|t| read_feedback(cx, t));
        feedback_freelancer = cx
            .table(&mut fb, "freelancer")
            .map(|t| read_feedback(cx, t));
        cx.finish(fb);
    }
    let mut history = Vec::new();
    let legacy = cx.version < 2;
    for mut t in cx.tables(&mut r, "history") {
        if let Some(e) = read_event(cx, &mut t, legacy) {
            history.push(e);
        }
        cx.finish(t);
    }
    if let (Some(id), true) = (&id, legacy) {
        for (i, e) in history.iter_mut().enumerate() {
            if e.id.is_empty() {
                e.id = Event::legacy_id(id, i, e);
            }
        }
    }
    cx.finish(r);
    Some(Contract {
        id: id?,
        title: title?,
        client: client?,
        freelancer: freelancer?,
        terms: terms?,
        status: status?,
        started_at: started_at?,
        ending,
        milestones,
        payments,
        refunds,
        disputes,
        feedback_client,
        feedback_freelancer,
        history,
    })
}

/// One history event: version 2 keeps its id and its operation's
/// arguments; version 1 kept a sentence (`detail`), read as a legacy event.
fn read_event(cx: &mut Cx<'_>, t: &mut Reader<'_>, legacy: bool) -> Option<Event> {
    let id = if legacy {
        cx.opt::<String>(t, "id")
    } else {
        cx.req::<String>(t, "id")
    };
    let at = cx.req::<Instant>(t, "at");
    let actor = cx.req::<Actor>(t, "actor");
    let kind = cx.req::<EventKind>(t, "event");
    let amount = cx.opt::<Money>(t, "amount");
    let detail = cx.opt::<String>(t, "detail");
    let mut args = Args::default();
    let problems = cx.problems.len();
    for e in &t.table.entries {
        let Some(ty) = Args::type_of(&e.key) else {
            continue;
        };
        let name = Args::NAMES.iter().find(|n| **n == e.key)?;
        t.seen.push(name);
        if let Some(kind) = kind {
            let (needs, may) = Op::arguments(kind);
            if !needs.contains(name) && !may.contains(name) {
                let known: Vec<&str> = needs.iter().chain(may).copied().collect();
                let known = if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                };
                cx.problem(
                    e.key_span.clone(),
                    format!("`{kind}` has no argument `{name}` (its arguments: {known})"),
                );
                continue;
            }
        }
        let Some(v) = e.item.as_value() else {
            cx.problem(e.key_span.clone(), format!("`{name}` must be a value"));
            continue;
        };
        match arg_from_toml(v, ty, cx.currency).and_then(|a| args.set(name, a)) {
            Ok(()) => {}
            Err(msg) => cx.problem(v.span.clone(), format!("`{name}`: {msg}")),
        }
    }
    if cx.problems.len() > problems {
        // Already reported at the argument: not again as one missing.
        return None;
    }
    let op = match (kind, detail) {
        (Some(kind), Some(detail)) if args == Args::default() => Op::Legacy { kind, detail },
        (Some(kind), _) => match Op::from_args(kind, args) {
            Ok(op) => op,
            Err(msg) => {
                cx.problem(t.span.clone(), msg);
                return None;
            }
        },
        (None, _) => return None,
    };
    if !legacy && id.is_none() {
        return None;
    }
    Some(Event {
        id: id.unwrap_or_default(),
        at: at?,
        actor: actor?,
        op,
        amount,
    })
}

/// An operation's argument of type `ty`.
fn arg_from_toml(v: &tree::Value<'_>, ty: ArgType, cur: Option<Currency>) -> Result<Arg, String> {
    Ok(match ty {
        ArgType::Number => Arg::Number(i64::from_toml(v, cur)?),
        ArgType::Money => Arg::Money(Money::from_toml(v, cur)?),
        ArgType::Instant => Arg::Instant(Instant::from_toml(v, cur)?),
        ArgType::Week => Arg::Week(Week::from_toml(v, cur)?),
        ArgType::Text => Arg::Text(String::from_toml(v, cur)?),
        ArgType::Bool => Arg::Bool(bool::from_toml(v, cur)?),
        ArgType::Name(names) => {
            let s = String::from_toml(v, cur)?;
            if !names.contains(&s.as_str()) {
                return Err(format!("`{s}` is not one of: {}", names.join(", ")));
            }
            Arg::Text(s)
        }
    })
}

fn read_feedback(cx: &mut Cx<'_>, mut t: Reader<'_>) -> Feedback {
    let status = cx
        .req::<FeedbackStatus>(&mut t, "status")
        .unwrap_or(FeedbackStatus::Pending);
    let given_at = cx.opt::<Instant>(&mut t, "given_at");
    let stars = cx.opt::<u8>(&mut t, "stars");
    let scores = Scores {
        skills: cx.opt(&mut t, "skills"),
        quality: cx.opt(&mut t, "quality"),
        availability: cx.opt(&mut t, "availability"),
        deadlines: cx.opt(&mut t, "deadlines"),
        communication: cx.opt(&mut t, "communication"),
        cooperation: cx.opt(&mut t, "cooperation"),
    };
    let comment = cx.opt::<String>(&mut t, "comment");
    let private = cx.opt::<String>(&mut t, "private");
    let reply = cx.opt::<String>(&mut t, "reply");
    let replied_at = cx.opt::<Instant>(&mut t, "replied_at");
    cx.finish(t);
    Feedback {
        status,
        given_at,
        stars,
        scores,
        comment,
        private,
        reply,
        replied_at,
    }
}

/// Reads a week file.
pub fn read_week(cx: &mut Cx<'_>, root: &tree::Table<'_>) -> Option<WeekFile> {
    let mut r = Reader::root(root);
    cx.version(&mut r);
    let contract = cx.req::<ContractId>(&mut r, "contract");
    let week = cx.req::<Week>(&mut r, "week");
    let last_number = cx.opt::<u64>(&mut r, "last_entry").unwrap_or(0);
    let mut entries = Vec::new();
    for mut t in cx.tables(&mut r, "entries") {
        let id = cx.req::<String>(&mut t, "id");
        let start = cx.req::<Instant>(&mut t, "start");
        let end = cx.opt::<Instant>(&mut t, "end");
        let memo = cx.opt::<String>(&mut t, "memo").unwrap_or_default();
        let manual = cx.opt::<bool>(&mut t, "manual").unwrap_or(false);
        cx.finish(t);
        if let (Some(id), Some(start)) = (id, start) {
            entries.push(Entry {
                id,
                start,
                end,
                memo,
                manual,
            });
        }
    }
    cx.finish(r);
    Some(WeekFile {
        contract: contract?,
        week: week?,
        entries,
        last_number,
    })
}

// ---------------------------------------------------------------- writing

/// A UTC instant as a native TOML datetime.
pub fn datetime(t: Instant) -> toml_edit::Datetime {
    let nanos = t.nanosecond();
    toml_edit::Datetime {
        date: Some(toml_edit::Date {
            year: t.year() as u16,
            month: t.month() as u8,
            day: t.day() as u8,
        }),
        time: Some(toml_edit::Time {
            hour: t.hour() as u8,
            minute: t.minute() as u8,
            second: Some(t.second() as u8),
            nanosecond: (nanos != 0).then_some(nanos),
        }),
        offset: Some(toml_edit::Offset::Z),
    }
}

/// Builds a table in canonical key order.
pub struct Writer<'a> {
    table: Table,
    cur: &'a Currency,
}

impl<'a> Writer<'a> {
    /// An empty table.
    pub fn new(cur: &'a Currency) -> Writer<'a> {
        Writer {
            table: Table::new(),
            cur,
        }
    }
    fn put(&mut self, k: &str, v: impl Into<Value>) -> &mut Self {
        self.table.insert(k, Item::Value(v.into()));
        self
    }
    /// A string.
    pub fn str(&mut self, k: &str, v: &str) -> &mut Self {
        self.put(k, v)
    }
    /// An optional string.
    pub fn opt_str(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v {
            self.put(k, v);
        }
        self
    }
    /// An integer.
    pub fn int(&mut self, k: &str, v: i64) -> &mut Self {
        self.put(k, v)
    }
    /// An optional integer.
    pub fn opt_int(&mut self, k: &str, v: Option<i64>) -> &mut Self {
        if let Some(v) = v {
            self.put(k, v);
        }
        self
    }
    /// A boolean.
    pub fn bool(&mut self, k: &str, v: bool) -> &mut Self {
        self.put(k, v)
    }
    /// Money as a decimal string.
    pub fn money(&mut self, k: &str, m: Money) -> &mut Self {
        let s = self.cur.format(m);
        self.put(k, s)
    }
    /// Optional money.
    pub fn opt_money(&mut self, k: &str, m: Option<Money>) -> &mut Self {
        if let Some(m) = m {
            self.money(k, m);
        }
        self
    }
    /// A native datetime.
    pub fn time(&mut self, k: &str, t: Instant) -> &mut Self {
        self.put(k, datetime(t))
    }
    /// An optional datetime.
    pub fn opt_time(&mut self, k: &str, t: Option<Instant>) -> &mut Self {
        if let Some(t) = t {
            self.time(k, t);
        }
        self
    }
    /// A sub-table.
    pub fn table(&mut self, k: &str, t: Table) -> &mut Self {
        self.table.insert(k, Item::Table(t));
        self
    }
    /// An array of tables, omitted when empty.
    pub fn tables(&mut self, k: &str, ts: Vec<Table>) -> &mut Self {
        if !ts.is_empty() {
            let mut a = ArrayOfTables::new();
            for t in ts {
                a.push(t);
            }
            self.table.insert(k, Item::ArrayOfTables(a));
        }
        self
    }
    /// The finished table.
    pub fn done(&mut self) -> Table {
        std::mem::take(&mut self.table)
    }
}

/// `ledger.toml` in canonical form.
pub fn write_settings(s: &Settings) -> Table {
    Writer::new(&s.currency)
        .int("version", VERSION)
        .str("currency", s.currency.code())
        .str("role", s.role.as_str())
        .int("fee_percent", i64::from(s.fee_percent))
        .done()
}

/// A contract file in canonical form.
pub fn write_contract(c: &Contract, cur: &Currency) -> Table {
    let mut w = Writer::new(cur);
    w.int("version", VERSION)
        .str("id", c.id.as_str())
        .str("title", &c.title)
        .str("client", &c.client)
        .str("freelancer", &c.freelancer)
        .str("kind", c.kind().as_str());
    let mut limit_changes = Vec::new();
    match &c.terms {
        Terms::Hourly {
            rate,
            weekly_limit,
            limit_changes: changes,
            manual_time,
        } => {
            w.money("rate", *rate)
                .opt_int("weekly_limit_hours", weekly_limit.map(i64::from))
                .bool("manual_time", *manual_time);
            limit_changes = changes
                .iter()
                .map(|l| {
                    Writer::new(cur)
                        .time("at", l.at)
                        .time("from", l.from)
                        .opt_int("hours", l.hours.map(i64::from))
                        .done()
                })
                .collect();
        }
        Terms::Fixed { price } => {
            w.money("price", *price);
        }
    }
    w.str("status", c.status.as_str())
        .time("started_at", c.started_at);
    if let Some(e) = &c.ending {
        w.time("ended_at", e.at)
            .str("ended_by", e.by.as_str())
            .str("end_reason", e.reason.as_str())
            .opt_str("end_note", e.note.as_deref());
    }
    let milestones = c
        .milestones
        .iter()
        .map(|m| {
            Writer::new(cur)
                .str("title", &m.title)
                .money("amount", m.amount)
                .str("status", m.status.as_str())
                .money("funded", m.funded)
                .opt_time("funded_at", m.funded_at)
                .opt_time("submitted_at", m.submitted_at)
                .done()
        })
        .collect();
    let payments = c
        .payments
        .iter()
        .map(|p| {
            Writer::new(cur)
                .time("at", p.at)
                .opt_int("milestone", p.milestone.map(i64::from))
                .opt_str("week", p.week.map(|w| w.to_string()).as_deref())
                .money("amount", p.amount)
                .money("fee", p.fee)
                .done()
        })
        .collect();
    let refunds = c
        .refunds
        .iter()
        .map(|r| {
            Writer::new(cur)
                .str("origin", r.origin.as_str())
                .opt_int("milestone", r.milestone.map(i64::from))
                .money("amount", r.amount)
                .str("status", r.status.as_str())
                .time("requested_at", r.requested_at)
                .time("deadline", r.deadline)
                .opt_time("disputed_at", r.disputed_at)
                .opt_time("dispute_deadline", r.dispute_deadline)
                .opt_str("note", r.note.as_deref())
                .opt_time("settled_at", r.settled_at)
                .opt_money("client_part", r.client_part)
                .opt_money("fee_returned", r.fee_returned)
                .done()
        })
        .collect();
    let disputes = c
        .disputes
        .iter()
        .map(|d| {
            Writer::new(cur)
                .str("week", &d.week.to_string())
                .str("reason", &d.reason)
                .str("status", d.status.as_str())
                .time("opened_at", d.opened_at)
                .opt_time("closed_at", d.closed_at)
                .opt_money("refunded", d.refunded)
                .done()
        })
        .collect();
    w.tables("limit_changes", limit_changes)
        .tables("milestones", milestones)
        .tables("payments", payments)
        .tables("refunds", refunds)
        .tables("disputes", disputes);
    if c.feedback_client.is_some() || c.feedback_freelancer.is_some() {
        let mut fb = Table::new();
        fb.set_implicit(true);
        for (role, f) in [
            ("client", &c.feedback_client),
            ("freelancer", &c.feedback_freelancer),
        ] {
            if let Some(f) = f {
                fb.insert(role, Item::Table(write_feedback(f, cur)));
            }
        }
        w.table("feedback", fb);
    }
    let history = c
        .history
        .iter()
        .map(|e| {
            let mut t = Writer::new(cur);
            t.str("id", &e.id)
                .time("at", e.at)
                .str("actor", e.actor.as_str())
                .str("event", e.kind().as_str())
                .opt_money("amount", e.amount);
            match &e.op {
                Op::Legacy { detail, .. } => {
                    t.str("detail", detail);
                }
                op => op.args().each(|name, a| {
                    match a {
                        Arg::Number(n) => t.int(name, n),
                        Arg::Money(m) => t.money(name, m),
                        Arg::Instant(i) => t.time(name, i),
                        Arg::Week(w) => t.str(name, &w.to_string()),
                        Arg::Text(s) => t.str(name, &s),
                        Arg::Bool(b) => t.bool(name, b),
                    };
                }),
            }
            t.done()
        })
        .collect();
    w.tables("history", history);
    w.done()
}

fn write_feedback(f: &Feedback, cur: &Currency) -> Table {
    let mut w = Writer::new(cur);
    w.str("status", f.status.as_str())
        .opt_time("given_at", f.given_at)
        .opt_int("stars", f.stars.map(i64::from));
    for (name, v) in f.scores.named() {
        w.opt_int(name, v.map(i64::from));
    }
    w.opt_str("comment", f.comment.as_deref())
        .opt_str("private", f.private.as_deref())
        .opt_str("reply", f.reply.as_deref())
        .opt_time("replied_at", f.replied_at)
        .done()
}

/// A week file in canonical form.
pub fn write_week(wf: &WeekFile, cur: &Currency) -> Table {
    let entries = wf
        .entries
        .iter()
        .map(|e| {
            Writer::new(cur)
                .str("id", &e.id)
                .time("start", e.start)
                .opt_time("end", e.end)
                .str("memo", &e.memo)
                .bool("manual", e.manual)
                .done()
        })
        .collect();
    Writer::new(cur)
        .int("version", VERSION)
        .str("contract", wf.contract.as_str())
        .str("week", &wf.week.to_string())
        .opt_int(
            "last_entry",
            wf.deleted_beyond().and_then(|n| i64::try_from(n).ok()),
        )
        .tables("entries", entries)
        .done()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diary::entries::{self, LogRequest};
    use crate::core::diary::hourly;
    use crate::core::escrow;
    use crate::core::feedback::{self, GiveRequest};
    use crate::core::lifecycle::tests as lt;
    use crate::core::lifecycle::{self, EndRequest, NewContract, NewTerms, Pay};
    use crate::core::validate;
    use crate::store::{merge, parse_text};

    /// Reads `text` the way the store does (`parse_text`, then a `Cx` over
    /// its `Source`), giving the value and the problems found.
    fn read<T>(
        text: &str,
        currency: Option<Currency>,
        reader: fn(&mut Cx<'_>, &tree::Table<'_>) -> Option<T>,
    ) -> (Option<T>, Vec<Located>) {
        let doc = parse_text(text, "f.toml").unwrap();
        let src = Source {
            file: "f.toml",
            text,
        };
        let mut cx = Cx::new(&src, currency);
        let value = reader(&mut cx, &doc);
        (value, cx.problems)
    }

    /// Renders `table` as a new file and reads it back, through the store's
    /// parser and through the full parser alone (the line reader must agree).
    fn round_trip<T: std::fmt::Debug + PartialEq>(
        table: Table,
        currency: Option<Currency>,
        reader: fn(&mut Cx<'_>, &tree::Table<'_>) -> Option<T>,
    ) -> T {
        let text = merge::render_new(table);
        let (value, problems) = read(&text, currency, reader);
        assert_eq!(problems, vec![], "problems reading back:\n{text}");
        let full = tree::full(&text).unwrap();
        let src = Source {
            file: "f.toml",
            text: &text,
        };
        let mut cx = Cx::new(&src, currency);
        let by_full = reader(&mut cx, &full);
        assert_eq!(cx.problems, vec![]);
        let value = value.unwrap();
        assert_eq!(by_full.as_ref(), Some(&value), "the two parsers disagree");
        value
    }

    fn usd() -> Currency {
        lt::settings().currency
    }
    fn m(s: &str) -> Money {
        usd().parse(s).unwrap()
    }
    #[track_caller]
    fn ok<T>(r: Result<crate::core::Outcome, T>) -> Contract
    where
        T: std::fmt::Debug,
    {
        // Each step its operation id, as a command gives it.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let mut o = r.unwrap();
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        crate::core::step::stamp(&mut o, &format!("{n:016x}"));
        o.contract
    }

    // ------------------------------------------------------- round trips

    #[test]
    fn settings_round_trip_in_every_role_and_currency_shape() {
        for (code, role, fee) in [
            ("USD", Role::Client, 10),
            ("JPY", Role::Freelancer, 0),
            ("BHD", Role::Client, 100),
        ] {
            let s = Settings {
                currency: Currency::from_code(code).unwrap(),
                role,
                fee_percent: fee,
            };
            assert_eq!(round_trip(write_settings(&s), None, read_settings), s);
        }
    }

    #[test]
    fn settings_defaults_apply_when_role_and_fee_are_left_out() {
        let (s, problems) = read("version = 1\ncurrency = \"EUR\"\n", None, read_settings);
        assert_eq!(problems, vec![]);
        assert_eq!(
            s,
            Some(Settings {
                currency: Currency::from_code("EUR").unwrap(),
                role: Role::Client,
                fee_percent: 10,
            })
        );
    }

    /// A fixed contract taken through the rules: three milestones (released,
    /// partly refunded, left funded at the end), a refund disputed,
    /// escalated and resolved, one approved, one given back, the rest
    /// returned when the client ended it, and feedback from both with a reply.
    fn rich_fixed() -> Contract {
        let s = lt::settings();
        let t = lt::t;
        let mut c = ok(lifecycle::create(
            NewContract {
                id: ContractId::parse("c7").unwrap(),
                title: "Storefront \"v2\" — naïve \\ café".into(),
                client: "Acme".into(),
                freelancer: "Ann".into(),
                terms: NewTerms::Fixed {
                    price: m("1000"),
                    milestones: vec![
                        ("Design".into(), m("300")),
                        ("Build".into(), m("500.50")),
                        ("Launch".into(), m("199.50")),
                    ],
                },
            },
            Role::Client,
            &s,
            t("2026-11-02T09:00:00Z"),
        ));
        c = ok(escrow::submit(
            &c,
            Role::Freelancer,
            Some(1),
            &s,
            t("2026-11-03T09:00:00Z"),
        ));
        c = ok(escrow::approve(
            &c,
            Role::Client,
            Some(1),
            None,
            &s,
            t("2026-11-03T12:00:00Z"),
        ));
        c = ok(escrow::fund(
            &c,
            Role::Client,
            Some(2),
            &s,
            t("2026-11-04T09:00:00Z"),
        ));
        c = ok(escrow::request(
            &c,
            Role::Client,
            Some(m("100")),
            &s,
            t("2026-11-04T10:00:00Z"),
        ));
        c = ok(escrow::dispute(
            &c,
            Role::Freelancer,
            Some("the work is done".into()),
            &s,
            t("2026-11-05T10:00:00Z"),
        ));
        c = ok(escrow::escalate(
            &c,
            Role::Client,
            &s,
            t("2026-11-06T10:00:00Z"),
        ));
        c = ok(escrow::resolve(
            &c,
            Role::Client,
            m("60"),
            m("40"),
            &s,
            t("2026-11-09T10:00:00Z"),
        ));
        c = ok(escrow::request(
            &c,
            Role::Client,
            Some(m("25.25")),
            &s,
            t("2026-11-10T10:00:00Z"),
        ));
        c = ok(escrow::approve_refund(
            &c,
            Role::Freelancer,
            &s,
            t("2026-11-11T10:00:00Z"),
        ));
        c = ok(escrow::submit(
            &c,
            Role::Freelancer,
            Some(2),
            &s,
            t("2026-11-12T10:00:00Z"),
        ));
        c = ok(escrow::approve(
            &c,
            Role::Client,
            Some(2),
            None,
            &s,
            t("2026-11-12T10:30:00Z"),
        ));
        c = ok(escrow::give(
            &c,
            Role::Freelancer,
            m("20"),
            &s,
            t("2026-11-12T11:00:00Z"),
        ));
        c = ok(escrow::fund(
            &c,
            Role::Client,
            Some(3),
            &s,
            t("2026-11-12T12:00:00Z"),
        ));
        c = ok(lifecycle::end(
            &c,
            Role::Client,
            &EndRequest {
                reason: EndReason::Unsuccessful,
                note: Some("scope changed".into()),
                pay: Some(Pay::None),
            },
            &s,
            t("2026-11-13T09:00:00Z"),
        ));
        let scores = Scores {
            skills: Some(5),
            quality: Some(4),
            availability: Some(3),
            deadlines: Some(2),
            communication: Some(1),
            cooperation: None,
        };
        for (role, at) in [
            (Role::Client, "2026-11-14T09:00:00Z"),
            (Role::Freelancer, "2026-11-15T09:00:00Z"),
        ] {
            let req = GiveRequest {
                stars: 4,
                scores: scores.clone(),
                comment: Some(format!("{role} says: good\nsecond line")),
                private: Some(format!("{role} privately: \"ok\"")),
            };
            c = ok(feedback::give(&c, role, &req, &s, t(at)));
        }
        ok(feedback::reply(
            &c,
            Role::Freelancer,
            "thank you",
            &s,
            t("2026-11-16T09:00:00Z"),
        ))
    }

    /// An hourly contract taken through the rules: the limit raised and cut,
    /// paused and resumed, ended by the freelancer; the hourly disputes are
    /// added by hand (opening one needs an invoiced week's payment).
    fn rich_hourly() -> Contract {
        let s = lt::settings();
        let t = lt::t;
        let mut c = lt::hourly();
        c = ok(hourly::set_limit(
            &c,
            Role::Client,
            Some(20),
            &s,
            t("2026-11-03T09:00:00Z"),
        ));
        c = ok(hourly::set_limit(
            &c,
            Role::Client,
            Some(5),
            &s,
            t("2026-11-04T09:00:00Z"),
        ));
        c = ok(hourly::set_limit(
            &c,
            Role::Client,
            None,
            &s,
            t("2026-11-11T09:00:00Z"),
        ));
        c = ok(lifecycle::pause(
            &c,
            Role::Client,
            &s,
            t("2026-11-12T09:00:00Z"),
        ));
        c = ok(lifecycle::resume(
            &c,
            Role::Client,
            &s,
            t("2026-11-13T09:00:00Z"),
        ));
        c = ok(lifecycle::end(
            &c,
            Role::Freelancer,
            &EndRequest {
                reason: EndReason::Unresponsive,
                note: None,
                pay: None,
            },
            &s,
            t("2026-11-20T09:00:00Z"),
        ));
        let week: Week = "2026-W45".parse().unwrap();
        c.payments.push(Payment {
            at: t("2026-11-16T00:00:00Z"),
            milestone: None,
            week: Some(week),
            amount: m("250"),
            fee: m("25"),
        });
        for (i, status) in DisputeStatus::ALL.iter().enumerate() {
            let closed = *status != DisputeStatus::Open;
            c.disputes.push(HourlyDispute {
                week,
                reason: if i == 0 {
                    String::new()
                } else {
                    format!("reason {i}")
                },
                status: *status,
                opened_at: t("2026-11-17T09:00:00Z"),
                closed_at: closed.then(|| t("2026-11-18T09:00:00Z")),
                refunded: (*status == DisputeStatus::Accepted).then(|| m("250")),
            });
        }
        c
    }

    #[test]
    fn a_fixed_contract_built_by_the_rules_round_trips() {
        let c = rich_fixed();
        // The state is a real one, and as rich as promised.
        assert_eq!(validate::contract(&c), vec![]);
        let statuses: Vec<_> = c.milestones.iter().map(|m| m.status).collect();
        assert!(
            statuses.contains(&MilestoneStatus::Released),
            "{statuses:?}"
        );
        let refunds: Vec<_> = c.refunds.iter().map(|r| (r.origin, r.status)).collect();
        for want in [
            (RefundOrigin::Request, RefundStatus::Resolved),
            (RefundOrigin::Request, RefundStatus::Refunded),
            (RefundOrigin::Given, RefundStatus::Refunded),
            (RefundOrigin::End, RefundStatus::Requested),
        ] {
            assert!(refunds.contains(&want), "{want:?} not in {refunds:?}");
        }
        assert!(c.ending.is_some());
        let fc = c.feedback_client.as_ref().unwrap();
        assert_eq!(fc.status, FeedbackStatus::Revealed);
        assert_eq!(fc.reply.as_deref(), Some("thank you"));
        assert!(c.history.iter().any(|e| e.amount.is_some()));

        assert_eq!(
            round_trip(write_contract(&c, &usd()), Some(usd()), read_contract),
            c
        );
    }

    #[test]
    fn an_hourly_contract_built_by_the_rules_round_trips() {
        let c = rich_hourly();
        let Terms::Hourly { limit_changes, .. } = &c.terms else {
            panic!("hourly")
        };
        assert_eq!(limit_changes.len(), 3);
        assert!(limit_changes.iter().any(|l| l.hours.is_none()));
        assert!(
            c.history.iter().any(|e| e.kind().as_str() == "paused"),
            "{:?}",
            c.history
        );
        assert_eq!(c.ending.as_ref().unwrap().by, Role::Freelancer);
        assert_eq!(
            round_trip(write_contract(&c, &usd()), Some(usd()), read_contract),
            c
        );
    }

    /// Every refund status and origin, every milestone status and every
    /// feedback status, with every optional field set: the codec does not
    /// judge the state, so a hand-built one shows each shape survives.
    #[test]
    fn every_variant_and_optional_field_round_trips_in_three_currencies() {
        let t = lt::t;
        for code in ["USD", "JPY", "BHD"] {
            let cur = Currency::from_code(code).unwrap();
            let mut c = rich_fixed();
            c.milestones = MilestoneStatus::ALL
                .iter()
                .enumerate()
                .map(|(i, s)| Milestone {
                    title: format!("M{i}"),
                    amount: cur.major(100 + i as i64),
                    status: *s,
                    funded: cur.major(i as i64),
                    funded_at: (i % 2 == 0).then(|| t("2026-11-02T09:00:00Z")),
                    submitted_at: (i % 3 == 0).then(|| t("2026-11-03T09:00:00.123456789Z")),
                })
                .collect();
            c.refunds.clear();
            for (i, origin) in RefundOrigin::ALL.iter().enumerate() {
                for (j, status) in RefundStatus::ALL.iter().enumerate() {
                    let all = (i + j) % 2 == 0;
                    c.refunds.push(Refund {
                        origin: *origin,
                        milestone: all.then_some(j as u32 + 1),
                        amount: cur.parse("7").unwrap(),
                        status: *status,
                        requested_at: t("2026-11-04T09:00:00Z"),
                        deadline: t("2026-11-11T09:00:00Z"),
                        disputed_at: all.then(|| t("2026-11-05T09:00:00Z")),
                        dispute_deadline: all.then(|| t("2026-11-12T09:00:00Z")),
                        note: all.then(|| "a note # not a comment".into()),
                        settled_at: all.then(|| t("2026-11-06T09:00:00Z")),
                        client_part: all.then(|| cur.major(3)),
                        fee_returned: all.then(|| cur.major(0)),
                    });
                }
            }
            c.payments = vec![Payment {
                at: t("2026-11-03T12:00:00Z"),
                milestone: Some(1),
                week: None,
                amount: cur.parse("1234567").unwrap(),
                fee: cur.parse("0").unwrap(),
            }];
            for (i, status) in FeedbackStatus::ALL.iter().enumerate() {
                let mut f = Feedback::pending();
                f.status = *status;
                c.feedback_client = Some(f.clone());
                c.feedback_freelancer = (i % 2 == 0).then_some(f);
                assert_eq!(
                    round_trip(write_contract(&c, &cur), Some(cur), read_contract),
                    c
                );
            }
            c.feedback_client = None;
            c.feedback_freelancer = None;
            c.history.clear();
            c.ending = None;
            c.status = Status::Paused;
            assert_eq!(
                round_trip(write_contract(&c, &cur), Some(cur), read_contract),
                c
            );
        }
    }

    /// A week with two manual entries (logged by the rules), a tracked one
    /// and a running one, plus a memo that needs escaping.
    fn rich_week() -> WeekFile {
        let t = lt::t;
        let c = lt::hourly();
        let week: Week = "2026-W46".parse().unwrap();
        let mut wf = WeekFile::new(c.id.clone(), week);
        let now = t("2026-11-12T20:00:00Z");
        for (start, end, memo) in [
            ("2026-11-09T09:00:00Z", "2026-11-09T12:30:00Z", "design"),
            (
                "2026-11-10T09:00:00Z",
                "2026-11-10T10:00:00Z",
                "calls \"x\"\tand\nnotes",
            ),
        ] {
            let req = LogRequest {
                start: t(start),
                end: t(end),
                memo: memo.into(),
            };
            wf = entries::log(&c, Role::Freelancer, &wf, &[], req, now)
                .unwrap()
                .0;
        }
        wf = entries::start(
            &c,
            Role::Freelancer,
            &wf,
            &[],
            "tracked".into(),
            t("2026-11-11T09:00:00Z"),
        )
        .unwrap()
        .0;
        wf = entries::stop(&c, Role::Freelancer, &wf, &[], t("2026-11-11T11:15:07Z"))
            .unwrap()
            .0;
        entries::start(&c, Role::Freelancer, &wf, &[], String::new(), now)
            .unwrap()
            .0
    }

    #[test]
    fn a_week_file_round_trips_with_manual_tracked_and_running_entries() {
        let wf = rich_week();
        let kinds: Vec<_> = wf
            .entries
            .iter()
            .map(|e| (e.manual, e.end.is_some()))
            .collect();
        assert_eq!(
            kinds,
            [(true, true), (true, true), (false, true), (false, false)]
        );
        // No entry was deleted, so the counter is not written and reads as
        // 0: the next id stays the same.
        assert_eq!(wf.deleted_beyond(), None);
        let back = round_trip(write_week(&wf, &usd()), Some(usd()), read_week);
        assert_eq!(back.next_id(), wf.next_id());
        assert_eq!(
            back,
            WeekFile {
                last_number: 0,
                ..wf.clone()
            }
        );

        // After deleting the newest entries the counter is written, exactly.
        let mut cut = wf.clone();
        cut.entries.truncate(2);
        assert_eq!(cut.deleted_beyond(), Some(4));
        assert_eq!(
            round_trip(write_week(&cut, &usd()), Some(usd()), read_week),
            cut
        );
        let text = merge::render_new(write_week(&cut, &usd()));
        assert!(text.contains("last_entry = 4\n"), "{text}");
    }

    // ------------------------------------------------- refused shapes

    /// A small valid contract; the cases below change one thing in it.
    /// Line numbers in the cases refer to this layout.
    const CONTRACT: &str = "\
version = 1
id = \"c1\"
title = \"Storefront\"
client = \"Acme\"
freelancer = \"Ann\"
kind = \"fixed\"
price = \"500.00\"
status = \"active\"
started_at = 2026-11-02T09:00:00Z

[[milestones]]
title = \"Design\"
amount = \"200.00\"
status = \"funded\"
funded = \"200.00\"
funded_at = 2026-11-02T09:00:00Z

[[milestones]]
title = \"Build\"
amount = \"300.00\"
status = \"pending\"
funded = \"0.00\"
";

    const SETTINGS: &str = "\
version = 1
currency = \"USD\"
role = \"client\"
fee_percent = 10
";

    const WEEK: &str = "\
version = 1
contract = \"h1\"
week = \"2026-W46\"

[[entries]]
id = \"2026W46-1\"
start = 2026-11-09T09:00:00Z
end = 2026-11-09T10:00:00Z
memo = \"\"
manual = true
";

    /// `base` with the one occurrence of `old` replaced by `new`.
    fn edit(base: &str, old: &str, new: &str) -> String {
        assert_eq!(base.matches(old).count(), 1, "`{old}` must occur once");
        base.replace(old, new)
    }

    /// One case: the edited text must give exactly one problem, whose
    /// message contains `fragment`, at `line:col` of `f.toml`.
    type Case<'a> = (&'a str, &'a str, &'a str, usize, usize);

    fn check_cases<T: std::fmt::Debug>(
        base: &str,
        reader: fn(&mut Cx<'_>, &tree::Table<'_>) -> Option<T>,
        cases: &[Case<'_>],
    ) {
        let (_, problems) = read(base, Some(usd()), reader);
        assert_eq!(problems, vec![], "the base text is valid");
        for &(old, new, fragment, line, col) in cases {
            let text = edit(base, old, new);
            let (_, problems) = read(&text, Some(usd()), reader);
            let [p] = problems.as_slice() else {
                panic!("`{new}`: expected one problem, got {problems:#?}");
            };
            assert!(
                p.message.contains(fragment),
                "`{new}`: {:?} lacks {fragment:?}",
                p.message
            );
            assert_eq!(
                (p.file.as_str(), p.line, p.col),
                ("f.toml", Some(line), Some(col)),
                "`{new}`: {p}"
            );
        }
    }

    #[test]
    fn wrong_value_types_are_refused_at_the_value() {
        check_cases(
            CONTRACT,
            read_contract,
            &[
                (
                    "title = \"Storefront\"",
                    "title = 5",
                    "`title`: expected a string, found integer",
                    3,
                    9,
                ),
                (
                    "title = \"Storefront\"",
                    "title = [1, 2]",
                    "`title`: expected a string, found array",
                    3,
                    9,
                ),
                (
                    "title = \"Storefront\"",
                    "title = { a = 1 }",
                    "`title`: expected a string, found inline table",
                    3,
                    9,
                ),
                (
                    "status = \"active\"",
                    "status = 1",
                    "`status`: expected a string, found integer",
                    8,
                    10,
                ),
                (
                    "title = \"Build\"",
                    "title = 1.5",
                    "`title`: expected a string, found float",
                    19,
                    9,
                ),
                (
                    "version = 1",
                    "version = \"1\"",
                    "`version`: expected a whole number, found string",
                    1,
                    11,
                ),
            ],
        );
        check_cases(
            WEEK,
            read_week,
            &[(
                "manual = true",
                "manual = \"yes\"",
                "`manual`: expected true or false, found string",
                10,
                10,
            )],
        );
    }

    #[test]
    fn numbers_out_of_range_are_refused_at_the_value() {
        check_cases(
            SETTINGS,
            read_settings,
            &[
                (
                    "fee_percent = 10",
                    "fee_percent = 300",
                    "`fee_percent`: 300 is out of range",
                    4,
                    15,
                ),
                (
                    "fee_percent = 10",
                    "fee_percent = -1",
                    "`fee_percent`: -1 is out of range",
                    4,
                    15,
                ),
                (
                    "fee_percent = 10",
                    "fee_percent = 101",
                    "`fee_percent` is a percentage from 0 to 100",
                    4,
                    15,
                ),
            ],
        );
        // An entry number is never negative: refused, not read as 0.
        check_cases(
            WEEK,
            read_week,
            &[(
                "week = \"2026-W46\"",
                "week = \"2026-W46\"\nlast_entry = -5",
                "`last_entry`: -5 is out of range",
                4,
                14,
            )],
        );
    }

    #[test]
    fn money_must_be_a_quoted_decimal_in_the_currency() {
        check_cases(
            CONTRACT,
            read_contract,
            &[
                (
                    "price = \"500.00\"",
                    "price = 500.0",
                    "`price`: money is written as a quoted decimal string such as \"1250.00\", not as a float",
                    7,
                    9,
                ),
                (
                    "price = \"500.00\"",
                    "price = 500",
                    "`price`: money is written as a quoted decimal string such as \"1250.00\", not as a bare number",
                    7,
                    9,
                ),
                (
                    "price = \"500.00\"",
                    "price = true",
                    "`price`: expected an amount such as \"1250.00\", found boolean",
                    7,
                    9,
                ),
                (
                    "price = \"500.00\"",
                    "price = \"500.001\"",
                    "`price`: `500.001` has more decimals than USD allows (2)",
                    7,
                    9,
                ),
                (
                    "price = \"500.00\"",
                    "price = \"-5\"",
                    "`price`: `-5` is negative",
                    7,
                    9,
                ),
                (
                    "price = \"500.00\"",
                    "price = \"1,250\"",
                    "`price`: `1,250` is not an amount",
                    7,
                    9,
                ),
                (
                    "price = \"500.00\"",
                    "price = \"99999999999999999999\"",
                    "is too large",
                    7,
                    9,
                ),
                (
                    "amount = \"300.00\"",
                    "amount = 300",
                    "`amount`: money is written as a quoted decimal string",
                    20,
                    10,
                ),
            ],
        );
    }

    #[test]
    fn money_is_checked_against_the_ledger_currency_and_needs_one() {
        // The same text in yen: every amount has too many decimals.
        let jpy = Currency::from_code("JPY").unwrap();
        let (_, problems) = read(CONTRACT, Some(jpy), read_contract);
        let at: Vec<_> = problems
            .iter()
            .map(|p| (p.line, p.col, p.message.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                (
                    Some(7),
                    Some(9),
                    "`price`: `500.00` has more decimals than JPY allows (0)"
                ),
                (
                    Some(13),
                    Some(10),
                    "`amount`: `200.00` has more decimals than JPY allows (0)"
                ),
                (
                    Some(15),
                    Some(10),
                    "`funded`: `200.00` has more decimals than JPY allows (0)"
                ),
                (
                    Some(20),
                    Some(10),
                    "`amount`: `300.00` has more decimals than JPY allows (0)"
                ),
                (
                    Some(22),
                    Some(10),
                    "`funded`: `0.00` has more decimals than JPY allows (0)"
                ),
            ]
        );
        // Without a currency no amount can be read.
        let (c, problems) = read(CONTRACT, None, read_contract);
        assert_eq!(c, None);
        assert_eq!(problems.len(), 5, "{problems:#?}");
        assert_eq!(
            problems[0].message,
            "`price`: money needs the ledger's currency"
        );
        assert_eq!((problems[0].line, problems[0].col), (Some(7), Some(9)));
    }

    #[test]
    fn instants_must_be_full_utc_datetimes() {
        check_cases(
            CONTRACT,
            read_contract,
            &[
                (
                    "started_at = 2026-11-02T09:00:00Z",
                    "started_at = \"2026-11-02T09:00:00Z\"",
                    "`started_at`: times are native TOML datetimes, not strings: remove the quotes",
                    9,
                    14,
                ),
                (
                    "started_at = 2026-11-02T09:00:00Z",
                    "started_at = 1",
                    "`started_at`: expected a datetime such as 2026-11-23T09:00:00Z, found integer",
                    9,
                    14,
                ),
                (
                    "started_at = 2026-11-02T09:00:00Z",
                    "started_at = 2026-11-02",
                    "`started_at`: expected a full date and time",
                    9,
                    14,
                ),
                (
                    "started_at = 2026-11-02T09:00:00Z",
                    "started_at = 09:00:00",
                    "`started_at`: expected a full date and time",
                    9,
                    14,
                ),
                (
                    "started_at = 2026-11-02T09:00:00Z",
                    "started_at = 2026-11-02T09:00:00",
                    "`started_at`: datetime without offset: instants are UTC",
                    9,
                    14,
                ),
                (
                    "funded_at = 2026-11-02T09:00:00Z",
                    "funded_at = 2026-11-02 09:00:00",
                    "`funded_at`: datetime without offset",
                    16,
                    13,
                ),
            ],
        );
    }

    #[test]
    fn an_offset_is_converted_to_utc_and_a_date_that_does_not_exist_is_refused() {
        let text = edit(
            CONTRACT,
            "started_at = 2026-11-02T09:00:00Z",
            "started_at = 2026-11-02T10:30:00.5+01:30",
        );
        let (c, problems) = read(&text, Some(usd()), read_contract);
        assert_eq!(problems, vec![]);
        assert_eq!(c.unwrap().started_at, lt::t("2026-11-02T09:00:00.5Z"));
        // TOML parsers accept any day up to 31; the month decides here.
        let feb30 = toml_edit::Datetime {
            date: Some(toml_edit::Date {
                year: 2026,
                month: 2,
                day: 30,
            }),
            time: Some(toml_edit::Time {
                hour: 9,
                minute: 0,
                second: Some(0),
                nanosecond: None,
            }),
            offset: Some(toml_edit::Offset::Z),
        };
        assert_eq!(
            instant(&feb30),
            Err("not a valid date and time".to_string())
        );
    }

    #[test]
    fn enums_ids_weeks_and_currencies_are_refused_with_what_is_allowed() {
        check_cases(
            CONTRACT,
            read_contract,
            &[
                (
                    "kind = \"fixed\"",
                    "kind = \"weekly\"",
                    "`kind`: `weekly` is not one of: hourly, fixed",
                    6,
                    8,
                ),
                (
                    "funded = \"0.00\"",
                    "funded = \"0.00\"\n\n[[history]]\nat = 2026-11-02T09:00:00Z\nactor = \"client\"\nevent = \"deleted\"\ndetail = \"\"",
                    "`event`: `deleted` is not one of: created, paused, resumed, ended",
                    27,
                    9,
                ),
                (
                    "status = \"active\"",
                    "status = \"done\"",
                    "`status`: `done` is not one of: active, paused, ended",
                    8,
                    10,
                ),
                (
                    "status = \"pending\"",
                    "status = \"paid\"",
                    "`status`: `paid` is not one of: pending, funded, submitted, released, refunded",
                    21,
                    10,
                ),
                (
                    "id = \"c1\"",
                    "id = \"c 1\"",
                    "`id`: contract id `c 1` contains ' '",
                    2,
                    6,
                ),
                (
                    "id = \"c1\"",
                    "id = \"\"",
                    "`id`: a contract id cannot be empty",
                    2,
                    6,
                ),
                (
                    "id = \"c1\"",
                    "id = \"c12345678901234567890123456789012\"",
                    "at most 32 are allowed",
                    2,
                    6,
                ),
            ],
        );
        // A wrong `ended_by` is reported once, at its value (not again as
        // missing at `ended_at`); a missing one at `ended_at`.
        let text = edit(
            CONTRACT,
            "started_at = 2026-11-02T09:00:00Z\n",
            "started_at = 2026-11-02T09:00:00Z\nended_at = 2026-11-03T09:00:00Z\nended_by = \"nobody\"\nend_reason = \"completed\"\n",
        );
        let (_, problems) = read(&text, Some(usd()), read_contract);
        let at: Vec<_> = problems
            .iter()
            .map(|p| (p.line, p.col, p.message.as_str()))
            .collect();
        assert_eq!(
            at,
            [(
                Some(11),
                Some(12),
                "`ended_by`: `nobody` is not one of: client, freelancer"
            ),]
        );
        let text = edit(
            CONTRACT,
            "started_at = 2026-11-02T09:00:00Z\n",
            "started_at = 2026-11-02T09:00:00Z\nended_at = 2026-11-03T09:00:00Z\nend_reason = \"completed\"\n",
        );
        let (_, problems) = read(&text, Some(usd()), read_contract);
        let at: Vec<_> = problems
            .iter()
            .map(|p| (p.line, p.col, p.message.as_str()))
            .collect();
        assert_eq!(
            at,
            [(
                Some(10),
                Some(12),
                "an ended contract needs `ended_by` and `end_reason`"
            )]
        );
        check_cases(
            SETTINGS,
            read_settings,
            &[
                (
                    "currency = \"USD\"",
                    "currency = \"XYZ\"",
                    "`currency`: unknown currency `XYZ`",
                    2,
                    12,
                ),
                (
                    "currency = \"USD\"",
                    "currency = \"usd\"",
                    "unknown currency `usd`",
                    2,
                    12,
                ),
                (
                    "role = \"client\"",
                    "role = \"boss\"",
                    "`role`: `boss` is not one of: client, freelancer",
                    3,
                    8,
                ),
            ],
        );
        check_cases(
            WEEK,
            read_week,
            &[
                (
                    "week = \"2026-W46\"",
                    "week = \"2026-46\"",
                    "`week`: `2026-46` is not an ISO week: write it like 2026-W47",
                    3,
                    8,
                ),
                (
                    "week = \"2026-W46\"",
                    "week = \"2026-W54\"",
                    "`week`: 2026 has no ISO week 54",
                    3,
                    8,
                ),
                (
                    "contract = \"h1\"",
                    "contract = \"h/1\"",
                    "`contract`: contract id `h/1` contains '/'",
                    2,
                    12,
                ),
            ],
        );
    }

    #[test]
    fn versions_other_than_this_programs_are_refused_at_the_value() {
        check_cases(
            CONTRACT,
            read_contract,
            &[
                (
                    "version = 1",
                    "version = 3",
                    "written by a newer version of contracts (file version 3; this program reads 2): upgrade contracts",
                    1,
                    11,
                ),
                (
                    "version = 1",
                    "version = 0",
                    "unknown file version 0",
                    1,
                    11,
                ),
                (
                    "version = 1",
                    "version = -3",
                    "unknown file version -3",
                    1,
                    11,
                ),
                ("version = 1\n", "", "missing `version`", 1, 1),
            ],
        );
        check_cases(
            SETTINGS,
            read_settings,
            &[("version = 1", "version = 9", "file version 9", 1, 11)],
        );
        check_cases(
            WEEK,
            read_week,
            &[("version = 1", "version = 9", "file version 9", 1, 11)],
        );
    }

    #[test]
    fn missing_keys_are_reported_at_their_table() {
        check_cases(
            CONTRACT,
            read_contract,
            &[
                // The root table: the start of the file.
                ("title = \"Storefront\"\n", "", "missing `title`", 1, 1),
                (
                    "started_at = 2026-11-02T09:00:00Z\n",
                    "",
                    "missing `started_at`",
                    1,
                    1,
                ),
                // A table of an array: its header.
                ("title = \"Build\"\n", "", "missing `title`", 18, 1),
                ("status = \"funded\"\n", "", "missing `status`", 11, 1),
                (
                    "started_at = 2026-11-02T09:00:00Z\n",
                    "started_at = 2026-11-02T09:00:00Z\nended_at = 2026-11-03T09:00:00Z\n",
                    "an ended contract needs `ended_by` and `end_reason`",
                    10,
                    12,
                ),
            ],
        );
        check_cases(
            SETTINGS,
            read_settings,
            &[("currency = \"USD\"\n", "", "missing `currency`", 1, 1)],
        );
        check_cases(
            WEEK,
            read_week,
            &[
                ("week = \"2026-W46\"\n", "", "missing `week`", 1, 1),
                (
                    "start = 2026-11-09T09:00:00Z\n",
                    "",
                    "missing `start`",
                    5,
                    1,
                ),
            ],
        );
    }

    #[test]
    fn unknown_keys_are_refused_at_the_key_with_the_known_ones() {
        check_cases(
            CONTRACT,
            read_contract,
            &[
                (
                    "client = \"Acme\"\n",
                    "client = \"Acme\"\ncolour = \"red\"\n",
                    "unknown key `colour` (known here: version, id, title, client, freelancer, kind, price, status",
                    5,
                    1,
                ),
                (
                    "funded = \"0.00\"\n",
                    "funded = \"0.00\"\npaid = true\n",
                    "unknown key `paid` (known here: title, amount, status, funded, funded_at, submitted_at)",
                    23,
                    1,
                ),
                // A key of the other kind of contract is unknown here.
                (
                    "price = \"500.00\"\n",
                    "price = \"500.00\"\nrate = \"50\"\n",
                    "unknown key `rate`",
                    8,
                    1,
                ),
            ],
        );
        check_cases(
            SETTINGS,
            read_settings,
            &[(
                "role = \"client\"",
                "rol = \"client\"",
                "unknown key `rol` (known here: version, currency, role, fee_percent)",
                3,
                1,
            )],
        );
        check_cases(
            WEEK,
            read_week,
            &[(
                "memo = \"\"",
                "note = \"\"",
                "unknown key `note` (known here: id, start, end, memo, manual)",
                9,
                1,
            )],
        );
    }

    #[test]
    fn tables_and_arrays_of_tables_must_have_their_shape() {
        let before_milestones = "started_at = 2026-11-02T09:00:00Z\n";
        let with = |line: &str| format!("{before_milestones}{line}\n");
        let (payments_str, payments_arr, fb, fb_inner) = (
            with("payments = 3"),
            with("payments = [1, { at = 2026-11-02T09:00:00Z }]"),
            with("feedback = 3"),
            with("feedback = { client = 5 }"),
        );
        check_cases(
            CONTRACT,
            read_contract,
            &[
                (
                    before_milestones,
                    &payments_str,
                    "`payments` must be an array of tables ([[payments]])",
                    10,
                    1,
                ),
                // The inline table reports its own missing keys; the 1 its shape.
                (
                    before_milestones,
                    &with("payments = [1]"),
                    "`payments` holds tables only",
                    10,
                    13,
                ),
                (before_milestones, &fb, "`feedback` must be a table", 10, 1),
                (
                    before_milestones,
                    &fb_inner,
                    "`client` must be a table",
                    10,
                    14,
                ),
                (
                    "title = \"Storefront\"",
                    "title.x = 1",
                    "`title` must be a value, not a table",
                    3,
                    1,
                ),
            ],
        );
        let (_, problems) = read(
            &edit(CONTRACT, before_milestones, &payments_arr),
            Some(usd()),
            read_contract,
        );
        let at: Vec<_> = problems
            .iter()
            .map(|p| (p.line, p.col, p.message.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                (Some(10), Some(13), "`payments` holds tables only"),
                (Some(10), Some(16), "missing `amount`"),
                (Some(10), Some(16), "missing `fee`"),
            ]
        );
    }

    #[test]
    fn inline_tables_read_like_headers_and_locate_their_problems() {
        let inline = "\
version = 1
id = \"c1\"
title = \"Storefront\"
client = \"Acme\"
freelancer = \"Ann\"
kind = \"fixed\"
price = \"500.00\"
status = \"active\"
started_at = 2026-11-02T09:00:00Z
milestones = [
  { title = \"Design\", amount = \"200.00\", status = \"funded\", funded = \"200.00\", funded_at = 2026-11-02T09:00:00Z },
  { title = \"Build\", amount = \"300.00\", status = \"pending\", funded = \"0.00\" },
]
";
        let (a, problems) = read(inline, Some(usd()), read_contract);
        assert_eq!(problems, vec![]);
        let (b, _) = read(CONTRACT, Some(usd()), read_contract);
        assert_eq!(a, b);
        let bad = edit(inline, "amount = \"300.00\"", "amount = 300");
        let (_, problems) = read(&bad, Some(usd()), read_contract);
        let at: Vec<_> = problems
            .iter()
            .map(|p| (p.line, p.col, p.message.as_str()))
            .collect();
        assert_eq!(
            at,
            [(
                Some(12),
                Some(31),
                "`amount`: money is written as a quoted decimal string such as \"1250.00\", not as a bare number"
            )]
        );
        let bad = edit(inline, "funded = \"0.00\" }", "funded = \"0.00\", x = 1 }");
        let (_, problems) = read(&bad, Some(usd()), read_contract);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(problems[0].message.starts_with("unknown key `x`"));
        assert_eq!((problems[0].line, problems[0].col), (Some(12), Some(78)));
    }

    #[test]
    fn located_problems_render_as_file_line_col_with_the_line() {
        let text = edit(CONTRACT, "price = \"500.00\"", "price = 500");
        let (_, problems) = read(&text, Some(usd()), read_contract);
        assert_eq!(
            problems[0].to_string(),
            "f.toml:7:9: `price`: money is written as a quoted decimal string such as \"1250.00\", not as a bare number\n 7 | price = 500\n   |         ^"
        );
    }

    // ------------------------------------------------------------ span_of

    #[test]
    fn span_of_finds_values_tables_and_items_of_arrays_by_path() {
        let text = merge::render_new(write_contract(&rich_fixed(), &usd()));
        let doc = parse_text(&text, "f.toml").unwrap();
        let at = |path: &str| span_of(&doc, path).map(|s| &text[s]);
        assert_eq!(at("id"), Some("\"c7\""));
        assert_eq!(at("milestones[1].amount"), Some("\"500.50\""));
        assert_eq!(at("milestones[2].title"), Some("\"Launch\""));
        assert_eq!(at("milestones[0].funded_at"), Some("2026-11-02T09:00:00Z"));
        assert_eq!(at("refunds[0].note"), Some("\"the work is done\""));
        assert_eq!(at("feedback.client.stars"), Some("4"));
        assert_eq!(at("feedback.client.reply"), Some("\"thank you\""));
        // An item of an array of tables: its header.
        assert_eq!(at("milestones[1]"), Some("[[milestones]]"));
        let second = text.match_indices("[[milestones]]").nth(1).unwrap().0;
        assert_eq!(
            span_of(&doc, "milestones[1]").map(|s| s.start),
            Some(second)
        );
        // Paths that lead nowhere.
        assert_eq!(at("nothing"), None);
        assert_eq!(at("milestones[7].amount"), None);
        assert_eq!(at("milestones[1].nothing"), None);
        assert_eq!(at("id.deeper"), None);

        // Inline tables in an array, and an inline table.
        let inline = "ms = [{ a = 1 }, { a = 22, b = \"x\" }]\nfb = { c = { s = 5 } }\n";
        let doc = parse_text(inline, "f.toml").unwrap();
        let at = |path: &str| span_of(&doc, path).map(|s| &inline[s]);
        assert_eq!(at("ms[1].a"), Some("22"));
        assert_eq!(at("ms[1].b"), Some("\"x\""));
        assert_eq!(at("ms[1]"), Some("{ a = 22, b = \"x\" }"));
        assert_eq!(at("fb.c.s"), Some("5"));
        assert_eq!(at("ms[2].a"), None);
    }
}
