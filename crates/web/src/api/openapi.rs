//! The OpenAPI document for `/api/v1`, served at `/api/v1/openapi.json`. Written by
//! hand beside the handlers; the web tests check every documented path answers.

use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

pub fn spec() -> Value {
    let problem = json!({ "$ref": "#/components/responses/Problem" });
    let std_errors = json!({
        "401": problem, "403": problem, "404": problem, "413": problem, "415": problem, "422": problem
    });
    let with = |ok: (&str, Value)| {
        let mut m = std_errors.as_object().cloned().unwrap_or_default();
        m.insert(ok.0.to_string(), ok.1);
        Value::Object(m)
    };
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Together API",
            "version": "1.0.0",
            "description": "For partner agencies' systems in a local safeguarding children partnership. Every call carries a bearer token bound to an agency, goes through the same access decision as the web pages, and is logged. Errors are RFC 9457 problem details naming the field at fault."
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }],
        "paths": {
            "/children": {
                "post": {
                    "operationId": "openChildRecord",
                    "summary": "Open a child's record (children's social care systems only)",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PersonInput" } } } },
                    "responses": with(("201", json!({ "description": "The record, opened", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Child" } } } })))
                }
            },
            "/children/{id}": {
                "get": {
                    "operationId": "getChild",
                    "summary": "A child's record, as far as the caller may see it",
                    "parameters": [{ "$ref": "#/components/parameters/ChildId" }],
                    "responses": with(("200", json!({ "description": "The record", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Child" } } } })))
                }
            },
            "/children/{id}/case-notes": {
                "post": {
                    "operationId": "addCaseNote",
                    "summary": "Add a case note to a child's record",
                    "parameters": [{ "$ref": "#/components/parameters/ChildId" }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CaseNoteInput" } } } },
                    "responses": with(("201", json!({ "description": "The note's event id", "content": { "application/json": { "schema": { "type": "object", "required": ["id", "child"], "properties": { "id": { "type": "string", "format": "uuid" }, "child": { "type": "string", "format": "uuid" } } } } } })))
                }
            },
            "/referrals": {
                "post": {
                    "operationId": "submitReferral",
                    "summary": "Refer a child to children's social care (WT2026 ¶163–¶164). Send an Idempotency-Key header so that a retry returns the same referral (200) rather than a second one",
                    "parameters": [{ "name": "Idempotency-Key", "in": "header", "required": false, "schema": { "type": "string", "maxLength": 200 } }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "description": "ReferralInput: referrer, children, family, concern, consent, immediate_risk, immediate_risk_details, prior_assessment, signs_of_safety; every value a string as on the form (see docs/decisions.md); unknown fields are refused" } } } },
                    "responses": with(("201", json!({ "description": "The referral, received, with its acknowledgement and the decision's due date (200 when the idempotency key was seen before)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Referral" } } } })))
                },
                "get": {
                    "operationId": "listMyReferrals",
                    "summary": "The referrals this agency system sent, newest first",
                    "responses": with(("200", json!({ "description": "Referrals", "content": { "application/json": { "schema": { "type": "object", "properties": { "referrals": { "type": "array", "items": { "type": "object" } } } } } } })))
                }
            },
            "/referrals/{id}": {
                "get": {
                    "operationId": "getReferral",
                    "summary": "A referral and its outcome: the decision and, where the threshold is not met, the reasons and other support suggested (WT2026 ¶165)",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }],
                    "responses": with(("200", json!({ "description": "The referral", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Referral" } } } })))
                }
            },
            "/actions": {
                "get": {
                    "operationId": "listActions",
                    "summary": "Plan actions owned by this agency's practitioners (Family Help and child in need plans), soonest due first",
                    "parameters": [{ "name": "open", "in": "query", "required": false, "schema": { "type": "boolean" }, "description": "Only actions not yet done" }],
                    "responses": with(("200", json!({ "description": "Actions", "content": { "application/json": { "schema": { "type": "object", "properties": { "actions": { "type": "array", "items": { "type": "object", "properties": {
                        "case": { "type": "string", "format": "uuid" }, "child": { "type": "string", "format": "uuid" }, "plan": { "type": "integer" }, "plan_kind": { "type": "string", "enum": ["family-help", "child-in-need"] },
                        "number": { "type": "integer" }, "what": { "type": "string" }, "owner": { "type": "string" }, "owner_user": { "type": ["string", "null"], "format": "uuid" },
                        "due_by": { "type": "string", "format": "date" }, "done_on": { "type": ["string", "null"], "format": "date" } } } } } } } } })))
                }
            },
            "/cases/{id}/actions/{n}/done": {
                "post": {
                    "operationId": "recordActionDone",
                    "summary": "Record that this agency's practitioner did an action of the plan",
                    "parameters": [
                        { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } },
                        { "name": "n", "in": "path", "required": true, "schema": { "type": "integer", "minimum": 1 } }
                    ],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "additionalProperties": false, "properties": { "on": { "type": "string", "format": "date" }, "note": { "type": "string" } } } } } },
                    "responses": with(("200", json!({ "description": "Recorded", "content": { "application/json": { "schema": { "type": "object", "properties": { "case": { "type": "string" }, "number": { "type": "integer" }, "done_on": { "type": "string", "format": "date" } } } } } })))
                }
            },
            "/invitations": {
                "get": {
                    "operationId": "listInvitations",
                    "summary": "Strategy discussions and conferences this agency's practitioners are invited to",
                    "responses": with(("200", json!({ "description": "Invitations", "content": { "application/json": { "schema": { "type": "object", "properties": { "invitations": { "type": "array", "items": { "type": "object", "properties": {
                        "case": { "type": "string", "format": "uuid" }, "meeting": { "type": "string", "enum": ["strategy", "conference"] }, "number": { "type": "integer" },
                        "invitee": { "type": "string", "format": "uuid" }, "what": { "type": "string" }, "due": { "type": "object" } } } } } } } } })))
                }
            },
            "/work": {
                "get": {
                    "operationId": "listWork",
                    "summary": "The open work this agency's practitioners owe, of every process (referrals, cases and every process of the kernel's), soonest overdue first, each due by a rule of the partnership's profile",
                    "parameters": [{ "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 500, "default": 200 } }],
                    "responses": with(("200", json!({ "description": "Work", "content": { "application/json": { "schema": { "type": "object", "required": ["work"], "properties": { "work": { "type": "array", "items": { "type": "object",
                        "required": ["process", "id", "key", "what", "due", "overdue", "citation", "link"],
                        "properties": {
                        "process": { "type": "string", "description": "The process's kind: referral, case, ..." }, "id": { "type": "string", "format": "uuid" },
                        "key": { "type": "string" }, "owner": { "type": ["string", "null"], "format": "uuid" }, "child": { "type": ["string", "null"], "format": "uuid" },
                        "what": { "type": "string" }, "due": { "type": "object" }, "overdue": { "type": "boolean" },
                        "rule": { "type": ["string", "null"] }, "citation": { "type": "string" }, "link": { "type": "string" } } } } } } } } })))
                }
            },
            "/cases/{id}/conferences/{n}/reports": {
                "post": {
                    "operationId": "submitConferenceReport",
                    "summary": "An invited practitioner's report for a child protection conference, and whether it may be shared with the parents (WT2026 003 L1828)",
                    "parameters": [
                        { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } },
                        { "name": "n", "in": "path", "required": true, "schema": { "type": "integer", "minimum": 1 } }
                    ],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "additionalProperties": false, "required": ["author", "summary", "share_with_parents"], "properties": {
                        "author": { "type": "string", "format": "uuid", "description": "The invited practitioner (a user of this agency)" }, "summary": { "type": "string" }, "share_with_parents": { "type": "boolean" }, "reason_not_shared": { "type": "string" } } } } } },
                    "responses": with(("201", json!({ "description": "Received" })))
                }
            },
            "/cases/{id}/strategy-discussions/{n}": {
                "get": {
                    "operationId": "getStrategyDiscussion",
                    "summary": "The record of a strategy discussion, for the agency's practitioner who was invited (not the child's file)",
                    "parameters": [
                        { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } },
                        { "name": "n", "in": "path", "required": true, "schema": { "type": "integer", "minimum": 1 } },
                        { "name": "for", "in": "query", "required": true, "schema": { "type": "string", "format": "uuid" }, "description": "The invited practitioner" }
                    ],
                    "responses": with(("200", json!({ "description": "The record", "content": { "application/json": { "schema": { "type": "object" } } } })))
                }
            },
            "/timescales": {
                "get": {
                    "operationId": "listTimescales",
                    "summary": "The timescales in force, with their citations",
                    "responses": with(("200", json!({ "description": "Rules", "content": { "application/json": { "schema": { "type": "object", "properties": { "profile": { "type": "string" }, "rules": { "type": "array", "items": { "type": "object" } } } } } } })))
                }
            },
            "/timescales/{id}/due": {
                "get": {
                    "operationId": "dueDate",
                    "summary": "When a timescale falls due for a start date or date-time",
                    "parameters": [
                        { "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "example": "icpc" },
                        { "name": "from", "in": "query", "required": true, "schema": { "type": "string" }, "example": "2026-12-24", "description": "YYYY-MM-DD, or YYYY-MM-DDTHH:MM for hour rules" }
                    ],
                    "responses": with(("200", json!({ "description": "The due date", "content": { "application/json": { "schema": { "type": "object", "properties": { "rule": { "type": "string" }, "from": { "type": "string" }, "due": { "type": "string" }, "citation": { "type": "string" } } } } } })))
                }
            },
            "/calendar/bank-holidays": {
                "get": {
                    "operationId": "bankHolidays",
                    "summary": "Bank holidays in England and Wales for a year, with proclamations",
                    "parameters": [{ "name": "year", "in": "query", "required": true, "schema": { "type": "integer", "minimum": 1990, "maximum": 2100 } }],
                    "responses": with(("200", json!({ "description": "Bank holidays", "content": { "application/json": { "schema": { "type": "object", "properties": { "year": { "type": "integer" }, "bank_holidays": { "type": "array", "items": { "type": "object", "properties": { "date": { "type": "string", "format": "date" }, "name": { "type": "string" } } } } } } } } })))
                }
            }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "parameters": {
                "ChildId": { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }
            },
            "responses": {
                "Problem": { "description": "A problem (RFC 9457)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
            },
            "schemas": {
                "Referral": {
                    "type": "object",
                    "required": ["id", "received_at", "stage", "acknowledgement", "decision"],
                    "properties": {
                        "id": { "type": "string", "format": "uuid" },
                        "received_at": { "type": "string" },
                        "channel": { "type": "string" },
                        "stage": { "type": "string", "enum": ["received", "acknowledged", "recommended", "decided", "escalated", "escalation-answered"] },
                        "children": { "type": "string" },
                        "repeat_referral": { "type": "boolean" },
                        "acknowledgement": { "type": "object" },
                        "decision": { "type": "object" },
                        "escalations": { "type": "array", "items": { "type": "object" } },
                        "may_chase_from": { "type": "string" }
                    }
                },
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status", "request_id"],
                    "properties": {
                        "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
                        "detail": { "type": "string" }, "request_id": { "type": "string" },
                        "errors": { "type": "array", "items": { "type": "object", "required": ["field", "message"], "properties": { "field": { "type": "string" }, "message": { "type": "string" } } } }
                    }
                },
                "PersonInput": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["kind", "given_name", "family_name", "sex"],
                    "properties": {
                        "kind": { "type": "string", "enum": ["child", "unborn-child"] },
                        "given_name": { "type": "string", "maxLength": 100 },
                        "family_name": { "type": "string", "maxLength": 100 },
                        "date_of_birth": { "type": "string", "format": "date", "description": "Required for a born child; not in the future" },
                        "expected_date_of_delivery": { "type": "string", "format": "date", "description": "Required for an unborn child" },
                        "sex": { "type": "string", "enum": ["female", "male", "unknown"] },
                        "nhs_number": { "type": "string", "description": "10 digits with a valid modulus 11 check digit" },
                        "postcode": { "type": "string" }
                    }
                },
                "CaseNoteInput": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["title", "text"],
                    "properties": {
                        "title": { "type": "string", "maxLength": 200 },
                        "text": { "type": "string", "maxLength": 20000 },
                        "effective_date": { "type": "string", "format": "date" },
                        "shared_with_partners": { "type": "boolean" }
                    }
                },
                "Child": {
                    "type": "object",
                    "properties": {
                        "id": { "type": "string", "format": "uuid" }, "kind": { "type": "string" },
                        "given_name": { "type": "string" }, "family_name": { "type": "string" },
                        "date_of_birth": { "type": ["string", "null"] }, "expected_date_of_delivery": { "type": ["string", "null"] },
                        "sex": { "type": "string" }, "nhs_number": { "type": ["string", "null"] }, "restricted": { "type": "boolean" },
                        "scope": { "type": "string", "enum": ["full", "shared-only"] }, "withheld_entries": { "type": "integer" },
                        "chronology": { "type": "array", "items": { "type": "object" } }
                    }
                }
            }
        }
    })
}

pub async fn document() -> Response {
    Json(spec()).into_response()
}
