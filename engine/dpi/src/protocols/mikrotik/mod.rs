//! MikroTik's neighbour discovery, MNDP (MikroTik's wiki, "Manual:IP/Neighbor discovery"; nDPI's mikrotik.c):
//! UDP to port 5678, a 4-byte header (version/TTL, sequence) then type-length-value fields (16-bit each, big-endian)
//! that fill the datagram exactly, the announcing MAC address among them (type 1, 6 bytes). The router's identity
//! (type 5) is recorded as the flow's server name.

use crate::dissector::{set_str, Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Mikrotik = 437, "Mikrotik", Network, udp [5678];
}

/// Mikrotik's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&MndpDissector),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const PORT: u16 = 5678;
const HEADER: usize = 4;
/// Fields read at most (an announcement has about a dozen).
const MAX_FIELDS: usize = 32;
/// Highest field type MikroTik defines (MAC … IPv4 address, interface name).
const MAX_TYPE: u16 = 32;
const TYPE_MAC: u16 = 1;
const TYPE_IDENTITY: u16 = 5;

/// The identity of a well-formed announcement (empty when it has none); `None` when it is not one.
fn announcement(p: &[u8]) -> Option<&[u8]> {
    let mut at = HEADER;
    let (mut mac, mut identity) = (false, &[][..]);
    for _ in 0..MAX_FIELDS {
        if at == p.len() {
            return mac.then_some(identity);
        }
        let (kind, len) = (p.u16_at(at)?, usize::from(p.u16_at(at + 2)?));
        let value = p.get(at + 4..at + 4 + len)?;
        if kind == 0 || kind > MAX_TYPE {
            return None;
        }
        mac |= kind == TYPE_MAC && len == 6;
        if kind == TYPE_IDENTITY {
            identity = value;
        }
        at += 4 + len;
    }
    None
}

struct MndpDissector;

impl Dissector for MndpDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        if pkt.l4 != L4::Udp || pkt.dst_port() != PORT {
            return Verdict::No;
        }
        match announcement(pkt.payload) {
            Some(identity) => {
                set_str(&mut flow.meta().server_name, identity);
                Verdict::Yes(Proto::Mikrotik)
            }
            None => Verdict::No,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    /// An announcement as the wiki lists its fields: MAC, identity "router1", version, platform, uptime.
    const ANNOUNCE: &str = "0000 0001 \
        0001 0006 4c5e0c112233 \
        0005 0007 726f7574657231 \
        0007 000c 362e34352e39202873746162 \
        0008 0008 4d696b726f54696b \
        000a 0004 00015180";

    #[test]
    fn announcement_names_the_router() {
        let p = hex(ANNOUNCE);
        let k = pkt(&p, L4::Udp, 5678, 5678);
        let mut h = Harness::new(&k);
        assert_eq!(h.probe(&MndpDissector, &k), Verdict::Yes(Proto::Mikrotik));
        assert_eq!(h.meta.and_then(|m| m.server_name).as_deref(), Some("router1"));
    }

    #[test]
    fn near_misses() {
        let p = hex(ANNOUNCE);
        assert_eq!(announcement(&p[..p.len() - 1]), None);
        let mut extra = p.clone();
        extra.push(0);
        assert_eq!(announcement(&extra), None);
        assert_eq!(announcement(&hex("0000 0001 0005 0001 41")), None); // no MAC
        let k = pkt(&p, L4::Udp, 5678, 5679);
        assert_eq!(Harness::new(&k).probe(&MndpDissector, &k), Verdict::No);
        for seed in 1..100 {
            assert_eq!(announcement(&noise(60, seed)), None);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = announcement(&p);
        }
    }
}
