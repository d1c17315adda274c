//! A serde `Deserializer` over the light tree of [`super::tree`]: reads the
//! shapes of [`crate::core::schema`] and reports every problem where it
//! stands. A wrong value is recorded at its place and read as a stand-in
//! (so the rest of the file is still checked, and the file still refused);
//! a key the shape does not have is recorded and skipped; a table the
//! shape cannot take is recorded and left out.
//!
//! The model's text types reach it as newtypes (`Money`, `Instant`, `Week`,
//! `ContractId`, `Currency`) and its names as enums, so each is checked
//! here, with the ledger's currency for money.

use super::located::{Located, Source};
use super::tree::{self, Span, ValueKind};
use crate::core::Currency;
use crate::core::model::ContractId;
use crate::core::week::Week;
use serde::de::value::{BorrowedStrDeserializer, StrDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use std::cell::RefCell;
use std::fmt;

/// What went wrong, for serde: already recorded where it stands, or a
/// message to record at the table being read.
#[derive(Debug)]
pub enum Error {
    /// Recorded; the value is left out.
    Recorded,
    /// A shape's own refusal (a kind's argument, ...).
    Custom(String),
    /// A key the table being read needs and does not have; recorded.
    Missing(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Recorded => f.write_str("recorded"),
            Error::Custom(m) => f.write_str(m),
            Error::Missing(k) => write!(f, "missing `{k}`"),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::Custom(msg.to_string())
    }
    fn missing_field(field: &'static str) -> Self {
        Error::Missing(field)
    }
}

/// The file being read and the problems found in it.
pub struct Reader<'a> {
    src: &'a Source<'a>,
    currency: Option<Currency>,
    problems: RefCell<Vec<Located>>,
}

impl<'a> Reader<'a> {
    /// A reader of `src`; money needs the ledger's currency.
    pub fn new(src: &'a Source<'a>, currency: Option<Currency>) -> Reader<'a> {
        Reader {
            src,
            currency,
            problems: RefCell::new(Vec::new()),
        }
    }

    /// Reads `root` as a `T`: the value, if nothing was wrong, and every
    /// problem found.
    pub fn read<'de, T: de::Deserialize<'de>>(
        self,
        root: &'de tree::Table<'de>,
    ) -> (Option<T>, Vec<Located>) {
        let value = read_table(&self, Node::Table(root), "", Some(0..0), Some(0..0));
        let problems = self.problems.into_inner();
        (value.filter(|_| problems.is_empty()), problems)
    }

    fn record(&self, span: Span, msg: impl Into<String>) -> Error {
        let l = self.src.at(span, msg);
        let mut ps = self.problems.borrow_mut();
        // A table read again (see `read_table`) finds its problems again.
        if !ps.contains(&l) {
            ps.push(l);
        }
        Error::Recorded
    }
}

/// Reads a table as a `T`, again with a stand-in for each key found
/// missing, so that every missing key is reported, not only the first;
/// `None` if anything was wrong.
fn read_table<'de, T: de::Deserialize<'de>>(
    r: &Reader<'_>,
    node: Node<'de>,
    key: &'de str,
    span: Span,
    key_span: Span,
) -> Option<T> {
    let mut missing = Vec::new();
    loop {
        let de = ValueDe {
            r,
            node,
            key,
            span: span.clone(),
            key_span: key_span.clone(),
            missing: missing.clone(),
        };
        match T::deserialize(de) {
            Ok(v) if missing.is_empty() => return Some(v),
            Ok(_) | Err(Error::Recorded) => return None,
            Err(Error::Missing(k)) if !missing.contains(&k) => missing.push(k),
            Err(e) => {
                r.record(span, e.to_string());
                return None;
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Node<'t> {
    Value(&'t tree::Value<'t>),
    Table(&'t tree::Table<'t>),
    Tables(&'t [tree::Table<'t>]),
    /// A key found missing, read again as a stand-in.
    Missing,
}

impl<'t> Node<'t> {
    fn of(item: &'t tree::Item<'t>) -> Node<'t> {
        match item {
            tree::Item::Value(v) => Node::Value(v),
            tree::Item::Table(t) => Node::Table(t),
            tree::Item::ArrayOfTables(ts) => Node::Tables(ts),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Node::Value(v) => v.type_name(),
            Node::Table(_) => "table",
            Node::Tables(_) => "array of tables",
            Node::Missing => "nothing",
        }
    }
}

struct ValueDe<'r, 't> {
    r: &'r Reader<'r>,
    node: Node<'t>,
    key: &'t str,
    span: Span,
    // Where its key is written: a wrong shape (a table for a value) is
    // reported there.
    key_span: Span,
    // Keys of this table found missing (see `read_table`).
    missing: Vec<&'static str>,
}

impl<'r, 't> ValueDe<'r, 't> {
    fn value(&self) -> Option<&'t tree::Value<'t>> {
        match self.node {
            Node::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Records `msg` about this value (prefixed with its key).
    fn wrong(&self, msg: impl fmt::Display) -> Error {
        if matches!(self.node, Node::Missing) {
            return Error::Recorded;
        }
        let key = self.key;
        let text = if key.is_empty() {
            msg.to_string()
        } else {
            format!("`{key}`: {msg}")
        };
        self.r.record(self.span.clone(), text)
    }

    fn expected(&self, what: &str) -> Error {
        match self.node {
            Node::Missing => Error::Recorded,
            Node::Value(_) => {
                self.wrong(format!("expected {what}, found {}", self.node.type_name()))
            }
            _ => {
                let key = self.key;
                self.r.record(
                    self.key_span.clone(),
                    format!("`{key}` must be a value, not a table"),
                )
            }
        }
    }

    fn int(&self) -> Option<i64> {
        match self.value().map(|v| &v.kind) {
            Some(ValueKind::Integer(i)) => Some(*i),
            _ => {
                self.expected("a whole number");
                None
            }
        }
    }

    fn text(&self) -> Option<&'t str> {
        match self.value().map(|v| &v.kind) {
            Some(ValueKind::String(s)) => Some(s),
            _ => {
                self.expected("a string");
                None
            }
        }
    }

    fn money(&self) -> Result<i64, String> {
        let Some(cur) = self.r.currency else {
            return Err("money needs the ledger's currency".into());
        };
        match self.value().map(|v| &v.kind) {
            Some(ValueKind::String(s)) => {
                cur.parse(s).map(|m| m.minor()).map_err(|e| e.to_string())
            }
            Some(k @ (ValueKind::Float(_) | ValueKind::Integer(_))) => Err(format!(
                "money is written as a quoted decimal string such as \"1250.00\", not as a {}",
                if matches!(k, ValueKind::Float(_)) {
                    "float"
                } else {
                    "bare number"
                }
            )),
            _ => Err(format!(
                "expected an amount such as \"1250.00\", found {}",
                self.node.type_name()
            )),
        }
    }

    fn instant(&self) -> Result<i128, String> {
        match self.value().map(|v| &v.kind) {
            Some(ValueKind::Datetime(d)) => {
                super::codec::instant(d).map(|t| crate::core::model::instant_serde::nanos(&t))
            }
            Some(ValueKind::String(_)) => Err(
                "times are native TOML datetimes, not strings: remove the quotes (2026-11-23T09:00:00Z)"
                    .into(),
            ),
            _ => Err(format!(
                "expected a datetime such as 2026-11-23T09:00:00Z, found {}",
                self.node.type_name()
            )),
        }
    }

    fn table(&self) -> Option<&'t tree::Table<'t>> {
        match self.node {
            Node::Table(t) => Some(t),
            Node::Value(tree::Value {
                kind: ValueKind::InlineTable(t),
                ..
            }) => Some(t),
            _ => None,
        }
    }
}

macro_rules! ints {
    ($($method:ident $t:ty => $visit:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            let n = match self.int() {
                Some(i) => <$t>::try_from(i).unwrap_or_else(|_| {
                    self.wrong(format!("{i} is out of range"));
                    0
                }),
                None => 0,
            };
            v.$visit(n)
        }
    )*};
}

impl<'de, 'r> de::Deserializer<'de> for ValueDe<'r, 'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.node {
            Node::Value(val) => match &val.kind {
                ValueKind::String(s) => v.visit_str(s),
                ValueKind::Integer(i) => v.visit_i64(*i),
                ValueKind::Float(f) => v.visit_f64(*f),
                ValueKind::Boolean(b) => v.visit_bool(*b),
                ValueKind::Datetime(d) => v.visit_string(d.to_string()),
                ValueKind::Array(_) => self.deserialize_seq(v),
                ValueKind::InlineTable(_) => self.deserialize_map(v),
            },
            Node::Table(_) => self.deserialize_map(v),
            Node::Tables(_) => self.deserialize_seq(v),
            Node::Missing => v.visit_unit(),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.value().map(|x| &x.kind) {
            Some(ValueKind::Boolean(b)) => v.visit_bool(*b),
            _ => {
                self.expected("true or false");
                v.visit_bool(false)
            }
        }
    }

    ints!(deserialize_u8 u8 => visit_u8, deserialize_u16 u16 => visit_u16,
        deserialize_u32 u32 => visit_u32, deserialize_u64 u64 => visit_u64,
        deserialize_i8 i8 => visit_i8, deserialize_i16 i16 => visit_i16,
        deserialize_i32 i32 => visit_i32, deserialize_i64 i64 => visit_i64);

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_str(self.text().unwrap_or_default())
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        // The model's text types, checked here with their own messages; a
        // wrong one is read as a stand-in.
        let checked =
            |this: &Self, stand_in: &'static str, check: fn(&str) -> Result<(), String>| match this
                .text()
            {
                Some(s) => match check(s) {
                    Ok(()) => s,
                    Err(e) => {
                        this.wrong(e);
                        stand_in
                    }
                },
                None => stand_in,
            };
        match name {
            "Money" => v.visit_i64(self.money().unwrap_or_else(|e| {
                self.wrong(e);
                0
            })),
            "Instant" => {
                let t = self.instant().unwrap_or_else(|e| {
                    self.wrong(e);
                    0
                });
                v.visit_i128(t)
            }
            "Week" => v.visit_str(checked(&self, "2000-W01", |s| s.parse::<Week>().map(drop))),
            "ContractId" => v.visit_str(checked(&self, "_", |s| ContractId::parse(s).map(drop))),
            "Currency" => v.visit_str(checked(&self, "USD", |s| {
                Currency::from_code(s).map(drop).map_err(|e| e.to_string())
            })),
            _ => v.visit_newtype_struct(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        let name = match self.text() {
            Some(s) if variants.contains(&s) => s,
            Some(s) => {
                self.wrong(format!("`{s}` is not one of: {}", variants.join(", ")));
                variants[0]
            }
            None => variants[0],
        };
        let d: StrDeserializer<'_, Error> = name.into_deserializer();
        v.visit_enum(d)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let key = self.key;
        let items: Vec<(Node<'de>, Span)> = match self.node {
            Node::Tables(ts) => ts
                .iter()
                .map(|t| {
                    let span = t
                        .span
                        .clone()
                        .or_else(|| t.entries.first().and_then(|e| e.key_span.clone()));
                    (Node::Table(t), span)
                })
                .collect(),
            Node::Value(tree::Value {
                kind: ValueKind::Array(a),
                ..
            }) => a.iter().map(|x| (Node::Value(x), x.span.clone())).collect(),
            Node::Missing => Vec::new(),
            _ => {
                self.r.record(
                    self.key_span.clone(),
                    format!("`{key}` must be an array of tables ([[{key}]])"),
                );
                Vec::new()
            }
        };
        v.visit_seq(Seq {
            r: self.r,
            key,
            items: items.into_iter(),
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        self.map(Some(fields), v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.map(None, v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        f32 f64 char bytes byte_buf unit unit_struct tuple tuple_struct identifier
        i128 u128
    }
}

impl<'r, 'de> ValueDe<'r, 'de> {
    fn map<V: Visitor<'de>>(
        self,
        fields: Option<&'static [&'static str]>,
        v: V,
    ) -> Result<V::Value, Error> {
        let key = self.key;
        if matches!(self.node, Node::Missing) {
            return Err(Error::Recorded);
        }
        let Some(table) = self.table() else {
            // An item of an array has no key of its own.
            let msg = if self.key_span == self.span {
                format!("`{key}` holds tables only")
            } else {
                format!("`{key}` must be a table")
            };
            return Err(self.r.record(self.key_span.clone(), msg));
        };
        let mut m = Map {
            r: self.r,
            table,
            fields,
            next: 0,
            current: None,
            missing: self.missing.into_iter(),
            in_missing: false,
            done: false,
        };
        match v.visit_map(&mut m) {
            Err(Error::Missing(k)) => {
                self.r.record(self.span.clone(), format!("missing `{k}`"));
                Err(Error::Missing(k))
            }
            Err(Error::Custom(msg)) => {
                // A refusal about a key just read is that key's; one about
                // the whole (a key missing) is the table's.
                let span = match (m.current, !m.done && !m.in_missing) {
                    (Some(e), true) => e.key_span.clone(),
                    _ => self.span.clone(),
                };
                Err(self.r.record(span, msg))
            }
            r => r,
        }
    }
}

struct Seq<'r, 't, I> {
    r: &'r Reader<'r>,
    key: &'t str,
    items: I,
}

impl<'de, 'r, I: Iterator<Item = (Node<'de>, Span)>> de::SeqAccess<'de> for Seq<'r, 'de, I> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            Some((node, span)) => seed
                .deserialize(ValueDe {
                    r: self.r,
                    node,
                    key: self.key,
                    key_span: span.clone(),
                    span,
                    missing: Vec::new(),
                })
                .map(Some),
            None => Ok(None),
        }
    }

    // A table that cannot be read is left out and the next one read, so
    // that every problem of the file is found.
    fn next_element<T: de::Deserialize<'de>>(&mut self) -> Result<Option<T>, Error> {
        for (node, span) in self.items.by_ref() {
            if let Some(v) = read_table(self.r, node, self.key, span.clone(), span) {
                return Ok(Some(v));
            }
        }
        Ok(None)
    }
}

struct Map<'r, 't> {
    r: &'r Reader<'r>,
    table: &'t tree::Table<'t>,
    fields: Option<&'static [&'static str]>,
    next: usize,
    current: Option<&'t tree::Entry<'t>>,
    // After the table's keys: those found missing, as stand-ins.
    missing: std::vec::IntoIter<&'static str>,
    in_missing: bool,
    // Every key was read.
    done: bool,
}

impl<'de, 'r> de::MapAccess<'de> for &mut Map<'r, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        while let Some(e) = self.table.entries.get(self.next) {
            self.next += 1;
            if let Some(fields) = self.fields
                && !fields.contains(&&*e.key)
            {
                self.r.record(
                    e.key_span.clone(),
                    format!(
                        "unknown key `{}` (known here: {})",
                        e.key,
                        fields.join(", ")
                    ),
                );
                continue;
            }
            self.current = Some(e);
            let k: BorrowedStrDeserializer<'de, Error> = BorrowedStrDeserializer::new(&e.key);
            return seed.deserialize(k).map(Some);
        }
        match self.missing.next() {
            Some(k) => {
                self.in_missing = true;
                let k: StrDeserializer<'_, Error> = k.into_deserializer();
                seed.deserialize(k).map(Some)
            }
            None => {
                self.done = true;
                Ok(None)
            }
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        if self.in_missing {
            return seed.deserialize(ValueDe {
                r: self.r,
                node: Node::Missing,
                key: "",
                span: None,
                key_span: None,
                missing: Vec::new(),
            });
        }
        let e = self
            .current
            .ok_or_else(|| Error::Custom("a value without a key".into()))?;
        let node = Node::of(&e.item);
        let span = match node {
            Node::Value(v) => v.span.clone(),
            _ => e.item.span().or_else(|| e.key_span.clone()),
        };
        seed.deserialize(ValueDe {
            r: self.r,
            node,
            key: &e.key,
            span,
            key_span: e.key_span.clone(),
            missing: Vec::new(),
        })
    }
}
