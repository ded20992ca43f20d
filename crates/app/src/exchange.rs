//! A child's record carried between deployments of Together when a child moves to a
//! local authority that runs its own (issue 4, "Moving area"): exported as JSON in the
//! documented format `together-child-record/1` (docs/record-exchange.md) and imported as
//! a new record in the receiving deployment, with the sending record's history attached.
//!
//! Within one deployment no export is needed: the transfer opens the receiving
//! authority's case on the same record (`App::act_on_case`, `CompleteTransfer`).

use crate::{App, AppError, Caller};
use serde::{Deserialize, Serialize};
use together_domain::access::{Action, Scope};
use together_domain::case::CaseEvent;
use together_domain::event::{format_timestamp, EventBody};
use together_domain::ids::PersonId;
use together_domain::person::PersonDetails;

pub const FORMAT: &str = "together-child-record/1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedRecord {
    /// Always [`FORMAT`].
    pub format: String,
    /// UTC, RFC 3339.
    pub exported_at: String,
    /// The sending partnership's profile, e.g. `set@2026.1`.
    pub from_partnership: String,
    pub child: PersonDetails,
    /// The sending record was restricted: the receiving record is restricted too.
    #[serde(default)]
    pub restricted: bool,
    pub family: Vec<ExportedFamilyMember>,
    /// Every entry of the child's log and of the child's cases, oldest first per log.
    pub entries: Vec<ExportedEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedFamilyMember {
    pub details: PersonDetails,
    pub relationship: String,
    pub lives_with_child: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedEntry {
    /// "child", or "case:<id>".
    pub log: String,
    pub seq: i64,
    /// The stored type id, e.g. `case-note-recorded`, `plan-made`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Words for the history, as the sending system showed them.
    pub title: String,
    pub effective_at: String,
    pub recorded_at: String,
    pub actor_role: String,
    /// The stored payload (absent if lawfully erased).
    pub payload: Option<serde_json::Value>,
}

impl App {
    /// Export a child's record: children's social care with full access only; logged.
    pub fn export_child(
        &self,
        caller: &Caller,
        child: PersonId,
    ) -> Result<ExportedRecord, AppError> {
        let permit = self.authorize_child(caller, Action::ViewChildRecord, child, &[])?;
        if permit.scope != Scope::Full {
            return Err(AppError::Forbidden(
                "only children's social care exports a child's record".into(),
            ));
        }
        if permit.break_glass {
            return Err(AppError::Forbidden(
                "a record opened under break-glass is not exported: ask for a grant".into(),
            ));
        }
        let restricted = self.store.person(child)?.is_some_and(|p| p.restricted);
        let mut details: Option<PersonDetails> = None;
        let mut family = Vec::new();
        let mut entries = Vec::new();
        for e in self.store.log(child)? {
            let body = e
                .payload
                .as_deref()
                .and_then(|p| EventBody::from_stored(&e.event_type, p).ok());
            match &body {
                Some(EventBody::ChildRecordOpened { child })
                | Some(EventBody::ChildDetailsRecorded { child }) => details = Some(child.clone()),
                Some(EventBody::FamilyMemberAdded {
                    details,
                    relationship,
                    lives_with_child,
                    ..
                }) => family.push(ExportedFamilyMember {
                    details: details.clone(),
                    relationship: relationship.clone(),
                    lives_with_child: *lives_with_child,
                }),
                _ => {}
            }
            entries.push(ExportedEntry {
                log: "child".into(),
                seq: e.seq,
                title: body
                    .as_ref()
                    .map(|b| b.title())
                    .unwrap_or_else(|| "Entry erased".into()),
                event_type: e.event_type,
                effective_at: e.effective_at,
                recorded_at: e.recorded_at,
                actor_role: e.actor_role,
                payload: e
                    .payload
                    .as_deref()
                    .and_then(|p| serde_json::from_str(p).ok()),
            });
        }
        for c in self.store.cases_of_child(child)?.into_iter().rev() {
            for e in self.store.log(PersonId(c.id))? {
                let ev = e
                    .payload
                    .as_deref()
                    .and_then(|p| CaseEvent::from_stored(&e.event_type, p).ok());
                entries.push(ExportedEntry {
                    log: format!("case:{}", c.id),
                    seq: e.seq,
                    title: ev
                        .as_ref()
                        .map(|x| x.title(None))
                        .unwrap_or_else(|| "Entry erased".into()),
                    event_type: e.event_type,
                    effective_at: e.effective_at,
                    recorded_at: e.recorded_at,
                    actor_role: e.actor_role,
                    payload: e
                        .payload
                        .as_deref()
                        .and_then(|p| serde_json::from_str(p).ok()),
                });
            }
        }
        let child_details = details
            .ok_or_else(|| AppError::Internal("a child's log without its opening".into()))?;
        Ok(ExportedRecord {
            format: FORMAT.into(),
            exported_at: format_timestamp(self.clock.now()),
            from_partnership: self.profile.version_tag(),
            child: child_details,
            restricted,
            family,
            entries,
        })
    }

    /// Import a record exported by another deployment: a new record here with the
    /// child's details, the family, and the sending record's history as one case note.
    pub fn import_child(
        &self,
        caller: &Caller,
        record: &ExportedRecord,
    ) -> Result<PersonId, AppError> {
        self.authorize(caller, Action::OpenChildRecord)?;
        if record.format != FORMAT {
            return Err(together_domain::validate::ValidationErrors::single(
                "format",
                format!("Together reads {FORMAT}; this file is {}", record.format),
            )
            .into());
        }
        if !record.child.kind.is_child() {
            return Err(together_domain::validate::ValidationErrors::single(
                "child",
                "The record is not a child's",
            )
            .into());
        }
        if record.restricted && caller.role != together_domain::role::Role::PracticeSupervisor {
            return Err(AppError::Forbidden(
                "the record is restricted: a practice supervisor imports it".into(),
            ));
        }
        let child = self.open_record(caller, record.child.clone())?;
        if record.restricted {
            self.restrict_record(
                caller,
                child,
                "The record was restricted where it came from (transferred in restricted).",
            )?;
        }
        for m in &record.family {
            self.add_family_member_details(
                caller,
                child,
                m.details.clone(),
                &m.relationship,
                m.lives_with_child,
            )?;
        }
        let mut text = format!(
            "Record received from {} (exported {}). Its history, oldest first per log:\n",
            record.from_partnership, record.exported_at
        );
        for e in &record.entries {
            let line = format!(
                "{} [{}] {} ({})\n",
                e.effective_at.get(..10).unwrap_or(&e.effective_at),
                e.log,
                e.title,
                e.actor_role
            );
            // A case note holds 20,000 characters: a longer history is in the file itself.
            if text.chars().count() + line.chars().count() > 19_500 {
                text.push_str("… (more in the exported file)\n");
                break;
            }
            text.push_str(&line);
        }
        self.add_case_note(
            caller,
            child,
            &crate::record::CaseNoteInput {
                title: format!("Record transferred in from {}", record.from_partnership),
                text,
                effective_date: self.today().to_string(),
                shared_with_partners: false,
            },
        )?;
        Ok(child)
    }
}
