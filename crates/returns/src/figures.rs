//! Small numbers in anything exported: a count under 5 (but not 0) could identify a
//! child, so it is shown as "<5" (issue 6; the DfE's own statistics suppress small
//! cells the same way). On screen, inside the system, managers see the numbers.

/// The count as an exported table shows it.
pub fn suppressed(n: u64) -> String {
    if (1..5).contains(&n) {
        "<5".into()
    } else {
        n.to_string()
    }
}

/// A percentage of `n` out of `d`, suppressed when either count is small.
pub fn suppressed_percent(n: u64, d: u64) -> String {
    if d == 0 {
        return "-".into();
    }
    if (1..5).contains(&n) || (1..5).contains(&d) {
        return "<5".into();
    }
    format!("{:.1}", n as f64 * 100.0 / d as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_hidden_in_exports() {
        assert_eq!(suppressed(0), "0");
        assert_eq!(suppressed(1), "<5");
        assert_eq!(suppressed(4), "<5");
        assert_eq!(suppressed(5), "5");
        assert_eq!(suppressed_percent(3, 100), "<5");
        assert_eq!(suppressed_percent(50, 100), "50.0");
        assert_eq!(suppressed_percent(0, 0), "-");
    }
}
