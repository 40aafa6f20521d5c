//! LDAP (RFC 4511, BER): LDAPMessage SEQUENCE (0x30) whose length fits the payload, messageID INTEGER (1..4
//! bytes, positive), then a protocolOp with an application tag (0x60 bindRequest … 0x78 extendedResponse, 0x42
//! unbind, 0x4a delRequest, 0x50 abandon) ending with the SEQUENCE. Client messages may be SASL-wrapped, so a
//! client packet that is not LDAP waits for the server's.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Dir, Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Ldap = 112, "LDAP", System, tcp [389], udp [389];
}

/// LDAP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// BER length at `at`: (value, bytes used).
fn ber_len(p: &[u8], at: usize) -> Option<(usize, usize)> {
    let first = *p.get(at)?;
    if first < 0x80 {
        return Some((usize::from(first), 1));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let bytes = p.get(at + 1..at + 1 + n)?;
    let v = bytes.iter().fold(0usize, |a, &b| a << 8 | usize::from(b));
    Some((v, 1 + n))
}

fn is_ldap(p: &[u8]) -> bool {
    if p.first() != Some(&0x30) {
        return false;
    }
    let Some((seq_len, n)) = ber_len(p, 1) else {
        return false;
    };
    let start = 1 + n;
    let end = start + seq_len;
    // Complete, followed by more messages, or cut short by the capture.
    if end > p.len() && p.len() < 1024 {
        return false;
    }
    if p.get(start) != Some(&0x02) {
        return false;
    }
    let Some(&id_len) = p.get(start + 1) else {
        return false;
    };
    if !(1..=4).contains(&id_len) || p.get(start + 2).is_none_or(|&b| b & 0x80 != 0) {
        return false;
    }
    let op = start + 2 + usize::from(id_len);
    let Some(&tag) = p.get(op) else {
        return false;
    };
    let app_ok = matches!(
        tag,
        0x60 | 0x61 | 0x63..=0x69 | 0x6b..=0x6f | 0x73 | 0x77..=0x79 | 0x42 | 0x4a | 0x50
    );
    if !app_ok {
        return false;
    }
    let Some((op_len, m)) = ber_len(p, op + 1) else {
        return false;
    };
    if op + 1 + m + op_len > end {
        return false;
    }
    // bindRequest: version INTEGER 2 or 3.
    if tag == 0x60 {
        let v = op + 1 + m;
        return p
            .get(v..v + 3)
            .is_some_and(|b| b[0] == 2 && b[1] == 1 && matches!(b[2], 2 | 3));
    }
    // Controls ([0] 0xa0) may follow the operation; otherwise it ends the message.
    op + 1 + m + op_len == end || p.get(op + 1 + m + op_len) == Some(&0xa0)
}

fn detect(pkt: &Pkt) -> Verdict {
    if is_ldap(pkt.payload) {
        return Verdict::Yes(Proto::Ldap);
    }
    match pkt.dir {
        Dir::ToServer if pkt.seen[0] == 0 && pkt.seen[1] == 0 => Verdict::NeedMore,
        _ => Verdict::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn messages() {
        // Simple bind "cn=admin" / "secret", version 3.
        let bind = b"\x30\x1d\x02\x01\x01\x60\x18\x02\x01\x03\x04\x08cn=admin\x80\x09secret123";
        assert_eq!(usize::from(bind[1]) + 2, bind.len());
        assert_eq!(detect(&c0(bind)), Verdict::Yes(Proto::Ldap));
        // kerberos.pcap: server bindResponse with 4-byte lengths (cut here at the first bytes of the SASL data).
        let mut resp =
            b"0\x84\x00\x00\x00\x0f\x02\x01\x03a\x84\x00\x00\x00\x06\n\x01\x00\x04\x00\x04\x00"
                .to_vec();
        resp.truncate(21);
        assert_eq!(
            detect(&tcp(&resp, Dir::ToClient, [1, 0])),
            Verdict::Yes(Proto::Ldap)
        );
        // unbindRequest.
        assert_eq!(
            detect(&c0(b"\x30\x05\x02\x01\x02\x42\x00")),
            Verdict::Yes(Proto::Ldap)
        );
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(&noise(40, 12))), Verdict::NeedMore);
        assert_eq!(detect(&s0(&noise(40, 13))), Verdict::No);
        assert_eq!(detect(&s0(b"\x30\x05\x02\x01\x02\x99\x00")), Verdict::No);
        assert_eq!(detect(&s0(HTTP_GET)), Verdict::No);
    }
}
