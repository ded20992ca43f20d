//! The processes the kernel runs, one entry each (issue 15): what the app needs of a
//! process it otherwise knows only by its kind — to rebuild its projection from its
//! log, and to title its events in a chronology. Adding a process adds one line to
//! [`processes`]; nothing else in the app, the store or the trays changes.

use crate::{App, AppError};
use std::marker::PhantomData;
use together_domain::process::Process;

/// A registered process, with its type erased.
pub trait Registered: Send + Sync {
    fn kind(&self) -> &'static str;
    /// Rebuild one process's projection (row, subjects, work and due dates) from its log.
    fn reproject(&self, app: &App, id: uuid::Uuid) -> Result<(), AppError>;
    /// The chronology's title for one of its stored events; `None` if the payload is
    /// not one of this process's events.
    fn title(&self, payload: &str) -> Option<String>;
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

/// Every process of the kernel's that this build of Together runs. The referral and
/// the case keep tables of their own (the census and the lists read them) and are
/// rebuilt by `reproject` directly; processes with no table of their own are here.
pub fn processes() -> Vec<Box<dyn Registered>> {
    Vec::new()
}
