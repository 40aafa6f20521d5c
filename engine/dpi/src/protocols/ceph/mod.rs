//! Ceph messenger (TCP 6789/3300, OSDs 6800+): the banner `ceph v027` (msgr1) or `ceph v2\n` (msgr2).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    Ceph = 381, "Ceph", DataTransfer, tcp [6789];
}

/// Ceph's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 == L4::Tcp && (p.starts_with(b"ceph v027") || p.starts_with(b"ceph v2\n")) {
        Verdict::Yes(Proto::Ceph)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};

    #[test]
    fn banners() {
        assert_eq!(
            detect(&pkt(b"ceph v027\x00\x00\x00\x00", L4::Tcp, 1, 6789)),
            Verdict::Yes(Proto::Ceph)
        );
        assert_eq!(
            detect(&pkt(b"ceph v2\n\x10\x00", L4::Tcp, 1, 3300)),
            Verdict::Yes(Proto::Ceph)
        );
    }

    #[test]
    fn negatives() {
        assert_eq!(detect(&pkt(b"ceph v1", L4::Tcp, 1, 6789)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(20, 1), L4::Tcp, 1, 6789)), Verdict::No);
    }
}
