//! Dofus (Ankama's MMORPG; formats from nDPI's dissector and the community's protocol notes):
//!
//! - Dofus 1.x speaks NUL-terminated text: the server greets with `HC<32-char key>\0` or `HG\0`, the client then
//!   logs in and selects (`AT<ticket>\0`, `Ak…\0`); the greeting marks the flow, the client's answer names it.
//! - Dofus 2 frames binary messages with a 2-byte header (message id << 2 | length size): the opening messages
//!   nDPI lists (ids 1/0x6e with their fixed shapes and lengths that add up).

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Dofus = 106, "Dofus", Game;
}

/// Dofus's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&DofusDissector),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// The key in a Dofus 1 `HC` greeting: 32 characters.
const HC_LEN: usize = 35;

/// A Dofus 1 greeting was seen.
struct Greeted;

struct DofusDissector;

impl Dissector for DofusDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let p = pkt.payload;
        if dofus2(p) {
            return Verdict::Yes(Proto::Dofus);
        }
        if flow.state::<Greeted>().is_some() {
            let ticket = (p.len() == 11 && p.starts_with(b"AT") && p[10] == 0)
                || (p.len() == 5 && p[0] == b'A' && matches!(p[1], b'T' | b'k') && p[4] == 0);
            return if ticket {
                Verdict::Yes(Proto::Dofus)
            } else if p.last() == Some(&0) && p.first().is_some_and(u8::is_ascii_alphanumeric) {
                // Another NUL-terminated message of the login exchange.
                Verdict::NeedMore
            } else {
                Verdict::No
            };
        }
        let greeting = (p.len() == 3 && p == b"HG\0")
            || (p.len() == HC_LEN
                && p.starts_with(b"HC")
                && p[HC_LEN - 1] == 0
                && p[2..HC_LEN - 1].iter().all(u8::is_ascii_alphanumeric));
        if greeting && flow.state_is_free() {
            flow.set_state(Box::new(Greeted));
            return Verdict::NeedMore;
        }
        Verdict::No
    }
}

fn dofus2(p: &[u8]) -> bool {
    let n = p.len();
    let hello = matches!(n, 11 | 13 | 49)
        && p.u32_at(0) == Some(0x0005_0800)
        && p.u16_at(4) == Some(0x0005)
        && p.u16_at(8) == Some(0x0005)
        && p.u8_at(10) == Some(0x18)
        && (n != 13 || p.u16_at(11) == Some(0x0194))
        && (n != 49 || p.u16_at(15).is_some_and(|l| usize::from(l) + 17 == n));
    let v13 = n == 13 && p.u16_at(1) == Some(0x0508) && p.u16_at(5) == Some(0x04a0) && p.u16_at(11) == Some(0x0194);
    let pair = n >= 41 && p.u16_at(0) == Some(0x01b9) && p.u8_at(2) == Some(0x26) && {
        let len = p.u16_at(3).map_or(usize::MAX, usize::from);
        p.u16_at(5 + len).is_some_and(|l2| 5 + len + 2 + usize::from(l2) == n)
    };
    let login = n == 56 && p.starts_with(&[0x00, 0x11, 0x35, 0x02, 0x03, 0x00, 0x93, 0x96, 0x01, 0x00]) && {
        let len = p.u16_at(10).map_or(usize::MAX, usize::from);
        p.u16_at(12 + len).is_some_and(|l2| {
            let end = 12 + len + 2 + usize::from(l2);
            end + 1 == n && p[end] == 0x01
        })
    };
    hello || v13 || pair || login
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::test::{HTTP_GET, TLS_HELLO};
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};
    use crate::{Dir, L4};
    use proptest::prelude::*;

    #[test]
    fn dofus1_greeting_then_ticket() {
        let g = b"HCabcdefghijklmnopqrstuvwxyzABCDEF\0";
        let a = pkt_at(g, L4::Tcp, 40000, 5555, Dir::ToClient, [0, 0]);
        let mut h = Harness::new(&a);
        assert_eq!(h.probe(&DofusDissector, &a), Verdict::NeedMore);
        let login = pkt_at(b"1.29.1\0", L4::Tcp, 40000, 5555, Dir::ToServer, [0, 1]);
        assert_eq!(h.probe(&DofusDissector, &login), Verdict::NeedMore);
        let t = pkt_at(b"AT12345a\0\0\0", L4::Tcp, 40000, 5555, Dir::ToServer, [1, 1]);
        assert_eq!(h.probe(&DofusDissector, &t), Verdict::Yes(Proto::Dofus));
    }

    #[test]
    fn dofus2_hello() {
        let p = hex("00050800 0005 0000 0005 18");
        assert_eq!(
            Harness::new(&pkt(&p, L4::Tcp, 1, 5555)).probe(&DofusDissector, &pkt(&p, L4::Tcp, 1, 5555)),
            Verdict::Yes(Proto::Dofus)
        );
    }

    #[test]
    fn others() {
        for p in [HTTP_GET, TLS_HELLO, b"AT12345a\0\0\0".as_slice()] {
            let x = pkt(p, L4::Tcp, 1, 2);
            assert_eq!(Harness::new(&x).probe(&DofusDissector, &x), Verdict::No);
        }
        for seed in 1..200 {
            let n = noise(35, seed);
            let x = pkt(&n, L4::Tcp, 1, 2);
            assert_eq!(Harness::new(&x).probe(&DofusDissector, &x), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(a in proptest::collection::vec(any::<u8>(), 1..80), b in proptest::collection::vec(any::<u8>(), 1..80)) {
            let g = b"HG\0";
            let x = pkt(g, L4::Tcp, 1, 2);
            let mut h = Harness::new(&x);
            let _ = h.probe(&DofusDissector, &x);
            let _ = h.probe(&DofusDissector, &pkt(&a, L4::Tcp, 1, 2));
            let _ = Harness::new(&x).probe(&DofusDissector, &pkt(&b, L4::Tcp, 1, 2));
        }
    }
}
