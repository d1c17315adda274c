//! Errors at the edge: every failure is classified here, in one place, into
//! SPEC's exit codes.

use crate::core::RuleError;
use crate::core::error::Refusal;
use crate::store::StoreError;

/// What kind of failure, with its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 1: anything else (I/O, ...).
    Failure,
    /// 2: the command line was wrong.
    Usage,
    /// 3: a contract, milestone, entry or ledger does not exist.
    NotFound,
    /// 4: the rules refuse it: always a [`Refusal`] (in a
    /// `RuleError::Refused` or a `StoreError::Refused`), whose
    /// [`Refusal::kind`] says why.
    Refused,
    /// 5: the ledger does not parse or validate.
    Invalid,
    /// 6: the lock was not had in time.
    Busy,
}

impl ErrorKind {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ErrorKind::Failure => 1,
            ErrorKind::Usage => 2,
            ErrorKind::NotFound => 3,
            ErrorKind::Refused => 4,
            ErrorKind::Invalid => 5,
            ErrorKind::Busy => 6,
        }
    }

    /// The `kind` of a JSON error.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Failure => "failure",
            ErrorKind::Usage => "usage",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Refused => "refused",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Busy => "busy",
        }
    }
}

/// An error raised by the shell itself (bad argument values, a declined
/// prompt, `check`'s findings). Never a refusal: those are [`Refusal`]s.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct UserError {
    /// Its kind.
    pub kind: ErrorKind,
    /// What was refused, why, and what would be allowed.
    pub message: String,
}

/// A usage error (exit 2).
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UserError {
        kind: ErrorKind::Usage,
        message: message.into(),
    }
    .into()
}

/// The kind of any error, from the first typed cause in its chain.
pub fn classify(e: &anyhow::Error) -> ErrorKind {
    for cause in e.chain() {
        if let Some(r) = cause.downcast_ref::<RuleError>() {
            return match r {
                RuleError::NotFound(_) => ErrorKind::NotFound,
                RuleError::Refused(_) => ErrorKind::Refused,
                RuleError::Internal(_) => ErrorKind::Failure,
            };
        }
        if let Some(s) = cause.downcast_ref::<StoreError>() {
            return match s {
                StoreError::NoLedger(_) | StoreError::NoContract(_) => ErrorKind::NotFound,
                StoreError::Invalid(_) => ErrorKind::Invalid,
                StoreError::Busy { .. } => ErrorKind::Busy,
                StoreError::Refused(_) => ErrorKind::Refused,
                StoreError::Io { .. } | StoreError::Inconsistent(_) => ErrorKind::Failure,
            };
        }
        if let Some(u) = cause.downcast_ref::<UserError>() {
            return u.kind;
        }
    }
    ErrorKind::Failure
}

/// The refusal behind an error (exit 4), from the first typed cause in its
/// chain: the rules' and the shell's alike are a [`Refusal`].
pub fn refusal(e: &anyhow::Error) -> Option<&Refusal> {
    for cause in e.chain() {
        if let Some(r) = cause.downcast_ref::<RuleError>() {
            return r.refusal();
        }
        if let Some(s) = cause.downcast_ref::<StoreError>() {
            return match s {
                StoreError::Refused(r) => Some(r),
                _ => None,
            };
        }
        if cause.downcast_ref::<UserError>().is_some() {
            return None;
        }
    }
    None
}

/// What to try next, for errors that have an obvious next step.
pub fn hint(e: &anyhow::Error) -> Option<String> {
    for cause in e.chain() {
        if let Some(s) = cause.downcast_ref::<StoreError>() {
            return match s {
                StoreError::NoLedger(p) => Some(format!(
                    "create one with `contracts -f {} init`, or point -f/--ledger or CONTRACTS_LEDGER at an existing ledger",
                    p.display()
                )),
                StoreError::NoContract(_) => Some("`contracts list` shows the contracts".into()),
                StoreError::Invalid(_) => Some(
                    "nothing was written; fix the file (or run `contracts check` for every problem)"
                        .into(),
                ),
                StoreError::Inconsistent(_) => Some(
                    "nothing was written; this is a defect of contracts: please report it with the command that caused it"
                        .into(),
                ),
                _ => None,
            };
        }
    }
    None
}
