//! TRDP, the Train Real-time Data Protocol (IEC 61375-2-3 Annex A): its two headers carry a CRC-32 of themselves
//! in their last four bytes, which decides. Process data (UDP): a 40-byte header with message type "P?" at
//! bytes 6-7, a dataset length equal to the rest of the datagram and a zero reserved word. Message data (UDP or
//! TCP): a 116-byte header with type "M?", and a dataset length that, padded to four bytes, is the rest.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Trdp = 424, "TRDP", IoTScada, tcp [17225], udp [17224, 17225];
}

/// TRDP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// Process-data header, its frame check sequence included.
const PD_HEADER: usize = 40;
/// Message-data header, its frame check sequence included.
const MD_HEADER: usize = 116;
/// The FCS: the header's last word.
const FCS: usize = 4;
/// Offset of the dataset length; of the process-data reserved word.
const DATASET_LEN: usize = 20;
const PD_RESERVED: usize = 24;

/// CRC-32 (IEEE 802.3, reflected, as TRDP's `vos_crc32` computes it), bitwise: headers are at most 112 bytes.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn fcs_ok(p: &[u8], header: usize) -> bool {
    p.u32_le_at(header - FCS) == Some(crc32(&p[..header - FCS]))
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let (Some(kind), Some(len)) = (p.u8_at(6), p.u32_at(DATASET_LEN)) else {
        return Verdict::No;
    };
    let Ok(len) = usize::try_from(len) else {
        return Verdict::No;
    };
    let pd = pkt.l4 == L4::Udp
        && kind == b'P'
        && p.len() >= PD_HEADER
        && p.len() - PD_HEADER == len
        && p.u32_at(PD_RESERVED) == Some(0)
        && fcs_ok(p, PD_HEADER);
    let padded = len.div_ceil(4) * 4;
    let md = kind == b'M'
        && p.len() >= MD_HEADER
        && p.len() - MD_HEADER == padded
        && fcs_ok(p, MD_HEADER);
    if pd || md {
        Verdict::Yes(Proto::Trdp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};

    /// A process-data message built from IEC 61375-2-3 Table A.2: sequence 1, protocol version 1.0, type "Pd",
    /// ComId 1000, ETB topo count 0, op-trn topo count 0, dataset length 8, reserved, reply ComId/IP 0, FCS; then
    /// eight bytes of data.
    fn pd() -> Vec<u8> {
        let mut p = vec![0, 0, 0, 1, 1, 0, b'P', b'd', 0, 0, 0x03, 0xe8];
        p.extend_from_slice(&[0; 8]);
        p.extend_from_slice(&8u32.to_be_bytes());
        p.extend_from_slice(&[0; 12]);
        let fcs = crc32(&p);
        p.extend_from_slice(&fcs.to_le_bytes());
        p.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        p
    }

    /// A message-data request ("Mr") with a 5-byte dataset padded to 8.
    fn md() -> Vec<u8> {
        let mut p = vec![0, 0, 0, 7, 1, 0, b'M', b'r', 0, 0, 0x07, 0xd0];
        p.extend_from_slice(&[0; 8]);
        p.extend_from_slice(&5u32.to_be_bytes());
        p.resize(MD_HEADER - FCS, 0);
        let fcs = crc32(&p);
        p.extend_from_slice(&fcs.to_le_bytes());
        p.extend_from_slice(b"hello\0\0\0");
        p
    }

    #[test]
    fn crc_matches_the_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn process_and_message_data() {
        assert_eq!(detect(&pkt(&pd(), L4::Udp, 17224, 17224)), Verdict::Yes(Proto::Trdp));
        assert_eq!(detect(&pkt(&md(), L4::Tcp, 40000, 17225)), Verdict::Yes(Proto::Trdp));
        assert_eq!(detect(&pkt(&md(), L4::Udp, 40000, 17225)), Verdict::Yes(Proto::Trdp));
    }

    #[test]
    fn a_flipped_bit_or_length_is_not_trdp() {
        let mut p = pd();
        p[10] ^= 1;
        assert_eq!(detect(&pkt(&p, L4::Udp, 1, 17224)), Verdict::No);
        let mut p = pd();
        p.push(0);
        assert_eq!(detect(&pkt(&p, L4::Udp, 1, 17224)), Verdict::No);
        assert_eq!(detect(&pkt(&pd(), L4::Tcp, 1, 17224)), Verdict::No);
        for seed in 1..50 {
            assert_eq!(detect(&pkt(&noise(140, seed), L4::Udp, 1, 17224)), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 17224));
            let _ = detect(&pkt(&p, L4::Tcp, 1, 17225));
        }
    }
}
