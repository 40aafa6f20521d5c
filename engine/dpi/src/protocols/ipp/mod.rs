//! IPP, the Internet Printing Protocol (RFC 8010/8011), two ways as nDPI knows it: over HTTP, a POST whose
//! Content-Type is `application/ipp` (the `http` folder asks [`over_http`]: HTTP.IPP); and CUPS' printer browsing
//! datagrams (UDP 631, CUPS 1.x `cups-browsed`): `<type in hex> <state in decimal> ipp://…`.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::http::parser;
use crate::protocols::util::starts_ci;
use crate::proto::Proto;

crate::proto::identities! {
    Ipp = 6, "IPP", System;
}

/// IPP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Shortest browse packet nDPI looks at (type, state and the start of a URI).
const MIN_BROWSE: usize = 21;
/// Digits of the printer-type bit field (32 bits, hex).
const MAX_TYPE_DIGITS: usize = 8;
/// Digits of the printer state (3 idle, 4 processing, 5 stopped).
const MAX_STATE_DIGITS: usize = 3;

/// IPP when the HTTP head at the start of `p` is a POST with an IPP body.
#[must_use]
pub fn over_http(p: &[u8]) -> Option<Proto> {
    if !p.starts_with(b"POST ") {
        return None;
    }
    starts_ci(parser::header(p, b"content-type")?, b"application/ipp").then_some(Proto::Ipp)
}

/// A CUPS browse packet: `type state uri …`.
fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let type_digits = p
        .iter()
        .take(MAX_TYPE_DIGITS + 1)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    let rest = &p[type_digits..];
    let state_digits = rest
        .get(1..)
        .unwrap_or_default()
        .iter()
        .take(MAX_STATE_DIGITS + 1)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let ok = p.len() >= MIN_BROWSE
        && (1..=MAX_TYPE_DIGITS).contains(&type_digits)
        && rest.first() == Some(&b' ')
        && (1..=MAX_STATE_DIGITS).contains(&state_digits)
        && rest.get(1 + state_digits..).is_some_and(|u| u.starts_with(b" ipp://"));
    if ok {
        Verdict::Yes(Proto::Ipp)
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

    /// A CUPS 1.x browse line (CUPS' "Printer Browsing" format: type 0x801016, idle, URI, location, info, model).
    const BROWSE: &[u8] = b"801016 3 ipp://printhost:631/printers/laser \"Office\" \"Laser\" \"HP LaserJet\"\n";
    /// An IPP request head written from RFC 8010 §3 and RFC 8011 (the header set a CUPS 2.4 client sends).
    const IPP_POST: &[u8] = b"POST /printers/x HTTP/1.1\r\nContent-Length: 215\r\nContent-Type: application/ipp\r\nDate: Thu, 04 Dec 2025 10:00:00 GMT\r\nHost: 127.0.0.1:631\r\nUser-Agent: CUPS/2.4.2 (Linux 6.1.0; x86_64) IPP/2.0\r\n\r\n";

    #[test]
    fn browse_and_post() {
        assert_eq!(detect(&pkt(BROWSE, L4::Udp, 631, 631)), Verdict::Yes(Proto::Ipp));
        assert_eq!(over_http(IPP_POST), Some(Proto::Ipp));
    }

    #[test]
    fn others() {
        assert_eq!(over_http(crate::protocols::util::test::HTTP_GET), None);
        assert_eq!(over_http(b"POST / HTTP/1.1\r\nContent-Type: text/plain\r\n\r\n"), None);
        for bad in [&b"801016 3 http://x/"[..], b"zz 3 ipp://x", b"801016  ipp://x", b"123456789 3 ipp://x"] {
            assert_eq!(detect(&pkt(bad, L4::Udp, 631, 631)), Verdict::No);
        }
        for n in 0..MIN_BROWSE {
            assert_eq!(detect(&pkt(&BROWSE[..n], L4::Udp, 631, 631)), Verdict::No);
        }
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Udp, 631, 631)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..120)) {
            let _ = detect(&pkt(&p, L4::Udp, 631, 631));
            let _ = over_http(&p);
        }
    }
}
