//! VNC (RFB, RFC 6143): the 12-byte ProtocolVersion "RFB 003.008\n" from either side.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Vnc = 89, "VNC", RemoteAccess, tcp [5900];
}

/// VNC's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = p.len() == 12
        && p.starts_with(b"RFB ")
        && p[4..7].iter().all(u8::is_ascii_digit)
        && p[7] == b'.'
        && p[8..11].iter().all(u8::is_ascii_digit)
        && p[11] == b'\n';
    if ok {
        Verdict::Yes(Proto::Vnc)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn versions() {
        assert_eq!(detect(&s0(b"RFB 003.008\n")), Verdict::Yes(Proto::Vnc));
        assert_eq!(detect(&c0(b"RFB 003.003\n")), Verdict::Yes(Proto::Vnc));
    }

    #[test]
    fn others() {
        assert_eq!(detect(&s0(b"RFB 003.008\nx")), Verdict::No);
        assert_eq!(detect(&s0(b"RFB 0a3.008\n")), Verdict::No);
        assert_eq!(detect(&c0(&noise(12, 16))), Verdict::No);
    }
}
