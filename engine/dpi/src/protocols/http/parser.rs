//! HTTP/1.x request and response heads (RFC 9112) and the HTTP/2 connection preface (RFC 9113 §3.4).

/// Request methods we recognise, with whether each belongs to WebDAV (RFC 4918).
const METHODS: &[(&[u8], bool)] = &[
    (b"GET", false),
    (b"POST", false),
    (b"HEAD", false),
    (b"PUT", false),
    (b"DELETE", false),
    (b"OPTIONS", false),
    (b"CONNECT", false),
    (b"PATCH", false),
    (b"TRACE", false),
    (b"PROPFIND", true),
    (b"PROPPATCH", true),
    (b"MKCOL", true),
    (b"COPY", true),
    (b"MOVE", true),
    (b"LOCK", true),
    (b"UNLOCK", true),
    (b"REPORT", true),
    (b"SEARCH", true),
];

pub const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// A request head's interesting parts (slices into the packet).
#[derive(Clone, Copy, Debug, Default)]
pub struct Request<'a> {
    pub method: &'a [u8],
    pub target: &'a [u8],
    pub webdav: bool,
    pub host: Option<&'a [u8]>,
    pub user_agent: Option<&'a [u8]>,
    pub content_type: Option<&'a [u8]>,
}

/// A response head's interesting parts.
#[derive(Clone, Copy, Debug, Default)]
pub struct Response<'a> {
    pub status: u16,
    pub server: Option<&'a [u8]>,
    pub content_type: Option<&'a [u8]>,
}

/// Parses the start of a request: `METHOD SP target SP HTTP/1.x CRLF`. The request line must be complete; headers
/// are read as far as the packet goes.
#[must_use]
pub fn request(p: &[u8]) -> Option<Request<'_>> {
    let (&(method, webdav), rest) = METHODS.iter().find_map(|m| {
        let rest = p.strip_prefix(m.0)?.strip_prefix(b" ")?;
        Some((m, rest))
    })?;
    let line_end = find(rest, b"\r\n").or_else(|| find(rest, b"\n"))?;
    let line = &rest[..line_end];
    let sp = line.iter().rposition(|&b| b == b' ')?;
    let (target, version) = (&line[..sp], &line[sp + 1..]);
    if !(version == b"HTTP/1.1" || version == b"HTTP/1.0" || version == b"HTTP/0.9") {
        return None;
    }
    if target.is_empty() || target.iter().any(|&b| b <= b' ' || b == 0x7f) {
        return None;
    }
    let mut r = Request {
        method,
        target,
        webdav,
        ..Request::default()
    };
    for (name, value) in headers(&rest[line_end..]) {
        if name.eq_ignore_ascii_case(b"host") {
            r.host = Some(value);
        } else if name.eq_ignore_ascii_case(b"user-agent") {
            r.user_agent = Some(value);
        } else if name.eq_ignore_ascii_case(b"content-type") {
            r.content_type = Some(value);
        }
    }
    Some(r)
}

/// Parses the start of a response: `HTTP/1.x SP 3DIGIT`.
#[must_use]
pub fn response(p: &[u8]) -> Option<Response<'_>> {
    let rest = p
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| p.strip_prefix(b"HTTP/1.0 "))?;
    let code = rest.get(..3)?;
    if !code.iter().all(u8::is_ascii_digit) || rest.get(3).is_some_and(|&b| b != b' ' && b != b'\r')
    {
        return None;
    }
    let status = code.iter().fold(0u16, |a, &d| a * 10 + u16::from(d - b'0'));
    if !(100..600).contains(&status) {
        return None;
    }
    let mut r = Response {
        status,
        ..Response::default()
    };
    let line_end = find(rest, b"\n").unwrap_or(rest.len());
    for (name, value) in headers(&rest[line_end..]) {
        if name.eq_ignore_ascii_case(b"server") {
            r.server = Some(value);
        } else if name.eq_ignore_ascii_case(b"content-type") {
            r.content_type = Some(value);
        }
    }
    Some(r)
}

/// The host part of a Host header value (port and IPv6 brackets removed).
#[must_use]
pub fn host_name(host: &[u8]) -> &[u8] {
    if let Some(rest) = host.strip_prefix(b"[") {
        return rest.split(|&b| b == b']').next().unwrap_or(rest);
    }
    host.split(|&b| b == b':').next().unwrap_or(host)
}

/// The value of header `name` (case-insensitive) in a request or response head at the start of `p`: for the
/// protocols carried over HTTP, which their own folders name (see `CARRIED` in `http/mod.rs`).
#[must_use]
pub fn header<'a>(p: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    headers(p).find_map(|(n, v)| n.eq_ignore_ascii_case(name).then_some(v))
}

/// `name: value` header lines from just after a start line, until the blank line or the end of the packet.
fn headers(p: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    p.split(|&b| b == b'\n')
        .skip(1)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .take_while(|l| !l.is_empty())
        .filter_map(|l| {
            let colon = l.iter().position(|&b| b == b':')?;
            Some((&l[..colon], trim(&l[colon + 1..])))
        })
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &v[start..end]
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// curl 7.88.1 → nginx on :8081, from pcaps/http.pcap.
    const GET: &[u8] =
        b"GET /hello.txt HTTP/1.1\r\nHost: 10.77.0.2:8081\r\nUser-Agent: xntop-record/1.0\r\nAccept: */*\r\n\r\n";
    const OK: &[u8] =
        b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 01 Dec 2026 10:00:00 GMT\r\n\
                        Content-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n";

    #[test]
    fn request_head() {
        let r = request(GET).expect("request");
        assert_eq!(r.method, b"GET");
        assert_eq!(r.target, b"/hello.txt");
        assert_eq!(r.host.map(host_name), Some(&b"10.77.0.2"[..]));
        assert_eq!(r.user_agent, Some(&b"xntop-record/1.0"[..]));
        assert!(!r.webdav);
    }

    #[test]
    fn response_head() {
        let r = response(OK).expect("response");
        assert_eq!(r.status, 200);
        assert_eq!(r.server, Some(&b"nginx/1.22.1"[..]));
        assert_eq!(r.content_type, Some(&b"text/plain"[..]));
    }

    #[test]
    fn near_misses() {
        assert!(request(b"GET / RTSP/1.0\r\n").is_none());
        assert!(request(b"GETX / HTTP/1.1\r\n").is_none());
        assert!(
            request(b"GET / HTTP/1.1").is_none(),
            "request line must be complete"
        );
        assert!(response(b"HTTP/1.1 20x OK\r\n").is_none());
        assert!(response(b"SIP/2.0 200 OK\r\n").is_none());
        assert_eq!(host_name(b"[fd77::2]:8081"), b"fd77::2");
    }
}
