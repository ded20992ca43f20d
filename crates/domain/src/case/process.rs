//! The case as a process of the kernel (issue 15). A case keeps its own table (the
//! census, the lists and the child's page read it) and child protection stays in its
//! log, but it is decided, applied, owes work and names its subjects through the same
//! trait as every process, so the app runs it on the kernel's path.

use super::decide::{decide, Command};
use super::state::{apply, Case, CaseEvent};
use super::work::work_items;
use crate::access::{Relationship, Standing};
use crate::calendar::Calendar;
use crate::ids::UserId;
use crate::process::{Context, Process, Refusal, Subject, WorkItem};
use crate::profile::Profile;
use crate::role::Role;
use chrono::NaiveDateTime;

/// The case process: Family Help or children's social care, and child protection.
pub struct CaseProcess;

impl Process for CaseProcess {
    const KIND: &'static str = "case";
    /// No case before its first event.
    type State = Option<Case>;
    type Command = Command;
    type Event = CaseEvent;

    fn decide(
        state: &Option<Case>,
        command: Command,
        ctx: &Context,
    ) -> Result<Vec<CaseEvent>, Refusal> {
        decide(state.as_ref(), command, ctx)
    }

    fn apply(state: Option<Case>, event: &CaseEvent) -> Option<Case> {
        apply(state, event)
    }

    /// Children's social care holds the case record (WT2026 ¶162–¶169); a partner
    /// practitioner takes part as a lead practitioner in Family Help (¶138), an owner of
    /// a plan's action, or someone invited to a meeting (issue 5).
    fn standing(role: Role) -> Standing {
        match role {
            Role::FrontDoorWorker
            | Role::SocialWorker
            | Role::PracticeSupervisor
            | Role::ConferenceChair => Standing::Holder,
            Role::PartnerPractitioner => Standing::Contributor,
            Role::PartnershipManager | Role::SystemAdministrator | Role::DataProtectionOfficer => {
                Standing::None
            }
        }
    }

    /// The lead practitioner of an open case is `Allocated`; the owner of an action
    /// still to do is a `Participant`; someone invited to a strategy discussion or a
    /// conference is `Invited` (they see that meeting's record, not the file).
    fn relationships(state: &Option<Case>, user: UserId) -> Vec<Relationship> {
        let Some(c) = state else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if c.is_open() && c.lead_user() == Some(user) {
            out.push(Relationship::Allocated);
        }
        let owns_action = c
            .actions()
            .map(|(_, a)| a)
            .chain(
                c.protection
                    .open_plan()
                    .map(|p| &p.actions[..])
                    .unwrap_or_default(),
            )
            .any(|a| a.done_on.is_none() && a.owner.user() == Some(user));
        if owns_action {
            out.push(Relationship::Participant);
        }
        let invited = c
            .protection
            .discussions
            .iter()
            .flat_map(|d| &d.invitees)
            .chain(c.protection.conferences.iter().flat_map(|x| &x.invitees))
            .any(|p| p.user == Some(user));
        if invited {
            out.push(Relationship::Invited);
        }
        out
    }

    fn is_started(state: &Option<Case>) -> bool {
        state.is_some()
    }

    fn event_type(event: &CaseEvent) -> &'static str {
        event.type_id()
    }

    fn title(event: &CaseEvent) -> String {
        event.title(None)
    }

    fn effective_at(event: &CaseEvent) -> NaiveDateTime {
        event.at
    }

    fn work(
        _id: uuid::Uuid,
        state: &Option<Case>,
        profile: &Profile,
        calendar: &Calendar,
    ) -> Vec<WorkItem> {
        state
            .as_ref()
            .map(|c| work_items(c, profile, calendar))
            .unwrap_or_default()
    }

    fn subjects(state: &Option<Case>) -> Vec<Subject> {
        state.iter().map(|c| Subject::child(c.child)).collect()
    }

    fn stage(state: &Option<Case>) -> String {
        match state {
            Some(c) if c.is_open() => "open",
            Some(_) => "closed",
            None => "not-opened",
        }
        .to_string()
    }

    fn summary(state: &Option<Case>) -> String {
        state
            .as_ref()
            .map(|c| c.service.label().to_string())
            .unwrap_or_default()
    }
}
