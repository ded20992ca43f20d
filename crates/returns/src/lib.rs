//! together-returns
