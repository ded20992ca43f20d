//! Application services: the commands and queries that the web pages, the JSON API
//! and the CLI share (design principle 8: two faces, one core). Each service takes
//! the caller, asks the one access decision through [`App::authorize`], and reads
//! or writes through the store.

pub mod cases;
pub mod census;
pub mod chronology;
pub mod clock;
pub mod demo;
pub mod directory;
mod error;
pub mod exchange;
pub mod figures;
pub mod front_door;
mod gate;
pub mod generate;
pub mod identity;
mod kept_facts;
pub mod names;
pub mod process;
pub mod profiles;
pub mod record;
pub mod record_page;
pub mod registry;
pub mod reproject;
pub mod work_tray;

pub use error::AppError;

/// The rows the application's services answer with, for the web and the CLI, which
/// read through these services and never the store itself (issue 15).
pub mod rows {
    pub use together_store::{
        AccessEntry, AdminEntry, AdminQuery, AgencyRow, CaseActionRow, CaseRow, ChildQuery,
        FormClaim, Involvement, Owner, PersonRow, ProcessRow, ReferralRow, SessionRow, Subject,
        TeamRow, UserRow, WorkAfter, WorkRow,
    };
}
pub use gate::{Caller, Permit};

use chrono::NaiveDate;
use clock::Clock;
use std::sync::{Arc, RwLock};
use together_domain::calendar::{Calendar, Proclamation};
use together_domain::profile::Profile;
use together_store::Store;

/// Settings an operator may change.
#[derive(Clone, Debug)]
pub struct Settings {
    /// A session unused for this long ends (minutes).
    pub session_idle_minutes: i64,
    /// A session ends this long after sign-in however busy (hours; issue 18).
    pub session_max_hours: i64,
    /// Failed sign-ins for one account from one address within the window before
    /// each further attempt from there must wait (issue 18: by account *and* address,
    /// so someone elsewhere cannot lock the real user out).
    pub login_max_failures: u32,
    pub login_window_minutes: i64,
    /// The first wait after too many failures; each further failure doubles it, up to
    /// the window (seconds).
    pub login_first_delay_seconds: i64,
    /// Failed sign-ins for one account from anywhere within the window before attempts
    /// from addresses it has not signed in from must wait too (guessing spread over many
    /// addresses); its usual addresses are not held up.
    pub login_max_failures_any_address: u32,
    /// How long a successful sign-in's address is remembered as usual (days).
    pub login_known_address_days: i64,
    /// The figures may be this old when the records have changed since (the server
    /// keeps them a minute; zero works them out afresh whenever anything changed).
    pub figures_max_age: std::time::Duration,
}

impl Default for Settings {
    fn default() -> Self {
        // NCSC password guidance favours throttling over complexity rules.
        Settings {
            session_idle_minutes: 30,
            session_max_hours: 12,
            login_max_failures: 5,
            login_window_minutes: 15,
            login_first_delay_seconds: 60,
            login_max_failures_any_address: 20,
            login_known_address_days: 30,
            figures_max_age: std::time::Duration::ZERO,
        }
    }
}

pub struct App {
    pub store: Arc<dyn Store>,
    /// The profile in force for this partnership.
    pub profile: Profile,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    calendar: RwLock<Calendar>,
    /// The census facts of each year, kept for the figures (`kept_facts`).
    kept_facts: kept_facts::KeptFacts,
    matcher: front_door::Matcher,
    /// The processes of the kernel's this app runs (`registry`).
    processes: RwLock<Vec<Arc<dyn registry::Registered>>>,
}

impl App {
    pub fn new(
        store: Arc<dyn Store>,
        profile: Profile,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> Result<App, AppError> {
        let app = App {
            store,
            profile,
            clock,
            settings,
            calendar: RwLock::new(Calendar::england_and_wales()),
            matcher: front_door::Matcher::default(),
            kept_facts: Default::default(),
            processes: RwLock::new(registry::processes().into_iter().map(Arc::from).collect()),
        };
        app.reload_calendar()?;
        Ok(app)
    }

    /// Run one more process (a process under test, or one a deployment adds).
    pub fn register(&self, entry: Box<dyn registry::Registered>) {
        let mut all = self.processes.write().expect("registry lock");
        all.retain(|e| e.kind() != entry.kind());
        all.push(Arc::from(entry));
    }

    /// The processes this app runs.
    pub fn registered_processes(&self) -> Vec<Arc<dyn registry::Registered>> {
        self.processes.read().expect("registry lock").clone()
    }

    /// The working-day calendar: England and Wales bank holidays, the built-in and
    /// administrator-added proclamations, and this partnership's closure days.
    pub fn calendar(&self) -> Calendar {
        self.calendar.read().expect("calendar lock").clone()
    }

    /// Rebuild the calendar after an administrator adds a proclamation.
    pub fn reload_calendar(&self) -> Result<(), AppError> {
        let extra: Vec<Proclamation> = self
            .store
            .proclamations()?
            .into_iter()
            .filter_map(|p| {
                let date = NaiveDate::parse_from_str(&p.date, "%Y-%m-%d").ok()?;
                let replaces = p
                    .replaces
                    .as_deref()
                    .and_then(|r| NaiveDate::parse_from_str(r, "%Y-%m-%d").ok());
                Some(match replaces {
                    Some(from) => Proclamation::moved(from, date, &p.name),
                    None => Proclamation::added(date, &p.name),
                })
            })
            .collect();
        let cal = self
            .profile
            .calendar(Calendar::england_and_wales().with_proclamations(extra));
        *self.calendar.write().expect("calendar lock") = cal;
        // Working days are counted differently now.
        self.forget_figures();
        Ok(())
    }
}
