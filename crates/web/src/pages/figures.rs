//! Figures for managers (WT2026 ¶113) and the Children in Need census for the
//! partnership manager: tables with their definitions, accessible SVG charts with the
//! numbers beside them, CSV downloads (small numbers suppressed), and the census
//! return with Together's own checks before export.

use crate::auth::Signed;
use crate::ctx::{render, Ctx};
use crate::views::Page;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use together_app::figures::{Figures, Table};
use together_app::AppError;
use together_domain::ids::TeamId;
use together_returns::census::{la_child_id, CollectionYear};

#[derive(serde::Deserialize, Default)]
pub struct Params {
    #[serde(default)]
    year: String,
    #[serde(default)]
    team: String,
}

/// The year asked for, or the one today is in; a page saying why if it is not one.
fn year_of(ctx: &Ctx, p: &Params) -> Result<CollectionYear, Response> {
    if p.year.trim().is_empty() {
        return Ok(CollectionYear::containing(ctx.state.app.today()));
    }
    CollectionYear::parse(&p.year)
        .map_err(|m| ctx.error_page(StatusCode::BAD_REQUEST, "That is not a collection year", &m))
}

/// One bar of a chart: its label, value, and geometry.
struct Bar {
    label: String,
    value: u64,
    y: u32,
    width: u32,
}

struct Chart {
    id: String,
    title: String,
    bars: Vec<Bar>,
    height: u32,
}

/// A horizontal bar chart of the table's first column (the numbers are in the table
/// beside it; the SVG has a title and description for screen readers).
fn chart(t: &Table) -> Chart {
    let max = t
        .rows
        .iter()
        .map(|r| r.1.first().copied().unwrap_or(0))
        .max()
        .unwrap_or(0)
        .max(1);
    let bars = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, (label, v))| {
            let value = v.first().copied().unwrap_or(0);
            Bar {
                label: label.clone(),
                value,
                y: i as u32 * 28 + 4,
                width: (value * 240 / max) as u32,
            }
        })
        .collect::<Vec<_>>();
    Chart {
        id: t.id.to_string(),
        title: t.title.to_string(),
        height: bars.len() as u32 * 28 + 8,
        bars,
    }
}

#[derive(Template)]
#[template(path = "figures.html")]
struct FiguresPage {
    page: Page,
    year: String,
    years: Vec<String>,
    team: String,
    teams: Vec<(String, String)>,
    figures: Figures,
    charts: Vec<Chart>,
    query: String,
    as_at: String,
}

fn years_around(y: CollectionYear) -> Vec<String> {
    (0..6)
        .map(|i| CollectionYear { first: y.first - i }.label())
        .collect()
}

pub async fn view(
    State(state): State<AppState>,
    signed: Signed,
    Query(p): Query<Params>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let year = match year_of(&ctx, &p) {
        Ok(y) => y,
        Err(r) => return r,
    };
    let team = p.team.parse::<TeamId>().ok();
    match ctx
        .run(move |app, caller| app.figures(caller, year, team))
        .await
    {
        Ok(figures) => {
            let charts = figures.tables.iter().map(chart).collect();
            let query = format!(
                "year={}{}",
                year.label(),
                team.map(|t| format!("&team={t}")).unwrap_or_default()
            );
            render(&FiguresPage {
                page: ctx.page("Timeliness and effectiveness", "/figures"),
                year: year.label(),
                years: years_around(CollectionYear::containing(ctx.state.app.today())),
                team: team.map(|t| t.to_string()).unwrap_or_default(),
                teams: figures
                    .teams
                    .iter()
                    .map(|(id, n)| (id.to_string(), n.clone()))
                    .collect(),
                charts,
                query,
                as_at: crate::views::long_timestamp(&together_domain::event::format_timestamp(
                    figures.as_at,
                )),
                figures,
            })
        }
        Err(e) => ctx.fail(e),
    }
}

/// One table as CSV, counts under 5 suppressed.
pub async fn csv(
    State(state): State<AppState>,
    signed: Signed,
    Path(table): Path<String>,
    Query(p): Query<Params>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let year = match year_of(&ctx, &p) {
        Ok(y) => y,
        Err(r) => return r,
    };
    let team = p.team.parse::<TeamId>().ok();
    let id = table.trim_end_matches(".csv").to_string();
    match ctx
        .run(move |app, caller| app.figures(caller, year, team))
        .await
    {
        Ok(f) => match f.tables.iter().find(|t| t.id == id) {
            Some(t) => (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{}-{}.csv\"", t.id, year.label()),
                    ),
                ],
                t.csv(),
            )
                .into_response(),
            None => ctx.fail(AppError::NotFound),
        },
        Err(e) => ctx.fail(e),
    }
}

struct ProblemRow {
    census_id: String,
    blocks: bool,
    message: String,
    href: String,
}

#[derive(Template)]
#[template(path = "census.html")]
struct CensusPage {
    page: Page,
    year: String,
    years: Vec<String>,
    children: usize,
    withheld: usize,
    problems: Vec<ProblemRow>,
    la_code: String,
}

pub async fn census(
    State(state): State<AppState>,
    signed: Signed,
    Query(p): Query<Params>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let year = match year_of(&ctx, &p) {
        Ok(y) => y,
        Err(r) => return r,
    };
    match ctx.run(move |app, caller| app.census(caller, year)).await {
        Ok(r) => {
            let withheld = r.withheld().len();
            let mut problems: Vec<ProblemRow> = r
                .problems
                .iter()
                .map(|p| ProblemRow {
                    census_id: la_child_id(p.child),
                    blocks: p.blocks,
                    message: p.message.clone(),
                    href: p.fix.href(),
                })
                .collect();
            problems.sort_by(|a, b| b.blocks.cmp(&a.blocks).then(a.census_id.cmp(&b.census_id)));
            render(&CensusPage {
                page: ctx.page("Children in Need census", "/returns/census"),
                year: year.label(),
                years: years_around(CollectionYear::containing(ctx.state.app.today())),
                children: r.children.len(),
                withheld,
                problems,
                la_code: ctx.state.app.profile.la_code.clone().unwrap_or_default(),
            })
        }
        Err(e) => ctx.fail(e),
    }
}

/// The return itself, in the DfE's XML layout.
pub async fn census_xml(
    State(state): State<AppState>,
    signed: Signed,
    Query(p): Query<Params>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let year = match year_of(&ctx, &p) {
        Ok(y) => y,
        Err(r) => return r,
    };
    match ctx
        .run(move |app, caller| app.census_xml(caller, year, None))
        .await
    {
        Ok((_, xml)) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/xml; charset=utf-8".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"cin-census-{}.xml\"", year.label()),
                ),
            ],
            xml,
        )
            .into_response(),
        Err(e) => ctx.fail(e),
    }
}
