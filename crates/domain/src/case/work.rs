//! What a case still needs, for the work trays: derived from the case after every
//! event, so a tray can never disagree with the record.

use super::assessment::{AssessmentOutcome, AssessmentStage};
use super::state::Case;
use super::Service;
use crate::calendar::Calendar;
use crate::ids::UserId;
use crate::timescale::Due;
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

const ALLOCATE: &str = "WT2026 ¶170: a practice supervisor allocates the lead practitioner, with their agreement (oldest first; docs/decisions.md)";

/// Everything still to do on `case`, in no particular order (the store orders by due).
pub fn open_work(case: &Case, calendar: &Calendar) -> Vec<CaseWork> {
    let mut out = Vec::new();
    if !case.is_open() {
        return out;
    }
    let lead = case.lead_user();
    let opened = case.opened_at.date();
    // A case waiting for a lead practitioner is in the supervisors' tray, oldest first;
    // it is due the working day after it opened (docs/decisions.md).
    let allocation_due = Due::Date(calendar.add_working_days(opened, 1));
    match (&case.lead, &case.proposal) {
        (None, None) => out.push(CaseWork {
            key: "allocate".into(),
            assignee: None,
            title: "Allocate a lead practitioner".into(),
            due: allocation_due,
            rule_id: None,
            citation: ALLOCATE.into(),
        }),
        (Some(l), None)
            if case.service == Service::SocialCare
                && !l.practitioner.role.is_childrens_social_care() =>
        {
            out.push(CaseWork {
                key: "allocate-social-worker".into(),
                assignee: None,
                title: "Allocate a social worker: the case has stepped up".into(),
                due: Due::Date(calendar.add_working_days(
                    case.service_changes.last().map(|s| s.0).unwrap_or(opened),
                    1,
                )),
                rule_id: None,
                citation: "SET L797, 2.5.3: children's social care work is led by a social worker"
                    .into(),
            })
        }
        _ => {}
    }
    if let Some(p) = &case.proposal {
        out.push(CaseWork {
            key: "answer-allocation".into(),
            assignee: Some(p.to.user),
            title: "Agree to be lead practitioner, or say why not".into(),
            due: Due::Date(calendar.add_working_days(p.at.date(), 1)),
            rule_id: None,
            citation: "WT2026 ¶170: allocated \"with the lead practitioner's agreement\"".into(),
        });
    }
    if let Some((at, _)) = &case.step_up_requested {
        out.push(CaseWork {
            key: "step-up".into(),
            assignee: None,
            title: "Decide the lead practitioner's request to step up".into(),
            due: Due::Date(calendar.add_working_days(at.date(), 1)),
            rule_id: Some("referral-decision".into()),
            citation: "WT2026 ¶167: a decision within one working day, as for a referral".into(),
        });
    }
    for a in case.assessments.iter().filter(|a| a.is_open()) {
        let due = a
            .working_due()
            .unwrap_or(Due::Date(calendar.add_working_days(a.started_on, 45)));
        match a.stage {
            AssessmentStage::Submitted => out.push(CaseWork {
                key: format!("authorise-{}", a.number),
                assignee: None,
                title: format!("Authorise the {}", a.kind.label().to_lowercase()),
                due,
                rule_id: a.rule_id.clone(),
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
                rule_id: a.rule_id.clone(),
                citation: if a.due.is_some() {
                    "WT2026 ¶169: no longer than 45 working days from the point of referral".into()
                } else {
                    "WT2026 ¶144: the Family Help assessment, with the family".into()
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
            out.push(CaseWork {
                key: format!("followup-{}", f.assessment),
                assignee: if strategy { None } else { lead },
                title: title.into(),
                due: Due::Date(calendar.add_working_days(f.since, if strategy { 1 } else { 10 })),
                rule_id: None,
                citation: citation.into(),
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
    if let Some(t) = &case.transfer {
        if t.completed_on.is_none() {
            out.push(CaseWork {
                key: "transfer".into(),
                assignee: lead,
                title: format!("Keep helping until {} takes over, then record the handover", t.to_authority),
                due: Due::Date(calendar.add_working_days(t.informed_on, 15)),
                rule_id: None,
                citation: "WT2026 assessment descriptor (003 L1481): support continues from the original local authority in the intervening period".into(),
            });
        }
    }
    out
}
