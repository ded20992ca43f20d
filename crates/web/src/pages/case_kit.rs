//! What the case's forms and its child protection forms share (`pages::cases`,
//! `pages::protection`): the choices they offer, read through the app, and the rows of
//! a plan's actions.

use crate::form_kit::{f, opt_date, Field, Kind};
use crate::forms::FormData;
use together_app::cases::CaseView;
use together_app::AppError;
use together_domain::case::decide::ActionInput;
use together_domain::ids::UserId;
use together_domain::role::Role;
use together_domain::validate::ValidationErrors;

/// Rows for a plan's actions on the no-JavaScript forms.
pub const ACTION_ROWS: usize = 3;

/// What the forms offer to choose from, read from the store off the async runtime.
pub struct Choices {
    pub practitioners: Vec<(String, String)>,
    /// Other local authorities' children's social care in this deployment.
    pub authorities: Vec<(String, String)>,
    /// Every agency, as (id, name), and its kind.
    pub agencies: Vec<(String, String, String)>,
    /// Who may chair a conference: conference chairs and practice supervisors.
    pub chairs: Vec<(String, String)>,
    /// Managers an escalation may go to: practice supervisors and team managers.
    pub managers: Vec<(String, String)>,
    /// Who authorises an assessment's extension and how, as the profile says.
    pub assessment_extension: String,
    /// The profile's extension rule, where the other agencies are consulted (LIV §5).
    pub consult_before_extending: Option<String>,
    /// Rules whose later date needs who authorised it: the profile's *musts* (SET 002
    /// L2771), or every rule where the profile has an extension rule (LIV §5).
    pub late_needs_authoriser: Vec<String>,
}

pub fn choices(app: &together_app::App, v: &CaseView) -> Result<Choices, AppError> {
    let practitioners = app
        .practitioners()?
        .into_iter()
        .map(|p| (p.user.to_string(), p.describe()))
        .collect();
    let all_agencies = app.agencies()?;
    let authorities = all_agencies
        .iter()
        .filter(|a| a.kind == "childrens-social-care" && a.name != v.case.local_authority)
        .map(|a| (a.id.to_string(), format!("{} (uses Together)", a.name)))
        .collect();
    let agencies = all_agencies
        .iter()
        .map(|a| (a.id.to_string(), a.name.clone(), a.kind.clone()))
        .collect();
    let candidates = app.conference_chairs()?;
    let managers: Vec<(String, String)> = candidates
        .iter()
        .filter(|u| Role::from_id(&u.role) == Some(Role::PracticeSupervisor))
        .map(|u| (u.id.to_string(), u.display_name.clone()))
        .collect();
    let mut chairs: Vec<(String, String)> = candidates
        .into_iter()
        .map(|u| {
            let role = Role::from_id(&u.role).map(|r| r.label()).unwrap_or("");
            let agency = all_agencies
                .iter()
                .find(|a| a.id == u.agency)
                .map(|a| a.name.as_str())
                .unwrap_or("");
            (
                u.id.to_string(),
                format!("{} ({}, {})", u.display_name, role.to_lowercase(), agency),
            )
        })
        .collect();
    chairs.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(Choices {
        practitioners,
        authorities,
        agencies,
        chairs,
        managers,
        assessment_extension: app
            .profile
            .rule("assessment")
            .filter(|r| !r.extendable_by.is_empty())
            .map(|r| {
                format!(
                    "Agreed by a {} with the reason recorded ({})",
                    r.extendable_by
                        .iter()
                        .filter_map(|x| Role::from_id(x).map(|r| r.label().to_lowercase()))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    r.citation
                )
            })
            .unwrap_or_default(),
        late_needs_authoriser: app
            .profile
            .rules
            .iter()
            .filter(|r| {
                app.profile.extensions.is_some()
                    || r.strength == together_domain::timescale::Strength::Must
            })
            .map(|r| r.id.clone())
            .collect(),
        consult_before_extending: app
            .profile
            .extensions
            .as_ref()
            .filter(|p| p.consult_other_agencies)
            .map(|p| p.citation.clone()),
    })
}

pub fn practitioner_options(ch: &Choices) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), "Choose a practitioner".to_string())];
    out.extend(ch.practitioners.iter().cloned());
    out
}

pub fn owner_options(ch: &Choices) -> Vec<(String, String)> {
    let mut out = practitioner_options(ch);
    out[0].1 = "Choose who will do it".into();
    out.push(("named".into(), "Someone else (name them below)".into()));
    out
}

pub fn action_fields(ch: &Choices, out: &mut Vec<Field>) {
    for i in 0..ACTION_ROWS {
        let n = i + 1;
        out.push(f(
            &format!("actions[{i}].what"),
            &format!("Action {n}: what will be done"),
            if i == 0 {
                "Who does what by when. Leave a row empty if you do not need it."
            } else {
                ""
            },
            Kind::Text,
        ));
        out.push(f(
            &format!("actions[{i}].owner"),
            &format!("Action {n}: who will do it"),
            "",
            Kind::Select(owner_options(ch)),
        ));
        out.push(f(
            &format!("actions[{i}].owner_name"),
            &format!("Action {n}: name, if not in the list"),
            "For example, a parent or a service outside the partnership",
            Kind::Text,
        ));
        out.push(f(
            &format!("actions[{i}].by"),
            &format!("Action {n}: by when"),
            "",
            Kind::Date,
        ));
    }
}

pub fn actions_from(
    app: &together_app::App,
    e: &mut ValidationErrors,
    form: &FormData,
) -> Vec<ActionInput> {
    (0..ACTION_ROWS)
        .map(|i| {
            let owner_field = format!("actions[{i}].owner");
            let owner = match form.get(&owner_field) {
                "" => None,
                "named" => Some(together_domain::case::Owner::Named {
                    name: form.get(&format!("actions[{i}].owner_name")).to_string(),
                }),
                id => match id.parse::<UserId>().ok().map(|u| app.owner(Some(u), "")) {
                    Some(Ok(o)) => o,
                    _ => {
                        e.add(owner_field.clone(), "Choose who will do it from the list");
                        None
                    }
                },
            };
            let by_field = format!("actions[{i}].by");
            let by = opt_date(e, form, &by_field, "date");
            ActionInput {
                what: form.get(&format!("actions[{i}].what")).to_string(),
                owner,
                by,
            }
        })
        .collect()
}
