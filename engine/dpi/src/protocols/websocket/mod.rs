//! WebSocket (RFC 6455). Opened over HTTP: a request or a 101 response with `Upgrade: websocket` (§4.1–4.2) —
//! the `http` folder asks [`over_http`] and names the flow HTTP.WebSocket. Seen from the middle of a flow: the
//! flow's first payload packet is one whole frame (§5.2) — RSV bits clear, a defined opcode, control frames
//! final and short, masked from the client and unmasked from the server, the length field matching the packet.
//! That is little to go on, so the dissector runs last and decides on the first packet only.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Dir, Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::http::parser;
use crate::protocols::util::{contains_ci, total_seen};
use crate::proto::Proto;

crate::proto::identities! {
    WebSocket = 251, "WebSocket", Web;
}

/// WebSocket's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Last,
    risks: &[],
};

/// Longest control-frame payload (§5.5).
const MAX_CONTROL: u64 = 125;
/// A frame longer than the packet is believed only when the packet fills a segment.
const FULL_SEGMENT: usize = 1000;

/// WebSocket when the HTTP head at the start of `p` asks for (or agrees to) the upgrade.
#[must_use]
pub fn over_http(p: &[u8]) -> Option<Proto> {
    let upgrade = parser::header(p, b"upgrade")?;
    contains_ci(upgrade, b"websocket").then_some(Proto::WebSocket)
}

/// One whole frame, from the client (masked) or the server (unmasked).
fn frame(p: &[u8], from_client: bool) -> bool {
    let (Some(b0), Some(b1)) = (p.u8_at(0), p.u8_at(1)) else {
        return false;
    };
    let opcode = b0 & 0x0f;
    let fin = b0 & 0x80 != 0;
    if b0 & 0x70 != 0 || !matches!(opcode, 0..=2 | 8..=10) || (b1 & 0x80 != 0) != from_client {
        return false;
    }
    let (len, mut header) = match b1 & 0x7f {
        126 => (p.u16_at(2).map(u64::from), 4),
        127 => (p.u64_at(2), 10),
        n => (Some(u64::from(n)), 2),
    };
    let Some(len) = len else { return false };
    if from_client {
        header += 4;
    }
    if opcode >= 8 && (!fin || len > MAX_CONTROL) {
        return false;
    }
    let Some(total) = usize::try_from(len).ok().and_then(|l| l.checked_add(header)) else {
        return false;
    };
    if total == p.len() {
        payload_ok(opcode, fin, p.array_at::<4>(header.wrapping_sub(4)).filter(|_| from_client), p.rest_at(header))
    } else {
        total > p.len() && p.len() >= FULL_SEGMENT && len > MAX_CONTROL
    }
}

/// What a whole short frame's payload must be: UTF-8 text in a final text frame (§5.6), a status code from
/// 1000 to 4999 opening a close frame's body (§5.5.1, §7.4).
fn payload_ok(opcode: u8, fin: bool, mask: Option<[u8; 4]>, data: &[u8]) -> bool {
    let mut buf = [0u8; MAX_CONTROL as usize];
    let Some(plain) = buf.get_mut(..data.len()) else {
        return true;
    };
    for (i, (o, d)) in plain.iter_mut().zip(data).enumerate() {
        *o = d ^ mask.map_or(0, |m| m[i % 4]);
    }
    match opcode {
        1 if fin => std::str::from_utf8(plain).is_ok(),
        8 => plain.is_empty() || plain.u16_at(0).is_some_and(|c| (1000..5000).contains(&c)),
        _ => true,
    }
}

fn detect(pkt: &Pkt) -> Verdict {
    if total_seen(pkt) == 0 && frame(pkt.payload, pkt.dir == Dir::ToServer) {
        Verdict::Yes(Proto::WebSocket)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, s0, tcp, HTTP_GET, TLS_HELLO};
    use proptest::prelude::*;

    /// The handshake of RFC 6455 §1.2, and the frames of §5.7: a masked "Hello" from the client, an unmasked
    /// "Hello" and an unmasked ping from the server.
    const UPGRADE: &[u8] = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    const SWITCHING: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    const MASKED_HELLO: &[u8] = b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
    const HELLO: &[u8] = b"\x81\x05\x48\x65\x6c\x6c\x6f";
    const PING: &[u8] = b"\x89\x05\x48\x65\x6c\x6c\x6f";

    #[test]
    fn handshake_and_frames() {
        assert_eq!(over_http(UPGRADE), Some(Proto::WebSocket));
        assert_eq!(over_http(SWITCHING), Some(Proto::WebSocket));
        assert_eq!(detect(&c0(MASKED_HELLO)), Verdict::Yes(Proto::WebSocket));
        assert_eq!(detect(&s0(HELLO)), Verdict::Yes(Proto::WebSocket));
        assert_eq!(detect(&s0(PING)), Verdict::Yes(Proto::WebSocket));
        // 256 bytes of binary data in one unmasked frame (§5.7: 0x82 0x7E 0x0100).
        let mut bin = b"\x82\x7e\x01\x00".to_vec();
        bin.resize(260, 0xab);
        assert_eq!(detect(&s0(&bin)), Verdict::Yes(Proto::WebSocket));
    }

    /// The upgrade request through the HTTP dissector names HTTP.WebSocket.
    #[test]
    fn through_http() {
        use crate::protocols::util::harness::Harness;
        let http = crate::protocols::http::PROTOCOL.dissector.expect("HTTP has a dissector");
        let req = c0(UPGRADE);
        let mut h = Harness::new(&req);
        assert!(matches!(h.probe(http, &req), Verdict::Follow { master: Proto::Http, .. }));
        assert_eq!(h.class.app, Proto::WebSocket);
    }

    #[test]
    fn near_misses() {
        // Wrong direction for the mask, a later packet, lengths off by one, RSV set, reserved opcode.
        assert_eq!(detect(&s0(MASKED_HELLO)), Verdict::No);
        assert_eq!(detect(&c0(HELLO)), Verdict::No);
        assert_eq!(detect(&tcp(HELLO, Dir::ToClient, [1, 0])), Verdict::No);
        assert_eq!(detect(&s0(&HELLO[..6])), Verdict::No);
        assert_eq!(detect(&s0(b"\xc1\x05Hello")), Verdict::No);
        assert_eq!(detect(&s0(b"\x83\x05Hello")), Verdict::No);
        assert_eq!(detect(&s0(b"\x09\x05Hello")), Verdict::No, "fragmented ping");
        assert_eq!(over_http(HTTP_GET), None);
        for p in [HTTP_GET, TLS_HELLO] {
            assert_eq!(detect(&c0(p)), Verdict::No);
            assert_eq!(detect(&s0(p)), Verdict::No);
        }
        let hits = (1..2000)
            .filter(|&seed| detect(&s0(&noise(60, seed))) != Verdict::No)
            .count();
        // A random binary frame of the right length still passes (about 1 in 16,000 packets; one of these).
        assert!(hits <= 1, "{hits}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..300), client in any::<bool>()) {
            let _ = detect(&if client { c0(&p) } else { s0(&p) });
            let _ = over_http(&p);
        }
    }
}
