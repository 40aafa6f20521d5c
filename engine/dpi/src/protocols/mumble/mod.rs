//! MUMBLE (the Mumble voice chat's UDP ping, `docs/dev/network-protocol`): the client sends 12 bytes — a zero
//! request type and an 8-byte ident — and the server answers 24 bytes — version, the same ident, users, max users,
//! bandwidth. The control channel is TLS (named by TLS).

use crate::dissector::{Dir, Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Mumble = 387, "Mumble", VoIp;
}

/// MUMBLE's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&MumbleDissector),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const PING: usize = 12;
const PONG: usize = 24;

/// The ident of the client's ping, kept until the answer.
struct Ident(u64);

struct MumbleDissector;

impl Dissector for MumbleDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let p = pkt.payload;
        if pkt.l4 != L4::Udp {
            return Verdict::No;
        }
        match (pkt.dir, p.len()) {
            (Dir::ToServer, PING) if p.u32_at(0) == Some(0) => {
                // The first ping's ident is kept; the slot may hold another dissector's state.
                if flow.state::<Ident>().is_none() {
                    if !flow.state_is_free() {
                        return Verdict::No;
                    }
                    if let Some(ident) = p.u64_at(4) {
                        flow.set_state(Box::new(Ident(ident)));
                    }
                }
                Verdict::NeedMore
            }
            (Dir::ToClient, PONG) => match flow.state::<Ident>() {
                Some(Ident(ident)) if p.u64_at(4) == Some(*ident) => Verdict::Yes(Proto::Mumble),
                _ => Verdict::No,
            },
            _ => Verdict::No,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, noise, pkt_at};
    use proptest::prelude::*;

    const PING_HEX: &str = "00000000 0123456789abcdef";
    /// Version 1.4.0, the ident, 3 of 100 users, 558000 bit/s.
    const PONG_HEX: &str = "00010400 0123456789abcdef 00000003 00000064 000883b0";

    #[test]
    fn ping_then_matching_pong() {
        let ping = hex(PING_HEX);
        let a = pkt_at(&ping, L4::Udp, 40000, 64738, Dir::ToServer, [0, 0]);
        let mut h = Harness::new(&a);
        assert_eq!(h.probe(&MumbleDissector, &a), Verdict::NeedMore);
        let pong = hex(PONG_HEX);
        let b = pkt_at(&pong, L4::Udp, 40000, 64738, Dir::ToClient, [1, 0]);
        assert_eq!(h.probe(&MumbleDissector, &b), Verdict::Yes(Proto::Mumble));
    }

    #[test]
    fn other_ident_or_no_ping() {
        let ping = hex(PING_HEX);
        let a = pkt_at(&ping, L4::Udp, 40000, 64738, Dir::ToServer, [0, 0]);
        let mut h = Harness::new(&a);
        let _ = h.probe(&MumbleDissector, &a);
        let mut pong = hex(PONG_HEX);
        pong[11] ^= 1;
        let b = pkt_at(&pong, L4::Udp, 40000, 64738, Dir::ToClient, [1, 0]);
        assert_eq!(h.probe(&MumbleDissector, &b), Verdict::No);
        let pong = hex(PONG_HEX);
        let lone = pkt_at(&pong, L4::Udp, 40000, 64738, Dir::ToClient, [0, 0]);
        assert_eq!(Harness::new(&lone).probe(&MumbleDissector, &lone), Verdict::No);
        for seed in 1..100 {
            let n = noise(12, seed);
            let c = pkt_at(&n, L4::Udp, 1, 2, Dir::ToServer, [0, 0]);
            assert_eq!(Harness::new(&c).probe(&MumbleDissector, &c), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(a in proptest::collection::vec(any::<u8>(), 1..40), b in proptest::collection::vec(any::<u8>(), 1..40)) {
            let x = pkt_at(&a, L4::Udp, 1, 2, Dir::ToServer, [0, 0]);
            let mut h = Harness::new(&x);
            let _ = h.probe(&MumbleDissector, &x);
            let y = pkt_at(&b, L4::Udp, 1, 2, Dir::ToClient, [1, 0]);
            let _ = h.probe(&MumbleDissector, &y);
        }
    }
}
