//! Ethereum peer-to-peer on port 30303: discovery v4 over UDP (hash 32, signature 65, packet type 1..=6, then one
//! RLP list spanning the rest exactly) and the RLPx EIP-8 handshake over TCP (2-byte size equal to the rest, then
//! an ECIES message starting with an uncompressed public key, 0x04).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Ethereum = 354, "ETHEREUM", CryptoCurrency, tcp [30303], udp [30303];
}

/// ETHEREUM's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if !pkt.either_port(30303) {
        return Verdict::No;
    }
    let ok = match pkt.l4 {
        L4::Udp => discovery(p),
        // ECIES: public key (65) + IV (16) + MAC (32) around a non-empty body.
        L4::Tcp => {
            p.u16_at(0)
                .is_some_and(|n| usize::from(n) + 2 == p.len() && n > 113)
                && p.u8_at(2) == Some(0x04)
        }
    };
    if ok {
        Verdict::Yes(Proto::Ethereum)
    } else {
        Verdict::No
    }
}

fn discovery(p: &[u8]) -> bool {
    if !matches!(p.u8_at(97), Some(1..=6)) {
        return false;
    }
    let Some(prefix) = p.u8_at(98) else {
        return false;
    };
    let rest = p.len() - 99;
    match prefix {
        0xc0..=0xf7 => usize::from(prefix - 0xc0) == rest,
        0xf8..=0xfa => {
            let n = usize::from(prefix - 0xf7);
            let len = p
                .get(99..99 + n)
                .map(|b| b.iter().fold(0usize, |v, &x| (v << 8) | usize::from(x)));
            len.is_some_and(|l| l + n == rest)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};

    #[test]
    fn discovery_ping_and_rlpx_auth() {
        let mut p = noise(97, 11);
        p.push(1);
        p.push(0xdd);
        p.extend_from_slice(&noise(29, 12));
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 56693, 30303)),
            Verdict::Yes(Proto::Ethereum)
        );
        let mut t = vec![0x01, 0xab, 0x04];
        t.extend_from_slice(&noise(426, 13));
        assert_eq!(
            detect(&pkt(&t, L4::Tcp, 56612, 30303)),
            Verdict::Yes(Proto::Ethereum)
        );
    }

    #[test]
    fn negatives() {
        let mut p = noise(97, 11);
        p.push(1);
        p.push(0xde);
        p.extend_from_slice(&noise(29, 12));
        assert_eq!(detect(&pkt(&p, L4::Udp, 56693, 30303)), Verdict::No);
        p[98] = 0xdd;
        assert_eq!(detect(&pkt(&p, L4::Udp, 56693, 30304)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(
                detect(&pkt(&noise(128, seed), L4::Udp, 1, 30303)),
                Verdict::No
            );
        }
    }
}
