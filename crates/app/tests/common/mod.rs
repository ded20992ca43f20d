//! Shared by the front door and case tests: a fresh demo partnership on a real store,
//! on a clock the test moves, and a school's referral.

#![allow(dead_code)] // each test file uses some of these

use chrono::Utc;
use std::sync::Arc;
use together_app::clock::FixedClock;
use together_app::{profiles::ProfileSource, App, Caller, Settings};
use together_domain::referral::details::{
    ChildInput, ConcernInput, ConsentInput, FamilyMemberInput, ReferrerInput, SignsOfSafetyInput,
};
use together_domain::referral::{Channel, ReferralId, ReferralInput};

pub struct Fixture {
    pub _dir: tempfile::TempDir,
    pub app: App,
    pub clock: Arc<FixedClock>,
}

pub fn fixture_at(utc: chrono::DateTime<Utc>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = together_store::open(dir.path().join("t.db").to_str().unwrap()).unwrap();
    let clock = Arc::new(FixedClock::at(utc));
    let app = App::new(
        store,
        ProfileSource::default().load("national").unwrap(),
        clock.clone(),
        Settings::default(),
    )
    .unwrap();
    together_app::demo::seed(&app).unwrap();
    Fixture {
        _dir: dir,
        app,
        clock,
    }
}

pub fn caller(app: &App, username: &str) -> Caller {
    let u = app.store.user_by_username(username).unwrap().unwrap();
    app.caller_for(&u, "test").unwrap()
}

pub fn school_referral(given: &str, family: &str, dob: &str) -> ReferralInput {
    ReferralInput {
        referrer: ReferrerInput {
            kind: "professional".into(),
            name: "Sam Okafor".into(),
            job_title: "Designated safeguarding lead".into(),
            agency_name: "Park Road Primary School".into(),
            agency_kind: "education".into(),
            email: "dsl@parkroad.example.org".into(),
            ..Default::default()
        },
        children: vec![ChildInput {
            given_name: given.into(),
            family_name: family.into(),
            date_of_birth: dob.into(),
            sex: "female".into(),
            ..Default::default()
        }],
        family: vec![FamilyMemberInput {
            relationship: "mother".into(),
            given_name: "Beth".into(),
            family_name: family.into(),
            lives_with_child: "yes".into(),
            ..Default::default()
        }],
        concern: ConcernInput {
            what_happened: "Bruising to the upper arm.".into(),
            seen_or_heard: "Four finger-shaped bruises.".into(),
            ..Default::default()
        },
        consent: ConsentInput {
            family_knows: "yes".into(),
            family_consents: "yes".into(),
            ..Default::default()
        },
        immediate_risk: "no".into(),
        signs_of_safety: SignsOfSafetyInput {
            scale: "4".into(),
            ..Default::default()
        },
        ..Default::default()
    }
}

pub fn submit(f: &Fixture, who: &str, input: &ReferralInput) -> ReferralId {
    let c = caller(&f.app, who);
    let d = input.parse(f.app.today()).unwrap();
    let (row, created) = f
        .app
        .receive_referral(&c, d, Channel::OnlineForm, None, None)
        .unwrap();
    assert!(created);
    ReferralId(row.id)
}
