//! TLS over TCP (RFC 8446, RFC 5246): a record at the start of the stream names the flow TLS. The client's hello
//! gives the server name, ALPN and the JA3/JA4 fingerprints; the follow-up reads the server's hello (negotiated
//! version) and, in TLS ≤ 1.2, its certificate's names. On a service's implicit-TLS port the flow is that service
//! (nDPI's convention: SMTPS on 465, IMAPS on 993, POPS on 995, FTPS on 990; DoH_DoT on 853).

pub mod parser;

use xntop_model::L7Meta;

use crate::dissector::{set_str, Dir, Dissector, Flow, Follow, Order, Pkt, Protocol, Transport, Verdict, MAX_STR};
use crate::ja;
use crate::proto::Proto;
use parser::{ClientHello, Record};

crate::proto::identities! {
    Tls = 91, "TLS", Web, tcp [443, 8443];
}

/// TLS's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&TlsDissector),
    runs_on: Transport::Tcp,
    order: Order::First(0),
    risks: &[],
};

/// Packets followed after a client's hello, for the server's hello and certificate.
const FOLLOW_PACKETS: u8 = 4;

struct TlsDissector;

impl Dissector for TlsDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let Some(rec) = parser::first_record(pkt.payload) else {
            return Verdict::No;
        };
        match rec {
            Record::ClientHello { body, declared } => {
                if let Some(h) = ClientHello::parse(body, declared, false) {
                    client_hello(flow.meta(), &h, ja::Transport::Tcp);
                }
            }
            Record::ServerHello { version } => server_hello(flow, version),
            Record::Other => {
                if crate::protocols::util::total_seen(pkt) == 0 {
                    flow.set_partial();
                }
            }
        }
        let master = service(pkt.server_port);
        if master == Proto::Tls {
            if pkt.server_port == 853 {
                flow.set_app(Proto::DohDot);
            }
            flow.app_from_server_name();
        }
        // After the client's hello, the server's tells the version it chose.
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
        let hello = parser::first_record(pkt.payload);
        if let Some(Record::ServerHello { version }) = hello {
            server_hello(flow, version);
        }
        let cert = certificate_names(flow, pkt.payload);
        // Done once the certificate was read, or when the server's first packet had neither (TLS 1.3 encrypts it).
        if cert || !matches!(hello, Some(Record::ServerHello { .. })) {
            Follow::Done
        } else {
            Follow::More
        }
    }
}

/// TLS on a service's implicit-TLS port is that service.
fn service(server_port: u16) -> Proto {
    match server_port {
        465 => Proto::Smtps,
        993 => Proto::Imaps,
        995 => Proto::Pops,
        990 => Proto::Ftps,
        _ => Proto::Tls,
    }
}

/// Records the version a ServerHello chose, as nDPI prints it.
fn server_hello(flow: &mut Flow, version: u16) {
    let name: &[u8] = match version {
        0x0304 => b"TLSv1.3",
        0x0303 => b"TLSv1.2",
        0x0302 => b"TLSv1.1",
        0x0301 => b"TLSv1",
        0x0300 => b"SSLv3",
        0xfefd => b"DTLSv1.2",
        0xfeff => b"DTLSv1.0",
        _ => return,
    };
    set_str(&mut flow.meta().tls_version, name);
}

/// Writes a ClientHello's names and fingerprints into a flow's metadata (TLS, DTLS and QUIC hellos).
pub(crate) fn client_hello(m: &mut L7Meta, h: &ClientHello, transport: ja::Transport) {
    let (ja3, ja4) = (ja::ja3(h), ja::ja4(h, transport));
    if let Some(sni) = h.sni {
        set_str(&mut m.server_name, sni);
    }
    if let Some(alpn) = h.alpn {
        // All offered protocols, comma-separated.
        let mut buf = [0u8; MAX_STR];
        let mut n = 0;
        let mut c = xntop_wire::cursor::Cursor::new(alpn);
        while let Ok(p) = c.get_bytes_with_u8_length() {
            if n + p.len() + 1 > buf.len() {
                break;
            }
            if n > 0 {
                buf[n] = b',';
                n += 1;
            }
            buf[n..n + p.len()].copy_from_slice(p);
            n += p.len();
        }
        set_str(&mut m.alpn, &buf[..n]);
    }
    if let Some(j) = ja3 {
        set_str(&mut m.ja3, &j);
    }
    if let Some(j) = ja4 {
        set_str(&mut m.ja4, &j);
    }
}

/// Reads the server certificate's names into the metadata; names the application by them when the client sent no
/// SNI. Returns whether a certificate was found.
fn certificate_names(flow: &mut Flow, payload: &[u8]) -> bool {
    let Some(cert) = parser::server_certificate(payload) else {
        return false;
    };
    let mut buf = [0u8; MAX_STR];
    let mut n = 0;
    let _ = parser::x509::names(cert, |name| {
        let dup = buf[..n].split(|&b| b == b',').any(|x| x == name);
        if dup || n + name.len() + 1 > buf.len() {
            return;
        }
        if n > 0 {
            buf[n] = b',';
            n += 1;
        }
        buf[n..n + name.len()].copy_from_slice(name);
        n += name.len();
    });
    if n == 0 {
        return true;
    }
    let names = &buf[..n];
    set_str(&mut flow.meta().tls_server_names, names);
    let class = flow.class();
    if !flow.has_server_name() && class.app == class.master {
        let first = names.split(|&b| b == b',').next().unwrap_or(names);
        if let Some(app) = crate::names::lookup(first.strip_prefix(b"*.").unwrap_or(first)) {
            flow.set_app(app);
        }
    }
    true
}
