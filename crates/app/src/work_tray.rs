//! A practitioner's work tray a page at a time (issue 6: a supervisor's tray answers
//! within 100 ms however much is waiting). The work of every process — referrals,
//! cases and whatever process comes next — is in one table, read as one list soonest
//! overdue first, with how much is waiting and how much of it is overdue, so nothing
//! past the first page goes unnoticed. The counts stop past [`COUNTED_TO`]: "more than
//! 1,000" tells a supervisor all a larger number would, and the tray costs the same
//! however large a backlog grows (docs/decisions.md).
//!
//! The tray knows no process by name (issue 15): a caller's tray is the work they own,
//! and the work of their role's queues ([`role_queues`]). The order is the store's own:
//! (overdue from, process id, work key), all compared as text; ids are UUIDs, so two
//! processes never tie.

use crate::gate::Shown;
use crate::{App, AppError, Caller};
use together_domain::access::Action;
use together_domain::process::{role_queues, Owner};
use together_domain::timescale::Due;
use together_store::{TrayQuery, WorkAfter, WorkRow};

/// Items on one page of a tray.
pub const ITEMS_PER_PAGE: usize = 50;

/// A tray's counts are exact up to this; past it they say "more than" it.
pub const COUNTED_TO: u64 = 1_000;

/// A piece of open work, with whether it is overdue now.
#[derive(Clone, Debug)]
pub struct TrayItem {
    pub work: WorkRow,
    pub overdue: bool,
    pub due: Option<Due>,
}

impl TrayItem {
    /// Its place in the tray's order.
    pub fn place(&self) -> WorkAfter {
        WorkAfter {
            overdue_from: self.work.overdue_from.clone(),
            id: self.work.process_id.to_string(),
            key: self.work.key.clone(),
        }
    }
}

/// At most this much urgent work heads a tray's first page.
const URGENT_SHOWN: u32 = 100;

/// One page of a tray.
pub struct WorkTray {
    /// This page's items, soonest overdue first.
    pub items: Vec<TrayItem>,
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
    /// items: the work they own and the work of their role's queues.
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
        let limit = limit.clamp(1, 500);
        let now = self.tray_now();
        let q = TrayQuery {
            after: after.cloned(),
            limit: limit as u32 + 1,
            ..tray_query(caller)
        };
        let mut items = self.tray_items(&q, &now)?;
        let more = items.len() > limit;
        items.truncate(limit);
        let next = more.then(|| items.last().map(TrayItem::place)).flatten();
        // Urgent work is shown first, on the first page, whatever its place in the
        // order (issue 16; WT2026 ¶164, ¶168); it is not shown again further down.
        items.retain(|i| !i.work.urgent);
        if after.is_none() {
            let urgent = self.tray_items(
                &TrayQuery {
                    urgent_only: true,
                    after: None,
                    limit: URGENT_SHOWN,
                    ..q.clone()
                },
                &now,
            )?;
            items.splice(0..0, urgent);
        }
        self.log_listed(
            caller,
            Action::ViewHome,
            "listed in a work tray",
            items.iter().map(|i| Shown::work(&i.work)),
        )?;
        let count = self
            .store
            .count_work(&q, &now, counted_to.saturating_add(1))?;
        Ok(WorkTray {
            items,
            count: TrayCount {
                total: Counted::of(count.total, counted_to),
                overdue: Counted::of(count.overdue, counted_to),
            },
            next,
        })
    }

    /// The caller's tray of one kind of process only (every item, up to 500).
    pub(crate) fn tray_of_kind(
        &self,
        caller: &Caller,
        kind: &str,
    ) -> Result<Vec<TrayItem>, AppError> {
        self.authorize(caller, Action::ViewHome)?;
        let q = TrayQuery {
            kind: Some(kind.into()),
            limit: 500,
            ..tray_query(caller)
        };
        let mut items = self.tray_items(&q, &self.tray_now())?;
        // Urgent first, each part in the tray's order (issue 16).
        items.sort_by_key(|i| !i.work.urgent);
        self.log_listed(
            caller,
            Action::ViewHome,
            "listed in a work tray",
            items.iter().map(|i| Shown::work(&i.work)),
        )?;
        Ok(items)
    }

    /// The work `q` selects, each item marked overdue or not by `now`.
    pub(crate) fn tray_items(&self, q: &TrayQuery, now: &str) -> Result<Vec<TrayItem>, AppError> {
        Ok(self
            .store
            .work(q)?
            .into_iter()
            .map(|w| TrayItem {
                overdue: w.overdue_from.as_str() <= now,
                due: serde_json::from_str(&w.due).ok(),
                work: w,
            })
            .collect())
    }

    /// The work an agency's system reads for its practitioners (an API client: every
    /// active user of its agency; a user: their own tray), of every process, soonest
    /// overdue first, at most `limit` items. The kernel's work of any process reaches
    /// partners' systems here with no code of its own.
    pub fn agency_work(&self, caller: &Caller, limit: usize) -> Result<Vec<TrayItem>, AppError> {
        self.authorize(caller, Action::ViewHome)?;
        let q = if caller.is_api_client {
            TrayQuery {
                owners: self
                    .store
                    .users()?
                    .into_iter()
                    .filter(|u| u.agency == caller.agency && u.active)
                    .map(|u| Owner::Person(u.id))
                    .collect(),
                ..TrayQuery::default()
            }
        } else {
            tray_query(caller)
        };
        let q = TrayQuery {
            limit: limit.clamp(1, 500) as u32,
            ..q
        };
        let items = self.tray_items(&q, &self.tray_now())?;
        self.log_listed(
            caller,
            Action::ViewHome,
            "listed in an agency's work",
            items.iter().map(|i| Shown::work(&i.work)),
        )?;
        Ok(items)
    }

    /// Now, as the trays' overdue-from times are written: wall-clock time in England.
    pub(crate) fn tray_now(&self) -> String {
        self.now_in_england()
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    }
}

/// Whose work is in a caller's tray: their own (a user's, not an agency system's),
/// and their role's queues'.
pub(crate) fn tray_query(caller: &Caller) -> TrayQuery {
    let mut owners: Vec<Owner> = Vec::new();
    if !caller.is_api_client {
        owners.push(Owner::Person(caller.actor_id));
    }
    owners.extend(
        role_queues(caller.role)
            .iter()
            .map(|q| Owner::Queue(q.to_string())),
    );
    TrayQuery {
        owners,
        ..TrayQuery::default()
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
