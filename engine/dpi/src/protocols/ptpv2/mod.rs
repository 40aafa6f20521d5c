//! PTPv2 (IEEE 1588-2008) on UDP 319/320: version 2, a defined message type, a message length equal to the payload
//! (over IPv6, Annex E allows 2 trailing checksum-correction bytes).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    PtpV2 = 358, "PTPv2", System, udp [319, 320];
}

/// PTPv2's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp || !(pkt.either_port(319) || pkt.either_port(320)) {
        return Verdict::No;
    }
    let (Some(b0), Some(b1), Some(len)) = (p.u8_at(0), p.u8_at(1), p.u16_at(2)) else {
        return Verdict::No;
    };
    let type_ok = matches!(b0 & 0x0f, 0..=3 | 8..=0x0d);
    if type_ok
        && b1 & 0x0f == 2
        && len >= 34
        && (usize::from(len) == p.len() || usize::from(len) + 2 == p.len())
    {
        Verdict::Yes(Proto::PtpV2)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn management() {
        let mut p = hex("0c02003600000400000000000000000000000000002094fffe00000d0001000105ffffffffffffffffffffff00");
        p.resize(0x36, 0);
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 320, 320)),
            Verdict::Yes(Proto::PtpV2)
        );
    }

    #[test]
    fn negatives() {
        let mut p = hex("0c02003600000400000000000000000000000000002094fffe00000d0001000105ffffffffffffffffffffff00");
        p.resize(0x39, 0);
        assert_eq!(detect(&pkt(&p, L4::Udp, 320, 320)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(54, 1), L4::Udp, 1, 319)), Verdict::No);
    }
}
