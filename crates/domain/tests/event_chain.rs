//! Property tests of the child's record (design principle 1): any log Together writes
//! verifies, and any single changed byte in any stored payload, or any changed header,
//! removed or reordered event, is caught and named.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use together_domain::event::{
    chronology, verify_log, EventBody, NewEvent, StoredEvent, GENESIS_HASH,
};
use together_domain::ids::{AgencyId, EventId, PersonId, UserId};
use together_domain::role::Role;

fn seal_log(notes: &[(String, String, bool)]) -> Vec<StoredEvent> {
    let child = PersonId(uuid::Uuid::from_u128(7));
    let mut out: Vec<StoredEvent> = Vec::new();
    for (i, (title, text, shared)) in notes.iter().enumerate() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap()
            + chrono::Duration::minutes(i as i64);
        let e = NewEvent {
            id: EventId(uuid::Uuid::from_u128(1000 + i as u128)),
            child,
            body: EventBody::CaseNoteRecorded {
                title: title.clone(),
                text: text.clone(),
                shared_with_partners: *shared,
            },
            effective_at: t,
            recorded_at: t,
            actor: UserId(uuid::Uuid::from_u128(1)),
            actor_agency: AgencyId(uuid::Uuid::from_u128(2)),
            actor_role: Role::SocialWorker,
            profile_version: "national@2026.1".into(),
        };
        let prev = out
            .last()
            .map(|p| p.hash.clone())
            .unwrap_or_else(|| GENESIS_HASH.to_string());
        out.push(e.seal(i as i64 + 1, &prev));
    }
    out
}

fn notes() -> impl Strategy<Value = Vec<(String, String, bool)>> {
    prop::collection::vec(("[a-zA-Z ]{1,20}", "\\PC{1,80}", any::<bool>()), 1..12)
}

proptest! {
    #[test]
    fn every_sealed_log_verifies(n in notes()) {
        prop_assert_eq!(verify_log(&seal_log(&n)), Ok(()));
    }

    #[test]
    fn any_changed_payload_byte_is_named(n in notes(), pick in any::<prop::sample::Index>(), pos in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let mut log = seal_log(&n);
        let i = pick.index(log.len());
        let mut bytes = log[i].payload.clone().unwrap().into_bytes();
        let p = pos.index(bytes.len());
        bytes[p] ^= flip;
        // Any change (even one that is no longer UTF-8) must be caught: store it lossily, as a database would refuse bad UTF-8.
        let changed = String::from_utf8_lossy(&bytes).into_owned();
        prop_assume!(changed != *log[i].payload.as_ref().unwrap());
        log[i].payload = Some(changed);
        let brk = verify_log(&log).unwrap_err();
        prop_assert_eq!(brk.seq, i as i64 + 1);
        prop_assert_eq!(brk.event, log[i].id);
    }

    #[test]
    fn a_removed_or_swapped_event_is_caught(n in prop::collection::vec(("[a-z]{1,8}", "[a-z]{1,30}", any::<bool>()), 2..10), pick in any::<prop::sample::Index>()) {
        let log = seal_log(&n);
        let i = pick.index(log.len() - 1);
        let mut removed = log.clone();
        removed.remove(i);
        prop_assert!(verify_log(&removed).is_err());
        let mut swapped = log.clone();
        swapped.swap(i, i + 1);
        prop_assert!(verify_log(&swapped).is_err());
    }

    #[test]
    fn erasing_payloads_keeps_the_chain(n in notes(), mask in any::<u16>()) {
        // UK GDPR Art. 17(1)(g), WT2026 ¶7: a lawful erasure drops a payload, keeps the event.
        let mut log = seal_log(&n);
        for (i, e) in log.iter_mut().enumerate() {
            if mask & (1 << (i % 16)) != 0 {
                e.payload = None;
            }
        }
        prop_assert_eq!(verify_log(&log), Ok(()));
        // The chronology still lists every event, erased ones without a body.
        let c = chronology(&log);
        prop_assert_eq!(c.len(), log.len());
    }
}
