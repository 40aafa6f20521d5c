//! OpenVPN: the client's first packet is a hard reset (P_CONTROL_HARD_RESET_CLIENT_V1/V2/V3, key id 0) of a
//! length the control channel allows; the server's first answer is P_CONTROL_HARD_RESET_SERVER_V1/V2. Over TCP a
//! 2-byte packet length comes first. On port 1194 the client reset suffices; elsewhere the server reset confirms.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    OpenVpn = 159, "OpenVPN", Vpn, tcp [1194], udp [1194];
}

/// OpenVPN's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const CLIENT_V1: u8 = 1 << 3;
const CLIENT_V2: u8 = 7 << 3;
const CLIENT_V3: u8 = 10 << 3;
const SERVER_V1: u8 = 2 << 3;
const SERVER_V2: u8 = 8 << 3;
const CONTROL_V1: u8 = 4 << 3;
const ACK_V1: u8 = 5 << 3;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let msg = match pkt.l4 {
        L4::Udp => p,
        L4::Tcp => match p.u16_at(0) {
            Some(l) if usize::from(l) + 2 == p.len() => &p[2..],
            _ => return Verdict::No,
        },
    };
    let Some(op) = msg.u8_at(0) else {
        return Verdict::No;
    };
    match pkt.dir {
        Dir::ToServer if pkt.seen[1] == 0 && (pkt.seen[0] == 0 || client_reset(op, msg)) => {
            if !client_reset(op, msg) {
                Verdict::No
            } else if pkt.either_port(1194) {
                Verdict::Yes(Proto::OpenVpn)
            } else {
                Verdict::NeedMore
            }
        }
        // Server reply not captured: the client goes on with P_ACK_V1 / P_CONTROL_V1 on key 0.
        Dir::ToServer if pkt.seen[0] > 0 => {
            let session_ok = msg.get(1..9).is_some_and(|s| s.iter().any(|&b| b != 0));
            if matches!(op, ACK_V1 | CONTROL_V1) && session_ok && msg.len() >= 14 {
                Verdict::Yes(Proto::OpenVpn)
            } else {
                Verdict::No
            }
        }
        Dir::ToClient if pkt.seen[1] == 0 && pkt.seen[0] > 0 => {
            let session_ok = msg.get(1..9).is_some_and(|s| s.iter().any(|&b| b != 0));
            if matches!(op, SERVER_V1 | SERVER_V2) && session_ok && msg.len() >= 14 {
                Verdict::Yes(Proto::OpenVpn)
            } else {
                Verdict::No
            }
        }
        _ => Verdict::No,
    }
}

/// Opcode, 8-byte session id, then optional HMAC + replay packet id/time, ack array, message packet id.
fn client_reset(op: u8, m: &[u8]) -> bool {
    if !matches!(op, CLIENT_V1 | CLIENT_V2 | CLIENT_V3)
        || m.get(1..9).is_none_or(|s| s.iter().all(|&b| b == 0))
    {
        return false;
    }
    // tls-auth: HMAC, replay packet id and time, then an empty ack array and message packet id 0 end the packet.
    let tail_zero = m.len() >= 5 && m[m.len() - 5..].iter().all(|&b| b == 0);
    // tls-crypt: replay packet id (small) and a plausible Unix time (2010..2038) right after the session id.
    let crypt_head = m.u32_at(9).is_some_and(|id| id < 0x100)
        && m.u32_at(13)
            .is_some_and(|t| (0x4b00_0000..0x8000_0000).contains(&t));
    match m.len() {
        // No HMAC: empty ack array, message packet id 0.
        14 => tail_zero,
        // tls-auth with MD5/SHA1/SHA256/SHA512 HMAC.
        38 | 42 | 54 | 86 if tail_zero => true,
        54 => crypt_head,
        // tls-crypt-v2 carries the wrapped client key.
        n => {
            op == CLIENT_V3
                && (100..=1200).contains(&n)
                && m.u32_at(13)
                    .is_some_and(|t| (0x4b00_0000..0x8000_0000).contains(&t))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};

    #[test]
    fn udp_reset_exchange_on_443() {
        let c = hex("38334857703d96db390000000000");
        assert_eq!(detect(&pkt(&c, L4::Udp, 60201, 443)), Verdict::NeedMore);
        assert_eq!(
            detect(&pkt(&c, L4::Udp, 60201, 1194)),
            Verdict::Yes(Proto::OpenVpn)
        );
        let s = hex("40aabbccddeeff00110100000000334857703d96db3900000000");
        let p = pkt_at(&s, L4::Udp, 60201, 443, Dir::ToClient, [1, 0]);
        assert_eq!(detect(&p), Verdict::Yes(Proto::OpenVpn));
    }

    #[test]
    fn tcp_tls_auth_reset() {
        let c = hex("002a38d67be45be5c201eb016435fcb1d6f60e1ac88b329546dc3c7abf0b9e000000015e3e7b980000000000");
        assert_eq!(
            detect(&pkt(&c, L4::Tcp, 52973, 1194)),
            Verdict::Yes(Proto::OpenVpn)
        );
    }

    #[test]
    fn negatives() {
        for seed in 1..300 {
            let n = noise(42, seed);
            assert_eq!(detect(&pkt(&n, L4::Udp, 5000, 1194)), Verdict::No);
        }
        let s = hex("40aabbccddeeff00110100000000334857703d96db3900000000");
        assert_eq!(detect(&pkt(&s, L4::Udp, 5000, 1194)), Verdict::No);
    }
}
