//! Diameter (RFC 6733 §3): version 1, a 24-bit message length equal to the packet (messages may follow), flags
//! with the reserved bits clear (and E only in answers), a known command code (base protocol, RFC 4006 credit
//! control, RFC 4072 EAP, 3GPP S6a/Gx/Rx ranges) and AVPs whose headers fit.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Diameter = 237, "Diameter", Network, tcp [3868];
}

/// Diameter's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// Header size (§3).
const HEADER: usize = 20;
/// Command codes: base (257 CER/CEA, 258 RAR, 271 ACR, 274 ASR, 275 STR, 280 DWR, 282 DPR), 265 AAR, 268 DER,
/// 272 CCR, and the 3GPP ranges 300–330 (Cx, Sh, S6a/S6d…) and 8388620–8388730 (3GPP vendor commands).
fn known_command(code: u32) -> bool {
    matches!(code, 257 | 258 | 265 | 268 | 271 | 272 | 274 | 275 | 280 | 282 | 300..=330 | 8_388_620..=8_388_730)
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let (Some(version), Some(len), Some(flags), Some(code)) = (p.u8_at(0), p.u24_at(1), p.u8_at(4), p.u24_at(5))
    else {
        return Verdict::No;
    };
    let request = flags & 0x80 != 0;
    let len_ok = usize::try_from(len).is_ok_and(|l| l >= HEADER && l <= p.len() && l % 4 == 0);
    // The first AVP's header (code, flags, 24-bit length ≥ 8) fits the message.
    let avp_ok = len == 20 || p.u24_at(HEADER + 5).is_some_and(|l| l >= 8 && l + 20 <= len);
    let ok = version == 1
        && len_ok
        && flags & 0x0f == 0
        && !(request && flags & 0x20 != 0)
        && known_command(code)
        && avp_ok;
    if ok {
        Verdict::Yes(Proto::Diameter)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, HTTP_GET};
    use crate::protocols::util::testutil::hex;
    use proptest::prelude::*;

    /// A Device-Watchdog-Request (§5.5.1) built from RFC 6733: header (version 1, length 0x38, flags R, code
    /// 280, application 0, hop-by-hop, end-to-end), Origin-Host "peer.example" (AVP 264, M flag) and
    /// Origin-Realm "example" (AVP 296, padded).
    const DWR: &str = "01000038 80000118 00000000 00000001 00000002 \
         00000108 40000014 706565722e6578616d706c65 \
         00000128 4000000f 6578616d706c6500";

    #[test]
    fn watchdog() {
        let p = hex(DWR);
        assert_eq!(p.len(), 0x38);
        assert_eq!(detect(&c0(&p)), Verdict::Yes(Proto::Diameter));
    }

    #[test]
    fn near_misses() {
        let p = hex(DWR);
        for (at, b) in [(0, 2u8), (3, 0x3c), (4, 0xa0), (4, 0x81), (7, 0x19), (27, 4)] {
            let mut m = p.clone();
            m[at] = b;
            assert_eq!(detect(&c0(&m)), Verdict::No, "{at}");
        }
        assert_eq!(detect(&c0(&p[..40])), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        for seed in 1..300 {
            assert_eq!(detect(&c0(&noise(56, seed))), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..120)) {
            let _ = detect(&c0(&p));
        }
    }
}
