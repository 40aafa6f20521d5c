//! OICQ, Tencent QQ's classic UDP protocol, as nDPI reads it: flag byte 0x02, protocol version 0x3B0B and a
//! command in 0x0001–0x00B5 or 0x03F7.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Oicq = 335, "OICQ", Chat, udp [8000];
}

/// OICQ's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Flag, version (2), command (2), sequence (2).
const HEADER: usize = 7;
const VERSION: u16 = 0x3b0b;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = p.len() >= HEADER
        && p.u8_at(0) == Some(0x02)
        && p.u16_at(1) == Some(VERSION)
        && p.u16_at(3).is_some_and(|c| (0x0001..=0x00b5).contains(&c) || c == 0x03f7);
    if ok {
        Verdict::Yes(Proto::Oicq)
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
    fn keepalive() {
        // Command 0x0002 (keep alive), sequence 0x1234, QQ number, encrypted body, end byte 0x03.
        let p = b"\x02\x3b\x0b\x00\x02\x12\x34\x00\x01\x86\xa0\xaa\xbb\xcc\x03";
        assert_eq!(detect(&pkt(p, L4::Udp, 4000, 8000)), Verdict::Yes(Proto::Oicq));
        assert_eq!(detect(&pkt(b"\x02\x3b\x0b\x00\xb6\x12\x34", L4::Udp, 1, 8000)), Verdict::No);
        assert_eq!(detect(&pkt(b"\x02\x3b\x0c\x00\x02\x12\x34", L4::Udp, 1, 8000)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(20, 1), L4::Udp, 1, 8000)), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..20)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 8000));
        }
    }
}
