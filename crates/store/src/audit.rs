//! `together audit verify`: walk every child's log and name the first event whose
//! chain or payload does not match (design principle 1).

use crate::{Store, StoreError};
use together_domain::event::{verify_log, ChainBreak};

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

/// Verify every log: each event's payload hash, its link to the event before, its own
/// hash, and that the log's stored head matches its last event (so a truncated log
/// is caught too).
pub fn verify_all(store: &dyn Store) -> Result<VerifyReport, VerifyError> {
    let mut report = VerifyReport::default();
    for head in store.log_heads().map_err(VerifyError::Store)? {
        let events = store.log(head.child).map_err(VerifyError::Store)?;
        verify_log(&events).map_err(VerifyError::Broken)?;
        let (last_seq, last_hash) = events.last().map(|e| (e.seq, e.hash.clone())).unwrap_or((0, String::new()));
        if last_seq != head.last_seq || (last_seq > 0 && last_hash != head.last_hash) {
            let (event, seq) = events.last().map(|e| (e.id, e.seq)).unwrap_or((together_domain::ids::EventId(uuid::Uuid::nil()), 0));
            return Err(VerifyError::Broken(ChainBreak {
                child: head.child,
                event,
                seq,
                reason: format!(
                    "the log ends at #{last_seq} but its head records #{}: events are missing or were added outside Together",
                    head.last_seq
                ),
            }));
        }
        report.logs += 1;
        report.events += events.len();
    }
    Ok(report)
}
