//! Immediate protection: police protection, emergency protection orders and other
//! emergency action, and another authority accepting responsibility (WT2026 ch.3 s4
//! "Immediate protection", 003 L1645–L1661; Children Act 1989 s44–s46).

use super::*;

/// Record immediate protective action: police protection, an emergency protection order
/// or other action, and convene the strategy discussion that follows (003 L1645–L1661;
/// Children Act 1989 s44, s46).
pub(super) fn record_emergency(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::RecordEmergency {
        kind,
        at,
        agency,
        legal_advice,
        child_seen_by,
        other_children,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let p = &case.protection;
    let mut e = ValidationErrors::new();
    let mut extra: Vec<Change> = Vec::new();
    let change = {
        if at > ctx.now {
            e.add("at_date", "The time must be now or in the past");
        }
        let agency = text(&mut e, "agency", "agency that acted", &agency, MAX_SHORT);
        let legal_advice = text(
            &mut e,
            "legal_advice",
            "legal advice sought, or why not",
            &legal_advice,
            MAX_TEXT,
        );
        let child_seen_by = text(
            &mut e,
            "child_seen_by",
            "who saw the child",
            &child_seen_by,
            MAX_SHORT,
        );
        let other_children = text(
            &mut e,
            "other_children",
            "other children in the household and in the alleged perpetrator's household",
            &other_children,
            MAX_TEXT,
        );
        e.into_result().map_err(Refusal::Invalid)?;
        let ends = kind
            .rule_id()
            .and_then(|r| due_by_rule(ctx, r, at))
            .map(|(d, _)| d);
        let number = p.emergencies.len() as u32 + 1;
        // WT2026 003 L1659–L1661, SET L2074–L2075: a strategy discussion as soon as
        // possible after the action (`strategy-after-emergency-action`).
        let (due, rule_id) = required(ctx, StrategyTiming::AfterEmergencyAction.rule_id(), at);
        extra.push(Change::StrategyDiscussionConvened {
            discussion: StrategyDiscussion {
                number: p.discussions.len() as u32 + 1,
                convened_at: ctx.now,
                reason: format!("After immediate protection: {}", kind.label()),
                due,
                rule_id,
                invitees: Vec::new(),
                record: None,
            },
        });
        Change::EmergencyActionRecorded {
            emergency: crate::case::protection::Emergency {
                number,
                kind,
                at,
                agency,
                legal_advice,
                child_seen_by,
                other_children,
                ends,
                extended: false,
                accepted_by: None,
                accepted_at: None,
                written_confirmation_on: None,
            },
        }
    };
    Ok((change, extra))
}

/// Record the court's extension of an emergency protection order: once, within the
/// profile's limit (Children Act 1989 s45(5)–(6)).
pub(super) fn extend_epo(case: &Case, ctx: &Context, cmd: CpCommand) -> Result<Changes, Refusal> {
    let CpCommand::ExtendEpo { number, days } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let p = &case.protection;
    let change = {
        let x = p
            .emergencies
            .iter()
            .find(|x| x.number == number)
            .ok_or_else(|| Refusal::NotFound("no such emergency action".into()))?;
        if x.kind != EmergencyKind::EmergencyProtectionOrder {
            return Err(Refusal::Conflict(
                "only an emergency protection order is extended".into(),
            ));
        }
        if x.extended {
            return Err(Refusal::Conflict(
                "an emergency protection order is extended once only".into(),
            ));
        }
        // The profile's `epo` rule carries the most an extension may add (Children
        // Act 1989 s45(5)); a profile with none allows no extension.
        let max = ctx
            .profile
            .rule("epo")
            .and_then(|r| r.max_extension)
            .map(|m| m.amount)
            .unwrap_or(0);
        if max == 0 {
            return Err(Refusal::Conflict(
                "the partnership's profile allows no extension of an emergency protection order"
                    .into(),
            ));
        }
        if days == 0 || days > max {
            return Err(Refusal::Invalid(ValidationErrors::single(
                "days",
                format!("An extension is of 1 to {max} days"),
            )));
        }
        let base = x.ends.map(|d| d.date()).unwrap_or(x.at.date());
        Change::EpoExtended {
            number,
            ends: Due::Date(base + Days::new(days as u64)),
        }
    };
    Ok((change, Vec::new()))
}

/// Another local authority accepts responsibility for the child after emergency action
/// (003 L1655).
pub(super) fn record_responsibility(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::RecordResponsibility {
        number,
        by_authority,
        written_confirmation_on,
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
        if !p.emergencies.iter().any(|x| x.number == number) {
            return Err(Refusal::NotFound("no such emergency action".into()));
        }
        let by_authority = text(
            &mut e,
            "by_authority",
            "authority that accepted responsibility",
            &by_authority,
            MAX_SHORT,
        );
        if let Some(d) = written_confirmation_on {
            not_future(&mut e, "written_confirmation_on", d);
        }
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ResponsibilityAccepted {
            number,
            by_authority,
            written_confirmation_on,
        }
    };
    Ok((change, Vec::new()))
}

/// The other authority's acceptance "followed up in writing" (003 L1655).
pub(super) fn confirm_responsibility_in_writing(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::ConfirmResponsibilityInWriting { number, on } = cmd else {
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
        if !p
            .emergencies
            .iter()
            .any(|x| x.number == number && x.accepted_by.is_some())
        {
            return Err(Refusal::Conflict(
                "record who accepted responsibility first".into(),
            ));
        }
        not_future(&mut e, "on", on);
        e.into_result().map_err(Refusal::Invalid)?;
        Change::ResponsibilityConfirmedInWriting { number, on }
    };
    Ok((change, Vec::new()))
}
