//! The ledger's files, declared once: each file's shape as serde types
//! (tables whose keys are the fields, in the order files list them), and
//! the turn from a shape into the model and back, which checks what one
//! key alone cannot (the terms a kind needs, an end's parts). The store
//! reads and writes these shapes; it spells no key.

use super::Settings;
use super::diary::week_file::{Aside, Entry, WeekFile};
use super::model::*;
use super::money::{Currency, Money};
use super::validate::Problem;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The file format version this program reads and writes.
pub const VERSION: i64 = 3;

/// `ledger.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsFile {
    /// The file format.
    pub version: i64,
    /// ISO 4217 code.
    pub currency: Currency,
    /// Who uses this ledger (the default `--as`).
    pub role: Option<Role>,
    /// The freelancer's service fee, in whole percent (default 10).
    pub fee_percent: Option<u8>,
    /// In a shared ledger, each party's SSH public key, by name.
    pub parties: Option<std::collections::BTreeMap<String, PartyFile>>,
}

/// `[parties.NAME]`: a party of a shared ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyFile {
    /// The SSH public key its commits are signed with
    /// (`ssh-ed25519 AAAA... comment`).
    pub key: String,
}

/// A party of a shared ledger: the name contracts use as `client` or
/// `freelancer`, and the SSH public key that signs its commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// The name.
    pub name: String,
    /// The public key, as `ssh-keygen` writes it.
    pub key: String,
}

/// Checks an SSH public key's text: `TYPE BASE64 [COMMENT]`.
pub fn check_ssh_key(text: &str) -> Result<(), String> {
    let mut parts = text.split_whitespace();
    let (Some(kind), Some(data)) = (parts.next(), parts.next()) else {
        return Err("an SSH public key is `TYPE BASE64 [COMMENT]`, as in a `.pub` file".into());
    };
    let known = kind.starts_with("ssh-")
        || kind.starts_with("ecdsa-sha2-")
        || kind.starts_with("sk-ssh-")
        || kind.starts_with("sk-ecdsa-");
    if !known {
        return Err(format!(
            "`{kind}` is not an SSH key type (ssh-ed25519, ssh-rsa, ecdsa-sha2-...)"
        ));
    }
    let base64 = data
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=');
    if data.len() < 16 || !base64 {
        return Err("the key's data is not base64".into());
    }
    Ok(())
}

/// An SSH public key's identity: its data, the type and comment aside.
pub fn key_data(key: &str) -> Option<&str> {
    key.split_whitespace().nth(1)
}

/// Whether `party add NAME --key KEY` may be recorded (keys are trusted on
/// first use, bound by their owners): in a shared ledger (`shared`) a new
/// party records its own key, from a clone that signs with it (`mine`,
/// this clone's signing key); a recorded party's key is replaced only
/// with `replace` (signed with its old key: the shell checks the
/// signature), and a new one never is.
pub fn may_add_party(
    parties: &[Party],
    shared: bool,
    mine: Option<&str>,
    name: &str,
    key: &str,
    replace: bool,
) -> Result<(), crate::core::RuleError> {
    use crate::core::RuleError::Refused;
    use crate::core::error::Refusal;
    if shared && !replace {
        match mine {
            None => return Err(Refused(Refusal::NoSigningKey)),
            Some(m) if key_data(m) != key_data(key) => {
                return Err(Refused(Refusal::NotOwnKey {
                    name: name.to_string(),
                }));
            }
            Some(_) => {}
        }
    }
    let known = parties.iter().any(|p| p.name == name);
    if known != replace {
        return Err(Refused(Refusal::PartyKnown {
            name: name.to_string(),
            known,
        }));
    }
    Ok(())
}

/// An SSH public key's fingerprint as `ssh-keygen -l` prints it
/// (`SHA256:` and the unpadded base64 of the SHA-256 of the key's data),
/// for the parties to compare out of band; `None` if its data is not
/// base64.
pub fn fingerprint(key: &str) -> Option<String> {
    use base64::Engine;
    use sha2::Digest;
    let data = key_data(key)?;
    let blob = base64::engine::general_purpose::STANDARD
        .decode(data)
        .ok()?;
    let digest = sha2::Sha256::digest(&blob);
    Some(format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    ))
}

/// A contract file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractFile {
    /// The file format.
    pub version: i64,
    /// = the file name.
    pub id: ContractId,
    /// Title.
    pub title: String,
    /// The client's name.
    pub client: String,
    /// The freelancer's name.
    pub freelancer: String,
    /// Hourly or fixed.
    pub kind: Kind,
    /// Hourly: the rate.
    pub rate: Option<Money>,
    /// Hourly: the weekly limit in hours (absent: none).
    pub weekly_limit_hours: Option<u32>,
    /// Hourly: whether time may be logged by hand (default yes).
    pub manual_time: Option<bool>,
    /// Fixed: the price.
    pub price: Option<Money>,
    /// Lifecycle status.
    pub status: Status,
    /// When it started.
    #[serde(with = "instant_serde")]
    pub started_at: Instant,
    /// When it ended.
    #[serde(default, with = "instant_serde::opt")]
    pub ended_at: Option<Instant>,
    /// Who ended it.
    pub ended_by: Option<Role>,
    /// Why.
    pub end_reason: Option<EndReason>,
    /// A note given on ending.
    pub end_note: Option<String>,
    /// The instant the state above was folded to: its latest event's
    /// (version 3; `check` folds the operations to it and compares).
    #[serde(default, with = "instant_serde::opt")]
    pub as_of: Option<Instant>,
    /// Hourly: the weekly limit's changes.
    #[serde(default)]
    pub limit_changes: Vec<LimitChange>,
    /// Fixed: milestones.
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// Releases to the freelancer.
    #[serde(default)]
    pub payments: Vec<Payment>,
    /// Refunds.
    #[serde(default)]
    pub refunds: Vec<Refund>,
    /// Hourly disputes.
    #[serde(default)]
    pub disputes: Vec<HourlyDispute>,
    /// Each party's feedback.
    pub feedback: Option<FeedbackFile>,
    /// The operations, oldest first: who asked what, when (before version
    /// 3: every event, outcomes too).
    #[serde(default)]
    pub history: Vec<RawEvent>,
    /// What the operations and the timers came to, as the fold derives it:
    /// kept for reading, checked by `check`.
    #[serde(default)]
    pub effects: Vec<RawEvent>,
}

/// `[feedback.client]` and `[feedback.freelancer]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackFile {
    /// The client's feedback about the freelancer.
    pub client: Option<FeedbackEntry>,
    /// The freelancer's feedback about the client.
    pub freelancer: Option<FeedbackEntry>,
}

/// One party's feedback, its scores among its keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct FeedbackEntry {
    pub status: FeedbackStatus,
    #[serde(default, with = "instant_serde::opt")]
    pub given_at: Option<Instant>,
    pub stars: Option<u8>,
    pub skills: Option<u8>,
    pub quality: Option<u8>,
    pub availability: Option<u8>,
    pub deadlines: Option<u8>,
    pub communication: Option<u8>,
    pub cooperation: Option<u8>,
    pub comment: Option<String>,
    pub private: Option<String>,
    pub reply: Option<String>,
    #[serde(default, with = "instant_serde::opt")]
    pub replied_at: Option<Instant>,
    pub commitment: Option<String>,
    pub salt: Option<String>,
}

/// A week file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekFileData {
    /// The file format.
    pub version: i64,
    /// The contract.
    pub contract: ContractId,
    /// The billing week.
    pub week: super::week::Week,
    /// The highest entry number given out, when entries beyond the last
    /// were deleted (so their ids are never reused).
    pub last_entry: Option<u64>,
    /// Entries, sorted by start.
    #[serde(default)]
    pub entries: Vec<Entry>,
    /// Entries a merge set aside.
    #[serde(default)]
    pub set_aside: Vec<AsideEntry>,
    /// Entries removed by `diary rm`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<super::diary::week_file::Removed>,
}

/// An entry a merge set aside: the entry's keys, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct AsideEntry {
    pub id: String,
    #[serde(with = "instant_serde")]
    pub start: Instant,
    #[serde(default, with = "instant_serde::opt")]
    pub end: Option<Instant>,
    #[serde(default)]
    pub memo: String,
    #[serde(default)]
    pub manual: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub history: bool,
    #[serde(
        default,
        with = "instant_serde::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub at: Option<Instant>,
    pub superseded: String,
}

fn problem(path: &str, message: impl Into<String>) -> Problem {
    Problem {
        path: path.to_string(),
        message: message.into(),
    }
}

impl SettingsFile {
    /// The settings and the parties, or what is wrong with them.
    pub fn into_ledger(self) -> Result<(Settings, Vec<Party>), Vec<Problem>> {
        let mut parties = Vec::new();
        let mut problems = Vec::new();
        for (name, p) in self.parties.clone().unwrap_or_default() {
            match check_ssh_key(&p.key) {
                Ok(()) => parties.push(Party { name, key: p.key }),
                Err(e) => problems.push(problem(&format!("parties.{name}.key"), e)),
            }
        }
        let settings = self.into_settings().map_err(|mut ps| {
            ps.append(&mut problems);
            ps
        })?;
        if problems.is_empty() {
            Ok((settings, parties))
        } else {
            Err(problems)
        }
    }

    /// The settings file of `settings` and `parties`.
    pub fn of(settings: &Settings, parties: &[Party]) -> SettingsFile {
        SettingsFile {
            parties: (!parties.is_empty()).then(|| {
                parties
                    .iter()
                    .map(|p| (p.name.clone(), PartyFile { key: p.key.clone() }))
                    .collect()
            }),
            ..SettingsFile::from(settings)
        }
    }

    /// The settings, or what is wrong with them.
    pub fn into_settings(self) -> Result<Settings, Vec<Problem>> {
        let fee_percent = self.fee_percent.unwrap_or(10);
        if fee_percent > 100 {
            return Err(vec![problem(
                "fee_percent",
                "`fee_percent` is a percentage from 0 to 100",
            )]);
        }
        Ok(Settings {
            currency: self.currency,
            role: self.role.unwrap_or(Role::Client),
            fee_percent,
        })
    }
}

impl From<&Settings> for SettingsFile {
    fn from(s: &Settings) -> SettingsFile {
        SettingsFile {
            version: VERSION,
            currency: s.currency,
            role: Some(s.role),
            fee_percent: Some(s.fee_percent),
            parties: None,
        }
    }
}

impl FeedbackEntry {
    fn into_feedback(self) -> Feedback {
        Feedback {
            status: self.status,
            given_at: self.given_at,
            stars: self.stars,
            scores: Scores {
                skills: self.skills,
                quality: self.quality,
                availability: self.availability,
                deadlines: self.deadlines,
                communication: self.communication,
                cooperation: self.cooperation,
            },
            comment: self.comment,
            private: self.private,
            reply: self.reply,
            replied_at: self.replied_at,
            commitment: self.commitment,
            salt: self.salt,
        }
    }

    fn of(f: &Feedback) -> FeedbackEntry {
        let s = &f.scores;
        FeedbackEntry {
            status: f.status,
            given_at: f.given_at,
            stars: f.stars,
            skills: s.skills,
            quality: s.quality,
            availability: s.availability,
            deadlines: s.deadlines,
            communication: s.communication,
            cooperation: s.cooperation,
            comment: f.comment.clone(),
            private: f.private.clone(),
            reply: f.reply.clone(),
            replied_at: f.replied_at,
            commitment: f.commitment.clone(),
            salt: f.salt.clone(),
        }
    }
}

impl ContractFile {
    /// The contract, or what is wrong with the file beyond its keys. Events
    /// of a version-1 file get the ids every clone gives them.
    pub fn into_contract(mut self) -> Result<Contract, Vec<Problem>> {
        let mut joined = Vec::new();
        let history = join_history(
            self.version,
            std::mem::take(&mut self.history),
            std::mem::take(&mut self.effects),
            &mut joined,
        );
        self.into_contract_joined(history, joined)
    }

    /// [`ContractFile::into_contract`] of a file whose history and effects
    /// were joined already (into `history`, with the problems `joined`):
    /// its own `history` and `effects` are not read.
    pub fn into_contract_joined(
        self,
        mut history: Vec<Event>,
        joined: Vec<Problem>,
    ) -> Result<Contract, Vec<Problem>> {
        let mut out = Vec::new();
        let foreign = |out: &mut Vec<Problem>, key: &str, present: bool, kind: Kind| {
            if present {
                out.push(problem(
                    key,
                    format!("unknown key `{key}` (a {kind} contract has no `{key}`)"),
                ));
            }
        };
        let terms = match self.kind {
            Kind::Hourly => {
                foreign(&mut out, "price", self.price.is_some(), Kind::Hourly);
                self.rate.map(|rate| Terms::Hourly {
                    rate,
                    weekly_limit: self.weekly_limit_hours,
                    limit_changes: self.limit_changes,
                    manual_time: self.manual_time.unwrap_or(true),
                })
            }
            Kind::Fixed => {
                for (key, present) in [
                    ("rate", self.rate.is_some()),
                    ("weekly_limit_hours", self.weekly_limit_hours.is_some()),
                    ("manual_time", self.manual_time.is_some()),
                    ("limit_changes", !self.limit_changes.is_empty()),
                ] {
                    foreign(&mut out, key, present, Kind::Fixed);
                }
                self.price.map(|price| Terms::Fixed { price })
            }
        };
        if terms.is_none() {
            let need = if self.kind == Kind::Hourly {
                "rate"
            } else {
                "price"
            };
            out.push(problem("", format!("missing `{need}`")));
        }
        let ending = match (self.ended_at, self.ended_by, self.end_reason) {
            (Some(at), Some(by), Some(reason)) => Some(Ending {
                at,
                by,
                reason,
                note: self.end_note,
            }),
            (Some(_), _, _) => {
                out.push(problem(
                    "ended_at",
                    "an ended contract needs `ended_by` and `end_reason`",
                ));
                None
            }
            (None, ..) => None,
        };
        let known = out.len();
        out.extend(joined);
        let latest = history.iter().map(|e| e.at).max();
        // A reader that skips the history (`list`) has nothing to hold it
        // to, nor has a history with an event that could not be read.
        if let (Some(as_of), Some(latest)) = (self.as_of, latest)
            && as_of != latest
            && out.len() == known
        {
            out.push(problem(
                "as_of",
                format!(
                    "`as_of` is {}, but the latest operation or timer is at {}: a contract is folded to its latest event",
                    as_of.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                    latest.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
                ),
            ));
        }
        if self.version < 3 {
            // Version 2 showed `milestone add --fund` by the funding it
            // made; version 3 records it as asked.
            let funded: std::collections::HashSet<String> = history
                .iter()
                .filter(|e| matches!(e.op, Op::MilestoneFunded { .. }))
                .filter_map(|e| e.id.split_once('.').map(|(op, _)| op.to_string()))
                .collect();
            for e in &mut history {
                if let Op::MilestoneAdded { fund, .. } = &mut e.op
                    && fund.is_none()
                    && funded.contains(&e.id)
                {
                    *fund = Some(true);
                }
            }
        }
        if self.version < 2 {
            for (i, e) in history.iter_mut().enumerate() {
                if e.id.is_empty() {
                    e.id = Event::legacy_id(&self.id, i, e);
                }
            }
        }
        let (feedback_client, feedback_freelancer) = match self.feedback {
            Some(f) => (
                f.client.map(FeedbackEntry::into_feedback),
                f.freelancer.map(FeedbackEntry::into_feedback),
            ),
            None => (None, None),
        };
        match terms {
            Some(terms) if out.is_empty() => Ok(Contract {
                id: self.id,
                title: self.title,
                client: self.client,
                freelancer: self.freelancer,
                terms,
                status: self.status,
                started_at: self.started_at,
                ending,
                milestones: self.milestones,
                payments: self.payments,
                refunds: self.refunds,
                disputes: self.disputes,
                feedback_client,
                feedback_freelancer,
                history,
            }),
            _ => Err(out),
        }
    }
}

impl From<&Contract> for ContractFile {
    fn from(c: &Contract) -> ContractFile {
        let (rate, weekly_limit_hours, manual_time, price, limit_changes) = match &c.terms {
            Terms::Hourly {
                rate,
                weekly_limit,
                limit_changes,
                manual_time,
            } => (
                Some(*rate),
                *weekly_limit,
                Some(*manual_time),
                None,
                limit_changes.clone(),
            ),
            Terms::Fixed { price } => (None, None, None, Some(*price), Vec::new()),
        };
        let feedback =
            (c.feedback_client.is_some() || c.feedback_freelancer.is_some()).then(|| {
                FeedbackFile {
                    client: c.feedback_client.as_ref().map(FeedbackEntry::of),
                    freelancer: c.feedback_freelancer.as_ref().map(FeedbackEntry::of),
                }
            });
        let e = c.ending.as_ref();
        let (history, effects) = split_history(&c.history);
        ContractFile {
            version: VERSION,
            id: c.id.clone(),
            title: c.title.clone(),
            client: c.client.clone(),
            freelancer: c.freelancer.clone(),
            kind: c.kind(),
            rate,
            weekly_limit_hours,
            manual_time,
            price,
            status: c.status,
            started_at: c.started_at,
            ended_at: e.map(|e| e.at),
            ended_by: e.map(|e| e.by),
            end_reason: e.map(|e| e.reason),
            end_note: e.and_then(|e| e.note.clone()),
            limit_changes,
            milestones: c.milestones.clone(),
            payments: c.payments.clone(),
            refunds: c.refunds.clone(),
            disputes: c.disputes.clone(),
            feedback,
            as_of: c.history.iter().map(|e| e.at).max(),
            history,
            effects,
        }
    }
}

impl From<WeekFileData> for WeekFile {
    fn from(w: WeekFileData) -> WeekFile {
        WeekFile {
            contract: w.contract,
            week: w.week,
            entries: w.entries,
            last_number: w.last_entry.unwrap_or(0),
            removed: w.removed,
            aside: w
                .set_aside
                .into_iter()
                .map(|a| Aside {
                    entry: Entry {
                        id: a.id,
                        start: a.start,
                        end: a.end,
                        memo: a.memo,
                        manual: a.manual,
                        origin: a.origin,
                        history: a.history,
                        at: a.at,
                    },
                    why: a.superseded,
                })
                .collect(),
        }
    }
}

impl From<&WeekFile> for WeekFileData {
    fn from(w: &WeekFile) -> WeekFileData {
        WeekFileData {
            version: VERSION,
            contract: w.contract.clone(),
            week: w.week,
            last_entry: w.deleted_beyond(),
            entries: w.entries.clone(),
            removed: w.removed.clone(),
            set_aside: w
                .aside
                .iter()
                .map(|a| AsideEntry {
                    id: a.entry.id.clone(),
                    start: a.entry.start,
                    end: a.entry.end,
                    memo: a.entry.memo.clone(),
                    manual: a.entry.manual,
                    origin: a.entry.origin.clone(),
                    history: a.entry.history,
                    at: a.entry.at,
                    superseded: a.why.clone(),
                })
                .collect(),
        }
    }
}

// ------------------------------------------------------------- history

/// The keys of an event besides its operation's arguments.
const EVENT_KEYS: &[&str] = &[
    "id",
    "at",
    "actor",
    "event",
    "amount",
    "superseded",
    "detail",
];

#[derive(Serialize, Deserialize)]
struct At(#[serde(with = "instant_serde")] Instant);

/// An argument's value as its type writes it.
struct ArgOut<'a>(&'a Arg);

impl Serialize for ArgOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Arg::Number(n) => n.serialize(s),
            Arg::Money(m) => m.serialize(s),
            Arg::Instant(t) => At(*t).serialize(s),
            Arg::Week(w) => w.serialize(s),
            Arg::Text(t) => t.serialize(s),
            Arg::Bool(b) => b.serialize(s),
        }
    }
}

/// A history entry as a file holds it: its kind and flat arguments, not yet
/// checked to be a whole operation (version 3 keeps an operation's request
/// in `[[history]]` and what it came to in `[[effects]]`, joined by id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    /// Its id.
    pub id: String,
    /// When it happened.
    pub at: Instant,
    /// Who did it.
    pub actor: Actor,
    /// What happened.
    pub kind: EventKind,
    /// The amount moved, if any.
    pub amount: Option<Money>,
    /// Why a merge set it aside.
    pub superseded: Option<String>,
    /// A version-1 event's sentence.
    pub detail: Option<String>,
    /// Its arguments.
    pub args: Args,
}

impl From<&Event> for RawEvent {
    fn from(e: &Event) -> RawEvent {
        let detail = match &e.op {
            Op::Legacy { detail, .. } => Some(detail.clone()),
            _ => None,
        };
        RawEvent {
            id: e.id.clone(),
            at: e.at,
            actor: e.actor,
            kind: e.kind(),
            amount: e.amount,
            superseded: e.superseded.clone(),
            detail,
            args: e.op.args(),
        }
    }
}

impl RawEvent {
    /// The event, if its arguments are its kind's.
    pub fn into_event(self) -> Result<Event, String> {
        let op = match self.detail {
            Some(detail) if self.args == Args::default() => Op::Legacy {
                kind: self.kind,
                detail,
            },
            _ => Op::from_args(self.kind, self.args)?,
        };
        Ok(Event {
            id: self.id,
            at: self.at,
            actor: self.actor,
            op,
            amount: self.amount,
            superseded: self.superseded,
        })
    }

    /// An operation's own event split in two: what was asked (for the
    /// history) and, if the rules came to anything, what they came to (for
    /// the effects, under the same id).
    fn split(self) -> (RawEvent, Option<RawEvent>) {
        let outcome = self.kind.outcome_args();
        let (mut asked, mut came) = (Args::default(), Args::default());
        self.args.each(|name, a| {
            let into = if outcome.contains(&name) {
                &mut came
            } else {
                &mut asked
            };
            // Names and types come from `Args` itself: cannot fail.
            let _ = into.set(name, a);
        });
        let (amount_asked, amount_came) = if self.kind.amount_is_asked() {
            (self.amount, None)
        } else {
            (None, self.amount)
        };
        let effect = (came != Args::default() || amount_came.is_some()).then(|| RawEvent {
            id: self.id.clone(),
            at: self.at,
            actor: self.actor,
            kind: self.kind,
            amount: amount_came,
            superseded: None,
            detail: None,
            args: came,
        });
        (
            RawEvent {
                amount: amount_asked,
                args: asked,
                ..self
            },
            effect,
        )
    }
}

/// A contract's events as a version-3 file keeps them: the operations, each
/// with what it asked, in `history`; everything the rules derived (what an
/// operation came to, its other effects, the timers) in `effects`.
fn split_history(events: &[Event]) -> (Vec<RawEvent>, Vec<RawEvent>) {
    let (mut history, mut effects) = (Vec::new(), Vec::new());
    for e in events {
        let raw = RawEvent::from(e);
        if e.is_operation() {
            let (asked, came) = raw.split();
            history.push(asked);
            effects.extend(came);
        } else if raw.detail.is_some() {
            // A version-1 event: a legacy fact, kept as it stands.
            history.push(raw);
        } else {
            effects.push(raw);
        }
    }
    (history, effects)
}

/// The events of a file: `history` as it stands before version 3; from
/// version 3, each operation joined with what it came to, followed by its
/// other effects, and the timers' events placed before the first operation
/// not earlier than them (a timer due by an operation's instant applies
/// before it).
/// The events of a history without effects, each read alone: what
/// joining `raw` with no effects gives, if it gives it without a problem.
/// (Only effects join events; each of the rest is its own.)
pub fn lone_event(version: i64, raw: RawEvent) -> Option<Event> {
    let mut out = Vec::new();
    let mut events = join_history(version, vec![raw], Vec::new(), &mut out);
    match (events.pop(), events.is_empty() && out.is_empty()) {
        (Some(e), true) => Some(e),
        _ => None,
    }
}

fn join_history(
    version: i64,
    history: Vec<RawEvent>,
    effects: Vec<RawEvent>,
    out: &mut Vec<Problem>,
) -> Vec<Event> {
    let mut heads: Vec<(usize, RawEvent)> = Vec::new();
    for (i, raw) in history.into_iter().enumerate() {
        if version >= 3 && raw.detail.is_none() {
            let at = format!("history[{i}]");
            if raw.id.contains('.') || raw.actor == Actor::System || !raw.kind.is_request() {
                out.push(problem(
                    &format!("{at}.event"),
                    format!(
                        "`{}` is what an operation or a timer came to, not an operation: the history keeps what the parties asked, and the rules derive the rest (kept under [[effects]])",
                        raw.kind
                    ),
                ));
                continue;
            }
            let mut derived: Vec<&str> = Vec::new();
            raw.args.each(|name, _| {
                if raw.kind.outcome_args().contains(&name) {
                    derived.push(name);
                }
            });
            if raw.amount.is_some() && !raw.kind.amount_is_asked() {
                derived.push("amount");
            }
            for name in derived {
                out.push(problem(
                    &format!("{at}.{name}"),
                    format!(
                        "`{name}` is what `{}` came to, not what was asked: the history keeps the request, and the rules derive the rest (kept under [[effects]])",
                        raw.kind
                    ),
                ));
            }
        }
        heads.push((i, raw));
    }
    // (Only effects are joined by it: none, no index to build.)
    let index: std::collections::HashMap<String, usize> = heads
        .iter()
        .enumerate()
        .filter(|_| !effects.is_empty())
        .filter(|(_, (_, r))| r.detail.is_none() && !r.id.is_empty())
        .map(|(k, (_, r))| (r.id.clone(), k))
        .rev()
        .collect();
    let mut attached: Vec<Vec<Event>> = vec![Vec::new(); heads.len()];
    let mut timers: Vec<Event> = Vec::new();
    for (j, raw) in effects.into_iter().enumerate() {
        let at = format!("effects[{j}]");
        if let Some(&k) = index.get(&raw.id) {
            // What an operation came to: joined to it.
            let head = &mut heads[k].1;
            if head.kind != raw.kind {
                out.push(problem(
                    &format!("{at}.event"),
                    format!(
                        "names `{}`, but operation {} is `{}`",
                        raw.kind, raw.id, head.kind
                    ),
                ));
                continue;
            }
            let mut twice = Vec::new();
            raw.args.each(|name, a| {
                if head.args.set_if_absent(name, a) {
                    twice.push(name);
                }
            });
            match (raw.amount, head.amount) {
                (Some(_), Some(_)) => twice.push("amount"),
                (Some(m), None) => head.amount = Some(m),
                _ => {}
            }
            for name in twice {
                out.push(problem(
                    &format!("{at}.{name}"),
                    format!("`{name}` is given twice: here and in the history"),
                ));
            }
            continue;
        }
        let owner = raw.id.split('.').next().unwrap_or_default().to_string();
        match raw.into_event() {
            Ok(e) => match index.get(&owner) {
                Some(&k) if owner != e.id => attached[k].push(e),
                _ => timers.push(e),
            },
            Err(why) => out.push(problem(&at, why)),
        }
    }
    let mut events = Vec::new();
    let mut timers = timers.into_iter().peekable();
    for ((i, raw), more) in heads.into_iter().zip(attached) {
        match raw.into_event() {
            Ok(e) => {
                while let Some(t) = timers.next_if(|t| t.at <= e.at) {
                    events.push(t);
                }
                events.push(e);
                events.extend(more);
            }
            Err(why) => out.push(problem(&format!("history[{i}]"), why)),
        }
    }
    events.extend(timers);
    events
}

impl Serialize for RawEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("at", &At(self.at))?;
        m.serialize_entry("actor", &self.actor)?;
        m.serialize_entry("event", &self.kind)?;
        if let Some(a) = &self.amount {
            m.serialize_entry("amount", a)?;
        }
        if let Some(why) = &self.superseded {
            m.serialize_entry("superseded", why)?;
        }
        if let Some(detail) = &self.detail {
            m.serialize_entry("detail", detail)?;
        }
        let mut args = Vec::new();
        self.args.each(|name, a| args.push((name, a)));
        for (name, a) in &args {
            m.serialize_entry(name, &ArgOut(a))?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for RawEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawEvent, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawEvent;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a history event")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<RawEvent, A::Error> {
                let (mut id, mut at, mut actor, mut kind, mut amount, mut detail) =
                    (None, None, None, None, None, None);
                let mut superseded = None;
                let mut args = Args::default();
                let mut names: Vec<&'static str> = Vec::new();
                while let Some(key) = m.next_key::<String>()? {
                    match key.as_str() {
                        "id" => id = Some(m.next_value::<String>()?),
                        "at" => at = Some(m.next_value::<At>()?.0),
                        "actor" => actor = Some(m.next_value::<Actor>()?),
                        "event" => kind = Some(m.next_value::<EventKind>()?),
                        "amount" => amount = Some(m.next_value::<Money>()?),
                        "detail" => detail = Some(m.next_value::<String>()?),
                        "superseded" => superseded = Some(m.next_value::<String>()?),
                        other => {
                            let Some(name) = Args::NAMES.iter().find(|n| **n == other) else {
                                return Err(de::Error::custom(format!(
                                    "unknown key `{other}` (known here: {}, and the arguments of its kind)",
                                    EVENT_KEYS.join(", ")
                                )));
                            };
                            if let Some(kind) = kind {
                                not_an_argument(kind, name)?;
                            }
                            let ty = Args::type_of(name).unwrap_or(ArgType::Text);
                            let v = match ty {
                                ArgType::Number => Arg::Number(m.next_value()?),
                                ArgType::Money => Arg::Money(m.next_value()?),
                                ArgType::Instant => Arg::Instant(m.next_value::<At>()?.0),
                                ArgType::Week => Arg::Week(m.next_value()?),
                                ArgType::Bool => Arg::Bool(m.next_value()?),
                                ArgType::Text => Arg::Text(m.next_value()?),
                                ArgType::Name(known) => {
                                    let s: String = m.next_value()?;
                                    if !known.contains(&s.as_str()) {
                                        return Err(de::Error::custom(format!(
                                            "`{name}`: `{s}` is not one of: {}",
                                            known.join(", ")
                                        )));
                                    }
                                    Arg::Text(s)
                                }
                            };
                            args.set(name, v).map_err(de::Error::custom)?;
                            names.push(name);
                        }
                    }
                }
                let kind = kind.ok_or_else(|| de::Error::missing_field("event"))?;
                for name in names {
                    not_an_argument(kind, name)?;
                }
                Ok(RawEvent {
                    id: id.unwrap_or_default(),
                    at: at.ok_or_else(|| de::Error::missing_field("at"))?,
                    actor: actor.ok_or_else(|| de::Error::missing_field("actor"))?,
                    kind,
                    amount,
                    superseded,
                    detail,
                    args,
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// An event is a table: its id, instant, actor, kind and amount, then its
/// operation's arguments (or, from version 1, its sentence).
impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        RawEvent::from(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Event, D::Error> {
        RawEvent::deserialize(d)?
            .into_event()
            .map_err(de::Error::custom)
    }
}

/// Refuses `name` as an argument of `kind` if it is not one.
fn not_an_argument<E: de::Error>(kind: EventKind, name: &str) -> Result<(), E> {
    let (needs, may) = Op::arguments(kind);
    if needs.contains(&name) || may.contains(&name) {
        return Ok(());
    }
    let known: Vec<&str> = needs.iter().chain(may).copied().collect();
    Err(E::custom(format!(
        "`{kind}` has no argument `{name}` (its arguments: {})",
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    )))
}
