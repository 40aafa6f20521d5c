//! Threema (the chat server protocol of Threema's Cryptography Whitepaper, on its port 5222): the client hello
//! (ephemeral key 32 + cookie 16 = 48 bytes), the server hello (cookie 16 + sealed box 64 = 80), the client's
//! login (191), the server's login ack, then frames with a little-endian 2-byte length. Port 5222 is part of the
//! rule: the opening is only sizes.

use crate::dissector::{Dir, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::total_seen;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Threema = 305, "Threema", Chat;
}

/// Threema's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const PORT: u16 = 5222;
const CLIENT_HELLO: usize = 48;
const SERVER_HELLO: usize = 80;
const LOGIN: usize = 191;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if !pkt.either_port(PORT) {
        return Verdict::No;
    }
    let step = match total_seen(pkt) {
        0 => pkt.dir == Dir::ToServer && p.len() == CLIENT_HELLO,
        1 => pkt.dir == Dir::ToClient && p.len() == SERVER_HELLO,
        2 => pkt.dir == Dir::ToServer && p.len() == LOGIN,
        // The login ack's size varies.
        3 => true,
        _ => {
            return if p.u16_le_at(0).is_some_and(|l| usize::from(l) + 2 == p.len()) {
                Verdict::Yes(Proto::Threema)
            } else {
                Verdict::No
            }
        }
    };
    if step {
        Verdict::NeedMore
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt_at};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn handshake_then_frame() {
        let steps = [
            (vec![1u8; 48], Dir::ToServer, [0, 0]),
            (vec![2u8; 80], Dir::ToClient, [1, 0]),
            (vec![3u8; 191], Dir::ToServer, [1, 1]),
            (vec![4u8; 32], Dir::ToClient, [2, 1]),
        ];
        for (p, d, seen) in &steps {
            assert_eq!(detect(&pkt_at(p, L4::Tcp, 40000, 5222, *d, *seen)), Verdict::NeedMore);
        }
        let mut frame = vec![0x10, 0x00];
        frame.extend_from_slice(&[9; 16]);
        assert_eq!(detect(&pkt_at(&frame, L4::Tcp, 40000, 5222, Dir::ToServer, [2, 2])), Verdict::Yes(Proto::Threema));
    }

    #[test]
    fn wrong_sizes_or_port() {
        assert_eq!(detect(&pkt_at(&[1; 47], L4::Tcp, 40000, 5222, Dir::ToServer, [0, 0])), Verdict::No);
        assert_eq!(detect(&pkt_at(&[1; 48], L4::Tcp, 40000, 5223, Dir::ToServer, [0, 0])), Verdict::No);
        assert_eq!(detect(&pkt_at(b"<?xml version='1.0'?><stream:stream to='a'>", L4::Tcp, 40000, 5222, Dir::ToServer, [0, 0])), Verdict::No);
        let n = noise(40, 3);
        assert_eq!(detect(&pkt_at(&n, L4::Tcp, 40000, 5222, Dir::ToServer, [2, 2])), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..300), seen in any::<[u16; 2]>()) {
            let _ = detect(&pkt_at(&p, L4::Tcp, 1, 5222, Dir::ToServer, seen));
        }
    }
}
