//! The child's multi-agency chronology (issue 5; Liverpool 004 §6): significant events
//! from the child's record (what any agency added, as far as the reader may see it) and
//! from the child's cases (for children's social care), in date order, filterable.

use crate::{App, AppError, Caller};
use chrono::NaiveDate;
use together_domain::access::Scope;
use together_domain::case::CaseEvent;
use together_domain::event::parse_timestamp;
use together_domain::ids::PersonId;

/// One line of the chronology.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The date it happened (England).
    pub on: NaiveDate,
    pub what: String,
    /// Who recorded it: their agency's name (or the role, for an agency system).
    pub agency: String,
    /// "record" for the child's record, "case" for a case.
    pub source: &'static str,
}

#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only lines recorded by this agency (its name).
    pub agency: Option<String>,
}

impl App {
    /// The chronology, oldest first, as far as the caller may see it.
    pub fn chronology(
        &self,
        caller: &Caller,
        child: PersonId,
        filter: &Filter,
    ) -> Result<(Vec<Line>, Vec<String>), AppError> {
        let view = self.view_child(caller, child)?;
        let agencies: std::collections::HashMap<_, _> = self
            .store
            .agencies()?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        let agency_of = |id| {
            agencies
                .get(&id)
                .cloned()
                .unwrap_or_else(|| "A partner agency".into())
        };
        let local = |s: &str| {
            parse_timestamp(s)
                .map(|t| crate::record::to_london(t).date_naive())
                .unwrap_or(NaiveDate::MIN)
        };
        let mut lines: Vec<Line> = view
            .chronology
            .iter()
            .filter_map(|e| {
                let body = e.current.as_ref()?;
                Some(Line {
                    on: local(&e.event.effective_at),
                    what: body.title(),
                    agency: agency_of(e.event.actor_agency),
                    source: "record",
                })
            })
            .collect();
        if view.permit.scope == Scope::Full {
            for c in self.store.cases_of_child(child)? {
                for e in self.store.log(PersonId(c.id))? {
                    let Some(ev) = e
                        .payload
                        .as_deref()
                        .and_then(|p| CaseEvent::from_stored(&e.event_type, p).ok())
                    else {
                        continue;
                    };
                    lines.push(Line {
                        on: ev.at.date(),
                        what: ev.title(None),
                        agency: agency_of(e.actor_agency),
                        source: "case",
                    });
                }
            }
        }
        let mut all_agencies: Vec<String> = lines.iter().map(|l| l.agency.clone()).collect();
        all_agencies.sort();
        all_agencies.dedup();
        lines.retain(|l| {
            filter.from.is_none_or(|f| l.on >= f)
                && filter.to.is_none_or(|t| l.on <= t)
                && filter.agency.as_ref().is_none_or(|a| &l.agency == a)
        });
        lines.sort_by_key(|l| l.on);
        Ok((lines, all_agencies))
    }
}
