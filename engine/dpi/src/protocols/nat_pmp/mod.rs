//! NAT-PMP (RFC 6886) over UDP: version 0 and an opcode whose message has a fixed size — external address request
//! (2 bytes), UDP/TCP mapping request (12 bytes, reserved word 0), and their responses (opcode + 128: 12 and 16
//! bytes, a result code 0-5). As nDPI: on port 5351 one valid message decides; elsewhere (a capture that missed
//! the port, or a relay) from the flow's third packet on, provided it is not the bare 2-byte request.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use crate::protocols::util::total_seen;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    NatPmp = 312, "NAT-PMP", Network, udp [5351];
}

/// NAT-PMP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const PORT: u16 = 5351;
const MAX_RESULT: u16 = 5;
/// Packets of the flow before which a message off the port only asks for more.
const OFF_PORT_PACKET: u32 = 3;

/// The opcode of a well-formed message.
fn message(p: &[u8]) -> Option<u8> {
    if p.u8_at(0)? != 0 {
        return None;
    }
    let op = p.u8_at(1)?;
    let ok = match op {
        0 => p.len() == 2,
        1 | 2 => p.len() == 12 && p.u16_at(2) == Some(0),
        0x80 => p.len() == 12 && p.u16_at(2)? <= MAX_RESULT,
        0x81 | 0x82 => p.len() == 16 && p.u16_at(2)? <= MAX_RESULT,
        _ => false,
    };
    ok.then_some(op)
}

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.l4 != L4::Udp {
        return Verdict::No;
    }
    let Some(op) = message(pkt.payload) else {
        return Verdict::No;
    };
    if pkt.either_port(PORT) || (total_seen(pkt) + 1 >= OFF_PORT_PACKET && op != 0) {
        Verdict::Yes(Proto::NatPmp)
    } else {
        Verdict::NeedMore
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};

    #[test]
    fn requests_and_responses() {
        for m in [
            "0000",                                     // external address request
            "0080 0000 00000e10 c0000201",              // its response: 192.0.2.1, epoch 3600 s
            "0002 0000 1f90 1f90 00001c20",             // TCP mapping 8080 for 2 h
            "0082 0000 00000e10 1f90 1f90 00001c20",    // its response
        ] {
            assert_eq!(detect(&pkt(&hex(m), L4::Udp, 40000, 5351)), Verdict::Yes(Proto::NatPmp), "{m}");
        }
    }

    #[test]
    fn off_the_port_it_takes_three_packets() {
        let m = hex("0002 0000 1f90 1f90 00001c20");
        assert_eq!(detect(&pkt(&m, L4::Udp, 40000, 6000)), Verdict::NeedMore);
        let third = pkt_at(&m, L4::Udp, 40000, 6000, Dir::ToServer, [1, 1]);
        assert_eq!(detect(&third), Verdict::Yes(Proto::NatPmp));
    }

    #[test]
    fn near_misses() {
        for bad in ["0100", "0000 00", "0002 0001 1f90 1f90 00001c20", "0080 0006 00000e10 c0000201", "0003"] {
            assert_eq!(detect(&pkt(&hex(bad), L4::Udp, 1, 5351)), Verdict::No, "{bad}");
        }
        assert_eq!(detect(&pkt(&noise(12, 1), L4::Udp, 1, 5351)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..20)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, PORT));
        }
    }
}
