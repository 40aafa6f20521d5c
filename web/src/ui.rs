//! The browser UI: a single page and its scripts, styles and the vendored chart library, all embedded in the
//! binary (no CDN, nothing read from disk at run time).

use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::AppState;

/// One embedded file under `/assets/`.
struct Asset {
    path: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $mime:expr) => {
        Asset {
            path: $path,
            mime: $mime,
            body: include_bytes!(concat!("../assets/", $path)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

static ASSETS: &[Asset] = &[
    asset!("app.css", CSS),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("js/app.js", JS),
    asset!("js/api.js", JS),
    asset!("js/format.js", JS),
    asset!("js/table.js", JS),
    asset!("js/charts.js", JS),
    asset!("js/dashboard.js", JS),
    asset!("js/flows.js", JS),
    asset!("js/hosts.js", JS),
    asset!("js/host.js", JS),
    asset!("js/applications.js", JS),
    asset!("js/interfaces.js", JS),
    asset!("js/history.js", JS),
    asset!("js/devices.js", JS),
    asset!("js/device.js", JS),
    asset!("js/geo.js", JS),
    asset!("js/matrix.js", JS),
    asset!("js/networks.js", JS),
    asset!("vendor/uplot/uPlot.iife.min.js", JS),
    asset!("vendor/uplot/uPlot.min.css", CSS),
];

static INDEX: &str = include_str!("../assets/index.html");
static LOGIN: &str = include_str!("../assets/login.html");

/// `/assets/{*path}`.
pub async fn asset(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.path == path) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.mime),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            a.body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}

/// `/favicon.ico`, which browsers ask for on their own.
pub async fn favicon() -> Response {
    asset(Path("favicon.svg".into())).await
}

/// `/`: the single page, or the login page when login is on and there is no session.
pub async fn index(State(s): State<AppState>, req: Request) -> Response {
    if s.auth.required() && s.auth.session(req.headers()).is_none() {
        return Redirect::to("/login").into_response();
    }
    ([(header::CACHE_CONTROL, "no-store")], Html(INDEX)).into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The login page, with an error message when a form login failed.
pub fn login_page(error: Option<&str>, status: StatusCode) -> Response {
    let body = match error {
        Some(e) => LOGIN.replace(
            "<!--error-->",
            &format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)),
        ),
        None => LOGIN.to_string(),
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_have_types_and_bodies() {
        for a in ASSETS {
            assert!(!a.body.is_empty(), "{}", a.path);
            let js = a.path.ends_with(".js");
            assert_eq!(js, a.mime == JS, "{}", a.path);
            assert_eq!(a.path.ends_with(".css"), a.mime == CSS, "{}", a.path);
        }
        assert!(INDEX.contains("/assets/js/app.js"));
        assert!(LOGIN.contains("<!--error-->"));
    }
}
