//! SOAP (W3C SOAP 1.1/1.2): over HTTP, a request with a `SOAPAction` header (SOAP 1.1) or a
//! `application/soap+xml` body (SOAP 1.2) — the `http` folder asks [`over_http`] and names the flow HTTP.SOAP;
//! seen from the middle of a flow, a TCP packet that opens an XML document (`<?xml version="1.0"`) among the
//! flow's first four packets, decided at the fourth when nothing else claimed the flow — nDPI's rule (an XMPP
//! stream, which also opens with an XML declaration, is left to `jabber`). A flow that shows an HTTP head first
//! is HTTP's: nDPI's HTTP dissector claims it at that packet, before this rule decides.

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::http::parser;
use crate::protocols::util::{contains_ci, starts_ci, total_seen};
use crate::proto::Proto;

crate::proto::identities! {
    Soap = 253, "SOAP", Rpc;
}

/// SOAP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&SoapDissector),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// An XML declaration with the version nDPI requires.
const XML_DECL: &[u8] = b"<?xml version=\"1.0\"";
/// Payload packets after which an XML opening decides (nDPI: after its packet counter passes 3).
const DECIDE_AT: u32 = 3;
/// Bytes searched for an XMPP stream opening after the declaration.
const XMPP_WINDOW: usize = 256;

/// SOAP when the HTTP request head at the start of `p` carries a SOAP call.
#[must_use]
pub fn over_http(p: &[u8]) -> Option<Proto> {
    if p.starts_with(b"HTTP/") {
        return None;
    }
    let soap12 = parser::header(p, b"content-type").is_some_and(|t| starts_ci(t, b"application/soap+xml"));
    (soap12 || parser::header(p, b"soapaction").is_some()).then_some(Proto::Soap)
}

/// Whether the packet opens an XML document that is not an XMPP stream.
fn xml_opening(p: &[u8]) -> bool {
    p.starts_with(XML_DECL) && !contains_ci(&p[..p.len().min(XMPP_WINDOW)], b"<stream:stream")
}

/// The flow showed an XML opening (a zero-sized marker: keeping it allocates nothing).
struct XmlSeen;

struct SoapDissector;

impl Dissector for SoapDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        if parser::response(pkt.payload).is_some() || parser::request(pkt.payload).is_some() {
            return Verdict::No;
        }
        let mut seen = flow.state::<XmlSeen>().is_some();
        if !seen && xml_opening(pkt.payload) {
            flow.set_state(Box::new(XmlSeen));
            seen = true;
        }
        match (seen, total_seen(pkt) >= DECIDE_AT) {
            (true, true) => Verdict::Yes(Proto::Soap),
            (_, false) => Verdict::NeedMore,
            (false, true) => Verdict::No,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, HTTP_GET};
    use proptest::prelude::*;

    /// A SOAP 1.1 call as the W3C note (§6.1.1, "SOAP HTTP Request") shows it, and its envelope alone.
    const SOAP11: &[u8] = b"POST /StockQuote HTTP/1.1\r\nHost: www.stockquoteserver.com\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nContent-Length: 300\r\nSOAPAction: \"Some-URI\"\r\n\r\n";
    const SOAP12: &[u8] = b"POST /Reservations HTTP/1.1\r\nHost: travelcompany.example.org\r\nContent-Type: application/soap+xml; charset=\"utf-8\"\r\nContent-Length: 400\r\n\r\n";
    const ENVELOPE: &[u8] = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">";

    /// The verdict after the flow's client packets, in order, as the engine shows them.
    fn run(packets: &[&[u8]]) -> Verdict {
        use crate::dissector::Dir;
        use crate::protocols::util::harness::Harness;
        use crate::protocols::util::test::tcp;
        let first = c0(packets[0]);
        let mut h = Harness::new(&first);
        let mut v = Verdict::NeedMore;
        for (i, p) in packets.iter().enumerate() {
            let n = u16::try_from(i).unwrap_or(u16::MAX);
            v = h.probe(&SoapDissector, &tcp(p, Dir::ToServer, [n, 0]));
            // The engine never asks a dissector again once it said No.
            if v == Verdict::No {
                break;
            }
        }
        v
    }

    #[test]
    fn calls() {
        assert_eq!(over_http(SOAP11), Some(Proto::Soap));
        assert_eq!(over_http(SOAP12), Some(Proto::Soap));
        // An envelope among the first packets decides at the fourth.
        assert_eq!(run(&[ENVELOPE]), Verdict::NeedMore);
        assert_eq!(run(&[b"x", ENVELOPE, b"y", b"z"]), Verdict::Yes(Proto::Soap));
    }

    #[test]
    fn others() {
        assert_eq!(over_http(HTTP_GET), None);
        assert_eq!(run(&[HTTP_GET, b"a", b"b", b"c"]), Verdict::No);
        // A request whose head HTTP could not read, then an HTTP response, then the XML body: HTTP's flow.
        let bad = b"POST /x HTTP/d.1\r\nHost: a\r\n\r\n";
        let cont = b"HTTP/1.1 100 Continue\r\n\r\n";
        assert_eq!(run(&[bad, cont, ENVELOPE, b"z"]), Verdict::No);
        let xmpp = b"<?xml version=\"1.0\"?><stream:stream to=\"example.com\" xmlns=\"jabber:client\">";
        assert!(!xml_opening(xmpp));
        assert!(!xml_opening(b"<?xml version='1.0'?>"));
        for n in 0..XML_DECL.len() {
            assert!(!xml_opening(&ENVELOPE[..n]));
        }
        for seed in 1..50 {
            assert!(!xml_opening(&noise(40, seed)));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = run(&[&p, &p, &p, &p]);
            let _ = over_http(&p);
        }
    }
}
