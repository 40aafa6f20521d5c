//! WHOIS (RFC 3912, TCP 43) and the DAS variant (TCP 4343): a one-line printable query ending in CRLF, or the
//! server's printable answer, on those ports only (the protocol has no marker of its own).

use crate::packet::{Dir, Dissector, Pkt, Verdict, L4};
use crate::proto::Proto;

pub(super) const DISSECTOR: Dissector = Dissector {
    proto: Proto::WhoisDas,
    tcp: true,
    udp: false,
    ports: &[43, 4343],
    detect,
};

fn printable(s: &[u8]) -> bool {
    s.iter()
        .all(|&c| (0x20..0x7f).contains(&c) || matches!(c, b'\r' | b'\n' | b'\t'))
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Tcp
        || !(pkt.server_port == 43 || pkt.server_port == 4343 || pkt.client_port == 43)
    {
        return Verdict::No;
    }
    // The side that sent from port 43 is the server, whichever opened the capture.
    let from_server = pkt.src_port() == 43 || pkt.src_port() == 4343;
    let ok = if from_server {
        p.len() >= 8 && printable(&p[..p.len().min(128)])
    } else {
        pkt.dir == Dir::ToServer
            && (3..=512).contains(&p.len())
            && p.ends_with(b"\r\n")
            && p[..p.len() - 2].iter().all(|&c| (0x20..0x7f).contains(&c))
    };
    if ok {
        Verdict::Yes(Proto::WhoisDas)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::udp_protos::testutil::{noise, pkt, pkt_at};

    #[test]
    fn query_and_answer() {
        assert_eq!(
            detect(&pkt(b"example.com\r\n", L4::Tcp, 44188, 43)),
            Verdict::Yes(Proto::WhoisDas)
        );
        let a = b"   Domain Name: CYBERPATROLBD.COM\r\n   Registry Domain ID: 1\r\n";
        let p = pkt_at(a, L4::Tcp, 53217, 43, Dir::ToClient, [0, 0]);
        assert_eq!(detect(&p), Verdict::Yes(Proto::WhoisDas));
    }

    #[test]
    fn negatives() {
        assert_eq!(
            detect(&pkt(b"example.com\r\n", L4::Tcp, 44188, 80)),
            Verdict::No
        );
        assert_eq!(
            detect(&pkt(b"example.com", L4::Tcp, 44188, 43)),
            Verdict::No
        );
        assert_eq!(detect(&pkt(&noise(40, 1), L4::Tcp, 1, 43)), Verdict::No);
    }
}
