//! DNP3 (IEEE 1815) link layer: start bytes 0x05 0x64, a length of at least 5, and the header's CRC-16/DNP.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Dnp3 = 244, "DNP3", IoTScada, tcp [20000];
}

/// DNP3's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// CRC-16/DNP: reflected polynomial 0x3D65, initial 0, final complement.
fn crc_dnp(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xa6bc
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let Some(header) = p.get(..10) else {
        return Verdict::No;
    };
    let crc = header.u16_le_at(8).unwrap_or(0);
    if header.starts_with(&[0x05, 0x64])
        && p.u8_at(2).is_some_and(|l| l >= 5)
        && crc == crc_dnp(&header[..8])
    {
        Verdict::Yes(Proto::Dnp3)
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
    fn link_header() {
        let p = hex("05640a44030004007caee6f78210004fbd");
        assert_eq!(
            detect(&pkt(&p, L4::Tcp, 2789, 20000)),
            Verdict::Yes(Proto::Dnp3)
        );
    }

    #[test]
    fn negatives() {
        let p = hex("05640a44030004007cafe6f78210004fbd");
        assert_eq!(detect(&pkt(&p, L4::Tcp, 2789, 20000)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(20, 1), L4::Tcp, 1, 20000)), Verdict::No);
    }
}
