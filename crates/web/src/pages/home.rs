//! Each role's home page: the work tray (empty until the front door and later issues
//! put work in it), and the ways in to what the role does.

use crate::auth::Signed;
use crate::ctx::{render, Ctx};
use crate::views::Page;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use together_app::rows::{ChildQuery, PersonRow};
use together_app::work_tray::{
    place_from_link, place_to_link, Counted, TrayItem, WorkTray, ITEMS_PER_PAGE,
};
use together_app::AppError;
use together_domain::access::Action;
use together_domain::role::Role;
use together_domain::validate::ValidationErrors;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    greeting: String,
    role_intro: &'static str,
    /// This page of the tray.
    tray: Vec<TrayRow>,
    /// All the work in the tray ("3 items of work are"; `None` if there is none), and
    /// how much of it is overdue ("more than 1,000"; `None` if none is).
    tray_waiting: Option<String>,
    tray_overdue: Option<String>,
    first_page: bool,
    /// The link to the next page of the tray, if there is more.
    later: Option<String>,
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
    urgent: bool,
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

#[derive(serde::Deserialize)]
pub struct HomeQuery {
    /// A later page of the work tray (from the tray's own "Later work" link).
    after: Option<String>,
}

pub async fn home(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HomeQuery>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let role = ctx.signed.caller.role;
    let after = match q.after.as_deref().map(place_from_link) {
        None => None,
        Some(Some(p)) => Some(p),
        Some(None) => {
            return ctx.fail(AppError::Invalid(ValidationErrors::single(
                "after",
                "This link to later work is not one Together made: open your home page again",
            )))
        }
    };
    let first_page = after.is_none();
    // One call, so that the children this page names are logged in one commit.
    let loaded = ctx
        .run(move |app, caller| {
            app.authorize(caller, Action::ViewHome)?;
            let children = match role {
                Role::PartnerPractitioner => app.my_children(caller, None)?,
                Role::SocialWorker => {
                    let mine = app.my_children(caller, Some("allocated"))?;
                    if mine.is_empty() {
                        app.list_children(
                            caller,
                            &ChildQuery {
                                limit: 10,
                                ..Default::default()
                            },
                        )?
                    } else {
                        mine
                    }
                }
                r if r.is_childrens_social_care() => app.list_children(
                    caller,
                    &ChildQuery {
                        limit: 10,
                        ..Default::default()
                    },
                )?,
                _ => Vec::new(),
            };
            let tray = app.work_tray(caller, after.as_ref(), ITEMS_PER_PAGE)?;
            let referrals = if role == Role::PartnerPractitioner {
                app.referrals_for(caller, false, 10)?
            } else {
                Vec::new()
            };
            Ok((children, tray, referrals))
        })
        .await;
    let (children, tray, referrals) = match loaded {
        Ok(w) => w,
        Err(e) => return ctx.fail(e),
    };
    let WorkTray { items, count, next } = tray;
    let tray: Vec<TrayRow> = items.into_iter().map(tray_row).collect();
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
        tray_waiting: waiting(count.total),
        tray_overdue: (!count.overdue.is_zero()).then(|| how_many(count.overdue)),
        first_page,
        later: next.as_ref().map(place_to_link),
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

/// A tray item as the home page lists it: whatever the process, its title, what it is
/// about, when it is due and where it is done.
fn tray_row(item: TrayItem) -> TrayRow {
    TrayRow {
        due: item
            .due
            .as_ref()
            .map(crate::pages::referrals::due_label)
            .unwrap_or_default(),
        href: item.work.link,
        overdue: item.overdue,
        urgent: item.work.urgent,
        title: item.work.title,
        summary: item.work.summary,
    }
}

/// "1,234", or "more than 1,000" past the bound the tray counts to.
fn how_many(c: Counted) -> String {
    match c {
        Counted::Exactly(n) => crate::views::count(&n),
        Counted::MoreThan(n) => format!("more than {}", crate::views::count(&n)),
    }
}

/// The tray's sentence up to "waiting for you": `None` when nothing is.
fn waiting(total: Counted) -> Option<String> {
    match total {
        Counted::Exactly(0) => None,
        Counted::Exactly(1) => Some("1 item of work is".into()),
        Counted::Exactly(_) => Some(format!("{} items of work are", how_many(total))),
        Counted::MoreThan(n) => Some(format!(
            "More than {} items of work are",
            crate::views::count(&n)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tray_says_how_much_is_waiting_up_to_its_bound() {
        assert_eq!(waiting(Counted::Exactly(0)), None);
        assert_eq!(waiting(Counted::Exactly(1)).unwrap(), "1 item of work is");
        assert_eq!(
            waiting(Counted::Exactly(1_000)).unwrap(),
            "1,000 items of work are"
        );
        assert_eq!(
            waiting(Counted::MoreThan(1_000)).unwrap(),
            "More than 1,000 items of work are"
        );
        assert_eq!(how_many(Counted::MoreThan(1_000)), "more than 1,000");
        assert_eq!(how_many(Counted::Exactly(6_990)), "6,990");
    }
}
