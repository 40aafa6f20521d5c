//! SOCKS: v4/4a CONNECT/BIND (0x04, command 1|2, port, IPv4, NUL-terminated user id, 4a host name) answered by an
//! 8-byte reply (0x00, 0x5a..0x5d); v5 greeting (0x05, n methods, exactly n known methods) answered by the 2-byte
//! method choice (0x05, one of the offered methods or 0xff).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Socks = 172, "SOCKS", Web, tcp [1080];
}

/// SOCKS's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn v4_request(p: &[u8]) -> bool {
    if p.len() < 9 || p[0] != 4 || !matches!(p[1], 1 | 2) || p.last() != Some(&0) {
        return false;
    }
    let rest = &p[8..p.len() - 1];
    let socks4a = p[4] == 0 && p[5] == 0 && p[6] == 0 && p[7] != 0;
    if socks4a {
        // user id NUL host
        let mut parts = rest.splitn(2, |&b| b == 0);
        let user = parts.next().unwrap_or(&[]);
        let host = parts.next().unwrap_or(&[]);
        super::util::printable(user)
            && !host.is_empty()
            && host
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    } else {
        super::util::printable(rest) && p[4] != 0
    }
}

fn v5_greeting(p: &[u8]) -> bool {
    p.len() >= 3
        && p[0] == 5
        && usize::from(p[1]) + 2 == p.len()
        && p[2..].iter().all(|&m| m <= 9 || m >= 0x80 && m != 0xff)
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    match pkt.dir {
        Dir::ToServer if pkt.seen[0] == 0 && pkt.seen[1] == 0 => {
            if v4_request(p) || v5_greeting(p) {
                Verdict::NeedMore
            } else {
                Verdict::No
            }
        }
        Dir::ToClient if pkt.seen[0] > 0 && pkt.seen[1] == 0 => {
            let v5 = p.len() == 2 && p[0] == 5 && (p[1] <= 9 || p[1] >= 0x80);
            let v4 = p.len() == 8 && p[0] == 0 && (0x5a..=0x5d).contains(&p[1]);
            if v5 || v4 {
                Verdict::Yes(Proto::Socks)
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
    fn handshakes() {
        // socks.pcap: v5 greeting and choice; v4 connect and grant.
        assert_eq!(detect(&c0(b"\x05\x01\x00")), Verdict::NeedMore);
        assert_eq!(
            detect(&tcp(b"\x05\x00", Dir::ToClient, [1, 0])),
            Verdict::Yes(Proto::Socks)
        );
        assert_eq!(
            detect(&c0(b"\x04\x01\x00P]\xb8\xd8w\x00")),
            Verdict::NeedMore
        );
        assert_eq!(
            detect(&tcp(b"\x00Z\xdf\xb2\n\xb4\x9c\xf9", Dir::ToClient, [1, 0])),
            Verdict::Yes(Proto::Socks)
        );
        assert_eq!(
            detect(&c0(b"\x04\x01\x00\x50\x00\x00\x00\x01\x00example.com\x00")),
            Verdict::NeedMore
        );
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(b"\x05\x02\x00")), Verdict::No);
        assert_eq!(
            detect(&tcp(b"\x05\x00\x00", Dir::ToClient, [1, 0])),
            Verdict::No
        );
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        assert_eq!(detect(&c0(&noise(9, 17))), Verdict::No);
    }
}
