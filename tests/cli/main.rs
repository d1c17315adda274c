//! Integration tests through the binary: one test binary, one harness.

// Test code panics on purpose when something is not as expected.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod diary;
mod diary_tz;
mod exit_codes;
mod feedback;
mod harness;
mod lifecycle;
mod output;
mod store;
mod timers;
