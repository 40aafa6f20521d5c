//! Kerberos v5 (RFC 4120) on UDP/TCP 88 or any port: ASN.1 application tag, DER lengths, pvno 5 and the
//! msg-type that must repeat the tag. Over TCP a 4-byte record length comes first.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Kerberos = 111, "Kerberos", Network, tcp [88], udp [88];
}

/// Kerberos's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let msg = match pkt.l4 {
        L4::Udp => p,
        L4::Tcp => {
            let Some(rec) = p.u32_at(0) else {
                return Verdict::No;
            };
            // Record marker: top bit reserved; the record may continue in later segments.
            if rec & 0x8000_0000 != 0 || rec < 16 || (rec as usize) < p.len() - 4 {
                return Verdict::No;
            }
            if p.len() == 4 {
                return if pkt.either_port(88) {
                    Verdict::NeedMore
                } else {
                    Verdict::No
                };
            }
            &p[4..]
        }
    };
    if message(msg) {
        Verdict::Yes(Proto::Kerberos)
    } else {
        Verdict::No
    }
}

/// DER length at `at`: (value, bytes used).
fn der_len(p: &[u8], at: usize) -> Option<(usize, usize)> {
    match p.u8_at(at)? {
        n @ 0..=0x7f => Some((usize::from(n), 1)),
        0x81 => Some((usize::from(p.u8_at(at + 1)?), 2)),
        0x82 => Some((usize::from(p.u16_at(at + 1)?), 3)),
        _ => None,
    }
}

fn message(p: &[u8]) -> bool {
    let Some(tag) = p.u8_at(0) else { return false };
    let (msg_type, pvno_tag) = match tag {
        0x6a => (10, 0xa1), // AS-REQ: KDC-REQ { pvno [1], msg-type [2] }
        0x6c => (12, 0xa1), // TGS-REQ
        0x6b => (11, 0xa0), // AS-REP: KDC-REP { pvno [0], msg-type [1] }
        0x6d => (13, 0xa0), // TGS-REP
        0x7e => (30, 0xa0), // KRB-ERROR
        _ => return false,
    };
    let Some((outer, n)) = der_len(p, 1) else {
        return false;
    };
    let seq = 1 + n;
    if outer < 16 || p.u8_at(seq) != Some(0x30) {
        return false;
    }
    let Some((inner, m)) = der_len(p, seq + 1) else {
        return false;
    };
    if inner + 1 + m != outer {
        return false;
    }
    let at = seq + 1 + m;
    let expect = [pvno_tag, 3, 2, 1, 5, pvno_tag + 1, 3, 2, 1, msg_type];
    p.get(at..at + 10) == Some(&expect[..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn tgs_req_udp() {
        let p =
            hex("6c8204b7308204b3a103020105a20302010ca38204313082042d30820429a103020101a282042004");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 1061, 88)),
            Verdict::Yes(Proto::Kerberos)
        );
    }

    #[test]
    fn as_req_and_error_tcp() {
        let p = hex("000000eb6a81e83081e5a103020105a20302010aa31530133011a10402020080a20904073005a0030101ffa481c1");
        assert_eq!(
            detect(&pkt(&p, L4::Tcp, 49157, 88)),
            Verdict::Yes(Proto::Kerberos)
        );
        let e = hex(
            "000001127e82010e3082010aa003020105a10302011ea411180f32303139303230353033333834385a",
        );
        assert_eq!(
            detect(&pkt(&e, L4::Tcp, 49157, 88)),
            Verdict::Yes(Proto::Kerberos)
        );
        let prefix_only = hex("000001127e");
        assert_eq!(
            detect(&pkt(&prefix_only[..4], L4::Tcp, 49157, 88)),
            Verdict::NeedMore
        );
    }

    #[test]
    fn negatives() {
        for seed in 1..300 {
            let n = noise(80, seed);
            assert_eq!(detect(&pkt(&n, L4::Udp, 5000, 88)), Verdict::No);
            assert_eq!(detect(&pkt(&n, L4::Tcp, 5000, 88)), Verdict::No);
        }
        // SNMP GetRequest is ASN.1 too, but not Kerberos.
        let snmp =
            hex("302602010104067075626c6963a01902044a3a7fb7020100020100300b300906052b060102010500");
        assert_eq!(detect(&pkt(&snmp, L4::Udp, 5000, 88)), Verdict::No);
    }
}
