//! Z39.50 (ANSI/NISO Z39.50-2003, BER-encoded APDUs): the packet starts with an APDU — a context-specific
//! constructed tag 20–46 (initRequest 20 … close 48; 0xB4–0xBF single byte, or the long form 0xBF + number) — whose
//! BER length covers at least the rest of the packet, and whose first inner element is itself a well-formed
//! context-specific TLV inside it.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Z3950 = 260, "Z3950", Network, tcp [210];
}

/// Z3950's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// APDU tag numbers (initRequest 20 through close 48).
const APDUS: std::ops::RangeInclusive<u8> = 20..=48;
/// Largest APDU believed (the usual preferred-message-size is far lower).
const MAX_APDU: usize = 16 << 20;

/// A BER length at `at`: its value and the bytes it used (definite form, at most 4 length bytes).
fn ber_len(p: &[u8], at: usize) -> Option<(usize, usize)> {
    let first = p.u8_at(at)?;
    if first < 0x80 {
        return Some((usize::from(first), 1));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let v = (0..n).try_fold(0usize, |v, i| Some((v << 8) | usize::from(p.u8_at(at + 1 + i)?)))?;
    Some((v, 1 + n))
}

/// The APDU's tag: its number and the bytes it used.
fn apdu_tag(p: &[u8]) -> Option<(u8, usize)> {
    match p.u8_at(0)? {
        0xbf => Some((p.u8_at(1)?, 2)),
        t if t & 0xe0 == 0xa0 => Some((t & 0x1f, 1)),
        _ => None,
    }
}

fn apdu(p: &[u8]) -> Option<()> {
    let (number, t) = apdu_tag(p)?;
    if !APDUS.contains(&number) {
        return None;
    }
    let (len, l) = ber_len(p, t)?;
    let body = t + l;
    if len > MAX_APDU || body + len < p.len() || len < 2 {
        return None;
    }
    // The first element: a context-specific tag (primitive or constructed) and a length inside the APDU.
    let inner = p.u8_at(body)?;
    let (inner_len, il) = ber_len(p, body + 1)?;
    (inner & 0xc0 == 0x80 && 1 + il + inner_len <= len).then_some(())
}

fn detect(pkt: &Pkt) -> Verdict {
    if apdu(pkt.payload).is_some() {
        Verdict::Yes(Proto::Z3950)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, HTTP_GET, TLS_HELLO};
    use crate::protocols::util::testutil::hex;
    use proptest::prelude::*;

    /// An initRequest (tag 20 = 0xB4) built from the ASN.1: protocolVersion [3] BIT STRING, options [4] BIT
    /// STRING, preferredMessageSize [5] 1 MiB, exceptionalRecordSize [6] 5 MiB, implementationName [111] "yaz".
    const INIT: &str = "b4 1f 83 02 00 e0 84 03 00 e9 a2 85 03 10 00 00 86 03 50 00 00 9f 6f 03 79 61 7a 00 00 00 00";

    #[test]
    fn init_request() {
        let p = hex(INIT);
        assert_eq!(detect(&c0(&p)), Verdict::Yes(Proto::Z3950));
        assert_eq!(detect(&c0(&p[..10])), Verdict::Yes(Proto::Z3950), "cut by the segment");
    }

    #[test]
    fn near_misses() {
        let p = hex(INIT);
        for (at, b) in [(0, 0x30u8), (0, 0xa1), (1, 0x05), (2, 0x02)] {
            let mut m = p.clone();
            m[at] = b;
            assert_eq!(detect(&c0(&m)), Verdict::No, "{at} {b}");
        }
        for x in [crate::protocols::util::test::HTTP_GET, TLS_HELLO] {
            assert_eq!(detect(&c0(x)), Verdict::No);
        }
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        let hits = (1..500).filter(|&s| detect(&c0(&noise(40, s))) != Verdict::No).count();
        assert_eq!(hits, 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..60)) {
            let _ = detect(&c0(&p));
        }
    }
}
