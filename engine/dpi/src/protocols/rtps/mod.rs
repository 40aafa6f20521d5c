//! RTPS, the wire protocol of DDS (OMG DDSI-RTPS 2.5 §9.4.4): the magic `RTPS` (or RTI's `RTPX`), protocol
//! version 2.0-2.5, a vendor id and the 12-byte GUID prefix — a 20-byte header — then submessages, the first of
//! which must fit: a known id, an 8 or 16-bit aligned length that stays within the datagram.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Rtps = 359, "RTPS", Rpc;
}

/// RTPS's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Magic, version, vendor id, GUID prefix.
const HEADER: usize = 20;
/// The highest 2.x minor version published.
const MAX_MINOR: u8 = 5;
/// Submessage header: id, flags, octetsToNextHeader.
const SUB_HEADER: usize = 4;

/// Submessage ids of §9.4.5 (PAD … DATA_FRAG, and the vendor-neutral security ones 0x30-0x34).
fn known_submessage(id: u8) -> bool {
    matches!(id, 0x01 | 0x06..=0x09 | 0x0c | 0x0d | 0x0e | 0x0f | 0x12 | 0x13 | 0x15 | 0x16 | 0x30..=0x34)
        || id >= 0x80 // vendor-specific
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let (Some(magic), Some(major), Some(minor)) = (p.get(..4), p.u8_at(4), p.u8_at(5)) else {
        return Verdict::No;
    };
    if pkt.l4 != L4::Udp || !(magic == b"RTPS" || magic == b"RTPX") || major != 2 || minor > MAX_MINOR {
        return Verdict::No;
    }
    let sub = p.rest_at(HEADER);
    let (Some(id), Some(flags)) = (sub.u8_at(0), sub.u8_at(1)) else {
        return Verdict::No;
    };
    // The E flag (bit 0) says the length is little-endian; 0 means "to the end" for the last submessage.
    let len = if flags & 1 != 0 { sub.u16_le_at(2) } else { sub.u16_at(2) };
    let fits = len.is_some_and(|l| usize::from(l) + SUB_HEADER <= sub.len());
    if known_submessage(id) && fits {
        Verdict::Yes(Proto::Rtps)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    /// An SPDP participant announcement's start (DDSI-RTPS §9.4): header v2.3 vendor 01.0f (eProsima), GUID prefix,
    /// then INFO_TS (id 0x09, little-endian, 8 bytes) and a DATA submessage header.
    const SPDP: &str = "52545053 0203 010f 010f3c4b5d6e7f8091a2b3c4 \
                        09 01 0800 6f5e4d3c 2b1a0900 15 05 0800 00001000 000100c2";

    #[test]
    fn discovery_announcement() {
        assert_eq!(detect(&pkt(&hex(SPDP), L4::Udp, 40000, 7400)), Verdict::Yes(Proto::Rtps));
        let mut rtpx = hex(SPDP);
        rtpx[3] = b'X';
        assert_eq!(detect(&pkt(&rtpx, L4::Udp, 40000, 7400)), Verdict::Yes(Proto::Rtps));
    }

    #[test]
    fn near_misses() {
        let p = hex(SPDP);
        let mut v3 = p.clone();
        v3[4] = 3;
        assert_eq!(detect(&pkt(&v3, L4::Udp, 1, 7400)), Verdict::No);
        assert_eq!(detect(&pkt(&p[..HEADER], L4::Udp, 1, 7400)), Verdict::No);
        let mut long = p.clone();
        long[HEADER + 2] = 0xff;
        assert_eq!(detect(&pkt(&long, L4::Udp, 1, 7400)), Verdict::No);
        assert_eq!(detect(&pkt(&p, L4::Tcp, 1, 7400)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(60, 2), L4::Udp, 1, 7400)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 7400));
        }
    }
}
