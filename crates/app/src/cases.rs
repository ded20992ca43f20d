//! Help for children and families (issue 4): opening a case from a referral decision,
//! every command on it through the one access decision and the case's own rules, the
//! case trays, and the plan actions partner agencies' systems read and complete.

use crate::gate::Shown;
use crate::{App, AppError, Caller};
use together_domain::access::{Action, Scope};
use together_domain::case::plan::Owner;
use together_domain::case::{self, Case, CaseEvent, Command, Practitioner, Refusal, Service};
use together_domain::census::PrimaryNeed;
use together_domain::event::{format_timestamp, NewEntry, StoredEvent};
use together_domain::ids::{CaseId, EventId, PersonId, UserId};
use together_domain::referral::{ReferralCommand, ReferralId};
use together_domain::role::Role;
use together_store::{
    CaseActionQuery, CaseActionRow, CaseProjection, CaseRow, PersonRow, TrayQuery, WorkRow,
};

/// A case's stored entries with their events, oldest first.
pub type History = Vec<(StoredEvent, CaseEvent)>;

/// A case as a page or the API shows it.
pub struct CaseView {
    pub row: CaseRow,
    pub case: Case,
    pub child: PersonRow,
    /// Each stored entry with its event, oldest first.
    pub history: Vec<(StoredEvent, CaseEvent)>,
    /// `Full` for children's social care; `SharedOnly` for a partner practitioner, who
    /// sees the Family Help record they lead and the plan actions (not the statutory
    /// assessment's text).
    pub scope: Scope,
}

use crate::process::refused;
use crate::work_tray::TrayItem;
use together_domain::case::process::CaseProcess;
use together_domain::process::Process;

impl App {
    /// The practitioner `user` as a case records them.
    pub fn practitioner(&self, user: UserId) -> Result<Practitioner, AppError> {
        let u = self.store.user(user)?.filter(|u| u.active).ok_or_else(|| {
            AppError::Invalid(together_domain::validate::ValidationErrors::single(
                "practitioner",
                "Choose a practitioner who uses Together",
            ))
        })?;
        let agency = self.store.agency(u.agency)?;
        Ok(Practitioner {
            user: u.id,
            name: u.display_name,
            role: Role::from_id(&u.role).unwrap_or(Role::PartnerPractitioner),
            agency: u.agency,
            agency_name: agency.map(|a| a.name).unwrap_or_default(),
        })
    }

    /// The owner of a plan action: a user of Together, or someone named.
    pub fn owner(&self, user: Option<UserId>, name: &str) -> Result<Option<Owner>, AppError> {
        Ok(match user {
            Some(u) => {
                let p = self.practitioner(u)?;
                Some(Owner::User {
                    user: p.user,
                    name: p.name,
                    agency: p.agency,
                    agency_name: p.agency_name,
                })
            }
            None if !name.trim().is_empty() => Some(Owner::Named {
                name: name.trim().to_string(),
            }),
            None => None,
        })
    }

    /// Practitioners who may be asked to lead or own actions: everyone active in a
    /// practitioner role, by name.
    pub fn practitioners(&self) -> Result<Vec<Practitioner>, AppError> {
        let agencies: std::collections::HashMap<_, _> = self
            .store
            .agencies()?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        let mut out: Vec<Practitioner> = self
            .store
            .users()?
            .into_iter()
            .filter(|u| u.active)
            .filter_map(|u| {
                let role = Role::from_id(&u.role)?;
                matches!(
                    role,
                    Role::SocialWorker | Role::PracticeSupervisor | Role::PartnerPractitioner
                )
                .then(|| Practitioner {
                    user: u.id,
                    name: u.display_name,
                    role,
                    agency: u.agency,
                    agency_name: agencies.get(&u.agency).cloned().unwrap_or_default(),
                })
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Open a case for child `child` of a decided referral (issue 4: "Once a referral
    /// is accepted, a practice supervisor allocates a lead practitioner"). The
    /// assessment clock runs from the referral's date (¶169).
    pub fn open_case_from_referral(
        &self,
        caller: &Caller,
        referral: ReferralId,
        child: usize,
        service: Service,
        reason: &str,
        primary_need: Option<PrimaryNeed>,
    ) -> Result<CaseId, AppError> {
        let view = self.referral(caller, referral)?;
        let person = view
            .referral
            .children
            .get(child)
            .and_then(|l| l.person)
            .ok_or_else(|| {
                AppError::Conflict("link the child to their record before opening a case".into())
            })?;
        if let Some(open) = self
            .store
            .cases_of_child(person)?
            .into_iter()
            .find(|c| c.stage == "open")
        {
            return Err(AppError::Conflict(format!(
                "the child already has an open case ({}): work on it there",
                open.id
            )));
        }
        if !view.referral.is_decided() {
            return Err(AppError::Conflict(
                "decide next steps before opening a case".into(),
            ));
        }
        if caller.role != Role::PracticeSupervisor {
            // The referral's own rule (¶170), checked before anything is written.
            let why = "only a practice supervisor opens a case from a referral";
            self.log_case_refusal(caller, person, why)?;
            return Err(AppError::Forbidden(why.into()));
        }
        let id = CaseId::new_random();
        let referral_date = view.referral.received_at.date();
        // The case first, then the referral's note of it: if the second write is lost,
        // the referral's next work stays in the tray (and the open case stops a second
        // one) rather than work vanishing with no case to carry it.
        self.open_case(
            caller,
            id,
            person,
            service,
            Some(referral),
            referral_date,
            reason,
            None,
            primary_need,
        )?;
        // A decision that there is reasonable cause to suspect significant harm: the
        // strategy discussion moves to the case, with the referral's clock (¶167).
        if let Some(d) = view.referral.current_decision() {
            if let Some(w) = d.next_work.iter().find(|w| {
                w.kind == together_domain::referral::WorkKind::StrategyDiscussion
                    && w.children.iter().any(|c| c.index == child)
            }) {
                use together_domain::case::protect::{CpCommand, StrategyTiming};
                let timing = w
                    .rule_id
                    .as_deref()
                    .and_then(StrategyTiming::from_id)
                    .unwrap_or(StrategyTiming::Routine);
                self.act_on_case(
                    caller,
                    id,
                    Command::Protection(Box::new(CpCommand::ConveneStrategy {
                        timing,
                        // As the decision counted it: the concerns were identified when
                        // the referral was received (SET 002 L2588-L2596; issue 16).
                        concerns_at: Some(view.referral.received_at),
                        by: Some(w.planned_for.unwrap_or(w.due.date())),
                        reason: format!("Referral decision: {}", d.reasons),
                        invitees: Vec::new(),
                    })),
                )?;
            }
        }
        self.act_on_referral(
            caller,
            referral,
            ReferralCommand::RecordCaseOpened { child, case: id },
            Default::default(),
        )?;
        Ok(id)
    }

    /// Open a case (also a re-opening, or a transfer in): a new log, so a closed case
    /// stays exactly as it was.
    #[allow(clippy::too_many_arguments)]
    pub fn open_case(
        &self,
        caller: &Caller,
        id: CaseId,
        child: PersonId,
        service: Service,
        referral: Option<ReferralId>,
        referral_date: chrono::NaiveDate,
        reason: &str,
        reopens: Option<CaseId>,
        primary_need: Option<PrimaryNeed>,
    ) -> Result<CaseView, AppError> {
        self.authorize_child(caller, Action::WorkOnCase, child, &[])?;
        let existing = self.store.cases_of_child(child)?;
        if existing.iter().any(|c| c.stage == "open") {
            return Err(AppError::Conflict(
                "the child already has an open case: work on it there".into(),
            ));
        }
        if let Some(old) = reopens {
            if !existing.iter().any(|c| c.id == old.0) {
                return Err(AppError::Conflict(
                    "the case being re-opened is not this child's".into(),
                ));
            }
        }
        let cmd = Command::Open {
            case: id,
            child,
            service,
            referral,
            referral_date,
            local_authority: self.local_authority(caller)?,
            reason: reason.to_string(),
            reopens,
            transferred_from: None,
            primary_need,
        };
        self.apply_command(caller, id, child, None, Vec::new(), cmd)
    }

    /// The local authority a case belongs to: the caller's agency's name.
    fn local_authority(&self, caller: &Caller) -> Result<String, AppError> {
        Ok(self
            .store
            .agency(caller.agency)?
            .map(|a| a.name)
            .unwrap_or_else(|| self.profile.name.clone()))
    }

    pub(crate) fn load_case(&self, id: CaseId) -> Result<(CaseRow, History, Case), AppError> {
        let row = self.store.case(id.0)?.ok_or(AppError::NotFound)?;
        let log = self.store.log(PersonId(id.0))?;
        let mut history = Vec::with_capacity(log.len());
        for e in log {
            let Some(payload) = e.payload.as_deref() else {
                continue;
            };
            let ev = CaseEvent::from_stored(&e.event_type, payload)
                .map_err(|err| AppError::Internal(format!("case {id} entry {}: {err}", e.seq)))?;
            history.push((e, ev));
        }
        let case = case::replay(history.iter().map(|(_, e)| e))
            .ok_or_else(|| AppError::Internal(format!("case {id} has no opening")))?;
        Ok((row, history, case))
    }

    /// Read a case: the decision for reading the child's record, logged.
    pub fn case_view(&self, caller: &Caller, id: CaseId) -> Result<CaseView, AppError> {
        let Some(row) = self.store.case(id.0)? else {
            return Err(AppError::NotFound);
        };
        let permit = self.authorize_child(caller, Action::ViewChildRecord, row.child, &[])?;
        let (row, history, case) = self.load_case(id)?;
        let child = self.store.person(row.child)?.ok_or(AppError::NotFound)?;
        Ok(CaseView {
            row,
            case,
            child,
            history,
            scope: permit.scope,
        })
    }

    /// Do something to a case. The gate first (WorkOnCase on the child), then the
    /// case's own rules; a refusal by either is logged.
    pub fn act_on_case(
        &self,
        caller: &Caller,
        id: CaseId,
        cmd: Command,
    ) -> Result<CaseView, AppError> {
        let Some(row) = self.store.case(id.0)? else {
            return Err(AppError::NotFound);
        };
        self.authorize_child(caller, Action::WorkOnCase, row.child, &[])?;
        let (row, history, case) = self.load_case(id)?;
        let child = row.child;
        let cmd = self.with_facts(caller, cmd, &case)?;
        // A handover to another local authority in this deployment opens its case in the
        // same transaction's wake, with the history one click away (issue 4).
        let cmd = match cmd {
            Command::CompleteTransfer {
                on,
                accepted_by,
                new_case: None,
            } => {
                let within = case.transfer.as_ref().and_then(|t| t.to_agency);
                Command::CompleteTransfer {
                    on,
                    accepted_by,
                    new_case: within.map(|_| CaseId::new_random()),
                }
            }
            c => c,
        };
        let new_case = match &cmd {
            Command::CompleteTransfer { new_case, .. } => *new_case,
            _ => None,
        };
        let view = self.apply_command(caller, id, child, Some(case), history, cmd)?;
        if let (Some(new_id), Some(t)) = (new_case, view.case.transfer.clone()) {
            let agency_name = match t.to_agency {
                Some(a) => self
                    .store
                    .agency(a)?
                    .map(|a| a.name)
                    .unwrap_or(t.to_authority.clone()),
                None => t.to_authority.clone(),
            };
            let open = Command::Open {
                case: new_id,
                child,
                service: view.case.service,
                referral: None,
                referral_date: t.completed_on.unwrap_or_else(|| self.today()),
                local_authority: agency_name,
                reason: format!(
                    "Transferred in from {} (case {})",
                    view.case.local_authority, id
                ),
                reopens: None,
                transferred_from: Some(id),
                primary_need: view.case.primary_need,
            };
            self.apply_command(caller, new_id, child, None, Vec::new(), open)?;
        }
        Ok(view)
    }

    fn apply_command(
        &self,
        caller: &Caller,
        id: CaseId,
        child: PersonId,
        case: Option<Case>,
        mut history: Vec<(StoredEvent, CaseEvent)>,
        cmd: Command,
    ) -> Result<CaseView, AppError> {
        // The case's rules, through the kernel's trait as every process (issue 15).
        let events = match self.with_context(caller, |ctx| CaseProcess::decide(&case, cmd, ctx)) {
            Ok(e) => e,
            Err(r @ Refusal::Forbidden { .. }) => {
                self.log_case_refusal(caller, child, &r.to_string())?;
                return Err(refused(r));
            }
            Err(r) => return Err(refused(r)),
        };
        let state = events.iter().fold(case, CaseProcess::apply);
        let state =
            state.ok_or_else(|| AppError::Internal("a case command left no case".into()))?;
        if let Err(broken) = state.check_invariants() {
            return Err(AppError::Internal(format!("case {id}: {broken}")));
        }
        let now = self.clock.now();
        let entries: Vec<NewEntry> = events
            .iter()
            .map(|e| NewEntry {
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
            })
            .collect();
        let projection = self.project_case(&state, &self.calendar());
        let sealed = self.store.append_case(&entries, &projection)?;
        history.extend(sealed.into_iter().zip(events));
        let child_row = self.store.person(child)?.ok_or(AppError::NotFound)?;
        Ok(CaseView {
            row: projection.row,
            case: state,
            child: child_row,
            history,
            scope: Scope::Full,
        })
    }

    pub(crate) fn project_case(
        &self,
        c: &Case,
        calendar: &together_domain::calendar::Calendar,
    ) -> CaseProjection {
        let row = CaseRow {
            id: c.id.0,
            child: c.child,
            service: c.service.id().to_string(),
            stage: if c.is_open() { "open" } else { "closed" }.to_string(),
            local_authority: c.local_authority.clone(),
            opened_at: c.opened_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            referral: c.referral.map(|r| r.0),
            referral_date: c.referral_date.to_string(),
            lead_user: c.lead_user(),
            closed_on: c.closure.as_ref().map(|x| x.on.to_string()),
            closure_reason: c.closure.as_ref().map(|x| x.reason.code().to_string()),
            updated_at: format_timestamp(self.clock.now()),
        };
        // `CaseProcess::work`, without cloning the case into an `Option`.
        let work = case::work_items(c, &self.profile, calendar)
            .iter()
            .map(|w| WorkRow::of("case", c.id.0, w, ""))
            .collect();
        let mut actions: Vec<CaseActionRow> = c
            .plans
            .iter()
            .flat_map(|p| {
                p.actions.iter().map(move |a| CaseActionRow {
                    case: c.id.0,
                    number: a.number as i64,
                    child: c.child,
                    plan: p.number as i64,
                    plan_kind: p.kind.id().to_string(),
                    what: a.what.clone(),
                    owner_user: a.owner.user(),
                    owner_agency: a.owner.agency(),
                    owner_name: a.owner.name().to_string(),
                    due_by: a.by.to_string(),
                    // An action still open when its plan ends is no longer anyone's to do.
                    done_on: a.done_on.or(p.ended_on).map(|d| d.to_string()),
                })
            })
            .collect();
        // The child protection plan's core group actions, as plan 0.
        if let Some(plan) = c.protection.plans.iter().find(|p| p.is_open()) {
            actions.extend(plan.actions.iter().map(|a| CaseActionRow {
                case: c.id.0,
                number: a.number as i64,
                child: c.child,
                plan: 0,
                plan_kind: "child-protection".into(),
                what: a.what.clone(),
                owner_user: a.owner.user(),
                owner_agency: a.owner.agency(),
                owner_name: a.owner.name().to_string(),
                due_by: a.by.to_string(),
                done_on: a.done_on.map(|d| d.to_string()),
            }));
        }
        // Everyone who is a user and was invited to one of the case's meetings may read
        // that meeting's record (issue 5).
        let since = format_timestamp(self.clock.now());
        let p = &c.protection;
        let mut invited: Vec<UserId> = p
            .discussions
            .iter()
            .flat_map(|d| {
                d.invitees
                    .iter()
                    .chain(d.record.iter().flat_map(|r| r.attendees.iter()))
            })
            .chain(p.conferences.iter().flat_map(|c| {
                c.invitees
                    .iter()
                    .chain(c.record.iter().flat_map(|r| r.attendees.iter()))
            }))
            .chain(p.plans.iter().flat_map(|pl| pl.decision.core_group.iter()))
            .filter_map(|x| x.user)
            .collect();
        invited.sort();
        invited.dedup();
        let involvements = invited
            .into_iter()
            .map(|user| together_store::Involvement {
                child: c.child,
                user,
                kind: "invited".into(),
                since: since.clone(),
            })
            .collect();
        CaseProjection {
            row,
            work,
            actions,
            involvements,
        }
    }

    /// The child's cases, newest first (after the caller was allowed to read the record).
    pub fn cases_of_child(&self, child: PersonId) -> Result<Vec<CaseRow>, AppError> {
        Ok(self.store.cases_of_child(child)?)
    }

    /// The caller's case work: their own, and for a practice supervisor the
    /// supervisors' (unallocated children oldest first, authorisations, step ups).
    pub fn case_tray(&self, caller: &Caller) -> Result<Vec<TrayItem>, AppError> {
        self.tray_of_kind(caller, "case")
    }

    /// Plan actions owned by the caller (a user), or by the caller's agency (an agency
    /// system reading for its practitioners).
    pub fn actions_for(
        &self,
        caller: &Caller,
        open_only: bool,
    ) -> Result<Vec<CaseActionRow>, AppError> {
        self.authorize(caller, Action::ViewHome)?;
        let q = if caller.is_api_client {
            CaseActionQuery {
                owner_agency: Some(caller.agency),
                open_only,
                limit: 1000,
                ..Default::default()
            }
        } else {
            CaseActionQuery {
                owner_user: Some(caller.actor_id),
                open_only,
                limit: 1000,
                ..Default::default()
            }
        };
        let rows = self.store.case_actions(&q)?;
        self.log_listed(
            caller,
            Action::ViewHome,
            "listed among plan actions",
            rows.iter().map(|a| Shown::Child(a.child)),
        )?;
        Ok(rows)
    }

    /// Record a plan action done, as its owner (or their agency's system).
    pub fn complete_action(
        &self,
        caller: &Caller,
        case: CaseId,
        action: u32,
        on: chrono::NaiveDate,
        note: &str,
    ) -> Result<CaseView, AppError> {
        let row = self.store.case(case.0)?.ok_or(AppError::NotFound)?;
        let a = self
            .store
            .case_actions(&CaseActionQuery {
                child: Some(row.child),
                limit: 2000,
                ..Default::default()
            })?
            .into_iter()
            .find(|a| a.case == case.0 && a.number == action as i64)
            .ok_or(AppError::NotFound)?;
        if caller.is_api_client {
            // An agency system acts for its own practitioners' actions only.
            if a.owner_agency != Some(caller.agency) {
                self.log_case_refusal(
                    caller,
                    row.child,
                    "an agency system records only its own practitioners' actions",
                )?;
                return Err(AppError::Forbidden(
                    "an agency system records only its own practitioners' actions".into(),
                ));
            }
            let owner = a.owner_user.ok_or(AppError::NotFound)?;
            let acting = Caller {
                actor_id: owner,
                is_api_client: false,
                role: Role::PartnerPractitioner,
                ..caller.clone()
            };
            return self.act_on_case(
                &acting,
                case,
                Command::CompleteAction {
                    plan: a.plan as u32,
                    action,
                    on,
                    note: note.to_string(),
                },
            );
        }
        self.act_on_case(
            caller,
            case,
            Command::CompleteAction {
                plan: a.plan as u32,
                action,
                on,
                note: note.to_string(),
            },
        )
    }

    /// Fill in what a child protection command needs from outside the case: whether a
    /// proposed chair line-manages the lead practitioner (from the teams Together
    /// knows), whether the child is unborn (a pre-birth conference).
    fn with_facts(&self, caller: &Caller, cmd: Command, case: &Case) -> Result<Command, AppError> {
        use together_domain::case::protect::CpCommand;
        let Command::Protection(c) = cmd else {
            return Ok(cmd);
        };
        Ok(Command::Protection(Box::new(match *c {
            CpCommand::ScheduleConference {
                conference,
                date,
                chair,
                invitees,
                time,
                place,
                late_reason,
                late_authorised_by,
                late_consulted,
                ..
            } => {
                let manages = match (&chair, case.lead_user()) {
                    (Some(ch), Some(lead)) if ch.role == Role::PracticeSupervisor => {
                        let team =
                            |u: UserId| self.store.user(u).ok().flatten().and_then(|u| u.team);
                        team(ch.user).is_some() && team(ch.user) == team(lead)
                    }
                    _ => false,
                };
                CpCommand::ScheduleConference {
                    conference,
                    date,
                    chair,
                    chair_line_manages_lead: manages,
                    invitees,
                    time,
                    place,
                    late_reason,
                    late_authorised_by,
                    late_consulted,
                }
            }
            CpCommand::CountersignS47 { enquiry, .. } => {
                let expected_delivery = self
                    .store
                    .person(case.child)?
                    .filter(|p| p.kind == "unborn-child")
                    .and_then(|p| p.expected_date_of_delivery)
                    .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
                CpCommand::CountersignS47 {
                    enquiry,
                    expected_delivery,
                }
            }
            CpCommand::HoldConference {
                conference,
                held_on,
                attendees,
                views,
                outcome,
                late_reason,
                ongoing_support,
                ..
            } => {
                use chrono::Datelike;
                let eighteenth_birthday = self
                    .store
                    .person(case.child)?
                    .and_then(|p| p.date_of_birth)
                    .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
                    .and_then(|b| {
                        b.with_year(b.year() + 18)
                            .or_else(|| chrono::NaiveDate::from_ymd_opt(b.year() + 18, 3, 1))
                    });
                CpCommand::HoldConference {
                    conference,
                    held_on,
                    attendees,
                    views,
                    outcome,
                    late_reason,
                    ongoing_support,
                    eighteenth_birthday,
                }
            }
            // A partner's report and request are in their own name and agency's, not
            // what they typed (so nobody files a report as another agency).
            CpCommand::SubmitAgencyReport {
                conference,
                mut report,
            } if caller.role == Role::PartnerPractitioner => {
                let me = self.practitioner(caller.actor_id)?;
                report.agency = me.agency_name;
                report.by = me.name;
                CpCommand::SubmitAgencyReport { conference, report }
            }
            CpCommand::RequestConference { reason, .. }
                if caller.role == Role::PartnerPractitioner =>
            {
                let me = self.practitioner(caller.actor_id)?;
                CpCommand::RequestConference {
                    by: me.describe(),
                    reason,
                }
            }
            other => other,
        })))
    }

    /// The record of one meeting (a strategy discussion or a conference), for those
    /// invited to it: children's social care and chairs as for the record; a partner
    /// practitioner only if they were invited to this meeting (issue 5).
    pub fn meeting_view(
        &self,
        caller: &Caller,
        id: CaseId,
        conference: bool,
        number: u32,
    ) -> Result<CaseView, AppError> {
        let row = self.store.case(id.0)?.ok_or(AppError::NotFound)?;
        let permit = self.authorize_child(caller, Action::ViewMeetingRecord, row.child, &[])?;
        let (row, history, case) = self.load_case(id)?;
        let p = &case.protection;
        let people: Vec<&together_domain::case::protection::Participant> = if conference {
            let c = p.conference(number).ok_or(AppError::NotFound)?;
            c.invitees
                .iter()
                .chain(c.record.iter().flat_map(|r| r.attendees.iter()))
                .collect()
        } else {
            let d = p.discussion(number).ok_or(AppError::NotFound)?;
            d.invitees
                .iter()
                .chain(d.record.iter().flat_map(|r| r.attendees.iter()))
                .collect()
        };
        if permit.scope != Scope::Full && !people.iter().any(|x| x.user == Some(caller.actor_id)) {
            let why = "only those invited to a meeting see its record";
            self.log_case_refusal(caller, row.child, why)?;
            return Err(AppError::Forbidden(why.into()));
        }
        let child = self.store.person(row.child)?.ok_or(AppError::NotFound)?;
        Ok(CaseView {
            row,
            case,
            child,
            history,
            scope: permit.scope,
        })
    }

    /// An agency system acts for one of its own practitioners: the caller as that user,
    /// with the same request id, so the access log names who the record was read or
    /// written for.
    fn as_practitioner(&self, caller: &Caller, user: UserId) -> Result<Caller, AppError> {
        let u = self
            .store
            .user(user)?
            .filter(|u| u.active)
            .ok_or(AppError::NotFound)?;
        if !caller.is_api_client {
            return Ok(caller.clone());
        }
        if u.agency != caller.agency || u.role != Role::PartnerPractitioner.id() {
            let why = "an agency system acts only for its own partner practitioners";
            self.log_system_refusal(caller, why)?;
            return Err(AppError::Forbidden(why.into()));
        }
        let mut c = self.caller_for(&u, &caller.request_id)?;
        c.request_id = caller.request_id.clone();
        Ok(c)
    }

    /// A meeting's record read by an agency system for its invited practitioner.
    pub fn meeting_view_for(
        &self,
        caller: &Caller,
        user: UserId,
        id: CaseId,
        conference: bool,
        number: u32,
    ) -> Result<CaseView, AppError> {
        let acting = self.as_practitioner(caller, user)?;
        self.meeting_view(&acting, id, conference, number)
    }

    /// A report for a conference, sent by an agency system for its invited practitioner.
    #[allow(clippy::too_many_arguments)]
    pub fn submit_report_for(
        &self,
        caller: &Caller,
        id: CaseId,
        conference: u32,
        author: UserId,
        summary: &str,
        share_with_parents: bool,
        reason_not_shared: &str,
    ) -> Result<(), AppError> {
        use together_domain::case::protect::CpCommand;
        use together_domain::case::protection::AgencyReport;
        let acting = self.as_practitioner(caller, author)?;
        let p = self.practitioner(author)?;
        self.act_on_case(
            &acting,
            id,
            Command::Protection(Box::new(CpCommand::SubmitAgencyReport {
                conference,
                report: AgencyReport {
                    agency: p.agency_name,
                    by: p.name,
                    summary: summary.to_string(),
                    submitted_on: self.today(),
                    share_with_parents,
                    reason_not_shared: reason_not_shared.to_string(),
                },
            })),
        )?;
        Ok(())
    }

    /// Invitations to meetings for the caller's agency's practitioners (an agency
    /// system), or for the caller: strategy discussions and conferences to come.
    pub fn invitations_for(&self, caller: &Caller) -> Result<Vec<WorkRow>, AppError> {
        self.authorize(caller, Action::ViewHome)?;
        let users: Vec<UserId> = if caller.is_api_client {
            self.store
                .users()?
                .into_iter()
                .filter(|u| u.agency == caller.agency)
                .map(|u| u.id)
                .collect()
        } else {
            vec![caller.actor_id]
        };
        let mut out = Vec::new();
        for u in users {
            out.extend(
                self.store
                    .work(&TrayQuery {
                        owners: vec![together_store::Owner::Person(u)],
                        kind: Some("case".into()),
                        limit: 500,
                        ..TrayQuery::default()
                    })?
                    .into_iter()
                    .filter(|w| w.key.starts_with("invite-")),
            );
        }
        self.log_listed(
            caller,
            Action::ViewHome,
            "listed among invitations",
            out.iter().map(Shown::work),
        )?;
        Ok(out)
    }

    /// Relationships a caller has to a child through its cases: lead practitioner of an
    /// open case (`Allocated`), owner of an open plan action (`Participant`).
    pub(crate) fn case_relationships(
        &self,
        caller: &Caller,
        child: PersonId,
    ) -> Result<Vec<together_domain::access::Relationship>, AppError> {
        use together_domain::access::Relationship;
        let mut out = Vec::new();
        if self
            .store
            .cases_of_child(child)?
            .iter()
            .any(|c| c.stage == "open" && c.lead_user == Some(caller.actor_id))
        {
            out.push(Relationship::Allocated);
        }
        // Work in the caller's tray about this child: an action they own, or a request
        // to be lead practitioner they have still to answer (a part in the work); an
        // invitation to a meeting gives only that meeting's record (issue 5).
        for w in self
            .store
            .work(&TrayQuery {
                owners: vec![together_store::Owner::Person(caller.actor_id)],
                child: Some(child),
                limit: 2000,
                ..TrayQuery::default()
            })?
            .iter()
        {
            let r = if w.key.starts_with("invite-") {
                Relationship::Invited
            } else {
                Relationship::Participant
            };
            if !out.contains(&r) {
                out.push(r);
            }
        }
        Ok(out)
    }
}
