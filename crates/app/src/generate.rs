//! A realistic synthetic partnership: children who travel the real pathways, made by
//! calling the application's own commands (referrals, decisions, cases, assessments,
//! plans, strategy discussions, enquiries, conferences), never by writing rows, with
//! the clock standing at each step's moment so every timescale is computed as it
//! would have been.
//!
//! Proportions follow England's published Children in Need statistics (DfE, *Children
//! in need*, reporting year 2024, explore-education-statistics.service.gov.uk), rounded:
//! - 621,880 referrals in the year, about 540 per 10,000 children;
//! - 22% of referrals were re-referrals within 12 months of a previous referral (DfE,
//!   *Children in need: a focus on re-referrals*, 2024);
//! - abuse or neglect is the primary need at assessment for about half of children
//!   in need, family dysfunction about a fifth;
//! - roughly one referral in three leads to a section 47 enquiry, one in eight to an
//!   initial conference and one in ten to a child protection plan; about 40 to 45
//!   children per 10,000 are on a plan at 31 March; a few percent of plans ending in
//!   the year lasted two years or more.
//!
//! Staffing follows the DfE's *Children's social work workforce* statistics: the
//! average caseload of a children and family social worker was 15.4 at 30 September
//! 2024, so the county has about one case-holding social worker for every 30 children
//! who become known in a year (a case stays open some months), in teams of six under a
//! practice supervisor; the front door and the conference chairs grow with the county.
//!
//! Each child's whole story is told in time order, from their own random numbers (the
//! seed and the child's number), so the same seed gives the same children however many
//! are told side by side (`jobs`); each command is its own transaction, so a run
//! stopped halfway leaves every child's record as it stood after their last completed
//! step (an unfinished story, like a real one).

use crate::clock::Clock;
use crate::front_door::ThresholdSupport;
use crate::identity::NewUserInput;
use crate::{names, App, AppError, Caller, Settings};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use together_domain::calendar::Calendar;
use together_domain::case::assessment::{AssessmentRecord, ChildSeen, SeenAlone};
use together_domain::case::decide::ActionInput;
use together_domain::case::protect::{CpCommand, OutcomeInput};
use together_domain::case::protection::{
    EndReason, HarmCategory, OutlineChange, Participant, S47Finding, S47Task,
};
use together_domain::case::{
    AssessmentKind, AssessmentOutcome, ClosureReason, Command, PlanKind, Service,
};
use together_domain::census::{AssessmentFactor, PrimaryNeed};
use together_domain::ids::{AgencyId, CaseId, PersonId, TeamId};
use together_domain::person::PersonInput;
use together_domain::profile::Profile;
use together_domain::referral::details::{
    ChildInput, ConcernInput, ConsentInput, FamilyMemberInput, ReferrerInput, SignsOfSafetyInput,
};
use together_domain::referral::state::AcknowledgementMethod;
use together_domain::referral::{
    Channel, DecideInput, Outcome, ReferralCommand, ReferralId, ReferralInput, Signpost,
};
use together_domain::role::{AgencyKind, Role};
use together_store::{AgencyRow, Store, TeamRow, UserRow};

/// What to generate.
#[derive(Clone, Debug)]
pub struct Options {
    pub children: usize,
    pub years: u32,
    pub seed: u64,
    /// The last day of history (today, usually).
    pub until: NaiveDate,
    /// The local authority code pupil numbers carry.
    pub la_code: String,
    /// How many children's stories are told side by side (at least one). Each is its
    /// own run of transactions, so more than one keeps a server database busy while
    /// another story waits for its commit.
    pub jobs: usize,
}

/// What was generated.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub children: usize,
    pub referrals: usize,
    pub re_referrals: usize,
    pub cases: usize,
    pub assessments: usize,
    pub cin_plans: usize,
    pub enquiries: usize,
    pub conferences: usize,
    pub cp_plans: usize,
    /// Steps the application refused (a bug in the generator or the rules: reported).
    pub refused: Vec<String>,
}

impl Report {
    /// Add one child's story to the run's.
    fn add(&mut self, o: Report) {
        self.children += o.children;
        self.referrals += o.referrals;
        self.re_referrals += o.re_referrals;
        self.cases += o.cases;
        self.assessments += o.assessments;
        self.cin_plans += o.cin_plans;
        self.enquiries += o.enquiries;
        self.conferences += o.conferences;
        self.cp_plans += o.cp_plans;
        self.refused.extend(o.refused);
    }
}

/// The staff who do the work: front door, locality teams, chairs, partners.
struct Staff {
    frontdoor: Vec<Caller>,
    supervisors: Vec<Caller>,
    /// Social workers, by team (the same index as `supervisors`).
    social_workers: Vec<Vec<Caller>>,
    chairs: Vec<Caller>,
    police: Caller,
    health: Caller,
    school: Caller,
}

const STAFF_SETTING: &str = "generated-staff";

/// How many of each the county employs, from how many children become known a year.
#[derive(Debug, PartialEq, Eq)]
struct Establishment {
    frontdoor: usize,
    teams: usize,
    social_workers_per_team: usize,
    chairs: usize,
}

impl Establishment {
    fn for_county(children_a_year: usize) -> Establishment {
        Establishment {
            // About fifty referrals a working day at 13,000 a year; a worker screens ten.
            frontdoor: children_a_year.div_ceil(2_000).max(2),
            // One social worker for 30 children a year (caseload 15.4), six to a team.
            teams: children_a_year.div_ceil(30 * 6).max(3),
            social_workers_per_team: 6,
            // A chair holds about 300 conferences a year; about one child in six known
            // in a year has one, and most of those have reviews.
            chairs: children_a_year.div_ceil(1_500).max(2),
        }
    }
}

/// The names of the locality teams: north, south, east, west, central, then north-2...
fn locality(t: usize) -> String {
    const PLACES: [&str; 5] = ["north", "south", "east", "west", "central"];
    match t / PLACES.len() {
        0 => PLACES[t].to_string(),
        n => format!("{}-{}", PLACES[t % PLACES.len()], n + 1),
    }
}

fn title_case(slug: &str) -> String {
    let mut c = slug.chars();
    match c.next() {
        Some(f) => f
            .to_uppercase()
            .chain(c)
            .collect::<String>()
            .replace('-', " "),
        None => String::new(),
    }
}

fn ensure_staff(app: &App, rng: &mut StdRng, size: &Establishment) -> Result<Staff, AppError> {
    let users = app.store.users()?;
    let find = |prefix: &str| -> Vec<UserRow> {
        let mut v: Vec<UserRow> = users
            .iter()
            .filter(|u| u.username.starts_with(prefix) && u.active)
            .cloned()
            .collect();
        v.sort_by(|a, b| a.username.cmp(&b.username));
        v
    };
    if app.store.setting(STAFF_SETTING)?.is_none() {
        let agency = |name: &str, kind: &str| AgencyRow {
            id: AgencyId(uuid::Uuid::now_v7()),
            name: name.into(),
            kind: kind.into(),
        };
        let csc = agency(
            "County Council Children's Services",
            "childrens-social-care",
        );
        let police = agency("County Police", "police");
        let health = agency("County Community Health NHS Trust", "health");
        let school = agency("County Schools", "education");
        for a in [&csc, &police, &health, &school] {
            app.store.put_agency(a)?;
        }
        let team = |name: &str| TeamRow {
            id: TeamId(uuid::Uuid::now_v7()),
            agency: csc.id,
            name: name.into(),
        };
        let front_door = team("Front Door");
        let conferences = team("Conference and Review Service");
        let localities: Vec<(String, TeamRow)> = (0..size.teams)
            .map(|t| {
                let slug = locality(t);
                let row = team(&format!("{} Locality Team", title_case(&slug)));
                (slug, row)
            })
            .collect();
        for t in [&front_door, &conferences]
            .into_iter()
            .chain(localities.iter().map(|(_, t)| t))
        {
            app.store.put_team(t)?;
        }
        let mut add = |username: String, role: Role, agency: &AgencyRow, team: Option<&TeamRow>| {
            app.create_user(
                None,
                &NewUserInput {
                    username,
                    display_name: format!("{} {}", names::given_name(rng), names::family_name(rng)),
                    role: role.id().into(),
                    agency: agency.id.to_string(),
                    team: team.map(|t| t.id.to_string()).unwrap_or_default(),
                },
            )
            .map(|_| ())
        };
        for i in 1..=size.frontdoor {
            add(
                format!("gen-frontdoor-{i}"),
                Role::FrontDoorWorker,
                &csc,
                Some(&front_door),
            )?;
        }
        for (slug, team) in &localities {
            add(
                format!("gen-supervisor-{slug}"),
                Role::PracticeSupervisor,
                &csc,
                Some(team),
            )?;
            for i in 1..=size.social_workers_per_team {
                add(
                    format!("gen-sw-{slug}-{i}"),
                    Role::SocialWorker,
                    &csc,
                    Some(team),
                )?;
            }
        }
        for i in 1..=size.chairs {
            add(
                format!("gen-chair-{i}"),
                Role::ConferenceChair,
                &csc,
                Some(&conferences),
            )?;
        }
        add(
            "gen-police".into(),
            Role::PartnerPractitioner,
            &police,
            None,
        )?;
        add(
            "gen-health".into(),
            Role::PartnerPractitioner,
            &health,
            None,
        )?;
        add(
            "gen-school".into(),
            Role::PartnerPractitioner,
            &school,
            None,
        )?;
        let partnership = agency("County Safeguarding Children Partnership", "partnership");
        app.store.put_agency(&partnership)?;
        add(
            "gen-partnership".into(),
            Role::PartnershipManager,
            &partnership,
            None,
        )?;
        app.store.put_setting(STAFF_SETTING, "1")?;
        return ensure_staff(app, rng, size);
    }
    // The staff made on the first run, however many teams that was: each supervisor's
    // team is the social workers who share it.
    let caller = |u: &UserRow| app.caller_for(u, "generate");
    let all = |prefix: &str| -> Result<Vec<Caller>, AppError> {
        find(prefix).iter().map(caller).collect()
    };
    let one = |name: &str| -> Result<Caller, AppError> {
        let u = find(name)
            .into_iter()
            .next()
            .ok_or_else(|| AppError::Internal(format!("no user {name}")))?;
        caller(&u)
    };
    let social_workers = find("gen-sw-");
    let mut supervisors = Vec::new();
    let mut teams = Vec::new();
    for s in find("gen-supervisor-") {
        let team: Vec<Caller> = social_workers
            .iter()
            .filter(|w| w.team.is_some() && w.team == s.team)
            .map(caller)
            .collect::<Result<_, _>>()?;
        if !team.is_empty() {
            supervisors.push(caller(&s)?);
            teams.push(team);
        }
    }
    Ok(Staff {
        frontdoor: all("gen-frontdoor-")?,
        supervisors,
        social_workers: teams,
        chairs: all("gen-chair-")?,
        police: one("gen-police")?,
        health: one("gen-health")?,
        school: one("gen-school")?,
    })
}

/// Generate `opts.children` children over `opts.years` years into `store`, calling
/// `progress` after each child with how many are done and the run's report so far.
pub fn generate(
    store: Arc<dyn Store>,
    profile: Profile,
    opts: &Options,
    progress: impl FnMut(usize, &Report) + Send,
) -> Result<Report, AppError> {
    let start = opts
        .until
        .with_year(opts.until.year() - opts.years as i32)
        .unwrap_or(opts.until - Duration::days(365 * opts.years as i64));
    let clock = Arc::new(StoryClock::new(noon(start)));
    let app = App::new(store, profile, clock.clone(), Settings::default())?;
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let size = Establishment::for_county(opts.children / opts.years.max(1) as usize);
    let staff = ensure_staff(&app, &mut rng, &size)?;
    let cal = app.calendar();
    let span = (opts.until - start).num_days().max(1);
    let next = AtomicUsize::new(0);
    let told = Mutex::new((0usize, Report::default(), progress));
    let tell = || {
        // Each thread's stories stand at their own moments.
        clock.stand(noon(start));
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= opts.children {
                return;
            }
            let mut rng = StdRng::seed_from_u64(child_seed(opts.seed, i));
            let mut report = Report::default();
            // Children become known evenly over the years.
            let first = cal.add_working_days(start + Duration::days(rng.gen_range(0..span)), 0);
            if first <= opts.until {
                let mut g = Gen {
                    app: &app,
                    clock: &clock,
                    cal: &cal,
                    staff: &staff,
                    rng: &mut rng,
                    until: opts.until,
                    la: &opts.la_code,
                    report: &mut report,
                };
                if let Err(e) = g.child(first) {
                    report.refused.push(format!("child {i}: {e}"));
                }
                report.children += 1;
            }
            let mut t = told.lock().expect("report lock");
            let (done, run, progress) = &mut *t;
            *done += 1;
            run.add(report);
            progress(*done, run);
        }
    };
    std::thread::scope(|s| {
        for _ in 1..opts.jobs.max(1) {
            s.spawn(tell);
        }
        tell();
    });
    let (_, report, _) = told.into_inner().expect("report lock");
    Ok(report)
}

/// Child `i`'s own random numbers: the same story whichever thread tells it.
fn child_seed(seed: u64, i: usize) -> u64 {
    // SplitMix64's finaliser over (seed, i): neighbouring children and neighbouring
    // seeds get unrelated streams.
    let mut z = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(
        (i as u64)
            .wrapping_add(1)
            .wrapping_mul(0xBF58_476D_1CE4_E5B9),
    );
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator's clock: each thread telling stories stands at its own moment, so
/// stories told side by side share one application (one matching index, one
/// calendar) without sharing a time.
struct StoryClock {
    id: u64,
    start: chrono::DateTime<Utc>,
}

thread_local! {
    /// The moment this thread stands at, and which clock set it.
    static MOMENT: Cell<Option<(u64, chrono::DateTime<Utc>)>> = const { Cell::new(None) };
}

impl StoryClock {
    fn new(start: chrono::DateTime<Utc>) -> StoryClock {
        static IDS: AtomicU64 = AtomicU64::new(1);
        StoryClock {
            id: IDS.fetch_add(1, Ordering::Relaxed),
            start,
        }
    }
    /// Stand this thread's clock at `t`.
    fn stand(&self, t: chrono::DateTime<Utc>) {
        MOMENT.with(|m| m.set(Some((self.id, t))));
    }
}

impl Clock for StoryClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        match MOMENT.with(|m| m.get()) {
            Some((id, t)) if id == self.id => t,
            _ => self.start,
        }
    }
}

fn noon(d: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(10, 0, 0).expect("time"))
}

struct Gen<'a> {
    app: &'a App,
    clock: &'a StoryClock,
    cal: &'a Calendar,
    staff: &'a Staff,
    rng: &'a mut StdRng,
    until: NaiveDate,
    la: &'a str,
    report: &'a mut Report,
}

/// Stop the story here: the next step would be after the end of history.
struct Later;

/// How a [`Later`] travels through `AppError` to the end of the child's story.
const LATER: &str = "later than the end of history";

impl From<Later> for AppError {
    fn from(_: Later) -> AppError {
        AppError::Conflict(LATER.into())
    }
}

impl<'a> Gen<'a> {
    /// Stand the clock at `d` (a working-hours moment in England), `m` minutes on.
    fn at(&self, d: NaiveDate, m: i64) -> Result<(), Later> {
        if d > self.until {
            return Err(Later);
        }
        self.clock.stand(noon(d) + Duration::minutes(m));
        Ok(())
    }
    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }
    fn pick<'b, T>(&mut self, v: &'b [T]) -> &'b T {
        &v[self.rng.gen_range(0..v.len())]
    }

    /// One child: their record, then referrals and what each led to.
    fn child(&mut self, first: NaiveDate) -> Result<(), AppError> {
        let fd = self.pick(&self.staff.frontdoor).clone();
        self.at(first, 0)?;
        let unborn = self.chance(0.03);
        let age_days: i64 = if unborn {
            0
        } else {
            self.rng.gen_range(1..(17 * 365))
        };
        let family = names::family_name(self.rng);
        let given = if unborn {
            "Unborn".to_string()
        } else {
            names::given_name(self.rng)
        };
        let dob = first - Duration::days(age_days);
        let school_age = age_days > 4 * 365;
        // Realistic gaps: some children have no NHS number recorded, a few school-age
        // children no pupil number yet.
        let input = PersonInput {
            kind: if unborn { "unborn-child" } else { "child" }.into(),
            given_name: given.clone(),
            family_name: family.clone(),
            date_of_birth: if unborn {
                String::new()
            } else {
                dob.to_string()
            },
            expected_date_of_delivery: if unborn {
                (first + Duration::days(self.rng.gen_range(60..200))).to_string()
            } else {
                String::new()
            },
            sex: if unborn {
                "unknown"
            } else {
                *self.pick(&["female", "male"])
            }
            .into(),
            nhs_number: if !unborn && self.chance(0.92) {
                names::test_nhs_number(self.rng)
            } else {
                String::new()
            },
            upn: if school_age && self.chance(0.97) {
                names::upn(self.rng, self.la, (dob.year() + 5).min(first.year()))
            } else {
                String::new()
            },
            postcode: names::postcode(self.rng),
            ethnicity: self.ethnicity().into(),
            disabilities: vec![if self.chance(0.12) {
                *self.pick(&[
                    "LD", "AUT", "COMM", "BEH", "MOB", "HEAR", "VIS", "PC", "HAND", "INC", "CON",
                    "DDA",
                ])
            } else {
                "NONE"
            }
            .into()],
        };
        let child = self.app.open_child_record(&fd, &input)?;
        let story = self.story(child, &input, first, dob, unborn);
        // The baby is born: recorded once the story so far is told (the case and any
        // plan carry on with the child, SET 2.6).
        if unborn {
            let edd: NaiveDate = input.expected_date_of_delivery.parse().expect("a date");
            let recorded = match &story {
                Ok(ended) => (*ended).max(edd),
                Err(_) => edd,
            };
            if recorded <= self.until {
                self.at(recorded, 400)?;
                let born = PersonInput {
                    kind: "child".into(),
                    given_name: names::given_name(self.rng),
                    date_of_birth: edd.to_string(),
                    expected_date_of_delivery: String::new(),
                    sex: (*self.pick(&["female", "male"])).into(),
                    nhs_number: names::test_nhs_number(self.rng),
                    ..input.clone()
                };
                self.app.record_child_details(&fd, child, &born)?;
            }
        }
        story.map(|_| ())
    }

    /// The child's referrals and what each led to; the day the last one ended.
    fn story(
        &mut self,
        child: PersonId,
        input: &PersonInput,
        first: NaiveDate,
        dob: NaiveDate,
        p_unborn: bool,
    ) -> Result<NaiveDate, AppError> {
        let mut when = first;
        let mut referrals = 0;
        loop {
            referrals += 1;
            let ended = match self.referral(child, input, when, referrals > 1) {
                Ok(ended) => ended,
                Err(AppError::Conflict(m)) if m == LATER => return Ok(self.until),
                Err(e) => return Err(e),
            };
            if referrals >= 4 {
                return Ok(ended);
            }
            // 22% come back within a year; a few more later.
            let gap = if self.chance(0.22) {
                self.rng.gen_range(20..365)
            } else if self.chance(0.12) {
                self.rng.gen_range(366..1500)
            } else {
                return Ok(ended);
            };
            when = self.cal.add_working_days(ended + Duration::days(gap), 0);
            // A child is under 18: no referral about them after 17 and a half. An unborn
            // child's story pauses at the expected date of delivery: the birth is
            // recorded after it, and no referral describes a child as unborn long after
            // the baby was due (an implausible EDD is refused, issue 18).
            let edd = input.expected_date_of_delivery.parse::<NaiveDate>().ok();
            if when > self.until
                || (!p_unborn && when > dob + Duration::days(17 * 365 + 180))
                || (p_unborn && edd.is_some_and(|d| when > d))
            {
                return Ok(ended);
            }
        }
    }

    fn ethnicity(&mut self) -> &'static str {
        // Roughly the under-18 population of an English county.
        let r: f64 = self.rng.gen();
        match r {
            x if x < 0.70 => "WBRI",
            x if x < 0.76 => "WOTH",
            x if x < 0.80 => "MWBC",
            x if x < 0.83 => "MOTH",
            x if x < 0.86 => "AIND",
            x if x < 0.89 => "APKN",
            x if x < 0.91 => "BAFR",
            x if x < 0.92 => "BCRB",
            x if x < 0.93 => "WROM",
            x if x < 0.95 => "OOTH",
            x if x < 0.97 => "CHNE",
            _ => "NOBT",
        }
    }

    /// A referral about the child received on `day`, and all that follows. Returns the
    /// day the episode ended.
    fn referral(
        &mut self,
        child: PersonId,
        p: &PersonInput,
        day: NaiveDate,
        repeat: bool,
    ) -> Result<NaiveDate, AppError> {
        self.report.referrals += 1;
        if repeat {
            self.report.re_referrals += 1;
        }
        let (referrer_caller, referrer, channel) = match self.rng.gen_range(0..100) {
            0..=29 => (
                self.staff.police.clone(),
                professional("County Police", "police"),
                Channel::Api,
            ),
            30..=49 => (
                self.staff.school.clone(),
                professional("County Schools", "education"),
                Channel::OnlineForm,
            ),
            50..=69 => (
                self.staff.health.clone(),
                professional("County Community Health", "health"),
                Channel::OnlineForm,
            ),
            70..=84 => (
                self.pick(&self.staff.frontdoor).clone(),
                ReferrerInput {
                    kind: "member-of-public".into(),
                    name: names::given_name(self.rng),
                    phone: "01632 960 000".into(),
                    relationship_to_child: (*self.pick(&[
                        "grandmother",
                        "neighbour",
                        "aunt",
                        "father",
                    ]))
                    .into(),
                    share_identity: "no".into(),
                    ..Default::default()
                },
                Channel::Telephone,
            ),
            _ => (
                self.pick(&self.staff.frontdoor).clone(),
                professional("County Housing", "housing"),
                Channel::Telephone,
            ),
        };
        // The referrer's details of the child, with the small slips referrers make.
        let mut named = ChildInput {
            unborn: if p.kind == "unborn-child" {
                "yes"
            } else {
                "no"
            }
            .into(),
            given_name: p.given_name.clone(),
            family_name: p.family_name.clone(),
            date_of_birth: p.date_of_birth.clone(),
            expected_date_of_delivery: p.expected_date_of_delivery.clone(),
            sex: p.sex.clone(),
            postcode: p.postcode.clone(),
            mother: if p.kind == "unborn-child" {
                "0".into()
            } else {
                String::new()
            },
            ..Default::default()
        };
        if self.chance(0.05) && named.given_name.len() > 3 {
            named.given_name.pop();
        }
        let input = ReferralInput {
            referrer,
            children: vec![named],
            family: vec![FamilyMemberInput {
                relationship: "mother".into(),
                given_name: names::given_name(self.rng),
                family_name: p.family_name.clone(),
                lives_with_child: "yes".into(),
                ..Default::default()
            }],
            concern: ConcernInput {
                what_happened: "Synthetic concern for a generated child.".into(),
                seen_or_heard: "Generated.".into(),
                ..Default::default()
            },
            consent: ConsentInput {
                family_knows: "yes".into(),
                family_consents: "yes".into(),
                ..Default::default()
            },
            immediate_risk: "no".into(),
            // Where the partnership asks a written referral for its early help
            // assessment (NSCP §4.2), the generated ones say why there is none.
            prior_assessment: together_domain::referral::details::PriorAssessmentInput {
                why_none: "No early help assessment has been done (generated).".into(),
                ..Default::default()
            },
            signs_of_safety: SignsOfSafetyInput {
                worried_about: "Generated.".into(),
                scale: "4".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        let minute = self.rng.gen_range(0..300);
        self.at(day, minute)?;
        let details = input.parse(day)?;
        let (row, _) = self
            .app
            .receive_referral(&referrer_caller, details, channel, None, None)?;
        let rid = ReferralId(row.id);
        // Written referrals were acknowledged on receipt; the front door tells a caller
        // during the call, or (now and then) by email later that day (¶167).
        if channel == Channel::Telephone {
            let method = if self.chance(0.9) {
                AcknowledgementMethod::DuringContact
            } else {
                self.at(day, 320)?;
                AcknowledgementMethod::Email
            };
            self.app.act_on_referral(
                &referrer_caller,
                rid,
                ReferralCommand::Acknowledge { method },
                ThresholdSupport::default(),
            )?;
        }
        let fd = self.pick(&self.staff.frontdoor).clone();
        let team = self.rng.gen_range(0..self.staff.supervisors.len());
        let sup = self.staff.supervisors[team].clone();
        self.at(day, 330)?;
        self.app.link_referred_child(&fd, rid, 0, child)?;
        // The decision: within one working day, mostly (¶165).
        let decided = if self.chance(0.93) {
            day
        } else {
            self.cal.add_working_days(day, 2)
        };
        self.at(decided, 360)?;
        let r: f64 = self.rng.gen();
        let (outcomes, service, signposting) = if r < 0.08 {
            (
                vec![Outcome::NoFurtherAction],
                None,
                vec![Signpost::UniversalServices],
            )
        } else if r < 0.16 {
            (
                vec![Outcome::NoFurtherAction],
                Some(Service::FamilyHelp),
                vec![Signpost::FamilyHelp],
            )
        } else if r < 0.28 {
            (
                vec![Outcome::StrategyDiscussion],
                Some(Service::SocialCare),
                Vec::new(),
            )
        } else {
            (
                vec![Outcome::ChildInNeedAssessment],
                Some(Service::SocialCare),
                Vec::new(),
            )
        };
        let strategy = outcomes.contains(&Outcome::StrategyDiscussion);
        self.app.act_on_referral(
            &sup,
            rid,
            ReferralCommand::Decide(Box::new(DecideInput {
                outcomes,
                reasons: "Generated decision.".into(),
                signposting,
                strategy_by: strategy.then(|| self.cal.add_working_days(decided, 1)),
                override_reason: (decided != day).then(|| "Decided late: generated.".to_string()),
                ..Default::default()
            })),
            ThresholdSupport::default(),
        )?;
        let Some(service) = service else {
            return Ok(decided);
        };
        let need = if strategy {
            PrimaryNeed::N1
        } else {
            *self.pick(&[
                PrimaryNeed::N1,
                PrimaryNeed::N1,
                PrimaryNeed::N5,
                PrimaryNeed::N4,
                PrimaryNeed::N2,
                PrimaryNeed::N3,
                PrimaryNeed::N6,
                PrimaryNeed::N8,
                PrimaryNeed::N7,
            ])
        };
        let case = self.app.open_case_from_referral(
            &sup,
            rid,
            0,
            service,
            "Referral accepted",
            (service == Service::SocialCare).then_some(need),
        )?;
        self.report.cases += 1;
        let sw = self.pick(&self.staff.social_workers[team]).clone();
        self.at(decided, 380)?;
        self.app.act_on_case(
            &sup,
            case,
            Command::ProposeLead {
                to: self.app.practitioner(sw.actor_id)?,
                family_views: "No preference.".into(),
                handover: String::new(),
            },
        )?;
        self.at(decided, 390)?;
        self.app.act_on_case(
            &sw,
            case,
            Command::AnswerAllocation {
                accept: true,
                reason: String::new(),
            },
        )?;
        match service {
            Service::FamilyHelp => self.family_help(case, &sw, &sup, decided),
            Service::SocialCare if strategy => self.protection(case, &sw, &sup, decided),
            Service::SocialCare => self.assessment(case, &sw, &sup, decided),
        }
    }

    /// Family Help with the family's consent: assessment, plan, then closed.
    fn family_help(
        &mut self,
        case: CaseId,
        sw: &Caller,
        sup: &Caller,
        day: NaiveDate,
    ) -> Result<NaiveDate, AppError> {
        let d = self.cal.add_working_days(day, self.rng.gen_range(2..8));
        self.at(d, 0)?;
        self.app.act_on_case(
            sw,
            case,
            Command::RecordConsent {
                given: true,
                given_by: "Mother".into(),
                told: "What is recorded and shared, and why.".into(),
                on: d,
            },
        )?;
        self.app.act_on_case(
            sw,
            case,
            Command::StartAssessment {
                kind: AssessmentKind::FamilyHelp,
                started_on: d,
                about: String::new(),
                gestation_weeks: None,
                late_start_reason: String::new(),
            },
        )?;
        self.app.act_on_case(
            sw,
            case,
            Command::RecordChildSeen {
                assessment: 1,
                seen: ChildSeen {
                    on: d,
                    by: sw.display_name.clone(),
                    alone: SeenAlone::Alone,
                    note: String::new(),
                },
            },
        )?;
        let done = self.cal.add_working_days(d, self.rng.gen_range(5..20));
        self.at(done, 0)?;
        self.app.act_on_case(
            sw,
            case,
            Command::SaveAssessment {
                assessment: 1,
                record: record(),
            },
        )?;
        self.app.act_on_case(
            sw,
            case,
            Command::SubmitAssessment {
                assessment: 1,
                outcome: AssessmentOutcome::ContinueHelp,
                reasons: String::new(),
                child_not_seen_reason: String::new(),
                primary_need: None,
                factors: Vec::new(),
            },
        )?;
        self.app
            .act_on_case(sw, case, plan(PlanKind::FamilyHelp, done))?;
        let end = self.cal.add_working_days(done, self.rng.gen_range(40..120));
        self.end_plan_and_close(case, sw, sup, 1, end, "Family Help complete.")?;
        Ok(end)
    }

    /// A child and family assessment under section 17, then what it found.
    fn assessment(
        &mut self,
        case: CaseId,
        sw: &Caller,
        sup: &Caller,
        day: NaiveDate,
    ) -> Result<NaiveDate, AppError> {
        self.report.assessments += 1;
        let started = self.cal.add_working_days(day, self.rng.gen_range(0..3));
        self.at(started, 30)?;
        self.app.act_on_case(
            sw,
            case,
            Command::StartAssessment {
                kind: AssessmentKind::ChildAndFamily,
                started_on: started,
                about: String::new(),
                gestation_weeks: None,
                late_start_reason: String::new(),
            },
        )?;
        let seen = self.cal.add_working_days(started, self.rng.gen_range(1..6));
        self.at(seen, 0)?;
        let alone = if self.chance(0.8) {
            SeenAlone::Alone
        } else {
            SeenAlone::NotAlone {
                reason: "Too young to be seen alone.".into(),
            }
        };
        self.app.act_on_case(
            sw,
            case,
            Command::RecordChildSeen {
                assessment: 1,
                seen: ChildSeen {
                    on: seen,
                    by: sw.display_name.clone(),
                    alone,
                    note: String::new(),
                },
            },
        )?;
        // 45 working days from the referral (¶169): most within, some late.
        let days = if self.chance(0.85) {
            self.rng.gen_range(8..44)
        } else {
            self.rng.gen_range(46..80)
        };
        let done = self.cal.add_working_days(day, days).max(seen);
        self.at(done, 0)?;
        self.app.act_on_case(
            sw,
            case,
            Command::SaveAssessment {
                assessment: 1,
                record: record(),
            },
        )?;
        let r: f64 = self.rng.gen();
        let outcome = if r < 0.30 {
            AssessmentOutcome::NoFurtherAction
        } else if r < 0.45 {
            AssessmentOutcome::EarlyHelp
        } else {
            AssessmentOutcome::ChildInNeedPlan
        };
        let factors = self.factors(outcome == AssessmentOutcome::NoFurtherAction);
        self.app.act_on_case(
            sw,
            case,
            Command::SubmitAssessment {
                assessment: 1,
                outcome,
                reasons: "Generated: reasons shared with the family.".into(),
                child_not_seen_reason: String::new(),
                primary_need: None,
                factors,
            },
        )?;
        self.at(done, 60)?;
        let late = self.app.load_case(case)?.2.assessments[0]
            .due
            .is_some_and(|d| d.date() < done);
        self.app.act_on_case(
            sup,
            case,
            Command::AuthoriseAssessment {
                assessment: 1,
                late_reason: if late {
                    "Waiting for a health contribution.".into()
                } else {
                    String::new()
                },
            },
        )?;
        match outcome {
            AssessmentOutcome::NoFurtherAction => {
                self.app.act_on_case(
                    sup,
                    case,
                    Command::Close {
                        on: done,
                        reason: ClosureReason::RC8,
                        note: "No further action after assessment.".into(),
                    },
                )?;
                Ok(done)
            }
            AssessmentOutcome::EarlyHelp => {
                self.app.act_on_case(
                    sup,
                    case,
                    Command::Close {
                        on: done,
                        reason: ClosureReason::RC9,
                        note: "Referred to early help.".into(),
                    },
                )?;
                Ok(done)
            }
            _ => self.cin_plan(case, sw, sup, done),
        }
    }

    fn factors(&mut self, none: bool) -> Vec<AssessmentFactor> {
        use AssessmentFactor::*;
        if none && self.chance(0.6) {
            return vec![NoFactors];
        }
        let pool = [
            DomesticAbuseParent,
            MentalHealthParent,
            DrugsParent,
            AlcoholParent,
            Neglect,
            EmotionalAbuse,
            MentalHealthChild,
            LearningDisabilityChild,
            SociallyUnacceptableBehaviour,
            PhysicalAbuseAdultOnChild,
            Missing,
            CriminalExploitation,
            Other,
        ];
        let n = self.rng.gen_range(1..4);
        let mut f: Vec<_> = (0..n).map(|_| *self.pick(&pool)).collect();
        f.sort();
        f.dedup();
        f
    }

    /// A child in need plan, reviewed, then ended and the case closed.
    fn cin_plan(
        &mut self,
        case: CaseId,
        sw: &Caller,
        sup: &Caller,
        from: NaiveDate,
    ) -> Result<NaiveDate, AppError> {
        self.report.cin_plans += 1;
        let agreed = self.cal.add_working_days(from, self.rng.gen_range(1..10));
        self.at(agreed, 0)?;
        self.app
            .act_on_case(sw, case, plan(PlanKind::ChildInNeed, agreed))?;
        let months = self.rng.gen_range(3..13);
        let mut review = agreed;
        let end = self
            .cal
            .add_working_days(agreed + Duration::days(30 * months), 0);
        loop {
            review = self
                .cal
                .add_working_days(review + Duration::days(self.rng.gen_range(80..170)), 0);
            if review >= end {
                break;
            }
            self.at(review, 0)?;
            let scale = self.rng.gen_range(3..9);
            self.app.act_on_case(
                sw,
                case,
                Command::HoldMeeting {
                    plan: 1,
                    held_on: review,
                    attendees: vec![
                        together_domain::case::Attendee {
                            name: sw.display_name.clone(),
                            role: "social worker".into(),
                            agency: String::new(),
                        },
                        together_domain::case::Attendee {
                            name: "Mother".into(),
                            role: "mother".into(),
                            agency: String::new(),
                        },
                    ],
                    child_views: "Generated.".into(),
                    summary: "Reviewed.".into(),
                    scale: Some(scale),
                    next_review: Some(self.cal.add_months(review, 3)),
                    new_actions: Vec::new(),
                },
            )?;
        }
        self.end_plan_and_close(case, sw, sup, 1, end, "No longer in need.")?;
        Ok(end)
    }

    fn participants(&self, sw: &Caller) -> Result<Vec<Participant>, AppError> {
        let p = |c: &Caller, role: &str, kind: AgencyKind| -> Result<Participant, AppError> {
            let pr = self.app.practitioner(c.actor_id)?;
            Ok(Participant {
                name: pr.name,
                role: role.into(),
                agency: pr.agency_name,
                agency_kind: Some(kind),
                user: Some(c.actor_id),
            })
        };
        Ok(vec![
            p(sw, "social worker", AgencyKind::ChildrensSocialCare)?,
            p(
                &self.staff.police,
                "detective constable",
                AgencyKind::Police,
            )?,
            p(&self.staff.health, "named nurse", AgencyKind::Health)?,
        ])
    }

    /// Strategy discussion, section 47 enquiry, perhaps a conference and a plan.
    fn protection(
        &mut self,
        case: CaseId,
        sw: &Caller,
        sup: &Caller,
        day: NaiveDate,
    ) -> Result<NaiveDate, AppError> {
        let cp = |c: CpCommand| Command::Protection(Box::new(c));
        let people = self.participants(sw)?;
        let held = self
            .cal
            .add_working_days(day, if self.chance(0.9) { 1 } else { 3 });
        self.at(held, 60)?;
        let held_at: NaiveDateTime = held.and_hms_opt(11, 0, 0).expect("time");
        let s47 = self.chance(0.85);
        self.app.act_on_case(
            sup,
            case,
            cp(CpCommand::HoldStrategy {
                number: 1,
                held_at,
                attendees: people.clone(),
                attendance_override: String::new(),
                information: "Generated.".into(),
                initiate_s47: Some(s47),
                s47_reason: "Reasonable cause to suspect significant harm.".into(),
                criminal_investigation: "None.".into(),
                immediate_actions: Vec::new(),
                legal_action: "None.".into(),
                share_with_family: "That enquiries are being made.".into(),
                withhold_from_family: String::new(),
                agency_decisions: Vec::new(),
            }),
        )?;
        if !s47 {
            return self.assessment(case, sw, sup, held);
        }
        self.report.enquiries += 1;
        self.app.act_on_case(
            sw,
            case,
            Command::StartAssessment {
                kind: AssessmentKind::ChildAndFamilySection47,
                started_on: held,
                about: String::new(),
                gestation_weeks: None,
                late_start_reason: String::new(),
            },
        )?;
        self.report.assessments += 1;
        let seen = self.cal.add_working_days(held, 1);
        self.at(seen, 0)?;
        self.app.act_on_case(
            sw,
            case,
            Command::RecordChildSeen {
                assessment: 1,
                seen: ChildSeen {
                    on: seen,
                    by: sw.display_name.clone(),
                    alone: SeenAlone::Alone,
                    note: String::new(),
                },
            },
        )?;
        self.app.act_on_case(
            sw,
            case,
            cp(CpCommand::RecordS47Task {
                enquiry: 1,
                task: S47Task::ChildSeenAlone,
                on: seen,
                note: "Seen alone.".into(),
            }),
        )?;
        let substantiated = self.chance(0.45);
        let outcome_day = self.cal.add_working_days(held, self.rng.gen_range(4..10));
        self.at(outcome_day, 0)?;
        self.app.act_on_case(
            sw,
            case,
            cp(CpCommand::RecommendS47 {
                enquiry: 1,
                finding: S47Finding {
                    substantiated,
                    reasons: "Generated.".into(),
                    discussed_with_family: if substantiated {
                        String::new()
                    } else {
                        "Discussed at home with both parents.".into()
                    },
                    onward_support: if substantiated {
                        String::new()
                    } else {
                        "Child in need support.".into()
                    },
                    fgc_offered: !substantiated,
                },
            }),
        )?;
        self.at(outcome_day, 30)?;
        self.app.act_on_case(
            sup,
            case,
            cp(CpCommand::CountersignS47 {
                enquiry: 1,
                expected_delivery: None,
            }),
        )?;
        // The assessment completes with the enquiry.
        self.app.act_on_case(
            sw,
            case,
            Command::SaveAssessment {
                assessment: 1,
                record: record(),
            },
        )?;
        let factors = self.factors(false);
        self.app.act_on_case(
            sw,
            case,
            Command::SubmitAssessment {
                assessment: 1,
                outcome: if substantiated {
                    AssessmentOutcome::StrategyDiscussion
                } else {
                    AssessmentOutcome::ChildInNeedPlan
                },
                reasons: "Generated.".into(),
                child_not_seen_reason: String::new(),
                primary_need: None,
                factors,
            },
        )?;
        self.at(outcome_day, 60)?;
        self.app.act_on_case(
            sup,
            case,
            Command::AuthoriseAssessment {
                assessment: 1,
                late_reason: String::new(),
            },
        )?;
        if !substantiated {
            return self.cin_plan(case, sw, sup, outcome_day);
        }
        // The initial conference: within 15 working days of the discussion, mostly.
        self.report.conferences += 1;
        let target = self.cal.add_working_days(held, 15);
        let on = if self.chance(0.8) {
            self.cal.add_working_days(held, self.rng.gen_range(8..15))
        } else {
            self.cal.add_working_days(target, self.rng.gen_range(1..8))
        };
        let on = on.max(self.cal.add_working_days(outcome_day, 1));
        let chair = self.pick(&self.staff.chairs).clone();
        self.at(outcome_day, 90)?;
        self.app.act_on_case(
            sup,
            case,
            cp(CpCommand::ScheduleConference {
                conference: 1,
                date: on,
                chair: Some(self.app.practitioner(chair.actor_id)?),
                chair_line_manages_lead: false,
                invitees: people.clone(),
                time: chrono::NaiveTime::from_hms_opt(10, 0, 0),
                place: "Civic Centre, room 2, or by video call".into(),
                late_reason: "The family could not attend an earlier date".into(),
                late_authorised_by: "Operational service manager".into(),
                late_consulted: "Police and health safeguarding leads".into(),
            }),
        )?;
        self.at(on, 0)?;
        let plan_made = self.chance(0.85);
        let categories = vec![*self.pick(&[
            HarmCategory::Neglect,
            HarmCategory::Neglect,
            HarmCategory::Emotional,
            HarmCategory::Emotional,
            HarmCategory::Physical,
            HarmCategory::Sexual,
        ])];
        let outcome = if plan_made {
            OutcomeInput::Plan {
                categories: categories.clone(),
                lead_social_worker: Some(self.app.practitioner(sw.actor_id)?),
                core_group: people.clone(),
                changes: vec![OutlineChange {
                    what: "Generated change.".into(),
                    by_how_much: "Generated.".into(),
                    by_when: on + Duration::days(90),
                }],
                core_group_every_weeks: 6,
                consider_proceedings: false,
            }
        } else {
            OutcomeInput::NoPlan {
                reasons: "Risks can be managed under a child in need plan.".into(),
            }
        };
        self.app.act_on_case(
            &chair,
            case,
            cp(CpCommand::HoldConference {
                conference: 1,
                held_on: on,
                attendees: people.clone(),
                views: Vec::new(),
                outcome,
                // Kept only if the conference is late by its own due date.
                late_reason: "The family asked for a later date.".into(),
                ongoing_support: "Generated.".into(),
                eighteenth_birthday: None,
            }),
        )?;
        if !plan_made {
            return self.cin_plan(case, sw, sup, on);
        }
        self.report.cp_plans += 1;
        // First core group within 10 working days.
        let core = self.cal.add_working_days(
            on,
            if self.chance(0.9) {
                self.rng.gen_range(3..10)
            } else {
                12
            },
        );
        self.at(core, 0)?;
        self.app.act_on_case(
            sw,
            case,
            cp(CpCommand::HoldCoreGroup {
                held_on: core,
                attendees: people.clone(),
                absent_views: String::new(),
                progress: "Generated.".into(),
                plan_changes: String::new(),
                next_by: None,
                new_actions: Vec::new(),
            }),
        )?;
        // Reviews at 3 months, then every 6 months; the plan ends at one of them.
        let r: f64 = self.rng.gen();
        let reviews = if r < 0.25 {
            1
        } else if r < 0.60 {
            2
        } else if r < 0.82 {
            3
        } else if r < 0.95 {
            4
        } else {
            5
        };
        let mut last = on;
        for n in 0..reviews {
            let due = if n == 0 {
                self.cal.add_months(on, 3)
            } else {
                self.cal.add_months(last, 6)
            };
            let mut day = if self.chance(0.92) {
                due - Duration::days(self.rng.gen_range(0..7))
            } else {
                due + Duration::days(self.rng.gen_range(1..10))
            };
            while !self.cal.is_working_day(day) {
                day = day.pred_opt().expect("day");
            }
            let day = day.max(self.cal.add_working_days(last, 1));
            let number = n + 2;
            let chair = self.pick(&self.staff.chairs).clone();
            self.at(last.max(day - Duration::days(14)), 120)?;
            self.app.act_on_case(
                sup,
                case,
                cp(CpCommand::ScheduleConference {
                    conference: number,
                    date: day,
                    chair: Some(self.app.practitioner(chair.actor_id)?),
                    chair_line_manages_lead: false,
                    invitees: people.clone(),
                    time: chrono::NaiveTime::from_hms_opt(10, 0, 0),
                    place: "Civic Centre, room 2, or by video call".into(),
                    late_reason: "The family could not attend an earlier date".into(),
                    late_authorised_by: "Operational service manager".into(),
                    late_consulted: "Police and health safeguarding leads".into(),
                }),
            )?;
            self.at(day, 0)?;
            let last_one = n + 1 == reviews;
            self.app.act_on_case(
                &chair,
                case,
                cp(CpCommand::HoldConference {
                    conference: number,
                    held_on: day,
                    attendees: people.clone(),
                    views: Vec::new(),
                    outcome: if last_one {
                        OutcomeInput::Discontinue {
                            reason: EndReason::NoLongerAtRisk,
                        }
                    } else {
                        OutcomeInput::Plan {
                            categories: categories.clone(),
                            lead_social_worker: Some(self.app.practitioner(sw.actor_id)?),
                            core_group: people.clone(),
                            changes: vec![OutlineChange {
                                what: "Generated change.".into(),
                                by_how_much: "Generated.".into(),
                                by_when: day + Duration::days(120),
                            }],
                            core_group_every_weeks: 6,
                            consider_proceedings: false,
                        }
                    },
                    // Kept only if the conference is late by its own due date.
                    late_reason: "Chair unavailable.".into(),
                    ongoing_support: "Child in need plan.".into(),
                    eighteenth_birthday: None,
                }),
            )?;
            last = day;
        }
        // After the plan, a child in need plan, then closure.
        self.cin_plan_numbered(case, sw, sup, last)
    }

    /// The plan's outcomes are met: it ends, and the case closes (RC7) the same day.
    fn end_plan_and_close(
        &mut self,
        case: CaseId,
        sw: &Caller,
        sup: &Caller,
        plan: u32,
        end: NaiveDate,
        note: &str,
    ) -> Result<(), AppError> {
        self.at(end, 0)?;
        self.app.act_on_case(
            sw,
            case,
            Command::EndPlan {
                plan,
                on: end,
                reason: "Outcomes met.".into(),
            },
        )?;
        self.at(end, 10)?;
        self.app.act_on_case(
            sup,
            case,
            Command::Close {
                on: end,
                reason: ClosureReason::RC7,
                note: note.into(),
            },
        )?;
        Ok(())
    }

    /// A child in need plan after a child protection plan (a new plan number).
    fn cin_plan_numbered(
        &mut self,
        case: CaseId,
        sw: &Caller,
        sup: &Caller,
        from: NaiveDate,
    ) -> Result<NaiveDate, AppError> {
        self.report.cin_plans += 1;
        let agreed = self.cal.add_working_days(from, 1);
        self.at(agreed, 0)?;
        self.app
            .act_on_case(sw, case, plan(PlanKind::ChildInNeed, agreed))?;
        let number = self
            .app
            .load_case(case)?
            .2
            .plans
            .last()
            .map(|p| p.number)
            .unwrap_or(1);
        let end = self
            .cal
            .add_working_days(agreed + Duration::days(self.rng.gen_range(60..180)), 0);
        self.end_plan_and_close(case, sw, sup, number, end, "No longer in need.")?;
        Ok(end)
    }
}

fn professional(agency: &str, kind: &str) -> ReferrerInput {
    ReferrerInput {
        kind: "professional".into(),
        name: "Generated Referrer".into(),
        job_title: "Designated safeguarding lead".into(),
        agency_name: agency.into(),
        agency_kind: kind.into(),
        email: "referrer@example.org".into(),
        ..Default::default()
    }
}

fn record() -> AssessmentRecord {
    AssessmentRecord {
        child_developmental_needs: "Generated.".into(),
        parenting_capacity: "Generated.".into(),
        family_and_environment: "Generated.".into(),
        wishes_and_feelings: "Generated.".into(),
        parents_views: "Generated.".into(),
        analysis: "Generated.".into(),
    }
}

fn plan(kind: PlanKind, agreed: NaiveDate) -> Command {
    Command::MakePlan {
        kind,
        agreed_on: agreed,
        outcomes: vec!["Generated outcome".into()],
        services: vec!["Generated service".into()],
        family_views: "Made with the family.".into(),
        actions: vec![ActionInput {
            what: "Generated action".into(),
            owner: Some(together_domain::case::Owner::Named {
                name: "Mother".into(),
            }),
            by: Some(agreed + Duration::days(28)),
        }],
        // The profile's interval is at most six months (SET 2.5.26): review in three.
        next_review: Some(agreed + Duration::days(90)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::ProfileSource;

    #[test]
    fn the_establishment_grows_with_the_county() {
        // A small partnership: the floor (three teams, two at the front door and two
        // chairs), as the demo and the tests use.
        let small = Establishment::for_county(20);
        assert_eq!(
            small,
            Establishment {
                frontdoor: 2,
                teams: 3,
                social_workers_per_team: 6,
                chairs: 2
            }
        );
        // The benchmark county: 100,000 children over ten years, 10,000 a year: 334
        // social workers at 30 children a year each (caseload 15.4), 56 teams.
        let county = Establishment::for_county(10_000);
        assert_eq!(county.teams, 56);
        assert_eq!(county.frontdoor, 5);
        assert_eq!(county.chairs, 7);
        let workers = county.teams * county.social_workers_per_team;
        assert!((10_000 / workers).abs_diff(30) <= 1, "{workers}");
    }

    #[test]
    fn localities_are_named_in_turn_and_never_twice() {
        let names: Vec<String> = (0..12).map(locality).collect();
        assert_eq!(
            &names[..6],
            ["north", "south", "east", "west", "central", "north-2"]
        );
        assert_eq!(names[10], "north-3");
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        assert_eq!(title_case("north-2"), "North 2");
    }

    #[test]
    fn a_county_is_staffed_once_and_read_back_by_team() {
        let dir = tempfile::tempdir().unwrap();
        let store = together_store::open(dir.path().join("s.db").to_str().unwrap()).unwrap();
        let clock = Arc::new(StoryClock::new(noon(
            NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        )));
        let app = App::new(
            store,
            ProfileSource::default().load("national").unwrap(),
            clock,
            Settings::default(),
        )
        .unwrap();
        let size = Establishment::for_county(1_200);
        assert_eq!(size.teams, 7);
        let staff = ensure_staff(&app, &mut StdRng::seed_from_u64(1), &size).unwrap();
        assert_eq!(staff.supervisors.len(), 7);
        assert!(staff.social_workers.iter().all(|t| t.len() == 6));
        assert_eq!(staff.frontdoor.len(), 2);
        // Each supervisor's team are the social workers of the same team.
        let users = app.store.users().unwrap();
        let team_of = |c: &Caller| users.iter().find(|u| u.id == c.actor_id).unwrap().team;
        for (s, team) in staff.supervisors.iter().zip(&staff.social_workers) {
            assert!(team.iter().all(|w| team_of(w) == team_of(s)));
        }
        // A second run on the same database finds the same staff, whatever its size.
        let again = ensure_staff(
            &app,
            &mut StdRng::seed_from_u64(2),
            &Establishment::for_county(20),
        )
        .unwrap();
        assert_eq!(again.supervisors.len(), 7);
        assert_eq!(app.store.users().unwrap().len(), users.len());
    }

    #[test]
    fn each_thread_stands_at_its_own_moment() {
        let t0 = noon(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
        let clock = StoryClock::new(t0);
        let other = StoryClock::new(t0);
        assert_eq!(clock.now(), t0);
        clock.stand(t0 + Duration::days(3));
        assert_eq!(clock.now(), t0 + Duration::days(3));
        // Another clock on this thread does not see it; another thread does not either.
        assert_eq!(other.now(), t0);
        std::thread::scope(|s| {
            s.spawn(|| {
                assert_eq!(clock.now(), t0);
                clock.stand(t0 + Duration::days(9));
                assert_eq!(clock.now(), t0 + Duration::days(9));
            });
        });
        assert_eq!(clock.now(), t0 + Duration::days(3));
    }

    #[test]
    fn children_have_their_own_random_numbers() {
        let mut seeds: Vec<u64> = (0..3)
            .flat_map(|seed| (0..10_000).map(move |i| child_seed(2026 + seed, i)))
            .collect();
        seeds.sort();
        seeds.dedup();
        assert_eq!(seeds.len(), 30_000);
    }
}
