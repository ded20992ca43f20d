//! The figures are worked out from every record of the year (a second or so for a
//! county). Their facts are kept per year and used again while no event has been
//! appended since — and, on a busy server, for up to `Settings::figures_max_age`
//! after a change, so that a dashboard does not recompute the year for every
//! request. One request works a year out at a time; the others wait for it and share
//! the result, so concurrent dashboards do not multiply the memory either. The page
//! says when its figures were worked out.

use crate::{App, AppError};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use together_returns::census::{ChildFacts, CollectionYear};

#[derive(Default)]
pub(crate) struct KeptFacts {
    years: Mutex<HashMap<i32, Arc<Mutex<Option<Kept>>>>>,
}

struct Kept {
    version: i64,
    worked_out: Instant,
    as_at: DateTime<Utc>,
    facts: Arc<Vec<ChildFacts>>,
}

impl App {
    /// The year's census facts and when they were worked out (see the module).
    pub(crate) fn kept_census_facts(
        &self,
        year: CollectionYear,
    ) -> Result<(Arc<Vec<ChildFacts>>, DateTime<Utc>), AppError> {
        let slot = self
            .kept_facts
            .years
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(year.first)
            .or_default()
            .clone();
        let mut kept = slot.lock().unwrap_or_else(|p| p.into_inner());
        // Read before working out: an append during it makes the next request look again.
        let version = self.store.events_version()?;
        if let Some(k) = kept.as_ref() {
            if k.version == version || k.worked_out.elapsed() < self.settings.figures_max_age {
                return Ok((k.facts.clone(), k.as_at));
            }
        }
        // Dropped first, so that a year's old and new facts are not held together.
        *kept = None;
        let as_at = self.clock.now();
        let facts = Arc::new(self.census_facts(year)?);
        *kept = Some(Kept {
            version,
            worked_out: Instant::now(),
            as_at,
            facts: facts.clone(),
        });
        Ok((facts, as_at))
    }
}
