//! Timeliness and effectiveness figures for managers (WT2026 ¶113: safeguarding
//! partners "should monitor the timeliness and effectiveness" of what they do; ¶44 on
//! the over- and under-representation of groups of children). Derived from the same
//! facts as the CIN census, for one collection year and, optionally, one team (the
//! team of the case's lead practitioner).
//!
//! Each table has its definition and the paragraph it serves. A partnership manager
//! sees aggregates only: caseloads come as a distribution, not by name, and no
//! override reason's text is shown. Exports suppress counts under 5.

use crate::kept_facts::{staff_fingerprint, FiguresKey, KeptYear};
use crate::{App, AppError, Caller};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};
use together_domain::access::Action;
use together_domain::case::assessment::Timeliness;
use together_domain::case::protection::ConferenceKind;
use together_domain::census::{Disability, Ethnicity};
use together_domain::ids::{TeamId, UserId};
use together_domain::person::{PersonKind, Sex};
use together_domain::role::Role;
use together_returns::census::{ChildFacts, CollectionYear};

/// One table of figures: rows of counts under named columns.
#[derive(Clone, Debug)]
pub struct Table {
    pub id: &'static str,
    pub title: &'static str,
    /// How it is counted.
    pub definition: &'static str,
    /// The paragraph it serves.
    pub citation: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<(String, Vec<u64>)>,
}

impl Table {
    fn new(
        id: &'static str,
        title: &'static str,
        definition: &'static str,
        citation: &'static str,
        columns: Vec<&'static str>,
    ) -> Table {
        Table {
            id,
            title,
            definition,
            citation,
            columns,
            rows: Vec::new(),
        }
    }
    fn row(mut self, label: impl Into<String>, v: Vec<u64>) -> Table {
        self.rows.push((label.into(), v));
        self
    }
    /// The rows as CSV, counts under 5 suppressed.
    pub fn csv(&self) -> String {
        let mut out = String::from("\"\"");
        for c in &self.columns {
            out.push_str(&format!(",\"{c}\""));
        }
        out.push('\n');
        for (label, v) in &self.rows {
            out.push_str(&format!("\"{}\"", label.replace('"', "\"\"")));
            for n in v {
                out.push(',');
                out.push_str(&together_returns::figures::suppressed(*n));
            }
            out.push('\n');
        }
        out
    }
}

/// The figures for a year (and a team).
#[derive(Clone, Debug)]
pub struct Figures {
    pub year: CollectionYear,
    /// When the facts these figures count were read from the records.
    pub as_at: chrono::DateTime<chrono::Utc>,
    pub team: Option<TeamId>,
    pub teams: Vec<(TeamId, String)>,
    pub tables: Vec<Table>,
}

#[derive(Default)]
struct Split {
    yes: u64,
    no: u64,
}

impl Split {
    fn add(&mut self, ok: bool) {
        if ok {
            self.yes += 1
        } else {
            self.no += 1
        }
    }
}

fn age_band(c: &ChildFacts, on: NaiveDate) -> &'static str {
    match c.details.date_of_birth {
        _ if c.details.kind == PersonKind::UnbornChild => "Unborn",
        None => "Not known",
        Some(b) => match on.years_since(b).unwrap_or(0) {
            0 => "Under 1",
            1..=4 => "1 to 4",
            5..=9 => "5 to 9",
            10..=15 => "10 to 15",
            _ => "16 and over",
        },
    }
}

impl App {
    /// The figures for `year` and, if given, one team.
    pub fn figures(
        &self,
        caller: &Caller,
        year: CollectionYear,
        team: Option<TeamId>,
    ) -> Result<Figures, AppError> {
        self.authorize(caller, Action::ViewPartnershipFigures)?;
        let kept = self.kept_census_facts(year)?;
        let users = self.store.users()?;
        let teams = self.store.teams()?;
        // Partnership managers see caseloads in bands, not by name.
        let banded = caller.role == Role::PartnershipManager;
        let key = FiguresKey {
            year: year.first,
            team,
            banded,
            facts: kept.generation,
            staff: staff_fingerprint(&users, &teams),
        };
        if let Some(f) = self.kept_figures(&key) {
            return Ok(f);
        }
        let f = self.count_figures(year, team, banded, &kept, users, teams)?;
        self.keep_figures(key, &f);
        Ok(f)
    }

    /// Work the figures out from the year's facts (see [`App::figures`]).
    fn count_figures(
        &self,
        year: CollectionYear,
        team: Option<TeamId>,
        banded: bool,
        kept: &KeptYear,
        users: Vec<together_store::UserRow>,
        teams: Vec<together_store::TeamRow>,
    ) -> Result<Figures, AppError> {
        let users: HashMap<UserId, (Option<TeamId>, String)> = users
            .into_iter()
            .map(|u| (u.id, (u.team, u.display_name)))
            .collect();
        let teams: Vec<(TeamId, String)> = teams.into_iter().map(|t| (t.id, t.name)).collect();
        let (facts, as_at) = (kept.facts.as_slice(), kept.as_at);
        let cal = self.calendar();
        let in_year = |d: NaiveDate| year.contains(d);
        let team_of = |u: Option<UserId>| u.and_then(|u| users.get(&u).and_then(|x| x.0));
        let mine = |u: Option<UserId>| team.is_none() || team_of(u) == team;

        let (mut decisions, mut rereferrals) = (Split::default(), Split::default());
        let mut overrides: BTreeMap<String, u64> = BTreeMap::new();
        let (mut assessments, mut seen_alone) = (Split::default(), Split::default());
        let mut extended_late: u64 = 0;
        let mut days_taken: BTreeMap<u8, u64> = BTreeMap::new();
        let (mut icpc, mut core, mut reviews) =
            (Split::default(), Split::default(), Split::default());
        let (mut second_plan, mut long_plan) = (Split::default(), Split::default());
        let mut categories: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut caseload: BTreeMap<UserId, u64> = BTreeMap::new();
        // Characteristics of children referred, and of children starting a plan.
        let mut groups: [BTreeMap<String, [u64; 2]>; 4] = Default::default();
        let mut count_child = |c: &ChildFacts, col: usize| {
            let d = &c.details;
            let age = age_band(c, year.end());
            let sex = match d.sex {
                Sex::Female => "Female",
                Sex::Male => "Male",
                Sex::Unknown => "Not known",
            };
            let eth = d.ethnicity.unwrap_or(Ethnicity::NOBT).label().to_string();
            let dis = if d.disabilities.is_empty() {
                "Not recorded"
            } else if d.disabilities == [Disability::None] {
                "No disability"
            } else {
                "One or more disabilities"
            };
            for (g, key) in
                groups
                    .iter_mut()
                    .zip([age.to_string(), sex.to_string(), eth, dis.to_string()])
            {
                g.entry(key).or_default()[col] += 1;
            }
        };
        let all_plan_starts = |c: &ChildFacts| -> Vec<NaiveDate> {
            c.cases
                .iter()
                .flat_map(|k| k.protection.plans.iter().map(|p| p.start))
                .collect()
        };

        for c in facts.iter() {
            let mut referred = false;
            for r in &c.referrals {
                if !in_year(r.received_on) {
                    continue;
                }
                // Referrals are the front door's: counted for every team.
                referred = true;
                rereferrals.add(r.repeat);
                if let Some(on_time) = r.decided_on_time {
                    decisions.add(on_time);
                }
                for o in &r.overrides {
                    *overrides.entry(o.clone()).or_default() += 1;
                }
            }
            if referred && team.is_none() {
                count_child(c, 0);
            }
            let starts = all_plan_starts(c);
            for k in &c.cases {
                let lead = k.lead_user();
                if !mine(lead) {
                    continue;
                }
                if referred
                    && team.is_some()
                    && k.referral_date >= year.start()
                    && k.referral_date <= year.end()
                {
                    count_child(c, 0);
                }
                if k.is_open() || k.closure.as_ref().is_some_and(|x| x.on > year.end()) {
                    if let Some(u) = lead {
                        if k.opened_at.date() <= year.end() {
                            *caseload.entry(u).or_default() += 1;
                        }
                    }
                }
                for a in k.assessments.iter().filter(|a| a.kind.in_census()) {
                    let Some(done) = a.completed_on else { continue };
                    if !in_year(done) {
                        continue;
                    }
                    // Against 45 working days, not an agreed extension (issue 16; ¶169):
                    // an extended assessment finished late is later, and shown beside.
                    let timing = a.timeliness(done);
                    assessments.add(timing == Timeliness::Within);
                    if timing == Timeliness::LateUnderExtension {
                        extended_late += 1;
                    }
                    seen_alone.add(a.seen_alone());
                    let wd = cal.working_days_between(a.clock_from, done);
                    let bucket = match wd {
                        0..=10 => 0,
                        11..=20 => 1,
                        21..=30 => 2,
                        31..=45 => 3,
                        46..=60 => 4,
                        _ => 5,
                    };
                    *days_taken.entry(bucket).or_default() += 1;
                }
                for conf in &k.protection.conferences {
                    let Some(rec) = &conf.record else { continue };
                    if !in_year(rec.held_on) {
                        continue;
                    }
                    let on_time = rec.held_on <= conf.due.date();
                    match conf.kind {
                        ConferenceKind::Initial | ConferenceKind::PreBirth => icpc.add(on_time),
                        ConferenceKind::Review => reviews.add(on_time),
                        ConferenceKind::TransferIn => {}
                    }
                }
                for p in &k.protection.plans {
                    if in_year(p.start) {
                        second_plan.add(starts.iter().any(|s| *s < p.start));
                        let cat = match p.initial_categories.as_slice() {
                            [one] => one.label(),
                            _ => "Multiple categories",
                        };
                        *categories.entry(cat).or_default() += 1;
                        // The first core group's rule (003 L1917), as the profile sets it.
                        let due = together_domain::process::due_by_required(
                            &self.profile,
                            "core-group-first",
                            p.start.and_time(chrono::NaiveTime::MIN),
                            &cal,
                        )
                        .due
                        .date();
                        core.add(p.core_groups.first().is_some_and(|g| g.held_on <= due));
                        count_child(c, 1);
                    }
                    if let Some(end) = &p.ended {
                        if in_year(end.on) {
                            long_plan.add(end.on >= p.start + chrono::Months::new(24));
                        }
                    }
                }
                if let Some(a) = k
                    .assessments
                    .iter()
                    .find(|a| a.late_reason.is_some() && a.completed_on.is_some_and(in_year))
                {
                    let _ = a;
                    *overrides
                        .entry("Assessment: completed after 45 working days, with a reason".into())
                        .or_default() += 1;
                }
                for conf in &k.protection.conferences {
                    if conf
                        .record
                        .as_ref()
                        .is_some_and(|r| r.late_reason.is_some() && in_year(r.held_on))
                    {
                        *overrides
                            .entry("Conference: held after its due date, with a reason".into())
                            .or_default() += 1;
                    }
                }
            }
        }

        let split =
            |t: Table, s: &Split, yes: &str, no: &str| t.row(yes, vec![s.yes]).row(no, vec![s.no]);
        let mut tables = vec![
            split(
                Table::new("referral-decisions", "Referral decisions within one working day", "Referrals received in the year whose decision was made by the referral-decision due time (one working day from receipt).", "WT2026 ¶165; profile rule referral-decision", vec!["Referrals"]),
                &decisions, "Within one working day", "Later",
            ),
            split(
                Table::new("assessments", "Assessments completed within 45 working days", "Child and family assessments authorised in the year within 45 working days of the referral. One finished later under an agreed extension is later, and counted again on the last row.", "WT2026 ¶169", vec!["Assessments"]),
                &assessments, "Within 45 working days", "Later",
            )
            .row("Of the later: within an agreed extension", vec![extended_late]),
            {
                let labels = ["0 to 10", "11 to 20", "21 to 30", "31 to 45", "46 to 60", "More than 60"];
                let mut t = Table::new("assessment-days", "Working days assessments took", "Working days from the referral (the clock's start) to authorisation, for assessments authorised in the year.", "WT2026 ¶169", vec!["Assessments"]);
                for (i, l) in labels.iter().enumerate() {
                    t = t.row(*l, vec![*days_taken.get(&(i as u8)).unwrap_or(&0)]);
                }
                t
            },
            split(
                Table::new("initial-conferences", "Initial conferences within 15 working days of the strategy discussion", "Initial (and pre-birth) conferences held in the year on or before their due date: 15 working days from the strategy discussion that began the enquiry.", "WT2026 ch.3 s4 'Initial child protection conference' (003 L1816)", vec!["Conferences"]),
                &icpc, "Within 15 working days", "Later",
            ),
            split(
                Table::new("first-core-groups", "First core group within 10 working days", "Child protection plans starting in the year whose first core group met within 10 working days of the initial conference.", "WT2026 ch.3 s4 'Child protection plan' (core group)", vec!["Plans"]),
                &core, "Within 10 working days", "Later, or not yet",
            ),
            split(
                Table::new("reviews", "Review conferences on time", "Review conferences held in the year on or before their due date (three months after the initial conference, then every six months).", "WT2026 ch.3 s4 'Child protection review conference'", vec!["Reviews"]),
                &reviews, "On time", "Late",
            ),
            split(
                Table::new("re-referrals", "Re-referrals within 12 months", "Referrals received in the year about a child referred in the 12 months before.", "WT2026 ¶113 (effectiveness); DfE Children in need", vec!["Referrals"]),
                &rereferrals, "Re-referral within 12 months", "First referral in 12 months",
            ),
            split(
                Table::new("second-plans", "Second or subsequent child protection plans", "Child protection plans starting in the year for a child who had been on a plan before.", "WT2026 ¶113 (effectiveness)", vec!["Plans"]),
                &second_plan, "Second or subsequent plan", "First plan",
            ),
            split(
                Table::new("long-plans", "Plans lasting two years or more", "Child protection plans ending in the year that had lasted two years or more.", "WT2026 ¶113 (effectiveness)", vec!["Plans"]),
                &long_plan, "Two years or more", "Under two years",
            ),
            {
                let mut t = Table::new("categories", "Plans by category of harm", "Child protection plans starting in the year, by initial category.", "WT2026 ch.3 s4 'Initial child protection conference' (categories)", vec!["Plans"]);
                for (k, v) in &categories {
                    t = t.row(*k, vec![*v]);
                }
                t
            },
            split(
                Table::new("seen-alone", "Children seen alone during assessments", "Assessments authorised in the year in which the child was seen alone (or with a trusted adult they asked for).", "WT2026 ¶162; SET 2.5.9", vec!["Assessments"]),
                &seen_alone, "Seen alone", "Not seen alone",
            ),
            {
                let mut t = Table::new("overrides", "Departures from should-rules", "Decisions in the year that departed from a 'should' rule, each with its recorded reason.", "WT2026 ¶6 (professional judgement)", vec!["Decisions"]);
                for (k, v) in &overrides {
                    t = t.row(k.clone(), vec![*v]);
                }
                t
            },
        ];
        // Caseloads: named for a team manager, a distribution for the partnership.
        let mut t = Table::new(
            "caseloads",
            "Caseload per lead practitioner",
            "Open cases at the end of the year (or now) by their lead practitioner.",
            "WT2026 ¶113; ¶171 (lead practitioner)",
            vec!["Open cases"],
        );
        if banded {
            let mut bands = [0u64; 5];
            for n in caseload.values() {
                bands[match n {
                    0..=5 => 0,
                    6..=10 => 1,
                    11..=15 => 2,
                    16..=20 => 3,
                    _ => 4,
                }] += 1;
            }
            t.columns = vec!["Practitioners"];
            for (l, n) in [
                "1 to 5 cases",
                "6 to 10 cases",
                "11 to 15 cases",
                "16 to 20 cases",
                "More than 20 cases",
            ]
            .iter()
            .zip(bands)
            {
                t = t.row(*l, vec![n]);
            }
        } else {
            for (u, n) in &caseload {
                let name = users
                    .get(u)
                    .map(|x| x.1.clone())
                    .unwrap_or_else(|| "Unknown".into());
                t = t.row(name, vec![*n]);
            }
        }
        tables.push(t);
        for (i, (id, title)) in [
            ("by-age", "Children by age"),
            ("by-sex", "Children by sex"),
            ("by-ethnicity", "Children by ethnicity"),
            ("by-disability", "Children by disability"),
        ]
        .into_iter()
        .enumerate()
        {
            let mut t = Table::new(id, title, "Children referred in the year, and children starting a child protection plan in it, so that over- and under-represented groups show.", "WT2026 ¶44, ¶113", vec!["Referred", "Starting a plan"]);
            for (k, v) in &groups[i] {
                t = t.row(k.clone(), v.to_vec());
            }
            tables.push(t);
        }
        Ok(Figures {
            year,
            as_at,
            team,
            teams,
            tables,
        })
    }
}
