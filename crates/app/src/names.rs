//! Invented names for demo and generated data. Real names must never appear in demo
//! data, so names are built from syllables rather than drawn from lists of names.

use rand::seq::SliceRandom;
use rand::Rng;

const GIVEN_START: &[&str] = &[
    "Al", "Bry", "Cael", "Dar", "Ely", "Fen", "Gwyl", "Hal", "Isa", "Jor", "Kae", "Lio", "Mae",
    "Nyl", "Ori", "Pel", "Quil", "Rhy", "Syl", "Tam", "Ulo", "Vey", "Wyl", "Yse", "Zan",
];
const GIVEN_END: &[&str] = &[
    "ara", "en", "ion", "ette", "wyn", "ith", "ora", "ius", "anne", "el", "ys", "iro",
];
const FAMILY_START: &[&str] = &[
    "Amber", "Brack", "Cinder", "Dapple", "Ember", "Fallow", "Gorse", "Heron", "Ivel", "Juni",
    "Kestle", "Lanter", "Merrow", "Nettle", "Orrin", "Pebble", "Quill", "Rushy", "Sorrel", "Tansy",
    "Umber", "Vetch", "Wrenna", "Yarrow",
];
const FAMILY_END: &[&str] = &[
    "combe", "dell", "fold", "gate", "holm", "mere", "shaw", "stow", "thorpe", "wick", "by", "ling",
];

pub fn given_name(rng: &mut impl Rng) -> String {
    format!(
        "{}{}",
        GIVEN_START.choose(rng).expect("non-empty"),
        GIVEN_END.choose(rng).expect("non-empty")
    )
}

pub fn family_name(rng: &mut impl Rng) -> String {
    format!(
        "{}{}",
        FAMILY_START.choose(rng).expect("non-empty"),
        FAMILY_END.choose(rng).expect("non-empty")
    )
}

/// A postcode in the reserved-looking shape of a real one, in an area the demo uses.
pub fn postcode(rng: &mut impl Rng) -> String {
    const LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    format!(
        "ZZ{} {}{}{}",
        rng.gen_range(1..=99),
        rng.gen_range(0..=9),
        LETTERS[rng.gen_range(0..LETTERS.len())] as char,
        LETTERS[rng.gen_range(0..LETTERS.len())] as char
    )
}

/// A valid NHS number in the range the NHS reserves for testing (999 000 0000 to
/// 999 999 9999), so a generated child can never match a real patient.
pub fn test_nhs_number(rng: &mut impl Rng) -> String {
    loop {
        let mut d = [9u32, 9, 9, 0, 0, 0, 0, 0, 0, 0];
        for x in d.iter_mut().take(9).skip(3) {
            *x = rng.gen_range(0..=9);
        }
        let sum: u32 = d[..9]
            .iter()
            .enumerate()
            .map(|(i, v)| v * (10 - i as u32))
            .sum();
        let check = (11 - sum % 11) % 11;
        if check != 10 {
            d[9] = check;
            return d
                .iter()
                .map(|v| char::from_digit(*v, 10).expect("digit"))
                .collect();
        }
    }
}

/// A valid unique pupil number issued by local authority `la` (its three-digit DfE
/// code): a school number, the year of issue and a serial, with the check letter.
pub fn upn(rng: &mut impl Rng, la: &str, issued: i32) -> String {
    let rest = format!(
        "{la}{:04}{:02}{:03}",
        rng.gen_range(2000..7000),
        issued.rem_euclid(100),
        rng.gen_range(0..1000)
    );
    let check = together_domain::upn::check_letter(&rest).expect("twelve digits");
    format!("{check}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use together_domain::validate::NhsNumber;

    #[test]
    fn generated_identifiers_are_valid() {
        let mut rng = rand::thread_rng();
        for _ in 0..200 {
            let n = test_nhs_number(&mut rng);
            assert!(n.starts_with("999"));
            NhsNumber::parse(&n).unwrap();
            assert!(together_domain::person::parse_postcode(&postcode(&mut rng))
                .unwrap()
                .is_some());
            assert!(given_name(&mut rng).len() >= 4);
        }
    }
}
