//! The pages every kernel process gets (issue 15): a process's pages module declares
//! its forms with the form kit and implements `ProcessPages`; the list, the start form,
//! the process's page and one handler pair for all its forms are generic. Shown here
//! with the kernel's worked example (`together_domain::process_example`), mounted the
//! way a registered process is.

mod common;

use axum::http::StatusCode;
use common::{TestApp, METRICS_TOKEN};
use together_app::process::ProcessView;
use together_app::{App, AppError, Caller};
use together_domain::ids::PersonId;
use together_domain::process::Process;
use together_domain::process_example::{Command, ConcernNotice};
use together_domain::role::Role;
use together_domain::validate::ValidationErrors;
use together_web::form_kit::{f, Kind, Spec};
use together_web::forms::FormData;
use together_web::process_pages::{routes, ProcessPages};
use together_web::AppState;

struct NoticePages;

impl ProcessPages for NoticePages {
    type P = ConcernNotice;
    const PATH: &'static str = "concern-notices";
    const NAME: &'static str = "Concern notice";

    fn start_form(_: &App, _: &Caller) -> Result<Spec, AppError> {
        Ok(Spec {
            heading: "Tell children's social care of a concern".into(),
            intro: String::new(),
            fields: vec![
                f("child", "The child's record id", "", Kind::Text),
                f("concern", "What is the concern?", "", Kind::Textarea),
            ],
            submit: "Send".into(),
        })
    }

    fn start_command(_: &App, _: &Caller, form: &FormData) -> Result<Command, ValidationErrors> {
        let child = form
            .get("child")
            .parse::<PersonId>()
            .map_err(|_| ValidationErrors::single("child", "Enter the record id"))?;
        Ok(Command::Raise {
            child,
            concern: form.get("concern").to_string(),
        })
    }

    fn forms(view: &ProcessView<ConcernNotice>, caller: &Caller) -> Vec<(String, String)> {
        if caller.role == Role::PracticeSupervisor && !view.state.acknowledged {
            vec![("acknowledge".into(), "Acknowledge the concern".into())]
        } else {
            vec![]
        }
    }

    fn form(_: &App, _: &ProcessView<ConcernNotice>, name: &str) -> Option<Spec> {
        (name == "acknowledge").then(|| Spec {
            heading: "Acknowledge the concern".into(),
            intro: "The partner who raised it sees that it was acknowledged.".into(),
            fields: vec![],
            submit: "Acknowledge".into(),
        })
    }

    fn command(
        _: &App,
        _: &ProcessView<ConcernNotice>,
        _: &Caller,
        name: &str,
        _: &FormData,
    ) -> Result<Command, ValidationErrors> {
        match name {
            "acknowledge" => Ok(Command::Acknowledge),
            _ => Err(ValidationErrors::single("form", "No such form")),
        }
    }

    fn summary(view: &ProcessView<ConcernNotice>) -> Vec<(String, String)> {
        vec![("Stage".into(), ConcernNotice::stage(&view.state))]
    }
}

#[tokio::test]
async fn a_process_gets_its_pages_forms_and_tray_from_the_kernel() {
    let mut ta = TestApp::start().await;
    ta.router = together_web::router_with(
        AppState {
            app: ta.app.clone(),
            metrics: ta.metrics.clone(),
            https: false,
            metrics_token: Some(METRICS_TOKEN.into()),
            trusted_proxies: Vec::new(),
        },
        routes::<NoticePages>(),
    );
    let child = ta.child(0).to_string();
    let mut school = ta.signed_in("school").await;

    // The start form, and a refusal next to its field with the entries kept.
    let r = school.get("/concern-notices/new").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("What is the concern?"));
    let r = school
        .post_csrf(
            "/concern-notices/new",
            &[("child", child.as_str()), ("concern", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("concern-error"), "{}", r.body);
    assert!(r.body.contains(&child), "the entries are kept");

    let r = school
        .post_csrf(
            "/concern-notices/new",
            &[
                ("child", child.as_str()),
                ("concern", "Bruising at drop-off"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location().to_string();
    assert!(page.starts_with("/concern-notices/"));
    let r = school.get(&page).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Concern notice: raised"));
    assert!(
        r.body.contains("shared with your agency"),
        "the partner who raised it sees it as shared"
    );
    assert!(
        !r.body.contains("Acknowledge the concern"),
        "not theirs to do"
    );
    let r = school.get(&format!("{page}/acknowledge")).await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "a form not offered is not there"
    );
    let r = school.post_csrf(&format!("{page}/acknowledge"), &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        school.get("/concern-notices").await.status,
        StatusCode::FORBIDDEN,
        "only those who hold these records list them"
    );

    // Another partner: nothing.
    let mut police = ta.signed_in("police").await;
    assert_eq!(police.get(&page).await.status, StatusCode::FORBIDDEN);

    // The supervisors' tray holds its work, linked to its page.
    let mut sup = ta.signed_in("supervisor").await;
    let home = sup.get("/").await;
    assert!(home.body.contains("Acknowledge the concern"), "in the tray");
    assert!(home.body.contains(&format!("href=\"{page}\"")));
    let list = sup.get("/concern-notices").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&page));
    let form = sup.get(&format!("{page}/acknowledge")).await;
    assert_eq!(form.status, StatusCode::OK);
    let r = sup.post_csrf(&format!("{page}/acknowledge"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = sup.get(&page).await;
    assert!(r.body.contains("Concern notice: acknowledged"));
    assert!(r.body.contains("Concern acknowledged"), "its history");
    assert!(!sup.get("/").await.body.contains("Acknowledge the concern"));
}
