//! IKE (ISAKMP, RFC 2408 / IKEv2 RFC 7296) on UDP 500 and 4500 (after the 4-byte non-ESP marker): SPIs, next
//! payload, version 0x10/0x20, exchange type and a length equal to the payload.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    IpSec = 79, "IPSec", Vpn, udp [500, 4500], ip [50, 51];
}

/// IPSec's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.l4 != L4::Udp {
        return Verdict::No;
    }
    let p = pkt.payload;
    let msg = if pkt.either_port(4500) && p.starts_with(&[0, 0, 0, 0]) {
        &p[4..]
    } else if pkt.either_port(500) {
        p
    } else {
        return Verdict::No;
    };
    if ike(msg) {
        Verdict::Yes(Proto::IpSec)
    } else {
        Verdict::No
    }
}

fn ike(p: &[u8]) -> bool {
    let (Some(next), Some(version), Some(exchange), Some(len)) =
        (p.u8_at(16), p.u8_at(17), p.u8_at(18), p.u32_at(24))
    else {
        return false;
    };
    let spi_ok = p.get(..8).is_some_and(|s| s.iter().any(|&b| b != 0));
    let len_ok = usize::try_from(len).is_ok_and(|l| l == p.len() && l >= 28);
    let kind_ok = match version {
        0x10 => matches!(next, 0..=13 | 20 | 21 | 130..=132) && matches!(exchange, 0..=6 | 32..=34),
        0x20 => matches!(next, 0 | 33..=54) && matches!(exchange, 34..=37 | 43),
        _ => false,
    };
    spi_ok && len_ok && kind_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    fn ike_sa_init() -> Vec<u8> {
        let mut p = hex("1a2b3c4d5e6f708100000000000000002120220800000000");
        p.extend_from_slice(&36u32.to_be_bytes());
        p.extend_from_slice(&hex("0000000800000000"));
        p
    }

    #[test]
    fn ikev2_on_500_and_4500() {
        let p = ike_sa_init();
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 500, 500)),
            Verdict::Yes(Proto::IpSec)
        );
        let mut n = vec![0, 0, 0, 0];
        n.extend_from_slice(&p);
        assert_eq!(
            detect(&pkt(&n, L4::Udp, 4500, 4500)),
            Verdict::Yes(Proto::IpSec)
        );
    }

    #[test]
    fn negatives() {
        let p = ike_sa_init();
        assert_eq!(detect(&pkt(&p, L4::Udp, 5000, 5001)), Verdict::No);
        assert_eq!(detect(&pkt(&p[..30], L4::Udp, 500, 500)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(
                detect(&pkt(&noise(60, seed), L4::Udp, 500, 500)),
                Verdict::No
            );
        }
    }
}
