//! IEEE C37.118.2 synchrophasor frames (phasor measurement units): the sync word 0xaa with a frame type 0-5
//! (data, header, configuration 1/2/3, command), a frame size equal to the packet and a CRC-CCITT (CRC-16/CCITT-
//! FALSE) over everything before it in the last two bytes — the CRC decides, as in nDPI.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    IeeeC37118 = 367, "IEEE-C37118", IoTScada, tcp [4712], udp [4713];
}

/// IEEE-C37118's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const SYNC: u8 = 0xaa;
const MAX_FRAME_TYPE: u8 = 5;
/// Shortest frame: sync, size, id code, SOC, FRACSEC, CHK — a command frame with its command word.
const MIN_LEN: usize = 17;

/// CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xffff, not reflected.
fn crc_ccitt(data: &[u8]) -> u16 {
    let mut crc = 0xffffu16;
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
    if p.len() < MIN_LEN || p[0] != SYNC || p[1] >> 4 > MAX_FRAME_TYPE {
        return Verdict::No;
    }
    let size_ok = p.u16_at(2).map(usize::from) == Some(p.len());
    if size_ok && p.u16_at(p.len() - 2) == Some(crc_ccitt(&p[..p.len() - 2])) {
        Verdict::Yes(Proto::IeeeC37118)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};
    use crate::L4;

    /// A command frame "turn on transmission" (CMD 0x0002) for PMU id 7 (C37.118.2 §6.4), CRC computed.
    fn command() -> Vec<u8> {
        let mut p = vec![0xaa, 0x41, 0x00, 0x12, 0x00, 0x07, 0x5f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02];
        let crc = crc_ccitt(&p[..16]);
        p.extend_from_slice(&crc.to_be_bytes());
        p
    }

    #[test]
    fn crc_check_value_and_command_frame() {
        assert_eq!(crc_ccitt(b"123456789"), 0x29b1);
        assert_eq!(command().len(), 0x12);
        assert_eq!(detect(&pkt(&command(), L4::Tcp, 36835, 4712)), Verdict::Yes(Proto::IeeeC37118));
        assert_eq!(detect(&pkt(&command(), L4::Udp, 4712, 4713)), Verdict::Yes(Proto::IeeeC37118));
    }

    #[test]
    fn a_bad_crc_or_size_is_not_a_frame() {
        let mut p = command();
        p[9] ^= 1;
        assert_eq!(detect(&pkt(&p, L4::Tcp, 1, 4712)), Verdict::No);
        let mut q = command();
        q[1] = 0x61;
        assert_eq!(detect(&pkt(&q, L4::Tcp, 1, 4712)), Verdict::No);
        for seed in 1..50 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Udp, 1, 4713)), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 4713));
        }
    }
}
