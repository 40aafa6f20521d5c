//! CORBA's GIOP (OMG CORBA 3.x, chapter 15 "General Inter-ORB Protocol"), over TCP (IIOP) or UDP: the magic
//! `GIOP`, version 1.0–1.3, a flags byte with only its defined bits (byte order, fragments), a message type 0–7
//! and a message size (in the byte order the flags give) covering at least the rest of the packet.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Corba = 168, "Corba", Rpc;
}

/// Corba's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// The GIOP header's size.
const HEADER: usize = 12;
/// Highest message type (Fragment, GIOP 1.1).
const MAX_TYPE: u8 = 7;
/// Highest minor version (GIOP 1.3).
const MAX_MINOR: u8 = 3;
/// Largest message believed (ORBs cap messages far lower by default).
const MAX_SIZE: u32 = 64 << 20;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if !p.starts_with(b"GIOP") {
        return Verdict::No;
    }
    let (Some(major), Some(minor), Some(flags), Some(kind)) = (p.u8_at(4), p.u8_at(5), p.u8_at(6), p.u8_at(7))
    else {
        return Verdict::No;
    };
    let size = if flags & 1 == 0 { p.u32_at(8) } else { p.u32_le_at(8) };
    let ok = major == 1
        && minor <= MAX_MINOR
        && flags & !0x03 == 0
        && kind <= MAX_TYPE
        && size.is_some_and(|s| s <= MAX_SIZE && usize::try_from(s).is_ok_and(|s| s + HEADER >= p.len()));
    if ok {
        Verdict::Yes(Proto::Corba)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, HTTP_GET};
    use proptest::prelude::*;

    /// A GIOP 1.2 little-endian Request header (flags 0x01, type 0, size 0x3c), then the start of its body.
    const REQUEST: &[u8] = b"GIOP\x01\x02\x01\x00\x3c\x00\x00\x00\x05\x00\x00\x00\x03\x00\x00\x00";

    #[test]
    fn request() {
        assert_eq!(detect(&c0(REQUEST)), Verdict::Yes(Proto::Corba));
        // Big-endian GIOP 1.0 CloseConnection: size 0.
        assert_eq!(detect(&c0(b"GIOP\x01\x00\x00\x05\x00\x00\x00\x00")), Verdict::Yes(Proto::Corba));
    }

    #[test]
    fn near_misses() {
        for (at, b) in [(4, 2u8), (5, 4), (6, 0x10), (7, 8)] {
            let mut m = REQUEST.to_vec();
            m[at] = b;
            assert_eq!(detect(&c0(&m)), Verdict::No, "{at}");
        }
        // Size shorter than the packet.
        assert_eq!(detect(&c0(b"GIOP\x01\x00\x00\x05\x00\x00\x00\x00trailing")), Verdict::No);
        assert_eq!(detect(&c0(&REQUEST[..8])), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(40, 9))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(tail in proptest::collection::vec(any::<u8>(), 0..100)) {
            let mut p = b"GIOP".to_vec();
            p.extend_from_slice(&tail);
            let _ = detect(&c0(&p));
            let _ = detect(&c0(&tail));
        }
    }
}
