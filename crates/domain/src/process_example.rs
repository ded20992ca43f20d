//! The kernel's worked example (docs/architecture.md): a small process, defined
//! outside the application, the store and the trays, that the kernel's tests run end to
//! end. It is not registered in Together; it shows the shape every process has.
//!
//! A partner practitioner tells children's social care of a concern about a child (a
//! "concern notice"); a practice supervisor acknowledges it within the profile's
//! `referral-decision` rule (WT2026 ¶167: one working day).

use crate::access::{Relationship, Standing};
use crate::calendar::Calendar;
use crate::ids::{PersonId, UserId};
use crate::process::{due_by, Context, Owner, Process, Refusal, Subject, WorkItem};
use crate::profile::Profile;
use crate::role::Role;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// The process.
pub struct ConcernNotice;

/// Its state.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Notice {
    pub child: Option<PersonId>,
    pub raised_by: Option<UserId>,
    pub raised_at: Option<NaiveDateTime>,
    pub acknowledged: bool,
}

/// Its commands.
pub enum Command {
    Raise { child: PersonId, concern: String },
    Acknowledge,
}

/// Its events.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    Raised {
        child: PersonId,
        by: UserId,
        at: NaiveDateTime,
        concern: String,
    },
    Acknowledged {
        by: UserId,
        at: NaiveDateTime,
    },
}

impl Process for ConcernNotice {
    const KIND: &'static str = "concern-notice";
    type State = Notice;
    type Command = Command;
    type Event = Event;

    fn decide(s: &Notice, c: Command, ctx: &Context) -> Result<Vec<Event>, Refusal> {
        match c {
            Command::Raise { child, concern } => {
                if s.child.is_some() {
                    return Err(Refusal::Conflict("already raised".into()));
                }
                if concern.trim().is_empty() {
                    return Err(Refusal::field("concern", "Say what the concern is"));
                }
                Ok(vec![Event::Raised {
                    child,
                    by: ctx.actor.user,
                    at: ctx.now,
                    concern,
                }])
            }
            Command::Acknowledge => {
                if ctx.actor.role != Role::PracticeSupervisor {
                    return Err(Refusal::Forbidden {
                        role: ctx.actor.role,
                        action: "acknowledge a concern notice",
                    });
                }
                if s.acknowledged {
                    return Err(Refusal::Conflict("already acknowledged".into()));
                }
                Ok(vec![Event::Acknowledged {
                    by: ctx.actor.user,
                    at: ctx.now,
                }])
            }
        }
    }

    fn apply(mut s: Notice, e: &Event) -> Notice {
        match e {
            Event::Raised { child, by, at, .. } => {
                s.child = Some(*child);
                s.raised_by = Some(*by);
                s.raised_at = Some(*at);
            }
            Event::Acknowledged { .. } => s.acknowledged = true,
        }
        s
    }

    fn standing(role: Role) -> Standing {
        match role {
            Role::SocialWorker | Role::PracticeSupervisor => Standing::Holder,
            Role::PartnerPractitioner => Standing::Contributor,
            _ => Standing::None,
        }
    }

    fn relationships(s: &Notice, user: UserId) -> Vec<Relationship> {
        if s.raised_by == Some(user) {
            vec![Relationship::Referrer]
        } else {
            vec![]
        }
    }

    fn is_started(s: &Notice) -> bool {
        s.child.is_some()
    }

    fn event_type(e: &Event) -> &'static str {
        match e {
            Event::Raised { .. } => "concern-raised",
            Event::Acknowledged { .. } => "concern-acknowledged",
        }
    }

    fn title(e: &Event) -> String {
        match e {
            Event::Raised { .. } => "Concern raised".into(),
            Event::Acknowledged { .. } => "Concern acknowledged".into(),
        }
    }

    fn effective_at(e: &Event) -> NaiveDateTime {
        match e {
            Event::Raised { at, .. } | Event::Acknowledged { at, .. } => *at,
        }
    }

    fn work(id: uuid::Uuid, s: &Notice, profile: &Profile, cal: &Calendar) -> Vec<WorkItem> {
        let (Some(at), false) = (s.raised_at, s.acknowledged) else {
            return vec![];
        };
        let Some(d) = due_by(profile, "referral-decision", at, cal) else {
            return vec![];
        };
        vec![WorkItem {
            key: "acknowledge".into(),
            owner: Owner::supervisors(),
            child: s.child,
            title: "Acknowledge the concern".into(),
            due: d.due,
            rule_id: Some(d.rule_id),
            citation: d.citation,
            link: format!("/concern-notices/{id}"),
            urgent: false,
        }]
    }

    fn subjects(s: &Notice) -> Vec<Subject> {
        s.child.map(Subject::child).into_iter().collect()
    }

    fn stage(s: &Notice) -> String {
        if s.acknowledged {
            "acknowledged"
        } else {
            "raised"
        }
        .into()
    }

    fn summary(s: &Notice) -> String {
        format!("Concern notice ({})", Self::stage(s))
    }
}
