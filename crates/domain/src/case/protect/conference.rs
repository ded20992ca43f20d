//! Child protection conferences: requests for one, arranging it, agency reports, the
//! chair's meeting with the family, and holding it (WT2026 003 L1785–L1956).

use super::*;

/// A practitioner asks for a child protection conference (003 L1785).
pub(super) fn request_conference(
    _case: &Case,
    _ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::RequestConference { by, reason } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let mut e = ValidationErrors::new();
    let change = {
        let by = text(&mut e, "by", "who is asking", &by, MAX_SHORT);
        let reason = text(
            &mut e,
            "reason",
            "why a conference is needed",
            &reason,
            MAX_TEXT,
        );
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ConferenceRequested { by, reason }
    };
    Ok((change, Vec::new()))
}

/// A conference the local authority agreed to convene at a practitioner's request
/// (003 L1785): an initial conference (a review when the child has a plan), due by the
/// `icpc` rule from the agreement, unless one is already to be held.
fn convene_on_request(case: &Case, ctx: &Context) -> Option<Change> {
    let p = &case.protection;
    if p.pending_conference().is_some() {
        return None;
    }
    let (due, rule_id) = required(ctx, "icpc", ctx.now);
    Some(Change::ConferenceConvened {
        conference: Conference::convened(
            p.conferences.len() as u32 + 1,
            if p.open_plan().is_some() {
                ConferenceKind::Review
            } else {
                ConferenceKind::Initial
            },
            due,
            rule_id,
        ),
    })
}

/// The local authority answers a practitioner's request for a conference (003 L1785):
/// agreed, the conference is convened and is the supervisors' to arrange.
pub(super) fn answer_conference_request(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::AnswerConferenceRequest {
        index,
        agreed,
        reason,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let p = &case.protection;
    let mut e = ValidationErrors::new();
    let change = {
        let r = p
            .requests
            .get(index)
            .ok_or_else(|| Refusal::NotFound("no such request".into()))?;
        if r.answer.is_some() {
            return Err(Refusal::Conflict("already answered".into()));
        }
        let reason = text(&mut e, "reason", "reasons", &reason, MAX_TEXT);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ConferenceRequestAnswered {
            index,
            agreed,
            reason,
        }
    };
    let extra = if agreed {
        convene_on_request(case, ctx).into_iter().collect()
    } else {
        Vec::new()
    };
    Ok((change, extra))
}

/// The named manager answers an escalated request (003 L1785: "a quick and
/// straightforward means of resolving differences"): agreed, the conference is convened.
pub(super) fn answer_conference_escalation(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::AnswerConferenceEscalation {
        index,
        agreed,
        reason,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let r = case
        .protection
        .requests
        .get(index)
        .ok_or_else(|| Refusal::NotFound("no such request".into()))?;
    if !r.awaits_escalation_answer() {
        return Err(Refusal::Conflict(
            "this request is not waiting for an answer to its escalation".into(),
        ));
    }
    let mut e = ValidationErrors::new();
    let reason = text(&mut e, "reason", "reasons", &reason, MAX_TEXT);
    e.into_result().map_err(Refusal::Invalid)?;
    let extra = if agreed {
        convene_on_request(case, ctx).into_iter().collect()
    } else {
        Vec::new()
    };
    Ok((
        Change::ConferenceEscalationAnswered {
            index,
            agreed,
            reason,
        },
        extra,
    ))
}

/// The practitioner escalates a refused request for a conference (003 L1785: "a quick
/// and straightforward means of resolving differences").
pub(super) fn escalate_conference_request(
    case: &Case,
    _ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::EscalateConferenceRequest { index, reason, to } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let p = &case.protection;
    let mut e = ValidationErrors::new();
    let change = {
        let r = p
            .requests
            .get(index)
            .ok_or_else(|| Refusal::NotFound("no such request".into()))?;
        if !r.may_be_escalated() {
            return Err(Refusal::Conflict(
                "only a refused request is escalated, once".into(),
            ));
        }
        let reason = text(&mut e, "reason", "why", &reason, MAX_TEXT);
        // To a named manager, not the one who refused.
        let to = match to {
            None => {
                e.add("to", "Choose the manager it goes to");
                None
            }
            Some(m) if m.role != Role::PracticeSupervisor => {
                e.add(
                    "to",
                    "Choose a manager: a practice supervisor or team manager",
                );
                None
            }
            Some(m) if Some(m.user) == r.answered_by => {
                e.add("to", "Choose a manager other than the one who refused");
                None
            }
            Some(m) => Some(m),
        };
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ConferenceRequestEscalated { index, reason, to }
    };
    Ok((change, Vec::new()))
}

/// Arrange a conference: its chair, date and invitations (003 L1816–L1834).
pub(super) fn schedule_conference(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::ScheduleConference {
        conference,
        date,
        chair,
        chair_line_manages_lead,
        invitees,
        time,
        place,
        late_reason,
        late_authorised_by,
        late_consulted,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.now.date();
    let p = &case.protection;
    let mut e = ValidationErrors::new();
    let change = {
        let c = p
            .conference(conference)
            .ok_or_else(|| Refusal::NotFound("no such conference".into()))?;
        if c.record.is_some() || c.cancelled.is_some() {
            return Err(Refusal::Conflict(
                "this conference is no longer to be arranged".into(),
            ));
        }
        // ICPC descriptor: the chair is "independent of operational and/or line
        // management responsibility for the case".
        let chair = match chair {
            None => {
                e.add("chair", "Choose the chair");
                None
            }
            Some(ch) if case.lead_user() == Some(ch.user) => {
                e.add(
                    "chair",
                    "The lead practitioner cannot chair: the chair is independent of the case",
                );
                None
            }
            Some(_) if chair_line_manages_lead => {
                e.add("chair", "This chair line-manages the lead practitioner: choose someone independent of the case");
                None
            }
            Some(ch) if !matches!(ch.role, Role::ConferenceChair | Role::PracticeSupervisor) => {
                e.add("chair", "A conference is chaired by a conference chair or a manager independent of the case");
                None
            }
            Some(ch) => Some(ch),
        };
        // A conference arranged before it was recorded here may have a past date.
        let _ = today;
        let (time, place) = when_and_where(&mut e, ctx, date, time, &place);
        let late = late_arrangement(
            &mut e,
            ctx,
            c,
            date,
            [&late_reason, &late_authorised_by, &late_consulted],
        );
        let invitees = participants(&mut e, "invitees", invitees);
        if invitees.is_empty() {
            e.add(
                "invitees",
                "Invite the family and the practitioners involved",
            );
        }
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ConferenceScheduled {
            conference,
            date,
            chair: chair.expect("checked"),
            invitees,
            time: Some(time),
            place,
            late,
        }
    };
    Ok((change, Vec::new()))
}

/// Move an arranged conference to another date, time or place, with the reason; a
/// later date than it is due needs its reason as when it was arranged (issue 16).
pub(super) fn reschedule_conference(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::RescheduleConference {
        conference,
        date,
        time,
        place,
        reason,
        late_reason,
        late_authorised_by,
        late_consulted,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let c = case
        .protection
        .conference(conference)
        .ok_or_else(|| Refusal::NotFound("no such conference".into()))?;
    if c.record.is_some() || c.cancelled.is_some() {
        return Err(Refusal::Conflict(
            "this conference is no longer to be arranged".into(),
        ));
    }
    if c.date.is_none() {
        return Err(Refusal::Conflict(
            "arrange the conference first: its chair, date and invitations".into(),
        ));
    }
    let mut e = ValidationErrors::new();
    let (time, place) = when_and_where(&mut e, ctx, date, time, &place);
    let late = late_arrangement(
        &mut e,
        ctx,
        c,
        date,
        [&late_reason, &late_authorised_by, &late_consulted],
    );
    let reason = text(&mut e, "reason", "reason it is moved", &reason, MAX_TEXT);
    e.into_result().map_err(Refusal::Invalid)?;
    Ok((
        Change::ConferenceRescheduled {
            conference,
            date,
            time,
            place,
            reason,
            late,
        },
        Vec::new(),
    ))
}

/// A conference's time and place, checked: it meets on a working day (CIN census rule
/// 8875 rejects an initial conference on a weekend), at a time, somewhere.
fn when_and_where(
    e: &mut ValidationErrors,
    ctx: &Context,
    date: NaiveDate,
    time: Option<NaiveTime>,
    place: &str,
) -> (NaiveTime, String) {
    if !ctx.calendar.is_working_day(date) {
        e.add(
            "date",
            "A conference is held on a working day: this date is a weekend or bank holiday",
        );
    }
    if time.is_none() {
        e.add("time", "Enter the time it starts, like 10:00");
    }
    let place = text(e, "place", "place (or how to join)", place, MAX_SHORT);
    (time.unwrap_or(NaiveTime::MIN), place)
}

/// A date after the conference is due needs the reason why (a *should*: the practice
/// supervisor who arranges it records the reason). Where the partnership makes the
/// timescale a *must* (SET 002 L2501, L2771: the operational service manager's written
/// authorisation), or extends any timescale only by a manager's authority (LIV §5), also
/// who authorised the later date; and, where its extension rule asks, which of the other
/// agencies' managers were consulted (LIV §5). Issue 16.
fn late_arrangement(
    e: &mut ValidationErrors,
    ctx: &Context,
    c: &Conference,
    date: NaiveDate,
    [reason, authorised_by, consulted]: [&str; 3],
) -> Option<LateArrangement> {
    if c.due.is_met_by(midnight(date)) {
        return None;
    }
    let must = c
        .rule_id
        .as_deref()
        .and_then(|r| ctx.profile.rule(r))
        .is_some_and(|r| r.strength == crate::timescale::Strength::Must);
    let by = c.due.date().format("%-d %B %Y");
    let reason = text(
        e,
        "late_reason",
        &format!("reason it is held after it is due ({by})"),
        reason,
        MAX_TEXT,
    );
    let authorised_by = (must || ctx.profile.extensions.is_some()).then(|| {
        text(
            e,
            "late_authorised_by",
            "the manager who authorised the later date",
            authorised_by,
            MAX_SHORT,
        )
    });
    let consulted = crate::case::decide::consultation(e, ctx, "late_consulted", consulted);
    Some(LateArrangement {
        reason,
        authorised_by,
        consulted: (!consulted.is_empty()).then_some(consulted),
    })
}

/// An invited agency sends its report for the conference (003 L1826–L1828).
pub(super) fn submit_agency_report(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::SubmitAgencyReport { conference, report } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.now.date();
    let p = &case.protection;
    let mut e = ValidationErrors::new();
    let change = {
        let c = p
            .conference(conference)
            .ok_or_else(|| Refusal::NotFound("no such conference".into()))?;
        if c.record.is_some() {
            return Err(Refusal::Conflict("the conference has been held".into()));
        }
        let agency = text(&mut e, "agency", "agency", &report.agency, MAX_SHORT);
        let by = text(&mut e, "by", "author", &report.by, MAX_SHORT);
        let summary = text(&mut e, "summary", "report", &report.summary, MAX_TEXT);
        let reason_not_shared = if report.share_with_parents {
            String::new()
        } else {
            text(
                &mut e,
                "reason_not_shared",
                "why it is not to be shared with the parents",
                &report.reason_not_shared,
                MAX_TEXT,
            )
        };
        e.into_result().map_err(Refusal::Invalid)?;
        Change::AgencyReportSubmitted {
            conference,
            report: AgencyReport {
                agency,
                by,
                summary,
                submitted_on: today,
                share_with_parents: report.share_with_parents,
                reason_not_shared,
            },
        }
    };
    Ok((change, Vec::new()))
}

/// The chair records meeting the family before the conference (003 L1834).
pub(super) fn record_chair_meeting(
    _case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::RecordChairMeeting {
        conference,
        on,
        note,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.now.date();
    let mut e = ValidationErrors::new();
    let not_future = |e: &mut ValidationErrors, field: &str, d: NaiveDate| {
        if d > today {
            e.add(field, "The date must be today or in the past");
        }
    };
    let change = {
        not_future(&mut e, "on", on);
        let note = text(&mut e, "note", "note of the meeting", &note, MAX_TEXT);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ChairMetFamily {
            conference,
            on,
            note,
        }
    };
    Ok((change, Vec::new()))
}

/// The chair records the conference: its decision, the plan's categories and lead
/// social worker, the first core group and the next review (003 L1834–L1949).
pub(super) fn hold_conference(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::HoldConference {
        conference,
        held_on,
        attendees,
        views,
        outcome,
        late_reason,
        ongoing_support,
        eighteenth_birthday,
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
        let c = p
            .conference(conference)
            .ok_or_else(|| Refusal::NotFound("no such conference".into()))?;
        if c.record.is_some() || c.cancelled.is_some() {
            return Err(Refusal::Conflict("this conference has been held".into()));
        }
        if c.kind.is_initial() && !p.may_convene_initial() {
            return Err(Refusal::Conflict(
                "an initial conference follows a substantiated section 47 enquiry".into(),
            ));
        }
        not_future(&mut e, "held_on", held_on);
        // Conferences are held on working days; the DfE rejects an initial
        // conference dated on a weekend (CIN census rule 8875), so a weekend date
        // is a typing error to catch here, not in March.
        if !ctx.calendar.is_working_day(held_on) {
            e.add(
            "held_on",
            "A conference is held on a working day: check the date (it is a weekend or bank holiday)",
        );
        }
        let attendees = participants(&mut e, "attendees", attendees);
        if attendees.is_empty() {
            e.add("attendees", "Record who attended");
        }
        let views: Vec<View> = views
            .into_iter()
            .filter(|v| !v.name.trim().is_empty())
            .collect();
        if views.iter().any(|v| v.scale.is_some_and(|s| s > 10)) {
            e.add("views", "Scaling runs from 0 to 10");
        }
        let late = !c.due.is_met_by(midnight(held_on));
        let late_reason = if late && c.late.is_some() && late_reason.trim().is_empty() {
            c.late.as_ref().map(|l| l.reason.clone())
        } else if late {
            Some(text(&mut e, "late_reason", "reason the conference is late (SET: authorised by the operational service manager)", &late_reason, MAX_TEXT))
        } else {
            None
        };
        let decision = |e: &mut ValidationErrors,
                        categories: Vec<HarmCategory>,
                        lead: Option<Practitioner>,
                        core_group: Vec<Participant>,
                        changes: Vec<OutlineChange>,
                        every: u8| {
            if categories.is_empty() {
                e.add(
                    "category_physical",
                    "Choose the category or categories of harm",
                );
            }
            let lead = match lead {
                Some(l) if matches!(l.role, Role::SocialWorker | Role::PracticeSupervisor) => {
                    Some(l)
                }
                Some(_) => {
                    // ICPC descriptor: the lead practitioner for a plan is always a
                    // social worker (¶172), an employee of the lead statutory body.
                    e.add(
                        "lead_social_worker",
                        "The lead practitioner for a child protection plan is a social worker",
                    );
                    None
                }
                None => {
                    e.add("lead_social_worker", "Choose the lead social worker");
                    None
                }
            };
            let core_group = participants(e, "core_group", core_group);
            if core_group.is_empty() {
                e.add(
                    "core_group",
                    "Name the core group, including family members",
                );
            }
            let changes: Vec<OutlineChange> = changes
                .into_iter()
                .filter(|c| !c.what.trim().is_empty())
                .collect();
            if changes.is_empty() {
                e.add("changes", "Say what must change, by how much and by when");
            }
            if changes.iter().any(|c| c.by_how_much.trim().is_empty()) {
                e.add("changes", "Say by how much each thing must change");
            }
            if !(1..=12).contains(&every) {
                e.add(
                    "core_group_every_weeks",
                    "Core groups meet every 1 to 12 weeks",
                );
            }
            lead.map(|l| PlanDecision {
                categories,
                lead_body: l.agency_name.clone(),
                lead_social_worker: l,
                core_group,
                changes,
                core_group_every_weeks: every,
            })
        };
        let held = midnight(held_on);
        let (outcome, next_core_group, next_review, review_rule) =
            match (outcome, c.kind.is_initial()) {
                (
                    OutcomeInput::Plan {
                        categories,
                        lead_social_worker,
                        core_group,
                        changes,
                        core_group_every_weeks,
                        consider_proceedings,
                    },
                    initial,
                ) => {
                    if initial && p.open_plan().is_some() {
                        return Err(Refusal::Conflict(
                            "the child already has a child protection plan".into(),
                        ));
                    }
                    if !initial && p.open_plan().is_none() {
                        return Err(Refusal::Conflict("there is no plan to review".into()));
                    }
                    let d = decision(
                        &mut e,
                        categories,
                        lead_social_worker,
                        core_group,
                        changes,
                        core_group_every_weeks,
                    );
                    let review_rule_id = if initial {
                        "review-first"
                    } else {
                        "review-next"
                    };
                    let review = required(ctx, review_rule_id, held);
                    let first_core = if initial {
                        Some(required(ctx, "core-group-first", held).0)
                    } else {
                        p.open_plan().map(|pl| pl.next_core_group)
                    };
                    let Some(d) = d else {
                        return Err(Refusal::Invalid(e));
                    };
                    let out = if consider_proceedings && !initial {
                        ConferenceOutcome::ConsiderProceedings { decision: d }
                    } else {
                        ConferenceOutcome::Plan { decision: d }
                    };
                    (
                        out,
                        first_core.or(Some(required(ctx, "core-group-first", held).0)),
                        Some(review.0),
                        review.1,
                    )
                }
                (OutcomeInput::NoPlan { reasons }, true) => {
                    let reasons = text(
                        &mut e,
                        "no_plan_reasons",
                        "reasons and the help that follows",
                        &reasons,
                        MAX_TEXT,
                    );
                    (ConferenceOutcome::NoPlan { reasons }, None, None, None)
                }
                (OutcomeInput::Discontinue { reason }, false) => {
                    if let EndReason::MovedPermanently {
                        receiving_conference_on,
                        ..
                    } = &reason
                    {
                        if *receiving_conference_on > held_on {
                            e.add(
                                "receiving_conference_on",
                                "The plan ends only after the receiving authority's conference",
                            );
                        }
                    }
                    (ConferenceOutcome::Discontinue { reason }, None, None, None)
                }
                (OutcomeInput::NoPlan { .. }, false) => {
                    return Err(Refusal::Invalid(ValidationErrors::single(
                    "outcome",
                    "At a review, the plan continues, changes, ends or proceedings are considered",
                )));
                }
                (OutcomeInput::Discontinue { .. }, true) => {
                    return Err(Refusal::Invalid(ValidationErrors::single(
                        "outcome",
                        "An initial conference decides whether there is a plan",
                    )));
                }
            };
        let next_review = match (next_review, eighteenth_birthday) {
            (Some(r), Some(b)) if r.date() >= b => Some(Due::Date(
                ctx.calendar.last_working_day_on_or_before(b - Days::new(1)),
            )),
            (r, _) => r,
        };
        let ongoing_support = if matches!(
            outcome,
            ConferenceOutcome::Discontinue { .. } | ConferenceOutcome::NoPlan { .. }
        ) {
            // ¶252: ongoing support considered when a plan ends or is not needed.
            text(
                &mut e,
                "ongoing_support",
                "the support that continues (¶252)",
                &ongoing_support,
                MAX_TEXT,
            )
        } else {
            optional_text(&mut e, "ongoing_support", "support", &ongoing_support)
        };
        e.into_result().map_err(Refusal::Invalid)?;
        if let Some(review) = next_review {
            extra.push(Change::ConferenceConvened {
                conference: Conference::convened(
                    p.conferences.len() as u32 + 1,
                    ConferenceKind::Review,
                    review,
                    review_rule.clone(),
                ),
            });
        }
        Change::ConferenceHeld {
            conference,
            record: ConferenceRecord {
                held_on,
                attendees,
                views,
                outcome,
                late_reason,
                next_core_group,
                next_review,
                review_rule,
                ongoing_support,
            },
        }
    };
    Ok((change, extra))
}
