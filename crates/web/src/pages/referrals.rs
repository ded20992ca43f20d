//! The front door's pages (WT2026 ¶163–¶168): refer a child (partners), record a
//! telephone or in-person contact (front door), the referral list, and the referral's
//! page — triage, "is this child known?", acknowledgement, recommendation, the
//! supervisor's decision with threshold support, feedback to the referrer and
//! escalation. Every page works without JavaScript.

use crate::auth::Signed;
use crate::ctx::{render, render_form, Ctx, Posted};
use crate::forms::FormData;
use crate::once::Once;
use crate::pages::threshold::{tick_groups, DomainGroup, Tick};
use crate::views::{long_local_time as when, long_timestamp, FormState, Page};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use together_app::front_door::{CandidateView, ReferralView, ThresholdSupport};
use together_app::rows::ReferralRow;
use together_app::AppError;
use together_domain::access::Scope;
use together_domain::ids::PersonId;
use together_domain::referral::details::{
    ChildInput, ConcernInput, ConsentInput, FamilyMemberInput, PriorAssessmentInput, ReferrerInput,
    SignsOfSafetyInput,
};
use together_domain::referral::sharing::DisclosureInput;
use together_domain::referral::{
    Channel, DecideInput, Outcome, ReferralCommand, ReferralId, ReferralInput, Signpost,
    StrategyUrgency,
};
use together_domain::role::Role;
use together_domain::threshold::{assess, ThresholdModel};
use together_domain::validate::{parse_date, ValidationErrors};

/// Slots on the no-JavaScript form: more children or family members go in the text.
const CHILD_SLOTS: usize = 3;
const FAMILY_SLOTS: usize = 4;

fn enum_id<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_string())).ok()
}

// ---- the referral form ------------------------------------------------------------------

#[derive(Template)]
#[template(path = "referral_form.html")]
struct ReferralForm {
    page: Page,
    form: FormState,
    /// A contact the front door records (telephone, in person) rather than a partner's form.
    contact: bool,
    children: Vec<usize>,
    family: Vec<usize>,
    scale_question: String,
    scale_hint: String,
}

fn input_from(f: &FormData) -> ReferralInput {
    let g = |k: &str| f.get(k).to_string();
    let mut children: Vec<ChildInput> = (0..CHILD_SLOTS)
        .map(|i| {
            let p = |k: &str| g(&format!("children[{i}].{k}"));
            ChildInput {
                unborn: p("unborn"),
                given_name: p("given_name"),
                family_name: p("family_name"),
                date_of_birth: p("date_of_birth"),
                expected_date_of_delivery: p("expected_date_of_delivery"),
                sex: p("sex"),
                nhs_number: p("nhs_number"),
                upn: p("upn"),
                postcode: p("postcode"),
                description: p("description"),
                // Shown to people counting from 1; the referral counts from 0.
                mother: match p("mother").trim().parse::<usize>() {
                    Ok(n) if n >= 1 => (n - 1).to_string(),
                    _ => p("mother"),
                },
            }
        })
        .collect();
    let mut family: Vec<FamilyMemberInput> = (0..FAMILY_SLOTS)
        .map(|i| {
            let p = |k: &str| g(&format!("family[{i}].{k}"));
            FamilyMemberInput {
                relationship: p("relationship"),
                given_name: p("given_name"),
                family_name: p("family_name"),
                date_of_birth: p("date_of_birth"),
                description: p("description"),
                lives_with_child: p("lives_with_child"),
                parental_responsibility: p("parental_responsibility"),
                alleged_perpetrator: p("alleged_perpetrator"),
            }
        })
        .collect();
    // Empty slots at the end are not people (errors keep the slot numbers they name).
    while children.len() > 1 && children.last() == Some(&ChildInput::default()) {
        children.pop();
    }
    while family.last() == Some(&FamilyMemberInput::default()) {
        family.pop();
    }
    ReferralInput {
        referrer: ReferrerInput {
            kind: g("referrer.kind"),
            name: g("referrer.name"),
            job_title: g("referrer.job_title"),
            agency_name: g("referrer.agency_name"),
            agency_kind: g("referrer.agency_kind"),
            phone: g("referrer.phone"),
            email: g("referrer.email"),
            relationship_to_child: g("referrer.relationship_to_child"),
            share_identity: g("referrer.share_identity"),
        },
        children,
        family,
        concern: ConcernInput {
            what_happened: g("concern.what_happened"),
            seen_or_heard: g("concern.seen_or_heard"),
            developmental_needs: g("concern.developmental_needs"),
            parenting_capacity: g("concern.parenting_capacity"),
            family_and_environment: g("concern.family_and_environment"),
        },
        consent: ConsentInput {
            family_knows: g("consent.family_knows"),
            family_consents: g("consent.family_consents"),
            reason: g("consent.reason"),
        },
        immediate_risk: g("immediate_risk"),
        immediate_risk_details: g("immediate_risk_details"),
        significant_harm: g("significant_harm"),
        prior_assessment: PriorAssessmentInput {
            kind: g("prior_assessment.kind"),
            completed_on: g("prior_assessment.completed_on"),
            summary: g("prior_assessment.summary"),
            why_none: g("prior_assessment.why_none"),
        },
        signs_of_safety: SignsOfSafetyInput {
            worried_about: g("signs_of_safety.worried_about"),
            working_well: g("signs_of_safety.working_well"),
            needs_to_happen: g("signs_of_safety.needs_to_happen"),
            scale: g("signs_of_safety.scale"),
        },
    }
}

async fn referral_form(ctx: &Ctx, form: FormState, contact: bool) -> Response {
    let form = ctx.with_form_token(form).await;
    let has_errors = !form.errors.is_empty();
    let model = &ctx.state.app.profile.practice_model;
    let page = ReferralForm {
        page: ctx.page_with_errors(
            if contact {
                "Record a contact"
            } else {
                "Refer a child"
            },
            "/referrals",
            has_errors,
        ),
        form,
        contact,
        children: (0..CHILD_SLOTS).collect(),
        family: (0..FAMILY_SLOTS).collect(),
        scale_question: model
            .as_ref()
            .map(|m| m.scale.question.clone())
            .unwrap_or_else(|| "On a scale of 0 to 10, how safe is the child?".into()),
        scale_hint: model
            .as_ref()
            .map(|m| format!("{} ({})", m.scale.anchors(), m.name))
            .unwrap_or_else(|| "0 = very worried, 10 = not worried at all".into()),
    };
    render_form(&page, has_errors)
}

pub async fn new_referral(State(state): State<AppState>, signed: Signed) -> Response {
    let ctx = Ctx::new(state, signed);
    let mut values = std::collections::HashMap::new();
    // A partner refers as themselves: their name and agency are filled in.
    values.insert("referrer.kind".into(), "professional".into());
    values.insert("referrer.name".into(), ctx.signed.user.display_name.clone());
    values.insert(
        "referrer.agency_name".into(),
        ctx.signed.agency_name.clone(),
    );
    let agency = ctx.signed.caller.agency;
    if let Ok(Some(a)) = ctx.run(move |app, _| app.agency(agency)).await {
        values.insert("referrer.agency_kind".into(), a.kind);
    }
    referral_form(&ctx, FormState::new(values), false).await
}

pub async fn new_contact(State(state): State<AppState>, signed: Signed) -> Response {
    let ctx = Ctx::new(state, signed);
    if !together_domain::referral::is_front_door_staff(ctx.signed.caller.role) {
        return ctx.fail(AppError::Forbidden(
            "only the front door records telephone and in-person contacts".into(),
        ));
    }
    let mut values = std::collections::HashMap::new();
    values.insert("channel".into(), "telephone".into());
    referral_form(&ctx, FormState::new(values), true).await
}

async fn submit(p: Posted, contact: bool) -> Response {
    let Posted { ctx, form } = p;
    let input = input_from(&form);
    let channel = if contact {
        Channel::from_id(form.get("channel")).filter(|c| c.is_verbal())
    } else {
        Some(Channel::OnlineForm)
    };
    let received_at = form.get("received_at").trim().to_string();
    let result = ctx
        .once(&form, move |app, caller| {
            let mut e = ValidationErrors::new();
            let details = input.parse(app.today());
            let channel = e.take(
                "channel",
                channel.ok_or_else(|| "Select how the contact was made".to_string()),
            );
            let at = if received_at.is_empty() {
                Some(None)
            } else {
                e.take(
                    "received_at",
                    together_domain::timescale::parse_start(&received_at).map(Some),
                )
            };
            let details = match details {
                Ok(d) => Some(d),
                Err(errs) => {
                    for fe in errs.0 {
                        e.add(fe.field, fe.message);
                    }
                    None
                }
            };
            match (details, channel, at) {
                (Some(d), Some(c), Some(at)) if e.is_empty() => {
                    let (row, _) = app.receive_referral(caller, d, c, at, None)?;
                    Ok(format!("/referrals/{}", row.id))
                }
                _ => Err(AppError::Invalid(e)),
            }
        })
        .await;
    match result {
        Once::Made(link) => Redirect::to(&link).into_response(),
        Once::Invalid(errors) => {
            referral_form(&ctx, FormState::with_errors(form.kept(), errors), contact).await
        }
        Once::Failed(r) => r,
    }
}

pub async fn create_referral(p: Posted) -> Response {
    submit(p, false).await
}

pub async fn create_contact(p: Posted) -> Response {
    submit(p, true).await
}

// ---- the list ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "referrals.html")]
struct ReferralList {
    page: Page,
    heading: &'static str,
    rows: Vec<ListRow>,
    may_record_contact: bool,
    may_refer: bool,
}

pub struct ListRow {
    pub row: ReferralRow,
    pub received: String,
    pub stage: String,
    pub outcome: String,
}

pub fn list_row(row: ReferralRow) -> ListRow {
    ListRow {
        received: long_timestamp(&row.received_at),
        stage: stage_label(&row.stage).to_string(),
        outcome: row
            .outcome
            .as_deref()
            .map(outcome_labels)
            .unwrap_or_default(),
        row,
    }
}

fn outcome_labels(ids: &str) -> String {
    ids.split(',')
        .filter_map(Outcome::from_id)
        .map(Outcome::label)
        .collect::<Vec<_>>()
        .join("; ")
}

fn stage_label(id: &str) -> &'static str {
    match id {
        "received" => "Received",
        "acknowledged" => "Acknowledged",
        "recommended" => "Recommended, awaiting decision",
        "decided" => "Decided",
        "escalated" => "Escalated by the referrer",
        "escalation-answered" => "Escalation answered",
        _ => "Unknown",
    }
}

pub async fn list(State(state): State<AppState>, signed: Signed) -> Response {
    let ctx = Ctx::new(state, signed);
    let role = ctx.signed.caller.role;
    match ctx
        .run(|app, caller| app.referrals_for(caller, false, 200))
        .await
    {
        Ok(rows) => render(&ReferralList {
            page: ctx.page("Referrals", "/referrals"),
            heading: if together_domain::referral::is_front_door_staff(role) {
                "Referrals"
            } else {
                "Your referrals"
            },
            rows: rows.into_iter().map(list_row).collect(),
            may_record_contact: together_domain::referral::is_front_door_staff(role),
            may_refer: true,
        }),
        Err(e) => ctx.fail(e),
    }
}

// ---- one referral -----------------------------------------------------------------------

struct ChildPanel {
    index: usize,
    label: String,
    linked: Option<PersonId>,
    repeat_of: Option<String>,
    needs_identification: bool,
    candidates: Vec<CandidateView>,
}

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    page: Page,
    v: ReferralView,
    full: bool,
    role_may_decide: bool,
    primary_needs: Vec<(String, String)>,
    role_may_recommend: bool,
    received: String,
    children: Vec<ChildPanel>,
    form: FormState,
    /// Which form the errors belong to.
    form_name: String,
    history: Vec<(String, String, String)>,
    outcomes: Vec<(String, String)>,
    signposts: Vec<(String, String)>,
    threshold: Option<ThresholdModel>,
    domains: Vec<DomainGroup>,
    s47_items: Vec<Tick>,
    s47_open: bool,
    decision_due: String,
    feedback_outcomes: String,
    decision: Option<DecisionView>,
    escalations: Vec<EscalationView>,
    disclosures: Vec<Vec<String>>,
    acknowledged: Option<String>,
    written_confirmation: String,
    /// The front door phones the referrer (NSCP §4.2): why, with the citation.
    call_needed: Option<String>,
    /// The early help assessment that came with it, or why there is none.
    prior_assessment: Option<String>,
    recommendations: Vec<(String, String, String)>,
    /// Per linked child of a decided referral: its case, or a way to open one (issue 4).
    case_panels: Vec<CasePanel>,
}

struct CasePanel {
    index: usize,
    label: String,
    case: Option<together_domain::ids::CaseId>,
}

struct DecisionView {
    decided_at: String,
    on_time: bool,
    reasons: String,
    overrides: Vec<(String, String)>,
    next_work: Vec<(String, String)>,
    threshold_not_met_reasons: Option<String>,
    suggestions: String,
    suggestions_note: Option<String>,
}

struct EscalationView {
    number: u32,
    raised: String,
    reason: String,
    line_manager: bool,
    answer: Option<(String, String, String)>,
}

fn views_of(v: &ReferralView) -> (Option<DecisionView>, Vec<EscalationView>, Vec<Vec<String>>) {
    let r = &v.referral;
    let decision = r.current_decision().map(|d| DecisionView {
        decided_at: when(d.decided_at),
        on_time: d.on_time,
        reasons: d.reasons.clone(),
        overrides: d
            .overrides
            .iter()
            .map(|o| (o.kind.label(), o.reason.clone()))
            .collect(),
        next_work: d
            .next_work
            .iter()
            .map(|w| (w.kind.label().to_string(), due_label(&w.due)))
            .collect(),
        threshold_not_met_reasons: d.feedback.threshold_not_met_reasons.clone(),
        suggestions: d
            .feedback
            .suggestions
            .iter()
            .map(|s| s.label())
            .collect::<Vec<_>>()
            .join("; "),
        suggestions_note: d.feedback.suggestions_note.clone(),
    });
    let escalations = r
        .escalations
        .iter()
        .map(|x| EscalationView {
            number: x.number,
            raised: when(x.raised_at),
            reason: x.reason.clone(),
            line_manager: x.ask_for_line_manager,
            answer: x.answer.as_ref().map(|a| {
                (
                    when(a.at),
                    a.answer.clone(),
                    match a.outcome {
                        together_domain::referral::state::EscalationOutcome::Explained => "Explained",
                        together_domain::referral::state::EscalationOutcome::DecisionToBeRevised => {
                            "The decision will be revised"
                        }
                        together_domain::referral::state::EscalationOutcome::ProfessionalDisagreementProcedure => {
                            "Professional disagreement procedure"
                        }
                    }
                    .to_string(),
                )
            }),
        })
        .collect();
    let disclosures = r
        .disclosures
        .iter()
        .map(|d| {
            let j = serde_json::to_value(d).unwrap_or_default();
            let f = |k: &str| {
                j.get(k)
                    .map(|x| x.to_string().trim_matches('"').to_string())
                    .unwrap_or_default()
            };
            vec![
                when(d.at),
                f("direction"),
                f("agency_name"),
                f("summary"),
                f("lawful_basis"),
                f("consent"),
                f("family_told"),
            ]
        })
        .collect();
    (decision, escalations, disclosures)
}

async fn show(ctx: Ctx, id: ReferralId, form: FormState, form_name: &str) -> Response {
    let ticked: Vec<String> = form
        .values
        .get("ind")
        .map(|s| s.split(' ').map(str::to_string).collect())
        .unwrap_or_default();
    let loaded = ctx
        .run(move |app, caller| {
            let v = app.referral(caller, id)?;
            let mut panels = Vec::new();
            for (i, link) in v.referral.children.iter().enumerate() {
                let candidates = if v.scope == Scope::Full && link.person.is_none() {
                    app.candidates(caller, &v, i, 5)?
                } else {
                    Vec::new()
                };
                panels.push(ChildPanel {
                    index: i,
                    label: v.referral.details.child_label(i),
                    linked: link.person,
                    repeat_of: link.repeat_of.map(crate::views::long_date),
                    needs_identification: v.referral.details.child_needs_identification(i),
                    candidates,
                });
            }
            Ok((v, panels))
        })
        .await;
    let (v, children) = match loaded {
        Ok(x) => x,
        Err(e) => return ctx.fail(e),
    };
    let role = ctx.signed.caller.role;
    let full = v.scope == Scope::Full;
    let history = if full {
        v.log
            .iter()
            .map(|e| {
                let title = together_domain::referral::ReferralEvent::from_stored(
                    &e.event_type,
                    e.payload.as_deref().unwrap_or("{}"),
                )
                .map(|x| x.title())
                .unwrap_or_else(|_| e.event_type.clone());
                (long_timestamp(&e.recorded_at), title, e.actor_role.clone())
            })
            .collect()
    } else {
        Vec::new()
    };
    let threshold = ctx.state.app.profile.threshold.clone();
    let (domains, s47_items) = threshold
        .as_ref()
        .map(|m| tick_groups(m, &ticked))
        .unwrap_or_default();
    let has_errors = !form.errors.is_empty();
    let feedback_outcomes = v
        .referral
        .current_decision()
        .map(|d| {
            d.feedback
                .outcomes
                .iter()
                .map(|o| o.label())
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default();
    let (decision, escalations, disclosures) = views_of(&v);
    let r = &v.referral;
    let acknowledged = r.acknowledgement.as_ref().map(|a| {
        format!(
            "{} ({})",
            when(a.at),
            serde_json::to_value(a.method)
                .ok()
                .and_then(|x| x.as_str().map(|s| s.replace('-', " ")))
                .unwrap_or_default()
        )
    });
    let written_confirmation = match &r.written_confirmation {
        together_domain::referral::state::WrittenConfirmation::NotRequired => String::new(),
        together_domain::referral::state::WrittenConfirmation::Pending => format!(
            "Awaited from the referrer by {}",
            r.due
                .written_confirmation
                .as_ref()
                .map(|w| due_label(&w.due))
                .unwrap_or_default()
        ),
        together_domain::referral::state::WrittenConfirmation::Received { at, on_time } => format!(
            "Received {}{}",
            when(*at),
            if *on_time { "" } else { " (late)" }
        ),
    };
    let recommendations = r
        .recommendations
        .iter()
        .map(|x| {
            (
                when(x.at),
                x.outcomes
                    .iter()
                    .map(|o| o.label())
                    .collect::<Vec<_>>()
                    .join("; "),
                x.reasons.clone(),
            )
        })
        .collect();
    let case_panels = if full && v.referral.is_decided() {
        v.referral
            .children
            .iter()
            .enumerate()
            .filter(|(_, l)| l.person.is_some())
            .map(|(i, _)| CasePanel {
                index: i,
                label: v.referral.details.child_label(i),
                case: v
                    .referral
                    .cases
                    .iter()
                    .find(|(c, _)| *c == i)
                    .map(|(_, id)| *id),
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = ReferralPage {
        case_panels,
        page: ctx.page_with_errors("Referral", "/referrals", has_errors),
        decision,
        escalations,
        disclosures,
        acknowledged,
        written_confirmation,
        call_needed: (full && !v.referral.is_decided())
            .then(|| {
                let app = &ctx.state.app;
                v.referral
                    .call_needed(&app.profile, &app.calendar())
                    .map(|d| format!("Phone the referrer today: significant harm was reported in writing only, and must be reported to the front door by telephone ({}).", d.citation))
            })
            .flatten(),
        prior_assessment: full
            .then(|| {
                let d = &v.referral.details;
                match (&d.prior_assessment, &d.no_prior_assessment_reason) {
                    (Some(p), _) => Some(format!(
                        "{}{}{}",
                        match p.kind {
                            together_domain::referral::details::PriorAssessmentKind::EarlyHelp => "Early help assessment",
                            together_domain::referral::details::PriorAssessmentKind::FamilyHelp => "Family Help assessment",
                            together_domain::referral::details::PriorAssessmentKind::Other => "Another assessment",
                        },
                        p.completed_on.map(|d| format!(", completed {}", d.format("%-d %B %Y"))).unwrap_or_default(),
                        p.summary.as_ref().map(|s| format!(": {s}")).unwrap_or_default()
                    )),
                    (None, Some(why)) => Some(format!("None: {why}")),
                    (None, None) => None,
                }
            })
            .flatten(),
        recommendations,
        received: long_timestamp(&v.row.received_at),
        decision_due: due_label(&v.referral.due.decision.due),
        full,
        role_may_decide: role == Role::PracticeSupervisor,
        primary_needs: crate::views::options(
            together_domain::census::PrimaryNeed::ALL
                .iter()
                .map(|n| (n.code(), n.label())),
        ),
        role_may_recommend: matches!(role, Role::FrontDoorWorker | Role::SocialWorker),
        children,
        form,
        form_name: form_name.to_string(),
        history,
        outcomes: Outcome::ALL
            .iter()
            .map(|o| (o.id().to_string(), o.label().to_string()))
            .collect(),
        signposts: Signpost::ALL
            .iter()
            .map(|s| (s.id().to_string(), s.label().to_string()))
            .collect(),
        s47_open: s47_items.iter().any(|t| t.ticked),
        threshold,
        domains,
        s47_items,
        feedback_outcomes,
        v,
    };
    render_form(&page, has_errors)
}

/// A due date as people read it: "Tuesday 29 December 2026" or "... at 5:00pm".
pub fn due_label(d: &together_domain::timescale::Due) -> String {
    match d {
        together_domain::timescale::Due::Date(d) => d.format("%A %-d %B %Y").to_string(),
        together_domain::timescale::Due::DateTime(t) => {
            t.format("%A %-d %B %Y at %-I:%M%P").to_string()
        }
    }
}

pub async fn view(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let Ok(id) = id.parse::<ReferralId>() else {
        return ctx.fail(AppError::NotFound);
    };
    show(ctx, id, FormState::default(), "").await
}

/// Run a command from a form on the referral page; on bad input show the page again
/// with the errors by the form's fields and what was typed kept.
async fn command(
    p: Posted,
    id: String,
    form_name: &'static str,
    make: impl FnOnce(&FormData) -> Result<(ReferralCommand, ThresholdSupport), ValidationErrors>
        + Send
        + 'static,
) -> Response {
    let Posted { ctx, form } = p;
    let Ok(id) = id.parse::<ReferralId>() else {
        return ctx.fail(AppError::NotFound);
    };
    let mut kept = form.kept();
    // Ticked indicators are kept as one space-separated value for the page to re-tick.
    kept.insert("ind".into(), form.all("ind").join(" "));
    let made = make(&form);
    let result = match made {
        Ok((cmd, t)) => {
            ctx.run(move |app, caller| app.act_on_referral(caller, id, cmd, t))
                .await
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    after_command(ctx, id, result, kept, form_name).await
}

/// After a command on the referral: back to its page, or the page again with the errors
/// by the form's fields (a conflict named against the form) and what was typed kept.
async fn after_command<T>(
    ctx: Ctx,
    id: ReferralId,
    result: Result<T, AppError>,
    kept: std::collections::HashMap<String, String>,
    form_name: &str,
) -> Response {
    let errors = match result {
        Ok(_) => return Redirect::to(&format!("/referrals/{id}")).into_response(),
        Err(AppError::Invalid(errors)) => errors,
        Err(AppError::Conflict(m)) => ValidationErrors::single(form_name, m),
        Err(e) => return ctx.fail(e),
    };
    show(ctx, id, FormState::with_errors(kept, errors), form_name).await
}

fn no_threshold(
    cmd: ReferralCommand,
) -> Result<(ReferralCommand, ThresholdSupport), ValidationErrors> {
    Ok((cmd, ThresholdSupport::default()))
}

pub async fn acknowledge(Path(id): Path<String>, p: Posted) -> Response {
    command(p, id, "acknowledge", |f| {
        let method = enum_id(f.get("method"))
            .ok_or_else(|| ValidationErrors::single("method", "Select how you acknowledged it"))?;
        no_threshold(ReferralCommand::Acknowledge { method })
    })
    .await
}

pub async fn written_confirmation(Path(id): Path<String>, p: Posted) -> Response {
    command(p, id, "written_confirmation", |_| {
        no_threshold(ReferralCommand::RecordWrittenConfirmation { received_at: None })
    })
    .await
}

fn outcomes_of(f: &FormData, field: &str) -> Vec<Outcome> {
    f.all(field)
        .into_iter()
        .filter_map(Outcome::from_id)
        .collect()
}

pub async fn recommend(Path(id): Path<String>, p: Posted) -> Response {
    command(p, id, "recommend", |f| {
        no_threshold(ReferralCommand::Recommend {
            outcomes: outcomes_of(f, "recommend_outcome"),
            reasons: f.get("recommend_reasons").to_string(),
        })
    })
    .await
}

fn opt(f: &FormData, k: &str) -> Option<String> {
    Some(f.get(k).trim().to_string()).filter(|s| !s.is_empty())
}

fn opt_date(
    f: &FormData,
    k: &str,
    label: &str,
    e: &mut ValidationErrors,
) -> Option<chrono::NaiveDate> {
    opt(f, k).and_then(|s| e.take(k, parse_date(label, &s)))
}

pub async fn decide(State(state): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let model = state.app.profile.threshold.clone();
    command(p, id, "decide", move |f| {
        let mut e = ValidationErrors::new();
        let threshold = match &model {
            Some(m) => {
                let ticked = f.all("ind");
                match assess(m, &ticked) {
                    Ok(s) => ThresholdSupport {
                        suggested_level: s.suggested.map(|l| l.number),
                        strategy_discussion_required: s.strategy_discussion_required,
                    },
                    Err(u) => {
                        e.add(
                            "ind",
                            format!("“{}” is not an indicator of this model", u.0),
                        );
                        ThresholdSupport::default()
                    }
                }
            }
            None => ThresholdSupport::default(),
        };
        let input = DecideInput {
            outcomes: outcomes_of(f, "outcome"),
            reasons: f.get("reasons").to_string(),
            override_reason: opt(f, "override_reason"),
            signposting: f
                .all("signpost")
                .into_iter()
                .filter_map(Signpost::from_id)
                .collect(),
            signposting_note: opt(f, "signposting_note"),
            strategy_urgency: enum_id::<StrategyUrgency>(f.get("strategy_urgency"))
                .unwrap_or_default(),
            strategy_by: opt_date(f, "strategy_by", "date of the strategy discussion", &mut e),
            see_child_by: opt_date(f, "see_child_by", "date the child will be seen", &mut e),
            services: opt(f, "services"),
            specialist_assessment: opt(f, "specialist_assessment"),
            revision_reason: opt(f, "revision_reason"),
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok((ReferralCommand::Decide(Box::new(input)), threshold))
    })
    .await
}

pub async fn escalate(Path(id): Path<String>, p: Posted) -> Response {
    command(p, id, "escalate", |f| {
        no_threshold(ReferralCommand::Escalate {
            reason: f.get("escalation_reason").to_string(),
            ask_for_line_manager: f.checked("ask_for_line_manager"),
        })
    })
    .await
}

pub async fn answer(Path(id): Path<String>, p: Posted) -> Response {
    command(p, id, "answer", |f| {
        let number = f.get("number").parse().unwrap_or(0);
        let outcome = enum_id(f.get("answer_outcome")).ok_or_else(|| {
            ValidationErrors::single("answer_outcome", "Select what comes of the escalation")
        })?;
        no_threshold(ReferralCommand::AnswerEscalation {
            number,
            answer: f.get("answer").to_string(),
            outcome,
        })
    })
    .await
}

pub async fn unlink(Path(id): Path<String>, p: Posted) -> Response {
    command(p, id, "unlink", |f| {
        let child: usize = f.get("child").parse().unwrap_or(usize::MAX);
        no_threshold(ReferralCommand::UnlinkChild {
            child,
            reason: f.get(&format!("unlink_reason_{child}")).to_string(),
        })
    })
    .await
}

pub async fn disclosure(Path(id): Path<String>, p: Posted) -> Response {
    command(p, id, "disclosure", |f| {
        let mut e = ValidationErrors::new();
        let mut pick = |k: &str, msg: &str| -> Option<String> {
            let v = f.get(k).trim().to_string();
            if v.is_empty() {
                e.add(k, msg);
                None
            } else {
                Some(v)
            }
        };
        let direction = pick(
            "direction",
            "Select whether information was shared or received",
        );
        let basis = pick("lawful_basis", "Select the lawful basis");
        let consent = pick("consent", "Select whether consent was sought");
        let family_told = pick("family_told", "Select whether the family was told");
        let agency_kind = pick("agency_kind", "Select the kind of agency");
        if !e.is_empty() {
            return Err(e);
        }
        let bad = |k: &str| ValidationErrors::single(k, "Select one of the options");
        let input = DisclosureInput {
            direction: enum_id(&direction.unwrap_or_default()).ok_or_else(|| bad("direction"))?,
            agency_name: f.get("agency_name").to_string(),
            agency_kind: enum_id(&agency_kind.unwrap_or_default())
                .ok_or_else(|| bad("agency_kind"))?,
            summary: f.get("summary").to_string(),
            lawful_basis: enum_id(&basis.unwrap_or_default()).ok_or_else(|| bad("lawful_basis"))?,
            special_category_data: f.checked("special_category_data"),
            special_category_condition: enum_id(f.get("special_category_condition")),
            consent: enum_id(&consent.unwrap_or_default()).ok_or_else(|| bad("consent"))?,
            without_consent_ground: enum_id(f.get("without_consent_ground")),
            family_told: family_told.as_deref() == Some("yes"),
            family_not_told_because: enum_id(f.get("family_not_told_because")),
            family_not_told_details: f.get("family_not_told_details").to_string(),
            includes_referrer_identity: f.checked("includes_referrer_identity"),
        };
        no_threshold(ReferralCommand::RecordDisclosure(Box::new(input)))
    })
    .await
}

pub async fn link(Path(id): Path<String>, p: Posted) -> Response {
    let Posted { ctx, form } = p;
    let Ok(rid) = id.parse::<ReferralId>() else {
        return ctx.fail(AppError::NotFound);
    };
    let child: usize = form.get("child").parse().unwrap_or(usize::MAX);
    let person = form.get("person").parse::<PersonId>();
    let open_new = form.get("person") == "new";
    let r = ctx
        .run(move |app, caller| {
            if open_new {
                app.open_record_for_referred_child(caller, rid, child)
            } else {
                let person = person
                    .map_err(|_| ValidationErrors::single("person", "Select the record to link"))?;
                app.link_referred_child(caller, rid, child, person)
            }
        })
        .await;
    after_command(ctx, rid, r, form.kept(), "link").await
}
