//! Radmin (Famatech Remote Administrator), as nDPI reads it: messages start with the big-endian word
//! 0x01000000 and a type byte. The client's 10-byte hello (type 1, 0x0808 at offset 8) and the server's
//! 46-byte answer (type 0x25, 0x02120802 at offset 7, 0x0A at offset 13) — or two 14-byte type-5 messages
//! with 0x2727 at offset 8 — make a session.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Dir, Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::{seen_other, total_seen};
use crate::proto::Proto;

crate::proto::identities! {
    Radmin = 391, "Radmin", RemoteAccess, tcp [4899];
}

/// Radmin's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const MAGIC: u32 = 0x0100_0000;
/// Payload packets a flow that opened like Radmin waits for the rest.
const WAIT: u32 = 4;

fn hello(p: &[u8]) -> bool {
    p.len() == 10 && p.u32_at(0) == Some(MAGIC) && p.u8_at(4) == Some(1) && p.u16_at(8) == Some(0x0808)
}

fn answer(p: &[u8]) -> bool {
    p.len() == 46
        && p.u32_at(0) == Some(MAGIC)
        && p.u8_at(4) == Some(0x25)
        && p.u32_at(7) == Some(0x0212_0802)
        && p.u8_at(13) == Some(0x0a)
}

fn keepalive(p: &[u8]) -> bool {
    p.len() == 14 && p.u32_at(0) == Some(MAGIC) && p.u8_at(4) == Some(5) && p.u16_at(8) == Some(0x2727)
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let total = total_seen(pkt);
    match pkt.dir {
        Dir::ToServer if total == 0 && hello(p) => Verdict::NeedMore,
        Dir::ToClient if seen_other(pkt) > 0 && answer(p) => Verdict::Yes(Proto::Radmin),
        _ if keepalive(p) => {
            if total == 0 {
                Verdict::NeedMore
            } else {
                Verdict::Yes(Proto::Radmin)
            }
        }
        _ if total > 0 && total < WAIT => Verdict::NeedMore,
        _ => Verdict::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, tcp, HTTP_GET};
    use proptest::prelude::*;

    fn answer_bytes() -> Vec<u8> {
        let mut a = vec![0x01, 0x00, 0x00, 0x00, 0x25, 0x00, 0x00, 0x02, 0x12, 0x08, 0x02, 0x00, 0x00, 0x0a];
        a.resize(46, 0x11);
        a
    }

    #[test]
    fn handshake() {
        let hello = b"\x01\x00\x00\x00\x01\x00\x00\x00\x08\x08";
        assert_eq!(detect(&c0(hello)), Verdict::NeedMore);
        assert_eq!(detect(&tcp(&answer_bytes(), Dir::ToClient, [1, 0])), Verdict::Yes(Proto::Radmin));
        let ka = b"\x01\x00\x00\x00\x05\x00\x00\x00\x27\x27\x00\x00\x00\x00";
        assert_eq!(detect(&c0(ka)), Verdict::NeedMore);
        assert_eq!(detect(&tcp(ka, Dir::ToClient, [1, 0])), Verdict::Yes(Proto::Radmin));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&tcp(&answer_bytes(), Dir::ToClient, [0, 0])), Verdict::No);
        assert_eq!(detect(&c0(b"\x01\x00\x00\x00\x01\x00\x00\x00\x08\x09")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(10, 1))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..50), seen in (0u16..5, 0u16..5), up in any::<bool>()) {
            let _ = detect(&tcp(&p, if up { Dir::ToServer } else { Dir::ToClient }, [seen.0, seen.1]));
        }
    }
}
