//! MPEG transport streams sent raw over UDP (ISO/IEC 13818-1 §2.4.3; the usual IPTV multicast): the datagram is a
//! whole number of 188-byte packets, each starting with the sync byte 0x47, without the transport error flag and
//! with an adaptation-field control other than the reserved 00. nDPI checks the size and sync bytes.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
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

const TS_PACKET: usize = 188;
const SYNC: u8 = 0x47;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp || p.is_empty() || !p.len().is_multiple_of(TS_PACKET) {
        return Verdict::No;
    }
    let all = p
        .chunks_exact(TS_PACKET)
        .all(|ts| ts[0] == SYNC && ts[1] & 0x80 == 0 && ts[3] & 0x30 != 0);
    if all {
        Verdict::Yes(Proto::MpegTs)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};

    fn stream(n: usize) -> Vec<u8> {
        // Null packets (PID 0x1fff, payload only, continuity counter counting), stuffed with 0xff.
        (0..n)
            .flat_map(|i| {
                let mut ts = vec![SYNC, 0x1f, 0xff, 0x10 | (i as u8 & 0x0f)];
                ts.resize(TS_PACKET, 0xff);
                ts
            })
            .collect()
    }

    #[test]
    fn seven_packets_per_datagram() {
        assert_eq!(detect(&pkt(&stream(7), L4::Udp, 40000, 1234)), Verdict::Yes(Proto::MpegTs));
        let mut bad = stream(7);
        bad[TS_PACKET * 3] = 0x48;
        assert_eq!(detect(&pkt(&bad, L4::Udp, 40000, 1234)), Verdict::No);
        assert_eq!(detect(&pkt(&stream(7)[..1000], L4::Udp, 40000, 1234)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(TS_PACKET * 2, 1), L4::Udp, 40000, 1234)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
        }
    }
}
