//! BACnet/IP (ASHRAE 135 Annex J, UDP 47808): BVLC type 0x81, a known function, a length equal to the payload,
//! and NPDU version 1 where an NPDU follows.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    BacNet = 334, "BACnet", IoTScada, udp [47808];
}

/// BACnet's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp || p.u8_at(0) != Some(0x81) {
        return Verdict::No;
    }
    let (Some(func), Some(len)) = (p.u8_at(1), p.u16_at(2)) else {
        return Verdict::No;
    };
    if usize::from(len) != p.len() {
        return Verdict::No;
    }
    let ok = match func {
        // Original unicast/broadcast NPDU, distribute broadcast to network: NPDU right after the header.
        0x09..=0x0b => p.u8_at(4) == Some(0x01),
        // Forwarded NPDU: original source address (6) first.
        0x04 => p.u8_at(10) == Some(0x01),
        // Result, (read) BDT/FDT, register foreign device, delete FDT entry.
        0x00 => len == 6,
        0x01..=0x03 | 0x05..=0x08 => len >= 4,
        0x0c => p.u8_at(4) == Some(0x01) || len >= 4,
        _ => false,
    };
    if ok {
        Verdict::Yes(Proto::BacNet)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn read_property() {
        let p = hex("810a001101040005a90c0c023fffff194b");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 53234, 47808)),
            Verdict::Yes(Proto::BacNet)
        );
    }

    #[test]
    fn negatives() {
        let p = hex("810a001201040005a90c0c023fffff194b");
        assert_eq!(detect(&pkt(&p, L4::Udp, 53234, 47808)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(17, 3), L4::Udp, 1, 47808)), Verdict::No);
    }
}
