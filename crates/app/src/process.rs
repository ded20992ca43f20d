//! The kernel's one path for every statutory process that has no table of its own
//! (issue 15): gate → load → decide → apply → seal → project → append, with refusals
//! logged. A process module implements `together_domain::process::Process`; this file
//! runs it, so a new process adds no service code here, no store method, no migration
//! and no tray code — its work reaches the trays through the one work table.

use crate::gate::Shown;
use crate::{App, AppError, Caller};
use together_domain::access::{self, Action, Relationship, Resource, Scope};
use together_domain::event::{format_timestamp, NewEntry, StoredEvent};
use together_domain::ids::{EventId, PersonId};
use together_domain::process::{Context, Owner, Process, Refusal, Subject};
use together_domain::referral::Actor;
use together_store::{ProcessProjection, ProcessQuery, ProcessRow, WorkRow};

/// A process's entries with their events, oldest first.
pub type History<P> = Vec<(StoredEvent, <P as Process>::Event)>;

/// A process as its pages and the API show it: its state, its log with the events,
/// and how much of it the caller may see.
pub struct ProcessView<P: Process> {
    pub id: uuid::Uuid,
    pub state: P::State,
    /// Its entries with their events, oldest first.
    pub history: History<P>,
    /// `Full` for the process's holders; `SharedOnly` for a contributor with a part in it.
    pub scope: Scope,
}

impl<P: Process> Clone for ProcessView<P> {
    fn clone(&self) -> Self {
        ProcessView {
            id: self.id,
            state: self.state.clone(),
            history: self.history.clone(),
            scope: self.scope,
        }
    }
}

/// A refusal by a process's own rules, as the web answers it.
pub(crate) fn refused(r: Refusal) -> AppError {
    match r {
        Refusal::Forbidden { .. } => AppError::Forbidden(r.to_string()),
        Refusal::NotFound(_) => AppError::NotFound,
        Refusal::Conflict(m) => AppError::Conflict(m),
        Refusal::Must { .. } => AppError::Conflict(r.to_string()),
        Refusal::Invalid(e) => AppError::Invalid(e),
    }
}

impl App {
    /// The context a process decides in: now in England, the caller, the profile and
    /// the working-day calendar.
    pub(crate) fn with_context<T>(&self, caller: &Caller, f: impl FnOnce(&Context) -> T) -> T {
        let calendar = self.calendar();
        let ctx = Context {
            now: self.now_in_england(),
            actor: Actor {
                user: caller.actor_id,
                role: caller.role,
            },
            profile: &self.profile,
            calendar: &calendar,
        };
        f(&ctx)
    }

    /// Start a process of kind `P` with id `id` (made by the caller, so a retried
    /// request cannot start two): the gate (may this role start one?), then the
    /// process's own rules.
    pub fn start_process<P: Process>(
        &self,
        caller: &Caller,
        id: uuid::Uuid,
        command: P::Command,
    ) -> Result<ProcessView<P>, AppError> {
        let subject = Subject {
            kind: P::KIND.into(),
            id,
        };
        let d = access::authorize(
            access::Actor { role: caller.role },
            Action::StartProcess,
            Resource::Process {
                standing: P::standing(caller.role),
                relationships: &[],
            },
        );
        self.log_process_decision(caller, Action::StartProcess, &subject, None, d)?;
        if !d.allowed {
            return Err(AppError::Forbidden(d.reason.to_string()));
        }
        if self.store.process(P::KIND, id)?.is_some() {
            return Err(AppError::Conflict(format!(
                "{} {id} has already been started",
                P::KIND
            )));
        }
        let state = P::State::default();
        self.run(caller, id, state, Vec::new(), command, Scope::Full)
    }

    /// Read a process: the decision for reading it, logged.
    pub fn process_view<P: Process>(
        &self,
        caller: &Caller,
        id: uuid::Uuid,
    ) -> Result<ProcessView<P>, AppError> {
        let (state, history) = self.load_process::<P>(caller, id)?;
        let scope = self.gate_process::<P>(caller, Action::ViewProcess, id, &state)?;
        Ok(ProcessView {
            id,
            state,
            history,
            scope,
        })
    }

    /// Act on a process: the gate (WorkOnProcess), then the process's own rules; a
    /// refusal by either is logged.
    pub fn act_on_process<P: Process>(
        &self,
        caller: &Caller,
        id: uuid::Uuid,
        command: P::Command,
    ) -> Result<ProcessView<P>, AppError> {
        let (state, history) = self.load_process::<P>(caller, id)?;
        let scope = self.gate_process::<P>(caller, Action::WorkOnProcess, id, &state)?;
        self.run(caller, id, state, history, command, scope)
    }

    /// The processes of kind `P` about `subject` that the caller may see (each decision
    /// logged), most recently changed first.
    pub fn processes_about<P: Process>(
        &self,
        caller: &Caller,
        subject: &Subject,
    ) -> Result<Vec<ProcessView<P>>, AppError> {
        let rows = self.store.processes(&ProcessQuery {
            kind: Some(P::KIND.into()),
            subject: Some(subject.clone()),
            limit: 200,
            offset: 0,
        })?;
        let mut out = Vec::new();
        for row in rows {
            match self.process_view::<P>(caller, row.id) {
                Ok(v) => out.push(v),
                Err(AppError::Forbidden(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The processes of kind `P` the caller's role holds, most recently changed first
    /// (their projections: reading them is not reading any one record).
    pub fn process_list<P: Process>(
        &self,
        caller: &Caller,
        limit: u32,
    ) -> Result<Vec<ProcessRow>, AppError> {
        let d = access::authorize(
            access::Actor { role: caller.role },
            Action::ViewProcess,
            Resource::Process {
                standing: P::standing(caller.role),
                relationships: &[],
            },
        );
        if d.scope != Some(Scope::Full) {
            // About no one process: logged as a refusal with no subject.
            self.log_decision(caller, Action::ViewProcess, None, false, d.reason, false)?;
            return Err(AppError::Forbidden(
                "only those who hold these records list them".into(),
            ));
        }
        let rows = self.store.processes(&ProcessQuery {
            kind: Some(P::KIND.into()),
            subject: None,
            limit,
            offset: 0,
        })?;
        self.log_listed(
            caller,
            Action::ViewProcess,
            "listed among records of its kind",
            rows.iter().map(|r| {
                let child = r
                    .subjects
                    .iter()
                    .find(|s| s.kind == "child")
                    .map(|s| PersonId(s.id));
                Shown::Process(
                    Subject {
                        kind: r.kind.clone(),
                        id: r.id,
                    },
                    child,
                )
            }),
        )?;
        Ok(rows)
    }

    /// A process's log, replayed. Not found (and the refusal logged) if there is none.
    fn load_process<P: Process>(
        &self,
        caller: &Caller,
        id: uuid::Uuid,
    ) -> Result<(P::State, History<P>), AppError> {
        if self.store.process(P::KIND, id)?.is_none() {
            let subject = Subject {
                kind: P::KIND.into(),
                id,
            };
            let d = access::Decision {
                allowed: false,
                scope: None,
                reason: "no such process",
                break_glass: false,
            };
            self.log_process_decision(caller, Action::ViewProcess, &subject, None, d)?;
            return Err(AppError::NotFound);
        }
        let log = self.store.log(PersonId(id))?;
        let mut history = Vec::with_capacity(log.len());
        for e in log {
            // An erased payload (UK GDPR Art. 17) leaves its place in the chain only.
            let Some(payload) = e.payload.as_deref() else {
                continue;
            };
            let ev: P::Event = serde_json::from_str(payload).map_err(|err| {
                AppError::Internal(format!("{} {id} entry {}: {err}", P::KIND, e.seq))
            })?;
            history.push((e, ev));
        }
        let state = P::replay(history.iter().map(|(_, e)| e));
        Ok((state, history))
    }

    /// The one access decision for a process the caller is about to read or work on,
    /// logged whatever it is.
    fn gate_process<P: Process>(
        &self,
        caller: &Caller,
        action: Action,
        id: uuid::Uuid,
        state: &P::State,
    ) -> Result<Scope, AppError> {
        let mut rels = if caller.is_api_client {
            Vec::new()
        } else {
            P::relationships(state, caller.actor_id)
        };
        // Work a process owes the caller is a part in it.
        let owes = !caller.is_api_client
            && P::work(id, state, &self.profile, &self.calendar())
                .iter()
                .any(|w| w.owner == Owner::Person(caller.actor_id));
        if owes && !rels.contains(&Relationship::Participant) {
            rels.push(Relationship::Participant);
        }
        let d = access::authorize(
            access::Actor { role: caller.role },
            action,
            Resource::Process {
                standing: P::standing(caller.role),
                relationships: &rels,
            },
        );
        let subject = Subject {
            kind: P::KIND.into(),
            id,
        };
        let child = P::subjects(state)
            .iter()
            .find(|s| s.kind == "child")
            .map(|s| PersonId(s.id));
        self.log_process_decision(caller, action, &subject, child, d)?;
        if !d.allowed {
            return Err(AppError::Forbidden(d.reason.to_string()));
        }
        Ok(d.scope.unwrap_or(Scope::SharedOnly))
    }

    /// decide → apply → seal → project → append.
    fn run<P: Process>(
        &self,
        caller: &Caller,
        id: uuid::Uuid,
        state: P::State,
        mut history: History<P>,
        command: P::Command,
        scope: Scope,
    ) -> Result<ProcessView<P>, AppError> {
        let decided = self.with_context(caller, |ctx| P::decide(&state, command, ctx));
        let events = match decided {
            Ok(events) => events,
            Err(r @ Refusal::Forbidden { .. }) => {
                let subject = Subject {
                    kind: P::KIND.into(),
                    id,
                };
                let d = access::Decision {
                    allowed: false,
                    scope: None,
                    reason: "refused by the process's own rules",
                    break_glass: false,
                };
                self.log_process_decision(caller, Action::WorkOnProcess, &subject, None, d)?;
                return Err(refused(r));
            }
            Err(r) => return Err(refused(r)),
        };
        let state = events.iter().fold(state, |s, e| P::apply(s, e));
        if !P::is_started(&state) {
            return Err(AppError::Internal(format!(
                "a command left {} {id} unstarted",
                P::KIND
            )));
        }
        let now = self.clock.now();
        let entries: Vec<NewEntry> = events
            .iter()
            .map(|e| {
                Ok(NewEntry {
                    id: EventId(uuid::Uuid::now_v7()),
                    log: id,
                    event_type: P::event_type(e).to_string(),
                    payload: serde_json::to_string(e)
                        .map_err(|err| AppError::Internal(format!("{}: {err}", P::KIND)))?,
                    corrects: None,
                    effective_at: now,
                    recorded_at: now,
                    actor: caller.actor_id,
                    actor_agency: caller.agency,
                    actor_role: caller.role,
                    profile_version: self.profile.version_tag(),
                })
            })
            .collect::<Result<_, AppError>>()?;
        let opened_at = match history.first() {
            Some((first, _)) => first.recorded_at.clone(),
            None => format_timestamp(now),
        };
        let projection =
            self.project_process::<P>(id, &state, &opened_at, &format_timestamp(now))?;
        let sealed = self.store.append_process(&entries, &projection)?;
        history.extend(sealed.into_iter().zip(events));
        Ok(ProcessView {
            id,
            state,
            history,
            scope,
        })
    }

    /// What a process's state makes of its projection: its row, subjects and work.
    fn project_process<P: Process>(
        &self,
        id: uuid::Uuid,
        state: &P::State,
        opened_at: &str,
        updated_at: &str,
    ) -> Result<ProcessProjection, AppError> {
        let summary = P::summary(state);
        let work = P::work(id, state, &self.profile, &self.calendar())
            .iter()
            .map(|w| WorkRow::of(P::KIND, id, w, &summary))
            .collect();
        Ok(ProcessProjection {
            row: ProcessRow {
                kind: P::KIND.into(),
                id,
                stage: P::stage(state),
                summary,
                state: serde_json::to_string(state)
                    .map_err(|err| AppError::Internal(format!("{}: {err}", P::KIND)))?,
                opened_at: opened_at.to_string(),
                updated_at: updated_at.to_string(),
                subjects: P::subjects(state),
            },
            work,
            involvements: Vec::new(),
        })
    }

    /// Rebuild one process's projection (row, subjects, work and due dates) from its
    /// log, e.g. after a bank holiday is proclaimed: nothing is appended.
    pub fn reproject_process<P: Process>(&self, id: uuid::Uuid) -> Result<(), AppError> {
        let log = self.store.log(PersonId(id))?;
        let (Some(first), Some(last)) = (log.first(), log.last()) else {
            return Err(AppError::NotFound);
        };
        let (opened_at, updated_at) = (first.recorded_at.clone(), last.recorded_at.clone());
        let mut events = Vec::with_capacity(log.len());
        for e in &log {
            if let Some(payload) = e.payload.as_deref() {
                let ev: P::Event = serde_json::from_str(payload).map_err(|err| {
                    AppError::Internal(format!("{} {id} entry {}: {err}", P::KIND, e.seq))
                })?;
                events.push(ev);
            }
        }
        let state = P::replay(events.iter());
        let projection = self.project_process::<P>(id, &state, &opened_at, &updated_at)?;
        self.store.append_process(&[], &projection)?;
        Ok(())
    }
}
