//! IEC 62056 (DLMS/COSEM) meter reading over the HDLC profile (IEC 62056-46): one HDLC frame per packet — the
//! 0x7e flag at both ends, a frame format field of type 3 (0xa0, the segmentation bit and an 11-bit length equal
//! to the frame between the flags) and a CRC-16/X-25 frame check sequence over it (nDPI checks the flags and the
//! FCS; the format and length are added here).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Iec62056 = 379, "IEC62056", IoTScada, tcp [4059], udp [4059];
}

/// IEC62056's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const FLAG: u8 = 0x7e;
/// Shortest frame, an SNRM: flags, format (2), addresses (2), control, FCS (2).
const MIN_LEN: usize = 9;

/// CRC-16/X-25: reflected polynomial 0x1021 (0x8408), initial 0xffff, final complement.
fn crc_x25(data: &[u8]) -> u16 {
    let mut crc = 0xffffu16;
    for &b in data {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0x8408 } else { crc >> 1 };
        }
    }
    !crc
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.len() < MIN_LEN || p[0] != FLAG || p[p.len() - 1] != FLAG || p[1] & 0xf0 != 0xa0 {
        return Verdict::No;
    }
    let len = usize::from(p.u16_at(1).unwrap_or(0) & 0x07ff);
    let fcs_at = p.len() - 3;
    if len == p.len() - 2 && p.u16_le_at(fcs_at) == Some(crc_x25(&p[1..fcs_at])) {
        Verdict::Yes(Proto::Iec62056)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};
    use crate::L4;

    /// An SNRM from client 0x10 to server 1 (IEC 62056-46 §6.4.4.4.3.1), no information field, FCS computed.
    fn snrm() -> Vec<u8> {
        let mut p = vec![FLAG, 0xa0, 0x07, 0x03, 0x21, 0x93];
        let fcs = crc_x25(&p[1..]);
        p.extend_from_slice(&fcs.to_le_bytes());
        p.push(FLAG);
        p
    }

    #[test]
    fn snrm_frame() {
        assert_eq!(crc_x25(b"123456789"), 0x906e);
        assert_eq!(detect(&pkt(&snrm(), L4::Tcp, 40000, 4059)), Verdict::Yes(Proto::Iec62056));
        let mut bad = snrm();
        bad[4] = 0x23;
        assert_eq!(detect(&pkt(&bad, L4::Tcp, 40000, 4059)), Verdict::No);
        let mut len = snrm();
        len[2] = 0x08;
        assert_eq!(detect(&pkt(&len, L4::Tcp, 40000, 4059)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(20, 1), L4::Udp, 1, 4059)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 4059));
        }
    }
}
