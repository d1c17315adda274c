//! The work diary \[211068518\]: one contract's entries in one billing week,
//! the rules for logging, tracking, editing and deleting time, the weekly
//! limit, the week's bill, and hourly disputes \[211062158\].

pub mod billing;
pub mod entries;
pub mod hourly;
pub mod import;
#[cfg(test)]
mod tests;
pub mod week_file;

pub use billing::*;
pub use entries::*;
pub use hourly::*;
pub use week_file::*;
