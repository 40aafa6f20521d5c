//! SAP's NI (network interface) layer, which frames SAP GUI (DIAG), RFC and SAP router traffic: a 4-byte
//! big-endian length equal to the rest of the packet, then — for the NI control messages — `NI_PING`, `NI_PONG`,
//! `NI_RTERR` or a SAP router `NI_ROUTE` request, NUL-terminated (SAP router documentation, Wireshark's SAPNI).

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Sap = 151, "SAP", Network, tcp [3201];
}

/// SAP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// NI control messages (with their terminating NUL).
const MESSAGES: &[&[u8]] = &[b"NI_PING\0", b"NI_PONG\0", b"NI_RTERR\0", b"NI_ROUTE\0"];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let framed = p.u32_at(0).and_then(|l| usize::try_from(l).ok()).is_some_and(|l| l + 4 == p.len());
    if framed && MESSAGES.iter().any(|m| p.rest_at(4).starts_with(m)) {
        Verdict::Yes(Proto::Sap)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, s0, HTTP_GET};
    use proptest::prelude::*;

    #[test]
    fn ni_messages() {
        assert_eq!(detect(&c0(b"\0\0\0\x08NI_PING\0")), Verdict::Yes(Proto::Sap));
        assert_eq!(detect(&s0(b"\0\0\0\x08NI_PONG\0")), Verdict::Yes(Proto::Sap));
        // A SAP router route request: "NI_ROUTE", version 2, route data follows.
        let mut route = b"\0\0\0\x00NI_ROUTE\0\x02\x27\x00\x00\x00\x02".to_vec();
        route[3] = u8::try_from(route.len() - 4).unwrap_or(0);
        assert_eq!(detect(&c0(&route)), Verdict::Yes(Proto::Sap));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&c0(b"\0\0\0\x09NI_PING\0")), Verdict::No);
        assert_eq!(detect(&c0(b"\0\0\0\x08NI_PANG\0")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(12, 1))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = detect(&c0(&p));
        }
    }
}
