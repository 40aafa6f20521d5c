//! Ethernet Global Data, GE's PLC data exchange (GFK-2224): a 32-byte header — PDU type 13 and version 1 (`0d 01`),
//! request id, the producer id (by convention the producer's IPv4 address, which nDPI requires to be the packet's
//! source), exchange id, timestamp, a status below 31 and a reserved word of zero — then the data.

use std::net::IpAddr;

use crate::dissector::{Dir, Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::engine::Endpoints;
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Egd = 149, "EthernetGlobalData", IoTScada, udp [18246];
}

/// EthernetGlobalData's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&EgdDissector),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const START: u16 = 0x0d01;
const HEADER: usize = 32;
const PRODUCER: usize = 4;
const STATUS: usize = 24;
const MAX_STATUS: u32 = 31;
const RESERVED: usize = 28;

fn check(pkt: &Pkt, ep: &Endpoints) -> Verdict {
    let p = pkt.payload;
    let sender = match pkt.dir {
        Dir::ToServer => ep.client,
        Dir::ToClient => ep.server,
    };
    let IpAddr::V4(sender) = sender else {
        return Verdict::No;
    };
    if pkt.l4 == L4::Udp
        && p.len() > HEADER
        && p.u16_at(0) == Some(START)
        && p.get(PRODUCER..PRODUCER + 4) == Some(&sender.octets()[..])
        && p.u32_at(STATUS).is_some_and(|s| s < MAX_STATUS)
        && p.u32_at(RESERVED) == Some(0)
    {
        Verdict::Yes(Proto::Egd)
    } else {
        Verdict::No
    }
}

struct EgdDissector;

impl Dissector for EgdDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        check(pkt, flow.endpoints())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, pkt};

    fn ep() -> Endpoints {
        Endpoints { l4: 17, client: [10, 0, 0, 7].into(), server: [10, 0, 0, 255].into(), client_port: 18246, server_port: 18246 }
    }

    #[test]
    fn produced_exchange() {
        let p = hex("0d01 0001 0a000007 00000001 00000000 00000000 00000000 00000000 00000000 deadbeef");
        assert_eq!(check(&pkt(&p, L4::Udp, 18246, 18246), &ep()), Verdict::Yes(Proto::Egd));
        let mut other = p.clone();
        other[7] = 8; // another producer
        assert_eq!(check(&pkt(&other, L4::Udp, 18246, 18246), &ep()), Verdict::No);
        let mut status = p.clone();
        status[STATUS + 3] = 31;
        assert_eq!(check(&pkt(&status, L4::Udp, 18246, 18246), &ep()), Verdict::No);
        assert_eq!(check(&pkt(&p[..32], L4::Udp, 18246, 18246), &ep()), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60)) {
            let _ = check(&pkt(&p, L4::Udp, 1, 18246), &ep());
        }
    }
}
