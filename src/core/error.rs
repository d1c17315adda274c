//! Typed refusals of the rules.

/// Why a rule refused a request. Messages say what was refused, why, and what
/// would be allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// Something named does not exist (exit 3).
    #[error("{0}")]
    NotFound(String),
    /// The rules refuse it: state, role, deadline, limit, overlap (exit 4).
    #[error("{0}")]
    Refused(String),
    /// The rules produced a state that breaks an invariant: a defect of this
    /// program, never of the files (exit 1).
    #[error("internal error: {0}")]
    Internal(String),
}

/// Shorthand for a refusal.
pub fn refused<T>(msg: impl Into<String>) -> Result<T, RuleError> {
    Err(RuleError::Refused(msg.into()))
}
