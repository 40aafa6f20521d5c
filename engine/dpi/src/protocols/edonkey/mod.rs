//! eDonkey / eMule / Kademlia (the eDonkey2000 protocol as documented by the eMule project and libprotoident):
//!
//! - TCP: a 5-byte header — protocol byte (0xE3 eDonkey, 0xC5 eMule extensions, 0xD4 zlib-packed) and a
//!   little-endian length counting the opcode and body — whose length ends exactly at the packet end or at the
//!   next message's protocol byte.
//! - UDP: the same protocol bytes plus Kademlia (0xE4, 0xE5 packed), then an opcode whose message has a known size.
//!
//! As in nDPI, a flow is named only once both directions spoke eDonkey: one side alone is too weak a signal.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;
use crate::protocols::util::{seen_other, total_seen};
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    EDonkey = 36, "eDonkey", Download;
}

/// eDonkey's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const EDONKEY: u8 = 0xe3;
const EMULE: u8 = 0xc5;
const PACKED: u8 = 0xd4;
const KAD: u8 = 0xe4;
const KAD_PACKED: u8 = 0xe5;
/// Largest TCP message accepted (eMule sends file data in parts of at most 10 KiB; packed lists stay far below).
const MAX_MESSAGE: usize = 2 << 20;
/// Packets after which a flow that has not answered in eDonkey is given up (nDPI's limit).
const MAX_PACKETS: u32 = 5;

fn detect(pkt: &Pkt) -> Verdict {
    if total_seen(pkt) >= MAX_PACKETS {
        return Verdict::No;
    }
    let ok = match pkt.l4 {
        L4::Tcp => tcp_message(pkt.payload),
        L4::Udp => udp_message(pkt.payload),
    };
    match (ok, seen_other(pkt)) {
        (false, _) => Verdict::No,
        // Every earlier packet passed too (a failing one ends the trial): the other side spoke eDonkey.
        (true, n) if n > 0 => Verdict::Yes(Proto::EDonkey),
        (true, _) => Verdict::NeedMore,
    }
}

fn tcp_message(p: &[u8]) -> bool {
    let (Some(proto), Some(len), Some(_opcode)) = (p.u8_at(0), p.u32_le_at(1), p.u8_at(5)) else {
        return false;
    };
    let Ok(len) = usize::try_from(len) else {
        return false;
    };
    if !matches!(proto, EDONKEY | EMULE | PACKED) || len == 0 || len > MAX_MESSAGE {
        return false;
    }
    // The message may continue in later segments; when it ends here, the next one must start right after it.
    match p.get(5 + len..) {
        None => true,
        Some([]) => true,
        Some(next) => matches!(next[0], EDONKEY | EMULE | PACKED),
    }
}

/// UDP messages with the sizes the protocol gives them (client-server UDP, eMule extended, Kademlia 1 and 2).
fn udp_message(p: &[u8]) -> bool {
    let (Some(proto), Some(op)) = (p.u8_at(0), p.u8_at(1)) else {
        return false;
    };
    let n = p.len();
    match (proto, op) {
        // Server status request/answer, search, get sources, server info.
        (EDONKEY, 0x96) | (EDONKEY, 0xa2) => n == 6,
        (EDONKEY, 0x97) => n <= 34 && (n - 2).is_multiple_of(4),
        (EDONKEY, 0x92 | 0x94 | 0x98 | 0x99 | 0x9a | 0x9b | 0xa3) => n > 2,
        // eMule reask / reask answer / queue full / file not found / port test.
        (EMULE, 0x90 | 0x91) => n > 2,
        (EMULE, 0x92 | 0x93) => n == 2,
        (EMULE, 0x94) => (38..=70).contains(&n),
        // Kademlia: bootstrap, hello, requests and responses with their fixed sizes.
        (KAD, 0x00) => n == 27,
        (KAD, 0x01) => n == 18,
        (KAD, 0x08) => n == 529,
        (KAD, 0x09) => n == 523,
        (KAD, 0x10 | 0x18) => n == 27,
        (KAD, 0x11) => n > 2,
        (KAD, 0x19) => matches!(n, 22 | 28 | 38),
        (KAD, 0x20 | 0x21) => n == 35,
        (KAD, 0x28) => matches!(n, 44 | 69 | 119 | 269 | 294),
        (KAD, 0x29) => matches!(n, 69 | 119 | 294),
        (KAD, 0x40) => n == 48,
        (KAD, 0x43) => n == 225,
        (KAD, 0x48 | 0x4b) => n == 19,
        (KAD, 0x50) => n == 4,
        (KAD, 0x52) => n == 36,
        (KAD, 0x58) => n == 6,
        // Packed Kademlia: zlib streams start with 0x78 0xda.
        (KAD_PACKED, 0x08 | 0x28) => p.u16_at(2) == Some(0x78da),
        (KAD_PACKED, 0x43) => n > 2,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{HTTP_GET, TLS_HELLO};
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};
    use crate::Dir;
    use proptest::prelude::*;

    // An eDonkey client hello (opcode 0x01) built from the eMule protocol guide: hash length 16, user hash,
    // client id, port, tag count 0, server address and port; length 0x22 counts the opcode and the body.
    const HELLO: &str = "e3 22000000 01 10 00112233445566778899aabbccddeeff 0a000001 3612 00000000 0a000002 3612";
    // The answer (opcode 0x4c) with the same layout minus the hash-length byte.
    const ANSWER: &str = "e3 21000000 4c 00112233445566778899aabbccddeeff 0a000002 3612 00000000 0a000001 3612";

    #[test]
    fn both_directions_name_the_flow() {
        let h = hex(HELLO);
        assert_eq!(detect(&pkt(&h, L4::Tcp, 40000, 4662)), Verdict::NeedMore);
        let a = hex(ANSWER);
        let reply = pkt_at(&a, L4::Tcp, 40000, 4662, Dir::ToClient, [1, 0]);
        assert_eq!(detect(&reply), Verdict::Yes(Proto::EDonkey));
    }

    #[test]
    fn kad_over_udp() {
        let mut req = hex("e4 21");
        req.resize(35, 0x11);
        assert_eq!(detect(&pkt(&req, L4::Udp, 4672, 4672)), Verdict::NeedMore);
        let back = pkt_at(&req, L4::Udp, 4672, 4672, Dir::ToClient, [1, 0]);
        assert_eq!(detect(&back), Verdict::Yes(Proto::EDonkey));
        req.push(0);
        assert_eq!(detect(&pkt(&req, L4::Udp, 4672, 4672)), Verdict::No);
    }

    #[test]
    fn near_misses_and_others() {
        let mut h = hex(HELLO);
        h.push(0x42);
        assert_eq!(detect(&pkt(&h, L4::Tcp, 40000, 4662)), Verdict::No, "trailing junk");
        for p in [HTTP_GET, TLS_HELLO] {
            assert_eq!(detect(&pkt(p, L4::Tcp, 40000, 4662)), Verdict::No);
        }
        let mut yes = 0;
        for seed in 1..500 {
            if detect(&pkt(&noise(80, seed), L4::Udp, 1, 2)) != Verdict::No {
                yes += 1;
            }
        }
        assert_eq!(yes, 0);
    }

    #[test]
    fn segmented_message_waits() {
        let h = hex(HELLO);
        for n in 6..h.len() {
            assert_eq!(detect(&pkt(&h[..n], L4::Tcp, 40000, 4662)), Verdict::NeedMore, "{n}");
        }
        assert_eq!(detect(&pkt(&h[..5], L4::Tcp, 40000, 4662)), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..600), udp in any::<bool>()) {
            let _ = detect(&pkt(&p, if udp { L4::Udp } else { L4::Tcp }, 1, 2));
        }
    }
}
