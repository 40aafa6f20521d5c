//! Heroes_of_the_Storm (Blizzard's MOBA; format from nDPI's dissector): UDP on Blizzard's game ports (1119, 1120,
//! 3724, 6113), 20 to 122 bytes, 0x40 0x00 at offset 14, and either message type 0x0003/0x0034 at offset 2 or an
//! all-zero 14-byte header. The port check is part of the rule: the pattern alone is too short.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    HeroesOfTheStorm = 336, "Heroes_of_the_Storm", Game;
}

/// Heroes_of_the_Storm's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const PORTS: [u16; 4] = [1119, 1120, 3724, 6113];
const SIZES: std::ops::RangeInclusive<usize> = 20..=122;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = PORTS.iter().any(|&port| pkt.either_port(port))
        && SIZES.contains(&p.len())
        && p[14] == 0x40
        && p[15] == 0x00
        && (matches!(&p[2..4], [0x03, 0x00] | [0x34, 0x00]) || p[..14].iter().all(|&b| b == 0));
    if ok {
        Verdict::Yes(Proto::HeroesOfTheStorm)
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
    fn game_packets_on_game_ports() {
        let p = hex("1234 0300 00000000 00000000 0000 4000 aabbccdd");
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 1119)), Verdict::Yes(Proto::HeroesOfTheStorm));
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 1200)), Verdict::No);
        let z = hex("0000000000000000000000000000 4000 aabbccdd");
        assert_eq!(detect(&pkt(&z, L4::Udp, 3724, 50000)), Verdict::Yes(Proto::HeroesOfTheStorm));
        for seed in 1..300 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Udp, 40000, 1119)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..200)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 1119));
        }
    }
}
