//! NoMachine's NX protocol, as nDPI reads it: over TCP the session opens with a short text handshake — the
//! client's `NXSH-<version>` and the server's `NXD-<version>` (a TLS handshake follows); over UDP (multimedia)
//! a datagram carries little-endian 1 at offset 2, its own length at offset 4 and zero at offset 8.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    NoMachine = 378, "NoMachine", RemoteAccess, tcp [4000], udp [4000];
}

/// NoMachine's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// The handshake lines' lengths (nDPI: 11–14 bytes).
const HANDSHAKE: std::ops::RangeInclusive<usize> = 11..=14;
/// Shortest UDP datagram (a keep-alive).
const MIN_UDP: usize = 10;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = match pkt.l4 {
        L4::Tcp => {
            HANDSHAKE.contains(&p.len())
                && (p.starts_with(b"NXSH-") || p.starts_with(b"NXD-"))
                && p.iter().all(|&b| b.is_ascii_graphic() || b == b'\n' || b == b'\r' || b == b' ')
        }
        L4::Udp => {
            p.len() >= MIN_UDP
                && p.u16_le_at(2) == Some(1)
                && p.u16_le_at(4).is_some_and(|l| usize::from(l) == p.len())
                && p.u16_at(8) == Some(0)
        }
    };
    if ok {
        Verdict::Yes(Proto::NoMachine)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};
    use proptest::prelude::*;

    #[test]
    fn handshake_and_datagram() {
        assert_eq!(detect(&pkt(b"NXSH-8.10.1\n", L4::Tcp, 40000, 4000)), Verdict::Yes(Proto::NoMachine));
        assert_eq!(detect(&pkt(b"NXD-8.10.1\n", L4::Tcp, 4000, 40000)), Verdict::Yes(Proto::NoMachine));
        let mut d = vec![0x12, 0x34, 0x01, 0x00, 0x10, 0x00, 0xaa, 0xbb, 0x00, 0x00];
        d.resize(16, 0x55);
        assert_eq!(detect(&pkt(&d, L4::Udp, 40000, 4000)), Verdict::Yes(Proto::NoMachine));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&pkt(b"NXSH-8.10.1 and more text\n", L4::Tcp, 1, 4000)), Verdict::No);
        assert_eq!(detect(&pkt(b"SSH-2.0-x\r\n", L4::Tcp, 1, 4000)), Verdict::No);
        let mut d = vec![0x12, 0x34, 0x01, 0x00, 0x11, 0x00, 0xaa, 0xbb, 0x00, 0x00];
        d.resize(16, 0x55);
        assert_eq!(detect(&pkt(&d, L4::Udp, 1, 4000)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(30, seed), L4::Udp, 1, 4000)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..40), udp in any::<bool>()) {
            let _ = detect(&pkt(&p, if udp { L4::Udp } else { L4::Tcp }, 1, 4000));
        }
    }
}
