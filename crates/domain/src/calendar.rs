//! Working days in England and Wales.
//!
//! WT2026 footnote 209 (003 L2747): "'Working day' means any day which is not a
//! Saturday, Sunday, or bank holiday." Every statutory clock counted in working
//! days uses [`Calendar::is_working_day`], which applies exactly that rule and
//! nothing else (see docs/decisions.md, "Local closure days do not stop a
//! statutory clock").
//!
//! Bank holidays are computed from the standing rules (Banking and Financial
//! Dealings Act 1971, Schedule 1, with the New Year and May holidays added by
//! annual proclamation since 1974/1978) and then corrected by a table of
//! one-off [`Proclamation`]s: holidays added (jubilees, a royal wedding, a
//! state funeral) and holidays moved (VE Day anniversaries, jubilee weekends).
//! The server can pass further proclamations loaded from its database, so a
//! new royal proclamation needs no code change.
//!
//! Pure: no clock, no I/O (design principle 2).

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// First year for which holidays are pre-computed and the built-in
/// proclamation table is complete.
pub const FIRST_YEAR: i32 = 1990;
/// Last year for which holidays are pre-computed.
pub const LAST_YEAR: i32 = 2100;

/// A one-off change to the bank holidays, made by royal proclamation: a new
/// holiday (`replaces: None`), or a standing holiday moved to `date`
/// (`replaces: Some(old_date)`; the old date stops being a holiday).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proclamation {
    pub date: NaiveDate,
    pub name: String,
    #[serde(default)]
    pub replaces: Option<NaiveDate>,
}

impl Proclamation {
    pub fn added(date: NaiveDate, name: &str) -> Proclamation {
        Proclamation {
            date,
            name: name.to_string(),
            replaces: None,
        }
    }

    pub fn moved(from: NaiveDate, to: NaiveDate, name: &str) -> Proclamation {
        Proclamation {
            date: to,
            name: name.to_string(),
            replaces: Some(from),
        }
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid built-in date")
}

/// The proclaimed one-off changes for England and Wales since 1990, with the
/// names GOV.UK uses (ASCII apostrophes).
pub fn built_in_proclamations() -> Vec<Proclamation> {
    vec![
        // 50th anniversary of VE Day: early May holiday moved from Monday 1 May.
        Proclamation::moved(
            ymd(1995, 5, 1),
            ymd(1995, 5, 8),
            "Early May bank holiday (VE day)",
        ),
        Proclamation::added(ymd(1999, 12, 31), "Millennium celebrations"),
        // Golden Jubilee: Monday 3 June added; spring holiday moved to Tuesday 4 June.
        Proclamation::added(ymd(2002, 6, 3), "Golden Jubilee bank holiday"),
        Proclamation::moved(ymd(2002, 5, 27), ymd(2002, 6, 4), "Spring bank holiday"),
        Proclamation::added(ymd(2011, 4, 29), "Royal wedding"),
        // Diamond Jubilee: spring holiday moved to Monday 4 June, Tuesday 5 June added.
        Proclamation::moved(ymd(2012, 5, 28), ymd(2012, 6, 4), "Spring bank holiday"),
        Proclamation::added(ymd(2012, 6, 5), "Queen's Diamond Jubilee"),
        // 75th anniversary of VE Day.
        Proclamation::moved(
            ymd(2020, 5, 4),
            ymd(2020, 5, 8),
            "Early May bank holiday (VE day)",
        ),
        // Platinum Jubilee: spring holiday moved to Thursday 2 June, Friday 3 June added.
        Proclamation::moved(ymd(2022, 5, 30), ymd(2022, 6, 2), "Spring bank holiday"),
        Proclamation::added(ymd(2022, 6, 3), "Platinum Jubilee bank holiday"),
        Proclamation::added(
            ymd(2022, 9, 19),
            "Bank Holiday for the State Funeral of Queen Elizabeth II",
        ),
        Proclamation::added(
            ymd(2023, 5, 8),
            "Bank holiday for the coronation of King Charles III",
        ),
    ]
}

/// Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

fn first_monday(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1).expect("a first Monday")
}

fn last_monday(year: i32, month: u32) -> NaiveDate {
    let last = if month == 12 {
        ymd(year, 12, 31)
    } else {
        ymd(year, month + 1, 1).pred_opt().expect("valid")
    };
    let back = last.weekday().num_days_from_monday() as u64;
    last - Days::new(back)
}

fn substitute(name: &str) -> String {
    format!("{name} (substitute day)")
}

/// The standing rules for one year, before proclamations. Weekend dates of
/// fixed holidays are not listed (their substitute days are), as on GOV.UK.
fn standing_rules(year: i32) -> Vec<(NaiveDate, String)> {
    let mut out = Vec::with_capacity(9);
    // New Year's Day, or the following Monday.
    let ny = ymd(year, 1, 1);
    match ny.weekday() {
        Weekday::Sat => out.push((ymd(year, 1, 3), substitute("New Year's Day"))),
        Weekday::Sun => out.push((ymd(year, 1, 2), substitute("New Year's Day"))),
        _ => out.push((ny, "New Year's Day".to_string())),
    }
    let easter = easter_sunday(year);
    out.push((easter - Days::new(2), "Good Friday".to_string()));
    out.push((easter + Days::new(1), "Easter Monday".to_string()));
    out.push((first_monday(year, 5), "Early May bank holiday".to_string()));
    out.push((last_monday(year, 5), "Spring bank holiday".to_string()));
    out.push((last_monday(year, 8), "Summer bank holiday".to_string()));
    let xmas = ymd(year, 12, 25);
    match xmas.weekday() {
        // Boxing Day falls on Saturday: Monday 28th.
        Weekday::Fri => {
            out.push((xmas, "Christmas Day".to_string()));
            out.push((ymd(year, 12, 28), substitute("Boxing Day")));
        }
        // Both at the weekend: Monday 27th for Christmas, Tuesday 28th for Boxing Day.
        Weekday::Sat => {
            out.push((ymd(year, 12, 27), substitute("Christmas Day")));
            out.push((ymd(year, 12, 28), substitute("Boxing Day")));
        }
        // Christmas on Sunday: Boxing Day is Monday 26th, Christmas moves to Tuesday 27th.
        Weekday::Sun => {
            out.push((ymd(year, 12, 26), "Boxing Day".to_string()));
            out.push((ymd(year, 12, 27), substitute("Christmas Day")));
        }
        _ => {
            out.push((xmas, "Christmas Day".to_string()));
            out.push((ymd(year, 12, 26), "Boxing Day".to_string()));
        }
    }
    out
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The working-day calendar for England and Wales, with any extra
/// proclamations and a partnership's local closure days.
///
/// Cheap to clone (the pre-computed tables are shared).
#[derive(Clone)]
pub struct Calendar {
    proclamations: Vec<Proclamation>,
    closures: BTreeMap<NaiveDate, String>,
    /// Bank holidays for FIRST_YEAR..=LAST_YEAR, proclamations applied.
    holidays: Arc<BTreeMap<NaiveDate, String>>,
    /// One bit per day from 1 January FIRST_YEAR: set when the day is not a
    /// working day (weekend or bank holiday).
    non_working: Arc<Vec<u64>>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("fingerprint", &self.fingerprint())
            .field("proclamations", &self.proclamations.len())
            .field("local_closures", &self.closures)
            .finish()
    }
}

impl Default for Calendar {
    fn default() -> Calendar {
        Calendar::england_and_wales()
    }
}

fn range_start() -> NaiveDate {
    ymd(FIRST_YEAR, 1, 1)
}

fn in_range(d: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&d.year())
}

fn index(d: NaiveDate) -> usize {
    (d - range_start()).num_days() as usize
}

impl Calendar {
    /// Computed bank holidays plus the built-in proclamations.
    pub fn england_and_wales() -> Calendar {
        Calendar::build(built_in_proclamations(), BTreeMap::new())
    }

    /// Add proclamations (e.g. loaded from the database by an administrator).
    /// A later proclamation for the same date renames it. A `replaces` date
    /// that is not a holiday is simply ignored.
    pub fn with_proclamations(self, extra: impl IntoIterator<Item = Proclamation>) -> Calendar {
        let mut all = self.proclamations;
        let before = all.len();
        all.extend(extra);
        if all.len() == before {
            return Calendar {
                proclamations: all,
                ..self
            };
        }
        Calendar::build(all, self.closures)
    }

    /// Add a partnership's local closure days (e.g. a council closure day).
    /// They are shown to users but do not change any working-day count
    /// (docs/decisions.md; WT2026 fn 209).
    pub fn with_local_closures(
        mut self,
        days: impl IntoIterator<Item = (NaiveDate, String)>,
    ) -> Calendar {
        self.closures.extend(days);
        self
    }

    fn build(proclamations: Vec<Proclamation>, closures: BTreeMap<NaiveDate, String>) -> Calendar {
        let mut holidays = BTreeMap::new();
        for y in FIRST_YEAR..=LAST_YEAR {
            holidays.extend(standing_rules(y));
        }
        apply_proclamations(&mut holidays, &proclamations, in_range);
        let days = index(ymd(LAST_YEAR, 12, 31)) + 1;
        let mut bits = vec![0u64; days.div_ceil(64)];
        let mut d = range_start();
        for i in 0..days {
            if is_weekend(d) || holidays.contains_key(&d) {
                bits[i / 64] |= 1 << (i % 64);
            }
            d = d + Days::new(1);
        }
        Calendar {
            proclamations,
            closures,
            holidays: Arc::new(holidays),
            non_working: Arc::new(bits),
        }
    }

    /// The proclamations in force (built-in first, then any added).
    pub fn proclamations(&self) -> &[Proclamation] {
        &self.proclamations
    }

    /// A short, stable identifier of the working-day calendar (the bank
    /// holidays and proclamations, not local closures, which do not change
    /// counts). Store it with every computed due date so the date can be
    /// reproduced at audit (requirements wt2026-ch3s4-6 REQ-CAL-01).
    pub fn fingerprint(&self) -> String {
        let mut sorted: Vec<&Proclamation> = self.proclamations.iter().collect();
        sorted.sort_by(|a, b| (a.date, &a.name, a.replaces).cmp(&(b.date, &b.name, b.replaces)));
        let mut h = Sha256::new();
        h.update(b"england-and-wales/v1\n");
        for p in sorted {
            let r = p.replaces.map(|d| d.to_string()).unwrap_or_default();
            h.update(format!("{}|{}|{}\n", p.date, p.name, r).as_bytes());
        }
        format!("ew-{}", &hex::encode(h.finalize())[..12])
    }

    /// England and Wales bank holidays in `year`, sorted, proclamations
    /// applied. Years outside 1990..=2100 are extrapolated with today's
    /// standing rules plus any proclamation dated in that year (see
    /// docs/decisions.md); no error is raised.
    pub fn bank_holidays(&self, year: i32) -> Vec<(NaiveDate, String)> {
        if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
            let (from, to) = (ymd(year, 1, 1), ymd(year, 12, 31));
            self.holidays
                .range(from..=to)
                .map(|(d, n)| (*d, n.clone()))
                .collect()
        } else {
            self.extrapolated(year).into_iter().collect()
        }
    }

    fn extrapolated(&self, year: i32) -> BTreeMap<NaiveDate, String> {
        let mut m: BTreeMap<NaiveDate, String> = standing_rules(year).into_iter().collect();
        apply_proclamations(&mut m, &self.proclamations, |d| d.year() == year);
        m
    }

    pub fn bank_holiday_name(&self, d: NaiveDate) -> Option<String> {
        if in_range(d) {
            self.holidays.get(&d).cloned()
        } else {
            self.extrapolated(d.year()).remove(&d)
        }
    }

    /// WT2026 fn 209: not a Saturday, Sunday or bank holiday.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        Probe::new(self).is_working(d)
    }

    pub fn next_working_day_on_or_after(&self, d: NaiveDate) -> NaiveDate {
        let mut p = Probe::new(self);
        let mut d = d;
        while !p.is_working(d) {
            d = d + Days::new(1);
        }
        d
    }

    pub fn last_working_day_on_or_before(&self, d: NaiveDate) -> NaiveDate {
        let mut p = Probe::new(self);
        let mut d = d;
        while !p.is_working(d) {
            d = d - Days::new(1);
        }
        d
    }

    /// "Within `n` working days of `d`": the `n`th working day after the day of `d`,
    /// whatever day `d` is (WT2026 ¶167, ¶169, ¶372; fn 209). So a referral received on
    /// Saturday 3 January 2026 is due a decision on Monday 5 January. For `n` = 0, `d`
    /// if it is a working day, else the next one (docs/decisions.md, "Day 0").
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        let mut p = Probe::new(self);
        let mut d = d;
        if n == 0 {
            while !p.is_working(d) {
                d = d + Days::new(1);
            }
            return d;
        }
        let mut left = n;
        while left > 0 {
            d = d + Days::new(1);
            if p.is_working(d) {
                left -= 1;
            }
        }
        d
    }

    /// The number of working days after `from` up to and including `to`
    /// (negative when `to` is before `from`). For a working day `from`,
    /// `working_days_between(from, add_working_days(from, n)) == n`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (lo, hi, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut p = Probe::new(self);
        let mut count = 0i64;
        let mut d = lo;
        while d < hi {
            d = d + Days::new(1);
            if p.is_working(d) {
                count += 1;
            }
        }
        sign * count
    }

    /// `months` calendar months after `d`, clamped to the end of a shorter
    /// month (31 January + 1 month = 28/29 February), then moved back to the
    /// last working day on or before it: a conference due "within three
    /// months" cannot be held on a bank holiday, and moving back never
    /// lengthens the statutory period (docs/decisions.md).
    pub fn add_months(&self, d: NaiveDate, months: u32) -> NaiveDate {
        let target = d
            .checked_add_months(Months::new(months))
            .unwrap_or(NaiveDate::MAX);
        self.last_working_day_on_or_before(target)
    }

    /// The local closure day on `d`, if any.
    pub fn local_closure(&self, d: NaiveDate) -> Option<&str> {
        self.closures.get(&d).map(String::as_str)
    }

    /// All local closure days, sorted.
    pub fn local_closures(&self) -> Vec<(NaiveDate, String)> {
        self.closures.iter().map(|(d, n)| (*d, n.clone())).collect()
    }

    /// Local closure days from `from` to `to` inclusive, sorted: for telling a
    /// user that a clock runs across days when the office is shut.
    pub fn local_closures_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<(NaiveDate, String)> {
        if to < from {
            return Vec::new();
        }
        self.closures
            .range(from..=to)
            .map(|(d, n)| (*d, n.clone()))
            .collect()
    }

    /// A working day on which the partnership is also open (no local closure).
    /// For suggesting meeting dates only; never used to count a statutory clock.
    pub fn is_open_day(&self, d: NaiveDate) -> bool {
        self.is_working_day(d) && !self.closures.contains_key(&d)
    }

    /// The last open day on or before `d`: the latest date to suggest for a
    /// meeting due on `d`.
    pub fn last_open_day_on_or_before(&self, d: NaiveDate) -> NaiveDate {
        let mut d = self.last_working_day_on_or_before(d);
        while self.closures.contains_key(&d) {
            d = self.last_working_day_on_or_before(d - Days::new(1));
        }
        d
    }
}

fn apply_proclamations(
    m: &mut BTreeMap<NaiveDate, String>,
    proclamations: &[Proclamation],
    keep: impl Fn(NaiveDate) -> bool,
) {
    for p in proclamations {
        if let Some(old) = p.replaces {
            if keep(old) {
                m.remove(&old);
            }
        }
    }
    for p in proclamations {
        if keep(p.date) {
            m.insert(p.date, p.name.clone());
        }
    }
}

/// Working-day lookups for one computation: a bit test inside 1990..=2100,
/// and a per-year cache outside it, so long loops never allocate per step.
struct Probe<'a> {
    cal: &'a Calendar,
    year: Option<i32>,
    extra: Vec<NaiveDate>,
}

impl<'a> Probe<'a> {
    fn new(cal: &'a Calendar) -> Probe<'a> {
        Probe {
            cal,
            year: None,
            extra: Vec::new(),
        }
    }

    fn is_working(&mut self, d: NaiveDate) -> bool {
        if in_range(d) {
            let i = index(d);
            return self.cal.non_working[i / 64] & (1 << (i % 64)) == 0;
        }
        if is_weekend(d) {
            return false;
        }
        if self.year != Some(d.year()) {
            self.year = Some(d.year());
            self.extra = self.cal.extrapolated(d.year()).into_keys().collect();
        }
        !self.extra.contains(&d)
    }
}
