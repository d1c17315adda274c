//! `contracts`: freelance contracts in local TOML files, with a freelance
//! marketplace's rules enforced on them.
//!
//! Functional core (`core`), imperative shell (`store`, `commands`, `render`,
//! `cli`, `app`).

// Unit tests may unwrap: a panic there is a failing test, not a crash.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod app;
pub mod cli;
pub mod commands;
pub mod core;
pub mod error;
pub mod pieces;
pub mod render;
pub mod safe_text;
pub mod store;
pub mod time;
