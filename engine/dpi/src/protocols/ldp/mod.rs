//! LDP (RFC 5036) on UDP/TCP 646: version 1, PDU length covering the rest, then a known message type.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Ldp = 409, "LDP", Network, tcp [646], udp [646];
}

/// LDP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if !pkt.either_port(646) {
        return Verdict::No;
    }
    let (Some(version), Some(len), Some(msg)) = (p.u16_at(0), p.u16_at(2), p.u16_at(10)) else {
        return Verdict::No;
    };
    let len = usize::from(len);
    // Over TCP several PDUs may share a segment, or one may continue in the next.
    let len_ok = match pkt.l4 {
        L4::Udp => len + 4 == p.len(),
        L4::Tcp => len >= 10,
    };
    let msg_ok = matches!(
        msg & 0x7fff,
        0x0001 | 0x0100 | 0x0200 | 0x0201 | 0x0300 | 0x0301 | 0x0400..=0x0405
    );
    if version == 1 && len_ok && msg_ok {
        Verdict::Yes(Proto::Ldp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn hello() {
        let p = hex("0001001e0a0000060000010000140000000004000004000f0000040100040a000006");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 646, 646)),
            Verdict::Yes(Proto::Ldp)
        );
    }

    #[test]
    fn negatives() {
        let p = hex("0001001e0a0000060000010000140000000004000004000f0000040100040a000006");
        assert_eq!(detect(&pkt(&p, L4::Udp, 5000, 5001)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(34, 2), L4::Udp, 646, 646)), Verdict::No);
    }
}
