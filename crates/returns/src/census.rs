//! The Children in Need census: which children, which episodes, which modules, for
//! one collection year, derived from the referrals and cases the app passes in.
//!
//! Decisions (docs/decisions.md, "Children in Need census"; docs/census.md):
//! - a *CIN episode* is a case's time in children's social care (from the referral, or
//!   from the step up of a Family Help case) to its closure or step down; Family Help
//!   alone is not a CIN episode;
//! - a referral decided "no further action" for a child is an episode of its own with
//!   `ReferralNFA` = true, closed on the decision's day with RC7 — unless the child
//!   already had an episode open that day, which the referral then belongs to;
//! - a module counts in the year if it was open at any time in it: completed modules
//!   finished before 1 April are left out, later dates are cut at 31 March;
//! - an assessment that ended unfinished when its case closed is left out (the census
//!   has no way to say "abandoned", and an unfinished one on a closed episode is an
//!   error, rule 8867);
//! - a child with a missing code the DfE requires is withheld from the return and
//!   listed with what to fix and where; everything else about them is still checked.

use chrono::{Datelike, NaiveDate};
use std::collections::HashSet;
use together_domain::case::assessment::AssessmentStage;
use together_domain::case::protection::{ConferenceKind, ConferenceOutcome, EndReason};
use together_domain::case::{Case, ClosureReason, PlanKind, Service};
use together_domain::census::{Disability, Ethnicity, PrimaryNeed, ReferralSource};
use together_domain::ids::{CaseId, PersonId};
use together_domain::person::{PersonDetails, PersonKind, Sex};
use together_domain::referral::ReferralId;

/// A collection year: 1 April to 31 March ("2025-26").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CollectionYear {
    /// The year the collection period starts (2025 for 2025-26).
    pub first: i32,
}

impl CollectionYear {
    /// "2025-26" (or "2025-2026", or "2025").
    pub fn parse(s: &str) -> Result<CollectionYear, String> {
        let s = s.trim();
        let (a, b) = s.split_once(['-', '/']).unwrap_or((s, ""));
        let first: i32 = a
            .parse()
            .map_err(|_| format!("'{s}' is not a collection year like 2025-26"))?;
        if !(2000..=2100).contains(&first) {
            return Err(format!("'{s}' is not a collection year like 2025-26"));
        }
        let next = first + 1;
        if !b.is_empty() && b != format!("{:02}", next % 100) && b != next.to_string() {
            return Err(format!(
                "'{s}': a collection year runs from one April to the next, like {first}-{:02}",
                next % 100
            ));
        }
        Ok(CollectionYear { first })
    }
    /// The year that contains `d` (on or after 1 April: that year's).
    pub fn containing(d: NaiveDate) -> CollectionYear {
        CollectionYear {
            first: if d.month() >= 4 {
                d.year()
            } else {
                d.year() - 1
            },
        }
    }
    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.first, 4, 1).expect("1 April")
    }
    /// 31 March: the census reference date.
    pub fn end(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.first + 1, 3, 31).expect("31 March")
    }
    pub fn label(self) -> String {
        format!("{}-{:02}", self.first, (self.first + 1) % 100)
    }
    /// The DfE's `Year`: the year the collection ends.
    pub fn dfe_year(self) -> i32 {
        self.first + 1
    }
    pub fn contains(self, d: NaiveDate) -> bool {
        self.start() <= d && d <= self.end()
    }
}

/// A referral about the child, as the census needs it.
#[derive(Clone, Debug)]
pub struct ReferralFacts {
    pub id: ReferralId,
    pub received_on: NaiveDate,
    pub source: ReferralSource,
    /// The decision in force, if made: its date and whether it was no further action.
    pub decided_on: Option<NaiveDate>,
    pub no_further_action: bool,
    /// A case was opened for this child from the referral.
    pub case_opened: bool,
    /// Decided by the `referral-decision` due time (for the dashboards).
    pub decided_on_time: Option<bool>,
    /// Within 12 months of an earlier referral about the child.
    pub repeat: bool,
    /// Should-rules the decision overrode, by label (for the dashboards).
    pub overrides: Vec<String>,
}

/// Everything the census needs of one child.
#[derive(Clone, Debug)]
pub struct ChildFacts {
    pub id: PersonId,
    pub details: PersonDetails,
    /// Every referral about the child that the year's episodes may need.
    pub referrals: Vec<ReferralFacts>,
    /// Every case of the child, any year (earlier plans count in
    /// `NumberOfPreviousCPP`).
    pub cases: Vec<Case>,
}

/// Where a problem is fixed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    ChildDetails(PersonId),
    /// A form of the case (`/cases/{id}/{form}`), or the case page for "".
    Case(CaseId, String),
    Referral(ReferralId),
}

impl Fix {
    pub fn href(&self) -> String {
        match self {
            Fix::ChildDetails(p) => format!("/children/{p}/details"),
            Fix::Case(c, f) if f.is_empty() => format!("/cases/{c}"),
            Fix::Case(c, f) => format!("/cases/{c}/{f}"),
            Fix::Referral(r) => format!("/referrals/{r}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub child: PersonId,
    /// Withholds the child's entry (an error the DfE would reject), or only a query.
    pub blocks: bool,
    pub message: String,
    pub fix: Fix,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub start: NaiveDate,
    pub internal_review: Option<NaiveDate>,
    pub authorised: Option<NaiveDate>,
    pub factors: Vec<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section47 {
    pub start: NaiveDate,
    pub icpc_target: NaiveDate,
    pub icpc: Option<NaiveDate>,
    pub icpc_not_required: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtectionPlan {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub initial_category: &'static str,
    pub latest_category: &'static str,
    pub previous_plans: u32,
    pub reviews: Vec<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Episode {
    pub referral_date: NaiveDate,
    pub source: &'static str,
    pub primary_need: Option<&'static str>,
    pub closure: Option<(NaiveDate, &'static str)>,
    /// An initial conference with no section 47 enquiry in the episode (a transfer in).
    pub icpc: Option<NaiveDate>,
    pub nfa: bool,
    pub assessments: Vec<Assessment>,
    pub cin_plans: Vec<(NaiveDate, Option<NaiveDate>)>,
    pub section47: Vec<Section47>,
    pub plans: Vec<ProtectionPlan>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CensusChild {
    pub person: PersonId,
    pub la_child_id: String,
    pub upn: Option<String>,
    pub upn_unknown: Option<&'static str>,
    pub birth: Option<NaiveDate>,
    pub expected_birth: Option<NaiveDate>,
    pub sex: &'static str,
    pub death: Option<NaiveDate>,
    pub ethnicity: &'static str,
    pub disabilities: Vec<&'static str>,
    pub episodes: Vec<Episode>,
}

/// The return: the children in it, and the problems found.
#[derive(Clone, Debug)]
pub struct Return {
    pub year: CollectionYear,
    pub children: Vec<CensusChild>,
    /// Children withheld, with the problems that withheld them, and queries on
    /// children included. Oldest child first, by census id.
    pub problems: Vec<Problem>,
}

impl Return {
    pub fn withheld(&self) -> HashSet<PersonId> {
        self.problems
            .iter()
            .filter(|p| p.blocks)
            .map(|p| p.child)
            .collect()
    }
}

/// The child's census identifier: the record id's last 80 bits in base 36 (at most 16
/// characters, letters and digits only: rules 1570, 1580). Stable, and derived.
pub fn la_child_id(p: PersonId) -> String {
    let mut n = p.0.as_u128() & ((1u128 << 80) - 1);
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

/// Build the return for `year` from each child's facts.
pub fn build(year: CollectionYear, children: &[ChildFacts]) -> Return {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    for c in children {
        let mut mine = Vec::new();
        if let Some(entry) = child_entry(year, c, &mut mine) {
            if !ids.insert(entry.la_child_id.clone()) {
                mine.push(Problem {
                    child: c.id,
                    blocks: true,
                    message:
                        "Two records share this census identifier: merge the duplicate records"
                            .into(),
                    fix: Fix::ChildDetails(c.id),
                });
            }
            if !mine.iter().any(|p| p.blocks) {
                out.push(entry);
            }
        }
        problems.extend(mine);
    }
    out.sort_by(|a, b| a.la_child_id.cmp(&b.la_child_id));
    Return {
        year,
        children: out,
        problems,
    }
}

fn child_entry(
    year: CollectionYear,
    c: &ChildFacts,
    problems: &mut Vec<Problem>,
) -> Option<CensusChild> {
    let mut episodes = Vec::new();
    let mut spans: Vec<(NaiveDate, Option<NaiveDate>)> = Vec::new();
    for case in &c.cases {
        if let Some(e) = case_episode(year, c, case, problems) {
            spans.push((e.referral_date, e.closure.map(|x| x.0)));
            episodes.push(e);
        }
    }
    for r in &c.referrals {
        let Some(decided) = r.decided_on else {
            continue;
        };
        if !year.contains(r.received_on) || decided > year.end() {
            continue;
        }
        let inside_episode = spans
            .iter()
            .any(|(s, e)| *s <= r.received_on && e.is_none_or(|e| r.received_on <= e));
        if r.no_further_action {
            if inside_episode {
                continue;
            }
            episodes.push(Episode {
                referral_date: r.received_on,
                source: r.source.code(),
                primary_need: None,
                closure: Some((decided.max(r.received_on), ClosureReason::RC7.code())),
                icpc: None,
                nfa: true,
                assessments: Vec::new(),
                cin_plans: Vec::new(),
                section47: Vec::new(),
                plans: Vec::new(),
            });
        } else if !r.case_opened && !inside_episode {
            problems.push(Problem {
                child: c.id,
                blocks: true,
                message: format!(
                    "The referral of {} was decided for further action, but no case was opened for the child",
                    r.received_on.format("%-d %B %Y")
                ),
                fix: Fix::Referral(r.id),
            });
        }
    }
    if episodes.is_empty() {
        return None;
    }
    episodes.sort_by_key(|e| e.referral_date);

    let d = &c.details;
    // A child born after the reference date was unborn at it: the return says so
    // (rule 8520), with the date they were expected (or born) as the expected date.
    let born_later = d.date_of_birth.is_some_and(|b| b > year.end());
    let unborn = d.kind == PersonKind::UnbornChild || born_later;
    if d.disabilities.is_empty() {
        problems.push(Problem {
            child: c.id,
            blocks: true,
            message: "Record the child's disabilities, or 'No disability'".into(),
            fix: Fix::ChildDetails(c.id),
        });
    }
    if d.sex == Sex::Unknown && !unborn {
        problems.push(Problem {
            child: c.id,
            blocks: false,
            message: "The child's sex is recorded as not known".into(),
            fix: Fix::ChildDetails(c.id),
        });
    }
    // Help for a child ends at 18 (WT2026, Introduction: a child is anyone under 18);
    // an episode still open after then is a case to close (the DfE queries over-25s,
    // rule 8775Q).
    if let Some(b) = d.date_of_birth {
        let adult = b
            .checked_add_months(chrono::Months::new(18 * 12))
            .is_some_and(|a| a <= year.end());
        if adult && episodes.iter().any(|e| e.closure.is_none() && !e.nfa) {
            problems.push(Problem {
                child: c.id,
                blocks: false,
                message: "The child is 18 or over and their case is still open: close it, or record why help continues".into(),
                fix: Fix::Case(
                    c.cases.iter().rev().find(|k| k.is_open()).map(|k| k.id).unwrap_or(c.cases[0].id),
                    String::new(),
                ),
            });
        }
    }
    let all_nfa = episodes.iter().all(|e| e.nfa);
    let under_five = d
        .date_of_birth
        .map(|b| {
            b.checked_add_months(chrono::Months::new(60))
                .is_none_or(|f| f > year.end())
        })
        .unwrap_or(true);
    let upn_unknown = match &d.upn {
        Some(_) => None,
        None if all_nfa => Some("UN7"),
        None if under_five => Some("UN1"),
        None => {
            problems.push(Problem {
                child: c.id,
                blocks: false,
                message: "Record the child's unique pupil number (they are of school age)".into(),
                fix: Fix::ChildDetails(c.id),
            });
            None
        }
    };
    let death = c.cases.iter().find_map(|k| {
        k.closure
            .as_ref()
            .filter(|x| x.reason == ClosureReason::RC2)
            .map(|x| x.on)
            .or_else(|| {
                k.protection.plans.iter().find_map(|p| {
                    p.ended
                        .as_ref()
                        .filter(|e| e.reason == EndReason::Died)
                        .map(|e| e.on)
                })
            })
    });
    Some(CensusChild {
        person: c.id,
        la_child_id: la_child_id(c.id),
        upn: d
            .upn
            .as_ref()
            .filter(|_| !unborn)
            .map(|u| u.as_str().to_string()),
        upn_unknown,
        birth: if unborn { None } else { d.date_of_birth },
        expected_birth: if unborn {
            d.expected_date_of_delivery.or(d.date_of_birth)
        } else {
            None
        },
        // Rule 8750: an unborn child's sex is U.
        sex: match (unborn, d.sex) {
            (true, _) | (_, Sex::Unknown) => "U",
            (_, Sex::Female) => "F",
            (_, Sex::Male) => "M",
        },
        death: death.filter(|x| *x <= year.end()),
        ethnicity: d.ethnicity.unwrap_or(Ethnicity::NOBT).code(),
        disabilities: d
            .disabilities
            .iter()
            .map(|x: &Disability| x.code())
            .collect(),
        episodes,
    })
}

/// The case's CIN episode, if it has one in the year.
fn case_episode(
    year: CollectionYear,
    child: &ChildFacts,
    case: &Case,
    problems: &mut Vec<Problem>,
) -> Option<Episode> {
    // When it entered children's social care.
    let opened_as = match case.service_changes.first() {
        Some((_, to, _)) => {
            if *to == Service::SocialCare {
                Service::FamilyHelp
            } else {
                Service::SocialCare
            }
        }
        None => case.service,
    };
    let start = if opened_as == Service::SocialCare {
        case.referral_date
    } else {
        case.service_changes
            .iter()
            .find(|(_, to, _)| *to == Service::SocialCare)?
            .0
    };
    // When it left: closure, or a step down to Family Help that still stands.
    let has_statutory_work = !case.protection.plans.is_empty()
        || !case.protection.enquiries.is_empty()
        || case.plans.iter().any(|p| p.kind == PlanKind::ChildInNeed);
    let end = match &case.closure {
        Some(cl) => Some((cl.on, cl.reason.code())),
        None => match case.service_changes.last() {
            Some((on, Service::FamilyHelp, _))
                if case.service == Service::FamilyHelp && *on >= start =>
            {
                Some((
                    *on,
                    if has_statutory_work {
                        ClosureReason::RC7.code()
                    } else {
                        ClosureReason::RC9.code()
                    },
                ))
            }
            _ => None,
        },
    };
    if start > year.end() || end.is_some_and(|(e, _)| e < year.start()) {
        return None;
    }
    let closure = end.filter(|(e, _)| *e <= year.end());
    let in_year = |d: NaiveDate| year.contains(d);
    let to_year_end = |d: Option<NaiveDate>| d.filter(|x| *x <= year.end());

    // Assessments: the child and family assessment (s17 or s47, or pre-birth).
    let mut assessments = Vec::new();
    for a in case.assessments.iter().filter(|a| a.kind.in_census()) {
        if a.started_on > year.end() || a.stage == AssessmentStage::Ended {
            continue;
        }
        let done = a
            .completed_on
            .filter(|_| a.stage == AssessmentStage::Completed);
        match to_year_end(done) {
            Some(d) if d < year.start() => continue,
            Some(d) => {
                if a.factors.is_empty() {
                    problems.push(Problem {
                        child: child.id,
                        blocks: false,
                        message: format!(
                            "The assessment authorised on {} has no factors identified recorded",
                            d.format("%-d %B %Y")
                        ),
                        fix: Fix::Case(case.id, String::new()),
                    });
                }
                assessments.push(Assessment {
                    start: a.started_on,
                    internal_review: a.submitted_on.filter(|s| *s <= d),
                    authorised: Some(d),
                    factors: a.factors.iter().map(|f| f.code()).collect(),
                })
            }
            None => assessments.push(Assessment {
                start: a.started_on,
                internal_review: None,
                authorised: None,
                factors: Vec::new(),
            }),
        }
    }

    let cin_plans = case
        .plans
        .iter()
        .filter(|p| p.kind == PlanKind::ChildInNeed)
        .filter(|p| p.agreed_on <= year.end() && p.ended_on.is_none_or(|e| e >= year.start()))
        .map(|p| (p.agreed_on, to_year_end(p.ended_on)))
        .collect();

    // Section 47 enquiries and the initial conferences they led to.
    let initial: Vec<_> = case
        .protection
        .conferences
        .iter()
        .filter(|k| k.kind.is_initial())
        .filter_map(|k| Some((k.kind, k.record.as_ref()?.held_on)))
        .collect();
    let mut used = HashSet::new();
    let mut section47 = Vec::new();
    for q in &case.protection.enquiries {
        if q.initiated_on > year.end() {
            continue;
        }
        let icpc = initial
            .iter()
            .enumerate()
            .filter(|(i, (kind, held))| {
                !used.contains(i) && *kind != ConferenceKind::TransferIn && *held >= q.initiated_on
            })
            .min_by_key(|(_, (_, held))| *held)
            .map(|(i, (_, held))| (i, *held));
        let not_required = q
            .finding()
            .filter(|f| !f.substantiated)
            .and(q.countersigned.map(|(d, _)| d));
        let icpc = icpc.filter(|_| not_required.is_none());
        if let Some((i, _)) = icpc {
            used.insert(i);
        }
        let finished = icpc.map(|(_, d)| d).or(not_required);
        if finished.is_some_and(|d| d < year.start()) {
            continue;
        }
        section47.push(Section47 {
            start: q.initiated_on,
            icpc_target: q.icpc_due.date(),
            icpc: to_year_end(icpc.map(|(_, d)| d)),
            icpc_not_required: to_year_end(not_required).is_some(),
        });
    }
    // An initial conference not preceded by an enquiry here (a transfer in) is
    // recorded on the episode itself (rule 2884: in one place only).
    let icpc = initial
        .iter()
        .enumerate()
        .filter(|(i, (_, held))| !used.contains(i) && in_year(*held))
        .map(|(_, (_, held))| *held)
        .min();

    let all_plan_starts: Vec<NaiveDate> = child
        .cases
        .iter()
        .flat_map(|k| k.protection.plans.iter().map(|p| p.start))
        .collect();
    let reviews: Vec<NaiveDate> = case
        .protection
        .conferences
        .iter()
        .filter(|k| k.kind == ConferenceKind::Review)
        .filter_map(|k| {
            let r = k.record.as_ref()?;
            // A review that only recorded no plan is not a plan review.
            (!matches!(r.outcome, ConferenceOutcome::NoPlan { .. })).then_some(r.held_on)
        })
        .collect();
    let category = |c: &[together_domain::case::protection::HarmCategory]| match c {
        [one] => one.census_code(),
        _ => "MUL",
    };
    let plans = case
        .protection
        .plans
        .iter()
        .filter(|p| p.start <= year.end())
        .filter(|p| p.ended.as_ref().is_none_or(|e| e.on >= year.start()))
        .map(|p| {
            let end = p.ended.as_ref().map(|e| e.on);
            ProtectionPlan {
                start: p.start,
                end: to_year_end(end),
                initial_category: category(&p.initial_categories),
                latest_category: category(p.latest_categories()),
                previous_plans: all_plan_starts.iter().filter(|s| **s < p.start).count() as u32,
                reviews: reviews
                    .iter()
                    .copied()
                    .filter(|r| *r > p.start && end.is_none_or(|e| *r <= e) && in_year(*r))
                    .collect(),
            }
        })
        .collect();

    let source = case
        .referral
        .and_then(|id| child.referrals.iter().find(|r| r.id == id))
        .map(|r| r.source)
        .unwrap_or(if case.transferred_from.is_some() {
            ReferralSource::OtherLocalAuthority
        } else {
            ReferralSource::Unknown
        });
    let primary_need = case.primary_need.map(PrimaryNeed::code);
    if primary_need.is_none() {
        problems.push(Problem {
            child: child.id,
            blocks: true,
            message: "Record the child's primary need on their case".into(),
            fix: Fix::Case(case.id, "primary-need".into()),
        });
    }
    Some(Episode {
        referral_date: start,
        source: source.code(),
        primary_need,
        closure,
        icpc,
        nfa: false,
        assessments,
        cin_plans,
        section47,
        plans,
    })
}
