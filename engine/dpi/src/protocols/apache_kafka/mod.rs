//! Apache Kafka's protocol (kafka.apache.org/protocol, "Common Request and Response Structure"): a request is
//! `size (4, = the rest of the packet) | api key (2, 0–74) | api version (2, 0–15) | correlation id (4) |
//! client id (nullable string: length 2, -1 for null)` with a printable client id — nDPI's rule, with the null
//! client id allowed. Responses carry only a size and a correlation id and are not looked at.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Dir, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    ApacheKafka = 377, "Kafka", Rpc, tcp [9092];
}

/// Kafka's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Highest API key and version believed (as nDPI).
const MAX_API_KEY: u16 = 74;
const MAX_API_VERSION: u16 = 15;
/// The request header before the client id.
const HEADER: usize = 14;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.dir != Dir::ToServer {
        return Verdict::No;
    }
    let (Some(size), Some(key), Some(version), Some(id_len)) = (p.u32_at(0), p.u16_at(4), p.u16_at(6), p.u16_at(12))
    else {
        return Verdict::No;
    };
    let client_id_ok = id_len == 0xffff
        || p.get(HEADER..HEADER + usize::from(id_len))
            .is_some_and(|id| id.iter().all(|b| (0x20..0x7f).contains(b)));
    let ok = usize::try_from(size).is_ok_and(|s| s + 4 == p.len())
        && key <= MAX_API_KEY
        && version <= MAX_API_VERSION
        && client_id_ok;
    if ok {
        Verdict::Yes(Proto::ApacheKafka)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, s0, HTTP_GET};
    use crate::protocols::util::testutil::hex;
    use proptest::prelude::*;

    /// ApiVersions v3 (key 18) as the protocol guide lays it out, client id "kafka-python-2.0.2", then the
    /// flexible body (client software name and version, tagged fields).
    const API_VERSIONS: &str = "00000031 0012 0003 00000001 0012 6b61666b612d707974686f6e2d322e302e32 \
         00 0d 6b61666b612d707974686f6e 06 322e302e32 00";

    #[test]
    fn request() {
        let p = hex(API_VERSIONS);
        assert_eq!(p.len(), 0x31 + 4);
        assert_eq!(detect(&c0(&p)), Verdict::Yes(Proto::ApacheKafka));
        assert_eq!(detect(&s0(&p)), Verdict::No, "responses are not read");
    }

    #[test]
    fn near_misses() {
        let p = hex(API_VERSIONS);
        for (at, b) in [(3, 0x32u8), (4, 1), (6, 1), (13, 0x40), (14, 0x01)] {
            let mut m = p.clone();
            m[at] = b;
            assert_eq!(detect(&c0(&m)), Verdict::No, "{at}");
        }
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        for seed in 1..300 {
            assert_eq!(detect(&c0(&noise(40, seed))), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = detect(&c0(&p));
        }
    }
}
