//! CPHA, Check Point's ClusterXL high-availability protocol: UDP from port 8116 to port 8116, the magic 0x1a90
//! in the first two bytes and more than a bare header (nDPI's rule; nDPI also requires the 0.0.0.0 source that
//! cluster members use, which is not asked here so that IPv6 and NAT'd captures are named too).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    Cpha = 53, "CPHA", Network, udp [8116];
}

/// CPHA's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const PORT: u16 = 8116;
const MAGIC: [u8; 2] = [0x1a, 0x90];
/// Shorter than this is not a CPHA message (magic, version, source machine, policy id, filler …).
const MIN_LEN: usize = 21;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 == L4::Udp
        && pkt.client_port == PORT
        && pkt.server_port == PORT
        && p.len() >= MIN_LEN
        && p.starts_with(&MAGIC)
    {
        Verdict::Yes(Proto::Cpha)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, pkt};

    #[test]
    fn heartbeat() {
        // Magic, protocol version 0x0701, source machine 1, policy id, then filler, as Wireshark's cpha dissector
        // lays the header out.
        let p = hex("1a90 0701 0000 0001 0001 0000 0000 0000 0000 0000 0000 00");
        assert_eq!(detect(&pkt(&p, L4::Udp, 8116, 8116)), Verdict::Yes(Proto::Cpha));
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 8116)), Verdict::No);
        assert_eq!(detect(&pkt(&p[..20], L4::Udp, 8116, 8116)), Verdict::No);
        let mut q = p.clone();
        q[1] = 0x91;
        assert_eq!(detect(&pkt(&q, L4::Udp, 8116, 8116)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60)) {
            let _ = detect(&pkt(&p, L4::Udp, PORT, PORT));
        }
    }
}
