//! SNMP (RFC 1157/3416/3412): a DER SEQUENCE spanning the payload, INTEGER version 0/1/3, then a community
//! OCTET STRING and a PDU tag (v1/v2c) or the msgGlobalData SEQUENCE (v3). Content decides on any port.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Snmp = 14, "SNMP", Network, udp [161, 162];
}

/// SNMP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// DER length at `at`: (value, bytes used).
fn der_len(p: &[u8], at: usize) -> Option<(usize, usize)> {
    match p.u8_at(at)? {
        n @ 0..=0x7f => Some((usize::from(n), 1)),
        0x81 => Some((usize::from(p.u8_at(at + 1)?), 2)),
        0x82 => Some((usize::from(p.u16_at(at + 1)?), 3)),
        _ => None,
    }
}

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.l4 != L4::Udp {
        return Verdict::No;
    }
    if message(pkt.payload) {
        Verdict::Yes(Proto::Snmp)
    } else {
        Verdict::No
    }
}

fn message(p: &[u8]) -> bool {
    if p.u8_at(0) != Some(0x30) {
        return false;
    }
    let Some((len, n)) = der_len(p, 1) else {
        return false;
    };
    let at = 1 + n;
    if at + len != p.len() || p.get(at..at + 2) != Some(&[0x02, 0x01][..]) {
        return false;
    }
    match p.u8_at(at + 2) {
        Some(0 | 1) => {
            // Community: OCTET STRING of printable bytes, then a PDU tag 0xa0..=0xa8.
            let c = at + 3;
            let Some((clen, cn)) = (p.u8_at(c) == Some(0x04))
                .then(|| der_len(p, c + 1))
                .flatten()
            else {
                return false;
            };
            let start = c + 1 + cn;
            let printable = p
                .get(start..start + clen)
                .is_some_and(|s| s.iter().all(|b| (0x20..0x7f).contains(b)));
            printable && matches!(p.u8_at(start + clen), Some(0xa0..=0xa8))
        }
        // v3: msgGlobalData SEQUENCE starting with the msgID INTEGER.
        Some(3) => {
            p.u8_at(at + 3) == Some(0x30)
                && der_len(p, at + 4).is_some_and(|(_, m)| p.u8_at(at + 4 + m) == Some(0x02))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    const GET_NEXT: &str =
        "302902010004067075626c6963a11c02044b781a6e020100020100300e300c06082b060102010105000500";

    #[test]
    fn v1_get_next_and_v2c() {
        let p = hex(GET_NEXT);
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 43015, 161)),
            Verdict::Yes(Proto::Snmp)
        );
        let v2 = hex("302902010104067075626c6963a11c02045067d65c020100020100300e300c06082b060102010105000500");
        assert_eq!(
            detect(&pkt(&v2, L4::Udp, 59988, 161)),
            Verdict::Yes(Proto::Snmp)
        );
    }

    #[test]
    fn negatives() {
        let p = hex(GET_NEXT);
        assert_eq!(
            detect(&pkt(&p[..p.len() - 1], L4::Udp, 43015, 161)),
            Verdict::No
        );
        // An LDAP bind request: SEQUENCE, INTEGER message id, then an application tag.
        let ldap = hex("300c020101600702010304008000");
        assert_eq!(detect(&pkt(&ldap, L4::Udp, 5000, 161)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(
                detect(&pkt(&noise(43, seed), L4::Udp, 5000, 161)),
                Verdict::No
            );
        }
    }
}
