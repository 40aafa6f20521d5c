//! `/api/v1/openapi.json`: the API's OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`
//! attributes and the snapshot types' `ToSchema` derives.
//!
//! Served without authentication: it describes the routes and their types, never data, and tools (Swagger UI,
//! client generators) can fetch it before they hold a token.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{api, events, historical, inventory};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "xntop REST API",
        description = "JSON views of xntop's live snapshot. Every route needs `Authorization: Bearer <token>` \
                       (the API token) or the `xntop_session` cookie of a password login."
    ),
    paths(
        api::interfaces,
        api::hosts,
        api::host,
        api::flows,
        api::applications,
        api::timeseries,
        api::summary,
        inventory::countries,
        inventory::asns,
        inventory::networks,
        inventory::vlans,
        inventory::matrix,
        inventory::devices,
        inventory::device,
        events::events,
        historical::flows,
        historical::top,
        historical::timeseries,
        historical::bounds,
        openapi_json,
    ),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "view", description = "The aggregator's snapshot, refreshed every second"),
        (name = "push", description = "Server-Sent Events"),
        (name = "history", description = "The flow history on disk: flows, top-N and series over a time range"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// The bearer token and the session cookie.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The API token (--api-token, or <data dir>/api-token)"))
                    .build(),
            ),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::COOKIE,
                "Session of a password login (POST /login); state-changing requests also need X-CSRF-Token",
            ))),
        );
    }
}

static DOC: LazyLock<String> =
    LazyLock::new(|| ApiDoc::openapi().to_pretty_json().unwrap_or_default());

/// This document (no authentication needed).
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", security(()),
    responses((status = 200, content_type = "application/json", body = Object, description = "OpenAPI 3.1")))]
pub async fn openapi_json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], DOC.as_str()).into_response()
}
