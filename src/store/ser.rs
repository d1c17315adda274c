//! A serde `Serializer` into `toml_edit` tables, for the shapes of
//! [`crate::core::schema`]: fields in declaration order, absent options
//! and empty arrays left out, arrays of tables as `[[key]]`, money as a
//! decimal string in the ledger's currency and instants as native UTC
//! datetimes. What it makes is merged into the file as it stands.

use crate::core::Currency;
use crate::core::money::Money;
use serde::ser::{self, Serialize};
use std::fmt;
use toml_edit::{ArrayOfTables, Item, Table, Value};

/// Why a shape could not be written (a shape this serializer does not
/// take: a bug, never the user's data).
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// `value` as the root table of a file.
pub fn to_table<T: Serialize>(value: &T, currency: &Currency) -> Result<Table, Error> {
    match value.serialize(Ser(currency))? {
        Item::Table(t) => Ok(t),
        _ => Err(Error("a file is a table".into())),
    }
}

#[derive(Clone, Copy)]
struct Ser<'c>(&'c Currency);

fn value(v: impl Into<Value>) -> Result<Item, Error> {
    Ok(Item::Value(v.into()))
}

fn unsupported(what: &str) -> Error {
    Error(format!("the ledger files hold no {what}"))
}

/// The value a newtype wraps, or a map's key, as `toml_edit` writes it.
fn inner<T: Serialize + ?Sized>(v: &T) -> Result<Value, Error> {
    v.serialize(toml_edit::ser::ValueSerializer::new())
        .map_err(|e| Error(e.to_string()))
}

macro_rules! scalars {
    ($($m:ident $t:ty),*) => {$(
        fn $m(self, v: $t) -> Result<Item, Error> {
            inner(&v).map(Item::Value)
        }
    )*};
}

impl<'c> ser::Serializer for Ser<'c> {
    type Ok = Item;
    type Error = Error;
    type SerializeSeq = Seq<'c>;
    type SerializeTuple = ser::Impossible<Item, Error>;
    type SerializeTupleStruct = ser::Impossible<Item, Error>;
    type SerializeTupleVariant = ser::Impossible<Item, Error>;
    type SerializeMap = Tab<'c>;
    type SerializeStruct = Tab<'c>;
    type SerializeStructVariant = ser::Impossible<Item, Error>;

    // Plain values are written as `toml_edit` writes them.
    scalars!(serialize_bool bool, serialize_i8 i8, serialize_i16 i16, serialize_i32 i32,
        serialize_i64 i64, serialize_u8 u8, serialize_u16 u16, serialize_u32 u32,
        serialize_u64 u64, serialize_f32 f32, serialize_f64 f64, serialize_char char,
        serialize_str &str);
    fn serialize_bytes(self, _: &[u8]) -> Result<Item, Error> {
        Err(unsupported("bytes"))
    }
    fn serialize_none(self) -> Result<Item, Error> {
        Ok(Item::None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Item, Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Item, Error> {
        Err(unsupported("unit"))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Item, Error> {
        Err(unsupported("unit"))
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        v: &'static str,
    ) -> Result<Item, Error> {
        value(v)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<Item, Error> {
        match name {
            "Money" => match inner(v)? {
                Value::Integer(i) => value(self.0.format(Money::from_minor(*i.value()))),
                _ => Err(unsupported("money that is not minor units")),
            },
            "Instant" => match inner(v)? {
                Value::String(s) => {
                    let t = chrono::DateTime::parse_from_rfc3339(s.value())
                        .map_err(|e| Error(e.to_string()))?;
                    value(super::codec::datetime(t.with_timezone(&chrono::Utc)))
                }
                _ => Err(unsupported("instant that is not RFC 3339")),
            },
            _ => v.serialize(self),
        }
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Item, Error> {
        Err(unsupported("enum with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'c>, Error> {
        Ok(Seq(self, Vec::new()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(unsupported("tuple"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(unsupported("tuple"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(unsupported("tuple"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Tab<'c>, Error> {
        Ok(Tab(self, Table::new(), None))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Tab<'c>, Error> {
        Ok(Tab(self, Table::new(), None))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(unsupported("enum with data"))
    }
}

/// An array being written: of tables (`[[key]]`) or of values.
pub struct Seq<'c>(Ser<'c>, Vec<Item>);

impl ser::SerializeSeq for Seq<'_> {
    type Ok = Item;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.1.push(v.serialize(self.0)?);
        Ok(())
    }
    fn end(self) -> Result<Item, Error> {
        if self.1.is_empty() {
            return Ok(Item::None);
        }
        let mut tables = ArrayOfTables::new();
        let mut values = toml_edit::Array::new();
        for item in self.1 {
            match item {
                Item::Table(t) => tables.push(t),
                Item::Value(v) => values.push(v),
                _ => return Err(unsupported("absent value in an array")),
            }
        }
        match (tables.is_empty(), values.is_empty()) {
            (false, true) => Ok(Item::ArrayOfTables(tables)),
            (true, false) => Ok(Item::Value(values.into())),
            _ => Err(unsupported("array of tables and values")),
        }
    }
}

/// A table being written; the key waiting for its value (a map's).
pub struct Tab<'c>(Ser<'c>, Table, Option<String>);

impl Tab<'_> {
    fn put(&mut self, key: &str, item: Item) {
        if !item.is_none() {
            self.1.insert(key, item);
        }
    }

    fn done(mut self) -> Result<Item, Error> {
        // `[feedback.client]` with no `[feedback]` header of its own.
        if !self.1.is_empty() && self.1.iter().all(|(_, i)| i.is_table()) {
            self.1.set_implicit(true);
        }
        Ok(Item::Table(self.1))
    }
}

impl ser::SerializeStruct for Tab<'_> {
    type Ok = Item;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        let item = v.serialize(self.0)?;
        self.put(key, item);
        Ok(())
    }
    fn end(self) -> Result<Item, Error> {
        self.done()
    }
}

impl ser::SerializeMap for Tab<'_> {
    type Ok = Item;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        match inner(key)? {
            Value::String(s) => {
                self.2 = Some(s.into_value());
                Ok(())
            }
            _ => Err(unsupported("key that is not text")),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        let key = self
            .2
            .take()
            .ok_or_else(|| Error("a value without a key".into()))?;
        let item = v.serialize(self.0)?;
        self.put(&key, item);
        Ok(())
    }
    fn end(self) -> Result<Item, Error> {
        self.done()
    }
}
