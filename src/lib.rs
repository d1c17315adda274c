//! `contracts`: freelance contracts in local TOML files, with a freelance
//! marketplace's rules enforced on them.
//!
//! Functional core (`core`), imperative shell (`store`, `commands`, `render`,
//! `cli`, `app`).

pub mod app;
pub mod cli;
pub mod commands;
pub mod core;
pub mod error;
pub mod render;
pub mod store;
pub mod time;
