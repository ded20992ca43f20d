//! Threshold decision support (issue 3; Northamptonshire continuum of need,
//! NSCP 001 §4 and Appendices 1–2): tick what was seen, get a suggested level and,
//! when any section 47 indicator is ticked, a plain statement that a strategy
//! discussion is required. The page suggests; people decide.

use crate::auth::Signed;
use crate::ctx::{render, Ctx};
use crate::views::Page;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use together_domain::access::Action;
use together_domain::threshold::{assess, ThresholdModel, ThresholdSuggestion};

pub struct Tick {
    pub id: String,
    pub text: String,
    pub s47: bool,
    pub ticked: bool,
}

pub struct LevelGroup {
    pub number: u8,
    pub name: String,
    pub indicators: Vec<Tick>,
}

pub struct DomainGroup {
    pub name: String,
    pub ticked: usize,
    pub open: bool,
    pub levels: Vec<LevelGroup>,
}

/// The model's indicators grouped by domain and level, and its section 47 list, each
/// ticked as in `ticked`: shared by this page and the decision form.
pub fn tick_groups(m: &ThresholdModel, ticked: &[String]) -> (Vec<DomainGroup>, Vec<Tick>) {
    let is_ticked = |id: &str| ticked.iter().any(|t| t == id);
    let mut domains = Vec::new();
    for d in &m.domains {
        let levels: Vec<LevelGroup> = m
            .levels
            .iter()
            .map(|l| LevelGroup {
                number: l.number,
                name: l.name.clone(),
                indicators: m
                    .indicators_in(&d.id, l.number)
                    .map(|i| Tick {
                        id: i.id.clone(),
                        text: i.text.clone(),
                        s47: i.s47,
                        ticked: is_ticked(&i.id),
                    })
                    .collect(),
            })
            .filter(|g| !g.indicators.is_empty())
            .collect();
        let n = levels
            .iter()
            .flat_map(|l| &l.indicators)
            .filter(|i| i.ticked)
            .count();
        domains.push(DomainGroup {
            name: d.name.clone(),
            ticked: n,
            open: n > 0,
            levels,
        });
    }
    let s47 = m
        .s47_list
        .iter()
        .map(|i| Tick {
            id: i.id.clone(),
            text: i.text.clone(),
            s47: true,
            ticked: is_ticked(&i.id),
        })
        .collect();
    (domains, s47)
}

#[derive(Template)]
#[template(path = "threshold.html")]
struct ThresholdPage {
    page: Page,
    model: Option<ThresholdModel>,
    suggestion: Option<ThresholdSuggestion>,
    message_lines: Vec<String>,
    error: Option<String>,
    domains: Vec<DomainGroup>,
    s47_items: Vec<Tick>,
    s47_open: bool,
}

pub async fn support(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    if let Err(e) = ctx
        .run(|app, caller| app.authorize(caller, Action::ViewHome))
        .await
    {
        return ctx.fail(e);
    }
    let model = ctx.state.app.profile.threshold.clone();
    let ticked: Vec<String> = q
        .into_iter()
        .filter(|(k, _)| k == "ind")
        .map(|(_, v)| v)
        .collect();
    let (mut suggestion, mut error) = (None, None);
    let mut domains = Vec::new();
    let mut s47_items = Vec::new();
    if let Some(m) = &model {
        if !ticked.is_empty() {
            let refs: Vec<&str> = ticked.iter().map(String::as_str).collect();
            match assess(m, &refs) {
                Ok(s) => suggestion = Some(s),
                Err(u) => {
                    error = Some(format!(
                        "“{}” is not an indicator of this model: untick it and try again",
                        u.0
                    ))
                }
            }
        }
        (domains, s47_items) = tick_groups(m, &ticked);
    }
    let s47_open = s47_items.iter().any(|i| i.ticked);
    let message_lines = suggestion
        .as_ref()
        .map(|s| s.message.lines().map(String::from).collect())
        .unwrap_or_default();
    render(&ThresholdPage {
        page: ctx.page("Threshold decision support", "/threshold"),
        model,
        suggestion,
        message_lines,
        error,
        domains,
        s47_items,
        s47_open,
    })
}
