//! HTTP/1.x (RFC 9112) and the cleartext HTTP/2 preface (RFC 9113 §3.4): a request line names the flow HTTP (or
//! HTTP_Connect for CONNECT, HTTP_Proxy for an absolute target or a proxy port) and gives its Host, User-Agent and
//! URL; WebDAV methods name the application. The follow-up reads the response's Server and Content-Type.

pub mod parser;

use crate::dissector::{set_str, Dir, Dissector, Flow, Follow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Http = 7, "HTTP", Web, tcp [80];
    HttpConnect = 130, "HTTP_Connect", Web;
    HttpProxy = 131, "HTTP_Proxy", Web, tcp [8080, 3128];
    Http2 = 349, "HTTP2", Web;
    HttpWebDav = 376, "WebDAV", Collaborative;
}

/// HTTP's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&HttpDissector),
    runs_on: Transport::Tcp,
    order: Order::First(1),
    risks: &[],
};

/// A carried protocol's check of an HTTP head.
type Carried = fn(&[u8]) -> Option<Proto>;

/// Protocols carried over HTTP, each named from a request or response head by its own folder (the one place
/// HTTP knows them); the first that names the head wins. `true`: nDPI decides it inside its HTTP dissector, so it
/// overrides an application the Host named (HTTP.SOAP on a Microsoft host); `false`: a separate dissector in
/// nDPI, which a flow already named by its Host never reaches.
const CARRIED: &[(Carried, bool)] = &[
    (crate::protocols::ocsp::over_http, true),
    (crate::protocols::soap::over_http, true),
    (crate::protocols::ipp::over_http, false),
    (crate::protocols::websocket::over_http, false),
    (crate::protocols::hl7::over_http, false),
    (crate::protocols::softether::over_http, false),
];

/// Names the application from a head at the start of `p` when a carried protocol recognises it; `named`: an
/// application was already named.
fn carried(p: &[u8], named: bool, flow: &mut Flow) {
    let app = CARRIED
        .iter()
        .filter(|(_, overrides)| *overrides || !named)
        .find_map(|(f, _)| f(p));
    if let Some(app) = app {
        flow.set_app(app);
    }
}

/// Packets followed after a request, for the response head.
const FOLLOW_PACKETS: u8 = 4;

struct HttpDissector;

impl Dissector for HttpDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let master = match head(pkt, flow) {
            Verdict::Yes(master) => master,
            other => return other,
        };
        flow.app_from_server_name();
        let named = flow.class().app != Proto::Unknown;
        carried(pkt.payload, named, flow);
        if pkt.dir == Dir::ToServer {
            Verdict::Follow {
                master,
                packets: FOLLOW_PACKETS,
            }
        } else {
            Verdict::Yes(master)
        }
    }

    fn follow(&self, pkt: &Pkt, flow: &mut Flow) -> Follow {
        if pkt.dir != Dir::ToClient {
            return Follow::More;
        }
        if let Some(r) = parser::response(pkt.payload) {
            let m = flow.meta();
            if let Some(s) = r.server {
                set_str(&mut m.http_server, s);
            }
            if let Some(t) = r.content_type {
                set_str(&mut m.content_type, t);
            }
            let c = flow.class();
            carried(pkt.payload, c.app != c.master, flow);
        }
        Follow::Done
    }
}

/// Reads a request or response head at the start of the packet.
fn head(pkt: &Pkt, flow: &mut Flow) -> Verdict {
    let p = pkt.payload;
    if p.starts_with(parser::H2_PREFACE) {
        return Verdict::Yes(Proto::Http);
    }
    if let Some(r) = parser::request(p) {
        let proxy_port = matches!(pkt.server_port, 3128 | 8080 | 8118 | 8123);
        let master = if r.method == b"CONNECT" {
            Proto::HttpConnect
        } else if r.target.starts_with(b"http://") || proxy_port {
            Proto::HttpProxy
        } else {
            Proto::Http
        };
        let m = flow.meta();
        if let Some(host) = r.host {
            set_str(&mut m.server_name, parser::host_name(host));
        }
        if let Some(ua) = r.user_agent {
            set_str(&mut m.user_agent, ua);
        }
        set_str(&mut m.http_url, r.target);
        if r.webdav {
            flow.set_app(Proto::HttpWebDav);
        }
        return Verdict::Yes(master);
    }
    if parser::response(p).is_some() {
        return Verdict::Yes(Proto::Http);
    }
    // A request line may be split over segments: give a start that looks like a method one more packet.
    if pkt.seen[pkt.dir as usize] == 0 && p.len() < 16 && p.iter().all(u8::is_ascii_uppercase) {
        return Verdict::NeedMore;
    }
    Verdict::No
}
