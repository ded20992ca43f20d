//! The front door (WT2026 ¶163–¶168): referrals in by three ways, "is this child
//! known?", the trays, the decision, feedback to the referrer and escalation.
//!
//! Each command loads the referral's own log, replays it, asks the pure
//! `referral::decide`, and appends what it returns together with the new projection
//! (row, linked children, open work) in one transaction. Every read and write goes
//! through [`App::authorize_referral`] and is logged against the referral.

use crate::gate::Shown;
use crate::process::refused;
use crate::record::to_london;
use crate::work_tray::TrayItem;
use crate::{App, AppError, Caller};
use chrono::{Months, NaiveDateTime};
use std::sync::RwLock;
use together_domain::access::{self, Action, Resource, Scope};
use together_domain::event::{format_timestamp, NewEntry, StoredEvent};
use together_domain::ids::{EventId, PersonId};
use together_domain::matching::{Index, Known, MatchReason, Probe};
use together_domain::person::{PersonDetails, PersonKind};
use together_domain::process::{Process, Refusal as KernelRefusal};
use together_domain::referral::process::{ReferralProcess, ReferralRequest};
use together_domain::referral::{
    self, replay, Channel, Referral, ReferralCommand, ReferralDetails, ReferralEvent, ReferralId,
    ReferralState,
};
use together_domain::validate::ValidationErrors;
use together_store::{
    MatchablePerson, PersonRow, ReferralChildRow, ReferralProjection, ReferralQuery, ReferralRow,
    WorkRow,
};

/// The matching index, built from the store on first use and kept up to date as
/// records are opened (design: "is this child known?" in milliseconds at 1M people).
#[derive(Default)]
pub struct Matcher {
    index: RwLock<Option<Index>>,
}

/// A referral as a caller may see it.
#[derive(Clone, Debug)]
pub struct ReferralView {
    pub row: ReferralRow,
    pub referral: Referral,
    /// The referral's log, for its history.
    pub log: Vec<StoredEvent>,
    /// `Full` for the front door; `SharedOnly` for the referrer.
    pub scope: Scope,
    /// The caller made the referral.
    pub is_referrer: bool,
}

/// What receiving a referral came to.
enum Received {
    /// A new referral, as its referrer sees it, and the access decision on it (logged,
    /// unless the log could not be written).
    New {
        view: Box<ReferralView>,
        access: Result<(), AppError>,
    },
    /// The idempotency key was seen before: that referral.
    Existing(Box<ReferralRow>),
}

/// What the threshold model said when the supervisor decided (from the ticked
/// indicators on the decision page).
#[derive(Clone, Copy, Debug, Default)]
pub struct ThresholdSupport {
    pub suggested_level: Option<u8>,
    pub strategy_discussion_required: bool,
}

/// One person who may be the referred child, as the front door sees them.
#[derive(Clone, Debug)]
pub struct CandidateView {
    pub person: PersonId,
    pub score: f32,
    pub likely: bool,
    /// None when the record is restricted and the caller holds no grant: the front door
    /// learns only that a restricted record matches (design principle 6).
    pub details: Option<PersonRow>,
    pub reasons: Vec<String>,
    /// Referrals of this person within the last 12 months (received dates, UTC).
    pub recent_referrals: Vec<String>,
    pub restricted: bool,
}

/// The local wall-clock time in England for a stored UTC timestamp.
pub fn local_time(utc: &str) -> Option<NaiveDateTime> {
    together_domain::event::parse_timestamp(utc).map(|t| to_london(t).naive_local())
}

fn events_of(log: &[StoredEvent]) -> Result<Vec<ReferralEvent>, AppError> {
    log.iter()
        .map(|e| {
            let payload = e
                .payload
                .as_deref()
                .ok_or_else(|| AppError::Internal(format!("referral event {} erased", e.id)))?;
            ReferralEvent::from_stored(&e.event_type, payload)
                .map_err(|x| AppError::Internal(format!("referral event {}: {x}", e.id)))
        })
        .collect()
}

impl App {
    fn made_by(&self, caller: &Caller, row: &ReferralRow) -> bool {
        if caller.is_api_client {
            row.submitted_by_client == Some(caller.actor_id.0)
        } else {
            row.submitted_by_user == Some(caller.actor_id)
        }
    }

    /// The referral's log and the state it replays to.
    pub(crate) fn load(&self, id: ReferralId) -> Result<(Vec<StoredEvent>, Referral), AppError> {
        let log = self.store.log(PersonId(id.0))?;
        let events = events_of(&log)?;
        match replay(events.iter()) {
            ReferralState::Open(r) => Ok((log, *r)),
            ReferralState::NotReceived => Err(AppError::Internal(format!(
                "referral {id} has a row but no received event"
            ))),
        }
    }

    /// Decide `command` on `state` as the kernel decides every process (issue 15): the
    /// referral's rules, with what the app knows beside its log.
    fn decide_referral(
        &self,
        caller: &Caller,
        state: &ReferralState,
        command: ReferralCommand,
        is_referrer: bool,
        threshold: ThresholdSupport,
    ) -> Result<Vec<ReferralEvent>, KernelRefusal> {
        let request = ReferralRequest {
            command,
            actor_is_referrer: is_referrer,
            suggested_level: threshold.suggested_level,
            strategy_discussion_required: threshold.strategy_discussion_required,
        };
        self.with_context(caller, |ctx| ReferralProcess::decide(state, request, ctx))
    }

    fn referral_entry(&self, caller: &Caller, id: ReferralId, e: &ReferralEvent) -> NewEntry {
        let now = self.clock.now();
        NewEntry {
            id: EventId(uuid::Uuid::now_v7()),
            log: id.0,
            event_type: e.type_id().to_string(),
            payload: e.payload_json(),
            corrects: None,
            effective_at: now,
            recorded_at: now,
            actor: caller.actor_id,
            actor_agency: caller.agency,
            actor_role: caller.role,
            profile_version: self.profile.version_tag(),
        }
    }

    /// The projection of `r` after its latest event. Who sent it comes from the
    /// `previous` row, or for a new referral from `submitted` (the caller, and whether
    /// a partner sent it rather than the front door recording it).
    pub(crate) fn project(
        &self,
        r: &Referral,
        previous: Option<&ReferralRow>,
        submitted: Option<(&Caller, bool)>,
        received_at_utc: &str,
    ) -> ReferralProjection {
        let calendar = self.calendar();
        let summary = r.details.children_summary();
        // `ReferralProcess::work`, without cloning the referral into its state.
        let work: Vec<WorkRow> = referral::work_items(r, &self.profile, &calendar)
            .iter()
            .map(|w| WorkRow::of("referral", r.id.0, w, &summary))
            .collect();
        let (user, client, agency) = match (previous, submitted) {
            (Some(p), _) => (
                p.submitted_by_user,
                p.submitted_by_client,
                p.submitted_by_agency,
            ),
            (None, Some((caller, true))) if caller.is_api_client => {
                (None, Some(caller.actor_id.0), Some(caller.agency))
            }
            (None, Some((caller, true))) => (Some(caller.actor_id), None, Some(caller.agency)),
            (None, _) => (None, None, None),
        };
        let decision = r.current_decision();
        let (referrer_name, referrer_agency_name) = match &r.details.referrer {
            referral::Referrer::Professional {
                name, agency_name, ..
            } => (name.clone(), Some(agency_name.clone())),
            other => (other.display_name().to_string(), None),
        };
        let row = ReferralRow {
            id: r.id.0,
            received_at: received_at_utc.to_string(),
            channel: r.channel.id().to_string(),
            stage: stage_id(r),
            summary,
            referrer_name,
            referrer_agency_name,
            submitted_by_user: user,
            submitted_by_client: client,
            submitted_by_agency: agency,
            idempotency_key: r.idempotency_key.clone(),
            decision_due: due_text(&r.due.decision.due),
            decided_at: decision.map(|d| d.decided_at.format("%Y-%m-%dT%H:%M:%S").to_string()),
            outcome: decision.map(|d| {
                d.outcomes
                    .iter()
                    .map(|o| o.id())
                    .collect::<Vec<_>>()
                    .join(",")
            }),
            repeat_referral: r.is_repeat_referral(),
            open_work: work.len() as i64,
            updated_at: format_timestamp(self.clock.now()),
            urgent: r.is_urgent(),
        };
        let children = r
            .children
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                l.person.map(|p| ReferralChildRow {
                    referral: r.id.0,
                    child_index: i as i64,
                    person: p,
                    received_at: received_at_utc.to_string(),
                })
            })
            .collect();
        ReferralProjection {
            row,
            children,
            work,
        }
    }

    // ---- intake --------------------------------------------------------------------

    /// Receive a referral: from a signed-in partner's form, an agency system, or a
    /// contact the front door records (phone or in person, possibly earlier today).
    /// Returns the row, and whether it is new (false: the idempotency key was seen).
    pub fn receive_referral(
        &self,
        caller: &Caller,
        details: ReferralDetails,
        channel: Channel,
        received_at: Option<NaiveDateTime>,
        idempotency_key: Option<String>,
    ) -> Result<(ReferralRow, bool), AppError> {
        Ok(
            match self.receive(caller, details, channel, received_at, idempotency_key)? {
                Received::New { view, .. } => (view.row, true),
                Received::Existing(row) => (*row, false),
            },
        )
    }

    /// Receive a referral and answer with it as its referrer sees it (an agency
    /// system's `POST`): what [`App::receive_referral`] does, then the referral as
    /// [`App::referral`] shows it, without reading back and logging a second time what
    /// was just written and logged.
    pub fn receive_referral_view(
        &self,
        caller: &Caller,
        details: ReferralDetails,
        channel: Channel,
        idempotency_key: Option<String>,
    ) -> Result<(ReferralView, bool), AppError> {
        match self.receive(caller, details, channel, None, idempotency_key)? {
            Received::New {
                view,
                access: Ok(()),
            } => Ok((*view, true)),
            // Refused, and logged: the referral is kept, but not shown.
            Received::New {
                access: Err(e @ AppError::Forbidden(_)),
                ..
            } => Err(e),
            // The access log could not be written after the referral was: reading it
            // back logs the access, or fails as plainly as any other read.
            Received::New { view, .. } => {
                Ok((self.referral(caller, ReferralId(view.row.id))?, true))
            }
            Received::Existing(row) => Ok((self.referral(caller, ReferralId(row.id))?, false)),
        }
    }

    /// A referral sent again with an idempotency key already used: the first result when
    /// the request is the same; refused, naming the key, when it differs, so a second
    /// referral is never silently dropped (issue 18). The first request is kept in the
    /// referral's log as received, which is what is compared.
    fn same_request(
        &self,
        row: ReferralRow,
        key: &str,
        details: &ReferralDetails,
        channel: Channel,
    ) -> Result<Received, AppError> {
        let (_, first) = self.load(ReferralId(row.id))?;
        if first.details == *details && first.channel == channel {
            return Ok(Received::Existing(Box::new(row)));
        }
        Err(AppError::Invalid(ValidationErrors::single(
            "Idempotency-Key",
            format!("The Idempotency-Key \"{key}\" was already used for a different referral: this request's body differs from the first. Send a new key for a new referral."),
        )))
    }

    fn receive(
        &self,
        caller: &Caller,
        details: ReferralDetails,
        channel: Channel,
        received_at: Option<NaiveDateTime>,
        idempotency_key: Option<String>,
    ) -> Result<Received, AppError> {
        self.authorize(caller, Action::SubmitReferral)?;
        let recorded_by_front_door = channel.is_verbal();
        if recorded_by_front_door && !referral::is_front_door_staff(caller.role) {
            return Err(AppError::Forbidden(
                "only the front door records telephone and in-person contacts".into(),
            ));
        }
        if let (true, Some(key)) = (caller.is_api_client, idempotency_key.as_deref()) {
            if let Some(row) = self
                .store
                .referral_by_idempotency_key(caller.actor_id.0, key)?
            {
                return self.same_request(row, key, &details, channel);
            }
        }
        let id = ReferralId(uuid::Uuid::now_v7());
        let cmd = ReferralCommand::Receive {
            referral: id,
            details: Box::new(details),
            channel,
            received_at,
            idempotency_key: idempotency_key.clone(),
        };
        // Kept to compare with the first, should a concurrent twin win the key.
        let cmd_again = idempotency_key.is_some().then(|| cmd.clone());
        let events = self
            .decide_referral(
                caller,
                &ReferralState::NotReceived,
                cmd,
                true,
                ThresholdSupport::default(),
            )
            .map_err(refused)?;
        let state = ReferralProcess::replay(&events);
        let r = state
            .referral()
            .ok_or_else(|| AppError::Internal("receive produced no referral".into()))?;
        let entries: Vec<NewEntry> = events
            .iter()
            .map(|e| self.referral_entry(caller, id, e))
            .collect();
        let received_utc = format_timestamp(self.clock.now());
        let projection = self.project(
            r,
            None,
            Some((caller, !recorded_by_front_door)),
            &received_utc,
        );
        let log = match self.store.append_referral(&entries, &projection) {
            Ok(log) => log,
            // Two identical API calls at once: the second finds the first's referral.
            Err(together_store::StoreError::Conflict(_)) if idempotency_key.is_some() => {
                let key = idempotency_key.as_deref().unwrap_or_default();
                let row = self
                    .store
                    .referral_by_idempotency_key(caller.actor_id.0, key)?
                    .ok_or_else(|| AppError::Conflict("duplicate referral".into()))?;
                let Some(ReferralCommand::Receive {
                    details, channel, ..
                }) = &cmd_again
                else {
                    unreachable!("kept when there is a key")
                };
                return self.same_request(row, key, details, *channel);
            }
            Err(e) => return Err(e.into()),
        };
        // The new referral's first access-log entry. It is written after the referral, so
        // a failure here must not answer "not received" and invite a second referral.
        let access =
            self.authorize_referral(caller, Action::ViewReferral, id.0, !recorded_by_front_door);
        let is_referrer = self.made_by(caller, &projection.row);
        let (permit, access) = match access {
            Ok(p) => (Some(p), Ok(())),
            Err(e) => (None, Err(e)),
        };
        Ok(Received::New {
            access,
            view: Box::new(ReferralView {
                row: projection.row,
                referral: r.clone(),
                log,
                scope: permit.map_or(Scope::SharedOnly, |p| p.scope),
                is_referrer,
            }),
        })
    }

    // ---- reading ---------------------------------------------------------------------

    /// One referral, if the caller may see it (logged).
    pub fn referral(&self, caller: &Caller, id: ReferralId) -> Result<ReferralView, AppError> {
        let Some(row) = self.store.referral(id.0)? else {
            self.authorize_referral(caller, Action::ViewReferral, id.0, false)?;
            return Err(AppError::NotFound);
        };
        let is_referrer = self.made_by(caller, &row);
        let permit = self.authorize_referral(caller, Action::ViewReferral, id.0, is_referrer)?;
        // The referral names the children linked to it: a read of who they are, logged
        // against each (issue 18), as a list that names them is.
        let linked = self
            .referrals_shown(std::slice::from_ref(&row))?
            .into_iter()
            .filter(|s| matches!(s, Shown::Process(_, Some(_))));
        self.log_listed(caller, Action::ViewReferral, "named in a referral", linked)?;
        let (log, referral) = self.load(id)?;
        Ok(ReferralView {
            row,
            referral,
            log,
            scope: permit.scope,
            is_referrer,
        })
    }

    /// The referrals the caller made (partners) or every recent referral (front door).
    pub fn referrals_for(
        &self,
        caller: &Caller,
        open_only: bool,
        limit: u32,
    ) -> Result<Vec<ReferralRow>, AppError> {
        let mut q = ReferralQuery {
            open_only,
            limit,
            ..Default::default()
        };
        if referral::is_front_door_staff(caller.role) {
            self.authorize(caller, Action::ViewHome)?;
        } else {
            self.authorize(caller, Action::SubmitReferral)?;
            if caller.is_api_client {
                q.submitted_by_client = Some(caller.actor_id.0);
            } else {
                q.submitted_by_user = Some(caller.actor_id);
            }
        }
        let mut rows = self.store.referrals(&q)?;
        // An urgent referral not yet decided is listed first (issue 16; ¶164, ¶168).
        rows.sort_by_key(|r| !(r.urgent && r.decided_at.is_none()));
        let shown = self.referrals_shown(&rows)?;
        self.log_listed(
            caller,
            Action::ViewReferral,
            "listed among referrals",
            shown,
        )?;
        Ok(rows)
    }

    /// What a list of referrals shows: each referral, with each child linked to it
    /// (its summary names them), so the data protection officer's search for a child
    /// finds the list too. One read for the whole list.
    pub(crate) fn referrals_shown(&self, rows: &[ReferralRow]) -> Result<Vec<Shown>, AppError> {
        let (Some(from), Some(to)) = (
            rows.iter().map(|r| r.received_at.as_str()).min(),
            rows.iter().map(|r| r.received_at.as_str()).max(),
        ) else {
            return Ok(Vec::new());
        };
        // `to` is exclusive: just past the latest.
        let linked = self
            .store
            .referral_children_between(from, &format!("{to}~"))?;
        let mut shown = Vec::new();
        for r in rows {
            let subject = together_store::Subject {
                kind: "referral".into(),
                id: r.id,
            };
            let children: Vec<PersonId> = linked
                .iter()
                .filter(|l| l.referral == r.id)
                .map(|l| l.person)
                .collect();
            if children.is_empty() {
                shown.push(Shown::Process(subject.clone(), None));
            }
            shown.extend(
                children
                    .into_iter()
                    .map(|c| Shown::Process(subject.clone(), Some(c))),
            );
        }
        Ok(shown)
    }

    /// The caller's tray: front door work for front door workers and social workers,
    /// decisions and escalations for practice supervisors (who also see the front
    /// door's queue, below their own). Ordered by when each item is overdue.
    pub fn tray(&self, caller: &Caller) -> Result<Vec<TrayItem>, AppError> {
        self.tray_of_kind(caller, "referral")
    }

    // ---- commands --------------------------------------------------------------------

    /// Do something to a referral: acknowledge, recommend, decide, escalate, answer,
    /// link or unlink a child, record a disclosure, record written confirmation.
    pub fn act_on_referral(
        &self,
        caller: &Caller,
        id: ReferralId,
        command: ReferralCommand,
        threshold: ThresholdSupport,
    ) -> Result<ReferralView, AppError> {
        let Some(row) = self.store.referral(id.0)? else {
            self.authorize_referral(caller, Action::WorkOnReferral, id.0, false)?;
            return Err(AppError::NotFound);
        };
        let is_referrer = self.made_by(caller, &row);
        let permit = self.authorize_referral(caller, Action::WorkOnReferral, id.0, is_referrer)?;
        let (log, referral) = self.load(id)?;
        let state = ReferralState::Open(Box::new(referral));
        let events = match self.decide_referral(caller, &state, command, is_referrer, threshold) {
            Ok(e) => e,
            Err(r @ KernelRefusal::Forbidden { .. }) => {
                self.log_referral_refusal(caller, id.0, &r.to_string())?;
                return Err(refused(r));
            }
            Err(r) => return Err(refused(r)),
        };
        let state = events.iter().fold(state, ReferralProcess::apply);
        let referral = match state {
            ReferralState::Open(r) => *r,
            ReferralState::NotReceived => unreachable!("an open referral stays open"),
        };
        let entries: Vec<NewEntry> = events
            .iter()
            .map(|e| self.referral_entry(caller, id, e))
            .collect();
        let projection = self.project(&referral, Some(&row), None, &row.received_at);
        let mut log = log;
        log.extend(self.store.append_referral(&entries, &projection)?);
        Ok(ReferralView {
            row: projection.row,
            referral,
            log,
            scope: permit.scope,
            is_referrer,
        })
    }

    /// Link child `child` of the referral to the record `person`, flagging a repeat
    /// referral from the person's other referrals (SET 2.4.20; CIN census: within 12
    /// months).
    pub fn link_referred_child(
        &self,
        caller: &Caller,
        id: ReferralId,
        child: usize,
        person: PersonId,
    ) -> Result<ReferralView, AppError> {
        let p = self.store.person(person)?;
        if !p.is_some_and(|p| p.kind == "child" || p.kind == "unborn-child") {
            return Err(
                ValidationErrors::single("person", "Select a child's record to link").into(),
            );
        }
        // Linking reads the record (its referrals, its history on the referral's page):
        // the same decision as opening it, so a restricted record needs its grant, and
        // the decision is logged against the child (issue 18).
        self.authorize_child(caller, Action::ViewChildRecord, person, &[])?;
        let previous_referrals = self
            .store
            .referrals_of_person(person)?
            .into_iter()
            .filter(|r| r.referral != id.0)
            .filter_map(|r| local_time(&r.received_at).map(|t| t.date()))
            .collect();
        self.act_on_referral(
            caller,
            id,
            ReferralCommand::LinkChild {
                child,
                person,
                previous_referrals,
            },
            ThresholdSupport::default(),
        )
    }

    /// Open a new record for child `child` of the referral from what the referral says,
    /// and link it ("a front-door worker confirms a link or creates a new person").
    pub fn open_record_for_referred_child(
        &self,
        caller: &Caller,
        id: ReferralId,
        child: usize,
    ) -> Result<ReferralView, AppError> {
        let view = self.referral(caller, id)?;
        if view.scope != Scope::Full {
            return Err(AppError::Forbidden(
                "only the front door opens records from a referral".into(),
            ));
        }
        let c =
            view.referral.details.children.get(child).ok_or_else(|| {
                ValidationErrors::single("child", "No such child on the referral")
            })?;
        if view.referral.children[child].person.is_some() {
            return Err(AppError::Conflict(
                "This child is already linked to a record: unlink it first".into(),
            ));
        }
        let mut e = ValidationErrors::new();
        let unborn = c.unborn;
        let (given, family) = if unborn {
            let mother = c.mother.and_then(|m| view.referral.details.family.get(m));
            (
                "Unborn".to_string(),
                mother
                    .and_then(|m| m.family_name.clone())
                    .unwrap_or_default(),
            )
        } else {
            (
                c.given_name.clone().unwrap_or_default(),
                c.family_name.clone().unwrap_or_default(),
            )
        };
        if given.is_empty() || family.is_empty() {
            e.add(
                "child",
                "The child needs a first and last name before a record can be opened: find out who they are first",
            );
        }
        if !e.is_empty() {
            return Err(e.into());
        }
        let details = PersonDetails {
            kind: if unborn {
                PersonKind::UnbornChild
            } else {
                PersonKind::Child
            },
            given_name: given,
            family_name: family,
            date_of_birth: c.date_of_birth,
            expected_date_of_delivery: c.expected_date_of_delivery,
            sex: c.sex,
            nhs_number: c.nhs_number.clone(),
            upn: c.upn.clone(),
            postcode: c.postcode.clone(),
            ethnicity: None,
            disabilities: Vec::new(),
        };
        details.check(self.today())?;
        self.authorize(caller, Action::OpenChildRecord)?;
        let person = self.open_record(caller, details)?;
        self.link_referred_child(caller, id, child, person)
    }

    // ---- is this child known? ----------------------------------------------------------

    fn with_index<T>(&self, f: impl FnOnce(&Index) -> T) -> Result<T, AppError> {
        {
            let guard = self.matcher.index.read().expect("matcher lock");
            if let Some(ix) = guard.as_ref() {
                return Ok(f(ix));
            }
        }
        let mut guard = self.matcher.index.write().expect("matcher lock");
        if guard.is_none() {
            *guard = Some(self.build_index()?);
        }
        Ok(f(guard.as_ref().expect("built above")))
    }

    /// Build the matching index from every child in the store, a page at a time.
    pub fn build_index(&self) -> Result<Index, AppError> {
        let mut ix = Index::new();
        let mut after = None;
        loop {
            let page = self.store.matchable_children(after, 10_000)?;
            let Some(last) = page.last() else { break };
            after = Some(last.person.id);
            for m in page {
                ix.insert(known(&m));
            }
        }
        Ok(ix)
    }

    /// Add a newly opened record to the index, if it has been built.
    pub(crate) fn note_new_person(&self, row: &PersonRow, household: Vec<String>) {
        let mut guard = self.matcher.index.write().expect("matcher lock");
        if let Some(ix) = guard.as_mut() {
            ix.insert(known(&MatchablePerson {
                person: row.clone(),
                household,
            }));
        }
    }

    /// Candidates for child `child` of the referral, best first, with why they match
    /// and what is open for them. Logged as a search from the referral.
    pub fn candidates(
        &self,
        caller: &Caller,
        view: &ReferralView,
        child: usize,
        limit: usize,
    ) -> Result<Vec<CandidateView>, AppError> {
        if view.scope != Scope::Full {
            return Err(AppError::Forbidden(
                "only the front door searches for the referred child".into(),
            ));
        }
        self.authorize_referral_search(caller, view.row.id)?;
        let Some(probe) = probe_for(&view.referral.details, child) else {
            return Ok(Vec::new());
        };
        let found = self.with_index(|ix| ix.search(&probe, limit))?;
        let since = (self.now_in_england() - Months::new(12))
            .format("%Y-%m-%d")
            .to_string();
        let mut out = Vec::with_capacity(found.len());
        for c in found {
            let Some(row) = self.store.person(c.person)? else {
                continue;
            };
            let may_see = !row.restricted || {
                let rels = self.relationships(caller, c.person)?;
                access::authorize(
                    access::Actor { role: caller.role },
                    Action::ViewChildRecord,
                    Resource::Child {
                        restricted: true,
                        relationships: &rels,
                    },
                )
                .allowed
            };
            let recent_referrals = self
                .store
                .referrals_of_person(c.person)?
                .into_iter()
                .filter(|r| r.referral != view.row.id && r.received_at.as_str() >= since.as_str())
                .map(|r| r.received_at)
                .collect();
            out.push(CandidateView {
                person: c.person,
                score: c.score,
                likely: c.is_likely(),
                reasons: if may_see {
                    c.reasons.iter().map(MatchReason::to_string).collect()
                } else {
                    Vec::new()
                },
                restricted: row.restricted,
                details: may_see.then_some(row),
                recent_referrals,
            });
        }
        let referral = together_store::Subject {
            kind: "referral".into(),
            id: view.row.id,
        };
        self.log_listed(
            caller,
            Action::SearchChildren,
            "listed as a possible match for a referred child",
            out.iter()
                .filter(|c| c.details.is_some())
                .map(|c| Shown::Process(referral.clone(), Some(c.person))),
        )?;
        Ok(out)
    }
}

/// The index entry for a stored child.
fn known(m: &MatchablePerson) -> Known {
    let p = &m.person;
    Known {
        id: p.id,
        given_name: p.given_name.clone(),
        family_name: p.family_name.clone(),
        date_of_birth: p
            .date_of_birth
            .as_deref()
            .or(p.expected_date_of_delivery.as_deref())
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        sex: together_domain::person::Sex::from_id(&p.sex),
        nhs_number: p.nhs_number.clone(),
        upn: p.upn.clone(),
        postcode: p.postcode.clone(),
        household: m.household.clone(),
    }
}

/// The search child `i` of a referral makes: its own details and the people it lives
/// with. An unborn child is looked for as the expected date of delivery under the
/// mother's family name (an older sibling's record is then among the candidates).
pub fn probe_for(d: &ReferralDetails, i: usize) -> Option<Probe> {
    let c = d.children.get(i)?;
    let household: Vec<String> = d
        .family
        .iter()
        .filter(|m| m.lives_with_child != Some(false))
        .filter_map(|m| match (&m.given_name, &m.family_name) {
            (Some(g), Some(f)) => Some(format!("{g} {f}")),
            _ => None,
        })
        .collect();
    let family_name = c
        .family_name
        .clone()
        .or_else(|| {
            c.mother
                .and_then(|m| d.family.get(m))
                .and_then(|m| m.family_name.clone())
        })
        .unwrap_or_default();
    let given_name = c.given_name.clone().unwrap_or_default();
    if given_name.is_empty() && family_name.is_empty() && c.nhs_number.is_none() && c.upn.is_none()
    {
        return None;
    }
    Some(Probe {
        given_name,
        family_name,
        date_of_birth: c.date_of_birth.or(c.expected_date_of_delivery),
        sex: Some(c.sex),
        nhs_number: c.nhs_number.as_ref().map(|n| n.as_str().to_string()),
        upn: c.upn.as_ref().map(|u| u.as_str().to_string()),
        postcode: c.postcode.clone(),
        household,
    })
}

/// The stage id stored in the projection.
fn stage_id(r: &Referral) -> String {
    serde_json::to_value(r.stage())
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A due date as shown and stored: "2026-12-29" or "2026-12-29T17:00:00".
pub fn due_text(d: &together_domain::timescale::Due) -> String {
    match d {
        together_domain::timescale::Due::Date(d) => d.to_string(),
        together_domain::timescale::Due::DateTime(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
    }
}
