//! TFTP (RFC 1350/2347): a read or write request — opcode 1/2, a printable file name, NUL, a transfer mode
//! (netascii, octet, mail), NUL.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    Tftp = 96, "TFTP", DataTransfer, udp [69];
}

/// TFTP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp || !matches!(p.get(..2), Some([0, 1 | 2])) {
        return Verdict::No;
    }
    let rest = &p[2..];
    let Some(name_end) = rest.iter().position(|&b| b == 0) else {
        return Verdict::No;
    };
    let name = &rest[..name_end];
    let name_ok =
        !name.is_empty() && name.len() <= 255 && name.iter().all(|&c| (0x20..0x7f).contains(&c));
    let after = &rest[name_end + 1..];
    let Some(mode_end) = after.iter().position(|&b| b == 0) else {
        return Verdict::No;
    };
    let mode = &after[..mode_end];
    let mode_ok = [&b"netascii"[..], b"octet", b"mail"]
        .iter()
        .any(|m| mode.eq_ignore_ascii_case(m));
    if name_ok && mode_ok {
        Verdict::Yes(Proto::Tftp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};

    #[test]
    fn read_request() {
        let p = b"\x00\x01pxelinux.0\x00octet\x00tsize\x000\x00";
        assert_eq!(
            detect(&pkt(p, L4::Udp, 2070, 69)),
            Verdict::Yes(Proto::Tftp)
        );
        let w = b"\x00\x02config.txt\x00NETASCII\x00";
        assert_eq!(
            detect(&pkt(w, L4::Udp, 2070, 69)),
            Verdict::Yes(Proto::Tftp)
        );
    }

    #[test]
    fn negatives() {
        assert_eq!(
            detect(&pkt(b"\x00\x01file\x00binary\x00", L4::Udp, 1, 69)),
            Verdict::No
        );
        assert_eq!(
            detect(&pkt(b"\x00\x03\x00\x01data", L4::Udp, 1, 69)),
            Verdict::No
        );
        assert_eq!(detect(&pkt(&noise(50, 4), L4::Udp, 1, 69)), Verdict::No);
    }
}
