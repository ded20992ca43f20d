//! Moving on: stepping up and down, sharing information, transfers to another local
//! authority and closing the case (WT2026 ¶29–¶33, ¶252; 003 L1481).

use super::*;

/// The Family Help lead practitioner asks for the case to step up to children's social
/// care (WT2026 ¶167).
pub(super) fn request_step_up(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::RequestStepUp { reason } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let mut e = ValidationErrors::new();
    let change = {
        if case.step_up_requested.is_some() {
            return Err(Refusal::Conflict(
                "a step up has already been asked for".into(),
            ));
        }
        let reason = text(
            &mut e,
            "reason",
            "reason for stepping up",
            &reason,
            MAX_TEXT,
        );
        e.into_result().map_err(Refusal::Invalid)?;
        Change::StepUpRequested { reason }
    };
    Ok(vec![super::event(ctx, change)])
}

/// The practice supervisor steps the case up to children's social care, with a reason.
pub(super) fn step_up(case: &Case, ctx: &Context, cmd: Command) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::StepUp { reason } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        if case.service == Service::SocialCare {
            return Err(Refusal::Conflict(
                "the case is already with children's social care".into(),
            ));
        }
        let reason = text(
            &mut e,
            "reason",
            "reason for stepping up",
            &reason,
            MAX_TEXT,
        );
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ServiceChanged {
            to: Service::SocialCare,
            on: today,
            reason,
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// The practice supervisor steps the case down to Family Help, with a reason.
pub(super) fn step_down(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::StepDown { reason } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        if case.service == Service::FamilyHelp {
            return Err(Refusal::Conflict(
                "the case is already in Family Help".into(),
            ));
        }
        if let Some(p) = case.open_plan() {
            return Err(Refusal::Conflict(format!(
                "end the {} before stepping down",
                p.kind.label()
            )));
        }
        if case.protection.has_open_work() {
            return Err(Refusal::Conflict(
                "child protection work is open on this case: finish it before stepping down".into(),
            ));
        }
        if case.open_assessments().next().is_some() {
            return Err(Refusal::Conflict(
                "complete the assessment before stepping down".into(),
            ));
        }
        let reason = text(
            &mut e,
            "reason",
            "reason for stepping down",
            &reason,
            MAX_TEXT,
        );
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ServiceChanged {
            to: Service::FamilyHelp,
            on: today,
            reason,
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Record information shared with another agency and its lawful basis, or why it was
/// not shared (WT2026 ¶29–¶33).
pub(super) fn record_sharing(
    _case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::RecordSharing {
        about,
        on,
        how,
        not_shared_reason,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        let about = text(&mut e, "about", "what was shared", &about, MAX_SHORT);
        let (on, how, not_shared_reason) = if not_shared_reason.trim().is_empty() {
            match on {
                None => e.add("on", "Enter the date it was shared, or why it was not"),
                Some(d) => not_future(&mut e, "on", "date it was shared", d, today),
            }
            (
                on,
                text(
                    &mut e,
                    "how",
                    "how it was shared (letter, visit, meeting)",
                    &how,
                    MAX_SHORT,
                ),
                None,
            )
        } else {
            (
                None,
                String::new(),
                Some(text(
                    &mut e,
                    "not_shared_reason",
                    "reason it was not shared",
                    &not_shared_reason,
                    MAX_TEXT,
                )),
            )
        };
        e.into_result().map_err(Refusal::Invalid)?;
        Change::SharedWithFamily {
            about,
            on,
            how,
            not_shared_reason,
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Start the transfer of the case to another local authority.
pub(super) fn start_transfer(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::StartTransfer {
        to_authority,
        to_agency,
        informed_on,
        information_sent_on,
        note,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        if case.transfer.is_some() {
            return Err(Refusal::Conflict("a transfer has already started".into()));
        }
        let to_authority = text(
            &mut e,
            "to_authority",
            "local authority the child has moved to",
            &to_authority,
            MAX_SHORT,
        );
        if to_authority.eq_ignore_ascii_case(&case.local_authority) {
            e.add(
                "to_authority",
                "The child has moved to another local authority: choose a different one",
            );
        }
        not_future(
            &mut e,
            "informed_on",
            "date the other authority was told",
            informed_on,
            today,
        );
        not_future(
            &mut e,
            "information_sent_on",
            "date the information was sent",
            information_sent_on,
            today,
        );
        let note = optional_text(&mut e, "note", "note", &note);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::TransferStarted {
            to_authority,
            to_agency,
            informed_on,
            information_sent_on,
            note,
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Record the handover to the other local authority and close the case (RC5); support
/// continues meanwhile (003 L1481).
pub(super) fn complete_transfer(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::CompleteTransfer {
        on,
        accepted_by,
        new_case,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let event = |change: Change| event(ctx, change);
    let mut e = ValidationErrors::new();
    {
        if case.protection.open_plan().is_some() {
            return Err(Refusal::Conflict(
            "end the child protection plan first (moved permanently, after the receiving authority's conference)".into(),
        ));
        }
        let Some(t) = &case.transfer else {
            return Err(Refusal::Conflict("no transfer has started".into()));
        };
        if t.completed_on.is_some() {
            return Err(Refusal::Conflict("the transfer is already complete".into()));
        }
        not_future(&mut e, "on", "date of the handover", on, today);
        if on < t.informed_on {
            e.add(
                "on",
                "The handover cannot be before the other authority was told",
            );
        }
        let accepted_by = text(
            &mut e,
            "accepted_by",
            "who accepted the case in the other authority",
            &accepted_by,
            MAX_SHORT,
        );
        e.into_result().map_err(Refusal::Invalid)?;
        // "Support should continue to be provided by the original local authority in
        // the intervening period" (Desc-A, 003 L1481): until now. Plans end and the
        // case closes, transferred (RC5).
        let mut out: Vec<CaseEvent> = case
            .plans
            .iter()
            .filter(|p| p.is_open())
            .map(|p| {
                event(Change::PlanEnded {
                    plan: p.number,
                    on,
                    reason: format!(
                        "The child moved to {}; the plan went with the information sent",
                        t.to_authority
                    ),
                })
            })
            .collect();
        out.push(event(Change::TransferCompleted {
            on,
            accepted_by,
            new_case,
        }));
        out.push(event(Change::Closed {
            on,
            reason: ClosureReason::RC5,
            note: format!("Transferred to {}", t.to_authority),
        }));
        Ok(out)
    }
}

/// Close the case with the CIN census reason (WT2026 ¶252: reasons recorded and
/// shared).
pub(super) fn close(case: &Case, ctx: &Context, cmd: Command) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::Close { on, reason, note } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        if case.protection.has_open_work()
            && !matches!(reason, ClosureReason::RC2 | ClosureReason::RC5)
        {
            return Err(Refusal::Conflict(
                "child protection work is open: a strategy discussion, enquiry, conference or plan"
                    .into(),
            ));
        }
        if case.protection.open_plan().is_some() {
            return Err(Refusal::Conflict(
            "the child protection plan is open: it ends at a review conference or for one of the reasons the guidance gives".into(),
        ));
        }
        if let Some(p) = case.open_plan() {
            return Err(Refusal::Conflict(format!(
                "the {} is still open: end it, with the reason, before closing the case",
                p.kind.label()
            )));
        }
        if case.open_assessments().next().is_some()
            && !matches!(
                reason,
                ClosureReason::RC2 | ClosureReason::RC5 | ClosureReason::RC6
            )
        {
            return Err(Refusal::Conflict(
                "an assessment is still open: complete it before closing the case".into(),
            ));
        }
        if matches!(reason, ClosureReason::RC8 | ClosureReason::RC9)
            && !case.assessments.iter().any(|a| a.completed_on.is_some())
        {
            e.add(
                "reason",
                format!(
                    "{} is for a case closed after an assessment: no assessment has been completed",
                    reason.code()
                ),
            );
        }
        if reason == ClosureReason::RC5 && case.transfer.is_some() {
            e.add("reason", "Record the handover on the transfer instead");
        }
        not_future(&mut e, "on", "closure date", on, today);
        if on < case.opened_at.date() {
            e.add("on", "The case cannot close before it opened");
        }
        let note = optional_text(&mut e, "note", "note", &note);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::Closed { on, reason, note }
    };
    Ok(vec![super::event(ctx, change)])
}
