//! GTP, the GPRS Tunnelling Protocol, on its three ports, each version checked against its own header (the same
//! checks as nDPI's):
//! - GTP-U (3GPP TS 29.281), UDP 2152: version 1 with PT = 1 and a length that fits the packet. The capture
//!   decoder already strips G-PDUs to their inner flow; what is left here is signalling (echo, error indication).
//! - GTP-C (TS 29.060 v1, TS 29.274 v2), UDP 2123: v1 with a message type 1-129, a length equal to the rest of
//!   the packet after the 8-byte header, room for the optional fields when a flag announces them; v2 with a length
//!   equal to the rest after the first 4 bytes.
//! - GTP' (TS 32.295, charging), UDP 3386: PT = 0, the spare bits set, a message type 1-7 or 240/241 and a length
//!   that fits after the 6-byte header.
//!
//! The master protocol is GTP; the variant is the application ("GTP.GTP_C"), as nDPI reports it.

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Gtp = 152, "GTP", Network;
    GtpC = 272, "GTP_C", Network, udp [2123];
    GtpU = 271, "GTP_U", Network, udp [2152];
    GtpPrime = 273, "GTP_PRIME", Network, udp [3386];
}

/// GTP's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&GtpDissector),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const PORT_U: u16 = 2152;
const PORT_C: u16 = 2123;
const PORT_PRIME: u16 = 3386;
/// Mandatory header lengths: GTPv1 (U and C), GTPv2-C's first part, GTP'.
const HEADER_V1: usize = 8;
const HEADER_V2: usize = 4;
const HEADER_PRIME: usize = 6;
/// Optional GTPv1 fields (sequence, N-PDU, next extension type) announced by any of the E/S/PN flags.
const V1_OPTIONAL: usize = 4;

/// Which GTP the packet is, from its port and header.
fn variant(pkt: &Pkt) -> Option<Proto> {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp {
        return None;
    }
    let flags = p.u8_at(0)?;
    let kind = p.u8_at(1)?;
    let len = usize::from(p.u16_at(2)?);
    let version = flags >> 5;
    let pt = flags & 0x10 != 0;
    if pkt.either_port(PORT_U)
        && version == 1
        && pt
        && p.len() >= HEADER_V1
        && len <= p.len() - HEADER_V1
    {
        return Some(Proto::GtpU);
    }
    if pkt.either_port(PORT_C) {
        let v1 = version == 1
            && p.len() >= HEADER_V1
            && len == p.len() - HEADER_V1
            && (flags & 0x07 == 0 || len >= V1_OPTIONAL)
            && (1..=129).contains(&kind);
        let v2 = version == 2 && len == p.len() - HEADER_V2;
        if v1 || v2 {
            return Some(Proto::GtpC);
        }
    }
    if pkt.either_port(PORT_PRIME)
        && !pt
        && (flags >> 1) & 0x07 == 0x07
        && p.len() >= HEADER_PRIME
        && len <= p.len() - HEADER_PRIME
        && matches!(kind, 1..=7 | 240 | 241)
    {
        return Some(Proto::GtpPrime);
    }
    None
}

struct GtpDissector;

impl Dissector for GtpDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        match variant(pkt) {
            Some(app) => {
                flow.set_app(app);
                Verdict::Yes(Proto::Gtp)
            }
            None => Verdict::No,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    /// GTPv1-U echo request with a sequence number (TS 29.281 §5.1, flags 0x32).
    const U_ECHO: &str = "32 01 0004 00000000 1234 0000";
    /// GTPv2-C echo request with a Recovery IE (TS 29.274 §7.1.1): no TEID, length 9.
    const C2_ECHO: &str = "40 01 0009 000001 00 03 0001 00 05";
    /// GTPv1-C create PDP context request start (flags 0x32, type 16), length covering the rest.
    const C1_CREATE: &str = "32 10 0006 00000000 0001 0000 0e 05";
    /// GTP' echo request (TS 32.295 §6.2.1): version 2, PT 0, spare bits set, 6-byte header.
    const PRIME_ECHO: &str = "4e 01 0000 0001";

    fn probe(hexed: &str, server_port: u16) -> (Verdict, Proto) {
        let p = hex(hexed);
        let pk = pkt(&p, L4::Udp, 40000, server_port);
        let mut h = Harness::new(&pk);
        let v = h.probe(&GtpDissector, &pk);
        (v, h.class.app)
    }

    #[test]
    fn each_variant_on_its_port() {
        assert_eq!(probe(U_ECHO, 2152), (Verdict::Yes(Proto::Gtp), Proto::GtpU));
        assert_eq!(probe(C2_ECHO, 2123), (Verdict::Yes(Proto::Gtp), Proto::GtpC));
        assert_eq!(probe(C1_CREATE, 2123), (Verdict::Yes(Proto::Gtp), Proto::GtpC));
        assert_eq!(
            probe(PRIME_ECHO, 3386),
            (Verdict::Yes(Proto::Gtp), Proto::GtpPrime)
        );
    }

    #[test]
    fn wrong_port_length_or_version() {
        assert_eq!(probe(U_ECHO, 2153).0, Verdict::No);
        assert_eq!(probe(C2_ECHO, 2152).0, Verdict::No);
        assert_eq!(probe("40 01 000a 000001 00 03 0001 00 05", 2123).0, Verdict::No);
        assert_eq!(probe("12 01 0004 00000000 1234 0000", 2152).0, Verdict::No);
        assert_eq!(probe("32 ff 0004 00000000 1234 0000", 2123).0, Verdict::No);
        assert_eq!(probe("4e 09 0000 0001", 3386).0, Verdict::No);
        for seed in 1..100 {
            let p = noise(48, seed);
            for port in [PORT_C, PORT_PRIME] {
                assert_eq!(variant(&pkt(&p, L4::Udp, 1, port)), None, "seed {seed}");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100),
                     port in proptest::sample::select(vec![PORT_U, PORT_C, PORT_PRIME])) {
            let _ = variant(&pkt(&p, L4::Udp, 1, port));
        }
    }
}
