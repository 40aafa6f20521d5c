//! IceCast (Icecast 2 source protocol, as libshout speaks it): a source client opens with `SOURCE <mount>
//! HTTP/1.0` (or `ICE/1.0`) and `ice-*` stream headers; listeners and sources get answers whose `Server` header
//! names `Icecast`. Requests with standard HTTP methods are HTTP's (nDPI names them the same way).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::{first_line, starts_ci};

crate::proto::identities! {
    IceCast = 52, "IceCast", Media;
}

/// IceCast's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// A source request is one short head (nDPI's bound).
const MAX_SOURCE_HEAD: usize = 500;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.starts_with(b"SOURCE ") && p.len() < MAX_SOURCE_HEAD {
        let Some(line) = first_line(p) else {
            return Verdict::NeedMore;
        };
        if !(line.ends_with(b" HTTP/1.0") || line.ends_with(b" HTTP/1.1") || line.ends_with(b" ICE/1.0")) {
            return Verdict::No;
        }
        return if has_ice_header(p) {
            Verdict::Yes(Proto::IceCast)
        } else {
            // The stream headers may follow in the next segment.
            Verdict::NeedMore
        };
    }
    if (p.starts_with(b"HTTP/1.") || p.starts_with(b"ICY ")) && server_is_icecast(p) {
        return Verdict::Yes(Proto::IceCast);
    }
    Verdict::No
}

/// A header line starting `ice-` (ice-name, ice-public, ice-audio-info, …).
fn has_ice_header(p: &[u8]) -> bool {
    p.split(|&b| b == b'\n')
        .skip(1)
        .any(|l| l.len() > 4 && starts_ci(l, b"ice-"))
}

/// A `Server:` header whose value starts with `Icecast`.
fn server_is_icecast(p: &[u8]) -> bool {
    p.split(|&b| b == b'\n').skip(1).any(|l| {
        starts_ci(l, b"server:") && starts_ci(l[7..].trim_ascii_start(), b"icecast")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{HTTP_GET, TLS_HELLO};
    use crate::protocols::util::testutil::{noise, pkt, pkt_at};
    use crate::{Dir, L4};
    use proptest::prelude::*;

    // What libshout 2 sends for a SOURCE login (built from its source, protocol HTTP with `SOURCE` method).
    const SOURCE: &[u8] = b"SOURCE /live.ogg HTTP/1.0\r\nAuthorization: Basic c291cmNlOmhhY2ttZQ==\r\n\
Content-Type: application/ogg\r\nice-name: test\r\nice-public: 0\r\n\r\n";

    #[test]
    fn source_login_and_server_answer() {
        assert_eq!(detect(&pkt(SOURCE, L4::Tcp, 40000, 8000)), Verdict::Yes(Proto::IceCast));
        let answer = b"HTTP/1.0 200 OK\r\nServer: Icecast 2.4.4\r\nContent-Type: audio/mpeg\r\n\r\n";
        let s = pkt_at(answer, L4::Tcp, 40000, 8000, Dir::ToClient, [1, 0]);
        assert_eq!(detect(&s), Verdict::Yes(Proto::IceCast));
    }

    #[test]
    fn waits_for_stream_headers_then_others_are_not_icecast() {
        let head = b"SOURCE /live.ogg HTTP/1.0\r\nAuthorization: Basic eA==\r\n";
        assert_eq!(detect(&pkt(head, L4::Tcp, 40000, 8000)), Verdict::NeedMore);
        let bad = b"SOURCE /live.ogg FOO/1.0\r\nice-name: x\r\n\r\n";
        assert_eq!(detect(&pkt(bad, L4::Tcp, 40000, 8000)), Verdict::No);
        let nginx = b"HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n";
        assert_eq!(detect(&pkt(nginx, L4::Tcp, 40000, 8000)), Verdict::No);
        for p in [HTTP_GET, TLS_HELLO] {
            assert_eq!(detect(&pkt(p, L4::Tcp, 40000, 8000)), Verdict::No);
        }
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(100, seed), L4::Tcp, 1, 2)), Verdict::No);
        }
    }

    #[test]
    fn prefixes() {
        for n in 0..SOURCE.len() {
            let v = detect(&pkt(&SOURCE[..n], L4::Tcp, 40000, 8000));
            assert!(v != Verdict::Yes(Proto::IceCast) || n > 60, "{n}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..600)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 2));
        }
    }
}
