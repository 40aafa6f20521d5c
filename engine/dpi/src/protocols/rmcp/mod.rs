//! RMCP (ASF / IPMI over LAN, UDP 623): version 6, reserved 0, a message class ASF/IPMI/OEM.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Rmcp = 351, "RMCP", System, udp [623];
}

/// RMCP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp || !pkt.either_port(623) || p.len() < 8 {
        return Verdict::No;
    }
    let class_ok = p
        .u8_at(3)
        .is_some_and(|c| matches!(c & 0x1f, 6..=8) && c & 0x60 == 0);
    if p.u8_at(0) == Some(0x06) && p.u8_at(1) == Some(0) && class_ok {
        Verdict::Yes(Proto::Rmcp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn ipmi_and_asf() {
        let p = hex("0600ff07000000000000000000092018c88100388e04b5");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 49531, 623)),
            Verdict::Yes(Proto::Rmcp)
        );
        let a = hex("0600ff06000011be80000000");
        assert_eq!(
            detect(&pkt(&a, L4::Udp, 59937, 623)),
            Verdict::Yes(Proto::Rmcp)
        );
    }

    #[test]
    fn negatives() {
        let a = hex("0600ff06000011be80000000");
        assert_eq!(detect(&pkt(&a, L4::Udp, 59937, 624)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(20, 1), L4::Udp, 1, 623)), Verdict::No);
    }
}
