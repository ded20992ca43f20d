//! Each role's home page: the work tray (empty until the front door and later issues
//! put work in it), and the ways in to what the role does.

use crate::auth::Signed;
use crate::ctx::{render, Ctx};
use crate::views::Page;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use together_domain::access::Action;
use together_domain::role::Role;
use together_store::{ChildQuery, PersonRow};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    greeting: String,
    role_intro: &'static str,
    tray: Vec<TrayRow>,
    referrals: Vec<crate::pages::referrals::ListRow>,
    children_heading: &'static str,
    children: Vec<PersonRow>,
    links: Vec<(&'static str, &'static str)>,
}

struct TrayRow {
    title: String,
    summary: String,
    due: String,
    href: String,
    overdue: bool,
}

fn intro(role: Role) -> &'static str {
    match role {
        Role::FrontDoorWorker => "Take contacts and referrals, check whether a child is already known, and gather what agencies know.",
        Role::SocialWorker => "Your children, visits, assessments and plans.",
        Role::PracticeSupervisor => "Decide next steps on referrals within one working day, allocate lead practitioners and authorise the work.",
        Role::ConferenceChair => "Convene and chair child protection conferences and reviews.",
        Role::PartnerPractitioner => "Refer a child, and see what has been shared with you about the children you work with.",
        Role::PartnershipManager => "The partnership's timeliness and outcome figures. You do not see identifiable case data.",
        Role::SystemAdministrator => "Manage users, teams and the working-day calendar. You do not see children's records.",
        Role::DataProtectionOfficer => "Search the access log: who opened which record, when, and why.",
    }
}

pub async fn home(State(state): State<AppState>, signed: Signed) -> Response {
    let ctx = Ctx::new(state, signed);
    let role = ctx.signed.caller.role;
    let recent = ctx
        .run(move |app, caller| {
            app.authorize(caller, Action::ViewHome)?;
            match role {
                Role::PartnerPractitioner => app.my_children(caller, None),
                Role::SocialWorker => {
                    let mine = app.my_children(caller, Some("allocated"))?;
                    if mine.is_empty() {
                        app.list_children(
                            caller,
                            &ChildQuery {
                                limit: 10,
                                ..Default::default()
                            },
                        )
                    } else {
                        Ok(mine)
                    }
                }
                r if r.is_childrens_social_care() => app.list_children(
                    caller,
                    &ChildQuery {
                        limit: 10,
                        ..Default::default()
                    },
                ),
                _ => Ok(Vec::new()),
            }
        })
        .await;
    let children = match recent {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let work = ctx
        .run(move |app, caller| {
            let tray = app.tray(caller)?;
            let cases = app.case_tray(caller)?;
            let referrals = if role == Role::PartnerPractitioner {
                app.referrals_for(caller, false, 10)?
            } else {
                Vec::new()
            };
            Ok((tray, cases, referrals))
        })
        .await;
    let (tray, cases, referrals) = match work {
        Ok(w) => w,
        Err(e) => return ctx.fail(e),
    };
    // Referral work and case work in one tray, soonest overdue first.
    let mut rows: Vec<(String, TrayRow)> = tray
        .into_iter()
        .map(|t| {
            (
                t.work.overdue_from.clone(),
                TrayRow {
                    title: t.work.title.clone(),
                    summary: t.work.summary.clone(),
                    due: t
                        .due
                        .as_ref()
                        .map(crate::pages::referrals::due_label)
                        .unwrap_or_default(),
                    href: format!("/referrals/{}", t.work.referral),
                    overdue: t.overdue,
                },
            )
        })
        .collect();
    rows.extend(cases.into_iter().map(|t| {
        (
            t.work.overdue_from.clone(),
            TrayRow {
                title: t.work.title.clone(),
                summary: t.work.child_name.clone(),
                due: t
                    .due
                    .as_ref()
                    .map(crate::pages::referrals::due_label)
                    .unwrap_or_default(),
                href: case_work_href(&t.work),
                overdue: t.overdue,
            },
        )
    }));
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let tray = rows.into_iter().map(|(_, r)| r).collect();
    let links: Vec<(&str, &str)> = match role {
        Role::FrontDoorWorker | Role::SocialWorker | Role::PracticeSupervisor => {
            vec![
                ("/referrals", "Referrals"),
                ("/contacts/new", "Record a telephone or in-person contact"),
                ("/children", "Find a child's record"),
                ("/children/new", "Open a child's record"),
            ]
        }
        Role::ConferenceChair => vec![("/children", "Find a child's record")],
        Role::PartnerPractitioner => vec![
            ("/referrals/new", "Refer a child"),
            ("/referrals", "Your referrals and their outcomes"),
        ],
        Role::SystemAdministrator => vec![
            ("/admin/users", "Manage users"),
            ("/admin/calendar", "Bank holidays and closures"),
        ],
        Role::DataProtectionOfficer => vec![
            ("/access-log", "Search the access log"),
            (
                "/access-log?break_glass=yes",
                "Break-glass access to review",
            ),
        ],
        _ => vec![],
    };
    let page = HomePage {
        page: ctx.page("Home", "/"),
        greeting: format!("Hello, {}", ctx.signed.user.display_name),
        role_intro: intro(role),
        tray,
        referrals: referrals
            .into_iter()
            .map(crate::pages::referrals::list_row)
            .collect(),
        children_heading: match role {
            Role::PartnerPractitioner => "Children you work with",
            Role::SocialWorker => "Your children",
            _ => "Records opened most recently",
        },
        children,
        links: links
            .into_iter()
            .chain([("/timescales", "Timescales in force")])
            .collect(),
    };
    render(&page)
}

/// Where a piece of case work is done. An invitation leads to that meeting's record or
/// its report form, not to the child's file (issue 5).
fn case_work_href(w: &together_store::CaseWorkRow) -> String {
    let number = |prefix: &str| {
        w.key
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('-').next())
            .map(str::to_string)
    };
    if let Some(n) = number("invite-strategy-") {
        format!("/cases/{}/record/strategy-{n}", w.case)
    } else if let Some(n) = number("invite-conference-") {
        format!("/cases/{}/report-{n}", w.case)
    } else {
        format!("/cases/{}", w.case)
    }
}
