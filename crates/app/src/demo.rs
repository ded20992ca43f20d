//! Demo data: a partnership with its agencies and teams, one user for each role,
//! and a few synthetic children whose records go through what exists so far.
//! Passwords are random for every install and shown once; names are invented.

use together_domain::census::{AssessmentFactor, PrimaryNeed};

/// The local authority code demo pupil numbers carry (Essex's; the validator checks
/// that a UPN's authority is a real one).
const DEMO_LA: &str = "881";
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
use together_store::{AgencyRow, Involvement, TeamRow, UserRow};

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
        // The demo's people sign in with the passwords printed for them, straight away:
        // a demonstration, not accounts handed over by an administrator.
        let user = UserRow {
            must_change_password: false,
            ..user
        };
        app.store.update_user(&user)?;
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
        let born_age = (!unborn).then(|| rng.gen_range(200..(17 * 365)));
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
                (today - Duration::days(born_age.unwrap_or(0))).to_string()
            },
            expected_date_of_delivery: if unborn {
                (today + Duration::days(rng.gen_range(40..150))).to_string()
            } else {
                String::new()
            },
            // An unborn child's sex is not known (CIN census rule 8750).
            sex: if unborn {
                "unknown"
            } else {
                ["female", "male"][i % 2]
            }
            .into(),
            nhs_number: if unborn {
                String::new()
            } else {
                names::test_nhs_number(&mut rng)
            },
            postcode: names::postcode(&mut rng),
            upn: match born_age {
                Some(days) if days > 4 * 365 => names::upn(&mut rng, DEMO_LA, today.year() - 2),
                _ => String::new(),
            },
            ethnicity: ["WBRI", "MWBC", "APKN", "WOTH", "BAFR", "NOBT"][i].into(),
            disabilities: vec![if i == 2 { "AUT" } else { "NONE" }.into()],
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
    seed_cases(app, &users, &children)?;
    seed_protection(app, &users)?;
    // A small generated partnership beside the hand-made cases, so the figures and the
    // census have two years of history to show (issue 6: `serve --demo` uses a small one).
    crate::generate::generate(
        app.store.clone(),
        app.profile.clone(),
        &crate::generate::Options {
            children: 40,
            years: 2,
            seed: rand::random(),
            until: app.today(),
            la_code: DEMO_LA.into(),
            jobs: 1,
        },
        |_, _| {},
    )?;

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
        // The family's early help assessment comes with it (as Northamptonshire asks of
        // a written referral, NSCP §4.2).
        prior_assessment: together_domain::referral::details::PriorAssessmentInput {
            kind: "early-help".into(),
            summary: "Early help assessment by the referrer's agency (invented demo text).".into(),
            ..Default::default()
        },
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

/// Cases at every stage (issue 4): Family Help led by the school with a plan, meetings
/// and a rising scale; an assessment past 45 working days; one waiting for
/// authorisation; a child in need plan reviewed three times; an unborn child waiting
/// for a lead practitioner.
fn seed_cases(
    app: &App,
    users: &[together_store::UserRow],
    children: &[PersonId],
) -> Result<(), AppError> {
    use together_domain::case::assessment::ChildSeen;
    use together_domain::case::decide::ActionInput;
    use together_domain::case::{
        AssessmentKind, AssessmentOutcome, AssessmentRecord, Attendee, Command, Owner, PlanKind,
        SeenAlone, Service,
    };
    use together_domain::ids::CaseId;
    let sw = app.caller_for(&users[1], "demo-seed")?;
    let supervisor = app.caller_for(&users[2], "demo-seed")?;
    let school = app.caller_for(&users[6], "demo-seed")?;
    let today = app.today();
    let ago = |d: i64| today - Duration::days(d);
    let open = |child: PersonId, service: Service, referral_days_ago: i64, reason: &str| {
        app.open_case(
            &supervisor,
            CaseId::new_random(),
            child,
            service,
            None,
            ago(referral_days_ago),
            reason,
            None,
            (service == Service::SocialCare).then_some(PrimaryNeed::N4),
        )
        .map(|v| v.case.id)
    };
    let allocate = |case: CaseId, to: &Caller| -> Result<(), AppError> {
        app.act_on_case(
            &supervisor,
            case,
            Command::ProposeLead {
                to: app.practitioner(to.actor_id)?,
                family_views: "Mother asked for someone the children already know and trust."
                    .into(),
                handover: String::new(),
            },
        )?;
        app.act_on_case(
            to,
            case,
            Command::AnswerAllocation {
                accept: true,
                reason: String::new(),
            },
        )?;
        Ok(())
    };
    let record = || {
        AssessmentRecord {
        child_developmental_needs: "Meeting most milestones; attendance has fallen to 84% this term and they arrive hungry.".into(),
        parenting_capacity: "Mother is warm and wants help; routines break down when she is unwell.".into(),
        family_and_environment: "Grandmother lives nearby and helps; the flat is damp and overcrowded.".into(),
        wishes_and_feelings: "\"I like school when I have had breakfast. I want mum to be less tired.\"".into(),
        parents_views: "Mother wants help with mornings and with the housing application.".into(),
        analysis: "Needs are unmet but there is no indication of significant harm; help with routines and housing should be enough.".into(),
    }
    };
    let seen = |on: chrono::NaiveDate, by: &str| Command::RecordChildSeen {
        assessment: 1,
        seen: ChildSeen {
            on,
            by: by.into(),
            alone: SeenAlone::Alone,
            note: String::new(),
        },
    };
    let school_owner = app.owner(Some(school.actor_id), "")?;
    let sw_owner = app.owner(Some(sw.actor_id), "")?;
    let mother = Some(Owner::Named {
        name: "Mother".into(),
    });

    // Family Help led by the school's designated safeguarding lead (¶138).
    let fh = open(
        children[1],
        Service::FamilyHelp,
        40,
        "Referral accepted for Family Help: school worried about attendance and hunger",
    )?;
    allocate(fh, &school)?;
    app.act_on_case(&school, fh, Command::RecordConsent {
        given: true,
        given_by: "Mother".into(),
        told: "What we write down, who we share it with (the people helping the family) and why: to keep the children safe and well.".into(),
        on: ago(35),
    })?;
    app.act_on_case(
        &school,
        fh,
        Command::StartAssessment {
            kind: AssessmentKind::FamilyHelp,
            started_on: ago(35),
            about: String::new(),
            gestation_weeks: None,
            late_start_reason: String::new(),
        },
    )?;
    app.act_on_case(
        &school,
        fh,
        seen(ago(34), "Designated safeguarding lead, at school"),
    )?;
    app.act_on_case(
        &school,
        fh,
        Command::SaveAssessment {
            assessment: 1,
            record: record(),
        },
    )?;
    app.act_on_case(
        &school,
        fh,
        Command::SubmitAssessment {
            assessment: 1,
            outcome: AssessmentOutcome::ContinueHelp,
            reasons: String::new(),
            child_not_seen_reason: String::new(),
            primary_need: None,
            factors: Vec::new(),
        },
    )?;
    app.act_on_case(
        &school,
        fh,
        Command::MakePlan {
            kind: PlanKind::FamilyHelp,
            agreed_on: ago(30),
            outcomes: vec![
                "In school on time every day, having had breakfast".into(),
                "Mornings at home are calmer".into(),
            ],
            services: vec![
                "Breakfast club".into(),
                "Family support worker visits".into(),
            ],
            family_views: "Made with mother at school; she chose the first outcome.".into(),
            actions: vec![
                ActionInput {
                    what: "Breakfast club place from Monday".into(),
                    owner: school_owner.clone(),
                    by: Some(ago(25)),
                },
                ActionInput {
                    what: "Morning routine chart on the fridge".into(),
                    owner: mother.clone(),
                    by: Some(ago(20)),
                },
                ActionInput {
                    what: "Support letter for the housing application".into(),
                    owner: school_owner.clone(),
                    by: Some(today + Duration::days(10)),
                },
            ],
            next_review: Some(ago(16)),
        },
    )?;
    app.act_on_case(
        &school,
        fh,
        Command::CompleteAction {
            plan: 1,
            action: 1,
            on: ago(26),
            note: "Started on the Monday".into(),
        },
    )?;
    for (days, scale, summary) in [
        (16, 4, "Attendance up to 90%; mornings still hard."),
        (
            2,
            6,
            "Attendance 95%; breakfast club working; housing application sent.",
        ),
    ] {
        app.act_on_case(
            &school,
            fh,
            Command::HoldMeeting {
                plan: 1,
                held_on: ago(days),
                attendees: vec![
                    Attendee {
                        name: "Mother".into(),
                        role: "parent".into(),
                        agency: String::new(),
                    },
                    Attendee {
                        name: users[6].display_name.clone(),
                        role: "designated safeguarding lead".into(),
                        agency: "Demo Primary School".into(),
                    },
                    Attendee {
                        name: users[5].display_name.clone(),
                        role: "school nurse".into(),
                        agency: "Demo NHS Foundation Trust".into(),
                    },
                ],
                child_views: "Likes breakfast club; wants to walk to school with a friend.".into(),
                summary: summary.into(),
                scale: Some(scale),
                next_review: Some(
                    today + Duration::days(if days > 5 { 40 } else { 42 }) - Duration::days(days),
                ),
                new_actions: Vec::new(),
            },
        )?;
    }
    app.act_on_case(
        &school,
        fh,
        Command::RecordSharing {
            about: "The Family Help plan".into(),
            on: Some(ago(29)),
            how: "Printed copy given to mother at school".into(),
            not_shared_reason: String::new(),
        },
    )?;

    // A child and family assessment past 45 working days (¶169): the referral was 75 days ago.
    let late = open(
        children[0],
        Service::SocialCare,
        75,
        "Referral accepted: police report of domestic abuse at the address",
    )?;
    allocate(late, &sw)?;
    app.act_on_case(
        &sw,
        late,
        Command::StartAssessment {
            kind: AssessmentKind::ChildAndFamily,
            started_on: ago(70),
            about: String::new(),
            gestation_weeks: None,
            late_start_reason: String::new(),
        },
    )?;
    app.act_on_case(&sw, late, seen(ago(68), &users[1].display_name))?;
    app.act_on_case(
        &sw,
        late,
        Command::RequestContribution {
            assessment: 1,
            agency: "Demo NHS Foundation Trust (health visiting)".into(),
            on: ago(66),
        },
    )?;
    app.act_on_case(
        &sw,
        late,
        Command::ChaseContribution {
            assessment: 1,
            index: 0,
            on: ago(40),
        },
    )?;

    // Submitted, waiting for the supervisor's authorisation.
    let waiting = open(
        children[3],
        Service::SocialCare,
        20,
        "Referral accepted: neglect concerns from the health visitor",
    )?;
    allocate(waiting, &sw)?;
    app.act_on_case(
        &sw,
        waiting,
        Command::StartAssessment {
            kind: AssessmentKind::ChildAndFamily,
            started_on: ago(18),
            about: String::new(),
            gestation_weeks: None,
            late_start_reason: String::new(),
        },
    )?;
    app.act_on_case(&sw, waiting, seen(ago(15), &users[1].display_name))?;
    app.act_on_case(
        &sw,
        waiting,
        Command::SaveAssessment {
            assessment: 1,
            record: record(),
        },
    )?;
    app.act_on_case(
        &sw,
        waiting,
        Command::SubmitAssessment {
            assessment: 1,
            outcome: AssessmentOutcome::ChildInNeedPlan,
            reasons: "Needs will be met by a multi-agency child in need plan.".into(),
            child_not_seen_reason: String::new(),
            primary_need: Some(PrimaryNeed::N5),
            factors: vec![
                AssessmentFactor::DomesticAbuseParent,
                AssessmentFactor::MentalHealthParent,
            ],
        },
    )?;

    // A child in need plan reviewed three times, the scale rising.
    let cin = open(
        children[2],
        Service::SocialCare,
        150,
        "Transferred in with a child in need plan after a move into the area",
    )?;
    allocate(cin, &sw)?;
    app.act_on_case(
        &sw,
        cin,
        Command::MakePlan {
            kind: PlanKind::ChildInNeed,
            agreed_on: ago(120),
            outcomes: vec![
                "Safe from the arguments at home".into(),
                "Sees the school counsellor every week".into(),
            ],
            services: vec![
                "Domestic abuse support for mother".into(),
                "School counselling".into(),
            ],
            family_views: "Agreed at a child in need meeting with mother and the child.".into(),
            actions: vec![
                ActionInput {
                    what: "Refer mother to the domestic abuse service".into(),
                    owner: sw_owner.clone(),
                    by: Some(ago(110)),
                },
                ActionInput {
                    what: "Weekly counselling sessions".into(),
                    owner: school_owner.clone(),
                    by: Some(today + Duration::days(14)),
                },
            ],
            next_review: Some(ago(90)),
        },
    )?;
    for (days, scale) in [(90, 3), (60, 5), (30, 7)] {
        app.act_on_case(
            &sw,
            cin,
            Command::HoldMeeting {
                plan: 1,
                held_on: ago(days),
                attendees: vec![
                    Attendee {
                        name: "Mother".into(),
                        role: "parent".into(),
                        agency: String::new(),
                    },
                    Attendee {
                        name: users[1].display_name.clone(),
                        role: "social worker".into(),
                        agency: "Children's social care".into(),
                    },
                    Attendee {
                        name: users[6].display_name.clone(),
                        role: "designated safeguarding lead".into(),
                        agency: "Demo Primary School".into(),
                    },
                ],
                child_views: "Feels safer at home; likes the counsellor.".into(),
                summary: "Reviewed the plan; progress noted against each outcome.".into(),
                scale: Some(scale),
                next_review: Some(ago(days) + Duration::days(30)),
                new_actions: Vec::new(),
            },
        )?;
    }

    // An unborn baby waiting for a lead practitioner: in the supervisors' tray.
    open(
        children[5],
        Service::SocialCare,
        1,
        "Referral accepted for a pre-birth assessment",
    )?;
    Ok(())
}

/// Child protection at every stage (issue 5): a conference overdue after a substantiated
/// enquiry; a plan with its core groups and a review coming; a plan ended because the
/// child moved away; a child moving in on another authority's plan.
fn seed_protection(app: &App, users: &[together_store::UserRow]) -> Result<(), AppError> {
    use together_domain::case::decide::ActionInput;
    use together_domain::case::protect::{CpCommand, OutcomeInput, StrategyTiming};
    use together_domain::case::protection::{
        EndReason, HarmCategory, OutlineChange, Participant, S47Finding, S47Task,
    };
    use together_domain::case::{Command, Service};
    use together_domain::ids::CaseId;
    use together_domain::role::AgencyKind;
    let mut rng = rand::thread_rng();
    let frontdoor = app.caller_for(&users[0], "demo-seed")?;
    let sw = app.caller_for(&users[1], "demo-seed")?;
    let supervisor = app.caller_for(&users[2], "demo-seed")?;
    let chair = app.caller_for(&users[3], "demo-seed")?;
    let today = app.today();
    let ago = |d: i64| today - Duration::days(d);
    let cp = |c: CpCommand| Command::Protection(Box::new(c));
    let person = |u: &together_store::UserRow,
                  role: &str,
                  kind: AgencyKind|
     -> Result<Participant, AppError> {
        let p = app.practitioner(u.id)?;
        Ok(Participant {
            name: p.name,
            role: role.into(),
            agency: p.agency_name,
            agency_kind: Some(kind),
            user: Some(u.id),
        })
    };
    let four = vec![
        person(&users[1], "social worker", AgencyKind::ChildrensSocialCare)?,
        person(&users[4], "detective constable", AgencyKind::Police)?,
        person(&users[5], "named nurse", AgencyKind::Health)?,
        person(
            &users[6],
            "designated safeguarding lead",
            AgencyKind::Education,
        )?,
    ];
    let new_child = |rng: &mut rand::rngs::ThreadRng| -> Result<PersonId, AppError> {
        let family_name = names::family_name(rng);
        let age_days = rng.gen_range(400..(15 * 365));
        app.open_child_record(
            &frontdoor,
            &PersonInput {
                kind: "child".into(),
                given_name: names::given_name(rng),
                family_name,
                date_of_birth: (today - Duration::days(age_days)).to_string(),
                sex: ["female", "male"][rng.gen_range(0..2)].into(),
                nhs_number: names::test_nhs_number(rng),
                postcode: names::postcode(rng),
                // School-age children have a pupil number (CIN census rule 8770Q).
                upn: if age_days > 4 * 365 {
                    names::upn(rng, DEMO_LA, today.year() - 2)
                } else {
                    String::new()
                },
                ethnicity: ["WBRI", "WOTH", "BCRB", "AIND", "MWBA"][rng.gen_range(0..5)].into(),
                disabilities: vec!["NONE".into()],
                ..Default::default()
            },
        )
    };
    // Strategy discussion `days_ago` with four agencies, s47 initiated, substantiated and
    // countersigned: an initial conference is due 15 working days after the discussion.
    let to_conference = |child: PersonId, days_ago: i64| -> Result<CaseId, AppError> {
        let id = CaseId::new_random();
        app.open_case(
            &supervisor,
            id,
            child,
            Service::SocialCare,
            None,
            ago(days_ago + 1),
            "Referral accepted: injury seen at school",
            None,
            Some(PrimaryNeed::N1),
        )?;
        app.act_on_case(
            &supervisor,
            id,
            Command::ProposeLead {
                to: app.practitioner(sw.actor_id)?,
                family_views: "Mother asked for the social worker she knows.".into(),
                handover: String::new(),
            },
        )?;
        app.act_on_case(
            &sw,
            id,
            Command::AnswerAllocation {
                accept: true,
                reason: String::new(),
            },
        )?;
        app.act_on_case(
            &supervisor,
            id,
            cp(CpCommand::ConveneStrategy {
                timing: StrategyTiming::Routine,
                concerns_at: Some(ago(days_ago).and_hms_opt(9, 0, 0).expect("time")),
                by: Some(ago(days_ago)),
                reason: "Bruising to the face seen at school".into(),
                invitees: four.clone(),
            }),
        )?;
        app.act_on_case(&supervisor, id, cp(CpCommand::HoldStrategy {
            number: 1,
            held_at: ago(days_ago).and_hms_opt(14, 0, 0).expect("time"),
            attendees: four.clone(),
            attendance_override: String::new(),
            information: "School saw bruising; police attended a domestic incident at the address last month.".into(),
            initiate_s47: Some(true),
            s47_reason: "Reasonable cause to suspect physical abuse.".into(),
            criminal_investigation: "Police to interview mother's partner after the medical.".into(),
            immediate_actions: vec![ActionInput { what: "Child protection medical".into(), owner: app.owner(Some(sw.actor_id), "")?, by: Some(ago(days_ago)) }],
            legal_action: "Not at this stage.".into(),
            share_with_family: "That enquiries are being made, and why.".into(),
            withhold_from_family: "The timing of the police interview.".into(),
            agency_decisions: vec![("Police".into(), "Criminal investigation".into()), ("School".into(), "Daily welfare check".into())],
        }))?;
        // The enquiry is carried out by a child and family assessment under s47.
        app.act_on_case(
            &sw,
            id,
            Command::StartAssessment {
                kind: together_domain::case::AssessmentKind::ChildAndFamilySection47,
                started_on: ago(days_ago),
                about: String::new(),
                gestation_weeks: None,
                late_start_reason: String::new(),
            },
        )?;
        app.act_on_case(
            &sw,
            id,
            cp(CpCommand::RecordS47Task {
                enquiry: 1,
                task: S47Task::ChildSeenAlone,
                on: ago(days_ago),
                note: "Seen alone at school.".into(),
            }),
        )?;
        app.act_on_case(
            &sw,
            id,
            cp(CpCommand::RecommendS47 {
                enquiry: 1,
                finding: S47Finding {
                    substantiated: true,
                    reasons: "Medical consistent with a slap; history of violence.".into(),
                    discussed_with_family: String::new(),
                    onward_support: String::new(),
                    fgc_offered: false,
                },
            }),
        )?;
        app.act_on_case(
            &supervisor,
            id,
            cp(CpCommand::CountersignS47 {
                enquiry: 1,
                expected_delivery: None,
            }),
        )?;
        Ok(id)
    };
    let plan = |core: Vec<Participant>| OutcomeInput::Plan {
        categories: vec![HarmCategory::Physical, HarmCategory::Emotional],
        lead_social_worker: app.practitioner(sw.actor_id).ok(),
        core_group: core,
        changes: vec![OutlineChange {
            what: "No violence in the home".into(),
            by_how_much: "None at all, confirmed at each core group".into(),
            by_when: today + Duration::days(90),
        }],
        core_group_every_weeks: 4,
        consider_proceedings: false,
    };
    let hold = |id: CaseId,
                n: u32,
                on: chrono::NaiveDate,
                outcome: OutcomeInput|
     -> Result<(), AppError> {
        // Conferences meet on working days.
        let cal = app.calendar();
        let mut on = on;
        while !cal.is_working_day(on) {
            on = on.pred_opt().expect("a day before");
        }
        app.act_on_case(
            &supervisor,
            id,
            cp(CpCommand::ScheduleConference {
                conference: n,
                date: on,
                chair: Some(app.practitioner(chair.actor_id)?),
                chair_line_manages_lead: false,
                invitees: four.clone(),
                time: chrono::NaiveTime::from_hms_opt(10, 0, 0),
                place: "Civic Centre, room 2, or by video call".into(),
                late_reason: "The family could not attend an earlier date".into(),
                late_authorised_by: "Operational service manager".into(),
                late_consulted: "Police and health safeguarding leads".into(),
            }),
        )?;
        app.act_on_case(
            &chair,
            id,
            cp(CpCommand::HoldConference {
                conference: n,
                held_on: on,
                attendees: four.clone(),
                views: Vec::new(),
                outcome,
                late_reason: String::new(),
                ongoing_support: "Child in need support from the social worker.".into(),
                eighteenth_birthday: None,
            }),
        )?;
        Ok(())
    };

    // An initial conference overdue: the strategy discussion was 30 days ago.
    to_conference(new_child(&mut rng)?, 30)?;

    // A plan, its first core group and an action for the school; the review is coming.
    let a = to_conference(new_child(&mut rng)?, 50)?;
    hold(a, 1, ago(35), plan(four.clone()))?;
    app.act_on_case(
        &sw,
        a,
        cp(CpCommand::HoldCoreGroup {
            held_on: ago(28),
            attendees: four.clone(),
            absent_views: "Police sent written views: investigation continues.".into(),
            progress: "Mother's partner has left; attendance 96%.".into(),
            plan_changes: String::new(),
            next_by: None,
            new_actions: vec![ActionInput {
                what: "Daily welfare check at school".into(),
                owner: app.owner(Some(users[6].id), "")?,
                by: Some(today + Duration::days(14)),
            }],
        }),
    )?;

    // A plan ended because the child moved away, after the receiving authority's conference.
    let b = to_conference(new_child(&mut rng)?, 60)?;
    hold(b, 1, ago(45), plan(four.clone()))?;
    app.act_on_case(
        &supervisor,
        b,
        cp(CpCommand::EndPlan {
            reason: EndReason::MovedPermanently {
                to: "Thurrock Council".into(),
                receiving_conference_on: ago(3),
            },
            on: ago(2),
            notified: "Everyone invited to the initial conference, by email.".into(),
            ongoing_support: "Thurrock holds the plan; we sent the file.".into(),
        }),
    )?;

    // A child moving in on another authority's plan: a transfer-in conference is due.
    let c = CaseId::new_random();
    let moved = new_child(&mut rng)?;
    app.open_case(
        &supervisor,
        c,
        moved,
        Service::SocialCare,
        None,
        ago(4),
        "Moved into the area on Southend's child protection plan",
        None,
        Some(PrimaryNeed::N1),
    )?;
    app.act_on_case(
        &sw,
        c,
        cp(CpCommand::NotifyTransferIn {
            from_authority: "Southend-on-Sea City Council".into(),
            notified_on: ago(4),
        }),
    )?;
    Ok(())
}
