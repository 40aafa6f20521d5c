//! MPEG_TS (ISO/IEC 13818-1 transport stream carried directly over UDP, as IPTV multicast and SRT-less encoders
//! send it): the datagram is a whole number of 188-byte packets, each starting with the 0x47 sync byte, none with
//! the reserved adaptation-field value 00.

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

/// Bytes of one transport-stream packet.
const TS_PACKET: usize = 188;
const SYNC: u8 = 0x47;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.is_empty() || !p.len().is_multiple_of(TS_PACKET) {
        return Verdict::No;
    }
    let ok = p
        .chunks_exact(TS_PACKET)
        .all(|ts| ts[0] == SYNC && ts[3] & 0x30 != 0);
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

    /// A PAT packet (PID 0, payload only, continuity 0) padded with 0xff, per ISO/IEC 13818-1 §2.4.3.
    fn pat() -> Vec<u8> {
        let mut p = vec![0x47, 0x40, 0x00, 0x10, 0x00, 0x00, 0xb0, 0x0d, 0x00, 0x01, 0xc1, 0x00, 0x00];
        p.resize(TS_PACKET, 0xff);
        p
    }

    #[test]
    fn seven_packets_per_datagram() {
        let one = pat();
        let seven: Vec<u8> = one.iter().copied().cycle().take(7 * TS_PACKET).collect();
        assert_eq!(detect(&pkt(&seven, L4::Udp, 40000, 1234)), Verdict::Yes(Proto::MpegTs));
        assert_eq!(detect(&pkt(&one, L4::Udp, 40000, 1234)), Verdict::Yes(Proto::MpegTs));
    }

    #[test]
    fn near_misses() {
        let mut p = pat();
        p.push(0);
        assert_eq!(detect(&pkt(&p, L4::Udp, 1, 2)), Verdict::No, "not a multiple");
        let mut p: Vec<u8> = pat().repeat(2);
        p[TS_PACKET] = 0x48;
        assert_eq!(detect(&pkt(&p, L4::Udp, 1, 2)), Verdict::No, "second sync lost");
        let mut p = pat();
        p[3] = 0x00;
        assert_eq!(detect(&pkt(&p, L4::Udp, 1, 2)), Verdict::No, "reserved adaptation field");
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(1316, seed), L4::Udp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..1400)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
        }
    }
}
