//! Monero's peer-to-peer protocol (the Levin protocol of epee, `levin_base.h`): every message starts with the
//! 8-byte signature 0x0101010101012101, sent little-endian (`01 21 01 01 01 01 01 01`) — nDPI's rule — here also
//! followed by the rest of the 33-byte bucket header (body size, return-data flag, command, return code, flags,
//! protocol version 1).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Monero = 369, "Monero", CryptoCurrency, tcp [18080];
}

/// Monero's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const SIGNATURE: [u8; 8] = [0x01, 0x21, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01];
/// The bucket header: signature, body size (8), have-to-return (1), command (4), return code (4), flags (4),
/// protocol version (4).
const HEADER: usize = 33;
const PROTOCOL_VERSION: u32 = 1;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 == L4::Tcp
        && p.len() >= HEADER
        && p.starts_with(&SIGNATURE)
        && p.u32_le_at(29) == Some(PROTOCOL_VERSION)
    {
        Verdict::Yes(Proto::Monero)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, pkt};

    #[test]
    fn handshake_request() {
        // COMMAND_HANDSHAKE (1001) request with a 10-byte body, expecting a reply, flags = request.
        let mut p = hex("0121010101010101 0a00000000000000 01 e9030000 00000000 01000000 01000000");
        p.extend_from_slice(&[0; 10]);
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 18080)), Verdict::Yes(Proto::Monero));
        let mut v = p.clone();
        v[29] = 2;
        assert_eq!(detect(&pkt(&v, L4::Tcp, 40000, 18080)), Verdict::No);
        assert_eq!(detect(&pkt(&p[..32], L4::Tcp, 40000, 18080)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 18080));
        }
    }
}
