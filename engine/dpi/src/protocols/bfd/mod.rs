//! BFD (RFC 5880/5881) on UDP 3784/4784: version 1, a valid diagnostic, non-zero detect multiplier and my
//! discriminator, and a length byte equal to the payload (24, or more with authentication).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Bfd = 401, "BFD", Network, udp [3784];
}

/// BFD's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp || !(pkt.either_port(3784) || pkt.either_port(4784)) {
        return Verdict::No;
    }
    let (Some(b0), Some(flags), Some(mult), Some(len), Some(my)) =
        (p.u8_at(0), p.u8_at(1), p.u8_at(2), p.u8_at(3), p.u32_at(4))
    else {
        return Verdict::No;
    };
    let auth = flags & 0x04 != 0;
    let len_ok = usize::from(len) == p.len() && if auth { len > 24 } else { len == 24 };
    if b0 >> 5 == 1 && b0 & 0x1f <= 8 && mult != 0 && my != 0 && len_ok {
        Verdict::Yes(Proto::Bfd)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn control_packet() {
        let p = hex("204003180000000100000000000f4240000f42400007a120");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 49152, 3784)),
            Verdict::Yes(Proto::Bfd)
        );
    }

    #[test]
    fn negatives() {
        let p = hex("204003180000000100000000000f4240000f42400007a120");
        assert_eq!(detect(&pkt(&p, L4::Udp, 49152, 3785)), Verdict::No);
        assert_eq!(detect(&pkt(&p[..20], L4::Udp, 49152, 3784)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(24, 6), L4::Udp, 1, 3784)), Verdict::No);
    }
}
