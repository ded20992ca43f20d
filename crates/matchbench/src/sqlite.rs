//! The end-to-end mode (`--sqlite PATH`): "is this child known?" as the front door
//! answers it (`App::build_index` and `App::candidates` in
//! `crates/app/src/front_door.rs`), on a SQLite store holding the generated people.
//!
//! 1. **Load.** A new store (`together_store::open`, migrations run) gets every
//!    household with a known child through `Store::append`, as the application
//!    writes records: the adults as `parent` rows and each known child as a `child`
//!    row whose log a `ChildRecordOpened` event opens, followed by one
//!    `FamilyMemberAdded { lives_with_child: true }` event for each person the
//!    in-memory index was told the child lives with (adults, brothers and sisters),
//!    which is how the store's `households` table is filled. Whole households, about
//!    `--batch` children, go in one `append` (one transaction). Then `--referrals`
//!    referrals, each linking one random household's known children (so some
//!    children have several), through `Store::append_referral`, one a transaction:
//!    their projection only (the rows `Store::referrals_of_person` reads), not their
//!    logs.
//! 2. **Index.** Built as `App::build_index` builds it: `Store::matchable_children`
//!    in pages of 10,000, each row converted as the front door's `known` converts it,
//!    `Index::insert`ed one by one. Timed, with the heap it holds counted.
//! 3. **Search.** The in-memory part's probes, one thread, each timed as one call:
//!    `Index::search` (limit 5, as the referral page asks), then `Store::person` and
//!    `Store::referrals_of_person` for each candidate. Timed apart, before it, the two
//!    access-log writes `App::candidates` also makes (`authorize` for
//!    `SearchChildren`, and `log_referral_search`). The people are not restricted,
//!    so no `involvements` are read.
//! 4. **Check.** Recall@5 and precision at `LINK_THRESHOLD` of this path beside the
//!    in-memory index's, and how many probes got five candidates (ids and scores)
//!    other than the in-memory index gave: a difference means the store lost or
//!    changed something the matcher uses.

use crate::{
    household_of, live_bytes, mib, percentile, person_id, recorded_given, Opts, Person, Population,
    ProbeCase, Tally,
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::prelude::*;
use rand::rngs::StdRng;
use std::collections::HashSet;
use std::time::Instant;
use together_domain::access::Action;
use together_domain::event::{format_timestamp, EventBody, NewEvent};
use together_domain::ids::{AgencyId, EventId, PersonId, UserId};
use together_domain::matching::{Index, Known, LINK_THRESHOLD};
use together_domain::person::{PersonDetails, PersonKind, Sex};
use together_domain::role::Role;
use together_domain::upn::Upn;
use together_domain::validate::NhsNumber;
use together_store::{
    AccessEntry, MatchablePerson, PersonRow, ReferralChildRow, ReferralProjection, ReferralRow,
    Store, StoreError,
};
use uuid::Uuid;

/// `App::build_index`'s page size.
const PAGE: u32 = 10_000;
/// Candidates the referral page asks for.
const LIMIT: usize = 5;

/// What the in-memory part hands over.
pub struct Inputs<'a> {
    pub pop: &'a Population,
    pub absent: &'a HashSet<usize>,
    pub cases: &'a [ProbeCase],
    /// Each probe's five candidates (id, score) from the in-memory index.
    pub in_memory: &'a [Vec<(PersonId, f32)>],
}

fn se(e: StoreError) -> String {
    e.to_string()
}

fn secs_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// The store must be new: the benchmark never overwrites a file.
pub fn check_new(path: &str) -> Result<(), String> {
    if std::path::Path::new(path).exists() {
        return Err(format!(
            "{path} exists: --sqlite needs a new file (remove it, and its -wal and -shm)"
        ));
    }
    Ok(())
}

pub fn run(path: &str, o: &Opts, inp: &Inputs) -> Result<(), String> {
    check_new(path)?;
    let store = together_store::open(path).map_err(se)?;
    let loaded = load_people(&*store, inp.pop, inp.absent, o.batch)?;
    let n_referrals = o.referrals.unwrap_or(loaded.children / 20);
    let mut rng = StdRng::seed_from_u64(o.seed ^ 0x5eed);
    let referred = load_referrals(&*store, inp.pop, inp.absent, n_referrals, &mut rng)?;
    let built = build_index(&*store)?;
    let searched = search_all(&*store, &built.index, inp.cases)?;
    let file_bytes = ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{path}{s}")).ok())
        .map(|m| m.len())
        .sum();
    report(
        o,
        inp,
        &Report {
            loaded,
            referred,
            built,
            searched,
            file_bytes,
        },
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// 1. Load
// ---------------------------------------------------------------------------

/// The moment the generated records are written at (fixed, like `today`).
fn written_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap()
}

/// Who writes the generated records (no user rows: events and the access log
/// refer to users by id only).
struct Writer {
    actor: UserId,
    agency: AgencyId,
}

impl Writer {
    fn new() -> Writer {
        Writer {
            actor: UserId(Uuid::from_u128(0xbe_0001)),
            agency: AgencyId(Uuid::from_u128(0xbe_0002)),
        }
    }

    fn event(&self, child: usize, body: EventBody) -> NewEvent {
        NewEvent {
            id: EventId(Uuid::now_v7()),
            child: person_id(child),
            body,
            effective_at: written_at(),
            recorded_at: written_at(),
            actor: self.actor,
            actor_agency: self.agency,
            actor_role: Role::FrontDoorWorker,
            profile_version: "matchbench".into(),
        }
    }
}

fn details(p: &Person) -> PersonDetails {
    PersonDetails {
        kind: if p.child {
            PersonKind::Child
        } else {
            PersonKind::Parent
        },
        given_name: recorded_given(p),
        family_name: p.family.clone(),
        date_of_birth: Some(p.dob),
        expected_date_of_delivery: None,
        sex: p.sex,
        nhs_number: p
            .nhs
            .as_deref()
            .map(|n| NhsNumber::parse(n).expect("test-range NHS numbers are valid")),
        upn: p
            .upn
            .as_deref()
            .map(|u| Upn::parse(u).expect("generated UPNs have their check letter")),
        postcode: Some(p.postcode.clone()),
        ethnicity: None,
        disabilities: Vec::new(),
    }
}

/// The projection row, as `record::person_row` makes it.
fn person_row(i: usize, d: &PersonDetails) -> PersonRow {
    let at = format_timestamp(written_at());
    PersonRow {
        id: person_id(i),
        kind: d.kind.id().to_string(),
        given_name: d.given_name.clone(),
        family_name: d.family_name.clone(),
        date_of_birth: d.date_of_birth.map(|x| x.to_string()),
        expected_date_of_delivery: d.expected_date_of_delivery.map(|x| x.to_string()),
        sex: d.sex.id().to_string(),
        nhs_number: d.nhs_number.as_ref().map(|n| n.as_str().to_string()),
        upn: d.upn.as_ref().map(|u| u.as_str().to_string()),
        postcode: d.postcode.clone(),
        restricted: false,
        created_at: at.clone(),
        updated_at: at,
    }
}

fn relationship(p: &Person) -> &'static str {
    match (p.child, p.sex) {
        (false, Sex::Female) => "Mother",
        (false, _) => "Parent",
        (true, Sex::Female) => "Sister",
        (true, Sex::Male) => "Brother",
        (true, Sex::Unknown) => "Sibling",
    }
}

/// A household's known children, in household order.
fn known_children(pop: &Population, h: usize, absent: &HashSet<usize>) -> Vec<usize> {
    pop.households[h]
        .iter()
        .copied()
        .filter(|m| pop.people[*m].child && !absent.contains(m))
        .collect()
}

/// One `append`: people rows first, then the children's events.
#[derive(Default)]
struct Batch {
    people: Vec<PersonRow>,
    events: Vec<NewEvent>,
    children: usize,
}

impl Batch {
    /// A household's records: its known members' rows, and for each known child
    /// the record opened and the people it lives with added.
    fn add_household(
        &mut self,
        w: &Writer,
        pop: &Population,
        h: usize,
        children: &[usize],
        absent: &HashSet<usize>,
    ) {
        for &m in &pop.households[h] {
            if !absent.contains(&m) {
                self.people.push(person_row(m, &details(&pop.people[m])));
            }
        }
        for &c in children {
            let child = details(&pop.people[c]);
            self.events
                .push(w.event(c, EventBody::ChildRecordOpened { child }));
            for m in household_of(pop, c, absent) {
                let p = &pop.people[m];
                let body = EventBody::FamilyMemberAdded {
                    person: person_id(m),
                    details: details(p),
                    relationship: relationship(p).into(),
                    lives_with_child: true,
                };
                self.events.push(w.event(c, body));
            }
        }
        self.children += children.len();
    }
}

struct Loaded {
    secs: f64,
    people: usize,
    children: usize,
    events: usize,
    households: usize,
}

impl Loaded {
    /// One `append`: one transaction.
    fn write(&mut self, store: &dyn Store, b: Batch) -> Result<(), String> {
        store.append(&b.events, &b.people, &[]).map_err(se)?;
        self.people += b.people.len();
        self.children += b.children;
        self.events += b.events.len();
        Ok(())
    }
}

fn load_people(
    store: &dyn Store,
    pop: &Population,
    absent: &HashSet<usize>,
    batch: usize,
) -> Result<Loaded, String> {
    let w = Writer::new();
    let started = Instant::now();
    let mut last_note = Instant::now();
    let mut l = Loaded {
        secs: 0.0,
        people: 0,
        children: 0,
        events: 0,
        households: 0,
    };
    let mut b = Batch::default();
    for h in 0..pop.households.len() {
        let children = known_children(pop, h, absent);
        if children.is_empty() {
            continue; // nobody the store would have a record for
        }
        b.add_household(&w, pop, h, &children, absent);
        l.households += 1;
        if b.children >= batch {
            l.write(store, std::mem::take(&mut b))?;
        }
        if last_note.elapsed().as_secs() >= 10 {
            eprintln!(
                "  ... {} children, {} events ({:.0} events/s)",
                l.children,
                l.events,
                l.events as f64 / secs_since(started)
            );
            last_note = Instant::now();
        }
    }
    if b.children > 0 {
        l.write(store, b)?;
    }
    l.secs = secs_since(started);
    eprintln!(
        "loaded {} people ({} children), {} events in {:.0} s",
        l.people, l.children, l.events, l.secs
    );
    Ok(l)
}

struct Referred {
    secs: f64,
    referrals: usize,
    links: usize,
}

/// A referral's projection: the row and its children linked to their records.
fn referral(pop: &Population, children: &[usize], received: DateTime<Utc>) -> ReferralProjection {
    let id = Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        received.timestamp() as u64,
        received.timestamp_subsec_nanos(),
    ));
    let received_at = format_timestamp(received);
    let summary = children
        .iter()
        .map(|c| pop.people[*c].full_name())
        .collect::<Vec<_>>()
        .join(", ");
    let decided = received + Duration::hours(20);
    let row = ReferralRow {
        id,
        received_at: received_at.clone(),
        channel: "online-form".into(),
        stage: "decided".into(),
        summary,
        referrer_name: "Generated referrer".into(),
        referrer_agency_name: Some("Generated school".into()),
        submitted_by_user: None,
        submitted_by_client: None,
        submitted_by_agency: None,
        idempotency_key: None,
        decision_due: (received + Duration::days(1)).date_naive().to_string(),
        decided_at: Some(decided.format("%Y-%m-%dT%H:%M:%S").to_string()),
        outcome: Some("no-further-action".into()),
        repeat_referral: false,
        open_work: 0,
        updated_at: format_timestamp(decided),
        urgent: false,
    };
    let children = children
        .iter()
        .enumerate()
        .map(|(k, c)| ReferralChildRow {
            referral: id,
            child_index: k as i64,
            person: person_id(*c),
            received_at: received_at.clone(),
        })
        .collect();
    ReferralProjection {
        row,
        children,
        work: Vec::new(),
    }
}

fn load_referrals(
    store: &dyn Store,
    pop: &Population,
    absent: &HashSet<usize>,
    n: usize,
    rng: &mut StdRng,
) -> Result<Referred, String> {
    let households: Vec<Vec<usize>> = (0..pop.households.len())
        .map(|h| known_children(pop, h, absent))
        .filter(|c| !c.is_empty())
        .collect();
    let from = Utc.with_ymd_and_hms(2016, 1, 1, 0, 0, 0).unwrap();
    let span = (written_at() - from).num_seconds();
    let started = Instant::now();
    let mut links = 0;
    for _ in 0..n {
        let Some(children) = households.choose(rng) else {
            break;
        };
        let received = from + Duration::seconds(rng.gen_range(0..span));
        store
            .append_referral(&[], &referral(pop, children, received))
            .map_err(se)?;
        links += children.len();
    }
    let secs = secs_since(started);
    eprintln!("wrote {n} referrals ({links} children linked) in {secs:.0} s");
    Ok(Referred {
        secs,
        referrals: n,
        links,
    })
}

// ---------------------------------------------------------------------------
// 2. Index
// ---------------------------------------------------------------------------

/// The index entry for a stored child: the front door's private `known`, copied.
fn known(m: &MatchablePerson) -> Known {
    let p = &m.person;
    Known {
        id: p.id,
        given_name: p.given_name.clone(),
        family_name: p.family_name.clone(),
        date_of_birth: p
            .date_of_birth
            .as_deref()
            .or(p.expected_date_of_delivery.as_deref())
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        sex: Sex::from_id(&p.sex),
        nhs_number: p.nhs_number.clone(),
        upn: p.upn.clone(),
        postcode: p.postcode.clone(),
        household: m.household.clone(),
    }
}

struct Built {
    index: Index,
    secs: f64,
    /// Of `secs`, the time in `matchable_children`.
    query_secs: f64,
    pages: usize,
    heap: usize,
}

/// `App::build_index`, timed.
fn build_index(store: &dyn Store) -> Result<Built, String> {
    let before = live_bytes();
    let started = Instant::now();
    let (mut query_secs, mut pages) = (0.0, 0);
    let mut index = Index::new();
    let mut after = None;
    loop {
        let t = Instant::now();
        let page = store.matchable_children(after, PAGE).map_err(se)?;
        query_secs += secs_since(t);
        let Some(last) = page.last() else { break };
        after = Some(last.person.id);
        pages += 1;
        for m in page {
            index.insert(known(&m));
        }
    }
    let secs = secs_since(started);
    let heap = live_bytes().saturating_sub(before);
    eprintln!(
        "index of {} built from the store in {secs:.1} s ({query_secs:.1} s in {pages} pages of matchable_children)",
        index.len()
    );
    Ok(Built {
        index,
        secs,
        query_secs,
        pages,
        heap,
    })
}

// ---------------------------------------------------------------------------
// 3. Search
// ---------------------------------------------------------------------------

/// Milliseconds per probe, sorted when done.
#[derive(Default)]
struct Timings {
    /// The two access-log writes.
    writes: Vec<f64>,
    search: Vec<f64>,
    /// `Store::person` and `Store::referrals_of_person` for each candidate.
    reads: Vec<f64>,
    /// Search and reads: the end-to-end call.
    call: Vec<f64>,
    /// Writes, search and reads.
    with_writes: Vec<f64>,
}

impl Timings {
    fn sort(&mut self) {
        for v in [
            &mut self.writes,
            &mut self.search,
            &mut self.reads,
            &mut self.call,
            &mut self.with_writes,
        ] {
            v.sort_by(|a, b| a.total_cmp(b));
        }
    }
}

struct Searched {
    found: Vec<Vec<(PersonId, f32)>>,
    t: Timings,
    rows_read: usize,
    referral_rows_read: usize,
}

/// What `App::candidates` logs before it searches: `authorize(SearchChildren)`
/// and `log_referral_search`, each its own transaction.
fn log_search(store: &dyn Store, w: &Writer, probe: usize) -> Result<(), String> {
    for (referral, reason) in [
        (None, "allowed"),
        (
            Some(Uuid::from_u128(0xbe_0000_0000 + probe as u128)),
            "is this child known? — searched from a referral",
        ),
    ] {
        store
            .log_access(&AccessEntry {
                id: Uuid::now_v7(),
                at: format_timestamp(Utc::now()),
                user: Some(w.actor),
                api_client: None,
                role: Role::FrontDoorWorker.id().into(),
                action: Action::SearchChildren.id().into(),
                child: None,
                allowed: true,
                reason: reason.into(),
                break_glass: false,
                request_id: format!("matchbench-{probe}"),
                referral,
                subject: referral.map(|id| together_store::Subject {
                    kind: "referral".into(),
                    id,
                }),
            })
            .map_err(se)?;
    }
    Ok(())
}

fn search_all(store: &dyn Store, index: &Index, cases: &[ProbeCase]) -> Result<Searched, String> {
    let w = Writer::new();
    let mut s = Searched {
        found: Vec::with_capacity(cases.len()),
        t: Timings::default(),
        rows_read: 0,
        referral_rows_read: 0,
    };
    for (k, c) in cases.iter().enumerate() {
        let t0 = Instant::now();
        log_search(store, &w, k)?;
        let writes = ms_since(t0);
        let t1 = Instant::now();
        let found = index.search(&c.probe, LIMIT);
        let search = ms_since(t1);
        let t2 = Instant::now();
        for f in &found {
            // As App::candidates: a candidate whose row is gone is skipped.
            if store.person(f.person).map_err(se)?.is_none() {
                continue;
            }
            s.rows_read += 1;
            s.referral_rows_read += store.referrals_of_person(f.person).map_err(se)?.len();
        }
        let reads = ms_since(t2);
        s.t.writes.push(writes);
        s.t.search.push(search);
        s.t.reads.push(reads);
        s.t.call.push(search + reads);
        s.t.with_writes.push(writes + search + reads);
        s.found
            .push(found.iter().map(|f| (f.person, f.score)).collect());
    }
    s.t.sort();
    Ok(s)
}

// ---------------------------------------------------------------------------
// 4. Check and report
// ---------------------------------------------------------------------------

/// Recall@5 and precision of the top candidate at the link threshold, counted as
/// the in-memory part counts them (absent people's links count as wrong).
struct Quality {
    known: usize,
    at5: usize,
    right: usize,
    above: usize,
}

fn quality(cases: &[ProbeCase], found: &[Vec<(PersonId, f32)>]) -> Quality {
    let mut q = Quality {
        known: 0,
        at5: 0,
        right: 0,
        above: 0,
    };
    for (c, f) in cases.iter().zip(found) {
        let top = f.first();
        let linked = top.is_some_and(|t| t.1 >= LINK_THRESHOLD);
        q.above += linked as usize;
        if let Some(truth) = c.truth {
            q.known += 1;
            q.at5 += f.iter().take(5).any(|x| x.0 == truth) as usize;
            q.right += (linked && top.is_some_and(|t| t.0 == truth)) as usize;
        }
    }
    q
}

fn differing(a: &[Vec<(PersonId, f32)>], b: &[Vec<(PersonId, f32)>]) -> usize {
    a.iter()
        .zip(b)
        .filter(|(x, y)| {
            x.len() != y.len()
                || x.iter()
                    .zip(y.iter())
                    .any(|(p, q)| p.0 != q.0 || p.1.to_bits() != q.1.to_bits())
        })
        .count()
}

fn spread(v: &[f64]) -> String {
    format!(
        "p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.1} ms",
        percentile(v, 0.5),
        percentile(v, 0.95),
        percentile(v, 0.99),
        v.last().copied().unwrap_or(0.0)
    )
}

/// The process's peak resident memory (Linux), for the record.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<usize>().ok())
        })
        .map(|kb| mib(kb * 1024))
        .unwrap_or_else(|| "—".into())
}

struct Report {
    loaded: Loaded,
    referred: Referred,
    built: Built,
    searched: Searched,
    file_bytes: u64,
}

fn report(o: &Opts, inp: &Inputs, r: &Report) {
    let (l, b, s) = (&r.loaded, &r.built, &r.searched);
    let n = inp.cases.len().max(1) as f64;
    let e2e = quality(inp.cases, &s.found);
    let mem = quality(inp.cases, inp.in_memory);
    println!(
        "\n## End to end on SQLite: {} children known, seed {}\n",
        b.index.len(),
        o.seed
    );
    println!(
        "Store: {} people ({} children, {} adults) in {} households, {} events, {} referrals linking {} children; {:.2} GiB on disk. One thread.\n",
        l.people,
        l.children,
        l.people - l.children,
        l.households,
        l.events,
        r.referred.referrals,
        r.referred.links,
        r.file_bytes as f64 / (1024.0 * 1024.0 * 1024.0)
    );
    println!("| Measure | Result |\n|---|---|");
    println!(
        "| Load people (`Store::append`, whole households, ≈ {} children a transaction) | {:.0} s ({:.0} events/s) |",
        o.batch,
        l.secs,
        l.events as f64 / l.secs
    );
    println!(
        "| Load referrals (`Store::append_referral`, one a transaction) | {:.0} s ({:.0} a second) |",
        r.referred.secs,
        r.referred.referrals as f64 / r.referred.secs.max(1e-9)
    );
    println!(
        "| Index build from the store (as `App::build_index`) | {:.1} s, of which {:.1} s in `matchable_children` ({} pages of {PAGE}) |",
        b.secs, b.query_secs, b.pages
    );
    println!(
        "| Index memory (heap, counted) | {} ({:.0} bytes a child; `Index::heap_bytes` estimates {}) |",
        mib(b.heap),
        b.heap as f64 / b.index.len().max(1) as f64,
        mib(b.index.heap_bytes())
    );
    println!(
        "| **Candidates end to end**: `Index::search` (limit {LIMIT}), then `Store::person` and `Store::referrals_of_person` per candidate | **{}** |",
        spread(&s.t.call)
    );
    println!("| … of which `Index::search` | {} |", spread(&s.t.search));
    println!("| … of which the store reads | {} |", spread(&s.t.reads));
    println!(
        "| The two access-log writes `App::candidates` makes first (two transactions) | {} |",
        spread(&s.t.writes)
    );
    println!(
        "| Writes, search and reads together | {} |",
        spread(&s.t.with_writes)
    );
    println!(
        "| Reads per search (mean) | {:.2} people rows, {:.2} referral rows |",
        s.rows_read as f64 / n,
        s.referral_rows_read as f64 / n
    );
    println!(
        "| Recall@5: end to end / in memory | **{}** / {} |",
        Tally::pct(e2e.at5, e2e.known),
        Tally::pct(mem.at5, mem.known)
    );
    println!(
        "| Precision of the top candidate at the link threshold ({LINK_THRESHOLD}): end to end / in memory | **{}** ({} of {}) / {} ({} of {}) |",
        Tally::pct(e2e.right, e2e.above),
        e2e.right,
        e2e.above,
        Tally::pct(mem.right, mem.above),
        mem.right,
        mem.above
    );
    println!(
        "| Probes whose five candidates (ids and scores) differ from the in-memory index's | {} of {} |",
        differing(&s.found, inp.in_memory),
        inp.cases.len()
    );
    println!("| Process peak RSS | {} |", peak_rss());
}
