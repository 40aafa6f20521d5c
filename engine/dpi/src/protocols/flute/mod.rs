//! FLUTE, file delivery over unidirectional transport (RFC 6726 on ALC, RFC 5775, and LCT, RFC 5651): an LCT
//! header of version 1 with no congestion-control field (first byte 0x10), whose header length (byte 2, in 4-byte
//! words) fits, followed — for the file delivery table, transport object 0 — by the FEC payload id and an XML
//! document whose root is an `FDT-Instance`. nDPI checks the same two strings at fixed offsets of packets longer
//! than 250 bytes; this finds them within a short window after the LCT header.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use crate::protocols::util::find;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Flute = 406, "FLUTE", Download;
}

/// FLUTE's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// LCT version 1, C = 0, PSI = 0.
const LCT_START: u8 = 0x10;
/// Where the XML declaration may start after the LCT header (the FEC payload id is 4 or 8 bytes).
const XML_WINDOW: usize = 16;
/// Where the FDT-Instance element must start after the declaration.
const FDT_WINDOW: usize = 256;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let (Some(b0), Some(words)) = (p.u8_at(0), p.u8_at(2)) else {
        return Verdict::No;
    };
    let lct = usize::from(words) * 4;
    if pkt.l4 != L4::Udp || b0 != LCT_START || lct < 8 || lct >= p.len() {
        return Verdict::No;
    }
    let body = &p[lct..];
    let Some(xml) = find(&body[..body.len().min(XML_WINDOW)], b"<?xml") else {
        return Verdict::No;
    };
    let doc = &body[xml..];
    if find(&doc[..doc.len().min(FDT_WINDOW)], b"<FDT-Instance").is_some() {
        Verdict::Yes(Proto::Flute)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    fn fdt() -> Vec<u8> {
        // LCT: 0x10, flags (S=1 O=0 H=0: 32-bit TSI, no TOI bits beyond 32), HDR_LEN 4 words, codepoint 0; CCI
        // omitted (C=0 means 32 bits: present), TSI, TOI 0; then the compact no-code FEC payload id (4 bytes) and
        // the FDT instance of RFC 6726 §3.4.2's example.
        let mut p = hex("10 80 04 00 00000000 00000001 00000000 00000000");
        p.extend_from_slice(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FDT-Instance Expires=\"2890842807\">\
<File Content-Location=\"http://www.example.com/menu/tracklist.html\" TOI=\"1\" \
Content-Type=\"text/html\"/></FDT-Instance>",
        );
        p
    }

    #[test]
    fn file_delivery_table() {
        assert_eq!(detect(&pkt(&fdt(), L4::Udp, 40717, 40085)), Verdict::Yes(Proto::Flute));
    }

    #[test]
    fn near_misses() {
        let mut v2 = fdt();
        v2[0] = 0x20;
        assert_eq!(detect(&pkt(&v2, L4::Udp, 1, 2)), Verdict::No);
        let mut other = fdt();
        let at = find(&other, b"FDT-Instance").unwrap_or(0);
        other[at] = b'X';
        assert_eq!(detect(&pkt(&other, L4::Udp, 1, 2)), Verdict::No);
        assert_eq!(detect(&pkt(&fdt(), L4::Tcp, 1, 2)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(300, 1), L4::Udp, 1, 2)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
        }
    }
}
