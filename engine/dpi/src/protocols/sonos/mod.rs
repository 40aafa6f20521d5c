//! Sonos speakers' local UDP traffic, recognised as nDPI recognises it (Sonos publishes no specification): between
//! private IPv4 addresses (never multicast), either a 48-byte datagram to or from port 12301 (the speakers' clock
//! sync) or a datagram to port 7080 shorter than 200 bytes or of 1000-1100 bytes (group audio control). Weak rules,
//! so they never leave the LAN and only run on those exact ports.

use std::net::IpAddr;

use crate::dissector::{Dir, Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::engine::Endpoints;
use crate::proto::Proto;

crate::proto::identities! {
    Sonos = 430, "Sonos", Music;
}

/// Sonos's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&SonosDissector),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const SYNC_PORT: u16 = 12301;
const SYNC_LEN: usize = 48;
const CONTROL_PORT: u16 = 7080;
const CONTROL_SHORT: usize = 200;
const CONTROL_LONG: std::ops::Range<usize> = 1001..1100;

fn check(pkt: &Pkt, ep: &Endpoints) -> Verdict {
    let receiver = match pkt.dir {
        Dir::ToServer => ep.server,
        Dir::ToClient => ep.client,
    };
    let IpAddr::V4(receiver) = receiver else {
        return Verdict::No;
    };
    let len = pkt.payload.len();
    let lan = receiver.is_private() && !receiver.is_multicast() && !receiver.is_broadcast();
    let sync = len == SYNC_LEN && pkt.either_port(SYNC_PORT);
    let control = pkt.dst_port() == CONTROL_PORT && (len < CONTROL_SHORT || CONTROL_LONG.contains(&len));
    if pkt.l4 == L4::Udp && lan && (sync || control) {
        Verdict::Yes(Proto::Sonos)
    } else {
        Verdict::No
    }
}

struct SonosDissector;

impl Dissector for SonosDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        check(pkt, flow.endpoints())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};

    fn ep(server: [u8; 4]) -> Endpoints {
        Endpoints { l4: 17, client: [192, 168, 1, 5].into(), server: server.into(), client_port: 44467, server_port: 7080 }
    }

    #[test]
    fn lan_control_and_sync() {
        let p = noise(120, 1);
        assert_eq!(check(&pkt(&p, L4::Udp, 44467, 7080), &ep([192, 168, 1, 9])), Verdict::Yes(Proto::Sonos));
        let s = noise(48, 2);
        assert_eq!(check(&pkt(&s, L4::Udp, 12301, 12301), &ep([10, 0, 0, 9])), Verdict::Yes(Proto::Sonos));
    }

    #[test]
    fn not_on_the_internet_nor_other_sizes() {
        let p = noise(120, 1);
        assert_eq!(check(&pkt(&p, L4::Udp, 44467, 7080), &ep([8, 8, 8, 8])), Verdict::No);
        assert_eq!(check(&pkt(&p, L4::Udp, 44467, 7080), &ep([239, 255, 255, 250])), Verdict::No);
        assert_eq!(check(&pkt(&noise(500, 1), L4::Udp, 44467, 7080), &ep([192, 168, 1, 9])), Verdict::No);
        assert_eq!(check(&pkt(&noise(49, 1), L4::Udp, 12301, 12301), &ep([10, 0, 0, 9])), Verdict::No);
        assert_eq!(check(&pkt(&p, L4::Udp, 7080, 44467), &ep([192, 168, 1, 9])), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = check(&pkt(&p, L4::Udp, 1, CONTROL_PORT), &ep([10, 1, 1, 1]));
        }
    }
}
