//! Repeat referrals: "A re-referral occurs when a child is referred within 12 months of
//! a previous referral" (DfE, *Children in need* statistics, "Re-referrals"; counted in
//! the CIN census).
//!
//! "12 months" is calendar months ("month" means calendar month: Interpretation Act
//! 1978, Sch. 1), counted by the corresponding date rule (*Dodds v Walker* \[1981\] 1 WLR
//! 1027, HL): a period of 12 months after a previous referral on day P ends at the end
//! of the corresponding date 12 months later, or of the last day of that month when it
//! has no such date. So a referral on day R is within 12 months of P when
//! P ≤ R ≤ P + 12 months (clamped to the month's end). Unlike a timescale's due date
//! ([`crate::calendar::Calendar::add_months`]) the end is not moved to a working day:
//! this is a count of time that has passed, not a deadline (docs/decisions.md).
//!
//! - 2025-02-28 → end 2026-02-28: a referral on 2026-02-28 is a repeat; 2026-03-01 is not.
//! - 2025-02-27 → end 2026-02-27: a referral on 2026-02-28 is not a repeat.
//! - 2028-02-29 (leap day) → end 2029-02-28.
//! - 2027-02-28 → end 2028-02-28: a referral on the leap day 2028-02-29 is not a repeat.

use chrono::{Months, NaiveDate};

/// The last day that is still within 12 months of a referral on `previous`.
pub fn twelve_months_after(previous: NaiveDate) -> NaiveDate {
    previous
        .checked_add_months(Months::new(12))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether a referral on `this` is within 12 months of one on `previous`. A referral
/// after `this` is not a previous one; one on the same day is.
pub fn within_twelve_months(previous: NaiveDate, this: NaiveDate) -> bool {
    previous <= this && this <= twelve_months_after(previous)
}

/// The most recent of `previous` within 12 months before `this`, if any: the referral
/// this one repeats.
pub fn repeat_of(this: NaiveDate, previous: &[NaiveDate]) -> Option<NaiveDate> {
    previous
        .iter()
        .copied()
        .filter(|&p| within_twelve_months(p, this))
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn corresponding_date_and_month_end() {
        assert!(within_twelve_months(d("2025-02-28"), d("2026-02-28")));
        assert!(!within_twelve_months(d("2025-02-28"), d("2026-03-01")));
        assert!(within_twelve_months(d("2025-03-01"), d("2026-02-28")));
        assert!(!within_twelve_months(d("2025-02-27"), d("2026-02-28")));
        assert_eq!(twelve_months_after(d("2028-02-29")), d("2029-02-28"));
        assert!(!within_twelve_months(d("2027-02-28"), d("2028-02-29")));
        assert!(within_twelve_months(d("2027-03-01"), d("2028-02-29")));
        // Later referrals are not previous ones.
        assert!(!within_twelve_months(d("2026-03-01"), d("2026-02-28")));
        assert_eq!(
            repeat_of(
                d("2026-02-28"),
                &[
                    d("2024-01-01"),
                    d("2025-03-01"),
                    d("2025-06-01"),
                    d("2026-05-01")
                ]
            ),
            Some(d("2025-06-01"))
        );
    }
}
