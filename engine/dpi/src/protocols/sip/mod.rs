//! SIP (RFC 3261): a request line `METHOD uri SIP/2.0` with a known method, or a `SIP/2.0 NNN ` status line.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Sip = 100, "SIP", VoIp, tcp [5060, 5061], udp [5060];
}

/// SIP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const METHODS: &[&[u8]] = &[
    b"INVITE ",
    b"REGISTER ",
    b"OPTIONS ",
    b"ACK ",
    b"BYE ",
    b"CANCEL ",
    b"SUBSCRIBE ",
    b"NOTIFY ",
    b"PUBLISH ",
    b"MESSAGE ",
    b"INFO ",
    b"PRACK ",
    b"UPDATE ",
    b"REFER ",
];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let status = p.get(..12).is_some_and(|s| {
        s.starts_with(b"SIP/2.0 ")
            && s[8..11].iter().all(u8::is_ascii_digit)
            && (b'1'..=b'6').contains(&s[8])
            && s[11] == b' '
    });
    if status || request(p) {
        Verdict::Yes(Proto::Sip)
    } else {
        Verdict::No
    }
}

fn request(p: &[u8]) -> bool {
    let Some(m) = METHODS.iter().find(|m| p.starts_with(m)) else {
        return false;
    };
    let head = &p[..p.len().min(1024)];
    let Some(eol) = head.windows(2).position(|w| w == b"\r\n") else {
        return false;
    };
    let line = &head[m.len()..eol];
    let uri_ok = [&b"sip:"[..], b"sips:", b"tel:"].iter().any(|s| {
        line.get(..s.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(s))
    });
    uri_ok && line.ends_with(b" SIP/2.0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{noise, pkt};

    #[test]
    fn register_and_status() {
        let r = b"REGISTER sip:sip.cybercity.dk SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.2;branch=z9hG4bK\r\n\r\n";
        assert_eq!(
            detect(&pkt(r, L4::Udp, 5060, 5060)),
            Verdict::Yes(Proto::Sip)
        );
        let s = b"SIP/2.0 401 Unauthorized\r\nCall-ID: 578222729\r\n\r\n";
        assert_eq!(
            detect(&pkt(s, L4::Udp, 5060, 5060)),
            Verdict::Yes(Proto::Sip)
        );
    }

    #[test]
    fn negatives() {
        let http = b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n";
        assert_eq!(detect(&pkt(http, L4::Tcp, 1, 5060)), Verdict::No);
        let nosip = b"INVITE sip:a@b SIP/3.0\r\n";
        assert_eq!(detect(&pkt(nosip, L4::Udp, 1, 5060)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(100, 2), L4::Udp, 1, 5060)), Verdict::No);
    }
}
