//! LineCall (LINE's voice and video calls; pattern from nDPI's `line.c`): before the RTP stream starts, each side
//! sends UDP packets whose fourth byte counts up by one. Four such packets per direction, the two sides counting
//! from different bases, name the flow; RTP/RTCP packets in between are skipped (as nDPI does, for a while). nDPI's
//! other rules need LINE's server addresses, which xntop does not carry.

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::total_seen;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    LineCall = 316, "LineCall", VoIp;
}

/// LineCall's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&LineCallDissector),
    runs_on: Transport::Udp,
    // After the dissectors that recognise an opening: this one only counts, and keeps state from the first packet.
    order: Order::Last,
    risks: &[],
};

/// Counted packets needed per direction.
const NEEDED: u8 = 4;
/// Shortest counted packet.
const MIN_LEN: usize = 11;
/// RTP/RTCP packets are skipped only this early in the flow.
const RTP_SKIP_UNTIL: u32 = 10;

/// Per direction: the first counter value and the packets counted so far.
#[derive(Default)]
struct Counters {
    base: [u8; 2],
    count: [u8; 2],
}

struct LineCallDissector;

impl Dissector for LineCallDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let p = pkt.payload;
        if p.len() < MIN_LEN {
            return Verdict::No;
        }
        let d = pkt.dir as usize;
        if flow.state::<Counters>().is_none() {
            // Another dissector keeps its state in the flow's one slot: leave it the flow.
            if !flow.state_is_free() {
                return Verdict::No;
            }
            flow.set_state(Box::<Counters>::default());
        }
        let Some(c) = flow.state::<Counters>() else {
            return Verdict::No;
        };
        if c.count[d] == 0 {
            c.base[d] = p[3];
            c.count[d] = 1;
            return Verdict::NeedMore;
        }
        if rtp_or_rtcp(p) {
            return if total_seen(pkt) < RTP_SKIP_UNTIL {
                Verdict::NeedMore
            } else {
                Verdict::No
            };
        }
        if c.base[d].wrapping_add(c.count[d]) != p[3] {
            return Verdict::No;
        }
        c.count[d] += 1;
        if c.count[0] >= NEEDED && c.count[1] >= NEEDED {
            // Both sides counting from the same base looks like something else echoing.
            return if c.base[0] != c.base[1] {
                Verdict::Yes(Proto::LineCall)
            } else {
                Verdict::No
            };
        }
        Verdict::NeedMore
    }
}

/// Version 2 with an RTP payload type (and room for its header) or an RTCP type 192..=213.
fn rtp_or_rtcp(p: &[u8]) -> bool {
    let (Some(b0), Some(b1)) = (p.u8_at(0), p.u8_at(1)) else {
        return false;
    };
    if b0 >> 6 != 2 {
        return false;
    }
    let pt = b1 & 0x7f;
    (pt <= 34 || (96..=127).contains(&pt)) && p.len() >= 12 || (192..=213).contains(&b1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::{Dir, L4};
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{noise, pkt_at};
    use proptest::prelude::*;

    fn counted(n: u8) -> Vec<u8> {
        vec![0x31, 0x05, 0x00, n, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x11, 0x22]
    }

    #[test]
    fn four_counted_packets_each_way() {
        let first = counted(10);
        let x = pkt_at(&first, L4::Udp, 40000, 40001, Dir::ToServer, [0, 0]);
        let mut h = Harness::new(&x);
        let mut seen = [0u16, 0];
        let mut last = Verdict::NeedMore;
        for i in 0..4u8 {
            for (d, base) in [(Dir::ToServer, 10u8), (Dir::ToClient, 200u8)] {
                let p = counted(base.wrapping_add(i));
                let y = pkt_at(&p, L4::Udp, 40000, 40001, d, seen);
                last = h.probe(&LineCallDissector, &y);
                seen[d as usize] += 1;
            }
        }
        assert_eq!(last, Verdict::Yes(Proto::LineCall));
    }

    #[test]
    fn a_gap_or_equal_bases_refuse() {
        let (one, three) = (counted(1), counted(3));
        let x = pkt_at(&one, L4::Udp, 1, 2, Dir::ToServer, [0, 0]);
        let mut h = Harness::new(&x);
        assert_eq!(h.probe(&LineCallDissector, &x), Verdict::NeedMore);
        let y = pkt_at(&three, L4::Udp, 1, 2, Dir::ToServer, [1, 0]);
        assert_eq!(h.probe(&LineCallDissector, &y), Verdict::No);
        let mut h = Harness::new(&x);
        let mut seen = [0u16, 0];
        let mut last = Verdict::NeedMore;
        for i in 0..4u8 {
            for d in [Dir::ToServer, Dir::ToClient] {
                let p = counted(7 + i);
                last = h.probe(&LineCallDissector, &pkt_at(&p, L4::Udp, 1, 2, d, seen));
                seen[d as usize] += 1;
            }
        }
        assert_eq!(last, Verdict::No);
    }

    #[test]
    fn leaves_another_dissectors_state_alone() {
        // A Mumble ping keeps its ident in the flow's slot; LineCall must not overwrite it.
        let ping = [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
        let x = pkt_at(&ping, L4::Udp, 40000, 64738, Dir::ToServer, [0, 0]);
        let mut h = Harness::new(&x);
        let mumble = crate::protocols::mumble::PROTOCOL.dissector.expect("Mumble has a dissector");
        assert_eq!(h.probe(mumble, &x), Verdict::NeedMore);
        assert_eq!(h.probe(&LineCallDissector, &x), Verdict::No);
        let pong = [0, 1, 4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 3, 0, 0, 0, 100, 0, 8, 131, 176];
        let y = pkt_at(&pong, L4::Udp, 40000, 64738, Dir::ToClient, [1, 0]);
        assert_eq!(h.probe(mumble, &y), Verdict::Yes(Proto::Mumble));
    }

    #[test]
    fn noise_is_refused_early() {
        for seed in 1..100 {
            let a = noise(40, seed);
            let b = noise(40, seed + 1000);
            let x = pkt_at(&a, L4::Udp, 1, 2, Dir::ToServer, [0, 0]);
            let mut h = Harness::new(&x);
            let _ = h.probe(&LineCallDissector, &x);
            let v = h.probe(&LineCallDissector, &pkt_at(&b, L4::Udp, 1, 2, Dir::ToServer, [1, 0]));
            assert_ne!(v, Verdict::Yes(Proto::LineCall));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(256)))]
        #[test]
        fn any_packets(ps in proptest::collection::vec((any::<bool>(), proptest::collection::vec(any::<u8>(), 1..40)), 1..20)) {
            let x = pkt_at(&[0; 12], L4::Udp, 1, 2, Dir::ToServer, [0, 0]);
            let mut h = Harness::new(&x);
            let mut seen = [0u16, 0];
            for (to_server, p) in &ps {
                let d = if *to_server { Dir::ToServer } else { Dir::ToClient };
                let _ = h.probe(&LineCallDissector, &pkt_at(p, L4::Udp, 1, 2, d, seen));
                seen[d as usize] += 1;
            }
        }
    }
}
