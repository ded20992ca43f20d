//! Issue 16: for every rule of every partnership's profile and any start in 2012–2028,
//! the due date is the one the text gives, worked out here independently of
//! `timescale.rs`: "within N working days of X" is the Nth working day after the day of X
//! (WT2026 ¶167, ¶169, fn 209); calendar days and months are counted literally, and a
//! meeting counted back to a day it cannot be held is due the working day before (SET
//! 2.6.14); hours are real elapsed hours (Children Act 1989 s46(6)); a same-day rule is
//! due on the day itself.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use proptest::prelude::*;
use std::sync::OnceLock;
use together_domain::calendar::Calendar;
use together_domain::england::{from_london, to_london};
use together_domain::profile::Profile;
use together_domain::timescale::{Due, TimescaleRule, Unit};

fn profiles() -> &'static Vec<(Profile, Calendar)> {
    static P: OnceLock<Vec<(Profile, Calendar)>> = OnceLock::new();
    P.get_or_init(|| {
        let national =
            Profile::national(include_str!("../../../config/partnerships/national.toml")).unwrap();
        let local = |text: &str, name: &str| Profile::local(text, name, &national).unwrap();
        let all = vec![
            local(include_str!("../../../config/partnerships/set.toml"), "set"),
            local(
                include_str!("../../../config/partnerships/hips.toml"),
                "hips",
            ),
            local(
                include_str!("../../../config/partnerships/liverpool.toml"),
                "liverpool",
            ),
            local(
                include_str!("../../../config/partnerships/northamptonshire.toml"),
                "northamptonshire",
            ),
            national.clone(),
        ];
        all.into_iter()
            .map(|p| {
                let cal = p.calendar(Calendar::england_and_wales());
                (p, cal)
            })
            .collect()
    })
}

/// The Nth working day after `d` (N ≥ 1), or before it, counted one day at a time.
fn nth_working_day(cal: &Calendar, d: NaiveDate, n: u32, backwards: bool) -> NaiveDate {
    let mut x = d;
    let mut counted = 0;
    while counted < n {
        x = if backwards {
            x - Days::new(1)
        } else {
            x + Days::new(1)
        };
        if cal.is_working_day(x) {
            counted += 1;
        }
    }
    x
}

/// The latest working day on or before `d`.
fn working_day_on_or_before(cal: &Calendar, d: NaiveDate) -> NaiveDate {
    let mut x = d;
    while !cal.is_working_day(x) {
        x = x - Days::new(1);
    }
    x
}

/// What the text gives for `rule` started at `start`, checked against `due`.
fn check(
    rule: &TimescaleRule,
    cal: &Calendar,
    start: NaiveDateTime,
    due: Due,
) -> Result<(), String> {
    let day = start.date();
    let n = rule.amount;
    let date = |due: Due| match due {
        Due::Date(d) => Ok(d),
        Due::DateTime(t) => Err(format!("a date, not the time {t}")),
    };
    match (rule.unit, rule.before) {
        (Unit::WorkingDays, false) => {
            let d = date(due)?;
            // Zero working days: the day itself if it is one, else the next.
            let want = match (n, cal.is_working_day(day)) {
                (0, true) => day,
                (0, false) => nth_working_day(cal, day, 1, false),
                _ => nth_working_day(cal, day, n, false),
            };
            if !cal.is_working_day(d) {
                return Err(format!("{d} is not a working day"));
            }
            if d != want {
                return Err(format!("due {d}, the text gives {want}"));
            }
        }
        (Unit::WorkingDays, true) => {
            let d = date(due)?;
            let want = nth_working_day(cal, day, n, true);
            if d != want || !cal.is_working_day(d) {
                return Err(format!("due {d}, the text gives {want}"));
            }
        }
        (Unit::CalendarDays, false) => {
            let d = date(due)?;
            let want = day + Days::new(n as u64);
            if d != want {
                return Err(format!("due {d}, the text gives {want}"));
            }
        }
        (Unit::CalendarDays, true) => {
            // Not later than the literal date, and no earlier than the working day
            // before it (the meeting cannot be held on a day that is not one).
            let d = date(due)?;
            let literal = day - Days::new(n as u64);
            let want = working_day_on_or_before(cal, literal);
            if d != want {
                return Err(format!(
                    "due {d}, the text gives {literal} (held by {want})"
                ));
            }
        }
        (Unit::Months, _) => {
            let d = date(due)?;
            let literal = day
                .checked_add_months(Months::new(n))
                .ok_or("out of range")?;
            if d > literal {
                return Err(format!("due {d}, later than {literal}"));
            }
            if d != working_day_on_or_before(cal, literal) {
                return Err(format!(
                    "due {d}, earlier than the working day on or before {literal}"
                ));
            }
        }
        (Unit::SameDay, _) => {
            if date(due)? != day {
                return Err(format!("due {due:?}, not the day itself {day}"));
            }
        }
        (Unit::Hours, _) => {
            let Due::DateTime(t) = due else {
                return Err("an hours rule is due at a time".into());
            };
            // A wall-clock time in the hour the clocks go back names two instants; the
            // due time is right if either is N real hours after the start.
            let elapsed = from_london(t) - from_london(start);
            let repeated = to_london(from_london(t) + TimeDelta::hours(1)).naive_local() == t;
            let later = elapsed + TimeDelta::hours(1);
            if elapsed != TimeDelta::hours(n as i64)
                && !(repeated && later == TimeDelta::hours(n as i64))
            {
                return Err(format!(
                    "{elapsed} elapsed from {start} to {t}, not {n} hours"
                ));
            }
        }
    }
    Ok(())
}

/// A wall-clock time that exists in England and names one instant (not in the hour the
/// clocks go forward, which never happens).
fn exists_in_england(t: NaiveDateTime) -> bool {
    to_london(from_london(t)).naive_local() == t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn every_rule_of_every_profile_is_due_when_the_text_says(
        days in 0u64..(365 * 17 + 4),
        minute in 0u32..(24 * 60),
    ) {
        let start = (NaiveDate::from_ymd_opt(2012, 1, 1).unwrap() + Days::new(days))
            .and_time(NaiveTime::from_num_seconds_from_midnight_opt(minute * 60, 0).unwrap());
        prop_assume!(start.year() <= 2028);
        prop_assume!(exists_in_england(start));
        for (p, cal) in profiles() {
            for r in &p.rules {
                let due = r.due(start, cal);
                if let Err(why) = check(r, cal, start, due) {
                    prop_assert!(false, "{} {} from {start}: {why}", p.id, r.id);
                }
            }
        }
    }
}

/// The edges the property may not happen to draw: the start on a Saturday, a bank
/// holiday, a substitute day, New Year's Eve, and both clock changes.
#[test]
fn every_rule_of_every_profile_at_the_edges() {
    let starts = [
        "2026-01-03 10:00", // Saturday
        "2022-06-02 09:00", // Jubilee holiday (Thursday)
        "2026-12-28 12:00", // substitute for Boxing Day
        "2020-12-31 23:59", // year end
        "2027-02-28 16:00", // month end before March
        "2028-02-29 08:00", // leap day
        "2026-03-28 12:00", // the day before the clocks go forward
        "2026-10-24 12:00", // the day before they go back
        "2026-10-25 01:30", // the hour that happens twice
        "2018-10-25 02:00", // 72 hours later is in the hour that happens twice
    ];
    for s in starts {
        let start = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        for (p, cal) in profiles() {
            for r in &p.rules {
                if let Err(why) = check(r, cal, start, r.due(start, cal)) {
                    panic!("{} {} from {start}: {why}", p.id, r.id);
                }
            }
        }
    }
}
