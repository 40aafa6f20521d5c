//! TeamSpeak, as nDPI reads it: TeamSpeak 3's UDP connection setup starts with `TS3INIT1`; TeamSpeak 2's TCP
//! connection packet starts `F4 BE 0x 00` (x = 1–3). Both in packets of at least 20 bytes.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    TeamSpeak = 162, "TeamSpeak", VoIp;
}

/// TeamSpeak's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const MIN_LEN: usize = 20;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = p.len() >= MIN_LEN
        && match pkt.l4 {
            L4::Udp => p.starts_with(b"TS3INIT1"),
            L4::Tcp => matches!(p.get(..4), Some([0xf4, 0xbe, 1..=3, 0x00])),
        };
    if ok {
        Verdict::Yes(Proto::TeamSpeak)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};
    use proptest::prelude::*;

    #[test]
    fn openings() {
        // TS3 client's first packet: "TS3INIT1", packet id 0x0065, flags 0x88, version and a timestamp.
        let ts3 = b"TS3INIT1\x00\x65\x88\x06\x3b\xec\xe9\x00\x00\x5f\x1a\x2b\x3c\x00\x00\x00\x00\x00\x00\x00\x00";
        assert_eq!(detect(&pkt(ts3, L4::Udp, 50000, 9987)), Verdict::Yes(Proto::TeamSpeak));
        let mut ts2 = vec![0xf4, 0xbe, 0x03, 0x00];
        ts2.resize(24, 0);
        assert_eq!(detect(&pkt(&ts2, L4::Tcp, 50000, 51234)), Verdict::Yes(Proto::TeamSpeak));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&pkt(b"TS3INIT1", L4::Udp, 1, 9987)), Verdict::No);
        assert_eq!(detect(&pkt(&[0xf4, 0xbe, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], L4::Tcp, 1, 2)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(30, 1), L4::Udp, 1, 9987)), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..40), udp in any::<bool>()) {
            let _ = detect(&pkt(&p, if udp { L4::Udp } else { L4::Tcp }, 1, 2));
        }
    }
}
