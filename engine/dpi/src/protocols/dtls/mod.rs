//! DTLS (RFC 6347, RFC 9147): a plaintext record at the start of a datagram. A ClientHello gives the same names
//! and fingerprints as TLS's (read by `tls::parser`).

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::ja;
use crate::proto::Proto;
use crate::protocols::tls::{self, parser::Record};

crate::proto::identities! {
    Dtls = 30, "DTLS", Network;
}

/// DTLS's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&DtlsDissector),
    runs_on: Transport::Udp,
    order: Order::First(4),
    risks: &[],
};

struct DtlsDissector;

impl Dissector for DtlsDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        match tls::parser::dtls_record(pkt.payload) {
            Some(Record::ClientHello { body, declared }) => {
                if let Some(h) = tls::parser::ClientHello::parse(body, declared, true) {
                    tls::client_hello(flow.meta(), &h, ja::Transport::Dtls);
                }
            }
            Some(_) => {}
            None => return Verdict::No,
        }
        flow.app_from_server_name();
        Verdict::Yes(Proto::Dtls)
    }
}
