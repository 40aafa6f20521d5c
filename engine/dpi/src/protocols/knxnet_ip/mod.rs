//! KNXnet/IP, building automation over IP (KNX Standard 3.8.2): a 6-byte header — header length 6, protocol
//! version 0x10, a service type from the families the standard defines (core, device management, tunnelling,
//! routing, remote diagnosis and configuration, security) and a total length equal to the datagram. Over TCP a
//! segment may hold several frames: the total length then points at the next header. nDPI's rules.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    KnxNetIp = 410, "KNXnet_IP", IoTScada, tcp [3671], udp [3671];
}

/// KNXnet_IP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// Header length and protocol version 1.0, as the first two bytes.
const HEADER_START: u16 = 0x0610;
/// The shortest frame nDPI accepts.
const MIN_LEN: usize = 10;

fn service(id: u16) -> bool {
    let code = id & 0xff;
    match id >> 8 {
        0x02 => (0x01..0x0d).contains(&code),
        0x03 => (0x10..=0x11).contains(&code),
        0x04 => (0x20..=0x25).contains(&code),
        0x05 => (0x30..=0x33).contains(&code),
        0x07 => (0x40..=0x43).contains(&code),
        0x09 => (0x50..=0x55).contains(&code),
        _ => false,
    }
}

fn header(p: &[u8]) -> Option<usize> {
    (p.u16_at(0)? == HEADER_START && service(p.u16_at(2)?)).then_some(usize::from(p.u16_at(4)?))
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.len() < MIN_LEN {
        return Verdict::No;
    }
    let ok = header(p).is_some_and(|total| {
        total == p.len()
            || (pkt.l4 == L4::Tcp && total + MIN_LEN <= p.len() && header(&p[total..]).is_some())
    });
    if ok {
        Verdict::Yes(Proto::KnxNetIp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    /// SEARCH_REQUEST (0x0201) with its discovery endpoint HPAI (UDP, 192.168.1.5:3671), KNX 3.8.2 §7.8.
    const SEARCH: &str = "0610 0201 000e 08 01 c0a80105 0e57";

    #[test]
    fn search_request() {
        assert_eq!(detect(&pkt(&hex(SEARCH), L4::Udp, 3671, 3671)), Verdict::Yes(Proto::KnxNetIp));
        let mut two = hex(SEARCH);
        two.extend_from_slice(&hex(SEARCH));
        assert_eq!(detect(&pkt(&two, L4::Tcp, 40000, 3671)), Verdict::Yes(Proto::KnxNetIp));
        assert_eq!(detect(&pkt(&two, L4::Udp, 40000, 3671)), Verdict::No);
    }

    #[test]
    fn near_misses() {
        for bad in ["0610 0210 000e 08 01 c0a80105 0e57", "0611 0201 000e 08 01 c0a80105 0e57", "0610 0201 000f 08 01 c0a80105 0e57"] {
            assert_eq!(detect(&pkt(&hex(bad), L4::Udp, 1, 3671)), Verdict::No, "{bad}");
        }
        assert_eq!(detect(&pkt(&noise(20, 1), L4::Udp, 1, 3671)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 3671));
        }
    }
}
