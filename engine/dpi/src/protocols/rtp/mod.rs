//! RTP / RTCP (RFC 3550) over UDP, conservatively. Neither has a magic value, so a flow is only named after three
//! consecutive plausible packets in one direction (the engine stops asking at the first implausible one):
//!
//! - RTP: version 2, no CSRC, a static (0..=34) or dynamic (96..=127) payload type, a non-zero SSRC, a consistent
//!   header extension and padding;
//! - RTCP: a compound packet starting with SR/RR (200/201), every part version 2 with type 200..=206, the length
//!   fields tiling the datagram exactly.
//!
//! A stateless dissector cannot compare SSRCs across packets; the three-packet rule stands in for that.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Rtp = 87, "RTP", Media;
    Rtcp = 165, "RTCP", Media;
}

/// RTP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Last,
    risks: &[],
};

/// Packets of this direction that must have been seen (and found plausible) before naming the flow.
const CONFIRM_AFTER: u16 = 2;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    // Well-known service ports below 1024 carry their own protocols.
    if pkt.l4 != L4::Udp || pkt.server_port < 1024 || pkt.client_port < 1024 {
        return Verdict::No;
    }
    let kind = if rtcp(p) {
        Proto::Rtcp
    } else if rtp(p) {
        Proto::Rtp
    } else {
        return Verdict::No;
    };
    if pkt.seen[pkt.dir as usize] >= CONFIRM_AFTER {
        Verdict::Yes(kind)
    } else {
        Verdict::NeedMore
    }
}

fn rtp(p: &[u8]) -> bool {
    let (Some(b0), Some(b1), Some(ssrc)) = (p.u8_at(0), p.u8_at(1), p.u32_at(8)) else {
        return false;
    };
    if b0 >> 6 != 2 || b0 & 0x0f != 0 || ssrc == 0 {
        return false;
    }
    if !matches!(b1 & 0x7f, 0..=34 | 96..=127) {
        return false;
    }
    let mut header = 12usize;
    if b0 & 0x10 != 0 {
        let Some(words) = p.u16_at(header + 2) else {
            return false;
        };
        header += 4 + 4 * usize::from(words);
    }
    let padding = if b0 & 0x20 != 0 {
        p.last().map_or(0, |&n| usize::from(n))
    } else {
        0
    };
    if b0 & 0x20 != 0 && padding == 0 {
        return false;
    }
    header + padding <= p.len()
}

fn rtcp(p: &[u8]) -> bool {
    if !matches!(p.u8_at(1), Some(200 | 201)) {
        return false;
    }
    let mut rest = p;
    while !rest.is_empty() {
        let (Some(b0), Some(pt), Some(words)) = (rest.u8_at(0), rest.u8_at(1), rest.u16_at(2))
        else {
            return false;
        };
        if b0 >> 6 != 2 || !(200..=206).contains(&pt) {
            return false;
        }
        let Some(next) = rest.get(4 * (usize::from(words) + 1)..) else {
            return false;
        };
        rest = next;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};

    const RTP_PCMA: &str = "8008a1b20001e2400a1b2c3dd5d5d5d5d5d5d5d5d5d5d5d5";
    const RTCP_RR: &str = "81c900070a1b2c3d0102030400000000000000000000000000000000000000000000";

    #[test]
    fn rtp_needs_three_packets() {
        let p = hex(RTP_PCMA);
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 40002)), Verdict::NeedMore);
        let third = pkt_at(&p, L4::Udp, 40000, 40002, Dir::ToServer, [2, 0]);
        assert_eq!(detect(&third), Verdict::Yes(Proto::Rtp));
    }

    #[test]
    fn rtcp_receiver_report() {
        let mut p = hex(RTCP_RR);
        p.truncate(32);
        let third = pkt_at(&p, L4::Udp, 40001, 40003, Dir::ToServer, [2, 0]);
        assert_eq!(detect(&third), Verdict::Yes(Proto::Rtcp));
        let bad = &p[..30];
        assert_eq!(detect(&pkt(bad, L4::Udp, 40001, 40003)), Verdict::No);
    }

    #[test]
    fn negatives() {
        let p = hex(RTP_PCMA);
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 53)), Verdict::No);
        let dtls = hex("16fefd000000000000000000a0010000940000000000000094fefd");
        assert_eq!(detect(&pkt(&dtls, L4::Udp, 40000, 40002)), Verdict::No);
        let mut rejected = 0;
        for seed in 1..400 {
            if detect(&pkt(&noise(60, seed), L4::Udp, 40000, 40002)) == Verdict::No {
                rejected += 1;
            }
        }
        assert!(rejected > 350, "{rejected}");
    }
}
