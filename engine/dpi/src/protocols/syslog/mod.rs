//! Syslog (RFC 3164/5424): `<PRI>` with 1..=3 digits and a value up to 191, then a timestamp or version, or the
//! syslog port 514.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Syslog = 17, "Syslog", System, tcp [514], udp [514];
}

/// Syslog's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const MONTHS: [&[u8; 4]; 12] = [
    b"Jan ", b"Feb ", b"Mar ", b"Apr ", b"May ", b"Jun ", b"Jul ", b"Aug ", b"Sep ", b"Oct ",
    b"Nov ", b"Dec ",
];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.first() != Some(&b'<') {
        return Verdict::No;
    }
    let digits = p
        .iter()
        .skip(1)
        .take(4)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(1..=3).contains(&digits)
        || p.get(1 + digits) != Some(&b'>')
        || (digits > 1 && p.get(1) == Some(&b'0'))
    {
        return Verdict::No;
    }
    let pri = p[1..1 + digits]
        .iter()
        .fold(0u32, |v, &c| v * 10 + u32::from(c - b'0'));
    if pri > 191 {
        return Verdict::No;
    }
    let rest = &p[2 + digits..];
    let stamped = MONTHS.iter().any(|m| rest.starts_with(&m[..]))
        || rest
            .get(..2)
            .is_some_and(|v| v[0].is_ascii_digit() && v[1] == b' ')
        || rest
            .get(..5)
            .is_some_and(|y| y[..4].iter().all(u8::is_ascii_digit) && y[4] == b'-');
    let printable = rest
        .iter()
        .take(32)
        .all(|&c| c == b'\t' || (0x20..0x7f).contains(&c) || c >= 0x80);
    if printable && (stamped || pkt.either_port(514)) {
        Verdict::Yes(Proto::Syslog)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{noise, pkt};

    #[test]
    fn bsd_and_rfc5424() {
        let a = b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8";
        assert_eq!(
            detect(&pkt(a, L4::Udp, 40000, 5140)),
            Verdict::Yes(Proto::Syslog)
        );
        let b = b"<167>2016-05-24T09:50:52.926451+02:00 ldap slapd[1]: conn=1";
        assert_eq!(
            detect(&pkt(b, L4::Tcp, 9039, 514)),
            Verdict::Yes(Proto::Syslog)
        );
        let c = b"<165>1 2003-10-11T22:14:15.003Z host app - ID47 - msg";
        assert_eq!(
            detect(&pkt(c, L4::Udp, 40000, 6000)),
            Verdict::Yes(Proto::Syslog)
        );
    }

    #[test]
    fn negatives() {
        assert_eq!(detect(&pkt(b"<192>Oct 11 x", L4::Udp, 1, 514)), Verdict::No);
        assert_eq!(detect(&pkt(b"<html><body>", L4::Tcp, 1, 514)), Verdict::No);
        assert_eq!(detect(&pkt(b"<34>hello", L4::Udp, 1, 5000)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(40, 9), L4::Udp, 1, 514)), Verdict::No);
    }
}
