//! The process kernel (issue 15; design principle 11): what every statutory process
//! has in common, so that a new process — an allegation, an Encompass notice, a
//! serious incident, a child death review — is a module of its own and the store, the
//! work table, the trays and the access log know no process by name.
//!
//! A process has a kind, commands and events; [`Process::decide`] turns a command into
//! events or a [`Refusal`], and [`Process::apply`] folds an event into its state. From
//! its state it says what open work it owes ([`WorkItem`]: what, for whom, due by which
//! rule with its citation, and where it is done), whom it is about ([`Subject`]), a
//! summary for lists and its stage. All of it is pure: the time, the profile and the
//! calendar come in through [`Context`].

use crate::calendar::Calendar;
use crate::ids::{PersonId, TeamId, UserId};
use crate::profile::Profile;
use crate::referral::Actor;
use crate::timescale::Due;
use chrono::NaiveDateTime;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;

/// For whom a piece of work is: one person, a role's queue, or a team.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Owner {
    /// One practitioner (a lead practitioner, someone invited, an action's owner).
    Person(UserId),
    /// Everyone working a role's queue: "front-door", "supervisor", "designated-officer"...
    Queue(String),
    /// Everyone in one team.
    Team(TeamId),
}

impl Owner {
    /// The queue of practice supervisors: decisions, authorisations, allocation.
    pub fn supervisors() -> Owner {
        Owner::Queue("supervisor".into())
    }

    /// As the work table keys it: "user:<id>", "queue:<id>" or "team:<id>".
    pub fn key(&self) -> String {
        match self {
            Owner::Person(u) => format!("user:{u}"),
            Owner::Queue(q) => format!("queue:{q}"),
            Owner::Team(t) => format!("team:{t}"),
        }
    }

    /// From its key; `None` if it is not one.
    pub fn from_key(s: &str) -> Option<Owner> {
        let (kind, id) = s.split_once(':')?;
        match kind {
            "user" => id.parse().ok().map(Owner::Person),
            "queue" if !id.is_empty() => Some(Owner::Queue(id.to_string())),
            "team" => id.parse().ok().map(Owner::Team),
            _ => None,
        }
    }

    /// The person, if the work is one person's.
    pub fn person(&self) -> Option<UserId> {
        match self {
            Owner::Person(u) => Some(*u),
            _ => None,
        }
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// The queues whose work a role's tray holds: front door workers and the social workers
/// on duty with them work the front door's queue; practice supervisors their own and,
/// below it, the front door's (WT2026 ¶167: they decide within one working day).
pub fn role_queues(role: crate::role::Role) -> &'static [&'static str] {
    use crate::role::Role;
    match role {
        Role::FrontDoorWorker | Role::SocialWorker => &["front-door"],
        Role::PracticeSupervisor => &["front-door", "supervisor"],
        _ => &[],
    }
}

/// One thing a process still owes, for the work trays. Derived from the process's
/// state after every event, so a tray can never disagree with the record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItem {
    /// Stable within the process ("decide", "assessment-1", "invite-strategy-2-<user>").
    pub key: String,
    pub owner: Owner,
    /// The child the work is about, if one (the tray names them; the access decision
    /// counts work about a child as a part in the child's work).
    pub child: Option<PersonId>,
    pub title: String,
    pub due: Due,
    /// The timescale rule the due date comes from, as the profile names it.
    pub rule_id: Option<String>,
    pub citation: String,
    /// Where the work is done, as a path of the application ("/cases/<id>").
    pub link: String,
    /// To be done at once, before anything else waiting (a referral about a child at
    /// immediate risk, WT2026 ¶164, ¶168): trays show it first and mark it.
    pub urgent: bool,
}

impl WorkItem {
    /// The first instant the work is overdue, as wall-clock time in England: the
    /// midnight after a date-only deadline, or just after a date-time one.
    pub fn overdue_from(&self) -> NaiveDateTime {
        self.due.missed_from()
    }
}

/// When something is due by one of the profile's timescale rules, with the rule's id
/// and citation (design principle 4: no duration is written in code).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueBy {
    pub due: Due,
    pub rule_id: String,
    pub citation: String,
}

/// Due by rule `rule_id` of `profile`, counted from `start` on `calendar`; `None` if
/// the profile has no such rule (a process whose rule a profile lacks owes no dated
/// work: `together timescale list` shows what each profile holds).
pub fn due_by(
    profile: &Profile,
    rule_id: &str,
    start: NaiveDateTime,
    calendar: &Calendar,
) -> Option<DueBy> {
    let rule = profile.rule(rule_id)?;
    Some(DueBy {
        due: rule.due(start, calendar),
        rule_id: rule.id.clone(),
        citation: rule.citation.clone(),
    })
}

/// Due by rule `rule_id` of `profile`, for a rule the profile must hold
/// ([`crate::profile::REQUIRED_RULES`], checked when the profile is loaded). Were it
/// ever missing, the work is due at once rather than late, and says so.
pub fn due_by_required(
    profile: &Profile,
    rule_id: &str,
    start: NaiveDateTime,
    calendar: &Calendar,
) -> DueBy {
    due_by(profile, rule_id, start, calendar).unwrap_or_else(|| DueBy {
        due: Due::Date(start.date()),
        rule_id: rule_id.to_string(),
        citation: format!("rule {rule_id} is missing from the profile: due at once"),
    })
}

/// Who or what a process is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Subject {
    /// "child", "adult", "agency", "case", "referral" or another process's kind.
    pub kind: String,
    pub id: uuid::Uuid,
}

impl Subject {
    pub fn child(p: PersonId) -> Subject {
        Subject {
            kind: "child".into(),
            id: p.0,
        }
    }
}

/// What a command is decided with: now (wall-clock time in England), who acts, the
/// partnership's profile and its working-day calendar.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub now: NaiveDateTime,
    pub actor: Actor,
    pub profile: &'a Profile,
    pub calendar: &'a Calendar,
}

/// Why a command was not accepted, whatever the process. Each maps to one HTTP answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The actor's role may not do this (403; the app logs the refusal).
    #[error("{role} may not {action}", role = .role.label())]
    Forbidden {
        role: crate::role::Role,
        action: &'static str,
    },
    /// No such process, or no such part of it (404).
    #[error("{0}")]
    NotFound(String),
    /// Not in a state that allows this (409).
    #[error("{0}")]
    Conflict(String),
    /// A must-rule of the guidance forbids it (409, with the citation).
    #[error("{message} ({citation})")]
    Must { message: String, citation: String },
    /// Fields that cannot be accepted: each with the field's name and why (422). The
    /// same field checks as every form and API body (`validate`).
    #[error("{0}")]
    Invalid(crate::validate::ValidationErrors),
}

impl Refusal {
    /// One field's error.
    pub fn field(field: &str, message: impl Into<String>) -> Refusal {
        Refusal::Invalid(crate::validate::ValidationErrors::single(field, message))
    }
}

/// A statutory process, as the kernel runs it. The app runs every process the same
/// way: gate → load (replay the log) → decide → apply → seal → project → append.
pub trait Process: Sized + Send + Sync + 'static {
    /// Its kind, as the store, the access log and links name it ("allegation").
    const KIND: &'static str;
    /// Its state after its events; `Default` is the state before the first. Kept as
    /// JSON with the projection, for lists.
    type State: Default + Clone + Serialize + Send + 'static;
    type Command: Send + 'static;
    /// Its events, stored as JSON in the process's own hash-chained log.
    type Event: Serialize + DeserializeOwned + Clone + Send + 'static;

    /// The events a command makes, or why it is refused.
    fn decide(
        state: &Self::State,
        command: Self::Command,
        ctx: &Context,
    ) -> Result<Vec<Self::Event>, Refusal>;

    /// The state after one more event.
    fn apply(state: Self::State, event: &Self::Event) -> Self::State;

    /// How a role stands to processes of this kind: holds their records, may start one
    /// and see those it has a part in, or nothing (the one access decision reads it).
    fn standing(role: crate::role::Role) -> crate::access::Standing;

    /// How `user` stands to this process, from its state: they reported it
    /// (`Referrer`), own work in it (`Participant`), were invited to its meetings.
    fn relationships(state: &Self::State, user: UserId) -> Vec<crate::access::Relationship>;

    /// Whether the process has begun (a command to a process not begun must start it).
    fn is_started(state: &Self::State) -> bool;

    /// The event's type as its log names it ("allegation-received").
    fn event_type(event: &Self::Event) -> &'static str;

    /// The event's title in the chronology.
    fn title(event: &Self::Event) -> String;

    /// When the event happened, as wall-clock time in England.
    fn effective_at(event: &Self::Event) -> NaiveDateTime;

    /// What the process still owes, each item due by a rule of the profile counted on
    /// the calendar (work depends on what happened, never on who is looking or when).
    fn work(
        id: uuid::Uuid,
        state: &Self::State,
        profile: &Profile,
        calendar: &Calendar,
    ) -> Vec<WorkItem>;

    /// Whom it is about.
    fn subjects(state: &Self::State) -> Vec<Subject>;

    /// Its stage, for lists ("open", "closed"...).
    fn stage(state: &Self::State) -> String;

    /// What lists show of it. No name or date of birth: this may be logged.
    fn summary(state: &Self::State) -> String;

    /// The state after all of `events`.
    fn replay<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Self::State
    where
        Self::Event: 'a,
    {
        events
            .into_iter()
            .fold(Self::State::default(), |s, e| Self::apply(s, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn an_owner_survives_its_key() {
        for o in [
            Owner::Person(UserId::new_random()),
            Owner::Queue("front-door".into()),
            Owner::Team(TeamId::new_random()),
        ] {
            assert_eq!(Owner::from_key(&o.key()), Some(o));
        }
        for bad in ["", "user:", "user:x", "queue:", "team:nope", "robot:1"] {
            assert_eq!(Owner::from_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn work_is_overdue_from_the_midnight_after_its_day_or_just_after_its_instant() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(
            Due::Date(d).missed_from(),
            NaiveDate::from_ymd_opt(2027, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        );
        let t = d.and_hms_opt(17, 0, 0).unwrap();
        assert!(Due::DateTime(t).missed_from() > t);
    }
}
