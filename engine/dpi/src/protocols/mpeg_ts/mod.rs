//! MPEG transport stream over UDP (ISO/IEC 13818-1 §2.4.3; IPTV's bare UDP multicast): the datagram is whole
//! 188-byte packets, each opening with the sync byte 0x47 and an adaptation field control other than the
//! reserved 00.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    MpegTs = 198, "MPEG_TS", Media;
}

/// MPEG_TS's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// A transport stream packet's size and sync byte.
const TS_PACKET: usize = 188;
const SYNC: u8 = 0x47;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = !p.is_empty()
        && p.len().is_multiple_of(TS_PACKET)
        && p.chunks(TS_PACKET).all(|c| c.u8_at(0) == Some(SYNC) && c.u8_at(3).is_some_and(|b| b & 0x30 != 0));
    if ok {
        Verdict::Yes(Proto::MpegTs)
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

    /// Seven TS packets (1316 bytes, the usual IPTV datagram): PID 0x100, payload only, counters 0–6.
    fn datagram() -> Vec<u8> {
        (0u8..7)
            .flat_map(|cc| {
                let mut ts = vec![SYNC, 0x41, 0x00, 0x10 | cc];
                ts.resize(TS_PACKET, 0xff);
                ts
            })
            .collect()
    }

    #[test]
    fn iptv_datagram() {
        assert_eq!(detect(&pkt(&datagram(), L4::Udp, 40000, 1234)), Verdict::Yes(Proto::MpegTs));
    }

    #[test]
    fn near_misses() {
        let d = datagram();
        assert_eq!(detect(&pkt(&d[..1315], L4::Udp, 1, 1234)), Verdict::No);
        let mut bad = d.clone();
        bad[188 * 3] = 0x48;
        assert_eq!(detect(&pkt(&bad, L4::Udp, 1, 1234)), Verdict::No);
        let mut reserved = d;
        reserved[3] = 0x00;
        assert_eq!(detect(&pkt(&reserved, L4::Udp, 1, 1234)), Verdict::No);
        let hits = (1..300).filter(|&s| detect(&pkt(&noise(188 * 2, s), L4::Udp, 1, 2)) != Verdict::No).count();
        assert_eq!(hits, 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
        }
    }
}
