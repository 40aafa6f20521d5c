//! DNS (RFC 1035) on any port, over UDP or TCP (with its two-byte length), and the protocols that share its format:
//! mDNS (RFC 6762) on 5353, LLMNR (RFC 4795) on 5355; DNSCrypt certificate queries and Avast's secure DNS by the
//! name asked. The query name, type, response code and A/AAAA answers go into the metadata; answers also teach the
//! DNS cache which application an address serves. The follow-up waits for the response.

pub mod parser;

use crate::dissector::{set_str, Dissector, Flow, Follow, Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Dns = 5, "DNS", Network, tcp [53], udp [53];
    Mdns = 8, "MDNS", Network, udp [5353];
    Llmnr = 154, "LLMNR", Network, udp [5355];
    DnsCrypt = 208, "DNScrypt", Network;
    AvastSecureDns = 263, "AVASTSecureDNS", Network;
}

/// DNS's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&DnsDissector),
    runs_on: Transport::Both,
    order: Order::First(2),
    risks: &[],
};

/// Packets followed after a query, for its response.
const FOLLOW_PACKETS: u8 = 6;

struct DnsDissector;

impl Dissector for DnsDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let body = match pkt.l4 {
            L4::Udp => pkt.payload,
            L4::Tcp => {
                // DNS over TCP: a two-byte length prefix.
                let body = pkt.payload.get(2..).unwrap_or(&[]);
                let len = pkt.payload.u16_at(0).map_or(0, usize::from);
                if !(len == body.len() || len > body.len() && body.len() >= 12) {
                    return Verdict::No;
                }
                body
            }
        };
        match message(pkt, flow, body) {
            Some(master) => {
                if master == Proto::Dns {
                    flow.app_from_server_name();
                }
                Verdict::Follow {
                    master,
                    packets: FOLLOW_PACKETS,
                }
            }
            None => Verdict::No,
        }
    }

    fn follow(&self, pkt: &Pkt, flow: &mut Flow) -> Follow {
        if !matches!(flow.class().master, Proto::Dns | Proto::Mdns | Proto::Llmnr) {
            return Follow::More;
        }
        let body = match pkt.l4 {
            L4::Tcp => pkt.payload.get(2..).unwrap_or(&[]),
            L4::Udp => pkt.payload,
        };
        match parser::parse(body) {
            Some(m) => {
                answers(flow, &m);
                if m.response {
                    Follow::Done
                } else {
                    Follow::More
                }
            }
            None => Follow::More,
        }
    }
}

/// Reads a DNS message; returns the protocol it names.
fn message(pkt: &Pkt, flow: &mut Flow, body: &[u8]) -> Option<Proto> {
    // NetBIOS name service shares DNS's format; its own dissector names it.
    if pkt.either_port(137) || pkt.either_port(138) {
        return None;
    }
    let m = parser::parse(body)?;
    let name = m.name();
    let master = if ends_with_label(name, b"securedns.avast.com") {
        Proto::AvastSecureDns
    } else if name.starts_with(b"2.dnscrypt-cert.") || name.starts_with(b"2.dnscrypt.") {
        Proto::DnsCrypt
    } else if pkt.either_port(5353) {
        Proto::Mdns
    } else if pkt.either_port(5355) {
        Proto::Llmnr
    } else {
        Proto::Dns
    };
    if m.name_len > 0 {
        let meta = flow.meta();
        set_str(&mut meta.dns_query, name);
        set_str(&mut meta.server_name, name);
        meta.dns_qtype.get_or_insert(m.qtype);
    }
    answers(flow, &m);
    Some(master)
}

/// Takes a DNS message's answers into the flow's metadata and the shared cache.
fn answers(flow: &mut Flow, m: &parser::Message) {
    if !m.response {
        return;
    }
    flow.meta().dns_rcode.get_or_insert(m.rcode);
    let app = (m.name_len > 0)
        .then(|| crate::names::lookup(m.name()))
        .flatten();
    for a in m.addresses() {
        let meta = flow.meta();
        if meta.dns_answers.len() < parser::MAX_ANSWERS && !meta.dns_answers.contains(&a) {
            meta.dns_answers.push(a);
        }
        if let Some(app) = app {
            flow.dns_cache().insert(a, app);
        }
    }
}

/// Whether `name` is `domain` or ends with "." + `domain` (ASCII case-insensitive).
fn ends_with_label(name: &[u8], domain: &[u8]) -> bool {
    name.len() >= domain.len()
        && name[name.len() - domain.len()..].eq_ignore_ascii_case(domain)
        && (name.len() == domain.len() || name[name.len() - domain.len() - 1] == b'.')
}
