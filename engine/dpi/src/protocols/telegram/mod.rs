//! Telegram calls through its reflectors: a 16-byte peer tag then twelve 0xff bytes and a 0xfe/0xff marker. The
//! reflector also carries the call's STUN in its own encapsulation (nDPI's `stun.c`: the peer tag, then a length
//! at offset 22 and the inner message at 24); a STUN message found there makes the flow `STUN.TelegramVoip`.

use crate::dissector::{Dissector, Flow, Follow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Telegram = 185, "Telegram", Chat;
}

/// Telegram's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&TelegramDissector),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Reflector packets followed for an encapsulated STUN message.
const FOLLOW_PACKETS: u8 = 10;
/// Offsets of the inner length and of the inner message.
const INNER_LEN: usize = 22;
const INNER: usize = 24;

struct TelegramDissector;

impl Dissector for TelegramDissector {
    fn probe(&self, pkt: &Pkt, _flow: &mut Flow) -> Verdict {
        if reflector(pkt.payload) {
            Verdict::Follow {
                master: Proto::Telegram,
                packets: FOLLOW_PACKETS,
            }
        } else {
            Verdict::No
        }
    }

    fn follow(&self, pkt: &Pkt, flow: &mut Flow) -> Follow {
        let p = pkt.payload;
        if p.len() <= INNER + 4 || reflector(p) {
            return Follow::More;
        }
        let Some(inner) = p
            .u16_at(INNER_LEN)
            .and_then(|l| p.get(INNER..INNER + usize::from(l)))
        else {
            return Follow::More;
        };
        if inner.first().is_some_and(|&b| b <= 3) && stun(inner) {
            flow.set_master(Proto::Stun);
            flow.set_app(Proto::TelegramVoip);
            return Follow::Done;
        }
        Follow::More
    }
}

/// A reflector's control packet: peer tag, twelve 0xff, marker.
fn reflector(b: &[u8]) -> bool {
    b.len() >= 32 && b[16..28].iter().all(|&x| x == 0xff) && (b[28] == 0xfe || b[28] == 0xff)
}

/// A STUN message with the magic cookie whose length fills the slice.
fn stun(m: &[u8]) -> bool {
    m.u32_at(4) == Some(0x2112_a442)
        && m.u16_at(2).is_some_and(|l| usize::from(l) + 20 == m.len())
        && m.u16_at(0).is_some_and(|k| k & 0xc000 == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use proptest::prelude::*;

    // First bytes of a flow in nDPI's regression capture telegram.pcap.
    #[test]
    fn real_opening() {
        let tg =
            hex("2fe49fa76c4eb433cbcd82a1bbea621efffffffffffffffffffffffffeffffff127fb2abab6d515d");
        let x = pkt(&tg, L4::Udp, 40000, 529);
        assert!(matches!(
            Harness::new(&x).probe(&TelegramDissector, &x),
            Verdict::Follow {
                master: Proto::Telegram,
                ..
            }
        ));
    }

    #[test]
    fn encapsulated_stun_is_telegram_voip() {
        // Peer tag (16), 6 bytes, the inner length, then a STUN Binding request (RFC 8489 §5).
        let stun = hex("000100002112a44253486b6846386f6477677956");
        let mut p = vec![0x11; 22];
        p.extend_from_slice(&u16::try_from(stun.len()).unwrap_or(0).to_be_bytes());
        p.extend_from_slice(&stun);
        let x = pkt(&p, L4::Udp, 40000, 529);
        let mut h = Harness::new(&x);
        h.class.master = Proto::Telegram;
        assert_eq!(h.follow(&TelegramDissector, &x), Follow::Done);
        assert_eq!((h.class.master, h.class.app), (Proto::Stun, Proto::TelegramVoip));
        let n = noise(60, 3);
        let y = pkt(&n, L4::Udp, 40000, 529);
        assert_eq!(Harness::new(&y).follow(&TelegramDissector, &y), Follow::More);
        assert_eq!(Harness::new(&y).probe(&TelegramDissector, &y), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..200)) {
            let x = pkt(&p, L4::Udp, 1, 2);
            let mut h = Harness::new(&x);
            let _ = h.probe(&TelegramDissector, &x);
            let _ = h.follow(&TelegramDissector, &x);
        }
    }
}
