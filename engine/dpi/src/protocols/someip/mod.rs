//! SOME/IP, AUTOSAR's scalable service-oriented middleware over IP (AUTOSAR PRS_SOMEIP): a 16-byte header —
//! message id, a length counting everything after itself (so the packet is length + 8), request id, protocol
//! version 1, interface version, a message type from the specification's list and a return code below 0x40. The
//! magic cookies (message ids 0xffff0000/0xffff8000) must be the exact fixed message the specification gives.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    SomeIp = 229, "SOMEIP", Rpc, tcp [30491, 30501], udp [30491, 30501, 30490];
}

/// SOMEIP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// The header.
const HEADER: usize = 16;
/// The header bytes the length field does not count.
const UNCOUNTED: usize = 8;
const PROTOCOL_VERSION: u8 = 1;
/// Message types: request, request-no-return, notification, their TP and ACK variants, response, error.
const TYPES: &[u8] = &[
    0x00, 0x01, 0x02, 0x20, 0x21, 0x22, 0x40, 0x41, 0x42, 0x80, 0x81, 0xa0, 0xa1, 0xc0, 0xc1,
];
/// Return codes from here on are reserved.
const RETURN_CODE_LIMIT: u8 = 0x40;
const MAGIC_COOKIES: [u32; 2] = [0xffff_0000, 0xffff_8000];
/// The cookie's request id and length.
const COOKIE_REQUEST: u32 = 0xdead_beef;
const COOKIE_LEN: u32 = 8;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.len() < HEADER {
        return Verdict::No;
    }
    let (Some(id), Some(len), Some(request)) = (p.u32_at(0), p.u32_at(4), p.u32_at(8)) else {
        return Verdict::No;
    };
    let (version, iface, kind, code) = (p[12], p[13], p[14], p[15]);
    let header_ok = usize::try_from(len).is_ok_and(|l| l + UNCOUNTED == p.len())
        && version == PROTOCOL_VERSION
        && TYPES.contains(&kind)
        && code < RETURN_CODE_LIMIT;
    let cookie_ok = !MAGIC_COOKIES.contains(&id)
        || (len == COOKIE_LEN && request == COOKIE_REQUEST && iface == 1 && kind == 0x01 && code == 0);
    if header_ok && cookie_ok {
        Verdict::Yes(Proto::SomeIp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use crate::L4;

    #[test]
    fn request_response_and_cookie() {
        // Service 0x1234 method 0x0001, client 0x0001 session 1, a 4-byte argument (PRS_SOMEIP §4.1.2).
        let req = hex("12340001 0000000c 00010001 01 01 00 00 deadbeef");
        assert_eq!(detect(&pkt(&req, L4::Udp, 49190, 49190)), Verdict::Yes(Proto::SomeIp));
        let resp = hex("12340001 00000008 00010001 01 01 80 00");
        assert_eq!(detect(&pkt(&resp, L4::Tcp, 30501, 40000)), Verdict::Yes(Proto::SomeIp));
        let cookie = hex("ffff0000 00000008 deadbeef 01 01 01 00");
        assert_eq!(detect(&pkt(&cookie, L4::Tcp, 40000, 30501)), Verdict::Yes(Proto::SomeIp));
    }

    #[test]
    fn near_misses() {
        for bad in [
            "12340001 0000000d 00010001 01 01 00 00 deadbeef", // length off
            "12340001 0000000c 00010001 02 01 00 00 deadbeef", // version 2
            "12340001 0000000c 00010001 01 01 03 00 deadbeef", // type 3
            "12340001 0000000c 00010001 01 01 00 40 deadbeef", // reserved return code
            "ffff0000 00000008 deadbeee 01 01 01 00",          // cookie with a wrong request id
        ] {
            assert_eq!(detect(&pkt(&hex(bad), L4::Udp, 1, 30490)), Verdict::No, "{bad}");
        }
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Udp, 1, 30490)), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 30490));
        }
    }
}
