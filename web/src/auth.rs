//! Who may call what: the bearer token or a session cookie on `/api` and `/metrics`, CSRF tokens on
//! state-changing requests made with a cookie, and a same-origin check on every state-changing request.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::sessions::{Session, Sessions, IDLE};
use crate::throttle::LoginLimit;
use crate::users::Users;
use crate::AppState;

/// The session cookie's name.
pub const COOKIE: &str = "xntop_session";
/// The header carrying the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Password verifications (argon2, ~19 MiB and one core each) running at once: one per core the process may use,
/// so logins can never take more than the machine's CPU nor queue up memory.
fn concurrent_verifications() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// Authentication state shared by the handlers.
#[derive(Debug)]
pub struct Auth {
    /// The API token; `None` only with `--disable-login`.
    pub token: Option<Arc<str>>,
    /// Who may log in with a password; `None` with `--disable-login` or when the users file is unavailable.
    pub users: Option<Arc<Users>>,
    pub sessions: Sessions,
    pub limit: Arc<LoginLimit>,
    /// Mark the cookie `Secure` (served over HTTPS).
    pub secure_cookies: bool,
    /// A permit per running password check; a login that finds none is refused (429), never queued.
    pub verifying: Arc<tokio::sync::Semaphore>,
}

impl Auth {
    #[must_use]
    pub fn new(token: Option<String>, users: Option<Users>, secure_cookies: bool) -> Self {
        Self {
            token: token.map(Into::into),
            users: users.map(Arc::new),
            sessions: Sessions::default(),
            limit: Arc::default(),
            secure_cookies,
            verifying: Arc::new(tokio::sync::Semaphore::new(concurrent_verifications())),
        }
    }

    /// Whether anything needs authentication (not with `--disable-login`).
    #[must_use]
    pub fn required(&self) -> bool {
        self.token.is_some() || self.users.is_some()
    }

    /// The request's session id and session, when its cookie names a live one.
    pub fn session(&self, headers: &HeaderMap) -> Option<(String, Session)> {
        let id = cookie(headers, COOKIE)?;
        self.sessions.get(id).map(|s| (id.to_string(), s))
    }

    fn bearer_ok(&self, headers: &HeaderMap) -> bool {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        matches!((given, &self.token), (Some(g), Some(t)) if same(g.as_bytes(), t.as_bytes()))
    }

    /// `Set-Cookie` for a new session.
    #[must_use]
    pub fn set_cookie(&self, id: &str) -> HeaderValue {
        self.cookie_header(id, IDLE.as_secs())
    }

    /// `Set-Cookie` that removes the session cookie.
    #[must_use]
    pub fn clear_cookie(&self) -> HeaderValue {
        self.cookie_header("", 0)
    }

    fn cookie_header(&self, value: &str, max_age: u64) -> HeaderValue {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
        ))
        .unwrap_or_else(|_| HeaderValue::from_static("xntop_session=; Max-Age=0"))
    }
}

/// Constant-time comparison, so response timing does not leak how much of a guessed secret was right.
#[must_use]
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of cookie `name` in the request's `Cookie` headers.
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// GET, HEAD and OPTIONS change nothing.
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the request carries the session's CSRF token.
#[must_use]
pub fn csrf_ok(headers: &HeaderMap, session: &Session) -> bool {
    headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| same(t.as_bytes(), session.csrf.as_bytes()))
}

pub fn error(status: StatusCode, msg: &str) -> Response {
    (status, Json(serde_json::json!({ "error": msg }))).into_response()
}

/// `/api` and `/metrics`: a valid bearer token or session cookie (with its CSRF token when the method changes
/// state); 401 otherwise.
pub async fn require_auth(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let auth = &state.auth;
    if !auth.required() || auth.bearer_ok(req.headers()) {
        return next.run(req).await;
    }
    if let Some((_, session)) = auth.session(req.headers()) {
        if !is_safe(req.method()) && !csrf_ok(req.headers(), &session) {
            return error(StatusCode::FORBIDDEN, "missing or wrong X-CSRF-Token");
        }
        return next.run(req).await;
    }
    let mut r = error(
        StatusCode::UNAUTHORIZED,
        "authentication required: log in at /login or send Authorization: Bearer <token>",
    );
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

/// Every state-changing request: when the browser says where it comes from (`Origin`), it must be this server,
/// scheme included (an `http://` page must not post to the HTTPS server, nor the reverse).
pub async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_safe(req.method()) {
        let origin = req.headers().get(header::ORIGIN).map(HeaderValue::to_str);
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok());
        let ok = match origin {
            None => true,
            Some(Ok(o)) => origin_matches(o, state.https, host),
            Some(Err(_)) => false,
        };
        if !ok {
            return error(StatusCode::FORBIDDEN, "cross-origin request refused");
        }
    }
    next.run(req).await
}

/// Whether `origin` (`scheme://host[:port]`) names this server: its scheme and the request's `Host`.
fn origin_matches(origin: &str, https: bool, host: Option<&str>) -> bool {
    let scheme = if https { "https" } else { "http" };
    origin
        .split_once("://")
        .is_some_and(|(s, rest)| s.eq_ignore_ascii_case(scheme) && Some(rest) == host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; xntop_session=abc; b=2"),
        );
        assert_eq!(cookie(&h, COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn origin_needs_scheme_host_and_port() {
        let host = Some("monitor:3000");
        assert!(origin_matches("http://monitor:3000", false, host));
        assert!(origin_matches("https://monitor:3000", true, host));
        assert!(!origin_matches("https://monitor:3000", false, host));
        assert!(!origin_matches("http://monitor:3000", true, host));
        assert!(!origin_matches("http://monitor:3001", false, host));
        assert!(!origin_matches("http://evil:3000", false, host));
        assert!(!origin_matches("null", false, host));
        assert!(!origin_matches("http://monitor:3000", false, None));
    }

    #[test]
    fn cookie_attributes() {
        let a = Auth::new(None, None, true);
        let v = a.set_cookie("00ff");
        let s = v.to_str().unwrap_or_default();
        for part in [
            "xntop_session=00ff",
            "HttpOnly",
            "SameSite=Strict",
            "Path=/",
            "Secure",
        ] {
            assert!(s.contains(part), "{s}");
        }
        assert!(!Auth::new(None, None, false)
            .set_cookie("x")
            .to_str()
            .unwrap_or_default()
            .contains("Secure"));
    }
}
