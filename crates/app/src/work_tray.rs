//! A practitioner's work tray a page at a time (issue 6: a supervisor's tray answers
//! within 100 ms however much is waiting). Referral work (the front door's and the
//! supervisors' decisions) and case work in one list, soonest overdue first, with how
//! much is waiting and how much of it is overdue, so nothing past the first page goes
//! unnoticed. The counts stop past [`COUNTED_TO`]: "more than 1,000" tells a supervisor
//! all a larger number would, and the tray costs the same however large a backlog grows
//! (docs/decisions.md).
//!
//! The order is the stores' own: (overdue from, referral or case id, work key), all
//! compared as text. Ids are UUIDs, so a referral and a case never tie, and one place
//! in that order starts the next page of both kinds of work.

use crate::cases::CaseTrayItem;
use crate::front_door::TrayItem;
use crate::{App, AppError, Caller};
use together_domain::access::Action;
use together_domain::role::Role;
use together_store::{CaseWorkQuery, WorkAfter, WorkCount, WorkQuery};

/// Items on one page of a tray.
pub const ITEMS_PER_PAGE: usize = 50;

/// A tray's counts are exact up to this; past it they say "more than" it.
pub const COUNTED_TO: u64 = 1_000;

/// One item of work, from a referral or from a case.
pub enum TrayEntry {
    Referral(TrayItem),
    Case(CaseTrayItem),
}

impl TrayEntry {
    /// Its place in the tray's order.
    pub fn place(&self) -> WorkAfter {
        let (overdue_from, id, key) = match self {
            TrayEntry::Referral(t) => (&t.work.overdue_from, t.work.referral, &t.work.key),
            TrayEntry::Case(t) => (&t.work.overdue_from, t.work.case, &t.work.key),
        };
        WorkAfter {
            overdue_from: overdue_from.clone(),
            id: id.to_string(),
            key: key.clone(),
        }
    }

    pub fn overdue(&self) -> bool {
        match self {
            TrayEntry::Referral(t) => t.overdue,
            TrayEntry::Case(t) => t.overdue,
        }
    }
}

/// One page of a tray.
pub struct WorkTray {
    /// This page's items, soonest overdue first.
    pub items: Vec<TrayEntry>,
    /// All the work in the tray (not just this page), and how much of it is overdue.
    pub count: TrayCount,
    /// Where the next page starts, if there is more.
    pub next: Option<WorkAfter>,
}

/// How much work a tray holds and how much of it is overdue: exact up to a bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrayCount {
    pub total: Counted,
    pub overdue: Counted,
}

/// A count that stops at a bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    Exactly(u64),
    MoreThan(u64),
}

impl Counted {
    /// A count of parts each counted as far as `to + 1`: if they come to more than
    /// `to`, the whole is more than `to`; if not, no part reached its bound.
    fn of(parts: u64, to: u64) -> Counted {
        if parts > to {
            Counted::MoreThan(to)
        } else {
            Counted::Exactly(parts)
        }
    }
    /// Whether there is any at all.
    pub fn is_zero(&self) -> bool {
        *self == Counted::Exactly(0)
    }
}

/// A place in a tray as a link carries it: `{overdue_from}~{id}~{key}`.
pub fn place_to_link(p: &WorkAfter) -> String {
    format!("{}~{}~{}", p.overdue_from, p.id, p.key)
}

/// A place from a link; `None` if Together did not make it.
pub fn place_from_link(s: &str) -> Option<WorkAfter> {
    let mut parts = s.splitn(3, '~');
    let (at, id, key) = (parts.next()?, parts.next()?, parts.next()?);
    // Exactly as the stores write it: the tray's order compares it as text.
    let parsed = chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%S").ok()?;
    if parsed.format("%Y-%m-%dT%H:%M:%S").to_string() != at {
        return None;
    }
    let id = uuid::Uuid::parse_str(id).ok()?;
    let key_ok = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    key_ok.then(|| WorkAfter {
        overdue_from: at.to_string(),
        id: id.hyphenated().to_string(),
        key: key.to_string(),
    })
}

impl App {
    /// The caller's tray from `after` (the first page if `None`), at most `limit`
    /// items: the referral work of their queue (front door workers and social workers:
    /// the front door's; practice supervisors: every queue) and the case work assigned
    /// to them (practice supervisors: also the work no one is assigned yet).
    pub fn work_tray(
        &self,
        caller: &Caller,
        after: Option<&WorkAfter>,
        limit: usize,
    ) -> Result<WorkTray, AppError> {
        self.work_tray_counted_to(caller, after, limit, COUNTED_TO)
    }

    /// [`App::work_tray`] with its counts exact up to `counted_to`.
    pub fn work_tray_counted_to(
        &self,
        caller: &Caller,
        after: Option<&WorkAfter>,
        limit: usize,
        counted_to: u64,
    ) -> Result<WorkTray, AppError> {
        self.authorize(caller, Action::ViewHome)?;
        let cap = counted_to.saturating_add(1);
        let limit = limit.clamp(1, 500);
        let now = self.tray_now();
        let fetch = limit as u32 + 1;
        let (referral_work, referral_count) = match referral_queue(caller.role) {
            Some(queue) => {
                let q = WorkQuery {
                    queue: queue.map(str::to_string),
                    after: after.cloned(),
                    limit: fetch,
                };
                (
                    self.store.work_items(&q)?,
                    self.store.count_work_items(&q, &now, cap)?,
                )
            }
            None => (Vec::new(), WorkCount::default()),
        };
        let q = case_work_query(caller, after.cloned(), fetch);
        let case_work = self.store.case_work(&q)?;
        let case_count = self.store.count_case_work(&q, &now, cap)?;

        // Merge the two lists, each already in the tray's order.
        let mut referral_work = referral_work.into_iter().peekable();
        let mut case_work = case_work.into_iter().peekable();
        let mut items = Vec::with_capacity(limit);
        let mut more = false;
        loop {
            let take_referral = match (referral_work.peek(), case_work.peek()) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(r), Some(c)) => {
                    (
                        r.overdue_from.as_str(),
                        r.referral.to_string(),
                        r.key.as_str(),
                    ) < (c.overdue_from.as_str(), c.case.to_string(), c.key.as_str())
                }
            };
            if items.len() == limit {
                more = true;
                break;
            }
            items.push(if take_referral {
                let w = referral_work.next().expect("peeked");
                TrayEntry::Referral(TrayItem {
                    overdue: w.overdue_from <= now,
                    due: serde_json::from_str(&w.due).ok(),
                    work: w,
                })
            } else {
                let w = case_work.next().expect("peeked");
                TrayEntry::Case(CaseTrayItem {
                    overdue: w.overdue_from <= now,
                    due: serde_json::from_str(&w.due).ok(),
                    work: w,
                })
            });
        }
        let next = more.then(|| items.last().map(TrayEntry::place)).flatten();
        Ok(WorkTray {
            items,
            count: TrayCount {
                total: Counted::of(referral_count.total + case_count.total, counted_to),
                overdue: Counted::of(referral_count.overdue + case_count.overdue, counted_to),
            },
            next,
        })
    }

    /// Now, as the trays' overdue-from times are written: wall-clock time in England.
    pub(crate) fn tray_now(&self) -> String {
        self.now_in_england()
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    }
}

/// Which referral work a role's tray holds: `Some(Some(queue))` one queue,
/// `Some(None)` every queue (practice supervisors see the front door's queue below
/// their own), `None` none.
pub(crate) fn referral_queue(role: Role) -> Option<Option<&'static str>> {
    match role {
        Role::FrontDoorWorker | Role::SocialWorker => Some(Some("front-door")),
        Role::PracticeSupervisor => Some(None),
        _ => None,
    }
}

/// The case work in a caller's tray: what is assigned to them, and for practice
/// supervisors also what no one is assigned yet.
pub(crate) fn case_work_query(
    caller: &Caller,
    after: Option<WorkAfter>,
    limit: u32,
) -> CaseWorkQuery {
    CaseWorkQuery {
        assignee: (!caller.is_api_client).then_some(caller.actor_id),
        supervisors: caller.role == Role::PracticeSupervisor,
        child: None,
        after,
        limit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_survives_its_link() {
        let p = WorkAfter {
            overdue_from: "2026-12-30T00:00:00".into(),
            id: uuid::Uuid::now_v7().to_string(),
            key: "invite-strategy-1-0192f0c4-1c1e-7a3b-9c1d-2f3e4a5b6c7d".into(),
        };
        assert_eq!(place_from_link(&place_to_link(&p)), Some(p));
    }

    #[test]
    fn a_link_together_did_not_make_is_refused() {
        for bad in [
            "",
            "2026-12-30T00:00:00",
            "2026-12-30~0192f0c4-1c1e-7a3b-9c1d-2f3e4a5b6c7d~decide",
            "2026-12-30T00:00:00~not-a-uuid~decide",
            "2026-12-30T00:00:00~0192f0c4-1c1e-7a3b-9c1d-2f3e4a5b6c7d~",
            "2026-12-30T00:00:00~0192f0c4-1c1e-7a3b-9c1d-2f3e4a5b6c7d~<script>",
            "2026-1-5T9:0:0~0192f0c4-1c1e-7a3b-9c1d-2f3e4a5b6c7d~decide",
        ] {
            assert_eq!(place_from_link(bad), None, "{bad}");
        }
    }
}
