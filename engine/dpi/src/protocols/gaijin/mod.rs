//! GAIJIN (Gaijin Entertainment's games — War Thunder, Enlisted; formats from nDPI's dissector): a 52-byte UDP
//! message 8fff 00 with 82ff0001 at offset 4, or the launcher's UDP reports opening `embeddedupdater.`,
//! `app.start` or `app.stage`.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Gaijin = 396, "GaijinEntertainment", Game;
}

/// GAIJIN's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const GAME: usize = 52;
/// Launcher reports are longer than this.
const MIN_REPORT: usize = 101;
const REPORTS: [&[u8]; 3] = [b"embeddedupdater.", b"app.start", b"app.stage"];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let game = p.len() == GAME && p.u16_at(0) == Some(0x8fff) && p[2] == 0 && p.u32_at(4) == Some(0x82ff_0001);
    let report = p.len() >= MIN_REPORT && REPORTS.iter().any(|r| p.starts_with(r));
    if game || report {
        Verdict::Yes(Proto::Gaijin)
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
    fn game_and_report() {
        let mut g = hex("8fff 00 01 82ff0001");
        g.resize(GAME, 0x33);
        assert_eq!(detect(&pkt(&g, L4::Udp, 40000, 20010)), Verdict::Yes(Proto::Gaijin));
        let mut r = b"app.start\x00{\"uid\":1}".to_vec();
        r.resize(120, b' ');
        assert_eq!(detect(&pkt(&r, L4::Udp, 40000, 20010)), Verdict::Yes(Proto::Gaijin));
        r.truncate(60);
        assert_eq!(detect(&pkt(&r, L4::Udp, 40000, 20010)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(52, seed), L4::Udp, 1, 2)), Verdict::No);
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
