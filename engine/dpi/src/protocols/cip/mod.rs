//! CIP implicit (I/O) messaging, EtherNet/IP's UDP 2222 traffic (ODVA CIP Networks Library vol. 2 §2-6): between
//! port 2222 on both ends, a Common Packet Format — a little-endian item count, then items of a known type (null
//! or sequenced address, connected data, …) with their lengths, tiling the datagram exactly. nDPI's rule (port
//! pair, item count below 256, items tiling a 12-63 byte datagram) with the item types checked.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Cip = 393, "CIP", IoTScada, udp [2222];
}

/// CIP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const PORT: u16 = 2222;
/// Item count (2) and one item header (4) and some data.
const MIN_LEN: usize = 12;
/// Items read at most (I/O packets carry two).
const MAX_ITEMS: u16 = 8;

/// CPF item types: null address, connected address, connected data, unconnected data, sockaddr info O→T/T→O,
/// sequenced address.
fn item_type(t: u16) -> bool {
    matches!(t, 0x0000 | 0x00a1 | 0x00b1 | 0x00b2 | 0x8000 | 0x8001 | 0x8002)
}

fn cpf(p: &[u8]) -> bool {
    let Some(count) = p.u16_le_at(0) else {
        return false;
    };
    if count == 0 || count > MAX_ITEMS {
        return false;
    }
    let mut at = 2;
    for _ in 0..count {
        let (Some(kind), Some(len)) = (p.u16_le_at(at), p.u16_le_at(at + 2)) else {
            return false;
        };
        if !item_type(kind) {
            return false;
        }
        at += 4 + usize::from(len);
    }
    at == p.len()
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 == L4::Udp
        && pkt.client_port == PORT
        && pkt.server_port == PORT
        && p.len() >= MIN_LEN
        && cpf(p)
    {
        Verdict::Yes(Proto::Cip)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    /// A class-1 I/O packet: two items — sequenced address (connection id, sequence) and connected data (a 16-bit
    /// sequence count and 4 bytes of run/idle header and data), laid out per vol. 2 Table 2-6.1.
    const IO: &str = "0200 0280 0800 01000000 2a000000 b100 0600 2a00 01000000";

    #[test]
    fn io_packet() {
        assert_eq!(detect(&pkt(&hex(IO), L4::Udp, 2222, 2222)), Verdict::Yes(Proto::Cip));
        assert_eq!(detect(&pkt(&hex(IO), L4::Udp, 40000, 2222)), Verdict::No);
        let mut long = hex(IO);
        long.push(0);
        assert_eq!(detect(&pkt(&long, L4::Udp, 2222, 2222)), Verdict::No);
        let mut kind = hex(IO);
        kind[2] = 0x03;
        assert_eq!(detect(&pkt(&kind, L4::Udp, 2222, 2222)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(30, seed), L4::Udp, 2222, 2222)), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            let _ = detect(&pkt(&p, L4::Udp, PORT, PORT));
        }
    }
}
