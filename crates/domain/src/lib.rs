//! The domain of Together: the statutory process of *Working Together to Safeguard
//! Children 2026* (WT2026) and the local procedures, as pure types and functions.
//!
//! No I/O, no clock, no database: time and the calendar are passed in
//! (design principle 2), so every rule here is testable in microseconds.

pub mod access;
pub mod calendar;
pub mod case;
pub mod census;
pub mod england;
pub mod event;
pub mod ids;
pub mod matching;
pub mod person;
pub mod practice;
pub mod process;
pub mod process_example;
pub mod profile;
pub mod referral;
pub mod role;
pub mod threshold;
pub mod timescale;
pub mod upn;
pub mod validate;
