//! Strategy discussions: convening and holding them, and the section 47 enquiry they
//! initiate (WT2026 ch.3 s4 "Strategy discussion", 003 L1667–L1733).

use super::*;

/// Convene a strategy discussion, due by the profile's rule for its urgency (003
/// L1667–L1688; SET L2057–L2080).
pub(super) fn convene_strategy(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::ConveneStrategy {
        timing,
        concerns_at,
        by,
        reason,
        invitees,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.now.date();
    let p = &case.protection;
    let mut e = ValidationErrors::new();
    let change = {
        if case.service != Service::SocialCare {
            return Err(Refusal::Conflict(
                "a strategy discussion is children's social care's: step the case up first".into(),
            ));
        }
        let from = concerns_at.unwrap_or(ctx.now);
        if from > ctx.now {
            e.add(
                "concerns_at",
                "The time the concerns arose must be now or in the past",
            );
        }
        let reason = text(
            &mut e,
            "reason",
            "reasonable cause to suspect significant harm",
            &reason,
            MAX_TEXT,
        );
        let invitees = participants(&mut e, "invitees", invitees);
        let (due, rule_id) = match (due_by_rule(ctx, timing.rule_id(), from), by) {
            (Some((d, r)), _) => (d, Some(r)),
            (None, Some(b)) => (Due::Date(b), None),
            (None, None) => {
                e.add("by", "This partnership's profile has no timescale for this: enter the date it will be held by");
                (Due::Date(today), None)
            }
        };
        e.into_result().map_err(Refusal::Invalid)?;
        // One discussion at a time (issue 16): one already convened is brought forward
        // when this is needed sooner, and is not convened twice.
        match awaited_discussion(p) {
            Some(d) if earlier(&due, &d.due) => Change::StrategyDiscussionBroughtForward {
                number: d.number,
                due,
                rule_id,
                reason,
                invitees,
            },
            Some(d) => {
                return Err(Refusal::Conflict(format!(
                    "strategy discussion {} is already convened, to be held by {}: record it, or cancel it with a reason, rather than convene another",
                    d.number,
                    d.due.date().format("%-d %B %Y")
                )))
            }
            None => Change::StrategyDiscussionConvened {
                discussion: StrategyDiscussion {
                    number: p.discussions.len() as u32 + 1,
                    convened_at: ctx.now,
                    reason,
                    due,
                    rule_id,
                    invitees,
                    record: None,
                    not_held: None,
                },
            },
        }
    };
    Ok((change, Vec::new()))
}

/// A convened discussion will not be held: cancelled, or merged into another awaited
/// discussion, whose due date becomes the earlier of the two (issue 16).
pub(super) fn cancel_strategy(
    case: &Case,
    _ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::CancelStrategy {
        number,
        reason,
        merge_into,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let p = &case.protection;
    let d = p
        .discussion(number)
        .ok_or_else(|| Refusal::NotFound("no such strategy discussion".into()))?;
    if !d.is_awaited() {
        return Err(Refusal::Conflict(
            "only a discussion that is still to be held is cancelled or merged".into(),
        ));
    }
    let mut e = ValidationErrors::new();
    let mut extra = Vec::new();
    if let Some(n) = merge_into {
        match p.discussion(n) {
            Some(into) if n != number && into.is_awaited() => {
                if earlier(&d.due, &into.due) {
                    extra.push(Change::StrategyDiscussionBroughtForward {
                        number: n,
                        due: d.due,
                        rule_id: d.rule_id.clone(),
                        reason: format!("Merged with strategy discussion {number}"),
                        invitees: Vec::new(),
                    });
                }
            }
            _ => e.add(
                "merge_into",
                "Choose another strategy discussion that is still to be held",
            ),
        }
    }
    let reason = text(&mut e, "reason", "reason", &reason, MAX_TEXT);
    e.into_result().map_err(Refusal::Invalid)?;
    Ok((
        Change::StrategyDiscussionNotHeld {
            number,
            not_held: NotHeld {
                reason,
                merged_into: merge_into,
            },
        },
        extra,
    ))
}

/// Record the strategy discussion held and whether section 47 enquiries start; the
/// initial conference is then due by `icpc` (003 L1689–L1733, L1816).
pub(super) fn hold_strategy(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::HoldStrategy {
        number,
        held_at,
        attendees,
        attendance_override,
        information,
        initiate_s47,
        s47_reason,
        criminal_investigation,
        immediate_actions,
        legal_action,
        share_with_family,
        withhold_from_family,
        agency_decisions,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let supervisor = ctx.actor.role == Role::PracticeSupervisor;
    let p = &case.protection;
    let mut e = ValidationErrors::new();
    let mut extra: Vec<Change> = Vec::new();
    let change = {
        let d = p
            .discussion(number)
            .ok_or_else(|| Refusal::NotFound("no such strategy discussion".into()))?;
        if d.record.is_some() {
            return Err(Refusal::Conflict(
                "this strategy discussion has been recorded".into(),
            ));
        }
        if d.not_held.is_some() {
            return Err(Refusal::Conflict(
                "this strategy discussion was cancelled or merged into another".into(),
            ));
        }
        if held_at > ctx.now {
            e.add("held_at_date", "The time must be now or in the past");
        }
        let attendees = participants(&mut e, "attendees", attendees);
        // "A local authority social worker, health practitioners and a police
        // representative" at least (strategy discussion descriptor; SET 2.7).
        let has = |k: AgencyKind| attendees.iter().any(|a| a.agency_kind == Some(k));
        let missing: Vec<&str> = [
            (
                AgencyKind::ChildrensSocialCare,
                "a local authority social worker",
            ),
            (AgencyKind::Health, "health"),
            (AgencyKind::Police, "the police"),
        ]
        .into_iter()
        .filter(|(k, _)| !has(*k))
        .map(|(_, l)| l)
        .collect();
        let attendance_override = if missing.is_empty() {
            None
        } else if attendance_override.trim().is_empty() {
            e.add(
            "attendees",
            format!(
                "A strategy discussion needs {}: add them, or a practice supervisor records why it went ahead without",
                missing.join(", ")
            ),
        );
            None
        } else if !supervisor {
            e.add("attendance_override", "Only a practice supervisor may authorise a discussion without a social worker, health and police");
            None
        } else {
            Some(text(
                &mut e,
                "attendance_override",
                "reason it went ahead without them",
                &attendance_override,
                MAX_TEXT,
            ))
        };
        let information = text(
            &mut e,
            "information",
            "information shared and analysed",
            &information,
            MAX_TEXT,
        );
        let initiate = match initiate_s47 {
            Some(b) => b,
            None => {
                e.add(
                    "initiate_s47",
                    "Record the local authority's decision on section 47 enquiries",
                );
                false
            }
        };
        let s47_reason = text(
            &mut e,
            "s47_reason",
            "reasons for the decision",
            &s47_reason,
            MAX_TEXT,
        );
        let criminal_investigation = optional_text(
            &mut e,
            "criminal_investigation",
            "criminal investigation",
            &criminal_investigation,
        );
        let mut n = case.last_action;
        let immediate_actions =
            actions_from(&mut e, "actions", immediate_actions, held_at.date(), &mut n);
        let legal_action = optional_text(&mut e, "legal_action", "legal action", &legal_action);
        let share_with_family = text(
            &mut e,
            "share_with_family",
            "what may be shared with the child and family",
            &share_with_family,
            MAX_TEXT,
        );
        let withhold_from_family = optional_text(
            &mut e,
            "withhold_from_family",
            "what must not be shared",
            &withhold_from_family,
        );
        e.into_result().map_err(Refusal::Invalid)?;
        if initiate {
            // ICPC descriptor: within 15 working days of the strategy discussion at
            // which section 47 enquiries were initiated (`icpc`).
            let (icpc_due, icpc_rule) = required(ctx, "icpc", midnight(held_at.date()));
            extra.push(Change::EnquiryInitiated {
                enquiry: Enquiry {
                    number: p.enquiries.len() as u32 + 1,
                    strategy: number,
                    initiated_on: held_at.date(),
                    icpc_due,
                    icpc_rule,
                    tasks: Vec::new(),
                    recommendation: None,
                    recommended_by: None,
                    countersigned: None,
                },
            });
        }
        Change::StrategyDiscussionHeld {
            number,
            record: StrategyRecord {
                held_at,
                attendees,
                attendance_override,
                information,
                initiate_s47: initiate,
                s47_reason,
                criminal_investigation,
                immediate_actions,
                legal_action,
                share_with_family,
                withhold_from_family,
                agency_decisions: agency_decisions
                    .into_iter()
                    .filter(|(a, d)| !a.trim().is_empty() && !d.trim().is_empty())
                    .collect(),
            },
        }
    };
    Ok((change, extra))
}
