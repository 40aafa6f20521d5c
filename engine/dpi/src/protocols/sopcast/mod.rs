//! SOPCAST (the SopCast P2P TV client; its protocol is undocumented): the UDP control messages whose fixed sizes
//! and header bytes nDPI's dissector lists, and the 54-byte TCP opening whose fields repeat in the pattern that
//! dissector checks (a 2-byte length 0x0036, counters that differ by one or four).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;
use crate::protocols::util::total_seen;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Sopcast = 57, "Sopcast", Video;
}

/// SOPCAST's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// The TCP opening's size.
const TCP_OPENING: usize = 54;

fn detect(pkt: &Pkt) -> Verdict {
    let yes = match pkt.l4 {
        L4::Udp => udp(pkt.payload),
        L4::Tcp => total_seen(pkt) == 0 && tcp(pkt.payload),
    };
    if yes {
        Verdict::Yes(Proto::Sopcast)
    } else {
        Verdict::No
    }
}

/// A message shape: its lengths and the bytes it must hold at given offsets.
type Shape = (&'static [usize], &'static [(usize, u8)]);

/// The UDP message shapes.
const UDP_SHAPES: &[Shape] = &[
    (&[52], &[(0, 0xff), (1, 0xff), (2, 0x01), (8, 0x02), (9, 0xff), (10, 0x00), (11, 0x2c), (12, 0), (13, 0), (14, 0)]),
    (&[60], &[(0, 0x00), (2, 0x01), (8, 0x03), (9, 0xff), (10, 0x00), (11, 0x34), (12, 0), (13, 0), (14, 0)]),
    (&[42], &[(0, 0x00), (1, 0x02), (2, 0x01), (3, 0x07), (4, 0x03), (8, 0x06), (9, 0x01), (10, 0x00), (11, 0x22), (12, 0), (13, 0)]),
    (&[28], &[(0, 0x00), (1, 0x0c), (2, 0x01), (3, 0x07), (4, 0x00), (8, 0x01), (9, 0x01), (10, 0x00), (11, 0x14), (12, 0), (13, 0)]),
    (&[286], &[(0, 0x00), (1, 0x02), (2, 0x01), (3, 0x07), (4, 0x03), (8, 0x06), (9, 0x01), (10, 0x01), (11, 0x16), (12, 0), (13, 0)]),
    (&[76], &[(0, 0xff), (1, 0xff), (2, 0x01), (8, 0x0c), (9, 0xff), (10, 0x00), (11, 0x44), (12, 0), (13, 0), (14, 0), (15, 0x01), (16, 0x01)]),
];

fn udp(p: &[u8]) -> bool {
    let fixed = UDP_SHAPES.iter().any(|(lens, bytes)| {
        lens.contains(&p.len()) && bytes.iter().all(|&(at, b)| p.u8_at(at) == Some(b))
    });
    // Keep-alives of 28, 80 or 94 bytes: message type 1 or 2 and a 0x14 header length.
    fixed
        || (matches!(p.len(), 28 | 80 | 94)
            && p.u8_at(0) == Some(0)
            && matches!(p.u8_at(2), Some(0x01 | 0x02))
            && [(8, 0x01), (9, 0xff), (10, 0x00), (11, 0x14), (12, 0), (13, 0)]
                .iter()
                .all(|&(at, b)| p.u8_at(at) == Some(b)))
}

fn tcp(p: &[u8]) -> bool {
    if p.len() != TCP_OPENING || p.u16_at(0) != Some(0x0036) {
        return false;
    }
    let b = |i: usize| i32::from(p[i]);
    let near = |a: i32, c: i32, d: i32| a == c - d || a == c + d;
    if !near(b(2), b(3), 4) || !near(b(2), b(4), 1) {
        return false;
    }
    if !near(b(25), b(40), 1) && b(3) != b(25) && !near(b(3), b(25), 4) && b(3) != b(25) - 21 {
        return false;
    }
    let run = b(4) == b(28)
        && b(28) == b(30)
        && b(30) == b(31)
        && p.u16_at(30) == p.u16_at(32)
        && p.u16_at(32) == p.u16_at(34);
    if !run
        && (!near(b(2), b(5), 1)
            || b(2) != b(25)
            || [28, 30, 31, 32, 33, 34, 35].iter().any(|&i| b(4) != b(i))
            || b(2) != b(36))
    {
        return false;
    }
    b(42) == b(53)
        && near(b(45), b(46), 1)
        && b(45) == b(49)
        && b(46) == b(50)
        && b(47) == b(51)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{HTTP_GET, TLS_HELLO};
    use crate::protocols::util::testutil::{noise, pkt};
    use proptest::prelude::*;

    fn shaped(len: usize, bytes: &[(usize, u8)]) -> Vec<u8> {
        let mut p = vec![0x5a; len];
        for &(at, b) in bytes {
            p[at] = b;
        }
        p
    }

    #[test]
    fn udp_shapes() {
        for (lens, bytes) in UDP_SHAPES {
            let p = shaped(lens[0], bytes);
            assert_eq!(detect(&pkt(&p, L4::Udp, 3908, 3912)), Verdict::Yes(Proto::Sopcast));
            let mut q = p.clone();
            q.push(0);
            assert_eq!(detect(&pkt(&q, L4::Udp, 3908, 3912)), Verdict::No, "length matters");
        }
    }

    #[test]
    fn tcp_opening() {
        // Counters 0x10/0x14/0x11, a run of 0x11, matching tails: the shape the dissector requires.
        let mut p = vec![0u8; 54];
        p[0] = 0x00;
        p[1] = 0x36;
        p[2] = 0x10;
        p[3] = 0x14;
        p[4] = 0x11;
        p[25] = 0x14;
        for i in [28, 29, 30, 31, 32, 33, 34, 35] {
            p[i] = 0x11;
        }
        p[42] = 7;
        p[53] = 7;
        p[45] = 3;
        p[46] = 4;
        p[49] = 3;
        p[50] = 4;
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 3912)), Verdict::Yes(Proto::Sopcast));
        p[53] = 8;
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 3912)), Verdict::No);
    }

    #[test]
    fn others() {
        for p in [HTTP_GET, TLS_HELLO] {
            assert_eq!(detect(&pkt(p, L4::Tcp, 1, 2)), Verdict::No);
            assert_eq!(detect(&pkt(p, L4::Udp, 1, 2)), Verdict::No);
        }
        for seed in 1..300 {
            for len in [28, 42, 52, 54, 60, 76] {
                assert_eq!(detect(&pkt(&noise(len, seed), L4::Udp, 1, 2)), Verdict::No);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..300), udp in any::<bool>()) {
            let _ = detect(&pkt(&p, if udp { L4::Udp } else { L4::Tcp }, 1, 2));
        }
    }
}
