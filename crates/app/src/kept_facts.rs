//! The figures are worked out from every record of the year (a second or so for a
//! county). Their facts are kept per year and used again while no event has been
//! appended since — and, on a busy server, for up to `Settings::figures_max_age`
//! after they were last known current, without asking the store whether anything
//! changed, so that a dashboard neither recomputes the year nor waits on the store
//! for every request. One request works a year out at a time; the others wait for it and share
//! the result, so concurrent dashboards do not multiply the memory either. The page
//! says when its figures were worked out.
//!
//! The figures counted from a year's facts are kept too, per team, for as long as
//! those facts are: a dashboard under load then counts nothing twice. They also
//! depend on the staff and teams (who is in which team, their names in the caseload
//! table) and on the calendar (working days), so a change to either counts afresh.

use crate::figures::Figures;
use crate::{App, AppError};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use together_domain::ids::TeamId;
use together_returns::census::{ChildFacts, CollectionYear};
use together_store::{TeamRow, UserRow};

#[derive(Default)]
pub(crate) struct KeptFacts {
    years: Mutex<HashMap<i32, Arc<Mutex<Option<Kept>>>>>,
    /// Numbers each working out of a year's facts, so kept figures name the facts
    /// they were counted from.
    generations: AtomicU64,
    figures: Mutex<HashMap<FiguresSlot, (FiguresKey, Figures)>>,
}

/// Where a year's figures are kept: (year, team, banded).
type FiguresSlot = (i32, Option<TeamId>, bool);

struct Kept {
    version: i64,
    /// When the facts were last known to be current: worked out, or the records seen
    /// unchanged since.
    checked: Instant,
    as_at: DateTime<Utc>,
    facts: Arc<Vec<ChildFacts>>,
    generation: u64,
}

impl Kept {
    fn year(&self) -> KeptYear {
        KeptYear {
            facts: self.facts.clone(),
            as_at: self.as_at,
            generation: self.generation,
        }
    }
}

/// A year's facts as the figures use them.
pub(crate) struct KeptYear {
    pub facts: Arc<Vec<ChildFacts>>,
    pub as_at: DateTime<Utc>,
    /// Which working out of the year these facts are.
    pub generation: u64,
}

/// What a year's figures for a team were counted from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct FiguresKey {
    pub year: i32,
    pub team: Option<TeamId>,
    /// Caseloads in bands (a partnership manager's view) rather than by name.
    pub banded: bool,
    /// The facts' generation.
    pub facts: u64,
    /// The staff and teams, as [`staff_fingerprint`] sums them up.
    pub staff: u64,
}

/// A fingerprint of the staff and teams the figures group by and name.
pub(crate) fn staff_fingerprint(users: &[UserRow], teams: &[TeamRow]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for u in users {
        (u.id, u.team, &u.display_name, &u.role, u.active).hash(&mut h);
    }
    for t in teams {
        (t.id, &t.name).hash(&mut h);
    }
    h.finish()
}

impl App {
    /// The year's census facts and when they were worked out (see the module).
    pub(crate) fn kept_census_facts(&self, year: CollectionYear) -> Result<KeptYear, AppError> {
        let slot = self
            .kept_facts
            .years
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(year.first)
            .or_default()
            .clone();
        let mut kept = slot.lock().unwrap_or_else(|p| p.into_inner());
        // Shown as kept while they were known current within the allowed age, without
        // asking the store (on PostgreSQL the version is a sum over every log head,
        // and every dashboard request would wait for it here, one at a time).
        if let Some(k) = kept.as_ref() {
            if k.checked.elapsed() < self.settings.figures_max_age {
                return Ok(k.year());
            }
        }
        // Read before working out: an append during it makes the next request look again.
        let version = self.store.events_version()?;
        if let Some(k) = kept.as_mut() {
            if k.version == version {
                k.checked = Instant::now();
                return Ok(k.year());
            }
        }
        // Dropped first, so that a year's old and new facts are not held together.
        *kept = None;
        let as_at = self.clock.now();
        let facts = Arc::new(self.census_facts(year)?);
        let generation = self.kept_facts.generations.fetch_add(1, Ordering::Relaxed) + 1;
        *kept = Some(Kept {
            version,
            checked: Instant::now(),
            as_at,
            facts: facts.clone(),
            generation,
        });
        Ok(KeptYear {
            facts,
            as_at,
            generation,
        })
    }

    /// The figures counted from exactly what `key` names, if kept.
    pub(crate) fn kept_figures(&self, key: &FiguresKey) -> Option<Figures> {
        let kept = self
            .kept_facts
            .figures
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        kept.get(&(key.year, key.team, key.banded))
            .filter(|(k, _)| k == key)
            .map(|(_, f)| f.clone())
    }

    /// Keep figures counted from what `key` names (replacing older ones).
    pub(crate) fn keep_figures(&self, key: FiguresKey, figures: &Figures) {
        self.kept_facts
            .figures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((key.year, key.team, key.banded), (key, figures.clone()));
    }

    /// Forget every kept count of figures (the calendar changed: working days differ).
    pub(crate) fn forget_figures(&self) {
        self.kept_facts
            .figures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}
