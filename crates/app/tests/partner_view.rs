//! What a partner practitioner sees of a child's record, and what stays with
//! children's social care (WT2026 ¶29–¶37 on sharing; design principle 6). These are
//! regressions found in review: a correction must not carry unshared words to a
//! partner, and a partner's own entry stays shared when they correct it.

use chrono::TimeZone;
use std::sync::Arc;
use together_app::clock::FixedClock;
use together_app::record::{CaseNoteInput, WITHHELD_REASON};
use together_app::{profiles::ProfileSource, App, Caller, Settings};
use together_domain::event::EventBody;
use together_domain::ids::PersonId;
use together_store::{AccessQuery, ChildQuery};

struct Fixture {
    _dir: tempfile::TempDir,
    app: App,
    children: Vec<PersonId>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = together_store::open(dir.path().join("t.db").to_str().unwrap()).unwrap();
    let clock = Arc::new(FixedClock::at(
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
            .unwrap(),
    ));
    let app = App::new(
        store,
        ProfileSource::default().load("national").unwrap(),
        clock,
        Settings::default(),
    )
    .unwrap();
    let seed = together_app::demo::seed(&app).unwrap().unwrap();
    Fixture {
        _dir: dir,
        app,
        children: seed.children,
    }
}

fn caller(app: &App, username: &str) -> Caller {
    let u = app.store.user_by_username(username).unwrap().unwrap();
    app.caller_for(&u, "test").unwrap()
}

fn note(title: &str, text: &str, shared: bool) -> CaseNoteInput {
    CaseNoteInput {
        title: title.into(),
        text: text.into(),
        effective_date: String::new(),
        shared_with_partners: shared,
    }
}

#[test]
fn a_correction_that_shares_an_entry_does_not_carry_its_first_words_to_partners() {
    let f = fixture();
    let (sw, police) = (caller(&f.app, "socialworker"), caller(&f.app, "police"));
    let child = f.children[0]; // the police referred this child
    let id = f
        .app
        .add_case_note(
            &sw,
            child,
            &note("Disclosure", "Mother's partner named as Mr Sorrelby", false),
        )
        .unwrap();
    f.app
        .correct_case_note(
            &sw,
            child,
            id,
            "Removed the name Sorrelby before sharing",
            &note("Disclosure", "A family member was named", true),
        )
        .unwrap();
    let v = f.app.view_child(&police, child).unwrap();
    let entry = v
        .chronology
        .iter()
        .find(|e| e.event.id == id)
        .expect("the corrected entry is now shared");
    assert!(
        entry.recorded.is_none(),
        "the unshared first version is withheld"
    );
    let text = format!("{:?}", v.chronology);
    assert!(
        !text.contains("Sorrelby"),
        "neither the first words nor the reason reach the partner: {text}"
    );
    assert!(text.contains(WITHHELD_REASON));
    // Children's social care sees both versions and the reason.
    let full = f.app.view_child(&sw, child).unwrap();
    assert!(format!("{:?}", full.chronology).contains("Sorrelby"));
}

#[test]
fn a_partners_correction_of_their_own_entry_stays_shared() {
    let f = fixture();
    let police = caller(&f.app, "police");
    let child = f.children[0];
    let id = f
        .app
        .add_case_note(
            &police,
            child,
            &note("Attendance", "Officers attended at 21:00", false),
        )
        .unwrap();
    // The form offers partners no "share" box, so it arrives unticked.
    f.app
        .correct_case_note(
            &police,
            child,
            id,
            "Wrong time",
            &note("Attendance", "Officers attended at 23:00", false),
        )
        .unwrap();
    let v = f.app.view_child(&police, child).unwrap();
    match &v
        .chronology
        .iter()
        .find(|e| e.event.id == id)
        .expect("still visible to its author")
        .current
    {
        Some(EventBody::CaseNoteRecorded {
            text,
            shared_with_partners,
            ..
        }) => {
            assert_eq!(text, "Officers attended at 23:00");
            assert!(shared_with_partners);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn opening_a_record_is_logged_before_it_is_written() {
    let f = fixture();
    let fd = caller(&f.app, "frontdoor");
    let before = f
        .app
        .store
        .access_log(&AccessQuery {
            limit: 5000,
            ..Default::default()
        })
        .unwrap()
        .len();
    let input = together_domain::person::PersonInput {
        kind: "child".into(),
        given_name: "Oriel".into(),
        family_name: "Fallowby".into(),
        date_of_birth: "2020-05-05".into(),
        sex: "male".into(),
        ..Default::default()
    };
    let id = f.app.open_child_record(&fd, &input).unwrap();
    let log = f
        .app
        .store
        .access_log(&AccessQuery {
            child: Some(id),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(log.len(), 1, "one entry against the new child");
    assert_eq!(log[0].action, "append-to-child-record");
    assert!(log[0].allowed);
    assert!(
        f.app
            .store
            .access_log(&AccessQuery {
                limit: 5000,
                ..Default::default()
            })
            .unwrap()
            .len()
            > before
    );
}

#[test]
fn a_restricted_record_is_listed_without_identifiers_to_those_not_granted() {
    let f = fixture();
    let (sw, sup) = (caller(&f.app, "socialworker"), caller(&f.app, "supervisor"));
    let restricted = f.children[4]; // restricted by the supervisor in the demo seed
    let row = |c: &Caller| {
        f.app
            .list_children(
                c,
                &ChildQuery {
                    limit: 100,
                    ..Default::default()
                },
            )
            .unwrap()
            .into_iter()
            .find(|p| p.id == restricted)
            .unwrap()
    };
    let seen_by_sw = row(&sw);
    assert_eq!(
        (
            seen_by_sw.given_name.as_str(),
            seen_by_sw.family_name.as_str()
        ),
        ("Restricted", "record")
    );
    assert!(
        seen_by_sw.date_of_birth.is_none()
            && seen_by_sw.nhs_number.is_none()
            && seen_by_sw.postcode.is_none()
    );
    // The supervisor who restricted it holds a grant and sees who it is.
    assert_ne!(row(&sup).given_name, "Restricted");
}
