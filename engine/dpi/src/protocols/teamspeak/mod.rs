//! TeamSpeak: TeamSpeak 3's UDP handshake packets carry the literal MAC `TS3INIT1`, packet id 101 and the init
//! type 0x88 (client → server after a 2-byte client id, server → client right after the packet id); TeamSpeak 2
//! packets open with the class/type words f4be 01|02|03 00 (login, reply, keep-alive) over TCP and UDP.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    TeamSpeak = 162, "TeamSpeak", VoIp;
}

/// TeamSpeak's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const TS3_MAC: &[u8] = b"TS3INIT1";
/// Packet id of every init packet.
const INIT_ID: u16 = 0x0065;
/// Packet type byte of init packets: type 8 with the "unencrypted" flag.
const INIT_TYPE: u8 = 0x88;
/// Shortest TeamSpeak 2 packet nDPI accepts.
const TS2_MIN: usize = 20;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    // The type follows the client id in client packets, the packet id in server ones; either side may be the
    // flow's opener in a capture, so both places are accepted.
    let ts3 = p.starts_with(TS3_MAC)
        && p.u16_at(8) == Some(INIT_ID)
        && (p.u8_at(12) == Some(INIT_TYPE) || p.u8_at(10) == Some(INIT_TYPE));
    let ts2 = p.len() >= TS2_MIN
        && p.u16_at(0) == Some(0xf4be)
        && matches!(p.u16_at(2), Some(0x0100 | 0x0200 | 0x0300));
    if ts3 || ts2 {
        Verdict::Yes(Proto::TeamSpeak)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{HTTP_GET, TLS_HELLO};
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};
    use crate::{Dir, L4};
    use proptest::prelude::*;

    #[test]
    fn ts3_init_both_ways() {
        // Client init step 0 (TS3 protocol notes: MAC, id 101, client id 0, type 0x88, version, step 0, …).
        let mut c = b"TS3INIT1".to_vec();
        c.extend_from_slice(&hex("0065 0000 88 0c3f5f1f 00 5f1f3f0c 0000000000000000"));
        assert_eq!(detect(&pkt(&c, L4::Udp, 40000, 9987)), Verdict::Yes(Proto::TeamSpeak));
        let mut s = b"TS3INIT1".to_vec();
        s.extend_from_slice(&hex("0065 88 01 0000000000000000000000000000000000"));
        let reply = pkt_at(&s, L4::Udp, 40000, 9987, Dir::ToClient, [1, 0]);
        assert_eq!(detect(&reply), Verdict::Yes(Proto::TeamSpeak));
        let mut t = b"TS3INIT1".to_vec();
        t.extend_from_slice(&hex("0065 0000 01 0000000000000000"));
        assert_eq!(detect(&pkt(&t, L4::Udp, 40000, 9987)), Verdict::No, "not an init packet");
    }

    #[test]
    fn ts2_login() {
        let mut p = hex("f4be0300 00000000 00000000 01000000");
        p.resize(180, 0x20);
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 8767)), Verdict::Yes(Proto::TeamSpeak));
        assert_eq!(detect(&pkt(&p[..16], L4::Udp, 40000, 8767)), Verdict::No);
    }

    #[test]
    fn others() {
        for p in [HTTP_GET, TLS_HELLO, b"TS3INIT1".as_slice()] {
            assert_eq!(detect(&pkt(p, L4::Udp, 1, 2)), Verdict::No);
        }
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Udp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..100), udp in any::<bool>()) {
            let _ = detect(&pkt(&p, if udp { L4::Udp } else { L4::Tcp }, 1, 2));
        }
    }
}
