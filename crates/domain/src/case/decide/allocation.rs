//! Allocation: the primary need, proposing a lead practitioner and their answer, the
//! family's consent (WT2026 ¶170, ¶138; SET L797, 2.5.3).

use super::*;

/// Record or revise the child's primary need (CIN census "PrimaryNeedCode").
pub(super) fn record_primary_need(
    _case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::RecordPrimaryNeed { need } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let change = Change::PrimaryNeedRecorded { need };
    Ok(vec![super::event(ctx, change)])
}

/// Propose the lead practitioner: a social worker in children's social care, also a
/// partner agency's practitioner in Family Help (WT2026 ¶170, ¶138; SET L797, 2.5.3).
pub(super) fn propose_lead(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::ProposeLead {
        to,
        family_views,
        handover,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let mut e = ValidationErrors::new();
    let change = {
        // ¶170; SET L797, 2.5.3: children's social care work is led by a social
        // worker; in Family Help the lead may work in a partner agency (¶138).
        let eligible = match case.service {
            Service::SocialCare => {
                matches!(to.role, Role::SocialWorker | Role::PracticeSupervisor)
            }
            Service::FamilyHelp => matches!(
                to.role,
                Role::SocialWorker | Role::PracticeSupervisor | Role::PartnerPractitioner
            ),
        };
        if !eligible {
            e.add(
            "practitioner",
            match case.service {
                Service::SocialCare => "Choose a social worker: children's social care work is led by a social worker (SET 2.5.3)",
                Service::FamilyHelp => "Choose a social worker or a practitioner in a partner agency",
            },
        );
        }
        if case.lead_user() == Some(to.user) {
            e.add(
                "practitioner",
                format!("{} is already the lead practitioner", to.name),
            );
        }
        let family_views = text(
            &mut e,
            "family_views",
            "family's views on who their lead practitioner should be",
            &family_views,
            MAX_TEXT,
        );
        let handover = if case.lead.is_some() {
            text(
                &mut e,
                "handover",
                "handover for the new lead practitioner",
                &handover,
                MAX_TEXT,
            )
        } else {
            optional_text(&mut e, "handover", "handover", &handover)
        };
        e.into_result().map_err(Refusal::Invalid)?;
        Change::AllocationProposed {
            to,
            family_views,
            handover,
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// The proposed practitioner agrees to lead, or says why not (WT2026 ¶170: allocated
/// "with the lead practitioner's agreement").
pub(super) fn answer_allocation(
    _case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::AnswerAllocation { accept, reason } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let mut e = ValidationErrors::new();
    let change = {
        if accept {
            Change::AllocationAccepted
        } else {
            let reason = text(&mut e, "reason", "reason", &reason, MAX_TEXT);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::AllocationDeclined { reason }
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// The family's consent to Family Help, and what they were told if they declined
/// (WT2026 ¶146).
pub(super) fn record_consent(
    _case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::RecordConsent {
        given,
        given_by,
        told,
        on,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        let given_by = text(
            &mut e,
            "given_by",
            "name of who answered for the family",
            &given_by,
            MAX_SHORT,
        );
        // ¶146: even when the family declines, "still inform individuals that
        // their data will be recorded and shared, and the purpose of this explained".
        let told = text(
            &mut e,
            "told",
            "what the family was told is recorded and shared, and why",
            &told,
            MAX_TEXT,
        );
        not_future(&mut e, "on", "date", on, today);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ConsentRecorded {
            given,
            given_by,
            told,
            on,
        }
    };
    Ok(vec![super::event(ctx, change)])
}
