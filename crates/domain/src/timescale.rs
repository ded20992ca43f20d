//! Statutory and local timescales as data (design principle 4).
//!
//! A [`TimescaleRule`] says: from `start_event`, `end_event` is due within
//! `amount` `unit`s. The national rules live in
//! `config/partnerships/national.toml` and local ones in each partnership's
//! profile ([`crate::profile`]); no deadline is written in code.
//!
//! How each unit is counted (docs/decisions.md):
//! - working days: [`Calendar::add_working_days`] from the start date (WT2026 fn 209);
//! - calendar days: the start date plus `n` days, not moved;
//! - hours: clock hours from the start instant, not moved;
//! - months: [`Calendar::add_months`] (clamped to month end, then back to a working day);
//! - same day: the start date itself, weekend or not.

use crate::calendar::Calendar;
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// The unit a timescale is counted in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Days that are not a Saturday, Sunday or bank holiday (WT2026 fn 209).
    WorkingDays,
    /// Every day counts.
    CalendarDays,
    /// Clock hours from the start instant.
    Hours,
    /// Calendar months.
    Months,
    /// On the day of the start event (the amount is ignored; write 0).
    SameDay,
}

impl Unit {
    pub fn id(self) -> &'static str {
        match self {
            Unit::WorkingDays => "working_days",
            Unit::CalendarDays => "calendar_days",
            Unit::Hours => "hours",
            Unit::Months => "months",
            Unit::SameDay => "same_day",
        }
    }
}

/// Whether the guidance says "must" or "should".
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    Must,
    Should,
}

/// An amount of a unit: a timescale's length, or the most an extension may add.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub amount: u32,
    pub unit: Unit,
}

impl Period {
    pub fn new(amount: u32, unit: Unit) -> Period {
        Period { amount, unit }
    }

    /// When something started at `start` and is due within this period.
    pub fn due_from(&self, start: NaiveDateTime, cal: &Calendar) -> Due {
        let d = start.date();
        match self.unit {
            Unit::WorkingDays => Due::Date(cal.add_working_days(d, self.amount)),
            Unit::CalendarDays => Due::Date(d + Days::new(self.amount as u64)),
            Unit::Months => Due::Date(cal.add_months(d, self.amount)),
            Unit::SameDay => Due::Date(d),
            // Real elapsed hours, shown as the wall clock in England then (issue 16).
            Unit::Hours => Due::DateTime(crate::england::add_hours(start, self.amount as i64)),
        }
    }

    /// A due date pushed on by this period (an extension). A date-only due
    /// extended by hours counts from the end of that day.
    pub fn extend(&self, due: Due, cal: &Calendar) -> Due {
        match due {
            Due::Date(d) => match self.unit {
                Unit::Hours => {
                    let end = (d + Days::new(1)).and_time(NaiveTime::MIN);
                    Due::DateTime(crate::england::add_hours(end, self.amount as i64))
                }
                _ => self.due_from(d.and_time(NaiveTime::MIN), cal),
            },
            Due::DateTime(t) => match self.due_from(t, cal) {
                Due::Date(d) => Due::DateTime(d.and_time(t.time())),
                dt => dt,
            },
        }
    }

    /// Whether this period is never longer than `other`, whatever the start.
    /// `None` means Together cannot prove it either way (a unit change it
    /// does not know how to compare); callers treat that as "not allowed".
    ///
    /// Same unit: compare amounts. Across units, only these are provable:
    /// - h hours vs n calendar or working days: not longer when h <= 24n
    ///   (a date-only due runs to the end of that day; working days are
    ///   never shorter than calendar days);
    /// - m calendar days vs n working days: not longer when m <= n;
    /// - same day vs calendar days, working days or months: never longer.
    pub fn not_longer_than(&self, other: &Period) -> Option<bool> {
        use Unit::*;
        let (a, b) = (self.amount as u64, other.amount as u64);
        match (self.unit, other.unit) {
            (x, y) if x == y => Some(x == SameDay || a <= b),
            (Hours, CalendarDays | WorkingDays) => (a <= 24 * b).then_some(true),
            (CalendarDays, WorkingDays) => (a <= b).then_some(true),
            (SameDay, CalendarDays | WorkingDays | Months) => Some(true),
            _ => None,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.amount;
        let (one, many) = match self.unit {
            Unit::WorkingDays => ("working day", "working days"),
            Unit::CalendarDays => ("calendar day", "calendar days"),
            Unit::Hours => ("hour", "hours"),
            Unit::Months => ("month", "months"),
            Unit::SameDay => return f.write_str("the same day"),
        };
        write!(f, "{n} {}", if n == 1 { one } else { many })
    }
}

/// A deadline: a day (met if done at any time that day) or an instant.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl Due {
    /// The day the deadline falls on.
    pub fn date(&self) -> NaiveDate {
        match self {
            Due::Date(d) => *d,
            Due::DateTime(t) => t.date(),
        }
    }

    /// The first instant at which the deadline has been missed: the midnight
    /// after a date-only deadline, or just after a date-time one.
    pub fn missed_from(&self) -> NaiveDateTime {
        match self {
            Due::Date(d) => (*d + Days::new(1)).and_time(NaiveTime::MIN),
            Due::DateTime(t) => *t + TimeDelta::nanoseconds(1),
        }
    }

    /// Whether something done at `at` was (or still could be) on time.
    pub fn is_met_by(&self, at: NaiveDateTime) -> bool {
        at < self.missed_from()
    }

    /// Whether, at `now`, the deadline has passed.
    pub fn is_overdue_at(&self, now: NaiveDateTime) -> bool {
        !self.is_met_by(now)
    }
}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Due) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Ordered by when the deadline is missed (a date-only deadline lasts all day).
impl Ord for Due {
    fn cmp(&self, other: &Due) -> Ordering {
        self.missed_from().cmp(&other.missed_from())
    }
}

impl fmt::Display for Due {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Due::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Due::DateTime(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M")),
        }
    }
}

/// One timescale. National rules come from `national.toml`; local profiles
/// may shorten them (never lengthen: [`crate::profile`]) and add their own.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimescaleRule {
    /// Stable id, e.g. "referral-decision".
    pub id: String,
    /// Plain English for users.
    pub title: String,
    /// The event that starts the clock, e.g. "referral-received".
    pub start_event: String,
    /// The event that stops it, e.g. "referral-decision-recorded".
    pub end_event: String,
    pub amount: u32,
    pub unit: Unit,
    pub strength: Strength,
    /// Role ids (see [`crate::role::Role::id`]) who may extend, or "court".
    /// Empty: cannot be extended.
    pub extendable_by: Vec<String>,
    /// The most one extension may add; `None` with extenders means the
    /// guidance sets no cap (reasons must still be recorded).
    pub max_extension: Option<Period>,
    /// Where the rule comes from, e.g. "WT2026 ¶167".
    pub citation: String,
    /// Set by the guidance or an Act: a local profile may not lengthen it. A national
    /// rule that is not statutory is Together's reading where the guidance gives no
    /// number, which a partnership may change either way.
    pub statutory: bool,
    /// Added by the partnership's own profile.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub local: bool,
    /// The end event is due `amount` `unit`s *before* the start event (e.g. a pre-birth
    /// conference ten weeks before the expected date of delivery, SET 2.6.14). Calendar or
    /// working days only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub before: bool,
}

impl TimescaleRule {
    /// Where the rule comes from, as lists label it.
    pub fn origin(&self) -> &'static str {
        match (self.local, self.statutory) {
            (true, _) => "local",
            (false, true) => "national",
            (false, false) => "default",
        }
    }

    pub fn period(&self) -> Period {
        Period::new(self.amount, self.unit)
    }

    /// When the end event is due, for a start event at `start`.
    pub fn due(&self, start: NaiveDateTime, cal: &Calendar) -> Due {
        if self.before {
            let d = start.date();
            return Due::Date(match self.unit {
                Unit::WorkingDays => {
                    let mut x = d;
                    for _ in 0..self.amount {
                        x = cal.last_working_day_on_or_before(x - Days::new(1));
                    }
                    x
                }
                // A meeting due on a day it cannot be held is due the working day
                // before, never after the planned date allows (issue 16).
                _ => cal.last_working_day_on_or_before(d - Days::new(self.amount as u64)),
            });
        }
        self.period().due_from(start, cal)
    }

    /// The latest the end event could be due if the rule is extended as far
    /// as it may be; `None` if it cannot be extended or has no cap.
    pub fn latest_extended_due(&self, start: NaiveDateTime, cal: &Calendar) -> Option<Due> {
        if self.extendable_by.is_empty() {
            return None;
        }
        let ext = self.max_extension?;
        Some(ext.extend(self.due(start, cal), cal))
    }

    /// Whether the given role id may extend this timescale.
    pub fn may_be_extended_by(&self, role_id: &str) -> bool {
        self.extendable_by.iter().any(|r| r == role_id)
    }
}

/// Parse when a clock started, as typed into a calculator: `YYYY-MM-DD` or
/// `YYYY-MM-DDTHH:MM`. A date alone starts at 00:00, the earliest it could mean, so an
/// hour rule's due time is never later than the truth.
pub fn parse_start(s: &str) -> Result<NaiveDateTime, String> {
    let s = s.trim();
    let (d, t) = s.split_once('T').unwrap_or((s, "00:00"));
    let date = crate::validate::parse_date("start date", d)?;
    let time = NaiveTime::parse_from_str(t, "%H:%M")
        .map_err(|_| "Time must be HH:MM, for example 16:30".to_string())?;
    Ok(date.and_time(time))
}
