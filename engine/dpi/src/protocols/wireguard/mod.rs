//! WireGuard: message type 1..=4 followed by three zero bytes, with the exact handshake lengths (initiation 148,
//! response 92, cookie reply 64). Transport data (type 4, 16-byte aligned, ≥ 32) needs a second such packet.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    WireGuard = 206, "WireGuard", Vpn, udp [51820];
}

/// WireGuard's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp || p.get(1..4) != Some(&[0, 0, 0][..]) {
        return Verdict::No;
    }
    let nonzero_index = p.get(4..8).is_some_and(|i| i.iter().any(|&b| b != 0));
    match (p.u8_at(0), p.len()) {
        (Some(1), 148) | (Some(2), 92) | (Some(3), 64) if nonzero_index => {
            Verdict::Yes(Proto::WireGuard)
        }
        (Some(4), n) if n >= 32 && n % 16 == 0 && nonzero_index => {
            if crate::protocols::util::total_seen(pkt) >= 1 {
                Verdict::Yes(Proto::WireGuard)
            } else {
                Verdict::NeedMore
            }
        }
        _ => Verdict::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};

    #[test]
    fn handshake_initiation() {
        let mut p = hex("01000000d837d0305fcec7c8e5c8e2e3f7989eef60c228d82329d602b6b1e2bb9d068f89cf9d4d4532780f6d27");
        p.resize(148, 0x5a);
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 43462, 51820)),
            Verdict::Yes(Proto::WireGuard)
        );
    }

    #[test]
    fn transport_needs_two() {
        let mut p = hex("040000001576497913000000000000003bc85395c81aa144b19f96e639fb04b8");
        p.resize(96, 0x11);
        assert_eq!(detect(&pkt(&p, L4::Udp, 22595, 5060)), Verdict::NeedMore);
        let second = pkt_at(&p, L4::Udp, 22595, 5060, Dir::ToClient, [1, 0]);
        assert_eq!(detect(&second), Verdict::Yes(Proto::WireGuard));
    }

    #[test]
    fn negatives() {
        let mut p = vec![1, 0, 0, 0, 1, 2, 3, 4];
        p.resize(149, 0);
        assert_eq!(detect(&pkt(&p, L4::Udp, 1, 51820)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(
                detect(&pkt(&noise(148, seed), L4::Udp, 1, 51820)),
                Verdict::No
            );
        }
    }
}
