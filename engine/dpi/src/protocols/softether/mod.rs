//! SoftEther VPN. Over UDP (as nDPI reads it): a datagram `IP=<address>,PORT=<port>` (the NAT-traversal
//! server's answer), or a PACK of tuples whose first element is named `host_name` (element count, then the
//! length-prefixed name). Over HTTP: the client's handshake posts to `/vpnsvc/connect.cgi` or `/vpnsvc/vpn.cgi`
//! (the `http` folder asks [`over_http`]: HTTP.Softether).

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::{decimal, find};
use crate::proto::Proto;

crate::proto::identities! {
    Softether = 290, "Softether", Vpn;
}

/// Softether's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Longest `IP=…,PORT=…` datagram (an IPv6 address and a port).
const MAX_IP_PORT: usize = 64;
/// Most tuples in a PACK believed.
const MAX_TUPLES: u32 = 256;
/// The first element's name and its length field (the name with its NUL).
const HOST_NAME: &[u8] = b"host_name";

/// SoftEther when the HTTP head at the start of `p` is its handshake.
#[must_use]
pub fn over_http(p: &[u8]) -> Option<Proto> {
    (p.starts_with(b"POST /vpnsvc/connect.cgi ") || p.starts_with(b"POST /vpnsvc/vpn.cgi ")).then_some(Proto::Softether)
}

fn ip_port(p: &[u8]) -> bool {
    let Some(rest) = p.strip_prefix(b"IP=") else {
        return false;
    };
    let Some(sep) = find(rest, b",PORT=") else {
        return false;
    };
    let addr = &rest[..sep];
    let port = &rest[sep + 6..];
    p.len() <= MAX_IP_PORT
        && !addr.is_empty()
        && addr.iter().all(|&b| b.is_ascii_hexdigit() || b == b'.' || b == b':')
        && decimal(port, 5).is_some_and(|(v, n)| v <= 65535 && port[n..].iter().all(|&b| b == 0 || b == b'\n'))
}

fn pack(p: &[u8]) -> bool {
    let (Some(count), Some(len)) = (p.u32_at(0), p.u32_at(4)) else {
        return false;
    };
    (1..=MAX_TUPLES).contains(&count)
        && usize::try_from(len).is_ok_and(|l| l == HOST_NAME.len() + 1)
        && p.rest_at(8).starts_with(HOST_NAME)
}

fn detect(pkt: &Pkt) -> Verdict {
    if ip_port(pkt.payload) || pack(pkt.payload) {
        Verdict::Yes(Proto::Softether)
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

    #[test]
    fn datagrams_and_http() {
        assert_eq!(detect(&pkt(b"IP=203.0.113.7,PORT=51381", L4::Udp, 5004, 51381)), Verdict::Yes(Proto::Softether));
        let mut p = b"\0\0\0\x05\0\0\0\x0ahost_name\0\0\0\0\x02".to_vec();
        p.resize(120, 0);
        assert_eq!(detect(&pkt(&p, L4::Udp, 5004, 51381)), Verdict::Yes(Proto::Softether));
        assert_eq!(over_http(b"POST /vpnsvc/connect.cgi HTTP/1.1\r\nHost: vpn\r\n\r\n"), Some(Proto::Softether));
    }

    #[test]
    fn near_misses() {
        for bad in [&b"IP=,PORT=1"[..], b"IP=1.2.3.4,PORT=x", b"IP=1.2.3.4 PORT=5", b"IP=zz,PORT=5"] {
            assert_eq!(detect(&pkt(bad, L4::Udp, 1, 2)), Verdict::No);
        }
        assert_eq!(over_http(crate::protocols::util::test::HTTP_GET), None);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(100, seed), L4::Udp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..120)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
            let _ = over_http(&p);
        }
    }
}
