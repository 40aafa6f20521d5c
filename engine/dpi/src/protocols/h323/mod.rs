//! H.323 call signalling (ITU-T H.225.0 over TCP 1720): a TPKT header (RFC 1006: version 3, reserved 0, length
//! covering at least the packet) around a Q.931 message — protocol discriminator 0x08, a call reference of 1 or 2
//! bytes, and a Q.931 message type H.225.0 uses (SETUP, CALL PROCEEDING, ALERTING, CONNECT, RELEASE COMPLETE,
//! FACILITY, PROGRESS, STATUS, NOTIFY, INFORMATION). RDP and ISO-TSAP also use TPKT, with an X.224 header
//! instead (its length byte is never 0x08 followed by a 1–2 byte call reference length).

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    H323 = 158, "H323", VoIp, tcp [1719, 1720], udp [1719, 1720];
}

/// H323's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Q.931 message types of H.225.0 call signalling.
const MESSAGES: &[u8] = &[0x01, 0x02, 0x03, 0x05, 0x07, 0x0f, 0x5a, 0x62, 0x6e, 0x7b, 0x7d];
/// TPKT + discriminator + call reference length.
const MIN_LEN: usize = 8;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let tpkt = p.u8_at(0) == Some(3)
        && p.u8_at(1) == Some(0)
        && p.u16_at(2).is_some_and(|l| usize::from(l) >= p.len() && usize::from(l) >= MIN_LEN);
    let q931 = p.u8_at(4) == Some(0x08)
        && match p.u8_at(5) {
            Some(n @ 1..=2) => p.u8_at(6 + usize::from(n)).is_some_and(|m| MESSAGES.contains(&m)),
            _ => false,
        };
    if tpkt && q931 {
        Verdict::Yes(Proto::H323)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, HTTP_GET};
    use crate::protocols::util::testutil::hex;
    use proptest::prelude::*;

    /// A SETUP's start built from H.225.0/Q.931: TPKT length 0x30, discriminator 8, call reference 0x1234,
    /// type 0x05, Bearer capability IE, then the user-user IE that carries the H.225 PDU.
    const SETUP: &str = "0300 0030 08 02 1234 05 04 03 8890a5 7e 0021 05 20b8 0006 0008 9114 0001 \
         0000000000000000000000000000000000";

    #[test]
    fn setup() {
        let p = hex(SETUP);
        assert_eq!(detect(&c0(&p)), Verdict::Yes(Proto::H323));
    }

    #[test]
    fn near_misses() {
        let p = hex(SETUP);
        for (at, b) in [(0, 2u8), (4, 0x09), (5, 3), (8, 0x06)] {
            let mut m = p.clone();
            m[at] = b;
            assert_eq!(detect(&c0(&m)), Verdict::No, "{at}");
        }
        // An RDP X.224 Connection Request in TPKT.
        let rdp = hex("0300002b26e00000000000436f6f6b69653a206d737473686173683d757365720d0a0100080003000000");
        assert_eq!(detect(&c0(&rdp)), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&c0(&noise(40, seed))), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(tail in proptest::collection::vec(any::<u8>(), 0..40)) {
            let mut p = vec![3, 0, 0, 40];
            p.extend_from_slice(&tail);
            let _ = detect(&c0(&p));
        }
    }
}
