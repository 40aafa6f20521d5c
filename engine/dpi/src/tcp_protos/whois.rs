//! Whois (RFC 3912, port 43) and the Domain Availability Service (port 4343): no magic, so the port plus a short
//! printable query line from the client (or printable text from the server).

use super::util::text_lines;
use crate::packet::{Pkt, Verdict};
use crate::proto::Proto;

pub fn detect(pkt: &Pkt) -> Verdict {
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
    use crate::tcp_protos::util::test::*;

    #[test]
    fn query() {
        // whois.pcapng
        let mut q = c0(b"example.com\r\n");
        q.server_port = 43;
        assert_eq!(detect(&q), Verdict::Yes(Proto::WhoisDas));
    }

    #[test]
    fn others() {
        let n = noise(20, 28);
        let mut q = c0(&n);
        q.server_port = 43;
        assert_eq!(detect(&q), Verdict::No);
        assert_eq!(detect(&c0(b"example.com\r\n")), Verdict::No);
    }
}
