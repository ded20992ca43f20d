//! `together audit verify`: walk every child's log and name the first event whose
//! chain or payload does not match (design principle 1).

use crate::{LogHead, Store, StoreError};
use std::collections::HashMap;
use together_domain::event::{verify_log, ChainBreak, StoredEvent};
use together_domain::ids::{EventId, PersonId};

#[derive(Debug)]
pub enum VerifyError {
    Store(StoreError),
    Broken(ChainBreak),
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::Store(e) => write!(f, "could not read the record: {e}"),
            VerifyError::Broken(b) => write!(f, "tampering or corruption: {b}"),
        }
    }
}

/// What a clean verification covered.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub logs: usize,
    pub events: usize,
}

fn heads(store: &dyn Store) -> Result<HashMap<PersonId, LogHead>, VerifyError> {
    Ok(store
        .log_heads()
        .map_err(VerifyError::Store)?
        .into_iter()
        .map(|h| (h.child, h))
        .collect())
}

fn broken(child: PersonId, at: Option<&StoredEvent>, reason: String) -> VerifyError {
    let (event, seq) = at
        .map(|e| (e.id, e.seq))
        .unwrap_or((EventId(uuid::Uuid::nil()), 0));
    VerifyError::Broken(ChainBreak {
        child,
        event,
        seq,
        reason,
    })
}

/// Verify every log: each event's payload hash, its link to the event before and
/// its own hash; and that the log agrees with its stored head, so a log cut short,
/// extended outside Together, or stripped of its head is caught too. Appends made
/// while verification runs are allowed for: a log longer than the head read at the
/// start is checked against a fresh reading of the heads.
pub fn verify_all(store: &dyn Store) -> Result<VerifyReport, VerifyError> {
    let mut report = VerifyReport::default();
    let mut snapshot = heads(store)?;
    let mut children: Vec<PersonId> = snapshot.keys().copied().collect();
    children.sort();
    // A thousand logs a read: one round trip to a database server for each batch.
    for batch in children.chunks(1_000) {
        let logs = store.logs(batch).map_err(VerifyError::Store)?;
        for (&child, events) in batch.iter().zip(logs) {
            verify_one(store, &mut snapshot, &mut report, child, events)?;
        }
    }
    Ok(report)
}

/// One log against its head (see [`verify_all`]).
fn verify_one(
    store: &dyn Store,
    snapshot: &mut HashMap<PersonId, LogHead>,
    report: &mut VerifyReport,
    child: PersonId,
    events: Vec<StoredEvent>,
) -> Result<(), VerifyError> {
    verify_log(&events).map_err(VerifyError::Broken)?;
    // Heads read before the log (`first`) and, if needed, after it (`second`): for
    // an honest log, first.last_seq <= events <= second.last_seq, because appends
    // only ever move a head forward while we read.
    let first = snapshot[&child].clone();
    if first.last_seq < 0 {
        return Err(broken(
            child,
            events.first(),
            "the log has events but no head: its head was removed outside Together".into(),
        ));
    }
    let n = events.len() as i64;
    if n < first.last_seq {
        return Err(broken(
            child,
            events.last(),
            format!(
                "the log ends at #{n} but its head records #{}: events are missing",
                first.last_seq
            ),
        ));
    }
    if n > first.last_seq {
        // Perhaps appended since the heads were read: read them again.
        *snapshot = heads(store)?;
        let second = &snapshot[&child];
        if n > second.last_seq {
            return Err(broken(
                child,
                events.get(second.last_seq.max(0) as usize),
                format!(
                    "the log runs past its head (#{}): events were added outside Together",
                    second.last_seq
                ),
            ));
        }
    }
    // The event the first head names must be the one it recorded.
    if first.last_seq > 0 {
        let at = &events[first.last_seq as usize - 1];
        if at.hash != first.last_hash {
            return Err(broken(
                child,
                Some(at),
                "the event at the log's head does not match the head".into(),
            ));
        }
    }
    report.logs += 1;
    report.events += events.len();
    Ok(())
}

/// The hash sealing the administration log's entry `seq`: the hash before it and the
/// entry, as JSON in its fields' order (issue 18).
pub fn admin_hash(seq: i64, prev: &str, e: &crate::NewAdminEntry) -> String {
    use sha2::{Digest, Sha256};
    let body = serde_json::to_string(&(seq, e)).expect("an entry serialises");
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(body.as_bytes());
    hex::encode(h.finalize())
}

/// Where the administration log's chain breaks.
#[derive(Debug, PartialEq, Eq)]
pub struct AdminChainBreak {
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for AdminChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "administration log entry {}: {}", self.seq, self.reason)
    }
}

/// Verify the administration log: each entry follows the one before (no gap), links
/// to its hash, and its own hash matches its contents. Returns how many entries.
pub fn verify_admin_log(store: &dyn Store) -> Result<usize, AdminVerifyError> {
    let mut prev = together_domain::event::GENESIS_HASH.to_string();
    let mut last = 0i64;
    loop {
        let page = store
            .admin_log(&crate::AdminQuery {
                after_seq: Some(last),
                limit: 1000,
                ..Default::default()
            })
            .map_err(AdminVerifyError::Store)?;
        if page.is_empty() {
            return Ok(last as usize);
        }
        for e in page {
            let broken = |reason: &str| {
                AdminVerifyError::Broken(AdminChainBreak {
                    seq: e.seq,
                    reason: reason.to_string(),
                })
            };
            if e.seq != last + 1 {
                return Err(broken("an entry before it is missing"));
            }
            if e.prev_hash != prev {
                return Err(broken("it does not follow the entry before"));
            }
            if admin_hash(e.seq, &e.prev_hash, &e.entry) != e.hash {
                return Err(broken("its contents do not match its hash"));
            }
            last = e.seq;
            prev = e.hash;
        }
    }
}

#[derive(Debug)]
pub enum AdminVerifyError {
    Store(StoreError),
    Broken(AdminChainBreak),
}

impl std::fmt::Display for AdminVerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdminVerifyError::Store(e) => write!(f, "could not read the administration log: {e}"),
            AdminVerifyError::Broken(b) => write!(f, "tampering or corruption: {b}"),
        }
    }
}
