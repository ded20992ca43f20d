//! Opening a child's record a page at a time (issue 6) shows exactly what the whole
//! record shows, page by page, to children's social care and to a partner: the same
//! entries in the same order, corrections applied, the same summary, and one
//! access-log entry for each page opened.

use chrono::TimeZone;
use std::sync::Arc;
use together_app::clock::FixedClock;
use together_app::record::CaseNoteInput;
use together_app::record_page::Cursor;
use together_app::{profiles::ProfileSource, App, Caller, Settings};
use together_domain::event::ChronologyEntry;
use together_domain::ids::PersonId;
use together_store::AccessQuery;

fn app() -> (tempfile::TempDir, App, PersonId) {
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
    (dir, app, seed.children[0])
}

fn caller(app: &App, username: &str) -> Caller {
    let u = app.store.user_by_username(username).unwrap().unwrap();
    app.caller_for(&u, "test").unwrap()
}

fn note(title: String, day: u32, shared: bool) -> CaseNoteInput {
    CaseNoteInput {
        title,
        text: "Visited the home; the child was seen alone.".into(),
        // Notes about days out of the order they are written in, several on one day.
        effective_date: format!("2026-{:02}-{:02}", 1 + day % 10, 1 + day % 27),
        shared_with_partners: shared,
    }
}

/// What a reader sees of an entry: which it is, what it says now, what it said first.
fn seen(e: &ChronologyEntry) -> String {
    format!(
        "{} {:?} {:?} {:?}",
        e.event.id, e.current, e.recorded, e.corrected_by
    )
}

fn accesses(app: &App, child: PersonId) -> usize {
    app.store
        .access_log(&AccessQuery {
            child: Some(child),
            limit: 100_000,
            ..Default::default()
        })
        .unwrap()
        .len()
}

#[test]
fn every_page_together_is_the_whole_record_for_social_care_and_for_a_partner() {
    let (_dir, app, child) = app();
    let (sw, police) = (caller(&app, "socialworker"), caller(&app, "police"));
    let mut ids = Vec::new();
    for n in 0..130u32 {
        let who = if n % 7 == 0 { &police } else { &sw };
        ids.push(
            app.add_case_note(who, child, &note(format!("Note {n}"), n, n % 3 == 0))
                .unwrap(),
        );
    }
    // Corrections, one of them sharing a note that was not shared.
    for (k, &id) in ids.iter().enumerate().filter(|(k, _)| k % 25 == 1) {
        let mut fixed = note(format!("Note {k} (corrected)"), k as u32, true);
        fixed.text = "Corrected".into();
        let author = if k % 7 == 0 { &police } else { &sw };
        app.correct_case_note(author, child, id, "Wrong words", &fixed)
            .unwrap();
    }

    for (who, per_page) in [(&sw, 20), (&police, 7)] {
        let whole = app.view_child(who, child).unwrap();
        let mut expected: Vec<&ChronologyEntry> = whole.chronology.iter().collect();
        expected.sort_by(|a, b| {
            (&b.event.effective_at, b.event.seq).cmp(&(&a.event.effective_at, a.event.seq))
        });
        let mut got = Vec::new();
        let mut before: Option<Cursor> = None;
        let mut pages = 0;
        loop {
            let logged = accesses(&app, child);
            let page = app
                .view_child_page(who, child, before.as_ref(), per_page)
                .unwrap();
            assert_eq!(
                accesses(&app, child),
                logged + 1,
                "each page opened is logged"
            );
            assert!(page.view.chronology.len() <= per_page);
            assert_eq!(page.total, expected.len());
            assert_eq!(page.view.withheld, whole.withheld);
            assert_eq!(
                serde_json::to_value(&page.view.summary).unwrap(),
                serde_json::to_value(&whole.summary).unwrap()
            );
            // What the page's entries refer to is at hand: their corrections and the
            // entries its corrections correct.
            for e in &page.view.chronology {
                if let Some(by) = e.corrected_by {
                    assert!(page
                        .view
                        .chronology
                        .iter()
                        .chain(&page.related)
                        .any(|r| r.event.id == by));
                }
            }
            pages += 1;
            got.extend(page.view.chronology.iter().map(seen));
            match page.older {
                Some(c) => before = Some(c),
                None => break,
            }
        }
        let expected: Vec<String> = expected.into_iter().map(seen).collect();
        assert_eq!(got, expected, "pages of {per_page}");
        assert_eq!(pages, expected.len().div_ceil(per_page));
    }
}

#[test]
fn a_page_is_refused_to_whoever_may_not_open_the_record_and_the_refusal_is_logged() {
    let (_dir, app, child) = app();
    let admin = caller(&app, "admin");
    let logged = accesses(&app, child);
    let e = app
        .view_child_page(&admin, child, None, 50)
        .err()
        .expect("refused");
    assert!(matches!(e, together_app::AppError::Forbidden(_)), "{e:?}");
    assert_eq!(accesses(&app, child), logged + 1);
}
