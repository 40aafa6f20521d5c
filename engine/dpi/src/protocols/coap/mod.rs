//! CoAP (RFC 7252) over UDP: version 1, a message type, a token of at most 8 bytes, a code from the registry
//! (request methods, 2.xx/4.xx/5.xx responses, or the empty message), and options that parse up to the payload
//! marker. As nDPI does, only on CoAP's port 5683 or 6LoWPAN's compressed range 61616-61631: the fixed header is
//! four bytes and too weak on its own.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    Coap = 27, "COAP", Rpc, udp [5683];
}

/// COAP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Fixed header: version/type/token length, code, message id.
const HEADER: usize = 4;
/// Longest token (lengths 9-15 are reserved).
const MAX_TOKEN: usize = 8;
/// Options read at most before giving up (a real message carries a handful).
const MAX_OPTIONS: usize = 64;

fn coap_port(port: u16) -> bool {
    port == 5683 || (61616..=61631).contains(&port)
}

/// Codes in use: empty, GET..iPATCH, 2.01-2.05 and 2.31, 4.00-4.06, 4.08, 4.12, 4.13, 4.15, 4.29, 5.00-5.05.
fn known_code(code: u8) -> bool {
    matches!(code, 0..=7 | 65..=69 | 95 | 128..=134 | 136 | 140 | 141 | 143 | 157 | 160..=165)
}

/// Whether the options after the token are well formed (RFC 7252 §3.1): each a delta/length nibble pair whose
/// extended bytes and value fit; 15 in a nibble is only allowed as the 0xFF payload marker.
fn options_ok(mut p: &[u8]) -> bool {
    for _ in 0..MAX_OPTIONS {
        let Some((&b, rest)) = p.split_first() else {
            return true;
        };
        if b == 0xff {
            return !rest.is_empty(); // a marker announces a non-empty payload
        }
        let mut rest = rest;
        let mut ext = |nibble: u8| -> Option<usize> {
            match nibble {
                0..=12 => Some(usize::from(nibble)),
                13 => {
                    let (&e, r) = rest.split_first()?;
                    rest = r;
                    Some(usize::from(e) + 13)
                }
                14 => {
                    let e = rest.get(..2)?;
                    rest = &rest[2..];
                    Some(usize::from(u16::from_be_bytes([e[0], e[1]])) + 269)
                }
                _ => None,
            }
        };
        if ext(b >> 4).is_none() {
            return false;
        }
        let Some(len) = ext(b & 0x0f) else {
            return false;
        };
        let Some(r) = rest.get(len..) else {
            return false;
        };
        p = r;
    }
    false
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp || !(coap_port(pkt.client_port) || coap_port(pkt.server_port)) {
        return Verdict::No;
    }
    let (Some(&b0), Some(&code)) = (p.first(), p.get(1)) else {
        return Verdict::No;
    };
    let token = usize::from(b0 & 0x0f);
    if b0 >> 6 != 1 || token > MAX_TOKEN || p.len() < HEADER + token || !known_code(code) {
        return Verdict::No;
    }
    // The empty message is the bare header (RFC 7252 §4.1).
    let ok = if code == 0 {
        p.len() == HEADER && token == 0
    } else {
        options_ok(&p[HEADER + token..])
    };
    if ok {
        Verdict::Yes(Proto::Coap)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};

    /// A confirmable GET /.well-known/core with a 2-byte token, written from RFC 7252 §3 and §5.10.
    const GET_CORE: &str = "42 01 1a2b cafe bb 2e77656c6c2d6b6e6f776e 04 636f7265";
    /// The 2.05 Content reply (piggybacked ACK) with Content-Format 40 and a payload, same source.
    const CONTENT: &str = "62 45 1a2b cafe c1 28 ff 3c2f3e3b72743d2278223e";

    #[test]
    fn request_reply_and_empty_ack() {
        for m in [GET_CORE, CONTENT, "60 00 1a2b"] {
            let p = hex(m);
            assert_eq!(
                detect(&pkt(&p, L4::Udp, 40000, 5683)),
                Verdict::Yes(Proto::Coap),
                "{m}"
            );
        }
        let p = hex(GET_CORE);
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 61620, 61617)),
            Verdict::Yes(Proto::Coap)
        );
    }

    /// libcoap 4.3.1 (`coap-client-notls -m get coap://127.0.0.1/...` against `coap-server-notls`, loopback): a GET
    /// of /.well-known/core, and the server's 2.05 reply to a GET of /time.
    const LIBCOAP_GET: &str = "4101c47201bb2e77656c6c2d6b6e6f776e04636f7265";
    const LIBCOAP_TIME: &str = "61454e0701d10101ff4465632030342031383a34363a3237";

    #[test]
    fn recorded_from_libcoap() {
        assert_eq!(detect(&pkt(&hex(LIBCOAP_GET), L4::Udp, 53222, 5683)), Verdict::Yes(Proto::Coap));
        let time = hex(LIBCOAP_TIME);
        let reply = pkt_at(&time, L4::Udp, 43986, 5683, crate::dissector::Dir::ToClient, [1, 0]);
        assert_eq!(detect(&reply), Verdict::Yes(Proto::Coap));
    }

    #[test]
    fn near_misses_and_other_ports() {
        let p = hex(GET_CORE);
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 5684)), Verdict::No);
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 5683)), Verdict::No);
        for bad in [
            "82 01 1a2b cafe",          // version 2
            "49 01 1a2b 0102030405060708 09", // token length 9
            "40 08 1a2b",               // code 0.08 unassigned
            "60 00 1a2b 00",            // empty message with bytes
            "40 01 1a2b f0",            // option delta 15
            "40 01 1a2b 05 6162",       // option longer than the packet
            "40 01 1a2b ff",            // payload marker without payload
        ] {
            assert_eq!(
                detect(&pkt(&hex(bad), L4::Udp, 40000, 5683)),
                Verdict::No,
                "{bad}"
            );
        }
        let mut misses = 0;
        for seed in 1..200 {
            if detect(&pkt(&noise(40, seed), L4::Udp, 40000, 5683)) == Verdict::No {
                misses += 1;
            }
        }
        assert!(misses > 190, "noise taken for CoAP {} times", 199 - misses);
    }

    #[test]
    fn prefixes_never_misread() {
        let p = hex(GET_CORE);
        for n in 0..p.len() {
            // A cut inside an option is rejected; a cut between options is a shorter valid request.
            let v = detect(&pkt(&p[..n], L4::Udp, 40000, 5683));
            assert!(
                v == Verdict::No || n == 4 + 2 || n == 4 + 2 + 12,
                "prefix {n}: {v:?}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = detect(&pkt(&p, L4::Udp, 40000, 5683));
        }
    }
}
