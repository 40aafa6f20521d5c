//! Lustre's network layer, LNet over TCP (Lustre's `lnet/include/uapi/linux/lnet/socklnd.h`; nDPI's lustre.c):
//! the socklnd hello opens with the LNet magic (`0x45726963` "Eric", or the protocol-v3 `0xacce7100`) followed by
//! the destination NID whose address half is the receiver's IPv4 address; a message mid-stream (type 0xc1, the
//! KSOCK_MSG_LNET) carries the same destination NID at byte 24 and an LNet payload length equal to the rest of the
//! packet after its 96-byte header. LNet is IPv4-only.

use std::net::IpAddr;

use crate::dissector::{Dir, Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::engine::Endpoints;
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Lustre = 425, "Lustre", DataTransfer, tcp [988];
}

/// Lustre's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&LustreDissector),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const MAGICS: [u32; 2] = [0x4572_6963, 0xacce_7100];
/// Hello: magic (4), version (4), then the destination NID's address (little-endian).
const HELLO_NID: usize = 8;
/// The LNet message type of a data-carrying socklnd message.
const KSOCK_MSG_LNET: u32 = 0xc1;
/// Its destination NID address and payload length, and the header the length leaves out.
const MSG_NID: usize = 24;
const MSG_PAYLOAD_LEN: usize = 52;
const MSG_HEADER: usize = 96;

fn check(pkt: &Pkt, ep: &Endpoints) -> Verdict {
    let p = pkt.payload;
    let receiver = match pkt.dir {
        Dir::ToServer => ep.server,
        Dir::ToClient => ep.client,
    };
    let IpAddr::V4(receiver) = receiver else {
        return Verdict::No;
    };
    let receiver = u32::from(receiver);
    if pkt.l4 != L4::Tcp {
        return Verdict::No;
    }
    let hello = p.len() >= 16
        && p.u32_le_at(0).is_some_and(|m| MAGICS.contains(&m))
        && p.u32_le_at(HELLO_NID) == Some(receiver);
    let message = p.len() >= MSG_HEADER
        && p.u32_le_at(0) == Some(KSOCK_MSG_LNET)
        && p.u32_le_at(MSG_NID) == Some(receiver)
        && p.u32_le_at(MSG_PAYLOAD_LEN).and_then(|l| usize::try_from(l).ok())
            == Some(p.len() - MSG_HEADER);
    if hello || message {
        Verdict::Yes(Proto::Lustre)
    } else {
        Verdict::No
    }
}

struct LustreDissector;

impl Dissector for LustreDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        check(pkt, flow.endpoints())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    fn ep() -> Endpoints {
        Endpoints {
            l4: 6,
            client: [192, 168, 1, 10].into(),
            server: [192, 168, 1, 20].into(),
            client_port: 1023,
            server_port: 988,
        }
    }

    #[test]
    fn hello_names_the_receiver() {
        // socklnd v3 hello: magic, version 3, destination NID 192.168.1.20@tcp (address little-endian, net type
        // 2 in the high half), source NID, then the rest of the hello.
        let p = hex("0071ceac 03000000 1401a8c0 00000200 0a01a8c0 00000200 00000000 00000000");
        assert_eq!(check(&pkt(&p, L4::Tcp, 1023, 988), &ep()), Verdict::Yes(Proto::Lustre));
        // The same hello to somebody else.
        let other = hex("0071ceac 03000000 1501a8c0 00000200 0a01a8c0 00000200 00000000 00000000");
        assert_eq!(check(&pkt(&other, L4::Tcp, 1023, 988), &ep()), Verdict::No);
    }

    #[test]
    fn lnet_message_mid_stream() {
        let mut p = vec![0u8; MSG_HEADER + 10];
        p[0] = 0xc1;
        p[MSG_NID..MSG_NID + 4].copy_from_slice(&hex("1401a8c0"));
        p[MSG_PAYLOAD_LEN] = 10;
        assert_eq!(check(&pkt(&p, L4::Tcp, 1023, 988), &ep()), Verdict::Yes(Proto::Lustre));
        p.push(0);
        assert_eq!(check(&pkt(&p, L4::Tcp, 1023, 988), &ep()), Verdict::No);
    }

    #[test]
    fn noise_is_not_lustre() {
        for seed in 1..50 {
            assert_eq!(check(&pkt(&noise(120, seed), L4::Tcp, 1, 988), &ep()), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = check(&pkt(&p, L4::Tcp, 1, 988), &ep());
        }
    }
}
