//! Help for children and families (issue 4): the case page, one form page per thing a
//! practitioner does on a case, the family's plain-language summary, and opening a
//! case from a referral decision. Every form works without JavaScript; a form that
//! cannot be accepted comes back with the entries kept and each error by its field.

use crate::auth::Signed;
use crate::ctx::{render, Ctx, Posted};
use crate::form_kit::{
    date, f, form_response, lines, opt_date, opts, split_form, Field, FormAt, Kind, Spec,
};
use crate::forms::FormData;
use crate::pages::case_kit::{action_fields, actions_from, choices, practitioner_options, Choices};
use crate::views::{long_date, long_local_time, FormState, Page};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use together_app::cases::CaseView;
use together_app::AppError;
use together_domain::access::Scope;
use together_domain::case::assessment::{AssessmentStage, ChildSeen};
use together_domain::case::state::FgcStage;
use together_domain::case::{
    AssessmentKind, AssessmentOutcome, AssessmentRecord, Attendee, ClosureReason, Command,
    PlanKind, SeenAlone, Service,
};
use together_domain::census::{AssessmentFactor, PrimaryNeed};
use together_domain::ids::{AgencyId, CaseId, PersonId, UserId};
use together_domain::referral::ReferralId;
use together_domain::role::Role;
use together_domain::validate::ValidationErrors;

// ---- the generic form page ------------------------------------------------------------

/// The CIN census questions an assessment answers (its primary need and factors).
fn census_fields(c: &together_domain::case::Case) -> Vec<Field> {
    vec![
        census_primary_need(c),
        f(
            "factors",
            "Factors identified at the assessment",
            "Select all that apply, or 'No factors identified' (Children in Need census)",
            Kind::Checkboxes(
                AssessmentFactor::ALL
                    .iter()
                    .map(|x| (x.code().to_string(), format!("{}: {}", x.code(), x.label())))
                    .collect(),
            ),
        ),
    ]
}

fn census_primary_need(c: &together_domain::case::Case) -> Field {
    let keep = match c.primary_need {
        Some(n) => format!("Keep {}: {}", n.code(), n.label()),
        None => "Select the primary need".to_string(),
    };
    f(
        "primary_need",
        "The child's primary need",
        "The main reason children's social care is involved",
        Kind::Select(
            std::iter::once((String::new(), keep))
                .chain(
                    PrimaryNeed::ALL
                        .iter()
                        .map(|n| (n.code().to_string(), format!("{}: {}", n.code(), n.label()))),
                )
                .collect(),
        ),
    )
}

fn spec(ch: &Choices, view: &CaseView, name: &str, nums: &[u32]) -> Option<Spec> {
    let c = &view.case;
    let n = nums.first().copied().unwrap_or(0);
    let s = |heading: &str, intro: &str, fields: Vec<Field>, submit: &str| {
        Some(Spec {
            heading: heading.into(),
            intro: intro.into(),
            fields,
            submit: submit.into(),
        })
    };
    let today_hint = "For example, 2027-01-27";
    match name {
        "allocate" => s(
            if c.lead.is_some() { "Re-allocate the lead practitioner" } else { "Allocate a lead practitioner" },
            "The practitioner is asked and becomes lead practitioner when they agree (WT2026 ¶170). Until then the current lead practitioner stays. In Family Help the lead may work in a partner agency (¶138); in children's social care it is a social worker (SET 2.5.3).",
            vec![
                f("practitioner", "Who should be lead practitioner?", "", Kind::Select(practitioner_options(ch))),
                f("family_views", "The family's views on who it should be", "¶137: families, including children, have a say in who their lead practitioner is", Kind::Textarea),
                f("handover", "Handover", "What the lead practitioner needs to know. Needed when someone else leads now.", Kind::Textarea),
            ],
            "Ask them to be lead practitioner",
        ),
        "answer-allocation" => s(
            "Will you be the lead practitioner?",
            &c.proposal.as_ref().map(|p| format!("Family's views: {}. {}", p.family_views, if p.handover.is_empty() { String::new() } else { format!("Handover: {}", p.handover) })).unwrap_or_default(),
            vec![
                f("answer", "Your answer", "", Kind::Radios(opts([("accept", "Yes, I agree to be lead practitioner"), ("decline", "No")]))),
                f("reason", "If not, why not", "", Kind::Textarea),
            ],
            "Send answer",
        ),
        "consent" => s(
            "Record the family's consent to Family Help",
            "Family Help is voluntary (WT2026 ¶135). If the family declines, they must still be told that what is known is recorded and shared, and why (¶146).",
            vec![
                f("given", "Did the family agree to Family Help?", "", Kind::Radios(opts([("yes", "Yes"), ("no", "No, they declined")]))),
                f("given_by", "Who answered for the family", "For example, Mother (Jo Smith)", Kind::Text),
                f("told", "What the family was told is recorded and shared, and why", "", Kind::Textarea),
                f("on", "Date", today_hint, Kind::Date),
            ],
            "Record consent",
        ),
        "start-assessment" => {
            let kinds: Vec<(String, String)> = AssessmentKind::ALL
                .into_iter()
                .filter(|k| k.belongs_to(c.service))
                .map(|k| (k.id().to_string(), k.label().to_string()))
                .collect();
            s(
                "Start an assessment",
                "A child and family assessment should conclude within 45 working days of the referral, not of allocation (WT2026 ¶169). Services can start before it ends.",
                vec![
                    f("kind", "Which assessment", "", Kind::Radios(kinds)),
                    f("started_on", "Start date", today_hint, Kind::Date),
                    f("about", "Who else it is about", "Young carer: who they care for. Parent carer: the parent's name.", Kind::Text),
                    f("gestation_weeks", "Pre-birth: weeks of pregnancy now", "As early as possible; the partnership's timescales say by when (see Timescales)", Kind::Number),
                    f("late_start_reason", "Pre-birth started later than the partnership asks: why", "", Kind::Textarea),
                ],
                "Start assessment",
            )
        }
        "child-seen" => s(
            "Record that the child was seen",
            "Where possible, children should be seen alone; a child who asks to be seen with a trusted adult should be (WT2026 Box \"Statutory requirements for children in need\").",
            vec![
                f("on", "Date the child was seen", today_hint, Kind::Date),
                f("by", "Seen by", "Name and role", Kind::Text),
                f("alone", "Was the child seen alone?", "", Kind::Radios(opts([("alone", "Yes, alone"), ("trusted-adult", "With a trusted adult, at their request"), ("not-alone", "No")]))),
                f("trusted_adult", "The trusted adult", "", Kind::Text),
                f("not_alone_reason", "Why the child was not seen alone", "", Kind::Textarea),
                f("note", "Note", "", Kind::Textarea),
            ],
            "Record visit",
        ),
        "contribution" => s("Request a contribution from another agency", "", vec![
            f("agency", "Agency", "For example, Castle Primary School", Kind::Text),
            f("on", "Date requested", today_hint, Kind::Date),
        ], "Record request"),
        "received" => s("Record a contribution received", "", vec![
            f("on", "Date received", today_hint, Kind::Date),
            f("summary", "What it says", "", Kind::Textarea),
        ], "Record contribution"),
        "chased" => s("Record that a contribution was chased", "", vec![
            f("on", "Date chased", today_hint, Kind::Date),
        ], "Record chase"),
        "specialist" => s("Request a specialist assessment", "", vec![
            f("what", "Which specialist assessment", "For example, a paediatric assessment", Kind::Text),
            f("on", "Date requested", today_hint, Kind::Date),
        ], "Record request"),
        "assessment" => s(
            "Write the assessment",
            "The three domains of the assessment framework (WT2026 ¶162). Save as often as you like; submit when it is complete.",
            vec![
                f("child_developmental_needs", "The child's developmental needs", "Including whether they are suffering or likely to suffer significant harm (SET 2.2.16)", Kind::Textarea),
                f("parenting_capacity", "Parents' and carers' capacity to respond to those needs", "Resident and non-resident parents and carers, and other adults in the household", Kind::Textarea),
                f("family_and_environment", "Family network, community and environmental factors", "", Kind::Textarea),
                f("wishes_and_feelings", "The child's wishes and feelings, in their own words", "", Kind::Textarea),
                f("parents_views", "The parents' views", "", Kind::Textarea),
                f("analysis", "Analysis", "", Kind::Textarea),
            ],
            "Save assessment",
        ),
        "submit" => {
            let kind = c.assessment(n).map(|a| a.kind).unwrap_or(AssessmentKind::ChildAndFamily);
            s(
                "Conclude the assessment",
                if kind.is_statutory() { "It goes to a practice supervisor to authorise." } else { "A Family Help assessment is complete when you record its conclusion with the family." },
                vec![
                    f("outcome", "Outcome", "", Kind::Radios(AssessmentOutcome::allowed_for(kind).iter().map(|o| (o.id().to_string(), o.label().to_string())).collect())),
                    f("reasons", "Reasons", "Needed for no further action: they are shared with the child, family and practitioners (WT2026 ¶252)", Kind::Textarea),
                    f("child_not_seen_reason", "If the child was not seen: why", "The supervisor authorises this with the assessment (SET 2.5.24)", Kind::Textarea),
                ]
                .into_iter()
                .chain(kind.in_census().then(|| census_fields(c)).into_iter().flatten())
                .collect(),
                "Submit",
            )
        }
        "primary-need" => s(
            "Record the child's primary need",
            "The main reason children's social care is involved, for the Children in Need census. An assessment may revise it.",
            vec![census_primary_need(c)],
            "Save",
        ),
        "authorise" => s(
            "Authorise the assessment",
            "Past 45 working days from the referral, record the reasons (WT2026 ¶169).",
            vec![f("late_reason", "Reason it took longer than 45 working days", "Only if it did", Kind::Textarea)],
            "Authorise",
        ),
        "return" => s("Return the assessment for more work", "", vec![f("reason", "What more is needed", "", Kind::Textarea)], "Return"),
        "extend" => {
            let mut fields = vec![
                f("reason", "Reason", "", Kind::Textarea),
                f("agreed_until", "New date agreed", today_hint, Kind::Date),
            ];
            if let Some(cite) = &ch.consult_before_extending {
                fields.push(f("consulted", "The other agencies' managers consulted", &format!("Who, and what they said ({cite})"), Kind::Textarea));
            }
            s("Extend the assessment timescale", &ch.assessment_extension, fields, "Agree extension")
        }
        "plan" => {
            let mut fields = vec![
                f("agreed_on", "Date the plan was agreed", today_hint, Kind::Date),
                f("outcomes", "Outcomes for the child", "What should be better for them, one per line, in words the family uses", Kind::Textarea),
                f("services", "Services provided", "One per line", Kind::Textarea),
                f("family_views", "How the family took part, and their views", "", Kind::Textarea),
            ];
            action_fields(ch, &mut fields);
            fields.push(f("next_review", "First review", "Leave empty for the longest the partnership allows", Kind::Date));
            s(
                if c.service == Service::FamilyHelp { "Make the Family Help plan" } else { "Make the child in need plan" },
                "Made with the child and family (WT2026 ¶136). Every action needs who and by when.",
                fields,
                "Save plan",
            )
        }
        "meeting" => {
            let mut fields = vec![
                f("held_on", "Date of the meeting", today_hint, Kind::Date),
                f("attendees", "Who attended", "One per line: name, role or relationship, agency. For example: Jo Smith, mother", Kind::Textarea),
                f("child_views", "The child's views", "In their words, or why they could not give them", Kind::Textarea),
                f("summary", "What was reviewed and decided", "", Kind::Textarea),
                f("scale", "Scaling (0 to 10)", "Signs of Safety: 0 means so worried the child must be protected, 10 means not worried at all (NSCP §2.3)", Kind::Number),
            ];
            action_fields(ch, &mut fields);
            fields.push(f("next_review", "Next review", "Leave empty for the longest the partnership allows", Kind::Date));
            s("Record a meeting", "", fields, "Save meeting")
        }
        "action-done" => s("Record an action done", "", vec![
            f("on", "Date done", today_hint, Kind::Date),
            f("note", "Note", "", Kind::Textarea),
        ], "Record done"),
        "end-plan" => s("End the plan", "", vec![
            f("on", "Date it ends", today_hint, Kind::Date),
            f("reason", "Why it ends", "", Kind::Textarea),
        ], "End plan"),
        "fgc" => s(
            "Family group decision-making",
            "Offer a family group conference if the child may not be able to stay with their parents, and before a child becomes looked after (WT2026 ¶149).",
            vec![
                f("stage", "What happened", "", Kind::Radios(FgcStage::ALL.iter().map(|s| (s.id().to_string(), s.label().to_string())).collect())),
                f("on", "Date", today_hint, Kind::Date),
                f("note", "Note", "When held: the family's plan", Kind::Textarea),
            ],
            "Record",
        ),
        "request-step-up" => s("Ask children's social care to step up", "If you think the child is suffering or likely to suffer significant harm, phone the front door now as well (WT2026 ¶146).", vec![f("reason", "Why", "", Kind::Textarea)], "Send request"),
        "step-up" => s("Step up to children's social care", "The case and everything on it carries over; the family is not asked again. A child and family assessment follows, its clock running from today.", vec![f("reason", "Why", "", Kind::Textarea)], "Step up"),
        "step-down" => s("Step down to Family Help", "", vec![f("reason", "Why", "", Kind::Textarea)], "Step down"),
        "sharing" => s(
            "Record what was shared with the family",
            "Children and families are told about decisions and plans, in words they understand (WT2026 ¶13, ¶19).",
            vec![
                f("about", "What", "For example, the child in need plan", Kind::Text),
                f("on", "Date shared", today_hint, Kind::Date),
                f("how", "How", "Letter, visit, meeting", Kind::Text),
                f("not_shared_reason", "Or: why it was not shared", "For example, it would put the child at risk", Kind::Textarea),
            ],
            "Record",
        ),
        "transfer" => {
            let mut las = vec![(String::new(), "Another authority (type its name)".to_string())];
            las.extend(ch.authorities.iter().cloned());
            s(
                "The child has moved to another local authority",
                "Send the information, including the plan, as soon as possible, and keep helping until the other authority takes over (WT2026 assessment descriptor).",
                vec![
                    f("to_agency", "Authority", "", Kind::Select(las)),
                    f("to_authority", "Name of the authority", "If it does not use Together", Kind::Text),
                    f("informed_on", "Date they were told", today_hint, Kind::Date),
                    f("information_sent_on", "Date the information was sent", today_hint, Kind::Date),
                    f("note", "Note", "", Kind::Textarea),
                ],
                "Record move",
            )
        }
        "complete-transfer" => s("Record the handover", "The case closes as transferred (RC5).", vec![
            f("on", "Date of the handover", today_hint, Kind::Date),
            f("accepted_by", "Who accepted the case", "", Kind::Text),
        ], "Record handover"),
        "close" => s(
            "Close the case",
            "Any plan must be ended first. Re-opening later starts a new case.",
            vec![
                f("reason", "Reason for closure", "", Kind::Radios(ClosureReason::ALL.iter().map(|r| (r.code().to_string(), format!("{} ({})", r.label(), r.code()))).collect())),
                f("on", "Closure date", today_hint, Kind::Date),
                f("note", "Note", "", Kind::Textarea),
            ],
            "Close case",
        ),
        _ => super::protection::spec(ch, view, name, nums),
    }
}

/// The command a form makes, or the field errors of parsing it.
fn command(
    app: &together_app::App,
    ch: &Choices,
    view: &CaseView,
    name: &str,
    nums: &[u32],
    form: &FormData,
) -> Result<Command, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let n = nums.first().copied().unwrap_or(0);
    let g = |k: &str| form.get(k).to_string();
    let cmd = match name {
        "allocate" => {
            let to = form
                .get("practitioner")
                .parse::<UserId>()
                .ok()
                .and_then(|u| app.practitioner(u).ok());
            if to.is_none() {
                e.add("practitioner", "Choose who should be lead practitioner");
            }
            to.map(|to| Command::ProposeLead {
                to,
                family_views: g("family_views"),
                handover: g("handover"),
            })
        }
        "answer-allocation" => match form.get("answer") {
            "accept" => Some(Command::AnswerAllocation {
                accept: true,
                reason: String::new(),
            }),
            "decline" => Some(Command::AnswerAllocation {
                accept: false,
                reason: g("reason"),
            }),
            _ => {
                e.add("answer", "Say whether you will be the lead practitioner");
                None
            }
        },
        "consent" => {
            let given = match form.get("given") {
                "yes" => Some(true),
                "no" => Some(false),
                _ => {
                    e.add("given", "Say whether the family agreed");
                    None
                }
            };
            let on = date(&mut e, form, "on", "date");
            match (given, on) {
                (Some(given), Some(on)) => Some(Command::RecordConsent {
                    given,
                    given_by: g("given_by"),
                    told: g("told"),
                    on,
                }),
                _ => None,
            }
        }
        "start-assessment" => {
            let kind = AssessmentKind::from_id(form.get("kind"));
            if kind.is_none() {
                e.add("kind", "Choose which assessment");
            }
            let started_on = date(&mut e, form, "started_on", "start date");
            let gestation_weeks = match form.get("gestation_weeks").trim() {
                "" => None,
                w => match w.parse::<u8>() {
                    Ok(w) => Some(w),
                    Err(_) => {
                        e.add(
                            "gestation_weeks",
                            "Weeks of pregnancy must be a whole number, like 10",
                        );
                        None
                    }
                },
            };
            match (kind, started_on) {
                (Some(kind), Some(started_on)) => Some(Command::StartAssessment {
                    kind,
                    started_on,
                    about: g("about"),
                    gestation_weeks,
                    late_start_reason: g("late_start_reason"),
                }),
                _ => None,
            }
        }
        "child-seen" => {
            let on = date(&mut e, form, "on", "date the child was seen");
            let alone = match form.get("alone") {
                "alone" => Some(SeenAlone::Alone),
                "trusted-adult" => Some(SeenAlone::WithTrustedAdult {
                    who: g("trusted_adult"),
                }),
                "not-alone" => Some(SeenAlone::NotAlone {
                    reason: g("not_alone_reason"),
                }),
                _ => {
                    e.add("alone", "Say whether the child was seen alone");
                    None
                }
            };
            match (on, alone) {
                (Some(on), Some(alone)) => Some(Command::RecordChildSeen {
                    assessment: n,
                    seen: ChildSeen {
                        on,
                        by: g("by"),
                        alone,
                        note: g("note"),
                    },
                }),
                _ => None,
            }
        }
        "contribution" => {
            date(&mut e, form, "on", "date requested").map(|on| Command::RequestContribution {
                assessment: n,
                agency: g("agency"),
                on,
            })
        }
        "received" => {
            date(&mut e, form, "on", "date received").map(|on| Command::ReceiveContribution {
                assessment: n,
                index: nums.get(1).copied().unwrap_or(0) as usize,
                on,
                summary: g("summary"),
            })
        }
        "chased" => date(&mut e, form, "on", "date chased").map(|on| Command::ChaseContribution {
            assessment: n,
            index: nums.get(1).copied().unwrap_or(0) as usize,
            on,
        }),
        "specialist" => {
            date(&mut e, form, "on", "date requested").map(|on| Command::RequestSpecialist {
                assessment: n,
                what: g("what"),
                on,
            })
        }
        "assessment" => Some(Command::SaveAssessment {
            assessment: n,
            record: AssessmentRecord {
                child_developmental_needs: g("child_developmental_needs").trim().to_string(),
                parenting_capacity: g("parenting_capacity").trim().to_string(),
                family_and_environment: g("family_and_environment").trim().to_string(),
                wishes_and_feelings: g("wishes_and_feelings").trim().to_string(),
                parents_views: g("parents_views").trim().to_string(),
                analysis: g("analysis").trim().to_string(),
            },
        }),
        "submit" => match AssessmentOutcome::from_id(form.get("outcome")) {
            Some(outcome) => Some(Command::SubmitAssessment {
                assessment: n,
                outcome,
                reasons: g("reasons"),
                child_not_seen_reason: g("child_not_seen_reason"),
                primary_need: PrimaryNeed::from_code(form.get("primary_need")),
                factors: AssessmentFactor::ALL
                    .iter()
                    .copied()
                    .filter(|f| form.checked(&format!("factors-{}", f.code())))
                    .collect(),
            }),
            None => {
                e.add("outcome", "Choose the outcome");
                None
            }
        },
        "primary-need" => match PrimaryNeed::from_code(form.get("primary_need")) {
            Some(need) => Some(Command::RecordPrimaryNeed { need }),
            None => {
                e.add("primary_need", "Select the child's primary need");
                None
            }
        },
        "authorise" => Some(Command::AuthoriseAssessment {
            assessment: n,
            late_reason: g("late_reason"),
        }),
        "return" => Some(Command::ReturnAssessment {
            assessment: n,
            reason: g("reason"),
        }),
        "extend" => date(&mut e, form, "agreed_until", "new date").map(|agreed_until| {
            Command::ExtendAssessment {
                assessment: n,
                reason: g("reason"),
                agreed_until,
                consulted: g("consulted"),
            }
        }),
        "plan" => {
            let agreed_on = date(&mut e, form, "agreed_on", "date the plan was agreed");
            let actions = actions_from(app, &mut e, form);
            let next_review = opt_date(&mut e, form, "next_review", "review date");
            agreed_on.map(|agreed_on| Command::MakePlan {
                kind: if view.case.service == Service::FamilyHelp {
                    PlanKind::FamilyHelp
                } else {
                    PlanKind::ChildInNeed
                },
                agreed_on,
                outcomes: lines(form.get("outcomes")),
                services: lines(form.get("services")),
                family_views: g("family_views"),
                actions,
                next_review,
            })
        }
        "meeting" => {
            let held_on = date(&mut e, form, "held_on", "date of the meeting");
            let attendees: Vec<Attendee> = lines(form.get("attendees"))
                .into_iter()
                .map(|l| {
                    let mut p = l.splitn(3, ',').map(|x| x.trim().to_string());
                    Attendee {
                        name: p.next().unwrap_or_default(),
                        role: p.next().unwrap_or_default(),
                        agency: p.next().unwrap_or_default(),
                    }
                })
                .collect();
            let scale = match form.get("scale").trim() {
                "" => None,
                s => match s.parse::<u8>() {
                    Ok(v) => Some(v),
                    Err(_) => {
                        e.add("scale", "The scale must be a whole number from 0 to 10");
                        None
                    }
                },
            };
            let new_actions = actions_from(app, &mut e, form);
            let next_review = opt_date(&mut e, form, "next_review", "review date");
            held_on.map(|held_on| Command::HoldMeeting {
                plan: n,
                held_on,
                attendees,
                child_views: g("child_views"),
                summary: g("summary"),
                scale,
                next_review,
                new_actions,
            })
        }
        "action-done" => date(&mut e, form, "on", "date done").map(|on| Command::CompleteAction {
            plan: n,
            action: nums.get(1).copied().unwrap_or(0),
            on,
            note: g("note"),
        }),
        "end-plan" => date(&mut e, form, "on", "date it ends").map(|on| Command::EndPlan {
            plan: n,
            on,
            reason: g("reason"),
        }),
        "fgc" => {
            let stage = FgcStage::from_id(form.get("stage"));
            if stage.is_none() {
                e.add("stage", "Choose what happened");
            }
            let on = date(&mut e, form, "on", "date");
            match (stage, on) {
                (Some(stage), Some(on)) => Some(Command::RecordFamilyGroupConference {
                    stage,
                    on,
                    note: g("note"),
                }),
                _ => None,
            }
        }
        "request-step-up" => Some(Command::RequestStepUp {
            reason: g("reason"),
        }),
        "step-up" => Some(Command::StepUp {
            reason: g("reason"),
        }),
        "step-down" => Some(Command::StepDown {
            reason: g("reason"),
        }),
        "sharing" => {
            let on = opt_date(&mut e, form, "on", "date shared");
            Some(Command::RecordSharing {
                about: g("about"),
                on,
                how: g("how"),
                not_shared_reason: g("not_shared_reason"),
            })
        }
        "transfer" => {
            let to_agency = form.get("to_agency").parse::<AgencyId>().ok();
            let to_authority = match to_agency.and_then(|a| app.agency(a).ok().flatten()) {
                Some(a) => a.name,
                None => g("to_authority"),
            };
            let informed_on = date(&mut e, form, "informed_on", "date they were told");
            let sent = date(
                &mut e,
                form,
                "information_sent_on",
                "date the information was sent",
            );
            match (informed_on, sent) {
                (Some(informed_on), Some(information_sent_on)) => Some(Command::StartTransfer {
                    to_authority,
                    to_agency,
                    informed_on,
                    information_sent_on,
                    note: g("note"),
                }),
                _ => None,
            }
        }
        "complete-transfer" => {
            date(&mut e, form, "on", "date of the handover").map(|on| Command::CompleteTransfer {
                on,
                accepted_by: g("accepted_by"),
                new_case: None,
            })
        }
        "close" => {
            let reason = ClosureReason::from_code(form.get("reason"));
            if reason.is_none() {
                e.add("reason", "Choose the reason for closure");
            }
            let on = date(&mut e, form, "on", "closure date");
            match (reason, on) {
                (Some(reason), Some(on)) => Some(Command::Close {
                    on,
                    reason,
                    note: g("note"),
                }),
                _ => None,
            }
        }
        _ => super::protection::command(app, ch, name, nums, form, &mut e),
    };
    match cmd {
        Some(c) if e.is_empty() => Ok(c),
        _ => {
            if e.is_empty() {
                e.add("form", "This form could not be read");
            }
            Err(e)
        }
    }
}

/// Error fields as the form names them: attendees are one text box.
fn for_form(form_name: &str, mut e: ValidationErrors) -> ValidationErrors {
    if super::protection::is_protection_form(split_form(form_name).0.as_str()) {
        return super::protection::remap(e);
    }
    for x in e.0.iter_mut() {
        if x.field.starts_with("attendees") {
            x.field = "attendees".into();
        }
    }
    e
}

/// The case as a form needs it: a partner invited to a conference sends their report
/// through that conference's record, not the child's file (issue 5).
fn load_for_form(
    app: &together_app::App,
    caller: &together_app::Caller,
    id: CaseId,
    form_name: &str,
) -> Result<CaseView, AppError> {
    let (name, nums) = split_form(form_name);
    let n = nums.first().copied().unwrap_or(0);
    if name == "report" && caller.role == Role::PartnerPractitioner {
        return app.meeting_view(caller, id, true, n);
    }
    let v = app.case_view(caller, id)?;
    // Only the proposed practitioner answers a request to lead (it shows the handover).
    let asked = v
        .case
        .proposal
        .as_ref()
        .is_some_and(|p| p.to.user == caller.actor_id);
    if name == "answer-allocation" && !asked {
        let why = "only the practitioner asked may answer";
        app.log_case_refusal(caller, v.case.child, why)?;
        return Err(AppError::Forbidden(why.into()));
    }
    // A partner practitioner works on the Family Help record and their own actions, not
    // the statutory work (issue 4); its forms are not theirs to open.
    if v.scope != Scope::Full {
        let fh_assessment = |n: u32| {
            v.case
                .assessment(n)
                .is_some_and(|a| a.kind == AssessmentKind::FamilyHelp)
        };
        let fh_lead = v.case.service == together_domain::case::Service::FamilyHelp
            && v.case.lead_user() == Some(caller.actor_id);
        let allowed = match name.as_str() {
            // Anyone working with the child may ask for a conference, and escalate a
            // refusal of their own request (003 L1785; the case's rules check whose).
            "action-done" | "answer-allocation" | "request-conference" | "escalate-request" => true,
            "consent" | "start-assessment" | "plan" | "meeting" | "end-plan" | "fgc"
            | "sharing" | "request-step-up" => fh_lead,
            "child-seen" | "assessment" | "submit" | "contribution" | "received" | "chased"
            | "specialist" => fh_lead && fh_assessment(n),
            _ => false,
        };
        if !allowed {
            let why = "this part of the case is children's social care's";
            app.log_case_refusal(caller, v.case.child, why)?;
            return Err(AppError::Forbidden(why.into()));
        }
    }
    Ok(v)
}

fn parse_case(ctx: &Ctx, id: &str) -> Result<CaseId, Response> {
    id.parse::<CaseId>()
        .map_err(|_| ctx.fail(AppError::NotFound))
}

fn form_page(
    ctx: &Ctx,
    (view, ch): &(CaseView, Choices),
    form_name: &str,
    state: FormState,
    status: StatusCode,
) -> Response {
    let (name, nums) = split_form(form_name);
    let Some(sp) = spec(ch, view, &name, &nums) else {
        return ctx.fail(AppError::NotFound);
    };
    let back = if name == "report" && view.scope != Scope::Full {
        format!(
            "/cases/{}/record/conference-{}",
            view.case.id,
            nums.first().copied().unwrap_or(0)
        )
    } else {
        format!("/cases/{}", view.case.id)
    };
    form_response(
        ctx,
        sp,
        state,
        FormAt {
            caption: format!("{} — {}", child_name(view), view.case.service.label()),
            action: format!("/cases/{}/{}", view.case.id, form_name),
            back,
            back_label: "Back to the case".into(),
            nav: "/children".into(),
        },
        status,
    )
}

fn child_name(view: &CaseView) -> String {
    format!("{} {}", view.child.given_name, view.child.family_name)
}

pub async fn form(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, form_name)): Path<(String, String)>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let id = match parse_case(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let name_for_run = form_name.clone();
    let loaded = ctx
        .run(move |app, caller| {
            let v = load_for_form(app, caller, id, &name_for_run)?;
            let ch = choices(app, &v)?;
            Ok((v, ch))
        })
        .await;
    match loaded {
        Ok(loaded) => {
            let view = &loaded.0;
            let mut values = HashMap::new();
            let (name, nums) = split_form(&form_name);
            // Today's date where a date is asked for, and the saved text of an assessment.
            let today = ctx.state.app.today().to_string();
            let time = ctx.state.app.now_in_england().format("%H:%M").to_string();
            values.insert("at_time".into(), time.clone());
            values.insert("held_at_time".into(), time);
            for k in [
                "at_date",
                "held_at_date",
                "notified_on",
                "on",
                "started_on",
                "agreed_on",
                "held_on",
                "informed_on",
                "information_sent_on",
            ] {
                values.insert(k.to_string(), today.clone());
            }
            // Moving a conference starts from where and when it is now.
            if name == "reschedule" {
                if let Some(c) = view
                    .case
                    .protection
                    .conference(nums.first().copied().unwrap_or(0))
                {
                    if let Some(t) = c.time {
                        values.insert("time".into(), t.format("%H:%M").to_string());
                    }
                    values.insert("place".into(), c.place.clone());
                }
            }
            if name == "assessment" {
                if let Some(a) = view
                    .case
                    .assessment(nums.first().copied().unwrap_or(0))
                    .filter(|a| view.scope == Scope::Full || a.kind == AssessmentKind::FamilyHelp)
                {
                    let r = &a.record;
                    for (k, v) in [
                        ("child_developmental_needs", &r.child_developmental_needs),
                        ("parenting_capacity", &r.parenting_capacity),
                        ("family_and_environment", &r.family_and_environment),
                        ("wishes_and_feelings", &r.wishes_and_feelings),
                        ("parents_views", &r.parents_views),
                        ("analysis", &r.analysis),
                    ] {
                        values.insert(k.into(), v.clone());
                    }
                }
            }
            form_page(
                &ctx,
                &loaded,
                &form_name,
                FormState::new(values),
                StatusCode::OK,
            )
        }
        Err(e) => ctx.fail(e),
    }
}

enum Submitted {
    Done(CaseId),
    Refused(Box<(CaseView, Choices)>, ValidationErrors, StatusCode),
}

pub async fn submit(
    Path((id, form_name)): Path<(String, String)>,
    Posted { ctx, form }: Posted,
) -> Response {
    let id = match parse_case(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let kept = form.kept();
    let name_for_run = form_name.clone();
    // Read, parse and act off the async runtime: each step reads the store.
    let result = ctx
        .run(move |app, caller| {
            let view = load_for_form(app, caller, id, &name_for_run)?;
            let ch = choices(app, &view)?;
            let (name, nums) = split_form(&name_for_run);
            if spec(&ch, &view, &name, &nums).is_none() {
                return Err(AppError::NotFound);
            }
            let cmd = match command(app, &ch, &view, &name, &nums, &form) {
                Ok(c) => c,
                Err(e) => {
                    return Ok(Submitted::Refused(
                        Box::new((view, ch)),
                        for_form(&name_for_run, e),
                        StatusCode::UNPROCESSABLE_ENTITY,
                    ))
                }
            };
            match app.act_on_case(caller, id, cmd) {
                // A transfer within the deployment links to the receiving authority's case.
                Ok(after) => Ok(Submitted::Done(after.case.id)),
                Err(AppError::Invalid(e)) => Ok(Submitted::Refused(
                    Box::new((view, ch)),
                    for_form(&name_for_run, e),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )),
                Err(AppError::Conflict(m)) => Ok(Submitted::Refused(
                    Box::new((view, ch)),
                    ValidationErrors::single("form", m),
                    StatusCode::CONFLICT,
                )),
                Err(e) => Err(e),
            }
        })
        .await;
    match result {
        Ok(Submitted::Done(case)) => {
            let (name, nums) = split_form(&form_name);
            if name == "report" && ctx.caller().role == Role::PartnerPractitioner {
                let n = nums.first().copied().unwrap_or(0);
                Redirect::to(&format!("/cases/{case}/record/conference-{n}")).into_response()
            } else {
                Redirect::to(&format!("/cases/{case}")).into_response()
            }
        }
        Ok(Submitted::Refused(loaded, errors, status)) => form_page(
            &ctx,
            &loaded,
            &form_name,
            FormState::with_errors(kept, errors),
            status,
        ),
        Err(e) => ctx.fail(e),
    }
}

// ---- the case page ----------------------------------------------------------------------

struct Link {
    href: String,
    label: String,
}

struct HistoryRow {
    when: String,
    title: String,
    by: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    page: Page,
    v: CaseView,
    full: bool,
    child_name: String,
    lead: String,
    proposal: String,
    links: Vec<Link>,
    history: Vec<HistoryRow>,
    chart: Option<String>,
    scale_rows: Vec<(String, u8)>,
    assessments: Vec<AssessmentRow>,
    protection: Vec<super::protection::Block>,
    can_work: bool,
    can_extend: bool,
    is_supervisor: bool,
    is_proposed: bool,
}

struct AssessmentRow {
    number: u32,
    label: String,
    stage: String,
    due: String,
    overdue: bool,
    seen: String,
    outcome: String,
    record: Option<AssessmentRecord>,
    contributions: Vec<(usize, String)>,
    open: bool,
    submitted: bool,
}

fn d(x: chrono::NaiveDate) -> String {
    long_date(x)
}

/// The scale as an SVG line chart, with the numbers in a table beside it (accessible:
/// the chart is labelled and the table carries the same figures).
pub fn scale_chart(points: &[(chrono::NaiveDate, u8)]) -> Option<String> {
    if points.is_empty() {
        return None;
    }
    let (w, h, left, bottom, top) = (560.0f64, 220.0f64, 40.0f64, 30.0f64, 10.0f64);
    let n = points.len();
    let x = |i: usize| {
        if n == 1 {
            left + (w - left) / 2.0
        } else {
            left + (w - left - 20.0) * i as f64 / (n - 1) as f64 + 10.0
        }
    };
    let y = |v: u8| top + (h - top - bottom) * (10.0 - v as f64) / 10.0;
    let mut svg = format!(
        r##"<svg class="scale-chart" role="img" aria-labelledby="scale-title" viewBox="0 0 {w} {h}" width="100%" xmlns="http://www.w3.org/2000/svg"><title id="scale-title">Scaling at each meeting, 0 (very worried) to 10 (not worried at all): {}</title>"##,
        points
            .iter()
            .map(|(dt, v)| format!("{} {}", long_date(*dt), v))
            .collect::<Vec<_>>()
            .join("; ")
    );
    for v in [0u8, 5, 10] {
        svg.push_str(&format!(r##"<line x1="{left}" x2="{w}" y1="{0}" y2="{0}" stroke="#b1b4b6" stroke-width="1"/><text x="{1}" y="{2}" font-size="12" fill="#0b0c0c" text-anchor="end">{v}</text>"##, y(v), left - 6.0, y(v) + 4.0));
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{:.1},{:.1}", x(i), y(*v)))
        .collect();
    svg.push_str(&format!(
        r##"<polyline fill="none" stroke="#1d70b8" stroke-width="3" points="{}"/>"##,
        path.join(" ")
    ));
    for (i, (dt, v)) in points.iter().enumerate() {
        svg.push_str(&format!(r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="#1d70b8"/><text x="{:.1}" y="{}" font-size="11" fill="#0b0c0c" text-anchor="middle">{}</text>"##, x(i), y(*v), x(i), h - 10.0, dt.format("%-d %b %y")));
    }
    svg.push_str("</svg>");
    Some(svg)
}

pub async fn view(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let id = match parse_case(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let loaded = ctx
        .run(move |app, caller| {
            let v = app.case_view(caller, id)?;
            let mut names = HashMap::new();
            for (stored, _) in &v.history {
                names
                    .entry(stored.actor)
                    .or_insert_with(|| app.actor_name(stored.actor));
            }
            Ok((v, names))
        })
        .await;
    match loaded {
        Ok((v, names)) => case_page(&ctx, v, names),
        Err(e) => ctx.fail(e),
    }
}

fn case_page(ctx: &Ctx, v: CaseView, names: HashMap<UserId, String>) -> Response {
    let c = &v.case;
    let me = ctx.caller();
    let full = v.scope == Scope::Full;
    let is_supervisor = me.role == Role::PracticeSupervisor;
    let is_lead = c.lead_user() == Some(me.actor_id);
    let social_care = matches!(me.role, Role::SocialWorker | Role::PracticeSupervisor);
    let can_work = c.is_open() && (social_care || (is_lead && c.service == Service::FamilyHelp));
    // Offered only to a role the profile lets extend the assessment (WT2026 ¶166, ¶169).
    let can_extend = can_work
        && ctx
            .state
            .app
            .profile
            .rule("assessment")
            .is_some_and(|r| r.may_be_extended_by(me.role.id()));
    let is_proposed = c
        .proposal
        .as_ref()
        .is_some_and(|p| p.to.user == me.actor_id);
    let now = ctx.state.app.now_in_england();
    let mut links = Vec::new();
    let mut add = |href: &str, label: &str| {
        links.push(Link {
            href: format!("/cases/{}/{href}", c.id),
            label: label.into(),
        })
    };
    if c.is_open() {
        if is_supervisor {
            add(
                "allocate",
                if c.lead.is_some() {
                    "Re-allocate the lead practitioner"
                } else {
                    "Allocate a lead practitioner"
                },
            );
        }
        if can_work {
            if c.service == Service::FamilyHelp {
                add("consent", "Record the family's consent");
            }
            add("start-assessment", "Start an assessment");
            if social_care && c.service == Service::SocialCare {
                add(
                    "primary-need",
                    if c.primary_need.is_some() {
                        "Revise the child's primary need"
                    } else {
                        "Record the child's primary need"
                    },
                );
            }
            if c.open_plan().is_none() && c.protection.open_plan().is_none() {
                add(
                    "plan",
                    if c.service == Service::FamilyHelp {
                        "Make the Family Help plan"
                    } else {
                        "Make the child in need plan"
                    },
                );
            }
            add("fgc", "Family group decision-making");
            add("sharing", "Record what was shared with the family");
            if c.service == Service::FamilyHelp && c.step_up_requested.is_none() {
                add(
                    "request-step-up",
                    "Ask for a step up to children's social care",
                );
            }
        }
        if is_supervisor {
            if c.service == Service::FamilyHelp {
                add("step-up", "Step up to children's social care");
            } else {
                add("step-down", "Step down to Family Help");
            }
        }
        if social_care {
            match &c.transfer {
                None => add("transfer", "The child has moved to another local authority"),
                Some(t) if t.completed_on.is_none() && is_supervisor => add(
                    "complete-transfer",
                    "Record the handover to the new authority",
                ),
                _ => {}
            }
        }
        if is_supervisor {
            add("close", "Close the case");
        }
    }
    let assessments = c
        .assessments
        .iter()
        .map(|a| {
            let due = a.working_due();
            AssessmentRow {
                number: a.number,
                label: a.kind.label().into(),
                stage: match a.stage {
                    AssessmentStage::InProgress => "In progress",
                    AssessmentStage::Submitted => "Waiting for authorisation",
                    AssessmentStage::Completed => "Completed",
                    AssessmentStage::Ended => "Ended when the case closed",
                }
                .into(),
                due: due
                    .map(|d| crate::pages::referrals::due_label(&d))
                    .unwrap_or_else(|| "No statutory timescale".into()),
                overdue: a.is_open() && due.is_some_and(|d| d.is_overdue_at(now)),
                seen: if a.seen.is_empty() {
                    a.child_not_seen_reason
                        .as_ref()
                        .map(|r| format!("Not seen: {r}"))
                        .unwrap_or_else(|| "Not yet seen".into())
                } else {
                    a.seen
                        .iter()
                        .map(|s| {
                            format!(
                                "{} by {}{}",
                                d(s.on),
                                s.by,
                                match &s.alone {
                                    SeenAlone::Alone => ", alone".to_string(),
                                    SeenAlone::WithTrustedAdult { who } =>
                                        format!(", with {who} at their request"),
                                    SeenAlone::NotAlone { reason } =>
                                        format!(", not alone: {reason}"),
                                }
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                },
                outcome: a
                    .outcome
                    .map(|o| {
                        format!(
                            "{}{}",
                            o.label(),
                            if a.outcome_reasons.is_empty() {
                                String::new()
                            } else {
                                format!(": {}", a.outcome_reasons)
                            }
                        )
                    })
                    .unwrap_or_default(),
                // The statutory assessment's text is children's social care's; a partner
                // lead practitioner sees the Family Help assessment they made.
                record: (full || a.kind == AssessmentKind::FamilyHelp).then(|| a.record.clone()),
                contributions: a
                    .contributions
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        (
                            i,
                            format!(
                                "{}: requested {}{}{}",
                                x.agency,
                                d(x.requested_on),
                                if x.chased_on.is_empty() {
                                    String::new()
                                } else {
                                    format!(
                                        ", chased {}",
                                        x.chased_on
                                            .iter()
                                            .map(|d| long_date(*d))
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    )
                                },
                                match x.received_on {
                                    Some(r) => format!(", received {}: {}", d(r), x.summary),
                                    None => ", not yet received".into(),
                                }
                            ),
                        )
                    })
                    .collect(),
                open: a.is_open(),
                submitted: a.stage == AssessmentStage::Submitted,
            }
        })
        .collect();
    // A partner practitioner's history is of the Family Help work and plans, not the
    // statutory assessment or child protection (issue 4 and 5 access decisions).
    let partner_may_see = |t: &str| {
        matches!(
            t,
            "case-opened"
                | "allocation-proposed"
                | "allocation-accepted"
                | "allocation-declined"
                | "consent-recorded"
                | "plan-made"
                | "action-added"
                | "action-done"
                | "meeting-held"
                | "plan-ended"
                | "family-group-conference"
                | "step-up-requested"
                | "service-changed"
                | "shared-with-family"
                | "case-closed"
        )
    };
    let history = v
        .history
        .iter()
        .filter(|(stored, ev)| {
            use together_domain::case::Change as Ch;
            let fh = |n: &u32| {
                c.assessment(*n)
                    .is_some_and(|a| a.kind == AssessmentKind::FamilyHelp)
            };
            full || partner_may_see(&stored.event_type)
                || match &ev.change {
                    Ch::AssessmentStarted { kind, .. } => *kind == AssessmentKind::FamilyHelp,
                    Ch::ChildSeen { assessment, .. }
                    | Ch::AssessmentRecorded { assessment, .. }
                    | Ch::AssessmentSubmitted { assessment, .. }
                    | Ch::AssessmentCompleted { assessment, .. } => fh(assessment),
                    _ => false,
                }
        })
        .rev()
        .map(|(stored, e)| HistoryRow {
            when: long_local_time(e.at),
            title: e.title(Some(c)),
            by: names.get(&stored.actor).cloned().unwrap_or_default(),
        })
        .collect();
    let trend = c.scale_trend();
    let page = CasePage {
        page: ctx.page(
            &format!("Case: {} {}", v.child.given_name, v.child.family_name),
            "/children",
        ),
        full,
        child_name: child_name(&v),
        lead: c
            .lead
            .as_ref()
            .map(|l| l.practitioner.describe())
            .unwrap_or_else(|| "Not yet allocated".into()),
        proposal: c
            .proposal
            .as_ref()
            .map(|p| {
                format!(
                    "{} has been asked and has not yet answered",
                    p.to.describe()
                )
            })
            .unwrap_or_default(),
        links,
        history,
        chart: scale_chart(&trend),
        scale_rows: trend.iter().map(|(dt, s)| (long_date(*dt), *s)).collect(),
        assessments,
        protection: super::protection::blocks(
            &v,
            &me,
            &ctx.state.app.profile,
            &ctx.state.app.calendar(),
        ),
        can_work,
        can_extend,
        is_supervisor,
        is_proposed,
        v,
    };
    render(&page)
}

// ---- the family's summary -----------------------------------------------------------------

#[derive(Template)]
#[template(path = "case_summary.html")]
struct SummaryPage {
    page: Page,
    v: CaseView,
    child_name: String,
    lead: String,
    partnership: String,
    front_door: String,
}

/// The plan in plain words for the family: printable, no jargon, who to contact
/// (issue 4, "Children's and families' right to know"; WT2026 ¶19(2)).
pub async fn summary(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let id = match parse_case(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    match ctx.run(move |app, caller| app.case_view(caller, id)).await {
        Ok(v) => {
            let page = SummaryPage {
                page: ctx.page(
                    &format!("Your plan: {} {}", v.child.given_name, v.child.family_name),
                    "/children",
                ),
                child_name: child_name(&v),
                lead: v
                    .case
                    .lead
                    .as_ref()
                    .map(|l| format!("{}, {}", l.practitioner.name, l.practitioner.agency_name))
                    .unwrap_or_else(|| "We will tell you who your lead practitioner is".into()),
                partnership: ctx.state.app.profile.name.clone(),
                front_door: ctx.state.app.profile.front_door_name.clone(),
                v,
            };
            render(&page)
        }
        Err(e) => ctx.fail(e),
    }
}

// ---- opening a case -----------------------------------------------------------------------

/// A practice supervisor opens a case for a child of a decided referral.
pub async fn open_from_referral(Path(id): Path<String>, Posted { ctx, form }: Posted) -> Response {
    let Ok(rid) = id.parse::<ReferralId>() else {
        return ctx.fail(AppError::NotFound);
    };
    let child: usize = form.get("child").parse().unwrap_or(usize::MAX);
    let service = Service::from_id(form.get("service")).unwrap_or(Service::SocialCare);
    let reason = form.get("reason").to_string();
    let reason = if reason.trim().is_empty() {
        "Referral accepted".to_string()
    } else {
        reason
    };
    let need = together_domain::census::PrimaryNeed::from_code(form.get("primary_need"));
    match ctx
        .run(move |app, caller| {
            app.open_case_from_referral(caller, rid, child, service, &reason, need)
        })
        .await
    {
        Ok(case) => Redirect::to(&format!("/cases/{case}")).into_response(),
        Err(AppError::Conflict(m)) => {
            ctx.error_page(StatusCode::CONFLICT, "The case could not be opened", &m)
        }
        Err(e) => ctx.fail(e),
    }
}

/// Re-open help for a child whose case has closed: a new case, the old one kept intact.
pub async fn reopen(Path(id): Path<String>, Posted { ctx, form }: Posted) -> Response {
    let Ok(child) = id.parse::<PersonId>() else {
        return ctx.fail(AppError::NotFound);
    };
    let service = Service::from_id(form.get("service")).unwrap_or(Service::SocialCare);
    let reason = form.get("reason").to_string();
    let reopens = form.get("reopens").parse::<CaseId>().ok();
    let result = ctx
        .run(move |app, caller| {
            let today = app.today();
            app.open_case(
                caller,
                CaseId::new_random(),
                child,
                service,
                None,
                today,
                if reason.trim().is_empty() {
                    "New request for help"
                } else {
                    &reason
                },
                reopens,
                None,
            )
        })
        .await;
    match result {
        Ok(v) => Redirect::to(&format!("/cases/{}", v.case.id)).into_response(),
        Err(AppError::Conflict(m)) => {
            ctx.error_page(StatusCode::CONFLICT, "The case could not be opened", &m)
        }
        Err(e) => ctx.fail(e),
    }
}

// ---- the record of a meeting (printable) -------------------------------------------------

#[derive(Template)]
#[template(path = "meeting_record.html")]
struct MeetingPage {
    page: Page,
    case_id: CaseId,
    child_name: String,
    heading: String,
    /// Children's social care and chairs go back to the case; an invited partner does not see it.
    full: bool,
    sections: Vec<(String, Vec<String>)>,
}

/// `GET /cases/{id}/record/{meeting}`: a strategy discussion's or conference's record,
/// for those invited (issue 5: "a police officer invited to a strategy discussion sees
/// that discussion's record, not the child's whole file").
pub async fn meeting_record(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, meeting)): Path<(String, String)>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let id = match parse_case(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let (kind, nums) = split_form(&meeting);
    let conference = match kind.as_str() {
        "conference" => true,
        "strategy" => false,
        _ => return ctx.fail(AppError::NotFound),
    };
    let n = nums.first().copied().unwrap_or(0);
    match ctx
        .run(move |app, caller| app.meeting_view(caller, id, conference, n))
        .await
    {
        Ok(v) => {
            let p = &v.case.protection;
            let who = |xs: &[together_domain::case::protection::Participant]| {
                xs.iter().map(|x| x.describe()).collect::<Vec<_>>()
            };
            let mut sections: Vec<(String, Vec<String>)> = Vec::new();
            let heading;
            if conference {
                let Some(c) = p.conference(n) else {
                    return ctx.fail(AppError::NotFound);
                };
                heading = c.kind.label().to_string();
                sections.push((
                    "Arrangements".into(),
                    vec![
                        format!("Due by {}", crate::pages::referrals::due_label(&c.due)),
                        c.date
                            .map(|d| format!("Date: {}", long_date(d)))
                            .unwrap_or_else(|| "Date: not yet arranged".into()),
                        c.chair
                            .as_ref()
                            .map(|ch| format!("Chair: {}", ch.describe()))
                            .unwrap_or_default(),
                    ],
                ));
                sections.push(("Invited".into(), who(&c.invitees)));
                let shared: Vec<String> = c
                    .reports
                    .iter()
                    .map(|r| {
                        format!(
                            "{} ({}, {}): {}{}",
                            r.agency,
                            r.by,
                            long_date(r.submitted_on),
                            r.summary,
                            if r.share_with_parents {
                                ""
                            } else {
                                " [not to be shared with the parents]"
                            }
                        )
                    })
                    .collect();
                sections.push(("Reports".into(), shared));
                if let Some(r) = &c.record {
                    sections.push(("Attended".into(), who(&r.attendees)));
                    sections.push((
                        "Views".into(),
                        r.views
                            .iter()
                            .map(|x| {
                                format!(
                                    "{}: {}{}",
                                    x.name,
                                    x.view,
                                    x.scale
                                        .map(|s| format!(" (scaled {s})"))
                                        .unwrap_or_default()
                                )
                            })
                            .collect(),
                    ));
                    let mut decision = Vec::new();
                    match &r.outcome {
                        together_domain::case::protection::ConferenceOutcome::Plan { decision: d }
                        | together_domain::case::protection::ConferenceOutcome::ConsiderProceedings { decision: d } => {
                            decision.push("The child is the subject of a child protection plan".to_string());
                            decision.push(format!("Categories: {}", d.categories.iter().map(|c| c.label()).collect::<Vec<_>>().join(", ")));
                            decision.push(format!("Lead statutory body: {}; lead social worker: {}", d.lead_body, d.lead_social_worker.describe()));
                            decision.push(format!("Core group: {}", who(&d.core_group).join("; ")));
                            for ch in &d.changes {
                                decision.push(format!("Must change: {} — by how much: {} — by {}", ch.what, ch.by_how_much, long_date(ch.by_when)));
                            }
                            if let Some(x) = &r.next_core_group { decision.push(format!("Core group by {}", crate::pages::referrals::due_label(x))); }
                            if let Some(x) = &r.next_review { decision.push(format!("Review conference by {}", crate::pages::referrals::due_label(x))); }
                        }
                        together_domain::case::protection::ConferenceOutcome::NoPlan { reasons } => decision.push(format!("No child protection plan: {reasons}")),
                        together_domain::case::protection::ConferenceOutcome::Discontinue { reason } => decision.push(format!("The plan ends: {}", reason.label())),
                    }
                    if !r.ongoing_support.is_empty() {
                        decision.push(format!("Support that continues: {}", r.ongoing_support));
                    }
                    if let Some(l) = &r.late_reason {
                        decision.push(format!("Held late: {l}"));
                    }
                    sections.push((format!("Decisions ({})", long_date(r.held_on)), decision));
                }
            } else {
                let Some(d) = p.discussion(n) else {
                    return ctx.fail(AppError::NotFound);
                };
                heading = format!("Strategy discussion {n}");
                sections.push((
                    "Why".into(),
                    vec![
                        d.reason.clone(),
                        format!(
                            "To be held by {}",
                            crate::pages::referrals::due_label(&d.due)
                        ),
                    ],
                ));
                sections.push(("Invited".into(), who(&d.invitees)));
                if let Some(r) = &d.record {
                    sections.push(("Attended".into(), who(&r.attendees)));
                    let mut rec = vec![
                        format!("Held {}", r.held_at.format("%-d %B %Y at %H:%M")),
                        format!("Information shared and analysed: {}", r.information),
                        format!(
                            "Section 47 enquiries: {} — {}",
                            if r.initiate_s47 {
                                "initiated"
                            } else {
                                "not initiated"
                            },
                            r.s47_reason
                        ),
                    ];
                    if let Some(o) = &r.attendance_override {
                        rec.push(format!(
                            "Went ahead without all of social care, health and police: {o}"
                        ));
                    }
                    if !r.criminal_investigation.is_empty() {
                        rec.push(format!(
                            "Criminal investigation: {}",
                            r.criminal_investigation
                        ));
                    }
                    if !r.legal_action.is_empty() {
                        rec.push(format!("Legal action: {}", r.legal_action));
                    }
                    rec.push(format!(
                        "May be shared with the child and family: {}",
                        r.share_with_family
                    ));
                    if !r.withhold_from_family.is_empty() {
                        rec.push(format!(
                            "Must not be shared with the family: {}",
                            r.withhold_from_family
                        ));
                    }
                    for a in &r.immediate_actions {
                        rec.push(format!(
                            "Action: {} — {} — by {}",
                            a.what,
                            a.owner.describe(),
                            long_date(a.by)
                        ));
                    }
                    for (a, dcs) in &r.agency_decisions {
                        rec.push(format!("{a}: {dcs}"));
                    }
                    sections.push(("The record".into(), rec));
                }
            }
            let page = MeetingPage {
                page: ctx.page(&heading, "/children"),
                case_id: v.case.id,
                child_name: child_name(&v),
                heading,
                full: v.scope == Scope::Full,
                sections,
            };
            render(&page)
        }
        Err(e) => ctx.fail(e),
    }
}
