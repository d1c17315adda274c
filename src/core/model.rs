//! The contract model: what a contract file holds, as types.

use super::money::Money;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use std::fmt;
use std::str::FromStr;

/// A UTC instant.
pub type Instant = DateTime<Utc>;

/// Longest id accepted (ids are file names).
pub const MAX_ID_LEN: usize = 32;

/// Declares a string-valued enum with `as_str`, `FromStr` and `Display`.
macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $(#[doc = concat!("`", $s, "`")] $(#[$vm])* $var),+ }
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// Every value's name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($s),+];
            /// The name used in files, tables and JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $s),+ }
            }
        }
        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($s => Ok($name::$var),)+
                    _ => Err(format!(
                        "`{}` is not one of: {}",
                        s,
                        [$($s),+].join(", ")
                    )),
                }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        // An enum of names, so that a format may check the name against
        // `NAMES` where it stands.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str(stringify!($name))
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        v.parse().map_err(E::custom)
                    }
                    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, a: A) -> Result<$name, A::Error> {
                        use serde::de::VariantAccess;
                        let (name, rest): (String, _) = a.variant()?;
                        rest.unit_variant()?;
                        name.parse().map_err(serde::de::Error::custom)
                    }
                }
                d.deserialize_enum(stringify!($name), $name::NAMES, V)
            }
        }
    };
}

/// serde for an instant: the newtype `Instant` around its RFC 3339 text, so
/// that a format with native datetimes (TOML) writes and reads one.
pub mod instant_serde {
    use super::Instant;
    use serde::{Deserializer, Serializer};

    /// Writes `t`.
    pub fn serialize<S: Serializer>(t: &Instant, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(
            "Instant",
            &t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        )
    }

    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Instant;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an instant")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Instant, E> {
            chrono::DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(E::custom)
        }
        /// Nanoseconds since the Unix epoch: how the store's reader hands
        /// over an instant it has already checked (no text round trip).
        fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Instant, E> {
            let secs = i64::try_from(v.div_euclid(1_000_000_000)).map_err(E::custom)?;
            let nanos = u32::try_from(v.rem_euclid(1_000_000_000)).map_err(E::custom)?;
            chrono::DateTime::from_timestamp(secs, nanos)
                .ok_or_else(|| E::custom("instant out of range"))
        }
        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Instant, D::Error> {
            d.deserialize_str(self)
        }
    }

    /// `t` in nanoseconds since the Unix epoch, as the store hands it over.
    pub fn nanos(t: &Instant) -> i128 {
        i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos())
    }

    /// Reads one.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Instant, D::Error> {
        d.deserialize_newtype_struct("Instant", V)
    }

    /// The same for an optional instant.
    pub mod opt {
        use super::Instant;
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        #[derive(Serialize, Deserialize)]
        struct W(#[serde(with = "super")] Instant);

        /// Writes `t`, if any.
        pub fn serialize<S: Serializer>(t: &Option<Instant>, s: S) -> Result<S::Ok, S::Error> {
            t.map(W).serialize(s)
        }

        /// Reads one, if any.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Instant>, D::Error> {
            Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
        }
    }
}

str_enum!(
    /// The party a command acts as.
    Role { Client = "client", Freelancer = "freelancer" }
);
str_enum!(
    /// Who made a transition: a party, or the timers.
    Actor { Client = "client", Freelancer = "freelancer", System = "system" }
);
str_enum!(
    /// Hourly or fixed price.
    Kind { Hourly = "hourly", Fixed = "fixed" }
);
str_enum!(
    /// Lifecycle status; `ended` is final.
    Status { Active = "active", Paused = "paused", Ended = "ended", Offered = "offered" }
);
str_enum!(
    /// Why a contract ended.
    EndReason {
        Completed = "completed",
        Unresponsive = "unresponsive",
        Unsuccessful = "unsuccessful",
        Other = "other",
    }
);
str_enum!(
    /// Where a milestone stands.
    MilestoneStatus {
        /// Not funded yet.
        Pending = "pending",
        /// Its amount is in escrow.
        Funded = "funded",
        /// Work submitted, waiting for the client.
        Submitted = "submitted",
        /// Paid out (in whole or part) and closed.
        Released = "released",
        /// Its escrow went back to the client and it is closed.
        Refunded = "refunded",
    }
);
str_enum!(
    /// Where a refund stands.
    RefundStatus {
        /// Waiting for the freelancer (7 days).
        Requested = "requested",
        /// The freelancer disputed; waiting for the client (5 business days).
        Disputed = "disputed",
        /// In mediation, until `refund resolve`.
        Escalated = "escalated",
        /// The money went back to the client.
        Refunded = "refunded",
        /// The money went to the freelancer.
        Released = "released",
        /// Split by mediation.
        Resolved = "resolved",
    }
);
str_enum!(
    /// Where one party's feedback stands.
    FeedbackStatus {
        /// Not given; the window may be open.
        Pending = "pending",
        /// Given; hidden from the other party for now.
        Submitted = "submitted",
        /// Given and visible to both.
        Revealed = "revealed",
        /// Not given before the window closed.
        Expired = "expired",
    }
);
str_enum!(
    /// Where an hourly dispute stands.
    DisputeStatus {
        /// Waiting for the freelancer.
        Open = "open",
        /// The freelancer accepted: the week's hours are refunded.
        Accepted = "accepted",
        /// The freelancer declined: the hours stand.
        Declined = "declined",
        /// The client withdrew it: billed as normal.
        Withdrawn = "withdrawn",
    }
);
str_enum!(
    /// Where a refund came from.
    RefundOrigin {
        /// The client's `refund request`.
        Request = "request",
        /// The remainder of escrow when the client ended the contract.
        End = "end",
        /// The freelancer ended: escrow returned at once.
        FreelancerEnd = "freelancer_end",
        /// The freelancer gave back released money.
        Given = "given",
    }
);

impl RefundOrigin {
    /// `request`: a refund whose file did not say where it came from.
    pub fn request() -> RefundOrigin {
        RefundOrigin::Request
    }
}

impl Refund {
    /// A refund requested at `at`, for the freelancer to answer by `deadline`.
    pub fn requested(
        origin: RefundOrigin,
        milestone: Option<u32>,
        amount: Money,
        at: Instant,
        deadline: Instant,
    ) -> Refund {
        Refund {
            origin,
            milestone,
            amount,
            status: RefundStatus::Requested,
            requested_at: at,
            deadline,
            disputed_at: None,
            dispute_deadline: None,
            note: None,
            settled_at: None,
            client_part: None,
            fee_returned: None,
        }
    }

    /// A refund made at once, with no request to answer.
    pub fn done(
        origin: RefundOrigin,
        milestone: Option<u32>,
        amount: Money,
        at: Instant,
        fee_returned: Option<Money>,
    ) -> Refund {
        Refund {
            status: RefundStatus::Refunded,
            settled_at: Some(at),
            fee_returned,
            ..Refund::requested(origin, milestone, amount, at, at)
        }
    }
}

impl RefundStatus {
    /// Still holding money in escrow.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RefundStatus::Requested | RefundStatus::Disputed | RefundStatus::Escalated
        )
    }
}

impl Role {
    /// The actor for this role.
    pub fn actor(self) -> Actor {
        match self {
            Role::Client => Actor::Client,
            Role::Freelancer => Actor::Freelancer,
        }
    }
    /// The other party.
    pub fn other(self) -> Role {
        match self {
            Role::Client => Role::Freelancer,
            Role::Freelancer => Role::Client,
        }
    }
    /// Whether this role sees the service fee and the net: the fee is
    /// between the marketplace and the freelancer, so a client never sees
    /// it (in tables, JSON and exports alike).
    pub fn sees_fee(self) -> bool {
        self == Role::Freelancer
    }
}

/// A contract id: letters, digits, `-`, `_`; 1 to 32 characters. Ordered
/// naturally: automatic ids by number (c2 before c10), then the others.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContractId(String);

impl Ord for ContractId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        fn key(id: &ContractId) -> (u64, &str) {
            (id.auto_number().unwrap_or(u64::MAX), &id.0)
        }
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for ContractId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl ContractId {
    /// Checks that `s` is safe as a file name.
    pub fn parse(s: &str) -> Result<ContractId, String> {
        if s.is_empty() {
            return Err("a contract id cannot be empty".into());
        }
        if s.chars().count() > MAX_ID_LEN {
            return Err(format!(
                "contract id is {} characters long; at most {MAX_ID_LEN} are allowed",
                s.chars().count()
            ));
        }
        if let Some(bad) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(format!(
                "contract id `{}` contains {:?}: ids use letters, digits, `-` and `_` only",
                s.escape_default(),
                bad
            ));
        }
        Ok(ContractId(s.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number of an automatic id: `cN`, or `cN-xxxxxx` (a shared
    /// ledger's, whose suffix keeps two clones' ids apart).
    pub fn auto_number(&self) -> Option<u64> {
        Self::auto_number_of(self.0.as_bytes())
    }

    /// The order of two ids given as text (their [`Ord`]), without making
    /// them: auto numbers first, by number, then by name.
    pub fn order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
        let key = |id: &[u8]| Self::auto_number_of(id).unwrap_or(u64::MAX);
        key(a).cmp(&key(b)).then_with(|| a.cmp(b))
    }

    /// [`ContractId::auto_number`] of an id's bytes.
    fn auto_number_of(b: &[u8]) -> Option<u64> {
        // By bytes: ids are compared by this (every map of contracts), so it
        // must not cost a search.
        let (&b'c', rest) = b.split_first()? else {
            return None;
        };
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || rest[0] == b'0' {
            return None;
        }
        match &rest[digits..] {
            [] => {}
            [b'-', tag @ ..] if tag.len() == 6 && tag.iter().all(u8::is_ascii_hexdigit) => {}
            _ => return None,
        }
        rest[..digits].iter().try_fold(0u64, |n, d| {
            n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
    }
}

text_serde!(ContractId, "ContractId", ContractId::parse);

impl fmt::Display for ContractId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// Hourly or fixed terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Terms {
    /// Paid by the hour through the work diary.
    Hourly {
        /// Per hour.
        rate: Money,
        /// Billable hours per week at the start; `None` for no limit.
        weekly_limit: Option<u32>,
        /// Later changes of the limit, oldest first.
        limit_changes: Vec<LimitChange>,
        /// Whether manual (logged after the fact) time is allowed.
        manual_time: bool,
    },
    /// A price split into milestones, funded into escrow.
    Fixed {
        /// The agreed price.
        price: Money,
    },
}

/// A change of the weekly limit \[211062418\]: a raise applies at once (to the
/// current week), a cut from the next Monday 00:00 UTC.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LimitChange {
    /// When the client made it.
    #[serde(with = "instant_serde")]
    pub at: Instant,
    /// When it takes effect: it governs every week that ends after this.
    #[serde(with = "instant_serde")]
    pub from: Instant,
    /// The new limit; `None` for no limit.
    pub hours: Option<u32>,
}

/// The state of an hourly dispute of one week.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HourlyDispute {
    /// The disputed week.
    pub week: super::week::Week,
    /// The client's reason.
    #[serde(default)]
    pub reason: String,
    /// Where it stands.
    pub status: DisputeStatus,
    /// When it was opened.
    #[serde(with = "instant_serde")]
    pub opened_at: Instant,
    /// When it was closed.
    #[serde(default, with = "instant_serde::opt")]
    pub closed_at: Option<Instant>,
    /// The amount refunded when the freelancer accepted.
    pub refunded: Option<Money>,
}

/// How a contract ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    /// When (the diary is locked from this instant).
    pub at: Instant,
    /// Who ended it.
    pub by: Role,
    /// Why.
    pub reason: EndReason,
    /// An optional note.
    pub note: Option<String>,
}

/// A milestone of a fixed contract.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Milestone {
    /// Its title.
    pub title: String,
    /// The agreed amount.
    pub amount: Money,
    /// Where it stands.
    pub status: MilestoneStatus,
    /// Money put into escrow for it (its amount, plus any carried remainder).
    #[serde(default)]
    pub funded: Money,
    /// When it was funded.
    #[serde(default, with = "instant_serde::opt")]
    pub funded_at: Option<Instant>,
    /// When work was last submitted (starts the 14-day clock).
    #[serde(default, with = "instant_serde::opt")]
    pub submitted_at: Option<Instant>,
}

/// A payment released to the freelancer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Payment {
    /// When.
    #[serde(with = "instant_serde")]
    pub at: Instant,
    /// The milestone it came from (1-based), if any.
    pub milestone: Option<u32>,
    /// The hourly billing week it pays, for a settled week of the diary.
    pub week: Option<super::week::Week>,
    /// The gross amount.
    pub amount: Money,
    /// The service fee on it.
    pub fee: Money,
}

/// A refund: requested, disputed, or done.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refund {
    /// Where it came from (files before it was recorded: a request).
    #[serde(default = "RefundOrigin::request")]
    pub origin: RefundOrigin,
    /// The milestone whose escrow it concerns (1-based), if any.
    pub milestone: Option<u32>,
    /// The amount.
    pub amount: Money,
    /// Where it stands.
    pub status: RefundStatus,
    /// When it was requested.
    #[serde(with = "instant_serde")]
    pub requested_at: Instant,
    /// The freelancer's deadline to answer (auto-approval after it).
    #[serde(with = "instant_serde")]
    pub deadline: Instant,
    /// When the freelancer disputed it.
    #[serde(default, with = "instant_serde::opt")]
    pub disputed_at: Option<Instant>,
    /// The client's deadline to concede or escalate.
    #[serde(default, with = "instant_serde::opt")]
    pub dispute_deadline: Option<Instant>,
    /// The freelancer's note when disputing.
    pub note: Option<String>,
    /// When it was settled.
    #[serde(default, with = "instant_serde::opt")]
    pub settled_at: Option<Instant>,
    /// For a mediated resolution: the client's part (the rest went to the freelancer).
    pub client_part: Option<Money>,
    /// The fee returned with a refund of released money.
    pub fee_returned: Option<Money>,
}

/// Category scores of feedback, each 1 to 5.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Scores {
    /// Skills.
    pub skills: Option<u8>,
    /// Quality of work.
    pub quality: Option<u8>,
    /// Availability.
    pub availability: Option<u8>,
    /// Adherence to deadlines.
    pub deadlines: Option<u8>,
    /// Communication.
    pub communication: Option<u8>,
    /// Cooperation.
    pub cooperation: Option<u8>,
}

impl Scores {
    /// The categories with their names.
    pub fn named(&self) -> [(&'static str, Option<u8>); 6] {
        [
            ("skills", self.skills),
            ("quality", self.quality),
            ("availability", self.availability),
            ("deadlines", self.deadlines),
            ("communication", self.communication),
            ("cooperation", self.cooperation),
        ]
    }
}

/// One party's feedback about the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// Where it stands.
    pub status: FeedbackStatus,
    /// When it was given.
    pub given_at: Option<Instant>,
    /// Stars, 1 to 5.
    pub stars: Option<u8>,
    /// Category scores.
    pub scores: Scores,
    /// The public comment.
    pub comment: Option<String>,
    /// The private note (only ever shown to its author).
    pub private: Option<String>,
    /// The recipient's reply.
    pub reply: Option<String>,
    /// When the reply was given.
    pub replied_at: Option<Instant>,
    /// In a shared ledger: the salted hash the author committed to when
    /// giving it; the content follows when the author publishes it.
    pub commitment: Option<String>,
    /// The salt, published with the content.
    pub salt: Option<String>,
}

impl Feedback {
    /// Feedback not given yet.
    pub fn pending() -> Feedback {
        Feedback {
            status: FeedbackStatus::Pending,
            given_at: None,
            stars: None,
            scores: Scores::default(),
            comment: None,
            private: None,
            reply: None,
            replied_at: None,
            commitment: None,
            salt: None,
        }
    }

    /// Committed to, not published yet by its author.
    pub fn unpublished(&self) -> bool {
        self.commitment.is_some() && self.stars.is_none()
    }
}

/// The commitment to feedback: `sha256:` and the hex SHA-256 of its salt,
/// stars, scores and comment, one per line (an absent one empty).
pub fn commitment_of(salt: &str, stars: u8, scores: &Scores, comment: Option<&str>) -> String {
    use sha2::{Digest, Sha256};
    let mut text = format!("contracts feedback 1\n{salt}\n{stars}\n");
    for (_, v) in scores.named() {
        text.push_str(&v.map(|v| v.to_string()).unwrap_or_default());
        text.push('\n');
    }
    text.push_str(comment.unwrap_or_default());
    let hash = Sha256::digest(text.as_bytes());
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Whether published feedback is what its author committed to.
pub fn matches_commitment(f: &Feedback) -> bool {
    match (&f.commitment, &f.salt, f.stars) {
        (Some(c), Some(salt), Some(stars)) => {
            &commitment_of(salt, stars, &f.scores, f.comment.as_deref()) == c
        }
        _ => true,
    }
}

/// Declares the arguments an operation may carry: each name once, with its
/// type; [`Args`] holds any of them, and `arg::NAME` is the type.
macro_rules! args {
    ($($(#[$m:meta])* $name:ident : $t:ident),+ $(,)?) => {
        /// The type of each argument, by name.
        #[allow(non_camel_case_types)]
        pub mod arg {
            use super::*;
            $(#[doc = concat!("`", stringify!($name), "`")] pub type $name = $t;)+
        }
        /// Every argument an operation may carry, each optional: the flat
        /// form a history entry is stored in.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct Args {
            $($(#[$m])* pub $name: Option<$t>,)+
        }
        impl Args {
            /// Every argument's name, in the order files list them.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name)),+];
            /// The type of the argument `name`.
            pub fn type_of(name: &str) -> Option<ArgType> {
                match name {
                    $(stringify!($name) => Some(<$t as ArgValue>::TYPE),)+
                    _ => None,
                }
            }
            /// Each argument present, by name, in [`Args::NAMES`] order.
            pub fn each(&self, mut f: impl FnMut(&'static str, Arg)) {
                $(if let Some(v) = &self.$name { f(stringify!($name), v.clone().into_arg()); })+
            }
            /// Sets the argument `name` unless it is set; whether it was.
            pub fn set_if_absent(&mut self, name: &str, v: Arg) -> bool {
                let mut present = false;
                self.each(|n, _| present |= n == name);
                if !present {
                    let _ = self.set(name, v);
                }
                present
            }
            /// Sets the argument `name`; refuses an unknown name or a value
            /// of the wrong type.
            pub fn set(&mut self, name: &str, v: Arg) -> Result<(), String> {
                match name {
                    $(stringify!($name) => self.$name = Some(<$t as ArgValue>::from_arg(v)
                        .ok_or_else(|| format!("`{name}` has the wrong type"))?),)+
                    _ => return Err(format!("unknown argument `{name}`")),
                }
                Ok(())
            }
        }
    };
}

/// One argument's value, whatever its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// A count or a number from 1.
    Number(i64),
    /// An amount.
    Money(Money),
    /// An instant.
    Instant(Instant),
    /// A week.
    Week(super::week::Week),
    /// Text, or the name of a value of a string enum.
    Text(String),
    /// Yes or no.
    Bool(bool),
}

/// The type of an argument, to read it from a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgType {
    /// A whole number.
    Number,
    /// An amount.
    Money,
    /// An instant.
    Instant,
    /// A week.
    Week,
    /// Text.
    Text,
    /// One of the named values.
    Name(&'static [&'static str]),
    /// Yes or no.
    Bool,
}

/// A type an argument may have.
pub trait ArgValue: Sized + Clone {
    /// How it is read.
    const TYPE: ArgType;
    /// As an [`Arg`].
    fn into_arg(self) -> Arg;
    /// From an [`Arg`] of the right type.
    fn from_arg(a: Arg) -> Option<Self>;
}

macro_rules! arg_number {
    ($($t:ty),*) => {$(
        impl ArgValue for $t {
            const TYPE: ArgType = ArgType::Number;
            fn into_arg(self) -> Arg {
                Arg::Number(i64::from(self))
            }
            fn from_arg(a: Arg) -> Option<Self> {
                match a {
                    Arg::Number(n) => <$t>::try_from(n).ok(),
                    _ => None,
                }
            }
        }
    )*};
}
arg_number!(u32, i64);

macro_rules! arg_plain {
    ($($t:ty => $v:ident),*) => {$(
        impl ArgValue for $t {
            const TYPE: ArgType = ArgType::$v;
            fn into_arg(self) -> Arg {
                Arg::$v(self)
            }
            fn from_arg(a: Arg) -> Option<Self> {
                match a {
                    Arg::$v(x) => Some(x),
                    _ => None,
                }
            }
        }
    )*};
}
arg_plain!(Money => Money, Instant => Instant, super::week::Week => Week, String => Text, bool => Bool);

macro_rules! arg_name {
    ($($t:ty),*) => {$(
        impl ArgValue for $t {
            const TYPE: ArgType = ArgType::Name(<$t>::NAMES);
            fn into_arg(self) -> Arg {
                Arg::Text(self.as_str().to_string())
            }
            fn from_arg(a: Arg) -> Option<Self> {
                match a {
                    Arg::Text(s) => s.parse().ok(),
                    _ => None,
                }
            }
        }
    )*};
}
arg_name!(EndReason, FeedbackStatus);

/// A week, for the argument table.
type Week = super::week::Week;

args! {
    /// The milestone, numbered from 1.
    milestone: u32,
    /// The refund, numbered from 1 in the contract's list.
    refund: u32,
    /// The diary week.
    week: Week,
    /// The diary entry's local id (`2026W47-3`).
    entry: String,
    /// A milestone's title.
    title: String,
    /// Why the contract ended.
    end_reason: EndReason,
    /// The reason given (an hourly dispute).
    reason: String,
    /// A note given with the command.
    note: String,
    /// What the client chose to pay on ending.
    paid: Money,
    /// The escrow free when the contract ended.
    escrow: Money,
    /// The marketplace fee on the amount.
    fee: Money,
    /// Escrow carried over from an earlier milestone.
    carried: Money,
    /// What stayed in escrow after a partial approval.
    rest: Money,
    /// The milestone the rest carried to.
    carried_to: u32,
    /// The client's part of a resolved dispute.
    client_part: Money,
    /// The fixed price when the contract was made.
    price: Money,
    /// A weekly limit in hours (absent: none).
    hours: u32,
    /// How many milestones a fixed-price contract was made with (its terms:
    /// a milestone after them is one an operation added).
    milestones: u32,
    /// The hourly rate a contract was made with.
    rate: Money,
    /// The weekly limit before a change (absent: none).
    previous: u32,
    /// When a limit change takes effect.
    from: Instant,
    /// When the other party's answer is due.
    deadline: Instant,
    /// When a submitted milestone is released unless the client acts.
    due: Instant,
    /// When a running timer was stopped.
    stopped_at: Instant,
    /// Billable seconds (a settled week), or a stopped timer's length.
    seconds: i64,
    /// The amount the command was given (absent: it took the default, all
    /// that was free).
    asked: Money,
    /// The command asked for all of it (`end --pay full`).
    all: bool,
    /// Made by ending the contract.
    ending: bool,
    /// The milestone was funded as it was added (`milestone add --fund`).
    fund: bool,
    /// The contract was paused by it.
    paused: bool,
    /// Where the client's feedback stands after the window closed.
    client_feedback: FeedbackStatus,
    /// Where the freelancer's feedback stands after the window closed.
    freelancer_feedback: FeedbackStatus,
}

/// Declares the operations: each kind's name in files, and the arguments it
/// needs (before `;`) and may have (after it). Generates [`EventKind`],
/// [`Op`] and the conversions between an `Op` and its flat [`Args`].
macro_rules! ops {
    ($($(#[$m:meta])* $var:ident = $s:literal { $($r:ident),* ; $($o:ident),* }),+ $(,)?) => {
        str_enum!(
            /// What an event of a contract's history records: one kind per
            /// transition of the rules and per timer.
            EventKind { $($var = $s),+ }
        );

        /// What an event records, with the arguments that say what it did:
        /// the subject (milestone, refund, week, entry), the request's own
        /// arguments, and the figures its sentence names.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Op {
            $($(#[$m])* $var { $(#[allow(missing_docs)] $r: arg::$r,)* $(#[allow(missing_docs)] $o: Option<arg::$o>,)* },)+
            /// An event recorded by file version 1: its kind and its
            /// sentence, without arguments.
            Legacy {
                /// What it was.
                kind: EventKind,
                /// The sentence recorded with it.
                detail: String,
            },
        }

        impl Op {
            /// Its kind.
            pub fn kind(&self) -> EventKind {
                match self {
                    $(Op::$var { .. } => EventKind::$var,)+
                    Op::Legacy { kind, .. } => *kind,
                }
            }

            /// Its arguments, flat.
            pub fn args(&self) -> Args {
                match self {
                    $(Op::$var { $($r,)* $($o,)* } => Args {
                        $($r: Some($r.clone()),)*
                        $($o: $o.clone(),)*
                        ..Args::default()
                    },)+
                    Op::Legacy { .. } => Args::default(),
                }
            }

            /// The operation of `kind` with `args`: every argument it needs,
            /// and none it does not have.
            pub fn from_args(kind: EventKind, a: Args) -> Result<Op, String> {
                let (needs, may) = Op::arguments(kind);
                let mut extra = Vec::new();
                a.each(|name, _| if !needs.contains(&name) && !may.contains(&name) {
                    extra.push(name);
                });
                if !extra.is_empty() {
                    let known: Vec<&str> = needs.iter().chain(may).copied().collect();
                    return Err(format!(
                        "`{kind}` has no argument {} (its arguments: {})",
                        extra.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
                        if known.is_empty() { "none".to_string() } else { known.join(", ") }
                    ));
                }
                let missing = |name: &str| format!("`{kind}` needs `{name}`");
                Ok(match kind {
                    $(EventKind::$var => Op::$var {
                        $($r: a.$r.ok_or_else(|| missing(stringify!($r)))?,)*
                        $($o: a.$o,)*
                    },)+
                })
            }

            /// The arguments `kind` needs, and those it may have.
            pub fn arguments(kind: EventKind) -> (&'static [&'static str], &'static [&'static str]) {
                match kind {
                    $(EventKind::$var => (&[$(stringify!($r)),*], &[$(stringify!($o)),*]),)+
                }
            }
        }
    };
}

ops! {
    /// `new`: the terms it was made with.
    Created = "created" { ; price, hours, milestones, rate },
    /// `pause`.
    Paused = "paused" { ; },
    /// `resume`.
    Resumed = "resumed" { ; },
    /// `end`: why, and what happened to the escrow.
    Ended = "ended" { end_reason ; note, paid, escrow, asked, all },
    /// Escrow released by the client's `end`.
    Released = "released" { milestone, fee ; },
    /// Escrow returned by the freelancer's `end`.
    Refunded = "refunded" { milestone ; },
    /// `refund request`, or the rest of the escrow on ending.
    RefundRequested = "refund_requested" { refund, milestone, deadline ; ending, asked },
    /// `refund approve`.
    RefundApproved = "refund_approved" { refund ; },
    /// The freelancer did not answer in 7 days.
    RefundAutoApproved = "refund_auto_approved" { refund ; },
    /// `refund dispute`.
    RefundDisputed = "refund_disputed" { refund, deadline ; note },
    /// `refund give`.
    RefundGiven = "refund_given" { refund, fee ; },
    /// `refund concede`.
    DisputeConceded = "dispute_conceded" { refund ; },
    /// `refund escalate`.
    DisputeEscalated = "dispute_escalated" { refund ; },
    /// `refund resolve`.
    DisputeResolved = "dispute_resolved" { refund, client_part ; },
    /// The client did not concede or escalate in 5 business days.
    DisputeDefaulted = "dispute_defaulted" { refund ; },
    /// `milestone add`.
    MilestoneAdded = "milestone_added" { milestone, title ; fund },
    /// `milestone fund` (or `milestone add --fund`).
    MilestoneFunded = "milestone_funded" { milestone ; carried },
    /// `milestone submit`.
    MilestoneSubmitted = "milestone_submitted" { milestone, due ; },
    /// `milestone request-changes`.
    ChangesRequested = "changes_requested" { milestone ; },
    /// `milestone approve`.
    MilestoneApproved = "milestone_approved" { milestone, fee ; rest, carried_to, asked },
    /// No client action within 14 days of submission.
    MilestoneAutoReleased = "milestone_auto_released" { milestone ; },
    /// `feedback give`.
    FeedbackGiven = "feedback_given" { ; },
    /// `feedback reply`.
    FeedbackReplied = "feedback_replied" { ; },
    /// Both parties gave feedback.
    FeedbackRevealed = "feedback_revealed" { ; },
    /// 14 days after the end.
    FeedbackWindowClosed = "feedback_window_closed" { ; client_feedback, freelancer_feedback },
    /// `limit`.
    LimitChanged = "limit_changed" { from ; hours, previous },
    /// `diary dispute --reason`.
    WeekDisputed = "week_disputed" { week, reason ; paused },
    /// `diary dispute --accept`.
    DisputeAccepted = "dispute_accepted" { week ; },
    /// `diary dispute --decline`.
    DisputeDeclined = "dispute_declined" { week ; },
    /// `diary dispute --withdraw`.
    DisputeWithdrawn = "dispute_withdrawn" { week ; },
    /// A week settled (or a dispute that held it ended).
    WeekPaid = "week_paid" { week, seconds, fee ; },
    /// A running timer stopped by a pause or the end.
    TimerStopped = "timer_stopped" { entry ; stopped_at, seconds },
    /// Its author published feedback committed to earlier (shared ledger).
    FeedbackPublished = "feedback_published" { ; },
    /// `accept`: the freelancer took the offer; the contract starts.
    OfferAccepted = "offer_accepted" { ; },
    /// `decline`: the freelancer turned the offer down; its escrow returns.
    OfferDeclined = "offer_declined" { ; escrow },
}

impl EventKind {
    /// Whether a party asks for it: an operation's own event, kept in the
    /// history (version 3). The rest are what operations and timers came
    /// to, derived by the fold.
    pub fn is_request(self) -> bool {
        use EventKind as K;
        match self {
            K::Created
            | K::Paused
            | K::Resumed
            | K::Ended
            | K::RefundRequested
            | K::RefundApproved
            | K::RefundDisputed
            | K::RefundGiven
            | K::DisputeConceded
            | K::DisputeEscalated
            | K::DisputeResolved
            | K::MilestoneAdded
            | K::MilestoneFunded
            | K::MilestoneSubmitted
            | K::ChangesRequested
            | K::MilestoneApproved
            | K::FeedbackGiven
            | K::FeedbackReplied
            | K::FeedbackPublished
            | K::LimitChanged
            | K::WeekDisputed
            | K::DisputeAccepted
            | K::DisputeDeclined
            | K::DisputeWithdrawn
            | K::OfferAccepted
            | K::OfferDeclined => true,
            K::Released
            | K::Refunded
            | K::RefundAutoApproved
            | K::DisputeDefaulted
            | K::MilestoneAutoReleased
            | K::FeedbackRevealed
            | K::FeedbackWindowClosed
            | K::WeekPaid
            | K::TimerStopped => false,
        }
    }

    /// The arguments of an operation's own event that say what it came to
    /// (a fee, a deadline, which refund), not what was asked: the fold
    /// derives them, so version 3 keeps them with the effects.
    pub fn outcome_args(self) -> &'static [&'static str] {
        use EventKind as K;
        match self {
            K::Ended => &["paid", "escrow"],
            K::RefundRequested => &["refund", "milestone", "deadline", "ending"],
            K::RefundApproved
            | K::DisputeConceded
            | K::DisputeEscalated
            | K::DisputeResolved
            | K::RefundAutoApproved
            | K::DisputeDefaulted => &["refund"],
            K::RefundDisputed => &["refund", "deadline"],
            K::RefundGiven => &["refund", "fee"],
            K::MilestoneAdded => &["milestone"],
            K::MilestoneFunded => &["carried"],
            K::MilestoneSubmitted => &["due"],
            K::MilestoneApproved => &["fee", "rest", "carried_to"],
            K::LimitChanged => &["from", "previous"],
            K::WeekDisputed => &["paused"],
            K::OfferDeclined => &["escrow"],
            K::Created
            | K::Paused
            | K::Resumed
            | K::ChangesRequested
            | K::FeedbackGiven
            | K::FeedbackReplied
            | K::FeedbackPublished
            | K::DisputeAccepted
            | K::DisputeDeclined
            | K::DisputeWithdrawn
            | K::OfferAccepted
            | K::Released
            | K::Refunded
            | K::MilestoneAutoReleased
            | K::FeedbackRevealed
            | K::FeedbackWindowClosed
            | K::WeekPaid
            | K::TimerStopped => &[],
        }
    }

    /// Whether the amount of its event is what the party asked for (the
    /// milestone added, the refund given, the dispute's two parts); for
    /// every other kind the amount is what the rules came to.
    pub fn amount_is_asked(self) -> bool {
        matches!(
            self,
            EventKind::MilestoneAdded | EventKind::RefundGiven | EventKind::DisputeResolved
        )
    }
}

/// An event of a contract's history: an operation, who made it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Unique across clones of the ledger: given when the event is first
    /// written (see [`Event::timer_id`] for the timers'); empty until then.
    pub id: String,
    /// When it happened (for a timer, when it fell due).
    pub at: Instant,
    /// Who did it.
    pub actor: Actor,
    /// What happened, with its arguments.
    pub op: Op,
    /// The amount moved, if any.
    pub amount: Option<Money>,
    /// Why a merge of two clones set it aside: the rules refused it in the
    /// merged order, so it changed nothing and moved no money.
    pub superseded: Option<String>,
}

impl Event {
    /// Whether it is an operation's own event: the first event a party's
    /// request recorded (its id has no `.`), of a kind a party asks for.
    /// Everything else is an effect: what operations and timers came to.
    pub fn is_operation(&self) -> bool {
        !self.id.contains('.')
            && self.actor != Actor::System
            && !matches!(self.op, Op::Legacy { .. })
            && self.kind().is_request()
    }

    /// Whether it took effect (a merge did not set it aside).
    pub fn counts(&self) -> bool {
        self.superseded.is_none()
    }

    /// What happened.
    pub fn kind(&self) -> EventKind {
        self.op.kind()
    }

    /// The id of a timer's event: the same in every clone that applies the
    /// timer (a hash of the contract, the kind, its subject and instant).
    pub fn timer_id(contract: &ContractId, e: &Event) -> String {
        let a = e.op.args();
        fnv_hex(&format!(
            "{contract}/{}/{}.{}/{:?}/{:?}/{:?}",
            e.kind(),
            e.at.timestamp(),
            e.at.timestamp_subsec_nanos(),
            a.milestone,
            a.refund,
            a.week.map(|w| w.to_string())
        ))
    }

    /// The id given to the event at `index` of a version-1 file, which had
    /// none: the same in every clone that upgrades the file.
    pub fn legacy_id(contract: &ContractId, index: usize, e: &Event) -> String {
        fnv_hex(&format!(
            "{contract}/{index}/{}/{}",
            e.kind(),
            e.at.timestamp()
        ))
    }
}

/// FNV-1a, 64 bits, as 16 hex digits: stable across builds and platforms.
pub(crate) fn fnv_hex(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Builds an event (its id is given when it is written).
pub(crate) fn event(at: Instant, actor: Actor, op: Op, amount: Option<Money>) -> Event {
    Event {
        id: String::new(),
        at,
        actor,
        op,
        amount,
        superseded: None,
    }
}

/// A contract, as its file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    /// Its id (also its file name).
    pub id: ContractId,
    /// Title.
    pub title: String,
    /// The client's name.
    pub client: String,
    /// The freelancer's name.
    pub freelancer: String,
    /// Hourly or fixed terms.
    pub terms: Terms,
    /// Lifecycle status.
    pub status: Status,
    /// When it started.
    pub started_at: Instant,
    /// How it ended, once ended.
    pub ending: Option<Ending>,
    /// Milestones (fixed contracts).
    pub milestones: Vec<Milestone>,
    /// Payments released to the freelancer.
    pub payments: Vec<Payment>,
    /// Refunds.
    pub refunds: Vec<Refund>,
    /// Hourly disputes, one per disputed week.
    pub disputes: Vec<HourlyDispute>,
    /// Feedback by author (after end).
    pub feedback_client: Option<Feedback>,
    /// Feedback the freelancer gave.
    pub feedback_freelancer: Option<Feedback>,
    /// Everything that happened, oldest first.
    pub history: Vec<Event>,
}

/// Money of a contract, derived from its milestones, payments and refunds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Put into escrow.
    pub funded: Money,
    /// Released to the freelancer (gross), less refunds given back.
    pub paid: Money,
    /// Service fees on what was paid.
    pub fee: Money,
    /// Returned to the client.
    pub refunded: Money,
    /// In escrow now, including `held`.
    pub escrow: Money,
    /// Part of escrow held by open refund requests and disputes.
    pub held: Money,
}

impl Contract {
    /// Hourly or fixed.
    pub fn kind(&self) -> Kind {
        match self.terms {
            Terms::Hourly { .. } => Kind::Hourly,
            Terms::Fixed { .. } => Kind::Fixed,
        }
    }

    /// The name of a party.
    pub fn party(&self, role: Role) -> &str {
        match role {
            Role::Client => &self.client,
            Role::Freelancer => &self.freelancer,
        }
    }

    /// When the diary was locked (the end), if it was.
    pub fn ended_at(&self) -> Option<Instant> {
        self.ending.as_ref().map(|e| e.at)
    }

    /// The feedback `author` gave (or its pending state).
    pub fn feedback(&self, author: Role) -> Option<&Feedback> {
        match author {
            Role::Client => self.feedback_client.as_ref(),
            Role::Freelancer => self.feedback_freelancer.as_ref(),
        }
    }

    /// Mutable feedback of `author`.
    pub fn feedback_mut(&mut self, author: Role) -> Option<&mut Feedback> {
        match author {
            Role::Client => self.feedback_client.as_mut(),
            Role::Freelancer => self.feedback_freelancer.as_mut(),
        }
    }

    /// The close of the feedback window: the end of the 14th day after
    /// `ended_at` (midnight UTC).
    pub fn feedback_window_closes(&self) -> Option<Instant> {
        let at = self.ended_at()?;
        let day = at.date_naive() + Duration::days(15);
        Some(day.and_time(NaiveTime::MIN).and_utc())
    }

    /// The last instant for replies: 28 days after `ended_at`.
    pub fn reply_window_closes(&self) -> Option<Instant> {
        Some(self.ended_at()? + Duration::days(28))
    }

    /// Money totals; `None` if a sum overflows.
    pub fn totals(&self) -> Totals {
        let funded: Money = self.milestones.iter().map(|m| m.funded).sum();
        let released: Money = self.payments.iter().map(|p| p.amount).sum();
        // Settled hourly weeks are paid by the client directly, not from escrow.
        let from_escrow: Money = self
            .payments
            .iter()
            .filter(|p| p.week.is_none())
            .map(|p| p.amount)
            .sum();
        let fee_paid: Money = self.payments.iter().map(|p| p.fee).sum();
        let mut refunded_escrow = Money::ZERO;
        let mut given = Money::ZERO;
        let mut fee_returned = Money::ZERO;
        let mut held = Money::ZERO;
        for r in &self.refunds {
            match r.status {
                RefundStatus::Refunded if r.origin == RefundOrigin::Given => {
                    given += r.amount;
                    fee_returned += r.fee_returned.unwrap_or_default();
                }
                RefundStatus::Refunded => refunded_escrow += r.amount,
                RefundStatus::Resolved => refunded_escrow += r.client_part.unwrap_or_default(),
                s if s.is_open() => held += r.amount,
                _ => {}
            }
        }
        // Hourly weeks refunded by an accepted dispute.
        let weeks_refunded: Money = self.disputes.iter().filter_map(|d| d.refunded).sum();
        Totals {
            funded,
            paid: released - given,
            fee: fee_paid - fee_returned,
            refunded: refunded_escrow + given + weeks_refunded,
            escrow: funded - from_escrow - refunded_escrow,
            held,
        }
    }

    /// The latest event of the history: no change may be dated before it.
    pub fn latest_event(&self) -> Option<&Event> {
        self.history
            .iter()
            .filter(|e| e.counts())
            .max_by_key(|e| e.at)
    }

    /// The spans during which the contract was paused (by `pause` or by an
    /// hourly dispute), replayed from its history; an open span has no end.
    pub fn paused_spans(&self) -> Vec<(Instant, Option<Instant>)> {
        let mut out: Vec<(Instant, Option<Instant>)> = Vec::new();
        let mut paused = false;
        for e in self.history.iter().filter(|e| e.counts()) {
            match e.kind().as_str() {
                // A dispute pauses an active contract (and only an active one).
                "paused" | "week_disputed" if !paused => {
                    paused = true;
                    out.push((e.at, None));
                }
                "resumed" | "ended" if paused => {
                    paused = false;
                    if let Some(last) = out.last_mut() {
                        last.1 = Some(e.at);
                    }
                }
                _ => {}
            }
            if e.kind() == EventKind::Ended {
                break;
            }
        }
        out
    }

    /// The milestone currently funded (in escrow, maybe submitted), 1-based.
    pub fn funded_milestone(&self) -> Option<u32> {
        self.milestones
            .iter()
            .position(|m| {
                matches!(
                    m.status,
                    MilestoneStatus::Funded | MilestoneStatus::Submitted
                )
            })
            .map(|i| i as u32 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::{ContractId, instant_serde};

    #[test]
    fn auto_numbers_are_c_and_digits_with_an_optional_six_hex_tag() {
        let cases = [
            ("c1", Some(1)),
            ("c42", Some(42)),
            ("c7-0a9fbe", Some(7)),
            ("c7-0A9FBE", Some(7)),
            ("c18446744073709551615", Some(u64::MAX)),
            ("c18446744073709551616", None),
            ("c07", None),
            ("c0", None),
            ("c", None),
            ("c5x", None),
            ("c5-abcde", None),
            ("c5-abcdeg", None),
            ("c5-abcdef0", None),
            ("d5", None),
            ("acme-web", None),
        ];
        for (id, want) in cases {
            let got = ContractId::parse(id).map(|c| c.auto_number());
            assert_eq!(got, Ok(want), "{id}");
        }
        let mut ids: Vec<ContractId> = ["c10", "web", "c9", "c2-aaaaaa", "c2", "alpha"]
            .iter()
            .map(|s| ContractId::parse(s).unwrap())
            .collect();
        ids.sort();
        let order: Vec<&str> = ids.iter().map(|c| c.as_str()).collect();
        assert_eq!(order, ["c2", "c2-aaaaaa", "c9", "c10", "alpha", "web"]);
    }

    #[test]
    fn instants_handed_over_as_nanoseconds_keep_every_digit() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error, I128Deserializer};
        for s in [
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.25Z",
            "2026-11-23T09:00:00.123456789Z",
        ] {
            let t = chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .with_timezone(&chrono::Utc);
            let d: I128Deserializer<Error> = instant_serde::nanos(&t).into_deserializer();
            assert_eq!(instant_serde::deserialize(d).unwrap(), t, "{s}");
        }
    }
}
