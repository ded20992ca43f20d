//! HTML pages, one module per area.

pub mod access_log;
pub mod account;
pub mod admin;
pub mod case_kit;
pub mod cases;
pub mod children;
pub mod chronology;
pub mod figures;
pub mod home;
pub mod login;
pub mod ops;
pub mod protection;
pub mod reference;
pub mod referrals;
pub mod threshold;
