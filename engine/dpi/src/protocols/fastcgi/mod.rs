//! FastCGI (the FastCGI 1.0 specification, §3.3): records `version 1 | type 1–11 | request id (2) | content
//! length (2) | padding length (1) | reserved 0`. The web server opens with FCGI_BEGIN_REQUEST (8-byte body: a
//! role 1–3, flags 0/1) or, for management, FCGI_GET_VALUES; a packet's records must tile it (the last may run
//! past the segment).

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    FastCgi = 310, "FastCGI", Network;
}

/// FastCGI's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const HEADER: usize = 8;
const BEGIN_REQUEST: u8 = 1;
const GET_VALUES: u8 = 9;
/// Highest record type (FCGI_UNKNOWN_TYPE).
const MAX_TYPE: u8 = 11;
/// Records walked at most.
const MAX_RECORDS: usize = 32;

/// Whether well-formed records tile `p`.
fn records(mut p: &[u8]) -> bool {
    for _ in 0..MAX_RECORDS {
        if p.len() < HEADER {
            // A header cut by the segment: what is there must agree.
            return p.first().is_none_or(|&v| v == 1) && p.get(1).is_none_or(|t| (1..=MAX_TYPE).contains(t));
        }
        let (Some(version), Some(kind), Some(clen), Some(plen), Some(reserved)) =
            (p.u8_at(0), p.u8_at(1), p.u16_at(4), p.u8_at(6), p.u8_at(7))
        else {
            return false;
        };
        if version != 1 || !(1..=MAX_TYPE).contains(&kind) || reserved != 0 {
            return false;
        }
        let len = HEADER + usize::from(clen) + usize::from(plen);
        if len >= p.len() {
            return true;
        }
        p = &p[len..];
    }
    false
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let opening = match p.u8_at(1) {
        Some(BEGIN_REQUEST) => {
            p.u16_at(4) == Some(8) && p.u16_at(8).is_some_and(|r| (1..=3).contains(&r)) && p.u8_at(10).is_some_and(|f| f <= 1)
        }
        Some(GET_VALUES) => p.u16_at(2) == Some(0),
        _ => false,
    };
    if opening && records(p) {
        Verdict::Yes(Proto::FastCgi)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, HTTP_GET};
    use crate::protocols::util::testutil::hex;
    use proptest::prelude::*;

    /// BEGIN_REQUEST (responder, keep-conn) then a PARAMS record with SCRIPT_FILENAME=/x.php, built from §5.1
    /// and §3.4.
    const BEGIN: &str = "01 01 0001 0008 00 00 0001 01 0000000000 \
         01 04 0001 0017 01 00 0f06 5343524950545f46494c454e414d45 2f782e706870 00";

    #[test]
    fn begin_request() {
        let p = hex(BEGIN);
        assert_eq!(detect(&c0(&p)), Verdict::Yes(Proto::FastCgi));
        assert_eq!(detect(&c0(&p[..20])), Verdict::Yes(Proto::FastCgi), "PARAMS cut by the segment");
    }

    #[test]
    fn near_misses() {
        let p = hex(BEGIN);
        for (at, b) in [(0, 2u8), (5, 7), (9, 4), (10, 2), (17, 12), (23, 1)] {
            let mut m = p.clone();
            m[at] = b;
            assert_eq!(detect(&c0(&m)), Verdict::No, "{at}");
        }
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        for seed in 1..300 {
            assert_eq!(detect(&c0(&noise(40, seed))), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..120)) {
            let _ = detect(&c0(&p));
        }
    }
}
