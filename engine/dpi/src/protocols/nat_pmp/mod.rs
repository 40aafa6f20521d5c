//! NAT-PMP (RFC 6886 §3): version 0; requests are an external-address query (opcode 0, 2 bytes) or a mapping
//! request (opcode 1 UDP / 2 TCP, 12 bytes, reserved zero); responses set opcode bit 128 and carry a result code
//! 0–5 and the epoch — 12 bytes for the address, 16 for a mapping.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

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

/// Highest result code (§3.5: out of resources).
const MAX_RESULT: u16 = 5;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.u8_at(0) != Some(0) {
        return Verdict::No;
    }
    let result_ok = || p.u16_at(2).is_some_and(|r| r <= MAX_RESULT);
    let ok = match (p.u8_at(1), p.len()) {
        (Some(0), 2) => true,
        (Some(1 | 2), 12) => p.u16_at(2) == Some(0),
        (Some(128), 12) => result_ok(),
        (Some(129 | 130), 16) => result_ok(),
        _ => false,
    };
    if ok {
        Verdict::Yes(Proto::NatPmp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn messages() {
        // §3.2 external address request and response; §3.3 a TCP mapping request for port 22 → 2222, 7200 s.
        assert_eq!(detect(&pkt(b"\0\0", L4::Udp, 5350, 5351)), Verdict::Yes(Proto::NatPmp));
        let resp = b"\x00\x80\x00\x00\x00\x01\x51\x80\xcb\x00\x71\x07";
        assert_eq!(detect(&pkt(resp, L4::Udp, 5351, 5350)), Verdict::Yes(Proto::NatPmp));
        let map = b"\x00\x02\x00\x00\x00\x16\x08\xae\x00\x00\x1c\x20";
        assert_eq!(detect(&pkt(map, L4::Udp, 5350, 5351)), Verdict::Yes(Proto::NatPmp));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&pkt(b"\x02\0", L4::Udp, 1, 5351)), Verdict::No, "PCP is version 2");
        assert_eq!(detect(&pkt(b"\0\0\0", L4::Udp, 1, 5351)), Verdict::No);
        assert_eq!(detect(&pkt(b"\x00\x02\x00\x01\x00\x16\x08\xae\x00\x00\x1c\x20", L4::Udp, 1, 5351)), Verdict::No);
        assert_eq!(detect(&pkt(b"\x00\x80\x00\x09\x00\x01\x51\x80\xcb\x00\x71\x07", L4::Udp, 1, 5351)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(12, seed), L4::Udp, 1, 5351)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..20)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 5351));
        }
    }
}
