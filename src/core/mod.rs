//! The functional core: pure rules over contracts. No file system, no
//! environment, no clock, no printing; "now" is always a parameter.
//!
//! Modules form layers, each using only those below it, so no two depend
//! on each other: `money`, `week`, `error`, `model`; `accounts` (where
//! escrow stands) and `diary::{week_file, billing}`; `validate`; `timers`;
//! `step` (the one transition every rule goes through); and the rules —
//! `lifecycle`, `escrow`, `feedback`, `diary::{entries, hourly}` — with
//! `movements`, `report` and `history` reading the result, and `schema`
//! (the files' shapes) over the model.

/// serde for a type written as text: the newtype `$name` around its text,
/// so that a format may check the text where it stands (the ledger files'
/// reader does) before `$parse` sees it.
macro_rules! text_serde {
    ($t:ty, $name:literal, $parse:expr) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_newtype_struct($name, &self.to_string())
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $t;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($name)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$t, E> {
                        ($parse)(v).map_err(E::custom)
                    }
                    fn visit_newtype_struct<D: serde::Deserializer<'de>>(
                        self,
                        d: D,
                    ) -> Result<$t, D::Error> {
                        d.deserialize_str(self)
                    }
                }
                d.deserialize_newtype_struct($name, V)
            }
        }
    };
}

pub mod accounts;
pub mod apply;
pub mod diary;
pub mod error;
pub mod escrow;
pub mod feedback;
pub mod fold;
pub mod history;
pub mod lifecycle;
pub mod merge;
pub mod model;
pub mod money;
pub mod movements;
pub mod parties;
#[cfg(test)]
mod proptests;
pub mod report;
pub mod schema;
pub mod step;
pub mod timers;
pub mod validate;
pub mod week;

pub use error::RuleError;
pub use model::*;
pub use money::{Currency, Money};

/// Ledger-wide settings the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// The ledger's currency.
    pub currency: Currency,
    /// The default acting role.
    pub role: Role,
    /// The freelancer's service fee, in whole percent.
    pub fee_percent: u8,
}

impl Settings {
    /// The service fee on a gross amount, rounded half away from zero.
    pub fn fee_on(&self, gross: Money) -> Money {
        gross.percent(i64::from(self.fee_percent) * 100)
    }
}

/// The outcome of a rule: the new state, and the events it appended to its
/// history (timers' first, then the command's own).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The contract after the transition.
    pub contract: Contract,
    /// What happened, in order.
    pub events: Vec<Event>,
}
