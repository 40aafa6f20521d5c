//! RX, the RPC transport of AFS (OpenAFS's `rx/rx_packet.h`; nDPI's rx.c): a 28-byte header whose packet type
//! (1-13), flags and security index (0-3) are valid, and — what decides — a reply in the other direction carrying
//! the same connection epoch and id. The first packet's epoch and id are kept in the flow's state slot until then.

use crate::dissector::{Dir, Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Rx = 223, "RX", Rpc;
}

/// RX's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&RxDissector),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// The RX header.
const HEADER: usize = 28;
/// Packet types: DATA 1 … VERSION 13.
const TYPES: std::ops::RangeInclusive<u8> = 1..=13;
/// Flag combinations RX sends (client-initiated, request-ack, last packet, more, jumbo, slow start).
const FLAGS: &[u8] = &[0, 1, 2, 3, 4, 5, 6, 9, 33, 34];
/// Highest security index (null, rxkad, rxgk's two).
const MAX_SECURITY: u8 = 3;

/// The connection a valid header belongs to: (epoch, connection id).
fn connection(p: &[u8]) -> Option<(u32, u32)> {
    if p.len() < HEADER {
        return None;
    }
    let (kind, flags, security) = (p.u8_at(20)?, p.u8_at(21)?, p.u8_at(23)?);
    if !TYPES.contains(&kind) || !FLAGS.contains(&flags) || security > MAX_SECURITY {
        return None;
    }
    Some((p.u32_at(0)?, p.u32_at(4)?))
}

/// The first packet's connection and direction.
struct Seen {
    conn: (u32, u32),
    dir: Dir,
}

struct RxDissector;

impl Dissector for RxDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        if pkt.l4 != L4::Udp {
            return Verdict::No;
        }
        let Some(conn) = connection(pkt.payload) else {
            return Verdict::No;
        };
        if let Some(seen) = flow.state::<Seen>() {
            return match (seen.dir != pkt.dir, seen.conn == conn) {
                (true, true) => Verdict::Yes(Proto::Rx),
                (true, false) => Verdict::No,
                (false, _) => Verdict::NeedMore,
            };
        }
        if flow.state_is_free() {
            flow.set_state(Box::new(Seen { conn, dir: pkt.dir }));
            Verdict::NeedMore
        } else {
            // Another dissector keeps state for this flow: RX cannot confirm without its own.
            Verdict::No
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, noise, pkt_at};

    /// A client DATA packet (flags 1: client-initiated, 4: last) to the VL server, then the server's ACK, built from
    /// the header layout of rx_packet.h: epoch, cid, call, seq, serial, type, flags, userStatus, securityIndex,
    /// spare/checksum, serviceId.
    const CALL: &str = "5f3a1b2c 8a4e0004 00000001 00000001 00000001 01 05 00 00 0000 0034 0000000d";
    const ACK: &str = "5f3a1b2c 8a4e0004 00000001 00000000 00000001 02 00 00 00 0000 0034 00000000";

    fn run(packets: &[(&str, Dir)]) -> Verdict {
        let first = hex(packets[0].0);
        let mut h = Harness::new(&pkt_at(&first, L4::Udp, 7001, 7003, Dir::ToServer, [0, 0]));
        let mut v = Verdict::No;
        let mut seen = [0u16; 2];
        for (m, dir) in packets {
            let p = hex(m);
            v = h.probe(&RxDissector, &pkt_at(&p, L4::Udp, 7001, 7003, *dir, seen));
            seen[*dir as usize] += 1;
        }
        v
    }

    #[test]
    fn call_and_ack_share_the_connection() {
        assert_eq!(run(&[(CALL, Dir::ToServer)]), Verdict::NeedMore);
        assert_eq!(
            run(&[(CALL, Dir::ToServer), (CALL, Dir::ToServer)]),
            Verdict::NeedMore
        );
        assert_eq!(
            run(&[(CALL, Dir::ToServer), (ACK, Dir::ToClient)]),
            Verdict::Yes(Proto::Rx)
        );
    }

    #[test]
    fn near_misses() {
        let other = ACK.replacen("8a4e0004", "8a4e0008", 1);
        assert_eq!(
            run(&[(CALL, Dir::ToServer), (&other, Dir::ToClient)]),
            Verdict::No
        );
        assert_eq!(connection(&hex(&CALL.replacen(" 01 05 ", " 0e 05 ", 1))), None);
        assert_eq!(connection(&hex(&CALL.replacen(" 01 05 ", " 01 07 ", 1))), None);
        assert_eq!(connection(&hex(&CALL.replacen(" 00 00 0000", " 00 04 0000", 1))), None);
        assert_eq!(connection(&hex(CALL)[..27]), None);
        let mut h = Harness::new(&pkt_at(b"", L4::Udp, 1, 2, Dir::ToServer, [0, 0]));
        let n = noise(60, 3);
        assert_ne!(
            h.probe(&RxDissector, &pkt_at(&n, L4::Tcp, 1, 2, Dir::ToServer, [0, 0])),
            Verdict::Yes(Proto::Rx)
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(a in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80),
                     b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            let mut h = Harness::new(&pkt_at(&a, L4::Udp, 1, 2, Dir::ToServer, [0, 0]));
            let _ = h.probe(&RxDissector, &pkt_at(&a, L4::Udp, 1, 2, Dir::ToServer, [0, 0]));
            let _ = h.probe(&RxDissector, &pkt_at(&b, L4::Udp, 1, 2, Dir::ToClient, [1, 0]));
        }
    }
}
