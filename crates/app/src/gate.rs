//! The single path to the access decision. Every page and API handler calls
//! [`App::authorize`]; it works out how the caller stands to the child, asks the
//! pure `together_domain::access::authorize`, and logs every decision about a
//! child's record, and every refusal, to the append-only access log.

use crate::{App, AppError};
use together_domain::access::{self, Action, Actor, Relationship, Resource, Scope};
use together_domain::event::format_timestamp;
use together_domain::ids::{AgencyId, PersonId, UserId};
use together_domain::role::Role;
use together_store::{AccessEntry, Subject};

/// Who is asking: a signed-in user, or a partner agency's system (API client).
#[derive(Clone, Debug)]
pub struct Caller {
    /// The acting user; for an API client, the client's id (events name it as actor).
    pub actor_id: UserId,
    pub is_api_client: bool,
    pub display_name: String,
    pub role: Role,
    pub agency: AgencyId,
    /// Correlates the access log with the request log.
    pub request_id: String,
    /// Set when the caller declared break-glass access, with their reason.
    pub break_glass_reason: Option<String>,
    /// Where access-log entries wait to be written together (see
    /// [`App::with_one_access_commit`]); `None`: each is written as it is made.
    pub journal: Option<AccessJournal>,
}

/// Access-log entries a request has made, written in one transaction at its end.
pub type AccessJournal = std::sync::Arc<std::sync::Mutex<Vec<AccessEntry>>>;

/// What a list named: a child, or a process (with the child it is about, if one).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Shown {
    Child(PersonId),
    Process(Subject, Option<PersonId>),
}

impl Shown {
    /// A piece of work in a tray: its child if it is about one, else its process
    /// (a referral's summary names the children referred).
    pub(crate) fn work(w: &together_store::WorkRow) -> Shown {
        match w.child {
            Some(c) => Shown::Child(c),
            None => Shown::Process(
                Subject {
                    kind: w.process_kind.clone(),
                    id: w.process_id,
                },
                None,
            ),
        }
    }
}

/// What the decision allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permit {
    pub scope: Scope,
    pub break_glass: bool,
}

/// How a user stands to a child, from the stored involvements.
pub(crate) fn relationship(kind: &str) -> Option<Relationship> {
    match kind {
        "referrer" => Some(Relationship::Referrer),
        "participant" => Some(Relationship::Participant),
        "allocated" => Some(Relationship::Allocated),
        "granted" => Some(Relationship::Granted),
        "invited" => Some(Relationship::Invited),
        _ => None,
    }
}

impl App {
    /// Decide an action that is not about one child's record.
    pub fn authorize(&self, caller: &Caller, action: Action) -> Result<Permit, AppError> {
        debug_assert!(
            !action.is_about_a_child(),
            "use authorize_child for {action:?}"
        );
        let d = access::authorize(Actor { role: caller.role }, action, Resource::System);
        // Refusals are logged; so is searching children, which reads names and dates of birth.
        if !d.allowed || matches!(action, Action::SearchChildren | Action::OpenChildRecord) {
            self.log_decision(caller, action, None, d.allowed, d.reason, false)?;
        }
        if !d.allowed {
            return Err(AppError::Forbidden(d.reason.to_string()));
        }
        Ok(Permit {
            scope: d.scope.unwrap_or(Scope::Full),
            break_glass: false,
        })
    }

    /// How the caller stands to the child, from the stored involvements (an agency
    /// system has none of its own).
    pub(crate) fn relationships(
        &self,
        caller: &Caller,
        child: PersonId,
    ) -> Result<Vec<Relationship>, AppError> {
        if caller.is_api_client {
            return Ok(Vec::new());
        }
        let mut rels: Vec<Relationship> = self
            .store
            .involvements(child, caller.actor_id)?
            .iter()
            .filter_map(|i| relationship(&i.kind))
            .collect();
        rels.extend(self.case_relationships(caller, child)?);
        if !rels.contains(&Relationship::Referrer) && self.referred(caller, child)? {
            rels.push(Relationship::Referrer);
        }
        Ok(rels)
    }

    /// Whether the caller made a referral linked to this child whose work goes on: they
    /// referred the child, and see what is shared of the work that followed while it is
    /// undecided or a case is open (WT2026 ¶165; 003 L1785: they may ask for a
    /// conference). Once the work has ended their part in it has too.
    fn referred(&self, caller: &Caller, child: PersonId) -> Result<bool, AppError> {
        let mut open_case = None;
        for link in self.store.referrals_of_person(child)? {
            let Some(r) = self.store.referral(link.referral)? else {
                continue;
            };
            if r.submitted_by_user != Some(caller.actor_id) {
                continue;
            }
            if r.decided_at.is_none() {
                return Ok(true);
            }
            let open = match open_case {
                Some(o) => o,
                None => {
                    let o = self
                        .store
                        .cases_of_child(child)?
                        .iter()
                        .any(|c| c.stage == "open");
                    open_case = Some(o);
                    o
                }
            };
            if open {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Decide an action on a child's record. `extra` carries relationships only the
    /// caller's service knows (e.g. `Author` of the entry being corrected). The
    /// decision is logged whatever it is.
    pub fn authorize_child(
        &self,
        caller: &Caller,
        action: Action,
        child: PersonId,
        extra: &[Relationship],
    ) -> Result<Permit, AppError> {
        let person = self.store.person(child)?;
        let Some(person) = person.filter(|p| p.kind == "child" || p.kind == "unborn-child") else {
            self.log_decision(
                caller,
                action,
                Some(child),
                false,
                "no such child's record",
                false,
            )?;
            return Err(AppError::NotFound);
        };
        let mut rels = self.relationships(caller, child)?;
        rels.extend_from_slice(extra);
        if caller.break_glass_reason.is_some() {
            rels.push(Relationship::BreakGlass);
        }
        let d = access::authorize(
            Actor { role: caller.role },
            action,
            Resource::Child {
                restricted: person.restricted,
                relationships: &rels,
            },
        );
        let reason = match (&caller.break_glass_reason, d.break_glass) {
            (Some(why), true) => format!("{} — stated reason: {why}", d.reason),
            _ => d.reason.to_string(),
        };
        self.log_decision(
            caller,
            action,
            Some(child),
            d.allowed,
            &reason,
            d.break_glass,
        )?;
        if !d.allowed {
            return Err(AppError::Forbidden(d.reason.to_string()));
        }
        Ok(Permit {
            scope: d.scope.unwrap_or(Scope::SharedOnly),
            break_glass: d.break_glass,
        })
    }

    /// Decide an action on a referral. `made_by_actor` when the caller (user, or agency
    /// system) sent it. Logged whatever it is, against the referral.
    pub fn authorize_referral(
        &self,
        caller: &Caller,
        action: Action,
        referral: uuid::Uuid,
        made_by_actor: bool,
    ) -> Result<Permit, AppError> {
        let d = access::authorize(
            Actor { role: caller.role },
            action,
            Resource::Referral { made_by_actor },
        );
        self.log_entry(
            caller,
            action,
            None,
            Some(referral),
            d.allowed,
            d.reason,
            false,
        )?;
        if !d.allowed {
            return Err(AppError::Forbidden(d.reason.to_string()));
        }
        Ok(Permit {
            scope: d.scope.unwrap_or(Scope::SharedOnly),
            break_glass: false,
        })
    }

    /// Log a refusal the referral's own rules made after the gate let the caller in
    /// (e.g. a front door worker deciding: only a practice supervisor may).
    pub(crate) fn log_referral_refusal(
        &self,
        caller: &Caller,
        referral: uuid::Uuid,
        reason: &str,
    ) -> Result<(), AppError> {
        self.log_entry(
            caller,
            Action::WorkOnReferral,
            None,
            Some(referral),
            false,
            reason,
            false,
        )
    }

    /// Log a refusal a case's own rules made after the gate let the caller in (e.g. a
    /// school lead practitioner closing the case: only a practice supervisor may).
    pub fn log_case_refusal(
        &self,
        caller: &Caller,
        child: PersonId,
        reason: &str,
    ) -> Result<(), AppError> {
        self.log_decision(
            caller,
            Action::WorkOnCase,
            Some(child),
            false,
            reason,
            false,
        )
    }

    /// Log a refusal of an agency system acting outside what it may (not about one child).
    pub(crate) fn log_system_refusal(&self, caller: &Caller, reason: &str) -> Result<(), AppError> {
        self.log_decision(caller, Action::WorkOnCase, None, false, reason, false)
    }

    /// Decide a search for the referred child ("is this child known?"): the decision for
    /// searching children, logged once, against the referral.
    pub(crate) fn authorize_referral_search(
        &self,
        caller: &Caller,
        referral: uuid::Uuid,
    ) -> Result<(), AppError> {
        let d = access::authorize(
            Actor { role: caller.role },
            Action::SearchChildren,
            Resource::System,
        );
        self.log_entry(
            caller,
            Action::SearchChildren,
            None,
            Some(referral),
            d.allowed,
            d.reason,
            false,
        )?;
        if !d.allowed {
            return Err(AppError::Forbidden(d.reason.to_string()));
        }
        Ok(())
    }

    /// Log the write that opens a new child's record, decided as for any new,
    /// unrestricted record with no relationships yet.
    pub(crate) fn log_new_record(&self, caller: &Caller, child: PersonId) -> Result<(), AppError> {
        let d = access::authorize(
            Actor { role: caller.role },
            Action::AppendToChildRecord,
            Resource::Child {
                restricted: false,
                relationships: &[],
            },
        );
        self.log_decision(
            caller,
            Action::AppendToChildRecord,
            Some(child),
            d.allowed,
            d.reason,
            false,
        )?;
        if !d.allowed {
            return Err(AppError::Forbidden(d.reason.to_string()));
        }
        Ok(())
    }

    pub(crate) fn log_decision(
        &self,
        caller: &Caller,
        action: Action,
        child: Option<PersonId>,
        allowed: bool,
        reason: &str,
        break_glass: bool,
    ) -> Result<(), AppError> {
        self.log_entry(caller, action, child, None, allowed, reason, break_glass)
    }

    /// Log what a list showed (issue 18, item 4): one entry for each child it names,
    /// or each process whose summary names them (a referral's children), so that the
    /// data protection officer's search for a child finds every page that showed who
    /// they are, as it finds the record pages. Written in one transaction; nothing is
    /// written for an empty list.
    pub(crate) fn log_listed(
        &self,
        caller: &Caller,
        action: Action,
        what: &str,
        shown: impl IntoIterator<Item = Shown>,
    ) -> Result<(), AppError> {
        let mut seen = std::collections::HashSet::new();
        let at = format_timestamp(self.clock.now());
        let entries: Vec<AccessEntry> = shown
            .into_iter()
            .filter(|s| seen.insert(s.clone()))
            .map(|s| {
                let (child, subject) = match s {
                    Shown::Child(c) => (Some(c), Subject::child(c)),
                    Shown::Process(subject, child) => (child, subject),
                };
                let referral = (subject.kind == "referral").then_some(subject.id);
                access_entry(
                    caller,
                    action,
                    &at,
                    child,
                    referral,
                    Some(subject),
                    true,
                    what,
                    false,
                )
            })
            .collect();
        if entries.is_empty() {
            return Ok(());
        }
        self.record_access(caller, entries.clone())?;
        tracing::info!(
            target: "together::access",
            request_id = %caller.request_id,
            actor = %caller.actor_id,
            role = caller.role.id(),
            action = action.id(),
            listed = entries.len(),
            "list shown"
        );
        Ok(())
    }

    /// Write access-log entries: now, or into the caller's journal to be written with
    /// the rest of the request's.
    fn record_access(&self, caller: &Caller, entries: Vec<AccessEntry>) -> Result<(), AppError> {
        match &caller.journal {
            Some(j) => {
                j.lock()
                    .map_err(|_| AppError::Internal("the access journal is poisoned".into()))?
                    .extend(entries);
                Ok(())
            }
            None => Ok(self.store.log_accesses(&entries)?),
        }
    }

    /// Run `f` for `caller` with every access-log entry it makes written in one
    /// transaction when it ends, whatever it answers: a page that names fifty children
    /// costs one commit, not three (BENCHMARKS.md, "Listing pages logged"). If they
    /// cannot be written, the answer is that error: nothing is shown unlogged.
    pub fn with_one_access_commit<T>(
        &self,
        caller: &Caller,
        f: impl FnOnce(&App, &Caller) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let journal = AccessJournal::default();
        let journalled = Caller {
            journal: Some(journal.clone()),
            ..caller.clone()
        };
        let out = f(self, &journalled);
        let entries = std::mem::take(
            &mut *journal
                .lock()
                .map_err(|_| AppError::Internal("the access journal is poisoned".into()))?,
        );
        if !entries.is_empty() {
            self.store.log_accesses(&entries)?;
        }
        out
    }

    /// Log a statutory return made: it reads every child in it.
    pub(crate) fn log_return(&self, caller: &Caller, what: &str) -> Result<(), AppError> {
        self.log_entry(
            caller,
            Action::ProduceReturns,
            None,
            None,
            true,
            what,
            false,
        )
    }

    /// Log a decision about a process of the kernel's, naming it as the subject (and
    /// the child it is about, if one, for the data protection officer's search).
    pub(crate) fn log_process_decision(
        &self,
        caller: &Caller,
        action: Action,
        subject: &Subject,
        child: Option<PersonId>,
        d: access::Decision,
    ) -> Result<(), AppError> {
        self.write_access_entry(
            caller,
            action,
            child,
            None,
            Some(subject.clone()),
            d.allowed,
            d.reason,
            d.break_glass,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn log_entry(
        &self,
        caller: &Caller,
        action: Action,
        child: Option<PersonId>,
        referral: Option<uuid::Uuid>,
        allowed: bool,
        reason: &str,
        break_glass: bool,
    ) -> Result<(), AppError> {
        let subject = referral
            .map(|id| Subject {
                kind: "referral".into(),
                id,
            })
            .or(child.map(Subject::child));
        self.write_access_entry(
            caller,
            action,
            child,
            referral,
            subject,
            allowed,
            reason,
            break_glass,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn write_access_entry(
        &self,
        caller: &Caller,
        action: Action,
        child: Option<PersonId>,
        referral: Option<uuid::Uuid>,
        subject: Option<Subject>,
        allowed: bool,
        reason: &str,
        break_glass: bool,
    ) -> Result<(), AppError> {
        let entry = access_entry(
            caller,
            action,
            &format_timestamp(self.clock.now()),
            child,
            referral,
            subject.clone(),
            allowed,
            reason,
            break_glass,
        );
        self.record_access(caller, vec![entry])?;
        // Ids only: no names or dates of birth in the application log.
        tracing::info!(
            target: "together::access",
            request_id = %caller.request_id,
            actor = %caller.actor_id,
            role = caller.role.id(),
            action = action.id(),
            child = child.map(|c| c.to_string()),
            referral = referral.map(|r| r.to_string()),
            subject_kind = subject.as_ref().map(|s| s.kind.clone()),
            subject = subject.as_ref().map(|s| s.id.to_string()),
            allowed,
            break_glass,
            "access decision"
        );
        Ok(())
    }
}

/// One entry of the access log: the caller's decision about a subject, at `at`.
#[allow(clippy::too_many_arguments)]
fn access_entry(
    caller: &Caller,
    action: Action,
    at: &str,
    child: Option<PersonId>,
    referral: Option<uuid::Uuid>,
    subject: Option<Subject>,
    allowed: bool,
    reason: &str,
    break_glass: bool,
) -> AccessEntry {
    AccessEntry {
        id: uuid::Uuid::now_v7(),
        at: at.to_string(),
        user: (!caller.is_api_client).then_some(caller.actor_id),
        api_client: caller.is_api_client.then_some(caller.actor_id.0),
        role: caller.role.id().to_string(),
        action: action.id().to_string(),
        child,
        allowed,
        reason: reason.to_string(),
        break_glass,
        request_id: caller.request_id.clone(),
        referral,
        subject,
    }
}
