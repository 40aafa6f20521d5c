//! Armagetron (Armagetron Advanced's network messages, `nNetwork.cpp`): big-endian 16-bit words — descriptor id,
//! message id, data length in words, the data, a zero sender word at the end. Three messages open a game: the
//! login request (descriptor 11), `sync` (descriptor 28, 4 data words) and a `net_sync` batch (descriptor 24).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Armagetron = 104, "Armagetron", Game;
}

/// Armagetron's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Shortest message worth looking at (nDPI's bound).
const MIN_LEN: usize = 11;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.len() < MIN_LEN || p.u16_at(p.len() - 2) != Some(0) {
        return Verdict::No;
    }
    let words = p.u16_at(4).map_or(0, usize::from);
    let login = p.u32_at(0) == Some(0x000b_0000)
        && words > 0
        && words * 2 + 8 == p.len()
        && p.u16_at(6) == Some(0x0008);
    let sync = p.len() == 16
        && p.u16_at(0) == Some(0x001c)
        && p.u16_at(2) != Some(0)
        && words == 4
        && p.u32_at(6) == Some(0x0000_0500)
        && p.u32_at(10) == Some(0x0001_0000);
    let net_sync = p.len() > 50
        && p.u16_at(0) == Some(0x0018)
        && p.u16_at(2) != Some(0)
        && words > 0
        && words * 2 + 8 <= p.len()
        && p.u16_at(8) == p.u16_at(12)
        && p.u16_at(14).is_some_and(|v| {
            let at = 16 + usize::from(v);
            at + 4 < p.len() && matches!(p.u32_at(at), Some(0x0001_0000 | 0x0000_0001))
        });
    if login || sync || net_sync {
        Verdict::Yes(Proto::Armagetron)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn login_and_sync() {
        // Login: descriptor 11, message 0, 2 data words (0x0008, version), sender 0.
        let login = hex("000b 0000 0002 0008 0014 0000");
        assert_eq!(detect(&pkt(&login, L4::Udp, 40000, 4534)), Verdict::Yes(Proto::Armagetron));
        let sync = hex("001c 0001 0004 00000500 00010000 0000");
        assert_eq!(detect(&pkt(&sync, L4::Udp, 40000, 4534)), Verdict::Yes(Proto::Armagetron));
    }

    #[test]
    fn near_misses() {
        let login = hex("000b 0000 0003 0008 0014 0000");
        assert_eq!(detect(&pkt(&login, L4::Udp, 1, 2)), Verdict::No, "word count");
        let sync = hex("001c 0000 0004 00000500 00010000 0000");
        assert_eq!(detect(&pkt(&sync, L4::Udp, 1, 2)), Verdict::No, "message id 0");
        for seed in 1..300 {
            assert_eq!(detect(&pkt(&noise(64, seed), L4::Udp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..200)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
        }
    }
}
