//! Demo data: a partnership with its agencies and teams, one user for each role,
//! and a few synthetic children whose records go through what exists so far.
//! Passwords are random for every install and shown once; names are invented.

use crate::identity::NewUserInput;
use crate::names;
use crate::record::{CaseNoteInput, FamilyMemberInput};
use crate::{App, AppError, Caller};
use chrono::{Datelike, Duration};
use rand::Rng;
use together_domain::event::format_timestamp;
use together_domain::ids::{AgencyId, PersonId, TeamId};
use together_domain::person::PersonInput;
use together_domain::role::Role;
use together_store::{AgencyRow, Involvement, TeamRow};

/// A demo account to print once.
pub struct DemoLogin {
    pub role: Role,
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub agency: String,
}

pub struct DemoSeed {
    pub logins: Vec<DemoLogin>,
    /// A bearer token for the demo police force's system.
    pub api_token: String,
    pub children: Vec<PersonId>,
}

const SEEDED: &str = "demo-seeded-at";

/// Seed the demo partnership, unless this database already has it (then `None`).
pub fn seed(app: &App) -> Result<Option<DemoSeed>, AppError> {
    if app.store.setting(SEEDED)?.is_some() {
        return Ok(None);
    }
    let mut rng = rand::thread_rng();
    let agency = |name: &str, kind: &str| AgencyRow {
        id: AgencyId(uuid::Uuid::now_v7()),
        name: name.into(),
        kind: kind.into(),
    };
    let csc = agency(
        "Demo Borough Council Children's Social Care",
        "childrens-social-care",
    );
    let police = agency("Demo Constabulary", "police");
    let health = agency("Demo NHS Foundation Trust", "health");
    let school = agency("Demo Primary School", "education");
    let partnership = agency("Demo Safeguarding Children Partnership", "partnership");
    let others = [
        agency("Demo Early Years Setting", "early-years"),
        agency("Demo Probation Delivery Unit", "probation"),
        agency("Demo Housing Association", "housing"),
        agency("Demo Family Support Charity", "voluntary-sector"),
    ];
    for a in [&csc, &police, &health, &school, &partnership]
        .into_iter()
        .chain(others.iter())
    {
        app.store.put_agency(a)?;
    }
    let team = |agency: &AgencyRow, name: &str| TeamRow {
        id: TeamId(uuid::Uuid::now_v7()),
        agency: agency.id,
        name: name.into(),
    };
    let front_door = team(&csc, &app.profile.front_door_name);
    let assessment = team(&csc, "Assessment and Intervention Team");
    let conferences = team(&csc, "Child Protection Conference Service");
    let business = team(&partnership, "Partnership Business Unit");
    for t in [&front_door, &assessment, &conferences, &business] {
        app.store.put_team(t)?;
    }

    let people: [(Role, &str, &AgencyRow, Option<&TeamRow>); 10] = [
        (Role::FrontDoorWorker, "frontdoor", &csc, Some(&front_door)),
        (Role::SocialWorker, "socialworker", &csc, Some(&assessment)),
        (
            Role::PracticeSupervisor,
            "supervisor",
            &csc,
            Some(&assessment),
        ),
        (Role::ConferenceChair, "chair", &csc, Some(&conferences)),
        (Role::PartnerPractitioner, "police", &police, None),
        (Role::PartnerPractitioner, "health", &health, None),
        (Role::PartnerPractitioner, "school", &school, None),
        (
            Role::PartnershipManager,
            "partnership",
            &partnership,
            Some(&business),
        ),
        (Role::SystemAdministrator, "admin", &csc, None),
        (Role::DataProtectionOfficer, "dpo", &csc, None),
    ];
    let mut logins = Vec::new();
    let mut users = Vec::new();
    for (role, username, agency, team) in people {
        let display_name = format!(
            "{} {}",
            names::given_name(&mut rng),
            names::family_name(&mut rng)
        );
        let (user, password) = app.create_user(
            None,
            &NewUserInput {
                username: username.into(),
                display_name: display_name.clone(),
                role: role.id().into(),
                agency: agency.id.to_string(),
                team: team.map(|t| t.id.to_string()).unwrap_or_default(),
            },
        )?;
        logins.push(DemoLogin {
            role,
            username: username.into(),
            password,
            display_name,
            agency: agency.name.clone(),
        });
        users.push(user);
    }
    let caller = |i: usize| -> Result<Caller, AppError> { app.caller_for(&users[i], "demo-seed") };
    let (frontdoor, sw, supervisor) = (caller(0)?, caller(1)?, caller(2)?);
    let (police_u, health_u, school_u) = (&users[4], &users[5], &users[6]);

    let today = app.today();
    let mut children = Vec::new();
    // Five born children of assorted ages and one unborn child.
    for i in 0..6 {
        let family_name = names::family_name(&mut rng);
        let unborn = i == 5;
        let input = PersonInput {
            kind: if unborn { "unborn-child" } else { "child" }.into(),
            given_name: if unborn {
                "Unborn".into()
            } else {
                names::given_name(&mut rng)
            },
            family_name: family_name.clone(),
            date_of_birth: if unborn {
                String::new()
            } else {
                let age_days = rng.gen_range(200..(17 * 365));
                (today - Duration::days(age_days)).to_string()
            },
            expected_date_of_delivery: if unborn {
                (today + Duration::days(rng.gen_range(40..150))).to_string()
            } else {
                String::new()
            },
            sex: ["female", "male", "unknown"][i % 3].into(),
            nhs_number: if unborn {
                String::new()
            } else {
                names::test_nhs_number(&mut rng)
            },
            postcode: names::postcode(&mut rng),
            upn: String::new(),
        };
        let child = app.open_child_record(&frontdoor, &input)?;
        children.push(child);

        let mother = FamilyMemberInput {
            person: PersonInput {
                kind: "parent".into(),
                given_name: names::given_name(&mut rng),
                family_name: family_name.clone(),
                date_of_birth: today
                    .with_year(today.year() - rng.gen_range(20..45))
                    .unwrap_or(today)
                    .to_string(),
                sex: "female".into(),
                ..Default::default()
            },
            relationship: "Mother".into(),
            lives_with_child: true,
        };
        app.add_family_member(&sw, child, &mother)?;
        if i % 2 == 0 {
            let partner = FamilyMemberInput {
                person: PersonInput {
                    kind: if i == 2 {
                        "alleged-perpetrator"
                    } else {
                        "carer"
                    }
                    .into(),
                    given_name: names::given_name(&mut rng),
                    family_name: names::family_name(&mut rng),
                    sex: "male".into(),
                    ..Default::default()
                },
                relationship: "Mother's partner".into(),
                lives_with_child: i != 2,
            };
            app.add_family_member(&sw, child, &partner)?;
        }
        let note = app.add_case_note(
            &sw,
            child,
            &CaseNoteInput {
                title: "Home visit".into(),
                text: "Visited the family home. The child was seen and spoken to; the home was warm and there was food in the kitchen.".into(),
                effective_date: (today - Duration::days(3)).to_string(),
                shared_with_partners: i % 2 == 0,
            },
        )?;
        if i == 0 {
            // A correction: the history keeps both, the current view shows the correction.
            app.correct_case_note(
                &sw,
                child,
                note,
                "The visit was announced, not unannounced as first implied; wording clarified.",
                &CaseNoteInput {
                    title: "Home visit (announced)".into(),
                    text: "Announced visit to the family home. The child was seen alone in their bedroom and spoke about school; the home was warm and there was food in the kitchen.".into(),
                    effective_date: (today - Duration::days(3)).to_string(),
                    shared_with_partners: true,
                },
            )?;
        }
    }
    // Partner practitioners' part in the work: police referred the first child,
    // health takes part in work about the second, the school referred the third.
    let since = format_timestamp(app.clock.now());
    let involvements = [
        Involvement {
            child: children[0],
            user: police_u.id,
            kind: "referrer".into(),
            since: since.clone(),
        },
        Involvement {
            child: children[1],
            user: health_u.id,
            kind: "participant".into(),
            since: since.clone(),
        },
        Involvement {
            child: children[2],
            user: school_u.id,
            kind: "referrer".into(),
            since: since.clone(),
        },
        Involvement {
            child: children[0],
            user: users[1].id,
            kind: "allocated".into(),
            since: since.clone(),
        },
    ];
    app.store.append(&[], &[], &involvements)?;
    app.add_case_note(
        &app.caller_for(police_u, "demo-seed")?,
        children[0],
        &CaseNoteInput {
            title: "Police attendance".into(),
            text: "Officers attended a report of a disturbance at the address. No arrests. Child present and unhurt.".into(),
            effective_date: (today - Duration::days(5)).to_string(),
            shared_with_partners: true,
        },
    )?;
    // One restricted record, to show restriction and grants at work.
    app.restrict_record(
        &supervisor,
        children[4],
        "A family member works in the partnership: access on a need-to-know basis.",
    )?;

    let (_, api_token) = app.create_api_client(None, police.id, "Demo Constabulary case system")?;
    app.store.put_setting(SEEDED, &since)?;
    Ok(Some(DemoSeed {
        logins,
        api_token,
        children,
    }))
}
