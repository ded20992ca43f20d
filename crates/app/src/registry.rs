//! The processes the kernel runs, one entry each (issue 15): what the app needs of a
//! process it otherwise knows only by its kind — to rebuild its projection from its
//! log, and to title its events in a chronology. Adding a process adds one line to
//! [`processes`]; nothing else in the app, the store or the trays changes.

use crate::{App, AppError};
use std::marker::PhantomData;
use together_domain::case::process::CaseProcess;
use together_domain::case::CaseEvent;
use together_domain::ids::CaseId;
use together_domain::process::Process;
use together_domain::referral::process::ReferralProcess;
use together_domain::referral::{ReferralEvent, ReferralId};

/// A registered process, with its type erased.
pub trait Registered: Send + Sync {
    fn kind(&self) -> &'static str;
    /// Rebuild one process's projection (row, subjects, work and due dates) from its log.
    fn reproject(&self, app: &App, id: uuid::Uuid) -> Result<(), AppError>;
    /// The chronology's title for one of its stored events; `None` if the payload is
    /// not one of this process's events.
    fn title(&self, payload: &str) -> Option<String>;
    /// For a process that keeps tables of its own (the referral, the case): rebuild
    /// every one and say how many. `None` for a process kept in the kernel's tables,
    /// which `reproject_all` reads once for all kinds.
    fn reproject_own_tables(&self, _app: &App) -> Result<Option<u64>, AppError> {
        Ok(None)
    }
}

struct Entry<P>(PhantomData<fn() -> P>);

impl<P: Process + 'static> Registered for Entry<P> {
    fn kind(&self) -> &'static str {
        P::KIND
    }
    fn reproject(&self, app: &App, id: uuid::Uuid) -> Result<(), AppError> {
        app.reproject_process::<P>(id)
    }
    fn title(&self, payload: &str) -> Option<String> {
        serde_json::from_str::<P::Event>(payload)
            .ok()
            .map(|e| P::title(&e))
    }
}

/// The registry entry of process `P`.
pub fn entry<P: Process + 'static>() -> Box<dyn Registered> {
    Box::new(Entry::<P>(PhantomData))
}

/// The referral: its own table and log (the front door's lists and the census read
/// them), decided through [`ReferralProcess`].
struct Referrals;

impl Registered for Referrals {
    fn kind(&self) -> &'static str {
        ReferralProcess::KIND
    }
    fn reproject(&self, app: &App, id: uuid::Uuid) -> Result<(), AppError> {
        app.reproject_referral(ReferralId(id))
    }
    fn title(&self, payload: &str) -> Option<String> {
        serde_json::from_str::<ReferralEvent>(payload)
            .ok()
            .map(|e| ReferralProcess::title(&e))
    }
    fn reproject_own_tables(&self, app: &App) -> Result<Option<u64>, AppError> {
        app.reproject_referrals().map(Some)
    }
}

/// The case: its own table and log (the census, the lists and the child's page read
/// them), decided through [`CaseProcess`].
struct Cases;

impl Registered for Cases {
    fn kind(&self) -> &'static str {
        CaseProcess::KIND
    }
    fn reproject(&self, app: &App, id: uuid::Uuid) -> Result<(), AppError> {
        app.reproject_case(CaseId(id))
    }
    fn title(&self, payload: &str) -> Option<String> {
        serde_json::from_str::<CaseEvent>(payload)
            .ok()
            .map(|e| CaseProcess::title(&e))
    }
    fn reproject_own_tables(&self, app: &App) -> Result<Option<u64>, AppError> {
        app.reproject_cases().map(Some)
    }
}

/// Every process this build of Together runs: the referral and the case, which keep
/// tables of their own, then each process kept in the kernel's tables (one line each).
pub fn processes() -> Vec<Box<dyn Registered>> {
    vec![Box::new(Referrals), Box::new(Cases)]
}
