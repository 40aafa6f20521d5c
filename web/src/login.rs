//! `/login` (page and form or JSON post), `/logout` and `/session` (who am I, and my CSRF token).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequest, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::Deserialize;

use crate::auth::{csrf_ok, error};
use crate::stats::bump;
use crate::throttle::Refusal;
use crate::users::ADMIN;
use crate::{ui, AppState};

/// The login body must arrive within this long of the request head.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
pub struct Credentials {
    #[serde(default)]
    username: Option<String>,
    password: String,
}

/// The login page, or straight to the UI when already logged in or when login is off.
pub async fn page(State(s): State<AppState>, req: Request) -> Response {
    if !s.auth.required() || s.auth.session(req.headers()).is_some() {
        return Redirect::to("/").into_response();
    }
    ui::login_page(None, StatusCode::OK)
}

fn client_ip(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

/// Checks the credentials (JSON `{"username","password"}` or an HTML form) and opens a session. JSON callers get
/// 200 with the CSRF token, 401 or 429; form posts get a redirect to the UI or the login page with an error.
///
/// The attempt is counted against the address's budget before argon2 runs, and runs only with a verification
/// permit (one per core, one per address): every refusal is a 429 with `Retry-After` that costs no hashing.
pub async fn login(State(s): State<AppState>, req: Request) -> Response {
    let ip = client_ip(&req);
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let fail = |status: StatusCode, msg: &str| {
        if json {
            error(status, msg)
        } else {
            ui::login_page(Some(msg), status)
        }
    };
    // A 429 that ran no password check, counted by reason.
    let refuse = |why: Option<Refusal>| {
        let (counter, msg, wait) = match why {
            Some(Refusal::Spent(wait)) => (
                &s.web.login_refused_budget,
                "too many failed logins: try again in a minute",
                wait,
            ),
            Some(Refusal::Busy) => (
                &s.web.login_refused_address_busy,
                "a login from this address is being checked: try again in a second",
                1,
            ),
            None => (
                &s.web.login_refused_server_busy,
                "the server is busy checking other logins: try again in a second",
                1,
            ),
        };
        bump(counter);
        let mut r = fail(StatusCode::TOO_MANY_REQUESTS, msg);
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        r
    };
    let Some(users) = s.auth.users.clone() else {
        return fail(
            StatusCode::SERVICE_UNAVAILABLE,
            "password login is not available (no users file); use the API token",
        );
    };
    // A spent budget is refused before the body is even read.
    if let Err(why) = s.auth.limit.check(ip) {
        return refuse(Some(why));
    }
    // The body must come in time: a connection trickling one is busy, and busy connections are never evicted.
    let read = async {
        if json {
            Json::<Credentials>::from_request(req, &s)
                .await
                .map(|Json(c)| c)
                .map_err(|e| e.body_text())
        } else {
            Form::<Credentials>::from_request(req, &s)
                .await
                .map(|Form(c)| c)
                .map_err(|e| e.body_text())
        }
    };
    let creds = match tokio::time::timeout(BODY_TIMEOUT, read).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return fail(StatusCode::BAD_REQUEST, &e),
        Err(_) => {
            return fail(
                StatusCode::REQUEST_TIMEOUT,
                "the login body did not arrive in time",
            )
        }
    };
    let user = creds
        .username
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| ADMIN.into());
    // Every verification slot taken: refused, never queued.
    let Ok(permit) = Arc::clone(&s.auth.verifying).try_acquire_owned() else {
        return refuse(None);
    };
    let attempt = match s.auth.limit.reserve(ip) {
        Ok(a) => a,
        Err(why) => return refuse(Some(why)),
    };
    bump(&s.web.login_verifications);
    let name = user.clone();
    // The permit and the attempt go with the check: if the client leaves, both are held until argon2 is done.
    let checked = tokio::task::spawn_blocking(move || {
        let ok = users.verify(&name, &creds.password);
        drop(permit);
        (ok, attempt)
    })
    .await;
    let Ok((true, attempt)) = checked else {
        return fail(StatusCode::UNAUTHORIZED, "wrong user name or password");
    };
    attempt.succeeded();
    let (id, csrf) = s.auth.sessions.create(&user);
    let mut r = if json {
        Json(serde_json::json!({ "user": user, "csrf_token": csrf })).into_response()
    } else {
        Redirect::to("/").into_response()
    };
    r.headers_mut()
        .insert(header::SET_COOKIE, s.auth.set_cookie(&id));
    r
}

/// Ends the session: needs the session cookie and its `X-CSRF-Token`.
pub async fn logout(State(s): State<AppState>, req: Request) -> Response {
    let Some((id, session)) = s.auth.session(req.headers()) else {
        return error(StatusCode::UNAUTHORIZED, "not logged in");
    };
    if !csrf_ok(req.headers(), &session) {
        return error(StatusCode::FORBIDDEN, "missing or wrong X-CSRF-Token");
    }
    s.auth.sessions.remove(&id);
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, s.auth.clear_cookie());
    r
}

/// The current user and CSRF token, for the UI; 401 when login is on and there is no session.
pub async fn session(State(s): State<AppState>, req: Request) -> Response {
    if !s.auth.required() {
        return Json(serde_json::json!({ "login": false, "user": null, "csrf_token": null }))
            .into_response();
    }
    match s.auth.session(req.headers()) {
        Some((_, sess)) => {
            Json(serde_json::json!({ "login": true, "user": sess.user, "csrf_token": sess.csrf }))
                .into_response()
        }
        None => error(StatusCode::UNAUTHORIZED, "not logged in"),
    }
}
