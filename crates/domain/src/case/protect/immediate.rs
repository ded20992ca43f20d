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
        ends_at,
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
        // The court specifies when an order ends (Children Act 1989 s45(1)): it is
        // recorded as given, not worked out. Police protection ends by the profile's
        // rule in real hours (s46(6)).
        let ends = match (kind, ends_at) {
            (EmergencyKind::EmergencyProtectionOrder, None) => {
                e.add(
                    "ends_at_date",
                    "Enter when the order ends, as the court gave it",
                );
                None
            }
            (EmergencyKind::EmergencyProtectionOrder, Some(t)) if t <= at => {
                e.add("ends_at_date", "The order ends after it was made");
                None
            }
            (EmergencyKind::EmergencyProtectionOrder, Some(t)) => Some(Due::DateTime(t)),
            _ => kind
                .rule_id()
                .and_then(|r| due_by_rule(ctx, r, at))
                .map(|(d, _)| d),
        };
        e.into_result().map_err(Refusal::Invalid)?;
        let number = p.emergencies.len() as u32 + 1;
        // WT2026 003 L1659–L1661, SET L2074–L2075: a strategy discussion as soon as
        // possible after the action (`strategy-after-emergency-action`): one already
        // convened is brought forward rather than a second convened (issue 16).
        let (due, rule_id) = required(ctx, StrategyTiming::AfterEmergencyAction.rule_id(), at);
        let reason = format!("After immediate protection: {}", kind.label());
        match awaited_discussion(p) {
            Some(d) if earlier(&due, &d.due) => {
                extra.push(Change::StrategyDiscussionBroughtForward {
                    number: d.number,
                    due,
                    rule_id,
                    reason,
                    invitees: Vec::new(),
                });
            }
            Some(_) => {}
            None => extra.push(Change::StrategyDiscussionConvened {
                discussion: StrategyDiscussion {
                    number: p.discussions.len() as u32 + 1,
                    convened_at: ctx.now,
                    reason,
                    due,
                    rule_id,
                    invitees: Vec::new(),
                    record: None,
                    not_held: None,
                },
            }),
        }
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
                ended: None,
            },
        }
    };
    Ok((change, extra))
}

/// Record the court's extension of an emergency protection order, to the end the court
/// gives: once, by no more than the profile's limit (Children Act 1989 s45(4)–(6)).
pub(super) fn extend_epo(case: &Case, ctx: &Context, cmd: CpCommand) -> Result<Changes, Refusal> {
    let CpCommand::ExtendEpo { number, ends_at } = cmd else {
        unreachable!("dispatched by its variant")
    };
    let p = &case.protection;
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
    // s45(6): "may not be extended more than once".
    if x.extended {
        return Err(Refusal::Conflict(
            "an emergency protection order is extended once only (Children Act 1989 s45(6))".into(),
        ));
    }
    if x.ended.is_some() {
        return Err(Refusal::Conflict("this order has ended".into()));
    }
    // The profile's `epo` rule carries the most an extension may add (s45(5): "a period
    // not exceeding seven days"); a profile with none allows no extension.
    let max = ctx
        .profile
        .rule("epo")
        .and_then(|r| r.max_extension)
        .map(|m| m.amount)
        .unwrap_or(0);
    if max == 0 {
        return Err(Refusal::Conflict(
            "the partnership's profile allows no extension of an emergency protection order".into(),
        ));
    }
    let current = match x.ends {
        Some(Due::DateTime(t)) => t,
        Some(Due::Date(d)) => (d + Days::new(1)).and_time(NaiveTime::MIN),
        None => x.at,
    };
    if ends_at <= current {
        return Err(Refusal::Invalid(ValidationErrors::single(
            "ends_at_date",
            format!(
                "The extended order ends after its present end ({})",
                current.format("%-d %B %Y at %H:%M")
            ),
        )));
    }
    if ends_at > current + Days::new(max as u64) {
        return Err(Refusal::Invalid(ValidationErrors::single(
            "ends_at_date",
            format!("An extension is of {max} days at most (Children Act 1989 s45(5)): the order may run to {} at the latest", (current + Days::new(max as u64)).format("%-d %B %Y at %H:%M")),
        )));
    }
    Ok((
        Change::EpoExtended {
            number,
            ends: Due::DateTime(ends_at),
        },
        Vec::new(),
    ))
}

/// Police protection or an order ended: the child went home, an order or a care
/// order followed... Its expiry leaves the tray (issue 16).
pub(super) fn record_emergency_ended(
    case: &Case,
    ctx: &Context,
    cmd: CpCommand,
) -> Result<Changes, Refusal> {
    let CpCommand::RecordEmergencyEnded {
        number,
        ended_at,
        note,
    } = cmd
    else {
        unreachable!("dispatched by its variant")
    };
    let x = case
        .protection
        .emergencies
        .iter()
        .find(|x| x.number == number)
        .ok_or_else(|| Refusal::NotFound("no such emergency action".into()))?;
    if x.ended.is_some() {
        return Err(Refusal::Conflict("its end has been recorded".into()));
    }
    let mut e = ValidationErrors::new();
    if ended_at > ctx.now {
        e.add("ended_at_date", "The time must be now or in the past");
    }
    if ended_at < x.at {
        e.add("ended_at_date", "It ended after it began");
    }
    let note = text(&mut e, "note", "what happened", &note, MAX_TEXT);
    e.into_result().map_err(Refusal::Invalid)?;
    Ok((
        Change::EmergencyEnded {
            number,
            ended_at,
            note,
        },
        Vec::new(),
    ))
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
