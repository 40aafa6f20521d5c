//! Java RMI (JRMP): the client's 7-byte header "JRMI", version 1 or 2, protocol 0x4b stream / 0x4c single-op /
//! 0x4d multiplex.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Jrmi = 416, "JRMI", Rpc;
}

/// JRMI's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.len() == 7
        && p.starts_with(b"JRMI\x00")
        && matches!(p[5], 1 | 2)
        && matches!(p[6], 0x4b..=0x4d)
    {
        Verdict::Yes(Proto::Jrmi)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::*;

    #[test]
    fn header() {
        assert_eq!(detect(&c0(b"JRMI\x00\x02\x4b")), Verdict::Yes(Proto::Jrmi));
    }

    #[test]
    fn others() {
        assert_eq!(detect(&c0(b"JRMI\x00\x02\x4b\x00")), Verdict::No);
        assert_eq!(detect(&c0(&noise(7, 27))), Verdict::No);
    }
}
