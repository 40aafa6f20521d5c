//! The PROXY protocol (HAProxy's proxy-protocol.txt) a load balancer puts before the client's bytes: v1 is a
//! text line `PROXY TCP4|TCP6|UNKNOWN …\r\n` of at most 107 bytes; v2 a 12-byte binary signature, version 2
//! with command LOCAL/PROXY, a known family/transport and a length covering the addresses.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Dir, Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::{find, total_seen};
use crate::proto::Proto;

crate::proto::identities! {
    HaProxy = 350, "HAProxy", Web;
}

/// HAProxy's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// v1's longest line (§2.1).
const MAX_V1: usize = 107;
/// v2's signature (§2.2).
const V2_SIGNATURE: &[u8; 12] = b"\r\n\r\n\0\r\nQUIT\n";

fn v1(p: &[u8]) -> bool {
    let Some(rest) = p.strip_prefix(b"PROXY ") else {
        return false;
    };
    let known = rest.starts_with(b"TCP4 ") || rest.starts_with(b"TCP6 ") || rest.starts_with(b"UNKNOWN");
    let line = find(p, b"\r\n").is_some_and(|end| end + 2 <= MAX_V1);
    known && line && p[..find(p, b"\r\n").unwrap_or(0)].iter().all(|b| (0x20..0x7f).contains(b))
}

fn v2(p: &[u8]) -> bool {
    let (Some(ver_cmd), Some(fam), Some(len)) = (p.u8_at(12), p.u8_at(13), p.u16_at(14)) else {
        return false;
    };
    // Family/transport: UNSPEC, TCP4, UDP4, TCP6, UDP6, UNIX stream/dgram; addresses need 12, 36 or 216 bytes.
    let need = match fam {
        0x00 => 0,
        0x11 | 0x12 => 12,
        0x21 | 0x22 => 36,
        0x31 | 0x32 => 216,
        _ => return false,
    };
    p.starts_with(V2_SIGNATURE) && matches!(ver_cmd, 0x20 | 0x21) && len >= need
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.dir == Dir::ToServer && total_seen(pkt) == 0 && (v1(p) || v2(p)) {
        Verdict::Yes(Proto::HaProxy)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, s0, HTTP_GET};
    use proptest::prelude::*;

    #[test]
    fn headers() {
        // §2.1's examples, with the proxied request after the header.
        let v1 = b"PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
        assert_eq!(detect(&c0(v1)), Verdict::Yes(Proto::HaProxy));
        assert_eq!(detect(&c0(b"PROXY UNKNOWN\r\n")), Verdict::Yes(Proto::HaProxy));
        // v2 PROXY over TCP/IPv4: signature, 0x21, 0x11, length 12, addresses and ports.
        let mut v2 = V2_SIGNATURE.to_vec();
        v2.extend_from_slice(&[0x21, 0x11, 0x00, 0x0c, 10, 0, 0, 1, 10, 0, 0, 2, 0xdc, 0x04, 0x01, 0xbb]);
        assert_eq!(detect(&c0(&v2)), Verdict::Yes(Proto::HaProxy));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&c0(b"PROXY TCP5 1 2 3 4\r\n")), Verdict::No);
        assert_eq!(detect(&c0(b"PROXY TCP4 192.168.0.1 192.168.0.11 56324 443")), Verdict::No);
        assert_eq!(detect(&s0(b"PROXY UNKNOWN\r\n")), Verdict::No);
        let mut v2 = V2_SIGNATURE.to_vec();
        v2.extend_from_slice(&[0x21, 0x11, 0x00, 0x04]);
        assert_eq!(detect(&c0(&v2)), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(40, 1))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(tail in proptest::collection::vec(any::<u8>(), 0..60), v2 in any::<bool>()) {
            let mut p = if v2 { V2_SIGNATURE.to_vec() } else { b"PROXY ".to_vec() };
            p.extend_from_slice(&tail);
            let _ = detect(&c0(&p));
        }
    }
}
