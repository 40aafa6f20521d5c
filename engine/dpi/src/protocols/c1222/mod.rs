//! ANSI C12.22, metering over IP: each message is an ACSE PDU (ISO 8650 over C12.22's encoding) — tag 0x60
//! (an association request/information APDU) whose one-byte BER length is the rest of the packet, starting with
//! the called AP title (context tag 0xa2) holding an OID or relative OID (universal tag 0x06/0x0d). nDPI checks the
//! tag, length, called-AP-title tag and the OID tag of packets of at least 50 bytes; the relative OID form is added.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    C1222 = 397, "ANSI_C1222", IoTScada, tcp [1153], udp [1153];
}

/// ANSI_C1222's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const ACSE_TAG: u8 = 0x60;
const CALLED_AP_TITLE: u8 = 0xa2;
/// A message carries at least the two AP titles, an invocation id and the user information.
const MIN_LEN: usize = 50;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.len() < MIN_LEN {
        return Verdict::No;
    }
    if p[0] == ACSE_TAG
        && usize::from(p[1]) == p.len() - 2
        && p[2] == CALLED_AP_TITLE
        && matches!(p[4], 0x06 | 0x0d)
    {
        Verdict::Yes(Proto::C1222)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use crate::L4;

    /// A read request: called AP title (relative OID .1.2.3), calling AP title, invocation id, then the EPSEM user
    /// information wrapping a full read of table 1 (C12.22 §5.3.2), padded with the message's remaining fields.
    fn read() -> Vec<u8> {
        let mut body = hex("a2 05 0d 03 010203 a6 05 0d 03 0a0b0c a8 03 02 01 2a be 1a 28 18 81 16 80 14 30 00 01");
        body.resize(60, 0);
        let mut p = vec![ACSE_TAG, u8::try_from(body.len()).expect("short")];
        p.extend_from_slice(&body);
        p
    }

    #[test]
    fn read_request() {
        assert_eq!(detect(&pkt(&read(), L4::Tcp, 1577, 1153)), Verdict::Yes(Proto::C1222));
        assert_eq!(detect(&pkt(&read(), L4::Udp, 55092, 1153)), Verdict::Yes(Proto::C1222));
        let mut len = read();
        len[1] += 1;
        assert_eq!(detect(&pkt(&len, L4::Tcp, 1, 1153)), Verdict::No);
        let mut tag = read();
        tag[2] = 0xa6;
        assert_eq!(detect(&pkt(&tag, L4::Tcp, 1, 1153)), Verdict::No);
        assert_eq!(detect(&pkt(&read()[..40], L4::Tcp, 1, 1153)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(60, 1), L4::Tcp, 1, 1153)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 1153));
        }
    }
}
