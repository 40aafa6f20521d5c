//! The security headers every response carries: those the router makes (a middleware adds them) and those hyper
//! writes on its own for requests it cannot parse (400, 414, 431), which never reach the router.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// Browsers remember for a year that this host speaks HTTPS only. No `includeSubDomains`: other hosts of the
/// domain are not ours to decide for.
const HSTS: &str = "max-age=31536000";
/// Every response the router makes carries this header, so a response head without it was written by hyper.
const MARKER: &[u8] = b"x-content-type-options:";

/// The headers, built once for the server.
#[derive(Debug)]
pub struct SecurityHeaders {
    list: Vec<(HeaderName, HeaderValue)>,
    /// The same as `name: value\r\n` lines, for heads hyper writes.
    lines: Vec<u8>,
}

impl SecurityHeaders {
    /// The set for a plain HTTP server, plus HSTS over HTTPS.
    #[must_use]
    pub fn new(https: bool) -> Self {
        let mut list = vec![
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
                ),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            ),
        ];
        if https {
            list.push((
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(HSTS),
            ));
        }
        let mut lines = Vec::new();
        for (k, v) in &list {
            lines.extend_from_slice(k.as_str().as_bytes());
            lines.extend_from_slice(b": ");
            lines.extend_from_slice(v.as_bytes());
            lines.extend_from_slice(b"\r\n");
        }
        Self { list, lines }
    }

    pub fn apply(&self, headers: &mut HeaderMap) {
        for (k, v) in &self.list {
            headers.insert(k.clone(), v.clone());
        }
    }

    /// `buf` with the headers added when it begins with an error response head (4xx, 5xx) that lacks them: the
    /// responses hyper writes itself. Anything else gives `None` and is written as it is.
    #[must_use]
    pub fn patch(&self, buf: &[u8]) -> Option<Vec<u8>> {
        let status = buf.strip_prefix(b"HTTP/1.")?.get(2..5)?;
        if !matches!(status.first(), Some(b'4' | b'5')) {
            return None;
        }
        let head_end = find(buf, b"\r\n\r\n")?;
        let head = &buf[..head_end];
        if head
            .split(|&b| b == b'\n')
            .any(|l| l.len() >= MARKER.len() && l[..MARKER.len()].eq_ignore_ascii_case(MARKER))
        {
            return None;
        }
        let line_end = find(buf, b"\r\n")? + 2;
        let mut out = Vec::with_capacity(buf.len() + self.lines.len());
        out.extend_from_slice(&buf[..line_end]);
        out.extend_from_slice(&self.lines);
        out.extend_from_slice(&buf[line_end..]);
        Some(out)
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The middleware: every response the router makes gets the headers.
pub async fn add(State(h): State<Arc<SecurityHeaders>>, req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    h.apply(r.headers_mut());
    r
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    /// What hyper 1.x writes for a request head over its size limit.
    const HYPER_431: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Mon, 06 Jan 2025 10:00:00 GMT\r\n\r\n";

    #[test]
    fn hyper_error_heads_get_the_headers() {
        let h = SecurityHeaders::new(true);
        let out = String::from_utf8(h.patch(HYPER_431).unwrap()).unwrap();
        assert!(out.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-security-policy: default-src 'self'"), "{out}");
        for l in [
            "x-content-type-options: nosniff\r\n",
            "x-frame-options: DENY\r\n",
            "referrer-policy: same-origin\r\n",
            "strict-transport-security: max-age=31536000\r\n",
            "content-length: 0\r\n",
        ] {
            assert!(out.contains(l), "{l} missing: {out}");
        }
        assert!(out.ends_with("GMT\r\n\r\n"));
        let plain =
            String::from_utf8(SecurityHeaders::new(false).patch(HYPER_431).unwrap()).unwrap();
        assert!(!plain.contains("strict-transport-security"), "{plain}");
    }

    #[test]
    fn other_writes_pass_unchanged() {
        let h = SecurityHeaders::new(false);
        // A head of ours, whatever the case of the header names.
        assert!(h
            .patch(b"HTTP/1.1 404 Not Found\r\nX-Content-Type-Options: nosniff\r\n\r\n{}")
            .is_none());
        // Success and informational heads, bodies, a head cut short.
        assert!(h
            .patch(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .is_none());
        assert!(h.patch(b"HTTP/1.1 100 Continue\r\n\r\n").is_none());
        assert!(h.patch(b"{\"error\":\"HTTP/1.1 400\"}").is_none());
        assert!(h.patch(b"HTTP/1.1 400 Bad Request\r\ncontent-le").is_none());
        assert!(h.patch(b"HTTP/1.").is_none());
    }
}
