//! The one access decision (design principle 6).
//!
//! `authorize` is pure and total: every HTML and API handler reaches it through one
//! path in the application layer, which logs each decision about a child's record.
//! Role plus relationship: children's social care holds the record (WT2026 ¶163);
//! partner practitioners see the children they referred or take part in work about,
//! and only what has been shared with them (WT2026 ¶29–¶37); restricted records need
//! an explicit grant; break-glass access needs a reason and is reported.

use crate::role::Role;
use serde::Serialize;

/// What someone wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// See one's own home page and work tray.
    ViewHome,
    /// Find children by name or identifier ("is this child known?").
    SearchChildren,
    /// Open a new child's record.
    OpenChildRecord,
    /// Read a child's record.
    ViewChildRecord,
    /// Add an entry to a child's record.
    AppendToChildRecord,
    /// Correct an entry in a child's record.
    CorrectChildEntry,
    /// Restrict a record, or grant a named user access to a restricted one.
    RestrictChildRecord,
    /// Submit a referral (a partner agency's practitioner or system).
    SubmitReferral,
    /// Read a referral: the front door's triage view, or the referrer's own view of
    /// what they sent and its outcome (WT2026 ¶165).
    ViewReferral,
    /// Act on a referral: acknowledge, link children, record checks, recommend, decide,
    /// escalate, answer. The referral's own rules (`referral::decide`) then say which
    /// role may do which; this is the gate before them.
    WorkOnReferral,
    /// Work on a child's case (issue 4): allocation, assessments, plans, meetings,
    /// actions, transfer and closure. The case's own rules (`case::decide`) then say
    /// which role may do which; this is the gate before them.
    WorkOnCase,
    /// Read the record of a meeting one was invited to (a strategy discussion, a
    /// conference) — and only that, not the child's whole file (issue 5). The app then
    /// checks that the caller was invited to that meeting.
    ViewMeetingRecord,
    /// Manage users, teams and API clients.
    ManageUsers,
    /// Manage the calendar of proclaimed bank holidays and closures.
    ManageCalendar,
    /// Search the access log.
    ViewAccessLog,
    /// See aggregate figures for the partnership (no identifiable case data).
    ViewPartnershipFigures,
    /// Produce a statutory return for the Department for Education (the CIN census):
    /// identifiable, so only the partnership manager, and every one logged.
    ProduceReturns,
    /// Start a statutory process of the kernel's (an allegation, a notification): the
    /// process says who may ([`Standing`]); its own rules then say which command.
    StartProcess,
    /// Read a process's record.
    ViewProcess,
    /// Act on a process. The process's own rules (`Process::decide`) then say which
    /// role may do which; this is the gate before them.
    WorkOnProcess,
}

impl Action {
    pub const ALL: [Action; 20] = [
        Action::ViewHome,
        Action::SearchChildren,
        Action::OpenChildRecord,
        Action::ViewChildRecord,
        Action::AppendToChildRecord,
        Action::CorrectChildEntry,
        Action::RestrictChildRecord,
        Action::SubmitReferral,
        Action::ViewReferral,
        Action::WorkOnReferral,
        Action::WorkOnCase,
        Action::ViewMeetingRecord,
        Action::ManageUsers,
        Action::ManageCalendar,
        Action::ViewAccessLog,
        Action::ViewPartnershipFigures,
        Action::ProduceReturns,
        Action::StartProcess,
        Action::ViewProcess,
        Action::WorkOnProcess,
    ];

    /// Actions on one child's record: these need a `Resource::Child` and are logged.
    pub fn is_about_a_child(self) -> bool {
        matches!(
            self,
            Action::ViewChildRecord
                | Action::AppendToChildRecord
                | Action::CorrectChildEntry
                | Action::RestrictChildRecord
                | Action::WorkOnCase
                | Action::ViewMeetingRecord
        )
    }

    pub fn id(self) -> &'static str {
        match self {
            Action::ViewHome => "view-home",
            Action::SearchChildren => "search-children",
            Action::OpenChildRecord => "open-child-record",
            Action::ViewChildRecord => "view-child-record",
            Action::AppendToChildRecord => "append-to-child-record",
            Action::CorrectChildEntry => "correct-child-entry",
            Action::RestrictChildRecord => "restrict-child-record",
            Action::SubmitReferral => "submit-referral",
            Action::ViewReferral => "view-referral",
            Action::WorkOnReferral => "work-on-referral",
            Action::WorkOnCase => "work-on-case",
            Action::ViewMeetingRecord => "view-meeting-record",
            Action::ManageUsers => "manage-users",
            Action::ManageCalendar => "manage-calendar",
            Action::ViewAccessLog => "view-access-log",
            Action::ViewPartnershipFigures => "view-partnership-figures",
            Action::ProduceReturns => "produce-returns",
            Action::StartProcess => "start-process",
            Action::ViewProcess => "view-process",
            Action::WorkOnProcess => "work-on-process",
        }
    }
}

/// How the actor stands to the child, worked out by the application from the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relationship {
    /// The actor referred the child.
    Referrer,
    /// The actor takes part in a meeting or piece of work about the child.
    Participant,
    /// The actor is the allocated lead practitioner, or in the allocated team.
    Allocated,
    /// The actor holds an explicit grant to this (restricted) record.
    Granted,
    /// The actor wrote the entry in question (for corrections).
    Author,
    /// The actor has declared break-glass access with a reason.
    BreakGlass,
    /// The actor was invited to a meeting about the child (a strategy discussion, a
    /// conference): they see that meeting's record, not the child's file.
    Invited,
}

impl Relationship {
    pub const ALL: [Relationship; 7] = [
        Relationship::Referrer,
        Relationship::Participant,
        Relationship::Allocated,
        Relationship::Granted,
        Relationship::Author,
        Relationship::BreakGlass,
        Relationship::Invited,
    ];
}

/// What the action is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource<'a> {
    /// Nothing child-specific: a page, the user list, the calendar, figures.
    System,
    /// One child's record.
    Child {
        restricted: bool,
        relationships: &'a [Relationship],
    },
    /// One referral; `made_by_actor` when the actor (user, or agency system) made it.
    Referral { made_by_actor: bool },
    /// One statutory process of the kernel's: how the actor's role stands to processes
    /// of its kind (the process declares it, `Process::standing`), and how the actor
    /// stands to this one (from its state).
    Process {
        standing: Standing,
        relationships: &'a [Relationship],
    },
}

/// How a role stands to a kind of process, as the process declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// Holds these records: sees them all and works on them (the designated officer
    /// for allegations, the child death review partners for child deaths).
    Holder,
    /// May start one (report an allegation, notify an incident) and sees what they
    /// have a part in, as shared.
    Contributor,
    /// Nothing to do with these records.
    None,
}

impl Standing {
    pub const ALL: [Standing; 3] = [Standing::Holder, Standing::Contributor, Standing::None];
}

/// How much of a record the actor may see.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Everything.
    Full,
    /// Only entries shared with partner agencies.
    SharedOnly,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub allowed: bool,
    pub scope: Option<Scope>,
    /// Why, in words fit for the access log and for the user who was refused.
    pub reason: &'static str,
    /// Access given under break-glass: reported to the data protection officer.
    pub break_glass: bool,
}

impl Decision {
    fn allow(scope: Scope, reason: &'static str) -> Decision {
        Decision {
            allowed: true,
            scope: Some(scope),
            reason,
            break_glass: false,
        }
    }
    fn deny(reason: &'static str) -> Decision {
        Decision {
            allowed: false,
            scope: None,
            reason,
            break_glass: false,
        }
    }
}

/// The actor as the decision needs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub role: Role,
}

/// Decide whether `actor` may do `action` on `resource`.
pub fn authorize(actor: Actor, action: Action, resource: Resource<'_>) -> Decision {
    use Action::*;
    let role = actor.role;
    let csc = role.is_childrens_social_care();
    match action {
        ViewHome => Decision::allow(Scope::Full, "every signed-in user has a home page"),
        SearchChildren | OpenChildRecord => {
            if csc && !(action == OpenChildRecord && role == Role::ConferenceChair) {
                Decision::allow(
                    Scope::Full,
                    "children's social care holds the children's records",
                )
            } else if role == Role::ConferenceChair {
                Decision::deny(
                    "conference chairs do not open records: the front door and social workers do",
                )
            } else {
                Decision::deny(
                    "only children's social care staff search and open children's records",
                )
            }
        }
        SubmitReferral => {
            if role == Role::PartnerPractitioner
                || matches!(
                    role,
                    Role::FrontDoorWorker | Role::SocialWorker | Role::PracticeSupervisor
                )
            {
                Decision::allow(
                    Scope::Full,
                    "practitioners refer children to children's social care (WT2026 ¶163)",
                )
            } else {
                Decision::deny("this role does not make referrals")
            }
        }
        ManageUsers | ManageCalendar => {
            if role == Role::SystemAdministrator {
                Decision::allow(
                    Scope::Full,
                    "system administrators manage users and configuration",
                )
            } else {
                Decision::deny("only a system administrator manages users and configuration")
            }
        }
        ViewAccessLog => {
            if role == Role::DataProtectionOfficer {
                Decision::allow(Scope::Full, "the data protection officer audits access")
            } else {
                Decision::deny("only the data protection officer searches the access log")
            }
        }
        ViewPartnershipFigures => {
            if matches!(role, Role::PartnershipManager | Role::PracticeSupervisor) {
                Decision::allow(
                    Scope::Full,
                    "managers monitor timeliness and effectiveness (WT2026 ¶113)",
                )
            } else {
                Decision::deny("partnership figures are for managers")
            }
        }
        ProduceReturns => {
            if role == Role::PartnershipManager {
                Decision::allow(
                    Scope::Full,
                    "the partnership manager makes the statutory returns (WT2026 ¶113)",
                )
            } else {
                Decision::deny("only the partnership manager makes statutory returns")
            }
        }
        StartProcess | ViewProcess | WorkOnProcess => {
            let Resource::Process {
                standing,
                relationships,
            } = resource
            else {
                return Decision::deny("an action on a process needs the process");
            };
            process(action, standing, relationships)
        }
        ViewReferral | WorkOnReferral => {
            let Resource::Referral { made_by_actor } = resource else {
                return Decision::deny("an action on a referral needs the referral");
            };
            referral(role, made_by_actor)
        }
        ViewMeetingRecord => {
            let Resource::Child {
                restricted,
                relationships,
            } = resource
            else {
                return Decision::deny("an action on a child's record needs the record");
            };
            meeting_record(role, restricted, relationships)
        }
        ViewChildRecord | AppendToChildRecord | CorrectChildEntry | RestrictChildRecord
        | WorkOnCase => {
            let Resource::Child {
                restricted,
                relationships,
            } = resource
            else {
                return Decision::deny("an action on a child's record needs the record");
            };
            // Someone invited to a meeting sends their report for it or asks for a
            // conference, without seeing the file (the case's rules keep them to that).
            if action == WorkOnCase
                && role == Role::PartnerPractitioner
                && !restricted
                && relationships.contains(&Relationship::Invited)
            {
                return Decision::allow(
                    Scope::SharedOnly,
                    "invited to a meeting about the child: sends a report for it",
                );
            }
            child_record(role, action, restricted, relationships)
        }
    }
}

/// A process's holders see and work all of it; a contributor starts one and sees, as
/// shared, the ones they have a part in (they reported it, own work in it, or were
/// invited to its meetings); nobody else sees it.
fn process(action: Action, standing: Standing, rels: &[Relationship]) -> Decision {
    let part = rels.iter().any(|r| {
        matches!(
            r,
            Relationship::Referrer
                | Relationship::Participant
                | Relationship::Invited
                | Relationship::Granted
        )
    });
    match (standing, action) {
        (Standing::Holder, _) => Decision::allow(Scope::Full, "holds the records of this process"),
        (Standing::Contributor, Action::StartProcess) => {
            Decision::allow(Scope::SharedOnly, "may start this process")
        }
        (Standing::Contributor, _) if part => Decision::allow(
            Scope::SharedOnly,
            "has a part in this process and sees what is shared with them",
        ),
        (Standing::Contributor, _) => {
            Decision::deny("sees only the processes they started or have a part in")
        }
        (Standing::None, _) => Decision::deny("this role has no part in these processes"),
    }
}

/// The front door's staff see and work every referral; the referrer sees and may
/// escalate their own, with the outcome they are owed (WT2026 ¶165); nobody else sees
/// referrals, which name children before anyone has checked who they are.
fn referral(role: Role, made_by_actor: bool) -> Decision {
    if crate::referral::is_front_door_staff(role) {
        Decision::allow(Scope::Full, "the front door triages and decides referrals")
    } else if role == Role::PartnerPractitioner && made_by_actor {
        Decision::allow(
            Scope::SharedOnly,
            "a referrer sees the referral they made and its outcome (WT2026 ¶165)",
        )
    } else if role == Role::PartnerPractitioner {
        Decision::deny("partner practitioners see only the referrals they made")
    } else {
        Decision::deny("this role does not see referrals")
    }
}

/// A meeting's record goes to everyone invited (SET L2047): children's social care and
/// chairs as for the record; a partner practitioner who was invited (or has another part
/// in the work) sees the record of the meetings they were invited to.
fn meeting_record(role: Role, restricted: bool, rels: &[Relationship]) -> Decision {
    if matches!(
        role,
        Role::PartnershipManager | Role::SystemAdministrator | Role::DataProtectionOfficer
    ) {
        return Decision::deny("this role has no access to identifiable case data");
    }
    if role.is_childrens_social_care() {
        return child_record(role, Action::ViewChildRecord, restricted, rels);
    }
    if restricted && !rels.contains(&Relationship::Granted) {
        return Decision::deny("restricted record: access needs an explicit grant");
    }
    if rels.contains(&Relationship::Invited)
        || rels.contains(&Relationship::Participant)
        || rels.contains(&Relationship::Allocated)
        || rels.contains(&Relationship::Granted)
    {
        Decision::allow(
            Scope::SharedOnly,
            "the record of a meeting goes to those invited to it (SET L2047)",
        )
    } else {
        Decision::deny("only those invited to a meeting see its record")
    }
}

fn child_record(role: Role, action: Action, restricted: bool, rels: &[Relationship]) -> Decision {
    use Action::*;
    let has = |r: Relationship| rels.contains(&r);
    if matches!(
        role,
        Role::PartnershipManager | Role::SystemAdministrator | Role::DataProtectionOfficer
    ) {
        return Decision::deny("this role has no access to identifiable case data");
    }

    // First: may the actor see the record at all, and how much of it?
    let view = if role.is_childrens_social_care() {
        if !restricted {
            Decision::allow(
                Scope::Full,
                "children's social care holds the child's record",
            )
        } else if has(Relationship::Allocated) || has(Relationship::Granted) {
            Decision::allow(
                Scope::Full,
                "restricted record: allocated or explicitly granted",
            )
        } else if has(Relationship::BreakGlass) {
            Decision {
                break_glass: true,
                ..Decision::allow(
                    Scope::Full,
                    "restricted record: break-glass access with a reason, reported",
                )
            }
        } else {
            Decision::deny(
                "restricted record: access needs an explicit grant, or break-glass with a reason",
            )
        }
    } else {
        // Partner practitioners: only with a part in the work, only what is shared.
        if restricted {
            if has(Relationship::Granted) {
                Decision::allow(Scope::SharedOnly, "restricted record: explicitly granted")
            } else {
                Decision::deny("restricted record: access needs an explicit grant")
            }
        } else if has(Relationship::Referrer)
            || has(Relationship::Participant)
            || has(Relationship::Allocated)
            || has(Relationship::Granted)
        {
            Decision::allow(
                Scope::SharedOnly,
                "partner practitioner with a part in the child's work sees what is shared",
            )
        } else {
            Decision::deny(
                "partner practitioners see only children they referred or take part in work about",
            )
        }
    };
    if !view.allowed {
        return view;
    }

    match action {
        ViewChildRecord => view,
        AppendToChildRecord => {
            if role == Role::ConferenceChair
                || role.is_childrens_social_care()
                || role == Role::PartnerPractitioner
            {
                Decision {
                    reason: "may add to a record they may read",
                    ..view
                }
            } else {
                Decision::deny("this role does not write to children's records")
            }
        }
        CorrectChildEntry => {
            if has(Relationship::Author) {
                Decision {
                    reason: "the author of an entry may correct it, with a reason",
                    ..view
                }
            } else if role == Role::PracticeSupervisor {
                Decision {
                    reason: "a practice supervisor may correct an entry, with a reason",
                    ..view
                }
            } else {
                Decision::deny("only the entry's author or a practice supervisor may correct it")
            }
        }
        WorkOnCase => {
            if matches!(role, Role::SocialWorker | Role::PracticeSupervisor) {
                Decision {
                    reason: "children's social care works on children's cases",
                    ..view
                }
            } else if role == Role::ConferenceChair {
                Decision {
                    reason: "a conference chair records the conferences they chair",
                    ..view
                }
            } else if role == Role::PartnerPractitioner
                && (has(Relationship::Allocated) || has(Relationship::Participant))
            {
                Decision {
                    reason: "a partner practitioner who leads the Family Help, or owns an action of the plan, works on that part of the case",
                    ..view
                }
            } else if role == Role::PartnerPractitioner && has(Relationship::Referrer) {
                // 003 L1785: "other practitioners involved with the child and family have
                // the right to request" a conference; the case's rules keep them to that.
                Decision {
                    reason:
                        "a partner practitioner who referred the child may ask for a conference",
                    ..view
                }
            } else {
                Decision::deny("only children's social care, the lead practitioner and owners of plan actions work on a case")
            }
        }
        RestrictChildRecord => {
            if role == Role::PracticeSupervisor && !view.break_glass {
                Decision {
                    reason: "a practice supervisor decides who may see a restricted record",
                    ..view
                }
            } else {
                Decision::deny(
                    "only a practice supervisor restricts a record or grants access to it",
                )
            }
        }
        _ => unreachable!("child_record is only called for child actions"),
    }
}
