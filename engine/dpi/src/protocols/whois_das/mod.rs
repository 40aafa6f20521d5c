//! WHOIS (RFC 3912, TCP 43) and the DAS variant (TCP 4343): a one-line printable query ending in CRLF, or the
//! server's printable answer, on those ports only (the protocol has no marker of its own).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict, L4};
use crate::protocols::util::text_lines;
use crate::proto::Proto;

crate::proto::identities! {
    WhoisDas = 170, "Whois-DAS", Network, tcp [43];
}

/// Whois-DAS's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&either),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Two dissectors were written for this protocol, each with its tests; the flow is WHOIS when either says so.
fn either(pkt: &Pkt) -> Verdict {
    match detect(pkt) {
        Verdict::Yes(p) => Verdict::Yes(p),
        _ => detect_line(pkt),
    }
}

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

/// The other reading of the same exchange (a looser query: any one line of at most 512 bytes).
fn detect_line(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if !(pkt.either_port(43) || pkt.either_port(4343)) || !text_lines(p) {
        return Verdict::No;
    }
    let server = |port: u16| port == 43 || port == 4343;
    // Queries are one short line; answers are text. The opener may be missing from the capture, so the
    // sender's port tells the side.
    let ok = if server(pkt.dst_port()) {
        p.len() <= 512 && p.ends_with(b"\n") && p.iter().filter(|&&b| b == b'\n').count() == 1
    } else {
        server(pkt.src_port())
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
    use crate::protocols::util::testutil::{noise, pkt, pkt_at};

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

#[cfg(test)]
mod line_tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn query() {
        // whois.pcapng
        let mut q = c0(b"example.com\r\n");
        q.server_port = 43;
        assert_eq!(detect_line(&q), Verdict::Yes(Proto::WhoisDas));
    }

    #[test]
    fn others() {
        let n = noise(20, 28);
        let mut q = c0(&n);
        q.server_port = 43;
        assert_eq!(detect_line(&q), Verdict::No);
        assert_eq!(detect_line(&c0(b"example.com\r\n")), Verdict::No);
    }
}
