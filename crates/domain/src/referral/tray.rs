//! What a referral still needs, for the work trays of the front door and of practice
//! supervisors (issue 3: "ordered by due time, with overdue items marked").
//!
//! Derived from the referral's state, so the trays can never disagree with it: the app
//! recomputes a referral's open work after every event and stores it as a projection.

use super::state::{Referral, WrittenConfirmation};
use crate::calendar::Calendar;
use crate::profile::Profile;
use crate::timescale::Due;
use serde::{Deserialize, Serialize};

/// Whose tray the work is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Queue {
    /// Front door workers (and the social workers on duty with them).
    FrontDoor,
    /// Practice supervisors and managers: decisions, escalations, allocation.
    Supervisor,
}

impl Queue {
    pub fn id(self) -> &'static str {
        match self {
            Queue::FrontDoor => "front-door",
            Queue::Supervisor => "supervisor",
        }
    }
}

/// One thing still to do on a referral.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenWork {
    /// Stable within the referral ("acknowledge", "identify-0", "next-1"...).
    pub key: String,
    pub queue: Queue,
    pub title: String,
    pub due: Due,
    pub rule_id: Option<String>,
    pub citation: String,
}

/// Everything still to do on `r`, in no particular order (the store orders by due).
pub fn open_work(r: &Referral, profile: &Profile, calendar: &Calendar) -> Vec<OpenWork> {
    let mut out = Vec::new();
    if r.acknowledgement.is_none() {
        out.push(OpenWork {
            key: "acknowledge".into(),
            queue: Queue::FrontDoor,
            title: "Acknowledge the referral to the referrer".into(),
            due: r.due.acknowledgement.due,
            rule_id: Some(r.due.acknowledgement.rule_id.clone()),
            citation: r.due.acknowledgement.citation.clone(),
        });
    }
    if r.written_confirmation == WrittenConfirmation::Pending {
        if let Some(w) = &r.due.written_confirmation {
            out.push(OpenWork {
                key: "written-confirmation".into(),
                queue: Queue::FrontDoor,
                title: "Chase the referrer's written confirmation".into(),
                due: w.due,
                rule_id: Some(w.rule_id.clone()),
                citation: w.citation.clone(),
            });
        }
    }
    if !r.is_decided() {
        // A significant-harm referral received in writing only, where the partnership
        // has it phoned to the front door (NSCP §4.2): the front door calls the referrer,
        // before the decision (issue 16).
        if let Some(d) = r.call_needed(profile, calendar) {
            out.push(OpenWork {
                key: "call-referrer".into(),
                queue: Queue::FrontDoor,
                title: "Phone the referrer: significant harm was reported in writing only".into(),
                due: d.due,
                rule_id: Some(d.rule_id),
                citation: d.citation,
            });
        }
        // "Is this child known?" comes before the decision (SET 2.4.19–2.4.20).
        for (i, link) in r.children.iter().enumerate() {
            if link.person.is_none() {
                out.push(OpenWork {
                    key: format!("identify-{i}"),
                    queue: Queue::FrontDoor,
                    title: format!(
                        "Check whether {} is known and link the record",
                        r.details.child_label(i)
                    ),
                    due: r.due.decision.due,
                    rule_id: Some(r.due.decision.rule_id.clone()),
                    citation: r.due.decision.citation.clone(),
                });
            }
        }
        out.push(OpenWork {
            key: "decide".into(),
            queue: Queue::Supervisor,
            title: if r.is_urgent() {
                "Urgent: decide next steps today (immediate risk or significant harm)".into()
            } else {
                "Decide next steps".into()
            },
            due: r.due.decision.due,
            rule_id: Some(r.due.decision.rule_id.clone()),
            citation: r.due.decision.citation.clone(),
        });
    }
    if let Some(x) = r.open_escalation() {
        let d = escalation_answer_due(x.raised_at, profile, calendar);
        out.push(OpenWork {
            key: format!("escalation-{}", x.number),
            queue: Queue::Supervisor,
            title: if x.ask_for_line_manager {
                "Answer the referrer's escalation (line manager asked for)".into()
            } else {
                "Answer the referrer's escalation".into()
            },
            due: d.due,
            rule_id: Some(d.rule_id),
            citation: d.citation,
        });
    }
    if let Some(d) = r.current_decision() {
        for (i, w) in d.next_work.iter().enumerate() {
            // Work a case now carries (issues 4 and 5) leaves the referral once every
            // child it is about has a case: the assessment, and the strategy discussion,
            // which the case convenes with the referral's clock.
            let moved_to_case = !w.children.is_empty()
                && w.children
                    .iter()
                    .all(|c| r.cases.iter().any(|(i, _)| *i == c.index));
            if moved_to_case {
                continue;
            }
            out.push(OpenWork {
                key: format!("next-{}-{i}", d.number),
                queue: Queue::Supervisor,
                title: w.kind.label().to_string(),
                due: w.due,
                rule_id: w.rule_id.clone(),
                citation: w.citation.clone(),
            });
        }
    }
    out
}

/// When an escalation is to be answered, by the profile's `escalation-answer`: the
/// guidance gives no timescale, and a referrer who chases is owed an answer as promptly
/// as an acknowledgement (docs/decisions.md, "An escalation is answered within a
/// working day").
pub fn escalation_answer_due(
    raised_at: chrono::NaiveDateTime,
    profile: &Profile,
    calendar: &Calendar,
) -> crate::process::DueBy {
    crate::process::due_by_required(profile, "escalation-answer", raised_at, calendar)
}

/// Everything still to do on `r`, as the kernel's work items: each in its queue's
/// tray, done on the referral's page.
pub fn work_items(
    r: &Referral,
    profile: &Profile,
    calendar: &Calendar,
) -> Vec<crate::process::WorkItem> {
    open_work(r, profile, calendar)
        .into_iter()
        .map(|w| crate::process::WorkItem {
            key: w.key,
            owner: crate::process::Owner::Queue(w.queue.id().to_string()),
            child: None,
            title: w.title,
            due: w.due,
            rule_id: w.rule_id,
            citation: w.citation,
            link: format!("/referrals/{}", r.id),
            // Until the decision, everything on an urgent referral is urgent.
            urgent: r.is_urgent() && !r.is_decided(),
        })
        .collect()
}
