//! The child protection plan: its versions, core groups, ending it, a child moving in,
//! a child's death, and pre-proceedings (WT2026 003 L1897–L1956, ¶372).

use super::*;

/// Record a version of the child protection plan: outline, or detailed and circulated
/// (003 L1897–L1909).
pub(super) fn record_plan_version(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::RecordPlanVersion {
        detailed,
        on,
        circulated_to,
        agreed_with_child,
        text: body,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.now.date();
    let p = &case.protection;
    let mut e = ValidationErrors::new();
    let not_future = |e: &mut ValidationErrors, field: &str, d: NaiveDate| {
        if d > today {
            e.add(field, "The date must be today or in the past");
        }
    };
    let change = {
        let plan = p
            .open_plan()
            .ok_or_else(|| Refusal::Conflict("there is no child protection plan".into()))?;
        not_future(&mut e, "on", on);
        let circulated_to = text(
            &mut e,
            "circulated_to",
            "who the plan was sent to",
            &circulated_to,
            MAX_TEXT,
        );
        let agreed_with_child = text(
            &mut e,
            "agreed_with_child",
            "how the plan was explained to and agreed with the child",
            &agreed_with_child,
            MAX_TEXT,
        );
        let body = text(&mut e, "text", "the plan", &body, MAX_TEXT);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::CpPlanVersionRecorded {
            version: PlanVersion {
                number: plan.versions.len() as u32 + 1,
                detailed,
                on,
                circulated_to,
                agreed_with_child,
                text: body,
            },
        }
    };
    Ok((change, Vec::new()))
}

/// Record a core group meeting: who came, progress, changes to the plan and when it
/// next meets (003 L1912–L1925).
pub(super) fn hold_core_group(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::HoldCoreGroup {
        held_on,
        attendees,
        absent_views,
        progress,
        plan_changes,
        next_by,
        new_actions,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.now.date();
    let p = &case.protection;
    let mut e = ValidationErrors::new();
    let not_future = |e: &mut ValidationErrors, field: &str, d: NaiveDate| {
        if d > today {
            e.add(field, "The date must be today or in the past");
        }
    };
    let change = {
        let plan = p
            .open_plan()
            .ok_or_else(|| Refusal::Conflict("there is no child protection plan".into()))?;
        not_future(&mut e, "held_on", held_on);
        if held_on < plan.start {
            e.add("held_on", "A core group meets after the conference");
        }
        let attendees = participants(&mut e, "attendees", attendees);
        if attendees.is_empty() {
            e.add("attendees", "Record who attended");
        }
        let absent_views = optional_text(&mut e, "absent_views", "views", &absent_views);
        let progress = text(
            &mut e,
            "progress",
            "progress on each action of the plan",
            &progress,
            MAX_TEXT,
        );
        let plan_changes = optional_text(&mut e, "plan_changes", "changes", &plan_changes);
        let next =
            next_by.unwrap_or(held_on + Days::new(7 * plan.decision.core_group_every_weeks as u64));
        if next <= held_on {
            e.add("next_by", "The next core group must be after this one");
        }
        let mut n = case.last_action;
        let new_actions = actions_from(&mut e, "actions", new_actions, held_on, &mut n);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::CoreGroupHeld {
            meeting: CoreGroup {
                held_on,
                attendees,
                absent_views,
                progress,
                plan_changes,
            },
            next_by: next,
            new_actions,
        }
    };
    Ok((change, Vec::new()))
}

/// End the child protection plan, with the reason (003 L1950–L1956).
pub(super) fn end_plan(case: &Case, ctx: &Context, cmd: CpCommand) -> Result<Changes, Refusal> {
    let CpCommand::EndPlan {
        reason,
        on,
        notified,
        ongoing_support,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.now.date();
    let p = &case.protection;
    let mut e = ValidationErrors::new();
    let not_future = |e: &mut ValidationErrors, field: &str, d: NaiveDate| {
        if d > today {
            e.add(field, "The date must be today or in the past");
        }
    };
    let mut extra: Vec<Change> = Vec::new();
    let change = {
        let plan = p
            .open_plan()
            .ok_or_else(|| Refusal::Conflict("there is no child protection plan".into()))?;
        if reason == EndReason::NoLongerAtRisk {
            return Err(Refusal::Conflict(
                "a plan ends because the child is no longer at risk only at a review conference"
                    .into(),
            ));
        }
        if let EndReason::MovedPermanently {
            receiving_conference_on,
            ..
        } = &reason
        {
            // "Only after this event may the original local authority discontinue" (L1955).
            if *receiving_conference_on > on {
                e.add(
                    "receiving_conference_on",
                    "The plan ends only after the receiving authority's conference",
                );
            }
        }
        not_future(&mut e, "on", on);
        if on < plan.start {
            e.add("on", "The plan cannot end before it started");
        }
        let notified = text(
            &mut e,
            "notified",
            "who was told (everyone invited to the initial conference)",
            &notified,
            MAX_TEXT,
        );
        let ongoing_support = text(
            &mut e,
            "ongoing_support",
            "the support that continues (¶252)",
            &ongoing_support,
            MAX_TEXT,
        );
        e.into_result().map_err(Refusal::Invalid)?;
        if let Some(c) = p.pending_conference() {
            extra.push(Change::ConferenceCancelled {
                conference: c.number,
                reason: "The plan ended".into(),
            });
        }
        Change::CpPlanEnded {
            end: PlanEnd {
                on,
                reason,
                notified,
                ongoing_support,
            },
        }
    };
    Ok((change, extra))
}

/// Record a child on another authority's plan moving into the area; the conference is
/// due by `transfer-in-conference` (003 L1955).
pub(super) fn notify_transfer_in(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::NotifyTransferIn {
        from_authority,
        notified_on,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.now.date();
    let p = &case.protection;
    let mut e = ValidationErrors::new();
    let not_future = |e: &mut ValidationErrors, field: &str, d: NaiveDate| {
        if d > today {
            e.add(field, "The date must be today or in the past");
        }
    };
    let mut extra: Vec<Change> = Vec::new();
    let change = {
        if p.transfer_in.is_some() {
            return Err(Refusal::Conflict("already recorded".into()));
        }
        let from_authority = text(
            &mut e,
            "from_authority",
            "authority the child moved from",
            &from_authority,
            MAX_SHORT,
        );
        not_future(&mut e, "notified_on", notified_on);
        e.into_result().map_err(Refusal::Invalid)?;
        // L1955: the receiving authority's conference within 15 working days of
        // being notified (`transfer-in-conference`).
        let (due, rule) = required(ctx, "transfer-in-conference", midnight(notified_on));
        extra.push(Change::ConferenceConvened {
            conference: Conference::convened(
                p.conferences.len() as u32 + 1,
                ConferenceKind::TransferIn,
                due,
                rule,
            ),
        });
        Change::TransferInNotified {
            from_authority,
            notified_on,
        }
    };
    Ok((change, extra))
}

/// The partners were notified of the death of a child on a plan (WT2026 ¶372).
pub(super) fn record_death_notified(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::RecordDeathNotified { on, note } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.now.date();
    let p = &case.protection;
    let mut e = ValidationErrors::new();
    let not_future = |e: &mut ValidationErrors, field: &str, d: NaiveDate| {
        if d > today {
            e.add(field, "The date must be today or in the past");
        }
    };
    let change = {
        if p.death_notification_due.is_none() {
            return Err(Refusal::Conflict("there is no death to notify".into()));
        }
        not_future(&mut e, "on", on);
        let note = text(&mut e, "note", "who was told and how", &note, MAX_TEXT);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::DeathNotified { on, note }
    };
    Ok((change, Vec::new()))
}

/// Record a step of the pre-proceedings process.
pub(super) fn record_pre_proceedings(
    _case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let forbid = Refusal::Forbidden {
        role: ctx.actor.role,
        action: cmd.name(),
    };
    let CpCommand::RecordPreProceedings { step, on, note } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.now.date();
    let supervisor = ctx.actor.role == Role::PracticeSupervisor;
    let mut e = ValidationErrors::new();
    let not_future = |e: &mut ValidationErrors, field: &str, d: NaiveDate| {
        if d > today {
            e.add(field, "The date must be today or in the past");
        }
    };
    let change = {
        if step == PreProceedingsStep::DecisionToStart && !supervisor {
            return Err(forbid);
        }
        not_future(&mut e, "on", on);
        let note = optional_text(&mut e, "note", "note", &note);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::PreProceedingsRecorded { step, on, note }
    };
    Ok((change, Vec::new()))
}
