//! The child protection forms on a case (issue 5), in the same one-form-per-step shape
//! as the rest of the case (`pages::cases`): immediate protection, strategy discussions,
//! section 47 enquiries, conferences, the plan, core groups, ending the plan,
//! pre-proceedings; and the printable record of a meeting.

use super::case_kit::{action_fields, actions_from, practitioner_options, Choices};
use crate::form_kit::{date, f, lines, opt_date, opts, Field, Kind, Spec};
use crate::forms::FormData;
use together_app::cases::CaseView;
use together_domain::case::protect::{CpCommand, OutcomeInput, StrategyTiming};
use together_domain::case::protection::{
    AgencyReport, EmergencyKind, EndReason, HarmCategory, OutlineChange, Participant,
    PreProceedingsStep, S47Finding, S47Task, View,
};
use together_domain::case::Command;
use together_domain::ids::UserId;
use together_domain::role::AgencyKind;
use together_domain::validate::{parse_date, ValidationErrors};

/// Rows for people (invitees, attendees, core group) on the no-JavaScript forms.
pub const PEOPLE_ROWS: usize = 6;

/// The forms this module answers for.
pub fn is_protection_form(name: &str) -> bool {
    matches!(
        name,
        "emergency"
            | "epo-extend"
            | "emergency-ended"
            | "cancel-strategy"
            | "reschedule"
            | "responsibility"
            | "confirm-responsibility"
            | "strategy"
            | "hold-strategy"
            | "s47-task"
            | "s47-outcome"
            | "countersign"
            | "request-conference"
            | "answer-request"
            | "escalate-request"
            | "answer-escalation"
            | "schedule"
            | "report"
            | "chair-met"
            | "conference"
            | "plan-version"
            | "core-group"
            | "end-cp-plan"
            | "transfer-in"
            | "pre-proceedings"
    )
}

/// Errors about a whole list of people point at its first row.
pub fn remap(mut e: ValidationErrors) -> ValidationErrors {
    for x in e.0.iter_mut() {
        if matches!(x.field.as_str(), "attendees" | "invitees") {
            x.field = "people[0].name".into();
        }
    }
    e
}

fn people_fields(ch: &Choices, out: &mut Vec<Field>, heading: &str) {
    let mut agencies = vec![(
        String::new(),
        "Family, or not one of the partnership's agencies".to_string(),
    )];
    agencies.extend(
        ch.agencies
            .iter()
            .map(|(id, name, _)| (id.clone(), name.clone())),
    );
    let mut users = vec![(String::new(), "Not a user of Together".to_string())];
    users.extend(ch.practitioners.iter().cloned());
    for i in 0..PEOPLE_ROWS {
        let n = i + 1;
        out.push(f(
            &format!("people[{i}].name"),
            &format!("{heading} {n}: name"),
            if i == 0 { "One person a row; leave rows you do not need empty. Choosing a user of Together fills in their name and agency and lets them see this record." } else { "" },
            Kind::Text,
        ));
        out.push(f(
            &format!("people[{i}].role"),
            &format!("{heading} {n}: role or relationship"),
            "",
            Kind::Text,
        ));
        out.push(f(
            &format!("people[{i}].agency"),
            &format!("{heading} {n}: agency"),
            "",
            Kind::Select(agencies.clone()),
        ));
        out.push(f(
            &format!("people[{i}].user"),
            &format!("{heading} {n}: user of Together"),
            "",
            Kind::Select(users.clone()),
        ));
    }
}

fn people_from(
    app: &together_app::App,
    ch: &Choices,
    e: &mut ValidationErrors,
    form: &FormData,
) -> Vec<Participant> {
    let mut out = Vec::new();
    for i in 0..PEOPLE_ROWS {
        let g = |k: &str| form.get(&format!("people[{i}].{k}")).trim().to_string();
        let (mut name, role, agency_id, user) = (g("name"), g("role"), g("agency"), g("user"));
        if name.is_empty() && role.is_empty() && agency_id.is_empty() && user.is_empty() {
            continue;
        }
        let mut agency = String::new();
        let mut kind = None;
        if let Some((_, n, k)) = ch.agencies.iter().find(|(id, _, _)| *id == agency_id) {
            agency = n.clone();
            kind = serde_json::from_value::<AgencyKind>(serde_json::Value::String(k.clone())).ok();
        }
        let user = match user.parse::<UserId>().ok() {
            Some(u) => match app.practitioner(u) {
                Ok(p) => {
                    if name.is_empty() {
                        name = p.name.clone();
                    }
                    if agency.is_empty() {
                        agency = p.agency_name.clone();
                        kind = ch
                            .agencies
                            .iter()
                            .find(|(id, _, _)| *id == p.agency.to_string())
                            .and_then(|(_, _, k)| {
                                serde_json::from_value(serde_json::Value::String(k.clone())).ok()
                            });
                    }
                    Some(u)
                }
                Err(_) => {
                    e.add(format!("people[{i}].user"), "Choose a user from the list");
                    None
                }
            },
            None => None,
        };
        out.push(Participant {
            name,
            role,
            agency,
            agency_kind: kind,
            user,
        });
    }
    out
}

fn datetime(
    e: &mut ValidationErrors,
    form: &FormData,
    name: &str,
    label: &str,
) -> Option<chrono::NaiveDateTime> {
    let d = date(e, form, &format!("{name}_date"), label);
    let t = form.get(&format!("{name}_time")).trim().to_string();
    let time = match chrono::NaiveTime::parse_from_str(&t, "%H:%M") {
        Ok(t) => Some(t),
        Err(_) => {
            e.add(
                format!("{name}_time"),
                format!("Enter the time of the {label} as hours and minutes, like 14:30"),
            );
            None
        }
    };
    Some(d?.and_time(time?))
}

/// An optional time of day, like 14:30; `None` when empty.
fn opt_time(e: &mut ValidationErrors, form: &FormData, name: &str) -> Option<chrono::NaiveTime> {
    let t = form.get(name).trim();
    if t.is_empty() {
        return None;
    }
    match chrono::NaiveTime::parse_from_str(t, "%H:%M") {
        Ok(t) => Some(t),
        Err(_) => {
            e.add(name, "Enter the time as hours and minutes, like 14:30");
            None
        }
    }
}

/// An optional date and time from `{name}_date` and `{name}_time`: `None` when both
/// are empty.
fn opt_datetime(
    e: &mut ValidationErrors,
    form: &FormData,
    name: &str,
    label: &str,
) -> Option<chrono::NaiveDateTime> {
    if form.get(&format!("{name}_date")).trim().is_empty()
        && form.get(&format!("{name}_time")).trim().is_empty()
    {
        return None;
    }
    datetime(e, form, name, label)
}

/// The user a select chose, as a practitioner.
fn practitioner_of(
    app: &together_app::App,
    id: &str,
) -> Option<together_domain::case::Practitioner> {
    let user = app.user(id.parse::<UserId>().ok()?).ok().flatten()?;
    let agency = app.agency(user.agency).ok().flatten();
    Some(together_domain::case::Practitioner {
        user: user.id,
        name: user.display_name,
        role: together_domain::role::Role::from_id(&user.role)?,
        agency: user.agency,
        agency_name: agency.map(|a| a.name).unwrap_or_default(),
    })
}

fn yes_no(e: &mut ValidationErrors, form: &FormData, name: &str, message: &str) -> Option<bool> {
    match form.get(name) {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            e.add(name, message);
            None
        }
    }
}

fn yn() -> Vec<(String, String)> {
    opts([("yes", "Yes"), ("no", "No")])
}

/// The questions a conference arranged after its due date answers (issue 16).
fn late_fields(
    ch: &Choices,
    fields: &mut Vec<Field>,
    c: Option<&together_domain::case::protection::Conference>,
) {
    let due = c
        .map(|c| crate::pages::referrals::due_label(&c.due))
        .unwrap_or_default();
    fields.push(f(
        "late_reason",
        "If the date is after it is due: why",
        &format!("It is due by {due}. A later date needs the reason now (WT2026 003 L1816)."),
        Kind::Textarea,
    ));
    if c.and_then(|c| c.rule_id.as_ref())
        .is_some_and(|r| ch.late_needs_authoriser.contains(r))
    {
        fields.push(f(
            "late_authorised_by",
            "If the date is after it is due: the manager who authorised it",
            "The partnership requires a manager's authority for a later date (SET: the operational service manager, in writing, 002 L2771; Liverpool: the relevant manager, LIV §5)",
            Kind::Text,
        ));
    }
    if let Some(cite) = &ch.consult_before_extending {
        fields.push(f(
            "late_consulted",
            "If the date is after it is due: the other agencies' managers consulted",
            &format!("Who, and what they said ({cite})"),
            Kind::Textarea,
        ));
    }
}

pub fn spec(ch: &Choices, view: &CaseView, name: &str, nums: &[u32]) -> Option<Spec> {
    let s = |heading: &str, intro: &str, fields: Vec<Field>, submit: &str| {
        Some(Spec {
            heading: heading.into(),
            intro: intro.into(),
            fields,
            submit: submit.into(),
        })
    };
    let hint = "For example, 2027-03-19";
    let n = nums.first().copied().unwrap_or(0);
    let p = &view.case.protection;
    match name {
        "emergency" => s(
            "Record immediate protective action",
            "Where there is a risk to life or a likelihood of serious immediate harm (WT2026 immediate protection descriptor). A strategy discussion follows within a working day (SET L2074–L2075).",
            vec![
                f("kind", "What action", "", Kind::Radios(EmergencyKind::ALL.iter().map(|k| (k.id().to_string(), k.label().to_string())).collect())),
                f("at_date", "Date of the action", hint, Kind::Date),
                f("at_time", "Time of the action", "24-hour clock, like 21:30", Kind::Text),
                f("agency", "Agency that acted", "For example, the police", Kind::Text),
                f("legal_advice", "Legal advice sought, or why not", "", Kind::Textarea),
                f("child_seen_by", "Who from that agency saw the child", "", Kind::Text),
                f("other_children", "Other children in the household, and in the alleged perpetrator's household", "WT2026 003 L1653", Kind::Textarea),
                f("ends_at_date", "Emergency protection order only: the date the order ends, as the court gave it", "As written on the order: at most eight days (Children Act 1989 s45(1)). Police protection ends 72 hours after it began.", Kind::Date),
                f("ends_at_time", "The time the order ends", "24-hour clock, like 16:00", Kind::Text),
            ],
            "Record action",
        ),
        "epo-extend" => s("Extend the emergency protection order", "Once only, by up to 7 days (Children Act 1989 s45(5)-(6)). Record the end the court gave.", vec![
            f("ends_at_date", "The date the extended order ends", hint, Kind::Date),
            f("ends_at_time", "The time it ends", "24-hour clock, like 16:00", Kind::Text),
        ], "Record extension"),
        "emergency-ended" => s("Record the end of immediate protection", "When it ended, and what followed (the child went home, an order was made...).", vec![
            f("ended_at_date", "Date it ended", hint, Kind::Date),
            f("ended_at_time", "Time", "24-hour clock, like 16:00", Kind::Text),
            f("note", "What happened", "", Kind::Textarea),
        ], "Record"),
        "cancel-strategy" => {
            let mut others = vec![(String::new(), "Do not merge: cancel it".to_string())];
            others.extend(p.discussions.iter().filter(|d| d.is_awaited() && d.number != n).map(|d| (d.number.to_string(), format!("Strategy discussion {}, due by {}", d.number, crate::pages::referrals::due_label(&d.due)))));
            s(
                "Cancel or merge the strategy discussion",
                "A discussion that is not to be held is cancelled, or merged into another still to be held, with the reason. Its invitees are invited to the one it joins.",
                vec![
                    f("merge_into", "Merge it into", "", Kind::Select(others)),
                    f("reason", "Why it will not be held", "", Kind::Textarea),
                ],
                "Record",
            )
        }
        "responsibility" => s(
            "Another authority accepts responsibility",
            "The authority where the child was found stays responsible until the authority looking after the child, or holding its plan, explicitly accepts — to be followed up in writing (003 L1655).",
            vec![
                f("by_authority", "Authority that accepted", "", Kind::Text),
                f("written_confirmation_on", "Date it was confirmed in writing", "Leave empty if not yet: it is chased from the tray", Kind::Date),
            ],
            "Record",
        ),
        "confirm-responsibility" => s("Record the written confirmation", "", vec![f("on", "Date received", hint, Kind::Date)], "Record"),
        "strategy" => {
            let mut fields = vec![
                f("timing", "How soon", "The partnership's timescales apply; see Timescales", Kind::Radios(StrategyTiming::ALL.iter().map(|t| (t.rule_id().to_string(), t.label().to_string())).collect())),
                f("by", "Hold it by", "Only where the partnership's profile has no timescale for this", Kind::Date),
                f("concerns_at_date", "When the child protection concerns were identified", "The clock starts then (SET 002 L2059). Leave empty for now.", Kind::Date),
                f("concerns_at_time", "At what time", "24-hour clock, like 09:30", Kind::Text),
                f("reason", "Reasonable cause to suspect significant harm: why", "", Kind::Textarea),
            ];
            people_fields(ch, &mut fields, "Invite");
            s("Convene a strategy discussion", "A local authority social worker, health and the police at least (003 L1677); others as the case needs.", fields, "Convene")
        }
        "hold-strategy" => {
            let mut fields = vec![
                f("held_at_date", "Date held", hint, Kind::Date),
                f("held_at_time", "Time", "Like 14:30", Kind::Text),
            ];
            people_fields(ch, &mut fields, "Attendee");
            fields.extend([
                f("attendance_override", "If a social worker, health or the police were not there: why it went ahead (practice supervisor only)", "", Kind::Textarea),
                f("information", "Information shared and analysed", "", Kind::Textarea),
                f("initiate_s47", "Are section 47 enquiries to be initiated?", "The local authority's decision (003 L1700)", Kind::Radios(yn())),
                f("s47_reason", "Reasons for the decision", "", Kind::Textarea),
                f("criminal_investigation", "The conduct and timing of any criminal investigation", "", Kind::Textarea),
                f("legal_action", "Is legal action needed?", "", Kind::Textarea),
                f("share_with_family", "What may be shared with the child and family", "", Kind::Textarea),
                f("withhold_from_family", "What must not be shared, to protect a police investigation or the child", "", Kind::Textarea),
                f("agency_decisions", "Each agency's decisions, including to take no action and why", "One per line: agency: decision", Kind::Textarea),
            ]);
            action_fields(ch, &mut fields);
            s("Record the strategy discussion", "The record goes to everyone invited.", fields, "Save the record")
        }
        "s47-task" => s(
            "Record a section 47 task",
            "",
            vec![
                f("task", "Which", "", Kind::Radios(S47Task::ALL.iter().map(|t| (t.id().to_string(), t.label().to_string())).collect())),
                f("on", "Date", hint, Kind::Date),
                f("note", "What was done or found (or why not)", "A police decision not to proceed, with its reasons, is shared with all agencies; it does not decide whether the harm threshold is met (003 L1787).", Kind::Textarea),
            ],
            "Record",
        ),
        "s47-outcome" => s(
            "The outcome of the section 47 enquiry",
            "A practice supervisor countersigns it (SET L2624).",
            vec![
                f("substantiated", "Are the concerns substantiated?", "", Kind::Radios(yn())),
                f("reasons", "Reasons", "", Kind::Textarea),
                f("discussed_with_family", "Not substantiated: how it was discussed with the child and family", "003 L1791–L1797", Kind::Textarea),
                f("onward_support", "Not substantiated: the support offered", "", Kind::Textarea),
                f("fgc_offered", "A family group conference was offered", "", Kind::Checkbox),
            ],
            "Send for countersignature",
        ),
        "countersign" => {
            let rec = p.enquiry(n).and_then(|q| q.recommendation.as_ref());
            s(
                "Countersign the section 47 outcome",
                &rec.map(|r| format!(
                    "The social worker found the concerns {}: {}{}",
                    if r.substantiated { "substantiated" } else { "not substantiated" },
                    r.reasons,
                    if r.substantiated { ". An initial child protection conference will be due within 15 working days of the strategy discussion." } else { "" }
                )).unwrap_or_default(),
                vec![],
                "Countersign",
            )
        }
        "request-conference" => s(
            "Ask for a child protection conference",
            "Any practitioner may ask children's social care to convene a conference when it has decided not to (003 L1785).",
            vec![f("by", "Your name and agency", "", Kind::Text), f("reason", "Why you are seriously concerned", "", Kind::Textarea)],
            "Send request",
        ),
        "answer-request" => s(
            "Answer the request for a conference",
            "",
            vec![f("agreed", "Will a conference be convened?", "", Kind::Radios(yn())), f("reason", "Reasons", "", Kind::Textarea)],
            "Send answer",
        ),
        "escalate-request" => {
            let mut managers = vec![(String::new(), "Choose the manager".to_string())];
            managers.extend(ch.managers.iter().cloned());
            s(
                "Escalate the refusal",
                "To a named manager, through the partnership's quick and straightforward means of resolving differences (003 L1785). They answer within the partnership's timescale.",
                vec![
                    f("to", "Manager it goes to", "Not the manager who refused", Kind::Select(managers)),
                    f("reason", "Why you still have serious concerns", "", Kind::Textarea),
                ],
                "Escalate",
            )
        }
        "answer-escalation" => s(
            "Answer the escalated request for a conference",
            &p.requests.get(n as usize).map(|r| format!("{} asked: {}. Refused: {}. Escalated: {}", r.by, r.reason, r.answer.as_ref().map(|a| a.1.as_str()).unwrap_or(""), r.escalated.as_deref().unwrap_or(""))).unwrap_or_default(),
            vec![f("agreed", "Will a conference be convened?", "", Kind::Radios(yn())), f("reason", "Reasons", "Shared with the practitioner who asked", Kind::Textarea)],
            "Send answer",
        ),
        "schedule" => {
            let mut chairs = vec![(String::new(), "Choose the chair".to_string())];
            chairs.extend(ch.chairs.iter().cloned());
            let mut fields = vec![
                f("date", "Date of the conference", hint, Kind::Date),
                f("time", "Time it starts", "24-hour clock, like 10:00", Kind::Text),
                f("place", "Where (or how to join)", "", Kind::Text),
                f("chair", "Chair", "Independent of operational and line-management responsibility for the child (003 L1853–L1854)", Kind::Select(chairs)),
            ];
            late_fields(ch, &mut fields, p.conference(n));
            people_fields(ch, &mut fields, "Invite");
            s(
                "Arrange the conference",
                &p.conference(n).map(|c| format!("{}: due by {}.", c.kind.label(), crate::pages::referrals::due_label(&c.due))).unwrap_or_default(),
                fields,
                "Arrange and invite",
            )
        }
        "reschedule" => {
            let mut fields = vec![
                f("date", "New date", hint, Kind::Date),
                f("time", "Time it starts", "24-hour clock, like 10:00", Kind::Text),
                f("place", "Where (or how to join)", "", Kind::Text),
                f("reason", "Why it is moved", "Everyone invited is told", Kind::Textarea),
            ];
            late_fields(ch, &mut fields, p.conference(n));
            s("Move the conference", &p.conference(n).and_then(|c| c.date).map(|on| format!("Now arranged for {}.", d(on))).unwrap_or_default(), fields, "Move it")
        }
        "report" => s(
            "Send a report for the conference",
            "Each agency decides, with the police and the chair, whether its report can be shared with the parents, and when (003 L1828).",
            vec![
                f("agency", "Agency", "", Kind::Text),
                f("by", "Written by", "", Kind::Text),
                f("summary", "Report", "", Kind::Textarea),
                f("share_with_parents", "May it be shared with the parents?", "", Kind::Radios(yn())),
                f("reason_not_shared", "If not: why", "", Kind::Textarea),
            ],
            "Send report",
        ),
        "chair-met" => s("The chair met the child and parents", "Before the conference (003 L1856).", vec![f("on", "Date", hint, Kind::Date), f("note", "Note", "", Kind::Textarea)], "Record"),
        "conference" => {
            let kind = p.conference(n).map(|c| c.kind);
            let initial = kind.is_some_and(|k| k.is_initial());
            let outcomes = if initial {
                opts([("plan", "The child becomes the subject of a child protection plan"), ("no-plan", "No child protection plan")])
            } else {
                opts([("plan", "The plan continues (or changes)"), ("consider-proceedings", "The plan continues, and family court proceedings are to be considered for all the children in the household"), ("discontinue", "The plan ends")])
            };
            let mut fields = vec![f("held_on", "Date held", hint, Kind::Date)];
            people_fields(ch, &mut fields, "Attendee");
            fields.extend([
                f("views", "Each participant's view, with their scaling", "One per line: name: view (scale 0-10). For example: Mother: wants help with the home (4)", Kind::Textarea),
                f("outcome", "Decision", "", Kind::Radios(outcomes)),
                f("category_physical", "Physical abuse", "Categories of harm; domestic abuse is counted within them", Kind::Checkbox),
                f("category_emotional", "Emotional abuse", "", Kind::Checkbox),
                f("category_sexual", "Sexual abuse", "", Kind::Checkbox),
                f("category_neglect", "Neglect", "", Kind::Checkbox),
                f("lead_social_worker", "Lead social worker", "An employee of the lead statutory body (003 L1845)", Kind::Select(practitioner_options(ch))),
                f("core_group", "Core group, including family members", "One per line: name, role or relationship, agency", Kind::Textarea),
                f("changes", "The outline plan: what must change, by how much, by when", "One per line: what | by how much | YYYY-MM-DD", Kind::Textarea),
                f("core_group_every_weeks", "Core groups after the first meet every (weeks)", "", Kind::Number),
                f("end_reason", "If the plan ends: why", "", Kind::Radios(opts([("no-longer-at-risk", "No longer likely to suffer significant harm"), ("moved", "Moved permanently to another area"), ("turned-18", "Reached 18"), ("died", "Died"), ("left-uk", "Permanently left the UK")]))),
                f("moved_to", "Moved to (authority)", "", Kind::Text),
                f("receiving_conference_on", "Date of the receiving authority's conference", "", Kind::Date),
                f("no_plan_reasons", "No plan: reasons and the help that follows", "", Kind::Textarea),
                f("ongoing_support", "Support that continues (when there is no plan or it ends, ¶252)", "", Kind::Textarea),
                f("late_reason", "If held after the date it was due: why (authorised by the operational service manager)", "", Kind::Textarea),
            ]);
            s(kind.map(|k| k.label()).unwrap_or("Conference"), "Recorded by the chair.", fields, "Save the decisions")
        }
        "plan-version" => s(
            "Record a version of the child protection plan",
            "The lead practitioner circulates the detailed plan and explains it to, and agrees it with, the child (003 L1902–L1909).",
            vec![
                f("detailed", "Which version", "", Kind::Radios(opts([("yes", "Detailed plan"), ("no", "Outline plan")]))),
                f("on", "Date", hint, Kind::Date),
                f("text", "The plan", "", Kind::Textarea),
                f("circulated_to", "Sent to (who, and when)", "", Kind::Textarea),
                f("agreed_with_child", "How it was explained to and agreed with the child", "", Kind::Textarea),
            ],
            "Record",
        ),
        "core-group" => {
            let mut fields = vec![f("held_on", "Date held", hint, Kind::Date)];
            people_fields(ch, &mut fields, "Attendee");
            fields.extend([
                f("absent_views", "Written views of those who could not attend", "", Kind::Textarea),
                f("progress", "Progress on each action of the plan", "", Kind::Textarea),
                f("plan_changes", "Changes to the plan", "", Kind::Textarea),
                f("next_by", "Next core group by", "Leave empty for the interval the conference set", Kind::Date),
            ]);
            action_fields(ch, &mut fields);
            s("Record a core group meeting", "", fields, "Save the meeting")
        }
        "end-cp-plan" => s(
            "End the child protection plan",
            "Outside a review conference, a plan ends only because the child moved permanently (after the receiving authority's conference), reached 18, died or permanently left the UK (003 L1951–L1963).",
            vec![
                f("end_reason", "Why", "", Kind::Radios(opts([("moved", "Moved permanently to another area"), ("turned-18", "Reached 18"), ("died", "Died"), ("left-uk", "Permanently left the UK")]))),
                f("moved_to", "Moved to (authority)", "", Kind::Text),
                f("receiving_conference_on", "Date of the receiving authority's conference", "", Kind::Date),
                f("on", "Date the plan ends", hint, Kind::Date),
                f("notified", "Who was told", "At least everyone invited to the initial conference", Kind::Textarea),
                f("ongoing_support", "Support that continues", "¶252", Kind::Textarea),
            ],
            "End the plan",
        ),
        "transfer-in" => s(
            "A child on another authority's plan has moved here",
            "Hold a transfer-in conference within 15 working days of being notified (003 L1955).",
            vec![f("from_authority", "Authority the child moved from", "", Kind::Text), f("notified_on", "Date we were notified", hint, Kind::Date)],
            "Record",
        ),
        "pre-proceedings" => s(
            "Record a step in pre-proceedings or proceedings",
            "WT2026 003 L1965–L1978.",
            vec![
                f("step", "Step", "", Kind::Radios(PreProceedingsStep::ALL.iter().map(|x| (x.id().to_string(), x.label().to_string())).collect())),
                f("on", "Date", hint, Kind::Date),
                f("note", "Note", "", Kind::Textarea),
            ],
            "Record",
        ),
        _ => None,
    }
}

fn end_reason(e: &mut ValidationErrors, form: &FormData) -> Option<EndReason> {
    match form.get("end_reason") {
        "no-longer-at-risk" => Some(EndReason::NoLongerAtRisk),
        "moved" => {
            let on = date(
                e,
                form,
                "receiving_conference_on",
                "date of the receiving authority's conference",
            );
            let to = form.get("moved_to").trim().to_string();
            if to.is_empty() {
                e.add("moved_to", "Enter the authority the child moved to");
            }
            on.map(|receiving_conference_on| EndReason::MovedPermanently {
                to,
                receiving_conference_on,
            })
        }
        "turned-18" => Some(EndReason::Turned18),
        "died" => Some(EndReason::Died),
        "left-uk" => Some(EndReason::LeftTheUk),
        _ => {
            e.add("end_reason", "Choose why the plan ends");
            None
        }
    }
}

/// The command a child protection form makes; `None` with errors in `e`.
pub fn command(
    app: &together_app::App,
    ch: &Choices,
    name: &str,
    nums: &[u32],
    form: &FormData,
    e: &mut ValidationErrors,
) -> Option<Command> {
    let n = nums.first().copied().unwrap_or(0);
    let g = |k: &str| form.get(k).to_string();
    let cmd = match name {
        "emergency" => {
            let kind = EmergencyKind::from_id(form.get("kind"));
            if kind.is_none() {
                e.add("kind", "Choose the action taken");
            }
            let at = datetime(e, form, "at", "action");
            let ends_at = opt_datetime(e, form, "ends_at", "order's end");
            CpCommand::RecordEmergency {
                kind: kind?,
                at: at?,
                agency: g("agency"),
                legal_advice: g("legal_advice"),
                child_seen_by: g("child_seen_by"),
                other_children: g("other_children"),
                ends_at,
            }
        }
        "epo-extend" => CpCommand::ExtendEpo {
            number: n,
            ends_at: datetime(e, form, "ends_at", "extended order's end")?,
        },
        "emergency-ended" => CpCommand::RecordEmergencyEnded {
            number: n,
            ended_at: datetime(e, form, "ended_at", "end")?,
            note: g("note"),
        },
        "cancel-strategy" => CpCommand::CancelStrategy {
            number: n,
            reason: g("reason"),
            merge_into: form.get("merge_into").parse().ok(),
        },
        "responsibility" => CpCommand::RecordResponsibility {
            number: n,
            by_authority: g("by_authority"),
            written_confirmation_on: opt_date(e, form, "written_confirmation_on", "date"),
        },
        "confirm-responsibility" => CpCommand::ConfirmResponsibilityInWriting {
            number: n,
            on: date(e, form, "on", "date")?,
        },
        "strategy" => {
            let timing = StrategyTiming::from_id(form.get("timing"));
            if timing.is_none() {
                e.add("timing", "Choose how soon");
            }
            let by = opt_date(e, form, "by", "date");
            let concerns_at = opt_datetime(e, form, "concerns_at", "concerns");
            let invitees = people_from(app, ch, e, form);
            CpCommand::ConveneStrategy {
                timing: timing?,
                concerns_at,
                by,
                reason: g("reason"),
                invitees,
            }
        }
        "hold-strategy" => {
            let held_at = datetime(e, form, "held_at", "discussion");
            let attendees = people_from(app, ch, e, form);
            let initiate = match form.get("initiate_s47") {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            };
            let actions = actions_from(app, e, form);
            let agency_decisions = lines(form.get("agency_decisions"))
                .into_iter()
                .map(|l| match l.split_once(':') {
                    Some((a, d)) => (a.trim().to_string(), d.trim().to_string()),
                    None => (l.clone(), l),
                })
                .collect();
            CpCommand::HoldStrategy {
                number: n,
                held_at: held_at?,
                attendees,
                attendance_override: g("attendance_override"),
                information: g("information"),
                initiate_s47: initiate,
                s47_reason: g("s47_reason"),
                criminal_investigation: g("criminal_investigation"),
                immediate_actions: actions,
                legal_action: g("legal_action"),
                share_with_family: g("share_with_family"),
                withhold_from_family: g("withhold_from_family"),
                agency_decisions,
            }
        }
        "s47-task" => {
            let task = S47Task::from_id(form.get("task"));
            if task.is_none() {
                e.add("task", "Choose the task");
            }
            let on = date(e, form, "on", "date");
            CpCommand::RecordS47Task {
                enquiry: n,
                task: task?,
                on: on?,
                note: g("note"),
            }
        }
        "s47-outcome" => {
            let substantiated = yes_no(
                e,
                form,
                "substantiated",
                "Say whether the concerns are substantiated",
            )?;
            CpCommand::RecommendS47 {
                enquiry: n,
                finding: S47Finding {
                    substantiated,
                    reasons: g("reasons"),
                    discussed_with_family: g("discussed_with_family"),
                    onward_support: g("onward_support"),
                    fgc_offered: form.checked("fgc_offered"),
                },
            }
        }
        "countersign" => CpCommand::CountersignS47 {
            enquiry: n,
            expected_delivery: None,
        },
        "request-conference" => CpCommand::RequestConference {
            by: g("by"),
            reason: g("reason"),
        },
        "answer-request" => CpCommand::AnswerConferenceRequest {
            index: n as usize,
            agreed: yes_no(
                e,
                form,
                "agreed",
                "Say whether a conference will be convened",
            )?,
            reason: g("reason"),
        },
        "escalate-request" => CpCommand::EscalateConferenceRequest {
            index: n as usize,
            reason: g("reason"),
            to: practitioner_of(app, form.get("to")),
        },
        "answer-escalation" => CpCommand::AnswerConferenceEscalation {
            index: n as usize,
            agreed: yes_no(
                e,
                form,
                "agreed",
                "Say whether a conference will be convened",
            )?,
            reason: g("reason"),
        },
        "schedule" => {
            let d = date(e, form, "date", "date of the conference");
            let chair = practitioner_of(app, form.get("chair"));
            let invitees = people_from(app, ch, e, form);
            let time = opt_time(e, form, "time");
            CpCommand::ScheduleConference {
                conference: n,
                date: d?,
                chair,
                chair_line_manages_lead: false,
                invitees,
                time,
                place: g("place"),
                late_reason: g("late_reason"),
                late_authorised_by: g("late_authorised_by"),
                late_consulted: g("late_consulted"),
            }
        }
        "reschedule" => {
            let d = date(e, form, "date", "new date");
            let time = opt_time(e, form, "time");
            CpCommand::RescheduleConference {
                conference: n,
                date: d?,
                time,
                place: g("place"),
                reason: g("reason"),
                late_reason: g("late_reason"),
                late_authorised_by: g("late_authorised_by"),
                late_consulted: g("late_consulted"),
            }
        }
        "report" => {
            let share = yes_no(
                e,
                form,
                "share_with_parents",
                "Say whether it may be shared with the parents",
            )?;
            CpCommand::SubmitAgencyReport {
                conference: n,
                report: AgencyReport {
                    agency: g("agency"),
                    by: g("by"),
                    summary: g("summary"),
                    submitted_on: app.today(),
                    share_with_parents: share,
                    reason_not_shared: g("reason_not_shared"),
                },
            }
        }
        "chair-met" => CpCommand::RecordChairMeeting {
            conference: n,
            on: date(e, form, "on", "date")?,
            note: g("note"),
        },
        "conference" => {
            let held_on = date(e, form, "held_on", "date held");
            let attendees = people_from(app, ch, e, form);
            let views = lines(form.get("views"))
                .into_iter()
                .map(|l| {
                    let (who, rest) = l.split_once(':').unwrap_or((l.as_str(), ""));
                    let rest = rest.trim();
                    let (view, scale) = match rest.rfind('(') {
                        Some(i) if rest.ends_with(')') => (
                            rest[..i].trim().to_string(),
                            rest[i + 1..rest.len() - 1].trim().parse::<u8>().ok(),
                        ),
                        _ => (rest.to_string(), None),
                    };
                    View {
                        name: who.trim().to_string(),
                        view,
                        scale,
                    }
                })
                .collect();
            let categories: Vec<HarmCategory> = HarmCategory::ALL
                .into_iter()
                .filter(|c| form.checked(&format!("category_{}", c.id())))
                .collect();
            let plan_input = |e: &mut ValidationErrors, consider: bool| {
                let lead = form
                    .get("lead_social_worker")
                    .parse::<UserId>()
                    .ok()
                    .and_then(|u| app.practitioner(u).ok());
                let core_group = lines(form.get("core_group"))
                    .into_iter()
                    .map(|l| {
                        let mut p = l.splitn(3, ',').map(|x| x.trim().to_string());
                        Participant {
                            name: p.next().unwrap_or_default(),
                            role: p.next().unwrap_or_default(),
                            agency: p.next().unwrap_or_default(),
                            agency_kind: None,
                            user: None,
                        }
                    })
                    .collect();
                let mut changes = Vec::new();
                for l in lines(form.get("changes")) {
                    let parts: Vec<&str> = l.split('|').map(str::trim).collect();
                    match (
                        parts.first(),
                        parts.get(1),
                        parts.get(2).map(|d| parse_date("date", d)),
                    ) {
                        (Some(what), Some(much), Some(Ok(by))) => changes.push(OutlineChange {
                            what: what.to_string(),
                            by_how_much: much.to_string(),
                            by_when: by,
                        }),
                        _ => e.add(
                            "changes",
                            "Write each change as: what | by how much | YYYY-MM-DD",
                        ),
                    }
                }
                let every = form
                    .get("core_group_every_weeks")
                    .trim()
                    .parse::<u8>()
                    .unwrap_or(0);
                OutcomeInput::Plan {
                    categories: categories.clone(),
                    lead_social_worker: lead,
                    core_group,
                    changes,
                    core_group_every_weeks: every,
                    consider_proceedings: consider,
                }
            };
            let outcome = match form.get("outcome") {
                "plan" => Some(plan_input(e, false)),
                "consider-proceedings" => Some(plan_input(e, true)),
                "no-plan" => Some(OutcomeInput::NoPlan {
                    reasons: g("no_plan_reasons"),
                }),
                "discontinue" => {
                    end_reason(e, form).map(|reason| OutcomeInput::Discontinue { reason })
                }
                _ => {
                    e.add("outcome", "Choose the decision");
                    None
                }
            };
            CpCommand::HoldConference {
                conference: n,
                held_on: held_on?,
                attendees,
                views,
                outcome: outcome?,
                late_reason: g("late_reason"),
                ongoing_support: g("ongoing_support"),
                eighteenth_birthday: None,
            }
        }
        "plan-version" => CpCommand::RecordPlanVersion {
            detailed: yes_no(e, form, "detailed", "Choose which version")?,
            on: date(e, form, "on", "date")?,
            circulated_to: g("circulated_to"),
            agreed_with_child: g("agreed_with_child"),
            text: g("text"),
        },
        "core-group" => {
            let held_on = date(e, form, "held_on", "date held");
            let attendees = people_from(app, ch, e, form);
            let next_by = opt_date(e, form, "next_by", "date");
            let new_actions = actions_from(app, e, form);
            CpCommand::HoldCoreGroup {
                held_on: held_on?,
                attendees,
                absent_views: g("absent_views"),
                progress: g("progress"),
                plan_changes: g("plan_changes"),
                next_by,
                new_actions,
            }
        }
        "end-cp-plan" => {
            let reason = end_reason(e, form);
            let on = date(e, form, "on", "date");
            CpCommand::EndPlan {
                reason: reason?,
                on: on?,
                notified: g("notified"),
                ongoing_support: g("ongoing_support"),
            }
        }
        "transfer-in" => CpCommand::NotifyTransferIn {
            from_authority: g("from_authority"),
            notified_on: date(e, form, "notified_on", "date")?,
        },
        "pre-proceedings" => {
            let step = PreProceedingsStep::from_id(form.get("step"));
            if step.is_none() {
                e.add("step", "Choose the step");
            }
            let on = date(e, form, "on", "date");
            CpCommand::RecordPreProceedings {
                step: step?,
                on: on?,
                note: g("note"),
            }
        }
        _ => return None,
    };
    Some(Command::Protection(Box::new(cmd)))
}

/// A section of the case page about child protection: a heading, lines of what is
/// recorded, and what the viewer can do next.
pub struct Block {
    pub heading: String,
    pub lines: Vec<String>,
    pub links: Vec<(String, String)>,
}

fn d(x: chrono::NaiveDate) -> String {
    x.format("%-d %B %Y").to_string()
}

/// The child protection sections of the case page, with the links the viewer may use.
pub fn blocks(
    view: &CaseView,
    me: &together_app::Caller,
    profile: &together_domain::profile::Profile,
    calendar: &together_domain::calendar::Calendar,
) -> Vec<Block> {
    use together_domain::role::Role;
    if view.scope != together_domain::access::Scope::Full {
        return partner_blocks(view, me);
    }
    let c = &view.case;
    let p = &c.protection;
    let base = format!("/cases/{}", c.id);
    let open = c.is_open();
    let sup = me.role == Role::PracticeSupervisor && open;
    let sc = matches!(me.role, Role::SocialWorker | Role::PracticeSupervisor) && open;
    let link = |path: String, label: &str| (format!("{base}/{path}"), label.to_string());
    let mut out = Vec::new();
    let due = |x: &together_domain::timescale::Due| crate::pages::referrals::due_label(x);

    for x in &p.emergencies {
        let mut links = Vec::new();
        let mut lines = vec![
            format!(
                "{} by {}, {}",
                x.kind.label(),
                x.agency,
                x.at.format("%-d %B %Y at %H:%M")
            ),
            format!("Legal advice: {}", x.legal_advice),
            format!("The child seen by {}", x.child_seen_by),
            format!("Other children: {}", x.other_children),
        ];
        if let Some(e) = &x.ends {
            lines.push(format!(
                "Lasts until {}{}",
                due(e),
                if x.extended { " (extended)" } else { "" }
            ));
        }
        if let Some(w) = x.end_warning(profile, calendar) {
            lines.push(format!("Warning: {w}"));
        }
        if let Some((at, note)) = &x.ended {
            lines.push(format!("Ended {}: {note}", at.format("%-d %B %Y at %H:%M")));
        } else if sc && x.kind != EmergencyKind::OtherAction {
            links.push(link(
                format!("emergency-ended-{}", x.number),
                "Record its end",
            ));
        }
        match (&x.accepted_by, x.written_confirmation_on) {
            (Some(a), Some(w)) => lines.push(format!(
                "{a} accepted responsibility; confirmed in writing {}",
                d(w)
            )),
            (Some(a), None) => lines.push(format!(
                "{a} accepted responsibility; written confirmation awaited"
            )),
            _ => {}
        }
        if sup
            && x.kind == EmergencyKind::EmergencyProtectionOrder
            && !x.extended
            && x.ended.is_none()
        {
            links.push(link(
                format!("epo-extend-{}", x.number),
                "Record an extension",
            ));
        }
        if sc && x.accepted_by.is_none() {
            links.push(link(
                format!("responsibility-{}", x.number),
                "Another authority accepts responsibility",
            ));
        }
        if sc && x.accepted_by.is_some() && x.written_confirmation_on.is_none() {
            links.push(link(
                format!("confirm-responsibility-{}", x.number),
                "Record the written confirmation",
            ));
        }
        out.push(Block {
            heading: "Immediate protection".into(),
            lines,
            links,
        });
    }
    for s in &p.discussions {
        let mut lines = vec![format!("Why: {}", s.reason)];
        let mut links = vec![(
            format!("{base}/record/strategy-{}", s.number),
            "Read the record (printable)".to_string(),
        )];
        match &s.record {
            None if s.not_held.is_some() => {
                let n = s.not_held.as_ref().expect("matched");
                lines.push(match n.merged_into {
                    Some(into) => format!("Merged into strategy discussion {into}: {}", n.reason),
                    None => format!("Cancelled: {}", n.reason),
                });
            }
            None => {
                lines.push(format!("To be held by {}", due(&s.due)));
                if sup {
                    links.push(link(
                        format!("cancel-strategy-{}", s.number),
                        "Cancel, or merge into another discussion",
                    ));
                }
                if !s.invitees.is_empty() {
                    lines.push(format!(
                        "Invited: {}",
                        s.invitees
                            .iter()
                            .map(|i| i.describe())
                            .collect::<Vec<_>>()
                            .join("; ")
                    ));
                }
                if sc {
                    links.push(link(
                        format!("hold-strategy-{}", s.number),
                        "Record the strategy discussion",
                    ));
                }
            }
            Some(r) => {
                lines.push(format!(
                    "Held {}: {}",
                    r.held_at.format("%-d %B %Y at %H:%M"),
                    if r.initiate_s47 {
                        "section 47 enquiries initiated"
                    } else {
                        "no section 47 enquiries"
                    }
                ));
                lines.push(format!(
                    "Attended: {}",
                    r.attendees
                        .iter()
                        .map(|i| i.describe())
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
        }
        out.push(Block {
            heading: format!("Strategy discussion {}", s.number),
            lines,
            links,
        });
    }
    for q in &p.enquiries {
        let mut lines = vec![format!(
            "Started {}; the initial conference is due by {}",
            d(q.initiated_on),
            due(&q.icpc_due)
        )];
        for (t, on, note) in &q.tasks {
            lines.push(format!("{} — {}: {}", t.label(), d(*on), note));
        }
        let mut links = Vec::new();
        match (&q.recommendation, q.countersigned) {
            (Some(r), Some((on, _))) => lines.push(format!(
                "Concerns {} (countersigned {}): {}",
                if r.substantiated {
                    "substantiated"
                } else {
                    "not substantiated"
                },
                d(on),
                r.reasons
            )),
            (Some(r), None) => {
                lines.push(format!(
                    "Recommended: concerns {} — waiting for countersignature",
                    if r.substantiated {
                        "substantiated"
                    } else {
                        "not substantiated"
                    }
                ));
                if sup {
                    links.push(link(
                        format!("countersign-{}", q.number),
                        "Countersign the outcome",
                    ));
                }
            }
            (None, _) => {
                if sc {
                    links.push(link(format!("s47-task-{}", q.number), "Record a task"));
                    links.push(link(
                        format!("s47-outcome-{}", q.number),
                        "Record the outcome",
                    ));
                }
            }
        }
        out.push(Block {
            heading: format!("Section 47 enquiry {}", q.number),
            lines,
            links,
        });
    }
    for (i, r) in p.requests.iter().enumerate() {
        let mut lines = vec![format!("{} asked for a conference: {}", r.by, r.reason)];
        let mut links = Vec::new();
        match &r.answer {
            Some((agreed, why)) => lines.push(format!(
                "{}: {why}",
                if *agreed { "Agreed" } else { "Refused" }
            )),
            None if sup => links.push(link(format!("answer-request-{i}"), "Answer the request")),
            None => {}
        }
        request_lines(r, &mut lines);
        if r.awaits_escalation_answer()
            && r.escalated_to
                .as_ref()
                .is_some_and(|m| m.user == me.actor_id)
            && open
        {
            links.push(link(
                format!("answer-escalation-{i}"),
                "Answer the escalation",
            ));
        } else if r.may_be_escalated() && open && (sc || r.by_user == Some(me.actor_id)) {
            links.push(link(
                format!("escalate-request-{i}"),
                "Escalate the refusal",
            ));
        }
        out.push(Block {
            heading: "Request for a conference".into(),
            lines,
            links,
        });
    }
    for cf in &p.conferences {
        let mut lines = Vec::new();
        let mut links = vec![(
            format!("{base}/record/conference-{}", cf.number),
            "Read the record (printable)".to_string(),
        )];
        let is_chair = cf.chair.as_ref().is_some_and(|ch| ch.user == me.actor_id);
        let invited = cf.invitees.iter().any(|i| i.user == Some(me.actor_id));
        if let Some(why) = &cf.cancelled {
            lines.push(format!("Not held: {why}"));
        } else if let Some(r) = &cf.record {
            use together_domain::case::protection::ConferenceOutcome as O;
            lines.push(format!(
                "Held {}: {}",
                d(r.held_on),
                match &r.outcome {
                    O::Plan { .. } => "child protection plan".to_string(),
                    O::NoPlan { .. } => "no child protection plan".to_string(),
                    O::Discontinue { reason } =>
                        format!("the plan ended ({})", reason.label().to_lowercase()),
                    O::ConsiderProceedings { .. } =>
                        "the plan continues; proceedings to be considered".to_string(),
                }
            ));
        } else {
            lines.push(format!("Due by {}", due(&cf.due)));
            match (&cf.chair, cf.date) {
                (Some(ch), Some(on)) => {
                    lines.push(format!(
                        "Arranged for {}{}{}, chaired by {}",
                        d(on),
                        cf.time
                            .map(|t| t.format(" at %H:%M").to_string())
                            .unwrap_or_default(),
                        if cf.place.is_empty() {
                            String::new()
                        } else {
                            format!(", {}", cf.place)
                        },
                        ch.describe()
                    ));
                    if let Some(l) = &cf.late {
                        lines.push(format!(
                            "Later than due: {}{}",
                            l.reason,
                            l.authorised_by
                                .as_ref()
                                .map(|a| format!(" (authorised by {a})"))
                                .unwrap_or_default()
                        ));
                    }
                    for r in &cf.rescheduled {
                        lines.push(format!("Moved from {}: {}", d(r.from), r.reason));
                    }
                    if sup {
                        links.push(link(
                            format!("reschedule-{}", cf.number),
                            "Move the conference",
                        ));
                    }
                }
                _ => {
                    if sup {
                        links.push(link(
                            format!("schedule-{}", cf.number),
                            "Arrange the conference",
                        ));
                    }
                }
            }
            if !cf.reports.is_empty() {
                lines.push(format!(
                    "Reports from: {}",
                    cf.reports
                        .iter()
                        .map(|r| r.agency.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if cf.date.is_some() && (sc || invited) {
                links.push(link(
                    format!("report-{}", cf.number),
                    "Send a report for the conference",
                ));
            }
            if is_chair && open {
                links.push(link(
                    format!("chair-met-{}", cf.number),
                    "Record meeting the child and parents beforehand",
                ));
                links.push(link(
                    format!("conference-{}", cf.number),
                    "Record the conference",
                ));
            }
        }
        out.push(Block {
            heading: format!("{} {}", cf.kind.label(), cf.number),
            lines,
            links,
        });
    }
    for plan in &p.plans {
        let mut lines = vec![
            format!(
                "Started {}; categories: initial {}, latest {}",
                d(plan.start),
                plan.initial_categories
                    .iter()
                    .map(|c| c.label())
                    .collect::<Vec<_>>()
                    .join(", "),
                plan.latest_categories()
                    .iter()
                    .map(|c| c.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "Lead social worker: {} (lead statutory body: {})",
                plan.decision.lead_social_worker.describe(),
                plan.decision.lead_body
            ),
            format!(
                "Core group: {}",
                plan.decision
                    .core_group
                    .iter()
                    .map(|x| x.describe())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        ];
        for ch in &plan.decision.changes {
            lines.push(format!(
                "Must change: {} — by how much: {} — by {}",
                ch.what,
                ch.by_how_much,
                d(ch.by_when)
            ));
        }
        for v in &plan.versions {
            lines.push(format!(
                "Version {} ({}), {}: sent to {}; with the child: {}",
                v.number,
                if v.detailed { "detailed" } else { "outline" },
                d(v.on),
                v.circulated_to,
                v.agreed_with_child
            ));
        }
        for g in &plan.core_groups {
            lines.push(format!("Core group {}: {}", d(g.held_on), g.progress));
        }
        for a in &plan.actions {
            lines.push(format!(
                "Action: {} — {} — by {}{}",
                a.what,
                a.owner.describe(),
                d(a.by),
                a.done_on
                    .map(|x| format!(" (done {})", d(x)))
                    .unwrap_or_default()
            ));
        }
        let mut links = Vec::new();
        match &plan.ended {
            Some(end) => lines.push(format!(
                "Ended {}: {}. Told: {}. Support: {}",
                d(end.on),
                end.reason.label(),
                end.notified,
                end.ongoing_support
            )),
            None => {
                lines.push(format!(
                    "Next core group by {}; next review conference by {}",
                    due(&plan.next_core_group),
                    due(&plan.next_review)
                ));
                if plan.proceedings_to_consider {
                    lines.push("Family court proceedings are to be considered for all the children in the household".into());
                }
                if c.assessments.is_empty() {
                    lines.push("No assessment has been started on this case: the plan was made without one (WT2026 003 L1900)".into());
                }
                if sc {
                    links.push(link("core-group".into(), "Record a core group meeting"));
                    links.push(link("plan-version".into(), "Record a version of the plan"));
                    for a in plan.actions.iter().filter(|a| a.done_on.is_none()) {
                        links.push(link(
                            format!("action-done-0-{}", a.number),
                            &format!("Record done: {}", a.what),
                        ));
                    }
                }
                if sup {
                    links.push(link(
                        "end-cp-plan".into(),
                        "End the plan (moved, 18, died, left the UK)",
                    ));
                }
            }
        }
        out.push(Block {
            heading: "Child protection plan".into(),
            lines,
            links,
        });
    }
    if !p.pre_proceedings.is_empty() {
        out.push(Block {
            heading: "Pre-proceedings and proceedings".into(),
            lines: p
                .pre_proceedings
                .iter()
                .map(|(s, on, note)| {
                    format!(
                        "{} — {}{}",
                        d(*on),
                        s.label(),
                        if note.is_empty() {
                            String::new()
                        } else {
                            format!(": {note}")
                        }
                    )
                })
                .collect(),
            links: Vec::new(),
        });
    }
    if let Some((on, from)) = &p.transfer_in {
        out.push(Block {
            heading: "Moved in on a plan".into(),
            lines: vec![format!("From {from}, notified {}", d(*on))],
            links: Vec::new(),
        });
    }
    if let Some(on) = p.death_notification_due {
        out.push(Block {
            heading: "A child on a plan died".into(),
            lines: vec![format!(
                "{}: notify the safeguarding partners and the child death review partners",
                d(on)
            )],
            links: Vec::new(),
        });
    }
    // What may be started from here.
    let mut start = Vec::new();
    if sc && c.service == Service::SocialCare {
        start.push(link("strategy".into(), "Convene a strategy discussion"));
        start.push(link(
            "emergency".into(),
            "Record immediate protective action",
        ));
        if p.transfer_in.is_none() {
            start.push(link(
                "transfer-in".into(),
                "A child on another authority's plan has moved here",
            ));
        }
        start.push(link(
            "pre-proceedings".into(),
            "Record a step in pre-proceedings or proceedings",
        ));
    }
    if open && p.pending_conference().is_none() && p.open_plan().is_none() {
        start.push(link(
            "request-conference".into(),
            "Ask for a child protection conference",
        ));
    }
    if !start.is_empty() {
        out.push(Block {
            heading: "Child protection: start".into(),
            lines: Vec::new(),
            links: start,
        });
    }
    out
}

use together_domain::case::Service;

/// What happened to a request for a conference after its answer: the escalation, to
/// whom, and the manager's answer.
fn request_lines(
    r: &together_domain::case::protection::ConferenceRequest,
    lines: &mut Vec<String>,
) {
    if let Some(x) = &r.escalated {
        lines.push(match &r.escalated_to {
            Some(m) => format!("Escalated to {}: {x}", m.name),
            None => format!("Escalated: {x}"),
        });
        match &r.escalation_answer {
            Some((agreed, why)) => lines.push(format!(
                "{} on escalation: {why}",
                if *agreed { "Agreed" } else { "Refused" }
            )),
            None => lines.push("Waiting for the manager's answer".into()),
        }
    }
}

/// What a partner practitioner with a part in the case sees of child protection: the
/// meetings they were invited to (their records) and the plan's actions that are theirs.
fn partner_blocks(view: &CaseView, me: &together_app::Caller) -> Vec<Block> {
    let c = &view.case;
    let p = &c.protection;
    let base = format!("/cases/{}", c.id);
    let mine = |xs: &[Participant]| xs.iter().any(|x| x.user == Some(me.actor_id));
    let mut links = Vec::new();
    for s in &p.discussions {
        if mine(&s.invitees) || s.record.as_ref().is_some_and(|r| mine(&r.attendees)) {
            links.push((
                format!("{base}/record/strategy-{}", s.number),
                format!("Strategy discussion {}: the record", s.number),
            ));
        }
    }
    for cf in &p.conferences {
        if mine(&cf.invitees) || cf.record.as_ref().is_some_and(|r| mine(&r.attendees)) {
            links.push((
                format!("{base}/record/conference-{}", cf.number),
                format!("{} {}: the record", cf.kind.label(), cf.number),
            ));
            if cf.record.is_none() && cf.cancelled.is_none() && cf.date.is_some() {
                links.push((
                    format!("{base}/report-{}", cf.number),
                    "Send your report for the conference".to_string(),
                ));
            }
        }
    }
    let mut lines = Vec::new();
    // Their requests for a conference, with the answers (003 L1785).
    for (i, r) in p
        .requests
        .iter()
        .enumerate()
        .filter(|(_, r)| r.by_user == Some(me.actor_id))
    {
        lines.push(format!("You asked for a conference: {}", r.reason));
        match &r.answer {
            Some((agreed, why)) => lines.push(format!(
                "{}: {why}",
                if *agreed { "Agreed" } else { "Refused" }
            )),
            None => lines.push("Waiting for children's social care's answer".into()),
        }
        request_lines(r, &mut lines);
        if r.may_be_escalated() && c.is_open() {
            links.push((
                format!("{base}/escalate-request-{i}"),
                "Escalate the refusal to a manager".to_string(),
            ));
        }
    }
    let asking = p
        .requests
        .iter()
        .any(|r| r.by_user == Some(me.actor_id) && r.answer.is_none());
    if c.is_open() && !asking && p.pending_conference().is_none() && p.open_plan().is_none() {
        links.push((
            format!("{base}/request-conference"),
            "Ask for a child protection conference".to_string(),
        ));
    }
    if let Some(plan) = p.open_plan() {
        for a in plan
            .actions
            .iter()
            .filter(|a| a.owner.user() == Some(me.actor_id))
        {
            lines.push(format!(
                "Your action: {} — by {}{}",
                a.what,
                d(a.by),
                a.done_on
                    .map(|x| format!(" (done {})", d(x)))
                    .unwrap_or_default()
            ));
            if a.done_on.is_none() && c.is_open() {
                links.push((
                    format!("{base}/action-done-0-{}", a.number),
                    format!("Record done: {}", a.what),
                ));
            }
        }
    }
    if links.is_empty() && lines.is_empty() {
        return Vec::new();
    }
    vec![Block {
        heading: "Child protection: your part".into(),
        lines,
        links,
    }]
}
