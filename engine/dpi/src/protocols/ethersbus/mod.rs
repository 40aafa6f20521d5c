//! Ether-S-Bus, Saia-Burgess's PLC protocol over UDP (Wireshark's packet-sbus.c describes the frame): a 4-byte
//! big-endian length equal to the datagram, version 0 or 1, protocol type 0, and a CRC-16/XMODEM over everything
//! before it in the last two bytes — nDPI's rule.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    EtherSBus = 368, "Ether-S-Bus", IoTScada, udp [5050];
}

/// Ether-S-Bus's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Length, version, protocol type, sequence, telegram attribute … and the CRC: more than 12 bytes.
const MIN_LEN: usize = 13;

/// CRC-16/XMODEM: polynomial 0x1021, initial 0, not reflected.
fn crc_xmodem(data: &[u8]) -> u16 {
    let mut crc = 0u16;
    for &b in data {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp || p.len() < MIN_LEN {
        return Verdict::No;
    }
    let len_ok = p.u32_at(0).and_then(|l| usize::try_from(l).ok()) == Some(p.len());
    if len_ok && p[4] < 2 && p[5] == 0 && p.u16_at(p.len() - 2) == Some(crc_xmodem(&p[..p.len() - 2])) {
        Verdict::Yes(Proto::EtherSBus)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};

    /// A read-counter request (command 0x00, station 1), framed as packet-sbus.c reads it, CRC computed.
    fn request() -> Vec<u8> {
        let mut p = vec![0, 0, 0, 0x0e, 0x01, 0x00, 0x12, 0x34, 0x00, 0x01, 0x00, 0x05];
        let crc = crc_xmodem(&p);
        p.extend_from_slice(&crc.to_be_bytes());
        p
    }

    #[test]
    fn crc_and_request() {
        assert_eq!(crc_xmodem(b"123456789"), 0x31c3);
        assert_eq!(detect(&pkt(&request(), L4::Udp, 2467, 5050)), Verdict::Yes(Proto::EtherSBus));
        let mut bad = request();
        bad[7] ^= 0x80;
        assert_eq!(detect(&pkt(&bad, L4::Udp, 2467, 5050)), Verdict::No);
        for seed in 1..50 {
            assert_eq!(detect(&pkt(&noise(30, seed), L4::Udp, 1, 5050)), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 5050));
        }
    }
}
