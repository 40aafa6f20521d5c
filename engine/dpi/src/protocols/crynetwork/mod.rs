//! CryNetwork (Crytek's CryEngine multiplayer transport; format from nDPI's dissector): UDP datagrams of at least
//! 26 bytes whose first byte is the length minus 10, with 08ed at offset 3, 01 at 16, 07 at 20 and 0307 at 24.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    CryNetwork = 314, "CryNetwork", Game;
}

/// CryNetwork's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const MIN_LEN: usize = 26;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = p.len() >= MIN_LEN
        && usize::from(p[0]) + 10 == p.len()
        && p.u16_at(3) == Some(0x08ed)
        && p[16] == 0x01
        && p[20] == 0x07
        && p.u16_at(24) == Some(0x0307);
    if ok {
        Verdict::Yes(Proto::CryNetwork)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    fn message(len: usize) -> Vec<u8> {
        let mut p = vec![0x55; len];
        p[0] = u8::try_from(len - 10).unwrap_or(0);
        p[3] = 0x08;
        p[4] = 0xed;
        p[16] = 0x01;
        p[20] = 0x07;
        p[24] = 0x03;
        p[25] = 0x07;
        p
    }

    #[test]
    fn shape() {
        assert_eq!(detect(&pkt(&message(40), L4::Udp, 40000, 64090)), Verdict::Yes(Proto::CryNetwork));
        let mut m = message(40);
        m.push(0);
        assert_eq!(detect(&pkt(&m, L4::Udp, 40000, 64090)), Verdict::No);
        for seed in 1..300 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Udp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..300)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
        }
    }
}
