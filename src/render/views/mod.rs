//! Tables for people, one function per view; commands print what these return.

pub mod contract;

pub use contract::contract;
