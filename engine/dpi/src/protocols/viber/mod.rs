//! Viber (Rakuten Viber's messaging and calls; UDP formats from nDPI's `viber.c`): UDP messages whose 16-bit type at
//! offset 2 is one of the known ones with its size — 3 (12 bytes), 9 (20), 1 followed by 5, 0x19/0x1b (34). The
//! type alone is short, so a message counts on Viber's own ports (7985, 7987, 5242, 5243, 4244) or when its first
//! two bytes, little-endian, give its length.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Viber = 144, "Viber", VoIp, tcp [7985, 5242, 5243, 4244], udp [7985, 7987, 5242, 5243, 4244];
}

/// Viber's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const PORTS: [u16; 5] = [7985, 7987, 5242, 5243, 4244];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp || p.len() <= 5 {
        return Verdict::No;
    }
    let n = p.len();
    let known = match (p.u16_le_at(2), n) {
        (Some(0x0003), 12) | (Some(0x0009), 20) | (Some(0x0019 | 0x001b), 34) => true,
        (Some(0x0001), _) => p.u16_le_at(4) == Some(0x0005),
        _ => false,
    };
    let trusted = PORTS.iter().any(|&v| pkt.either_port(v)) || p.u16_le_at(0).is_some_and(|l| usize::from(l) == n);
    if known && trusted {
        Verdict::Yes(Proto::Viber)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use proptest::prelude::*;

    #[test]
    fn known_messages() {
        let a = hex("0c00 0300 0102030405060708");
        assert_eq!(detect(&pkt(&a, L4::Udp, 40000, 33333)), Verdict::Yes(Proto::Viber), "own length");
        let b = hex("aaaa 0900 0102030405060708 0102030405060708");
        assert_eq!(detect(&pkt(&b, L4::Udp, 40000, 7985)), Verdict::Yes(Proto::Viber), "Viber's port");
        assert_eq!(detect(&pkt(&b, L4::Udp, 40000, 33333)), Verdict::No);
        let c = hex("aaaa 0100 0500 112233");
        assert_eq!(detect(&pkt(&c, L4::Udp, 5242, 40000)), Verdict::Yes(Proto::Viber));
    }

    #[test]
    fn others() {
        let a = hex("0c00 0300 01020304050607");
        assert_eq!(detect(&pkt(&a, L4::Udp, 40000, 7985)), Verdict::No, "size");
        for seed in 1..300 {
            assert_eq!(detect(&pkt(&noise(34, seed), L4::Udp, 1, 7985)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..60)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 7985));
        }
    }
}
