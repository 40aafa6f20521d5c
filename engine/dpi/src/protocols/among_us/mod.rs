//! AmongUs (Innersloth's game over Hazel, its UDP transport): the client's Hello — send option 0x08, a 2-byte
//! nonce, Hazel version 0 (nDPI: 0001 00), then the game version as a little-endian integer encoding
//! year·25000 + month·1800 + day·50 + revision.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    AmongUs = 69, "AmongUs", Game, udp [22023];
}

/// AmongUs's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Hazel's Hello send option.
const HELLO: u8 = 0x08;
/// Years a game version may name.
const YEARS: std::ops::RangeInclusive<u32> = 2018..=2040;
/// Shortest Hello nDPI accepts.
const MIN_LEN: usize = 10;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let hello = p.len() >= MIN_LEN
        && p[0] == HELLO
        && p[3] == 0x00
        && p.u32_le_at(4).is_some_and(|v| {
            let (year, rest) = (v / 25000, v % 25000);
            YEARS.contains(&year) && (1..=12).contains(&(rest / 1800)) && (rest % 1800) / 50 <= 31
        });
    if hello {
        Verdict::Yes(Proto::AmongUs)
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
    fn hello() {
        // Version 2020.11.17.0 = 50,518,400 (0x0302d980); then a name length and the name.
        let h = hex("08 0001 00 80d90203 04 54657374");
        assert_eq!(detect(&pkt(&h, L4::Udp, 40000, 22023)), Verdict::Yes(Proto::AmongUs));
        let bad = hex("08 0001 00 ffffffff 04 54657374");
        assert_eq!(detect(&pkt(&bad, L4::Udp, 40000, 22023)), Verdict::No);
        for seed in 1..300 {
            assert_eq!(detect(&pkt(&noise(20, seed), L4::Udp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..60)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
        }
    }
}
