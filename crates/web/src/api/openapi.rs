//! The OpenAPI document for `/api/v1`, served at `/api/v1/openapi.json` (issue 15).
//! Generated: each operation from its handler's `#[utoipa::path]`, each schema from
//! the Rust type the handler reads or answers with ([`super::bodies`], the domain's
//! inputs). Here only what is common to every operation: the title, the bearer token,
//! and the problem+json answers every call may give.

use crate::problem::Problem;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Doc, Ref, RefOr, ResponseBuilder};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Together API",
        version = "1.0.0",
        description = "For partner agencies' systems in a local safeguarding children partnership. Every call carries a bearer token bound to an agency, goes through the same access decision as the web pages, and is logged. Errors are RFC 9457 problem details naming the field at fault.",
    ),
    servers((url = "/api/v1")),
    security(("bearer" = [])),
    components(schemas(Problem)),
)]
pub struct ApiDoc;

/// The answers every operation may give besides its own (RFC 9457 problem details).
const PROBLEMS: [(&str, &str); 5] = [
    ("401", "No valid bearer token"),
    ("403", "The token's agency may not do this"),
    ("404", "No such thing, or not one the caller may know of"),
    ("409", "Not in a state that allows this"),
    (
        "422",
        "A field cannot be accepted: `errors` names it and says why",
    ),
];

/// ...and those only an operation with a body may give.
const BODY_PROBLEMS: [(&str, &str); 2] = [
    ("413", "The body is too large"),
    ("415", "The body is not application/json"),
];

/// Add the bearer scheme and the problem answers to the generated document.
pub fn finish(doc: &mut Doc) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            add_problems(op);
        }
    }
}

fn add_problems(op: &mut Operation) {
    let has_body = op.request_body.is_some();
    let extra = if has_body { &BODY_PROBLEMS[..] } else { &[] };
    for (status, why) in PROBLEMS.iter().chain(extra) {
        op.responses
            .responses
            .entry((*status).to_string())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(*why)
                        .content(
                            "application/problem+json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("Problem")))
                                .build(),
                        )
                        .build(),
                )
            });
    }
}
