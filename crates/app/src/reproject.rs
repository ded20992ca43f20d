//! `together reproject`: every projection rebuilt from the hash-chained logs — each
//! referral's row, children and work, each case's row, work and plan actions, each
//! kernel process's row, subjects and work — with every due date counted again on
//! today's calendar (e.g. after a bank holiday is proclaimed, design principle 5).
//! Nothing is appended: the logs are the record, the projections only what is derived.

use crate::{App, AppError};
use together_domain::ids::CaseId;
use together_domain::referral::ReferralId;
use together_store::{ProcessQuery, ReferralQuery};

/// How many of each were rebuilt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reprojected {
    pub referrals: u64,
    pub cases: u64,
    pub processes: u64,
}

/// Rows read a page at a time.
const PAGE: u32 = 1_000;

impl App {
    /// Rebuild every projection from the logs.
    pub fn reproject_all(&self) -> Result<Reprojected, AppError> {
        let mut done = Reprojected::default();
        let registry = self.registered_processes();
        for entry in &registry {
            if let Some(n) = entry.reproject_own_tables(self)? {
                match entry.kind() {
                    "referral" => done.referrals += n,
                    "case" => done.cases += n,
                    _ => done.processes += n,
                }
            }
        }
        let mut offset = 0;
        loop {
            let page = self.store.processes(&ProcessQuery {
                limit: PAGE,
                offset,
                ..Default::default()
            })?;
            for row in &page {
                let entry = registry
                    .iter()
                    .find(|e| e.kind() == row.kind)
                    .ok_or_else(|| {
                        AppError::Internal(format!(
                            "a process of kind {} is stored but not registered",
                            row.kind
                        ))
                    })?;
                entry.reproject(self, row.id)?;
                done.processes += 1;
            }
            if page.len() < PAGE as usize {
                break;
            }
            offset += PAGE;
        }
        self.forget_figures();
        Ok(done)
    }

    /// Rebuild every referral's projection, a page at a time; how many.
    pub(crate) fn reproject_referrals(&self) -> Result<u64, AppError> {
        let mut n = 0;
        let mut offset = 0;
        loop {
            let page = self.store.referrals(&ReferralQuery {
                limit: PAGE,
                offset,
                ..Default::default()
            })?;
            for row in &page {
                self.reproject_referral(ReferralId(row.id))?;
                n += 1;
            }
            if page.len() < PAGE as usize {
                return Ok(n);
            }
            offset += PAGE;
        }
    }

    /// Rebuild every case's projection; how many.
    pub(crate) fn reproject_cases(&self) -> Result<u64, AppError> {
        let mut n = 0;
        for row in self.store.cases_between("0000-01-01", "9999-12-31")? {
            self.reproject_case(CaseId(row.id))?;
            n += 1;
        }
        Ok(n)
    }

    /// Rebuild one referral's projection from its log; its row keeps who sent it and
    /// when it last changed.
    pub fn reproject_referral(&self, id: ReferralId) -> Result<(), AppError> {
        let row = self.store.referral(id.0)?.ok_or(AppError::NotFound)?;
        let (_, referral) = self.load(id)?;
        let mut projection = self.project(&referral, Some(&row), None, &row.received_at);
        projection.row.updated_at = row.updated_at;
        self.store.append_referral(&[], &projection)?;
        Ok(())
    }

    /// Rebuild one case's projection from its log.
    pub fn reproject_case(&self, id: CaseId) -> Result<(), AppError> {
        let (row, _, case) = self.load_case(id)?;
        let mut projection = self.project_case(&case, &self.calendar());
        projection.row.updated_at = row.updated_at;
        self.store.append_case(&[], &projection)?;
        Ok(())
    }
}
