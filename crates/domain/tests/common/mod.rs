//! Shared by the case and child protection tests: the profiles, the actors, and `Run`,
//! which drives a case command by command as the app does.

#![allow(dead_code)] // each test file uses some of these

use chrono::{NaiveDate, NaiveDateTime};
use std::sync::OnceLock;
use together_domain::calendar::Calendar;
use together_domain::case::decide::ActionInput;
use together_domain::case::process::CaseProcess;
use together_domain::case::*;
use together_domain::case::{Actor, Practitioner, Service};
use together_domain::ids::{AgencyId, CaseId, PersonId, UserId};
use together_domain::process::Process;
use together_domain::profile::Profile;
use together_domain::role::Role;
use uuid::Uuid;

pub const NATIONAL: &str = include_str!("../../../../config/partnerships/national.toml");
pub const SET: &str = include_str!("../../../../config/partnerships/set.toml");

pub fn national() -> &'static Profile {
    static P: OnceLock<Profile> = OnceLock::new();
    P.get_or_init(|| Profile::national(NATIONAL).unwrap())
}
pub fn set() -> &'static Profile {
    static P: OnceLock<Profile> = OnceLock::new();
    P.get_or_init(|| Profile::local(SET, "set.toml", national()).unwrap())
}
#[allow(dead_code)] // not every test file uses it
pub fn liverpool() -> &'static Profile {
    static P: OnceLock<Profile> = OnceLock::new();
    P.get_or_init(|| {
        Profile::local(
            include_str!("../../../../config/partnerships/liverpool.toml"),
            "liverpool.toml",
            national(),
        )
        .unwrap()
    })
}
pub fn cal() -> &'static Calendar {
    static C: OnceLock<Calendar> = OnceLock::new();
    C.get_or_init(Calendar::england_and_wales)
}
pub fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}
pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub const SUPERVISOR: Actor = Actor {
    user: UserId(Uuid::from_u128(1)),
    role: Role::PracticeSupervisor,
};
pub const SOCIAL_WORKER: Actor = Actor {
    user: UserId(Uuid::from_u128(2)),
    role: Role::SocialWorker,
};
pub const SCHOOL_DSL: Actor = Actor {
    user: UserId(Uuid::from_u128(3)),
    role: Role::PartnerPractitioner,
};
pub const OTHER_PARTNER: Actor = Actor {
    user: UserId(Uuid::from_u128(4)),
    role: Role::PartnerPractitioner,
};

pub fn practitioner(a: Actor) -> Practitioner {
    Practitioner {
        user: a.user,
        name: format!("User {}", a.user.0.as_u128()),
        role: a.role,
        agency: AgencyId(Uuid::from_u128(a.user.0.as_u128() + 50)),
        agency_name: "Agency".into(),
    }
}

/// A case and its events, driven command by command as the app does.
pub struct Run {
    pub events: Vec<CaseEvent>,
    pub case: Option<Case>,
    pub profile: &'static Profile,
}

impl Run {
    pub fn new(profile: &'static Profile) -> Run {
        Run {
            events: Vec::new(),
            case: None,
            profile,
        }
    }
    pub fn try_do(
        &mut self,
        who: Actor,
        when: &str,
        cmd: Command,
    ) -> Result<Vec<CaseEvent>, Refusal> {
        let ctx = Context {
            now: at(when),
            actor: who,
            profile: self.profile,
            calendar: cal(),
        };
        // Through the kernel's trait, as the app runs every process (issue 15).
        let evs = <CaseProcess as Process>::decide(&self.case, cmd, &ctx)?;
        for e in &evs {
            self.case = <CaseProcess as Process>::apply(self.case.take(), e);
            self.events.push(e.clone());
        }
        self.case.as_ref().unwrap().check_invariants().unwrap();
        Ok(evs)
    }
    pub fn ok(&mut self, who: Actor, when: &str, cmd: Command) {
        if let Err(e) = self.try_do(who, when, cmd) {
            panic!("refused: {e:?}");
        }
    }
    pub fn case(&self) -> &Case {
        self.case.as_ref().unwrap()
    }
    pub fn work(&self) -> Vec<CaseWork> {
        open_work(self.case(), national(), cal())
    }
}

pub fn open(service: Service, referral_date: &str) -> Command {
    Command::Open {
        case: CaseId(Uuid::from_u128(9)),
        child: PersonId(Uuid::from_u128(10)),
        service,
        referral: None,
        referral_date: day(referral_date),
        local_authority: "Essex County Council".into(),
        reason: "Referral accepted for assessment".into(),
        reopens: None,
        transferred_from: None,
        primary_need: None,
    }
}

pub fn allocate(run: &mut Run, to: Actor, when: &str) {
    run.ok(
        SUPERVISOR,
        when,
        Command::ProposeLead {
            to: practitioner(to),
            family_views: "Mother asked for someone the children already know".into(),
            handover: "Handover: the history is on the record".into(),
        },
    );
    run.ok(
        to,
        when,
        Command::AnswerAllocation {
            accept: true,
            reason: String::new(),
        },
    );
}

pub fn action(what: &str, owner: Actor, by: &str) -> ActionInput {
    ActionInput {
        what: what.into(),
        owner: Some(Owner::User {
            user: owner.user,
            name: "Owner".into(),
            agency: AgencyId(Uuid::from_u128(owner.user.0.as_u128() + 50)),
            agency_name: "Agency".into(),
        }),
        by: Some(day(by)),
    }
}

/// What every process of the kernel owes the kernel (issue 15), checked on one history
/// of `P`: its state is the replay of its events; each event has a type, a title and
/// survives its JSON; its work is due by rules of `profile` with their citations and is
/// done somewhere; every role stands somewhere to it.
pub fn conforms<P>(events: &[P::Event], state: &P::State, profile: &Profile)
where
    P: together_domain::process::Process,
    P::State: PartialEq + std::fmt::Debug,
    P::Event: PartialEq + std::fmt::Debug,
{
    assert_eq!(
        &P::replay(events),
        state,
        "the state is the replay of the log"
    );
    assert!(P::is_started(state));
    assert!(!P::is_started(&P::State::default()));
    for e in events {
        assert!(!P::event_type(e).is_empty());
        assert!(!P::title(e).trim().is_empty(), "{e:?} has no title");
        let json = serde_json::to_string(e).expect("an event serialises");
        let back: P::Event = serde_json::from_str(&json).expect("and reads back");
        assert_eq!(&back, e);
    }
    let id = Uuid::from_u128(77);
    for w in P::work(id, state, profile, cal()) {
        assert!(!w.citation.trim().is_empty(), "{} has no citation", w.key);
        if let Some(rule) = &w.rule_id {
            assert!(
                profile.rule(rule).is_some(),
                "{} cites no rule {rule}",
                w.key
            );
        }
        assert!(w.link.starts_with('/'), "{} is done at {}", w.key, w.link);
    }
    assert!(!P::stage(state).is_empty());
    for role in Role::ALL {
        let _ = P::standing(role);
    }
}
