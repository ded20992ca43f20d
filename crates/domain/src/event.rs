//! The child's record: an append-only log of events (design principle 1).
//!
//! Every fact about a child is an event. Nothing is edited or deleted in place: a
//! correction is a new event that points at what it corrects (Liverpool 004 §6 on
//! contemporaneous recording). Each stored event carries a hash chained to the
//! previous event of the same log over the *payload's hash*, so that a lawful erasure
//! (UK GDPR Art. 17(1)(g), WT2026 ¶7) can drop a payload and the chain still verifies.

use crate::ids::{AgencyId, EventId, PersonId, UserId};
use crate::person::PersonDetails;
use crate::role::Role;
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// What happened, in the guidance's words. New kinds of work add variants here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    content = "data",
    rename_all = "kebab-case",
    deny_unknown_fields
)]
pub enum EventBody {
    /// The child's record was opened with what is known of the child.
    ChildRecordOpened { child: PersonDetails },
    /// New or changed details of the child (a later fact, not a correction).
    ChildDetailsRecorded { child: PersonDetails },
    /// A parent, carer, family network member or alleged perpetrator linked to the child.
    FamilyMemberAdded {
        person: PersonId,
        details: PersonDetails,
        /// How they are related to the child, in the practitioner's words ("mother", "mother's partner").
        relationship: String,
        lives_with_child: bool,
    },
    /// A case note. `shared_with_partners` decides whether partner practitioners
    /// with a part in the child's work may read it (WT2026 ¶29–¶37 on sharing).
    CaseNoteRecorded {
        title: String,
        text: String,
        shared_with_partners: bool,
    },
    /// A correction of an earlier entry: `replacement` is what the entry should have
    /// said, of the same type. The history keeps both.
    EntryCorrected {
        corrects: EventId,
        reason: String,
        replacement: Box<EventBody>,
    },
    /// Access to the record is restricted to those allocated or granted (design principle 6).
    RecordRestricted { reason: String },
    /// A named user is granted access to a restricted record.
    AccessGranted { user: UserId, reason: String },
}

impl EventBody {
    /// The stable type id stored beside the payload.
    pub fn type_id(&self) -> &'static str {
        match self {
            EventBody::ChildRecordOpened { .. } => "child-record-opened",
            EventBody::ChildDetailsRecorded { .. } => "child-details-recorded",
            EventBody::FamilyMemberAdded { .. } => "family-member-added",
            EventBody::CaseNoteRecorded { .. } => "case-note-recorded",
            EventBody::EntryCorrected { .. } => "entry-corrected",
            EventBody::RecordRestricted { .. } => "record-restricted",
            EventBody::AccessGranted { .. } => "access-granted",
        }
    }

    /// Words a practitioner sees in the chronology.
    pub fn title(&self) -> String {
        match self {
            EventBody::ChildRecordOpened { .. } => "Record opened".into(),
            EventBody::ChildDetailsRecorded { .. } => "Child's details recorded".into(),
            EventBody::FamilyMemberAdded {
                details,
                relationship,
                ..
            } => {
                format!("{} added ({})", details.kind.label(), relationship)
            }
            EventBody::CaseNoteRecorded { title, .. } => format!("Case note: {title}"),
            EventBody::EntryCorrected { .. } => "Correction".into(),
            EventBody::RecordRestricted { .. } => "Record restricted".into(),
            EventBody::AccessGranted { .. } => "Access granted".into(),
        }
    }

    /// The payload as stored: the `data` part, as canonical JSON text (keys sorted,
    /// as serde_json's default map does).
    pub fn payload_json(&self) -> String {
        let v = serde_json::to_value(self).expect("event bodies serialise");
        let data = v.get("data").cloned().unwrap_or(serde_json::Value::Null);
        serde_json::to_string(&data).expect("json values serialise")
    }

    /// Rebuild a body from its stored type id and payload.
    pub fn from_stored(type_id: &str, payload: &str) -> Result<EventBody, serde_json::Error> {
        let data: serde_json::Value = serde_json::from_str(payload)?;
        serde_json::from_value(serde_json::json!({ "type": type_id, "data": data }))
    }

    /// Whether a partner practitioner with a part in the work may read this entry.
    pub fn shared_with_partners(&self) -> bool {
        match self {
            EventBody::CaseNoteRecorded {
                shared_with_partners,
                ..
            } => *shared_with_partners,
            EventBody::ChildRecordOpened { .. } | EventBody::ChildDetailsRecorded { .. } => true,
            EventBody::EntryCorrected { replacement, .. } => replacement.shared_with_partners(),
            _ => false,
        }
    }
}

/// An event as the application hands it to the store. The store gives it its place
/// in the log (`seq`) and its hashes inside one write transaction.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub id: EventId,
    pub child: PersonId,
    pub body: EventBody,
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub actor: UserId,
    pub actor_agency: AgencyId,
    pub actor_role: Role,
    /// The partnership profile version in force, e.g. `set@2026.1` (design principle 9).
    pub profile_version: String,
}

/// An event as stored. `payload` is `None` once lawfully erased.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredEvent {
    pub id: EventId,
    /// The log's id: the child's, or for a referral's log the referral's.
    pub child: PersonId,
    /// Position in the child's log, from 1.
    pub seq: i64,
    pub event_type: String,
    pub payload: Option<String>,
    pub payload_hash: String,
    pub effective_at: String,
    pub recorded_at: String,
    pub actor: UserId,
    pub actor_agency: AgencyId,
    pub actor_role: String,
    pub profile_version: String,
    pub corrects: Option<EventId>,
    pub prev_hash: String,
    pub hash: String,
}

/// The `prev_hash` of the first event of every log.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Timestamps are stored as fixed-width UTC text with microseconds, so that they
/// hash the same on every backend.
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    t.trunc_subsecs(6)
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl NewEvent {
    /// Seal the event as the `seq`-th of its log, after `prev_hash`.
    pub fn seal(&self, seq: i64, prev_hash: &str) -> StoredEvent {
        NewEntry::from(self).seal(seq, prev_hash)
    }
}

/// An entry for any log, already serialised: a child's event ([`NewEvent`]) or an
/// event of a log that is not a child's, such as a referral's (`referral::ReferralEvent`:
/// a referral exists before its children are identified). Every log is sealed and
/// verified the same way; `log` is the child's id or the referral's.
#[derive(Clone, Debug)]
pub struct NewEntry {
    pub id: EventId,
    pub log: uuid::Uuid,
    pub event_type: String,
    pub payload: String,
    pub corrects: Option<EventId>,
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub actor: UserId,
    pub actor_agency: AgencyId,
    pub actor_role: Role,
    pub profile_version: String,
}

impl From<&NewEvent> for NewEntry {
    fn from(e: &NewEvent) -> NewEntry {
        NewEntry {
            id: e.id,
            log: e.child.0,
            event_type: e.body.type_id().to_string(),
            payload: e.body.payload_json(),
            corrects: match &e.body {
                EventBody::EntryCorrected { corrects, .. } => Some(*corrects),
                _ => None,
            },
            effective_at: e.effective_at,
            recorded_at: e.recorded_at,
            actor: e.actor,
            actor_agency: e.actor_agency,
            actor_role: e.actor_role,
            profile_version: e.profile_version.clone(),
        }
    }
}

impl NewEntry {
    /// Seal the entry as the `seq`-th of its log, after `prev_hash`.
    pub fn seal(&self, seq: i64, prev_hash: &str) -> StoredEvent {
        let mut e = StoredEvent {
            id: self.id,
            child: PersonId(self.log),
            seq,
            event_type: self.event_type.clone(),
            payload_hash: sha256_hex(self.payload.as_bytes()),
            payload: Some(self.payload.clone()),
            effective_at: format_timestamp(self.effective_at),
            recorded_at: format_timestamp(self.recorded_at),
            actor: self.actor,
            actor_agency: self.actor_agency,
            actor_role: self.actor_role.id().to_string(),
            profile_version: self.profile_version.clone(),
            corrects: self.corrects,
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
        };
        e.hash = e.expected_hash();
        e
    }
}

impl StoredEvent {
    /// The hash this event should carry: over the previous hash, every header field
    /// and the payload's hash (not the payload itself).
    pub fn expected_hash(&self) -> String {
        let header = format!(
            "together-event-v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.prev_hash,
            self.id,
            self.child,
            self.seq,
            self.event_type,
            self.effective_at,
            self.recorded_at,
            self.actor,
            self.actor_agency,
            self.actor_role,
            self.profile_version,
            self.corrects.map(|c| c.to_string()).unwrap_or_default(),
            self.payload_hash,
        );
        sha256_hex(header.as_bytes())
    }

    pub fn body(&self) -> Option<Result<EventBody, serde_json::Error>> {
        self.payload
            .as_deref()
            .map(|p| EventBody::from_stored(&self.event_type, p))
    }
}

/// Why a log does not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBreak {
    pub child: PersonId,
    pub event: EventId,
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "child {} event {} (#{}): {}",
            self.child, self.event, self.seq, self.reason
        )
    }
}

/// Walk one child's log in `seq` order and name the first event whose chain or
/// payload does not match.
pub fn verify_log(events: &[StoredEvent]) -> Result<(), ChainBreak> {
    let mut prev = GENESIS_HASH.to_string();
    for (i, e) in events.iter().enumerate() {
        let brk = |reason: String| ChainBreak {
            child: e.child,
            event: e.id,
            seq: e.seq,
            reason,
        };
        if e.seq != i as i64 + 1 {
            return Err(brk(format!(
                "expected position {} in the log, found {}",
                i + 1,
                e.seq
            )));
        }
        if let Some(p) = &e.payload {
            if sha256_hex(p.as_bytes()) != e.payload_hash {
                return Err(brk("payload does not match its hash".into()));
            }
        }
        if e.prev_hash != prev {
            return Err(brk(
                "previous-hash link does not match the event before it".into()
            ));
        }
        if e.expected_hash() != e.hash {
            return Err(brk("event hash does not match its contents".into()));
        }
        prev = e.hash.clone();
    }
    Ok(())
}

/// One line of the chronology: the entry as recorded, what it says now (after any
/// corrections), and which later event corrected it.
#[derive(Clone, Debug)]
pub struct ChronologyEntry {
    pub event: StoredEvent,
    /// The body as first recorded (None if erased or unreadable).
    pub recorded: Option<EventBody>,
    /// The body as it stands after corrections.
    pub current: Option<EventBody>,
    /// The latest correction of this entry, if any.
    pub corrected_by: Option<EventId>,
}

/// Build the chronology of a log: every event in order, with corrections applied
/// to the entries they correct (the current view) while the history keeps both.
pub fn chronology(events: &[StoredEvent]) -> Vec<ChronologyEntry> {
    let mut latest: HashMap<EventId, (EventId, EventBody)> = HashMap::new();
    // Only corrections are read twice; the rest are parsed once, below.
    for e in events.iter().filter(|e| e.event_type == "entry-corrected") {
        if let Some(Ok(EventBody::EntryCorrected {
            corrects,
            replacement,
            ..
        })) = e.body()
        {
            latest.insert(corrects, (e.id, *replacement));
        }
    }
    events
        .iter()
        .map(|e| {
            let recorded = e.body().and_then(Result::ok);
            let (corrected_by, current) = match latest.get(&e.id) {
                Some((by, body)) => (Some(*by), Some(body.clone())),
                None => (None, recorded.clone()),
            };
            ChronologyEntry {
                event: e.clone(),
                recorded,
                current,
                corrected_by,
            }
        })
        .collect()
}

/// A family member as the record stands now.
#[derive(Clone, Debug, Serialize)]
pub struct FamilyMember {
    pub person: PersonId,
    pub details: PersonDetails,
    pub relationship: String,
    pub lives_with_child: bool,
}

/// The child's record as it stands now: corrections applied.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ChildSummary {
    pub details: Option<PersonDetails>,
    pub family: Vec<FamilyMember>,
    pub restricted: bool,
    pub granted: Vec<UserId>,
}

impl ChildSummary {
    /// The entry types the summary is folded from (with their corrections): a long
    /// record's summary reads these, not the whole log.
    pub const EVENT_TYPES: &'static [&'static str] = &[
        "child-record-opened",
        "child-details-recorded",
        "family-member-added",
        "record-restricted",
        "access-granted",
    ];

    pub fn from_chronology(entries: &[ChronologyEntry]) -> ChildSummary {
        let mut s = ChildSummary::default();
        for entry in entries {
            // Corrections are applied through `current`; skip the correction events themselves.
            match &entry.current {
                Some(EventBody::ChildRecordOpened { child })
                | Some(EventBody::ChildDetailsRecorded { child }) => {
                    s.details = Some(child.clone())
                }
                Some(EventBody::FamilyMemberAdded {
                    person,
                    details,
                    relationship,
                    lives_with_child,
                }) => {
                    s.family.retain(|m| m.person != *person);
                    s.family.push(FamilyMember {
                        person: *person,
                        details: details.clone(),
                        relationship: relationship.clone(),
                        lives_with_child: *lives_with_child,
                    })
                }
                Some(EventBody::RecordRestricted { .. }) => s.restricted = true,
                Some(EventBody::AccessGranted { user, .. }) => s.granted.push(*user),
                _ => {}
            }
        }
        s
    }
}

/// Check a correction against the entry it corrects: same type, not itself a
/// correction, and a reason given.
pub fn check_correction(
    original: &StoredEvent,
    replacement: &EventBody,
    reason: &str,
) -> Result<(), String> {
    if original.event_type == "entry-corrected" {
        return Err("A correction cannot itself be corrected: correct the original entry".into());
    }
    if replacement.type_id() != original.event_type {
        return Err(format!(
            "A correction must be of the same kind as the entry it corrects ({})",
            original.event_type
        ));
    }
    if reason.trim().is_empty() {
        return Err("Enter the reason for the correction".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person::{PersonKind, Sex};
    use chrono::TimeZone;

    fn child() -> PersonDetails {
        PersonDetails {
            upn: None,
            kind: PersonKind::Child,
            given_name: "Ada".into(),
            family_name: "Example".into(),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(2019, 4, 2),
            expected_date_of_delivery: None,
            sex: Sex::Female,
            nhs_number: None,
            postcode: None,
            ethnicity: None,
            disabilities: Vec::new(),
        }
    }

    fn new(child_id: PersonId, body: EventBody) -> NewEvent {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
        NewEvent {
            id: EventId::new_random(),
            child: child_id,
            body,
            effective_at: t,
            recorded_at: t,
            actor: UserId::new_random(),
            actor_agency: AgencyId::new_random(),
            actor_role: Role::SocialWorker,
            profile_version: "national@2026.1".into(),
        }
    }

    fn log() -> Vec<StoredEvent> {
        let c = PersonId::new_random();
        let a = new(c, EventBody::ChildRecordOpened { child: child() });
        let b = new(
            c,
            EventBody::CaseNoteRecorded {
                title: "Visit".into(),
                text: "Seen at home".into(),
                shared_with_partners: false,
            },
        );
        let e1 = a.seal(1, GENESIS_HASH);
        let e2 = b.seal(2, &e1.hash);
        let mut fixed = child();
        fixed.given_name = "Adah".into();
        let corr = new(
            c,
            EventBody::EntryCorrected {
                corrects: e1.id,
                reason: "Name misspelt".into(),
                replacement: Box::new(EventBody::ChildRecordOpened { child: fixed }),
            },
        );
        let e3 = corr.seal(3, &e2.hash);
        vec![e1, e2, e3]
    }

    /// Every entry type that changes the summary is one the summary is read from
    /// (`ChildSummary::EVENT_TYPES`): a long record's page reads only those.
    #[test]
    fn the_summary_is_folded_from_its_listed_entry_types_only() {
        let c = PersonId::new_random();
        let bodies = [
            EventBody::ChildRecordOpened { child: child() },
            EventBody::ChildDetailsRecorded { child: child() },
            EventBody::FamilyMemberAdded {
                person: PersonId::new_random(),
                details: child(),
                relationship: "Sister".into(),
                lives_with_child: true,
            },
            EventBody::CaseNoteRecorded {
                title: "Visit".into(),
                text: "Seen".into(),
                shared_with_partners: true,
            },
            EventBody::RecordRestricted {
                reason: "Risk".into(),
            },
            EventBody::AccessGranted {
                user: UserId::new_random(),
                reason: "Cover".into(),
            },
        ];
        // A new kind of entry fails to compile here until it is added to `bodies`.
        for b in &bodies {
            match b {
                EventBody::ChildRecordOpened { .. }
                | EventBody::ChildDetailsRecorded { .. }
                | EventBody::FamilyMemberAdded { .. }
                | EventBody::CaseNoteRecorded { .. }
                | EventBody::EntryCorrected { .. }
                | EventBody::RecordRestricted { .. }
                | EventBody::AccessGranted { .. } => {}
            }
        }
        let empty = serde_json::to_value(ChildSummary::default()).unwrap();
        for body in bodies {
            let t = body.type_id();
            let e = new(c, body).seal(1, GENESIS_HASH);
            let s = serde_json::to_value(ChildSummary::from_chronology(&chronology(&[e]))).unwrap();
            assert_eq!(s != empty, ChildSummary::EVENT_TYPES.contains(&t), "{t}");
        }
        // Corrections change the summary only through the entries they correct.
        let l = log();
        let s = ChildSummary::from_chronology(&chronology(&l));
        assert_eq!(s.details.unwrap().given_name, "Adah");
    }

    #[test]
    fn a_sealed_log_verifies() {
        assert_eq!(verify_log(&log()), Ok(()));
    }

    #[test]
    fn one_changed_byte_of_a_payload_is_caught() {
        let mut l = log();
        let p = l[1].payload.take().unwrap().replacen("home", "hone", 1);
        l[1].payload = Some(p);
        let b = verify_log(&l).unwrap_err();
        assert_eq!(b.seq, 2);
        assert!(b.reason.contains("payload"));
    }

    #[test]
    fn a_changed_header_is_caught() {
        let mut l = log();
        l[0].actor_role = "practice-supervisor".into();
        assert_eq!(verify_log(&l).unwrap_err().seq, 1);
    }

    #[test]
    fn an_erased_payload_keeps_the_chain() {
        // UK GDPR Art. 17(1)(g): the payload goes, the event and its hash stay.
        let mut l = log();
        l[1].payload = None;
        assert_eq!(verify_log(&l), Ok(()));
    }

    #[test]
    fn a_removed_event_is_caught() {
        let mut l = log();
        l.remove(1);
        assert_eq!(verify_log(&l).unwrap_err().seq, 3);
    }

    #[test]
    fn the_current_view_shows_the_correction_and_the_history_both() {
        let l = log();
        let chron = chronology(&l);
        assert_eq!(chron.len(), 3);
        assert_eq!(chron[0].corrected_by, Some(l[2].id));
        match (&chron[0].recorded, &chron[0].current) {
            (
                Some(EventBody::ChildRecordOpened { child: was }),
                Some(EventBody::ChildRecordOpened { child: now }),
            ) => {
                assert_eq!(was.given_name, "Ada");
                assert_eq!(now.given_name, "Adah");
            }
            other => panic!("{other:?}"),
        }
        let s = ChildSummary::from_chronology(&chron);
        assert_eq!(s.details.unwrap().given_name, "Adah");
    }

    #[test]
    fn payload_round_trips() {
        let b = EventBody::CaseNoteRecorded {
            title: "t".into(),
            text: "x".into(),
            shared_with_partners: true,
        };
        assert_eq!(
            EventBody::from_stored(b.type_id(), &b.payload_json()).unwrap(),
            b
        );
    }

    #[test]
    fn corrections_must_match_the_corrected_kind() {
        let l = log();
        let note = EventBody::CaseNoteRecorded {
            title: "t".into(),
            text: "x".into(),
            shared_with_partners: true,
        };
        assert!(check_correction(&l[0], &note, "why").is_err());
        assert!(check_correction(&l[1], &note, "why").is_ok());
        assert!(check_correction(&l[1], &note, " ").is_err());
        assert!(check_correction(&l[2], &note, "why").is_err());
    }
}
