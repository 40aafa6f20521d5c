//! MELSEC, Mitsubishi's PLC communication protocol (the SLMP/MC protocol "4E frame" as nDPI reads it): a packet of
//! more than 40 bytes whose first byte is 0x57 (request) or 0xd7 (response), with the fixed 0x00001111 at bytes
//! 3-6 and a little-endian data length at bytes 19-20 equal to the rest of the packet. A first packet with the
//! right first byte but not the rest waits for the second (nDPI gives up after the flow's second packet).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use crate::protocols::util::total_seen;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Melsec = 75, "MELSEC", IoTScada;
}

/// MELSEC's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const MIN_LEN: usize = 41;
const FIXED: u32 = 0x0000_1111;
/// Offset of the data length, and the bytes before the data it counts.
const DATA_LEN: usize = 19;
const HEADER: usize = 21;
/// Packets looked at.
const MAX_PACKETS: u32 = 2;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = p.len() >= MIN_LEN
        && matches!(p[0], 0x57 | 0xd7)
        && p.u32_at(3) == Some(FIXED)
        && p.u16_le_at(DATA_LEN).map(usize::from) == Some(p.len() - HEADER);
    if ok {
        Verdict::Yes(Proto::Melsec)
    } else if total_seen(pkt) + 1 < MAX_PACKETS && p.first().is_some_and(|b| matches!(b, 0x57 | 0xd7)) {
        Verdict::NeedMore
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::testutil::{noise, pkt, pkt_at};
    use crate::L4;

    fn frame() -> Vec<u8> {
        let mut p = vec![0x57, 0x00, 0x00, 0x00, 0x00, 0x11, 0x11];
        p.resize(HEADER, 0);
        p.extend_from_slice(&[0xab; 24]);
        p[DATA_LEN] = 24;
        p
    }

    #[test]
    fn request_frame() {
        assert_eq!(detect(&pkt(&frame(), L4::Tcp, 40000, 5562)), Verdict::Yes(Proto::Melsec));
        let mut len = frame();
        len[DATA_LEN] = 25;
        assert_eq!(detect(&pkt(&len, L4::Tcp, 40000, 5562)), Verdict::NeedMore);
        let second = pkt_at(&len, L4::Tcp, 40000, 5562, Dir::ToClient, [1, 0]);
        assert_eq!(detect(&second), Verdict::No);
        let mut n = noise(60, 1);
        n[0] = 0x01;
        assert_eq!(detect(&pkt(&n, L4::Tcp, 1, 2)), Verdict::No);
        assert_eq!(detect(&pkt_at(&n, L4::Tcp, 1, 2, Dir::ToClient, [1, 0])), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 2));
        }
    }
}
