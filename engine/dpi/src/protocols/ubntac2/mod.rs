//! Ubiquiti discovery (UBNTAC2, UDP 10001): version 1/2, command, a length equal to the rest, and type-length-value
//! fields that tile it.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Ubntac2 = 31, "UBNTAC2", Network, udp [10001];
}

/// UBNTAC2's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp || !pkt.either_port(10001) {
        return Verdict::No;
    }
    let (Some(version), Some(len)) = (p.u8_at(0), p.u16_at(2)) else {
        return Verdict::No;
    };
    if !matches!(version, 1 | 2) || usize::from(len) + 4 != p.len() {
        return Verdict::No;
    }
    let mut f = &p[4..];
    while !f.is_empty() {
        let Some(flen) = f.u16_at(1) else {
            return Verdict::No;
        };
        let Some(rest) = f.get(3 + usize::from(flen)..) else {
            return Verdict::No;
        };
        f = rest;
    }
    Verdict::Yes(Proto::Ubntac2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn discovery() {
        assert_eq!(
            detect(&pkt(&hex("01000000"), L4::Udp, 40000, 10001)),
            Verdict::Yes(Proto::Ubntac2)
        );
        let p = hex("0206000d02000a802aa88d692bc0a80215");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 34085, 10001)),
            Verdict::Yes(Proto::Ubntac2)
        );
    }

    #[test]
    fn negatives() {
        let p = hex("0206001002000a802aa88d692bc0a80215");
        assert_eq!(detect(&pkt(&p, L4::Udp, 34085, 10001)), Verdict::No);
        assert_eq!(
            detect(&pkt(&hex("01000000"), L4::Udp, 40000, 10002)),
            Verdict::No
        );
        assert_eq!(detect(&pkt(&noise(40, 1), L4::Udp, 1, 10001)), Verdict::No);
    }
}
