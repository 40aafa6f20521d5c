//! COD_MOBILE (Call of Duty: Mobile; format from nDPI's dissector): a 12-byte UDP ping on port 7500 with `ping` at
//! offset 8, or a large game datagram opening 0xce that carries the loadout string `LOC_PREFAB_LOADOUTNAME_1`.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::{find, total_seen};

crate::proto::identities! {
    CodMobile = 186, "CoD_Mobile", Game;
}

/// COD_MOBILE's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const PING_PORT: u16 = 7500;
const LOADOUT: &[u8] = b"LOC_PREFAB_LOADOUTNAME_1";
/// Game datagrams carrying the loadout are large.
const MIN_GAME: usize = 351;
/// Packets looked at before giving up (nDPI's bound).
const MAX_PACKETS: u32 = 4;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ping = p.len() == 12 && pkt.either_port(PING_PORT) && &p[8..] == b"ping";
    let game = p.len() >= MIN_GAME && p[0] == 0xce && find(p, LOADOUT).is_some();
    if ping || game {
        Verdict::Yes(Proto::CodMobile)
    } else if total_seen(pkt) + 1 < MAX_PACKETS {
        Verdict::NeedMore
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};
    use crate::{Dir, L4};
    use proptest::prelude::*;

    #[test]
    fn ping_and_loadout() {
        let mut p = hex("0102030405060708");
        p.extend_from_slice(b"ping");
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 7500)), Verdict::Yes(Proto::CodMobile));
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 7501)), Verdict::NeedMore);
        let mut g = vec![0xce; 100];
        g.extend_from_slice(LOADOUT);
        g.resize(400, 0);
        assert_eq!(detect(&pkt(&g, L4::Udp, 40000, 30000)), Verdict::Yes(Proto::CodMobile));
    }

    #[test]
    fn gives_up() {
        for seed in 1..50 {
            let n = noise(40, seed);
            assert_eq!(detect(&pkt_at(&n, L4::Udp, 1, 2, Dir::ToServer, [2, 1])), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..600)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 7500));
        }
    }
}
