//! Beckhoff ADS over AMS/TCP (Beckhoff Infosys, "ADS specification"): a 6-byte AMS/TCP header (reserved 0, a
//! little-endian length equal to the rest), the 32-byte AMS header (target and source AMS net ids and ports, a
//! command id 0-9, state flags 4 or 5 — ADS command, request or response over TCP —, a data length equal to the
//! rest and an ADS error code 0-0x1e). nDPI's checks.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    BeckhoffAds = 365, "BeckhoffADS", IoTScada, tcp [48898];
}

/// BeckhoffADS's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const AMS_TCP: usize = 6;
const AMS: usize = 32;
const MAX_COMMAND: u16 = 9;
const MAX_ERROR: u32 = 0x1e;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Tcp || p.len() < AMS_TCP + AMS {
        return Verdict::No;
    }
    let fields = (
        p.u16_at(0),
        p.u32_le_at(2),
        p.u16_le_at(22),
        p.u16_le_at(24),
        p.u32_le_at(26),
        p.u32_le_at(30),
    );
    let (Some(0), Some(tcp_len), Some(cmd), Some(flags), Some(data_len), Some(err)) = fields else {
        return Verdict::No;
    };
    let rest = |n: usize| u32::try_from(p.len() - n).ok();
    if Some(tcp_len) == rest(AMS_TCP)
        && Some(data_len) == rest(AMS_TCP + AMS)
        && cmd <= MAX_COMMAND
        && matches!(flags, 4 | 5)
        && err <= MAX_ERROR
    {
        Verdict::Yes(Proto::BeckhoffAds)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    /// ADS Read Device Info (command 1) request from 192.168.0.10.1.1:32905 to 5.1.2.3.1.1:851, invoke id 1,
    /// no data; then its response with 24 bytes of data.
    const REQUEST: &str = "0000 20000000 050102030101 5303 c0a8000a0101 8980 0100 0400 00000000 00000000 01000000";

    #[test]
    fn request_and_response() {
        let p = hex(REQUEST);
        assert_eq!(detect(&pkt(&p, L4::Tcp, 49201, 48898)), Verdict::Yes(Proto::BeckhoffAds));
        let mut r = hex("0000 38000000 c0a8000a0101 8980 050102030101 5303 0100 0500 18000000 00000000 01000000");
        r.extend_from_slice(&[0; 24]);
        assert_eq!(detect(&pkt(&r, L4::Tcp, 48898, 49201)), Verdict::Yes(Proto::BeckhoffAds));
    }

    #[test]
    fn near_misses() {
        let mut cmd = hex(REQUEST);
        cmd[22] = 10;
        assert_eq!(detect(&pkt(&cmd, L4::Tcp, 1, 48898)), Verdict::No);
        let mut flags = hex(REQUEST);
        flags[24] = 6;
        assert_eq!(detect(&pkt(&flags, L4::Tcp, 1, 48898)), Verdict::No);
        let mut long = hex(REQUEST);
        long.push(0);
        assert_eq!(detect(&pkt(&long, L4::Tcp, 1, 48898)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(60, 2), L4::Tcp, 1, 48898)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 48898));
        }
    }
}
