//! The assessment: starting it, seeing the child, other agencies' contributions,
//! saving, submitting, returning, extending and authorising it (WT2026 ¶169, ¶144;
//! Desc-A, 003 L1500).

use super::*;

/// Start an assessment: statutory, Family Help, specialist or pre-birth (WT2026 ¶169,
/// ¶144; SET 2.6.5).
pub(super) fn start_assessment(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::StartAssessment {
        kind,
        started_on,
        about,
        gestation_weeks,
        late_start_reason,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        if !kind.belongs_to(case.service) {
            return Err(Refusal::Conflict(format!(
                "a {} belongs to {}; this case is in {}",
                kind.label(),
                if kind.is_statutory() {
                    "children's social care"
                } else {
                    "Family Help"
                },
                case.service.label()
            )));
        }
        if kind == AssessmentKind::FamilyHelp && !case.consent_given() {
            return Err(Refusal::Conflict(
            "Family Help is voluntary: record the family's consent before the assessment (¶135, ¶144)".into(),
        ));
        }
        if case.open_assessments().any(|a| a.kind == kind) {
            return Err(Refusal::Conflict(format!(
                "a {} is already in progress",
                kind.label()
            )));
        }
        not_future(&mut e, "started_on", "start date", started_on, today);
        let about = match kind {
            AssessmentKind::YoungCarer => text(
                &mut e,
                "about",
                "who the young carer cares for",
                &about,
                MAX_SHORT,
            ),
            AssessmentKind::ParentCarer => {
                text(&mut e, "about", "parent carer's name", &about, MAX_SHORT)
            }
            _ => optional_text(&mut e, "about", "note", &about),
        };
        let mut about = about;
        if kind == AssessmentKind::PreBirth {
            match gestation_weeks {
                None => e.add(
                    "gestation_weeks",
                    "Enter the weeks of pregnancy at the start of the assessment",
                ),
                Some(w) if !(4..=42).contains(&w) => e.add(
                    "gestation_weeks",
                    "Weeks of pregnancy must be between 4 and 42",
                ),
                // A partnership's own rule for when in pregnancy the assessment starts,
                // counted in days of gestation: SET's "ideally between 8- and 12-weeks'
                // gestation", with a recorded rationale otherwise (002 §2.6.5). Only
                // where the profile has it (issue 16).
                Some(w)
                    if ctx
                        .profile
                        .rule("pre-birth-assessment-by-gestation")
                        .is_some_and(|r| u32::from(w) * 7 > r.amount) =>
                {
                    let r = ctx
                        .profile
                        .rule("pre-birth-assessment-by-gestation")
                        .expect("matched");
                    let weeks = r.amount / 7;
                    let why = text(
                        &mut e,
                        "late_start_reason",
                        &format!(
                            "reason the pre-birth assessment starts after {weeks} weeks ({})",
                            r.citation
                        ),
                        &late_start_reason,
                        MAX_TEXT,
                    );
                    if !why.is_empty() {
                        about = if about.is_empty() {
                            format!("Started after {weeks} weeks: {why}")
                        } else {
                            format!("{about}\nStarted after {weeks} weeks: {why}")
                        };
                    }
                }
                Some(_) => {}
            }
        }
        e.into_result().map_err(Refusal::Invalid)?;
        let number = case.assessments.len() as u32 + 1;
        let (clock_from, due, rule_id) = if kind.is_statutory() {
            // ¶169: "45 working days from the point of referral" — the referral's
            // date for the case's first statutory assessment (or a step up's), the
            // start date for any later one (docs/decisions.md).
            let from = case.clock_from.unwrap_or(started_on);
            match ctx.profile.rule("assessment") {
                Some(r) => (
                    from,
                    Some(r.due(from.and_time(NaiveTime::MIN), ctx.calendar)),
                    Some(r.id.clone()),
                ),
                None => (from, None, None),
            }
        } else {
            (started_on, None, None)
        };
        Change::AssessmentStarted {
            number,
            kind,
            started_on,
            clock_from,
            due,
            rule_id,
            about,
            gestation_weeks,
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Record that the child was seen, and whether alone (WT2026 ¶169; Desc-A, 003 L1500).
pub(super) fn record_child_seen(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::RecordChildSeen { assessment, seen } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        open_assessment(case, assessment)?;
        not_future(&mut e, "on", "date the child was seen", seen.on, today);
        let by = text(
            &mut e,
            "by",
            "name of who saw the child",
            &seen.by,
            MAX_SHORT,
        );
        let alone = match seen.alone {
            SeenAlone::Alone => SeenAlone::Alone,
            SeenAlone::WithTrustedAdult { who } => SeenAlone::WithTrustedAdult {
                who: text(
                    &mut e,
                    "trusted_adult",
                    "trusted adult the child asked for",
                    &who,
                    MAX_SHORT,
                ),
            },
            SeenAlone::NotAlone { reason } => SeenAlone::NotAlone {
                reason: text(
                    &mut e,
                    "not_alone_reason",
                    "reason the child was not seen alone",
                    &reason,
                    MAX_TEXT,
                ),
            },
        };
        let note = optional_text(&mut e, "note", "note", &seen.note);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ChildSeen {
            assessment,
            seen: ChildSeen {
                on: seen.on,
                by,
                alone,
                note,
            },
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Ask another agency to contribute to the assessment (WT2026 ¶169: a multi-agency
/// assessment).
pub(super) fn request_contribution(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::RequestContribution {
        assessment,
        agency,
        on,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        open_assessment(case, assessment)?;
        let agency = text(&mut e, "agency", "agency", &agency, MAX_SHORT);
        not_future(&mut e, "on", "date", on, today);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ContributionRequested {
            assessment,
            agency,
            on,
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Chase an agency's contribution that has not arrived.
pub(super) fn chase_contribution(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::ChaseContribution {
        assessment,
        index,
        on,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        let a = open_assessment(case, assessment)?;
        let c = a
            .contributions
            .get(index)
            .ok_or_else(|| Refusal::NotFound("no such contribution".into()))?;
        if c.received_on.is_some() {
            return Err(Refusal::Conflict(
                "that contribution has been received".into(),
            ));
        }
        not_future(&mut e, "on", "date", on, today);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ContributionChased {
            assessment,
            index,
            on,
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Record an agency's contribution to the assessment.
pub(super) fn receive_contribution(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::ReceiveContribution {
        assessment,
        index,
        on,
        summary,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        let a = open_assessment(case, assessment)?;
        let c = a
            .contributions
            .get(index)
            .ok_or_else(|| Refusal::NotFound("no such contribution".into()))?;
        if c.received_on.is_some() {
            return Err(Refusal::Conflict(
                "that contribution has already been received".into(),
            ));
        }
        not_future(&mut e, "on", "date", on, today);
        if on < c.requested_on {
            e.add(
                "on",
                "The date received must be on or after the date it was requested",
            );
        }
        let summary = text(
            &mut e,
            "summary",
            "summary of the contribution",
            &summary,
            MAX_TEXT,
        );
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ContributionReceived {
            assessment,
            index,
            on,
            summary,
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Ask for a further specialist assessment (WT2026 ¶167).
pub(super) fn request_specialist(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::RequestSpecialist {
        assessment,
        what,
        on,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        open_assessment(case, assessment)?;
        let what = text(&mut e, "what", "specialist assessment", &what, MAX_SHORT);
        not_future(&mut e, "on", "date", on, today);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::SpecialistAssessmentRequested {
            assessment,
            what,
            on,
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Save the assessment's record while it is in progress.
pub(super) fn save_assessment(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::SaveAssessment { assessment, record } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let mut e = ValidationErrors::new();
    let change = {
        let a = open_assessment(case, assessment)?;
        if a.stage != crate::case::assessment::AssessmentStage::InProgress {
            return Err(Refusal::Conflict(
                "the assessment is with the practice supervisor to authorise".into(),
            ));
        }
        for (field, v) in [
            (
                "child_developmental_needs",
                &record.child_developmental_needs,
            ),
            ("parenting_capacity", &record.parenting_capacity),
            ("family_and_environment", &record.family_and_environment),
            ("wishes_and_feelings", &record.wishes_and_feelings),
            ("parents_views", &record.parents_views),
            ("analysis", &record.analysis),
        ] {
            if v.chars().count() > MAX_TEXT {
                e.add(
                    field,
                    format!("This must be {MAX_TEXT} characters or fewer"),
                );
            }
        }
        e.into_result().map_err(Refusal::Invalid)?;
        Change::AssessmentRecorded { assessment, record }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Submit the assessment to the practice supervisor with its outcome and the CIN census
/// factors; a Family Help assessment is complete on submission (WT2026 ¶169; CIN census
/// rules 8897Q, 8869, 8610).
pub(super) fn submit_assessment(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::SubmitAssessment {
        assessment,
        outcome,
        reasons,
        child_not_seen_reason,
        primary_need,
        factors,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let event = |change: Change| event(ctx, change);
    let mut e = ValidationErrors::new();
    {
        let a = open_assessment(case, assessment)?;
        // The CIN census asks, of every child and family assessment, the factors
        // identified and the child's primary need (rules 8897Q, 8869, 8610).
        if a.kind.in_census() {
            if let Err(m) = crate::census::check_factors(&factors) {
                e.add("factors", m);
            }
            if primary_need.is_none() && case.primary_need.is_none() {
                e.add("primary_need", "Select the child's primary need");
            }
        }
        if a.stage != crate::case::assessment::AssessmentStage::InProgress {
            return Err(Refusal::Conflict(
                "the assessment has already been submitted".into(),
            ));
        }
        for (field, what) in a.record.missing() {
            e.add(
                field,
                format!("Record {what} before submitting the assessment"),
            );
        }
        // Box "Statutory requirements for children in need": every assessment
        // "must be informed by the views of the child"; SET 2.5.24: the child was
        // seen "or there has been a recorded management decision that this is not
        // appropriate" — the reason here, authorised with the assessment.
        let not_seen = if a.child_seen() {
            None
        } else if child_not_seen_reason.trim().is_empty() {
            e.add(
                "child_not_seen_reason",
                "The child has not been seen: record a visit, or the reason they could not be seen",
            );
            None
        } else {
            Some(text(
                &mut e,
                "child_not_seen_reason",
                "reason the child was not seen",
                &child_not_seen_reason,
                MAX_TEXT,
            ))
        };
        if !AssessmentOutcome::allowed_for(a.kind).contains(&outcome) {
            e.add(
                "outcome",
                format!(
                    "A {} cannot conclude with {}",
                    a.kind.label(),
                    outcome.label()
                ),
            );
        }
        let reasons = if outcome == AssessmentOutcome::NoFurtherAction {
            // ¶252: the reasons are recorded and shared with the child, family and
            // practitioners.
            text(
                &mut e,
                "reasons",
                "reasons for no further action",
                &reasons,
                MAX_TEXT,
            )
        } else {
            optional_text(&mut e, "reasons", "reasons", &reasons)
        };
        e.into_result().map_err(Refusal::Invalid)?;
        let submitted = event(Change::AssessmentSubmitted {
            assessment,
            outcome,
            reasons,
            child_not_seen_reason: not_seen,
            primary_need,
            factors,
        });
        if a.kind.is_statutory() {
            return Ok(vec![submitted]);
        }
        // A Family Help assessment is agreed with the family: it completes when
        // the lead practitioner records it.
        Ok(vec![
            submitted,
            event(Change::AssessmentCompleted {
                assessment,
                on: today,
                late_reason: None,
            }),
        ])
    }
}

/// The practice supervisor returns a submitted assessment for changes, with a reason.
pub(super) fn return_assessment(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::ReturnAssessment { assessment, reason } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let mut e = ValidationErrors::new();
    let change = {
        let a = open_assessment(case, assessment)?;
        if a.stage != crate::case::assessment::AssessmentStage::Submitted {
            return Err(Refusal::Conflict(
                "the assessment has not been submitted".into(),
            ));
        }
        let reason = text(&mut e, "reason", "what more is needed", &reason, MAX_TEXT);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::AssessmentReturned { assessment, reason }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Extend the assessment's timescale, by a role the profile allows, with a reason
/// (WT2026 ¶169; 004 §5).
pub(super) fn extend_assessment(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::ExtendAssessment {
        assessment,
        reason,
        agreed_until,
        consulted,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        let a = open_assessment(case, assessment)?;
        if !a.kind.is_statutory() {
            return Err(Refusal::Conflict(
                "this assessment has no timescale to extend".into(),
            ));
        }
        let reason = text(
            &mut e,
            "reason",
            "reason the assessment needs longer",
            &reason,
            MAX_TEXT,
        );
        if let Some(due) = a.working_due() {
            if agreed_until <= due.date() {
                e.add(
                    "agreed_until",
                    format!(
                        "The new date must be after {}",
                        due.date().format("%-d %B %Y")
                    ),
                );
            }
        }
        if agreed_until < today {
            e.add("agreed_until", "The new date must be today or later");
        }
        let consulted = consultation(&mut e, ctx, "consulted", &consulted);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::AssessmentExtended {
            assessment,
            reason,
            agreed_until,
            consulted,
        }
    };
    Ok(vec![super::event(ctx, change)])
}

/// Who from the other agencies was consulted before an extension, where the profile's
/// extension rule asks for it (LIV §5); empty otherwise.
pub(crate) fn consultation(
    e: &mut ValidationErrors,
    ctx: &Context,
    field: &str,
    consulted: &str,
) -> String {
    match &ctx.profile.extensions {
        Some(p) if p.consult_other_agencies => text(
            e,
            field,
            &format!(
                "managers of the other agencies consulted before the extension ({})",
                p.citation
            ),
            consulted,
            MAX_TEXT,
        ),
        _ => String::new(),
    }
}

/// The practice supervisor authorises the assessment; past 45 working days the reasons
/// are recorded (WT2026 ¶169; Desc-A, 003 L1500).
pub(super) fn authorise_assessment(
    case: &Case,
    ctx: &Context,
    cmd: Command,
) -> Result<Vec<CaseEvent>, Refusal> {
    let Command::AuthoriseAssessment {
        assessment,
        late_reason,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = {
        let a = open_assessment(case, assessment)?;
        if a.stage != crate::case::assessment::AssessmentStage::Submitted {
            return Err(Refusal::Conflict(
                "the assessment has not been submitted for authorisation".into(),
            ));
        }
        // ¶169: past 45 working days the reasons are recorded. An extension agreed
        // beforehand (SET 2.5.2) already holds them.
        if a.outcome == Some(AssessmentOutcome::FamilyHelp) && case.protection.has_open_work() {
            return Err(Refusal::Conflict(
                "child protection work is open: the case cannot step down to Family Help".into(),
            ));
        }
        let late = a.due.is_some_and(|d: Due| d.is_overdue_at(ctx.now));
        let late_reason = if late && a.extension.is_none() {
            Some(text(
                &mut e,
                "late_reason",
                "reason the assessment took longer than 45 working days (¶169)",
                &late_reason,
                MAX_TEXT,
            ))
        } else if late_reason.trim().is_empty() {
            None
        } else {
            Some(text(
                &mut e,
                "late_reason",
                "reason",
                &late_reason,
                MAX_TEXT,
            ))
        };
        e.into_result().map_err(Refusal::Invalid)?;
        Change::AssessmentCompleted {
            assessment,
            on: today,
            late_reason,
        }
    };
    Ok(vec![super::event(ctx, change)])
}
