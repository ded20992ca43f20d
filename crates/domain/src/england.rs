//! Time in England, without a time-zone database: every timescale is counted as people
//! in the office see the clock, but hours are real elapsed hours (issue 16), so a rule in
//! hours is added to the instant, not to the wall clock.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta, Utc, Weekday};

/// The UK offset from UTC at an instant: British Summer Time runs from 01:00 UTC on the
/// last Sunday of March to 01:00 UTC on the last Sunday of October (Summer Time Act
/// 1972, as amended).
pub fn london_offset(t: DateTime<Utc>) -> FixedOffset {
    let y = t.year();
    let last_sunday = |month: u32| {
        let first_of_next = NaiveDate::from_ymd_opt(y, month + 1, 1).expect("valid");
        let mut d = first_of_next.pred_opt().expect("valid");
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().expect("valid");
        }
        d.and_hms_opt(1, 0, 0).expect("valid").and_utc()
    };
    let (start, end) = (last_sunday(3), last_sunday(10));
    let secs = if t >= start && t < end { 3600 } else { 0 };
    FixedOffset::east_opt(secs).expect("valid offset")
}

/// An instant in UK local time.
pub fn to_london(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&london_offset(t))
}

/// The instant a wall-clock time in England names. In the hour the clocks go back,
/// which happens twice, the first (British Summer Time); in the hour they go forward,
/// which never happens, the time as if in GMT.
pub fn from_london(local: NaiveDateTime) -> DateTime<Utc> {
    let summer = (local - TimeDelta::hours(1)).and_utc();
    if london_offset(summer).local_minus_utc() == 3600 {
        summer
    } else {
        local.and_utc()
    }
}

/// `hours` real hours after the wall-clock time `local`, as a wall-clock time.
pub fn add_hours(local: NaiveDateTime, hours: i64) -> NaiveDateTime {
    to_london(from_london(local) + TimeDelta::hours(hours)).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn hours_are_real_hours_across_both_clock_changes() {
        // Police protection from 12:00 on Saturday 24 October 2026 (BST): 72 hours later
        // is 11:00 on Tuesday 27 October (GMT), the clocks having gone back on the 25th.
        assert_eq!(
            add_hours(at("2026-10-24 12:00"), 72),
            at("2026-10-27 11:00")
        );
        // From 12:00 on Saturday 28 March 2026 (GMT): 13:00 on Tuesday 31 March (BST).
        assert_eq!(
            add_hours(at("2026-03-28 12:00"), 72),
            at("2026-03-31 13:00")
        );
        // No change in between: the wall clock moves as the hours do.
        assert_eq!(
            add_hours(at("2026-06-01 09:30"), 24),
            at("2026-06-02 09:30")
        );
    }

    #[test]
    fn wall_clock_times_name_their_instants() {
        assert_eq!(
            from_london(at("2026-07-01 12:00")),
            at("2026-07-01 11:00").and_utc()
        );
        assert_eq!(
            from_london(at("2026-12-01 12:00")),
            at("2026-12-01 12:00").and_utc()
        );
        // 01:30 on 25 October 2026 happens twice: the first, in BST.
        assert_eq!(
            from_london(at("2026-10-25 01:30")),
            at("2026-10-25 00:30").and_utc()
        );
        for s in ["2026-01-15 08:00", "2026-05-15 08:00", "2026-10-25 03:00"] {
            assert_eq!(to_london(from_london(at(s))).naive_local(), at(s), "{s}");
        }
    }
}
