//! together-web
