//! Section 47 enquiries: their tasks, the lead's recommendation and the manager's
//! countersignature (WT2026 003 L1735–L1785; SET L2530–L2535, L2624).

use super::*;

/// Record a task of the section 47 enquiry done (003 L1735–L1777).
pub(super) fn record_s47_task(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::RecordS47Task {
        enquiry,
        task,
        on,
        note,
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
        let q = p
            .enquiry(enquiry)
            .ok_or_else(|| Refusal::NotFound("no such enquiry".into()))?;
        if !q.is_open() {
            return Err(Refusal::Conflict("the enquiry has concluded".into()));
        }
        not_future(&mut e, "on", on);
        let note = text(
            &mut e,
            "note",
            "what was done or found (or why not)",
            &note,
            MAX_TEXT,
        );
        e.into_result().map_err(Refusal::Invalid)?;
        Change::EnquiryTaskRecorded {
            enquiry,
            task,
            on,
            note,
        }
    };
    Ok((change, Vec::new()))
}

/// The lead's recommendation on the section 47 enquiry's outcome (003 L1779–L1785).
pub(super) fn recommend_s47(
    case: &Case,
    _ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::RecommendS47 { enquiry, finding } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let p = &case.protection;
    let mut e = ValidationErrors::new();
    let change = {
        let q = p
            .enquiry(enquiry)
            .ok_or_else(|| Refusal::NotFound("no such enquiry".into()))?;
        if !q.is_open() {
            return Err(Refusal::Conflict("the enquiry has concluded".into()));
        }
        if !q
            .tasks
            .iter()
            .any(|(t, _, _)| *t == S47Task::ChildSeenAlone)
        {
            e.add(
                "substantiated",
                "Record whether the child was seen alone (or why not) first",
            );
        }
        let reasons = text(&mut e, "reasons", "reasons", &finding.reasons, MAX_TEXT);
        // Outcome of section 47 enquiries descriptor: not substantiated → reasons
        // discussed with the child and family, support, a family group conference.
        let (discussed, support) = if finding.substantiated {
            (
                optional_text(
                    &mut e,
                    "discussed_with_family",
                    "note",
                    &finding.discussed_with_family,
                ),
                optional_text(&mut e, "onward_support", "note", &finding.onward_support),
            )
        } else {
            (
                text(
                    &mut e,
                    "discussed_with_family",
                    "how the outcome was discussed with the child and family",
                    &finding.discussed_with_family,
                    MAX_TEXT,
                ),
                text(
                    &mut e,
                    "onward_support",
                    "the support offered",
                    &finding.onward_support,
                    MAX_TEXT,
                ),
            )
        };
        e.into_result().map_err(Refusal::Invalid)?;
        Change::EnquiryOutcomeRecommended {
            enquiry,
            finding: S47Finding {
                substantiated: finding.substantiated,
                reasons,
                discussed_with_family: discussed,
                onward_support: support,
                fgc_offered: finding.fgc_offered,
            },
        }
    };
    Ok((change, Vec::new()))
}

/// The manager countersigns the section 47 outcome (SET L2530–L2535, L2624).
pub(super) fn countersign_s47(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::CountersignS47 {
        enquiry,
        expected_delivery,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let me = ctx.actor.user;
    let today = ctx.now.date();
    let p = &case.protection;
    let mut extra: Vec<Change> = Vec::new();
    let change = {
        let q = p
            .enquiry(enquiry)
            .ok_or_else(|| Refusal::NotFound("no such enquiry".into()))?;
        let Some(f) = &q.recommendation else {
            return Err(Refusal::Conflict(
                "the social worker has not yet recorded the outcome".into(),
            ));
        };
        if q.recommended_by == Some(me) {
            return Err(Refusal::Conflict(
                "the outcome is countersigned by someone other than who recorded it (SET L2624)"
                    .into(),
            ));
        }
        if !q.is_open() {
            return Err(Refusal::Conflict("already countersigned".into()));
        }
        if f.substantiated && p.pending_conference().is_none() {
            // SET 2.6.14: a pre-birth conference ten weeks before the expected date of
            // delivery, if that is earlier than the 15 working days (`pre-birth-conference`).
            let (due, rule_id) = match expected_delivery
                .and_then(|edd| due_by_rule(ctx, "pre-birth-conference", midnight(edd)))
            {
                Some((d, r)) if d.date() < q.icpc_due.date() => (d, Some(r)),
                _ => (q.icpc_due, q.icpc_rule.clone()),
            };
            extra.push(Change::ConferenceConvened {
                conference: Conference::convened(
                    p.conferences.len() as u32 + 1,
                    if expected_delivery.is_some() {
                        ConferenceKind::PreBirth
                    } else {
                        ConferenceKind::Initial
                    },
                    due,
                    rule_id,
                ),
            });
        }
        Change::EnquiryCountersigned { enquiry, on: today }
    };
    Ok((change, extra))
}
