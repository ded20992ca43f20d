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

    seed_referrals(app, &users, &children)?;

    let (_, api_token) = app.create_api_client(None, police.id, "Demo Constabulary case system")?;
    app.store.put_setting(SEEDED, &since)?;
    Ok(Some(DemoSeed {
        logins,
        api_token,
        children,
    }))
}

/// Referrals in every state (issue 3): waiting for a decision (one about a known child,
/// one described only), an overdue telephone contact, decided with next work, decided
/// with no further action and then escalated by the referrer.
fn seed_referrals(
    app: &App,
    users: &[together_store::UserRow],
    children: &[PersonId],
) -> Result<(), AppError> {
    use together_domain::referral::details::{
        ChildInput, ConcernInput, ConsentInput, FamilyMemberInput, ReferrerInput,
        SignsOfSafetyInput,
    };
    use together_domain::referral::{
        Channel, DecideInput, Outcome, ReferralCommand, ReferralId, ReferralInput, Signpost,
    };
    let by = |name: &str| -> Result<crate::Caller, AppError> {
        let u = users
            .iter()
            .find(|u| u.username == name)
            .ok_or_else(|| AppError::Internal(format!("demo user {name}")))?;
        app.caller_for(u, "demo-seed")
    };
    let (fd, sup) = (by("frontdoor")?, by("supervisor")?);
    let child_input = |p: &together_store::PersonRow| ChildInput {
        given_name: p.given_name.clone(),
        family_name: p.family_name.clone(),
        date_of_birth: p.date_of_birth.clone().unwrap_or_default(),
        sex: p.sex.clone(),
        postcode: p.postcode.clone().unwrap_or_default(),
        ..Default::default()
    };
    let referral = |referrer: ReferrerInput, child: ChildInput, what: &str| ReferralInput {
        referrer,
        children: vec![child],
        family: vec![FamilyMemberInput {
            relationship: "mother".into(),
            given_name: "Demo".into(),
            family_name: "Parent".into(),
            lives_with_child: "yes".into(),
            ..Default::default()
        }],
        concern: ConcernInput {
            what_happened: what.into(),
            seen_or_heard: "Recorded as told to the referrer (invented demo text).".into(),
            ..Default::default()
        },
        consent: ConsentInput {
            family_knows: "yes".into(),
            family_consents: "yes".into(),
            ..Default::default()
        },
        immediate_risk: "no".into(),
        signs_of_safety: SignsOfSafetyInput {
            worried_about: what.into(),
            scale: "4".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let professional = |name: &str, agency: &str, kind: &str| ReferrerInput {
        kind: "professional".into(),
        name: name.into(),
        job_title: "Designated safeguarding lead".into(),
        agency_name: agency.into(),
        agency_kind: kind.into(),
        email: "referrer@example.org".into(),
        ..Default::default()
    };
    let today = app.today();
    let receive = |caller: &crate::Caller,
                   input: ReferralInput,
                   channel: Channel,
                   at: Option<chrono::NaiveDateTime>|
     -> Result<ReferralId, AppError> {
        let d = input.parse(today)?;
        let (row, _) = app.receive_referral(caller, d, channel, at, None)?;
        Ok(ReferralId(row.id))
    };
    let third = app.store.person(children[2])?.ok_or(AppError::NotFound)?;
    let first = app.store.person(children[0])?.ok_or(AppError::NotFound)?;
    let second = app.store.person(children[1])?.ok_or(AppError::NotFound)?;

    // 1. The school refers a child it knows; waiting for the front door to link and decide.
    receive(
        &by("school")?,
        referral(
            professional("Sam Okafor", "Park Road Primary School", "education"),
            child_input(&third),
            "Came to school hungry three days this week and said there was no food at home.",
        ),
        Channel::OnlineForm,
        None,
    )?;
    // 2. A neighbour telephoned four days ago about a child described only: overdue.
    let four_days_ago =
        crate::record::to_london(app.clock.now()).naive_local() - chrono::Duration::days(4);
    receive(
        &fd,
        referral(
            ReferrerInput {
                kind: "member-of-public".into(),
                name: "A neighbour".into(),
                phone: "01632 960 123".into(),
                share_identity: "no".into(),
                ..Default::default()
            },
            ChildInput {
                description: "Girl of about 6 at the flats on Mill Lane, often out alone late"
                    .into(),
                sex: "female".into(),
                ..Default::default()
            },
            "Often seen out alone after dark; shouting heard from the flat.",
        ),
        Channel::Telephone,
        Some(four_days_ago),
    )?;
    // 3. Police refer the first child: linked and decided, a strategy discussion to convene.
    let police_ref = receive(
        &by("police")?,
        referral(
            professional("PC Demo Officer", "Demo Constabulary", "police"),
            child_input(&first),
            "Officers attended a disturbance; the child was present and frightened.",
        ),
        Channel::OnlineForm,
        None,
    )?;
    app.link_referred_child(&fd, police_ref, 0, children[0])?;
    app.act_on_referral(
        &sup,
        police_ref,
        ReferralCommand::Decide(Box::new(DecideInput {
            outcomes: vec![Outcome::StrategyDiscussion, Outcome::SeeChild],
            reasons: "Reasonable cause to suspect significant harm from domestic abuse.".into(),
            strategy_by: Some(today + chrono::Duration::days(1)),
            see_child_by: Some(today),
            ..Default::default()
        })),
        crate::front_door::ThresholdSupport::default(),
    )?;
    // 4. Health refer the second child: no further action with signposting, then escalated.
    let health = by("health")?;
    let health_ref = receive(
        &health,
        referral(
            professional("Demo Health Visitor", "Demo Health Visiting", "health"),
            child_input(&second),
            "Missed two developmental reviews; mother low in mood.",
        ),
        Channel::OnlineForm,
        None,
    )?;
    app.link_referred_child(&fd, health_ref, 0, children[1])?;
    app.act_on_referral(
        &sup,
        health_ref,
        ReferralCommand::Decide(Box::new(DecideInput {
            outcomes: vec![Outcome::NoFurtherAction],
            reasons: "Needs can be met by early help with the family's agreement.".into(),
            signposting: vec![Signpost::EarlyHelp],
            ..Default::default()
        })),
        crate::front_door::ThresholdSupport::default(),
    )?;
    app.act_on_referral(
        &health,
        health_ref,
        ReferralCommand::Escalate {
            reason: "I am worried the mother will not engage with early help.".into(),
            ask_for_line_manager: true,
        },
        crate::front_door::ThresholdSupport::default(),
    )?;
    Ok(())
}
