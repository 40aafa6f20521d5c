//! Tuya local protocol (UDP 6666/6667 discovery, TCP 6668): prefix 0x000055AA, a length at offset 12 covering the
//! rest of the frame, and the suffix 0x0000AA55.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    TuyaLp = 331, "TuyaLP", IoTScada, udp [6667];
}

/// TuyaLP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let (Some(prefix), Some(len)) = (p.u32_at(0), p.u32_at(12)) else {
        return Verdict::No;
    };
    let ok = prefix == 0x0000_55aa
        && usize::try_from(len).is_ok_and(|l| l + 16 == p.len() && l >= 8)
        && p.ends_with(&[0x00, 0x00, 0xaa, 0x55]);
    if ok {
        Verdict::Yes(Proto::TuyaLp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn discovery_broadcast() {
        let mut p =
            hex("000055aa0000000000000013000000ac0000000097b93fee4b69c95feeb3d33bda352952575ce192");
        p.resize(184, 0x42);
        p.extend_from_slice(&[0, 0, 0xaa, 0x55]);
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 49154, 6667)),
            Verdict::Yes(Proto::TuyaLp)
        );
    }

    #[test]
    fn negatives() {
        let mut p = hex("000055aa0000000000000013000000ac");
        p.resize(100, 0);
        assert_eq!(detect(&pkt(&p, L4::Udp, 49154, 6667)), Verdict::No);
        assert_eq!(
            detect(&pkt(&noise(188, 1), L4::Udp, 49154, 6667)),
            Verdict::No
        );
    }
}
