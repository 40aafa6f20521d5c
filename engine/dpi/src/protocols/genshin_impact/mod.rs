//! GenshinImpact (miHoYo's game; its packet format is the one the Grasscutter server reimplements):
//!
//! - UDP: KCP behind a 20-byte handshake — the client's connect (magic 0xff, conversation 0, token 0,
//!   1234567890, 0xffffffff) and the server's answer (magic 0x145, conversation, token, 1234567890, 0x14514545),
//!   the first packet of the flow.
//! - TCP (and inside KCP): game packets framed by 0x4567 … 0x89ab.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;
use crate::protocols::util::total_seen;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    GenshinImpact = 257, "GenshinImpact", Game, udp [22102];
}

/// GenshinImpact's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const HANDSHAKE: usize = 20;
const MAGIC_VALUE: u32 = 1_234_567_890;
/// Head and tail magics of a game packet, and its smallest size (magics 4, two lengths 6).
const HEAD: u16 = 0x4567;
const TAIL: u16 = 0x89ab;
const MIN_GAME: usize = 12;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = match pkt.l4 {
        L4::Udp => total_seen(pkt) == 0 && p.len() >= HANDSHAKE && handshake(p),
        L4::Tcp => p.len() >= MIN_GAME && p.u16_at(0) == Some(HEAD) && p.u16_at(p.len() - 2) == Some(TAIL),
    };
    if ok {
        Verdict::Yes(Proto::GenshinImpact)
    } else {
        Verdict::No
    }
}

fn handshake(p: &[u8]) -> bool {
    let connect = p.u32_at(0) == Some(0xff)
        && p.u32_at(4) == Some(0)
        && p.u32_at(16) == Some(0xffff_ffff);
    let answer = p.u32_at(0) == Some(0x145) && p.u32_at(16) == Some(0x1451_4545);
    (connect || answer) && p.u32_at(12) == Some(MAGIC_VALUE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};
    use crate::Dir;
    use proptest::prelude::*;

    #[test]
    fn udp_handshake_first_packet_only() {
        let c = hex("000000ff 00000000 00000000 499602d2 ffffffff");
        assert_eq!(detect(&pkt(&c, L4::Udp, 40000, 22102)), Verdict::Yes(Proto::GenshinImpact));
        let s = hex("00000145 0000a1b2 c3d4e5f6 499602d2 14514545");
        assert_eq!(detect(&pkt(&s, L4::Udp, 40000, 22102)), Verdict::Yes(Proto::GenshinImpact));
        let later = pkt_at(&c, L4::Udp, 40000, 22102, Dir::ToServer, [3, 2]);
        assert_eq!(detect(&later), Verdict::No);
    }

    #[test]
    fn tcp_game_packet() {
        // Head, command id 0x0065, header length 0, body length 4, body, tail.
        let g = hex("4567 0065 0000 00000004 08011002 89ab");
        assert_eq!(detect(&pkt(&g, L4::Tcp, 40000, 22101)), Verdict::Yes(Proto::GenshinImpact));
        assert_eq!(detect(&pkt(&g[..g.len() - 1], L4::Tcp, 40000, 22101)), Verdict::No);
    }

    #[test]
    fn others() {
        for seed in 1..300 {
            assert_eq!(detect(&pkt(&noise(20, seed), L4::Udp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..60), udp in any::<bool>()) {
            let _ = detect(&pkt(&p, if udp { L4::Udp } else { L4::Tcp }, 1, 2));
        }
    }
}
