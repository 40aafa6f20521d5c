//! Omron FINS (the CS/CJ "FINS Commands" reference manual W342, and W421 for FINS/TCP): over TCP, the 16-byte
//! FINS/TCP header starts with `FINS`, a length counting what follows it and a command 0-3 (node address
//! request/response, frame send, frame send error); over UDP, the bare 10-byte FINS header — ICF 0x80/0xc0/0xc1,
//! reserved 0, gateway count 2, network addresses below 0x80 and unit addresses among those a CPU or CPU bus unit
//! uses. nDPI's rules, with the TCP length and command added.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Fins = 362, "FINS", IoTScada, tcp [9600], udp [9600];
}

/// FINS's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// FINS/TCP header: magic, length, command, error code.
const TCP_HEADER: usize = 16;
/// The part of the FINS/TCP header its length field does not count.
const TCP_UNCOUNTED: usize = 8;
const MAX_TCP_COMMAND: u32 = 3;
/// The FINS header.
const HEADER: usize = 10;

/// A CPU unit (0), the local node (0xfe), an inner board (0xe1) or a CPU bus unit (0x10-0x1f).
fn unit(u: u8) -> bool {
    matches!(u, 0x00 | 0xfe | 0xe1 | 0x10..=0x1f)
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = match pkt.l4 {
        L4::Tcp => {
            p.len() >= TCP_HEADER
                && p.starts_with(b"FINS")
                && p.u32_at(4).and_then(|l| usize::try_from(l).ok()).is_some_and(|l| l >= TCP_UNCOUNTED)
                && p.u32_at(8).is_some_and(|c| c <= MAX_TCP_COMMAND)
        }
        L4::Udp => {
            p.len() > HEADER
                && matches!(p[0], 0x80 | 0xc0 | 0xc1)
                && p[1] == 0
                && p[2] == 0x02
                && p[3] < 0x80
                && p[6] < 0x80
                && unit(p[5])
                && unit(p[8])
        }
    };
    if ok {
        Verdict::Yes(Proto::Fins)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn tcp_node_address_and_udp_memory_read() {
        // FINS/TCP node address data send (client): length 12, command 0, error 0, client node 0 (auto).
        let tcp = hex("46494e53 0000000c 00000000 00000000 00000000");
        assert_eq!(detect(&pkt(&tcp, L4::Tcp, 40000, 9600)), Verdict::Yes(Proto::Fins));
        // Memory area read (0101) of DM 100, 1 word (W342 §5-3-2).
        let udp = hex("80 00 02 00 01 00 00 0a 00 01 0101 82 006400 0001");
        assert_eq!(detect(&pkt(&udp, L4::Udp, 9600, 9600)), Verdict::Yes(Proto::Fins));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&pkt(&hex("46494e53 0000000c 00000009 00000000"), L4::Tcp, 1, 9600)), Verdict::No);
        assert_eq!(detect(&pkt(&hex("80 00 03 00 01 00 00 0a 00 01 0101"), L4::Udp, 1, 9600)), Verdict::No);
        assert_eq!(detect(&pkt(&hex("80 00 02 00 01 05 00 0a 00 01 0101"), L4::Udp, 1, 9600)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(30, seed), L4::Udp, 1, 9600)), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 9600));
            let _ = detect(&pkt(&p, L4::Udp, 1, 9600));
        }
    }
}
