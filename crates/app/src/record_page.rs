//! Opening a child's record a page at a time (issue 6: a record with 5,000 entries
//! opens as fast as one with five). The page shows the newest entries of the
//! chronology and links to older ones; the summary (details, family, restriction,
//! access granted) is folded from its own entry types only.

use crate::record::ChildView;
use crate::{App, AppError, Caller};
use std::collections::HashSet;
use together_domain::access::{Action, Scope};
use together_domain::event::{
    chronology, parse_timestamp, ChildSummary, ChronologyEntry, StoredEvent,
};
use together_domain::ids::{EventId, PersonId};

/// Entries on one page of the child's record.
pub const ENTRIES_PER_PAGE: usize = 50;

/// Where a page starts: the entries that happened before this one (then recorded
/// before it), in the chronology's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub effective_at: String,
    pub seq: i64,
}

impl Cursor {
    pub fn of(e: &StoredEvent) -> Cursor {
        Cursor {
            effective_at: e.effective_at.clone(),
            seq: e.seq,
        }
    }

    /// From a link (`{effective_at}~{seq}`); `None` if it is not one.
    pub fn parse(s: &str) -> Option<Cursor> {
        let (at, seq) = s.rsplit_once('~')?;
        parse_timestamp(at)?;
        Some(Cursor {
            effective_at: at.to_string(),
            seq: seq.parse().ok().filter(|n| *n > 0)?,
        })
    }

    fn key(&self) -> (&str, i64) {
        (&self.effective_at, self.seq)
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}~{}", self.effective_at, self.seq)
    }
}

/// One page of a child's record.
pub struct RecordPage {
    /// The person, summary and permit; `chronology` holds this page's entries, newest
    /// first (by when they happened, then by when recorded).
    pub view: ChildView,
    /// Entries off this page that its entries refer to: the corrections of its
    /// entries, and the entries its corrections correct.
    pub related: Vec<ChronologyEntry>,
    /// Entries of the record the caller may see, on every page.
    pub total: usize,
    /// Where the next (older) page starts, if there is one.
    pub older: Option<Cursor>,
}

fn newest_first(a: &StoredEvent, b: &StoredEvent) -> std::cmp::Ordering {
    (&b.effective_at, b.seq).cmp(&(&a.effective_at, a.seq))
}

/// Two sets of one log's events as one, in log order.
fn merged(mut a: Vec<StoredEvent>, b: Vec<StoredEvent>) -> Vec<StoredEvent> {
    a.extend(b);
    a.sort_by_key(|e| e.seq);
    a.dedup_by_key(|e| e.seq);
    a
}

/// Split entries into those of `page` (newest first) and the rest.
fn split(
    entries: Vec<ChronologyEntry>,
    page: &HashSet<EventId>,
) -> (Vec<ChronologyEntry>, Vec<ChronologyEntry>) {
    let (mut on, off): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|e| page.contains(&e.event.id));
    on.sort_by(|a, b| newest_first(&a.event, &b.event));
    (on, off)
}

impl App {
    /// Open a child's record at a page of its chronology: the newest `limit` entries
    /// before `before`, or the newest. One access decision and one access-log entry,
    /// as for the whole record.
    pub fn view_child_page(
        &self,
        caller: &Caller,
        child: PersonId,
        before: Option<&Cursor>,
        limit: usize,
    ) -> Result<RecordPage, AppError> {
        let permit = self.authorize_child(caller, Action::ViewChildRecord, child, &[])?;
        let person = self.store.person(child)?.ok_or(AppError::NotFound)?;
        let limit = limit.max(1);
        if permit.scope == Scope::SharedOnly {
            // What a partner may see of an entry depends on how it reads after every
            // correction since, so a partner's view folds the whole log (and can say
            // exactly how many entries are held back).
            let mut whole = self.whole_view(permit, person)?;
            let mut all = std::mem::take(&mut whole.chronology);
            all.sort_by(|a, b| newest_first(&a.event, &b.event));
            let total = all.len();
            let start = before.map_or(0, |c| {
                all.iter()
                    .position(|e| (e.event.effective_at.as_str(), e.event.seq) < c.key())
                    .unwrap_or(total)
            });
            let end = (start + limit).min(total);
            let older = (end < total).then(|| Cursor::of(&all[end - 1].event));
            let on: Vec<ChronologyEntry> = all.drain(start..end).collect();
            whole.chronology = on;
            return Ok(RecordPage {
                view: whole,
                related: all,
                total,
                older,
            });
        }

        // The summary, from its own entry types and their corrections.
        let summary_entries = self.store.log_of_types(child, ChildSummary::EVENT_TYPES)?;
        let ids: Vec<EventId> = summary_entries.iter().map(|e| e.id).collect();
        let corrections = self.store.log_related(child, &ids)?;
        let summary =
            ChildSummary::from_chronology(&chronology(&merged(summary_entries, corrections)));

        // The page, one more than asked to know whether there is an older page.
        let before_key = before.map(|c| (c.effective_at.as_str(), c.seq));
        let mut page = self.store.log_page(child, before_key, limit as u32 + 1)?;
        let older = if page.len() > limit {
            page.truncate(limit);
            page.last().map(Cursor::of)
        } else {
            None
        };
        let ids: Vec<EventId> = page.iter().map(|e| e.id).collect();
        let related = self.store.log_related(child, &ids)?;
        let (on, related) = split(
            chronology(&merged(page, related)),
            &ids.iter().copied().collect(),
        );
        let total = self.store.log_len(child)? as usize;
        Ok(RecordPage {
            view: ChildView {
                person,
                summary,
                chronology: on,
                permit,
                withheld: 0,
            },
            related,
            total,
            older,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_wrote_and_refuses_anything_else() {
        let c = Cursor {
            effective_at: "2026-11-24T09:30:00.000Z".into(),
            seq: 4812,
        };
        assert_eq!(Cursor::parse(&c.to_string()), Some(c));
        for bad in [
            "",
            "4812",
            "yesterday~3",
            "2026-11-24T09:30:00.000Z~",
            "2026-11-24T09:30:00.000Z~-1",
            "2026-11-24T09:30:00.000Z~x",
        ] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
    }
}
