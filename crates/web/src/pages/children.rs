//! The child's record: finding it, opening it, reading its chronology, adding to it,
//! correcting an entry, restricting it, and break-glass access.

use crate::auth::Signed;
use crate::ctx::{render, render_form, Ctx, Posted};
use crate::forms::FormData;
use crate::once::Once;
use crate::views::{long_date, long_date_text, long_timestamp, options, FormState, Page};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use together_app::record::{CaseNoteInput, ChildView, FamilyMemberInput};
use together_app::record_page::{Cursor, RecordPage, ENTRIES_PER_PAGE};
use together_app::rows::ChildQuery;
use together_app::{AppError, Caller};
use together_domain::access::{authorize, Action, Actor, Resource, Scope};
use together_domain::census::{Disability, Ethnicity};
use together_domain::event::{ChronologyEntry, EventBody};
use together_domain::ids::{EventId, PersonId, UserId};
use together_domain::person::{PersonDetails, PersonInput, PersonKind, Sex};
use together_domain::role::Role;

fn sex_options() -> Vec<(String, String)> {
    options([Sex::Female, Sex::Male, Sex::Unknown].map(|s| (s.id(), s.label())))
}

fn person_input(f: &FormData) -> PersonInput {
    PersonInput {
        kind: f.get("kind").into(),
        given_name: f.get("given_name").into(),
        family_name: f.get("family_name").into(),
        date_of_birth: f.get("date_of_birth").into(),
        expected_date_of_delivery: f.get("expected_date_of_delivery").into(),
        sex: f.get("sex").into(),
        nhs_number: f.get("nhs_number").into(),
        upn: f.get("upn").into(),
        postcode: f.get("postcode").into(),
        ethnicity: f.get("ethnicity").into(),
        disabilities: Disability::ALL
            .iter()
            .filter(|d| f.checked(&format!("disabilities-{}", d.code())))
            .map(|d| d.code().to_string())
            .collect(),
    }
}

fn ethnicity_options() -> Vec<(String, String)> {
    options(Ethnicity::ALL.iter().map(|e| (e.code(), e.label())))
}

fn disability_options() -> Vec<(String, String)> {
    options(Disability::ALL.iter().map(|d| (d.code(), d.label())))
}

/// The form's values for details already recorded (to change them).
fn details_values(d: &PersonDetails) -> std::collections::HashMap<String, String> {
    let mut v = std::collections::HashMap::new();
    let mut put = |k: &str, s: String| {
        v.insert(k.to_string(), s);
    };
    put("kind", d.kind.id().into());
    put("given_name", d.given_name.clone());
    put("family_name", d.family_name.clone());
    put(
        "date_of_birth",
        d.date_of_birth.map(|x| x.to_string()).unwrap_or_default(),
    );
    put(
        "expected_date_of_delivery",
        d.expected_date_of_delivery
            .map(|x| x.to_string())
            .unwrap_or_default(),
    );
    put("sex", d.sex.id().into());
    put(
        "nhs_number",
        d.nhs_number
            .as_ref()
            .map(|n| n.as_str().to_string())
            .unwrap_or_default(),
    );
    put(
        "upn",
        d.upn
            .as_ref()
            .map(|u| u.as_str().to_string())
            .unwrap_or_default(),
    );
    put("postcode", d.postcode.clone().unwrap_or_default());
    put(
        "ethnicity",
        d.ethnicity
            .map(|e| e.code().to_string())
            .unwrap_or_default(),
    );
    for x in &d.disabilities {
        put(&format!("disabilities-{}", x.code()), "yes".into());
    }
    v
}

fn parse_child_id(ctx: &Ctx, id: &str) -> Result<PersonId, Response> {
    id.parse::<PersonId>()
        .map_err(|_| ctx.fail(AppError::NotFound))
}

// ---- the list --------------------------------------------------------------

struct ChildRow {
    id: PersonId,
    name: String,
    born: String,
    nhs: String,
    restricted: bool,
}

#[derive(Template)]
#[template(path = "children.html")]
struct ChildrenPage {
    page: Page,
    name: String,
    can_open: bool,
    children: Vec<ChildRow>,
    /// More matched than are shown.
    more: bool,
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    name: String,
}

pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<ListQuery>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let name = q.name.trim().chars().take(100).collect::<String>();
    let n = name.clone();
    let rows = ctx
        .run(move |app, caller| {
            app.list_children(
                caller,
                &ChildQuery {
                    name: (!n.is_empty()).then_some(n),
                    limit: 101,
                    offset: 0,
                },
            )
        })
        .await;
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return ctx.fail(e),
    };
    let role = ctx.signed.caller.role;
    // One more than we show tells us the list is cut short.
    let more = rows.len() > 100;
    let children = rows
        .into_iter()
        .take(100)
        .map(|p| ChildRow {
            id: p.id,
            name: format!("{} {}", p.given_name, p.family_name),
            born: match (&p.date_of_birth, &p.expected_date_of_delivery) {
                (Some(d), _) => long_date_text(d),
                (None, Some(edd)) => format!("Unborn, due {}", long_date_text(edd)),
                _ => "Not known".into(),
            },
            nhs: p
                .nhs_number
                .map(|n| format!("{} {} {}", &n[..3], &n[3..6], &n[6..]))
                .unwrap_or_else(|| "Not known".into()),
            restricted: p.restricted,
        })
        .collect();
    let page = ChildrenPage {
        page: ctx.page("Children", "/children"),
        name,
        can_open: authorize(Actor { role }, Action::OpenChildRecord, Resource::System).allowed,
        children,
        more,
    };
    render(&page)
}

// ---- opening a record ------------------------------------------------------

#[derive(Template)]
#[template(path = "child_new.html")]
struct NewChildPage {
    page: Page,
    form: FormState,
    heading: String,
    action: String,
    submit: String,
    kind_options: Vec<(String, String)>,
    sex_options: Vec<(String, String)>,
    ethnicity_options: Vec<(String, String)>,
    disability_options: Vec<(String, String)>,
}

async fn new_child_page(ctx: &Ctx, form: FormState) -> Response {
    let form = ctx.with_form_token(form).await;
    let page = NewChildPage {
        page: ctx.page_with_errors(
            "Open a child's record",
            "/children",
            !form.errors.is_empty(),
        ),
        form,
        heading: "Open a child's record".into(),
        action: "/children".into(),
        submit: "Open the record".into(),
        kind_options: options([
            (PersonKind::Child.id(), "A child"),
            (PersonKind::UnbornChild.id(), "An unborn child"),
        ]),
        sex_options: sex_options(),
        ethnicity_options: ethnicity_options(),
        disability_options: disability_options(),
    };
    render(&page)
}

fn details_page(ctx: &Ctx, child: PersonId, form: FormState) -> Response {
    let action = format!("/children/{child}/details");
    let page = NewChildPage {
        page: ctx.page_with_errors(
            "Record the child's details",
            &format!("/children/{child}"),
            !form.errors.is_empty(),
        ),
        form,
        heading: "Record the child's details".into(),
        action,
        submit: "Save the details".into(),
        kind_options: options([
            (PersonKind::Child.id(), "A child"),
            (PersonKind::UnbornChild.id(), "An unborn child"),
        ]),
        sex_options: sex_options(),
        ethnicity_options: ethnicity_options(),
        disability_options: disability_options(),
    };
    render(&page)
}

/// The child's details as they now stand, to change (a later fact: a new entry in the
/// record, not a correction of an old one). The census checks link here.
pub async fn details_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let child = match parse_child_id(&ctx, &id) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match ctx
        .run(move |app, caller| app.current_child_details(caller, child))
        .await
    {
        Ok(d) => details_page(&ctx, child, FormState::new(details_values(&d))),
        Err(e) => ctx.fail(e),
    }
}

pub async fn record_details(Path(id): Path<String>, Posted { ctx, form }: Posted) -> Response {
    let child = match parse_child_id(&ctx, &id) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let input = person_input(&form);
    match ctx
        .run(move |app, caller| app.record_child_details(caller, child, &input))
        .await
    {
        Ok(_) => Redirect::to(&format!("/children/{child}?done=details")).into_response(),
        Err(AppError::Invalid(e)) => {
            let mut r = details_page(&ctx, child, FormState::with_errors(form.kept(), e));
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => ctx.fail(e),
    }
}

pub async fn new_form(State(state): State<AppState>, signed: Signed) -> Response {
    let ctx = Ctx::new(state, signed);
    if let Err(e) = ctx
        .run(|app, caller| app.authorize(caller, Action::OpenChildRecord))
        .await
    {
        return ctx.fail(e);
    }
    new_child_page(&ctx, FormState::default()).await
}

pub async fn create(Posted { ctx, form }: Posted) -> Response {
    let input = person_input(&form);
    match ctx
        .once(&form, move |app, caller| {
            let id = app.open_child_record(caller, &input)?;
            Ok(format!("/children/{id}?done=opened"))
        })
        .await
    {
        Once::Made(link) => Redirect::to(&link).into_response(),
        Once::Invalid(e) => {
            let mut r = new_child_page(&ctx, FormState::with_errors(form.kept(), e)).await;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Once::Failed(r) => r,
    }
}

// ---- reading a record ------------------------------------------------------

struct CorrectionView {
    original: Vec<String>,
    reason: String,
    by: String,
}

struct EntryView {
    id: EventId,
    when: String,
    title: String,
    lines: Vec<String>,
    recorded_by: String,
    recorded_at: String,
    is_correction: bool,
    corrected: Option<CorrectionView>,
    can_correct: bool,
}

#[derive(Template)]
#[template(path = "child.html")]
struct ChildPage {
    page: Page,
    child_id: PersonId,
    flash: Option<&'static str>,
    break_glass: bool,
    kind_label: &'static str,
    name: String,
    restricted: bool,
    shared_only: bool,
    withheld: usize,
    /// Entries on this page, of `total` the reader may see.
    showing: usize,
    total: usize,
    first_page: bool,
    /// The link to the next (older) page.
    older: Option<String>,
    details: Vec<(&'static str, String)>,
    actions: Vec<(String, &'static str)>,
    family: Vec<(String, String, &'static str, &'static str)>,
    entries: Vec<EntryView>,
    cases: Vec<together_app::rows::CaseRow>,
    may_open_case: bool,
}

fn describe_person(d: &PersonDetails) -> String {
    let mut s = format!("{} ({})", d.full_name(), d.kind.label().to_lowercase());
    if let Some(dob) = d.date_of_birth {
        s.push_str(&format!(", born {}", long_date(dob)));
    }
    if let Some(edd) = d.expected_date_of_delivery {
        s.push_str(&format!(", expected {}", long_date(edd)));
    }
    s
}

/// What an entry says, in lines for the chronology.
fn body_lines(b: &EventBody) -> Vec<String> {
    match b {
        EventBody::ChildRecordOpened { child } | EventBody::ChildDetailsRecorded { child } => {
            let mut v = vec![describe_person(child)];
            if let Some(n) = &child.nhs_number {
                v.push(format!("NHS number {}", n.formatted()));
            }
            v
        }
        EventBody::FamilyMemberAdded {
            details,
            relationship,
            lives_with_child,
            ..
        } => vec![format!(
            "{} — {}; {}",
            describe_person(details),
            relationship,
            if *lives_with_child {
                "lives with the child"
            } else {
                "does not live with the child"
            }
        )],
        EventBody::CaseNoteRecorded {
            text,
            shared_with_partners,
            ..
        } => {
            let mut v: Vec<String> = text
                .split('\n')
                .map(|l| l.trim_end().to_string())
                .filter(|l| !l.is_empty())
                .collect();
            if *shared_with_partners {
                v.push("Shared with partner agencies working with the child.".into());
            }
            v
        }
        EventBody::EntryCorrected { reason, .. } => vec![format!("Reason: {reason}")],
        EventBody::RecordRestricted { reason } => vec![format!("Reason: {reason}")],
        EventBody::AccessGranted { reason, .. } => vec![format!("Reason: {reason}")],
    }
}

struct Loaded {
    view: ChildView,
    /// Entries off this page that its entries refer to.
    related: Vec<ChronologyEntry>,
    total: usize,
    /// The page shown started before this entry (not the newest page).
    before: Option<Cursor>,
    older: Option<Cursor>,
    names: HashMap<UserId, String>,
    cases: Vec<together_app::rows::CaseRow>,
}

fn load(
    app: &together_app::App,
    caller: &Caller,
    child: PersonId,
    before: Option<Cursor>,
) -> Result<Loaded, AppError> {
    let RecordPage {
        view,
        related,
        total,
        older,
    } = app.view_child_page(caller, child, before.as_ref(), ENTRIES_PER_PAGE)?;
    let mut names = HashMap::new();
    for e in view.chronology.iter().chain(&related) {
        names
            .entry(e.event.actor)
            .or_insert_with(|| app.actor_name(e.event.actor));
    }
    // Read after the access decision above allowed (and logged) reading the record.
    let cases = app.cases_of_child(child)?;
    Ok(Loaded {
        view,
        related,
        total,
        before,
        older,
        names,
        cases,
    })
}

fn child_page(ctx: &Ctx, loaded: Loaded, flash: Option<&'static str>) -> Response {
    let Loaded {
        view,
        related,
        total,
        before,
        older,
        names,
        cases,
    } = loaded;
    let caller = &ctx.signed.caller;
    let p = &view.person;
    let kind = PersonKind::from_id(&p.kind).unwrap_or(PersonKind::Child);
    let name = format!("{} {}", p.given_name, p.family_name);
    let mut details: Vec<(&'static str, String)> = vec![("Name", name.clone())];
    match (&p.date_of_birth, &p.expected_date_of_delivery) {
        (Some(d), _) => details.push(("Date of birth", long_date_text(d))),
        (None, Some(edd)) => details.push(("Expected date of delivery", long_date_text(edd))),
        _ => {}
    }
    details.push((
        "Sex",
        Sex::from_id(&p.sex)
            .map(|s| s.label().to_string())
            .unwrap_or_default(),
    ));
    if let Some(n) = &p.nhs_number {
        details.push((
            "NHS number",
            format!("{} {} {}", &n[..3], &n[3..6], &n[6..]),
        ));
    }
    if view.permit.scope == Scope::Full {
        if let Some(pc) = &p.postcode {
            details.push(("Postcode", pc.clone()));
        }
    }
    details.push(("Record opened", long_timestamp(&p.created_at)));

    let shared_only = view.permit.scope == Scope::SharedOnly;
    let label_of = |e: &ChronologyEntry| e.event.effective_at.clone();
    let by_id: HashMap<EventId, &ChronologyEntry> = view
        .chronology
        .iter()
        .chain(&related)
        .map(|e| (e.event.id, e))
        .collect();
    // Newest first by when it happened (the date a note is about), then by when recorded.
    let mut order: Vec<&ChronologyEntry> = view.chronology.iter().collect();
    order.sort_by(|a, b| {
        (&b.event.effective_at, b.event.seq).cmp(&(&a.event.effective_at, a.event.seq))
    });
    let entries: Vec<EntryView> = order
        .into_iter()
        .map(|e| {
            let is_correction = e.event.event_type == "entry-corrected";
            let title = match (&e.current, is_correction) {
                (Some(EventBody::EntryCorrected { corrects, .. }), true) => {
                    match by_id.get(corrects) {
                        Some(orig) => format!(
                            "Correction to “{}” of {}",
                            orig.recorded
                                .as_ref()
                                .map(|b| b.title())
                                .unwrap_or_default(),
                            long_timestamp(&label_of(orig))
                        ),
                        None => "Correction".into(),
                    }
                }
                (Some(b), _) => b.title(),
                (None, _) => "Entry erased under data protection law".into(),
            };
            let corrected =
                e.corrected_by
                    .and_then(|cid| by_id.get(&cid))
                    .map(|c| CorrectionView {
                        // A partner sees what was first recorded only if that, too, was shared.
                        original: match (&e.recorded, shared_only) {
                            (Some(b), false) => body_lines(b),
                            (Some(b), true) if b.shared_with_partners() => body_lines(b),
                            _ => {
                                vec!["The first version was not shared with partner agencies."
                                    .into()]
                            }
                        },
                        reason: match &c.recorded {
                            // The reason may speak of what was not shared: partners see it only
                            // when the first version was shared with them too.
                            _ if shared_only
                                && !e
                                    .recorded
                                    .as_ref()
                                    .is_some_and(|b| b.shared_with_partners()) =>
                            {
                                "the reason is held by children's social care".into()
                            }
                            Some(EventBody::EntryCorrected { reason, .. }) => reason.clone(),
                            _ => String::new(),
                        },
                        by: names.get(&c.event.actor).cloned().unwrap_or_default(),
                    });
            let can_correct = e.event.event_type == "case-note-recorded"
                && (e.event.actor == caller.actor_id || caller.role == Role::PracticeSupervisor);
            EntryView {
                id: e.event.id,
                when: long_timestamp(&e.event.effective_at),
                title,
                lines: match &e.current {
                    // A correction's reason may speak of what was not shared with partners.
                    Some(EventBody::EntryCorrected { corrects, .. })
                        if shared_only
                            && !by_id
                                .get(corrects)
                                .and_then(|o| o.recorded.as_ref())
                                .is_some_and(|b| b.shared_with_partners()) =>
                    {
                        vec!["The reason is held by children's social care.".into()]
                    }
                    Some(b) => body_lines(b),
                    None => Vec::new(),
                },
                recorded_by: format!(
                    "{} ({})",
                    names.get(&e.event.actor).cloned().unwrap_or_default(),
                    Role::from_id(&e.event.actor_role)
                        .map(|r| r.label())
                        .unwrap_or("")
                ),
                recorded_at: long_timestamp(&e.event.recorded_at),
                is_correction,
                corrected,
                can_correct,
            }
        })
        .collect();

    let role = caller.role;
    let mut actions = vec![(format!("/children/{}/notes", p.id), "Add a case note")];
    if view.permit.scope == Scope::Full {
        actions.push((format!("/children/{}/family", p.id), "Add a family member"));
    }
    if role == Role::PracticeSupervisor && !p.restricted {
        actions.push((
            format!("/children/{}/restrict", p.id),
            "Restrict this record",
        ));
    }
    if !authorize(
        Actor { role },
        Action::AppendToChildRecord,
        Resource::Child {
            restricted: false,
            relationships: &[together_domain::access::Relationship::Participant],
        },
    )
    .allowed
    {
        actions.clear();
    }
    let family = view
        .summary
        .family
        .iter()
        .map(|m| {
            (
                m.details.full_name(),
                m.relationship.clone(),
                m.details.kind.label(),
                if m.lives_with_child { "Yes" } else { "No" },
            )
        })
        .collect();
    let may_open_case = caller.role == together_domain::role::Role::PracticeSupervisor
        && !cases.iter().any(|c| c.stage == "open");
    let page = ChildPage {
        cases,
        may_open_case,
        page: ctx.page(&name, "/children"),
        child_id: p.id,
        flash,
        break_glass: view.permit.break_glass,
        kind_label: kind.label(),
        name,
        restricted: p.restricted,
        shared_only: view.permit.scope == Scope::SharedOnly,
        withheld: view.withheld,
        showing: entries.len(),
        total,
        first_page: before.is_none(),
        older: older.map(|c| c.to_string()),
        details,
        actions,
        family,
        entries,
    };
    render(&page)
}

#[derive(serde::Deserialize)]
pub struct ViewQuery {
    done: Option<String>,
    /// An older page of the chronology (from the page's own "Older entries" link).
    before: Option<String>,
}

pub async fn view(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let child = match parse_child_id(&ctx, &id) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let before =
        match q.before.as_deref().map(Cursor::parse) {
            None => None,
            Some(Some(c)) => Some(c),
            Some(None) => return ctx.fail(AppError::Invalid(
                together_domain::validate::ValidationErrors::single(
                    "before",
                    "This link to older entries is not one Together made: open the record again",
                ),
            )),
        };
    match ctx
        .run(move |app, caller| load(app, caller, child, before))
        .await
    {
        Ok(loaded) => {
            let flash = match q.done.as_deref() {
                Some("opened") => Some("The record is open."),
                Some("note") => Some("The case note is added to the chronology."),
                Some("family") => Some("The family member is added."),
                Some("corrected") => Some("The correction is recorded. The history keeps both."),
                Some("restricted") => Some("The record is restricted."),
                Some("details") => Some("The child's details are recorded."),
                _ => None,
            };
            child_page(&ctx, loaded, flash)
        }
        Err(AppError::Forbidden(reason))
            if reason.contains("break-glass")
                && ctx.signed.caller.role.is_childrens_social_care() =>
        {
            break_glass_page(&ctx, child, FormState::default(), StatusCode::FORBIDDEN)
        }
        Err(e) => ctx.fail(e),
    }
}

// ---- break-glass -----------------------------------------------------------

#[derive(Template)]
#[template(path = "reason_form.html")]
struct ReasonPage {
    page: Page,
    form: FormState,
    caption: String,
    heading: String,
    explanation: String,
    action: String,
    reason_label: String,
    reason_hint: String,
    submit: String,
    warning: bool,
}

fn break_glass_page(ctx: &Ctx, child: PersonId, form: FormState, status: StatusCode) -> Response {
    let page = ReasonPage {
        page: ctx.page_with_errors("This record is restricted", "/children", !form.errors.is_empty()),
        form,
        caption: "Restricted record".into(),
        heading: "This record is restricted".into(),
        explanation: "Only people allocated to this child or granted access may open it. If a child may be at risk and you must see it now, you can open it under break-glass access: give your reason. Your reason and this access are logged and reported to the data protection officer.".into(),
        action: format!("/children/{child}/break-glass"),
        reason_label: "Why do you need to open this record now?".into(),
        reason_hint: "For example, a call about this child out of hours and the allocated worker cannot be reached.".into(),
        submit: "Open under break-glass".into(),
        warning: true,
    };
    (status, render(&page)).into_response()
}

pub async fn break_glass_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    match parse_child_id(&ctx, &id) {
        Ok(child) => break_glass_page(&ctx, child, FormState::default(), StatusCode::OK),
        Err(r) => r,
    }
}

pub async fn break_glass(Path(id): Path<String>, Posted { ctx, form }: Posted) -> Response {
    let child = match parse_child_id(&ctx, &id) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let reason = form.get("reason").trim().to_string();
    if reason.chars().count() < 10 {
        let e = together_domain::validate::ValidationErrors::single(
            "reason",
            "Give your reason in a sentence: at least 10 characters",
        );
        return break_glass_page(
            &ctx,
            child,
            FormState::with_errors(form.kept(), e),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    // Break-glass lasts for this one view: the reason goes with the request, never into the session.
    let mut caller = ctx.caller();
    caller.break_glass_reason = Some(reason.chars().take(2000).collect());
    let state = ctx.state.clone();
    match crate::ctx::blocking(&state, move |app| load(app, &caller, child, None)).await {
        Ok(loaded) => child_page(&ctx, loaded, None),
        Err(e) => ctx.fail(e),
    }
}

// ---- case notes and corrections -----------------------------------------------

#[derive(Template)]
#[template(path = "note_form.html")]
struct NotePage {
    page: Page,
    form: FormState,
    child_id: PersonId,
    child_name: String,
    heading: String,
    action: String,
    submit: String,
    show_share: bool,
    original: Option<Vec<String>>,
}

async fn child_name(ctx: &Ctx, child: PersonId) -> Result<(String, Scope), AppError> {
    ctx.run(move |app, caller| {
        let (p, permit) = app.child_row(caller, Action::AppendToChildRecord, child)?;
        Ok((format!("{} {}", p.given_name, p.family_name), permit.scope))
    })
    .await
}

fn note_input(f: &FormData) -> CaseNoteInput {
    CaseNoteInput {
        title: f.get("title").into(),
        text: f.get("text").into(),
        effective_date: f.get("effective_date").into(),
        shared_with_partners: f.checked("shared_with_partners"),
    }
}

pub async fn note_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let child = match parse_child_id(&ctx, &id) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match child_name(&ctx, child).await {
        Ok((name, scope)) => render(&NotePage {
            page: ctx.page("Add a case note", "/children"),
            form: FormState::default(),
            child_id: child,
            child_name: name,
            heading: "Add a case note".into(),
            action: format!("/children/{child}/notes"),
            submit: "Add to the chronology".into(),
            show_share: scope == Scope::Full,
            original: None,
        }),
        Err(e) => ctx.fail(e),
    }
}

pub async fn add_note(Path(id): Path<String>, Posted { ctx, form }: Posted) -> Response {
    let child = match parse_child_id(&ctx, &id) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let input = note_input(&form);
    match ctx
        .run(move |app, caller| app.add_case_note(caller, child, &input))
        .await
    {
        Ok(_) => Redirect::to(&format!("/children/{child}?done=note")).into_response(),
        Err(AppError::Invalid(e)) => {
            let (name, scope) = match child_name(&ctx, child).await {
                Ok(n) => n,
                Err(e) => return ctx.fail(e),
            };
            let mut r = render(&NotePage {
                page: ctx.page_with_errors("Add a case note", "/children", true),
                form: FormState::with_errors(form.kept(), e),
                child_id: child,
                child_name: name,
                heading: "Add a case note".into(),
                action: format!("/children/{child}/notes"),
                submit: "Add to the chronology".into(),
                show_share: scope == Scope::Full,
                original: None,
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => ctx.fail(e),
    }
}

fn parse_entry(ctx: &Ctx, id: &str, entry: &str) -> Result<(PersonId, EventId), Response> {
    let child = parse_child_id(ctx, id)?;
    let entry = entry
        .parse::<EventId>()
        .map_err(|_| ctx.fail(AppError::NotFound))?;
    Ok((child, entry))
}

async fn correction_page(
    ctx: &Ctx,
    child: PersonId,
    entry: EventId,
    form: Option<FormState>,
) -> Response {
    let loaded = ctx
        .run(move |app, caller| {
            let e = app.entry(caller, child, entry)?;
            // Show the entry as it stands now (after any earlier correction).
            let view = app.view_child(caller, child)?;
            let p = &view.person;
            let current = view
                .chronology
                .into_iter()
                .find(|c| c.event.id == entry)
                .and_then(|c| c.current);
            Ok((e, format!("{} {}", p.given_name, p.family_name), current))
        })
        .await;
    let (_, name, current) = match loaded {
        Ok(x) => x,
        Err(e) => return ctx.fail(e),
    };
    let Some(EventBody::CaseNoteRecorded {
        title,
        text,
        shared_with_partners,
    }) = current
    else {
        return ctx.error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "This entry cannot be corrected here",
            "Only case notes can be corrected on this page.",
        );
    };
    let has_errors = form.as_ref().is_some_and(|f| !f.errors.is_empty());
    let form = form.unwrap_or_else(|| {
        let mut v = HashMap::new();
        v.insert("title".to_string(), title.clone());
        v.insert("text".to_string(), text.clone());
        if shared_with_partners {
            v.insert("shared_with_partners".to_string(), "yes".to_string());
        }
        FormState::new(v)
    });
    let page = NotePage {
        page: ctx.page_with_errors("Correct an entry", "/children", has_errors),
        form,
        child_id: child,
        child_name: name,
        heading: "Correct this entry".into(),
        action: format!("/children/{child}/entries/{entry}/correct"),
        submit: "Record the correction".into(),
        show_share: ctx.signed.caller.role.is_childrens_social_care(),
        original: Some(body_lines(&EventBody::CaseNoteRecorded {
            title,
            text,
            shared_with_partners,
        })),
    };
    render_form(&page, has_errors)
}

pub async fn correct_form(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, entry)): Path<(String, String)>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    match parse_entry(&ctx, &id, &entry) {
        Ok((child, entry)) => correction_page(&ctx, child, entry, None).await,
        Err(r) => r,
    }
}

pub async fn correct(
    Path((id, entry)): Path<(String, String)>,
    Posted { ctx, form }: Posted,
) -> Response {
    let (child, entry) = match parse_entry(&ctx, &id, &entry) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = note_input(&form);
    let reason = form.get("reason").to_string();
    match ctx
        .run(move |app, caller| app.correct_case_note(caller, child, entry, &reason, &input))
        .await
    {
        Ok(_) => Redirect::to(&format!("/children/{child}?done=corrected")).into_response(),
        Err(AppError::Invalid(e)) => {
            correction_page(
                &ctx,
                child,
                entry,
                Some(FormState::with_errors(form.kept(), e)),
            )
            .await
        }
        Err(e) => ctx.fail(e),
    }
}

// ---- family members ----------------------------------------------------------

#[derive(Template)]
#[template(path = "family_form.html")]
struct FamilyPage {
    page: Page,
    form: FormState,
    child_id: PersonId,
    child_name: String,
    kind_options: Vec<(String, String)>,
    sex_options: Vec<(String, String)>,
}

fn family_page(ctx: &Ctx, child: PersonId, name: String, form: FormState) -> Response {
    let has_errors = !form.errors.is_empty();
    let page = FamilyPage {
        page: ctx.page_with_errors("Add a family member", "/children", has_errors),
        form,
        child_id: child,
        child_name: name,
        kind_options: options(
            [
                PersonKind::Parent,
                PersonKind::Carer,
                PersonKind::FamilyNetworkMember,
                PersonKind::AllegedPerpetrator,
            ]
            .map(|k| (k.id(), k.label())),
        ),
        sex_options: sex_options(),
    };
    render_form(&page, has_errors)
}

pub async fn family_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let child = match parse_child_id(&ctx, &id) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match child_name(&ctx, child).await {
        Ok((name, Scope::Full)) => family_page(&ctx, child, name, FormState::default()),
        Ok(_) => ctx.fail(AppError::Forbidden(
            "family details are recorded by children's social care".into(),
        )),
        Err(e) => ctx.fail(e),
    }
}

pub async fn add_family(Path(id): Path<String>, Posted { ctx, form }: Posted) -> Response {
    let child = match parse_child_id(&ctx, &id) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let input = FamilyMemberInput {
        person: person_input(&form),
        relationship: form.get("relationship").into(),
        lives_with_child: form.checked("lives_with_child"),
    };
    match ctx
        .run(move |app, caller| {
            let permit = app.authorize_child(caller, Action::AppendToChildRecord, child, &[])?;
            if permit.scope != Scope::Full {
                return Err(AppError::Forbidden(
                    "family details are recorded by children's social care".into(),
                ));
            }
            app.add_family_member(caller, child, &input)
        })
        .await
    {
        Ok(_) => Redirect::to(&format!("/children/{child}?done=family")).into_response(),
        Err(AppError::Invalid(e)) => match child_name(&ctx, child).await {
            Ok((name, _)) => family_page(&ctx, child, name, FormState::with_errors(form.kept(), e)),
            Err(e) => ctx.fail(e),
        },
        Err(e) => ctx.fail(e),
    }
}

// ---- restriction ---------------------------------------------------------------

fn restrict_page(ctx: &Ctx, child: PersonId, form: FormState, status: StatusCode) -> Response {
    let page = ReasonPage {
        page: ctx.page_with_errors("Restrict this record", "/children", !form.errors.is_empty()),
        form,
        caption: "Restrict a record".into(),
        heading: "Restrict this record".into(),
        explanation: "Once restricted, only people allocated to the child or granted access can open the record. Others in children's social care can open it only under break-glass access, which is reported.".into(),
        action: format!("/children/{child}/restrict"),
        reason_label: "Why should this record be restricted?".into(),
        reason_hint: "For example, a family member works in the partnership.".into(),
        submit: "Restrict the record".into(),
        warning: false,
    };
    (status, render(&page)).into_response()
}

pub async fn restrict_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let child = match parse_child_id(&ctx, &id) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match ctx
        .run(move |app, caller| {
            app.authorize_child(caller, Action::RestrictChildRecord, child, &[])
        })
        .await
    {
        Ok(_) => restrict_page(&ctx, child, FormState::default(), StatusCode::OK),
        Err(e) => ctx.fail(e),
    }
}

pub async fn restrict(Path(id): Path<String>, Posted { ctx, form }: Posted) -> Response {
    let child = match parse_child_id(&ctx, &id) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let reason = form.get("reason").to_string();
    match ctx
        .run(move |app, caller| app.restrict_record(caller, child, &reason))
        .await
    {
        Ok(()) => Redirect::to(&format!("/children/{child}?done=restricted")).into_response(),
        Err(AppError::Invalid(e)) => restrict_page(
            &ctx,
            child,
            FormState::with_errors(form.kept(), e),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => ctx.fail(e),
    }
}
