//! together-app
