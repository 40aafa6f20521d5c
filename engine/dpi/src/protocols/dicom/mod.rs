//! DICOM upper layer (DICOM PS3.8 §9.3): an association request or accept PDU — type 1 (A-ASSOCIATE-RQ) or 2
//! (-AC), a reserved zero, a 32-bit length covering at least the rest of the packet, protocol version 1, called
//! and calling AE titles (16 printable bytes each) and, after 32 reserved bytes, the Application Context item
//! (0x10).

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Dicom = 438, "DICOM", Rpc, tcp [104];
}

/// DICOM's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Offsets: AE titles, the first variable item.
const CALLED: usize = 10;
const CALLING: usize = 26;
const FIRST_ITEM: usize = 74;
/// Largest association PDU believed.
const MAX_PDU: u32 = 1 << 20;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let title = |at: usize| p.get(at..at + 16).is_some_and(|t| t.iter().all(|b| (0x20..0x7f).contains(b)));
    let ok = matches!(p.u8_at(0), Some(1 | 2))
        && p.u8_at(1) == Some(0)
        && p.u32_at(2).is_some_and(|l| l <= MAX_PDU && usize::try_from(l).is_ok_and(|l| l + 6 >= p.len()))
        && p.u16_at(6) == Some(1)
        && title(CALLED)
        && title(CALLING)
        && p.u8_at(FIRST_ITEM) == Some(0x10);
    if ok {
        Verdict::Yes(Proto::Dicom)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, HTTP_GET};
    use proptest::prelude::*;

    /// A-ASSOCIATE-RQ from PS3.8 §9.3.2: called "ANY-SCP", calling "ECHOSCU", then the application context
    /// item with the DICOM application context name.
    fn request() -> Vec<u8> {
        let ctx = b"1.2.840.10008.3.1.1.1";
        let mut p = vec![0x01, 0x00, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x00];
        p.extend_from_slice(b"ANY-SCP         ECHOSCU         ");
        p.extend_from_slice(&[0; 32]);
        p.extend_from_slice(&[0x10, 0x00, 0x00, u8::try_from(ctx.len()).unwrap_or(0)]);
        p.extend_from_slice(ctx);
        let len = u32::try_from(p.len() - 6).unwrap_or(0).to_be_bytes();
        p[2..6].copy_from_slice(&len);
        p
    }

    #[test]
    fn associate_request() {
        assert_eq!(detect(&c0(&request())), Verdict::Yes(Proto::Dicom));
    }

    #[test]
    fn near_misses() {
        for (at, b) in [(0, 3u8), (1, 1), (7, 2), (12, 0x01), (74, 0x20)] {
            let mut m = request();
            m[at] = b;
            assert_eq!(detect(&c0(&m)), Verdict::No, "{at}");
        }
        assert_eq!(detect(&c0(&request()[..70])), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(100, 1))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..120)) {
            let _ = detect(&c0(&p));
        }
    }
}
