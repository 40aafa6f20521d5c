//! TEMPLATE: the scaffold for a new protocol (a made-up protocol, compiled and tested but not registered). Copy
//! this folder, rename it, and follow `README.md` next to this file.
//!
//! The module doc says what identifies the protocol and where that comes from (RFC, spec, the program whose bytes
//! the tests hold), in a few lines: "TEMPLATE: a `TMPL` magic, version 1, a known kind and a name whose length
//! field matches the packet (spec §2). The client's hello names the server; the reply is read in the follow-up."

pub mod parser;

use crate::dissector::{
    set_str, Dir, Dissector, Flow, Follow, Order, Pkt, Protocol, Transport, Verdict,
};
use crate::proto::Proto;

crate::proto::identities! {
    /// nDPI's id and spelling (`engine/dpi/data/ndpi_protocols.tsv`), or an id from `proto::XNTOP_IDS` when nDPI
    /// does not know the protocol. Ports: the ones nDPI (or IANA) registers, which make the `port` guess.
    Template = 0xbfff, "TEMPLATE", Rpc, tcp [65000], udp [65000];
}

/// TEMPLATE's registration: the one value `protocols/mod.rs` lists.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&TemplateDissector),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// Payload packets followed after the hello, for the reply. Name every bound.
const FOLLOW_PACKETS: u8 = 4;

/// A dissector that keeps metadata implements [`Dissector`]; one that only decides can be a plain
/// `fn detect(pkt: &Pkt) -> Verdict` registered as `dissector: Some(&detect)`.
struct TemplateDissector;

impl Dissector for TemplateDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        match parser::message(pkt.payload) {
            Ok(m) if m.kind == parser::Kind::Hello && pkt.dir == Dir::ToServer => {
                set_str(&mut flow.meta().server_name, m.name);
                Verdict::Follow {
                    master: Proto::Template,
                    packets: FOLLOW_PACKETS,
                }
            }
            Ok(_) => Verdict::Yes(Proto::Template),
            // A message may start in a later packet (here: never); say `NeedMore` only when it can.
            Err(_) => Verdict::No,
        }
    }

    fn follow(&self, pkt: &Pkt, _flow: &mut Flow) -> Follow {
        match parser::message(pkt.payload) {
            Ok(m) if m.kind == parser::Kind::Reply => Follow::Done,
            _ => Follow::More,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{noise, pkt_at};
    use crate::L4;

    /// The dissector as registered.
    fn dissector() -> &'static dyn Dissector {
        PROTOCOL.dissector.expect("TEMPLATE has a dissector")
    }

    /// Runs one packet through the dissector as the engine would; returns the verdict and the server name.
    fn probe(payload: &[u8], dir: Dir) -> (Verdict, Option<String>) {
        let pkt = pkt_at(payload, L4::Tcp, 40000, 65000, dir, [0, 0]);
        let mut h = Harness::new(&pkt);
        let v = h.probe(dissector(), &pkt);
        (v, h.meta.and_then(|m| m.server_name).map(String::from))
    }

    #[test]
    fn hello_names_the_server_and_asks_for_the_reply() {
        let (v, name) = probe(parser::tests::HELLO, Dir::ToServer);
        assert_eq!(
            v,
            Verdict::Follow {
                master: Proto::Template,
                packets: FOLLOW_PACKETS
            }
        );
        assert_eq!(name.as_deref(), Some("example"));
    }

    #[test]
    fn reply_ends_the_follow_up() {
        let reply = b"TMPL\x01\x02\x00\x00";
        let pkt = pkt_at(reply, L4::Tcp, 40000, 65000, Dir::ToClient, [1, 0]);
        let mut h = Harness::new(&pkt);
        assert_eq!(h.follow(dissector(), &pkt), Follow::Done);
        let other = pkt_at(b"\x00", L4::Tcp, 40000, 65000, Dir::ToClient, [1, 1]);
        assert_eq!(h.follow(dissector(), &other), Follow::More);
    }

    #[test]
    fn other_protocols_are_not_template() {
        assert_eq!(
            probe(b"GET / HTTP/1.1\r\n\r\n", Dir::ToServer).0,
            Verdict::No
        );
        for seed in 1..50 {
            assert_eq!(probe(&noise(64, seed), Dir::ToServer).0, Verdict::No);
        }
    }

    #[test]
    fn identity_is_declared_once() {
        assert_eq!(IDENTITIES.len(), 1);
        assert!(PROTOCOL.registers(L4::Tcp, 65000) && PROTOCOL.registers(L4::Udp, 65000));
        assert_eq!(Proto::Template.id(), 0xbfff);
        assert!(crate::proto::XNTOP_IDS.contains(&Proto::Template.id()));
    }
}
