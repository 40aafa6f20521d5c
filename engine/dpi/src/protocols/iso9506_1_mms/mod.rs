//! MMS, the Manufacturing Message Specification (ISO 9506) of IEC 61850 substations, over the OSI stack on
//! ISO-on-TCP: a TPKT (RFC 1006) whose length is the segment's, a COTP data TPDU, then an ISO 8327 session SPDU.
//! The client's association request (session CONNECT, SPDU 0x0d) carries the MMS abstract syntax in its
//! presentation context list: the object identifier 1.0.9506.2.1 (`28 ca 22 02 01`) or 1.0.9506.2.3 — which
//! decides. nDPI looks for fixed MMS bytes near the end of a client packet; the syntax OID is the same fact found
//! wherever the encoder put it.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict, L4};
use crate::proto::Proto;
use crate::protocols::s7comm::tpkt;
use crate::protocols::util::find;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Iso9506Mms = 366, "ISO9506-1-MMS", IoTScada;
}

/// ISO9506-1-MMS's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// TPKT (4) and a COTP DT (3).
const SESSION_AT: usize = 7;
/// ISO 8327 CONNECT and ACCEPT SPDUs.
const SPDU_CONNECT: u8 = 0x0d;
const SPDU_ACCEPT: u8 = 0x0e;
/// The MMS abstract-syntax OIDs, BER-encoded with their tag and length (1.0.9506.2.1 and 1.0.9506.2.3).
const MMS_OIDS: [&[u8]; 2] = [b"\x06\x05\x28\xca\x22\x02\x01", b"\x06\x05\x28\xca\x22\x02\x03"];
/// Client packets looked at before giving up.
const MAX_CLIENT_PACKETS: u16 = 3;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Tcp {
        return Verdict::No;
    }
    let cotp_dt = p.u8_at(4) == Some(2) && p.u8_at(5) == Some(0xf0);
    let spdu = p.u8_at(SESSION_AT);
    let association = matches!(spdu, Some(SPDU_CONNECT | SPDU_ACCEPT))
        && p.u8_at(SESSION_AT + 1).map(usize::from) == p.len().checked_sub(SESSION_AT + 2);
    if tpkt(p) && cotp_dt && association && MMS_OIDS.iter().any(|oid| find(p, oid).is_some()) {
        return Verdict::Yes(Proto::Iso9506Mms);
    }
    // The association request may follow the COTP connection: wait a few client packets for it.
    if tpkt(p) && !(pkt.dir == Dir::ToServer && pkt.seen[0] >= MAX_CLIENT_PACKETS) {
        Verdict::NeedMore
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    /// An initiate request's OSI framing, built from ISO 8327 (CONNECT SPDU with a user-data parameter), ISO 8823
    /// (CP-type with a presentation context for MMS) and ISO 9506 (the initiate-RequestPDU, tag 0xa8), shortened to
    /// the fields the rule reads; the SPDU length byte is set to cover the rest.
    fn initiate() -> Vec<u8> {
        let mut p = hex("0300 0000 02f080 0d 00 c1 00 31 00 a0 00 30 0f 02 01 03 06 05 28ca220201 30 03 06 01 00 a8 00");
        let len = p.len();
        p[3] = u8::try_from(len).expect("short");
        p[SESSION_AT + 1] = u8::try_from(len - SESSION_AT - 2).expect("short");
        p
    }

    #[test]
    fn association_names_mms() {
        assert_eq!(detect(&pkt(&initiate(), L4::Tcp, 40000, 102)), Verdict::Yes(Proto::Iso9506Mms));
    }

    #[test]
    fn other_osi_traffic_waits_then_gives_up() {
        let cr = hex("0300001611e00000000100c0010ac1020100c2020102");
        assert_eq!(detect(&pkt(&cr, L4::Tcp, 40000, 102)), Verdict::NeedMore);
        let mut no_mms = initiate();
        let at = find(&no_mms, b"\x28\xca").unwrap_or(0);
        no_mms[at] = 0x29;
        assert_eq!(detect(&pkt(&no_mms, L4::Tcp, 40000, 102)), Verdict::NeedMore);
        let late = crate::protocols::util::testutil::pkt_at(&no_mms, L4::Tcp, 1, 102, Dir::ToServer, [3, 2]);
        assert_eq!(detect(&late), Verdict::No);
        assert_eq!(detect(&pkt(&noise(60, 1), L4::Tcp, 40000, 102)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 102));
        }
    }
}
