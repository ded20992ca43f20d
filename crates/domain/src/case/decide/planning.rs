//! Plans: making a child in need or Family Help plan, its actions, its meetings, ending
//! it, and family group conferences (WT2026 ¶195, ¶198; SET 2.5.24–2.5.26).

use super::*;

/// Make a child in need or Family Help plan with the family: outcomes, actions and its
/// review date (WT2026 ¶195, ¶198; SET 2.5.24–2.5.26).
pub(super) fn make_plan(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::MakePlan {
        kind,
        agreed_on,
        outcomes,
        services,
        family_views,
        actions,
        next_review,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        match kind {
            PlanKind::FamilyHelp => {
                if case.service != Service::FamilyHelp {
                    return Err(Refusal::Conflict(
                        "a Family Help plan is made in Family Help: step the case down first"
                            .into(),
                    ));
                }
                if !case.consent_given() {
                    return Err(Refusal::Conflict(
                    "Family Help is voluntary: record the family's consent before the plan (¶135)".into(),
                ));
                }
            }
            PlanKind::ChildInNeed => {
                if case.protection.open_plan().is_some() {
                    return Err(Refusal::Conflict(
                        "the child has a child protection plan: its core group carries the work"
                            .into(),
                    ));
                }
                if case.service != Service::SocialCare {
                    return Err(Refusal::Conflict(
                        "a child in need plan is made by children's social care".into(),
                    ));
                }
                if !case
                    .lead
                    .as_ref()
                    .is_some_and(|l| l.practitioner.role.is_childrens_social_care())
                {
                    return Err(Refusal::Conflict(
                    "a child in need plan needs a social worker as lead practitioner (SET 2.5.3): allocate one first".into(),
                ));
                }
            }
        }
        if let Some(p) = case.open_plan() {
            return Err(Refusal::Conflict(format!(
                "the {} is still open: a child has one plan at a time, so end it first",
                p.kind.label()
            )));
        }
        not_future(
            &mut e,
            "agreed_on",
            "date the plan was agreed",
            agreed_on,
            today,
        );
        let outcomes: Vec<String> = outcomes
            .iter()
            .filter(|o| !o.trim().is_empty())
            .map(|o| text(&mut e, "outcomes", "outcome", o, MAX_TEXT))
            .collect();
        if outcomes.is_empty() {
            e.add(
                "outcomes",
                "Enter at least one outcome for the child: what should be better for them",
            );
        }
        let services: Vec<String> = services
            .iter()
            .filter(|o| !o.trim().is_empty())
            .map(|o| text(&mut e, "services", "service", o, MAX_SHORT))
            .collect();
        let family_views = text(
            &mut e,
            "family_views",
            "how the family took part and their views",
            &family_views,
            MAX_TEXT,
        );
        let mut number = case.last_action;
        let actions = actions_from(&mut e, "actions", actions, agreed_on, &mut number);
        if actions.is_empty() && !e.0.iter().any(|x| x.field.starts_with("actions")) {
            e.add(
                "actions[0].what",
                "Enter at least one action: who does what by when",
            );
        }
        let (first_rule, _) = kind.review_rules();
        let (next_review, review_rule) = review_date(
            &mut e,
            "next_review",
            ctx,
            first_rule,
            agreed_on,
            next_review,
        );
        e.into_result().map_err(Refusal::Invalid)?;
        Change::PlanMade {
            plan: Plan {
                number: case.plans.len() as u32 + 1,
                kind,
                agreed_on,
                outcomes,
                services,
                family_views,
                actions,
                meetings: Vec::new(),
                next_review,
                review_rule,
                ended_on: None,
                end_reason: String::new(),
            },
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Add an action to a plan (WT2026 ¶195: measurable, reviewable actions).
pub(super) fn add_action(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::AddAction { plan, action } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let mut e = ValidationErrors::new();
    let change = {
        let p = open_plan(case, plan)?;
        let mut number = case.last_action;
        let mut actions = actions_from(&mut e, "actions", vec![action], p.agreed_on, &mut number);
        e.into_result().map_err(Refusal::Invalid)?;
        let Some(action) = actions.pop() else {
            return Err(invalid("actions[0].what", "Enter what is to be done"));
        };
        Change::ActionAdded { plan, action }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Record a plan action done, by its owner or children's social care.
pub(super) fn complete_action(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::CompleteAction {
        plan,
        action,
        on,
        note,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        let actions = if plan == 0 {
            // The child protection plan's core group actions.
            case.protection
                .open_plan()
                .map(|p| p.actions.as_slice())
                .ok_or_else(|| Refusal::Conflict("there is no open child protection plan".into()))?
        } else {
            open_plan(case, plan)?.actions.as_slice()
        };
        let a = actions
            .iter()
            .find(|a| a.number == action)
            .ok_or_else(|| Refusal::NotFound("no such action".into()))?;
        if a.done_on.is_some() {
            return Err(Refusal::Conflict(
                "that action is already recorded as done".into(),
            ));
        }
        not_future(&mut e, "on", "date it was done", on, today);
        let note = optional_text(&mut e, "note", "note", &note);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ActionDone {
            plan,
            action,
            on,
            note,
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Record a plan's review meeting: the child's wishes and feelings, progress, the
/// scale, new actions and the next review (WT2026 Box "Statutory requirements for
/// children in need", ¶198).
pub(super) fn hold_meeting(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::HoldMeeting {
        plan,
        held_on,
        attendees,
        child_views,
        summary,
        scale,
        next_review,
        new_actions,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        let p = open_plan(case, plan)?;
        not_future(&mut e, "held_on", "date of the meeting", held_on, today);
        if held_on < p.agreed_on {
            e.add(
                "held_on",
                "The meeting must be on or after the date the plan was agreed",
            );
        }
        let attendees: Vec<Attendee> = attendees
            .into_iter()
            .filter(|a| !a.name.trim().is_empty() || !a.role.trim().is_empty())
            .enumerate()
            .map(|(i, a)| Attendee {
                name: text(
                    &mut e,
                    &format!("attendees[{i}].name"),
                    "attendee's name",
                    &a.name,
                    MAX_SHORT,
                ),
                role: text(
                    &mut e,
                    &format!("attendees[{i}].role"),
                    "attendee's role or relationship",
                    &a.role,
                    MAX_SHORT,
                ),
                agency: a.agency.trim().to_string(),
            })
            .collect();
        if attendees.is_empty() {
            e.add("attendees[0].name", "Enter who attended");
        }
        // Box "Statutory requirements for children in need": the child's wishes and
        // feelings "must be sought"; ¶191 reviews involve the child and family.
        let child_views = text(
            &mut e,
            "child_views",
            "child's views (or why they could not be given)",
            &child_views,
            MAX_TEXT,
        );
        let summary = text(
            &mut e,
            "summary",
            "summary of what was reviewed and decided",
            &summary,
            MAX_TEXT,
        );
        if let Some(s) = scale {
            if s > 10 {
                e.add("scale", "The scale runs from 0 to 10");
            }
        }
        let mut number = case.last_action;
        let new_actions = actions_from(&mut e, "actions", new_actions, held_on, &mut number);
        let (_, next_rule) = p.kind.review_rules();
        let (next_review, _) =
            review_date(&mut e, "next_review", ctx, next_rule, held_on, next_review);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::MeetingHeld {
            plan,
            meeting: Meeting {
                kind: p.kind.meeting(),
                held_on,
                attendees,
                child_views,
                summary,
                scale,
                next_review,
            },
            new_actions,
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// End a plan, with a reason.
pub(super) fn end_plan(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::EndPlan { plan, on, reason } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        let p = open_plan(case, plan)?;
        not_future(&mut e, "on", "date the plan ended", on, today);
        if on < p.agreed_on {
            e.add("on", "The plan cannot end before it was agreed");
        }
        let reason = text(&mut e, "reason", "reason the plan ends", &reason, MAX_TEXT);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::PlanEnded { plan, on, reason }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Record a family group conference offered, held or declined (WT2026 ¶136, ¶149, fn 59).
pub(super) fn record_family_group_conference(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::RecordFamilyGroupConference { stage, on, note } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        let last = case.fgc.last().map(|(s, _, _)| *s);
        let ok = match stage {
            FgcStage::Offered => true,
            FgcStage::Accepted | FgcStage::Declined => last == Some(FgcStage::Offered),
            FgcStage::Held => last == Some(FgcStage::Accepted),
        };
        if !ok {
            return Err(Refusal::Conflict(match stage {
                FgcStage::Held => {
                    "record that the family accepted the family group conference first".into()
                }
                _ => "record that a family group conference was offered first".into(),
            }));
        }
        not_future(&mut e, "on", "date", on, today);
        let note = if stage == FgcStage::Held {
            text(
                &mut e,
                "note",
                "family's plan or what was agreed",
                &note,
                MAX_TEXT,
            )
        } else {
            optional_text(&mut e, "note", "note", &note)
        };
        e.into_result().map_err(Refusal::Invalid)?;
        Change::FamilyGroupConference { stage, on, note }
    };
    Ok(vec![super::event(ctx, change)])
}
