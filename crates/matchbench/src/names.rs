//! Invented names for the generated population. The syllables extend those of
//! `together_app::names` (copied here so this benchmark does not build the store):
//! family names are always invented, so no real person is named. Given names are a
//! mix of invented ones and real given names from the matcher's table (a given name
//! on its own names nobody), so that short forms and spellings can be exercised.

use rand::distributions::WeightedIndex;
use rand::prelude::*;

const GIVEN_START: &[&str] = &[
    "Al", "Bry", "Cael", "Dar", "Ely", "Fen", "Gwyl", "Hal", "Isa", "Jor", "Kae", "Lio", "Mae",
    "Nyl", "Ori", "Pel", "Quil", "Rhy", "Syl", "Tam", "Ulo", "Vey", "Wyl", "Yse", "Zan", "Ash",
    "Bel", "Cor", "Dav", "Eri", "Fal", "Gal", "Hen", "Ith", "Kel", "Lor", "Mir", "Nor", "Os",
    "Ren",
];
const GIVEN_MID: &[&str] = &["", "", "", "la", "ri", "ne", "mo", "va"];
const GIVEN_END: &[&str] = &[
    "ara", "en", "ion", "ette", "wyn", "ith", "ora", "ius", "anne", "el", "ys", "iro", "a", "on",
    "is", "ie", "o", "an",
];
const FAMILY_START: &[&str] = &[
    "Amber", "Brack", "Cinder", "Dapple", "Ember", "Fallow", "Gorse", "Heron", "Ivel", "Juni",
    "Kestle", "Lanter", "Merrow", "Nettle", "Orrin", "Pebble", "Quill", "Rushy", "Sorrel", "Tansy",
    "Umber", "Vetch", "Wrenna", "Yarrow", "Alder", "Bramble", "Corr", "Dunn", "Elder", "Finch",
    "Gill", "Hollin", "Ketter", "Lark", "Marl", "Nor", "Otter", "Pike", "Rook", "Sedge", "Thorn",
    "Ull", "Wold", "Ash", "Birk", "Cress", "Dorr", "Fern", "Hazel", "Ing",
];
const FAMILY_MID: &[&str] = &[
    "", "", "", "", "er", "en", "ing", "el", "an", "ow", "ley", "s", "ick", "ham", "ton", "wood",
    "brook", "ridge", "ford", "hill",
];
const FAMILY_END: &[&str] = &[
    "combe", "dell", "fold", "gate", "holm", "mere", "shaw", "stow", "thorpe", "wick", "by",
    "ling", "worth", "well", "side", "croft", "hurst", "ley", "ton", "wood", "field", "stead",
    "hay", "more", "den", "ham", "cott", "ridge", "low", "beck",
];

/// Real given names (from the matcher's table) the generator uses, by sex.
const FEMALE: &[&str] = &[
    "Elizabeth",
    "Margaret",
    "Katherine",
    "Catherine",
    "Sarah",
    "Rebecca",
    "Victoria",
    "Jennifer",
    "Jessica",
    "Abigail",
    "Samantha",
    "Charlotte",
    "Eleanor",
    "Isabella",
    "Olivia",
    "Amelia",
    "Emily",
    "Sophia",
    "Florence",
    "Josephine",
    "Alexandra",
    "Christina",
    "Patricia",
    "Susan",
    "Deborah",
    "Natasha",
    "Hannah",
    "Fatima",
    "Aisha",
    "Maryam",
    "Zainab",
    "Yasmin",
    "Natalia",
    "Ekaterina",
    "Chloe",
    "Zoe",
    "Caitlin",
    "Niamh",
    "Matilda",
    "Harriet",
    "Penelope",
    "Evelyn",
    "Lillian",
    "Madeleine",
    "Gabriella",
    "Megan",
    "Hayley",
    "Freya",
    "Jacqueline",
    "Khadija",
];
const MALE: &[&str] = &[
    "William",
    "Robert",
    "Richard",
    "James",
    "John",
    "Jonathan",
    "Joseph",
    "Thomas",
    "Christopher",
    "Michael",
    "Daniel",
    "David",
    "Edward",
    "Alexander",
    "Anthony",
    "Andrew",
    "Benjamin",
    "Charles",
    "Nicholas",
    "Patrick",
    "Peter",
    "Philip",
    "Stephen",
    "Matthew",
    "Timothy",
    "Henry",
    "Frederick",
    "Samuel",
    "Oliver",
    "George",
    "Theodore",
    "Albert",
    "Alfred",
    "Archibald",
    "Arthur",
    "Jacob",
    "Joshua",
    "Nathaniel",
    "Zachary",
    "Maximilian",
    "Sebastian",
    "Dominic",
    "Mohammed",
    "Ahmed",
    "Yusuf",
    "Ibrahim",
    "Hussein",
    "Omar",
    "Mikhail",
    "Sergei",
    "Dmitri",
    "Aiden",
    "Connor",
    "Sean",
    "Lucas",
    "Isaac",
    "Louis",
    "Elliot",
    "Aleksandr",
    "Muhammad",
];

/// Zipf-like weights: the k-th most common of n has weight 1/k^s.
fn zipf(n: usize, s: f64) -> WeightedIndex<f64> {
    WeightedIndex::new((1..=n).map(|k| 1.0 / (k as f64).powf(s))).expect("weights")
}

pub struct Names {
    family: Vec<String>,
    family_w: WeightedIndex<f64>,
    invented: Vec<String>,
    invented_w: WeightedIndex<f64>,
    female_w: WeightedIndex<f64>,
    male_w: WeightedIndex<f64>,
}

fn title(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl Names {
    pub fn new(rng: &mut impl Rng) -> Names {
        let mut family = Vec::new();
        for s in FAMILY_START {
            for m in FAMILY_MID {
                for e in FAMILY_END {
                    family.push(format!("{s}{m}{e}"));
                }
            }
        }
        family.sort();
        family.dedup();
        family.shuffle(rng);
        // A few in the shapes of Gaelic and Irish names, so Mc/Mac and O' are exercised.
        for f in family.iter_mut().step_by(37) {
            let pre = ["Mac", "Mc", "O'"][rng.gen_range(0..3)];
            *f = format!("{pre}{f}");
        }
        let mut invented = Vec::new();
        for s in GIVEN_START {
            for m in GIVEN_MID {
                for e in GIVEN_END {
                    invented.push(format!("{s}{m}{e}"));
                }
            }
        }
        invented.sort();
        invented.dedup();
        invented.shuffle(rng);
        Names {
            family_w: zipf(family.len(), 0.7),
            family,
            invented_w: zipf(invented.len(), 0.8),
            invented,
            female_w: zipf(FEMALE.len(), 0.6),
            male_w: zipf(MALE.len(), 0.6),
        }
    }

    pub fn family(&self, rng: &mut impl Rng) -> String {
        self.family[self.family_w.sample(rng)].clone()
    }

    pub fn distinct_family_names(&self) -> usize {
        self.family.len()
    }

    /// A given name: 45% a real one for the sex (some registered in a short form,
    /// as "Alfie" or "Ellie" are), otherwise invented, a few with an accent.
    pub fn given(&self, rng: &mut impl Rng, female: bool) -> String {
        if rng.gen_bool(0.45) {
            let n = if female {
                FEMALE[self.female_w.sample(rng)]
            } else {
                MALE[self.male_w.sample(rng)]
            };
            if rng.gen_bool(0.08) {
                let shorts = together_domain::matching::short_forms(n);
                if let Some(s) = shorts.choose(rng) {
                    return title(s);
                }
            }
            if n == "Zoe" && rng.gen_bool(0.5) {
                return "Zoë".into();
            }
            n.to_string()
        } else {
            let n = &self.invented[self.invented_w.sample(rng)];
            if rng.gen_bool(0.04) {
                accent(rng, n)
            } else {
                n.clone()
            }
        }
    }
}

/// Put an accent on one vowel (or take all accents off, if it has any).
pub fn accent(rng: &mut impl Rng, s: &str) -> String {
    const PLAIN: &str = "aeiouAEIOU";
    const MARKED: &[&str] = &["áàâä", "éèêë", "íìîï", "óòôö", "úùûü"];
    if !s.is_ascii() {
        return together_domain::matching::fold(s)
            .split(' ')
            .map(title)
            .collect::<Vec<_>>()
            .join(" ");
    }
    let vowels: Vec<usize> = s
        .char_indices()
        .filter(|(_, c)| PLAIN.contains(*c))
        .map(|(i, _)| i)
        .collect();
    let Some(&at) = vowels.choose(rng) else {
        return s.to_string();
    };
    let c = s[at..].chars().next().expect("vowel");
    let k = "aeiou"
        .find(c.to_ascii_lowercase())
        .expect("vowel is one of aeiou");
    let options: Vec<char> = MARKED[k].chars().collect();
    let mut m = options[rng.gen_range(0..options.len())];
    if c.is_ascii_uppercase() {
        m = m.to_uppercase().next().unwrap_or(m);
    }
    format!("{}{}{}", &s[..at], m, &s[at + 1..])
}

/// A postcode in the shape of a real one, in the ZZ area no real postcode uses.
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

/// Every valid NHS number in the range the NHS reserves for testing (999 000 0000 to
/// 999 999 9999), shuffled: about 909,000 of them.
pub fn test_nhs_numbers(rng: &mut impl Rng) -> Vec<u64> {
    let mut v = Vec::with_capacity(910_000);
    for base in 0..1_000_000u64 {
        let mut d = [9u64, 9, 9, 0, 0, 0, 0, 0, 0];
        let mut x = base;
        for i in (3..9).rev() {
            d[i] = x % 10;
            x /= 10;
        }
        let sum: u64 = d.iter().enumerate().map(|(i, v)| v * (10 - i as u64)).sum();
        let check = (11 - sum % 11) % 11;
        if check != 10 {
            v.push(9_990_000_000 + base * 10 + check);
        }
    }
    v.shuffle(rng);
    v
}
