//! PROFINET IO's acyclic services: connectionless DCE/RPC (C706 ch. 12, version 4) over UDP, usually port 34964,
//! whose interface UUID is one of the PNIO interfaces — device, controller, supervisor or parameter server,
//! DEA0000x-6C97-11D1-8271-00A02442DF7D (IEC 61158-6-10). The header must be a valid CL header: version 4, a
//! packet type 0-10, reserved flag bits clear and a known data representation; the UUID is read in the byte order
//! that representation announces. Reported as DCE/RPC carrying PROFINET_IO ("DCERPC.PROFINET_IO"), as nDPI does.

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    ProfinetIo = 371, "PROFINET_IO", IoTScada, udp [34964];
}

/// PROFINET_IO's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&ProfinetDissector),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// The connectionless header.
const HEADER: usize = 80;
/// The interface UUID's offset in it.
const INTERFACE: usize = 24;
const MAX_PTYPE: u8 = 10;
/// The PNIO interface UUID without its first field's low byte (1-4: device, controller, supervisor, parameter
/// server), as its last eight bytes (never swapped) and its second and third fields.
const PNIO_TAIL: [u8; 8] = [0x82, 0x71, 0x00, 0xa0, 0x24, 0x42, 0xdf, 0x7d];
const PNIO_TIME_MID: u16 = 0x6c97;
const PNIO_TIME_HI: u16 = 0x11d1;
const PNIO_TIME_LOW_BASE: u32 = 0xdea0_0000;

fn pnio(p: &[u8]) -> bool {
    if p.len() < HEADER
        || p[0] != 4
        || p[1] > MAX_PTYPE
        || p[3] & 0xfc != 0
        || p[4] & 0xee != 0
        || p[5] > 3
    {
        return false;
    }
    let little = p[4] & 0x10 != 0;
    let (low, mid, hi) = if little {
        (p.u32_le_at(INTERFACE), p.u16_le_at(INTERFACE + 4), p.u16_le_at(INTERFACE + 6))
    } else {
        (p.u32_at(INTERFACE), p.u16_at(INTERFACE + 4), p.u16_at(INTERFACE + 6))
    };
    let low_ok = low.is_some_and(|l| (PNIO_TIME_LOW_BASE + 1..=PNIO_TIME_LOW_BASE + 4).contains(&l));
    low_ok
        && mid == Some(PNIO_TIME_MID)
        && hi == Some(PNIO_TIME_HI)
        && p.get(INTERFACE + 8..INTERFACE + 16) == Some(&PNIO_TAIL[..])
}

struct ProfinetDissector;

impl Dissector for ProfinetDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        if pkt.l4 == L4::Udp && pnio(pkt.payload) {
            flow.set_app(Proto::ProfinetIo);
            Verdict::Yes(Proto::DceRpc)
        } else {
            Verdict::No
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    /// A connect request's CL header (request, little-endian) to the PNIO device interface, built from C706
    /// §12.5.1 with the UUIDs of IEC 61158-6-10; the NDR body is left out (not read).
    fn connect() -> Vec<u8> {
        let mut p = hex(
            "04 00 20 00 10 00 00 00 \
             00000000 0000 0000 0000 000000000000 \
             0100a0de 976c d111 8271 00a02442df7d \
             11111111 2222 3333 4444 555555555555 \
             00000000 00000001 00000000 0000 0000 0000 0000 0000 00 00",
        );
        p.resize(HEADER + 16, 0);
        p
    }

    #[test]
    fn pnio_connect_is_dcerpc_carrying_profinet() {
        let p = connect();
        let k = pkt(&p, L4::Udp, 49153, 34964);
        let mut h = Harness::new(&k);
        assert_eq!(h.probe(&ProfinetDissector, &k), Verdict::Yes(Proto::DceRpc));
        assert_eq!(h.class.app, Proto::ProfinetIo);
    }

    #[test]
    fn other_interfaces_and_headers() {
        let mut epm = connect();
        epm[24] = 0x08; // an interface that is not PNIO
        assert!(!pnio(&epm));
        let mut v5 = connect();
        v5[0] = 5;
        assert!(!pnio(&v5));
        let mut be = connect();
        be[4] = 0x00; // big-endian drep: the little-endian UUID no longer reads as PNIO
        assert!(!pnio(&be));
        assert!(!pnio(&connect()[..HEADER - 1]));
        for seed in 1..50 {
            assert!(!pnio(&noise(120, seed)));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..120)) {
            let _ = pnio(&p);
        }
    }
}
