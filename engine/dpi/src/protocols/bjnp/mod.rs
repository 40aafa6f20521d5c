//! BJNP, Canon's printer and scanner network protocol (as CUPS' and SANE's `bjnp` backends speak it, UDP 8611–8613):
//! a 16-byte header opening with the magic `BJNP` (printer) or `MFNP` (scanner), a device type (1 printer, 2
//! scanner; 0x81/0x82 in responses) and a command code; the payload length field (at offset 12) covers at most the
//! rest of the datagram.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Bjnp = 204, "BJNP", System, udp [8612];
}

/// BJNP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const HEADER: usize = 16;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = (p.starts_with(b"BJNP") || p.starts_with(b"MFNP"))
        && matches!(p.u8_at(4), Some(0x01 | 0x02 | 0x81 | 0x82))
        && p.u32_at(12).and_then(|l| usize::try_from(l).ok()).is_some_and(|l| HEADER + l <= p.len());
    if ok {
        Verdict::Yes(Proto::Bjnp)
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
    fn discover() {
        // The printer backend's discover command (type 1, code 0x01), sequence 1, no payload.
        let d = b"BJNP\x01\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00";
        assert_eq!(detect(&pkt(d, L4::Udp, 40000, 8611)), Verdict::Yes(Proto::Bjnp));
        assert_eq!(detect(&pkt(b"BJNP\x03\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00", L4::Udp, 1, 8611)), Verdict::No);
        assert_eq!(detect(&pkt(b"BJNP\x01\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x10", L4::Udp, 1, 8611)), Verdict::No);
        assert_eq!(detect(&pkt(&d[..15], L4::Udp, 1, 8611)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(20, 1), L4::Udp, 1, 8611)), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(tail in proptest::collection::vec(any::<u8>(), 0..30)) {
            let mut p = b"BJNP".to_vec();
            p.extend_from_slice(&tail);
            let _ = detect(&pkt(&p, L4::Udp, 1, 8611));
        }
    }
}
