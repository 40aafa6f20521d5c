//! CNP/IP, LonWorks' Control Network Protocol over IP (ISO/IEC 14908-4, EIA-852): a 20-byte common header whose
//! first field, the packet length, is the datagram's; version 1 in the low 5 bits of byte 3; a packet type below
//! 3 in byte 5 … and, as nDPI requires, a second packet of the flow carrying the same session id (bytes 8-11).

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    CnpIp = 422, "CNP-IP", IoTScada, udp [1628, 1629];
}

/// CNP-IP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&CnpIpDissector),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// Shortest packet nDPI accepts (the common header and one more byte).
const MIN_LEN: usize = 21;

/// The session id of a valid common header.
fn session(p: &[u8]) -> Option<u32> {
    let len = usize::from(p.u16_at(0)?);
    if p.len() < MIN_LEN || len != p.len() || p.u8_at(3)? & 0x1f != 1 || p.u8_at(5)? & 0x1f >= 3 {
        return None;
    }
    p.u32_at(8)
}

/// The first packet's session id.
struct Session(u32);

struct CnpIpDissector;

impl Dissector for CnpIpDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let Some(id) = session(pkt.payload) else {
            return Verdict::No;
        };
        if let Some(first) = flow.state::<Session>() {
            return if first.0 == id { Verdict::Yes(Proto::CnpIp) } else { Verdict::No };
        }
        if !flow.state_is_free() {
            return Verdict::No;
        }
        flow.set_state(Box::new(Session(id)));
        Verdict::NeedMore
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use crate::L4;

    /// A data packet (ISO/IEC 14908-4 §6.1): length 24, version 1, type 0, extended header size 0, vendor 0,
    /// session id 0x0000abcd, sequence, timestamp, then 4 bytes of tunnelled data.
    const DATA: &str = "0018 01 01 00 00 0000 0000abcd 00000001 00000000 01020304";

    #[test]
    fn two_packets_of_one_session() {
        let p = hex(DATA);
        let first = pkt(&p, L4::Udp, 1628, 1628);
        let mut h = Harness::new(&first);
        assert_eq!(h.probe(&CnpIpDissector, &first), Verdict::NeedMore);
        assert_eq!(h.probe(&CnpIpDissector, &first), Verdict::Yes(Proto::CnpIp));
        let mut other = p.clone();
        other[11] = 0xce;
        let mut h = Harness::new(&first);
        assert_eq!(h.probe(&CnpIpDissector, &first), Verdict::NeedMore);
        assert_eq!(h.probe(&CnpIpDissector, &pkt(&other, L4::Udp, 1628, 1628)), Verdict::No);
    }

    #[test]
    fn near_misses() {
        let p = hex(DATA);
        assert_eq!(session(&p[..20]), None);
        let mut v = p.clone();
        v[3] = 2;
        assert_eq!(session(&v), None);
        let mut l = p.clone();
        l[1] = 0x19;
        assert_eq!(session(&l), None);
        for seed in 1..100 {
            assert_eq!(session(&noise(40, seed)), None);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100)) {
            let k = pkt(&p, L4::Udp, 1, 1628);
            let mut h = Harness::new(&k);
            let _ = h.probe(&CnpIpDissector, &k);
            let _ = h.probe(&CnpIpDissector, &k);
        }
    }
}
