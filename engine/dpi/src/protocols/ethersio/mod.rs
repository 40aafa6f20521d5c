//! Ether-S-I/O, Saia-Burgess's remote I/O protocol (Wireshark's EtherSIO notes): UDP datagrams of at least 20
//! bytes opening with `ESIO`, a zero byte, a message type 0-2 and another zero byte (nDPI's rule).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    EtherSio = 363, "EtherSIO", IoTScada, udp [6060];
}

/// EtherSIO's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const MIN_LEN: usize = 20;
const MAX_TYPE: u8 = 2;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 == L4::Udp
        && p.len() >= MIN_LEN
        && p.starts_with(b"ESIO")
        && p[4] == 0
        && p[5] <= MAX_TYPE
        && p[6] == 0
    {
        Verdict::Yes(Proto::EtherSio)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, pkt};

    #[test]
    fn data_exchange() {
        let p = hex("4553494f 00 01 00 01 0000000a 00000000 00000000");
        assert_eq!(detect(&pkt(&p, L4::Udp, 6060, 6060)), Verdict::Yes(Proto::EtherSio));
        let mut t = p.clone();
        t[5] = 3;
        assert_eq!(detect(&pkt(&t, L4::Udp, 6060, 6060)), Verdict::No);
        assert_eq!(detect(&pkt(&p[..19], L4::Udp, 6060, 6060)), Verdict::No);
        assert_eq!(detect(&pkt(&p, L4::Tcp, 6060, 6060)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 6060));
        }
    }
}
