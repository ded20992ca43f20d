//! What a case still needs, for the work trays: derived from the case after every
//! event, so a tray can never disagree with the record.

use super::assessment::{AssessmentOutcome, AssessmentStage};
use super::state::Case;
use super::Service;
use crate::calendar::Calendar;
use crate::ids::UserId;
use crate::process::{due_by_required, DueBy};
use crate::profile::Profile;
use crate::timescale::Due;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// One thing still to do on a case. `assignee` is the practitioner whose tray it is
/// in; `None` puts it in the practice supervisors' tray.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseWork {
    /// Stable within the case ("allocate", "assessment-1", "action-3"...).
    pub key: String,
    pub assignee: Option<UserId>,
    pub title: String,
    pub due: Due,
    pub rule_id: Option<String>,
    pub citation: String,
}

/// Due by a rule of the profile, counted from the start of `day`.
fn rule(profile: &Profile, calendar: &Calendar, id: &str, day: NaiveDate) -> DueBy {
    due_by_required(profile, id, day.and_time(NaiveTime::MIN), calendar)
}

/// Everything still to do on `case`, in no particular order (the store orders by due).
/// Every due date comes from a rule of the profile (issue 15), with its citation.
pub fn open_work(case: &Case, profile: &Profile, calendar: &Calendar) -> Vec<CaseWork> {
    let mut out = Vec::new();
    if !case.is_open() {
        return out;
    }
    let by = |id: &str, day: NaiveDate| rule(profile, calendar, id, day);
    let lead = case.lead_user();
    let opened = case.opened_at.date();
    match (&case.lead, &case.proposal) {
        // A case waiting for a lead practitioner is in the supervisors' tray, oldest first.
        (None, None) => {
            let d = by("allocation", opened);
            out.push(CaseWork {
                key: "allocate".into(),
                assignee: None,
                title: "Allocate a lead practitioner".into(),
                due: d.due,
                rule_id: Some(d.rule_id),
                citation: d.citation,
            })
        }
        (Some(l), None)
            if case.service == Service::SocialCare
                && !l.practitioner.role.is_childrens_social_care() =>
        {
            let d = by(
                "allocation",
                case.service_changes.last().map(|s| s.0).unwrap_or(opened),
            );
            out.push(CaseWork {
                key: "allocate-social-worker".into(),
                assignee: None,
                title: "Allocate a social worker: the case has stepped up".into(),
                due: d.due,
                rule_id: Some(d.rule_id),
                citation: format!(
                    "SET L797, 2.5.3: children's social care work is led by a social worker; {}",
                    d.citation
                ),
            })
        }
        _ => {}
    }
    if let Some(p) = &case.proposal {
        let d = by("allocation-answer", p.at.date());
        out.push(CaseWork {
            key: "answer-allocation".into(),
            assignee: Some(p.to.user),
            title: "Agree to be lead practitioner, or say why not".into(),
            due: d.due,
            rule_id: Some(d.rule_id),
            citation: d.citation,
        });
    }
    if let Some((at, _)) = &case.step_up_requested {
        let d = by("step-up-decision", at.date());
        out.push(CaseWork {
            key: "step-up".into(),
            assignee: None,
            title: "Decide the lead practitioner's request to step up".into(),
            due: d.due,
            rule_id: Some(d.rule_id),
            citation: d.citation,
        });
    }
    for a in case.assessments.iter().filter(|a| a.is_open()) {
        // A Family Help assessment has no statutory clock (¶144): the profile's own.
        let family_help = by("family-help-assessment", a.started_on);
        let (due, rule_id) = match a.working_due() {
            Some(due) => (due, a.rule_id.clone()),
            None => (family_help.due, Some(family_help.rule_id.clone())),
        };
        match a.stage {
            AssessmentStage::Submitted => out.push(CaseWork {
                key: format!("authorise-{}", a.number),
                assignee: None,
                title: format!("Authorise the {}", a.kind.label().to_lowercase()),
                due,
                rule_id,
                citation: "WT2026 ¶169 and Desc-A (003 L1500): approved by a social work qualified practice supervisor".into(),
            }),
            _ => out.push(CaseWork {
                key: format!("assessment-{}", a.number),
                assignee: lead,
                title: if a.child_seen() {
                    format!("Complete the {}", a.kind.label().to_lowercase())
                } else {
                    format!("See the child and complete the {}", a.kind.label().to_lowercase())
                },
                due,
                rule_id,
                citation: if a.due.is_some() {
                    "WT2026 ¶169: no longer than 45 working days from the point of referral".into()
                } else {
                    family_help.citation
                },
            }),
        }
    }
    if let Some(f) = &case.followup {
        let (title, citation) = match f.outcome {
            AssessmentOutcome::ChildInNeedPlan => (
                "Make the child in need plan with the family",
                "WT2026 Box \"Statutory requirements for children in need\"; SET 2.5.24",
            ),
            AssessmentOutcome::NoFurtherAction => (
                "Share the reasons for no further action and close the case",
                "WT2026 ¶252: reasons recorded and shared with the child, family and practitioners",
            ),
            AssessmentOutcome::EarlyHelp => (
                "Refer to early help and close the case",
                "SET 2.5.22: redirection to appropriate early help arrangements",
            ),
            AssessmentOutcome::StrategyDiscussion => (
                "Convene the strategy discussion",
                "WT2026 ¶167 and ch.3 s4 \"Strategy discussion\"",
            ),
            AssessmentOutcome::FamilyHelp | AssessmentOutcome::ContinueHelp => ("", ""),
        };
        if !title.is_empty() {
            let strategy = f.outcome == AssessmentOutcome::StrategyDiscussion;
            let d = by(
                if strategy {
                    "strategy-after-assessment"
                } else {
                    "assessment-follow-up"
                },
                f.since,
            );
            out.push(CaseWork {
                key: format!("followup-{}", f.assessment),
                assignee: if strategy { None } else { lead },
                title: title.into(),
                due: d.due,
                rule_id: Some(d.rule_id),
                citation: format!("{citation}; {}", d.citation),
            });
        }
    }
    for p in case.plans.iter().filter(|p| p.is_open()) {
        out.push(CaseWork {
            key: format!("review-{}", p.number),
            assignee: lead,
            title: format!(
                "Review the {} ({})",
                p.kind.label().to_lowercase(),
                p.kind.meeting().label().to_lowercase()
            ),
            due: Due::Date(p.next_review),
            rule_id: p.review_rule.clone(),
            citation:
                "WT2026 ¶198: plans reviewed regularly; SET 2.5.26: within a maximum of six months"
                    .into(),
        });
        for a in p.open_actions() {
            out.push(CaseWork {
                key: format!("action-{}", a.number),
                // An action owned by someone who is not a user is the lead's to follow up.
                assignee: a.owner.user().or(lead),
                title: format!("Plan action: {}", a.what),
                due: Due::Date(a.by),
                rule_id: None,
                citation: "WT2026 ¶195: measurable, reviewable actions".into(),
            });
        }
    }
    protection_work(case, profile, calendar, &mut out);
    if let Some(t) = &case.transfer {
        if t.completed_on.is_none() {
            let d = by("transfer-out-handover", t.informed_on);
            out.push(CaseWork {
                key: "transfer".into(),
                assignee: lead,
                title: format!(
                    "Keep helping until {} takes over, then record the handover",
                    t.to_authority
                ),
                due: d.due,
                rule_id: Some(d.rule_id),
                citation: d.citation,
            });
        }
    }
    out
}

/// Child protection work (issue 5): for supervisors, the lead social worker and the chair.
fn protection_work(case: &Case, profile: &Profile, calendar: &Calendar, out: &mut Vec<CaseWork>) {
    use super::protection::ConferenceKind;
    let by = |id: &str, day: NaiveDate| rule(profile, calendar, id, day);
    let p = &case.protection;
    let lead = case.lead_user();
    for d in p.discussions.iter().filter(|d| d.is_awaited()) {
        for u in d.invitees.iter().filter_map(|i| i.user) {
            out.push(CaseWork {
                key: format!("invite-strategy-{}-{u}", d.number),
                assignee: Some(u),
                title: "You are invited to a strategy discussion".into(),
                due: d.due,
                rule_id: d.rule_id.clone(),
                citation: "WT2026 003 L1677–L1688: who takes part".into(),
            });
        }
        out.push(CaseWork {
            key: format!("strategy-{}", d.number),
            assignee: None,
            title: "Hold the strategy discussion".into(),
            due: d.due,
            rule_id: d.rule_id.clone(),
            citation: "WT2026 strategy discussion descriptor (003 L1667–L1733); SET L2057–L2080"
                .into(),
        });
    }
    for x in &p.emergencies {
        // Its end, a working day before (issue 16): what follows police protection or an
        // order is decided in time (an order, an extension, the child's return).
        if let (Some(Due::DateTime(ends)), None) = (x.ends, &x.ended) {
            let d = by("immediate-protection-ends-notice", ends.date());
            out.push(CaseWork {
                key: format!("emergency-ends-{}", x.number),
                assignee: lead,
                title: format!(
                    "{} ends at {}: plan what follows, and record its end",
                    x.kind.label(),
                    ends.format("%H:%M on %-d %B %Y")
                ),
                due: d.due,
                rule_id: Some(d.rule_id),
                citation: d.citation,
            });
        }
        if x.accepted_by.is_some() && x.written_confirmation_on.is_none() {
            let d = by(
                "responsibility-written-confirmation",
                x.accepted_at.unwrap_or(x.at).date(),
            );
            out.push(CaseWork {
                key: format!("responsibility-{}", x.number),
                assignee: lead,
                title: "Chase the written confirmation that the other authority has accepted responsibility".into(),
                due: d.due,
                rule_id: Some(d.rule_id),
                citation: d.citation,
            });
        }
    }
    for q in p.enquiries.iter().filter(|q| q.is_open()) {
        if q.recommendation.is_some() {
            out.push(CaseWork {
                key: format!("countersign-{}", q.number),
                assignee: None,
                title: "Countersign the section 47 outcome".into(),
                due: q.icpc_due,
                rule_id: q.icpc_rule.clone(),
                citation: "SET L2530–L2535, L2624: the manager authorises the outcome".into(),
            });
        } else {
            out.push(CaseWork {
                key: format!("enquiry-{}", q.number),
                assignee: lead,
                title: "Complete the section 47 enquiry".into(),
                due: q.icpc_due,
                rule_id: q.icpc_rule.clone(),
                citation: "WT2026 initiating section 47 enquiries descriptor (003 L1735–L1777)"
                    .into(),
            });
        }
    }
    for (i, r) in p
        .requests
        .iter()
        .enumerate()
        .filter(|(_, r)| r.answer.is_none())
    {
        let d = by("conference-request-answer", r.at.date());
        out.push(CaseWork {
            key: format!("conference-request-{i}"),
            assignee: None,
            title: format!("Answer {}'s request for a conference", r.by),
            due: d.due,
            rule_id: Some(d.rule_id),
            citation: d.citation,
        });
    }
    // An escalated refusal is the named manager's, due by the profile's rule (003 L1785).
    for (i, r) in p
        .requests
        .iter()
        .enumerate()
        .filter(|(_, r)| r.awaits_escalation_answer())
    {
        let d = by(
            "conference-escalation-answer",
            r.escalated_at.unwrap_or(r.at).date(),
        );
        out.push(CaseWork {
            key: format!("conference-escalation-{i}"),
            assignee: r.escalated_to.as_ref().map(|m| m.user),
            title: format!(
                "{}'s request for a conference was refused and escalated to you: answer it",
                r.by
            ),
            due: d.due,
            rule_id: Some(d.rule_id),
            citation: d.citation,
        });
    }
    if let Some(c) = p.pending_conference() {
        let label = c.kind.label().to_lowercase();
        if let Some(date) = c.date {
            let report = by("conference-report", date);
            for u in c.invitees.iter().filter_map(|i| i.user) {
                out.push(CaseWork {
                    key: format!("invite-conference-{}-{u}", c.number),
                    assignee: Some(u),
                    title: format!(
                        "You are invited to {} {label} on {}: send your agency's report beforehand",
                        if label.starts_with(['a', 'e', 'i', 'o', 'u']) {
                            "an"
                        } else {
                            "a"
                        },
                        date.format("%-d %B %Y")
                    ),
                    due: report.due,
                    rule_id: Some(report.rule_id.clone()),
                    citation: report.citation.clone(),
                });
            }
        }
        match (&c.chair, c.date) {
            (Some(chair), Some(date)) => out.push(CaseWork {
                key: format!("conference-{}", c.number),
                assignee: Some(chair.user),
                title: format!("Chair the {label} on {}", date.format("%-d %B %Y")),
                due: c.due,
                rule_id: c.rule_id.clone(),
                citation: "WT2026 ICPC and review descriptors (003 L1834–L1949)".into(),
            }),
            _ => out.push(CaseWork {
                key: format!("conference-{}", c.number),
                assignee: None,
                title: format!("Arrange the {label}: chair, date and invitations"),
                due: c.due,
                rule_id: c.rule_id.clone(),
                citation: match c.kind {
                    ConferenceKind::Review => "WT2026 003 L1936: within three months, then at most every six months",
                    ConferenceKind::TransferIn => "WT2026 003 L1955: within 15 working days of being notified of the move",
                    _ => "WT2026 003 L1816: within 15 working days of the strategy discussion that initiated section 47 enquiries",
                }
                .into(),
            }),
        }
    }
    if let Some(plan) = p.open_plan() {
        let lsw = Some(plan.decision.lead_social_worker.user);
        out.push(CaseWork {
            key: "core-group".into(),
            assignee: lsw,
            title: if plan.core_groups.is_empty() {
                "Hold the first core group meeting".into()
            } else {
                "Hold the core group meeting".into()
            },
            due: plan.next_core_group,
            rule_id: plan.core_groups.is_empty().then(|| "core-group-first".into()),
            citation: "WT2026 003 L1917: the core group meets within 10 working days of the initial conference".into(),
        });
        for a in plan.actions.iter().filter(|a| a.done_on.is_none()) {
            out.push(CaseWork {
                key: format!("action-{}", a.number),
                assignee: a.owner.user().or(lsw),
                title: format!("Child protection plan action: {}", a.what),
                due: Due::Date(a.by),
                rule_id: None,
                citation: "WT2026 003 L1912, L1918: core group actions, who does what by when"
                    .into(),
            });
        }
        // A plan made with no assessment on the case is flagged to the supervisors until
        // one is started (issue 16; 003 L1900).
        if case.assessments.is_empty() {
            let d = by("assessment-for-plan", plan.start);
            out.push(CaseWork {
                key: "assessment-for-plan".into(),
                assignee: None,
                title: "Start an assessment: the child protection plan was made without one".into(),
                due: d.due,
                rule_id: Some(d.rule_id),
                citation: d.citation,
            });
        }
        if !plan.versions.iter().any(|v| v.detailed) {
            let d = by("detailed-plan", plan.start);
            out.push(CaseWork {
                key: "detailed-plan".into(),
                assignee: lsw,
                title: "Write, agree with the child and circulate the detailed plan".into(),
                due: d.due,
                rule_id: Some(d.rule_id),
                citation: d.citation,
            });
        }
    }
    if let Some(on) = p.death_notification_due {
        let d = by("serious-incident-notification", on);
        out.push(CaseWork {
            key: "death-notification".into(),
            assignee: None,
            title: "A child on a plan died: notify the safeguarding partners (serious incident) and the child death review partners".into(),
            due: d.due,
            rule_id: Some(d.rule_id),
            citation: format!("{} (ch. 5); a task until those processes exist in Together", d.citation),
        });
    }
}

/// Everything still to do on `case`, as the kernel's work items: work no one is
/// assigned is the practice supervisors'; every item is about the case's child.
pub fn work_items(
    case: &Case,
    profile: &Profile,
    calendar: &Calendar,
) -> Vec<crate::process::WorkItem> {
    open_work(case, profile, calendar)
        .into_iter()
        .map(|w| crate::process::WorkItem {
            link: work_link(case, &w.key),
            key: w.key,
            owner: match w.assignee {
                Some(u) => crate::process::Owner::Person(u),
                None => crate::process::Owner::supervisors(),
            },
            child: Some(case.child),
            title: w.title,
            due: w.due,
            rule_id: w.rule_id,
            citation: w.citation,
            urgent: false,
        })
        .collect()
}

/// Where a piece of case work is done. An invitation leads to that meeting's record or
/// its report form, not to the child's file (issue 5).
fn work_link(case: &Case, key: &str) -> String {
    let number = |prefix: &str| {
        key.strip_prefix(prefix)
            .and_then(|rest| rest.split('-').next())
            .map(str::to_string)
    };
    if let Some(n) = number("invite-strategy-") {
        format!("/cases/{}/record/strategy-{n}", case.id)
    } else if let Some(n) = number("invite-conference-") {
        format!("/cases/{}/report-{n}", case.id)
    } else {
        format!("/cases/{}", case.id)
    }
}
