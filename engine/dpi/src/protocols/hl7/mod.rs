//! HL7 v2 over MLLP (HL7 "Minimal Lower Layer Protocol", TCP 2575): a message framed by the start byte 0x0B,
//! opening with its MSH segment — `MSH`, the field separator, four encoding characters, the separator again
//! (conventionally `MSH|^~\&|`). Over HTTP, the HL7 and FHIR content types of nDPI's list name HTTP.HL7 (the
//! `http` folder asks [`over_http`]).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::http::parser;
use crate::protocols::util::contains_ci;
use crate::proto::Proto;

crate::proto::identities! {
    Hl7 = 380, "HL7", Rpc, tcp [2575];
}

/// HL7's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// MLLP's start-of-block byte.
const START: u8 = 0x0b;
/// Content types naming HL7 (v2 ER7/XML, v3, FHIR, CDA).
const CONTENT_TYPES: &[&[u8]] = &[
    b"application/hl7-v2+er7",
    b"application/hl7-v2+xml",
    b"application/hl7-v3+xml",
    b"application/fhir+xml",
    b"application/fhir+json",
    b"application/xml+cda",
];

/// HL7 when the HTTP head at the start of `p` carries an HL7 or FHIR body.
#[must_use]
pub fn over_http(p: &[u8]) -> Option<Proto> {
    let t = parser::header(p, b"content-type")?;
    CONTENT_TYPES.iter().any(|c| contains_ci(t, c)).then_some(Proto::Hl7)
}

/// `MSH` + separator + four (v2.7: five) encoding characters + separator.
fn msh(p: &[u8]) -> bool {
    let Some(h) = p.get(..10).or_else(|| p.get(..9)) else {
        return false;
    };
    let sep = h[3];
    let enc_ok = |enc: &[u8]| enc.iter().all(|&c| c.is_ascii_punctuation() && c != sep);
    h.starts_with(b"MSH")
        && sep.is_ascii_punctuation()
        && ((h[8] == sep && enc_ok(&h[4..8])) || (h.get(9) == Some(&sep) && enc_ok(&h[4..9])))
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.first() == Some(&START) && msh(&p[1..]) {
        Verdict::Yes(Proto::Hl7)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, HTTP_GET};
    use proptest::prelude::*;

    /// An ADT^A01 as HL7 v2.5's examples show it, framed in MLLP.
    const ADT: &[u8] = b"\x0bMSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20240101120000||ADT^A01|MSG00001|P|2.5\rEVN|A01|20240101120000\rPID|1||12345^^^HOSP^MR||DOE^JOHN\r\x1c\r";

    #[test]
    fn mllp_and_http() {
        assert_eq!(detect(&c0(ADT)), Verdict::Yes(Proto::Hl7));
        let post = b"POST /fhir/Patient HTTP/1.1\r\nHost: fhir\r\nContent-Type: application/fhir+json\r\n\r\n";
        assert_eq!(over_http(post), Some(Proto::Hl7));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&c0(&ADT[1..])), Verdict::No, "no MLLP frame");
        assert_eq!(detect(&c0(b"\x0bMSH|^~\\&x")), Verdict::No);
        assert_eq!(detect(&c0(b"\x0bMSH|^~|&|")), Verdict::No);
        for n in 0..10 {
            assert_eq!(detect(&c0(&ADT[..n])), Verdict::No, "{n}");
        }
        assert_eq!(over_http(HTTP_GET), None);
        assert_eq!(detect(&c0(&noise(40, 1))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(tail in proptest::collection::vec(any::<u8>(), 0..20)) {
            let mut p = b"\x0bMSH".to_vec();
            p.extend_from_slice(&tail);
            let _ = detect(&c0(&p));
            let _ = over_http(&p);
        }
    }
}
