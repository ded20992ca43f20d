//! The Children in Need census (issue 6) from a generated partnership: the shape the
//! DfE's rules require (rule numbers from the DfE validator, csc-validator-be-cin), a
//! child with a missing code withheld and listed, an empty year, and who may make it.
//! The validator itself runs on these returns in scripts/census-check.sh.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::{caller, fixture_at, school_referral, submit};
use together_app::generate::{generate, Options};
use together_app::AppError;
use together_domain::person::PersonInput;
use together_returns::census::{CollectionYear, Fix};

fn county() -> common::Fixture {
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap());
    let report = generate(
        f.app.store.clone(),
        f.app.profile.clone(),
        &Options {
            children: 150,
            years: 3,
            seed: 5,
            until: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            la_code: "881".into(),
            jobs: 2,
        },
        |_, _| {},
    )
    .unwrap();
    assert!(
        report.refused.is_empty(),
        "the application refused the generator: {:?}",
        report.refused
    );
    assert!(report.cp_plans > 0 && report.cin_plans > 0 && report.re_referrals > 0);
    f
}

#[test]
fn a_generated_county_makes_a_return_of_the_shape_the_dfe_rules_require() {
    let f = county();
    let manager = caller(&f.app, "partnership");
    let year = CollectionYear::parse("2025-26").unwrap();
    let (r, xml) = f.app.census_xml(&manager, year, Some("881")).unwrap();
    assert!(r.children.len() > 40, "{} children", r.children.len());
    assert!(xml.contains("<ReferenceDate>2026-03-31</ReferenceDate>")); // rule 100
    for c in &r.children {
        // Rules 1570, 1580: at most 20 characters, letters and digits.
        assert!(
            c.la_child_id.len() <= 16 && c.la_child_id.chars().all(|x| x.is_ascii_alphanumeric())
        );
        // Rule 8750: an unborn child's sex is U.
        if c.expected_birth.is_some() {
            assert_eq!(c.sex, "U");
        }
        let mut last_end: Option<NaiveDate> = None;
        for (i, e) in c.episodes.iter().enumerate() {
            // Rule 8820: episodes do not overlap; 8816: only the latest is open.
            if let Some(end) = last_end {
                assert!(
                    e.referral_date >= end,
                    "{}: overlapping episodes",
                    c.la_child_id
                );
            }
            if e.closure.is_none() && !e.nfa {
                assert_eq!(
                    i,
                    c.episodes.len() - 1,
                    "{}: an open episode that is not the latest",
                    c.la_child_id
                );
            }
            last_end = e.closure.map(|x| x.0);
            // Rules 8620, 8630: closures within the year and after the referral.
            if let Some((d, reason)) = e.closure {
                assert!(year.contains(d) && d >= e.referral_date);
                assert!(reason.starts_with("RC"));
            }
            // Rules 8831, 8832, 4000: nothing recorded on a no-further-action referral.
            if e.nfa {
                assert!(
                    e.assessments.is_empty()
                        && e.section47.is_empty()
                        && e.plans.is_empty()
                        && e.cin_plans.is_empty()
                );
            } else {
                assert!(e.primary_need.is_some(), "rule 8610");
            }
            for a in &e.assessments {
                // Rules 8614, 8869, 8898: factors only for an authorised assessment;
                // "21" stands alone; none repeat.
                if a.authorised.is_none() {
                    assert!(a.factors.is_empty());
                }
                assert!(!(a.factors.contains(&"21") && a.factors.len() > 1));
                assert!(a.start >= e.referral_date, "rule 1103");
            }
            // Rule 2885: a plan starts the day of an initial conference.
            let icpcs: Vec<NaiveDate> = e
                .section47
                .iter()
                .filter_map(|s| s.icpc)
                .chain(e.icpc)
                .collect();
            for p in &e.plans {
                if year.contains(p.start) {
                    assert!(
                        icpcs.contains(&p.start),
                        "{}: plan without its conference",
                        c.la_child_id
                    );
                }
                assert!(p.reviews.iter().all(|d| *d > p.start), "rule 8841");
            }
            // Rule 4001: no child in need plan open alongside a child protection plan.
            for (s, end) in &e.cin_plans {
                for p in &e.plans {
                    let cin_end = end.unwrap_or(year.end());
                    let cp_end = p.end.unwrap_or(year.end());
                    assert!(
                        !(*s < cp_end && p.start < cin_end),
                        "{}: CIN and CP plans overlap",
                        c.la_child_id
                    );
                }
            }
        }
    }
}

#[test]
fn a_child_with_a_missing_code_is_withheld_and_listed_with_where_to_fix_it() {
    let f = county();
    let manager = caller(&f.app, "partnership");
    let year = CollectionYear::parse("2025-26").unwrap();
    let before = f.app.census(&manager, year).unwrap();
    let child = before.children[0].person;
    // A front door worker records the child's details again without the disabilities.
    let fd = caller(&f.app, "frontdoor");
    let d = f
        .app
        .current_child_details(&caller(&f.app, "supervisor"), child)
        .or_else(|_| {
            together_app::record::current_details(&f.app.store.log(child).unwrap())
                .ok_or(AppError::NotFound)
        });
    let d = d.unwrap();
    let input = PersonInput {
        kind: d.kind.id().into(),
        given_name: d.given_name.clone(),
        family_name: d.family_name.clone(),
        date_of_birth: d.date_of_birth.map(|x| x.to_string()).unwrap_or_default(),
        expected_date_of_delivery: d
            .expected_date_of_delivery
            .map(|x| x.to_string())
            .unwrap_or_default(),
        sex: d.sex.id().into(),
        ethnicity: d
            .ethnicity
            .map(|e| e.code().to_string())
            .unwrap_or_default(),
        ..Default::default()
    };
    let writer = if f.app.record_child_details(&fd, child, &input).is_ok() {
        "frontdoor"
    } else {
        "supervisor"
    };
    if writer == "supervisor" {
        f.app
            .record_child_details(&caller(&f.app, "supervisor"), child, &input)
            .unwrap();
    }
    let after = f.app.census(&manager, year).unwrap();
    assert!(after.withheld().contains(&child));
    assert!(!after.children.iter().any(|c| c.person == child));
    assert_eq!(
        after.children.len(),
        before.children.len() - 1,
        "only that child is withheld"
    );
    let p = after
        .problems
        .iter()
        .find(|p| p.child == child && p.blocks)
        .unwrap();
    assert_eq!(p.fix, Fix::ChildDetails(child));
    assert_eq!(p.fix.href(), format!("/children/{child}/details"));
}

#[test]
fn a_year_with_no_data_is_a_valid_empty_return_and_only_the_manager_makes_one() {
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap());
    let manager = caller(&f.app, "partnership");
    let (r, xml) = f
        .app
        .census_xml(&manager, CollectionYear::parse("2015-16").unwrap(), None)
        .unwrap();
    assert!(r.children.is_empty() && r.problems.is_empty());
    assert!(xml.contains("<Children>") && xml.contains("<Year>2016</Year>"));
    for who in ["supervisor", "socialworker", "admin", "dpo"] {
        assert!(matches!(
            f.app.census(
                &caller(&f.app, who),
                CollectionYear::parse("2025-26").unwrap()
            ),
            Err(AppError::Forbidden(_))
        ));
    }
    let log = f
        .app
        .store
        .access_log(&together_store::AccessQuery::default())
        .unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "produce-returns" && e.allowed));
}

#[test]
fn collection_years_run_from_april_to_march() {
    let y = CollectionYear::parse("2025-26").unwrap();
    assert_eq!(y.start(), NaiveDate::from_ymd_opt(2025, 4, 1).unwrap());
    assert_eq!(y.end(), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    assert_eq!(
        CollectionYear::containing(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()),
        y
    );
    assert_eq!(
        CollectionYear::containing(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()).label(),
        "2026-27"
    );
    assert!(CollectionYear::parse("2025-27").is_err());
    assert!(CollectionYear::parse("twenty").is_err());
}

/// The dashboards' figures come from every record of the year; they are kept while no
/// event has been appended, worked out again after one, and a busy server may show
/// kept figures for up to `figures_max_age`, saying when they were counted.
#[test]
fn figures_are_kept_while_nothing_changes_and_counted_again_after_a_change() {
    let mut f = fixture_at(Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap());
    let year = CollectionYear::parse("2026-27").unwrap();
    let m = caller(&f.app, "partnership");
    let tables = |fig: &together_app::figures::Figures| format!("{:?}", fig.tables);

    let first = f.app.figures(&m, year, None).unwrap();
    f.clock.advance(chrono::Duration::minutes(5));
    let again = f.app.figures(&m, year, None).unwrap();
    assert_eq!(again.as_at, first.as_at, "kept: nothing was appended");

    // A referral about a child known to the partnership (linked by the front door).
    let id = submit(
        &f,
        "school",
        &school_referral("Ivy", "Keptwell", "2018-03-02"),
    );
    let known = f
        .app
        .store
        .children(&together_store::ChildQuery {
            name: None,
            limit: 1,
            offset: 0,
        })
        .unwrap()[0]
        .id;
    let fd = caller(&f.app, "frontdoor");
    f.app.link_referred_child(&fd, id, 0, known).unwrap();
    f.clock.advance(chrono::Duration::minutes(5));
    let after = f.app.figures(&m, year, None).unwrap();
    assert!(after.as_at > first.as_at, "counted again after a referral");
    assert_ne!(
        tables(&after),
        tables(&first),
        "and the referral is counted"
    );

    // A server that keeps them for an hour shows the kept figures, and when they are from.
    f.app.settings.figures_max_age = std::time::Duration::from_secs(3600);
    let id = submit(
        &f,
        "school",
        &school_referral("Rowan", "Keptwell", "2017-01-09"),
    );
    f.app.link_referred_child(&fd, id, 0, known).unwrap();
    let kept = f.app.figures(&m, year, None).unwrap();
    assert_eq!(kept.as_at, after.as_at);
    assert_eq!(tables(&kept), tables(&after));
    // With no age allowed, the change is counted at once.
    f.app.settings.figures_max_age = std::time::Duration::ZERO;
    let fresh = f.app.figures(&m, year, None).unwrap();
    assert_ne!(tables(&fresh), tables(&after));
}

/// Kept figures are kept per view: a partnership manager's caseloads in bands, a
/// practice supervisor's by name (WT2026 ¶113); a change to the staff (a name, a team)
/// is counted at once, though no record changed.
#[test]
fn kept_figures_are_per_view_and_follow_changes_to_the_staff() {
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap());
    let year = CollectionYear::parse("2026-27").unwrap();
    let m = caller(&f.app, "partnership");
    let s = caller(&f.app, "supervisor");
    let caseloads = |fig: &together_app::figures::Figures| {
        let t = fig
            .tables
            .iter()
            .find(|t| t.id == "caseloads")
            .expect("a caseload table");
        format!("{:?}", t.rows)
    };
    let banded = caseloads(&f.app.figures(&m, year, None).unwrap());
    let named = caseloads(&f.app.figures(&s, year, None).unwrap());
    assert!(banded.contains("cases"), "{banded}");
    assert_ne!(banded, named, "each view is counted for itself");
    assert_eq!(
        caseloads(&f.app.figures(&m, year, None).unwrap()),
        banded,
        "and kept for itself"
    );
    // A lead practitioner changes their name: the supervisor's figures show it.
    let mut sw = f
        .app
        .store
        .users()
        .unwrap()
        .into_iter()
        .find(|u| named.contains(&u.display_name))
        .expect("a practitioner named in the caseloads");
    let old = sw.display_name.clone();
    sw.display_name = "Renamed Practitioner".into();
    f.app.store.update_user(&sw).unwrap();
    let renamed = caseloads(&f.app.figures(&s, year, None).unwrap());
    assert!(renamed.contains("Renamed Practitioner"), "{renamed}");
    assert!(!renamed.contains(&old), "{renamed}");
}
