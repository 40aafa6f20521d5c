//! BJNP, Canon's printer and scanner discovery and job protocol (documented by the cups-bjnp and sane-backends
//! pixma drivers): a 16-byte header — magic `BJNP` (client) or `BNJB` (device; `BJNB` and `MFNP` in some
//! firmwares), a device type (1 printer, 2 scanner, 0x81/0x82 the replies), a command code, error code, sequence
//! and session ids — and a payload length that agrees with the rest of the packet.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Bjnp = 204, "BJNP", System, udp [8612];
}

/// BJNP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// The header: magic (4), device type, command, error code (2), sequence (2), session id (2), payload length (4).
const HEADER: usize = 16;
const MAGICS: &[&[u8; 4]] = &[b"BJNP", b"BNJB", b"BJNB", b"MFNP"];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let (Some(magic), Some(dev), Some(len)) = (p.get(..4), p.u8_at(4), p.u32_at(12)) else {
        return Verdict::No;
    };
    // The payload length may describe a job cut short by the capture, never less than what is here.
    let len_ok = usize::try_from(len).is_ok_and(|l| l + HEADER >= p.len());
    if MAGICS.iter().any(|m| m[..] == *magic) && matches!(dev, 1 | 2 | 0x81 | 0x82) && len_ok {
        Verdict::Yes(Proto::Bjnp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use crate::L4;

    #[test]
    fn discover_and_reply() {
        // The printer discovery broadcast (command 0x01, empty payload), and a device's reply with a 16-byte
        // payload, laid out as cups-bjnp's bjnp-protocol.h describes them.
        let discover = hex("424a4e50 01 01 0000 0001 0000 00000000");
        assert_eq!(detect(&pkt(&discover, L4::Udp, 40000, 8612)), Verdict::Yes(Proto::Bjnp));
        let mut reply = hex("424e4a42 81 01 0000 0001 0000 00000010");
        reply.extend_from_slice(&[0u8; 16]);
        assert_eq!(detect(&pkt(&reply, L4::Udp, 8612, 40000)), Verdict::Yes(Proto::Bjnp));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&pkt(&hex("424a4e50 05 01 0000 0001 0000 00000000"), L4::Udp, 1, 8612)), Verdict::No);
        assert_eq!(detect(&pkt(&hex("424a4e50 01 01 0000 0001 0000 000000"), L4::Udp, 1, 8612)), Verdict::No);
        let mut long = hex("424a4e50 01 01 0000 0001 0000 00000001");
        long.extend_from_slice(&[0; 4]);
        assert_eq!(detect(&pkt(&long, L4::Udp, 1, 8612)), Verdict::No);
        for seed in 1..50 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Udp, 1, 8612)), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 8612));
        }
    }
}
