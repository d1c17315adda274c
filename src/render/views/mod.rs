//! Tables for people, one function per view; commands print what these return.

pub mod contract;
pub mod diary;
pub mod escrow;
pub mod feedback;
pub mod ledger;
pub mod report;

pub use contract::contract;
pub use diary::{DiaryBy, diary};
pub use escrow::{milestones, refunds};
pub use feedback::{feedback_one, summary as feedback_summary, to_give};
pub use ledger::{ListRow, ListTable, history, list_row, list_row_ages, timers_applied};
pub use report::report;
