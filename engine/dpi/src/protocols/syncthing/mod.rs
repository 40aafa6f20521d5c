//! Syncthing local discovery (UDP 21027): announcement magic 0x2EA7D90B (v0.13+) or 0x9D79BC40 (older).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Syncthing = 313, "Syncthing", Download, tcp [22000], udp [21027];
}

/// Syncthing's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let magic = p.u32_at(0);
    if pkt.l4 == L4::Udp && p.len() >= 16 && matches!(magic, Some(0x2ea7_d90b | 0x9d79_bc40)) {
        Verdict::Yes(Proto::Syncthing)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn announcement() {
        let p = hex("2ea7d90b0a2092b76262996294825fc6cce6cf34794288282d73b5ecdf2dcb29");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 42370, 21027)),
            Verdict::Yes(Proto::Syncthing)
        );
    }

    #[test]
    fn negatives() {
        assert_eq!(
            detect(&pkt(&hex("2ea7d90b0a20"), L4::Udp, 1, 21027)),
            Verdict::No
        );
        assert_eq!(detect(&pkt(&noise(64, 1), L4::Udp, 1, 21027)), Verdict::No);
    }
}
