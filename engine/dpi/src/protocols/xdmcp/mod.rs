//! XDMCP (X Display Manager Control Protocol, UDP 177): version 1, opcode 1..=16, a length equal to the rest.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Xdmcp = 15, "XDMCP", RemoteAccess, udp [177];
}

/// XDMCP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let (Some(version), Some(opcode), Some(len)) = (p.u16_at(0), p.u16_at(2), p.u16_at(4)) else {
        return Verdict::No;
    };
    if pkt.l4 == L4::Udp
        && version == 1
        && (1..=16).contains(&opcode)
        && usize::from(len) + 6 == p.len()
    {
        Verdict::Yes(Proto::Xdmcp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn query_and_willing() {
        assert_eq!(
            detect(&pkt(&hex("00010002000100"), L4::Udp, 61426, 177)),
            Verdict::Yes(Proto::Xdmcp)
        );
        let w = hex("00010005001700000000001157696c6c696e6720746f206d616e616765");
        assert_eq!(
            detect(&pkt(&w, L4::Udp, 61426, 177)),
            Verdict::Yes(Proto::Xdmcp)
        );
    }

    #[test]
    fn negatives() {
        assert_eq!(
            detect(&pkt(&hex("00010002000200"), L4::Udp, 1, 177)),
            Verdict::No
        );
        assert_eq!(detect(&pkt(&noise(30, 1), L4::Udp, 1, 177)), Verdict::No);
    }
}
