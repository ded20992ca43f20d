//! Identity: passwords (argon2id), sign-in with throttling, sessions with an idle
//! timeout, user administration, and API clients for partner agencies' systems.

use crate::{App, AppError, Caller};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::Duration;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use together_domain::access::Action;
use together_domain::event::{format_timestamp, parse_timestamp};
use together_domain::ids::{AgencyId, TeamId, UserId};
use together_domain::role::Role;
use together_domain::validate::{parse_name, ValidationErrors};
use together_store::{
    AdminChange, ApiClientRow, FormClaim, LoginAttempt, LoginFailures, NewAdminEntry, SessionRow,
    UserRow,
};

/// A random secret as hex: session tokens, CSRF tokens, API tokens.
pub fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// A password a person can type: four groups of four letters and digits, without
/// look-alike characters. 80 bits of entropy.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut out = String::new();
    let mut b = [0u8; 20];
    OsRng.fill_bytes(&mut b);
    for (i, x) in b.iter().take(16).enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(ALPHABET[*x as usize % ALPHABET.len()] as char);
    }
    out
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash of a password nobody has, verified for unknown usernames so that a
/// sign-in takes as long whether or not the account exists.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password(&random_token(16)).expect("argon2 works"))
}

/// The minimum password length (NCSC: length over complexity).
pub const MIN_PASSWORD_LEN: usize = 12;

/// A signed-in session: the token goes in the cookie, only its hash is stored.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub user: UserRow,
}

/// Why a sign-in failed. Deliberately vague to the user about which part was wrong.
#[derive(Debug)]
pub enum SignInError {
    BadCredentials,
    Locked { minutes: i64 },
    Internal(AppError),
}

impl From<AppError> for SignInError {
    fn from(e: AppError) -> Self {
        SignInError::Internal(e)
    }
}

impl From<together_store::StoreError> for SignInError {
    fn from(e: together_store::StoreError) -> Self {
        SignInError::Internal(e.into())
    }
}

/// Input to create a user.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub agency: String,
    #[serde(default)]
    pub team: String,
}

/// How long a form's one-time token lasts: a form left open longer is sent again
/// from a fresh copy (hours; not a statutory timescale).
pub const FORM_TOKEN_HOURS: i64 = 24;

/// The longest username a user may have (and so the longest a sign-in looks up).
pub const MAX_USERNAME_BYTES: usize = 64;

impl App {
    /// Sign in from `client` (the caller's address, "" if unknown): throttled by
    /// account and address with increasing delays ([`sign_in_wait`]); a new session
    /// token every time (so a session id is never reused across a sign-in).
    pub fn sign_in(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<NewSession, SignInError> {
        let now = self.clock.now();
        let username = username.trim().to_lowercase();
        // No user has a longer name (`create_user`): nothing is stored for one, so a
        // flood of long names cannot grow the database (issue 18). Same answer and work.
        if username.len() > MAX_USERNAME_BYTES {
            let _ = verify_password(password, dummy_hash());
            tracing::info!(target: "together::auth", "sign-in refused");
            return Err(SignInError::BadCredentials);
        }
        let client: String = client.chars().take(64).collect();
        self.check_password_throttled(&username, &client, password)?;
        let user = self.store.user_by_username(&username)?;
        let ok = match &user {
            Some(u) => verify_password(password, &u.password_hash) && u.active,
            None => {
                let _ = verify_password(password, dummy_hash());
                false
            }
        };
        if ok {
            self.store.record_login_attempt(&LoginAttempt {
                id: uuid::Uuid::now_v7(),
                username: username.clone(),
                client,
                at: format_timestamp(now),
                succeeded: true,
            })?;
        }
        let Some(user) = user.filter(|_| ok) else {
            tracing::info!(target: "together::auth", "sign-in refused");
            return Err(SignInError::BadCredentials);
        };
        let token = random_token(32);
        let csrf_token = random_token(32);
        let at = format_timestamp(now);
        self.store.create_session(&SessionRow {
            token_hash: sha256_hex(&token),
            user: user.id,
            csrf_token: csrf_token.clone(),
            created_at: at.clone(),
            last_seen_at: at,
        })?;
        tracing::info!(target: "together::auth", user = %user.id, role = %user.role, "signed in");
        Ok(NewSession {
            token,
            csrf_token,
            user,
        })
    }

    /// Count an attempt against `username` from `client` and refuse it, unchecked, if
    /// it must wait. The attempt is recorded as a failure *before* the password is
    /// checked, so parallel guesses all count; a success is recorded after, and resets
    /// the count. A refusal still verifies a password, so its timing tells nothing.
    fn check_password_throttled(
        &self,
        username: &str,
        client: &str,
        password: &str,
    ) -> Result<(), SignInError> {
        let now = self.clock.now();
        let window_start =
            format_timestamp(now - Duration::minutes(self.settings.login_window_minutes));
        let known_since =
            format_timestamp(now - Duration::days(self.settings.login_known_address_days));
        self.store
            .forget_login_attempts_before(&window_start, &known_since)?;
        let attempt = LoginAttempt {
            id: uuid::Uuid::now_v7(),
            username: username.to_string(),
            client: client.to_string(),
            at: format_timestamp(now),
            succeeded: false,
        };
        self.store.record_login_attempt(&attempt)?;
        let failures = self.store.login_failures(username, client, &window_start)?;
        if let Some(wait) = sign_in_wait(&failures, now, &self.settings) {
            self.store.mark_login_attempt_throttled(&attempt)?;
            let _ = verify_password(password, dummy_hash());
            tracing::info!(target: "together::auth", "sign-in throttled");
            return Err(SignInError::Locked {
                minutes: (wait.num_seconds() + 59) / 60,
            });
        }
        Ok(())
    }

    /// A one-time token for a form that creates (issue 18, item 6): the form carries
    /// it, and only its first send creates anything. Tokens live a day.
    pub fn issue_form_token(&self, caller: &Caller) -> Result<String, AppError> {
        let token = random_token(16);
        let now = self.clock.now();
        self.store.issue_form_token(
            &sha256_hex(&token),
            caller.actor_id,
            &format_timestamp(now),
            &format_timestamp(now - Duration::hours(FORM_TOKEN_HOURS)),
        )?;
        Ok(token)
    }

    /// Claim a form's token as it is sent.
    pub fn claim_form_token(&self, caller: &Caller, token: &str) -> Result<FormClaim, AppError> {
        Ok(self.store.claim_form_token(
            &sha256_hex(token),
            caller.actor_id,
            &format_timestamp(self.clock.now()),
        )?)
    }

    /// Settle a claimed token: where what the form made is, or `None` if it made
    /// nothing (the token may be sent again).
    pub fn settle_form_token(&self, token: &str, made: Option<&str>) -> Result<(), AppError> {
        Ok(self.store.settle_form_token(&sha256_hex(token), made)?)
    }

    /// The session for a cookie's token, if it exists, its user is active and it has
    /// not been idle too long. Touches it (at most once a minute, to spare writes).
    pub fn session(&self, token: &str) -> Result<Option<(SessionRow, UserRow)>, AppError> {
        let hash = sha256_hex(token);
        let Some(s) = self.store.session(&hash)? else {
            return Ok(None);
        };
        let now = self.clock.now();
        let last = parse_timestamp(&s.last_seen_at).unwrap_or(now);
        let created = parse_timestamp(&s.created_at).unwrap_or(now);
        if now - last > Duration::minutes(self.settings.session_idle_minutes)
            || now - created > Duration::hours(self.settings.session_max_hours)
        {
            self.store.delete_session(&hash)?;
            return Ok(None);
        }
        let Some(user) = self.store.user(s.user)?.filter(|u| u.active) else {
            self.store.delete_session(&hash)?;
            return Ok(None);
        };
        if now - last > Duration::minutes(1) {
            self.store.touch_session(&hash, &format_timestamp(now))?;
        }
        Ok(Some((s, user)))
    }

    pub fn sign_out(&self, token: &str) -> Result<(), AppError> {
        Ok(self.store.delete_session(&sha256_hex(token))?)
    }

    /// The caller a signed-in user acts as.
    pub fn caller_for(&self, user: &UserRow, request_id: &str) -> Result<Caller, AppError> {
        let role = Role::from_id(&user.role)
            .ok_or_else(|| AppError::Internal(format!("unknown role {}", user.role)))?;
        Ok(Caller {
            actor_id: user.id,
            is_api_client: false,
            display_name: user.display_name.clone(),
            role,
            agency: user.agency,
            request_id: request_id.to_string(),
            break_glass_reason: None,
            journal: None,
        })
    }

    /// The caller an API bearer token acts as: a partner agency's system acts as a
    /// partner practitioner of that agency; the local authority's own integration
    /// (a token of a children's social care agency) acts as a front door worker.
    pub fn api_caller(&self, bearer: &str, request_id: &str) -> Result<Caller, AppError> {
        let client = self
            .store
            .api_client_by_token_hash(&sha256_hex(bearer))?
            .filter(|c| c.active)
            .ok_or(AppError::Unauthenticated)?;
        let agency = self
            .store
            .agency(client.agency)?
            .ok_or(AppError::Unauthenticated)?;
        let role = if agency.kind == "childrens-social-care" {
            Role::FrontDoorWorker
        } else {
            Role::PartnerPractitioner
        };
        Ok(Caller {
            actor_id: UserId(client.id),
            is_api_client: true,
            display_name: client.name,
            role,
            agency: client.agency,
            request_id: request_id.to_string(),
            break_glass_reason: None,
            journal: None,
        })
    }

    /// Issue an API token for an agency's system. The token is returned once; only
    /// its hash is kept.
    pub fn create_api_client(
        &self,
        caller: Option<&Caller>,
        agency: AgencyId,
        name: &str,
    ) -> Result<(ApiClientRow, String), AppError> {
        if let Some(c) = caller {
            self.authorize(c, Action::ManageUsers)?;
        }
        let name =
            parse_name("client name", name).map_err(|m| ValidationErrors::single("name", m))?;
        let agency_name = self
            .store
            .agency(agency)?
            .ok_or_else(|| ValidationErrors::single("agency", "Select an agency"))?
            .name;
        let token = format!("tgr_{}", random_token(32));
        let row = ApiClientRow {
            id: uuid::Uuid::now_v7(),
            name,
            agency,
            token_hash: sha256_hex(&token),
            active: true,
            created_at: format_timestamp(self.clock.now()),
        };
        let entry = self.admin_entry(
            caller,
            "api-client-created",
            row.id.to_string(),
            &row.name,
            serde_json::json!({ "agency": agency_name }),
        );
        self.store
            .administer(Some(&AdminChange::CreateApiClient(row.clone())), &entry)?;
        Ok((row, token))
    }

    /// Revoke an agency system's API token: it is refused from the next request.
    pub fn revoke_api_client(
        &self,
        caller: Option<&Caller>,
        id: uuid::Uuid,
    ) -> Result<ApiClientRow, AppError> {
        if let Some(c) = caller {
            self.authorize(c, Action::ManageUsers)?;
        }
        let mut row = self
            .store
            .api_clients()?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(AppError::NotFound)?;
        let entry = self.admin_entry(
            caller,
            "api-client-revoked",
            row.id.to_string(),
            &row.name,
            serde_json::json!({
                "agency": self.store.agency(row.agency)?.map(|a| a.name),
            }),
        );
        self.store.administer(
            Some(&AdminChange::SetApiClientActive { id, active: false }),
            &entry,
        )?;
        row.active = false;
        Ok(row)
    }

    /// Create a user with a generated password, returned once. `caller` is None only
    /// for the operator's CLI and the demo seed.
    pub fn create_user(
        &self,
        caller: Option<&Caller>,
        input: &NewUserInput,
    ) -> Result<(UserRow, String), AppError> {
        if let Some(c) = caller {
            self.authorize(c, Action::ManageUsers)?;
        }
        let mut e = ValidationErrors::new();
        let username = input.username.trim().to_lowercase();
        if username.len() < 3
            || username.len() > MAX_USERNAME_BYTES
            || !username.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_')
            })
        {
            e.add("username", "Username must be 3 to 64 characters: letters, digits, dots, hyphens or underscores");
        }
        let fields = self.user_fields(input, &mut e);
        e.clone().into_result()?;
        let Some((display_name, role, agency, team)) = fields else {
            return Err(AppError::Invalid(e));
        };
        let password = random_password();
        let user = UserRow {
            id: UserId(uuid::Uuid::now_v7()),
            username,
            display_name,
            role: role.id().to_string(),
            agency: agency.id,
            team,
            password_hash: hash_password(&password)?,
            active: true,
            created_at: format_timestamp(self.clock.now()),
            // A generated password is the administrator's to hand over, not the user's
            // own: it is changed at the first sign-in (issue 18).
            must_change_password: true,
        };
        let entry = self.admin_entry(
            caller,
            "user-created",
            user.id.to_string(),
            &user.username,
            serde_json::json!({
                "display_name": user.display_name,
                "role": role.label(),
                "agency": agency.name,
                "team": team.and_then(|t| self.store.team(t).ok().flatten()).map(|t| t.name),
            }),
        );
        self.store
            .administer(Some(&AdminChange::CreateUser(user.clone())), &entry)
            .map_err(|err| match err {
                together_store::StoreError::Conflict(_) => AppError::Invalid(
                    ValidationErrors::single("username", "That username is already taken"),
                ),
                other => other.into(),
            })?;
        Ok((user, password))
    }

    /// A user's name, role, agency and team as typed, each error added to `e`; `None`
    /// if any is wrong. Shared by adding a user and changing one.
    fn user_fields(
        &self,
        input: &NewUserInput,
        e: &mut ValidationErrors,
    ) -> Option<(String, Role, together_store::AgencyRow, Option<TeamId>)> {
        let display_name = e.take("display_name", parse_name("full name", &input.display_name));
        let role = e.take(
            "role",
            Role::from_id(input.role.trim()).ok_or_else(|| "Select a role".to_string()),
        );
        let agency = e.take(
            "agency",
            input
                .agency
                .trim()
                .parse::<AgencyId>()
                .ok()
                .and_then(|a| self.store.agency(a).ok().flatten())
                .ok_or_else(|| "Select an agency".to_string()),
        );
        let team = if input.team.trim().is_empty() {
            Some(None)
        } else {
            e.take(
                "team",
                input
                    .team
                    .trim()
                    .parse::<TeamId>()
                    .ok()
                    .and_then(|t| self.store.team(t).ok().flatten())
                    .map(|t| Some(t.id))
                    .ok_or_else(|| "Select a team".to_string()),
            )
        };
        if let (Some(role), Some(agency)) = (role, &agency) {
            // Children's social care roles belong to a children's social care agency; partner
            // practitioners to a partner agency (their agency decides what they may be shown).
            let csc = agency.kind == "childrens-social-care";
            if role.is_childrens_social_care() && !csc {
                e.add(
                    "agency",
                    "This role is for staff of children's social care: select that agency",
                );
            }
            if role == Role::PartnerPractitioner && csc {
                e.add(
                    "agency",
                    "A partner practitioner works for a partner agency: select it",
                );
            }
        }
        Some((display_name?, role?, agency?, team?))
    }

    /// Change a user's name, role, agency or team (issue 18: logged in the
    /// administration log, with what it was and what it is). A change of role, agency
    /// or team ends their sessions: what they may see has changed. An administrator
    /// cannot change their own role.
    pub fn change_user(
        &self,
        caller: &Caller,
        user: UserId,
        input: &NewUserInput,
    ) -> Result<(), AppError> {
        self.authorize(caller, Action::ManageUsers)?;
        let before = self.store.user(user)?.ok_or(AppError::NotFound)?;
        let mut e = ValidationErrors::new();
        let fields = self.user_fields(input, &mut e);
        e.clone().into_result()?;
        let Some((display_name, role, agency, team)) = fields else {
            return Err(AppError::Invalid(e));
        };
        if caller.actor_id == user && role.id() != before.role {
            return Err(ValidationErrors::single("role", "You cannot change your own role").into());
        }
        let agency_name = |id: AgencyId| {
            self.store
                .agency(id)
                .ok()
                .flatten()
                .map(|a| a.name)
                .unwrap_or_default()
        };
        let team_name = |id: Option<TeamId>| {
            id.and_then(|t| self.store.team(t).ok().flatten())
                .map(|t| t.name)
                .unwrap_or_else(|| "no team".into())
        };
        let role_label = |id: &str| {
            Role::from_id(id)
                .map(|r| r.label())
                .unwrap_or(id)
                .to_string()
        };
        let mut changed = serde_json::Map::new();
        let mut note = |what: &str, was: String, is: String| {
            if was != is {
                changed.insert(what.into(), format!("{was} → {is}").into());
            }
        };
        note(
            "display_name",
            before.display_name.clone(),
            display_name.clone(),
        );
        note("role", role_label(&before.role), role.label().to_string());
        note("agency", agency_name(before.agency), agency.name.clone());
        note("team", team_name(before.team), team_name(team));
        if changed.is_empty() {
            return Ok(());
        }
        let end_sessions =
            before.role != role.id() || before.agency != agency.id || before.team != team;
        changed.insert("sessions_ended".into(), end_sessions.into());
        let entry = self.admin_entry(
            Some(caller),
            "user-changed",
            before.id.to_string(),
            &before.username,
            serde_json::Value::Object(changed),
        );
        let user = UserRow {
            display_name,
            role: role.id().to_string(),
            agency: agency.id,
            team,
            ..before
        };
        self.store.administer(
            Some(&AdminChange::UpdateUser { user, end_sessions }),
            &entry,
        )?;
        Ok(())
    }

    /// Give a user a temporary password, returned once: it must be changed at their
    /// next sign-in, and their sessions end (issue 18: an administrator who knows it
    /// cannot use the account unseen — the reset is in the administration log, and the
    /// user finds their own password no longer works).
    pub fn reset_password(
        &self,
        caller: Option<&Caller>,
        user: UserId,
    ) -> Result<String, AppError> {
        if let Some(c) = caller {
            self.authorize(c, Action::ManageUsers)?;
        }
        let mut u = self.store.user(user)?.ok_or(AppError::NotFound)?;
        let password = random_password();
        u.password_hash = hash_password(&password)?;
        u.must_change_password = true;
        let entry = self.admin_entry(
            caller,
            "password-reset",
            u.id.to_string(),
            &u.username,
            serde_json::json!({ "temporary_password": true, "sessions_ended": true }),
        );
        self.store.administer(
            Some(&AdminChange::UpdateUser {
                user: u,
                end_sessions: true,
            }),
            &entry,
        )?;
        Ok(password)
    }

    /// Turn an account on or off; turning it off ends its sessions.
    pub fn set_user_active(
        &self,
        caller: Option<&Caller>,
        user: UserId,
        active: bool,
    ) -> Result<(), AppError> {
        if let Some(c) = caller {
            self.authorize(c, Action::ManageUsers)?;
            if c.actor_id == user && !active {
                return Err(AppError::Invalid(ValidationErrors::single(
                    "active",
                    "You cannot deactivate your own account",
                )));
            }
        }
        let mut u = self.store.user(user)?.ok_or(AppError::NotFound)?;
        u.active = active;
        let action = if active {
            "user-reactivated"
        } else {
            "user-deactivated"
        };
        let entry = self.admin_entry(
            caller,
            action,
            u.id.to_string(),
            &u.username,
            serde_json::json!({ "sessions_ended": !active }),
        );
        self.store.administer(
            Some(&AdminChange::UpdateUser {
                user: u,
                end_sessions: !active,
            }),
            &entry,
        )?;
        Ok(())
    }

    /// An entry for the administration log: who (an administrator, or the operator's
    /// command line), what, to what. Never a password or a token in `details`.
    pub(crate) fn admin_entry(
        &self,
        caller: Option<&Caller>,
        action: &str,
        target: String,
        target_name: &str,
        details: serde_json::Value,
    ) -> NewAdminEntry {
        NewAdminEntry {
            id: uuid::Uuid::now_v7(),
            at: format_timestamp(self.clock.now()),
            actor: caller.map(|c| c.actor_id),
            actor_name: caller
                .map(|c| c.display_name.clone())
                .unwrap_or_else(|| "The operator (command line)".into()),
            action: action.to_string(),
            target: Some(target),
            target_name: target_name.to_string(),
            details: details.to_string(),
        }
    }

    /// Change one's own password. The current password is checked with the sign-in
    /// throttle (the same count of failures, so the form is no way round it), and every
    /// other session of the user ends; the one in use (`session_token`) stays (issue 18).
    pub fn change_password(
        &self,
        caller: &Caller,
        session_token: &str,
        current: &str,
        new: &str,
        confirm: &str,
    ) -> Result<(), AppError> {
        let mut u = self
            .store
            .user(caller.actor_id)?
            .ok_or(AppError::Unauthenticated)?;
        // The sign-in throttle, for this account from any address of its own: the form
        // is no way round it.
        match self.check_password_throttled(&u.username, "account-page", current) {
            Ok(()) => {}
            Err(SignInError::Locked { minutes }) => {
                return Err(ValidationErrors::single(
                    "current_password",
                    format!("Too many wrong passwords: try again in {minutes} minutes"),
                )
                .into())
            }
            Err(SignInError::Internal(e)) => return Err(e),
            Err(SignInError::BadCredentials) => return Err(AppError::Unauthenticated),
        }
        let mut e = ValidationErrors::new();
        if verify_password(current, &u.password_hash) {
            self.store.record_login_attempt(&LoginAttempt {
                id: uuid::Uuid::now_v7(),
                username: u.username.clone(),
                client: "account-page".into(),
                at: format_timestamp(self.clock.now()),
                succeeded: true,
            })?;
        } else {
            e.add("current_password", "Your current password is not right");
        }
        if new.chars().count() < MIN_PASSWORD_LEN {
            e.add(
                "new_password",
                format!("Your new password must be at least {MIN_PASSWORD_LEN} characters"),
            );
        } else if new != confirm {
            e.add("confirm_password", "The passwords do not match");
        }
        e.into_result()?;
        if new == current {
            return Err(ValidationErrors::single(
                "new_password",
                "Your new password must be different from your current one",
            )
            .into());
        }
        u.password_hash = hash_password(new)?;
        u.must_change_password = false;
        self.store.update_user(&u)?;
        // Every other session ends: whoever else held one must sign in with the new
        // password. The session in use is put back as it was.
        let kept = self.store.session(&sha256_hex(session_token))?;
        self.store.delete_sessions_of(u.id)?;
        if let Some(s) = kept.filter(|s| s.user == u.id) {
            self.store.create_session(&s)?;
        }
        Ok(())
    }
}

/// How long a sign-in must wait, if it must (issue 18, item 9; NCSC: throttle rather
/// than lock). `f` counts the attempt being made. From one address, after
/// `login_max_failures` failures each attempt waits `login_first_delay_seconds` after
/// the failure before it, doubling with each further failure, up to the window. From
/// an address the account has not signed in from, the same applies to the failures
/// from anywhere past `login_max_failures_any_address`. An account's usual address is
/// never held up by failures elsewhere.
pub fn sign_in_wait(
    f: &LoginFailures,
    now: chrono::DateTime<chrono::Utc>,
    s: &crate::Settings,
) -> Option<Duration> {
    let wait = |count: u32, latest: &[String], max: u32| -> Option<Duration> {
        let before = count.saturating_sub(1);
        if before < max {
            return None;
        }
        let doublings = (before - max).min(20);
        let delay = Duration::seconds(s.login_first_delay_seconds.saturating_mul(1 << doublings))
            .min(Duration::minutes(s.login_window_minutes));
        // The newest failure is (normally) the attempt being made: wait from the one before.
        let previous = latest.get(1).and_then(|t| parse_timestamp(t))?;
        let until = previous + delay;
        (now < until).then(|| until - now)
    };
    let here = wait(f.from_client, &f.from_client_latest, s.login_max_failures);
    let anywhere = if f.client_known {
        None
    } else {
        wait(
            f.from_anywhere,
            &f.from_anywhere_latest,
            s.login_max_failures_any_address,
        )
    };
    here.max(anywhere)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: i64) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc.with_ymd_and_hms(2026, 12, 8, 9, 0, 0).unwrap() + Duration::seconds(s)
    }

    /// `n` failures from one address, the newest (the attempt being made) at `now` and
    /// the one before at `previous`.
    fn here(n: u32, previous: i64, now: i64) -> LoginFailures {
        LoginFailures {
            from_client: n,
            from_client_latest: vec![format_timestamp(at(now)), format_timestamp(at(previous))],
            from_anywhere: n,
            from_anywhere_latest: vec![format_timestamp(at(now)), format_timestamp(at(previous))],
            client_known: false,
        }
    }

    #[test]
    fn five_failures_from_one_address_make_the_next_attempt_wait_a_minute_then_doubling() {
        // Issue 18, item 9: throttle by account and address with increasing delays.
        let s = crate::Settings::default();
        // The fifth failure is still checked; the sixth attempt, at once, waits.
        assert_eq!(sign_in_wait(&here(5, 0, 0), at(0), &s), None);
        assert_eq!(
            sign_in_wait(&here(6, 0, 10), at(10), &s),
            Some(Duration::seconds(50))
        );
        // Waiting the minute is enough; the failure after it waits two, then four.
        assert_eq!(sign_in_wait(&here(6, 0, 60), at(60), &s), None);
        assert_eq!(
            sign_in_wait(&here(7, 60, 61), at(61), &s),
            Some(Duration::seconds(119))
        );
        assert_eq!(sign_in_wait(&here(7, 60, 180), at(180), &s), None);
        assert_eq!(
            sign_in_wait(&here(8, 180, 180), at(180), &s),
            Some(Duration::seconds(240))
        );
        // Never longer than the window.
        assert_eq!(
            sign_in_wait(&here(40, 0, 0), at(0), &s),
            Some(Duration::minutes(s.login_window_minutes))
        );
    }

    #[test]
    fn failures_from_elsewhere_hold_up_new_addresses_but_never_the_usual_one() {
        // Issue 18, item 9: "so that the real user from their usual address can still
        // sign in". Guessing spread over many addresses slows attempts from addresses
        // the account has not signed in from.
        let s = crate::Settings::default();
        let spread = LoginFailures {
            from_client: 1,
            from_client_latest: vec![format_timestamp(at(0))],
            from_anywhere: 30,
            from_anywhere_latest: vec![format_timestamp(at(0)), format_timestamp(at(-1))],
            client_known: false,
        };
        assert!(sign_in_wait(&spread, at(0), &s).is_some());
        let usual = LoginFailures {
            client_known: true,
            ..spread
        };
        assert_eq!(sign_in_wait(&usual, at(0), &s), None);
    }
}
