//! The Unique Pupil Number (UPN) the Department for Education gives every pupil in a
//! state-funded school in England.
//!
//! Thirteen characters: a check letter, then twelve characters made of the issuing
//! local authority's three-digit code, the school's four-digit establishment number,
//! the two-digit year of issue and a three-digit serial. A *temporary* UPN ends in a
//! letter instead of the serial's last digit.
//!
//! The check letter (DfE, "Unique pupil numbers (UPN): guidance for schools and local
//! authorities", check letter algorithm): multiply characters 2 to 13 by the weights 2
//! to 13, counting a letter in position 13 as its place in the list below (A = 0 …
//! Z = 22) and a digit as its value; take the sum modulo 23; the check letter is that
//! place in `ABCDEFGHJKLMNPQRTUVWXYZ` (no I, O or S, which look like 1, 0 and 5).
//!
//! Whether the local authority code is a real one is not checked (that needs the
//! DfE's list of codes, which changes with local government reorganisation).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The 23 letters a UPN may use, in check-letter order.
pub const LETTERS: &str = "ABCDEFGHJKLMNPQRTUVWXYZ";

fn letter_value(c: u8) -> Option<u32> {
    LETTERS.bytes().position(|l| l == c).map(|p| p as u32)
}

/// The check letter for the twelve characters after it (which must already be
/// digits, the last possibly a UPN letter). None if a character is not allowed.
pub fn check_letter(rest: &str) -> Option<char> {
    let b = rest.as_bytes();
    if b.len() != 12 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &c) in b.iter().enumerate() {
        let v = if c.is_ascii_digit() {
            (c - b'0') as u32
        } else if i == 11 {
            letter_value(c)?
        } else {
            return None;
        };
        sum += v * (i as u32 + 2);
    }
    Some(LETTERS.as_bytes()[(sum % 23) as usize] as char)
}

/// A Unique Pupil Number whose check letter is right. Spaces are allowed on input and
/// letters may be lower case; it is kept upper case without spaces.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Upn(String);

impl Upn {
    pub fn parse(s: &str) -> Result<Upn, String> {
        let compact: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        if compact.is_empty() {
            return Err("Enter the UPN".into());
        }
        if compact.chars().count() != 13 || !compact.is_ascii() {
            return Err(
                "UPN must be 13 characters: a letter followed by 12 digits, for example E936200125123"
                    .into(),
            );
        }
        let b = compact.as_bytes();
        if letter_value(b[0]).is_none() {
            return Err(if b[0].is_ascii_alphabetic() {
                format!(
                    "UPN cannot start with {}: the first character is a check letter and is never I, O or S",
                    b[0] as char
                )
            } else {
                "UPN must start with a letter (its check letter)".into()
            });
        }
        if !b[1..12].iter().all(u8::is_ascii_digit) {
            return Err("UPN must have digits in characters 2 to 12".into());
        }
        if !b[12].is_ascii_digit() && letter_value(b[12]).is_none() {
            return Err(
                "UPN must end in a digit, or for a temporary UPN a letter other than I, O or S"
                    .into(),
            );
        }
        let expected = check_letter(&compact[1..]).expect("characters checked above");
        if expected as u8 != b[0] {
            return Err("UPN is not valid: its check letter does not match the digits".into());
        }
        Ok(Upn(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The issuing local authority's DfE code (characters 2–4).
    pub fn la_code(&self) -> &str {
        &self.0[1..4]
    }
    /// The issuing school's DfE establishment number (characters 5–8).
    pub fn establishment(&self) -> &str {
        &self.0[4..8]
    }
    /// The two-digit year of issue (characters 9–10).
    pub fn year(&self) -> &str {
        &self.0[8..10]
    }
    /// A temporary UPN ends in a letter; a permanent one replaces it.
    pub fn is_temporary(&self) -> bool {
        self.0.as_bytes()[12].is_ascii_alphabetic()
    }
}

impl fmt::Display for Upn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Upn {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Upn::parse(&s)
    }
}

impl From<Upn> for String {
    fn from(u: Upn) -> String {
        u.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_examples() {
        // 801 2000 05 001: 8×2 + 1×4 + 2×5 + 5×10 + 1×13 = 93; 93 mod 23 = 1 → B.
        assert_eq!(check_letter("801200005001"), Some('B'));
        assert_eq!(
            Upn::parse("B801200005001").unwrap().as_str(),
            "B801200005001"
        );
        // 936 2001 25 123: 18+9+24+10+0+0+8+18+50+11+24+39 = 211; 211 mod 23 = 4 → E.
        assert_eq!(check_letter("936200125123"), Some('E'));
        let u = Upn::parse("e936 2001 2512 3").unwrap();
        assert_eq!(u.as_str(), "E936200125123");
        assert_eq!(u.la_code(), "936");
        assert_eq!(u.establishment(), "2001");
        assert_eq!(u.year(), "25");
        assert!(!u.is_temporary());
        // 207 0000 16 049: 4+28+9+60+48+117 = 266; 266 mod 23 = 13 → P (A=0 … H=7,
        // J=8 … N=12, P=13).
        assert_eq!(check_letter("207000016049"), Some('P'));
        assert!(Upn::parse("P207000016049").is_ok());
        assert!(Upn::parse("Q207000016049").is_err());
    }

    #[test]
    fn temporary_upn_ends_in_a_letter() {
        // 936 2001 25 12A: 211 − 3×13 + A(0)×13 = 172; 172 mod 23 = 11 → M.
        assert_eq!(check_letter("93620012512A"), Some('M'));
        let u = Upn::parse("M93620012512A").unwrap();
        assert!(u.is_temporary());
        // Z counts as 22: 172 + 22×13 = 458; 458 mod 23 = 21 → Y.
        assert_eq!(check_letter("93620012512Z"), Some('Y'));
        assert!(Upn::parse("Y93620012512Z").is_ok());
        // I, O and S are never used.
        assert!(Upn::parse("M93620012512I").is_err());
    }

    #[test]
    fn errors_say_why() {
        assert_eq!(Upn::parse(" ").unwrap_err(), "Enter the UPN");
        assert!(Upn::parse("E93620012512")
            .unwrap_err()
            .contains("13 characters"));
        assert!(Upn::parse("A801200005001")
            .unwrap_err()
            .contains("check letter does not match"));
        assert!(Upn::parse("I801200005001")
            .unwrap_err()
            .contains("never I, O or S"));
        assert!(Upn::parse("1801200005001")
            .unwrap_err()
            .contains("start with a letter"));
        assert!(Upn::parse("B8012000A5001")
            .unwrap_err()
            .contains("characters 2 to 12"));
    }

    #[test]
    fn every_single_digit_error_is_caught() {
        let good = "936200125123";
        for pos in 0..12 {
            for d in b'0'..=b'9' {
                let mut s = good.as_bytes().to_vec();
                if s[pos] == d {
                    continue;
                }
                s[pos] = d;
                let s = String::from_utf8(s).unwrap();
                assert!(Upn::parse(&format!("E{s}")).is_err(), "{s}");
            }
        }
    }
}
