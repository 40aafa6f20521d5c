//! Cisco Skinny (SCCP): every message is `length (4, little-endian, the bytes after the 8-byte header) |
//! header version (4: 0 or the 0x11–0x17 of later protocol versions) | message id (4)`, with station→manager ids
//! below 0x0050, manager→station ids from 0x0081 to 0x0160 (Wireshark's SKINNY dissector tables; nDPI matches
//! four whole message shapes of this header on port 2000). The length must match the packet.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    CiscoSkinny = 164, "CiscoSkinny", VoIp, tcp [2000];
}

/// CiscoSkinny's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const HEADER: usize = 8;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let (Some(len), Some(version), Some(id)) = (p.u32_le_at(0), p.u32_le_at(4), p.u32_le_at(8)) else {
        return Verdict::No;
    };
    let ok = usize::try_from(len).is_ok_and(|l| l >= 4 && l + HEADER == p.len())
        && (version == 0 || (0x11..=0x17).contains(&version))
        && (id < 0x0050 || (0x0081..=0x0160).contains(&id));
    if ok {
        Verdict::Yes(Proto::CiscoSkinny)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, s0, HTTP_GET};
    use proptest::prelude::*;

    #[test]
    fn messages() {
        // KeypadButton (0x0003) with button 5 and RegisterAck (0x0081), laid out as the SCCP header above.
        assert_eq!(
            detect(&c0(b"\x10\0\0\0\0\0\0\0\x03\0\0\0\x05\0\0\0\0\0\0\0\0\0\0\0")),
            Verdict::Yes(Proto::CiscoSkinny)
        );
        assert_eq!(
            detect(&s0(b"\x08\0\0\0\x11\0\0\0\x81\0\0\0\x1e\0\0\0")),
            Verdict::Yes(Proto::CiscoSkinny)
        );
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&c0(b"\x10\0\0\0\0\0\0\0\x03\0\0\0\x05\0\0\0")), Verdict::No);
        assert_eq!(detect(&s0(b"\x08\0\0\0\x20\0\0\0\x81\0\0\0\x1e\0\0\0")), Verdict::No);
        assert_eq!(detect(&s0(b"\x08\0\0\0\0\0\0\0\x00\x02\0\0\x1e\0\0\0")), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        for seed in 1..300 {
            assert_eq!(detect(&c0(&noise(24, seed))), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = detect(&c0(&p));
        }
    }
}
