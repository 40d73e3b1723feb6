//! `GET /v3/openapi.json`: the API's contract, an OpenAPI 3.1 document written by hand in
//! `openapi.json` beside this crate's sources and compiled into the binary, so the document a
//! client reads is the one the tests checked: `tests/openapi.rs` holds it equal to the router's
//! route list and validates every golden answer against it, and `scripts/schemathesis` fuzzes
//! a running `warren demo` with it.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The document, as checked in.
pub const DOCUMENT: &str = include_str!("../openapi.json");

/// `GET /v3/openapi.json`.
pub(crate) async fn document() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT).into_response()
}
