//! Tables for people, one function per view; commands print what these return.

pub mod contract;
pub mod diary;
pub mod feedback;

pub use contract::contract;
pub use diary::{DiaryBy, Sheet, diary};
pub use feedback::{feedback_one, to_give};
