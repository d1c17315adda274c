//! Integration tests through the binary: one test binary, one harness.

// Test code panics on purpose when something is not as expected.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod clones;
mod core_sim;
mod corpus;
mod data_out;
mod defects;
mod diary;
mod diary_tz;
mod escrow;
mod exit_codes;
mod export;
mod feedback;
mod flat;
mod fold;
mod fuzz;
mod git;
mod harness;
mod help;
mod history;
mod imports;
mod index;
mod json_shapes;
mod layers;
mod lifecycle;
mod model;
mod output;
mod readme;
mod reliability;
mod simulation;
mod store;
mod timers;
