//! The child's record: opening it, adding to it, correcting it, reading it. Every
//! service here goes through the access decision and appends events; none updates.

use crate::gate::Shown;
use crate::{App, AppError, Caller, Permit};
use together_domain::access::{Action, Relationship, Scope};
use together_domain::event::{
    check_correction, chronology, format_timestamp, ChildSummary, ChronologyEntry, EventBody,
    NewEvent, StoredEvent,
};
use together_domain::ids::{EventId, PersonId};
use together_domain::person::{PersonDetails, PersonInput};
use together_domain::validate::{parse_date, parse_text, ValidationErrors};
use together_store::{ChildQuery, Involvement, PersonRow};

/// Adding a family member: the person, and how they stand to the child.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyMemberInput {
    #[serde(flatten)]
    pub person: PersonInput,
    #[serde(default)]
    pub relationship: String,
    #[serde(default)]
    pub lives_with_child: bool,
}

/// A case note as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseNoteInput {
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, pattern = "\\S", max_length = 200)
    )]
    pub title: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, pattern = "\\S", max_length = 20000)
    )]
    pub text: String,
    /// The date the note is about, if not today (YYYY-MM-DD).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub effective_date: String,
    #[serde(default)]
    pub shared_with_partners: bool,
}

/// What a caller sees of a child's record.
pub struct ChildView {
    pub person: PersonRow,
    pub summary: ChildSummary,
    /// The chronology, newest last, filtered to what the caller may see.
    pub chronology: Vec<ChronologyEntry>,
    pub permit: Permit,
    /// How many entries are hidden from a partner practitioner (shown as a count only).
    pub withheld: usize,
}

/// Shown to partners in place of a correction's reason when the entry it corrects
/// was not shared with them at first.
pub const WITHHELD_REASON: &str = "The reason is held by children's social care.";

/// The projection row for a person's details.
fn person_row(
    id: PersonId,
    d: &PersonDetails,
    restricted: bool,
    created_at: &str,
    updated_at: &str,
) -> PersonRow {
    PersonRow {
        id,
        kind: d.kind.id().to_string(),
        given_name: d.given_name.clone(),
        family_name: d.family_name.clone(),
        date_of_birth: d.date_of_birth.map(|x| x.to_string()),
        expected_date_of_delivery: d.expected_date_of_delivery.map(|x| x.to_string()),
        sex: d.sex.id().to_string(),
        nhs_number: d.nhs_number.as_ref().map(|n| n.as_str().to_string()),
        upn: d.upn.as_ref().map(|u| u.as_str().to_string()),
        postcode: d.postcode.clone(),
        restricted,
        created_at: created_at.to_string(),
        updated_at: updated_at.to_string(),
    }
}

impl App {
    fn new_event(
        &self,
        caller: &Caller,
        child: PersonId,
        body: EventBody,
        effective_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> NewEvent {
        let now = self.clock.now();
        NewEvent {
            id: EventId(uuid::Uuid::now_v7()),
            child,
            body,
            effective_at: effective_at.unwrap_or(now),
            recorded_at: now,
            actor: caller.actor_id,
            actor_agency: caller.agency,
            actor_role: caller.role,
            profile_version: self.profile.version_tag(),
        }
    }

    /// Now, as the wall-clock time in England: every timescale counts in it.
    pub fn now_in_england(&self) -> chrono::NaiveDateTime {
        to_london(self.clock.now()).naive_local()
    }

    pub fn today(&self) -> chrono::NaiveDate {
        // Practice happens in England: the local date, not UTC, decides "today".
        to_london(self.clock.now()).date_naive()
    }

    /// A child's projection row, for a page about to do `action`: the decision first
    /// (logged), then the row.
    pub fn child_row(
        &self,
        caller: &Caller,
        action: Action,
        child: PersonId,
    ) -> Result<(together_store::PersonRow, crate::Permit), AppError> {
        let permit = self.authorize_child(caller, action, child, &[])?;
        let p = self.store.person(child)?.ok_or(AppError::NotFound)?;
        Ok((p, permit))
    }

    /// Open a child's record (born or unborn).
    pub fn open_child_record(
        &self,
        caller: &Caller,
        input: &PersonInput,
    ) -> Result<PersonId, AppError> {
        self.authorize(caller, Action::OpenChildRecord)?;
        let details = input.parse(self.today())?;
        if !details.kind.is_child() {
            return Err(ValidationErrors::single("kind", "Select child or unborn child").into());
        }
        self.open_record(caller, details)
    }

    /// Write a new child's record from checked details, after `OpenChildRecord` was
    /// authorised, and add it to the matching index.
    pub(crate) fn open_record(
        &self,
        caller: &Caller,
        details: PersonDetails,
    ) -> Result<PersonId, AppError> {
        let id = PersonId(uuid::Uuid::now_v7());
        let at = format_timestamp(self.clock.now());
        let row = person_row(id, &details, false, &at, &at);
        let ev = self.new_event(
            caller,
            id,
            EventBody::ChildRecordOpened { child: details },
            None,
        );
        // The opening is a write to the child's record: log it against the child *before*
        // writing, so a record can never exist without its access-log entry.
        self.log_new_record(caller, id)?;
        self.store.append(&[ev], std::slice::from_ref(&row), &[])?;
        self.note_new_person(&row, Vec::new());
        Ok(id)
    }

    /// The child's details as they now stand, for someone who may record new ones.
    pub fn current_child_details(
        &self,
        caller: &Caller,
        child: PersonId,
    ) -> Result<PersonDetails, AppError> {
        self.authorize_child(caller, Action::AppendToChildRecord, child, &[])?;
        current_details(&self.store.log(child)?).ok_or(AppError::NotFound)
    }

    /// Record a change to the child's details (a later fact; a mistake is a correction).
    pub fn record_child_details(
        &self,
        caller: &Caller,
        child: PersonId,
        input: &PersonInput,
    ) -> Result<EventId, AppError> {
        self.authorize_child(caller, Action::AppendToChildRecord, child, &[])?;
        let details = input.parse(self.today())?;
        if !details.kind.is_child() {
            return Err(ValidationErrors::single("kind", "Select child or unborn child").into());
        }
        let old = self.store.person(child)?.ok_or(AppError::NotFound)?;
        let row = person_row(
            child,
            &details,
            old.restricted,
            &old.created_at,
            &format_timestamp(self.clock.now()),
        );
        let ev = self.new_event(
            caller,
            child,
            EventBody::ChildDetailsRecorded { child: details },
            None,
        );
        let id = ev.id;
        self.store.append(&[ev], &[row], &[])?;
        Ok(id)
    }

    pub fn add_family_member(
        &self,
        caller: &Caller,
        child: PersonId,
        input: &FamilyMemberInput,
    ) -> Result<PersonId, AppError> {
        self.authorize_child(caller, Action::AppendToChildRecord, child, &[])?;
        let mut e = ValidationErrors::new();
        let details = match input.person.parse(self.today()) {
            Ok(d) => Some(d),
            Err(errs) => {
                e.0.extend(errs.0);
                None
            }
        };
        let relationship = e.take(
            "relationship",
            parse_text("relationship to the child", &input.relationship, 100),
        );
        if let Some(d) = &details {
            if d.kind.is_child() {
                e.add("kind", "A brother or sister has a record of their own: open it, then link them as family");
            }
        }
        e.clone().into_result()?;
        let (Some(details), Some(relationship)) = (details, relationship) else {
            return Err(e.into());
        };
        let person = PersonId(uuid::Uuid::now_v7());
        let at = format_timestamp(self.clock.now());
        let row = person_row(person, &details, false, &at, &at);
        let ev = self.new_event(
            caller,
            child,
            EventBody::FamilyMemberAdded {
                person,
                details,
                relationship,
                lives_with_child: input.lives_with_child,
            },
            None,
        );
        self.store.append(&[ev], &[row], &[])?;
        Ok(person)
    }

    /// Add a family member from details already checked (an imported record).
    pub(crate) fn add_family_member_details(
        &self,
        caller: &Caller,
        child: PersonId,
        details: PersonDetails,
        relationship: &str,
        lives_with_child: bool,
    ) -> Result<PersonId, AppError> {
        self.authorize_child(caller, Action::AppendToChildRecord, child, &[])?;
        let person = PersonId(uuid::Uuid::now_v7());
        let at = format_timestamp(self.clock.now());
        let row = person_row(person, &details, false, &at, &at);
        let ev = self.new_event(
            caller,
            child,
            EventBody::FamilyMemberAdded {
                person,
                details,
                relationship: relationship.to_string(),
                lives_with_child,
            },
            None,
        );
        self.store.append(&[ev], &[row], &[])?;
        Ok(person)
    }

    pub fn add_case_note(
        &self,
        caller: &Caller,
        child: PersonId,
        input: &CaseNoteInput,
    ) -> Result<EventId, AppError> {
        let permit = self.authorize_child(caller, Action::AppendToChildRecord, child, &[])?;
        let (body, effective_at) = self.parse_case_note(input)?;
        // A partner practitioner's note is their agency's contribution: shared by nature.
        let body = match (permit.scope, body) {
            (Scope::SharedOnly, EventBody::CaseNoteRecorded { title, text, .. }) => {
                EventBody::CaseNoteRecorded {
                    title,
                    text,
                    shared_with_partners: true,
                }
            }
            (_, b) => b,
        };
        let ev = self.new_event(caller, child, body, effective_at);
        let id = ev.id;
        self.store.append(&[ev], &[], &[])?;
        Ok(id)
    }

    fn parse_case_note(
        &self,
        input: &CaseNoteInput,
    ) -> Result<(EventBody, Option<chrono::DateTime<chrono::Utc>>), AppError> {
        let mut e = ValidationErrors::new();
        let title = e.take("title", parse_text("title", &input.title, 200));
        let text = e.take("text", parse_text("note", &input.text, 20_000));
        let effective = if input.effective_date.trim().is_empty() {
            Some(None)
        } else {
            match e.take(
                "effective_date",
                parse_date("date of the event", &input.effective_date),
            ) {
                Some(d) if d > self.today() => {
                    e.add(
                        "effective_date",
                        "Date of the event must be today or in the past",
                    );
                    None
                }
                Some(d) => Some(Some(
                    d.and_hms_opt(12, 0, 0).expect("noon exists").and_utc(),
                )),
                None => None,
            }
        };
        e.clone().into_result()?;
        let (Some(title), Some(text), Some(effective)) = (title, text, effective) else {
            return Err(e.into());
        };
        Ok((
            EventBody::CaseNoteRecorded {
                title,
                text,
                shared_with_partners: input.shared_with_partners,
            },
            effective,
        ))
    }

    /// Correct an entry: a new event that points at it, with a reason. The author
    /// of the entry or a practice supervisor may do this.
    pub fn correct_entry(
        &self,
        caller: &Caller,
        child: PersonId,
        entry: EventId,
        reason: &str,
        replacement: EventBody,
    ) -> Result<EventId, AppError> {
        let original = self
            .store
            .event(entry)?
            .filter(|e| e.child == child)
            .ok_or(AppError::NotFound)?;
        let author = if original.actor == caller.actor_id {
            vec![Relationship::Author]
        } else {
            vec![]
        };
        let permit = self.authorize_child(caller, Action::CorrectChildEntry, child, &author)?;
        // A partner's entries are their agency's contribution and stay shared, as when added.
        let replacement = match (permit.scope, replacement) {
            (Scope::SharedOnly, EventBody::CaseNoteRecorded { title, text, .. }) => {
                EventBody::CaseNoteRecorded {
                    title,
                    text,
                    shared_with_partners: true,
                }
            }
            (_, r) => r,
        };
        let reason = parse_text("reason for the correction", reason, 2_000)
            .map_err(|m| ValidationErrors::single("reason", m))?;
        check_correction(&original, &replacement, &reason)
            .map_err(|m| ValidationErrors::single("entry", m))?;
        // A correction of the child's details also corrects the projection.
        let mut people = Vec::new();
        if let EventBody::ChildRecordOpened { child: d }
        | EventBody::ChildDetailsRecorded { child: d } = &replacement
        {
            d.check(self.today())?;
            let old = self.store.person(child)?.ok_or(AppError::NotFound)?;
            let latest_details_event = self
                .store
                .log(child)?
                .into_iter()
                .rfind(|e| {
                    matches!(
                        e.event_type.as_str(),
                        "child-record-opened" | "child-details-recorded"
                    )
                })
                .map(|e| e.id);
            // Only the entry that decides today's details changes the current view.
            if latest_details_event == Some(entry) {
                people.push(person_row(
                    child,
                    d,
                    old.restricted,
                    &old.created_at,
                    &format_timestamp(self.clock.now()),
                ));
            }
        }
        let ev = self.new_event(
            caller,
            child,
            EventBody::EntryCorrected {
                corrects: entry,
                reason,
                replacement: Box::new(replacement),
            },
            None,
        );
        let id = ev.id;
        self.store.append(&[ev], &people, &[])?;
        Ok(id)
    }

    /// Correct a case note from the form's fields.
    pub fn correct_case_note(
        &self,
        caller: &Caller,
        child: PersonId,
        entry: EventId,
        reason: &str,
        input: &CaseNoteInput,
    ) -> Result<EventId, AppError> {
        let (body, _) = self.parse_case_note(input)?;
        self.correct_entry(caller, child, entry, reason, body)
    }

    /// Restrict a record (e.g. a child of a staff member, or where disclosure would
    /// put the child at risk); only those allocated or granted may then open it.
    pub fn restrict_record(
        &self,
        caller: &Caller,
        child: PersonId,
        reason: &str,
    ) -> Result<(), AppError> {
        self.authorize_child(caller, Action::RestrictChildRecord, child, &[])?;
        let reason = parse_text("reason", reason, 2_000)
            .map_err(|m| ValidationErrors::single("reason", m))?;
        let mut row = self.store.person(child)?.ok_or(AppError::NotFound)?;
        row.restricted = true;
        row.updated_at = format_timestamp(self.clock.now());
        let ev = self.new_event(caller, child, EventBody::RecordRestricted { reason }, None);
        // The supervisor who restricts keeps access.
        let inv = Involvement {
            child,
            user: caller.actor_id,
            kind: "granted".into(),
            since: row.updated_at.clone(),
        };
        self.store.append(&[ev], &[row], &[inv])?;
        Ok(())
    }

    /// Read a child's record: the current view and the chronology, filtered by the
    /// scope the access decision gave.
    pub fn view_child(&self, caller: &Caller, child: PersonId) -> Result<ChildView, AppError> {
        let permit = self.authorize_child(caller, Action::ViewChildRecord, child, &[])?;
        let person = self.store.person(child)?.ok_or(AppError::NotFound)?;
        self.whole_view(permit, person)
    }

    /// The whole record as `permit` lets it be seen (after the access decision).
    pub(crate) fn whole_view(
        &self,
        permit: Permit,
        person: PersonRow,
    ) -> Result<ChildView, AppError> {
        let log = self.store.log(person.id)?;
        let all = chronology(&log);
        let summary = ChildSummary::from_chronology(&all);
        let total = all.len();
        let chronology: Vec<ChronologyEntry> = match permit.scope {
            Scope::Full => all,
            Scope::SharedOnly => {
                // What each entry first said, and whether that was shared: a correction can
                // share an entry that was not shared at first, and must not carry the
                // unshared words (nor a reason that may speak of them) to partners.
                let first_shared: std::collections::HashMap<EventId, bool> = all
                    .iter()
                    .map(|e| {
                        (
                            e.event.id,
                            e.recorded
                                .as_ref()
                                .is_some_and(|b| b.shared_with_partners()),
                        )
                    })
                    .collect();
                all.into_iter()
                    .filter(|e| e.current.as_ref().is_some_and(|b| b.shared_with_partners()))
                    .map(|mut e| {
                        // Partners get the parsed, filtered bodies only, never raw payloads.
                        e.event.payload = None;
                        if !e
                            .recorded
                            .as_ref()
                            .is_some_and(|b| b.shared_with_partners())
                        {
                            e.recorded = None;
                        }
                        for body in [&mut e.recorded, &mut e.current].into_iter().flatten() {
                            if let EventBody::EntryCorrected {
                                corrects, reason, ..
                            } = body
                            {
                                if !first_shared.get(corrects).copied().unwrap_or(false) {
                                    *reason = WITHHELD_REASON.to_string();
                                }
                            }
                        }
                        e
                    })
                    .collect()
            }
        };
        let withheld = total - chronology.len();
        let summary = match permit.scope {
            Scope::Full => summary,
            // Family members' details are not shared with partners by default (WT2026 ¶29–¶37).
            Scope::SharedOnly => ChildSummary {
                family: Vec::new(),
                granted: Vec::new(),
                ..summary
            },
        };
        Ok(ChildView {
            person,
            summary,
            chronology,
            permit,
            withheld,
        })
    }

    /// One entry of a child's record, for the correction form.
    pub fn entry(
        &self,
        caller: &Caller,
        child: PersonId,
        entry: EventId,
    ) -> Result<StoredEvent, AppError> {
        self.authorize_child(caller, Action::ViewChildRecord, child, &[])?;
        self.store
            .event(entry)?
            .filter(|e| e.child == child)
            .ok_or(AppError::NotFound)
    }

    /// Children's records, for children's social care staff.
    pub fn list_children(
        &self,
        caller: &Caller,
        q: &ChildQuery,
    ) -> Result<Vec<PersonRow>, AppError> {
        self.authorize(caller, Action::SearchChildren)?;
        let mut rows = self.store.children(q)?;
        // A restricted record shows who it is only to those allocated or granted: to
        // everyone else it appears, so that the child is known, but without identifiers.
        for p in rows.iter_mut().filter(|p| p.restricted) {
            let may_see = self
                .store
                .involvements(p.id, caller.actor_id)?
                .iter()
                .any(|i| i.kind == "allocated" || i.kind == "granted");
            if !may_see {
                p.given_name = "Restricted".into();
                p.family_name = "record".into();
                p.date_of_birth = None;
                p.expected_date_of_delivery = None;
                p.nhs_number = None;
                p.postcode = None;
            }
        }
        self.log_listed(
            caller,
            Action::SearchChildren,
            "listed among children",
            rows.iter().map(|p| Shown::Child(p.id)),
        )?;
        Ok(rows)
    }

    /// The children the caller has a part in (referred, takes part in, allocated to,
    /// granted), limited to those the access decision would let them open.
    pub fn my_children(
        &self,
        caller: &Caller,
        kind: Option<&str>,
    ) -> Result<Vec<PersonRow>, AppError> {
        self.authorize(caller, Action::ViewHome)?;
        if caller.is_api_client {
            return Ok(Vec::new());
        }
        let mut rows = self.store.children_involving(caller.actor_id, kind)?;
        // Allocated also means lead practitioner of an open case (issue 4).
        if kind == Some("allocated") {
            for c in self.store.open_cases_led_by(caller.actor_id)? {
                if !rows.iter().any(|p| p.id == c.child) {
                    if let Some(p) = self.store.person(c.child)? {
                        rows.push(p);
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        for p in rows {
            let rels: Vec<Relationship> = self.relationships(caller, p.id)?;
            let d = together_domain::access::authorize(
                together_domain::access::Actor { role: caller.role },
                Action::ViewChildRecord,
                together_domain::access::Resource::Child {
                    restricted: p.restricted,
                    relationships: &rels,
                },
            );
            if d.allowed {
                out.push(p);
            }
        }
        self.log_listed(
            caller,
            Action::ViewHome,
            "listed among children you work with",
            out.iter().map(|p| Shown::Child(p.id)),
        )?;
        Ok(out)
    }

    /// Who wrote an entry, for display: a user's name or an API client's.
    pub fn actor_name(&self, actor: together_domain::ids::UserId) -> String {
        match self.store.user(actor) {
            Ok(Some(u)) => u.display_name,
            _ => "A partner agency's system".to_string(),
        }
    }
}

pub use together_domain::england::{london_offset, to_london};

/// The child's details from their log: the latest opening or details entry, as
/// corrected if it was.
pub fn current_details(log: &[together_domain::event::StoredEvent]) -> Option<PersonDetails> {
    let mut latest: Option<(EventId, PersonDetails)> = None;
    for e in log {
        let Some(body) = e
            .payload
            .as_deref()
            .and_then(|p| EventBody::from_stored(&e.event_type, p).ok())
        else {
            continue;
        };
        match body {
            EventBody::ChildRecordOpened { child } | EventBody::ChildDetailsRecorded { child } => {
                latest = Some((e.id, child))
            }
            EventBody::EntryCorrected {
                corrects,
                replacement,
                ..
            } => {
                if let (
                    Some((id, _)),
                    EventBody::ChildRecordOpened { child }
                    | EventBody::ChildDetailsRecorded { child },
                ) = (&latest, *replacement)
                {
                    if *id == corrects {
                        latest = Some((corrects, child));
                    }
                }
            }
            _ => {}
        }
    }
    latest.map(|(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn british_summer_time_boundaries() {
        // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        let utc = |y, m, d, h, mi| chrono::Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap();
        assert_eq!(london_offset(utc(2026, 3, 29, 0, 59)).local_minus_utc(), 0);
        assert_eq!(
            london_offset(utc(2026, 3, 29, 1, 0)).local_minus_utc(),
            3600
        );
        assert_eq!(
            london_offset(utc(2026, 10, 25, 0, 59)).local_minus_utc(),
            3600
        );
        assert_eq!(london_offset(utc(2026, 10, 25, 1, 0)).local_minus_utc(), 0);
        // 23:30 UTC on 30 June is already 1 July in London.
        assert_eq!(
            to_london(utc(2026, 6, 30, 23, 30)).date_naive().to_string(),
            "2026-07-01"
        );
    }
}
