//! The access decision as a table: (role, relationship, action, resource) → allow/deny.
//! Design principle 6; the issue asks for every role and every action to be covered.

use together_domain::access::{authorize, Action, Actor, Relationship, Resource, Scope, Standing};
use together_domain::role::Role;

use Action::*;
use Relationship::*;
use Role::*;

/// `R` = unrestricted record, `X` = restricted record, `S` = system resource,
/// `Mine` = a referral the actor made, `Ref` = someone else's referral.
#[derive(Clone, Copy)]
enum On {
    S,
    R,
    X,
    Mine,
    Ref,
    /// A process whose records the role holds, may contribute to, or has nothing to do with.
    PH,
    PC,
    PN,
}

const ALLOW_FULL: Option<Scope> = Some(Scope::Full);
const ALLOW_SHARED: Option<Scope> = Some(Scope::SharedOnly);
const DENY: Option<Scope> = None;

/// (role, relationships, action, resource) → expected scope (None = refused).
type Row = (Role, &'static [Relationship], Action, On, Option<Scope>);

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // Home page: everyone.
    (FrontDoorWorker, &[], ViewHome, On::S, ALLOW_FULL),
    (SocialWorker, &[], ViewHome, On::S, ALLOW_FULL),
    (PracticeSupervisor, &[], ViewHome, On::S, ALLOW_FULL),
    (ConferenceChair, &[], ViewHome, On::S, ALLOW_FULL),
    (PartnerPractitioner, &[], ViewHome, On::S, ALLOW_FULL),
    (PartnershipManager, &[], ViewHome, On::S, ALLOW_FULL),
    (SystemAdministrator, &[], ViewHome, On::S, ALLOW_FULL),
    (DataProtectionOfficer, &[], ViewHome, On::S, ALLOW_FULL),
    // Searching and opening records: children's social care.
    (FrontDoorWorker, &[], SearchChildren, On::S, ALLOW_FULL),
    (SocialWorker, &[], SearchChildren, On::S, ALLOW_FULL),
    (PracticeSupervisor, &[], SearchChildren, On::S, ALLOW_FULL),
    (ConferenceChair, &[], SearchChildren, On::S, ALLOW_FULL),
    (PartnerPractitioner, &[], SearchChildren, On::S, DENY),
    (PartnershipManager, &[], SearchChildren, On::S, DENY),
    (SystemAdministrator, &[], SearchChildren, On::S, DENY),
    (DataProtectionOfficer, &[], SearchChildren, On::S, DENY),
    (FrontDoorWorker, &[], OpenChildRecord, On::S, ALLOW_FULL),
    (SocialWorker, &[], OpenChildRecord, On::S, ALLOW_FULL),
    (PracticeSupervisor, &[], OpenChildRecord, On::S, ALLOW_FULL),
    (ConferenceChair, &[], OpenChildRecord, On::S, DENY),
    (PartnerPractitioner, &[], OpenChildRecord, On::S, DENY),
    (PartnershipManager, &[], OpenChildRecord, On::S, DENY),
    (SystemAdministrator, &[], OpenChildRecord, On::S, DENY),
    (DataProtectionOfficer, &[], OpenChildRecord, On::S, DENY),
    // Referrals (WT2026 ¶163–¶167): the front door's staff work every referral; a referrer sees
    // and may escalate only their own (¶165); conference chairs stay independent of the case.
    (FrontDoorWorker, &[], ViewReferral, On::Mine, ALLOW_FULL),
    (FrontDoorWorker, &[], ViewReferral, On::Ref, ALLOW_FULL),
    (SocialWorker, &[], ViewReferral, On::Mine, ALLOW_FULL),
    (SocialWorker, &[], ViewReferral, On::Ref, ALLOW_FULL),
    (PracticeSupervisor, &[], ViewReferral, On::Mine, ALLOW_FULL),
    (PracticeSupervisor, &[], ViewReferral, On::Ref, ALLOW_FULL),
    (ConferenceChair, &[], ViewReferral, On::Mine, DENY),
    (ConferenceChair, &[], ViewReferral, On::Ref, DENY),
    (PartnerPractitioner, &[], ViewReferral, On::Mine, ALLOW_SHARED),
    (PartnerPractitioner, &[], ViewReferral, On::Ref, DENY),
    (PartnershipManager, &[], ViewReferral, On::Mine, DENY),
    (PartnershipManager, &[], ViewReferral, On::Ref, DENY),
    (SystemAdministrator, &[], ViewReferral, On::Mine, DENY),
    (SystemAdministrator, &[], ViewReferral, On::Ref, DENY),
    (DataProtectionOfficer, &[], ViewReferral, On::Mine, DENY),
    (DataProtectionOfficer, &[], ViewReferral, On::Ref, DENY),
    (FrontDoorWorker, &[], WorkOnReferral, On::Mine, ALLOW_FULL),
    (FrontDoorWorker, &[], WorkOnReferral, On::Ref, ALLOW_FULL),
    (SocialWorker, &[], WorkOnReferral, On::Mine, ALLOW_FULL),
    (SocialWorker, &[], WorkOnReferral, On::Ref, ALLOW_FULL),
    (PracticeSupervisor, &[], WorkOnReferral, On::Mine, ALLOW_FULL),
    (PracticeSupervisor, &[], WorkOnReferral, On::Ref, ALLOW_FULL),
    (ConferenceChair, &[], WorkOnReferral, On::Mine, DENY),
    (ConferenceChair, &[], WorkOnReferral, On::Ref, DENY),
    (PartnerPractitioner, &[], WorkOnReferral, On::Mine, ALLOW_SHARED),
    (PartnerPractitioner, &[], WorkOnReferral, On::Ref, DENY),
    (PartnershipManager, &[], WorkOnReferral, On::Mine, DENY),
    (PartnershipManager, &[], WorkOnReferral, On::Ref, DENY),
    (SystemAdministrator, &[], WorkOnReferral, On::Mine, DENY),
    (SystemAdministrator, &[], WorkOnReferral, On::Ref, DENY),
    (DataProtectionOfficer, &[], WorkOnReferral, On::Mine, DENY),
    (DataProtectionOfficer, &[], WorkOnReferral, On::Ref, DENY),
    // Viewing a record.
    (FrontDoorWorker, &[], ViewChildRecord, On::R, ALLOW_FULL),
    (SocialWorker, &[], ViewChildRecord, On::R, ALLOW_FULL),
    (PracticeSupervisor, &[], ViewChildRecord, On::R, ALLOW_FULL),
    (ConferenceChair, &[], ViewChildRecord, On::R, ALLOW_FULL),
    (SocialWorker, &[], ViewChildRecord, On::X, DENY),
    (SocialWorker, &[Allocated], ViewChildRecord, On::X, ALLOW_FULL),
    (FrontDoorWorker, &[Granted], ViewChildRecord, On::X, ALLOW_FULL),
    (ConferenceChair, &[BreakGlass], ViewChildRecord, On::X, ALLOW_FULL),
    (PartnerPractitioner, &[], ViewChildRecord, On::R, DENY),
    (PartnerPractitioner, &[Referrer], ViewChildRecord, On::R, ALLOW_SHARED),
    (PartnerPractitioner, &[Participant], ViewChildRecord, On::R, ALLOW_SHARED),
    (PartnerPractitioner, &[Author], ViewChildRecord, On::R, DENY),
    (PartnerPractitioner, &[Referrer], ViewChildRecord, On::X, DENY),
    (PartnerPractitioner, &[BreakGlass], ViewChildRecord, On::R, DENY),
    (PartnerPractitioner, &[Granted], ViewChildRecord, On::X, ALLOW_SHARED),
    (PartnershipManager, &[Granted, Allocated], ViewChildRecord, On::R, DENY),
    (SystemAdministrator, &[Granted, Allocated, BreakGlass], ViewChildRecord, On::R, DENY),
    (DataProtectionOfficer, &[BreakGlass], ViewChildRecord, On::R, DENY),
    (SocialWorker, &[], ViewChildRecord, On::S, DENY),
    // Adding to a record.
    (FrontDoorWorker, &[], AppendToChildRecord, On::R, ALLOW_FULL),
    (SocialWorker, &[], AppendToChildRecord, On::R, ALLOW_FULL),
    (SocialWorker, &[], AppendToChildRecord, On::X, DENY),
    (PracticeSupervisor, &[Allocated], AppendToChildRecord, On::X, ALLOW_FULL),
    (ConferenceChair, &[], AppendToChildRecord, On::R, ALLOW_FULL),
    (PartnerPractitioner, &[Participant], AppendToChildRecord, On::R, ALLOW_SHARED),
    (PartnerPractitioner, &[], AppendToChildRecord, On::R, DENY),
    (PartnershipManager, &[], AppendToChildRecord, On::R, DENY),
    (SystemAdministrator, &[], AppendToChildRecord, On::R, DENY),
    (DataProtectionOfficer, &[], AppendToChildRecord, On::R, DENY),
    // Correcting an entry: its author or a practice supervisor.
    (SocialWorker, &[Author], CorrectChildEntry, On::R, ALLOW_FULL),
    (SocialWorker, &[], CorrectChildEntry, On::R, DENY),
    (FrontDoorWorker, &[], CorrectChildEntry, On::R, DENY),
    (FrontDoorWorker, &[Author], CorrectChildEntry, On::R, ALLOW_FULL),
    (PracticeSupervisor, &[], CorrectChildEntry, On::R, ALLOW_FULL),
    (PracticeSupervisor, &[], CorrectChildEntry, On::X, DENY),
    (ConferenceChair, &[], CorrectChildEntry, On::R, DENY),
    (PartnerPractitioner, &[Participant, Author], CorrectChildEntry, On::R, ALLOW_SHARED),
    (PartnerPractitioner, &[Author], CorrectChildEntry, On::R, DENY),
    (PartnershipManager, &[Author], CorrectChildEntry, On::R, DENY),
    (SystemAdministrator, &[Author], CorrectChildEntry, On::R, DENY),
    (DataProtectionOfficer, &[Author], CorrectChildEntry, On::R, DENY),
    // Restricting a record and granting access: practice supervisors, not under break-glass.
    // Work on a case (issue 4): children's social care; a partner practitioner who leads
    // the Family Help (Allocated) or owns a plan action (Participant) — the case's own
    // rules then keep them to that part (¶138).
    (SocialWorker, &[], WorkOnCase, On::R, ALLOW_FULL),
    (PracticeSupervisor, &[], WorkOnCase, On::R, ALLOW_FULL),
    (SocialWorker, &[], WorkOnCase, On::X, DENY),
    (SocialWorker, &[Allocated], WorkOnCase, On::X, ALLOW_FULL),
    (FrontDoorWorker, &[], WorkOnCase, On::R, DENY),
    (ConferenceChair, &[], WorkOnCase, On::R, ALLOW_FULL),
    (PartnerPractitioner, &[], WorkOnCase, On::R, DENY),
    // 003 L1785: a referrer may ask for a conference (the case's own rules allow no more).
    (PartnerPractitioner, &[Referrer], WorkOnCase, On::R, ALLOW_SHARED),
    (PartnerPractitioner, &[Allocated], WorkOnCase, On::R, ALLOW_SHARED),
    (PartnerPractitioner, &[Participant], WorkOnCase, On::R, ALLOW_SHARED),
    (PartnerPractitioner, &[Allocated], WorkOnCase, On::X, DENY),
    (PartnerPractitioner, &[Invited], WorkOnCase, On::R, ALLOW_SHARED),
    (PartnerPractitioner, &[Invited], WorkOnCase, On::X, DENY),
    (ConferenceChair, &[Allocated], WorkOnCase, On::R, ALLOW_FULL),
    (PartnershipManager, &[], WorkOnCase, On::R, DENY),
    // A meeting's record: to those invited (SET L2047), not the whole file (issue 5).
    (SocialWorker, &[], ViewMeetingRecord, On::R, ALLOW_FULL),
    (PracticeSupervisor, &[], ViewMeetingRecord, On::R, ALLOW_FULL),
    (FrontDoorWorker, &[], ViewMeetingRecord, On::R, ALLOW_FULL),
    (ConferenceChair, &[], ViewMeetingRecord, On::R, ALLOW_FULL),
    (PartnerPractitioner, &[Invited], ViewMeetingRecord, On::R, ALLOW_SHARED),
    (PartnerPractitioner, &[Invited], ViewChildRecord, On::R, DENY),
    (PartnerPractitioner, &[], ViewMeetingRecord, On::R, DENY),
    (PartnerPractitioner, &[Referrer], ViewMeetingRecord, On::R, DENY),
    (PartnershipManager, &[], ViewMeetingRecord, On::R, DENY),
    (SystemAdministrator, &[], ViewMeetingRecord, On::R, DENY),
    (DataProtectionOfficer, &[], ViewMeetingRecord, On::R, DENY),
    (SystemAdministrator, &[], WorkOnCase, On::R, DENY),
    (DataProtectionOfficer, &[], WorkOnCase, On::R, DENY),
    (PracticeSupervisor, &[], RestrictChildRecord, On::R, ALLOW_FULL),
    (PracticeSupervisor, &[Allocated], RestrictChildRecord, On::X, ALLOW_FULL),
    (PracticeSupervisor, &[BreakGlass], RestrictChildRecord, On::X, DENY),
    (SocialWorker, &[Allocated], RestrictChildRecord, On::R, DENY),
    (FrontDoorWorker, &[], RestrictChildRecord, On::R, DENY),
    (ConferenceChair, &[], RestrictChildRecord, On::R, DENY),
    (PartnerPractitioner, &[Referrer], RestrictChildRecord, On::R, DENY),
    (PartnershipManager, &[], RestrictChildRecord, On::R, DENY),
    (SystemAdministrator, &[], RestrictChildRecord, On::R, DENY),
    (DataProtectionOfficer, &[], RestrictChildRecord, On::R, DENY),
    // Referrals.
    (FrontDoorWorker, &[], SubmitReferral, On::S, ALLOW_FULL),
    (SocialWorker, &[], SubmitReferral, On::S, ALLOW_FULL),
    (PracticeSupervisor, &[], SubmitReferral, On::S, ALLOW_FULL),
    (ConferenceChair, &[], SubmitReferral, On::S, DENY),
    (PartnerPractitioner, &[], SubmitReferral, On::S, ALLOW_FULL),
    (PartnershipManager, &[], SubmitReferral, On::S, DENY),
    (SystemAdministrator, &[], SubmitReferral, On::S, DENY),
    (DataProtectionOfficer, &[], SubmitReferral, On::S, DENY),
    // Administration.
    (SystemAdministrator, &[], ManageUsers, On::S, ALLOW_FULL),
    (SystemAdministrator, &[], ManageCalendar, On::S, ALLOW_FULL),
    (FrontDoorWorker, &[], ManageUsers, On::S, DENY),
    (SocialWorker, &[], ManageCalendar, On::S, DENY),
    (PracticeSupervisor, &[], ManageUsers, On::S, DENY),
    (ConferenceChair, &[], ManageUsers, On::S, DENY),
    (PartnerPractitioner, &[], ManageCalendar, On::S, DENY),
    (PartnershipManager, &[], ManageUsers, On::S, DENY),
    (DataProtectionOfficer, &[], ManageUsers, On::S, DENY),
    (FrontDoorWorker, &[], ManageCalendar, On::S, DENY),
    (SocialWorker, &[], ManageUsers, On::S, DENY),
    (PracticeSupervisor, &[], ManageCalendar, On::S, DENY),
    (ConferenceChair, &[], ManageCalendar, On::S, DENY),
    (PartnerPractitioner, &[], ManageUsers, On::S, DENY),
    (PartnershipManager, &[], ManageCalendar, On::S, DENY),
    (DataProtectionOfficer, &[], ManageCalendar, On::S, DENY),
    // The access log: the data protection officer only.
    (DataProtectionOfficer, &[], ViewAccessLog, On::S, ALLOW_FULL),
    (SystemAdministrator, &[], ViewAccessLog, On::S, DENY),
    (PracticeSupervisor, &[], ViewAccessLog, On::S, DENY),
    (FrontDoorWorker, &[], ViewAccessLog, On::S, DENY),
    (SocialWorker, &[], ViewAccessLog, On::S, DENY),
    (ConferenceChair, &[], ViewAccessLog, On::S, DENY),
    (PartnerPractitioner, &[], ViewAccessLog, On::S, DENY),
    (PartnershipManager, &[], ViewAccessLog, On::S, DENY),
    // Figures.
    (PartnershipManager, &[], ViewPartnershipFigures, On::S, ALLOW_FULL),
    (PracticeSupervisor, &[], ViewPartnershipFigures, On::S, ALLOW_FULL),
    (SocialWorker, &[], ViewPartnershipFigures, On::S, DENY),
    (FrontDoorWorker, &[], ViewPartnershipFigures, On::S, DENY),
    (ConferenceChair, &[], ViewPartnershipFigures, On::S, DENY),
    (PartnerPractitioner, &[], ViewPartnershipFigures, On::S, DENY),
    (SystemAdministrator, &[], ViewPartnershipFigures, On::S, DENY),
    (DataProtectionOfficer, &[], ViewPartnershipFigures, On::S, DENY),
    // Processes of the kernel (issue 15): the process declares how each role stands to
    // it; holders see and work all of it, contributors start one and see, as shared,
    // those they have a part in; break-glass and allocation open no process.
    (FrontDoorWorker, &[], StartProcess, On::PH, ALLOW_FULL),
    (FrontDoorWorker, &[], StartProcess, On::PC, ALLOW_SHARED),
    (FrontDoorWorker, &[], StartProcess, On::PN, DENY),
    (FrontDoorWorker, &[], ViewProcess, On::PH, ALLOW_FULL),
    (FrontDoorWorker, &[], ViewProcess, On::PC, DENY),
    (FrontDoorWorker, &[Referrer], ViewProcess, On::PC, ALLOW_SHARED),
    (FrontDoorWorker, &[Participant], WorkOnProcess, On::PC, ALLOW_SHARED),
    (FrontDoorWorker, &[Invited], ViewProcess, On::PC, ALLOW_SHARED),
    (FrontDoorWorker, &[Allocated, Author, BreakGlass], ViewProcess, On::PC, DENY),
    (FrontDoorWorker, &[Participant, Granted], WorkOnProcess, On::PN, DENY),
    (FrontDoorWorker, &[], WorkOnProcess, On::PH, ALLOW_FULL),
    (SocialWorker, &[], StartProcess, On::PH, ALLOW_FULL),
    (SocialWorker, &[], StartProcess, On::PC, ALLOW_SHARED),
    (SocialWorker, &[], StartProcess, On::PN, DENY),
    (SocialWorker, &[], ViewProcess, On::PH, ALLOW_FULL),
    (SocialWorker, &[], ViewProcess, On::PC, DENY),
    (SocialWorker, &[Referrer], ViewProcess, On::PC, ALLOW_SHARED),
    (SocialWorker, &[Participant], WorkOnProcess, On::PC, ALLOW_SHARED),
    (SocialWorker, &[Invited], ViewProcess, On::PC, ALLOW_SHARED),
    (SocialWorker, &[Allocated, Author, BreakGlass], ViewProcess, On::PC, DENY),
    (SocialWorker, &[Participant, Granted], WorkOnProcess, On::PN, DENY),
    (SocialWorker, &[], WorkOnProcess, On::PH, ALLOW_FULL),
    (PracticeSupervisor, &[], StartProcess, On::PH, ALLOW_FULL),
    (PracticeSupervisor, &[], StartProcess, On::PC, ALLOW_SHARED),
    (PracticeSupervisor, &[], StartProcess, On::PN, DENY),
    (PracticeSupervisor, &[], ViewProcess, On::PH, ALLOW_FULL),
    (PracticeSupervisor, &[], ViewProcess, On::PC, DENY),
    (PracticeSupervisor, &[Referrer], ViewProcess, On::PC, ALLOW_SHARED),
    (PracticeSupervisor, &[Participant], WorkOnProcess, On::PC, ALLOW_SHARED),
    (PracticeSupervisor, &[Invited], ViewProcess, On::PC, ALLOW_SHARED),
    (PracticeSupervisor, &[Allocated, Author, BreakGlass], ViewProcess, On::PC, DENY),
    (PracticeSupervisor, &[Participant, Granted], WorkOnProcess, On::PN, DENY),
    (PracticeSupervisor, &[], WorkOnProcess, On::PH, ALLOW_FULL),
    (ConferenceChair, &[], StartProcess, On::PH, ALLOW_FULL),
    (ConferenceChair, &[], StartProcess, On::PC, ALLOW_SHARED),
    (ConferenceChair, &[], StartProcess, On::PN, DENY),
    (ConferenceChair, &[], ViewProcess, On::PH, ALLOW_FULL),
    (ConferenceChair, &[], ViewProcess, On::PC, DENY),
    (ConferenceChair, &[Referrer], ViewProcess, On::PC, ALLOW_SHARED),
    (ConferenceChair, &[Participant], WorkOnProcess, On::PC, ALLOW_SHARED),
    (ConferenceChair, &[Invited], ViewProcess, On::PC, ALLOW_SHARED),
    (ConferenceChair, &[Allocated, Author, BreakGlass], ViewProcess, On::PC, DENY),
    (ConferenceChair, &[Participant, Granted], WorkOnProcess, On::PN, DENY),
    (ConferenceChair, &[], WorkOnProcess, On::PH, ALLOW_FULL),
    (PartnerPractitioner, &[], StartProcess, On::PH, ALLOW_FULL),
    (PartnerPractitioner, &[], StartProcess, On::PC, ALLOW_SHARED),
    (PartnerPractitioner, &[], StartProcess, On::PN, DENY),
    (PartnerPractitioner, &[], ViewProcess, On::PH, ALLOW_FULL),
    (PartnerPractitioner, &[], ViewProcess, On::PC, DENY),
    (PartnerPractitioner, &[Referrer], ViewProcess, On::PC, ALLOW_SHARED),
    (PartnerPractitioner, &[Participant], WorkOnProcess, On::PC, ALLOW_SHARED),
    (PartnerPractitioner, &[Invited], ViewProcess, On::PC, ALLOW_SHARED),
    (PartnerPractitioner, &[Allocated, Author, BreakGlass], ViewProcess, On::PC, DENY),
    (PartnerPractitioner, &[Participant, Granted], WorkOnProcess, On::PN, DENY),
    (PartnerPractitioner, &[], WorkOnProcess, On::PH, ALLOW_FULL),
    (PartnershipManager, &[], StartProcess, On::PH, ALLOW_FULL),
    (PartnershipManager, &[], StartProcess, On::PC, ALLOW_SHARED),
    (PartnershipManager, &[], StartProcess, On::PN, DENY),
    (PartnershipManager, &[], ViewProcess, On::PH, ALLOW_FULL),
    (PartnershipManager, &[], ViewProcess, On::PC, DENY),
    (PartnershipManager, &[Referrer], ViewProcess, On::PC, ALLOW_SHARED),
    (PartnershipManager, &[Participant], WorkOnProcess, On::PC, ALLOW_SHARED),
    (PartnershipManager, &[Invited], ViewProcess, On::PC, ALLOW_SHARED),
    (PartnershipManager, &[Allocated, Author, BreakGlass], ViewProcess, On::PC, DENY),
    (PartnershipManager, &[Participant, Granted], WorkOnProcess, On::PN, DENY),
    (PartnershipManager, &[], WorkOnProcess, On::PH, ALLOW_FULL),
    (SystemAdministrator, &[], StartProcess, On::PH, ALLOW_FULL),
    (SystemAdministrator, &[], StartProcess, On::PC, ALLOW_SHARED),
    (SystemAdministrator, &[], StartProcess, On::PN, DENY),
    (SystemAdministrator, &[], ViewProcess, On::PH, ALLOW_FULL),
    (SystemAdministrator, &[], ViewProcess, On::PC, DENY),
    (SystemAdministrator, &[Referrer], ViewProcess, On::PC, ALLOW_SHARED),
    (SystemAdministrator, &[Participant], WorkOnProcess, On::PC, ALLOW_SHARED),
    (SystemAdministrator, &[Invited], ViewProcess, On::PC, ALLOW_SHARED),
    (SystemAdministrator, &[Allocated, Author, BreakGlass], ViewProcess, On::PC, DENY),
    (SystemAdministrator, &[Participant, Granted], WorkOnProcess, On::PN, DENY),
    (SystemAdministrator, &[], WorkOnProcess, On::PH, ALLOW_FULL),
    (DataProtectionOfficer, &[], StartProcess, On::PH, ALLOW_FULL),
    (DataProtectionOfficer, &[], StartProcess, On::PC, ALLOW_SHARED),
    (DataProtectionOfficer, &[], StartProcess, On::PN, DENY),
    (DataProtectionOfficer, &[], ViewProcess, On::PH, ALLOW_FULL),
    (DataProtectionOfficer, &[], ViewProcess, On::PC, DENY),
    (DataProtectionOfficer, &[Referrer], ViewProcess, On::PC, ALLOW_SHARED),
    (DataProtectionOfficer, &[Participant], WorkOnProcess, On::PC, ALLOW_SHARED),
    (DataProtectionOfficer, &[Invited], ViewProcess, On::PC, ALLOW_SHARED),
    (DataProtectionOfficer, &[Allocated, Author, BreakGlass], ViewProcess, On::PC, DENY),
    (DataProtectionOfficer, &[Participant, Granted], WorkOnProcess, On::PN, DENY),
    (DataProtectionOfficer, &[], WorkOnProcess, On::PH, ALLOW_FULL),
    // The CIN census is identifiable: the partnership manager alone (issue 6).
    (PartnershipManager, &[], ProduceReturns, On::S, ALLOW_FULL),
    (PracticeSupervisor, &[], ProduceReturns, On::S, DENY),
    (SocialWorker, &[], ProduceReturns, On::S, DENY),
    (FrontDoorWorker, &[], ProduceReturns, On::S, DENY),
    (ConferenceChair, &[], ProduceReturns, On::S, DENY),
    (PartnerPractitioner, &[], ProduceReturns, On::S, DENY),
    (SystemAdministrator, &[], ProduceReturns, On::S, DENY),
    (DataProtectionOfficer, &[], ProduceReturns, On::S, DENY),
];

fn decide(
    role: Role,
    rels: &[Relationship],
    action: Action,
    on: On,
) -> together_domain::access::Decision {
    let resource = match on {
        On::S => Resource::System,
        On::R => Resource::Child {
            restricted: false,
            relationships: rels,
        },
        On::X => Resource::Child {
            restricted: true,
            relationships: rels,
        },
        On::Mine => Resource::Referral {
            made_by_actor: true,
        },
        On::Ref => Resource::Referral {
            made_by_actor: false,
        },
        On::PH | On::PC | On::PN => Resource::Process {
            standing: match on {
                On::PH => Standing::Holder,
                On::PC => Standing::Contributor,
                _ => Standing::None,
            },
            relationships: rels,
        },
    };
    authorize(Actor { role }, action, resource)
}

#[test]
fn the_table_holds() {
    for (i, &(role, rels, action, on, expected)) in TABLE.iter().enumerate() {
        let d = decide(role, rels, action, on);
        assert_eq!(
            d.allowed,
            expected.is_some(),
            "row {i}: {role:?} {rels:?} {action:?} → {d:?}"
        );
        assert_eq!(d.scope, expected, "row {i}: {role:?} {rels:?} {action:?}");
        assert!(!d.reason.is_empty());
    }
}

#[test]
fn the_table_covers_every_role_and_every_action() {
    for role in Role::ALL {
        for action in Action::ALL {
            assert!(
                TABLE.iter().any(|r| r.0 == role && r.2 == action),
                "no row for {role:?} × {action:?}"
            );
        }
    }
}

/// Exhaustively: roles with no case role never reach a child's record, whatever
/// relationship they claim (design brief: the system administrator "cannot read
/// children's records"; partnership managers see aggregates only).
#[test]
fn no_relationship_opens_a_record_to_administrators_managers_or_the_dpo() {
    let all = Relationship::ALL;
    for role in [
        PartnershipManager,
        SystemAdministrator,
        DataProtectionOfficer,
    ] {
        for action in Action::ALL.into_iter().filter(|a| a.is_about_a_child()) {
            for restricted in [false, true] {
                for mask in 0u32..(1 << all.len()) {
                    let rels: Vec<Relationship> = all
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & (1 << i) != 0)
                        .map(|(_, r)| *r)
                        .collect();
                    let d = authorize(
                        Actor { role },
                        action,
                        Resource::Child {
                            restricted,
                            relationships: &rels,
                        },
                    );
                    assert!(!d.allowed, "{role:?} {action:?} {rels:?}");
                }
            }
        }
    }
}

/// Exhaustively: a partner practitioner never sees more than what is shared, and a
/// restricted record opens only to those granted, allocated, or (reported) break-glass.
#[test]
fn scopes_and_restriction_hold_for_every_combination() {
    let all = Relationship::ALL;
    for role in Role::ALL {
        for action in Action::ALL.into_iter().filter(|a| a.is_about_a_child()) {
            for mask in 0u32..(1 << all.len()) {
                let rels: Vec<Relationship> = all
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, r)| *r)
                    .collect();
                let d = authorize(
                    Actor { role },
                    action,
                    Resource::Child {
                        restricted: true,
                        relationships: &rels,
                    },
                );
                if d.allowed {
                    assert!(
                        rels.contains(&Granted)
                            || rels.contains(&Allocated)
                            || (d.break_glass && rels.contains(&BreakGlass)),
                        "{role:?} {action:?} {rels:?}"
                    );
                }
                if role == PartnerPractitioner {
                    assert_ne!(d.scope, Some(Scope::Full));
                }
                if d.break_glass {
                    // Break-glass is for children's social care only, and is reported.
                    assert!(
                        role.is_childrens_social_care(),
                        "{role:?} {action:?} {rels:?}"
                    );
                }
            }
        }
    }
}

/// Exhaustively: a process opens in full only to its holders, never to a role with no
/// standing whatever relationship it claims, and to a contributor only as shared.
#[test]
fn processes_open_only_to_their_holders_and_those_with_a_part() {
    let all = Relationship::ALL;
    for role in Role::ALL {
        for standing in Standing::ALL {
            for action in [StartProcess, ViewProcess, WorkOnProcess] {
                for mask in 0u32..(1 << all.len()) {
                    let rels: Vec<Relationship> = all
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & (1 << i) != 0)
                        .map(|(_, r)| *r)
                        .collect();
                    let d = authorize(
                        Actor { role },
                        action,
                        Resource::Process {
                            standing,
                            relationships: &rels,
                        },
                    );
                    match standing {
                        Standing::Holder => assert_eq!(d.scope, Some(Scope::Full)),
                        Standing::None => assert!(!d.allowed, "{role:?} {action:?} {rels:?}"),
                        Standing::Contributor => {
                            assert_ne!(d.scope, Some(Scope::Full));
                            assert!(!d.break_glass);
                        }
                    }
                }
            }
        }
    }
}
