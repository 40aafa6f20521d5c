//! RTMP: the client handshake C0 (version 3, or 6 for RTMPE) + C1 (1536 bytes: time, then zero or a Flash
//! version), answered by S0 with the same version + S1 (+ S2).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Rtmp = 174, "RTMP", Media, tcp [1935];
}

/// RTMP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const C1: usize = 1536;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    match pkt.dir {
        Dir::ToServer if pkt.seen == [0, 0] => {
            // C0+C1 complete, or split over segments (the first then fills a segment).
            if matches!(p.first(), Some(3 | 6))
                && (p.len() == C1 + 1 || (p.len() >= 536 && p.len() < C1 + 1))
            {
                Verdict::NeedMore
            } else {
                Verdict::No
            }
        }
        // Further C1 segments.
        Dir::ToServer if pkt.seen[1] == 0 => Verdict::NeedMore,
        Dir::ToClient if pkt.seen[1] == 0 => {
            if matches!(p.first(), Some(3 | 6)) && p.len() >= 536 {
                Verdict::Yes(Proto::Rtmp)
            } else {
                Verdict::No
            }
        }
        _ => Verdict::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn handshake() {
        // rtmp.pcap: C0+C1 split as 1460 + 77 bytes.
        let mut c = vec![3u8, 0, 7, 0xaa, 0x57, 0, 0, 0, 0];
        c.extend(noise(1451, 19));
        assert_eq!(detect(&c0(&c)), Verdict::NeedMore);
        let mut s = vec![3u8, 0, 0, 0, 0, 4, 0, 1, 1];
        s.extend(noise(1451, 20));
        assert_eq!(
            detect(&tcp(&s, Dir::ToClient, [2, 0])),
            Verdict::Yes(Proto::Rtmp)
        );
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(b"\x03\x00\x00\x27")), Verdict::No);
        assert_eq!(
            detect(&tcp(b"HTTP/1.1 200 OK\r\n", Dir::ToClient, [1, 0])),
            Verdict::No
        );
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
    }
}
