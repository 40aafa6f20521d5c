//! MONERO (the Levin protocol of CryptoNote nodes, monerod's `levin_base.h`): a 33-byte header opening with the
//! signature 0x0101010101012101 (little-endian, so 01 21 01 01 01 01 01 01 on the wire), then the body size, the
//! "expects return" flag, the command, the return code, the flags (request 1 / response 2) and protocol version 1.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Monero = 369, "Monero", CryptoCurrency;
}

/// MONERO's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const SIGNATURE: [u8; 8] = [0x01, 0x21, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01];
/// Offsets of the expects-return flag and of the message flags in the header.
const EXPECTS_RETURN: usize = 16;
const FLAGS: usize = 25;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let n = p.len().min(SIGNATURE.len());
    if p[..n] != SIGNATURE[..n] {
        return Verdict::No;
    }
    if p.len() < SIGNATURE.len() {
        return Verdict::NeedMore;
    }
    // Later header fields, when present, must hold their few legal values.
    let flag_ok = p.u8_at(EXPECTS_RETURN).is_none_or(|f| f <= 1);
    let flags_ok = p.u32_le_at(FLAGS).is_none_or(|f| matches!(f, 1 | 2));
    if flag_ok && flags_ok {
        Verdict::Yes(Proto::Monero)
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

    /// A handshake request header (command 1001, 226-byte body), fields per `levin_base.h`.
    const HANDSHAKE: &str = "0121010101010101 e200000000000000 01 e9030000 00000000 01000000 01000000";

    #[test]
    fn handshake_header() {
        let h = hex(HANDSHAKE);
        assert_eq!(h.len(), 33);
        assert_eq!(detect(&pkt(&h, L4::Tcp, 40000, 18080)), Verdict::Yes(Proto::Monero));
        assert_eq!(detect(&pkt(&h[..8], L4::Tcp, 40000, 18080)), Verdict::Yes(Proto::Monero));
        assert_eq!(detect(&pkt(&h[..5], L4::Tcp, 40000, 18080)), Verdict::NeedMore);
    }

    #[test]
    fn near_misses() {
        let mut h = hex(HANDSHAKE);
        h[25] = 3;
        assert_eq!(detect(&pkt(&h, L4::Tcp, 1, 2)), Verdict::No, "flags");
        let mut h = hex(HANDSHAKE);
        h[1] = 0x22;
        assert_eq!(detect(&pkt(&h, L4::Tcp, 1, 2)), Verdict::No, "signature");
        for p in [HTTP_GET, TLS_HELLO] {
            assert_eq!(detect(&pkt(p, L4::Tcp, 1, 2)), Verdict::No);
        }
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Tcp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..100)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 2));
        }
    }
}
