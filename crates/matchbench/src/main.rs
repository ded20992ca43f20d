//! Person matching ("is this child known?") measured on generated people with known
//! truth, and the matcher's search latency.
//!
//! ```text
//! cargo run --release -p together-matchbench -- --people 100000 --probes 5000 --seed 1
//! cargo run --release -p together-matchbench -- --people 1000000 --probes 5000 --seed 1
//! ```
//!
//! 1. Generates households (a family name shared by most members, a postcode, one or
//!    two adults, one to four children, 3% of births twins: same date of birth, same
//!    surname, same address; some double-barrelled surnames), with test-range NHS
//!    numbers for most people and UPNs for most school-age children.
//! 2. Holds some people back (the "absent": not known), indexes the rest with
//!    `together_domain::matching::Index`.
//! 3. Makes probes (what a referral says) from known and absent people with the
//!    errors referrals have: typos, nicknames, transliterations, swapped day and
//!    month, near dates, a part of a double surname, a moved postcode, names the
//!    other way round, missing NHS numbers and other missing fields.
//! 4. Reports recall of the truth at rank 1, in the top 5 and in the list (10);
//!    precision of the top candidate at the link threshold; false links for absent
//!    people; per-error breakdowns; search latency, index build time and memory.
//!
//! Results print as Markdown for BENCHMARKS.md. This is not a test.
//!
//! With `--sqlite PATH`, `--people` counts children (the application indexes
//! children only), and after the in-memory results the same probes go through the
//! application's own path on a SQLite store: see the `sqlite` module.
//!
//! ```text
//! cargo run --release -p together-matchbench -- --people 1000000 --probes 5000 --seed 1 --sqlite /tmp/mb.db
//! ```

mod names;
mod sqlite;

use chrono::{Datelike, Duration, NaiveDate};
use rand::prelude::*;
use rand::rngs::StdRng;
use std::collections::HashSet;
use std::time::Instant;
use together_domain::ids::PersonId;
use together_domain::matching::{
    fold, short_forms, spelling_variants, Index, Known, Probe, LINK_THRESHOLD,
};
use together_domain::person::Sex;
use uuid::Uuid;

/// Counts live heap bytes, so the index's memory is measured, not estimated.
struct Counting;

static LIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: std::alloc::Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { std::alloc::System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: std::alloc::Layout) {
        LIVE.fetch_sub(l.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { std::alloc::System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: std::alloc::Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new, std::sync::atomic::Ordering::Relaxed);
        LIVE.fetch_sub(l.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { std::alloc::System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live_bytes() -> usize {
    LIVE.load(std::sync::atomic::Ordering::Relaxed)
}

const USAGE: &str =
    "usage: together-matchbench [--people N] [--probes N] [--seed N] [--absent F] [--limit N]
                           [--sqlite PATH [--batch N] [--referrals N]]

  --people N   people known (indexed) (default 100000)
  --probes N   searches to make (default 5000)
  --seed N     random seed (default 1)
  --absent F   share of probes about people who are not known (default 0.1)
  --limit N    candidates asked for per search (default 10)
  --sqlite PATH  also load a new SQLite store at PATH (which must not exist) and measure
               the application's path end to end; --people then counts children
  --batch N    children per append when loading the store (default 1000)
  --referrals N  referrals written to the store, each linking one random household's
               known children (default: one for every 20 children known)";

struct Opts {
    people: usize,
    probes: usize,
    seed: u64,
    absent: f64,
    limit: usize,
    sqlite: Option<String>,
    batch: usize,
    referrals: Option<usize>,
}

fn parse_opts() -> Result<Opts, String> {
    let mut o = Opts {
        people: 100_000,
        probes: 5_000,
        seed: 1,
        absent: 0.1,
        limit: 10,
        sqlite: None,
        batch: 1000,
        referrals: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--people" => o.people = num(&val()?)?,
            "--probes" => o.probes = num(&val()?)?,
            "--seed" => o.seed = num(&val()?)? as u64,
            "--limit" => o.limit = num(&val()?)?.max(5),
            "--sqlite" => o.sqlite = Some(val()?),
            "--batch" => o.batch = num(&val()?)?.max(1),
            "--referrals" => o.referrals = Some(num(&val()?)?),
            "--absent" => {
                o.absent = val()?
                    .parse()
                    .map_err(|_| "--absent must be a number from 0 to 1".to_string())?
            }
            "-h" | "--help" => return Err(USAGE.into()),
            _ => return Err(format!("unknown argument {a}\n\n{USAGE}")),
        }
    }
    Ok(o)
}

fn num(s: &str) -> Result<usize, String> {
    s.replace('_', "")
        .parse()
        .map_err(|_| format!("{s} is not a number"))
}

/// The date the generated people are "now" at (fixed: no clock in the results).
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")
}

#[derive(Clone)]
struct Person {
    given: String,
    middle: Option<String>,
    family: String,
    dob: NaiveDate,
    sex: Sex,
    nhs: Option<String>,
    upn: Option<String>,
    postcode: String,
    household: usize,
    /// One of the household's children (not an adult).
    child: bool,
}

impl Person {
    fn full_name(&self) -> String {
        format!("{} {}", self.given, self.family)
    }
}

struct Population {
    people: Vec<Person>,
    households: Vec<Vec<usize>>,
    twins: usize,
    double_barrelled: usize,
}

fn random_dob(rng: &mut impl Rng, min_age: i64, max_age: i64) -> NaiveDate {
    today() - Duration::days(rng.gen_range(min_age * 365..max_age * 365 + 365))
}

/// What `--people` counts: everyone (the in-memory default, where adults are
/// indexed too) or children only (the SQLite mode, indexed as the application does).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Counted {
    Everyone,
    Children,
}

/// Local authority codes for generated UPNs (shape only: the matcher does not check them).
const LA_CODES: &[u32] = &[881, 882, 883, 926, 928, 940, 941];

fn generate(rng: &mut StdRng, names: &names::Names, n: usize, counted: Counted) -> Population {
    let mut nhs_pool = names::test_nhs_numbers(rng).into_iter();
    let mut upns = HashSet::new();
    let mut people: Vec<Person> = Vec::with_capacity(n + 16);
    let mut households = Vec::new();
    let (mut twins, mut double_barrelled) = (0, 0);
    let mut all_children = 0;
    while match counted {
        Counted::Everyone => people.len(),
        Counted::Children => all_children,
    } < n
    {
        let h = households.len();
        let family = names.family(rng);
        let other_family = names.family(rng);
        let postcode = names::postcode(rng);
        let mut members = Vec::new();
        let mut add = |people: &mut Vec<Person>, p: Person| {
            members.push(people.len());
            people.push(p);
        };
        // Parents do not give two of their children the same first name.
        let used = std::cell::RefCell::new(HashSet::<String>::new());
        let person = |rng: &mut StdRng, female: bool, family: &str, dob: NaiveDate| {
            let mut given = names.given(rng, female);
            for _ in 0..20 {
                if used.borrow_mut().insert(fold(&given)) {
                    break;
                }
                given = names.given(rng, female);
            }
            let middle = rng.gen_bool(0.25).then(|| names.given(rng, female));
            Person {
                given,
                middle,
                family: family.to_string(),
                dob,
                sex: if rng.gen_bool(0.01) {
                    Sex::Unknown
                } else if female {
                    Sex::Female
                } else {
                    Sex::Male
                },
                nhs: None,
                upn: None,
                postcode: postcode.clone(),
                household: h,
                child: false,
            }
        };
        // Children first, then their parents' ages follow from the eldest.
        let n_children = [1, 1, 1, 2, 2, 2, 3, 3, 4][rng.gen_range(0..9)];
        let two_adults = rng.gen_bool(0.7);
        let second_shares_name = rng.gen_bool(0.65);
        let mut children = Vec::new();
        let mut k = 0;
        while k < n_children {
            let dob = random_dob(rng, 0, 17);
            let female = rng.gen_bool(0.5);
            let fam = if two_adults && !second_shares_name {
                match rng.gen_range(0..100) {
                    0..=59 => family.clone(),
                    60..=74 => other_family.clone(),
                    75..=92 => {
                        double_barrelled += 1;
                        format!("{family}-{other_family}")
                    }
                    _ => {
                        double_barrelled += 1;
                        format!("{family} {other_family}")
                    }
                }
            } else {
                family.clone()
            };
            children.push(person(rng, female, &fam, dob));
            k += 1;
            if rng.gen_bool(0.03) {
                // Twins: same date of birth, surname and address.
                twins += 1;
                let female = rng.gen_bool(0.5);
                children.push(person(rng, female, &fam, dob));
                k += 1;
            }
        }
        let eldest = children.iter().map(|c| c.dob).min().expect("a child");
        let mother_dob = eldest - Duration::days(rng.gen_range(18 * 365..42 * 365));
        add(&mut people, person(rng, true, &family, mother_dob));
        if two_adults {
            let fam = if second_shares_name {
                family.clone()
            } else {
                other_family.clone()
            };
            let dob = mother_dob + Duration::days(rng.gen_range(-8 * 365..5 * 365));
            add(&mut people, person(rng, false, &fam, dob));
        }
        all_children += children.len();
        for c in children {
            add(&mut people, Person { child: true, ..c });
        }
        households.push(members);
    }
    // The test range has 909,091 valid numbers: with children counted, a million
    // of them come with 1.8 million people, so only children are given one.
    for p in people.iter_mut() {
        if rng.gen_bool(0.85) && (p.child || counted == Counted::Everyone) {
            p.nhs = nhs_pool.next().map(|v| v.to_string());
        }
        let age = (today() - p.dob).num_days() / 365;
        if (4..18).contains(&age) && rng.gen_bool(0.9) {
            loop {
                let la = LA_CODES[rng.gen_range(0..LA_CODES.len())];
                let year = (p.dob.year() + 5) % 100;
                let rest = format!(
                    "{la}{:04}{year:02}{:03}",
                    rng.gen_range(1000..8000),
                    rng.gen_range(0..1000)
                );
                let check =
                    together_domain::upn::check_letter(&rest).expect("digits make a check letter");
                let upn = format!("{check}{rest}");
                if upns.insert(upn.clone()) {
                    p.upn = Some(upn);
                    break;
                }
            }
        }
    }
    Population {
        people,
        households,
        twins,
        double_barrelled,
    }
}

/// The id person `i` is known by (in the index and in the store).
fn person_id(i: usize) -> PersonId {
    PersonId(Uuid::from_u128(i as u128 + 1))
}

/// The given name as recorded: with the middle name, if any.
fn recorded_given(p: &Person) -> String {
    match &p.middle {
        Some(m) => format!("{} {m}", p.given),
        None => p.given.clone(),
    }
}

/// The people recorded as living with person `i`: relationships are recorded only
/// between people who are known.
fn household_of(pop: &Population, i: usize, absent: &HashSet<usize>) -> Vec<usize> {
    pop.households[pop.people[i].household]
        .iter()
        .copied()
        .filter(|m| *m != i && !absent.contains(m))
        .take(6)
        .collect()
}

fn known(pop: &Population, i: usize, absent: &HashSet<usize>) -> Known {
    let p = &pop.people[i];
    Known {
        id: person_id(i),
        given_name: recorded_given(p),
        family_name: p.family.clone(),
        date_of_birth: Some(p.dob),
        sex: Some(p.sex),
        nhs_number: p.nhs.clone(),
        upn: p.upn.clone(),
        postcode: Some(p.postcode.clone()),
        household: household_of(pop, i, absent)
            .into_iter()
            .map(|m| pop.people[m].full_name())
            .collect(),
    }
}

// ---------------------------------------------------------------------------
// Errors a referral makes
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Error {
    GivenTypo,
    FamilyTypo,
    Nickname,
    Transliteration,
    DobDayMonthSwapped,
    DobTypo,
    DobNear,
    DobMissing,
    FamilyPartial,
    PostcodeMoved,
    NamesReversed,
    Formatting,
    MiddleNameAsFirst,
    FamilyChanged,
    SexWrong,
    NhsMistyped,
}

impl Error {
    const ALL: [(Error, u32); 16] = [
        (Error::GivenTypo, 14),
        (Error::FamilyTypo, 14),
        (Error::Nickname, 12),
        (Error::Transliteration, 4),
        (Error::DobDayMonthSwapped, 8),
        (Error::DobTypo, 8),
        (Error::DobNear, 5),
        (Error::DobMissing, 4),
        (Error::FamilyPartial, 5),
        (Error::PostcodeMoved, 8),
        (Error::NamesReversed, 2),
        (Error::Formatting, 6),
        (Error::MiddleNameAsFirst, 3),
        (Error::FamilyChanged, 3),
        (Error::SexWrong, 1),
        (Error::NhsMistyped, 2),
    ];
    fn label(self) -> &'static str {
        match self {
            Error::GivenTypo => "typo in first name",
            Error::FamilyTypo => "typo in last name",
            Error::Nickname => "short form / full form of first name",
            Error::Transliteration => "other spelling of first name",
            Error::DobDayMonthSwapped => "date of birth: day and month swapped",
            Error::DobTypo => "date of birth: one digit wrong or two swapped",
            Error::DobNear => "date of birth: 1–10 days out",
            Error::DobMissing => "date of birth missing",
            Error::FamilyPartial => "one part of a double surname",
            Error::PostcodeMoved => "postcode moved",
            Error::NamesReversed => "first and last names reversed",
            Error::Formatting => "case, accents, hyphens, Mc/Mac",
            Error::MiddleNameAsFirst => "middle name used as first name",
            Error::FamilyChanged => "last name changed (another family name)",
            Error::SexWrong => "sex recorded differently",
            Error::NhsMistyped => "NHS number mistyped",
        }
    }
}

const KEYBOARD: &[&str] = &["qwertyuiop", "asdfghjkl", "zxcvbnm"];

fn neighbour(rng: &mut impl Rng, c: char) -> char {
    let lc = c.to_ascii_lowercase();
    for (r, row) in KEYBOARD.iter().enumerate() {
        if let Some(i) = row.find(lc) {
            let mut opts: Vec<char> = Vec::new();
            let b = row.as_bytes();
            if i > 0 {
                opts.push(b[i - 1] as char);
            }
            if i + 1 < b.len() {
                opts.push(b[i + 1] as char);
            }
            for rr in [r.wrapping_sub(1), r + 1] {
                if let Some(other) = KEYBOARD.get(rr) {
                    if let Some(&x) = other.as_bytes().get(i) {
                        opts.push(x as char);
                    }
                }
            }
            let n = *opts.choose(rng).unwrap_or(&'e');
            return if c.is_ascii_uppercase() {
                n.to_ascii_uppercase()
            } else {
                n
            };
        }
    }
    (b'a' + rng.gen_range(0..26)) as char
}

/// One typing error: a neighbouring key, a letter dropped, doubled or added, or two
/// letters swapped. Rarely in the first letter.
fn typo(rng: &mut impl Rng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.len() < 3 {
        return s.to_string();
    }
    let i = if rng.gen_bool(0.1) {
        0
    } else {
        rng.gen_range(1..c.len())
    };
    match rng.gen_range(0..100) {
        0..=39 => c[i] = neighbour(rng, c[i]),
        40..=64 => {
            c.remove(i);
        }
        65..=79 => {
            let x = if rng.gen_bool(0.5) {
                c[i]
            } else {
                neighbour(rng, c[i])
            };
            c.insert(i, x.to_ascii_lowercase());
        }
        _ => {
            let j = if i + 1 < c.len() { i + 1 } else { i - 1 };
            c.swap(i, j);
        }
    }
    if i == 0 {
        c[0] = c[0].to_ascii_uppercase();
    }
    c.into_iter().collect()
}

fn title(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A date with one digit of YYYYMMDD changed, or two adjacent digits swapped, that is
/// still a real date in the past.
fn dob_typo(rng: &mut impl Rng, d: NaiveDate) -> Option<NaiveDate> {
    let s = d.format("%Y%m%d").to_string().into_bytes();
    for _ in 0..50 {
        let mut t = s.clone();
        let i = rng.gen_range(2..8);
        if rng.gen_bool(0.7) {
            t[i] = b'0' + rng.gen_range(0..10);
        } else if i < 7 {
            t.swap(i, i + 1);
        }
        if t == s {
            continue;
        }
        let t = String::from_utf8(t).ok()?;
        if let Ok(n) = NaiveDate::parse_from_str(&t, "%Y%m%d") {
            if n <= today() && n.year() > 1900 {
                return Some(n);
            }
        }
    }
    None
}

struct ProbeCase {
    probe: Probe,
    truth: Option<PersonId>,
    errors: Vec<Error>,
}

fn make_probe(
    rng: &mut StdRng,
    names: &names::Names,
    pop: &Population,
    i: usize,
    truth: Option<PersonId>,
) -> ProbeCase {
    let p = &pop.people[i];
    let mut given = p.given.clone();
    if let Some(m) = &p.middle {
        if rng.gen_bool(0.3) {
            given = format!("{given} {m}");
        }
    }
    let mut family = p.family.clone();
    let mut dob = (!rng.gen_bool(0.03)).then_some(p.dob);
    let mut sex = rng.gen_bool(0.9).then_some(p.sex);
    let mut postcode = rng.gen_bool(0.75).then(|| p.postcode.clone());
    let mut nhs = p.nhs.clone().filter(|_| rng.gen_bool(0.35));
    let upn = p.upn.clone().filter(|_| rng.gen_bool(0.15));
    let household: Vec<String> = if rng.gen_bool(0.3) {
        let mut others: Vec<&usize> = pop.households[p.household]
            .iter()
            .filter(|m| **m != i)
            .collect();
        others.shuffle(rng);
        others
            .into_iter()
            .take(rng.gen_range(1..=3))
            .map(|m| pop.people[*m].full_name())
            .collect()
    } else {
        Vec::new()
    };
    let n_errors = match rng.gen_range(0..100) {
        0..=24 => 0,
        25..=64 => 1,
        65..=89 => 2,
        _ => 3,
    };
    let weights =
        rand::distributions::WeightedIndex::new(Error::ALL.iter().map(|e| e.1)).expect("weights");
    let mut errors = Vec::new();
    let mut tries = 0;
    while errors.len() < n_errors && tries < 100 {
        tries += 1;
        let e = Error::ALL[weights.sample(rng)].0;
        if errors.contains(&e) {
            continue;
        }
        let first = given.split(' ').next().unwrap_or("").to_string();
        let applied = match e {
            Error::GivenTypo => {
                given = typo(rng, &given);
                true
            }
            Error::FamilyTypo => {
                family = typo(rng, &family);
                true
            }
            Error::Nickname => {
                let shorts = short_forms(&first);
                let fulls = together_domain::matching::full_forms(&first);
                let pick = if !shorts.is_empty() && (fulls.is_empty() || rng.gen_bool(0.8)) {
                    shorts.choose(rng)
                } else {
                    fulls.choose(rng)
                };
                match pick {
                    Some(n) => {
                        given = title(n);
                        true
                    }
                    None => false,
                }
            }
            Error::Transliteration => match spelling_variants(&first).choose(rng) {
                Some(n) => {
                    given = title(n);
                    true
                }
                None => false,
            },
            Error::DobDayMonthSwapped => match dob {
                Some(d) if d.day() <= 12 && d.day() != d.month() => {
                    dob = NaiveDate::from_ymd_opt(d.year(), d.day(), d.month());
                    true
                }
                _ => false,
            },
            Error::DobTypo => match dob.and_then(|d| dob_typo(rng, d)) {
                Some(n) => {
                    dob = Some(n);
                    true
                }
                None => false,
            },
            Error::DobNear => match dob {
                Some(d) => {
                    let days = rng.gen_range(1..=10) * if rng.gen_bool(0.5) { 1 } else { -1 };
                    dob = Some(d + Duration::days(days));
                    true
                }
                None => false,
            },
            Error::DobMissing => dob.take().is_some(),
            Error::FamilyPartial => {
                let parts: Vec<&str> = family.split([' ', '-']).collect();
                if parts.len() > 1 {
                    family = parts.choose(rng).expect("parts").to_string();
                    true
                } else {
                    false
                }
            }
            Error::PostcodeMoved => {
                postcode = Some(names::postcode(rng));
                true
            }
            Error::NamesReversed => {
                std::mem::swap(&mut given, &mut family);
                true
            }
            Error::Formatting => {
                match rng.gen_range(0..5) {
                    0 => {
                        given = given.to_uppercase();
                        family = family.to_uppercase();
                    }
                    1 => given = names::accent(rng, &given),
                    2 => family = names::accent(rng, &family),
                    3 => {
                        family = if family.contains('-') {
                            family.replace('-', " ")
                        } else if family.contains(' ') {
                            family.replace(' ', "-")
                        } else if let Some(r) = family.strip_prefix("Mac") {
                            format!("Mc{r}")
                        } else if let Some(r) = family.strip_prefix("Mc") {
                            format!("Mac{r}")
                        } else if let Some(r) = family.strip_prefix("O'") {
                            format!("O {r}")
                        } else {
                            family.to_lowercase()
                        }
                    }
                    _ => {
                        given = format!(" {} ", given.to_lowercase());
                        family = format!("{}  ", family.to_lowercase());
                    }
                }
                true
            }
            Error::MiddleNameAsFirst => match &p.middle {
                Some(m) => {
                    given = m.clone();
                    true
                }
                None => false,
            },
            Error::FamilyChanged => {
                family = names.family(rng);
                true
            }
            Error::SexWrong => match sex {
                Some(Sex::Female) => {
                    sex = Some(Sex::Male);
                    true
                }
                Some(Sex::Male) => {
                    sex = Some(Sex::Female);
                    true
                }
                _ => false,
            },
            Error::NhsMistyped => match &nhs {
                Some(n) => {
                    let mut b = n.clone().into_bytes();
                    let at = rng.gen_range(3..10);
                    b[at] = b'0' + ((b[at] - b'0' + rng.gen_range(1..10)) % 10);
                    nhs = String::from_utf8(b).ok();
                    true
                }
                None => false,
            },
        };
        if applied {
            errors.push(e);
        }
    }
    ProbeCase {
        probe: Probe {
            given_name: given,
            family_name: family,
            date_of_birth: dob,
            sex,
            nhs_number: nhs,
            upn,
            postcode,
            household,
        },
        truth,
        errors,
    }
}

// ---------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------

#[derive(Default, Clone)]
struct Tally {
    n: usize,
    at1: usize,
    at5: usize,
    in_list: usize,
    linked_right: usize,
    linked_wrong: usize,
}

impl Tally {
    fn pct(a: usize, n: usize) -> String {
        if n == 0 {
            "—".into()
        } else {
            format!("{:.2}%", 100.0 * a as f64 / n as f64)
        }
    }
}

fn mib(b: usize) -> String {
    format!("{:.0} MiB", b as f64 / (1024.0 * 1024.0))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let o = match parse_opts().and_then(|o| match &o.sqlite {
        Some(path) => sqlite::check_new(path).map(|_| o),
        None => Ok(o),
    }) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let mut rng = StdRng::seed_from_u64(o.seed);
    let names = names::Names::new(&mut rng);
    let n_absent = ((o.probes as f64) * o.absent).round() as usize;
    let n_present = o.probes - n_absent;

    let counted = if o.sqlite.is_some() {
        Counted::Children
    } else {
        Counted::Everyone
    };
    let t = Instant::now();
    let pop = generate(&mut rng, &names, o.people + n_absent, counted);
    // Who may be indexed: everyone, or with --sqlite children only (as the application).
    let eligible: Vec<usize> = (0..pop.people.len())
        .filter(|i| counted == Counted::Everyone || pop.people[*i].child)
        .collect();
    // Hold back random people: they are the ones not known.
    let mut order = eligible.clone();
    order.shuffle(&mut rng);
    let extra = eligible.len() - o.people;
    let absent: HashSet<usize> = order[..extra].iter().copied().collect();
    let absent_probe_people: Vec<usize> = order[..extra].iter().copied().take(n_absent).collect();
    let gen_secs = t.elapsed().as_secs_f64();
    eprintln!(
        "generated {} people ({} known) in {} households in {gen_secs:.1} s",
        pop.people.len(),
        o.people,
        pop.households.len()
    );

    // Built from an iterator, so the heap grows by the index alone.
    let live_before = live_bytes();
    let t = Instant::now();
    let index = Index::build(
        eligible
            .iter()
            .filter(|i| !absent.contains(i))
            .map(|i| known(&pop, *i, &absent)),
    );
    let build_secs = t.elapsed().as_secs_f64();
    let index_bytes = live_bytes() - live_before;
    let (blocks, postings) = index.stats();
    eprintln!("index built in {build_secs:.1} s");

    // Probes.
    let mut cases = Vec::with_capacity(o.probes);
    let present_people: Vec<usize> = order[extra..].to_vec();
    for _ in 0..n_present {
        let i = *present_people.choose(&mut rng).expect("people");
        let id = person_id(i);
        cases.push(make_probe(&mut rng, &names, &pop, i, Some(id)));
    }
    for &i in &absent_probe_people {
        cases.push(make_probe(&mut rng, &names, &pop, i, None));
    }

    // Search (timed), then score.
    let mut lat = Vec::with_capacity(cases.len());
    let mut overall = Tally::default();
    let mut by_errors: std::collections::BTreeMap<usize, Tally> = Default::default();
    let mut by_kind: std::collections::BTreeMap<Error, Tally> = Default::default();
    let (mut absent_linked, mut absent_listed, mut absent_top_sum) = (0usize, 0usize, 0f64);
    let (mut cands_total, mut likely_total, mut likely_right) = (0usize, 0usize, 0usize);
    let verbose = std::env::var_os("MATCHBENCH_MISSES").is_some();
    let (mut not_blocked, mut ranked_low) = (0usize, 0usize);
    let mut tops: Vec<(f32, bool, bool)> = Vec::with_capacity(cases.len());
    let mut top_fives: Vec<Vec<(PersonId, f32)>> = Vec::with_capacity(cases.len());
    for c in &cases {
        let t = Instant::now();
        let found = index.search(&c.probe, o.limit);
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        top_fives.push(found.iter().take(5).map(|f| (f.person, f.score)).collect());
        cands_total += found.len();
        for f in &found {
            if f.is_likely() {
                likely_total += 1;
                if Some(f.person) == c.truth {
                    likely_right += 1;
                }
            }
        }
        tops.push((
            found.first().map(|f| f.score).unwrap_or(0.0),
            c.truth.is_some() && found.first().map(|f| f.person) == c.truth,
            c.truth.is_some(),
        ));
        match c.truth {
            Some(truth) => {
                let rank = found.iter().position(|f| f.person == truth);
                let top_likely = found.first().is_some_and(|f| f.is_likely());
                let tally = |t: &mut Tally| {
                    t.n += 1;
                    t.at1 += (rank == Some(0)) as usize;
                    t.at5 += rank.is_some_and(|r| r < 5) as usize;
                    t.in_list += rank.is_some() as usize;
                    if top_likely {
                        if rank == Some(0) {
                            t.linked_right += 1;
                        } else {
                            t.linked_wrong += 1;
                        }
                    }
                };
                if top_likely && rank != Some(0) && verbose {
                    eprintln!(
                        "wrong link: {:?} {:?}\n   top:   {:?}\n   truth: {:?}",
                        c.errors,
                        c.probe,
                        found[0],
                        rank.map(|r| &found[r])
                    );
                }
                tally(&mut overall);
                tally(by_errors.entry(c.errors.len()).or_default());
                for e in &c.errors {
                    tally(by_kind.entry(*e).or_default());
                }
                if rank.is_none_or(|r| r >= 5) {
                    // Not found by blocking at all, or found and ranked below five?
                    let all = index.search(&c.probe, usize::MAX);
                    match all.iter().position(|f| f.person == truth) {
                        Some(r) => {
                            ranked_low += 1;
                            if verbose {
                                eprintln!(
                                    "ranked {r}: {:?} {:?}\n   truth: {:?}\n   top:   {:?}",
                                    c.errors, c.probe, all[r], all[0]
                                );
                            }
                        }
                        None => {
                            not_blocked += 1;
                            if verbose {
                                eprintln!("not found: {:?} {:?}", c.errors, c.probe);
                            }
                        }
                    }
                }
            }
            None => {
                if found.first().is_some_and(|f| f.is_likely()) {
                    absent_linked += 1;
                    if verbose {
                        eprintln!(
                            "false link: {:?} {:?}\n   top: {:?}",
                            c.errors, c.probe, found[0]
                        );
                    }
                }
                absent_listed += (!found.is_empty()) as usize;
                absent_top_sum += found.first().map(|f| f.score as f64).unwrap_or(0.0);
            }
        }
    }
    lat.sort_by(|a, b| a.total_cmp(b));

    let heap_estimate = index.heap_bytes();
    // Inserting: the absent people, one at a time, into the built index.
    let mut index = index;
    let t = Instant::now();
    let n_insert = absent.len();
    for &i in &order[..extra] {
        index.insert(known(&pop, i, &HashSet::new()));
    }
    let insert_us = t.elapsed().as_secs_f64() * 1e6 / n_insert.max(1) as f64;

    let above = overall.linked_right + overall.linked_wrong + absent_linked;
    let precision = Tally::pct(overall.linked_right, above);
    println!(
        "## Person matching: {} {} known, seed {}\n",
        o.people,
        match counted {
            Counted::Everyone => "people",
            Counted::Children => "children (only children indexed)",
        },
        o.seed
    );
    println!(
        "Generated: {} people in {} households ({} twin pairs, {} double-barrelled surnames, {} distinct invented family names); {} probes ({} of known people, {} of people not known), limit {}.\n",
        pop.people.len(),
        pop.households.len(),
        pop.twins,
        pop.double_barrelled,
        names.distinct_family_names(),
        cases.len(),
        n_present,
        n_absent,
        o.limit
    );
    println!("| Measure | Result |\n|---|---|");
    println!(
        "| Recall@1 (truth ranked first) | **{}** |",
        Tally::pct(overall.at1, overall.n)
    );
    println!(
        "| Recall@5 (truth in the top five) | **{}** |",
        Tally::pct(overall.at5, overall.n)
    );
    println!(
        "| Known people not in the top five: not found by blocking / found but ranked lower | {not_blocked} / {ranked_low} |"
    );
    println!(
        "| Recall of the list (truth anywhere in the {} returned) | {} |",
        o.limit,
        Tally::pct(overall.in_list, overall.n)
    );
    println!(
        "| Precision of the top candidate at the link threshold ({LINK_THRESHOLD}) | **{precision}** ({} right of {above} above it, absent people included) |",
        overall.linked_right
    );
    println!(
        "| Probes of known people whose top candidate is above the threshold | {} (right: {}, wrong person: {}) |",
        Tally::pct(overall.linked_right + overall.linked_wrong, overall.n),
        overall.linked_right,
        overall.linked_wrong
    );
    println!(
        "| Precision of every listed candidate above the threshold | {} ({likely_right} of {likely_total}) |",
        Tally::pct(likely_right, likely_total)
    );
    println!(
        "| Absent people: top candidate above the threshold (false link) | {} ({absent_linked} of {n_absent}); any candidate listed: {}; mean top score {:.2} |",
        Tally::pct(absent_linked, n_absent),
        Tally::pct(absent_listed, n_absent),
        if n_absent > 0 { absent_top_sum / n_absent as f64 } else { 0.0 }
    );
    println!(
        "| Candidates returned per search (mean) | {:.1} |",
        cands_total as f64 / cases.len().max(1) as f64
    );
    println!(
        "| Search latency (in memory, one thread) | p50 {:.3} ms, p95 {:.3} ms, p99 {:.3} ms, max {:.3} ms |",
        percentile(&lat, 0.5),
        percentile(&lat, 0.95),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(0.0)
    );
    println!("| Index build | {build_secs:.1} s ({blocks} blocks, {postings} postings) |");
    println!(
        "| Index memory (heap, counted) | {} ({:.0} bytes a person; `Index::heap_bytes` estimates {}) |",
        mib(index_bytes),
        index_bytes as f64 / o.people as f64,
        mib(heap_estimate)
    );
    println!("| Insert one person into the built index | {insert_us:.1} µs (mean of {n_insert}) |");
    println!();
    println!("| Threshold on the top candidate | Precision | Known people above it (right) | Absent people above it |\n|---|---|---|---|");
    for th in [0.3f32, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99] {
        let above: Vec<&(f32, bool, bool)> = tops.iter().filter(|t| t.0 >= th).collect();
        let right = above.iter().filter(|t| t.1).count();
        let absent_above = above.iter().filter(|t| !t.2).count();
        println!(
            "| {th}{} | {} | {} | {} |",
            if th == LINK_THRESHOLD {
                " (link threshold)"
            } else {
                ""
            },
            Tally::pct(right, above.len()),
            Tally::pct(right, n_present),
            absent_above
        );
    }
    println!();
    println!("| Errors in the probe | Probes | Recall@1 | Recall@5 | Top above threshold and right | … and wrong |\n|---|---|---|---|---|---|");
    for (k, t) in &by_errors {
        println!(
            "| {k} | {} | {} | {} | {} | {} |",
            t.n,
            Tally::pct(t.at1, t.n),
            Tally::pct(t.at5, t.n),
            Tally::pct(t.linked_right, t.n),
            t.linked_wrong
        );
    }
    println!();
    println!("| Probes with this error (alone or with others) | Probes | Recall@1 | Recall@5 | Top above threshold and right | … and wrong |\n|---|---|---|---|---|---|");
    for (e, t) in &by_kind {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            e.label(),
            t.n,
            Tally::pct(t.at1, t.n),
            Tally::pct(t.at5, t.n),
            Tally::pct(t.linked_right, t.n),
            t.linked_wrong
        );
    }
    drop(index);
    if let Some(path) = &o.sqlite {
        let inputs = sqlite::Inputs {
            pop: &pop,
            absent: &absent,
            cases: &cases,
            in_memory: &top_fives,
        };
        if let Err(e) = sqlite::run(path, &o, &inputs) {
            eprintln!("--sqlite: {e}");
            std::process::exit(1);
        }
    }
}
