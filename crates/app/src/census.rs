//! The Children in Need census, gathered from the store for the returns crate: every
//! child with a case open in the collection year or a referral received in it, with
//! their details, every case (replayed from its log) and every referral.

use crate::front_door::local_time;
use crate::{App, AppError, Caller};
use std::collections::BTreeSet;
use together_domain::access::Action;
use together_domain::census::ReferralSource;
use together_domain::ids::{CaseId, PersonId};
use together_domain::referral::ReferralId;
use together_returns::census::{self, ChildFacts, CollectionYear, ReferralFacts, Return};
use together_returns::xml::{self, Source};

impl App {
    /// The census for `year`, checked (the partnership manager only; logged).
    pub fn census(&self, caller: &Caller, year: CollectionYear) -> Result<Return, AppError> {
        self.authorize(caller, Action::ProduceReturns)?;
        let facts = self.census_facts(year)?;
        let r = census::build(year, &facts);
        // The return reads every child in it: one entry says who made it, and when.
        self.log_return(
            caller,
            &format!(
                "CIN census {} ({} children)",
                year.label(),
                r.children.len()
            ),
        )?;
        Ok(r)
    }

    /// The census as the DfE's XML, for the authority `la` (its DfE code; the
    /// profile's when `None`).
    pub fn census_xml(
        &self,
        caller: &Caller,
        year: CollectionYear,
        la: Option<&str>,
    ) -> Result<(Return, String), AppError> {
        let r = self.census(caller, year)?;
        let xml = xml::write(
            &r,
            &Source {
                lea: la.or(self.profile.la_code.as_deref()).unwrap_or("000"),
                software: "Together",
                release: env!("CARGO_PKG_VERSION"),
                serial: 1,
                generated_at: self.now_in_england(),
            },
        );
        Ok((r, xml))
    }

    /// What the census needs of every child in the year.
    pub fn census_facts(&self, year: CollectionYear) -> Result<Vec<ChildFacts>, AppError> {
        let (from, to) = (year.start(), year.end());
        let mut children = BTreeSet::new();
        for c in self
            .store
            .cases_between(&from.to_string(), &to.to_string())?
        {
            children.insert(c.child);
        }
        // Timestamps are UTC; a day either side, then the local date decides.
        let lo = format!("{}T00:00:00", from.pred_opt().unwrap_or(from));
        let hi = format!(
            "{}T00:00:00",
            to.succ_opt().and_then(|d| d.succ_opt()).unwrap_or(to)
        );
        for r in self.store.referral_children_between(&lo, &hi)? {
            if local_time(&r.received_at).is_some_and(|t| year.contains(t.date())) {
                children.insert(r.person);
            }
        }
        children
            .into_iter()
            .map(|child| self.child_facts(child))
            .collect::<Result<Vec<_>, _>>()
            .map(|v| v.into_iter().flatten().collect())
    }

    fn child_facts(&self, child: PersonId) -> Result<Option<ChildFacts>, AppError> {
        let Some(details) = crate::record::current_details(&self.store.log(child)?) else {
            return Ok(None);
        };
        let mut cases = Vec::new();
        for row in self.store.cases_of_child(child)? {
            let (_, _, case) = self.load_case(CaseId(row.id))?;
            cases.push(case);
        }
        cases.sort_by_key(|c| c.opened_at);
        let mut referrals = Vec::new();
        let links = self.store.referrals_of_person(child)?;
        // A repeat: received within 12 months of an earlier referral about the child.
        let mut received: Vec<(String, uuid::Uuid)> = links
            .iter()
            .map(|l| (l.received_at.clone(), l.referral))
            .collect();
        received.sort();
        let repeats: std::collections::HashSet<uuid::Uuid> = received
            .windows(2)
            .filter(|w| {
                let (a, b) = (local_time(&w[0].0), local_time(&w[1].0));
                matches!((a, b), (Some(a), Some(b)) if together_domain::referral::within_twelve_months(a.date(), b.date()))
            })
            .map(|w| w[1].1)
            .collect();
        for link in links {
            let (_, r) = self.load(ReferralId(link.referral))?;
            let decision = r.current_decision();
            referrals.push(ReferralFacts {
                id: r.id,
                received_on: r.received_at.date(),
                source: ReferralSource::of(&r.details.referrer),
                decided_on: decision.map(|d| d.decided_at.date()),
                no_further_action: decision.is_some_and(|d| d.is_no_further_action()),
                case_opened: r.cases.iter().any(|(i, _)| *i == link.child_index as usize),
                decided_on_time: decision.map(|d| d.on_time),
                repeat: repeats.contains(&r.id.0),
                overrides: decision
                    .map(|d| {
                        d.overrides
                            .iter()
                            .map(|o| override_name(&o.kind).to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
        Ok(Some(ChildFacts {
            id: child,
            details,
            referrals,
            cases,
        }))
    }
}

/// A should-rule override, named without its particulars (for counting).
fn override_name(k: &together_domain::referral::state::OverrideKind) -> &'static str {
    use together_domain::referral::state::OverrideKind::*;
    match k {
        BelowSuggestedLevel { .. } => {
            "Referral: response below the level the threshold model suggested"
        }
        NoStrategyDiscussion => "Referral: no strategy discussion despite a section 47 indicator",
        NoSignposting => "Referral: no further action without signposting",
        UrgentNoFurtherAction => {
            "Referral: no further action on immediate risk or suspected significant harm"
        }
    }
}
