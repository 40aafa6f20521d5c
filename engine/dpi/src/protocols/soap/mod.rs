//! SOAP (W3C SOAP 1.1/1.2): over HTTP, a request with a `SOAPAction` header (SOAP 1.1) or a
//! `application/soap+xml` body (SOAP 1.2) — the `http` folder asks [`over_http`] and names the flow HTTP.SOAP;
//! seen from the middle of a flow, a TCP packet that opens an XML document (`<?xml version="1.0"`), as nDPI's
//! rule has it (an XMPP stream, which also opens with an XML declaration, is left to `jabber`).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::http::parser;
use crate::protocols::util::{contains_ci, starts_ci};
use crate::proto::Proto;

crate::proto::identities! {
    Soap = 253, "SOAP", Rpc;
}

/// SOAP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// An XML declaration with the version nDPI requires.
const XML_DECL: &[u8] = b"<?xml version=\"1.0\"";
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

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.starts_with(XML_DECL) && !contains_ci(&p[..p.len().min(XMPP_WINDOW)], b"<stream:stream") {
        Verdict::Yes(Proto::Soap)
    } else {
        Verdict::No
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

    #[test]
    fn calls() {
        assert_eq!(over_http(SOAP11), Some(Proto::Soap));
        assert_eq!(over_http(SOAP12), Some(Proto::Soap));
        assert_eq!(detect(&c0(ENVELOPE)), Verdict::Yes(Proto::Soap));
    }

    #[test]
    fn others() {
        assert_eq!(over_http(HTTP_GET), None);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        let xmpp = b"<?xml version=\"1.0\"?><stream:stream to=\"example.com\" xmlns=\"jabber:client\">";
        assert_eq!(detect(&c0(xmpp)), Verdict::No);
        assert_eq!(detect(&c0(b"<?xml version='1.0'?>")), Verdict::No);
        for n in 0..XML_DECL.len() {
            assert_eq!(detect(&c0(&ENVELOPE[..n])), Verdict::No);
        }
        for seed in 1..50 {
            assert_eq!(detect(&c0(&noise(40, seed))), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = detect(&c0(&p));
            let _ = over_http(&p);
        }
    }
}
