//! CiscoVPN: the Cisco VPN client's UDP keepalive between port 10000 on both ends, which starts with the four
//! bytes `fe 57 7e 2b` (nDPI's only content rule for it). Its TCP ports (10000, 8008) give the `port` guess; AnyConnect's
//! TLS and DTLS are named by their own dissectors.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    CiscoVpn = 161, "CiscoVPN", Vpn, tcp [10000, 8008], udp [10000];
}

/// CiscoVPN's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const PORT: u16 = 10000;
const MAGIC: &[u8; 4] = b"\xfe\x57\x7e\x2b";

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.l4 == L4::Udp
        && pkt.client_port == PORT
        && pkt.server_port == PORT
        && pkt.payload.starts_with(MAGIC)
    {
        Verdict::Yes(Proto::CiscoVpn)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};

    #[test]
    fn keepalive_between_10000s() {
        let p = b"\xfe\x57\x7e\x2b\x00\x00\x00\x01";
        assert_eq!(detect(&pkt(p, L4::Udp, 10000, 10000)), Verdict::Yes(Proto::CiscoVpn));
        assert_eq!(detect(&pkt(p, L4::Udp, 40000, 10000)), Verdict::No);
        assert_eq!(detect(&pkt(&p[..3], L4::Udp, 10000, 10000)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(20, 1), L4::Udp, 10000, 10000)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let _ = detect(&pkt(&p, L4::Udp, PORT, PORT));
        }
    }
}
