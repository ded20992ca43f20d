//! Benchmarks of the foundation on generated data of realistic size: a large county
//! with 100,000 children known over ten years of history (the design brief asks for
//! these "in benchmarks on generated data of realistic size ... not in timed tests").
//!
//! ```text
//! cargo run --release -p together-bench -- --children 100000 --database /tmp/bench.db
//! ```
//!
//! The data is generated straight through the `Store` (events sealed into each
//! child's hash chain exactly as the application's services append them), then:
//!
//! * (a) append throughput: case notes appended to existing logs, 1 and 4 threads;
//! * (b) opening a child's record: `store.log` + chronology, and `App::view_child`
//!   (which also takes the access decision and writes the access log);
//! * (c) the children list (`store.children`) with and without a name filter;
//! * (d) `Calendar::add_working_days` for 45 working days and for ten years;
//! * (e) `together audit verify` (`together_store::audit::verify_all`) over everything.
//!
//! Run against an existing benchmark database, generation is skipped. Results print
//! as a Markdown table for BENCHMARKS.md. This is not a test: nothing runs it in CI.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration as Elapsed, Instant};
use together_app::clock::SystemClock;
use together_app::profiles::ProfileSource;
use together_app::record_page::ENTRIES_PER_PAGE;
use together_app::{names, App, Caller, Settings};
use together_domain::calendar::Calendar;
use together_domain::event::{chronology, format_timestamp, EventBody, NewEvent};
use together_domain::ids::{AgencyId, EventId, PersonId, UserId};
use together_domain::person::{PersonDetails, PersonKind, Sex};
use together_domain::role::Role;
use together_domain::validate::NhsNumber;
use together_store::{AgencyRow, ChildQuery, PersonRow, Store, UserRow};

const USAGE: &str = "usage: together-bench [--children N] [--database PATH_OR_URL] [--long-logs N] [--long-log-events N]
                      [--appends N] [--samples N] [--batch N] [--seed N] [--fresh]

  --children N         children known (default 100000)
  --database X         SQLite file or postgres:// URL (default /tmp/together-bench.db)
  --long-logs N        extra children with a long log, for opening a record (default 20)
  --long-log-events N  events in each long log (default 200)
  --appends N          case notes appended per throughput run (default 2000)
  --samples N          samples per latency measure (default 200)
  --batch N            children per write transaction while generating (default 500)
  --seed N             random seed for the generated data (default 2026)
  --fresh              delete the SQLite file (and its -wal, -shm) first";

struct Opts {
    children: usize,
    database: String,
    long_logs: usize,
    long_log_events: usize,
    appends: usize,
    samples: usize,
    batch: usize,
    seed: u64,
    fresh: bool,
}

fn parse_opts() -> Result<Opts, String> {
    let mut o = Opts {
        children: 100_000,
        database: "/tmp/together-bench.db".into(),
        long_logs: 20,
        long_log_events: 200,
        appends: 2000,
        samples: 200,
        batch: 500,
        seed: 2026,
        fresh: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            args.next()
                .and_then(|v| v.replace('_', "").parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match a.as_str() {
            "--children" => o.children = num("--children")? as usize,
            "--long-logs" => o.long_logs = num("--long-logs")? as usize,
            "--long-log-events" => o.long_log_events = num("--long-log-events")?.max(5) as usize,
            "--appends" => o.appends = num("--appends")?.max(4) as usize,
            "--samples" => o.samples = num("--samples")?.max(1) as usize,
            "--batch" => o.batch = num("--batch")?.max(1) as usize,
            "--seed" => o.seed = num("--seed")?,
            "--database" => o.database = args.next().ok_or("--database needs a value")?,
            "--fresh" => o.fresh = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(o)
}

// ---- results ----------------------------------------------------------------------

struct Row {
    measure: String,
    result: String,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
}

impl Report {
    fn add(&mut self, measure: impl Into<String>, result: impl Into<String>) {
        let r = Row {
            measure: measure.into(),
            result: result.into(),
        };
        eprintln!("  {:<70} {}", r.measure, r.result);
        self.rows.push(r);
    }
}

fn ms(d: Elapsed) -> String {
    let m = d.as_secs_f64() * 1000.0;
    if m >= 100.0 {
        format!("{m:.0} ms")
    } else if m >= 10.0 {
        format!("{m:.1} ms")
    } else {
        format!("{m:.2} ms")
    }
}

/// "median X, p95 Y" of latency samples.
fn percentiles(mut v: Vec<Elapsed>) -> String {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "median {}, p95 {}, p99 {} (n={})",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(at(0.99)),
        v.len()
    )
}

fn thousands(n: f64) -> String {
    let s = format!("{:.0}", n);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ---- generating the county ----------------------------------------------------------

/// Ten years of history, ending at the start of 2026.
fn history_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2016, 1, 1, 0, 0, 0).unwrap()
}
fn history_end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

/// A UUIDv7 for a moment in the past, as the id would have been made then.
fn v7_at(t: DateTime<Utc>) -> uuid::Uuid {
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        t.timestamp() as u64,
        t.timestamp_subsec_nanos(),
    ))
}

const SENTENCES: &[&str] = &[
    "Visited the family home with the health visitor.",
    "The child was seen alone in their bedroom and spoke about school and friends.",
    "Mother said things had been calmer since her partner moved out.",
    "The home was warm and there was food in the kitchen; the child's room was tidy.",
    "School report good attendance this term but some tiredness in the mornings.",
    "Discussed the safety plan with both parents and agreed who will collect the child from school.",
    "Police shared information about a call-out to the address at the weekend; no arrests.",
    "The child said they feel safe at home and named their grandmother as someone they can talk to.",
    "Strategy discussion held with police and health; agreed to continue single-agency work for now.",
    "The family did not answer the door at the agreed time; a card was left and the school informed.",
    "GP confirmed the child is up to date with immunisations and attended the last appointment.",
    "Father attended the meeting and engaged well; he agreed to a referral to the parenting programme.",
    "Reviewed the plan with the practice supervisor; actions carried forward with new dates.",
    "The child's views were gathered using the three houses tool and are attached to the record.",
];

fn note_text(rng: &mut StdRng) -> String {
    // Case notes run from a couple of lines to a page; around 200 to 1,500 characters.
    let target = rng.gen_range(200..1500);
    let mut s = String::with_capacity(target + 120);
    while s.len() < target {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(SENTENCES[rng.gen_range(0..SENTENCES.len())]);
    }
    s
}

const NOTE_TITLES: &[&str] = &[
    "Home visit",
    "Telephone call with mother",
    "School visit",
    "Strategy discussion",
    "Supervision",
    "Information from police",
    "Contact from GP",
    "Child seen alone",
];

struct Actor {
    user: UserId,
    agency: AgencyId,
}

struct Generator<'a> {
    rng: StdRng,
    actors: &'a [Actor],
    profile_version: String,
}

/// Everything about one child, ready to append.
struct ChildData {
    events: Vec<NewEvent>,
    people: Vec<PersonRow>,
}

fn row(id: PersonId, d: &PersonDetails, at: &str) -> PersonRow {
    PersonRow {
        id,
        kind: d.kind.id().to_string(),
        given_name: d.given_name.clone(),
        family_name: d.family_name.clone(),
        date_of_birth: d.date_of_birth.map(|x| x.to_string()),
        expected_date_of_delivery: d.expected_date_of_delivery.map(|x| x.to_string()),
        sex: d.sex.id().to_string(),
        nhs_number: d.nhs_number.as_ref().map(|n| n.as_str().to_string()),
        upn: None,
        postcode: d.postcode.clone(),
        restricted: false,
        created_at: at.to_string(),
        updated_at: at.to_string(),
    }
}

impl Generator<'_> {
    fn event(&mut self, child: PersonId, body: EventBody, at: DateTime<Utc>) -> NewEvent {
        let a = &self.actors[self.rng.gen_range(0..self.actors.len())];
        // Recorded some minutes to a day after the fact.
        let recorded = at + Duration::minutes(self.rng.gen_range(5..1440));
        NewEvent {
            id: EventId(v7_at(recorded)),
            child,
            body,
            effective_at: at,
            recorded_at: recorded,
            actor: a.user,
            actor_agency: a.agency,
            actor_role: Role::SocialWorker,
            profile_version: self.profile_version.clone(),
        }
    }

    /// How many case notes a child's history holds: most children known are
    /// referred once and need no further action; some are worked with for months;
    /// a few for years.
    fn note_count(&mut self) -> usize {
        match self.rng.gen_range(0..100) {
            0..=69 => self.rng.gen_range(1..=3),
            70..=94 => self.rng.gen_range(4..=12),
            _ => self.rng.gen_range(13..=40),
        }
    }

    /// A child known from `known`, with family and `notes` case notes spread over
    /// the time after (to the end of the history).
    fn child(&mut self, known: DateTime<Utc>, family: usize, notes: usize) -> ChildData {
        let rng = &mut self.rng;
        let unborn = rng.gen_range(0..100) < 3;
        let family_name = names::family_name(rng);
        let details = PersonDetails {
            upn: None,
            ethnicity: None,
            disabilities: Vec::new(),
            kind: if unborn {
                PersonKind::UnbornChild
            } else {
                PersonKind::Child
            },
            given_name: if unborn {
                "Unborn".into()
            } else {
                names::given_name(rng)
            },
            family_name: family_name.clone(),
            date_of_birth: (!unborn)
                .then(|| known.date_naive() - Duration::days(rng.gen_range(30..17 * 365))),
            expected_date_of_delivery: unborn
                .then(|| known.date_naive() + Duration::days(rng.gen_range(30..200))),
            sex: [Sex::Female, Sex::Male, Sex::Unknown][rng.gen_range(0..3)],
            nhs_number: (!unborn).then(|| {
                NhsNumber::parse(&names::test_nhs_number(rng)).expect("valid test number")
            }),
            postcode: Some(names::postcode(rng)),
        };
        let child = PersonId(v7_at(known));
        let at = format_timestamp(known);
        let mut people = vec![row(child, &details, &at)];
        let mut events = vec![self.event(
            child,
            EventBody::ChildRecordOpened { child: details },
            known,
        )];

        // Spread the rest over the time the child is known: a few weeks to years.
        let left = (history_end() - known).num_minutes().max(60);
        let span = match self.rng.gen_range(0..10) {
            0..=5 => left.min(60 * 24 * 60),
            6..=8 => left.min(60 * 24 * 365),
            _ => left,
        };
        let mut times: Vec<DateTime<Utc>> = (0..family + notes)
            .map(|_| known + Duration::minutes(self.rng.gen_range(1..=span)))
            .collect();
        times.sort();
        let mut times = times.into_iter();
        for i in 0..family {
            let rng = &mut self.rng;
            let (kind, relationship, sex) = match i {
                0 => (PersonKind::Parent, "Mother", Sex::Female),
                1 => (PersonKind::Parent, "Father", Sex::Male),
                2 => (PersonKind::Carer, "Mother's partner", Sex::Male),
                _ => (PersonKind::FamilyNetworkMember, "Grandmother", Sex::Female),
            };
            let d = PersonDetails {
                upn: None,
                ethnicity: None,
                disabilities: Vec::new(),
                kind,
                given_name: names::given_name(rng),
                family_name: if i < 2 {
                    family_name.clone()
                } else {
                    names::family_name(rng)
                },
                date_of_birth: Some(
                    known.date_naive() - Duration::days(rng.gen_range(18 * 365..60 * 365)),
                ),
                expected_date_of_delivery: None,
                sex,
                nhs_number: None,
                postcode: None,
            };
            let t = times.next().expect("a time for each event");
            let person = PersonId(v7_at(t));
            people.push(row(person, &d, &format_timestamp(t)));
            let lives_with_child = i != 2 || rng.gen_bool(0.5);
            let body = EventBody::FamilyMemberAdded {
                person,
                details: d,
                relationship: relationship.into(),
                lives_with_child,
            };
            events.push(self.event(child, body, t));
        }
        for _ in 0..notes {
            let title = NOTE_TITLES[self.rng.gen_range(0..NOTE_TITLES.len())].to_string();
            let text = note_text(&mut self.rng);
            let shared_with_partners = self.rng.gen_bool(0.4);
            let t = times.next().expect("a time for each event");
            events.push(self.event(
                child,
                EventBody::CaseNoteRecorded {
                    title,
                    text,
                    shared_with_partners,
                },
                t,
            ));
        }
        ChildData { events, people }
    }
}

const GENERATED: &str = "bench-generated";
const LONG_LOGS: &str = "bench-long-logs";

struct County {
    children: Vec<PersonId>,
    long: Vec<PersonId>,
    actors: Vec<Actor>,
}

fn generate(store: &dyn Store, o: &Opts, report: &mut Report) -> Result<County, String> {
    let mut rng = StdRng::seed_from_u64(o.seed);
    let se = |e: together_store::StoreError| e.to_string();
    let created = format_timestamp(history_start());
    let agency = AgencyRow {
        id: AgencyId(v7_at(history_start())),
        name: "Bench County Council Children's Social Care".into(),
        kind: "childrens-social-care".into(),
    };
    store.put_agency(&agency).map_err(se)?;
    let mut actors = Vec::new();
    for i in 0..60 {
        let id = UserId(v7_at(history_start() + Duration::minutes(i)));
        store
            .create_user(&UserRow {
                id,
                username: format!("bench-sw-{}-{i}", &id.to_string()[..8]),
                display_name: format!(
                    "{} {}",
                    names::given_name(&mut rng),
                    names::family_name(&mut rng)
                ),
                role: Role::SocialWorker.id().into(),
                agency: agency.id,
                team: None,
                // No password: these accounts cannot sign in.
                password_hash: "!".into(),
                active: true,
                created_at: created.clone(),
                must_change_password: false,
            })
            .map_err(se)?;
        actors.push(Actor {
            user: id,
            agency: agency.id,
        });
    }
    let profile = ProfileSource::default()
        .load("national")
        .map_err(|e| e.to_string())?;
    let mut g = Generator {
        rng,
        actors: &actors,
        profile_version: profile.version_tag(),
    };

    // Children become known evenly over the ten years: ids are made in that order.
    let window = (history_end() - history_start()).num_seconds();
    let mut known: Vec<i64> = (0..o.children)
        .map(|_| g.rng.gen_range(0..window))
        .collect();
    known.sort_unstable();

    let started = Instant::now();
    let (mut n_events, mut n_people) = (0usize, 0usize);
    let mut children = Vec::with_capacity(o.children);
    let mut last_note = Instant::now();
    for chunk in known.chunks(o.batch) {
        let (mut events, mut people) = (Vec::new(), Vec::new());
        for secs in chunk {
            let family = g.rng.gen_range(1..=3);
            let notes = g.note_count();
            let c = g.child(history_start() + Duration::seconds(*secs), family, notes);
            children.push(c.events[0].child);
            events.extend(c.events);
            people.extend(c.people);
        }
        store.append(&events, &people, &[]).map_err(se)?;
        n_events += events.len();
        n_people += people.len();
        if last_note.elapsed().as_secs() >= 10 {
            eprintln!(
                "  ... {} children, {} events ({:.0} events/s)",
                children.len(),
                n_events,
                n_events as f64 / started.elapsed().as_secs_f64()
            );
            last_note = Instant::now();
        }
    }
    // Children with a long history, for opening a record.
    let mut long = Vec::new();
    for _ in 0..o.long_logs {
        let t = history_start() + Duration::days(g.rng.gen_range(0..365));
        let c = g.child(t, 3, o.long_log_events - 4);
        long.push(c.events[0].child);
        n_events += c.events.len();
        n_people += c.people.len();
        store.append(&c.events, &c.people, &[]).map_err(se)?;
    }
    let took = started.elapsed();
    store
        .put_setting(
            GENERATED,
            &format!(
                "{} children, {} long logs, seed {}",
                o.children, o.long_logs, o.seed
            ),
        )
        .map_err(se)?;
    store
        .put_setting(
            LONG_LOGS,
            &long
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(","),
        )
        .map_err(se)?;
    report.add(
        format!(
            "generate: {} children (+{} with {}-event logs), {} people, {} events",
            thousands(o.children as f64),
            o.long_logs,
            o.long_log_events,
            thousands(n_people as f64),
            thousands(n_events as f64)
        ),
        format!(
            "{:.0} s ({} events/s, {} children per transaction)",
            took.as_secs_f64(),
            thousands(n_events as f64 / took.as_secs_f64()),
            o.batch
        ),
    );
    Ok(County {
        children,
        long,
        actors,
    })
}

/// An existing benchmark database: its children (from the log heads) and long logs.
fn existing(store: &dyn Store) -> Result<Option<County>, String> {
    let se = |e: together_store::StoreError| e.to_string();
    let Some(what) = store.setting(GENERATED).map_err(se)? else {
        return Ok(None);
    };
    eprintln!("using the data already generated in this database ({what})");
    let long: Vec<PersonId> = store
        .setting(LONG_LOGS)
        .map_err(se)?
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| format!("bad id {s}")))
        .collect::<Result<_, _>>()?;
    let children: Vec<PersonId> = store
        .log_heads()
        .map_err(se)?
        .into_iter()
        .map(|h| h.child)
        .filter(|c| !long.contains(c))
        .collect();
    let agency = store
        .agencies()
        .map_err(se)?
        .into_iter()
        .find(|a| a.name.starts_with("Bench County"))
        .ok_or("no bench agency")?;
    let actors = store
        .users()
        .map_err(se)?
        .into_iter()
        .filter(|u| u.username.starts_with("bench-sw-"))
        .map(|u| Actor {
            user: u.id,
            agency: agency.id,
        })
        .collect();
    Ok(Some(County {
        children,
        long,
        actors,
    }))
}

// ---- the measures -------------------------------------------------------------------

fn note(actor: &Actor, child: PersonId, rng: &mut StdRng) -> NewEvent {
    let now = Utc::now();
    NewEvent {
        id: EventId(uuid::Uuid::now_v7()),
        child,
        body: EventBody::CaseNoteRecorded {
            title: "Home visit".into(),
            text: note_text(rng),
            shared_with_partners: false,
        },
        effective_at: now,
        recorded_at: now,
        actor: actor.user,
        actor_agency: actor.agency,
        actor_role: Role::SocialWorker,
        profile_version: "national@2026.1".into(),
    }
}

/// (a) One case note per transaction, as `App::add_case_note` appends, to random
/// existing logs.
fn append_throughput(
    store: &Arc<dyn Store>,
    county: &County,
    o: &Opts,
    report: &mut Report,
) -> Result<(), String> {
    for threads in [1usize, 4] {
        let per_thread = o.appends / threads;
        let started = Instant::now();
        let latencies: Vec<Elapsed> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let store = store.clone();
                    s.spawn(move || -> Result<Vec<Elapsed>, String> {
                        let mut rng = StdRng::seed_from_u64(o.seed + 100 + t as u64);
                        let mut lat = Vec::with_capacity(per_thread);
                        for _ in 0..per_thread {
                            let child = county.children[rng.gen_range(0..county.children.len())];
                            let ev = note(
                                &county.actors[rng.gen_range(0..county.actors.len())],
                                child,
                                &mut rng,
                            );
                            let t0 = Instant::now();
                            store.append(&[ev], &[], &[]).map_err(|e| e.to_string())?;
                            lat.push(t0.elapsed());
                        }
                        Ok(lat)
                    })
                })
                .collect();
            let mut all = Vec::new();
            for h in handles {
                all.extend(
                    h.join()
                        .map_err(|_| "append thread panicked".to_string())??,
                );
            }
            Ok::<_, String>(all)
        })?;
        let took = started.elapsed();
        let n = latencies.len();
        report.add(
            format!(
                "(a) append a case note to an existing log, {threads} thread{}",
                if threads == 1 { "" } else { "s" }
            ),
            format!(
                "{} events/s ({} appends in {:.1} s); latency {}",
                thousands(n as f64 / took.as_secs_f64()),
                n,
                took.as_secs_f64(),
                percentiles(latencies)
            ),
        );
    }
    Ok(())
}

/// Run `f` `n` times, returning each run's time.
fn sample(
    n: usize,
    mut f: impl FnMut(usize) -> Result<(), String>,
) -> Result<Vec<Elapsed>, String> {
    let mut v = Vec::with_capacity(n);
    for i in 0..n {
        let t0 = Instant::now();
        f(i)?;
        v.push(t0.elapsed());
    }
    Ok(v)
}

/// (b) Opening a child's record.
fn open_record(app: &App, county: &County, o: &Opts, report: &mut Report) -> Result<(), String> {
    let store = &app.store;
    let caller = Caller {
        actor_id: county.actors[0].user,
        is_api_client: false,
        display_name: "Bench social worker".into(),
        role: Role::SocialWorker,
        agency: county.actors[0].agency,
        request_id: "bench".into(),
        break_glass_reason: None,
        journal: None,
    };
    let mut rng = StdRng::seed_from_u64(o.seed + 7);
    if !county.long.is_empty() {
        let len = store.log(county.long[0]).map_err(|e| e.to_string())?.len();
        let lat = sample(o.samples, |i| {
            let log = store
                .log(county.long[i % county.long.len()])
                .map_err(|e| e.to_string())?;
            black_box(chronology(&log));
            Ok(())
        })?;
        report.add(
            format!("(b) store.log + chronology, child with a {len}-event log"),
            percentiles(lat),
        );
        let lat = sample(o.samples, |i| {
            black_box(
                app.view_child(&caller, county.long[i % county.long.len()])
                    .map_err(|e| e.to_string())?,
            );
            Ok(())
        })?;
        report.add(
            format!("(b) App::view_child (access decision + access log write), {len}-event log"),
            percentiles(lat),
        );
        let lat = sample(o.samples, |i| {
            black_box(
                app.view_child_page(
                    &caller,
                    county.long[i % county.long.len()],
                    None,
                    ENTRIES_PER_PAGE,
                )
                .map_err(|e| e.to_string())?,
            );
            Ok(())
        })?;
        report.add(
            format!("(b) App::view_child_page, the child's page (newest {ENTRIES_PER_PAGE} entries, summary, access log write), {len}-event log"),
            percentiles(lat),
        );
    }
    let picks: Vec<PersonId> = (0..o.samples)
        .map(|_| county.children[rng.gen_range(0..county.children.len())])
        .collect();
    let mut events = 0usize;
    let lat = sample(o.samples, |i| {
        let v = app
            .view_child(&caller, picks[i])
            .map_err(|e| e.to_string())?;
        events += v.chronology.len();
        Ok(())
    })?;
    report.add(
        format!(
            "(b) App::view_child, a random child (mean {:.1} events)",
            events as f64 / o.samples as f64
        ),
        percentiles(lat),
    );
    Ok(())
}

/// (c) The children list: first page, newest first.
fn children_list(store: &dyn Store, o: &Opts, report: &mut Report) -> Result<(), String> {
    let people = store
        .children(&ChildQuery {
            name: None,
            limit: 1,
            offset: 0,
        })
        .map_err(|e| e.to_string())?;
    // A name that exists, to search for in full.
    let (given, family) = people
        .first()
        .map(|p| (p.given_name.clone(), p.family_name.clone()))
        .unwrap_or_default();
    let queries: Vec<(String, Option<String>)> = vec![
        ("no filter".into(), None),
        ("\"wyn\" (common fragment)".into(), Some("wyn".into())),
        (format!("\"{family}\" (family name)"), Some(family.clone())),
        (
            format!("\"{given} {family}\" (full name)"),
            Some(format!("{given} {family}")),
        ),
        ("\"zzqx\" (no match)".into(), Some("zzqx".into())),
    ];
    let n = (o.samples / 4).max(10);
    for (label, name) in queries {
        let mut hits = 0;
        let lat = sample(n, |_| {
            let rows = store
                .children(&ChildQuery {
                    name: name.clone(),
                    limit: 50,
                    offset: 0,
                })
                .map_err(|e| e.to_string())?;
            hits = rows.len();
            Ok(())
        })?;
        report.add(
            format!("(c) children list, first page of 50, {label} → {hits} rows"),
            percentiles(lat),
        );
    }
    Ok(())
}

/// (d) Working-day arithmetic.
fn calendar(app: &App, report: &mut Report) {
    let cal = app.calendar();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let days: Vec<NaiveDate> = (0..365).map(|i| start + Duration::days(i)).collect();
    let time = |n: usize, working_days: u32| {
        let t0 = Instant::now();
        for i in 0..n {
            black_box(cal.add_working_days(black_box(days[i % days.len()]), working_days));
        }
        t0.elapsed().as_secs_f64() * 1e9 / n as f64
    };
    report.add(
        "(d) Calendar::add_working_days(d, 45)",
        format!("{:.0} ns per call (mean of 200,000)", time(200_000, 45)),
    );
    // Ten years: 2,528 working days from 2026 to 2036.
    report.add(
        "(d) Calendar::add_working_days(d, 2528) (ten years)",
        format!("{:.0} ns per call (mean of 20,000)", time(20_000, 2528)),
    );
    let t0 = Instant::now();
    for _ in 0..100 {
        black_box(Calendar::england_and_wales());
    }
    report.add(
        "(d) Calendar::england_and_wales() (build the tables, 1990-2100)",
        format!("{:.2} ms per call", t0.elapsed().as_secs_f64() * 10.0),
    );
}

/// (e) Verify every log.
fn audit(store: &dyn Store, report: &mut Report) -> Result<(), String> {
    let t0 = Instant::now();
    let r = together_store::audit::verify_all(store).map_err(|e| e.to_string())?;
    let took = t0.elapsed();
    report.add(
        format!(
            "(e) audit verify (verify_all): {} logs, {} events",
            thousands(r.logs as f64),
            thousands(r.events as f64)
        ),
        format!(
            "{:.1} s ({} events/s)",
            took.as_secs_f64(),
            thousands(r.events as f64 / took.as_secs_f64())
        ),
    );
    Ok(())
}

fn main() {
    let o = match parse_opts() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(o) {
        eprintln!("together-bench: {e}");
        std::process::exit(1);
    }
}

fn run(o: Opts) -> Result<(), String> {
    let postgres = o.database.starts_with("postgres://") || o.database.starts_with("postgresql://");
    if o.fresh && !postgres {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", o.database));
        }
    }
    let store = together_store::open(&o.database)
        .map_err(|e| format!("cannot open {}: {e}", o.database))?;
    let mut report = Report::default();
    eprintln!(
        "together-bench on {} ({})",
        store.backend(),
        if postgres {
            "PostgreSQL URL"
        } else {
            o.database.as_str()
        }
    );
    let county = match existing(&*store)? {
        Some(c) => c,
        None => {
            eprintln!("generating {} children ...", o.children);
            generate(&*store, &o, &mut report)?
        }
    };
    if county.children.is_empty() {
        return Err("no children to measure".into());
    }
    let profile = ProfileSource::default()
        .load("national")
        .map_err(|e| e.to_string())?;
    let app = App::new(
        store.clone(),
        profile,
        Arc::new(SystemClock),
        Settings::default(),
    )
    .map_err(|e| e.to_string())?;

    append_throughput(&store, &county, &o, &mut report)?;
    open_record(&app, &county, &o, &mut report)?;
    children_list(&*store, &o, &mut report)?;
    calendar(&app, &mut report);
    audit(&*store, &mut report)?;
    if !postgres {
        let size: u64 = ["", "-wal"]
            .iter()
            .filter_map(|s| std::fs::metadata(format!("{}{s}", o.database)).ok())
            .map(|m| m.len())
            .sum();
        report.add(
            "SQLite file size (with WAL)",
            format!("{:.0} MiB", size as f64 / 1048576.0),
        );
    }

    println!(
        "\n| Measure ({}, {} children known) | Result |",
        store.backend(),
        thousands(county.children.len() as f64)
    );
    println!("|---|---|");
    for r in &report.rows {
        println!("| {} | {} |", r.measure, r.result);
    }
    Ok(())
}
