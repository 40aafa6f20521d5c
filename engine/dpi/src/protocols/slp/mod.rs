//! Service Location Protocol (RFC 2165 v1, RFC 2608 v2), UDP/TCP 427, recognised by content on any port.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Slp = 347, "Service_Location_Protocol", Rpc, tcp [427], udp [427];
}

/// Service_Location_Protocol's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = match p.u8_at(0) {
        Some(1) => v1(p),
        Some(2) => v2(p),
        _ => false,
    };
    if ok {
        Verdict::Yes(Proto::Slp)
    } else {
        Verdict::No
    }
}

/// v1 header (12 bytes): version, function, length(2), flags, dialect, language(2), encoding(2), XID(2).
fn v1(p: &[u8]) -> bool {
    let (Some(func), Some(len), Some(flags), Some(dialect), Some(enc)) =
        (p.u8_at(1), p.u16_at(2), p.u8_at(4), p.u8_at(5), p.u16_at(8))
    else {
        return false;
    };
    let lang_ok = p
        .get(6..8)
        .is_some_and(|l| l.iter().all(u8::is_ascii_alphabetic));
    (1..=10).contains(&func)
        && usize::from(len) == p.len()
        && flags & 0x07 == 0
        && dialect == 0
        && lang_ok
        // IANA MIBenum charsets SLPv1 allows: US-ASCII, ISO-8859-1, UTF-8, UCS-2, UCS-4, UTF-16BE/LE/16.
        && matches!(enc, 3 | 4 | 106 | 1000 | 1001 | 1013 | 1014 | 1015)
}

/// v2 header: version, function, length(3), flags(2), next extension offset(3), XID(2), language tag length(2), tag.
fn v2(p: &[u8]) -> bool {
    let (Some(func), Some(len), Some(flags), Some(ext), Some(lang_len)) = (
        p.u8_at(1),
        p.u24_at(2),
        p.u16_at(5),
        p.u24_at(7),
        p.u16_at(12),
    ) else {
        return false;
    };
    let lang_end = 14 + usize::from(lang_len);
    let lang_ok = lang_len > 0
        && p.get(14..lang_end)
            .is_some_and(|l| l.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-'));
    (1..=11).contains(&func)
        && usize::try_from(len).is_ok_and(|l| l == p.len())
        && flags & 0x1fff == 0
        && usize::try_from(ext).is_ok_and(|e| e == 0 || (e >= lang_end && e < p.len()))
        && lang_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn v2_service_request() {
        let p = hex("020900001d00000000009df60002656e0000ffff000744454641554c54");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 53106, 427)),
            Verdict::Yes(Proto::Slp)
        );
        // Content decides, not the port.
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 53106, 9999)),
            Verdict::Yes(Proto::Slp)
        );
    }

    #[test]
    fn v1_service_request() {
        let p = hex("0106002c0000656e00031ef700000018736572766963653a782d68706e702d646973636f7665723a00000000");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 51708, 427)),
            Verdict::Yes(Proto::Slp)
        );
    }

    #[test]
    fn rejects_bad_length_and_noise() {
        let mut p = hex("020900001d00000000009df60002656e0000ffff000744454641554c54");
        p.push(0);
        assert_eq!(detect(&pkt(&p, L4::Udp, 1, 427)), Verdict::No);
        for seed in 1..200 {
            let n = noise(40, seed);
            assert_eq!(detect(&pkt(&n, L4::Udp, 1, 427)), Verdict::No);
        }
        // A DNS query is not SLP.
        let dns = hex("123401000001000000000000076578616d706c6503636f6d0000010001");
        assert_eq!(detect(&pkt(&dns, L4::Udp, 1, 427)), Verdict::No);
    }
}
