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
pub const VERSION: i64 = 1;

/// Reading context: the file, the currency for money, and the problems found.
pub struct Cx<'a> {
    src: &'a Source<'a>,
    currency: Option<Currency>,
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
int_from_toml!(u8, u32, i64);

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
    DisputeStatus
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
        None => None,
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
    if ending.is_some() && (ended_by.is_none() || end_reason.is_none()) {
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
    for mut t in cx.tables(&mut r, "history") {
        let at = cx.req::<Instant>(&mut t, "at");
        let actor = cx.req::<Actor>(&mut t, "actor");
        let ev = cx.req::<String>(&mut t, "event");
        let amount = cx.opt::<Money>(&mut t, "amount");
        let detail = cx.opt::<String>(&mut t, "detail").unwrap_or_default();
        cx.finish(t);
        if let (Some(at), Some(actor), Some(event)) = (at, actor, ev) {
            history.push(Event {
                at,
                actor,
                event,
                amount,
                detail,
            });
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
    let last_number = cx.opt::<i64>(&mut r, "last_entry").unwrap_or(0).max(0) as u64;
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
            Writer::new(cur)
                .time("at", e.at)
                .str("actor", e.actor.as_str())
                .str("event", &e.event)
                .opt_money("amount", e.amount)
                .str("detail", &e.detail)
                .done()
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
