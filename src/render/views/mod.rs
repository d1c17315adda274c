//! Tables for people, one function per view; commands print what these return.

pub mod contract;
pub mod diary;

pub use contract::contract;
pub use diary::{DiaryBy, Sheet, diary};
