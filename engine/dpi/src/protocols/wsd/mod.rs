//! WSD, Web Services Dynamic Discovery (OASIS WS-Discovery 1.1; Microsoft's 2005/04 draft): SOAP over UDP to or
//! from port 3702. The datagram is an XML document (`<?xml` or directly the SOAP envelope, after an optional
//! UTF-8 byte-order mark) whose opening names a SOAP `Envelope` and one of the two WS-Discovery namespaces.
//! nDPI reads only `<?xml` to the multicast group; this also names the unicast ProbeMatches replies.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use crate::protocols::util::find;

crate::proto::identities! {
    Wsd = 153, "WSD", Network, udp [3702];
}

/// WSD's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// WS-Discovery's port.
const PORT: u16 = 3702;
/// How far into the document the envelope and namespace must appear (they open it).
const WINDOW: usize = 1024;
const BOM: &[u8] = b"\xef\xbb\xbf";
/// The namespaces of the 2005/04 draft and of the OASIS standard.
const NAMESPACES: &[&[u8]] = &[
    b"schemas.xmlsoap.org/ws/2005/04/discovery",
    b"docs.oasis-open.org/ws-dd/ns/discovery",
];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload.strip_prefix(BOM).unwrap_or(pkt.payload);
    if pkt.l4 != L4::Udp || !pkt.either_port(PORT) || p.first() != Some(&b'<') {
        return Verdict::No;
    }
    let head = &p[..p.len().min(WINDOW)];
    if find(head, b"Envelope").is_some() && NAMESPACES.iter().any(|ns| find(head, ns).is_some()) {
        Verdict::Yes(Proto::Wsd)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};

    /// A Probe as the WS-Discovery 1.1 specification's example (§5.2.1) writes it, shortened.
    const PROBE: &[u8] = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope \
        xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\" \
        xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" \
        xmlns:wsd=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\"><soap:Header><wsa:To>\
        urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To><wsa:Action>\
        http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action></soap:Header>\
        <soap:Body><wsd:Probe/></soap:Body></soap:Envelope>";

    #[test]
    fn probe_and_unicast_match() {
        assert_eq!(detect(&pkt(PROBE, L4::Udp, 50000, 3702)), Verdict::Yes(Proto::Wsd));
        let reply = b"<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" \
            xmlns:d=\"http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01\"><s:Body><d:ProbeMatches/></s:Body>\
            </s:Envelope>";
        assert_eq!(detect(&pkt(reply, L4::Udp, 3702, 50000)), Verdict::Yes(Proto::Wsd));
    }

    #[test]
    fn other_xml_and_ports() {
        assert_eq!(detect(&pkt(PROBE, L4::Udp, 50000, 3703)), Verdict::No);
        assert_eq!(detect(&pkt(PROBE, L4::Tcp, 50000, 3702)), Verdict::No);
        let ssdp_like = b"<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\"></root>";
        assert_eq!(detect(&pkt(ssdp_like, L4::Udp, 1, 3702)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(200, 5), L4::Udp, 1, 3702)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, PORT));
        }
    }
}
