//! Nano, the cryptocurrency's node protocol (docs.nano.org, "Protocol design — networking"): every message opens
//! with an 8-byte header — `R` and the network id (`C` for the live network), the maximum, used and minimum
//! protocol versions, the message type (at most 0x0f) and extensions. As nDPI, the versions must be the current
//! family (18 and up, used between minimum and maximum) and the packet longer than 32 bytes.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    Nano = 420, "Nano", CryptoCurrency, tcp [7075];
}

/// Nano's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Lowest protocol version of the current node family; highest believable one.
const MIN_VERSION: u8 = 18;
const MAX_VERSION: u8 = 30;
const MAX_TYPE: u8 = 0x0f;
const MIN_LEN: usize = 33;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Tcp || p.len() < MIN_LEN || !p.starts_with(b"RC") {
        return Verdict::No;
    }
    let (max, used, min, kind) = (p[2], p[3], p[4], p[5]);
    if (MIN_VERSION..=MAX_VERSION).contains(&max)
        && min >= MIN_VERSION
        && min <= used
        && used <= max
        && kind <= MAX_TYPE
    {
        Verdict::Yes(Proto::Nano)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};

    #[test]
    fn node_id_handshake() {
        // A node_id_handshake (type 0x0a) with the query flag, versions 20/20/18, then the 32-byte cookie.
        let mut p = b"RC\x14\x14\x12\x0a\x01\x00".to_vec();
        p.extend(noise(32, 1));
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 7075)), Verdict::Yes(Proto::Nano));
        let mut old = p.clone();
        old[2] = 17;
        assert_eq!(detect(&pkt(&old, L4::Tcp, 40000, 7075)), Verdict::No);
        let mut inv = p.clone();
        inv[3] = 17;
        assert_eq!(detect(&pkt(&inv, L4::Tcp, 40000, 7075)), Verdict::No);
        assert_eq!(detect(&pkt(&p[..32], L4::Tcp, 40000, 7075)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 7075));
        }
    }
}
