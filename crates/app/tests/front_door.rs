//! The front door end to end through the application and a real store: intake, the
//! trays, the decision and who may make it, idempotent API referrals, "is this child
//! known?" and repeat referrals (WT2026 ¶163–¶168).

use chrono::{TimeZone, Utc};
use together_app::front_door::ThresholdSupport;
use together_app::AppError;
use together_domain::referral::{Channel, DecideInput, Outcome, ReferralCommand, Signpost};
use together_store::AccessQuery;

mod common;
use common::*;

fn nfa() -> DecideInput {
    DecideInput {
        outcomes: vec![Outcome::NoFurtherAction],
        reasons: "Needs are met by the school's pastoral support.".into(),
        signposting: vec![Signpost::EarlyHelp],
        ..Default::default()
    }
}

/// WT2026 ¶167 and fn 209: a referral on Thursday 24 December 2026 in the afternoon is
/// decided by the next working day: Tuesday 29 December (Christmas Day, and Monday 28
/// December as the substitute for Boxing Day, are bank holidays). The supervisor's
/// tray shows it due then, and overdue from the Wednesday.
#[test]
fn christmas_eve_referral_is_due_on_tuesday_29_december_in_the_supervisors_tray() {
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 12, 24, 15, 0, 0).unwrap());
    let id = submit(&f, "school", &school_referral("Ada", "Quill", "2019-05-01"));
    let sup = caller(&f.app, "supervisor");
    let tray = f.app.tray(&sup).unwrap();
    let decide = tray
        .iter()
        .find(|t| t.work.process_id == id.0 && t.work.key == "decide")
        .expect("the decision is in the supervisor's tray");
    assert_eq!(
        decide.due,
        Some(together_domain::timescale::Due::Date(
            chrono::NaiveDate::from_ymd_opt(2026, 12, 29).unwrap()
        ))
    );
    assert!(!decide.overdue);
    f.clock.advance(chrono::Duration::days(5)); // 29 December, 15:00: still due today
    assert!(!f
        .app
        .tray(&sup)
        .unwrap()
        .iter()
        .any(|t| t.overdue && t.work.process_id == id.0 && t.work.key == "decide"));
    f.clock.advance(chrono::Duration::days(1)); // 30 December
    let tray = f.app.tray(&sup).unwrap();
    assert!(tray
        .iter()
        .any(|t| t.work.process_id == id.0 && t.work.key == "decide" && t.overdue));
    // Deciding takes it out of the tray, and the referrer sees the outcome.
    f.app
        .act_on_referral(
            &sup,
            id,
            ReferralCommand::Decide(Box::new(nfa())),
            ThresholdSupport::default(),
        )
        .unwrap();
    let tray = f.app.tray(&sup).unwrap();
    assert!(!tray
        .iter()
        .any(|t| t.work.process_id == id.0 && t.work.key == "decide"));
    let school = caller(&f.app, "school");
    let v = f.app.referral(&school, id).unwrap();
    assert!(v.is_referrer);
    let d = v.referral.current_decision().unwrap();
    assert!(
        !d.on_time,
        "decided on 30 December: late, and recorded as such"
    );
    assert_eq!(d.feedback.suggestions, vec![Signpost::EarlyHelp]);
}

/// Issue 3: "Only the supervisor role may decide; a front-door worker may recommend";
/// a decision by a role that may not decide is refused with 403 and logged.
#[test]
fn only_a_practice_supervisor_decides_and_a_refusal_is_logged() {
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap());
    let id = submit(&f, "school", &school_referral("Ada", "Quill", "2019-05-01"));
    let fd = caller(&f.app, "frontdoor");
    let err = f
        .app
        .act_on_referral(
            &fd,
            id,
            ReferralCommand::Decide(Box::new(nfa())),
            ThresholdSupport::default(),
        )
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    let denied = f
        .app
        .store
        .access_log(&AccessQuery {
            referral: Some(id.0),
            only_denied: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].user, Some(fd.actor_id));
    // The front door worker may recommend.
    f.app
        .act_on_referral(
            &fd,
            id,
            ReferralCommand::Recommend {
                outcomes: vec![Outcome::ChildInNeedAssessment],
                reasons: "Unexplained bruising".into(),
            },
            ThresholdSupport::default(),
        )
        .unwrap();
    // And the school (the referrer) may not decide either.
    let school = caller(&f.app, "school");
    assert!(matches!(
        f.app.act_on_referral(
            &school,
            id,
            ReferralCommand::Decide(Box::new(nfa())),
            ThresholdSupport::default()
        ),
        Err(AppError::Forbidden(_))
    ));
}

/// NSCP Appendix 1: a ticked "S47 strategy discussion required" indicator with a
/// "no further action" decision is refused without a recorded reason.
#[test]
fn no_further_action_after_a_section_47_indicator_needs_a_reason() {
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap());
    let id = submit(&f, "school", &school_referral("Ada", "Quill", "2019-05-01"));
    let sup = caller(&f.app, "supervisor");
    let s47 = ThresholdSupport {
        suggested_level: Some(4),
        strategy_discussion_required: true,
    };
    let err = f
        .app
        .act_on_referral(&sup, id, ReferralCommand::Decide(Box::new(nfa())), s47)
        .unwrap_err();
    match err {
        AppError::Invalid(e) => assert!(e.for_field("override_reason").is_some(), "{e}"),
        other => panic!("{other:?}"),
    }
    let mut with_reason = nfa();
    with_reason.override_reason =
        Some("The police confirmed the bruise was from a sports injury seen by staff.".into());
    let v = f
        .app
        .act_on_referral(
            &sup,
            id,
            ReferralCommand::Decide(Box::new(with_reason)),
            s47,
        )
        .unwrap();
    assert!(!v.referral.current_decision().unwrap().overrides.is_empty());
}

/// Issue 3: "duplicate submission of the same API referral (idempotency key: same id
/// back, no second referral)".
#[test]
fn an_agency_system_sending_twice_gets_the_same_referral() {
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap());
    let school = caller(&f.app, "school");
    let (client, token) = f
        .app
        .create_api_client(Some(&caller(&f.app, "admin")), school.agency, "School MIS")
        .unwrap();
    let api = f.app.api_caller(&token, "t").unwrap();
    assert_eq!(api.actor_id.0, client.id);
    let d = school_referral("Ada", "Quill", "2019-05-01")
        .parse(f.app.today())
        .unwrap();
    let (a, created_a) = f
        .app
        .receive_referral(&api, d.clone(), Channel::Api, None, Some("mis-123".into()))
        .unwrap();
    let (b, created_b) = f
        .app
        .receive_referral(&api, d, Channel::Api, None, Some("mis-123".into()))
        .unwrap();
    assert!(created_a && !created_b);
    assert_eq!(a.id, b.id);
    assert_eq!(f.app.referrals_for(&api, false, 100).unwrap().len(), 1);
}

/// Issue 6: an agency system's referral is answered with the referral as its referrer
/// sees it, straight from what was written: the same view a read gives, and one
/// access-log entry for it, not two. A repeat of the key reads it back (and logs that).
#[test]
fn an_agency_systems_referral_is_answered_from_what_was_written_and_logged_once() {
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap());
    let school = caller(&f.app, "school");
    let (_, token) = f
        .app
        .create_api_client(Some(&caller(&f.app, "admin")), school.agency, "School MIS")
        .unwrap();
    let api = f.app.api_caller(&token, "t").unwrap();
    let d = school_referral("Ada", "Quill", "2019-05-01")
        .parse(f.app.today())
        .unwrap();
    let (view, created) = f
        .app
        .receive_referral_view(&api, d.clone(), Channel::Api, Some("mis-9".into()))
        .unwrap();
    assert!(created);
    let id = together_domain::referral::ReferralId(view.row.id);
    let logged = |f: &Fixture| {
        f.app
            .store
            .access_log(&AccessQuery {
                referral: Some(id.0),
                ..Default::default()
            })
            .unwrap()
            .len()
    };
    assert_eq!(logged(&f), 1, "the new referral's one access-log entry");
    let read = f.app.referral(&api, id).unwrap();
    assert_eq!(view.row, read.row);
    assert_eq!(view.referral, read.referral);
    assert_eq!(view.log, read.log);
    assert_eq!(view.scope, read.scope);
    assert_eq!(view.is_referrer, read.is_referrer);
    let before = logged(&f);
    let (again, created) = f
        .app
        .receive_referral_view(&api, d, Channel::Api, Some("mis-9".into()))
        .unwrap();
    assert!(!created);
    assert_eq!(again.row.id, view.row.id);
    assert_eq!(logged(&f), before + 1, "reading it back is logged");
}

/// Partner practitioners see the referrals they made and their outcomes, never others'.
#[test]
fn a_partner_sees_only_their_own_referrals() {
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap());
    let from_school = submit(&f, "school", &school_referral("Ada", "Quill", "2019-05-01"));
    let from_health = submit(&f, "health", &school_referral("Bo", "Quill", "2018-01-02"));
    let school = caller(&f.app, "school");
    assert!(f.app.referral(&school, from_school).is_ok());
    assert!(matches!(
        f.app.referral(&school, from_health),
        Err(AppError::Forbidden(_))
    ));
    let mine = f.app.referrals_for(&school, false, 100).unwrap();
    assert!(mine.iter().any(|r| r.id == from_school.0));
    assert!(mine.iter().all(|r| r.id != from_health.0));
    assert!(mine
        .iter()
        .all(|r| r.submitted_by_user == Some(school.actor_id)));
    // Police, health and others who did not refer cannot act on it either.
    assert!(matches!(
        f.app.act_on_referral(
            &caller(&f.app, "health"),
            from_school,
            ReferralCommand::Escalate {
                reason: "chasing".into(),
                ask_for_line_manager: false
            },
            ThresholdSupport::default()
        ),
        Err(AppError::Forbidden(_))
    ));
}

/// "Is this child known?": the front door finds the existing record despite a nickname
/// and a swapped day and month, links it, and a second referral of the same child within
/// 12 months is flagged as a repeat referral. Links are reversible events.
#[test]
fn the_front_door_links_a_known_child_and_flags_a_repeat_referral() {
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap());
    let fd = caller(&f.app, "frontdoor");
    let known = f
        .app
        .open_child_record(
            &fd,
            &together_domain::person::PersonInput {
                kind: "child".into(),
                given_name: "Elizabeth".into(),
                family_name: "Quillfeather".into(),
                date_of_birth: "2019-05-03".into(),
                sex: "female".into(),
                postcode: "SS1 2AB".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let first = submit(
        &f,
        "school",
        &school_referral("Lizzie", "Quillfeather", "2019-03-05"),
    );
    let v = f.app.referral(&fd, first).unwrap();
    let cands = f.app.candidates(&fd, &v, 0, 5).unwrap();
    assert_eq!(cands.first().map(|c| c.person), Some(known), "{cands:?}");
    assert!(!cands[0].reasons.is_empty());
    let v = f.app.link_referred_child(&fd, first, 0, known).unwrap();
    assert!(!v.referral.is_repeat_referral());
    // A second referral a month later is a repeat referral.
    f.clock.advance(chrono::Duration::days(30));
    let second = submit(
        &f,
        "health",
        &school_referral("Elizabeth", "Quillfeather", "2019-05-03"),
    );
    let v = f.app.link_referred_child(&fd, second, 0, known).unwrap();
    assert!(v.referral.is_repeat_referral());
    assert!(v.row.repeat_referral);
    // Unlinking is an event too, and the link can be made again.
    let v = f
        .app
        .act_on_referral(
            &fd,
            second,
            ReferralCommand::UnlinkChild {
                child: 0,
                reason: "Linked to the wrong record".into(),
            },
            ThresholdSupport::default(),
        )
        .unwrap();
    assert!(v.referral.children[0].person.is_none());
    assert_eq!(v.log.len(), 4, "received, acknowledged, linked, unlinked");
    // The whole record still verifies.
    together_store::audit::verify_all(&*f.app.store).unwrap();
}

/// Issue 18: a reused Idempotency-Key with a different body is refused, naming the key,
/// rather than answering with the first referral and dropping the second.
#[test]
fn a_reused_key_with_a_different_referral_is_refused_not_dropped() {
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap());
    let school = caller(&f.app, "school");
    let (_, token) = f
        .app
        .create_api_client(Some(&caller(&f.app, "admin")), school.agency, "School MIS")
        .unwrap();
    let api = f.app.api_caller(&token, "t").unwrap();
    let alpha = school_referral("Alpha", "Quill", "2019-05-01")
        .parse(f.app.today())
        .unwrap();
    let bravo = school_referral("Bravo", "Quill", "2019-05-01")
        .parse(f.app.today())
        .unwrap();
    f.app
        .receive_referral(&api, alpha.clone(), Channel::Api, None, Some("k".into()))
        .unwrap();
    match f
        .app
        .receive_referral(&api, bravo, Channel::Api, None, Some("k".into()))
    {
        Err(AppError::Invalid(e)) => {
            let m = e.for_field("Idempotency-Key").unwrap();
            assert!(m.contains("\"k\"") && m.contains("differs"), "{m}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // The same body again still answers with the first.
    let (_, created) = f
        .app
        .receive_referral(&api, alpha, Channel::Api, None, Some("k".into()))
        .unwrap();
    assert!(!created);
    assert_eq!(f.app.referrals_for(&api, false, 100).unwrap().len(), 1);
}

/// Issue 18: linking a referral to a restricted record needs the same grant as opening
/// it, and the refusal is logged against the child.
#[test]
fn linking_a_restricted_record_needs_its_grant_and_is_logged() {
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap());
    let id = submit(
        &f,
        "school",
        &school_referral("Rhea", "Hidden", "2017-04-04"),
    );
    let fd = caller(&f.app, "frontdoor");
    let person = f
        .app
        .open_child_record(
            &fd,
            &together_domain::person::PersonInput {
                kind: "child".into(),
                given_name: "Rhea".into(),
                family_name: "Hidden".into(),
                date_of_birth: "2017-04-04".into(),
                sex: "female".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let sup = caller(&f.app, "supervisor");
    f.app
        .restrict_record(
            &sup,
            person,
            "Adoption placement: the address must not leak",
        )
        .unwrap();
    assert!(matches!(
        f.app.link_referred_child(&fd, id, 0, person),
        Err(AppError::Forbidden(_))
    ));
    let denied = f
        .app
        .store
        .access_log(&AccessQuery {
            child: Some(person),
            user: Some(fd.actor_id),
            only_denied: true,
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert!(
        !denied.is_empty(),
        "the refusal is logged against the child"
    );
}
