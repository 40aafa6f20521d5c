//! KCP (ARQ over UDP): 24-byte little-endian segment headers — conversation, command 81..=84, fragment, window,
//! timestamp, sequence, una, data length — that tile the datagram exactly.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Kcp = 385, "KCP", Network;
}

/// KCP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.l4 != L4::Udp {
        return Verdict::No;
    }
    let mut s = pkt.payload;
    let Some(conv) = s.u32_le_at(0) else {
        return Verdict::No;
    };
    while !s.is_empty() {
        let (Some(c), Some(cmd), Some(len)) = (s.u32_le_at(0), s.u8_at(4), s.u32_le_at(20)) else {
            return Verdict::No;
        };
        if c != conv || !(81..=84).contains(&cmd) {
            return Verdict::No;
        }
        // Only PUSH segments carry data.
        if cmd != 81 && len != 0 {
            return Verdict::No;
        }
        let Some(rest) = usize::try_from(len)
            .ok()
            .and_then(|l| s.get(24usize.checked_add(l)?..))
        else {
            return Verdict::No;
        };
        s = rest;
    }
    Verdict::Yes(Proto::Kcp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn ack_and_push() {
        let a = hex("0a00000052007f0014000000000000000100000000000000");
        assert_eq!(
            detect(&pkt(&a, L4::Udp, 47356, 8000)),
            Verdict::Yes(Proto::Kcp)
        );
        let mut p = hex("0a00000051028000140000000000000000000000a8050000");
        p.resize(24 + 0x5a8, 7);
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 47356, 8000)),
            Verdict::Yes(Proto::Kcp)
        );
    }

    #[test]
    fn negatives() {
        let mut p = hex("0a00000051028000140000000000000000000000a8050000");
        p.resize(100, 7);
        assert_eq!(detect(&pkt(&p, L4::Udp, 1, 8000)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(48, 1), L4::Udp, 1, 8000)), Verdict::No);
    }
}
