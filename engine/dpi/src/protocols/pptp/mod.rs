//! PPTP (RFC 2637 §2): a control message — length field equal to the packet, message type 1 (control), the
//! magic cookie 0x1A2B3C4D, a control message type 1–15 and a zero reserved field. nDPI takes only the
//! Start-Control-Connection-Request; any control message is as distinctive (a flow seen from its middle).

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Pptp = 115, "PPTP", Vpn;
}

/// PPTP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// The magic cookie (§2).
const MAGIC: u32 = 0x1a2b_3c4d;
/// Highest control message type (Set-Link-Info, §2.15).
const MAX_CONTROL_TYPE: u16 = 15;
/// Shortest control message (Echo-Request, §2.5).
const MIN_LEN: usize = 16;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = p.len() >= MIN_LEN
        && p.u16_at(0).is_some_and(|l| usize::from(l) == p.len())
        && p.u16_at(2) == Some(1)
        && p.u32_at(4) == Some(MAGIC)
        && p.u16_at(8).is_some_and(|t| (1..=MAX_CONTROL_TYPE).contains(&t))
        && p.u16_at(10) == Some(0);
    if ok {
        Verdict::Yes(Proto::Pptp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, HTTP_GET};
    use proptest::prelude::*;

    /// A Start-Control-Connection-Request (§2.1): length 156, protocol version 1.0, framing and bearer
    /// capabilities, maximum channels, firmware revision, host name and vendor (64 bytes each, NUL-padded).
    fn sccrq() -> Vec<u8> {
        let mut m = vec![0x00, 0x9c, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x01, 0x00, 0x00];
        m.extend_from_slice(&[0x01, 0x00, 0x00, 0x00, 0, 0, 0, 3, 0, 0, 0, 3, 0x00, 0x01, 0x00, 0x00]);
        let mut host = b"client".to_vec();
        host.resize(64, 0);
        let mut vendor = b"pppd".to_vec();
        vendor.resize(64, 0);
        m.extend_from_slice(&host);
        m.extend_from_slice(&vendor);
        m
    }

    #[test]
    fn control_messages() {
        let m = sccrq();
        assert_eq!(m.len(), 156);
        assert_eq!(detect(&c0(&m)), Verdict::Yes(Proto::Pptp));
        // Echo-Request (§2.5): length 16, type 5, identifier.
        let echo = b"\x00\x10\x00\x01\x1a\x2b\x3c\x4d\x00\x05\x00\x00\x00\x00\x00\x07";
        assert_eq!(detect(&c0(echo)), Verdict::Yes(Proto::Pptp));
    }

    #[test]
    fn near_misses() {
        let m = sccrq();
        for (at, b) in [(1, 0x9du8), (3, 2), (7, 0x4e), (9, 16), (11, 1)] {
            let mut x = m.clone();
            x[at] = b;
            assert_eq!(detect(&c0(&x)), Verdict::No, "{at}");
        }
        assert_eq!(detect(&c0(&m[..100])), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&c0(&noise(156, seed))), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = detect(&c0(&p));
        }
    }
}
