//! Statutory returns: outputs the partnership must send to the Department for
//! Education, derived from the event log and never typed twice.
//!
//! - [`census`]: the Children in Need census (collection year 1 April to 31 March),
//!   its episodes built from referrals and cases, Together's own checks before export;
//! - [`xml`]: the return in the DfE's XML layout (the layout the DfE's validator,
//!   `csc-validator-be-cin`, reads);
//! - [`figures`]: small-number suppression for anything exported.
//!
//! Pure: the app gathers the facts (children, referrals, cases) and passes them in.

pub mod census;
pub mod figures;
pub mod xml;

pub use census::{build, CensusChild, ChildFacts, CollectionYear, Fix, Problem, Return};
