//! Memcached text protocol: over UDP behind the 8-byte frame header (request id, sequence, total, reserved 0);
//! over TCP on port 11211 only (a bare ASCII command is too common elsewhere).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Memcached = 40, "Memcached", Network, tcp [11211], udp [11211];
}

/// Memcached's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const COMMANDS: &[&[u8]] = &[
    b"get ",
    b"gets ",
    b"set ",
    b"add ",
    b"replace ",
    b"append ",
    b"prepend ",
    b"cas ",
    b"delete ",
    b"incr ",
    b"decr ",
    b"touch ",
    b"stats\r\n",
    b"stats ",
    b"flush_all",
    b"version\r\n",
    b"verbosity ",
    b"VALUE ",
    b"STAT ",
    b"STORED\r\n",
    b"NOT_STORED\r\n",
    b"END\r\n",
    b"DELETED\r\n",
    b"NOT_FOUND\r\n",
    b"VERSION ",
];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let text = match pkt.l4 {
        L4::Udp => {
            let (Some(seq), Some(total), Some(reserved)) = (p.u16_at(2), p.u16_at(4), p.u16_at(6))
            else {
                return Verdict::No;
            };
            if reserved != 0 || total == 0 || seq >= total {
                return Verdict::No;
            }
            &p[8..]
        }
        L4::Tcp if pkt.either_port(11211) => p,
        L4::Tcp => return Verdict::No,
    };
    if COMMANDS.iter().any(|c| text.starts_with(c)) {
        Verdict::Yes(Proto::Memcached)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn tcp_stats_and_udp_get() {
        let p = hex("73746174730d0a");
        assert_eq!(
            detect(&pkt(&p, L4::Tcp, 59604, 11211)),
            Verdict::Yes(Proto::Memcached)
        );
        let u = b"\x00\x01\x00\x00\x00\x01\x00\x00get foo\r\n";
        assert_eq!(
            detect(&pkt(u, L4::Udp, 40000, 11211)),
            Verdict::Yes(Proto::Memcached)
        );
    }

    #[test]
    fn negatives() {
        assert_eq!(detect(&pkt(b"stats\r\n", L4::Tcp, 1, 80)), Verdict::No);
        assert_eq!(
            detect(&pkt(
                b"\x00\x01\x00\x00\x00\x01\x00\x00GET / HTTP/1.1\r\n",
                L4::Udp,
                1,
                2
            )),
            Verdict::No
        );
        assert_eq!(detect(&pkt(&noise(50, 5), L4::Udp, 1, 11211)), Verdict::No);
    }
}
