//! The partnership's directory and its administration, as pages need them: agencies,
//! teams and users; the administrator's lists; the calendar's proclamations; the data
//! protection officer's search of the access log and the administration log; the
//! server's health. The web reads
//! through these services only (issue 15), so every decision is taken here.

use crate::{App, AppError, Caller};
use together_domain::access::Action;
use together_domain::event::format_timestamp;
use together_domain::ids::{AgencyId, PersonId, UserId};
use together_domain::validate::ValidationErrors;
use together_store::{
    AccessEntry, AccessQuery, AdminChange, AdminEntry, AdminQuery, AgencyRow, ProclamationRow,
    StoreError, TeamRow, UserRow,
};

/// What the data protection officer searches the access log by.
#[derive(Clone, Debug, Default)]
pub struct AccessSearch {
    /// A username (any case); an unknown one is a field error.
    pub username: Option<String>,
    pub child: Option<PersonId>,
    pub only_denied: bool,
    pub only_break_glass: bool,
    /// Days in England, inclusive.
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

/// A search of the administration log.
#[derive(Clone, Debug, Default)]
pub struct AdminSearch {
    /// A username (any case); an unknown one is a field error.
    pub done_by: Option<String>,
    /// A user's or API client's id, or a date.
    pub done_to: Option<String>,
    /// Days, inclusive.
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

/// A day's start as the logs' timestamps are written, for searching them by day.
fn midnight(d: chrono::NaiveDate) -> String {
    format_timestamp(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
}

/// The start of the day after `d`: a search "to" a day includes it.
fn day_after(d: chrono::NaiveDate) -> String {
    midnight(d + chrono::Days::new(1))
}

impl App {
    /// Every agency of the partnership (a directory: no child's data).
    pub fn agencies(&self) -> Result<Vec<AgencyRow>, AppError> {
        Ok(self.store.agencies()?)
    }

    pub fn agency(&self, id: AgencyId) -> Result<Option<AgencyRow>, AppError> {
        Ok(self.store.agency(id)?)
    }

    /// A user of the directory, by id.
    pub fn user(&self, id: UserId) -> Result<Option<UserRow>, AppError> {
        Ok(self.store.user(id)?)
    }

    /// Active users who may chair a child protection conference: conference chairs and
    /// practice supervisors.
    pub fn conference_chairs(&self) -> Result<Vec<UserRow>, AppError> {
        Ok(self
            .store
            .users()?
            .into_iter()
            .filter(|u| {
                u.active && matches!(u.role.as_str(), "conference-chair" | "practice-supervisor")
            })
            .collect())
    }

    /// The administrator's list of users, with the agencies they belong to.
    pub fn users_and_agencies(
        &self,
        caller: &Caller,
    ) -> Result<(Vec<UserRow>, Vec<AgencyRow>), AppError> {
        self.authorize(caller, Action::ManageUsers)?;
        Ok((self.store.users()?, self.store.agencies()?))
    }

    /// What the administrator chooses from to add a user.
    pub fn agencies_and_teams(
        &self,
        caller: &Caller,
    ) -> Result<(Vec<AgencyRow>, Vec<TeamRow>), AppError> {
        self.authorize(caller, Action::ManageUsers)?;
        Ok((self.store.agencies()?, self.store.teams()?))
    }

    /// Add a proclaimed bank holiday (or move one), and count working days with it from
    /// now on. Due dates already worked out move when `together reproject` rebuilds
    /// them (docs/decisions.md).
    pub fn proclaim(
        &self,
        caller: &Caller,
        date: chrono::NaiveDate,
        name: String,
        replaces: Option<chrono::NaiveDate>,
    ) -> Result<(), AppError> {
        self.authorize(caller, Action::ManageCalendar)?;
        let row = ProclamationRow {
            date: date.to_string(),
            name,
            replaces: replaces.map(|d| d.to_string()),
            added_by: Some(caller.actor_id),
            added_at: format_timestamp(self.clock.now()),
        };
        let entry = self.admin_entry(
            Some(caller),
            "closure-proclaimed",
            row.date.clone(),
            &row.name,
            serde_json::json!({ "replaces": row.replaces }),
        );
        self.store
            .administer(Some(&AdminChange::AddProclamation(row)), &entry)
            .map_err(|err| match err {
                StoreError::Conflict(_) => AppError::Invalid(ValidationErrors::single(
                    "date",
                    "That date is already in the table",
                )),
                other => other.into(),
            })?;
        self.reload_calendar()
    }

    /// The data protection officer's search of the access log, newest first, with the
    /// users the entries name.
    pub fn search_access_log(
        &self,
        caller: &Caller,
        s: AccessSearch,
    ) -> Result<(Vec<AccessEntry>, Vec<UserRow>), AppError> {
        self.authorize(caller, Action::ViewAccessLog)?;
        let user = self.user_named(s.username.as_deref())?;
        let rows = self.store.access_log(&AccessQuery {
            user,
            child: s.child,
            referral: None,
            subject: None,
            only_denied: s.only_denied,
            only_break_glass: s.only_break_glass,
            from: s.from.map(midnight),
            to: s.to.map(day_after),
            limit: 500,
        })?;
        Ok((rows, self.store.users()?))
    }

    /// The data protection officer's search of the administration log (issue 18),
    /// newest first.
    pub fn search_admin_log(
        &self,
        caller: &Caller,
        s: AdminSearch,
    ) -> Result<Vec<AdminEntry>, AppError> {
        self.authorize(caller, Action::ViewAccessLog)?;
        let actor = self.user_named(s.done_by.as_deref())?;
        Ok(self.store.admin_log(&AdminQuery {
            actor,
            target: s.done_to.filter(|t| !t.is_empty()),
            from: s.from.map(midnight),
            to: s.to.map(day_after),
            after_seq: None,
            limit: 500,
        })?)
    }

    /// The user a search names by username (any case); an unknown one is a field error.
    fn user_named(&self, username: Option<&str>) -> Result<Option<UserId>, AppError> {
        match username.map(str::trim).filter(|u| !u.is_empty()) {
            None => Ok(None),
            Some(name) => match self.store.user_by_username(&name.to_lowercase())? {
                Some(u) => Ok(Some(u.id)),
                None => Err(AppError::Invalid(ValidationErrors::single(
                    "user",
                    "No user has that username",
                ))),
            },
        }
    }

    /// Whether the database answers.
    pub fn healthy(&self) -> bool {
        self.store.setting("health-probe").is_ok()
    }

    /// Which database: "sqlite" or "postgres".
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }
}
