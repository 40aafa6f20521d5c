//! WorldOfWarcraft: the authentication server's logon/reconnect challenge (command 0x00 or 0x02, a little-endian
//! size equal to the rest, game name `WoW\0` — the format private-server projects document), the world server's
//! `WORLD OF WARCRAFT CONNECTION - …` greeting (bare or after a 2-byte size), and the Battle.net 1119 opening nDPI
//! attributes to WoW.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    WorldOfWarcraft = 76, "WorldOfWarcraft", Game;
}

/// WorldOfWarcraft's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const GREETING: &[u8] = b"WORLD OF WARCRAFT CONNECTION";
/// Battle.net's login port and the opening nDPI ties to WoW there (at least this long).
const BNET_PORT: u16 = 1119;
const BNET_OPENING: [u8; 8] = [0x40, 0x00, 0x0a, 0xed, 0xea, 0x07, 0x0a, 0xed];
const BNET_MIN: usize = 77;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let greeting = p.starts_with(GREETING) || p.rest_at(2).starts_with(GREETING);
    let challenge = matches!(p.u8_at(0), Some(0x00 | 0x02))
        && p.rest_at(4).starts_with(b"WoW\0")
        && p.u16_le_at(2).is_some_and(|n| usize::from(n) + 4 == p.len());
    let bnet = pkt.server_port == BNET_PORT && p.len() >= BNET_MIN && p.starts_with(&BNET_OPENING);
    if greeting || challenge || bnet {
        Verdict::Yes(Proto::WorldOfWarcraft)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{HTTP_GET, TLS_HELLO};
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn logon_challenge_and_greeting() {
        // AUTH_LOGON_CHALLENGE for client 3.3.5 build 12340, account "TEST" (built from the documented layout).
        let c = hex("00 08 22 00 576f5700 03 03 05 3430 36387800 6e695700 53556e65 3c000000 7f000001 04 54455354");
        assert_eq!(detect(&pkt(&c, L4::Tcp, 40000, 3724)), Verdict::Yes(Proto::WorldOfWarcraft));
        let mut g = vec![0x00, 0x30];
        g.extend_from_slice(b"WORLD OF WARCRAFT CONNECTION - SERVER TO CLIENT\0");
        assert_eq!(detect(&pkt(&g, L4::Tcp, 40000, 8085)), Verdict::Yes(Proto::WorldOfWarcraft));
    }

    #[test]
    fn near_misses() {
        let mut c = hex("00 08 22 00 576f5700 03 03 05 3430 36387800 6e695700 53556e65 3c000000 7f000001 04 54455354");
        c.push(0);
        assert_eq!(detect(&pkt(&c, L4::Tcp, 40000, 3724)), Verdict::No, "size");
        let mut b = BNET_OPENING.to_vec();
        b.resize(80, 0);
        assert_eq!(detect(&pkt(&b, L4::Tcp, 40000, 1119)), Verdict::Yes(Proto::WorldOfWarcraft));
        assert_eq!(detect(&pkt(&b, L4::Tcp, 40000, 1120)), Verdict::No);
        for p in [HTTP_GET, TLS_HELLO] {
            assert_eq!(detect(&pkt(p, L4::Tcp, 1, 3724)), Verdict::No);
        }
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(60, seed), L4::Tcp, 1, 3724)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..200)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 1119));
        }
    }
}
