//! OCSP over HTTP (RFC 6960 Appendix A): a POST whose Content-Type is `application/ocsp-request`, or a response
//! whose Content-Type is `application/ocsp-response`. HTTP carries it: the `http` folder asks [`over_http`] and
//! names the flow HTTP.OCSP. No dissector of its own (a GET request carries the request base64 in the URL and
//! names nothing).

use crate::dissector::{Order, Protocol, Transport};
use crate::protocols::http::parser;
use crate::protocols::util::starts_ci;
use crate::proto::Proto;

crate::proto::identities! {
    Ocsp = 63, "OCSP", Network;
}

/// OCSP's registration: named through HTTP (see [`over_http`]).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: None,
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// OCSP when the HTTP head at the start of `p` (request or response) carries an OCSP content type.
#[must_use]
pub fn over_http(p: &[u8]) -> Option<Proto> {
    let t = parser::header(p, b"content-type")?;
    (starts_ci(t, b"application/ocsp-request") || starts_ci(t, b"application/ocsp-response"))
        .then_some(Proto::Ocsp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A request head and a response head written from RFC 6960 A.1 (the shape OpenSSL's `ocsp` client and
    /// responder use: HTTP/1.0, the content type, a length).
    const REQUEST: &[u8] = b"POST / HTTP/1.0\r\nContent-Type: application/ocsp-request\r\nContent-Length: 83\r\n\r\n";
    const RESPONSE: &[u8] = b"HTTP/1.0 200 OK\r\nContent-type: application/ocsp-response\r\nContent-Length: 1549\r\n\r\n";

    #[test]
    fn request_and_response() {
        assert_eq!(over_http(REQUEST), Some(Proto::Ocsp));
        assert_eq!(over_http(RESPONSE), Some(Proto::Ocsp));
    }

    /// Through the HTTP dissector, as the engine runs it: the request names HTTP.OCSP; a plain request names
    /// nothing, and its OCSP response does.
    #[test]
    fn through_http() {
        use crate::dissector::{Dir, Follow, Verdict};
        use crate::protocols::util::harness::Harness;
        use crate::protocols::util::testutil::pkt_at;
        use crate::L4;
        let http = crate::protocols::http::PROTOCOL.dissector.expect("HTTP has a dissector");
        let req = pkt_at(REQUEST, L4::Tcp, 40000, 80, Dir::ToServer, [0, 0]);
        let mut h = Harness::new(&req);
        assert!(matches!(h.probe(http, &req), Verdict::Follow { master: Proto::Http, .. }));
        assert_eq!(h.class.app, Proto::Ocsp);

        let get = b"GET /MFEwTzBN HTTP/1.1\r\nHost: ocsp.example\r\n\r\n";
        let req = pkt_at(get, L4::Tcp, 40000, 80, Dir::ToServer, [0, 0]);
        let mut h = Harness::new(&req);
        assert!(matches!(h.probe(http, &req), Verdict::Follow { .. }));
        h.class.master = Proto::Http;
        h.class.app = Proto::Http;
        let resp = pkt_at(RESPONSE, L4::Tcp, 40000, 80, Dir::ToClient, [1, 0]);
        assert_eq!(h.follow(http, &resp), Follow::Done);
        assert_eq!(h.class.app, Proto::Ocsp);
    }

    #[test]
    fn others() {
        assert_eq!(over_http(crate::protocols::util::test::HTTP_GET), None);
        assert_eq!(
            over_http(b"POST / HTTP/1.1\r\nContent-Type: application/ocsp\r\n\r\n"),
            None
        );
        // The content type in the body, not the head.
        assert_eq!(
            over_http(b"POST / HTTP/1.1\r\nHost: a\r\n\r\nContent-Type: application/ocsp-request\r\n"),
            None
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = over_http(&p);
        }
    }
}
